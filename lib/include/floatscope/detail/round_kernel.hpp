// The rounding core: the one definition of how a double is rounded onto a format, written once
// over a lane type (lanes_scalar.hpp: one value; lanes_hwy.hpp: a Highway vector; the scalar lane
// type also compiles as CUDA device code). Every path -- scalar kernel, array loops on every SIMD
// width, the GEMM kernels' general step, the fused block-FMA unit -- calls round_core.
//
// Method: split |x| = sig * 2^ed (sig the 53-bit integer significand of the double) at the target
// quantum 2^qe. kept = sig >> shift is the truncated significand; the dropped part, as a 64-bit
// fixed-point fraction D = floor(f * 2^64) of one ulp (f in [0,1)), plus an inexact flag, is all
// any mode needs:
//   nearest modes compare D with 2^63 (a tie is only possible when D is exact, i.e. shift <= 64);
//   stochastic rounding with r random bits adds r uniform bits to the top r bits of D and rounds up
//   on carry, so P(up) = floor(f*2^r)/2^r exactly (docs/references.md, stochastic rounding).
// The result (kept + up) * 2^qe is one exact double multiplication. Range checks come after
// rounding the significand, as OFP8 s.5 and IEEE 754 prescribe.
//
// Exponents are kept biased, qb = qe + 1075, so that every lane quantity is a small unsigned
// integer and 2^qe is built from bits.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "floatscope/detail/lanes_scalar.hpp"
#include "floatscope/format.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope::detail {

// How the sign and zero of a result are formed, from the cheapest case up:
inline constexpr int kSignsPlain = 0;      // signed, +0 and -0: result = y with x's sign
inline constexpr int kSignsNoNegZero = 1;  // signed, one zero (FNUZ, int8): a zero result is +0
inline constexpr int kSignsGeneric = 2;    // unsigned or without zero (E8M0): every fix-up

// Everything the core reads, flattened from (Format, Rounding).
struct RoundParams {
  int emin;
  int man_bits;
  bool subnormals;
  bool has_zero;
  bool neg_zero;       // the format has -0
  bool is_signed;
  bool saturate;       // Overflow::saturate
  double max_finite;
  double min_positive; // replaces a zero result in formats without zero (E8M0)
  double overflow_value;  // +Inf (IEEE), NaN (fn/fnuz) or max (none) under the spec policy
  double inf_input;       // what +Inf becomes
  std::uint64_t sr_mask;  // top sr_bits bits set
  // Derived integer constants of the core (biased exponents, see above).
  std::uint64_t emin_field;  // biased exponent field of 2^emin: E >= this is normal in the target
  std::uint64_t qb_add;      // qb = E + qb_add in the target's normal range (52 - man_bits)
  std::uint64_t qb_sub;      // qb below emin (the subnormal quantum, or 2^emin without subnormals)
  std::uint64_t qb_max;      // qb of the format's top binade (the fp_add method clamps to it)
  int signs;                 // kSignsPlain, kSignsNoNegZero or kSignsGeneric
  bool fp_add;               // the core's fp_add method applies (see round_core.inl)
};

// ilogb of a finite nonzero double, as a constant expression (std::ilogb is not constexpr).
constexpr int exponent_of(double x) {
  const std::uint64_t b = std::bit_cast<std::uint64_t>(x) & 0x7fffffffffffffffULL;
  const int field = static_cast<int>(b >> 52);
  return field != 0 ? field - 1023 : (63 - std::countl_zero(b)) - 1074;
}

// Computes the derived fields from the others: call it after changing emin, man_bits,
// subnormals, max_finite or the zero/sign flags of a RoundParams (round_scaled shifts a grid).
// An emin below double's (a shifted grid) makes every double normal in the target: the fields
// are clamped so that the core's unsigned lanes never wrap. A constant expression, so that a
// format known at compile time (float_type.hpp) gets constant parameters.
FLOATSCOPE_HD constexpr void finish_round_params(RoundParams& p) {
  const int emin_field = p.emin + 1023;
  p.emin_field = static_cast<std::uint64_t>(emin_field < 0 ? 0 : emin_field);
  p.qb_add = static_cast<std::uint64_t>(52 - p.man_bits);
  const int qb_sub = (p.subnormals ? p.emin - p.man_bits : p.emin) + 1075;
  p.qb_sub = static_cast<std::uint64_t>(qb_sub < 1 ? 1 : qb_sub);
  const int emax = p.max_finite < std::numeric_limits<double>::infinity() ? exponent_of(p.max_finite) : 1023;
  p.qb_max = static_cast<std::uint64_t>(emax - p.man_bits + 1075);
  const int qe_min = p.subnormals ? p.emin - p.man_bits : p.emin;
  p.fp_add = p.man_bits <= 51 && emax - p.man_bits <= 971 && qe_min >= -959 && p.emin >= -1022;
  p.signs = !(p.has_zero && p.is_signed) ? kSignsGeneric : p.neg_zero ? kSignsPlain : kSignsNoNegZero;
}

// The fields of a format's grid that the core reads, from a Format or from a format known at
// compile time (float_format.hpp).
struct GridFields {
  int emin;
  int man_bits;
  bool subnormals;
  bool has_zero;
  bool neg_zero;
  bool is_signed;
  bool has_inf;
  bool has_nan;
  double max_finite;
  double min_positive;  // the smallest positive value (min_subnormal)
};

