// Counter-based random bits: value = f(seed, stream, index), no state.
//
// Stochastic rounding must give the same bits whatever the thread count or scheduling, so every
// random word is a pure function of its coordinates. The mixer is SplitMix64's finaliser applied to
// a Weyl sequence whose starting point is derived from (seed, stream); it passes BigCrush when the
// index runs sequentially, and every (seed, stream) pair gets an unrelated sequence.
#pragma once

#include <cstdint>

namespace floatscope {

// SplitMix64's constants, named so that vectorised copies of the generator use the same ones.
inline constexpr std::uint64_t kMixMul1 = 0xbf58476d1ce4e5b9ULL;
inline constexpr std::uint64_t kMixMul2 = 0x94d049bb133111ebULL;
inline constexpr std::uint64_t kWeylGamma = 0x9e3779b97f4a7c15ULL;  // the Weyl sequence's step

constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * kMixMul1;
  z = (z ^ (z >> 27)) * kMixMul2;
  return z ^ (z >> 31);
}

class CounterRng {
 public:
  constexpr CounterRng(std::uint64_t seed, std::uint64_t stream = 0)
      : key_(mix64(seed ^ mix64(stream + 0x632be59bd9b4e019ULL))) {}

  // 64 uniformly distributed bits for position `index`.
  constexpr std::uint64_t bits(std::uint64_t index) const {
    return mix64(key_ + (index + 1) * kWeylGamma);
  }
  // A uniform double in [0, 1) with 53 random bits.
  constexpr double uniform(std::uint64_t index) const {
    return static_cast<double>(bits(index) >> 11) * 0x1p-53;
  }
  constexpr std::uint64_t key() const { return key_; }

 private:
  std::uint64_t key_;
};

// Derives a stream id from several coordinates (for example row, column, step of a GEMM), so
// that a multi-dimensional position maps to one well-mixed 64-bit stream.
constexpr std::uint64_t stream_of(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0) {
  return mix64(mix64(a + 0x243f6a8885a308d3ULL) ^ (b + 0x13198a2e03707344ULL)) ^
         mix64(c + 0xa4093822299f31d0ULL);
}

}  // namespace floatscope
