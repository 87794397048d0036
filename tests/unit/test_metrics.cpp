// Metrics against values computed by hand (each expected number is derived in the comment next to
// it from the definitions in metrics.hpp and Higham's gamma_n).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "floatscope/events.hpp"
#include "floatscope/format.hpp"
#include "floatscope/metrics.hpp"

using floatscope::compute_metrics;
using floatscope::GemmEvents;
using floatscope::parse_format;

namespace {

const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

floatscope::Metrics run(const std::vector<double>& em, const std::vector<double>& ex,
                        const std::vector<double>& ab, std::size_t K = 4, double u = 0x1p-11,
                        const char* out = "fp16", const GemmEvents& ev = {}) {
  return compute_metrics(em, ex, ab, K, u, parse_format(out), ev);
}

double ulp_err(double emulated, double exact, const char* fmt) {
  return run({emulated}, {exact}, {1}, 1, 0x1p-24, fmt).max_ulp_err;
}

}  // namespace

TEST_CASE("metrics: a small GEMM output by hand", "[metrics]") {
  // errors |C^-C| = 0.5, 0, 1, 0.25
  const std::vector<double> ex = {1, 2, -4, 0};
  const std::vector<double> em = {1.5, 2, -3, 0.25};
  const std::vector<double> ab = {2, 4, 8, 1};
  const auto m = run(em, ex, ab);
  CHECK(m.count == 4);
  CHECK(m.nonzero_count == 3);          // exact 0 has no relative error
  CHECK(m.max_rel_err == 0.5);          // rel = 0.5, 0, 0.25
  CHECK(m.median_rel_err == 0.25);      // sorted 0, .25, .5: rank ceil(1.5) = 2
  CHECK(m.p99_rel_err == 0.5);          // rank ceil(2.97) = 3
  CHECK(m.normwise_rel_err == 0.25);    // sqrt((.25+0+1+.0625)/(1+4+16)) = sqrt(1/16)
  CHECK(m.max_err_over_absprod == 0.25);  // .5/2, 0/4, 1/8, .25/1
  // fp16 ulps: ulp(1) = 2^-10 -> 512; ulp(-4) = 2^-8 -> 256; ulp(0) = 2^-24 -> 0.25*2^24 = 2^22.
  CHECK(m.max_ulp_err == 0x1p22);
  CHECK(m.unit_roundoff == 0x1p-11);
  CHECK(m.bound_det == 1.0 / 511);      // 4u/(1-4u) = 2^-9/(1-2^-9)
  CHECK(m.bound_prob == 0x1p-10);       // sqrt(4) * 2^-11
  CHECK(m.ratio_det == Approx(0.25 * 511).epsilon(1e-15));
  CHECK(m.ratio_prob == 256);
  CHECK(m.nan_count == 0);
}

