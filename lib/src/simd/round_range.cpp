// round_range (floatscope/detail/round_simd.hpp): the rounding core in a loop, compiled once per
// Highway target (foreach_target.h re-includes this file) and once for scalar lanes; the table at
// the end maps a SimdLevel to its instantiation.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/round_range.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/cache_control.h>
#include <hwy/highway.h>

#include <algorithm>
#include <bit>
#include <cstdint>

#include "floatscope/detail/round_simd.hpp"
#include "simd/lanes_hwy.h"
#include "simd/round_f32_hwy.h"

// Elements past the last whole vector, and whole ranges at the scalar level: the core on scalar
// lanes with the same random bits (CounterRng::bits(first + i) from its key).
#ifndef FLOATSCOPE_ROUND_RANGE_SCALAR_
#define FLOATSCOPE_ROUND_RANGE_SCALAR_
namespace floatscope::detail {
template <Mode M, int kSigns, CorePath P, class T>
inline void round_scalar_lanes(const T* in, T* out, std::size_t n, const RoundConsts<ScalarLanes>& k,
                               const EventParams& e, std::uint64_t key, std::uint64_t first,
                               LaneCounts<ScalarLanes>& cnt) {
  const EventConsts<ScalarLanes> ke = make_event_consts<ScalarLanes>(e.max_finite, e.min_normal);
  constexpr bool kRandom = M == Mode::sr || M == Mode::sr_equal;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t x = std::bit_cast<std::uint64_t>(static_cast<double>(in[i]));
    const std::uint64_t rnd = kRandom ? mix64(key + (first + i + 1) * kWeylGamma) : 0;
    const std::uint64_t y = round_core<M, kSigns, P, ScalarLanes>(x, rnd, k);
    out[i] = static_cast<T>(std::bit_cast<double>(y));
    count_events<ScalarLanes>(x, y, ke, cnt);
  }
}
}  // namespace floatscope::detail
#endif

HWY_BEFORE_NAMESPACE();
namespace floatscope::detail::HWY_NAMESPACE {

#include "floatscope/detail/round_core.inl"  // the core, compiled for this target

// Loads and stores of one vector of doubles: doubles as they are, floats widened (exact) and
// narrowed (exact: the format's values, Inf and the canonical NaN are all floats).
HWY_INLINE HwyLanes::U load_lanes(const double* p) { return hn::LoadU(HwyLanes::DU(), reinterpret_cast<const std::uint64_t*>(p)); }
HWY_INLINE HwyLanes::U load_lanes(const float* p) {
  const hn::Rebind<float, HwyLanes::DF> df32;
  return HwyLanes::as_u(hn::PromoteTo(HwyLanes::DF(), hn::LoadU(df32, p)));
}
HWY_INLINE void store_lanes(double* p, HwyLanes::U v, bool stream) {
  if (stream) {
    hn::Stream(HwyLanes::as_f(v), HwyLanes::DF(), p);
  } else {
    hn::StoreU(HwyLanes::as_f(v), HwyLanes::DF(), p);
  }
}
HWY_INLINE void store_lanes(float* p, HwyLanes::U v, bool stream) {
  const hn::Rebind<float, HwyLanes::DF> df32;
  const auto narrow = hn::DemoteTo(df32, HwyLanes::as_f(v));
  if (stream) {
    hn::Stream(narrow, df32, p);
  } else {
    hn::StoreU(narrow, df32, p);
  }
}

// stream: out is aligned to a vector and stores bypass the cache.
template <Mode M, int kSigns, CorePath P, class T>
void range_lanes(const T* in, T* out, std::size_t n, const RoundParams& p, const EventParams& e,
                 std::uint64_t key, std::uint64_t first, bool stream, EventCounts& c) {
  using L = HwyLanes;
  constexpr bool kRandom = M == Mode::sr || M == Mode::sr_equal;
  const std::size_t N = L::lanes();
  const RoundConsts<L> k = HWY_NAMESPACE::make_round_consts<L>(p);
  const EventConsts<L> ke = HWY_NAMESPACE::make_event_consts<L>(e.max_finite, e.min_normal);
  LaneCounts<L> cnt;
  HwyRng rng(key, first);
  const L::U no_rnd = L::u(0);
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    // The loop is long enough per element that the hardware prefetcher alone lets it wait on
    // memory for arrays beyond the caches: ask for the input a few cache lines ahead.
    hwy::Prefetch(in + i + 32 * N);
    const L::U x = load_lanes(in + i);
    const L::U y = round_core<M, kSigns, P, L>(x, kRandom ? rng.next() : no_rnd, k);
    store_lanes(out + i, y, stream);
    count_events<L>(x, y, ke, cnt);
  }
  if (stream) hwy::FlushStream();  // order the streamed lines before what the caller does next
  detail::LaneCounts<ScalarLanes> tail;
  detail::round_scalar_lanes<M, kSigns, P>(in + i, out + i, n - i,
                                        detail::make_round_consts<ScalarLanes>(p), e, key, first + i, tail);
  tail.nan_input += L::total(cnt.nan_input);
  tail.differ += L::total(cnt.differ);
  tail.overflow += L::total(cnt.overflow);
  tail.below_normal += L::total(cnt.below_normal);
  tail.zero_out += L::total(cnt.zero_out);
  tail.zero_in += L::total(cnt.zero_in);
  add_counts(c, tail, e);
}

