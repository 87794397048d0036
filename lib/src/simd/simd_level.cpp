// Runtime choice of the SIMD level (floatscope/simd.hpp).
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "floatscope/names.hpp"
#include "floatscope/simd.hpp"

namespace floatscope {
namespace {

constexpr struct {
  SimdLevel level;
  std::string_view name;
} kLevels[] = {{SimdLevel::scalar, "scalar"}, {SimdLevel::avx2, "avx2"}, {SimdLevel::avx512, "avx512"}};

// What each level's code was compiled for (Highway's AVX2 and AVX3 targets): every feature must
// be present, or the first instruction outside the set is SIGILL.
bool cpu_has(SimdLevel level) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
                    __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("fma") &&
                    __builtin_cpu_supports("f16c") && __builtin_cpu_supports("sse4.2") &&
                    __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("aes");
  switch (level) {
    case SimdLevel::scalar: return true;
    case SimdLevel::avx2: return avx2;
    case SimdLevel::avx512:
      return avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
  }
  return false;
#else
  return level == SimdLevel::scalar;  // other architectures: the portable scalar path
#endif
}

SimdLevel from_environment() {
  const char* env = std::getenv("FLOATSCOPE_SIMD");
  const auto levels = available_simd_levels();
  if (env == nullptr || *env == '\0') return levels.back();
  const auto level = find_simd_level(env);
  if (!level)
    throw std::invalid_argument(std::string("FLOATSCOPE_SIMD: unknown level '") + env +
                                "' (valid: scalar, avx2, avx512)");
  if (std::find(levels.begin(), levels.end(), *level) == levels.end())
    throw std::invalid_argument(std::string("FLOATSCOPE_SIMD=") + env + ": this CPU cannot run it");
  return *level;
}

constexpr int kUnset = -1;
std::atomic<int> g_level{kUnset};

}  // namespace

std::string_view simd_level_name(SimdLevel level) {
  for (const auto& l : kLevels)
    if (l.level == level) return l.name;
  return "?";
}

std::optional<SimdLevel> find_simd_level(std::string_view name) {
  for (const auto& l : kLevels)
    if (iequals(l.name, name)) return l.level;
  return std::nullopt;
}

std::vector<SimdLevel> available_simd_levels() {
  std::vector<SimdLevel> out;
  for (const auto& l : kLevels)
    if (cpu_has(l.level)) out.push_back(l.level);
  return out;
}

SimdLevel simd_level() {
  int v = g_level.load(std::memory_order_relaxed);
  if (v == kUnset) {
    v = static_cast<int>(from_environment());
    g_level.store(v, std::memory_order_relaxed);
  }
  return static_cast<SimdLevel>(v);
}

void set_simd_level(SimdLevel level) {
  if (!cpu_has(level))
    throw std::invalid_argument("SIMD level " + std::string(simd_level_name(level)) +
                                ": this CPU cannot run it");
  g_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

}  // namespace floatscope
