// AVX-512 (F + DQ + VL) version of round_range: round_kernel<M> on 8 doubles at a time.
//
// The result must equal the scalar kernel's bit for bit. Three ways to get the rounded magnitude,
// picked once per call from the format (SimdPath):
//   fp_add   the significand is rounded by one hardware addition |x| + C with C = 2^(qe+52),
//            whose ulp is the target quantum 2^qe, in the rounding direction the mode needs
//            (embedded rounding, so the caller's MXCSR mode does not matter); (|x| + C) - C is
//            then exact. This needs |x| < C (man_bits <= 51) and C finite (emax - man_bits <=
//            971); beyond the format's range the quantum is clamped, which keeps the result
//            above max finite. Modes that need the dropped bits (rna, sr) compute them as
//            (|x| - t) * 2^(64-qe) (needs qe >= -959) and add one ulp to the bits of |x| + C.
//   exact    every finite double is on the grid (fp64): the magnitude is |x|.
//   integer  the scalar kernel's own method with variable shifts (other formats).
// The range checks, special values and sign handling that follow are the scalar kernel's, with
// branches turned into lane masks. Included by round_simd.hpp only when __AVX512F__, __AVX512DQ__
// and __AVX512VL__ are defined.
#pragma once

// GCC 12's AVX-512 intrinsics self-initialise an undefined operand (GCC PR 105593) and then
// warn about it wherever they are inlined; the warning says nothing about this code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

// The per-vector helpers are large; without forcing, GCC calls them out of line and reloads every
// constant per vector, which costs more than the arithmetic.
#if defined(__GNUC__)
#define FLOATSCOPE_SIMD_INLINE inline __attribute__((always_inline))
#else
#define FLOATSCOPE_SIMD_INLINE inline
#endif

