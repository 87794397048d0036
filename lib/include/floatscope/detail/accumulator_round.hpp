// Rounding an exact double-double value hi + lo once (for sums and products that a double
// cannot hold), built on round_kernel.
//
// Host and CUDA device code (FLOATSCOPE_HD): the GPU emulation backend runs these same functions.
//
// hi + lo comes from an error-free transformation: hi = RN(x), lo = x - hi exactly, so
// |lo| <= ulp(hi)/2. Deterministic modes: round-to-odd to 53 bits keeps every bit a target of
// precision p <= 51 needs (p + 2 <= 53), so round_kernel on the odd-rounded double is exact.
// Stochastic rounding needs the exact dropped fraction to its top r <= 64 bits, which the 53-bit
// double may not hold: it is rebuilt from (hi - trunc(x)) + lo as a 128-bit fixed-point value.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "floatscope/detail/round_kernel.hpp"

namespace floatscope::detail {

struct DD {
  double hi, lo;
};

FLOATSCOPE_HD inline DD two_sum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  const double err = (a - (s - bb)) + (b - bb);
  return {s, err};
}

// An exact zero sum s + t with IEEE 754-2019 s.6.3's sign: two zeros of the same sign keep it, any
// other exact zero is +0, except -0 under roundTowardNegative (round_core.inl: rdn_zero_sum).
FLOATSCOPE_HD inline double exact_zero_sum(Mode m, double s, double t) {
  const double rn = s + t;  // round to nearest: already IEEE's sign for every mode but rdn
  return m == Mode::rdn ? rdn_zero_sum<ScalarLanes>(rn, s, t) : rn;
}

FLOATSCOPE_HD inline DD two_prod(double a, double b) {
  const double p = a * b;
  return {p, std::fma(a, b, -p)};
}

// Round-to-odd of hi + lo at 53 bits (round_core.inl: round_to_odd_bits).
FLOATSCOPE_HD inline double round_to_odd(double hi, double lo) {
  return ScalarLanes::as_f(round_to_odd_bits<ScalarLanes>(hi, lo));
}

// Quantum exponent of the target grid for a truncated magnitude t (t on the grid, t >= 0).
// (ilogb, not a comparison with 2^emin: round_scaled shifts emin beyond double's exponents.)
FLOATSCOPE_HD inline int grid_quantum_exp(double t, const RoundParams& p) {
  if (t > 0 && std::ilogb(t) >= p.emin) return std::ilogb(t) - p.man_bits;
  return p.subnormals ? p.emin - p.man_bits : p.emin;
}

// Rounds hi + lo once. Requires the target precision man_bits + 1 <= 51 when lo can be nonzero
// (Accumulator::validate checks it).
template <Mode M>
FLOATSCOPE_HD inline double round_dd(double hi, double lo, const RoundParams& p, std::uint64_t rnd) {
  if (lo == 0 || !std::isfinite(hi)) return round_kernel<M>(hi, p, rnd);
  const double x = round_to_odd(hi, lo);
  if constexpr (M != Mode::sr) {
    return round_kernel<M>(x, p, rnd);
  } else {
    RoundParams unclamped = p;
    unclamped.max_finite = std::numeric_limits<double>::infinity();
    finish_round_params(unclamped);
    const double t = round_kernel<Mode::rtz>(x, unclamped, 0);
    const double at = std::fabs(t);
    if (at > p.max_finite) return round_kernel<M>(x, p, rnd);  // overflows whichever way it goes
    const int qe = grid_quantum_exp(at, p);
    const double r1 = std::fabs(hi) - at;  // exact: both lie within one target quantum
    const double r2 = std::signbit(lo) == std::signbit(hi) ? std::fabs(lo) : -std::fabs(lo);
    // d = floor((r1 + r2) 2^(64-qe)) exactly. r1 2^(64-qe) is an integer unless |hi| lies below
    // 2^(qe-12) (its ulp is then finer than 2^(qe-64): a tiny quotient, say); its fraction joins
    // the scaled r2 through TwoSum, whose floor is exact.
    const double r1s = std::ldexp(r1, 64 - qe), i1 = std::floor(r1s);
    const DD tail = two_sum(r1s - i1, std::ldexp(r2, 64 - qe));
    const double ft = std::floor(tail.hi);
    const __int128 d = static_cast<__int128>(i1) + static_cast<__int128>(ft) -
                       (ft == tail.hi && tail.lo < 0 ? 1 : 0);
    const std::uint64_t dropped = static_cast<std::uint64_t>(d);  // floor(f * 2^64), f in (0,1)
    const bool up = sr_rounds_up<ScalarLanes>(dropped, rnd, p.sr_mask);
    if (!up) return round_kernel<Mode::rtz>(x, p, 0);
    return std::signbit(x) ? round_kernel<Mode::rdn>(x, p, 0) : round_kernel<Mode::rup>(x, p, 0);
  }
}

// Runtime-mode wrapper (slow path: one dispatch per call).
inline double round_dd_any(Mode m, double hi, double lo, const RoundParams& p, std::uint64_t rnd) {
  return with_mode(m, [&](auto mc) { return round_dd<decltype(mc)::value>(hi, lo, p, rnd); });
}

