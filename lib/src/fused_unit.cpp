// The fused block-FMA unit of docs/references.md s.5 (Fasi et al. 2021; Khattak & Mikaitis 2025).
//
// One step: products a_i*b_i are exact and not renormalised, so a product's exponent is
// e(a)+e(b) with e(x) = max(floor(log2|x|), emin of x's format) (subnormals use the minimum
// exponent) and its significand lies in [0, 4). E is the largest exponent among the nonzero
// products and c; every term is truncated toward zero to a multiple of 2^(E-F), the truncated
// terms are summed exactly (integers below 2^(F+2) each, so an int64 holds any L <= 1024), and
// the sum is rounded once to the output format.
#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>

#include "accumulator_engine.hpp"
#include "floatscope/detail/accumulator_round.hpp"

namespace floatscope::detail {
namespace {

inline bool all_finite(const double* a, const double* b, int n) {
  for (int i = 0; i < n; ++i)
    if (!std::isfinite(a[i]) || !std::isfinite(b[i])) return false;
  return true;
}

inline int exp_of(double x, int emin) {
  return std::max(std::ilogb(x), emin);
}

}  // namespace

FusedConsts make_fused_consts(const Accumulator& acc) {
  const FusedUnit& u = *acc.fused;
  FusedConsts k;
  k.L = u.L;
  k.F = u.F;
  k.a_emin = acc.a_format.emin;
  k.b_emin = acc.b_format.emin;
  k.out_emin = u.out.emin;
  k.overflow_limit = std::ldexp(1.0, u.out.emax + 1);
  k.out_mode = u.out_mode;
  Rounding r{u.out_mode};
  r.sr_bits = u.out_sr_bits;
  k.out = make_round_params(u.out, r);
  return k;
}

double fused_step(const FusedConsts& u, const double* a, const double* b, int n, double c,
                  std::uint64_t rnd) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  bool any_nan = std::isnan(c);
  bool pos_inf = c == std::numeric_limits<double>::infinity();
  bool neg_inf = c == -std::numeric_limits<double>::infinity();
  int E = INT_MIN;
  for (int i = 0; i < n; ++i) {
    const double x = a[i], y = b[i];
    if (std::isnan(x) || std::isnan(y)) {
      any_nan = true;
      continue;
    }
    if (std::isinf(x) || std::isinf(y)) {
      if (x == 0 || y == 0) {
        any_nan = true;  // 0 * Inf
      } else {
        (std::signbit(x) != std::signbit(y) ? neg_inf : pos_inf) = true;
      }
      continue;
    }
    if (x != 0 && y != 0) E = std::max(E, exp_of(x, u.a_emin) + exp_of(y, u.b_emin));
  }
  if (any_nan || (pos_inf && neg_inf)) return nan;
  if (pos_inf) return std::numeric_limits<double>::infinity();
  if (neg_inf) return -std::numeric_limits<double>::infinity();
  if (c != 0) E = std::max(E, exp_of(c, u.out_emin));
  if (E == INT_MIN) return 0.0;

  using L = ScalarLanes;
  const int shift = u.F - E;  // |shift| <= 48 + 254 + 960 (validate bounds the formats)
  const double up = std::ldexp(1.0, shift), down = std::ldexp(1.0, -shift);
  std::uint64_t S = fused_term<L>(c, up);
  for (int i = 0; i < n; ++i) S += fused_term<L>(a[i] * b[i], up);
  double hi, lo;
  const double y = with_mode(u.out_mode, [&](auto mc) {
    constexpr Mode M = decltype(mc)::value;
    constexpr Mode D = (M == Mode::sr || M == Mode::sr_equal) ? Mode::rtz : M;  // stochastic: hi + lo rounded below
    return std::bit_cast<double>(fused_round<D, kSignsPlain, CorePath::integer, L>(
        S, down, u.overflow_limit, make_round_consts<L>(u.out), hi, lo));
  });
  if (!is_stochastic(u.out_mode) || std::isinf(y)) return y;
  return round_dd_any(u.out_mode, hi, lo, u.out, rnd);
}

double DotEngine::run_fused(const double* a, const double* b, int K, double c, DotCtx& ctx) const {
  const FusedUnit& fu = *acc_.fused;
  const int L = fused_.L;
  // Stochastic output rounding draws the dot product's next counter-based bits per step.
  const bool sr_out = is_stochastic(fu.out_mode);
  auto step_bits = [&] { return sr_out ? ctx.rng.bits(ctx.step++) : 0; };
  // One chain of steps over [k0, k1) starting from `start`.
  auto steps = [&](int k0, int k1, double start) {
    double acc = start;
    for (int k = k0; k < k1; k += L) {
      const int n = std::min(L, k1 - k);
      if (fu.c_outside) {
        const double s = fused_step(fused_, a + k, b + k, n, 0.0, step_bits());
        acc = ctx.add(c_add_, acc, s, true);
      } else {
        const double before = acc;
        acc = fused_step(fused_, a + k, b + k, n, acc, step_bits());
        if (ctx.ev) {
          ++ctx.ev->partials;
          // An overflow of the sum itself: an Inf or NaN among the step's terms is not one.
          if (std::isinf(acc) && std::isfinite(before) && all_finite(a + k, b + k, n))
            ++ctx.ev->partials_overflow;
          if (acc == before && acc != 0) {
            for (int i = 0; i < n; ++i)
              if (a[k + i] * b[k + i] != 0) {
                ++ctx.ev->stagnations;
                break;
              }
          }
        }
      }
    }
    return acc;
  };
  if (ctx.ev) ctx.ev->products += static_cast<std::uint64_t>(K);
  if (acc_.promote > 0) {
    double outer = ctx.round(outer_, c, 0, false);
    for (int k0 = 0; k0 < K; k0 += acc_.promote) {
      const int k1 = std::min(K, k0 + acc_.promote);
      outer = ctx.add(outer_, outer, steps(k0, k1, 0.0), true);
    }
    return outer;
  }
  return steps(0, K, c);
}

}  // namespace floatscope::detail