namespace floatscope::detail {

enum class SimdPath { integer, fp_add, exact };

// Embedded rounding controls for the fp_add path.
inline constexpr int kRN = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
inline constexpr int kRZ = _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC;
inline constexpr int kRU = _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC;

inline SimdPath choose_simd_path(const RoundParams& p) {
  if (p.man_bits == 52 && p.subnormals && p.emin == -1022 &&
      p.max_finite == std::numeric_limits<double>::max())
    return SimdPath::exact;
  const int qe_min = p.subnormals ? p.emin - p.man_bits : p.emin;
  if (p.man_bits <= 51 && std::ilogb(p.max_finite) - p.man_bits <= 971 && qe_min >= -959)
    return SimdPath::fp_add;
  return SimdPath::integer;
}

// How the sign and zero of a result are formed, from the cheapest case up:
inline constexpr int kSignsPlain = 0;      // signed, +0 and -0: result = y with x's sign
inline constexpr int kSignsNoNegZero = 1;  // signed, one zero (FNUZ, int8): a zero result is +0
inline constexpr int kSignsGeneric = 2;    // unsigned or without zero (E8M0): every fix-up

// Broadcast constants for one (format, rounding) pair. Quantum exponents are kept biased,
// qb = qe + 1075, so that 2^(qe+52) is qb << 52 and the shift that cuts the 53-bit integer
// significand at the quantum is qb - max(E, 1).
struct Avx512Consts {
  __m512i emin_field;  // E >= this: normal in the target (e >= emin)
  __m512i qb_off;      // qb = E - qb_off for those (qb_off = man_bits - 52)
  __m512i qb_sub;      // qb below emin
  __m512i qb_max;      // fp_add: qb of the format's top binade
  __m512d max_finite;
  __m512d overflow_toward;  // an overflow rounded away from zero: saturate ? max : overflow_value
  __m512d inf_input;
  __m512d min_positive;
  __m512d min_normal;
  __m512i sr_mask;
  __mmask8 inf_to_nan;  // all lanes when Inf input becomes NaN, else none
  int signs;            // kSignsPlain, kSignsNoNegZero or kSignsGeneric
  bool has_zero, neg_zero, is_signed, has_nan;
};

inline Avx512Consts make_avx512_consts(const RangeContext& ctx) {
  const RoundParams& p = ctx.round;
  const int emax = std::ilogb(p.max_finite);
  Avx512Consts k;
  k.emin_field = _mm512_set1_epi64(p.emin + 1023);
  k.qb_off = _mm512_set1_epi64(p.man_bits - 52);
  k.qb_sub = _mm512_set1_epi64((p.subnormals ? p.emin - p.man_bits : p.emin) + 1075);
  k.qb_max = _mm512_set1_epi64(emax - p.man_bits + 1075);
  k.max_finite = _mm512_set1_pd(p.max_finite);
  k.overflow_toward = _mm512_set1_pd(p.saturate ? p.max_finite : p.overflow_value);
  k.inf_input = _mm512_set1_pd(p.inf_input);
  k.min_positive = _mm512_set1_pd(p.min_positive);
  k.min_normal = _mm512_set1_pd(ctx.events.min_normal);
  k.sr_mask = _mm512_set1_epi64(static_cast<long long>(p.sr_mask));
  k.inf_to_nan = p.inf_input != p.inf_input ? 0xff : 0;
  k.signs = !(p.has_zero && p.is_signed) ? kSignsGeneric : p.neg_zero ? kSignsPlain : kSignsNoNegZero;
  k.has_zero = p.has_zero;
  k.neg_zero = p.neg_zero;
  k.is_signed = p.is_signed;
  k.has_nan = ctx.events.has_nan;
  return k;
}

// mix64 (random.hpp) up to, not including, its final z ^ (z >> 31).
FLOATSCOPE_SIMD_INLINE __m512i avx512_mix64_head(__m512i z) {
  z = _mm512_xor_si512(z, _mm512_srli_epi64(z, 30));
  z = _mm512_mullo_epi64(z, _mm512_set1_epi64(static_cast<long long>(kMixMul1)));
  z = _mm512_xor_si512(z, _mm512_srli_epi64(z, 27));
  return _mm512_mullo_epi64(z, _mm512_set1_epi64(static_cast<long long>(kMixMul2)));
}

FLOATSCOPE_SIMD_INLINE __m512i avx512_mix64(__m512i z) {
  z = avx512_mix64_head(z);
  return _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
}

// The part of sig below the cut as a 64-bit fraction of an ulp: sig << (64 - shift) while
// shift <= 64, else sig >> (shift - 64); a shift of 0 gives a count of 64, hence 0.
FLOATSCOPE_SIMD_INLINE __m512i avx512_dropped(__m512i sig, __m512i shift) {
  const __m512i k64 = _mm512_set1_epi64(64);
  const __mmask8 near = _mm512_cmple_epi64_mask(shift, k64);
  const __m512i lo = _mm512_srlv_epi64(sig, _mm512_sub_epi64(shift, k64));
  return _mm512_mask_sllv_epi64(lo, near, sig, _mm512_sub_epi64(k64, shift));
}

// Lanes where the dropped part sends the significand up, for the modes that read it.
template <Mode M>
FLOATSCOPE_SIMD_INLINE __mmask8 avx512_up_from_dropped(__m512i dropped, __m512i kept, __m512i rnd) {
  const __m512i kHalf = _mm512_set1_epi64(static_cast<long long>(0x8000000000000000ULL));
  if constexpr (M == Mode::rne) {
    const __mmask8 odd = _mm512_test_epi64_mask(kept, _mm512_set1_epi64(1));
    return _mm512_cmpgt_epu64_mask(dropped, kHalf) | (_mm512_cmpeq_epi64_mask(dropped, kHalf) & odd);
  } else if constexpr (M == Mode::rna) {
    return _mm512_cmpge_epu64_mask(dropped, kHalf);
  } else {
    static_assert(M == Mode::sr);
    // For sr, rnd holds ~(R & mask) (Avx512Rng::next_sr). Carry out of the top r bits of
    // (D & mask) + (R & mask), both multiples of 2^(64-r), means D & mask > ~R & mask, which
    // holds exactly when D > (~R & mask) | ~mask = ~(R & mask).
    return _mm512_cmpgt_epu64_mask(dropped, rnd);
  }
}

// Per-lane event counters, kept in registers over a range and summed at its end.
struct Avx512Counts {
  __m512i inexact = _mm512_setzero_si512(), overflow = _mm512_setzero_si512(),
          underflow = _mm512_setzero_si512(), flushed = _mm512_setzero_si512(),
          nan_unrepresentable = _mm512_setzero_si512();

