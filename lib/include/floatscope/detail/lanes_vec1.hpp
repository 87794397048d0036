// A lane type for one double kept in a 128-bit vector register (GCC/Clang vector extensions), for
// the scalar types' short rounding path (round_normal_binades in round_core.inl). With
// ScalarLanes the double's encoding goes to a general-purpose register and back for the few
// integer operations of that path, which costs more latency than the operations themselves in a
// dependent chain; here they stay in the vector registers beside the double arithmetic. Only the
// operations round_normal_binades and sr_rounds_up use are provided; lane 0 carries the value.
#pragma once

#include <cstdint>

#if defined(__GNUC__) && !defined(__CUDACC__)
#define FLOATSCOPE_HAS_VEC1_LANES 1

namespace floatscope::detail {

struct Vec1Lanes {
  using U = std::uint64_t __attribute__((vector_size(16)));
  using F = double __attribute__((vector_size(16)));
  using M = U;  // all ones or zero per lane

  static constexpr U u(std::uint64_t x) { return U{x, x}; }
  static U from_double(double x) { return reinterpret_cast<U>(F{x, x}); }
  static double to_double(U x) { return reinterpret_cast<F>(x)[0]; }
  static U shl(U x, U n) { return x << n; }
  static U shr(U x, U n) { return x >> n; }
  static M eq(U a, U b) { return reinterpret_cast<M>(a == b); }
  static M lt(U a, U b) { return reinterpret_cast<M>(a < b); }
  static U sel(M m, U a, U b) { return (m & a) | (~m & b); }
  static M mand(M a, M b) { return a & b; }
  static M mnot(M a) { return ~a; }
};

}  // namespace floatscope::detail
#endif
