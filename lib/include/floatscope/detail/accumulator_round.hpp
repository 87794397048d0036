// Rounding an exact double-double value hi + lo once (for sums and products that a double
// cannot hold), built on round_kernel.
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

inline DD two_sum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  const double err = (a - (s - bb)) + (b - bb);
  return {s, err};
}

inline DD two_prod(double a, double b) {
  const double p = a * b;
  return {p, std::fma(a, b, -p)};
}

// Round-to-odd of hi + lo at 53 bits (lo != 0, hi finite and normal: a double-double with a
// nonzero tail never sits in the subnormal range, where every sum is exact).
inline double round_to_odd(double hi, double lo) {
  const std::uint64_t b = std::bit_cast<std::uint64_t>(hi);
  if (b & 1) return hi;
  const bool same_sign = std::signbit(hi) == std::signbit(lo);
  return std::bit_cast<double>(same_sign ? b + 1 : b - 1);  // the odd neighbour toward lo
}

// Quantum exponent of the target grid for a truncated magnitude t (t on the grid, t >= 0).
inline int grid_quantum_exp(double t, const RoundParams& p) {
  if (t >= pow2(p.emin)) return std::ilogb(t) - p.man_bits;
  return p.subnormals ? p.emin - p.man_bits : p.emin;
}

// Rounds hi + lo once. Requires the target precision man_bits + 1 <= 51 when lo can be nonzero
// (Accumulator::validate checks it).
template <Mode M>
inline double round_dd(double hi, double lo, const RoundParams& p, std::uint64_t rnd) {
  if (lo == 0 || !std::isfinite(hi)) return round_kernel<M>(hi, p, rnd);
  const double x = round_to_odd(hi, lo);
  if constexpr (M != Mode::sr) {
    return round_kernel<M>(x, p, rnd);
  } else {
    RoundParams unclamped = p;
    unclamped.max_finite = std::numeric_limits<double>::infinity();
    const double t = round_kernel<Mode::rtz>(x, unclamped, 0);
    const double at = std::fabs(t);
    if (at > p.max_finite) return round_kernel<M>(x, p, rnd);  // overflows whichever way it goes
    const int qe = grid_quantum_exp(at, p);
    const double r1 = std::fabs(hi) - at;  // exact: both lie within one target quantum
    const double r2 = std::signbit(lo) == std::signbit(hi) ? std::fabs(lo) : -std::fabs(lo);
    const __int128 d = static_cast<__int128>(std::ldexp(r1, 64 - qe)) +
                       static_cast<__int128>(std::floor(std::ldexp(r2, 64 - qe)));
    const std::uint64_t dropped = static_cast<std::uint64_t>(d);  // floor(f * 2^64), f in (0,1)
    const std::uint64_t dm = dropped & p.sr_mask;
    const bool up = (dm + (rnd & p.sr_mask)) < dm;
    if (!up) return round_kernel<Mode::rtz>(x, p, 0);
    return std::signbit(x) ? round_kernel<Mode::rdn>(x, p, 0) : round_kernel<Mode::rup>(x, p, 0);
  }
}

// Runtime-mode wrapper (slow path: one dispatch per call).
inline double round_dd_any(Mode m, double hi, double lo, const RoundParams& p, std::uint64_t rnd) {
  return with_mode(m, [&](auto mc) { return round_dd<decltype(mc)::value>(hi, lo, p, rnd); });
}

}  // namespace floatscope::detail
