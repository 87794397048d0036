// Column-vectorised GEMM kernels (AVX-512): SIMD over 8 output columns per vector, four vectors
// per tile so that four independent accumulation chains hide each other's latency, the k loop
// outside, OpenMP over rows. They compute what DotEngine::run computes, bit for bit (the engine
// is the definition; tests/unit/test_accumulator_gemm.cpp compares them):
//   scalar   s = round(s + a*b) with exact products, sequential order, no compensation: TwoSum,
//            round-to-odd to 53 bits when the tail is nonzero (p <= 51), then the shared AVX-512
//            rounding kernel (avx512_round8). SR lanes with a nonzero tail take the scalar round_dd.
//            rne, rtz and sr first round the common case (exact sum, normal range) in a few
//            instructions (shortcut_step) and send only the other lanes down that path.
//   fused    the block-FMA unit: E by vector max of precomputed exponents, terms scaled with
//            scalef, truncated with roundscale, summed exactly in double (|sum| < 2^53), scaled
//            back and rounded once. A tile that meets Inf/NaN is recomputed by the engine.
// Anything else returns false and the engine runs per output.
#include "gemm_kernels.hpp"

#include <omp.h>

#include <cmath>
#include <vector>

#include "floatscope/detail/round_simd.hpp"

namespace floatscope::detail {

#if defined(FLOATSCOPE_ROUND_AVX512)
namespace {

constexpr int kTile = 4;  // vectors of 8 columns per tile
constexpr double kNoExp = -1.0e9;  // exponent of a zero operand: below every real exponent

struct Kernel {
  const DotEngine& engine;
  const Accumulator& acc;
  int M, N, K;
  const double* a;   // M x K
  std::vector<double> b;  // K x N row-major
  const double* C0;
  double* out;
};

bool fp_add_plain(const RoundParams& p) {
  return choose_simd_path(p) == SimdPath::fp_add && p.has_zero && p.is_signed && p.neg_zero;
}

Avx512Consts consts_of(const RoundParams& p) {
  RangeContext ctx{p, EventParams{p.max_finite, 0, true}, CounterRng(0)};
  return make_avx512_consts(ctx);
}

FLOATSCOPE_SIMD_INLINE __mmask8 lane_mask(int j0, int N) {
  const int n = N - j0;
  return n >= 8 ? __mmask8{0xff} : n <= 0 ? __mmask8{0} : static_cast<__mmask8>((1u << n) - 1);
}

FLOATSCOPE_SIMD_INLINE __m512i count(__m512i acc, __mmask8 m) {
  return _mm512_mask_sub_epi64(acc, m, acc, _mm512_set1_epi64(-1));
}

// Round-to-odd of hi + lo at 53 bits where lo != 0 and hi is finite (else hi itself).
FLOATSCOPE_SIMD_INLINE __m512i round_to_odd8(__m512d hi, __m512d lo, __mmask8& tail) {
  const __m512i hb = _mm512_castpd_si512(hi);
  const __mmask8 finite = _mm512_cmp_pd_mask(_mm512_abs_pd(hi), _mm512_set1_pd(INFINITY), _CMP_LT_OQ);
  tail = _mm512_mask_cmp_pd_mask(finite, lo, _mm512_setzero_pd(), _CMP_NEQ_UQ);
  const __mmask8 even = _mm512_mask_testn_epi64_mask(tail, hb, _mm512_set1_epi64(1));
  const __m512i sx = _mm512_xor_si512(hb, _mm512_castpd_si512(lo));
  const __mmask8 opposite = _mm512_test_epi64_mask(sx, _mm512_set1_epi64(static_cast<long long>(0x8000000000000000ULL)));
  __m512i x = _mm512_mask_add_epi64(hb, even & ~opposite, hb, _mm512_set1_epi64(1));
  x = _mm512_mask_sub_epi64(x, even & opposite, x, _mm512_set1_epi64(1));
  return x;
}

// Partial-sum events as DotCtx::count_partial counts them (exact value = hi).
struct Events8 {
  __m512i underflow = _mm512_setzero_si512(), overflow = _mm512_setzero_si512(),
          saturated = _mm512_setzero_si512(), stagnations = _mm512_setzero_si512();
  // Cheap filter first: events need |y| < min normal or |hi| >= max finite (or NaN), rare in
  // a running sum; only then are the exact conditions evaluated.
  FLOATSCOPE_SIMD_INLINE void partial(__mmask8 valid, __m512d hi, __m512d y, double min_normal,
                                      double max_finite) {
    const __mmask8 r = rare(valid, hi, y, min_normal, max_finite);
    if (r) [[unlikely]] partial_exact(r, hi, y, min_normal, max_finite);
  }
  FLOATSCOPE_SIMD_INLINE __mmask8 rare(__mmask8 valid, __m512d hi, __m512d y, double min_normal,
                                       double max_finite) const {
    return _mm512_mask_cmp_pd_mask(valid, _mm512_abs_pd(y), _mm512_set1_pd(min_normal), _CMP_LT_OQ) |
           _mm512_mask_cmp_pd_mask(valid, _mm512_abs_pd(hi), _mm512_set1_pd(max_finite), _CMP_NLT_UQ);
  }
  void partial_exact(__mmask8 valid, __m512d hi, __m512d y, double min_normal, double max_finite) {
    const __m512d inf = _mm512_set1_pd(INFINITY);
    const __m512d ay = _mm512_abs_pd(y), ah = _mm512_abs_pd(hi);
    const __mmask8 y_fin = _mm512_mask_cmp_pd_mask(valid, ay, inf, _CMP_LT_OQ);
    const __mmask8 h_fin = _mm512_mask_cmp_pd_mask(valid, ah, inf, _CMP_LT_OQ);
    overflow = count(overflow, h_fin & ~y_fin);
    underflow = count(underflow, _mm512_mask_cmp_pd_mask(y_fin, ay, _mm512_set1_pd(min_normal), _CMP_LT_OQ) &
                                     _mm512_cmp_pd_mask(hi, _mm512_setzero_pd(), _CMP_NEQ_UQ));
    saturated = count(saturated, _mm512_mask_cmp_pd_mask(y_fin, ay, _mm512_set1_pd(max_finite), _CMP_EQ_OQ) &
                                     _mm512_cmp_pd_mask(ah, _mm512_set1_pd(max_finite), _CMP_GT_OQ));
  }
  void add_to(GemmEvents& e) const {
    e.partials_underflow += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(underflow));
    e.partials_overflow += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(overflow));
    e.partials_saturated += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(saturated));
    e.stagnations += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(stagnations));
  }
};