  FLOATSCOPE_SIMD_INLINE void add_to(EventCounts& c, bool has_nan) const {
    c.inexact += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(inexact));
    c.overflow += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(overflow));
    c.underflow += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(underflow));
    c.flushed += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(flushed));
    if (!has_nan)
      c.nan_unrepresentable += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(nan_unrepresentable));
  }
};

FLOATSCOPE_SIMD_INLINE __m512i avx512_count_if(__m512i acc, __mmask8 m) {
  return _mm512_mask_sub_epi64(acc, m, acc, _mm512_set1_epi64(-1));
}

// round_kernel<M> on the valid lanes of 8 doubles (as bits), adding their events (count_events)
// to `n`; rnd holds each lane's 64 random bits (for sr: ~(bits & sr_mask), see next_sr).
template <Mode M, SimdPath P, int kSigns>
FLOATSCOPE_SIMD_INLINE __m512i avx512_round8(__m512i bits, __m512i rnd, __mmask8 valid,
                                             const Avx512Consts& k, Avx512Counts& n) {
  const __m512i kSign = _mm512_set1_epi64(static_cast<long long>(0x8000000000000000ULL));
  const __m512i kFrac = _mm512_set1_epi64(0x000fffffffffffffLL);
  const __m512i kHidden = _mm512_set1_epi64(0x0010000000000000LL);
  const __m512i kInf = _mm512_set1_epi64(0x7ff0000000000000LL);
  const __m512i kQNaN = _mm512_set1_epi64(0x7ff8000000000000LL);
  const __m512i kOne = _mm512_set1_epi64(1);

  const __m512i mag = _mm512_andnot_si512(kSign, bits);
  const __m512i sign = _mm512_and_si512(bits, kSign);  // (used by the generic sign path)
  const __mmask8 neg = _mm512_test_epi64_mask(bits, kSign);
  const __m512d a = _mm512_castsi512_pd(mag);

  // Biased quantum exponent; the integer significand and the shift that cuts it there.
  const __m512i E = _mm512_srli_epi64(mag, 52);
  const __mmask8 normal = _mm512_cmpge_epi64_mask(E, k.emin_field);
  const __m512i qb = _mm512_mask_sub_epi64(k.qb_sub, normal, E, k.qb_off);
  auto significand = [&] {
    const __m512i frac = _mm512_and_si512(mag, kFrac);
    return _mm512_mask_or_epi64(frac, _mm512_test_epi64_mask(mag, kInf), frac, kHidden);
  };
  auto shift_of = [&] { return _mm512_sub_epi64(qb, _mm512_max_epi64(E, kOne)); };

  __m512d y;
  if constexpr (P == SimdPath::exact) {
    y = a;
  } else if constexpr (P == SimdPath::fp_add) {
    const __m512i qc = _mm512_min_epi64(qb, k.qb_max);
    const __m512d C = _mm512_castsi512_pd(_mm512_slli_epi64(qc, 52));
    // s = C + kept * 2^qe: the low bits of s's fraction field are kept's.
    __m512i s;
    if constexpr (M == Mode::rne) {
      s = _mm512_castpd_si512(_mm512_add_round_pd(a, C, kRN));
    } else if constexpr (M == Mode::rup || M == Mode::rdn) {
      // Up for x > 0 moves |x| away from zero; for x < 0 toward it (rdn the mirror image).
      const __m512i away = _mm512_castpd_si512(_mm512_add_round_pd(a, C, kRU));
      const __m512i toward = _mm512_castpd_si512(_mm512_add_round_pd(a, C, kRZ));
      s = M == Mode::rup ? _mm512_mask_mov_epi64(away, neg, toward)
                         : _mm512_mask_mov_epi64(toward, neg, away);
    } else {
      s = _mm512_castpd_si512(_mm512_add_round_pd(a, C, kRZ));
      if constexpr (M == Mode::rto || M == Mode::sr_equal) {
        const __m512d t = _mm512_sub_pd(_mm512_castsi512_pd(s), C);
        const __mmask8 inexact = _mm512_cmp_pd_mask(t, a, _CMP_NEQ_OQ);
        if constexpr (M == Mode::rto) {
          s = _mm512_mask_or_epi64(s, inexact, s, kOne);
        } else {
          s = _mm512_mask_add_epi64(s, inexact & _mm512_movepi64_mask(rnd), s, kOne);
        }
      } else if constexpr (M == Mode::rna || M == Mode::sr) {
        // The dropped fraction in floating point: rem = |x| - t is exact (t >= |x|/2 or t = 0),
        // below 2^qe, and rem * 2^(64-qe) < 2^64 is exact too (2^(64-qe) is a double as
        // qe >= -959, a condition of this path), so truncating it gives floor(f * 2^64).
        const __m512d t = _mm512_sub_pd(_mm512_castsi512_pd(s), C);
        const __m512d rem = _mm512_sub_pd(a, t);
        const __m512d scale = _mm512_castsi512_pd(
            _mm512_slli_epi64(_mm512_sub_epi64(_mm512_set1_epi64(2162), qc), 52));
        const __m512i dropped = _mm512_cvttpd_epu64(_mm512_mul_pd(rem, scale));
        // Inf - Inf is NaN: keep Inf inputs away from the increment (NaN lanes are replaced later).
        const __mmask8 up = _mm512_mask_cmplt_epu64_mask(
            avx512_up_from_dropped<M>(dropped, s, rnd), mag, kInf);
        s = _mm512_mask_add_epi64(s, up, s, kOne);
      }
    }
    y = _mm512_sub_pd(_mm512_castsi512_pd(s), C);  // exact: both are multiples of 2^qe below 2C
  } else {
    const __m512i sig = significand();
    const __m512i shift = shift_of();
    __m512i kept = _mm512_srlv_epi64(sig, shift);
    // Inexact iff some set bit of sig lies below the cut.
    auto inexact_mask = [&] {
      return _mm512_cmpneq_epi64_mask(_mm512_sllv_epi64(kept, shift), sig);
    };
    __mmask8 up = 0;
    if constexpr (M == Mode::rne || M == Mode::rna || M == Mode::sr) {
      up = avx512_up_from_dropped<M>(avx512_dropped(sig, shift), kept, rnd);
    } else if constexpr (M == Mode::rup) {
      up = inexact_mask() & static_cast<__mmask8>(~neg);
    } else if constexpr (M == Mode::rdn) {
      up = inexact_mask() & neg;
    } else if constexpr (M == Mode::rto) {
      kept = _mm512_mask_or_epi64(kept, inexact_mask(), kept, kOne);
    } else if constexpr (M == Mode::sr_equal) {
      up = inexact_mask() & _mm512_movepi64_mask(rnd);  // the top random bit
    }
    kept = _mm512_mask_add_epi64(kept, up, kept, kOne);
    // 2^qe: a normal power from the exponent field (qe >= -1022), else a subnormal single bit.
    const __mmask8 pnormal = _mm512_cmpge_epi64_mask(qb, _mm512_set1_epi64(53));
    const __m512i p_sub = _mm512_sllv_epi64(kOne, _mm512_sub_epi64(qb, kOne));
    const __m512i p_norm = _mm512_slli_epi64(_mm512_sub_epi64(qb, _mm512_set1_epi64(52)), 52);
    const __m512d pow2 = _mm512_castsi512_pd(_mm512_mask_mov_epi64(p_sub, pnormal, p_norm));
    y = _mm512_mul_pd(_mm512_cvtepu64_pd(kept), pow2);  // kept < 2^54: exact
  }

  // Overflow: directed modes never overflow toward zero (IEEE 754 s.7.4); rto like rtz.
  const __mmask8 ovf = _mm512_cmp_pd_mask(y, k.max_finite, _CMP_GT_OQ);
  __m512d ov_value;
  if constexpr (M == Mode::rtz || M == Mode::rto) {
    ov_value = k.max_finite;
  } else if constexpr (M == Mode::rup) {
    ov_value = _mm512_mask_mov_pd(k.overflow_toward, neg, k.max_finite);
  } else if constexpr (M == Mode::rdn) {
    ov_value = _mm512_mask_mov_pd(k.max_finite, neg, k.overflow_toward);
  } else {
    ov_value = k.overflow_toward;
  }
  y = _mm512_mask_mov_pd(y, ovf, ov_value);

  // Inf and NaN inputs: a NaN result is copysign(qNaN, x), like the scalar kernel's.
  const __mmask8 in_nan = _mm512_cmpgt_epu64_mask(mag, kInf);
  // For rne/rna/sr/sr_equal the fp_add path sends an Inf input through the overflow above,
  // which gives saturate ? max : overflow_value, i.e. inf_input: no separate fix-up needed.
  constexpr bool kInfViaOverflow =
      P == SimdPath::fp_add &&
      (M == Mode::rne || M == Mode::rna || M == Mode::sr || M == Mode::sr_equal);
  const __mmask8 ok = valid & static_cast<__mmask8>(~in_nan);  // lanes counted by most events
  __m512i res;
  __m512d out_mag;  // |result| for the event counts
  if constexpr (kSigns != kSignsGeneric) {
    // Signed: the result is y with x's sign; a NaN y (NaN input, or an overflow or Inf input
    // that becomes NaN) is the canonical qNaN, and the sign copy gives copysign(qNaN, x).
    if constexpr (!kInfViaOverflow) {
      y = _mm512_mask_mov_pd(y, _mm512_cmpeq_epi64_mask(mag, kInf), k.inf_input);
    }
    y = _mm512_mask_mov_pd(y, in_nan, _mm512_castsi512_pd(kQNaN));
    const __m512i yb = _mm512_castpd_si512(y);
    if constexpr (kSigns == kSignsPlain) {
      res = _mm512_ternarylogic_epi64(yb, bits, kSign, 0xf8);  // y | (bits & sign)
    } else {
      // Without -0 a zero result stays +0 (NaN compares unequal to 0, so it gets the sign).
      const __mmask8 y_nonzero = _mm512_cmp_pd_mask(y, _mm512_setzero_pd(), _CMP_NEQ_UQ);
      res = _mm512_mask_ternarylogic_epi64(yb, y_nonzero, bits, kSign, 0xf8);
    }
    out_mag = y;
  } else {
    const __mmask8 in_inf = _mm512_cmpeq_epi64_mask(mag, kInf);
    y = _mm512_mask_mov_pd(y, in_inf, k.inf_input);
    const __mmask8 nan_out = in_nan | (in_inf & k.inf_to_nan);
    const __m512d zero = _mm512_setzero_pd();
    if (!k.has_zero) {
      y = _mm512_mask_mov_pd(y, _mm512_cmp_pd_mask(y, zero, _CMP_EQ_OQ), k.min_positive);
    }
    res = _mm512_castpd_si512(y);  // y >= 0 (or +NaN) here: its sign bit is clear
    if (k.is_signed) {
      __m512i s = sign;
      // Formats without -0 give +0 for a negative input that rounds to zero.
      if (!k.neg_zero) s = _mm512_maskz_mov_epi64(_mm512_cmp_pd_mask(y, zero, _CMP_NEQ_UQ), s);
      res = _mm512_or_si512(res, s);
    } else {
      // No code for a negative nonzero value, nor for a zero of either sign without a zero.
      const __mmask8 nz = _mm512_test_epi64_mask(mag, mag);
      const __mmask8 bad = (neg & nz) | (k.has_zero ? __mmask8{0} : static_cast<__mmask8>(~nz));
      res = _mm512_mask_mov_epi64(res, bad, kQNaN);
    }
    res = _mm512_mask_or_epi64(res, nan_out, kQNaN, sign);
    out_mag = _mm512_castsi512_pd(_mm512_andnot_si512(kSign, res));
  }

  // Events, as count_events defines them. A finite |x| > max finite always ends at +-max, +-Inf
  // or NaN (rounding is monotone and max is on the grid), so overflow needs only the input.
  const __mmask8 nonzero = _mm512_mask_test_epi64_mask(ok, mag, mag);
  n.inexact = avx512_count_if(
      n.inexact, _mm512_mask_cmp_pd_mask(ok, _mm512_castsi512_pd(bits), _mm512_castsi512_pd(res),
                                         _CMP_NEQ_UQ));
  n.overflow = avx512_count_if(
      n.overflow, _mm512_mask_cmp_pd_mask(_mm512_mask_cmp_pd_mask(ok, a, k.max_finite, _CMP_GT_OQ),
                                          a, _mm512_castsi512_pd(kInf), _CMP_LT_OQ));
  n.underflow = avx512_count_if(
      n.underflow, _mm512_mask_cmp_pd_mask(nonzero, out_mag, k.min_normal, _CMP_LT_OQ));
  n.flushed = avx512_count_if(
      n.flushed, _mm512_mask_cmp_pd_mask(nonzero, out_mag, _mm512_setzero_pd(), _CMP_EQ_OQ));
  // Counted unconditionally (a branch here keeps the counters out of registers); add_to keeps
  // the count only for formats without NaN.
  n.nan_unrepresentable = avx512_count_if(n.nan_unrepresentable, valid & in_nan);
  return res;
}

