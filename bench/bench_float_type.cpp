// Scalar types (float_type.hpp) in a dependent loop: each operation needs the previous result, so
// the time per operation is the latency of one rounded add or multiply. Beside them the same loop
// on plain float, in the same run; `vs_float` is the scalar type's rate over float's. The issue's
// goal: bf16 and fp16 adds and multiplies at >= 3e8 operations per second on one core.
//
//   bench_float_type [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <time.h>

#include "floatscope/float_type.hpp"

namespace {

constexpr int kOps = 1 << 12;  // operations per benchmark iteration

// Rates of the plain float loops, measured first in the same run.
double g_float_add_rate = 0, g_float_mul_rate = 0;

// x = x + d, d alternating in sign; x = x * m, m alternating between 1.5 and 2/3 (rounded into
// the type): each chain of kOps starts again from the same x, so the values stay in the normal
// range (float's subnormals would take a slow microcoded path), and most results are rounded.
template <class T>
T add_chain(T x, T d) {
  const T nd = -d;
  for (int i = 0; i < kOps; i += 2) {
    x = x + d;
    x = x + nd;
  }
  return x;
}

template <class T>
T mul_chain(T x, T up, T down) {
  for (int i = 0; i < kOps; i += 2) {
    x = x * up;
    x = x * down;
  }
  return x;
}

template <class T>
T make(double v) {
  return T(v);
}

// CPU time of this thread (the ratio must not depend on other processes sharing the machine).
double thread_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

template <class T, bool kMul>
void run(benchmark::State& state, double* baseline_out, const double* baseline) {
  const T x0 = make<T>(1.2345), d = make<T>(0.3), up = make<T>(1.5), down = make<T>(2.0 / 3.0);
  const double t0 = thread_seconds();
  for (auto _ : state) {
    T x = x0;
    benchmark::DoNotOptimize(x);
    if constexpr (kMul) x = mul_chain(x, up, down);
    else x = add_chain(x, d);
    benchmark::DoNotOptimize(x);
  }
  const double seconds = thread_seconds() - t0;
  const double ops = static_cast<double>(state.iterations()) * kOps;
  state.counters["ops_per_s"] = benchmark::Counter(ops, benchmark::Counter::kIsRate);
  if (baseline_out) *baseline_out = ops / seconds;
  if (baseline && *baseline > 0) state.counters["vs_float"] = (ops / seconds) / *baseline;
}

void BM_float_add(benchmark::State& s) { run<float, false>(s, &g_float_add_rate, nullptr); }
void BM_float_mul(benchmark::State& s) { run<float, true>(s, &g_float_mul_rate, nullptr); }
void BM_bf16_add(benchmark::State& s) { run<floatscope::bf16, false>(s, nullptr, &g_float_add_rate); }
void BM_fp16_add(benchmark::State& s) { run<floatscope::fp16, false>(s, nullptr, &g_float_add_rate); }
void BM_bf16_mul(benchmark::State& s) { run<floatscope::bf16, true>(s, nullptr, &g_float_mul_rate); }
void BM_fp16_mul(benchmark::State& s) { run<floatscope::fp16, true>(s, nullptr, &g_float_mul_rate); }
// Other modes and formats, for scale: directed rounding and fp8 share the short path; bf16
// sums in rtz go through TwoSum and round-to-odd; stochastic rounding draws a random word.
void BM_bf16_rtz_add(benchmark::State& s) { run<floatscope::bf16_rtz, false>(s, nullptr, &g_float_add_rate); }
void BM_e4m3_add(benchmark::State& s) { run<floatscope::e4m3, false>(s, nullptr, &g_float_add_rate); }
void BM_bf16_sr_add(benchmark::State& s) { run<floatscope::bf16_sr, false>(s, nullptr, &g_float_add_rate); }
void BM_fp16_sr_mul(benchmark::State& s) { run<floatscope::fp16_sr, true>(s, nullptr, &g_float_mul_rate); }

}  // namespace

BENCHMARK(BM_float_add);
BENCHMARK(BM_float_mul);
BENCHMARK(BM_bf16_add);
BENCHMARK(BM_fp16_add);
BENCHMARK(BM_bf16_mul);
BENCHMARK(BM_fp16_mul);
BENCHMARK(BM_bf16_rtz_add);
BENCHMARK(BM_e4m3_add);
BENCHMARK(BM_bf16_sr_add);
BENCHMARK(BM_fp16_sr_mul);

BENCHMARK_MAIN();
