// Issue 9, items 3 and 12: metrics never look good because outputs were skipped, and they are the
// same bits on every build (checked against an MPFR re-execution of the documented operations).
#include <catch2/catch.hpp>
#include <mpfr.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "floatscope/events.hpp"
#include "floatscope/experiment.hpp"
#include "floatscope/format.hpp"
#include "floatscope/metrics.hpp"

using floatscope::compute_metrics;
using floatscope::parse_format;

namespace {

const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

floatscope::Metrics run(const std::vector<double>& em, const std::vector<double>& ex, const std::vector<double>& ab) {
  return compute_metrics(em, ex, ab, 4, 0x1p-11, parse_format("fp16"), {});
}

// The scaled Euclidean norm of metrics.hpp re-executed in MPFR: s_i = v_i * 2^k (exact), ssq <-
// RN(s_i * s_i + ssq) (one rounding: fused) or RN(RN(s_i * s_i) + ssq) (two), then
// RN(sqrt(ssq)) / 2^k.
double mpfr_norm(const std::vector<double>& v, bool fused) {
  double amax = 0;
  for (double x : v) amax = std::max(amax, std::fabs(x));
  if (amax == 0) return 0;
  const int k = std::min(-std::ilogb(amax), 1000);
  mpfr_t ssq, s, sq;
  mpfr_inits2(53, ssq, s, sq, static_cast<mpfr_ptr>(nullptr));
  mpfr_set_zero(ssq, 1);
  for (double x : v) {
    mpfr_set_d(s, x, MPFR_RNDN);
    mpfr_mul_2si(s, s, k, MPFR_RNDN);  // exact for these (normal) values
    if (fused) {
      mpfr_fma(ssq, s, s, ssq, MPFR_RNDN);
    } else {
      mpfr_mul(sq, s, s, MPFR_RNDN);
      mpfr_add(ssq, ssq, sq, MPFR_RNDN);
    }
  }
  mpfr_sqrt(ssq, ssq, MPFR_RNDN);
  mpfr_mul_2si(ssq, ssq, -k, MPFR_RNDN);
  const double r = mpfr_get_d(ssq, MPFR_RNDN);
  mpfr_clears(ssq, s, sq, static_cast<mpfr_ptr>(nullptr));
  return r;
}

double rounded_div(double a, double b) {
  mpfr_t x, y;
  mpfr_inits2(53, x, y, static_cast<mpfr_ptr>(nullptr));
  mpfr_set_d(x, a, MPFR_RNDN);
  mpfr_set_d(y, b, MPFR_RNDN);
  mpfr_div(x, x, y, MPFR_RNDN);
  const double r = mpfr_get_d(x, MPFR_RNDN);
  mpfr_clears(x, y, static_cast<mpfr_ptr>(nullptr));
  return r;
}

}  // namespace

TEST_CASE("item 3: outputs whose exact value is not finite are left out and counted", "[metrics][issue9]") {
  // Exact Inf (an input overflowed in quantisation) and exact NaN: no error to measure.
  auto m = run({kInf, 1.5, kNaN, 2}, {kInf, 1, kNaN, 2}, {kInf, 1, kNaN, 2});
  CHECK(m.count == 4);
  CHECK(m.nonfinite_exact_count == 2);
  CHECK(m.nan_count == 1);
  CHECK(m.inf_output_count == 0);
  CHECK(m.nonzero_count == 2);
  CHECK(m.absprod_count == 2);
  CHECK(m.max_rel_err == 0.5);
  // Every output non-finite in its exact value (inputs of 1e300 on fp32): nothing measured is NaN,
  // never 0.
  m = run({kNaN, kNaN, kInf}, {kNaN, kInf, kInf}, {kInf, kInf, kInf});
  CHECK(m.nonfinite_exact_count == 3);
  CHECK(std::isnan(m.normwise_rel_err));
  CHECK(std::isnan(m.max_rel_err));
  CHECK(std::isnan(m.median_rel_err));
  CHECK(std::isnan(m.max_err_over_absprod));
  CHECK(std::isnan(m.max_ulp_err));
}

