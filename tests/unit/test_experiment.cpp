// run_experiment: the glue from a spec to metrics, checked against closed forms and MPFR.
#include <catch2/catch.hpp>

#include <cmath>
#include <mpfr.h>
#include <vector>

#include "floatscope/experiment.hpp"
#include "floatscope/format.hpp"
#include "floatscope/rounding.hpp"

using namespace floatscope;

namespace {

// sum_{k<K} fl32(1/(k+1)) exactly (MPFR, 200 bits), rounded to double: the reference a harmonic
// experiment with fp32 inputs must compare against.
double harmonic_fp32_inputs(int K) {
  mpfr_t s, t;
  mpfr_init2(s, 200);
  mpfr_init2(t, 200);
  mpfr_set_zero(s, 1);
  for (int k = 0; k < K; ++k) {
    mpfr_set_flt(t, static_cast<float>(1.0 / (k + 1)), MPFR_RNDN);  // 1/(k+1) to fp32, RNE
    mpfr_add(s, s, t, MPFR_RNDN);
  }
  const double r = mpfr_get_d(s, MPFR_RNDN);
  mpfr_clears(s, t, nullptr);
  return r;
}

}  // namespace

TEST_CASE("harmonic series in an fp16 accumulator stagnates at 7.0859375 (docs/references.md s.6)") {
  ExperimentSpec s;
  s.a_format = "fp32";
  s.acc_format = "fp16";
  s.rounding = "rne";
  s.dist = "harmonic";
  s.M = 1;
  s.N = 1;
  s.K = 1000;
  const ExperimentResult r = run_experiment(s, 1, true);
  REQUIRE(r.C.size() == 1);
  CHECK(r.C[0] == 7.0859375);
  const double exact = harmonic_fp32_inputs(1000);
  CHECK(r.metrics.max_rel_err == std::fabs(7.0859375 - exact) / exact);
  // From term 513 on every addition leaves the sum unchanged: terms 513..1000.
  CHECK(r.metrics.stagnation_count == 1000 - 512);
  CHECK(r.metrics.unit_roundoff == std::ldexp(1.0, -11));
  const double Ku = 1000 * std::ldexp(1.0, -11);  // 0.488: gamma_K still finite
  CHECK(r.metrics.bound_det == Approx(Ku / (1 - Ku)).epsilon(1e-15));
  s.K = 2048;  // K u = 1: the deterministic bound is vacuous
  CHECK(std::isinf(run_experiment(s, 1).metrics.bound_det));
}

TEST_CASE("gamma_K and sqrt(K)u reported for the accumulator") {
  ExperimentSpec s;
  s.a_format = "bf16";
  s.acc_format = "fp32";
  s.dist = "uniform";
  s.M = s.N = 4;
  s.K = 100;
  const ExperimentResult r = run_experiment(s, 1);
  const double u = std::ldexp(1.0, -24);
  CHECK(r.metrics.bound_det == Approx(100 * u / (1 - 100 * u)).epsilon(1e-15));
  CHECK(r.metrics.bound_prob == Approx(10 * u).epsilon(1e-15));
  CHECK(r.metrics.max_err_over_absprod <= r.metrics.bound_det);
}

TEST_CASE("exact accumulation has zero error: integers in fp32") {
  ExperimentSpec s;
  s.a_format = "e4m3";
  s.acc_format = "fp32";
  s.dist = "constant:3";
  s.M = s.N = 3;
  s.K = 1000;
  const ExperimentResult r = run_experiment(s, 1, true);
  for (double c : r.C) CHECK(c == 9000.0);
  CHECK(r.metrics.max_rel_err == 0.0);
  CHECK(r.metrics.normwise_rel_err == 0.0);
  CHECK(r.metrics.max_ulp_err == 0.0);
}

TEST_CASE("scales: inputs quantised as round(A/scale), result multiplied back") {
  // constant 448*4 with scale 4 lands exactly on e4m3's max; the result is scale_a*scale_b*K*448^2.
  ExperimentSpec s;
  s.model = "h100-fp8-promote128";
  s.a_format = "e4m3";
  s.dist = "constant:1792";
  s.M = s.N = 2;
  s.K = 256;
  s.scale_a = 4;
  s.scale_b = 4;
  const ExperimentResult r = run_experiment(s, 1, true);
  for (double c : r.C) CHECK(c == 16.0 * 256 * 448 * 448);
  CHECK(r.metrics.max_rel_err == 0.0);
}

TEST_CASE("results do not depend on the thread count, including stochastic rounding") {
  ExperimentSpec s;
  s.a_format = "bf16";
  s.acc_format = "bf16";
  s.rounding = "sr";
  s.dist = "normal";
  s.M = 17;
  s.N = 9;
  s.K = 300;
  s.seed = 42;
  const auto r1 = run_experiment(s, 1, true);
  const auto r2 = run_experiment(s, 2, true);
  CHECK(r1.C == r2.C);
  s.repeat = 1;
  const auto r3 = run_experiment(s, 2, true);
  CHECK(r3.C != r1.C);  // a repeat draws new inputs
}

