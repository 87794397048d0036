// The steps of an accumulation model, once for the CPU engine (lib/src/accumulator_engine.hpp,
// fused_unit.cpp) and the CUDA emulation (lib/cuda/emulate_device.cu): one scalar addition into
// an accumulator, and one step of the fused block-FMA unit (docs/references.md s.5). Host and
// device code (FLOATSCOPE_HD); the rounding itself is round_core's.
#pragma once

#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>

#include "floatscope/detail/accumulator_round.hpp"

namespace floatscope::detail {

// s + t rounded once onto p's grid with mode M: the exact sum (error-free, scaled beyond double's
// range), IEEE's sign for an exact zero, and for binary64/rne (native) the hardware addition.
// rnd: the step's random bits (stochastic modes).
template <Mode M>
FLOATSCOPE_HD inline double add_step(const RoundParams& p, bool native, double s, double t, std::uint64_t rnd) {
  const ScaledDD d = exact_sum(s, t);
  // hi == 0 only for an exact zero sum (a nonzero sum of doubles never rounds to 0).
  if (d.hi == 0) return round_scaled<M>(ScaledDD{exact_zero_sum(M, s, t), 0.0, 0}, p, rnd);
  if (native) return s + t;
  return round_scaled<M>(d, p, rnd);
}

// x * y rounded once (scales and output conversions).
template <Mode M>
FLOATSCOPE_HD inline double mul_step(const RoundParams& p, bool native, double x, double y, std::uint64_t rnd) {
  if (native) return x * y;
  return round_scaled<M>(exact_product(x, y), p, rnd);
}

// Fused block-FMA constants (make_fused_consts in fused_unit.cpp).
struct FusedConsts {
  int L = 0, F = 0;
  int a_emin = 0, b_emin = 0, out_emin = 0;
  // Exact sums at or beyond it give Inf: 2^(emax+1) of the output format (UnitOverflow::exact_sum),
  // or +Inf when the rounding alone decides (ieee; saturate rounds with Overflow::saturate).
  double overflow_limit = 0;
  Mode out_mode = Mode::rtz;
  RoundParams out{};
  bool align_rne = false;      // FusedUnit::align_mode == rne: terms rounded, not truncated
  bool norm_products = false;  // FusedUnit::normalized_products
  // UnitSpecials: subnormal inputs below a_min_normal / b_min_normal read as zeros; step results
  // below out_min_normal flushed; IEEE signs for exact zero sums.
  bool flush_inputs = false, flush_results = false, zero_ieee = false;
  double a_min_normal = 0, b_min_normal = 0, out_min_normal = 0;
};

FLOATSCOPE_HD inline int fused_exp_of(double x, int emin) {
  const int e = std::ilogb(x);
  return e > emin ? e : emin;
}

// One step of the unit with output mode M (== u.out_mode): n <= L products a[i]*b[i] plus c
// (c = 0 when the hardware adds it elsewhere). Products are exact and not renormalised, so a
// product's exponent is e(a)+e(b) with e(x) = max(floor(log2|x|), emin of x's format); E is the
// largest exponent among the nonzero products and c; every term is truncated toward zero to a
// multiple of 2^(E-F), the truncated terms are summed exactly (integers below 2^(F+2) each, so an
// int64 holds any L <= 1024), and the sum is rounded once. Special values follow
// docs/references.md s.5 (canonical NaN: a positive quiet NaN). rnd: random bits of a stochastic M.
// Input i of a step as the unit reads it: a subnormal is a zero of its sign when the unit
// flushes inputs (UnitSpecials::flush_inputs).
FLOATSCOPE_HD inline double fused_input(const FusedConsts& u, double v, double min_normal) {
  return u.flush_inputs && std::fabs(v) < min_normal ? std::copysign(0.0, v) : v;
}

// The special-value rules after the rounding (UnitSpecials::flush_results).
FLOATSCOPE_HD inline double fused_flush_result(const FusedConsts& u, double y) {
  return u.flush_results && y != 0 && std::fabs(y) < u.out_min_normal ? std::copysign(0.0, y) : y;
}

template <Mode M>
FLOATSCOPE_HD inline double fused_step_t(const FusedConsts& u, const double* a, const double* b, int n, double c,
                                        std::uint64_t rnd) {
  using L = ScalarLanes;
  const double inf = L::as_f(0x7ff0000000000000ULL), nan = L::as_f(0x7ff8000000000000ULL);
  bool any_nan = c != c;
  bool pos_inf = c == inf;
  bool neg_inf = c == -inf;
  // IEEE signs of an exact zero sum (ZeroSign::ieee): every term -0, or some term -0 (rdn).
  bool all_neg = std::signbit(c), any_neg = std::signbit(c);
  int E = INT_MIN;
  for (int i = 0; i < n; ++i) {
    const double x = fused_input(u, a[i], u.a_min_normal), y = fused_input(u, b[i], u.b_min_normal);
    if (u.zero_ieee) {  // only IEEE's zero rule reads the signs
      const bool neg = std::signbit(x) != std::signbit(y);
      all_neg = all_neg && neg;
      any_neg = any_neg || neg;
    }
    if (x != x || y != y) {
      any_nan = true;
      continue;
    }
    if (std::isinf(x) || std::isinf(y)) {
      if (x == 0 || y == 0) {
        any_nan = true;  // 0 * Inf
      } else if (std::signbit(x) != std::signbit(y)) {
        neg_inf = true;
      } else {
        pos_inf = true;
      }
      continue;
    }
    if (x != 0 && y != 0) {
      // The product's exponent: of the unnormalised significand product (in [1, 4)), or of its value.
      const int e = u.norm_products ? std::ilogb(x * y) : fused_exp_of(x, u.a_emin) + fused_exp_of(y, u.b_emin);
      E = e > E ? e : E;
    }
  }
  if (any_nan || (pos_inf && neg_inf)) return nan;
  if (pos_inf) return inf;
  if (neg_inf) return -inf;
  if (c != 0) {
    const int e = fused_exp_of(c, u.out_emin);
    E = e > E ? e : E;
  }
  constexpr bool kDown = M == Mode::rdn;
  if (E == INT_MIN) return u.zero_ieee && (all_neg || (kDown && any_neg)) ? -0.0 : 0.0;
  auto product = [&](int i) {
    return u.flush_inputs ? fused_input(u, a[i], u.a_min_normal) * fused_input(u, b[i], u.b_min_normal)
                          : a[i] * b[i];
  };

  const int shift = u.F - E;  // |shift| <= 48 + 254 + 960 (validate bounds the formats)
  const double up = std::ldexp(1.0, shift), down = std::ldexp(1.0, -shift);
  std::uint64_t S = 0;
  if (u.align_rne) {
    // Round-to-nearest-even aligner (the default FP environment's nearbyint): |term| <= 2^(F+2)+1.
    auto term = [&](double x) { return static_cast<std::uint64_t>(static_cast<std::int64_t>(std::nearbyint(x * up))); };
    S = term(c);
    for (int i = 0; i < n; ++i) S += term(product(i));
  } else {
    S = fused_term<L>(c, up);
    for (int i = 0; i < n; ++i) S += fused_term<L>(product(i), up);
  }
  if (S == 0 && u.zero_ieee) return kDown ? -0.0 : 0.0;  // cancellation: IEEE's +0 (rdn: -0)
  double hi, lo;
  constexpr bool kRandom = M == Mode::sr || M == Mode::sr_equal;
  constexpr Mode D = kRandom ? Mode::rtz : M;  // stochastic: hi + lo rounded below
  const double y = L::as_f(fused_round<D, kSignsPlain, CorePath::integer, L>(
      S, down, u.overflow_limit, make_round_consts<L>(u.out), hi, lo));
  if (!kRandom || std::isinf(y)) return fused_flush_result(u, y);
  return fused_flush_result(u, round_dd<M>(hi, lo, u.out, rnd));
}

}  // namespace floatscope::detail