// Random words for lanes first+i .. first+i+7 come from a Weyl sequence advanced 8 steps per
// vector, so the vector loop needs no 64-bit index multiplication.
struct Avx512Rng {
  __m512i weyl;  // key + (index + 1) * gamma for each lane
  __m512i step;

  Avx512Rng(std::uint64_t key, std::uint64_t first) {
    alignas(64) std::uint64_t w[8];
    for (int l = 0; l < 8; ++l)
      w[l] = key + (first + static_cast<std::uint64_t>(l) + 1) * kWeylGamma;
    weyl = _mm512_load_si512(w);
    step = _mm512_set1_epi64(static_cast<long long>(8 * kWeylGamma));
  }
  FLOATSCOPE_SIMD_INLINE __m512i next() {
    const __m512i r = avx512_mix64(weyl);
    weyl = _mm512_add_epi64(weyl, step);
    return r;
  }
  // ~(bits & mask), with the mixer's last xor folded into one ternary-logic op.
  FLOATSCOPE_SIMD_INLINE __m512i next_sr(__m512i mask) {
    const __m512i z = avx512_mix64_head(weyl);
    weyl = _mm512_add_epi64(weyl, step);
    return _mm512_ternarylogic_epi64(z, _mm512_srli_epi64(z, 31), mask, 0xd7);  // ~((a ^ b) & c)
  }
  template <Mode M>
  FLOATSCOPE_SIMD_INLINE __m512i draw(__m512i sr_mask) {
    if constexpr (M == Mode::sr) return next_sr(sr_mask);
    return next();
  }
};

