// The rounding kernel, inline so that accumulators and array loops can specialise it per mode.
//
// Method: split |x| = sig * 2^ed (sig the 53-bit integer significand of the double) at the target
// quantum 2^qe. kept = sig >> shift is the truncated significand; the dropped part, as a 64-bit
// fixed-point fraction D = floor(f * 2^64) of one ulp (f in [0,1)), plus an inexact flag, is all
// any mode needs:
//   nearest modes compare D with 2^63 (a tie is only possible when D is exact, i.e. shift <= 64);
//   stochastic rounding with r random bits adds r uniform bits to the top r bits of D and rounds up
//   on carry, so P(up) = floor(f*2^r)/2^r exactly (REFERENCES.md s.3).
// The result (kept + up) * 2^qe is one exact double multiplication. Range checks come after
// rounding the significand, as OFP8 s.5 and IEEE 754 prescribe.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "floatscope/format.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope::detail {

// Everything the kernel reads, flattened from (Format, Rounding).
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
};

inline RoundParams make_round_params(const Format& f, const Rounding& r) {
  RoundParams p{};
  p.emin = f.emin;
  p.man_bits = f.man_bits;
  p.subnormals = f.subnormals;
  p.has_zero = f.has_zero;
  p.neg_zero = f.has_negative_zero();
  p.is_signed = f.is_signed;
  p.saturate = r.overflow == Overflow::saturate;
  p.max_finite = f.max_finite;
  p.min_positive = f.min_subnormal;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  p.overflow_value = f.has_inf() ? inf : f.has_nan() ? nan : f.max_finite;
  p.inf_input = p.saturate ? f.max_finite : p.overflow_value;
  const int bits = r.sr_bits < 1 ? 1 : r.sr_bits > 64 ? 64 : r.sr_bits;
  p.sr_mask = ~std::uint64_t{0} << (64 - bits);
  return p;
}

// 2^e for e in [-1074, 1023], built from bits.
inline double pow2(int e) {
  return e >= -1022 ? std::bit_cast<double>(static_cast<std::uint64_t>(e + 1023) << 52)
                    : std::bit_cast<double>(std::uint64_t{1} << (e + 1074));
}

// Rounds x; `rnd` holds 64 random bits (used by the stochastic modes only).
template <Mode M>
inline double round_kernel(double x, const RoundParams& p, std::uint64_t rnd) {
  constexpr std::uint64_t kSign = 0x8000000000000000ULL;
  constexpr std::uint64_t kFrac = 0x000fffffffffffffULL;
  constexpr std::uint64_t kHalf = 0x8000000000000000ULL;
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  const std::uint64_t mag = bits & ~kSign;
  const bool neg = (bits & kSign) != 0;

  const int E = static_cast<int>(mag >> 52);
  const std::uint64_t sig = (mag & kFrac) | (E != 0 ? (kFrac + 1) : 0);
  const int ed = (E != 0 ? E : 1) - 1075;
  const int e = E - 1023;  // floor(log2|x|) for normal x; below every format's emin otherwise
  const int qe = e >= p.emin ? e - p.man_bits : (p.subnormals ? p.emin - p.man_bits : p.emin);
  const int shift = qe - ed;  // >= 0 because emin >= -1022 and man_bits <= 52

  const int s_kept = shift < 63 ? shift : 63;
  std::uint64_t kept = sig >> s_kept;  // sig < 2^53, so shift >= 53 leaves 0
  std::uint64_t dropped;               // floor(f * 2^64)
  if (shift == 0) {
    dropped = 0;
  } else if (shift <= 64) {
    dropped = sig << (64 - shift);
  } else {
    const int s = shift - 64;
    dropped = s < 63 ? sig >> s : 0;
  }
  const bool inexact = dropped != 0 || (shift > 64 && sig != 0);

  std::uint64_t up = 0;
  if constexpr (M == Mode::rne) {
    up = (dropped > kHalf) || (dropped == kHalf && (kept & 1));
  } else if constexpr (M == Mode::rna) {
    up = dropped >= kHalf;
  } else if constexpr (M == Mode::rup) {
    up = inexact && !neg;
  } else if constexpr (M == Mode::rdn) {
    up = inexact && neg;
  } else if constexpr (M == Mode::rto) {
    kept |= static_cast<std::uint64_t>(inexact);
  } else if constexpr (M == Mode::sr) {
    const std::uint64_t d = dropped & p.sr_mask;
    up = (d + (rnd & p.sr_mask)) < d;  // carry out of the top r bits
  } else if constexpr (M == Mode::sr_equal) {
    up = inexact && (rnd >> 63);
  }
  double y = static_cast<double>(kept + up) * pow2(qe);

  if (y > p.max_finite) {
    // Directed modes never overflow toward zero (IEEE 754 s.7.4); rto overflows like rtz.
    bool toward_inf = true;
    if constexpr (M == Mode::rtz || M == Mode::rto) toward_inf = false;
    if constexpr (M == Mode::rup) toward_inf = !neg;
    if constexpr (M == Mode::rdn) toward_inf = neg;
    y = (p.saturate || !toward_inf) ? p.max_finite : p.overflow_value;
  }
  if (mag >= 0x7ff0000000000000ULL) {  // Inf or NaN input
    y = mag == 0x7ff0000000000000ULL ? p.inf_input : x;
    if (y != y) return std::copysign(std::numeric_limits<double>::quiet_NaN(), x);
  }
  if (!p.has_zero && y == 0) y = p.min_positive;
  // Unsigned formats have no code for a negative nonzero value; E8M0 (no zero) has none for a zero
  // input of either sign either: both give NaN (OCP MX v1.0 s.5.4).
  if (!p.is_signed && (mag != 0 ? neg : !p.has_zero)) return std::numeric_limits<double>::quiet_NaN();
  if (!p.is_signed) return y;
  if (y == 0 && !p.neg_zero) return 0.0;
  return neg ? -y : y;
}

// Dispatches a runtime mode to the kernel specialisations: fn(std::integral_constant<Mode, M>).
template <class Fn>
inline decltype(auto) with_mode(Mode m, Fn&& fn) {
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
