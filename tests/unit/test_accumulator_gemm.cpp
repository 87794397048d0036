// emulate_gemm: the same bits as emulate_dot per output, whatever the thread count and SIMD level
// (the column-vectorised kernels run on avx512 and avx2, the engine alone on scalar); inputs off
// the grid are named; quantisation on the way in.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "floatscope/gemm.hpp"
#include "floatscope/models.hpp"
#include "floatscope/simd.hpp"
#include "simd_levels.hpp"

using namespace floatscope;

namespace {

int g_wide = 0;  // > 0: scale values by 2^[-wide, wide] (long tails in TwoSum, overflow)

std::vector<double> random_matrix(std::size_t n, const Format& f, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  std::normal_distribution<double> d(0.0, 1.0);
  std::vector<double> v(n);
  for (auto& x : v) {
    const int e = g_wide > 0 ? static_cast<int>(g() % (2 * g_wide + 1)) - g_wide : 0;
    x = round(std::ldexp(d(g), e), f);
  }
  return v;
}

void check_gemm_level(const Accumulator& acc, int M, int N, int K, std::uint64_t seed) {
  const auto A = random_matrix(static_cast<std::size_t>(M) * K, acc.a_format, seed);
  const auto B = random_matrix(static_cast<std::size_t>(K) * N, acc.b_format, seed + 1);
  const auto C = random_matrix(static_cast<std::size_t>(M) * N, parse_format("fp32"), seed + 2);
  const GemmResult g1 = emulate_gemm(acc, M, N, K, A.data(), B.data(), C.data(), 1);
  const GemmResult g2 = emulate_gemm(acc, M, N, K, A.data(), B.data(), C.data(), 2);
  GemmEvents ev;
  std::vector<double> col(static_cast<std::size_t>(K));
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      for (int k = 0; k < K; ++k) col[static_cast<std::size_t>(k)] = B[static_cast<std::size_t>(k) * N + j];
      const std::size_t ij = static_cast<std::size_t>(i) * N + j;
      const double d = emulate_dot(acc, A.data() + static_cast<std::size_t>(i) * K, col.data(), K,
                                   C[ij], &ev, i, j);
      INFO(acc.describe() << " (" << i << "," << j << ")");
      REQUIRE(std::bit_cast<std::uint64_t>(g1.C[ij]) == std::bit_cast<std::uint64_t>(d));
      REQUIRE(std::bit_cast<std::uint64_t>(g2.C[ij]) == std::bit_cast<std::uint64_t>(d));
    }
  CHECK(g1.events.products == static_cast<std::uint64_t>(M) * N * K);
  CHECK(g1.events.partials == ev.partials);
  CHECK(g2.events.partials == ev.partials);
  CHECK(g1.events.stagnations == ev.stagnations);
  CHECK(g2.events.stagnations == ev.stagnations);
  CHECK(g1.events.partials_underflow == ev.partials_underflow);
  CHECK(g1.events.partials_overflow == ev.partials_overflow);
  CHECK(g1.events.partials_saturated == ev.partials_saturated);
  CHECK(g1.events.nan_count == ev.nan_count);
  CHECK(g2.events.partials_underflow == ev.partials_underflow);
  CHECK(g2.events.partials_overflow == ev.partials_overflow);
  CHECK(g2.events.partials_saturated == ev.partials_saturated);
  CHECK(g2.events.nan_count == ev.nan_count);
  CHECK(g2.events.products == ev.products);
}

void check_gemm(const Accumulator& acc, int M, int N, int K, std::uint64_t seed) {
  floatscope::test::for_each_simd_level([&] { check_gemm_level(acc, M, N, K, seed); });
}

}  // namespace

