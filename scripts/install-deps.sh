#!/usr/bin/env bash
# Installs every build, test and report dependency of floatscope from Debian 12 packages.
# Idempotent: packages already present are left alone; apt-get runs only when something is missing.
# Also creates .venv-test/ (git-ignored) with the Python test packages from PyPI, unless given
# --system-only.
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
  python3-dev python3-venv        # the Python module (python/) and its test environment
  libopenmpi-dev openmpi-bin      # MPI sweeps (mpirun -n N floatscope sweep; optional, tests skip without)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Python test environment (git-ignored): the Debian Python with what the pytest suite and the
# module build need, from PyPI. CMake builds the module with this Python and CTest runs its pytest
# (python/CMakeLists.txt); without it the python tests report Skipped.
# `--system-only` (scripts/main.sh: it builds only the program) leaves it out.
[ "${1:-}" = "--system-only" ] && exit 0
venv="$(cd "$(dirname "$0")/.." && pwd)/.venv-test"
py_packages=(pytest numpy ml_dtypes pandas scikit-build-core nanobind)
if "$venv/bin/python" -c "import pytest, numpy, ml_dtypes, pandas, scikit_build_core, nanobind" 2>/dev/null; then
  echo "install-deps: $venv ready"
else
  echo "install-deps: creating $venv with ${py_packages[*]}"
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "${py_packages[@]}"
fi
