#!/usr/bin/env bash
# README's main command: installs dependencies, builds (release preset), lists the formats, rounds
# a few published vectors, then runs the default error sweep and writes its report.
# Output: out/default/results.csv, meta.json, report.md, report.html, figures/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --system-only  # the Python test environment is test.sh's
cmake --preset release >/dev/null
# Only the program and its library: tests and benchmarks build with scripts/test.sh.
cmake --build --preset release -j "$(nproc)" --target floatscope_cli
fs=build/release/tools/floatscope
"$fs" formats
printf '464\n465\n0x1.cp+8\n-1e-3\n' | "$fs" round --format e4m3
"$fs" sweep -o out/default "$@"
"$fs" report out/default
echo "report: out/default/report.html (and report.md)"