// s + t rounded once (TwoSum, round-to-odd, vector kernel), deterministic mode M.
template <Mode M>
FLOATSCOPE_SIMD_INLINE __m512d add_round8(__m512d s, __m512d t, const Avx512Consts& k,
                                          __m512d& hi_out) {
  const __m512d hi = _mm512_add_pd(s, t);
  const __m512d bb = _mm512_sub_pd(hi, s);
  const __m512d lo = _mm512_add_pd(_mm512_sub_pd(s, _mm512_sub_pd(hi, bb)), _mm512_sub_pd(t, bb));
  __mmask8 tail;
  const __m512i x = round_to_odd8(hi, lo, tail);
  Avx512Counts dummy;
  hi_out = hi;
  return _mm512_castsi512_pd(avx512_round8<M, SimdPath::fp_add, kSignsPlain>(x, _mm512_setzero_si512(), 0xff, k, dummy));
}

// SR lanes whose exact sum s + p did not fit the round-to-odd double (`tail`) need the exact
// dropped fraction: they take the scalar double-double rounding with the same raw random bits.
FLOATSCOPE_SIMD_INLINE __m512d sr_round_tails(__m512d y, __m512d hi, __m512d lo, __m512i raw,
                                              __mmask8 tail, const RoundParams& params) {
  if (!tail) return y;
  alignas(64) double hv[8], lv[8], yv[8];
  alignas(64) std::uint64_t rv[8];
  _mm512_store_pd(hv, hi);
  _mm512_store_pd(lv, lo);
  _mm512_store_pd(yv, y);
  _mm512_store_si512(rv, raw);
  for (int l = 0; l < 8; ++l)
    if (tail >> l & 1) yv[l] = round_dd<Mode::sr>(hv[l], lv[l], params, rv[l]);
  return _mm512_load_pd(yv);
}

// ---- scalar accumulator: s = round(s + a*b) -------------------------------------------------

// Modes with a shortcut step below.
template <Mode M>
inline constexpr bool kShortcut = M == Mode::rne || M == Mode::rtz || M == Mode::sr;

