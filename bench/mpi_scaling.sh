#!/usr/bin/env bash
# The numbers of docs/cluster.md: a fixed sweep with K from 512 to 32768 (64 points, about a
# minute on one idle core) timed at 1, 2 and 4 MPI ranks of one thread each; the scheduler's overhead
# per point (a sweep of 1x1x1 points, whose time is all scheduling, messages and writing); the
# imbalance of 4 shards split by estimated cost against 4 split by count, measured with the
# per-point times of the 1-rank run; and from those an efficiency estimate at 64 and 1024 ranks.
#
# Usage: bench/mpi_scaling.sh [path/to/floatscope]   (needs mpirun and python3; ~4 minutes)
# Beyond the machine's cores the ranks are oversubscribed: the table says how many cores there are.
set -euo pipefail
fs=$(realpath "${1:-build/dev/tools/floatscope}")
mpirun=(mpirun --oversubscribe)
[ "$(id -u)" -ne 0 ] || mpirun+=(--allow-run-as-root)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# K varies fastest in grid order here (no repeats; the other keys come first), as in a sweep whose
# innermost list is K: counting puts every K = 32768 point into one of 4 shards.
cat > "$tmp/fixed.toml" <<'EOF'
title = "mpi scaling: varied K"
a_format = ["fp16", "bf16", "e4m3", "e5m2"]
acc_format = ["fp32", "fp16"]
dist = ["normal", "uniform01"]
M = 112
N = 112
K = [512, 2048, 8192, 32768]
EOF

seconds() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.2f}")' "$@"; }
now() { date +%s.%N; }
# Runs a command; prints "wall cpu" in seconds, cpu = user + system time of it and its children
# (every rank). On a machine shared with other work the wall time measures the competition too:
# more runnable processes get a larger share of a loaded machine, so compare the cpu column.
timed() {
  local TIMEFORMAT='%R %U %S' t
  t=$( { time "$@" >/dev/null 2>&1; } 2>&1 )
  python3 -c 'import sys; r, u, s = map(float, sys.argv[1:]); print(f"{r:.2f} {u + s:.2f}")' $t
}

echo "floatscope MPI scaling, $(date -u +%Y-%m-%d), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$fs" sweep "$tmp/fixed.toml" --dry-run
declare -A wall cpu
for ranks in 1 2 4; do
  read -r wall[$ranks] cpu[$ranks] < <(timed "${mpirun[@]}" -n "$ranks" "$fs" sweep "$tmp/fixed.toml" -o "$tmp/r$ranks" --threads 1 --quiet)
done
echo
echo "| ranks (1 thread each) | wall time (s) | speedup | cpu time, all ranks (s) | cpu / 1-rank cpu | note |"
echo "|---|---|---|---|---|---|"
for ranks in 1 2 4; do
  note=""
  [ "$ranks" -le "$(nproc)" ] || note="oversubscribed: $ranks ranks on $(nproc) cores"
  python3 -c 'import sys; r, w, w1, c, c1, note = sys.argv[1:]; print(f"| {r} | {float(w):.1f} | {float(w1)/float(w):.2f} | {float(c):.1f} | {float(c)/float(c1):.2f} | {note} |")' \
    "$ranks" "${wall[$ranks]}" "${wall[1]}" "${cpu[$ranks]}" "${cpu[1]}" "$note"
done

# Every run wrote the same rows (all columns but seconds): the scaling runs did the same work.
python3 - "$tmp" <<'EOF'
import csv, sys
def rows(d):
    t = list(csv.reader(open(f"{sys.argv[1]}/{d}/results.csv")))
    s = t[0].index("seconds")
    return [r[:s] + r[s + 1:] for r in t]
assert rows("r1") == rows("r2") == rows("r4"), "MPI runs differ from the 1-rank run"
print("\nrows of the 2- and 4-rank runs equal the 1-rank run's (all columns but seconds)")
EOF