template <Mode M, CorePath P, class T>
void range_signs(const T* in, T* out, std::size_t n, const RoundParams& p, const EventParams& e,
                 std::uint64_t key, std::uint64_t first, bool stream, EventCounts& c) {
  switch (p.signs) {
    case kSignsPlain: range_lanes<M, kSignsPlain, P>(in, out, n, p, e, key, first, stream, c); break;
    case kSignsNoNegZero: range_lanes<M, kSignsNoNegZero, P>(in, out, n, p, e, key, first, stream, c); break;
    default: range_lanes<M, kSignsGeneric, P>(in, out, n, p, e, key, first, stream, c); break;
  }
}

template <Mode M, class T>
void range_path(const T* in, T* out, std::size_t n, const RoundParams& p, const EventParams& e,
                std::uint64_t key, std::uint64_t first, bool stream, EventCounts& c) {
  if constexpr (M != Mode::sr) {
    if (p.fp_add) return range_signs<M, CorePath::fp_add>(in, out, n, p, e, key, first, stream, c);
  }
  range_signs<M, CorePath::integer>(in, out, n, p, e, key, first, stream, c);
}

// float32 in and out on float32 lanes (round_f32_hwy.h): 16 values per AVX-512 vector and no
// widening. Whole vectors only; the rest goes through range_path (the same bits).
template <Mode M, int kSigns>
void range_f32_lanes(const float* in, float* out, std::size_t n, const F32Params& q, const RangeContext& ctx,
                     std::uint64_t first, bool stream, EventCounts& c) {
  using L = F32Lanes;
  const std::size_t N = L::lanes();
  const F32Consts k(q);
  detail::LaneCounts<ScalarLanes> totals;
  // Per-lane uint32 counters are summed every kFlush elements, long before one could wrap.
  constexpr std::size_t kFlush = std::size_t{1} << 26;
  std::size_t i = 0;
  while (i + N <= n) {
    const std::size_t stop = std::min(n - (n - i) % N, i + kFlush);
    F32Counts cnt;
    for (; i < stop; i += N) {
      hwy::Prefetch(in + i + 32 * N);
      const L::V x = hn::LoadU(L::D(), reinterpret_cast<const std::uint32_t*>(in + i));
      const L::V y = round_core_f32<M, kSigns>(x, k);
      if (stream) {
        hn::Stream(L::as_f(y), L::DF(), out + i);
      } else {
        hn::StoreU(L::as_f(y), L::DF(), out + i);
      }
      count_events_f32(x, y, k, cnt);
    }
    totals.nan_input += lane_total(cnt.nan_input);
    totals.differ += lane_total(cnt.differ);
    totals.overflow += lane_total(cnt.overflow);
    totals.below_normal += lane_total(cnt.below_normal);
    totals.zero_out += lane_total(cnt.zero_out);
    totals.zero_in += lane_total(cnt.zero_in);
  }
  if (stream) hwy::FlushStream();
  add_counts(c, totals, ctx.events);
  if (i < n) range_path<M>(in + i, out + i, n - i, ctx.round, ctx.events, ctx.rng.key(), first + i, false, c);
}

// Whether round_range_t takes the float32 lanes for this mode (a compile-time mode, so that the
// stochastic instantiations do not compile the path at all).
template <Mode M>
bool range_f32(const float* in, float* out, std::size_t n, const RangeContext& ctx, std::uint64_t first,
               bool stream, EventCounts& c) {
  if constexpr (M == Mode::sr || M == Mode::sr_equal) {
    return false;
  } else {
    if (!float32_lanes_apply(ctx.round, M)) return false;
    const F32Params q = make_f32_params(ctx.round, ctx.events);
    if (ctx.round.signs == kSignsPlain) {
      range_f32_lanes<M, kSignsPlain>(in, out, n, q, ctx, first, stream, c);
    } else {
      range_f32_lanes<M, kSignsNoNegZero>(in, out, n, q, ctx, first, stream, c);
    }
    return true;
  }
}
template <Mode M>
bool range_f32(const double*, double*, std::size_t, const RangeContext&, std::uint64_t, bool, EventCounts&) {
  return false;
}

