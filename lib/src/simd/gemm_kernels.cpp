// Column-vectorised GEMM kernels (gemm_kernels.hpp), compiled per Highway target (AVX-512, AVX2)
// and picked at run time by simd_level(); the scalar level leaves every output to the engine.
// SIMD over the output columns, kTile vectors per tile so that independent accumulation chains
// hide each other's latency, the k loop outside, OpenMP over rows. They compute what
// DotEngine::run computes, bit for bit (the engine is the definition; tests compare both with
// MPFR re-executions on every level):
//   scalar   s = round(s + a*b), exact products, sequential, no compensation: TwoSum, then either
//            a shortcut (rne, rtz, sr: the exact sum is a double in the normal range, rounded on its
//            own encoding) or the general step, round-to-odd to 53 bits and round_core; SR lanes
//            whose exact sum has a tail take the scalar round_dd with the same random bits.
//   fused    the block-FMA unit: E by vector max of precomputed exponents, terms scaled and
//            truncated (fused_term), summed exactly in int64 lanes, rounded once (fused_round),
//            the same step source as fused_unit.cpp. A tile that meets Inf/NaN is recomputed by
//            the engine.
// Anything else returns false and the engine runs per output.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/gemm_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>
#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <vector>

#include "floatscope/simd.hpp"
#include "gemm_kernels.hpp"
#include "simd/lanes_hwy.h"

#ifndef FLOATSCOPE_GEMM_KERNELS_SHARED_
#define FLOATSCOPE_GEMM_KERNELS_SHARED_
namespace floatscope::detail {

constexpr double kNoExp = -1.0e9;  // exponent of a zero operand: below every real exponent

struct KernelData {
  const DotEngine& engine;
  const Accumulator& acc;
  int M, N, K;
  const double* a;        // M x K
  std::vector<double> b;  // K x N row-major
  const double* C0;
  double* out;
};

struct FusedData {
  std::vector<double> ea, eb;  // operand exponents (kNoExp for zeros), M x K and K x N
};

// The kernels' output and sum roundings use round_core's fp_add method with plain signs.
inline bool fp_add_plain(const RoundParams& p) { return p.fp_add && p.signs == kSignsPlain; }

inline bool deterministic_finish(const Accumulator& acc) {
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

inline double exp_of(double x, int emin) { return x == 0 ? kNoExp : std::max(std::ilogb(x), emin); }

inline bool all_finite(const double* p, std::size_t n) {
  for (std::size_t x = 0; x < n; ++x)
    if (!std::isfinite(p[x])) return false;
  return true;
}

}  // namespace floatscope::detail
#endif  // FLOATSCOPE_GEMM_KERNELS_SHARED_

HWY_BEFORE_NAMESPACE();
namespace floatscope::detail::HWY_NAMESPACE {

#include "floatscope/detail/round_core.inl"  // the core, compiled for this target

namespace {

using L = HwyLanes;
using U = L::U;
using F = L::F;
using Mk = L::M;
constexpr int kTile = 4;       // vectors per tile
constexpr int kMaxLanes = 64;  // >= the lanes of any target

HWY_INLINE F vabs(F x) { return L::as_f(L::as_u(x) & L::u(0x7fffffffffffffffULL)); }
HWY_INLINE bool any(Mk m) { return !hn::AllFalse(L::DU(), m); }
HWY_INLINE Mk lanes_below(int n) { return hn::FirstN(L::DU(), static_cast<size_t>(std::max(n, 0))); }
HWY_INLINE F load_cols(const double* p, Mk valid, bool full) {
  return full ? hn::LoadU(L::DF(), p) : hn::MaskedLoad(hn::RebindMask(L::DF(), valid), L::DF(), p);
}

// Partial-sum events as DotCtx::count_partial counts them (exact value = hi, result y). Events
// need |y| < min normal or |hi| >= max finite (or NaN), rare in a running sum: a cheap filter
// first, the exact conditions only then.
struct PartialEvents {
  U underflow = L::u(0), overflow = L::u(0), saturated = L::u(0), stagnations = L::u(0);
  F min_normal, max_finite;
  PartialEvents(double mn, double mx) : min_normal(L::f(mn)), max_finite(L::f(mx)) {}

