// The lane-generic rounding core: round_core and count_events over a lane type L (see
// lanes_scalar.hpp). Deliberately without include guard or namespace: round_kernel.hpp includes
// it once into floatscope::detail (scalar lanes, host and CUDA device code), and each SIMD
// translation unit includes it once per Highway target into that target's namespace, so the one
// source is compiled with every target's instruction set (lib/src/simd/round_range.cpp).

// RoundParams as lanes: splatted once per loop, not per value.
template <class L>
struct RoundConsts {
  typename L::U emin_field, qb_add, qb_sub, qb_max, sr_mask;
  typename L::F max_finite, min_positive, overflow_value, inf_input, max_or_overflow;
  bool has_zero, neg_zero, is_signed, saturate;
};

template <class L>
FLOATSCOPE_HD FLOATSCOPE_INLINE RoundConsts<L> make_round_consts(const RoundParams& p) {
  return {L::u(p.emin_field),      L::u(p.qb_add),         L::u(p.qb_sub),     L::u(p.qb_max),
          L::u(p.sr_mask),         L::f(p.max_finite),     L::f(p.min_positive),
          L::f(p.overflow_value),  L::f(p.inf_input),
          L::f(p.saturate ? p.max_finite : p.overflow_value),
          p.has_zero,              p.neg_zero,             p.is_signed,
          p.saturate};
}

// The stochastic decision: with r random bits, the dropped fraction floor(f 2^64) rounds up when
// its top r bits plus r random bits carry out (P(up) = floor(f 2^r) / 2^r exactly). `mask` has the
// top r bits set. (Shared by round_core, round_dd's exact tails and the GEMM kernels' shortcut.)
template <class L>
FLOATSCOPE_HD FLOATSCOPE_INLINE typename L::M sr_rounds_up(typename L::U dropped, typename L::U rnd,
                                                           typename L::U mask) {
  const typename L::U d = dropped & mask;
  return L::lt(d + (rnd & mask), d);
}

// Two ways to the rounded magnitude y = (kept + up) * 2^qe, for the same decision:
//   integer  split the 53-bit significand at the quantum with variable shifts and decide from the
//            dropped part as a 64-bit fraction (above). Every format and mode; the definition.
//   fp_add   let the hardware's round-to-nearest-even addition cut at the quantum: with
//            C = 2^(qe+52), whose ulp is 2^qe, s = |x| + C holds the rounded significand in its
//            low bits and s - C is exact. The truncated s follows by one decrement of s's encoding
//            when rounding went up (the next value below s has the same ulp, also at s = 2C), and
//            the directed modes step up from it when inexact (rtz clears the encoding's bits
//            below the quantum instead: no addition at all). Needs |x| < C in range (man_bits <=
//            51), C finite and 2^qe normal (RoundParams::fp_add); beyond the format's range the
//            quantum is clamped, which keeps the result above max finite. About half the
//            instructions of the integer method. Assumes the default floating-point environment
//            (round to nearest), which the library never changes. Not for sr (its 64-bit fraction
//            needs the integer method).

