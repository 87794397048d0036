// fit() on data whose generating model is known independently:
//   - scalar accumulators: outputs summed step by step in MPFR (exact sum of the running value and
//     the exact product, rounded once by the MPFR oracle), so the oracle shares no code with the
//     library's accumulators; the fit must name the format, mode and order used;
//   - recorded tensor-core outputs with planted wrong rows: no model reproduces every row, and
//     the best must be the named model with exactly the planted rows wrong (the screening path).
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "floatscope/experiment.hpp"
#include "floatscope/fit.hpp"
#include "floatscope/gemm.hpp"
#include "floatscope/models.hpp"
#include "floatscope/npy.hpp"
#include "mpfr_oracle.hpp"

using namespace floatscope;
namespace fs = std::filesystem;

namespace {

// fp16 values k / 2^s with |k| < 2^bits and s in 3..12: on fp16's grid by construction (and on
// bf16's for bits <= 8).
std::vector<double> fp16_values(std::size_t n, std::uint64_t seed, int bits = 9) {
  std::vector<double> v(n);
  std::uint64_t s = seed;
  for (auto& x : v) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::int64_t half = std::int64_t{1} << bits;
    const auto k = static_cast<std::int64_t>((s >> 20) % static_cast<std::uint64_t>(2 * half - 1)) - (half - 1);
    x = std::ldexp(static_cast<double>(k), -3 - static_cast<int>((s >> 40) % 10));
  }
  return v;
}

// c + a0 b0 + a1 b1 + ... (reverse: from the last product), each addition rounded once onto acc.
double mpfr_chain(const double* a, const double* b, int K, double c, const Format& acc, Mode m, bool reverse) {
  mpfr_t run, prod, sum;
  mpfr_inits2(4096, run, prod, sum, static_cast<mpfr_ptr>(nullptr));
  double r = c;
  for (int j = 0; j < K; ++j) {
    const int k = reverse ? K - 1 - j : j;
    if (std::isinf(r)) continue;  // an overflowed sum stays Inf (finite products)
    mpfr_set_d(run, r, MPFR_RNDN);
    mpfr_set_d(prod, a[k], MPFR_RNDN);
    mpfr_mul_d(prod, prod, b[k], MPFR_RNDN);  // exact at 4096 bits
    mpfr_add(sum, run, prod, MPFR_RNDN);      // exact
    r = oracle::oracle_round_mpfr(sum, acc, m, Overflow::spec);
  }
  mpfr_clears(run, prod, sum, static_cast<mpfr_ptr>(nullptr));
  return r;
}

}  // namespace

TEST_CASE("fit names the scalar accumulator that made the data", "[fit]") {
  const int K = 24;
  const std::size_t n = 300;
  const Format fp16 = parse_format("fp16");
  for (const auto& [acc_name, mode, reverse] :
       {std::tuple{"bf16", Mode::rtz, true}, std::tuple{"fp16", Mode::rne, false}, std::tuple{"fp32", Mode::rup, false}}) {
    const Format acc = parse_format(acc_name);
    DotCases d;
    d.K = K;
    d.a = fp16_values(n * K, 1);
    d.b = fp16_values(n * K, 2);
    d.c = fp16_values(n, 3, 7);  // C is a value of every accumulator format tried
    for (std::size_t i = 0; i < n; ++i)
      d.d.push_back(mpfr_chain(&d.a[i * K], &d.b[i * K], K, d.c[i], acc, mode, reverse));
    FitSpace space;
    space.a_format = space.b_format = fp16;
    space.output_conversion = false;  // tested below; an fp16 chain's results are fp16 values too
    const FitResult r = fit(d, space, 1);
    const std::string want = std::string("scalar ") + acc_name + "/" + std::string(mode_name(mode)) + " " +
                             (reverse ? "reverse" : "sequential");
    INFO("data made by " << want << "; best " << (r.models.empty() ? "none" : r.models.front().label));
    REQUIRE(!r.models.empty());
    CHECK(r.screened);  // 300 cases: screened on 256 first
    // Every model returned reproduces every row; the generating one is among them. (A block-FMA
    // unit with L = 1 and fp16's precision is the same fp16 chain while no sum leaves fp16's
    // range, so the data cannot always single the scalar model out.)
    const FitModel* found = nullptr;
    for (const auto& m : r.models) {
      CHECK(m.matched == n);
      if (m.label == want) found = &m;
    }
    REQUIRE(found != nullptr);
    const auto flags = gemm_flags(found->acc, K);
    REQUIRE(flags);
    CHECK(*flags == std::string("--a-format fp16 --b-format fp16 --acc-format ") + acc_name + " --rounding " +
                        std::string(mode_name(mode)) + " --order " + (reverse ? "reverse" : "sequential"));
  }
}

