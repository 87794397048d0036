// An independent rounding oracle built on MPFR, for the deterministic modes.
//
// It shares nothing with the library's kernel but the Format's *fields* (exponent/mantissa widths,
// bias, specials, subnormals, signedness): emin, emax and the largest finite value are re-derived
// here from those fields, MPFR does the rounding, and the range/overflow policy is written out from
// docs/references.md s.2 and the project's decided semantics:
//   - the significand is rounded once from the exact double with an unbounded exponent above
//     (MPFR emax set far beyond every format), and only then is the range checked (OFP8 s.5);
//   - subnormals through mpfr_set_emin + mpfr_subnormalize (the MPFR manual's recipe);
//   - formats without subnormals round onto {0} U normals: below the smallest normal the grid is
//     the multiples of 2^emin, rounded as integers (so a tie at 2^(emin-1) goes to the even
//     multiple, 0);
//   - ties-away and round-to-odd come from the RNDD/RNDU pair (midpoint comparison; the neighbour
//     whose multiple of the gap u-d is odd);
//   - overflow: saturate -> +-max; spec -> IEEE formats Inf, fn/fnuz NaN (sign kept), formats
//     without Inf/NaN clamp; directed modes per IEEE 754 s.7.4 (rtz and rto never go to Inf/NaN,
//     rup only for positive overflow, rdn only for negative);
//   - E8M0 and MXINT8 are handled explicitly from their specification constants.
// Header-only because tests/support has no sources of its own in the build.
#pragma once

#include <mpfr.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "floatscope/format.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope::oracle {

// Sets MPFR's exponent range for its lifetime and restores the previous one.
class ExponentRange {
 public:
  ExponentRange(mpfr_exp_t lo, mpfr_exp_t hi) : old_min_(mpfr_get_emin()), old_max_(mpfr_get_emax()) {
    if (mpfr_set_emax(hi) != 0 || mpfr_set_emin(lo) != 0)
      throw std::logic_error("mpfr_oracle: exponent range not supported by MPFR");
  }
  ~ExponentRange() {
    mpfr_set_emin(old_min_);
    mpfr_set_emax(old_max_);
  }
  ExponentRange(const ExponentRange&) = delete;
  ExponentRange& operator=(const ExponentRange&) = delete;

 private:
  mpfr_exp_t old_min_, old_max_;
};