TEST_CASE("metrics: gamma_K and the probabilistic bound", "[metrics]") {
  using floatscope::gamma_bound;
  // fp16, u = 2^-11: K u = 1 at K = 2048 -> vacuous; K = 1024 -> 0.5/0.5 = 1.
  CHECK(gamma_bound(2048, 0x1p-11) == kInf);
  CHECK(gamma_bound(4096, 0x1p-11) == kInf);
  CHECK(gamma_bound(1024, 0x1p-11) == 1);
  CHECK(gamma_bound(1, 0x1p-11) == 1.0 / 2047);
  // bf16, u = 2^-8: K = 256 -> kInf; K = 128 -> 1; K = 16 -> 2^-4/(1-2^-4) = 1/15.
  CHECK(gamma_bound(256, 0x1p-8) == kInf);
  CHECK(gamma_bound(128, 0x1p-8) == 1);
  CHECK(gamma_bound(16, 0x1p-8) == 1.0 / 15);
  // e4m3, u = 2^-4: K = 16 -> kInf; K = 8 -> 1; K = 4 -> 1/3.
  CHECK(gamma_bound(16, 0x1p-4) == kInf);
  CHECK(gamma_bound(8, 0x1p-4) == 1);
  CHECK(gamma_bound(4, 0x1p-4) == 1.0 / 3);
  // fp32, u = 2^-24: K = 4096 -> 2^-12/(1-2^-12) = 1/4095.
  CHECK(gamma_bound(4096, 0x1p-24) == 1.0 / 4095);
  // Units come from the formats: u = 2^-p.
  CHECK(parse_format("fp16").unit_roundoff == 0x1p-11);
  CHECK(parse_format("bf16").unit_roundoff == 0x1p-8);
  CHECK(parse_format("e4m3").unit_roundoff == 0x1p-4);

  // Through compute_metrics: vacuous bound gives a NaN ratio; sqrt(K) u stays finite.
  const auto m = run({1.5}, {1}, {2}, 2048, 0x1p-11);
  CHECK(m.bound_det == kInf);
  CHECK(std::isnan(m.ratio_det));
  CHECK(m.bound_prob == std::sqrt(2048.0) * 0x1p-11);
  CHECK(m.ratio_prob == Approx(0.25 / (std::sqrt(2048.0) * 0x1p-11)).epsilon(1e-15));
  // Exact accumulation (u = 0): bounds 0, ratios undefined.
  const auto z = run({1}, {1}, {1}, 16, 0);
  CHECK(z.bound_det == 0);
  CHECK(std::isnan(z.ratio_det));
  CHECK(std::isnan(z.ratio_prob));
}

TEST_CASE("metrics: ulp error in fp32, fp16, bf16, subnormals and binade edges", "[metrics]") {
  // fp32: ulp(1) = 2^-23.
  CHECK(ulp_err(1 + 0x1p-23, 1, "fp32") == 1);
  CHECK(ulp_err(1 - 0x1p-24, 1, "fp32") == 0.5);
  // Across a binade boundary the ulp is the exact value's: just below 2 it is 2^-23, at 2 it is 2^-22.
  CHECK(ulp_err(2, 2 - 0x1p-23, "fp32") == 1);
  CHECK(ulp_err(2 - 0x1p-23, 2, "fp32") == 0.5);
  // fp32 subnormal region: spacing 2^-149 below 2^-126.
  CHECK(ulp_err(0x1p-140 + 0x1p-148, 0x1p-140, "fp32") == 2);
  CHECK(ulp_err(0x1p-126 + 0x1p-149, 0x1p-126, "fp32") == 1);  // smallest normal: still 2^-149
  CHECK(ulp_err(0x1p-149, 0, "fp32") == 1);                     // ulp(0) = 2^-149
  // fp16: subnormal spacing 2^-24, normal 1 -> 2^-10, max 65504 in binade 15 -> 32.
  CHECK(ulp_err(5 * 0x1p-24, 3 * 0x1p-24, "fp16") == 2);
  CHECK(ulp_err(1 + 0x1p-10, 1, "fp16") == 1);
  CHECK(ulp_err(65504, 65472, "fp16") == 1);
  CHECK(ulp_err(65504, 70000, "fp16") == 4496.0 / 32);  // beyond range: top binade's spacing
  CHECK(ulp_err(kInf, 65504, "fp16") == kInf);
  // bf16: ulp(1) = 2^-7, ulp(256) = 2, subnormal spacing 2^-133 below 2^-126.
  CHECK(ulp_err(1 + 0x1p-7, 1, "bf16") == 1);
  CHECK(ulp_err(258, 256, "bf16") == 1);
  CHECK(ulp_err(0x1p-130 + 0x1p-133, 0x1p-130, "bf16") == 1);
  CHECK(ulp_err(-0x1p-130 - 0x1p-132, -0x1p-130, "bf16") == 2);
  // A non-dyadic exact value: C = 0.1, C^ = RN_fp32(0.1) = 13421773 * 2^-27; ulp(0.1) = 2^-27.
  CHECK(ulp_err(13421773 * 0x1p-27, 0.1, "fp32") == Approx(0.2).epsilon(1e-6));  // 0.1*2^27 = 13421772.8

  using floatscope::ulp_at;
  CHECK(ulp_at(448, parse_format("e4m3")) == 32);   // 448 = 1.75 * 2^8
  CHECK(ulp_at(1e-9, parse_format("e4m3")) == 0x1p-9);
  CHECK(ulp_at(0.3, parse_format("int8")) == 1.0 / 64);
}

