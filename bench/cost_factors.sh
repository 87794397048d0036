#!/usr/bin/env bash
# Measures the factors of the sweep cost estimate (lib/src/sweep_schedule.cpp): seconds per
# M*N*K of each accumulation path and reference, one thread, from one-point sweeps.
# Usage: bench/cost_factors.sh [path/to/floatscope]   (prints one line per case)
set -euo pipefail
fs=${1:-build/dev/tools/floatscope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() {  # name, then sweep flags; prints seconds per MAC of the whole point (emulation + reference)
  local name=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$fs" sweep -o "$tmp/$name" --quiet --threads 1 --M 64 --N 64 "$@" >/dev/null
  t1=$(date +%s.%N)
  awk -v n="$name" -v a="$t0" -v b="$t1" -v k="$K" 'BEGIN { printf "%-28s %.3g s/MAC\n", n, (b - a) / (64 * 64 * k) }'
}
K=8192
run scalar-ref-none   --K $K --a-format fp16 --reference none
run scalar-ref-exact  --K $K --a-format fp16
run fused-ref-none    --K $K --model h100-fp8 --a-format e4m3 --reference none
run sr-ref-none       --K $K --a-format fp16 --acc-format fp16 --rounding sr --reference none
run pairwise-ref-none --K $K --a-format fp16 --order pairwise --reference none
run kahan-ref-none    --K $K --a-format fp16 --compensation kahan --reference none
K=1024
run scalar-ref-mpfr   --K $K --a-format fp16 --reference mpfr
K=16
run tiny-point        --K $K --a-format fp16 --reference none