// Per-thread MPFR variables, so the oracle does not allocate per call.
struct Scratch {
  mpfr_t down, up, result, tmp, wide, limit;
  Scratch() { mpfr_inits2(64, down, up, result, tmp, wide, limit, static_cast<mpfr_ptr>(nullptr)); }
  ~Scratch() { mpfr_clears(down, up, result, tmp, wide, limit, static_cast<mpfr_ptr>(nullptr)); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
};

inline Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// Range constants of a binary format, derived from its fields alone (IEEE 754-2019 s.3.3,
// OFP8 Table 1 for fn, ml_dtypes for fnuz, OCP MX s.5 for formats without specials).
struct Range {
  int emin;           // exponent of the smallest normal
  double max_finite;  // largest finite value
};

inline Range binary_range(const Format& f) {
  const int top = (1 << f.exp_bits) - 1;
  const int m = f.man_bits;
  Range r{1 - f.bias, 0.0};
  // Largest finite code: exponent field and mantissa field of the largest non-special code.
  int max_field = top;
  double max_mantissa = std::ldexp(1.0, m) - 1;  // as an integer
  switch (f.specials) {
    case Specials::ieee:  // the whole top field is Inf/NaN
      max_field = top - 1;
      break;
    case Specials::fn:  // only all-ones is NaN
      if (m == 0) max_field = top - 1;
      else max_mantissa -= 1;
      break;
    case Specials::fnuz:
    case Specials::none:
      break;
  }
  const int emax = max_field - f.bias;
  r.max_finite = std::ldexp(std::ldexp(1.0, m) + max_mantissa, emax - m);
  return r;
}

inline mpfr_rnd_t mpfr_mode(Mode m) {
  switch (m) {
    case Mode::rne: return MPFR_RNDN;
    case Mode::rtz: return MPFR_RNDZ;
    case Mode::rup: return MPFR_RNDU;
    case Mode::rdn: return MPFR_RNDD;
    default: break;
  }
  throw std::logic_error("mpfr_oracle: mode has no direct MPFR rounding");
}

// Rounds the value in `k` (integral-or-not, any precision >= 64 bits) to an integer with mode m.
inline void round_to_integer(mpfr_ptr k, Mode m) {
  switch (m) {
    case Mode::rne: mpfr_rint(k, k, MPFR_RNDN); return;  // halfway cases to even
    case Mode::rna: mpfr_round(k, k); return;            // halfway cases away from zero
    case Mode::rtz: mpfr_trunc(k, k); return;
    case Mode::rup: mpfr_ceil(k, k); return;
    case Mode::rdn: mpfr_floor(k, k); return;
    case Mode::rto: {
      if (mpfr_integer_p(k)) return;
      mpfr_floor(k, k);
      // floor is odd -> keep; even -> the ceiling (floor + 1) is the odd one.
      mpfr_t half;
      mpfr_init2(half, mpfr_get_prec(k));
      mpfr_div_2ui(half, k, 1, MPFR_RNDN);
      const bool even = mpfr_integer_p(half) != 0;
      mpfr_clear(half);
      if (even) mpfr_add_ui(k, k, 1, MPFR_RNDN);
      return;
    }
    default: break;
  }
  throw std::logic_error("mpfr_oracle: stochastic modes have no deterministic oracle");
}

// The value being rounded: a double, or an MPFR number of any precision (an exact quotient, say).
// These helpers are all the oracle needs to know about it.
inline int src_set(mpfr_ptr out, double x, mpfr_rnd_t rnd) { return mpfr_set_d(out, x, rnd); }
inline int src_set(mpfr_ptr out, mpfr_srcptr x, mpfr_rnd_t rnd) { return mpfr_set(out, x, rnd); }
inline mpfr_prec_t src_prec(double) { return 64; }  // holds any double exactly
inline mpfr_prec_t src_prec(mpfr_srcptr x) { return mpfr_get_prec(x) > 64 ? mpfr_get_prec(x) : 64; }
inline bool src_neg(double x) { return std::signbit(x); }
inline bool src_neg(mpfr_srcptr x) { return mpfr_signbit(x) != 0; }
// |x| >= 2^e
inline bool src_abs_at_least_pow2(double x, int e) { return std::fabs(x) >= std::ldexp(1.0, e); }
inline bool src_abs_at_least_pow2(mpfr_srcptr x, int e) {
  return mpfr_signbit(x) ? mpfr_cmp_si_2exp(x, -1, e) <= 0 : mpfr_cmp_ui_2exp(x, 1, e) >= 0;
}

// x rounded into `out` (precision p) with direction rnd: unbounded exponent above, the format's
// grid below (subnormal fixed-point grid, or {0} U normals).
template <class Src>
inline void round_directed(mpfr_ptr out, Src x, const Format& f, const Range& rg, Mode m) {
  const mpfr_prec_t p = f.man_bits + 1;
  mpfr_set_prec(out, p);
  if constexpr (!std::is_same_v<Src, double>) {
    // An MPFR value may lie below any exponent range set here (mpfr_subnormalize requires it
    // inside): below the smallest normal, round it as an integer multiple of the grid's quantum,
    // 2^(emin - m) with subnormals, 2^emin without.
    if (!src_abs_at_least_pow2(x, rg.emin)) {
      const int q = f.subnormals ? rg.emin - f.man_bits : rg.emin;
      mpfr_set_prec(out, src_prec(x));
      src_set(out, x, MPFR_RNDN);  // exact
      mpfr_mul_2si(out, out, -q, MPFR_RNDN);
      round_to_integer(out, m);
      mpfr_mul_2si(out, out, q, MPFR_RNDN);
      return;
    }
  }
  if (f.subnormals) {
    // MPFR writes x = 0.1b..b * 2^E, so 2^k has E = k+1: the smallest subnormal 2^(emin-m) sets
    // emin_mpfr = emin - m + 1. emax far above any double keeps the exponent unbounded.
    const ExponentRange range(rg.emin - f.man_bits + 1, 1 << 12);
    const mpfr_rnd_t rnd = mpfr_mode(m);
    const int t = src_set(out, x, rnd);
    mpfr_subnormalize(out, t, rnd);
    return;
  }
  if (src_abs_at_least_pow2(x, rg.emin)) {
    src_set(out, x, mpfr_mode(m));  // never leaves [2^emin, inf): default range suffices
    return;
  }
  // Below the smallest normal without subnormals: k = x / 2^emin in (-1, 1), rounded to an integer.
  mpfr_set_prec(out, src_prec(x));
  src_set(out, x, MPFR_RNDN);  // exact
  mpfr_mul_2si(out, out, -rg.emin, MPFR_RNDN);
  round_to_integer(out, m);
  mpfr_mul_2si(out, out, rg.emin, MPFR_RNDN);
}

// x rounded with unbounded exponent above, for every deterministic mode.
template <class Src>
inline void round_unbounded(mpfr_ptr out, Src x, const Format& f, const Range& rg, Mode m) {
  if (m == Mode::rne || m == Mode::rtz || m == Mode::rup || m == Mode::rdn) {
    round_directed(out, x, f, rg, m);
    return;
  }
  Scratch& s = scratch();
  round_directed(s.down, x, f, rg, Mode::rdn);
  round_directed(s.up, x, f, rg, Mode::rup);
  mpfr_set_prec(out, mpfr_get_prec(s.down) > 64 ? mpfr_get_prec(s.down) : 64);
  if (mpfr_equal_p(s.down, s.up)) {  // x is on the grid
    mpfr_set(out, s.down, MPFR_RNDN);
    return;
  }
  mpfr_set_prec(s.wide, 128);
  if (m == Mode::rna) {
    // midpoint (down+up)/2 needs at most p+1 <= 54 bits: exact at 128.
    mpfr_add(s.wide, s.down, s.up, MPFR_RNDN);
    mpfr_div_2ui(s.wide, s.wide, 1, MPFR_RNDN);
    mpfr_set_prec(s.tmp, src_prec(x));
    src_set(s.tmp, x, MPFR_RNDN);  // exact
    // At or beyond the midpoint (in magnitude) goes away from zero.
    const bool away = mpfr_cmpabs(s.tmp, s.wide) >= 0;
    const bool down_is_away = src_neg(x);  // for negative x, down is away from zero
    mpfr_set(out, away == down_is_away ? s.down : s.up, MPFR_RNDN);
    return;
  }
  if (m == Mode::rto) {
    // The gap up-down is the quantum at x; exactly one of down/gap, up/gap is odd.
    mpfr_sub(s.wide, s.up, s.down, MPFR_RNDN);          // a power of two, exact
    mpfr_set_prec(s.tmp, 64);
    mpfr_div(s.tmp, s.down, s.wide, MPFR_RNDN);         // an integer < 2^54, exact at 64 bits
    mpfr_div_2ui(s.tmp, s.tmp, 1, MPFR_RNDN);
    const bool down_even = mpfr_integer_p(s.tmp) != 0;
    mpfr_set(out, down_even ? s.up : s.down, MPFR_RNDN);
    return;
  }
  throw std::logic_error("mpfr_oracle: stochastic modes have no deterministic oracle");
}

inline double quiet_nan_with_sign_of(double x) {
  return std::copysign(std::numeric_limits<double>::quiet_NaN(), x);
}

// Whether overflow under this mode points away from the finite range for a value of this sign
// (IEEE 754 s.7.4; round-to-odd overflows like toward-zero).
inline bool overflow_goes_to_infinity(Mode m, bool negative) {
  switch (m) {
    case Mode::rne:
    case Mode::rna: return true;
    case Mode::rtz:
    case Mode::rto: return false;
    case Mode::rup: return !negative;
    case Mode::rdn: return negative;
    default: break;
  }
  throw std::logic_error("mpfr_oracle: stochastic modes have no deterministic oracle");
}

// MX E8M0 scale (OCP MX v1.0 s.5.4): unsigned powers of two 2^-127..2^127, no zero; 0xFF = NaN.
// Rounding is on the linear value with ties to the larger power; a result that would be 0 (any
// positive value below 2^-127) becomes 2^-127; zero, negative and NaN inputs give NaN.
inline double round_e8m0(double x, Mode m, Overflow ov) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double lo_limit = std::ldexp(1.0, -127), hi_limit = std::ldexp(1.0, 127);
  if (std::isnan(x) || x <= 0) return nan;
  if (std::isinf(x)) return ov == Overflow::saturate ? hi_limit : nan;
  if (x < lo_limit) return lo_limit;
  int e2;
  std::frexp(x, &e2);  // x in [2^(e2-1), 2^e2)
  const double lo = std::ldexp(1.0, e2 - 1), hi = std::ldexp(1.0, e2);  // hi may be +inf: fine
  double r = lo;
  if (x != lo) {
    switch (m) {
      case Mode::rne:
      case Mode::rna: r = x >= 1.5 * lo ? hi : lo; break;
      case Mode::rup: r = hi; break;
      case Mode::rtz:
      case Mode::rdn:
      case Mode::rto: r = lo; break;  // 2^k has the odd significand 1; 2^(k+1) is 2 quanta of x's binade
      default: throw std::logic_error("mpfr_oracle: stochastic modes have no deterministic oracle");
    }
  }
  if (r > hi_limit)
    return (ov == Overflow::spec && overflow_goes_to_infinity(m, false)) ? nan : hi_limit;
  return r;
}