TEST_CASE("emulate_gemm equals emulate_dot per output for any thread count", "[gemm]") {
  const Format fp16 = parse_format("fp16"), bf16 = parse_format("bf16");
  for (Mode m : {Mode::rne, Mode::rtz, Mode::sr}) {
    Rounding r{m};
    r.seed = 77;
    check_gemm(make_scalar_accumulator(fp16, fp16, r), 7, 19, 45, 1);
    check_gemm(make_scalar_accumulator(bf16, bf16, r), 5, 33, 70, 2);
    Accumulator acc = make_scalar_accumulator(fp16, bf16, r);
    acc.order = parse_accumulator_order("blocked:16");
    check_gemm(acc, 4, 9, 50, 3);
  }
  for (const char* model : {"h100-fp16", "h100-bf16", "h100-tf32", "h100-fp8", "h100-fp8-promote128",
                            "b200-fp8", "v100-fp16", "ada-fp8"})
    check_gemm(model_accumulator(model), 6, 21, 300, 4);
}

TEST_CASE("vectorised kernels agree with the engine on wide ranges and overflow", "[gemm]") {
  const Format bf16 = parse_format("bf16"), fp16 = parse_format("fp16"), fp32 = parse_format("fp32");
  g_wide = 40;
  for (Mode m : {Mode::rne, Mode::rup, Mode::rto, Mode::sr}) {
    Rounding r{m};
    r.seed = 5;
    r.sr_bits = m == Mode::sr ? 13 : 64;
    check_gemm(make_scalar_accumulator(bf16, bf16, r), 5, 40, 200, 11);
    check_gemm(make_scalar_accumulator(bf16, fp32, r), 5, 40, 200, 12);
  }
  // bf16 products beyond fp32 inside the unit, exact sums that overflow to Inf.
  g_wide = 126;
  for (const char* model : {"h100-bf16", "a100-bf16", "b200-bf16"})
    check_gemm(model_accumulator(model), 4, 24, 64, 13);
  g_wide = 0;
  // NaN in an input: the fused kernel hands the GEMM to the engine.
  Accumulator acc = model_accumulator("h100-fp16");
  std::vector<double> A(4 * 16, 1.0), B(16 * 3, 0.5);
  A[5] = NAN;
  const GemmResult g = emulate_gemm(acc, 4, 3, 16, A.data(), B.data(), nullptr);
  CHECK(std::isnan(g.C[0]));
  CHECK(g.C[3] == 8.0);
  CHECK(g.events.nan_count == 3);
  (void)fp16;
}

TEST_CASE("scalar kernels agree with the engine through overflow, Inf, NaN and underflow", "[gemm]") {
  // fp16 inputs scaled by 2^[-8, 8]: products beyond fp16's max finite overflow the fp16
  // accumulator to Inf (then Inf + -Inf = NaN), small ones end in its subnormal range; most steps
  // still have an exact sum in range, so both the kernel's fast and general lanes run.
  const Format fp16 = parse_format("fp16"), bf16 = parse_format("bf16"), fp32 = parse_format("fp32");
  g_wide = 8;
  for (Mode m : {Mode::rne, Mode::rtz, Mode::rdn, Mode::sr}) {
    Rounding r{m};
    r.seed = 9;
    check_gemm(make_scalar_accumulator(fp16, fp16, r), 5, 37, 120, 21);
    check_gemm(make_scalar_accumulator(fp16, fp32, r), 5, 37, 120, 22);
    check_gemm(make_scalar_accumulator(bf16, bf16, r), 3, 17, 120, 23);
  }
  g_wide = 0;
}

TEST_CASE("a negative sum that rounds to zero in the accumulator is -0", "[gemm]") {
  // (-2^-24) * 2^-24 = -2^-48 lies below half fp16's smallest subnormal (2^-25): RNE gives -0,
  // and -0 + -0 stays -0 (IEEE 754 s.6.3), so every output is -0.
  const Format fp16 = parse_format("fp16");
  for (Mode m : {Mode::rne, Mode::rtz}) {
    const Accumulator acc = make_scalar_accumulator(fp16, fp16, Rounding{m});
    const int M = 2, N = 11, K = 3;
    const std::vector<double> A(M * K, -0x1p-24), B(K * N, 0x1p-24);
    const GemmResult g = emulate_gemm(acc, M, N, K, A.data(), B.data(), nullptr, 1);
    for (double c : g.C) {
      CHECK(c == 0);
      CHECK(std::signbit(c));
    }
    CHECK(g.events.partials_underflow == static_cast<std::uint64_t>(M) * N * K);
  }
}

