// Emulated GEMM throughput (multiply-adds per second) next to a plain double GEMM loop in the
// same run, one thread and all threads.
//
// Data: N(0,1) values rounded to the input format, M = N = K = 256 (fits in cache, so the numbers
// measure the emulation, not memory). Counters:
//   MACs/s      emulated multiply-adds per second (M*N*K per iteration)
//   double_MACs/s  the same loop shape in plain double (k outside, columns inside; what the
//               compiler vectorises), timed in the same benchmark
//   vs_double   emulation time / double time
// Run: build/<dir>/bench/bench_gemm [--benchmark_filter=h100]
#include <benchmark/benchmark.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "floatscope/gemm.hpp"
#include "floatscope/models.hpp"
#include "floatscope/parallel.hpp"

namespace {

using namespace floatscope;
using Clock = std::chrono::steady_clock;

constexpr int kM = 256, kN = 256, kK = 256;

std::vector<double> data(const Format& f, std::size_t n, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  std::normal_distribution<double> d(0.0, 1.0);
  std::vector<double> v(n);
  for (auto& x : v) x = round(d(g), f);
  return v;
}

void double_gemm(const std::vector<double>& A, const std::vector<double>& B, std::vector<double>& C,
                 int threads) {
#pragma omp parallel for num_threads(threads)
  for (int i = 0; i < kM; ++i) {
    double* c = C.data() + static_cast<std::size_t>(i) * kN;
    for (int j = 0; j < kN; ++j) c[j] = 0;
    for (int k = 0; k < kK; ++k) {
      const double a = A[static_cast<std::size_t>(i) * kK + k];
      const double* b = B.data() + static_cast<std::size_t>(k) * kN;
      for (int j = 0; j < kN; ++j) c[j] += a * b[j];
    }
  }
}

Accumulator model(const std::string& name) {
  if (name == "fp16-rne") return make_scalar_accumulator(parse_format("fp16"), parse_format("fp16"));
  if (name == "fp16-sr") {
    Rounding r{Mode::sr};
    r.seed = 1;
    return make_scalar_accumulator(parse_format("fp16"), parse_format("fp16"), r);
  }
  if (name == "bf16-rne") return make_scalar_accumulator(parse_format("bf16"), parse_format("bf16"));
  return model_accumulator(name);
}

void BM_gemm(benchmark::State& state, std::string name, bool all_threads) {
  const Accumulator acc = model(name);
  const int threads = all_threads ? omp_default_threads() : 1;
  const auto A = data(acc.a_format, static_cast<std::size_t>(kM) * kK, 1);
  const auto B = data(acc.b_format, static_cast<std::size_t>(kK) * kN, 2);
  std::vector<double> C(static_cast<std::size_t>(kM) * kN);
  double t_double = 0, t_emu = 0;
  for (auto _ : state) {
    const auto t_start = Clock::now();
    const GemmResult r = emulate_gemm(acc, kM, kN, kK, A.data(), B.data(), nullptr, threads);
    benchmark::DoNotOptimize(r.C.data());
    state.PauseTiming();
    const auto t0 = Clock::now();
    t_emu += std::chrono::duration<double>(t0 - t_start).count();
    double_gemm(A, B, C, threads);
    benchmark::DoNotOptimize(C.data());
    t_double += std::chrono::duration<double>(Clock::now() - t0).count();
    state.ResumeTiming();
  }
  const double macs = static_cast<double>(kM) * kN * kK;
  state.counters["MACs/s"] = benchmark::Counter(macs, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["double_MACs/s"] = macs * static_cast<double>(state.iterations()) / t_double;
  state.counters["vs_double"] = t_emu / t_double;
  state.counters["threads"] = threads;
}

const int reg = [] {
  for (const char* name : {"fp16-rne", "fp16-sr", "bf16-rne", "h100-fp8", "h100-bf16",
                           "h100-fp8-promote128", "v100-fp16"})
    for (bool all : {false, true})
      benchmark::RegisterBenchmark((std::string("gemm/") + name + (all ? "/all_threads" : "/1_thread")).c_str(),
                                   BM_gemm, std::string(name), all)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
  return 0;
}();

}  // namespace

BENCHMARK_MAIN();