// The K steps of one tile for kShortcut modes. In a running sum the exact s + p is nearly always
// a double (TwoSum's lo == 0) with |hi| in [min normal, max finite): then the result is hi
// rounded at the quantum 2^(e(hi) - man_bits) of its own binade, and no partial-sum event can
// occur. The dropped part of hi is the low 52 - man_bits bits of its encoding, so
//   rtz  clears them (sign-magnitude: truncation toward zero);
//   sr   reads them, shifted to the top of a 64-bit word, as floor(f * 2^64) (round_kernel's
//        dropped fraction) and adds one quantum to the truncated encoding when they carry
//        with the random bits (a carry into the exponent field is the next binade, as wanted);
//   rne  is (hi + C) - C with C = +-2^(e(hi) + 52 - man_bits) (hi's sign, so the magnitude is
//        rounded; fp_add path: man_bits <= 51, C finite).
// The other lanes ("bad": a tail, subnormal, zero, beyond max finite, Inf, NaN; rare) take the
// general path, round-to-odd and avx512_round8 (sr lanes with a tail: the scalar round_dd),
// which also counts their events. (Testing hi for a midpoint of the grid instead of lo for
// zero saves the TwoSum but sends many more lanes of a bf16 sum to the general path: slower.)
struct ShortcutConsts {
  const Avx512Consts& k;
  const RoundParams& params;
  __m512i sign_exp, c_off;
  __m512i low_mask;  // the encoding's bits below the target quantum (normal range)
  __m512i unit;      // one target quantum in the encoding
  __m512i drop_shift;  // 12 + man_bits: moves those bits to the top of the word
  __m512d min_normal, max_finite;
  double min_normal_d, max_finite_d;
};

// One step s = round(s + p) on a vector. The fix-up of "bad" lanes sits behind one well
// predicted branch; the stagnation count takes every valid lane as finite and stag_fix
// takes back the Inf lanes counted. weyl: the lanes' SR stream state (sr only).
template <Mode M>
FLOATSCOPE_SIMD_INLINE void shortcut_step(__m512d& s, __m512i& stag_n, __m512i& weyl, __m512d p,
                                          __mmask8 valid, const ShortcutConsts& c,
                                          std::uint64_t& stag_fix, Events8& e8) {
  const __m512d zero = _mm512_setzero_pd();
  const __m512d hi = _mm512_add_pd(s, p);
  const __m512i hb = _mm512_castpd_si512(hi);
  const __m512d bb = _mm512_sub_pd(hi, s);
  const __m512d lo = _mm512_add_pd(_mm512_sub_pd(s, _mm512_sub_pd(hi, bb)), _mm512_sub_pd(p, bb));
  const __m512d ah = _mm512_abs_pd(hi);
  const __mmask8 fast = _mm512_mask_cmp_pd_mask(
      _mm512_mask_cmp_pd_mask(_mm512_mask_cmp_pd_mask(valid, lo, zero, _CMP_EQ_OQ), ah, c.min_normal,
                              _CMP_GE_OQ),
      ah, c.max_finite, _CMP_LT_OQ);
  __m512d y;
  __m512i raw = _mm512_setzero_si512(), rnd = _mm512_setzero_si512();
  if constexpr (M == Mode::rne) {
    const __m512d C = _mm512_castsi512_pd(_mm512_add_epi64(_mm512_and_si512(hb, c.sign_exp), c.c_off));
    y = _mm512_sub_pd(_mm512_add_round_pd(hi, C, kRN), C);  // the subtraction is exact
  } else if constexpr (M == Mode::rtz) {
    y = _mm512_castsi512_pd(_mm512_andnot_si512(c.low_mask, hb));
  } else {
    static_assert(M == Mode::sr);
    raw = avx512_mix64(weyl);
    weyl = _mm512_add_epi64(weyl, _mm512_set1_epi64(static_cast<long long>(kWeylGamma)));
    // Threshold form ~(R & sr_mask), as avx512_round8 takes it (Avx512Rng::next_sr).
    rnd = _mm512_ternarylogic_epi64(raw, c.k.sr_mask, c.k.sr_mask, 0x3f);  // ~(a & b)
    const __mmask8 up = _mm512_cmpgt_epu64_mask(_mm512_sllv_epi64(hb, c.drop_shift), rnd);
    const __m512i t = _mm512_andnot_si512(c.low_mask, hb);
    y = _mm512_castsi512_pd(_mm512_mask_add_epi64(t, up, t, c.unit));
  }
  const __mmask8 bad = static_cast<__mmask8>(valid ^ fast);
  if (bad) [[unlikely]] {
    __mmask8 tail;
    const __m512i x = round_to_odd8(hi, lo, tail);
    Avx512Counts dummy;
    __m512d ys = _mm512_castsi512_pd(avx512_round8<M, SimdPath::fp_add, kSignsPlain>(x, rnd, 0xff, c.k, dummy));
    if constexpr (M == Mode::sr) {
      ys = sr_round_tails(ys, hi, lo, raw, tail, c.params);
    }
    y = _mm512_mask_mov_pd(y, bad, ys);
    e8.partial(bad, hi, ys, c.min_normal_d, c.max_finite_d);
    const __mmask8 wrong =
        _mm512_mask_cmp_pd_mask(bad, _mm512_abs_pd(ys), _mm512_set1_pd(INFINITY), _CMP_EQ_OQ) &
        _mm512_cmp_pd_mask(ys, s, _CMP_EQ_OQ) & _mm512_cmp_pd_mask(p, zero, _CMP_NEQ_UQ);
    stag_fix += static_cast<std::uint64_t>(__builtin_popcount(wrong));
  }
  const __mmask8 stag =
      _mm512_mask_cmp_pd_mask(_mm512_mask_cmp_pd_mask(valid, p, zero, _CMP_NEQ_UQ), y, s, _CMP_EQ_OQ);
  stag_n = count(stag_n, stag);
  s = y;
}

