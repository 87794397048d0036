// Throughput of round_array, next to a plain copy of the same array measured in the same loop.
//
// Data: 10^7 doubles whose binades are uniform over the whole range of the format, from below
// half its smallest subnormal to past its largest finite value (so flush-to-zero, subnormal and
// overflow lanes are all present), random signs and mantissas. Each iteration first copies the
// input to the output buffer (std::copy, or one block per thread for the threaded runs), then
// rounds it; counters:
//   items_per_second  rounded values per second (the benchmark's own timing covers rounding only)
//   copy_Mps          copied values per second, in millions, from the same iterations
//   vs_copy           rounding time / copy time (the target: <= 2)
// Run: build/<dir>/bench/bench_rounding [--benchmark_filter=fp16]
//
// Measured 2026-11-25 on the 2-vCPU Zen 5 (AVX-512) build machine, GCC 12 -O3 -march=native,
// `floatscope bench` (best of 5, 10^7 doubles; machine shared, load average ~2):
//   one thread   rne/rtz 1.7-2.7 G values/s, 0.94-1.57x the copy time (e8m0 1.8-1.9x);
//                sr 1.18-1.34 G/s, 1.89-2.25x (e8m0: 0.91 G/s, 2.8x); copy 2.4-2.8 G/s.
//   two threads  rne/rtz 3.0-3.6 G/s, 0.84-1.02x; sr 2.2-2.5 G/s, 1.22-1.36x (e8m0 1.7 G/s,
//                1.8x); copy ~3.0 G/s.
// Before the AVX-512 loop (scalar kernel + classify per element): 49-79 M values/s, 31-52x copy.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "floatscope/format.hpp"
#include "floatscope/parallel.hpp"
#include "floatscope/generators.hpp"
#include "floatscope/rounding.hpp"

namespace {

using namespace floatscope;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kN = 10'000'000;

void parallel_copy(const double* in, double* out, std::size_t n, int threads) {
  if (threads <= 1) {
    std::copy(in, in + n, out);
    return;
  }
  const long long parts = threads;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (long long t = 0; t < parts; ++t) {
    const std::size_t lo = n * static_cast<std::size_t>(t) / static_cast<std::size_t>(parts);
    const std::size_t hi = n * static_cast<std::size_t>(t + 1) / static_cast<std::size_t>(parts);
    std::memcpy(out + lo, in + lo, (hi - lo) * sizeof(double));
  }
}

void BM_round_array(benchmark::State& state, const Format& f, Mode mode, int threads) {
  static std::string cached_format;
  static std::vector<double> in;
  if (cached_format != f.name) {
    in = full_range_values(f, kN);
    cached_format = f.name;
  }
  std::vector<double> out(kN);
  Rounding r;
  r.mode = mode;
  r.seed = 1;
  double copy_s = 0, round_s = 0;
  std::uint64_t inexact = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    parallel_copy(in.data(), out.data(), kN, threads);
    benchmark::ClobberMemory();
    const auto t1 = Clock::now();
    const RoundStats s = round_array(in, out, f, r, 0, threads);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
    const auto t2 = Clock::now();
    copy_s += std::chrono::duration<double>(t1 - t0).count();
    round_s += std::chrono::duration<double>(t2 - t1).count();
    state.SetIterationTime(std::chrono::duration<double>(t2 - t1).count());
    inexact = s.inexact;
  }
  const double values = static_cast<double>(kN) * static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<std::int64_t>(values));
  state.counters["copy_Mps"] = values / copy_s / 1e6;
  state.counters["vs_copy"] = round_s / copy_s;
  state.counters["inexact_pct"] = 100.0 * static_cast<double>(inexact) / static_cast<double>(kN);
}

const int kRegistered = [] {
  const int all = omp_default_threads();
  std::vector<int> thread_counts{1};
  if (all > 1) thread_counts.push_back(all);
  for (const Format& f : preset_formats())
    for (Mode m : {Mode::rne, Mode::rtz, Mode::sr})
      for (int t : thread_counts) {
        const std::string name = "round_array/" + f.name + "/" + std::string(mode_name(m)) +
                                 "/threads:" + std::to_string(t);
        benchmark::RegisterBenchmark(name.c_str(), BM_round_array, f, m, t)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond)
            ->MinTime(0.2);
      }
  return 0;
}();

}  // namespace

BENCHMARK_MAIN();