TEST_CASE("a fused step whose nonzero sum rounds to zero in fp32 is -0 for a negative sum", "[gemm]") {
  // bf16 (-2^-100) * 2^-100 = -2^-200: the block sum is nonzero, below fp32's smallest subnormal
  // (2^-149), and RZ to fp32 keeps its sign (IEEE 754 s.6.3): -0, step after step.
  const Accumulator acc = model_accumulator("h100-bf16");
  const int M = 2, N = 11, K = 40;
  const std::vector<double> A(M * K, -0x1p-100), B(K * N, 0x1p-100);
  const GemmResult g = emulate_gemm(acc, M, N, K, A.data(), B.data(), nullptr, 1);
  for (double c : g.C) {
    CHECK(c == 0);
    CHECK(std::signbit(c));
  }
}

TEST_CASE("every accumulator mode's kernel agrees with the engine", "[gemm]") {
  const Format fp16 = parse_format("fp16"), bf16 = parse_format("bf16"), e4m3 = parse_format("e4m3");
  for (Mode m : {Mode::rne, Mode::rna, Mode::rtz, Mode::rup, Mode::rdn, Mode::rto, Mode::sr}) {
    Rounding r{m};
    r.seed = 7;
    r.sr_bits = m == Mode::sr ? 9 : 64;
    check_gemm(make_scalar_accumulator(e4m3, fp16, r), 9, 37, 64, 100 + static_cast<int>(m));
    check_gemm(make_scalar_accumulator(fp16, bf16, r), 5, 33, 200, 200 + static_cast<int>(m));
  }
}

TEST_CASE("inputs must be on the grid unless the model quantises", "[gemm]") {
  const Format fp16 = parse_format("fp16");
  Accumulator acc = make_scalar_accumulator(fp16, parse_format("fp32"));
  const std::vector<double> A{1, 2, 3, 4, 5, 6}, B{1, 0.1, 1, 1, 1, 1};  // 0.1 is not fp16
  CHECK_THROWS_WITH(emulate_gemm(acc, 2, 2, 3, A.data(), B.data(), nullptr),
                    Catch::Contains("B[1]") && Catch::Contains("fp16"));
  CHECK_THROWS_WITH(emulate_gemm(acc, -1, 2, 3, A.data(), B.data(), nullptr), Catch::Contains("M=-1"));
  acc.quantize = Rounding{Mode::rne};
  const GemmResult g = emulate_gemm(acc, 2, 2, 3, A.data(), B.data(), nullptr);
  // B[0][1] = 0.1 rounds to 0x1.998p-4 in fp16: C[0][1] = 1*that + 2*1 + 3*1.
  CHECK(g.C[1] == 0x1.998p-4 + 5);
}

TEST_CASE("stochastic quantisation on the way in is the same in a GEMM and a dot", "[gemm]") {
  const Format fp16 = parse_format("fp16");
  Accumulator acc = make_scalar_accumulator(fp16, parse_format("fp32"));
  Rounding q{Mode::sr};
  q.seed = 3;
  acc.quantize = q;
  const int M = 3, N = 5, K = 40;
  const auto A = random_matrix(M * K, parse_format("fp64"), 21);  // off the fp16 grid
  const auto B = random_matrix(K * N, parse_format("fp64"), 22);
  const GemmResult g = emulate_gemm(acc, M, N, K, A.data(), B.data(), nullptr, 2);
  std::vector<double> col(K);
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      for (int k = 0; k < K; ++k) col[k] = B[k * N + j];
      CHECK(g.C[i * N + j] == emulate_dot(acc, A.data() + i * K, col.data(), K, 0, nullptr, i, j));
    }
  // Different seeds quantise differently (the inputs are far from the grid).
  acc.quantize->seed = 4;
  const GemmResult g4 = emulate_gemm(acc, M, N, K, A.data(), B.data(), nullptr, 1);
  CHECK(g4.C != g.C);
}
