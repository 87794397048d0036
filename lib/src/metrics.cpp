#include "floatscope/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace floatscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

double frac(std::uint64_t num, std::uint64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

// Nearest-rank percentile of v (unsorted; reordered): x_r with r = ceil(p*n/100), p in 1..100.
double percentile(std::vector<double>& v, unsigned p) {
  const std::size_t n = v.size();
  if (n == 0) return kNaN;
  // ceil(p*n/100) in integers; n*p cannot overflow for any n that fits in memory.
  const std::size_t rank = (n * p + 99) / 100;
  const auto nth = v.begin() + static_cast<std::ptrdiff_t>(rank - 1);
  std::nth_element(v.begin(), nth, v.end());
  return *nth;
}

// Euclidean norm of the values, scaled by a power of two so that neither squares of huge values
// overflow nor squares of tiny ones underflow. The sum of squares is an explicit fma in index
// order: the same bits whether or not the compiler would contract s * s + ssq (-ffp-contract),
// on every build.
template <class Value>
double scaled_norm(std::size_t n, Value value) {
  double amax = 0;
  for (std::size_t i = 0; i < n; ++i) amax = std::max(amax, std::fabs(value(i)));
  if (amax == 0) return 0;
  if (std::isinf(amax)) return kInf;
  // Capped so that the scale itself stays finite for subnormal amax (2^-e would overflow).
  const double scale = std::ldexp(1.0, std::min(-std::ilogb(amax), 1000));
  double ssq = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double s = value(i) * scale;
    ssq = std::fma(s, s, ssq);
  }
  return std::sqrt(ssq) / scale;
}

// Grid steps of f from lo to hi, 0 <= lo <= hi, both finite: walks the binades in between so each
// piece is an exact difference divided by a power of two.
double steps_up(double lo, double hi, const Format& f) {
  if (f.encoding == Encoding::int8_fixed) return (hi - lo) * 64.0;
  double steps = 0;
  for (;;) {
    const double u = ulp_at(lo, f);
    double end;
    if (lo < f.min_normal) {
      end = f.min_normal;
    } else {
      const int e = std::ilogb(lo);
      end = e >= f.emax ? kInf : std::ldexp(1.0, e + 1);
    }
    if (hi <= end) return steps + (hi - lo) / u;
    steps += (end - lo) / u;
    lo = end;
  }
}

}  // namespace

double gamma_bound(std::size_t K, double u) {
  const double ku = static_cast<double>(K) * u;
  return ku >= 1 ? kInf : ku / (1 - ku);
}

double ulp_at(double x, const Format& f) {
  if (f.encoding == Encoding::int8_fixed) return 1.0 / 64;
  const double a = std::fabs(x);
  if (!(a >= f.min_normal)) return std::ldexp(1.0, f.emin - f.man_bits);  // also NaN
  const int e = std::min(std::isinf(a) ? f.emax : std::ilogb(a), f.emax);
  return std::ldexp(1.0, e - f.man_bits);
}