// kFull: every lane of the tile is a column (valid masks are constants).
template <Mode M, bool kFull>
FLOATSCOPE_SIMD_INLINE void shortcut_steps(const Kernel& kn, const ShortcutConsts& c, const double* arow,
                                           int j0, const __mmask8 (&valid_in)[kTile],
                                           __m512d (&s)[kTile], __m512i (&stag_n)[kTile],
                                           __m512i (&weyl)[kTile], std::uint64_t& stag_fix, Events8& e8) {
  const int N = kn.N, K = kn.K;
  __mmask8 valid[kTile];
  for (int t = 0; t < kTile; ++t) valid[t] = kFull ? __mmask8{0xff} : valid_in[t];
  const double* brow = kn.b.data() + j0;
  for (int kk = 0; kk < K; ++kk, brow += N) {
    const __m512d av = _mm512_set1_pd(arow[kk]);
#pragma GCC unroll 8
    for (int t = 0; t < kTile; ++t) {
      const __m512d bv = kFull ? _mm512_loadu_pd(brow + 8 * t) : _mm512_maskz_loadu_pd(valid[t], brow + 8 * t);
      shortcut_step<M>(s[t], stag_n[t], weyl[t], _mm512_mul_pd(av, bv), valid[t], c, stag_fix, e8);
    }
  }
}

