// Runs a test body once per SIMD level this machine has (scalar, avx2, avx512), naming the level
// in the failure messages, and restores the level the test started with.
#pragma once

#include <catch2/catch.hpp>

#include "floatscope/simd.hpp"

namespace floatscope::test {

template <class Body>
void for_each_simd_level(Body body) {
  const SimdLevel saved = simd_level();
  for (SimdLevel level : available_simd_levels()) {
    set_simd_level(level);
    INFO("SIMD level " << simd_level_name(level));
    body();
  }
  set_simd_level(saved);
}

}  // namespace floatscope::test
