// The exact quotient x / y of two finite nonzero doubles as a double-double hi + lo, for one
// rounding by round_dd (round_quotient in rounding_quotient.cpp, whose file comment describes the
// method; the scalar types' division in float_type.hpp).
#pragma once

#include <cfloat>
#include <cmath>

#include "floatscope/detail/accumulator_round.hpp"

namespace floatscope::detail {

// -1, 0, +1
inline int sign_of(double v) { return (v > 0) - (v < 0); }

// x / scale as hi + lo (x, scale finite and nonzero; see rounding_quotient.cpp's file comment).
inline DD split_quotient(double x, double scale) {
  const int ex = std::ilogb(x), es = std::ilogb(scale);
  const double xs = std::ldexp(x, -ex), ss = std::ldexp(scale, -es);  // exact, |.| in [1, 2)
  const double q = xs / ss;
  const double r = std::fma(-q, ss, xs);  // exact remainder
  const long d = static_cast<long>(ex) - es;
  const double hi = std::ldexp(q, static_cast<int>(d));
  const bool hi_exact = std::isfinite(hi) && std::fabs(hi) >= DBL_MIN;
  if (!std::isfinite(hi))
    return {std::copysign(DBL_MAX, q), 0.0};  // beyond every target of precision <= 51
  if (hi_exact) {
    if (r == 0) return {hi, 0.0};
    double lo = r / ss;
    const double e = std::fma(-lo, ss, r);  // (c - lo) * ss, exact
    const int c_minus_lo = sign_of(e) * sign_of(ss);
    // Round lo toward -infinity when hi > 0 (toward +infinity when hi < 0): the dropped part,
    // oriented along |hi|, is then never overstated.
    if (q > 0 && c_minus_lo < 0) lo = std::nextafter(lo, -INFINITY);
    if (q < 0 && c_minus_lo > 0) lo = std::nextafter(lo, INFINITY);
    double lo_s = std::ldexp(lo, static_cast<int>(d));
    if (lo_s == 0) lo_s = std::copysign(DBL_TRUE_MIN, lo);  // keep the sign (sticky) on underflow
    return {hi, lo_s};
  }
  // Below DBL_MIN: hi rounded by ldexp to the 2^-1074 grid; the sign of (exact - hi) from the
  // part ldexp dropped (exact: q and ldexp(hi, -d) differ only in bits below the cut) or, when it
  // dropped nothing, from the remainder.
  double h = hi;
  const double back = std::ldexp(h, static_cast<int>(-d));
  const double dropped = q - back;
  const int s = dropped != 0 ? sign_of(dropped) : sign_of(r) * sign_of(ss);
  if (s == 0) return {h, 0.0};
  if (h == 0) h = std::copysign(0.0, q);
  return {round_to_odd(h, static_cast<double>(s)), 0.0};
}

}  // namespace floatscope::detail