template <Mode M>
void scalar_rows(const Kernel& kn, GemmEvents& ev, int i) {
  constexpr bool kSR = M == Mode::sr;
  const Rounder& R = kn.engine.acc_rounder();
  const Avx512Consts k = consts_of(R.params);
  const int N = kn.N, K = kn.K;
  const double* arow = kn.a + static_cast<std::size_t>(i) * K;
  const double min_normal = R.format.min_normal, max_finite = R.format.max_finite;
  const std::uint64_t seed = kn.acc.acc_rounding.seed;
  Events8 e8;
  for (int j0 = 0; j0 < N; j0 += 8 * kTile) {
    __m512d s[kTile];
    __m512i weyl[kTile];
    __mmask8 valid[kTile];
    alignas(64) double init[8];
    alignas(64) std::uint64_t w[8];
    for (int t = 0; t < kTile; ++t) {
      valid[t] = lane_mask(j0 + 8 * t, N);
      for (int l = 0; l < 8; ++l) {
        const int j = j0 + 8 * t + l;
        const bool in = j < N;
        const double c = in && kn.C0 ? kn.C0[static_cast<std::size_t>(i) * N + j] : 0.0;
        const CounterRng rng(seed, stream_of(static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(in ? j : 0)));
        // The engine rounds C into the accumulator first (SR step 0), then K additions.
        init[l] = round_dd_any(R.rounding.mode, c, 0, R.params, kSR ? rng.bits(0) : 0);
        w[l] = rng.key() + 2 * kWeylGamma;  // Weyl state of step 1
      }
      s[t] = _mm512_load_pd(init);
      weyl[t] = _mm512_load_si512(w);
    }
    const __m512i gamma = _mm512_set1_epi64(static_cast<long long>(kWeylGamma));
    __m512i stag_n[kTile];
    for (int t = 0; t < kTile; ++t) stag_n[t] = _mm512_setzero_si512();
    std::uint64_t stag_fix = 0;  // lanes the shortcut loop counted as stagnant but were not
    if constexpr (kShortcut<M>) {
      const int m = R.params.man_bits;
      const ShortcutConsts sc{k,
                              R.params,
                              _mm512_set1_epi64(static_cast<long long>(0xfff0000000000000ULL)),
                              _mm512_set1_epi64(static_cast<long long>(52 - m) << 52),
                              _mm512_set1_epi64(static_cast<long long>((1ULL << (52 - m)) - 1)),
                              _mm512_set1_epi64(static_cast<long long>(1ULL << (52 - m))),
                              _mm512_set1_epi64(12 + m),
                              _mm512_set1_pd(min_normal), _mm512_set1_pd(max_finite), min_normal, max_finite};
      if (j0 + 8 * kTile <= N)
        shortcut_steps<M, true>(kn, sc, arow, j0, valid, s, stag_n, weyl, stag_fix, e8);
      else
        shortcut_steps<M, false>(kn, sc, arow, j0, valid, s, stag_n, weyl, stag_fix, e8);
    } else {
      for (int kk = 0; kk < K; ++kk) {
        const __m512d av = _mm512_set1_pd(arow[kk]);
        const double* brow = kn.b.data() + static_cast<std::size_t>(kk) * N + j0;
        // Fully unrolled, no early exit: the tile's sums and counters stay in registers (lanes
        // past N load zeros and are masked out of every count).
        __mmask8 rare[kTile];
        __m512d hi_t[kTile];
        unsigned any_rare = 0;
#pragma GCC unroll 8
        for (int t = 0; t < kTile; ++t) {
          const __m512d p = _mm512_mul_pd(av, _mm512_maskz_loadu_pd(valid[t], brow + 8 * t));
          const __m512d hi = _mm512_add_pd(s[t], p);
          const __m512d bb = _mm512_sub_pd(hi, s[t]);
          const __m512d lo = _mm512_add_pd(_mm512_sub_pd(s[t], _mm512_sub_pd(hi, bb)), _mm512_sub_pd(p, bb));
          __mmask8 tail;
          const __m512i x = round_to_odd8(hi, lo, tail);
          __m512i raw = _mm512_setzero_si512(), rnd = _mm512_setzero_si512();
          if constexpr (kSR) {
            raw = avx512_mix64(weyl[t]);
            weyl[t] = _mm512_add_epi64(weyl[t], gamma);
            // avx512_round8 takes SR bits in threshold form ~(R & sr_mask) (Avx512Rng::next_sr);
            // the scalar tail path below takes the raw bits R.
            rnd = _mm512_xor_si512(_mm512_and_si512(raw, k.sr_mask), _mm512_set1_epi64(-1));
          }
          Avx512Counts dummy;
          __m512d y = _mm512_castsi512_pd(avx512_round8<M, SimdPath::fp_add, kSignsPlain>(x, rnd, 0xff, k, dummy));
          if constexpr (kSR) y = sr_round_tails(y, hi, lo, raw, tail, R.params);
          rare[t] = e8.rare(valid[t], hi, y, min_normal, max_finite);
          any_rare |= rare[t];
          hi_t[t] = hi;
          const __mmask8 stag = _mm512_mask_cmp_pd_mask(valid[t], y, s[t], _CMP_EQ_OQ) &
                                _mm512_cmp_pd_mask(p, _mm512_setzero_pd(), _CMP_NEQ_UQ) &
                                _mm512_cmp_pd_mask(_mm512_abs_pd(y), _mm512_set1_pd(INFINITY), _CMP_LT_OQ);
          stag_n[t] = count(stag_n[t], stag);
          s[t] = y;
        }
        if (any_rare) [[unlikely]] {  // one branch per k for the whole tile
          for (int t = 0; t < kTile; ++t)
            if (rare[t]) e8.partial_exact(rare[t], hi_t[t], s[t], min_normal, max_finite);
        }
      }
    }
    for (int t = 0; t < kTile; ++t) e8.stagnations = _mm512_add_epi64(e8.stagnations, stag_n[t]);
    e8.stagnations = _mm512_sub_epi64(e8.stagnations, _mm512_set_epi64(0, 0, 0, 0, 0, 0, 0, static_cast<long long>(stag_fix)));
    const std::uint64_t steps = kSR ? static_cast<std::uint64_t>(K) + 1 : 0;
    for (int t = 0; t < kTile; ++t) {
      alignas(64) double v[8];
      _mm512_store_pd(v, s[t]);
      for (int l = 0; l < 8; ++l) {
        const int j = j0 + 8 * t + l;
        if (j >= N) break;
        kn.out[static_cast<std::size_t>(i) * N + j] = kn.engine.finish_output(
            v[l], &ev, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(j), steps);
      }
    }
  }
  e8.add_to(ev);
  ev.partials += static_cast<std::uint64_t>(N) * static_cast<std::uint64_t>(K);
}

