// The lane-generic rounding core: round_core and count_events over a lane type L (see
// lanes_scalar.hpp). Deliberately without include guard or namespace: round_kernel.hpp includes
// it once into floatscope::detail (scalar lanes, host and CUDA device code), and each SIMD
// translation unit includes it once per Highway target into that target's namespace, so the one
// source is compiled with every target's instruction set (lib/src/simd/round_range.cpp).

// RoundParams as lanes: splatted once per loop, not per value.
template <class L>
struct RoundConsts {
  typename L::U emin_field, qb_add, qb_sub, sr_mask;
  typename L::F max_finite, min_positive, overflow_value, inf_input, max_or_overflow;
  bool has_zero, neg_zero, is_signed, saturate;
};

template <class L>
FLOATSCOPE_HD inline RoundConsts<L> make_round_consts(const RoundParams& p) {
  return {L::u(p.emin_field),      L::u(p.qb_add),         L::u(p.qb_sub),
          L::u(p.sr_mask),         L::f(p.max_finite),     L::f(p.min_positive),
          L::f(p.overflow_value),  L::f(p.inf_input),
          L::f(p.saturate ? p.max_finite : p.overflow_value),
          p.has_zero,              p.neg_zero,             p.is_signed,
          p.saturate};
}

// Rounds the doubles whose bit patterns are `bits`; `rnd` holds each lane's 64 random bits (read
// by the stochastic modes only). kSigns must be p.signs or kSignsGeneric (which handles all).
template <Mode M, int kSigns, class L>
FLOATSCOPE_HD inline typename L::U round_core(typename L::U bits, typename L::U rnd,
                                              const RoundConsts<L>& k) {
  using U = typename L::U;
  using F = typename L::F;
  using Mk = typename L::M;
  const U kSign = L::u(0x8000000000000000ULL), kFrac = L::u(0x000fffffffffffffULL);
  const U kInf = L::u(0x7ff0000000000000ULL), kQNaN = L::u(0x7ff8000000000000ULL);
  const U zero = L::u(0), one = L::u(1), k52 = L::u(52), k63 = L::u(63), k64 = L::u(64);

  const U mag = bits & L::u(0x7fffffffffffffffULL);
  const U sign = bits & kSign;
  const Mk neg = L::mnot(L::eq(sign, zero));
  const U E = L::template shr_n<52>(mag);

  // Quantum exponent (biased), the integer significand and the shift that cuts it there
  // (shift >= 0: emin >= -1022 and man_bits <= 52).
  const U qb = L::sel(L::le(k.emin_field, E), E + k.qb_add, k.qb_sub);
  const Mk E_zero = L::eq(E, zero);
  const U sig = (mag & kFrac) | L::sel(E_zero, zero, kFrac + one);
  const U shift = qb - L::sel(E_zero, one, E);

  U kept = L::shr(sig, L::sel(L::lt(shift, k63), shift, k63));  // sig < 2^53: >= 53 leaves 0
  // floor(f * 2^64): sig << (64 - shift) while shift <= 63 (as two shifts, so that shift 0,
  // where nothing is dropped, needs no count of 64), else sig >> (shift - 64).
  const Mk near = L::le(shift, k63);
  const U far_count = L::sel(near, zero, shift - k64);
  const U dropped = L::sel(near, L::shl(L::shl(sig, k63 - L::sel(near, shift, zero)), one),
                           L::shr(sig, L::sel(L::lt(far_count, k63), far_count, k63)));
  const Mk inexact =
      L::mor(L::mnot(L::eq(dropped, zero)), L::mand(L::lt(k64, shift), L::mnot(L::eq(sig, zero))));

  const U half = kSign;
  Mk up = L::mconst(false);
  if constexpr (M == Mode::rne) {
    up = L::mor(L::lt(half, dropped), L::mand(L::eq(dropped, half), L::eq(kept & one, one)));
  } else if constexpr (M == Mode::rna) {
    up = L::le(half, dropped);
  } else if constexpr (M == Mode::rup) {
    up = L::mand(inexact, L::mnot(neg));
  } else if constexpr (M == Mode::rdn) {
    up = L::mand(inexact, neg);
  } else if constexpr (M == Mode::rto) {
    kept = kept | L::sel(inexact, one, zero);
  } else if constexpr (M == Mode::sr) {
    const U d = dropped & k.sr_mask;
    up = L::lt(d + (rnd & k.sr_mask), d);  // carry out of the top r bits
  } else if constexpr (M == Mode::sr_equal) {
    up = L::mand(inexact, L::mnot(L::eq(rnd & kSign, zero)));
  }
  kept = kept + L::sel(up, one, zero);

  // 2^qe: a normal power from the exponent field (qe >= -1022), else a subnormal single bit.
  // (Only Inf/NaN inputs can make qe >= 1024; their results are replaced below.)
  const Mk p_normal = L::le(L::u(53), qb);
  const U p_bits = L::sel(p_normal, L::shl(qb - k52, k52), L::shl(one, L::sel(p_normal, zero, qb - one)));
  F y = L::to_f(kept) * L::as_f(p_bits);  // kept <= 2^53: exact

  // Overflow: directed modes never overflow toward zero (IEEE 754 s.7.4); rto like rtz.
  const Mk ovf = L::flt(k.max_finite, y);
  F ov_value;
  if constexpr (M == Mode::rtz || M == Mode::rto) {
    ov_value = k.max_finite;
  } else if constexpr (M == Mode::rup) {
    ov_value = L::fsel(neg, k.max_finite, k.max_or_overflow);
  } else if constexpr (M == Mode::rdn) {
    ov_value = L::fsel(neg, k.max_or_overflow, k.max_finite);
  } else {
    ov_value = k.max_or_overflow;
  }
  y = L::fsel(ovf, ov_value, y);

  // Inf and NaN inputs; a NaN result is copysign(qNaN, x).
  const Mk in_nan = L::lt(kInf, mag);
  const Mk in_inf = L::eq(mag, kInf);
  y = L::fsel(in_inf, k.inf_input, y);
  y = L::fsel(in_nan, L::as_f(kQNaN), y);
  const U yb = L::as_u(y);
  if constexpr (kSigns == kSignsPlain) {
    return yb | sign;
  } else if constexpr (kSigns == kSignsNoNegZero) {
    return yb | L::sel(L::eq(yb, zero), zero, sign);  // a zero result is +0; NaN keeps the sign
  } else {
    // NaN and Inf inputs that give NaN keep x's sign (copysign); NaN from an overflow does not.
    const Mk nan_in = L::mor(in_nan, L::mand(in_inf, L::lt(kInf, L::as_u(k.inf_input))));
    U res = yb;
    if (!k.has_zero) res = L::sel(L::eq(res, zero), L::as_u(k.min_positive), res);
    if (k.is_signed) {
      res = res | (k.neg_zero ? sign : L::sel(L::eq(res, zero), zero, sign));
    } else {
      // No code for a negative nonzero value, nor (E8M0: no zero) for a zero of either sign
      // (OCP MX v1.0 s.5.4): both give NaN.
      const Mk nz = L::mnot(L::eq(mag, zero));
      const Mk bad = k.has_zero ? L::mand(neg, nz) : L::mor(L::mand(neg, nz), L::mnot(nz));
      res = L::sel(bad, kQNaN, res);
    }
    return L::sel(nan_in, kQNaN | sign, res);
  }
}