  HWY_INLINE void partial(Mk valid, F hi, F y) {
    const Mk rare = L::mand(valid, L::mor(L::flt(vabs(y), min_normal), L::mnot(L::flt(vabs(hi), max_finite))));
    if (any(rare)) [[unlikely]] partial_exact(rare, hi, y);
  }
  void partial_exact(Mk valid, F hi, F y) {
    const F inf = L::f(INFINITY), ay = vabs(y), ah = vabs(hi);
    const Mk y_fin = L::mand(valid, L::flt(ay, inf));
    const Mk h_fin = L::mand(valid, L::flt(ah, inf));
    overflow = L::count(overflow, L::mand(h_fin, L::mnot(y_fin)));
    underflow = L::count(underflow, L::mand(L::mand(y_fin, L::flt(ay, min_normal)),
                                            L::mnot(L::feq(hi, L::f(0.0)))));
    saturated = L::count(saturated, L::mand(L::mand(y_fin, L::feq(ay, max_finite)), L::flt(max_finite, ah)));
  }
  void add_to(GemmEvents& e) const {
    e.partials_underflow += L::sum(underflow);
    e.partials_overflow += L::sum(overflow);
    e.partials_saturated += L::sum(saturated);
    e.stagnations += L::sum(stagnations);
  }
};

// TwoSum: hi = RN(s + t), lo = the exact rest.
HWY_INLINE F two_sum(F s, F t, F& lo) {
  const F hi = s + t;
  const F bb = hi - s;
  lo = (s - (hi - bb)) + (t - bb);
  return hi;
}

// s + t rounded once, deterministic mode M on an fp_add/plain target; hi: RN(s + t).
template <Mode M>
HWY_INLINE F add_round(F s, F t, const RoundConsts<L>& k, F& hi) {
  F lo;
  hi = two_sum(s, t, lo);
  return L::as_f(round_core<M, kSignsPlain, CorePath::fp_add, L>(round_to_odd_bits<L>(hi, lo), L::u(0), k));
}

// SR lanes whose exact sum hi + lo has a tail need the exact dropped fraction: they take the
// scalar round_dd with the same raw random bits.
HWY_NOINLINE F sr_round_tails(F y, F hi, F lo, U raw, Mk tail, const RoundParams& params) {
  HWY_ALIGN double hv[kMaxLanes], lv[kMaxLanes], yv[kMaxLanes];
  HWY_ALIGN std::uint64_t rv[kMaxLanes], tv[kMaxLanes];
  hn::Store(hi, L::DF(), hv);
  hn::Store(lo, L::DF(), lv);
  hn::Store(y, L::DF(), yv);
  hn::Store(raw, L::DU(), rv);
  hn::Store(L::sel(tail, L::u(1), L::u(0)), L::DU(), tv);
  for (size_t l = 0; l < L::lanes(); ++l)
    if (tv[l]) yv[l] = round_dd<Mode::sr>(hv[l], lv[l], params, rv[l]);
  return hn::Load(L::DF(), yv);
}

// ---- scalar accumulator: s = round(s + a*b) -------------------------------------------------

template <Mode M>
inline constexpr bool kShortcut = M == Mode::rne || M == Mode::rtz || M == Mode::sr;

// The shortcut of a running sum: the exact s + p is nearly always a double (lo == 0) with |hi| in
// [min normal, max finite); then the result is hi rounded at the quantum of its own binade,
// 2^(e(hi) - man_bits), and no partial-sum event can occur. The dropped part of hi is the low
// 52 - man_bits bits of its encoding, so
//   rtz  clears them (sign-magnitude: truncation toward zero);
//   sr   reads them, moved to the top of a 64-bit word, as round_core's dropped fraction, and adds
//        one quantum to the truncated encoding on a carry with the random bits (a carry into the
//        exponent field is the next binade, as wanted);
//   rne  is (hi + C) - C with C = +-2^(e(hi) + 52 - man_bits) (hi's sign, so the magnitude is
//        rounded).
// The other lanes ("bad": a tail, subnormal, zero, beyond max finite, Inf, NaN; rare) take the
// general step, which also counts their events.
struct Shortcut {
  U sign_exp, c_off, keep_mask, unit, drop_shift;
  U min_normal_bits, normal_span;  // |hi| in [min normal, max finite): bits - mn < span
  Shortcut(int man_bits, double mn, double mx)
      : sign_exp(L::u(0xfff0000000000000ULL)),
        c_off(L::u(static_cast<std::uint64_t>(52 - man_bits) << 52)),
        keep_mask(L::u(~((std::uint64_t{1} << (52 - man_bits)) - 1))),
        unit(L::u(std::uint64_t{1} << (52 - man_bits))),
        drop_shift(L::u(static_cast<std::uint64_t>(12 + man_bits))),
        min_normal_bits(L::u(std::bit_cast<std::uint64_t>(mn))),
        normal_span(L::u(std::bit_cast<std::uint64_t>(mx) - std::bit_cast<std::uint64_t>(mn))) {}
};

struct ScalarStep {
  const RoundConsts<L>& k;
  const RoundParams& params;
  const Shortcut& sc;
};

// One step s = round(s + p) on a vector; weyl: the lanes' SR stream state (sr only). kFull: every
// lane is a column (the valid mask is all set and need not be applied).
template <Mode M, bool kFull>
HWY_INLINE void scalar_step(F& s, U& stag, U& weyl, F p, Mk valid, const ScalarStep& st,
                            PartialEvents& pe) {
  constexpr bool kSR = M == Mode::sr;
  constexpr CorePath P = kSR ? CorePath::integer : CorePath::fp_add;
  auto in_tile = [&](Mk m) { return kFull ? m : L::mand(valid, m); };
  F lo;
  F hi = two_sum(s, p, lo);
  if constexpr (M == Mode::rdn) hi = rdn_zero_sum<L>(hi, s, p);
  U raw = L::u(0);
  if constexpr (kSR) {
    raw = mix64_lanes(weyl);
    weyl = weyl + L::u(kWeylGamma);
  }
  F y;
  Mk bad = kFull ? L::mconst(true) : valid;
  if constexpr (kShortcut<M>) {
    const U hb = L::as_u(hi);
    // |hi| in [min normal, max finite) as one unsigned range check on its encoding.
    const U ah = hb & L::u(0x7fffffffffffffffULL);
    const Mk fast = L::mand(L::feq(lo, L::f(0.0)), L::lt(ah - st.sc.min_normal_bits, st.sc.normal_span));
    if constexpr (M == Mode::rne) {
      const F C = L::as_f((hb & st.sc.sign_exp) + st.sc.c_off);
      y = (hi + C) - C;  // the subtraction is exact
    } else if constexpr (M == Mode::rtz) {
      y = L::as_f(hb & st.sc.keep_mask);
    } else {
      const Mk up = sr_rounds_up<L>(L::shl(hb, st.sc.drop_shift), raw, st.k.sr_mask);
      y = L::as_f((hb & st.sc.keep_mask) + L::sel(up, st.sc.unit, L::u(0)));
    }
    bad = in_tile(L::mnot(fast));
  }
  bool general = !kShortcut<M>;
  if (general || any(bad)) {
    general = true;
    F ys = L::as_f(round_core<M, kSignsPlain, P, L>(round_to_odd_bits<L>(hi, lo), raw, st.k));
    if constexpr (kSR) {
      const Mk tail = L::mand(bad, L::mand(L::mnot(L::feq(lo, L::f(0.0))), L::flt(vabs(hi), L::f(INFINITY))));
      if (any(tail)) ys = sr_round_tails(ys, hi, lo, raw, tail, st.params);
    }
    y = kShortcut<M> ? L::fsel(bad, ys, y) : ys;
    pe.partial(bad, hi, ys);
  }
  // A nonzero term that left a finite sum unchanged (shortcut results are finite by construction).
  Mk stagnant = in_tile(L::mand(L::mnot(L::feq(p, L::f(0.0))), L::feq(y, s)));
  if (general) stagnant = L::mand(stagnant, L::flt(vabs(y), L::f(INFINITY)));
  stag = L::count(stag, stagnant);
  s = y;
}

template <Mode M, bool kFull>
HWY_INLINE void scalar_steps(const KernelData& kn, const ScalarStep& st, const double* arow, int j0,
                             const Mk (&valid)[kTile], F (&s)[kTile], U (&stag)[kTile],
                             U (&weyl)[kTile], PartialEvents& pe) {
  const size_t Nl = L::lanes();
  const double* brow = kn.b.data() + j0;
  for (int kk = 0; kk < kn.K; ++kk, brow += kn.N) {
    const F av = L::f(arow[kk]);
#pragma GCC unroll 4
    for (int t = 0; t < kTile; ++t)
      scalar_step<M, kFull>(s[t], stag[t], weyl[t], av * load_cols(brow + t * Nl, valid[t], kFull), valid[t], st, pe);
  }
}

template <Mode M>
void scalar_rows(const KernelData& kn, GemmEvents& ev, int i) {
  constexpr bool kSR = M == Mode::sr;
  const Rounder& R = kn.engine.acc_rounder();
  const RoundConsts<L> k = HWY_NAMESPACE::make_round_consts<L>(R.params);
  const Shortcut sc(R.params.man_bits, R.format.min_normal, R.format.max_finite);
  const ScalarStep st{k, R.params, sc};
  const int N = kn.N, K = kn.K;
  const int Nl = static_cast<int>(L::lanes());
  const double* arow = kn.a + static_cast<std::size_t>(i) * K;
  const std::uint64_t seed = kn.acc.acc_rounding.seed;
  PartialEvents pe(R.format.min_normal, R.format.max_finite);
  for (int j0 = 0; j0 < N; j0 += Nl * kTile) {
    F s[kTile];
    U weyl[kTile], stag[kTile];
    Mk valid[kTile];
    HWY_ALIGN double init[kMaxLanes];
    HWY_ALIGN std::uint64_t w[kMaxLanes];
    for (int t = 0; t < kTile; ++t) {
      valid[t] = lanes_below(std::min(N - (j0 + Nl * t), Nl));
      for (int l = 0; l < Nl; ++l) {
        const int j = j0 + Nl * t + l;
        const bool in = j < N;
        const double c = in && kn.C0 ? kn.C0[static_cast<std::size_t>(i) * N + j] : 0.0;
        const CounterRng rng(seed, stream_of(static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(in ? j : 0)));
        // The engine rounds C into the accumulator first (SR step 0), then K additions.
        init[l] = round_dd_any(R.rounding.mode, c, 0, R.params, kSR ? rng.bits(0) : 0);
        w[l] = rng.key() + 2 * kWeylGamma;  // Weyl state of step 1
      }
      s[t] = hn::Load(L::DF(), init);
      weyl[t] = hn::Load(L::DU(), w);
      stag[t] = L::u(0);
    }
    if (j0 + Nl * kTile <= N)
      scalar_steps<M, true>(kn, st, arow, j0, valid, s, stag, weyl, pe);
    else
      scalar_steps<M, false>(kn, st, arow, j0, valid, s, stag, weyl, pe);
    for (int t = 0; t < kTile; ++t) pe.stagnations = pe.stagnations + stag[t];
    const std::uint64_t steps = kSR ? static_cast<std::uint64_t>(K) + 1 : 0;
    for (int t = 0; t < kTile; ++t) {
      HWY_ALIGN double v[kMaxLanes];
      hn::Store(s[t], L::DF(), v);
      for (int l = 0; l < Nl; ++l) {
        const int j = j0 + Nl * t + l;
        if (j >= N) break;
        kn.out[static_cast<std::size_t>(i) * N + j] = kn.engine.finish_output(
            v[l], &ev, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(j), steps);
      }
    }
  }
  pe.add_to(ev);
  ev.partials += static_cast<std::uint64_t>(N) * static_cast<std::uint64_t>(K);
}

// ---- fused block-FMA unit -------------------------------------------------------------------

// floor(log2 |x|) of normal doubles, as doubles.
HWY_INLINE F exponent_of(F x) {
  const U field = L::template shr_n<52>(L::as_u(x)) & L::u(0x7ff);
  return L::to_f(field - L::u(1023));
}

// 2^e for integer-valued e in [-1022, 1023], from bits.
HWY_INLINE F pow2_of(F e) {
  return L::as_f(hn::ShiftLeft<52>(L::to_i(e) + L::u(1023)));
}

template <Mode M>
void fused_rows(const KernelData& kn, const FusedData& fd, GemmEvents& ev, int i) {
  const FusedUnit& fu = *kn.acc.fused;
  const FusedConsts& u = kn.engine.fused_consts();
  const RoundConsts<L> kout = HWY_NAMESPACE::make_round_consts<L>(u.out);
  const bool c_out = fu.c_outside;
  const Rounder& add_r = c_out ? kn.engine.c_add_rounder() : kn.engine.outer_rounder();
  const RoundConsts<L> kadd = HWY_NAMESPACE::make_round_consts<L>(add_r.params);
  const int N = kn.N, K = kn.K, Lu = u.L, P = kn.acc.promote;
  const int Nl = static_cast<int>(L::lanes());
  const double* arow = kn.a + static_cast<std::size_t>(i) * K;
  const double* earow = fd.ea.data() + static_cast<std::size_t>(i) * K;
  const F Fv = L::f(u.F), limit = L::f(u.overflow_limit), out_emin = L::f(u.out_emin);
  const F no_exp = L::f(kNoExp), zero = L::f(0.0), inf = L::f(INFINITY);

  for (int j0 = 0; j0 < N; j0 += Nl * kTile) {
    GemmEvents tile_ev;
    PartialEvents pe(add_r.format.min_normal, add_r.format.max_finite);
    Mk valid[kTile];
    F acc[kTile], outer[kTile];
    HWY_ALIGN double init[kMaxLanes];
    for (int t = 0; t < kTile; ++t) {
      valid[t] = lanes_below(std::min(N - (j0 + Nl * t), Nl));
      for (int l = 0; l < Nl; ++l) {
        const int j = j0 + Nl * t + l;
        const double c = j < N && kn.C0 ? kn.C0[static_cast<std::size_t>(i) * N + j] : 0.0;
        init[l] = P > 0 ? round_dd_any(add_r.rounding.mode, c, 0, add_r.params, 0) : c;
      }
      outer[t] = hn::Load(L::DF(), init);
      acc[t] = P > 0 ? zero : outer[t];
    }
    bool special = false;
    std::uint64_t adds = 0;  // rounded additions per lane (c-add steps and promotions)
    for (int k0 = 0; k0 < K && !special; k0 += Lu) {
      const int n = std::min(Lu, K - k0);
      for (int t = 0; t < kTile; ++t) {
        if (!any(valid[t])) continue;
        const std::size_t col = static_cast<std::size_t>(j0 + Nl * t);
        // E over the products (vector max of precomputed operand exponents) and c.
        F E = no_exp;
        for (int l = 0; l < n; ++l) {
          const std::size_t kk = static_cast<std::size_t>(k0 + l);
          if (earow[kk] == kNoExp) continue;
          E = hn::Max(E, L::f(earow[kk]) + load_cols(fd.eb.data() + kk * N + col, valid[t], false));
        }
        const Mk any_prod = L::flt(L::f(kNoExp / 2), E);
        const F c = c_out ? zero : acc[t];
        if (!c_out) E = L::fsel(L::feq(c, zero), E, hn::Max(E, hn::Max(exponent_of(c), out_emin)));
        E = L::fsel(L::flt(E, L::f(kNoExp / 2)), zero, E);  // no term at all: any scale will do
        const F sh = Fv - E;
        const F up = pow2_of(sh), down = pow2_of(zero - sh);
        U S = c_out ? L::u(0) : fused_term<L>(c, up);
        for (int l = 0; l < n; ++l) {
          const std::size_t kk = static_cast<std::size_t>(k0 + l);
          if (earow[kk] == kNoExp) continue;
          const F p = L::f(arow[kk]) * load_cols(kn.b.data() + kk * N + col, valid[t], false);
          S = S + fused_term<L>(p, up);
        }
        F hi, lo;
        F y = L::as_f(fused_round<M, kSignsPlain, CorePath::fp_add, L>(S, down, limit, kout, hi, lo));
        if (c_out) {
          F h;
          const F z = add_round<Mode::rne>(acc[t], y, kadd, h);
          pe.partial(valid[t], h, z);
          y = z;
        } else {
          const Mk stag = L::mand(L::mand(valid[t], any_prod), L::mand(L::feq(y, acc[t]), L::mnot(L::feq(y, zero))));
          pe.stagnations = L::count(pe.stagnations, stag);
        }
        if (any(L::mand(valid[t], L::mnot(L::flt(vabs(y), inf))))) special = true;
        acc[t] = y;
      }
      if (c_out) ++adds;
      if (P > 0 && ((k0 + Lu) % P == 0 || k0 + Lu >= K)) {  // promotion into the outer sum
        for (int t = 0; t < kTile; ++t) {
          if (!any(valid[t])) continue;
          F h;
          const F z = add_round<Mode::rne>(outer[t], acc[t], kadd, h);
          pe.partial(valid[t], h, z);
          outer[t] = z;
          acc[t] = zero;
        }
        ++adds;
      }
    }
    if (special) {  // Inf/NaN met: the engine's scalar step handles special values
      std::vector<double> colv(static_cast<std::size_t>(K));
      for (int j = j0; j < std::min(N, j0 + Nl * kTile); ++j) {
        for (int kk = 0; kk < K; ++kk)
          colv[static_cast<std::size_t>(kk)] = kn.b[static_cast<std::size_t>(kk) * N + j];
        const double c = kn.C0 ? kn.C0[static_cast<std::size_t>(i) * N + j] : 0.0;
        kn.out[static_cast<std::size_t>(i) * N + j] = kn.engine.run(
            arow, colv.data(), K, c, &ev, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(j));
      }
      continue;
    }
    pe.add_to(tile_ev);
    std::uint64_t lanes = 0;
    for (int t = 0; t < kTile; ++t) lanes += hn::CountTrue(L::DU(), valid[t]);
    const std::uint64_t steps = static_cast<std::uint64_t>((K + Lu - 1) / Lu);
    tile_ev.partials += lanes * (c_out ? adds : steps + adds);
    tile_ev.products += lanes * static_cast<std::uint64_t>(K);
    for (int t = 0; t < kTile; ++t) {
      HWY_ALIGN double v[kMaxLanes];
      hn::Store(P > 0 ? outer[t] : acc[t], L::DF(), v);
      for (int l = 0; l < Nl; ++l) {
        const int j = j0 + Nl * t + l;
        if (j >= N) break;
        kn.out[static_cast<std::size_t>(i) * N + j] = kn.engine.finish_output(
            v[l], &tile_ev, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(j), 0);
      }
    }
    ev += tile_ev;
  }
}

}  // namespace

bool GemmKernel(const DotEngine& engine, int M, int N, int K, const double* a, const double* bt,
                const double* C0, double* out, GemmEvents& events, int threads) {
  const Accumulator& acc = engine.accumulator();
  if (M == 0 || N == 0 || !deterministic_finish(acc)) return false;
  const std::size_t Ms = static_cast<std::size_t>(M), Ns = static_cast<std::size_t>(N),
                    Ks = static_cast<std::size_t>(K);
  auto make_kernel = [&] {
    KernelData kn{engine, acc, M, N, K, a, std::vector<double>(Ks * Ns), C0, out};
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
    // pow2_of needs the scale exponents F - E within [-1022, 1023].
    const bool range_ok = engine.fused_consts().out_emin >= -900;
    // The column kernel truncates unnormalised terms; the other aligners run in fused_unit.cpp.
    const bool aligner_ok = fu.align_mode == Mode::rtz && !fu.normalized_products && !fu.pair_interleave;
    // Special-value rules other than NVIDIA's run in fused_unit.cpp too.
    if (!fu.specials.is_default()) return false;
    if (!promote_ok || !cadd_ok || !mode_ok || !range_ok || !aligner_ok || !fp_add_plain(engine.fused_consts().out) ||
        (fu.c_outside && acc.promote > 0))
      return false;
    if (!all_finite(a, Ms * Ks) || !all_finite(bt, Ns * Ks) || (C0 && !all_finite(C0, Ms * Ns)))
      return false;
    const KernelData kn = make_kernel();
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
  const KernelData kn = make_kernel();
  with_mode(m, [&](auto mc) {
    constexpr Mode MM = decltype(mc)::value;
    if constexpr (MM != Mode::sr_equal)
      parallel_rows(M, threads, events, [&](GemmEvents& e, int i) { scalar_rows<MM>(kn, e, i); });
  });
  events.products += static_cast<std::uint64_t>(M) * Ns * Ks;
  return true;
}

}  // namespace floatscope::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace floatscope::detail {

bool gemm_kernel(const DotEngine& engine, int M, int N, int K, const double* a, const double* bt,
                 const double* C0, double* out, GemmEvents& events, int threads) {
  switch (simd_level()) {
#if HWY_ARCH_X86
    case SimdLevel::avx512: return N_AVX3::GemmKernel(engine, M, N, K, a, bt, C0, out, events, threads);
    case SimdLevel::avx2: return N_AVX2::GemmKernel(engine, M, N, K, a, bt, C0, out, events, threads);
#endif
    default: return false;  // the scalar level: the engine runs every output
  }
}

}  // namespace floatscope::detail
#endif  // HWY_ONCE
