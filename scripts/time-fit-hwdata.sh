#!/usr/bin/env bash
# Times `floatscope fit` from scratch on every recorded tensor-core set (one dot product per row):
# the full sets in ${FLOATSCOPE_SHARED_DIR:-../shared}/hwdata when present, else the shipped subset.
# Usage: scripts/time-fit-hwdata.sh [path/to/floatscope] [threads] [d_fp32|d_fp16]
# Prints one line per set: name, cases, wall seconds, and the first model reproducing every row.
# d_fp16: the sets recorded with fp16 C and D (the others are left out).
set -euo pipefail
cd "$(dirname "$0")/.."
fs=${1:-build/dev/tools/floatscope}
threads=${2:-2}
d=${3:-d_fp32}
root=${FLOATSCOPE_SHARED_DIR:-../shared}/hwdata
[ -d "$root" ] || root=tests/data/hwdata-subset
for dir in "$root"/*_*/; do
  name=$(basename "$dir")
  [ -f "$dir/$d.npy" ] || continue
  fmt=$(echo "${name#*_}" | tr 'A-Z' 'a-z')
  c=(--c "$dir/c.npy")
  # H100/H200 FP8 were recorded with wgmma and C = 0 (the data's README); not their fp16-D runs.
  [ "$d" = d_fp32 ] && case "$name" in H100_E*|H200_E*) c=() ;; esac
  start=$(date +%s.%N)
  out=$("$fs" fit --dot-rows --a "$dir/a.npy" --b "$dir/b.npy" "${c[@]}" --got "$dir/$d.npy" \
        --a-format "$fmt" --threads "$threads" --show 1) || true
  end=$(date +%s.%N)
  cases=$(echo "$out" | sed -n 's/^fit: \([0-9]*\) cases.*/\1/p')
  best=$(echo "$out" | grep -m1 -E '^ +[0-9.]+%' | sed 's/^ *//' || true)
  printf '%-10s %6s cases %6.2f s  %s\n' "$name" "$cases" "$(echo "$end - $start" | bc)" "$best"
done
