#!/usr/bin/env bash
# Installs every build, test and report dependency of floatscope from Debian 12 packages.
# Idempotent: packages already present are left alone; apt-get runs only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libmpfr-dev libgmp-dev          # the exact oracle
  libeigen3-dev libboost-dev      # test oracles: Eigen double GEMM, Boost.Multiprecision exact sums
  libfmt-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev
  catch2 libbenchmark-dev         # tests (Catch2 v2) and benchmarks
  libhwy-dev                      # Highway: SIMD loops with runtime dispatch (header-only use)
  gnuplot-nox                     # figures in reports
  libmd4c-dev libmd4c-html0-dev   # Markdown -> HTML for report.html
  chromium                        # headless browser for the report test (skipped without it)
  libopenmpi-dev openmpi-bin      # MPI sweeps (mpirun -n N floatscope sweep; optional, tests skip without)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