TEST_CASE("fit finds a final conversion of D to a narrower format", "[fit]") {
  // An fp32 chain (rne) whose result is converted to bf16 with rtz, each step rounded by the MPFR
  // oracle: every result is a bf16 value, so fit also tries the models with a bf16 output.
  const int K = 16;
  const std::size_t n = 200;
  const Format fp16 = parse_format("fp16"), fp32 = parse_format("fp32"), bf16 = parse_format("bf16");
  DotCases d;
  d.K = K;
  d.a = fp16_values(n * K, 4);
  d.b = fp16_values(n * K, 5);
  d.c = fp16_values(n, 6, 7);
  for (std::size_t i = 0; i < n; ++i) {
    const double acc = mpfr_chain(&d.a[i * K], &d.b[i * K], K, d.c[i], fp32, Mode::rne, false);
    d.d.push_back(oracle::oracle_round(acc, bf16, Mode::rtz, Overflow::spec));
  }
  FitSpace space;
  space.a_format = space.b_format = fp16;
  const FitResult r = fit(d, space, 1);
  const std::string want = "scalar fp32/rne sequential output=bf16/rtz";
  bool found = false;
  for (const auto& m : r.models) {
    CHECK(m.matched == n);
    if (m.label != want) continue;
    found = true;
    const auto flags = gemm_flags(m.acc, K);
    REQUIRE(flags);
    CHECK(*flags == "--a-format fp16 --b-format fp16 --acc-format fp32 --rounding rne --order sequential "
                    "--output-format bf16 --output-rounding rtz");
  }
  INFO("best " << (r.models.empty() ? "none" : r.models.front().label));
  CHECK(found);
}

TEST_CASE("fit: planted wrong rows leave the named model the best, with those rows missed", "[fit]") {
  const fs::path dir = fs::path(FLOATSCOPE_SOURCE_DIR) / "tests" / "data" / "hwdata-subset" / "A100_bf16";
  REQUIRE(fs::is_directory(dir));
  const NpyArray A = read_npy((dir / "a.npy").string());
  DotCases d;
  d.K = static_cast<int>(A.cols());
  const auto f32 = [](std::uint32_t w) { return static_cast<double>(std::bit_cast<float>(w)); };
  for (auto w : npy_to_u32(A)) d.a.push_back(f32(w));
  for (auto w : npy_to_u32(read_npy((dir / "b.npy").string()))) d.b.push_back(f32(w));
  for (auto w : npy_to_u32(read_npy((dir / "c.npy").string()))) d.c.push_back(f32(w));
  for (auto w : npy_to_u32(read_npy((dir / "d_fp32.npy").string()))) d.d.push_back(f32(w));
  // Seven rows one fp32 ulp off (the next float word).
  const std::vector<std::size_t> planted{3, 77, 150, 151, 299, 420, 499};
  for (std::size_t i : planted) {
    const float x = static_cast<float>(d.d[i]);
    d.d[i] = static_cast<double>(std::bit_cast<float>(std::bit_cast<std::uint32_t>(x) + 1));
  }
  FitSpace space;
  space.a_format = space.b_format = parse_format("bf16");
  const FitResult r = fit(d, space, 1);
  REQUIRE(!r.models.empty());
  CHECK(r.full_matches() == 0);
  const FitModel& best = r.models.front();
  INFO(best.label);
  CHECK(best.matched == d.size() - planted.size());
  // docs/references.md s.5: A100 bf16 is 8 products + C per step, 24 bits, fp32 RZ.
  CHECK(best.label == "block-fma L=8 (whole K) F=24 out=fp32/rtz C=first-step");
  CHECK(same_hardware_model(best.acc, d.K).find("a100-bf16") != std::string::npos);
}

