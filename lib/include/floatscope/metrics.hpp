// The metrics of every run: how far an emulated GEMM C^ lies from the exact C, against the classic
// bounds, plus the event fractions the accumulation model counted.
//
// Definitions (all over the M*N outputs, given as flat arrays of the same length):
// - Outputs whose exact value C is not finite (Inf or NaN inputs, or inputs that overflowed when
//   quantised onto the input format) have no error to measure: they are left out of every
//   statistic and counted in nonfinite_exact_count. Every other output takes part.
// - A non-finite emulated value C^ where C is finite is an infinite error: C^ = +-Inf (counted in
//   inf_output_count, an overflow of the result) and C^ = NaN (counted in nan_count; formats
//   without Inf such as E4M3 give NaN on overflow) make max_rel_err, max_err_over_absprod,
//   max_ulp_err and normwise_rel_err +Inf and rank as +Inf in the percentiles. A metric never
//   looks good because outputs were skipped: when no output takes part, every error statistic is
//   NaN (not 0). nan_count counts every NaN output, whatever C is.
// - Componentwise relative error |C^-C|/|C| over outputs with C != 0; outputs with exact C == 0 are
//   left out of these three (no relative scale exists) but do count in the normwise, |A||B| and
//   ulp metrics. nonzero_count is the number of outputs they are taken over.
// - Fixed operations in a fixed order: every build (release, sanitizers, with or without FMA
//   hardware, any -ffp-contract) gives the same bits. The sum of squares of the norms is
//   ssq <- fma(s, s, ssq) in index order (an explicit fused multiply-add, never left to the
//   compiler); everything else is single IEEE operations.
// - Percentiles are nearest-rank: with the n errors sorted ascending x_1 <= ... <= x_n, the p-th
//   percentile is x_r with r = ceil(p*n/100). So the median is the lower median x_ceil(n/2) and p99
//   is x_ceil(0.99n); for n = 1 both are the single value. NaN when n = 0.
// - normwise_rel_err = ||C^-C||_F / ||C||_F (scaled sums, so no overflow); 0 when C^ == C, +Inf
//   when ||C||_F = 0 but the error is not.
// - max_err_over_absprod = max |C^-C| / (|A||B|)_ij over outputs with (|A||B|)_ij != 0: the quantity
//   the deterministic bound |C^-C| <= gamma_K (|A||B|) limits (Higham, ASNA ch. 3).
// - max_ulp_err = max |C^-C| / ulp(C), where ulp(C) is the spacing of out_format at the exact C:
//   2^(e - man_bits) for 2^e <= |C| < 2^(e+1) and emin <= e <= emax, 2^(emin - man_bits) below
//   the smallest normal (and at C = 0), 2^(emax - man_bits) beyond the format's range. For MXINT8
//   the spacing is 1/64.
// - bound_det = gamma_K = K u/(1 - K u), +Inf once K u >= 1; bound_prob = sqrt(K) u (Higham & Mary
//   2019, lambda = 1), with u = acc_unit_roundoff. ratio_x = max_err_over_absprod / bound_x, NaN
//   when the bound is not finite and positive or the error is NaN.
// - Event fractions: product_* = events / products, partial_* = events / partials,
//   saturated_frac = partials_saturated / partials, underflow_frac / overflow_frac = (product +
//   partial events) / (products + partials). A fraction with a zero denominator is 0 (nothing took
//   place that could underflow or overflow).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "floatscope/events.hpp"
#include "floatscope/format.hpp"

namespace floatscope {

struct Metrics {
  double max_rel_err, median_rel_err, p99_rel_err;  // componentwise over exact C != 0; NaN if none
  double normwise_rel_err;                          // ||C^-C||_F / ||C||_F
  double max_err_over_absprod;                      // max |C^-C| / (|A||B|)_ij
  double max_ulp_err;                               // in ulps of out_format at the exact C
  double unit_roundoff;                             // u of the accumulator
  double bound_det, bound_prob;                     // gamma_K, sqrt(K) u
  double ratio_det, ratio_prob;                     // max_err_over_absprod / bound
  double product_underflow_frac, partial_underflow_frac, product_overflow_frac, partial_overflow_frac,
      saturated_frac;
  double underflow_frac, overflow_frac;  // (product + partial events) / (products + partials)
  std::uint64_t nan_count, stagnation_count;
  std::size_t count, nonzero_count;  // outputs; outputs in the relative-error statistics
  // Outputs left out of every statistic (exact C not finite); outputs C^ = +-Inf with C finite
  // (overflows, infinite errors); outputs in max_err_over_absprod ((|A||B|)_ij != 0).
  std::size_t nonfinite_exact_count, inf_output_count, absprod_count;
  // Input elements (A and B) that overflowed when quantised onto the input formats (to Inf, NaN
  // or, saturating, to the largest finite value). Set by run_experiment, not compute_metrics.
  std::uint64_t input_overflow_count;
};

// Throws std::invalid_argument when the three arrays differ in length.
Metrics compute_metrics(std::span<const double> emulated, std::span<const double> exact,
                        std::span<const double> absprod, std::size_t K, double acc_unit_roundoff,
                        const Format& out_format, const GemmEvents& events);

// gamma_K = K u / (1 - K u), +Inf once K u >= 1.
double gamma_bound(std::size_t K, double u);

// Spacing of out_format at x (the ulp used by max_ulp_err; see above).
double ulp_at(double x, const Format& out_format);

// For permutation (order=random) runs: one output computed many ways. distinct counts different
// values (numerically: +0 and -0 are one value; all NaNs together are one). spread_ulps is the
// number of out_format grid steps from the smallest to the largest non-NaN result (so it counts
// steps across binade boundaries correctly); 0 for a single value, +Inf if an infinity occurs, NaN
// when there is no non-NaN result.
struct SpreadStats {
  std::size_t distinct;
  double spread_ulps;
};
SpreadStats spread(std::span<const double> results, const Format& out_format);

}  // namespace floatscope
