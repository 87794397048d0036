// Stochastic rounding of a square root (float_type.hpp's sqrt under Mode::sr).
//
// The deterministic modes need only the sign of sqrt(a) - s for s = RN(sqrt(a)), which the exact
// remainder a - s^2 gives. Stochastic rounding needs the dropped fraction f of the truncated
// result t to its top 64 bits, D = floor(f 2^64), i.e. N = floor(sqrt(a) / 2^(qe-64)) = m 2^64 + D
// with t = m 2^qe. No double-double holds sqrt(a) that closely (it can lie within about 2^-(2p+128)
// relative of such a boundary), so D is estimated from s and the remainder and then settled
// exactly by integers: N is the one with N^2 <= a 2^(128-2qe) < (N+1)^2 (below 2^180 for p <= 26).
// The rounding decision itself is the core's (sr_rounds_up on D, as round_dd does).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "floatscope/detail/accumulator_round.hpp"

namespace floatscope::detail {

// A non-negative integer below 2^192: hi * 2^128 + lo.
struct U192 {
  std::uint64_t hi;
  unsigned __int128 lo;
};

inline bool less_equal(const U192& x, const U192& y) { return x.hi < y.hi || (x.hi == y.hi && x.lo <= y.lo); }

// n^2 for n < 2^89.
inline U192 square(unsigned __int128 n) {
  const std::uint64_t nh = static_cast<std::uint64_t>(n >> 64), nl = static_cast<std::uint64_t>(n);
  const unsigned __int128 low = static_cast<unsigned __int128>(nl) * nl;
  const unsigned __int128 cross = 2 * static_cast<unsigned __int128>(nh) * nl;  // < 2^90
  const unsigned __int128 lo = low + (cross << 64);
  const std::uint64_t carry = lo < low ? 1 : 0;
  return {static_cast<std::uint64_t>(nh * nh + static_cast<std::uint64_t>(cross >> 64) + carry), lo};
}

// A * 2^sh for an integer A < 2^53 and 0 < sh, A 2^sh < 2^192.
inline U192 shifted(std::uint64_t A, int sh) {
  if (sh >= 128) return {A << (sh - 128), 0};
  return {static_cast<std::uint64_t>(static_cast<unsigned __int128>(A) >> (128 - sh)),
          static_cast<unsigned __int128>(A) << sh};
}

// floor(sqrt(X)) from a guess within a few units of it (the loops settle it exactly).
inline unsigned __int128 isqrt_from_guess(unsigned __int128 guess, const U192& X) {
  unsigned __int128 n = guess;
  while (!less_equal(square(n), X)) --n;
  while (less_equal(square(n + 1), X)) ++n;
  return n;
}

// sqrt(a) rounded stochastically (P(up) = floor(f 2^r) / 2^r, r = the params' sr bits) for a
// positive finite a of a format of precision <= 26, s = RN(sqrt(a)), r = a - s^2 != 0 (exact).
inline double round_sqrt_sr(double a, double s, double r, const RoundParams& p, std::uint64_t rnd) {
  const double x = round_to_odd(s, r);            // keeps every bit the truncation needs
  const double t = round_kernel<Mode::rtz>(x, p, 0);  // no overflow: sqrt stays inside the range
  const int qe = grid_quantum_exp(t, p);
  const std::uint64_t m = static_cast<std::uint64_t>(std::ldexp(t, -qe));  // t = m 2^qe, m < 2^27
  // Estimate D from s - t (exact) and (sqrt(a) - s) ~ r / (2s); off by at most one or two.
  const double r1 = std::ldexp(s - t, 64 - qe);   // an integer <= 2^64
  const double c = std::ldexp(r / (2 * s), 64 - qe);
  __int128 d = static_cast<__int128>(r1) + static_cast<__int128>(std::floor(c));
  if (d < 0) d = 0;
  // X = a 2^(128 - 2qe) as an integer: a = A 2^ea with A the 53-bit significand.
  int ea;
  const double frac = std::frexp(a, &ea);  // a = frac 2^ea, frac in [0.5, 1)
  const std::uint64_t A = static_cast<std::uint64_t>(std::ldexp(frac, 53));
  const U192 X = shifted(A, ea - 53 + 128 - 2 * qe);
  const unsigned __int128 N =
      isqrt_from_guess((static_cast<unsigned __int128>(m) << 64) + static_cast<unsigned __int128>(d), X);
  const std::uint64_t dropped = static_cast<std::uint64_t>(N - (static_cast<unsigned __int128>(m) << 64));
  if (!sr_rounds_up<ScalarLanes>(dropped, rnd, p.sr_mask)) return t;
  return round_kernel<Mode::rup>(x, p, 0);  // the grid value above t (x > 0)
}

}  // namespace floatscope::detail