template <class T>
void round_range_t(Mode m, const T* in, T* out, std::size_t n, const RangeContext& ctx,
                   std::uint64_t first, EventCounts& c) {
  const std::uint64_t key = ctx.rng.key();
  with_mode(m, [&](auto mc) {
    constexpr Mode M = decltype(mc)::value;
    const auto path = [&](const T* i, T* o, std::size_t len, std::uint64_t at, bool stream) {
      if (range_f32<M>(i, o, len, ctx, at, stream, c)) return;
      range_path<M>(i, o, len, ctx.round, ctx.events, key, at, stream, c);
    };
    // Streaming stores need an aligned address: round the head up to it with ordinary stores.
    const auto addr = reinterpret_cast<std::uintptr_t>(out);
    // (one whole vector: the float32 lanes store full vectors of floats.)
    const std::size_t align = HwyLanes::lanes() * sizeof(std::uint64_t);
    if (!ctx.stream_stores || addr % sizeof(T) != 0) {
      path(in, out, n, first, false);
      return;
    }
    const std::size_t head = std::min(n, ((align - addr % align) % align) / sizeof(T));
    path(in, out, head, first, false);
    path(in + head, out + head, n - head, first + head, true);
  });
}

void RoundRangeF64(Mode m, const double* in, double* out, std::size_t n, const RangeContext& ctx,
                   std::uint64_t first, EventCounts& c) {
  round_range_t(m, in, out, n, ctx, first, c);
}
void RoundRangeF32(Mode m, const float* in, float* out, std::size_t n, const RangeContext& ctx,
                   std::uint64_t first, EventCounts& c) {
  round_range_t(m, in, out, n, ctx, first, c);
}

}  // namespace floatscope::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace floatscope::detail {
namespace {

template <class T>
void round_range_scalar(Mode m, const T* in, T* out, std::size_t n, const RangeContext& ctx,
                        std::uint64_t first, EventCounts& c) {
  const RoundConsts<ScalarLanes> k = make_round_consts<ScalarLanes>(ctx.round);
  LaneCounts<ScalarLanes> cnt;
  with_mode(m, [&](auto mc) {
    constexpr Mode M = decltype(mc)::value;
    switch (ctx.round.signs) {
      case kSignsPlain: round_scalar_lanes<M, kSignsPlain, CorePath::integer>(in, out, n, k, ctx.events, ctx.rng.key(), first, cnt); break;
      case kSignsNoNegZero: round_scalar_lanes<M, kSignsNoNegZero, CorePath::integer>(in, out, n, k, ctx.events, ctx.rng.key(), first, cnt); break;
      default: round_scalar_lanes<M, kSignsGeneric, CorePath::integer>(in, out, n, k, ctx.events, ctx.rng.key(), first, cnt); break;
    }
  });
  add_counts(c, cnt, ctx.events);
}

template <class T, class Fn512, class Fn256>
void dispatch(SimdLevel level, Fn512 f512, Fn256 f256, Mode m, const T* in, T* out, std::size_t n,
              const RangeContext& ctx, std::uint64_t first, EventCounts& c) {
  switch (level) {
#if HWY_ARCH_X86
    case SimdLevel::avx512: f512(m, in, out, n, ctx, first, c); return;
    case SimdLevel::avx2: f256(m, in, out, n, ctx, first, c); return;
#endif
    default: round_range_scalar(m, in, out, n, ctx, first, c); return;
  }
}

}  // namespace

#if HWY_ARCH_X86
#define FLOATSCOPE_RANGE_FNS(name) &N_AVX3::name, &N_AVX2::name
#else
#define FLOATSCOPE_RANGE_FNS(name) nullptr, nullptr
#endif

void round_range(SimdLevel level, Mode m, const double* in, double* out, std::size_t n,
                 const RangeContext& ctx, std::uint64_t first, EventCounts& c) {
  dispatch(level, FLOATSCOPE_RANGE_FNS(RoundRangeF64), m, in, out, n, ctx, first, c);
}
void round_range(SimdLevel level, Mode m, const float* in, float* out, std::size_t n,
                 const RangeContext& ctx, std::uint64_t first, EventCounts& c) {
  dispatch(level, FLOATSCOPE_RANGE_FNS(RoundRangeF32), m, in, out, n, ctx, first, c);
}

}  // namespace floatscope::detail
#endif  // HWY_ONCE