TEST_CASE("metrics: nearest-rank median and p99 on small arrays", "[metrics]") {
  // n = 1: everything is the one value.
  auto m = run({1.25}, {1}, {1});
  CHECK(m.median_rel_err == 0.25);
  CHECK(m.p99_rel_err == 0.25);
  // n = 2: lower median (rank 1), p99 rank 2.
  m = run({1.5, 2}, {1, 1}, {1, 1});
  CHECK(m.median_rel_err == 0.5);
  CHECK(m.p99_rel_err == 1);
  // n = 100, errors k*2^-10 for k = 1..100 (stored in a scrambled order): median rank 50, p99 rank 99.
  std::vector<double> em, ex, ab;
  for (int i = 0; i < 100; ++i) {
    const int k = (i * 37) % 100 + 1;
    em.push_back(1 + k * 0x1p-10);
    ex.push_back(1);
    ab.push_back(1);
  }
  m = run(em, ex, ab);
  CHECK(m.median_rel_err == 50 * 0x1p-10);
  CHECK(m.p99_rel_err == 99 * 0x1p-10);
  CHECK(m.max_rel_err == 100 * 0x1p-10);
  // n = 101 (k = 0..100): median rank ceil(50.5) = 51 -> k = 50; p99 rank ceil(99.99) = 100 -> k = 99.
  em.push_back(1);
  ex.push_back(1);
  ab.push_back(1);
  m = run(em, ex, ab);
  CHECK(m.median_rel_err == 50 * 0x1p-10);
  CHECK(m.p99_rel_err == 99 * 0x1p-10);
  // Relative error is scale-free: C = -8, C^ = -6 -> 0.25.
  CHECK(run({-6}, {-8}, {8}).max_rel_err == 0.25);
}

TEST_CASE("metrics: NaN outputs, zero exact values, overflow", "[metrics]") {
  // NaN outputs where the exact value is finite are counted and are infinite errors (issue 9:
  // a metric never looks good because outputs were skipped).
  auto m = run({kNaN, 1.5, kNaN}, {1, 1, 3}, {1, 1, 1});
  CHECK(m.nan_count == 2);
  CHECK(m.nonzero_count == 3);
  CHECK(m.max_rel_err == kInf);
  CHECK(m.normwise_rel_err == kInf);
  CHECK(m.max_err_over_absprod == kInf);
  // All NaN: infinitely wrong, not "nothing to measure".
  m = run({kNaN, kNaN}, {1, 2}, {1, 1});
  CHECK(m.nan_count == 2);
  CHECK(m.nonzero_count == 2);
  CHECK(m.max_rel_err == kInf);
  CHECK(m.median_rel_err == kInf);
  CHECK(m.p99_rel_err == kInf);
  CHECK(m.max_err_over_absprod == kInf);
  CHECK(m.max_ulp_err == kInf);
  CHECK(m.normwise_rel_err == kInf);
  // Exact zero with a nonzero result: no relative error, but normwise and |A||B| see it.
  m = run({0.5, 0}, {0, 0}, {4, 0});
  CHECK(m.nonzero_count == 0);
  CHECK(std::isnan(m.max_rel_err));
  CHECK(m.normwise_rel_err == kInf);        // ||C||_F = 0, error 0.5
  CHECK(m.max_err_over_absprod == 0.125);  // the (|A||B|) = 0 output is left out
  m = run({0, 0}, {0, 0}, {0, 0});
  CHECK(m.normwise_rel_err == 0);
  CHECK(std::isnan(m.max_err_over_absprod));
  // Overflow to Inf with a finite exact value is an infinite error.
  m = run({kInf, 1}, {65536, 1}, {65536, 1});
  CHECK(m.max_rel_err == kInf);
  CHECK(m.normwise_rel_err == kInf);
  CHECK(m.median_rel_err == 0);  // sorted 0, kInf: rank 1
  // Huge and tiny values: the norms are scaled, so squares neither overflow nor underflow.
  CHECK(run({3e300, 4e300}, {6e300, 8e300}, {1e301, 1e301}, 2, 0x1p-53, "fp64").normwise_rel_err == Approx(0.5).epsilon(1e-15));
  CHECK(run({3e-310, 4e-310}, {6e-310, 8e-310}, {1, 1}, 2, 0x1p-53, "fp64").normwise_rel_err == Approx(0.5).epsilon(1e-12));
  CHECK_THROWS_AS(run({1, 2}, {1}, {1}), std::invalid_argument);
}

