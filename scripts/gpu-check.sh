#!/usr/bin/env bash
# Every GPU check of issue 11 on a machine with a CUDA device, building nothing: the two programs
# were built elsewhere (cmake --build build/dev --target floatscope_cli floatscope_gpu_tests) and
# carried with the working tree. Results go under $OUT (default: gpu-check-out/):
#   device.txt          nvidia-smi and the program's version
#   gpu-tests.txt       every gpu-labelled test case (gpu-emulated == cpu bit for bit; mma chains
#                       and cuBLASLt against the generation's models; probe findings vs the table)
#   cli-contract.txt    gemm through each GPU backend (backend_info shows cuBLASLt's algorithm),
#                       gpu-emulated == cpu on a .npy output
#   probe-gpu.txt/.json floatscope probe-gpu (10^5 random steps per instruction)
#   throughput.txt      gpu-emulated MAC/s for an fp16 accumulator and h100-fp8 at 1024^3, 2048^3,
#                       ... 8192^3, stopping before a size predicted (8x the last) to exceed
#                       $MAX_SECONDS (default 60)
#   summary.txt         one line per part with its exit code
# Usage: scripts/gpu-check.sh [build-dir] [part ...]   parts: tests cli probe throughput (default all)
# Each part stays within a few minutes, so parts can be run as separate commands.
set -u
BUILD=${1:-build/dev}
shift || true
PARTS=${*:-tests cli probe throughput}
OUT=${OUT:-gpu-check-out}
MAX_SECONDS=${MAX_SECONDS:-60}
FS=$BUILD/tools/floatscope
GPU_TESTS=$BUILD/tests/floatscope_gpu_tests
mkdir -p "$OUT"
summary() { echo "$1: exit $2" | tee -a "$OUT/summary.txt"; }
for p in "$FS" "$GPU_TESTS"; do
  [ -x "$p" ] || { echo "gpu-check: $p is missing: build floatscope_cli and floatscope_gpu_tests first" >&2; exit 2; }
done
{ nvidia-smi 2>&1; echo; "$FS" --version; } > "$OUT/device.txt"

for part in $PARTS; do
  case $part in
    tests)
      # Catch2 directly (ctest files hold the build machine's absolute paths); 77 = all skipped.
      timeout 500 "$GPU_TESTS" --durations yes > "$OUT/gpu-tests.txt" 2>&1
      summary "gpu tests (77 = skipped: no device)" $? ;;
    cli)
      (
        rc=0
        for b in gpu-cublaslt gpu-mma gpu-emulated; do
          "$FS" gemm --backend "$b" --model h100-fp16 --M 64 --N 64 --K 512 --dist normal --seed 3 --json || rc=1
        done
        for b in cpu gpu-emulated; do
          "$FS" gemm --backend "$b" --a-format fp16 --acc-format fp16 --rounding sr --M 64 --N 64 --K 4096 \
            --dist uniform01 --seed 9 --out "$OUT/D-$b.npy" > /dev/null || rc=1
        done
        if cmp "$OUT/D-cpu.npy" "$OUT/D-gpu-emulated.npy"; then echo "gpu-emulated == cpu (fp16 sr, 64x64x4096)"; else rc=1; fi
        exit $rc
      ) > "$OUT/cli-contract.txt" 2>&1
      summary "cli contract" $? ;;
    probe)
      timeout 280 "$FS" probe-gpu --steps 100000 --json > "$OUT/probe-gpu.json" 2> "$OUT/probe-gpu.err"
      summary "probe-gpu --json" $?
      timeout 280 "$FS" probe-gpu --steps 100000 > "$OUT/probe-gpu.txt" 2>&1
      summary "probe-gpu" $? ;;
    throughput)
      # The exact reference is CPU work: off.
      {
        for spec in "--a-format fp16 --acc-format fp16 --rounding rne" "--model h100-fp8 --a-format e4m3"; do
          for n in 1024 2048 4096 8192; do
            start=$(date +%s)
            # shellcheck disable=SC2086
            timeout "$MAX_SECONDS" "$FS" gemm --backend gpu-emulated $spec --M $n --N $n --K $n --dist normal \
              --reference none | grep -E "accumulator|emulation time" | sed "s/^/$n^3 /"
            [ $(( ($(date +%s) - start) * 8 )) -gt "$MAX_SECONDS" ] && break
          done
        done
      } > "$OUT/throughput.txt" 2>&1
      summary "throughput" $? ;;
    *) echo "gpu-check: unknown part '$part' (tests cli probe throughput)" >&2; exit 2 ;;
  esac
done
cat "$OUT/summary.txt"