TEST_CASE("bad specs name the field") {
  ExperimentSpec s;
  s.M = s.N = 2;
  s.K = 4;
  auto fails_with = [&](ExperimentSpec bad, const std::string& needle) {
    try {
      run_experiment(bad, 1);
      FAIL("no exception for " << needle);
    } catch (const std::invalid_argument& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(needle) != std::string::npos);
    }
  };
  { auto b = s; b.model = "h900-fp2"; fails_with(b, "model"); }
  { auto b = s; b.acc_format = "fp17"; fails_with(b, "acc_format"); }
  { auto b = s; b.rounding = "nearestish"; fails_with(b, "rounding"); }
  { auto b = s; b.K = -5; fails_with(b, "K=-5"); }
  { auto b = s; b.reference = "oracle"; fails_with(b, "reference"); }
  { auto b = s; b.backend = "tpu"; fails_with(b, "backend"); }
  { auto b = s; b.model = "h100-fp8"; b.a_format = "fp16"; fails_with(b, "h100-fp8"); }
  { auto b = s; b.scale_a = 0; fails_with(b, "scale_a"); }
  { auto b = s; b.model = "h100-bf16"; b.a_format = "bf16"; b.rounding = "sr"; fails_with(b, "rounding: a named model"); }
  { auto b = s; b.model = "h100-bf16"; b.a_format = "bf16"; b.order = "pairwise"; fails_with(b, "order"); }
}

TEST_CASE("permutations: distinct results and spread over random summation orders") {
  ExperimentSpec s;
  s.a_format = "fp32";
  s.acc_format = "fp32";
  s.M = 2;
  s.N = 3;
  s.permutations = 40;
  SECTION("exact integer sums never depend on the order") {
    s.dist = "constant:2";
    s.K = 500;
    const auto r = run_experiment(s, 1);
    CHECK(r.distinct_results == 1.0);
    CHECK(r.mean_distinct_results == 1.0);
    CHECK(r.spread_ulps == 0.0);
  }
  SECTION("three terms: (1 + 2^-24) + -1 depends on the order") {
    // a = [1, 2^-24, -1], b = ones: in fp32, ((1 + 2^-24) - 1) = 0 but ((1 - 1) + 2^-24) = 2^-24.
    // The sums possible are exactly {0, 2^-24}. The spread counts fp32 grid steps between them:
    // 2^23 subnormal steps up to 2^-126, then 2^23 per binade for the 102 binades 2^-126..2^-25.
    const double A[] = {1.0, 0x1p-24, -1.0};
    const double B[] = {1.0, 1.0, 1.0};
    s.M = s.N = 1;
    s.K = 3;
    const auto r = run_experiment_on(s, A, B, nullptr, 1);
    CHECK(r.distinct_results == 2.0);
    CHECK(r.spread_ulps == 103 * std::ldexp(1.0, 23));
  }
  SECTION("random data in a low-precision accumulator gives many results, thread-independent") {
    s.dist = "normal";
    s.acc_format = "bf16";
    s.K = 256;
    const auto r1 = run_experiment(s, 1), r2 = run_experiment(s, 2);
    CHECK(r1.distinct_results > 5);
    CHECK(r1.spread_ulps > 1);
    CHECK(r1.distinct_results == r2.distinct_results);
    CHECK(r1.spread_ulps == r2.spread_ulps);
  }
  SECTION("hardware models too: the fused unit sees random blocks") {
    s.model = "h100-fp8";
    s.a_format = "e4m3";
    s.acc_format = "fp32";
    s.dist = "constant:2";  // 4 per product: every order gives exactly 4K
    s.K = 512;
    auto r = run_experiment(s, 1);
    CHECK(r.distinct_results == 1.0);
    CHECK(r.spread_ulps == 0.0);
    s.dist = "normal";
    r = run_experiment(s, 1);
    CHECK(r.distinct_results > 1.0);
  }
  SECTION("bad counts") {
    s.permutations = -1;
    CHECK_THROWS_AS(run_experiment(s, 1), std::invalid_argument);
  }
}

TEST_CASE("output conversion with a scale: D = round_e4m3(acc * output_scale)") {
  // A row of K ones times B ones: exact sums K; with output_scale 1/16 and e4m3 output,
  // D = rne_e4m3(K/16). K=100: 6.25 -> 6 (e4m3 spacing 0.5 in [4,8), tie 6.25? no: 6.25 is
  // between 6 and 6.5, below the midpoint 6.25? it IS the midpoint -> ties to even (6.0, mantissa 100).
  ExperimentSpec s;
  s.a_format = "fp32";
  s.dist = "constant:1";
  s.M = s.N = 1;
  s.K = 100;
  s.output_format = "e4m3";
  s.output_scale = 1.0 / 16;
  auto r = run_experiment(s, 1, true);
  CHECK(r.C[0] == 6.0);
  CHECK(r.metrics.max_rel_err == 0.04);  // |6 - 6.25| / 6.25: the reference is scaled the same way
  s.output_rounding = "rup";
  r = run_experiment(s, 1, true);
  CHECK(r.C[0] == 6.5);
  s.output_format.clear();
  CHECK_THROWS_WITH(run_experiment(s, 1), Catch::Contains("output_scale needs an output_format"));
}