// Loads and stores of 8 elements: doubles as they are, floats widened (exact) and narrowed
// (exact: the format's values, Inf and the canonical NaN are all floats).
FLOATSCOPE_SIMD_INLINE __m512i avx512_load8(const double* p) { return _mm512_loadu_si512(p); }
FLOATSCOPE_SIMD_INLINE __m512i avx512_load8(const float* p) {
  return _mm512_castpd_si512(_mm512_cvtps_pd(_mm256_loadu_ps(p)));
}
FLOATSCOPE_SIMD_INLINE __m512i avx512_load8(const double* p, __mmask8 m) {
  return _mm512_maskz_loadu_epi64(m, p);
}
FLOATSCOPE_SIMD_INLINE __m512i avx512_load8(const float* p, __mmask8 m) {
  return _mm512_castpd_si512(_mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, p)));
}
FLOATSCOPE_SIMD_INLINE void avx512_store8(double* p, __m512i v) { _mm512_storeu_si512(p, v); }
FLOATSCOPE_SIMD_INLINE void avx512_store8(float* p, __m512i v) {
  _mm256_storeu_ps(p, _mm512_cvtpd_ps(_mm512_castsi512_pd(v)));
}
// Non-temporal: the output goes to memory without being read into the cache first.
FLOATSCOPE_SIMD_INLINE void avx512_stream8(double* p, __m512i v) {
  _mm512_stream_pd(p, _mm512_castsi512_pd(v));
}
FLOATSCOPE_SIMD_INLINE void avx512_stream8(float* p, __m512i v) {
  _mm256_stream_ps(p, _mm512_cvtpd_ps(_mm512_castsi512_pd(v)));
}
FLOATSCOPE_SIMD_INLINE void avx512_store8(double* p, __m512i v, __mmask8 m) {
  _mm512_mask_storeu_epi64(p, m, v);
}
FLOATSCOPE_SIMD_INLINE void avx512_store8(float* p, __m512i v, __mmask8 m) {
  _mm256_mask_storeu_ps(p, m, _mm512_cvtpd_ps(_mm512_castsi512_pd(v)));
}

