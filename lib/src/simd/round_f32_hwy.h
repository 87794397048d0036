// The float32-lane rounding core (floatscope/detail/round_f32.hpp says when it applies and why it
// gives the double path's bits), on the widest uint32/float vector of the Highway target being
// compiled. Included once per target from inside round_range.cpp's per-target namespace; like
// lanes_hwy.h it has no include guard of its own but Highway's per-target toggle.
#if defined(FLOATSCOPE_ROUND_F32_HWY_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef FLOATSCOPE_ROUND_F32_HWY_H_
#undef FLOATSCOPE_ROUND_F32_HWY_H_
#else
#define FLOATSCOPE_ROUND_F32_HWY_H_
#endif

#include <hwy/highway.h>

#include "floatscope/detail/round_f32.hpp"

HWY_BEFORE_NAMESPACE();
namespace floatscope::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

struct F32Lanes {
  using D = hn::ScalableTag<std::uint32_t>;
  using DI = hn::ScalableTag<std::int32_t>;
  using DF = hn::ScalableTag<float>;
  using V = hn::Vec<D>;
  using VF = hn::Vec<DF>;
  using M = hn::Mask<D>;
  static HWY_INLINE size_t lanes() { return hn::Lanes(D()); }
  static HWY_INLINE V u(std::uint32_t x) { return hn::Set(D(), x); }
  static HWY_INLINE VF as_f(V x) { return hn::BitCast(DF(), x); }
  static HWY_INLINE V as_u(VF x) { return hn::BitCast(D(), x); }
  static HWY_INLINE M fmask(hn::Mask<DF> m) { return hn::RebindMask(D(), m); }
};

// F32Params as lanes, splatted once per range.
struct F32Consts {
  F32Lanes::V emin_field, qb_add, qb_sub, above_max, overflow_span, min_normal;
  F32Lanes::VF max_finite, max_or_overflow, inf_input;
  explicit HWY_INLINE F32Consts(const F32Params& p)
      : emin_field(F32Lanes::u(p.emin_field)), qb_add(F32Lanes::u(p.qb_add)), qb_sub(F32Lanes::u(p.qb_sub)),
        above_max(F32Lanes::u(p.above_max)), overflow_span(F32Lanes::u(p.overflow_span)),
        min_normal(F32Lanes::u(p.min_normal)), max_finite(hn::Set(F32Lanes::DF(), p.max_finite)),
        max_or_overflow(hn::Set(F32Lanes::DF(), p.max_or_overflow)),
        inf_input(hn::Set(F32Lanes::DF(), p.inf_input)) {}
};