// Rounds the doubles whose bit patterns are `bits`; `rnd` holds each lane's 64 random bits (read
// by the stochastic modes only). kSigns must be p.signs or kSignsGeneric (which handles all);
// P = fp_add only where RoundParams::fp_add holds and M != sr.
template <Mode M, int kSigns, CorePath P, class L>
FLOATSCOPE_HD FLOATSCOPE_INLINE typename L::U round_core(typename L::U bits, typename L::U rnd,
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

  // Quantum exponent (biased): qb = qe + 1075.
  const U qb = L::sel(L::lt(E, k.emin_field), k.qb_sub, E + k.qb_add);
  F y;
  if constexpr (P == CorePath::fp_add) {
    static_assert(M != Mode::sr, "sr needs the integer method");
    if constexpr (M == Mode::rtz) {
      // Truncation needs no addition: clear the encoding's bits below the quantum (a double's
      // encoding is linear within a binade and below 2^-1022; a cut above bit 52 leaves 0).
      const U cut = qb - L::sel(L::eq(E, zero), one, E);
      const Mk keeps = L::lt(cut, L::u(53));
      y = L::as_f(L::sel(keeps, mag & L::shl(L::u(~std::uint64_t{0}), L::sel(keeps, cut, zero)), zero));
    } else {
      const F a = L::as_f(mag);
      const U qc = L::sel(L::lt(k.qb_max, qb), k.qb_max, qb);
      const F C = L::as_f(L::shl(qc, k52));
      U s = L::as_u(a + C);
      if constexpr (M != Mode::rne) {
        s = s - L::sel(L::flt(a, L::as_f(s) - C), one, zero);  // truncated: s - C <= |x|
        if constexpr (M == Mode::rna) {
          // Up when the remainder is at least half a quantum; 2^(qe-1) is normal (qe >= -959).
          const F rem = a - (L::as_f(s) - C);
          const F half_q = L::as_f(L::shl(qc - L::u(53), k52));
          s = s + L::sel(L::flt(rem, half_q), zero, one);
        } else {
          const Mk inexact = L::mnot(L::feq(L::as_f(s) - C, a));
          if constexpr (M == Mode::rup) {
            s = s + L::sel(L::mand(inexact, L::mnot(neg)), one, zero);
          } else if constexpr (M == Mode::rdn) {
            s = s + L::sel(L::mand(inexact, neg), one, zero);
          } else if constexpr (M == Mode::rto) {
            s = s | L::sel(inexact, one, zero);
          } else if constexpr (M == Mode::sr_equal) {
            s = s + L::sel(L::mand(inexact, L::mnot(L::eq(rnd & kSign, zero))), one, zero);
          }
        }
      }
      y = L::as_f(s) - C;  // exact: both are multiples of 2^qe below 2C
    }
  } else {
    // The integer significand and the shift that cuts it at the quantum (shift >= 0: emin >=
    // -1022 and man_bits <= 52).
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
      up = sr_rounds_up<L>(dropped, rnd, k.sr_mask);
    } else if constexpr (M == Mode::sr_equal) {
      up = L::mand(inexact, L::mnot(L::eq(rnd & kSign, zero)));
    }
    kept = kept + L::sel(up, one, zero);

    // 2^qe: a normal power from the exponent field (qe >= -1022), else a subnormal single bit.
    // (Only Inf/NaN inputs can make qe >= 1024; their results are replaced below.)
    const Mk p_normal = L::le(L::u(53), qb);
    const U p_bits = L::sel(p_normal, L::shl(qb - k52, k52), L::shl(one, L::sel(p_normal, zero, qb - one)));
    y = L::to_f(kept) * L::as_f(p_bits);  // kept <= 2^53: exact
  }

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

// Event counters (add_counts turns them into EventCounts). They count conditions that need no
// mask logic, so that each costs one compare in the vector loop; the events follow by subtraction.
// Counters of type L::C (a scalar for ScalarLanes, per-lane counts in a vector for Highway);
// L::total gives the count. (Sum vector counters inside the target's own code: a function without
// the target's instruction set cannot take its vectors as arguments.)
template <class L>
struct LaneCounts {
  typename L::C nan_input, differ, overflow, below_normal, zero_out, zero_in;
  // User-provided (not default member initialisers): GCC gives an implicit constructor no
  // target attributes, so it could not inline the target's vector splats.
  FLOATSCOPE_HD LaneCounts()
      : nan_input(L::c0()), differ(L::c0()), overflow(L::c0()), below_normal(L::c0()),
        zero_out(L::c0()), zero_in(L::c0()) {}
};

// Bit patterns the event conditions compare with.
template <class L>
struct EventConsts {
  typename L::U above_max, overflow_span, min_normal;
};

template <class L>
FLOATSCOPE_HD FLOATSCOPE_INLINE EventConsts<L> make_event_consts(double max_finite, double min_normal) {
  const typename L::U mx = L::as_u(L::f(max_finite)), one = L::u(1);
  return {mx + one, L::u(0x7ff0000000000000ULL) - mx - one, L::as_u(L::f(min_normal))};
}

