#!/usr/bin/env bash
# Installs dependencies, builds (release preset) and runs the default test suite (everything but
# the `exhaustive` label). Extra arguments go to ctest, e.g. `scripts/test.sh -R rounding`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
ctest --preset release "$@"