// MXINT8 (OCP MX v1.0 s.5.3): k/64 with |k| <= 127, no -0, no Inf/NaN: overflow always clamps.
inline double round_int8(double x, Mode m) {
  const double max = 127.0 / 64.0;
  if (std::isinf(x)) return x > 0 ? max : -max;
  Scratch& s = scratch();
  mpfr_set_prec(s.wide, 128);
  mpfr_set_d(s.wide, x, MPFR_RNDN);  // exact
  mpfr_mul_2ui(s.wide, s.wide, 6, MPFR_RNDN);
  round_to_integer(s.wide, m);
  if (mpfr_cmpabs_ui(s.wide, 127) > 0) return x > 0 ? max : -max;
  const double r = mpfr_get_d(s.wide, MPFR_RNDN) / 64.0;
  return r == 0 ? 0.0 : r;
}

// The binary-format oracle for a nonzero value (a double, Inf included, or an MPFR number) of
// sign `neg`: round at the format's precision with unbounded exponent range below, then apply the
// overflow policy.
template <class Src>
inline double round_binary(const Src& x, bool neg, const Format& f, Mode m, Overflow ov) {
  const bool neg_zero = f.is_signed && f.specials != Specials::fnuz;
  const Range rg = binary_range(f);
  const double max = neg ? -rg.max_finite : rg.max_finite;
  const auto overflow_result = [&](bool to_infinity) {
    if (ov == Overflow::saturate || f.specials == Specials::none || !to_infinity) return max;
    if (f.specials == Specials::ieee) return neg ? -std::numeric_limits<double>::infinity()
                                                 : std::numeric_limits<double>::infinity();
    return quiet_nan_with_sign_of(neg ? -1.0 : 1.0);
  };
  // Inf is exact in every mode: it stays Inf where the format has it (spec policy).
  if constexpr (std::is_same_v<Src, double>) {
    if (std::isinf(x)) return overflow_result(true);
  }
  Scratch& s = scratch();
  round_unbounded(s.result, x, f, rg, m);
  mpfr_set_prec(s.limit, 64);
  mpfr_set_d(s.limit, rg.max_finite, MPFR_RNDN);
  if (mpfr_cmpabs(s.result, s.limit) > 0) return overflow_result(overflow_goes_to_infinity(m, neg));
  const double y = mpfr_get_d(s.result, MPFR_RNDN);  // exact: p <= 53 bits within double range
  if (y == 0) return neg && neg_zero ? -0.0 : 0.0;
  return y;
}