// stream: out + 0 is aligned to 8 elements and stores bypass the cache.
template <Mode M, SimdPath P, int kSigns, class T>
inline void avx512_range(const T* in, T* out, std::size_t n, const Avx512Consts& k,
                         std::uint64_t key, std::uint64_t first, bool stream, EventCounts& c) {
  constexpr bool kRandom = M == Mode::sr || M == Mode::sr_equal;
  Avx512Rng rng(key, first);
  Avx512Counts counts;
  const __m512i no_rnd = _mm512_setzero_si512();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m512i y =
        avx512_round8<M, P, kSigns>(avx512_load8(in + i), kRandom ? rng.template draw<M>(k.sr_mask) : no_rnd, 0xff, k, counts);
    if (stream) {
      avx512_stream8(out + i, y);
    } else {
      avx512_store8(out + i, y);
    }
  }
  if (i < n) {
    const __mmask8 m = static_cast<__mmask8>((1u << (n - i)) - 1);
    const __m512i y =
        avx512_round8<M, P, kSigns>(avx512_load8(in + i, m), kRandom ? rng.template draw<M>(k.sr_mask) : no_rnd, m, k, counts);
    avx512_store8(out + i, y, m);
  }
  if (stream) _mm_sfence();  // order the streamed lines before what the caller does next
  counts.add_to(c, k.has_nan);
}