// ---- fused block-FMA unit -------------------------------------------------------------------

struct FusedData {
  std::vector<double> ea, eb;  // operand exponents (kNoExp for zeros), M x K and K x N
};

template <Mode M>
void fused_rows(const Kernel& kn, const FusedData& fd, GemmEvents& ev, int i) {
  const FusedUnit& fu = *kn.acc.fused;
  const FusedConsts& u = kn.engine.fused_consts();
  const Avx512Consts kout = consts_of(u.out);
  const bool c_out = fu.c_outside;
  const Rounder& add_r = c_out ? kn.engine.c_add_rounder() : kn.engine.outer_rounder();
  const Avx512Consts kadd = consts_of(add_r.params);
  const int N = kn.N, K = kn.K, L = u.L, P = kn.acc.promote;
  const double* arow = kn.a + static_cast<std::size_t>(i) * K;
  const double* earow = fd.ea.data() + static_cast<std::size_t>(i) * K;
  const __m512d F = _mm512_set1_pd(u.F), lim = _mm512_set1_pd(u.overflow_limit);
  const __m512d out_emin = _mm512_set1_pd(u.out_emin), no_exp = _mm512_set1_pd(kNoExp);
  const __m512d inf = _mm512_set1_pd(INFINITY), zero = _mm512_setzero_pd();
  constexpr int kTrunc = _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC;

  for (int j0 = 0; j0 < N; j0 += 8 * kTile) {
    GemmEvents tile_ev;
    Events8 e8;
    __mmask8 valid[kTile];
    __m512d acc[kTile], outer[kTile];
    alignas(64) double init[8];
    for (int t = 0; t < kTile; ++t) {
      valid[t] = lane_mask(j0 + 8 * t, N);
      for (int l = 0; l < 8; ++l) {
        const int j = j0 + 8 * t + l;
        const double c = j < N && kn.C0 ? kn.C0[static_cast<std::size_t>(i) * N + j] : 0.0;
        init[l] = P > 0 ? round_dd_any(add_r.rounding.mode, c, 0, add_r.params, 0) : c;
      }
      outer[t] = _mm512_load_pd(init);
      acc[t] = P > 0 ? zero : outer[t];
    }
    bool special = false;
    std::uint64_t adds = 0;  // rounded additions per lane (c-add steps and promotions)
    for (int k0 = 0; k0 < K && !special; k0 += L) {
      const int n = std::min(L, K - k0);
      for (int t = 0; t < kTile; ++t) {
        if (!valid[t]) continue;
        const std::size_t col = static_cast<std::size_t>(j0 + 8 * t);
        // E over the products (vector max of precomputed operand exponents) and c.
        __m512d Ep = no_exp;
        for (int l = 0; l < n; ++l) {
          const std::size_t kk = static_cast<std::size_t>(k0 + l);
          const double ea = earow[kk];
          if (ea == kNoExp) continue;
          const __m512d eb = _mm512_maskz_loadu_pd(valid[t], fd.eb.data() + kk * N + col);
          Ep = _mm512_max_pd(Ep, _mm512_add_pd(_mm512_set1_pd(ea), eb));
        }
        const __mmask8 any_prod = _mm512_cmp_pd_mask(Ep, _mm512_set1_pd(kNoExp / 2), _CMP_GT_OQ);
        __m512d E = Ep, S = zero;
        const __m512d c = c_out ? zero : acc[t];
        if (!c_out) {
          const __mmask8 cnz = _mm512_cmp_pd_mask(c, zero, _CMP_NEQ_UQ);
          const __m512d ec = _mm512_max_pd(_mm512_getexp_pd(c), out_emin);
          E = _mm512_mask_max_pd(E, cnz, E, ec);
        }
        const __m512d sh = _mm512_sub_pd(F, E);
        if (!c_out) S = _mm512_roundscale_pd(_mm512_scalef_pd(c, sh), kTrunc);
        for (int l = 0; l < n; ++l) {
          const std::size_t kk = static_cast<std::size_t>(k0 + l);
          if (earow[kk] == kNoExp) continue;
          const __m512d p = _mm512_mul_pd(_mm512_set1_pd(arow[kk]),
                                          _mm512_maskz_loadu_pd(valid[t], kn.b.data() + kk * N + col));
          S = _mm512_add_pd(S, _mm512_roundscale_pd(_mm512_scalef_pd(p, sh), kTrunc));
        }
        S = _mm512_add_pd(S, zero);  // a zero result is +0
        const __m512d v = _mm512_scalef_pd(S, _mm512_sub_pd(zero, sh));
        Avx512Counts dummy;
        __m512d y = _mm512_castsi512_pd(
            avx512_round8<M, SimdPath::fp_add, kSignsPlain>(_mm512_castpd_si512(v), _mm512_setzero_si512(), 0xff, kout, dummy));
        const __mmask8 big = _mm512_cmp_pd_mask(_mm512_abs_pd(v), lim, _CMP_GE_OQ);
        y = _mm512_mask_mov_pd(y, big, _mm512_or_pd(inf, _mm512_and_pd(v, _mm512_set1_pd(-0.0))));
        if (c_out) {
          __m512d hi;
          const __m512d z = add_round8<Mode::rne>(acc[t], y, kadd, hi);
          e8.partial(valid[t], hi, z, add_r.format.min_normal, add_r.format.max_finite);
          y = z;
        } else {
          const __mmask8 stag = _mm512_mask_cmp_pd_mask(valid[t] & any_prod, y, acc[t], _CMP_EQ_OQ) &
                                _mm512_cmp_pd_mask(y, zero, _CMP_NEQ_UQ);
          e8.stagnations = count(e8.stagnations, stag);
        }
        if (_mm512_mask_cmp_pd_mask(valid[t], _mm512_abs_pd(y), inf, _CMP_NLT_UQ)) special = true;
        acc[t] = y;
      }
      if (c_out) ++adds;
      if (P > 0 && ((k0 + L) % P == 0 || k0 + L >= K)) {  // promotion into the outer sum
        for (int t = 0; t < kTile; ++t) {
          if (!valid[t]) continue;
          __m512d hi;
          const __m512d z = add_round8<Mode::rne>(outer[t], acc[t], kadd, hi);
          e8.partial(valid[t], hi, z, add_r.format.min_normal, add_r.format.max_finite);
          outer[t] = z;
          acc[t] = zero;
        }
        ++adds;
      }
    }
    int lanes = 0;
    for (int t = 0; t < kTile; ++t) lanes += __builtin_popcount(valid[t]);
    if (special) {  // Inf/NaN met: the engine's scalar step handles special values
      std::vector<double> col(static_cast<std::size_t>(K));
      for (int j = j0; j < std::min(N, j0 + 8 * kTile); ++j) {
        for (int kk = 0; kk < K; ++kk) col[static_cast<std::size_t>(kk)] = kn.b[static_cast<std::size_t>(kk) * N + j];
        const double c = kn.C0 ? kn.C0[static_cast<std::size_t>(i) * N + j] : 0.0;
        kn.out[static_cast<std::size_t>(i) * N + j] =
            kn.engine.run(arow, col.data(), K, c, &ev, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(j));
      }
      continue;
    }
    e8.add_to(tile_ev);
    const std::uint64_t steps = static_cast<std::uint64_t>((K + L - 1) / L);
    tile_ev.partials += static_cast<std::uint64_t>(lanes) * (c_out ? adds : steps + adds);
    tile_ev.products += static_cast<std::uint64_t>(lanes) * static_cast<std::uint64_t>(K);
    for (int t = 0; t < kTile; ++t) {
      alignas(64) double v[8];
      _mm512_store_pd(v, P > 0 ? outer[t] : acc[t]);
      for (int l = 0; l < 8; ++l) {
        const int j = j0 + 8 * t + l;
        if (j >= N) break;
        kn.out[static_cast<std::size_t>(i) * N + j] = kn.engine.finish_output(
            v[l], &tile_ev, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(j), 0);
      }
    }
    ev += tile_ev;
  }
}