// ---- Exact values beyond double's range (formats with an 11-bit exponent, e11mY).
//
// two_sum and two_prod are error-free only while the result and its error are doubles: a sum or
// product of finite doubles can exceed DBL_MAX (hi = Inf), and a product below about 2^-969 loses
// bits of its error term to underflow (below 2^-1075 it is 0 altogether). A format whose range
// reaches double's (e11m20: max (2-2^-20) 2^1023, min subnormal 2^-1042) must still round such a
// value correctly: rtz of 2^1200 is the largest finite, rup of 2^-1200 the smallest subnormal.
// Such a value is carried as (hi + lo) * 2^scale, with hi + lo an exact double-double of moderate
// exponent, and rounded on the target grid scaled by 2^-scale (same precision, emin and limits
// shifted), so round_dd and round_kernel decide as they do for any other value.
struct ScaledDD {
  double hi, lo;
  int scale;  // 0: hi + lo is the value itself
};

// Exponent of the smallest product whose two_prod error term is exact (with margin): e(a)+e(b)
// >= -1022 + 52 keeps the 106-bit product's last bit at or above 2^-1074.
inline constexpr double kTwoProdSafeMin = 0x1p-968;

// The exact sum a + b. Finite operands whose rounded sum overflows are scaled by 1/4 first:
// both are then above 2^969, so the scaling is exact and their sum fits.
FLOATSCOPE_HD inline ScaledDD exact_sum(double a, double b) {
  const DD d = two_sum(a, b);
  if (std::isfinite(d.hi) || !std::isfinite(a) || !std::isfinite(b)) return {d.hi, d.lo, 0};
  const DD q = two_sum(a * 0.25, b * 0.25);
  return {q.hi, q.lo, 2};
}

// The exact product a * b (zero, Inf and NaN operands give the IEEE product, scale 0). Products
// outside [kTwoProdSafeMin, DBL_MAX] are formed from significands in [1, 2) and their exponents.
FLOATSCOPE_HD inline ScaledDD exact_product(double a, double b) {
  const double p = a * b;
  if (a == 0 || b == 0 || !std::isfinite(a) || !std::isfinite(b)) return {p, 0.0, 0};
  if (std::isfinite(p) && std::fabs(p) >= kTwoProdSafeMin) return {p, std::fma(a, b, -p), 0};
  const int ea = std::ilogb(a), eb = std::ilogb(b);
  const DD q = two_prod(std::scalbn(a, -ea), std::scalbn(b, -eb));  // exact: both normal, in [1, 2)
  if (std::isfinite(p)) return {q.hi, q.lo, ea + eb};
  // Overflow: keep the value near 2^1000 so that the scaled limits (max_finite * 2^-scale) stay
  // normal doubles, exact for every format.
  return {q.hi * 0x1p1000, q.lo * 0x1p1000, ea + eb - 1000};
}

// Rounds (hi + lo) * 2^scale once onto p's grid. For scale != 0, hi is normal and lo its exact tail.
template <Mode M>
FLOATSCOPE_HD inline double round_scaled(ScaledDD v, const RoundParams& p, std::uint64_t rnd) {
  if (v.scale == 0) return round_dd<M>(v.hi, v.lo, p, rnd);
  // A value scaled down lies at or above 2^1023. For a format whose range ends below 2^1021 it is
  // beyond 2^(emax+2), where every value rounds alike (the mode's overflow result): round that
  // power of two instead, so that the limits are never scaled into double's subnormals.
  const int beyond = std::ilogb(p.max_finite) + 2;
  if (v.scale > 0 && beyond <= 1021)
    return round_dd<M>(std::copysign(std::ldexp(1.0, beyond), v.hi), 0.0, p, rnd);
  // Far below the smallest positive value m every mode decides alike: the dropped fraction of one
  // quantum is below 2^-64 (0 for nearest and SR, inexact for the directed modes). Move such a
  // value up to 2^-66 m, so that the scaled grid stays inside double's exponents.
  const int q = std::ilogb(p.min_positive);
  if (v.scale < 0 && v.scale + 2 <= q - 66) v = {std::copysign(1.0, v.hi), 0.0, q - 66};
  RoundParams s = p;
  s.emin = p.emin - v.scale;
  s.max_finite = std::ldexp(p.max_finite, -v.scale);  // may become Inf (no overflow below)
  s.min_positive = std::ldexp(p.min_positive, -v.scale);
  s.overflow_value = std::ldexp(p.overflow_value, -v.scale);  // max (clamping formats), Inf, NaN
  finish_round_params(s);
  const double y = round_dd<M>(v.hi, v.lo, s, rnd);
  return std::ldexp(y, v.scale);  // exact: y is on the scaled grid, or Inf/NaN
}

inline double round_scaled_any(Mode m, ScaledDD v, const RoundParams& p, std::uint64_t rnd) {
  return with_mode(m, [&](auto mc) { return round_scaled<decltype(mc)::value>(v, p, rnd); });
}

// What the event counters need to know of an exact value, scaled or not.
inline bool exact_is_finite(const ScaledDD& v) { return v.scale != 0 || std::isfinite(v.hi); }
inline bool exact_is_nonzero(const ScaledDD& v) { return v.scale != 0 || v.hi != 0; }
// |value| > limit for a finite limit (a value scaled down lies above 2^1023, one scaled up below
// 2^-968: beyond, resp. within, every format's range).
inline bool exact_beyond(const ScaledDD& v, double limit) {
  if (v.scale != 0) return v.scale > 0;
  return std::fabs(v.hi) > limit;
}

}  // namespace floatscope::detail