// The oracle: x rounded once onto f with mode m (deterministic modes) and overflow policy ov.
inline double oracle_round(double x, const Format& f, Mode m, Overflow ov) {
  if (m == Mode::sr || m == Mode::sr_equal)
    throw std::logic_error("mpfr_oracle: stochastic modes have no deterministic oracle");
  if (std::isnan(x)) return quiet_nan_with_sign_of(x);  // also for formats without NaN (an event)
  if (f.encoding == Encoding::int8_fixed) return round_int8(x, m);
  if (!f.has_zero) {
    if (f.exp_bits != 8 || f.man_bits != 0 || f.bias != 127 || f.is_signed)
      throw std::logic_error("mpfr_oracle: the only format without zero is E8M0");
    return round_e8m0(x, m, ov);
  }
  const bool neg = std::signbit(x);
  // Unsigned formats (other than E8M0): negative nonzero values have no code and give NaN; -0 is 0.
  if (!f.is_signed && neg && x != 0) return std::numeric_limits<double>::quiet_NaN();
  const bool neg_zero = f.is_signed && f.specials != Specials::fnuz;
  if (x == 0) return neg && neg_zero ? -0.0 : 0.0;

  return round_binary(x, neg, f, m, ov);
}

// The same oracle for an MPFR value (e.g. an exact quotient that no double holds), for binary
// formats with a zero (not E8M0 or MXINT8). NaN and Inf values are not expected here.
inline double oracle_round_mpfr(mpfr_srcptr x, const Format& f, Mode m, Overflow ov) {
  if (m == Mode::sr || m == Mode::sr_equal)
    throw std::logic_error("mpfr_oracle: stochastic modes have no deterministic oracle");
  if (f.encoding == Encoding::int8_fixed || !f.has_zero || !mpfr_number_p(x))
    throw std::logic_error("mpfr_oracle: oracle_round_mpfr takes finite values and binary formats");
  const bool neg = mpfr_signbit(x) != 0;
  if (!f.is_signed && neg && !mpfr_zero_p(x)) return std::numeric_limits<double>::quiet_NaN();
  const bool neg_zero = f.is_signed && f.specials != Specials::fnuz;
  if (mpfr_zero_p(x)) return neg && neg_zero ? -0.0 : 0.0;
  return round_binary(x, neg, f, m, ov);
}

}  // namespace floatscope::oracle
