// Which vector unit the hot loops use. One build runs on any x86-64: every loop is compiled for
// AVX-512, AVX2 and plain scalar code, and the widest level this CPU has is picked at run time.
// FLOATSCOPE_SIMD=scalar|avx2|avx512 (or set_simd_level) forces a level, e.g. to test a path or
// to compare them; every level gives the same bits.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace floatscope {

enum class SimdLevel { scalar, avx2, avx512 };

std::string_view simd_level_name(SimdLevel level);
std::optional<SimdLevel> find_simd_level(std::string_view name);  // case-insensitive

// The levels this CPU and build can run, scalar first.
std::vector<SimdLevel> available_simd_levels();

// The level in use: set_simd_level's, else FLOATSCOPE_SIMD's, else the widest available.
// Throws std::invalid_argument when FLOATSCOPE_SIMD names an unknown level or one this CPU lacks.
SimdLevel simd_level();

// Forces a level for the whole process (tests, benchmarks, --simd); throws std::invalid_argument
// naming the level when this CPU cannot run it.
void set_simd_level(SimdLevel level);

}  // namespace floatscope