TEST_CASE("item 3: a non-finite result where the exact one is finite is an infinite error", "[metrics][issue9]") {
  // Inf with a finite exact value: an overflow of the result.
  auto m = run({kInf, 1, -kInf, 2}, {3, 1, 5, 2}, {3, 1, 5, 2});
  CHECK(m.inf_output_count == 2);
  CHECK(m.max_rel_err == kInf);
  CHECK(m.p99_rel_err == kInf);
  CHECK(m.normwise_rel_err == kInf);
  CHECK(m.max_err_over_absprod == kInf);
  CHECK(m.max_ulp_err == kInf);
  // NaN with a finite exact value (E4M3 overflows to NaN): infinite too, never skipped.
  m = run({kNaN, 1.5, kNaN}, {1, 1, 3}, {1, 1, 1});
  CHECK(m.nan_count == 2);
  CHECK(m.nonfinite_exact_count == 0);
  CHECK(m.max_rel_err == kInf);
  CHECK(m.median_rel_err == kInf);  // sorted 0.5, Inf, Inf: rank 2
  CHECK(m.normwise_rel_err == kInf);
  m = run({kNaN, kNaN}, {1, 2}, {1, 1});
  CHECK(m.normwise_rel_err == kInf);
  CHECK(m.max_rel_err == kInf);
}

TEST_CASE("item 3: an input that overflows in quantisation is counted, its outputs left out", "[metrics][issue9]") {
  // A is 4x2 with one entry 3e38: fp16 makes it Inf, so row 0 of C (N = 8 outputs) has an Inf
  // exact value on the quantised inputs.
  floatscope::ExperimentSpec s;
  s.a_format = "fp16";
  s.M = 4;
  s.N = 8;
  s.K = 2;
  std::vector<double> A(8, 0.5), B(16, 0.25);
  A[0] = 3e38;
  const auto r = floatscope::run_experiment_on(s, A.data(), B.data(), nullptr, 1, false);
  CHECK(r.metrics.input_overflow_count == 1);
  CHECK(r.metrics.nonfinite_exact_count == 8);
  CHECK(r.metrics.count == 32);
  bool found = false;
  for (const auto& v : floatscope::result_values(r))
    if (v.name == "input_overflow_count") found = v.value == 1;
  CHECK(found);
  // Inputs of 1e300 everywhere: nothing can be measured, and the metrics say so (NaN, not 0).
  std::fill(A.begin(), A.end(), 1e300);
  s.a_format = "fp32";
  const auto all = floatscope::run_experiment_on(s, A.data(), B.data(), nullptr, 1, false);
  CHECK(all.metrics.input_overflow_count == 8);
  CHECK(all.metrics.nonfinite_exact_count == 32);
  CHECK(std::isnan(all.metrics.normwise_rel_err));
  CHECK(std::isnan(all.metrics.max_rel_err));
}

TEST_CASE("item 12: normwise_rel_err is the documented fma sequence, bit for bit, on every build", "[metrics][issue9]") {
  std::mt19937_64 gen(20261201);
  std::normal_distribution<double> nd(0.0, 1.0);
  int fused_differs = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const std::size_t n = 500 + 97 * static_cast<std::size_t>(trial);
    std::vector<double> exact(n), emulated(n), absprod(n, 1.0), err(n);
    for (std::size_t i = 0; i < n; ++i) {
      exact[i] = nd(gen) * std::ldexp(1.0, trial % 7 - 3);
      emulated[i] = exact[i] * (1 + nd(gen) * 0x1p-10);
      err[i] = std::fabs(emulated[i] - exact[i]);
    }
    const auto m = compute_metrics(emulated, exact, absprod, 64, 0x1p-24, parse_format("fp32"), {});
    const double want = rounded_div(mpfr_norm(err, true), mpfr_norm(exact, true));
    const double unfused = rounded_div(mpfr_norm(err, false), mpfr_norm(exact, false));
    fused_differs += want != unfused;
    INFO("trial " << trial << " n " << n);
    CHECK(m.normwise_rel_err == want);
  }
  // The data tell the two sequences apart, so a build that contracted (or did not) differently
  // from the documented one would fail above.
  CHECK(fused_differs > 5);
}