# Scheduler overhead: sweeps of 1000 and 3000 points of a 1x1x1 product with no reference; the
# difference over 2000 points leaves out the start of mpirun and of the ranks.
tiny_run() {  # ranks (0 = one process without mpirun), points; prints seconds
  local t0 cmd=("$fs" sweep -o "$tmp/tiny-$1-$2" --M 1 --N 1 --K 1 --reference none --repeats "$2" --threads 1 --quiet)
  [ "$1" -eq 0 ] || cmd=("${mpirun[@]}" -n "$1" "${cmd[@]}")
  t0=$(now)
  "${cmd[@]}"
  seconds "$t0" "$(now)"
}
tiny=$(seconds "$(tiny_run 2 1000)" "$(tiny_run 2 3000)")
tiny1=$(seconds "$(tiny_run 0 1000)" "$(tiny_run 0 3000)")

# Shards: cost split (run for real, each timed) and count split (from the 1-rank run's per-point
# seconds, which time the emulation of each point).
declare -A shard_wall shard_cpu
for i in 1 2 3 4; do
  read -r shard_wall[$i] shard_cpu[$i] < <(timed "$fs" sweep "$tmp/fixed.toml" --shard "$i/4" -o "$tmp/s$i" --threads 1 --quiet)
done
python3 - "$tmp" "$tiny" "$tiny1" "${cpu[1]}" "${shard_cpu[1]}" "${shard_cpu[2]}" "${shard_cpu[3]}" "${shard_cpu[4]}" <<'EOF'
import csv, sys
tmp, tiny, tiny1, cpu1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
shard_cpu = [float(x) for x in sys.argv[5:9]]
table = list(csv.reader(open(f"{tmp}/r1/results.csv")))
head, rows = table[0], table[1:]
sec, pid = head.index("seconds"), head.index("point_id")
secs = {r[pid]: float(r[sec]) for r in rows}
order = [r[pid] for r in rows]  # grid order (a complete results.csv is sorted)
def imb(loads): return max(loads) / (sum(loads) / len(loads))
count = [0.0] * 4
for i, p in enumerate(order): count[i % 4] += secs[p]
cost = []
for i in range(1, 5):
    ids = [r[pid] for r in list(csv.reader(open(f"{tmp}/s{i}/results.csv")))[1:]]
    cost.append(sum(secs[p] for p in ids))
print("\n| 4 shards | imbalance (largest / mean), per-point emulation seconds | shard cpu times (s) |")
print("|---|---|---|")
print(f"| split by cost (--shard) | {imb(cost):.3f} | {', '.join(f'{w:.1f}' for w in shard_cpu)} (imbalance {imb(shard_cpu):.3f}) |")
print(f"| split by count (before) | {imb(count):.3f} | |")

n_tiny = 2000
overhead = tiny / n_tiny
print(f"\nscheduler overhead: {overhead * 1e3:.2f} ms per point at 2 ranks (2000 more points of 1x1x1 took "
      f"{tiny:.2f} s more; one process without MPI: {tiny1 / n_tiny * 1e3:.2f} ms per point; both include "
      f"building the row and the fsync of each group of rows)")
# Efficiency of a 1e5-point sweep with this sweep's mean point time t: rank 0 serves at most
# 1/overhead points per second while P ranks ask for P/t; and at the end the others idle at most
# while one point runs (bounded here by the largest point, emulation seconds scaled to cpu time).
t = cpu1 / len(order)  # mean cpu seconds of a point (emulation + reference + row)
largest_last = max(secs.values()) * cpu1 / sum(secs.values())
for P in (64, 1024):
    work = 1e5 * t
    served = min(1.0, (1 / overhead) / (P / t))
    tail = (work / P) / (work / P + largest_last)
    print(f"estimated efficiency at {P} ranks, 1e5 points of {t:.2f} s mean: {served * tail:.2f} "
          f"(scheduler keeps up: {served:.2f}; tail: {tail:.3f})")
EOF