// The conditions of one (input, rounded) pair on every lane. Magnitudes compare as their bit
// patterns (non-negative doubles order like their encodings; NaN is above Inf).
template <class L>
FLOATSCOPE_HD FLOATSCOPE_INLINE void count_events(typename L::U in_bits, typename L::U out_bits,
                                                  const EventConsts<L>& e, LaneCounts<L>& c) {
  using U = typename L::U;
  const U kAbs = L::u(0x7fffffffffffffffULL), zero = L::u(0);
  const U ai = in_bits & kAbs, ao = out_bits & kAbs;
  c.nan_input = L::count(c.nan_input, L::lt(L::u(0x7ff0000000000000ULL), ai));
  c.differ = L::count(c.differ, L::mnot(L::feq(L::as_f(in_bits), L::as_f(out_bits))));
  c.overflow = L::count(c.overflow, L::lt(ai - e.above_max, e.overflow_span));  // max < |x| < Inf
  c.below_normal = L::count(c.below_normal, L::lt(ao, e.min_normal));
  c.zero_out = L::count(c.zero_out, L::eq(ao, zero));
  c.zero_in = L::count(c.zero_in, L::eq(ai, zero));
}

// ---- exact sums ------------------------------------------------------------------------------

// The sign of an exact zero sum (IEEE 754-2019 s.6.3) under roundTowardNegative: hi = RN(s + t);
// where hi is zero the sum is -0 unless both terms are +0 (round to nearest gave +0 for x + (-x)
// and +0 + -0; for every other mode that is already IEEE's result).
template <class L>
FLOATSCOPE_HD FLOATSCOPE_INLINE typename L::F rdn_zero_sum(typename L::F hi, typename L::F s,
                                                           typename L::F t) {
  const typename L::U kSign = L::u(0x8000000000000000ULL);
  return L::fsel(L::feq(hi, L::f(0.0)), L::as_f(L::as_u(hi) | ((L::as_u(s) | L::as_u(t)) & kSign)), hi);
}

// Round-to-odd of hi + lo at 53 bits, as bits, where hi = RN(hi + lo) is finite and |lo| <=
// ulp(hi)/2 (else hi itself): the odd neighbour of hi toward lo when lo != 0 and hi is even. It
// keeps every bit a target of precision p <= 51 needs, so round_core on it rounds hi + lo once.
template <class L>
FLOATSCOPE_HD FLOATSCOPE_INLINE typename L::U round_to_odd_bits(typename L::F hi, typename L::F lo) {
  using U = typename L::U;
  const U hb = L::as_u(hi), lb = L::as_u(lo), zero = L::u(0), one = L::u(1);
  const U kAbs = L::u(0x7fffffffffffffffULL), kSign = L::u(0x8000000000000000ULL);
  const typename L::M tail = L::mand(L::mnot(L::eq(lb & kAbs, zero)),
                                     L::mand(L::eq(hb & one, zero), L::lt(hb & kAbs, L::u(0x7ff0000000000000ULL))));
  // Same signs: one step away from zero in the encoding; opposite signs: one step toward it.
  const U step = L::sel(L::eq((hb ^ lb) & kSign, zero), one, L::u(~std::uint64_t{0}));
  return hb + L::sel(tail, step, zero);
}

// The block-FMA unit's step (docs/references.md, fused units): every term truncated toward zero
// to a multiple of 2^(E-F), summed exactly, rounded once. Terms are taken scaled by
// up = 2^(F-E), so that each is an integer below 2^(F+2) <= 2^50 and the sum of at most 1024
// of them and the running value fits an int64 exactly.
template <class L>
FLOATSCOPE_HD FLOATSCOPE_INLINE typename L::U fused_term(typename L::F x, typename L::F up) {
  return L::to_i(L::trunc(x * up));  // x * up is exact: a power-of-two scaling inside double's range
}