Metrics compute_metrics(std::span<const double> emulated, std::span<const double> exact,
                        std::span<const double> absprod, std::size_t K, double acc_unit_roundoff,
                        const Format& out_format, const GemmEvents& events) {
  if (emulated.size() != exact.size() || absprod.size() != exact.size())
    throw std::invalid_argument("compute_metrics: emulated (" + std::to_string(emulated.size()) +
                                "), exact (" + std::to_string(exact.size()) + ") and |A||B| (" +
                                std::to_string(absprod.size()) + ") must have the same length");
  const std::size_t n = exact.size();
  Metrics m{};
  m.count = n;

  // Error of output i; NaN when it takes no part (exact value not finite). A non-finite emulated
  // value where the exact one is finite is an infinite error.
  auto error = [&](std::size_t i) {
    if (!std::isfinite(exact[i])) return kNaN;
    if (!std::isfinite(emulated[i])) return kInf;
    return std::fabs(emulated[i] - exact[i]);
  };
  std::vector<double> rel;
  rel.reserve(n);
  double max_absprod_ratio = kNaN, max_ulp = kNaN;
  std::size_t taking_part = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isnan(emulated[i])) ++m.nan_count;
    if (!std::isfinite(exact[i])) {
      ++m.nonfinite_exact_count;
      continue;
    }
    ++taking_part;
    if (std::isinf(emulated[i])) ++m.inf_output_count;
    const double err = error(i);
    if (exact[i] != 0) rel.push_back(err / std::fabs(exact[i]));
    if (absprod[i] != 0) {
      ++m.absprod_count;
      const double r = err / absprod[i];
      if (!(r <= max_absprod_ratio)) max_absprod_ratio = r;  // NaN start takes the first value
    }
    const double ulps = err / ulp_at(exact[i], out_format);
    if (!(ulps <= max_ulp)) max_ulp = ulps;
  }
  m.nonzero_count = rel.size();
  m.max_rel_err = rel.empty() ? kNaN : *std::max_element(rel.begin(), rel.end());
  m.median_rel_err = percentile(rel, 50);
  m.p99_rel_err = percentile(rel, 99);
  m.max_err_over_absprod = max_absprod_ratio;
  m.max_ulp_err = max_ulp;

  if (taking_part == 0) {
    m.normwise_rel_err = kNaN;  // nothing measured: not "no error"
  } else {
    const double err_norm = scaled_norm(n, [&](std::size_t i) {
      return std::isfinite(exact[i]) ? error(i) : 0.0;
    });
    const double c_norm = scaled_norm(n, [&](std::size_t i) { return std::isfinite(exact[i]) ? exact[i] : 0.0; });
    m.normwise_rel_err = err_norm == 0 ? 0.0 : c_norm == 0 ? kInf : err_norm / c_norm;
  }

  m.unit_roundoff = acc_unit_roundoff;
  m.bound_det = gamma_bound(K, acc_unit_roundoff);
  m.bound_prob = std::sqrt(static_cast<double>(K)) * acc_unit_roundoff;
  auto ratio = [&](double bound) {
    return (std::isfinite(bound) && bound > 0) ? max_absprod_ratio / bound : kNaN;
  };
  m.ratio_det = ratio(m.bound_det);
  m.ratio_prob = ratio(m.bound_prob);

  const GemmEvents& e = events;
  m.product_underflow_frac = frac(e.products_underflow, e.products);
  m.partial_underflow_frac = frac(e.partials_underflow, e.partials);
  m.product_overflow_frac = frac(e.products_overflow, e.products);
  m.partial_overflow_frac = frac(e.partials_overflow, e.partials);
  m.saturated_frac = frac(e.partials_saturated, e.partials);
  m.underflow_frac = frac(e.products_underflow + e.partials_underflow, e.products + e.partials);
  m.overflow_frac = frac(e.products_overflow + e.partials_overflow, e.products + e.partials);
  m.stagnation_count = e.stagnations;
  return m;
}

SpreadStats spread(std::span<const double> results, const Format& out_format) {
  std::vector<double> v;
  v.reserve(results.size());
  bool any_nan = false;
  for (double x : results) {
    if (std::isnan(x)) any_nan = true;
    else v.push_back(x == 0 ? 0.0 : x);  // one zero
  }
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  const std::size_t distinct = v.size() + (any_nan ? 1 : 0);
  if (v.empty()) return {distinct, kNaN};
  const double lo = v.front(), hi = v.back();
  if (std::isinf(lo) || std::isinf(hi)) return {distinct, lo == hi ? 0.0 : kInf};
  double s;
  if (lo >= 0) s = steps_up(lo, hi, out_format);
  else if (hi <= 0) s = steps_up(-hi, -lo, out_format);
  else s = steps_up(0, -lo, out_format) + steps_up(0, hi, out_format);
  return {distinct, s};
}

}  // namespace floatscope