// Per-lane event counters, summed at the end of a range.
template <class L>
struct LaneCounts {
  typename L::U inexact, overflow, underflow, flushed, nan_input;
  // User-provided (not default member initialisers): GCC gives an implicit constructor no
  // target attributes, so it could not inline the target's vector splats.
  FLOATSCOPE_HD LaneCounts()
      : inexact(L::u(0)), overflow(L::u(0)), underflow(L::u(0)), flushed(L::u(0)), nan_input(L::u(0)) {}
};

// The events of one (input, rounded) pair: the definition behind classify().
//   inexact    a non-NaN input whose result differs (a NaN result included);
//   overflow   a finite input beyond max finite (it ends at +-max, +-Inf or NaN);
//   underflow  a nonzero non-NaN input whose result is below the smallest normal (zero included);
//   flushed    a nonzero non-NaN input whose result is zero;
//   nan input  counted always; kept as nan_unrepresentable for formats without NaN.
template <class L>
FLOATSCOPE_HD inline void count_events(typename L::U in_bits, typename L::U out_bits,
                                       typename L::F max_finite, typename L::F min_normal,
                                       LaneCounts<L>& c) {
  using U = typename L::U;
  const U kAbs = L::u(0x7fffffffffffffffULL), kInf = L::u(0x7ff0000000000000ULL);
  const U ai = in_bits & kAbs, ao = out_bits & kAbs;
  const typename L::M in_nan = L::lt(kInf, ai);
  const typename L::M nonzero = L::mnot(L::mor(in_nan, L::eq(ai, L::u(0))));
  c.nan_input = L::count(c.nan_input, in_nan);
  c.inexact = L::count(c.inexact, L::mand(L::mnot(in_nan), L::mnot(L::feq(L::as_f(in_bits), L::as_f(out_bits)))));
  c.overflow = L::count(c.overflow, L::mand(L::mand(L::flt(max_finite, L::as_f(ai)), L::lt(ai, kInf)),
                                            L::mnot(L::flt(L::as_f(ao), max_finite))));
  c.underflow = L::count(c.underflow, L::mand(nonzero, L::flt(L::as_f(ao), min_normal)));
  c.flushed = L::count(c.flushed, L::mand(nonzero, L::eq(ao, L::u(0))));
}