// The exact sum S (int64 lanes, in units of 2^(E-F); down = 2^(E-F)) rounded once by mode M
// (deterministic modes; stochastic callers round hi + lo with round_dd). A zero sum is +0; an
// exact sum at or beyond `limit` = 2^(emax+1) of the output is Inf even under truncation.
// hi + lo = S * down exactly (hi = RN(S), lo = S - hi is a small integer), and round-to-odd
// keeps every bit the output needs: no double rounding for any L <= 1024, F <= 48.
template <Mode M, int kSigns, CorePath P, class L>
FLOATSCOPE_HD FLOATSCOPE_INLINE typename L::U fused_round(typename L::U S, typename L::F down,
                                                          typename L::F limit, const RoundConsts<L>& k,
                                                          typename L::F& hi, typename L::F& lo) {
  using U = typename L::U;
  const typename L::F h = L::to_f(S);
  hi = h * down;
  lo = L::to_f(S - L::to_i(h)) * down;
  const U x = round_to_odd_bits<L>(hi, lo);
  const U kAbs = L::u(0x7fffffffffffffffULL), kSign = L::u(0x8000000000000000ULL);
  const U y = round_core<M, kSigns, P, L>(x, L::u(0), k);
  // Round-to-odd never reaches the power of two 'limit' from below, so x decides exactly.
  const typename L::M big = L::mnot(L::flt(L::as_f(x & kAbs), limit));
  return L::sel(big, (x & kSign) | L::u(0x7ff0000000000000ULL), y);
}

// ---- the normal-binade method (scalar types) ---------------------------------------------------

// Rounding a double whose magnitude lies in the target's normal binades below the top one,
// [2^emin, 2^emax): there the quantum sits at a fixed bit of the double's encoding, shift =
// 52 - man_bits (1..52), so every mode's decision is an integer addition to the encoding followed by
// clearing the bits below the quantum. A carry out of the fraction moves into the next binade,
// which is at most 2^emax <= max finite: no overflow, no subnormal, no special value, and the sign
// bit is never touched. The decisions are round_core's (nearest: compare the dropped part with half
// a quantum; directed: inexact and the sign; sr: sr_rounds_up on the same 64-bit fraction), written
// as additions; outside that range the caller uses round_core. This is the short path of the
// scalar types (float_type.hpp), whose dependent chains cannot afford the general method.
template <Mode M, class L>
FLOATSCOPE_HD FLOATSCOPE_INLINE typename L::U round_normal_binades(typename L::U bits, typename L::U rnd,
                                                                   typename L::U shift, typename L::U sr_mask) {
  using U = typename L::U;
  const U zero = L::u(0), one = L::u(1), all = L::u(~std::uint64_t{0});
  const U low = L::shl(one, shift) - one;  // the bits below the quantum
  const U keep = low ^ all;
  if constexpr (M == Mode::rne) {
    // Half a quantum less one, plus the kept last bit: reaches the next quantum above half, and at
    // exactly half only from an odd significand.
    return (bits + L::shr(low, one) + (L::shr(bits, shift) & one)) & keep;
  } else if constexpr (M == Mode::rna) {
    return (bits + L::shl(one, shift - one)) & keep;
  } else if constexpr (M == Mode::rtz) {
    return bits & keep;
  } else if constexpr (M == Mode::rup || M == Mode::rdn) {
    const U neg = L::sel(L::lt(bits, L::u(0x8000000000000000ULL)), zero, all);
    const U toward = M == Mode::rup ? low & (neg ^ all) : low & neg;  // away from zero when inexact
    return (bits + toward) & keep;
  } else if constexpr (M == Mode::rto) {
    return (bits & keep) | L::shl(L::sel(L::eq(bits & low, zero), zero, one), shift);
  } else {
    const U dropped = L::shl(bits & low, L::u(64) - shift);  // floor(f * 2^64), f in [0, 1)
    typename L::M up;
    if constexpr (M == Mode::sr) {
      up = sr_rounds_up<L>(dropped, rnd, sr_mask);
    } else {
      up = L::mand(L::mnot(L::eq(dropped, zero)), L::mnot(L::eq(rnd & L::u(0x8000000000000000ULL), zero)));
    }
    return (bits & keep) + L::shl(L::sel(up, one, zero), shift);
  }
}