constexpr RoundParams make_round_params(const GridFields& g, Overflow overflow, int sr_bits) {
  RoundParams p{};
  p.emin = g.emin;
  p.man_bits = g.man_bits;
  p.subnormals = g.subnormals;
  p.has_zero = g.has_zero;
  p.neg_zero = g.neg_zero;
  p.is_signed = g.is_signed;
  p.saturate = overflow == Overflow::saturate;
  p.max_finite = g.max_finite;
  p.min_positive = g.min_positive;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  p.overflow_value = g.has_inf ? inf : g.has_nan ? nan : g.max_finite;
  p.inf_input = p.saturate ? g.max_finite : p.overflow_value;
  const int bits = sr_bits < 1 ? 1 : sr_bits > 64 ? 64 : sr_bits;
  p.sr_mask = ~std::uint64_t{0} << (64 - bits);
  finish_round_params(p);
  return p;
}

inline RoundParams make_round_params(const Format& f, const Rounding& r) {
  const GridFields g{f.emin,     f.man_bits,          f.subnormals, f.has_zero,      f.has_negative_zero(),
                     f.is_signed, f.has_inf(),        f.has_nan(),  f.max_finite,    f.min_subnormal};
  return make_round_params(g, r.overflow, r.sr_bits);
}

// 2^e for e in [-1074, 1023], built from bits.
constexpr double pow2(int e) {
  return e >= -1022 ? std::bit_cast<double>(static_cast<std::uint64_t>(e + 1023) << 52)
                    : std::bit_cast<double>(std::uint64_t{1} << (e + 1074));
}

// The two methods of round_core (described in round_core.inl).
enum class CorePath { integer, fp_add };

#include "floatscope/detail/round_core.inl"

// ---- events ---------------------------------------------------------------------------------

// What the event counts read from the Format.
struct EventParams {
  double max_finite;
  double min_normal;
  bool has_nan;
  bool zero_to_zero;         // a zero input gives a zero result (formats with a zero)
  bool zero_below_normal;    // ... or at least a result below the smallest normal
};

inline EventParams make_event_params(const Format& f) {
  const bool below = f.has_zero || (f.is_signed && f.min_subnormal < f.min_normal);
  return {f.max_finite, f.min_normal, f.has_nan(), f.has_zero, below};
}

struct EventCounts {
  std::uint64_t inexact = 0, overflow = 0, underflow = 0, flushed = 0, nan_unrepresentable = 0;
};

// The events, from LaneCounts (round_core.inl):
//   inexact    a non-NaN input whose result differs (a NaN result included): a NaN input always
//              gives NaN, so these are the differing results less the NaN inputs;
//   overflow   a finite input beyond max finite (rounding is monotone and max finite is on the
//              grid, so it always ends at +-max, +-Inf or NaN: the input alone decides);
//   underflow  a nonzero non-NaN input whose result is below the smallest normal (zero included):
//              results below it, less those of zero inputs;
//   flushed    a nonzero non-NaN input whose result is zero: zero results less zero inputs;
//   nan_unrepresentable  a NaN input to a format without NaN.
inline void add_counts(EventCounts& c, const LaneCounts<ScalarLanes>& n, const EventParams& e) {
  c.inexact += n.differ - n.nan_input;
  c.overflow += n.overflow;
  c.underflow += n.below_normal - (e.zero_below_normal ? n.zero_in : 0);
  c.flushed += n.zero_out - (e.zero_to_zero ? n.zero_in : 0);
  if (!e.has_nan) c.nan_unrepresentable += n.nan_input;
}

inline void count_events(double in, double out, const EventParams& e, EventCounts& c) {
  LaneCounts<ScalarLanes> n;
  count_events<ScalarLanes>(std::bit_cast<std::uint64_t>(in), std::bit_cast<std::uint64_t>(out),
                            make_event_consts<ScalarLanes>(e.max_finite, e.min_normal), n);
  add_counts(c, n, e);
}

// ---- scalar entry points ----------------------------------------------------------------------

// Rounds x; `rnd` holds 64 random bits (used by the stochastic modes only).
template <Mode M>
FLOATSCOPE_HD inline double round_kernel(double x, const RoundParams& p, std::uint64_t rnd) {
  const RoundConsts<ScalarLanes> k = make_round_consts<ScalarLanes>(p);
  return ScalarLanes::as_f(round_core<M, kSignsGeneric, CorePath::integer, ScalarLanes>(ScalarLanes::as_u(x), rnd, k));
}

// Dispatches a runtime mode to the kernel specialisations: fn(std::integral_constant<Mode, M>).
template <class Fn>
FLOATSCOPE_HD inline decltype(auto) with_mode(Mode m, Fn&& fn) {
  switch (m) {
    case Mode::rne: return fn(std::integral_constant<Mode, Mode::rne>{});
    case Mode::rna: return fn(std::integral_constant<Mode, Mode::rna>{});
    case Mode::rtz: return fn(std::integral_constant<Mode, Mode::rtz>{});
    case Mode::rup: return fn(std::integral_constant<Mode, Mode::rup>{});
    case Mode::rdn: return fn(std::integral_constant<Mode, Mode::rdn>{});
    case Mode::rto: return fn(std::integral_constant<Mode, Mode::rto>{});
    case Mode::sr: return fn(std::integral_constant<Mode, Mode::sr>{});
    case Mode::sr_equal: break;
  }
  return fn(std::integral_constant<Mode, Mode::sr_equal>{});
}

}  // namespace floatscope::detail
