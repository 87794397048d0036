// Array rounding over a contiguous range: the hot loop behind round_array.
//
// One loop (lib/src/simd/round_range.cpp) around the rounding core, compiled for every SIMD level
// (floatscope/simd.hpp) and picked at run time. Every level counts the events of count_events and
// draws SR bits as CounterRng::bits(first + i): results do not depend on the level, nor on how a
// caller splits an array between threads. tests/unit/test_round_simd.cpp checks every level this
// machine has against the scalar kernel, bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>

#include "floatscope/detail/round_kernel.hpp"
#include "floatscope/random.hpp"
#include "floatscope/rounding.hpp"
#include "floatscope/simd.hpp"

namespace floatscope::detail {

// Everything a range needs besides the data.
struct RangeContext {
  RoundParams round;
  EventParams events;
  CounterRng rng;  // of (seed, stream)
  // Write the output with non-temporal stores (where the level has them): worth it for arrays
  // far larger than the caches, when nothing reads the output right away.
  bool stream_stores = false;
};

// Rounds in[0, n) into out with mode m at the given level, adding the events to c. T is double or
// float (float only for formats whose values are all floats, so the final narrowing is exact).
void round_range(SimdLevel level, Mode m, const double* in, double* out, std::size_t n,
                 const RangeContext& ctx, std::uint64_t first, EventCounts& c);
void round_range(SimdLevel level, Mode m, const float* in, float* out, std::size_t n,
                 const RangeContext& ctx, std::uint64_t first, EventCounts& c);

}  // namespace floatscope::detail