TEST_CASE("metrics: event fractions", "[metrics]") {
  GemmEvents ev;
  ev.products = 100;
  ev.products_underflow = 3;
  ev.products_overflow = 1;
  ev.partials = 50;
  ev.partials_underflow = 2;
  ev.partials_overflow = 4;
  ev.partials_saturated = 5;
  ev.stagnations = 7;
  const auto m = run({1}, {1}, {1}, 4, 0x1p-11, "fp16", ev);
  CHECK(m.product_underflow_frac == 0.03);
  CHECK(m.partial_underflow_frac == 0.04);
  CHECK(m.product_overflow_frac == 0.01);
  CHECK(m.partial_overflow_frac == 0.08);
  CHECK(m.saturated_frac == 0.1);
  CHECK(m.underflow_frac == 5.0 / 150);
  CHECK(m.overflow_frac == 5.0 / 150);
  CHECK(m.stagnation_count == 7);
  const auto none = run({1}, {1}, {1});
  CHECK(none.underflow_frac == 0);
  CHECK(none.saturated_frac == 0);
}

TEST_CASE("metrics: spread of one output computed many ways", "[metrics]") {
  using floatscope::spread;
  const auto fp32 = parse_format("fp32");
  const auto fp16 = parse_format("fp16");
  // 1-2^-24, 1, 1+2^-23 are consecutive fp32 values: 3 distinct, 2 steps.
  auto s = spread(std::vector<double>{1, 1, 1 + 0x1p-23, 1 - 0x1p-24, 1}, fp32);
  CHECK(s.distinct == 3);
  CHECK(s.spread_ulps == 2);
  // Across the binade at 2 in fp16: 2-2^-10 -> 2 -> 2+2^-9 is two steps (ulps 2^-10 and 2^-9).
  s = spread(std::vector<double>{2 + 0x1p-9, 2 - 0x1p-10}, fp16);
  CHECK(s.distinct == 2);
  CHECK(s.spread_ulps == 2);
  // 0.5 .. 4 in fp16: binades [0.5,1), [1,2), [2,4) of 1024 values each.
  CHECK(spread(std::vector<double>{4, 0.5}, fp16).spread_ulps == 3072);
  // Through zero: -2^-24 .. 2^-24 in fp16 is two subnormal steps; +0 and -0 are one value.
  s = spread(std::vector<double>{0x1p-24, -0x1p-24, 0.0, -0.0}, fp16);
  CHECK(s.distinct == 3);
  CHECK(s.spread_ulps == 2);
  // Subnormal to normal in fp16: 2^-14 - 2^-24 (largest subnormal) .. 2^-14 + 2^-24: two steps.
  CHECK(spread(std::vector<double>{0x1p-14 - 0x1p-24, 0x1p-14 + 0x1p-24}, fp16).spread_ulps == 2);
  // NaNs form one value and do not widen the spread; Inf makes it infinite.
  s = spread(std::vector<double>{kNaN, 1, kNaN}, fp32);
  CHECK(s.distinct == 2);
  CHECK(s.spread_ulps == 0);
  CHECK(spread(std::vector<double>{kInf, 1}, fp32).spread_ulps == kInf);
  CHECK(std::isnan(spread(std::vector<double>{kNaN}, fp32).spread_ulps));
  CHECK(spread(std::vector<double>{}, fp32).distinct == 0);
  // Negative side mirrors the positive one.
  CHECK(spread(std::vector<double>{-1, -1 - 0x1p-23, -1 + 0x1p-24}, fp32).spread_ulps == 2);
}
