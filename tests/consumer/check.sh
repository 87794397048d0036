#!/usr/bin/env bash
# CTest driver: builds tests/consumer against floatscope. Usage: check.sh install|subdir SRC BUILD
set -euo pipefail
mode=$1 src=$2 build=$3
work="$build/consumer-$mode"
rm -rf "$work"
mkdir -p "$work"
if [ "$mode" = install ]; then
  cmake --install "$build" --prefix "$work/prefix" >/dev/null
  cmake -S "$src/tests/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
else
  cmake -S "$src/tests/consumer" -B "$work/build" -DFLOATSCOPE_SOURCE="$src" >/dev/null
fi
cmake --build "$work/build" -j2 >/dev/null
"$work/build/consumer"