template <Mode M, SimdPath P, class T>
inline void avx512_range_plain(const T* in, T* out, std::size_t n, const Avx512Consts& k,
                               std::uint64_t key, std::uint64_t first, bool stream,
                               EventCounts& c) {
  switch (k.signs) {
    case kSignsPlain: avx512_range<M, P, kSignsPlain>(in, out, n, k, key, first, stream, c); break;
    case kSignsNoNegZero:
      avx512_range<M, P, kSignsNoNegZero>(in, out, n, k, key, first, stream, c);
      break;
    default: avx512_range<M, P, kSignsGeneric>(in, out, n, k, key, first, stream, c); break;
  }
}

template <Mode M, SimdPath P, class T>
inline void avx512_range_aligned(const T* in, T* out, std::size_t n, const Avx512Consts& k,
                                 std::uint64_t key, std::uint64_t first, bool stream,
                                 EventCounts& c) {
  // Streaming stores need an aligned address: round the head up to it with ordinary stores.
  const auto addr = reinterpret_cast<std::uintptr_t>(out);
  constexpr std::size_t kAlign = 8 * sizeof(T);
  if (!stream || addr % sizeof(T) != 0) {
    avx512_range_plain<M, P>(in, out, n, k, key, first, false, c);
    return;
  }
  const std::size_t head = std::min(n, ((kAlign - addr % kAlign) % kAlign) / sizeof(T));
  if (head > 0) avx512_range_plain<M, P>(in, out, head, k, key, first, false, c);
  avx512_range_plain<M, P>(in + head, out + head, n - head, k, key, first + head, true, c);
}

template <Mode M, class T>
inline void round_range_avx512(const T* in, T* out, std::size_t n, const RangeContext& ctx,
                               std::uint64_t first, EventCounts& c) {
  const Avx512Consts k = make_avx512_consts(ctx);
  const std::uint64_t key = ctx.rng.key();
  switch (choose_simd_path(ctx.round)) {
    case SimdPath::exact:
      avx512_range_aligned<M, SimdPath::exact>(in, out, n, k, key, first, ctx.stream_stores, c);
      break;
    case SimdPath::fp_add:
      avx512_range_aligned<M, SimdPath::fp_add>(in, out, n, k, key, first, ctx.stream_stores, c);
      break;
    case SimdPath::integer:
      avx512_range_aligned<M, SimdPath::integer>(in, out, n, k, key, first, ctx.stream_stores, c);
      break;
  }
}

}  // namespace floatscope::detail

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
