// Array rounding over a contiguous range: the hot loop behind round_array.
//
// Two implementations of the same function, chosen at compile time:
//   round_range_scalar  calls the scalar round_kernel<M> per element (the reference; any build);
//   round_range_avx512  (round_simd_avx512.hpp) does 8 lanes at a time with the same integer
//                       algorithm, when the compiler targets AVX-512F+DQ+VL.
// Both count the RoundStats events branch-free, so the loop has no data-dependent branches, and
// both draw SR bits as CounterRng::bits(first + i): results do not depend on how a caller splits
// an array between threads. tests/unit/test_round_simd.cpp checks the vector path bit-for-bit
// against the scalar kernel; a semantic change to round_kernel must be mirrored there.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "floatscope/detail/round_kernel.hpp"
#include "floatscope/format.hpp"
#include "floatscope/random.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope::detail {

// What the event counts read from the Format.
struct EventParams {
  double max_finite;
  double min_normal;
  bool has_nan;
};

inline EventParams make_event_params(const Format& f) {
  return {f.max_finite, f.min_normal, f.has_nan()};
}

struct EventCounts {
  std::uint64_t inexact = 0, overflow = 0, underflow = 0, flushed = 0, nan_unrepresentable = 0;
};

// The events of one (input, rounded) pair, as 0/1 values (the definition behind classify()).
inline void count_events(double in, double out, const EventParams& e, EventCounts& c) {
  const bool in_nan = std::isnan(in);
  const double ai = std::fabs(in), ao = std::fabs(out);
  const bool nonzero = !in_nan && in != 0;
  c.nan_unrepresentable += in_nan && !e.has_nan;
  c.inexact += !in_nan && !(in == out);
  c.overflow += std::isfinite(in) && ai > e.max_finite &&
                (std::isnan(out) || std::isinf(out) || ao == e.max_finite);
  c.underflow += nonzero && ao < e.min_normal;
  c.flushed += nonzero && out == 0;
}

// Everything a range needs besides the data.
struct RangeContext {
  RoundParams round;
  EventParams events;
  CounterRng rng;  // of (seed, stream)
  // Write the output with non-temporal stores (where the path has them): worth it for arrays
  // far larger than the caches, when nothing reads the output right away.
  bool stream_stores = false;
};

template <Mode M, class T>
inline void round_range_scalar(const T* in, T* out, std::size_t n, const RangeContext& ctx,
                               std::uint64_t first, EventCounts& c) {
  constexpr bool kRandom = M == Mode::sr || M == Mode::sr_equal;
  const CounterRng rng = ctx.rng;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = static_cast<double>(in[i]);
    const std::uint64_t rnd = kRandom ? rng.bits(first + i) : 0;
    const double y = round_kernel<M>(x, ctx.round, rnd);
    out[i] = static_cast<T>(y);
    count_events(x, y, ctx.events, c);
  }
}

}  // namespace floatscope::detail

#if defined(__AVX512F__) && defined(__AVX512DQ__) && defined(__AVX512VL__) && \
    !defined(FLOATSCOPE_NO_SIMD)
#include "floatscope/detail/round_simd_avx512.hpp"
#define FLOATSCOPE_ROUND_AVX512 1
#endif

namespace floatscope::detail {

// The fastest path this build has. T is double or float (float only for formats whose values
// are all floats, so the final narrowing is exact).
template <Mode M, class T>
inline void round_range(const T* in, T* out, std::size_t n, const RangeContext& ctx,
                        std::uint64_t first, EventCounts& c) {
#ifdef FLOATSCOPE_ROUND_AVX512
  round_range_avx512<M>(in, out, n, ctx, first, c);
#else
  round_range_scalar<M>(in, out, n, ctx, first, c);
#endif
}

}  // namespace floatscope::detail