// round_core's integer method on float32 encodings (line for line where the two agree; see
// round_core.inl for the reasoning of each step). M deterministic, kSigns plain or no-neg-zero.
template <Mode M, int kSigns>
HWY_INLINE F32Lanes::V round_core_f32(F32Lanes::V bits, const F32Consts& k) {
  using L = F32Lanes;
  using V = L::V;
  static_assert(M != Mode::sr && M != Mode::sr_equal, "the float32 lanes have no random bits");
  static_assert(kSigns != kSignsGeneric, "the generic sign fix-ups stay on the double path");
  const L::D d;
  const V zero = hn::Zero(d), one = L::u(1), k31 = L::u(31);
  const V mag = bits & L::u(0x7fffffffu);
  const V sign = bits & L::u(0x80000000u);
  const V E = hn::ShiftRight<23>(mag);

  // Quantum exponent, biased: qb = qe + 150 (>= 1).
  const V qb = hn::IfThenElse(k.emin_field > E, k.qb_sub, E + k.qb_add);
  const V sig = (mag & L::u(0x007fffffu)) | hn::IfThenZeroElse(E == zero, L::u(0x00800000u));
  const V shift = qb - hn::Max(E, one);  // >= 1: the grid has at most 22 fraction bits
  V kept = sig >> hn::Min(shift, k31);   // sig < 2^24: a shift >= 24 leaves 0
  // floor(f * 2^32) of the dropped fraction f: exact for shift <= 32; beyond, |x| < 2^-8 quanta
  // and the nearest modes cannot go up, so only `inexact` (exact below) is needed.
  const L::M near = hn::Not(shift > k31);
  const V far_count = hn::Min(shift - L::u(32), k31);  // wraps for near lanes: not selected
  const V dropped = hn::IfThenElse(near, hn::ShiftLeft<1>(sig << (k31 - hn::Min(shift, k31))), sig >> far_count);
  const L::M inexact = hn::Or(hn::Not(dropped == zero), hn::And(shift > L::u(32), hn::Not(sig == zero)));
  const L::M neg = hn::Not(sign == zero);

  const V half = L::u(0x80000000u);
  if constexpr (M == Mode::rne) {
    const L::M up = hn::Or(dropped > half, hn::And(dropped == half, (kept & one) == one));
    kept = kept + hn::IfThenElseZero(up, one);
  } else if constexpr (M == Mode::rna) {
    kept = kept + hn::IfThenElseZero(hn::Not(half > dropped), one);
  } else if constexpr (M == Mode::rup) {
    kept = kept + hn::IfThenElseZero(hn::AndNot(neg, inexact), one);
  } else if constexpr (M == Mode::rdn) {
    kept = kept + hn::IfThenElseZero(hn::And(inexact, neg), one);
  } else if constexpr (M == Mode::rto) {
    kept = kept | hn::IfThenElseZero(inexact, one);
  }

  // 2^qe: a normal float32 power from its exponent field (qb >= 24), else a subnormal single bit.
  // kept * 2^qe is exact: kept <= 2^24 and the product lies on the grid (float32's) or, for
  // inputs beyond max finite, is replaced below.
  const L::M p_normal = hn::Not(L::u(24) > qb);
  const V p_bits = hn::IfThenElse(p_normal, hn::ShiftLeft<23>(qb - L::u(23)),
                                  one << hn::IfThenZeroElse(p_normal, qb - one));
  L::VF y = hn::ConvertTo(L::DF(), hn::BitCast(L::DI(), kept)) * L::as_f(p_bits);

  // Overflow (IEEE 754 s.7.4 for the directed modes; rto like rtz), then Inf and NaN inputs.
  const L::M ovf = L::fmask(y > k.max_finite);
  L::VF ov_value;
  const auto negf = hn::RebindMask(L::DF(), neg);
  if constexpr (M == Mode::rtz || M == Mode::rto) {
    ov_value = k.max_finite;
  } else if constexpr (M == Mode::rup) {
    ov_value = hn::IfThenElse(negf, k.max_finite, k.max_or_overflow);
  } else if constexpr (M == Mode::rdn) {
    ov_value = hn::IfThenElse(negf, k.max_or_overflow, k.max_finite);
  } else {
    ov_value = k.max_or_overflow;
  }
  V yb = hn::IfThenElse(ovf, L::as_u(ov_value), L::as_u(y));
  const V kInf = L::u(0x7f800000u);
  yb = hn::IfThenElse(mag == kInf, L::as_u(k.inf_input), yb);
  yb = hn::IfThenElse(mag > kInf, L::u(0x7fc00000u), yb);
  if constexpr (kSigns == kSignsPlain) {
    return yb | sign;
  } else {
    return yb | hn::IfThenZeroElse(yb == zero, sign);  // a zero result is +0; NaN keeps the sign
  }
}

// count_events (round_core.inl) on float32 encodings; per-lane uint32 counters, which the caller
// sums before any lane can wrap.
struct F32Counts {
  F32Lanes::V nan_input, differ, overflow, below_normal, zero_out, zero_in;
  HWY_INLINE F32Counts()
      : nan_input(F32Lanes::u(0)), differ(F32Lanes::u(0)), overflow(F32Lanes::u(0)),
        below_normal(F32Lanes::u(0)), zero_out(F32Lanes::u(0)), zero_in(F32Lanes::u(0)) {}
};

HWY_INLINE F32Lanes::V count_if(F32Lanes::V acc, F32Lanes::M m) {
  return acc - hn::VecFromMask(F32Lanes::D(), m);  // a true lane is all ones: -1
}

HWY_INLINE void count_events_f32(F32Lanes::V in_bits, F32Lanes::V out_bits, const F32Consts& k, F32Counts& c) {
  using L = F32Lanes;
  const L::V ai = in_bits & L::u(0x7fffffffu), ao = out_bits & L::u(0x7fffffffu), zero = L::u(0);
  c.nan_input = count_if(c.nan_input, ai > L::u(0x7f800000u));
  c.differ = count_if(c.differ, hn::Not(L::fmask(L::as_f(in_bits) == L::as_f(out_bits))));
  c.overflow = count_if(c.overflow, k.overflow_span > ai - k.above_max);  // max < |x| < Inf
  c.below_normal = count_if(c.below_normal, k.min_normal > ao);
  c.zero_out = count_if(c.zero_out, ao == zero);
  c.zero_in = count_if(c.zero_in, ai == zero);
}

HWY_INLINE std::uint64_t lane_total(F32Lanes::V v) {
  // Summed in 64 bits: each lane is below 2^32, their sum need not be. (Once per flush.)
  HWY_ALIGN std::uint32_t lane[64];  // >= the uint32 lanes of any x86 target
  hn::Store(v, F32Lanes::D(), lane);
  std::uint64_t sum = 0;
  for (size_t l = 0; l < F32Lanes::lanes(); ++l) sum += lane[l];
  return sum;
}

}  // namespace floatscope::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // FLOATSCOPE_ROUND_F32_HWY_H_