bool deterministic_finish(const Accumulator& acc) {
  return !(acc.output_format && is_stochastic(acc.output_rounding.mode)) &&
         !((acc.scale_a != 1.0 || acc.scale_b != 1.0) && is_stochastic(acc.outer_rounding.mode));
}

template <class Body>
void parallel_rows(int M, int threads, GemmEvents& events, Body body) {
  std::vector<GemmEvents> per(static_cast<std::size_t>(threads));
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int i = 0; i < M; ++i) body(per[static_cast<std::size_t>(omp_get_thread_num())], i);
  for (const auto& e : per) events += e;
}

double exp_of(double x, int emin) { return x == 0 ? kNoExp : std::max(std::ilogb(x), emin); }

}  // namespace

bool gemm_kernel(const DotEngine& engine, int M, int N, int K, const double* a, const double* bt,
                 const double* C0, double* out, GemmEvents& events, int threads) {
  const Accumulator& acc = engine.accumulator();
  if (M == 0 || N == 0 || !deterministic_finish(acc)) return false;
  const std::size_t Ms = static_cast<std::size_t>(M), Ns = static_cast<std::size_t>(N),
                    Ks = static_cast<std::size_t>(K);
  auto make_kernel = [&] {
    Kernel kn{engine, acc, M, N, K, a, std::vector<double>(Ks * Ns), C0, out};
    for (std::size_t j = 0; j < Ns; ++j)
      for (std::size_t k = 0; k < Ks; ++k) kn.b[k * Ns + j] = bt[j * Ks + k];
    return kn;
  };
  if (acc.fused) {
    const FusedUnit& fu = *acc.fused;
    const bool promote_ok = acc.promote == 0 || (acc.outer_rounding.mode == Mode::rne &&
                                                 fp_add_plain(engine.outer_rounder().params));
    const bool cadd_ok = !fu.c_outside || (fu.c_add_rounding.mode == Mode::rne &&
                                           fp_add_plain(engine.c_add_rounder().params));
    const bool mode_ok = fu.out_mode == Mode::rtz || fu.out_mode == Mode::rne;
    if (!promote_ok || !cadd_ok || !mode_ok || !fp_add_plain(engine.fused_consts().out) ||
        (fu.c_outside && acc.promote > 0))
      return false;
    for (std::size_t x = 0; x < Ms * Ks; ++x)
      if (!std::isfinite(a[x])) return false;
    for (std::size_t x = 0; x < Ns * Ks; ++x)
      if (!std::isfinite(bt[x])) return false;
    if (C0)
      for (std::size_t x = 0; x < Ms * Ns; ++x)
        if (!std::isfinite(C0[x])) return false;
    const Kernel kn = make_kernel();
    FusedData fd;
    fd.ea.resize(Ms * Ks);
    fd.eb.resize(Ks * Ns);
    for (std::size_t x = 0; x < Ms * Ks; ++x) fd.ea[x] = exp_of(a[x], acc.a_format.emin);
    for (std::size_t x = 0; x < Ks * Ns; ++x) fd.eb[x] = exp_of(kn.b[x], acc.b_format.emin);
    if (fu.out_mode == Mode::rtz)
      parallel_rows(M, threads, events, [&](GemmEvents& e, int i) { fused_rows<Mode::rtz>(kn, fd, e, i); });
    else
      parallel_rows(M, threads, events, [&](GemmEvents& e, int i) { fused_rows<Mode::rne>(kn, fd, e, i); });
    return true;
  }
  const Mode m = acc.acc_rounding.mode;
  if (acc.order.kind != OrderKind::sequential || acc.compensation != Compensation::none ||
      acc.promote > 0 || acc.product_format || m == Mode::sr_equal ||
      !fp_add_plain(engine.acc_rounder().params))
    return false;
  const Kernel kn = make_kernel();
  with_mode(m, [&](auto mc) {
    constexpr Mode MM = decltype(mc)::value;
    if constexpr (MM != Mode::sr_equal)
      parallel_rows(M, threads, events, [&](GemmEvents& e, int i) { scalar_rows<MM>(kn, e, i); });
  });
  events.products += static_cast<std::uint64_t>(M) * Ns * Ks;
  return true;
}

#else  // no AVX-512: the engine runs every output

bool gemm_kernel(const DotEngine&, int, int, int, const double*, const double*, const double*,
                 double*, GemmEvents&, int) {
  return false;
}

#endif

}  // namespace floatscope::detail