TEST_CASE("fit refuses data it cannot search", "[fit]") {
  FitSpace space;
  space.a_format = space.b_format = parse_format("fp16");
  DotCases d;
  d.K = 2;
  d.a = {1, 2};
  d.b = {1, 2};
  d.c = {0};
  d.d = {5};
  CHECK_NOTHROW(fit(d, space));
  d.a[1] = 1.0 / 3;  // not an fp16 value
  CHECK_THROWS_WITH(fit(d, space), Catch::Contains("A value") && Catch::Contains("is not a value of fp16"));
  d.a[1] = 2;
  d.c.clear();
  CHECK_THROWS_AS(fit(d, space), std::invalid_argument);
  d.c = {0};
  CHECK_THROWS_AS(fit(d, space, 0), std::invalid_argument);
}

TEST_CASE("fit's gemm flags for C after the products run the same arithmetic as b200-fp8", "[fit]") {
  const Format e4m3 = parse_format("e4m3");
  const Accumulator b200 = model_accumulator("b200-fp8", e4m3, e4m3);
  const int M = 4, N = 3, K = 128;
  const auto flags = gemm_flags(b200, K);
  REQUIRE(flags);
  CHECK(*flags == "--a-format e4m3 --b-format e4m3 --block-fma 32,25 --acc-format fp32 --rounding rtz --promote 32");
  // The same flags as an ExperimentSpec (what `floatscope gemm` resolves them into).
  ExperimentSpec spec;
  spec.a_format = spec.b_format = "e4m3";
  spec.block_fma = "32,25";
  spec.acc_format = "fp32";
  spec.rounding = "rtz";
  spec.promote = 32;
  const Accumulator custom = resolve_accumulator(spec);
  // E4M3 values of mixed exponents and signs, and an fp32 C that is large against the products.
  std::vector<double> A(M * K), B(K * N), C(M * N);
  std::uint64_t s = 99;
  auto next = [&] {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return s;
  };
  for (auto* v : {&A, &B})
    for (auto& x : *v) {
      const std::uint64_t r = next();
      x = ((r >> 63) ? -1.0 : 1.0) * std::ldexp(1.0 + static_cast<double>((r >> 20) % 8) / 8, static_cast<int>((r >> 30) % 12) - 6);
    }
  for (auto& x : C) x = static_cast<double>(static_cast<float>(std::ldexp(static_cast<double>(next() >> 40), -10)));
  const auto want = emulate_gemm(b200, M, N, K, A.data(), B.data(), C.data(), 1).C;
  const auto got = emulate_gemm(custom, M, N, K, A.data(), B.data(), C.data(), 1).C;
  for (std::size_t i = 0; i < want.size(); ++i) CHECK(std::bit_cast<std::uint64_t>(got[i]) == std::bit_cast<std::uint64_t>(want[i]));
  // The data tell the schedules apart: C inside the first step gives other bits.
  Accumulator inside = b200;
  inside.fused->c_outside = false;
  const auto other = emulate_gemm(inside, M, N, K, A.data(), B.data(), C.data(), 1).C;
  std::size_t differ = 0;
  for (std::size_t i = 0; i < want.size(); ++i) differ += other[i] != want[i];
  CHECK(differ > 0);
}
