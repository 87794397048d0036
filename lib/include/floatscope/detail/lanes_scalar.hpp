// The scalar lane type of the rounding core: one value per "vector", plain C++ integer and double
// operations. The same source instantiates on host and (with nvcc) device code, so a CUDA backend
// rounds with the core that the CPU paths use.
//
// A lane type L provides: U (64-bit unsigned lanes), F (double lanes), M (lane mask); splats
// u()/f(); bit casts as_u()/as_f(); shifts with per-lane counts in [0, 63]; unsigned compares;
// ordered double compares; sel(mask, a, b); mask logic; to_f (an integer below 2^63 to double,
// exact for the values the core converts); to_i (a double to int64, truncating, as U); trunc
// (toward zero, as a double); C, an event counter: c0() (zero), count(acc, mask) (adds the lanes set in the mask), total(c).
// lanes_hwy.hpp is the Highway lane type with the same names.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define FLOATSCOPE_HD __host__ __device__
#else
#define FLOATSCOPE_HD
#endif

// The core's functions are large; unless forced, GCC calls them out of line from the vector loops
// and passes every vector through memory, which costs more than the arithmetic.
#if defined(__GNUC__) && !defined(__CUDACC__)
#define FLOATSCOPE_INLINE inline __attribute__((always_inline))
#else
#define FLOATSCOPE_INLINE inline
#endif

namespace floatscope::detail {

struct ScalarLanes {
  using U = std::uint64_t;
  using F = double;
  using M = bool;

  static FLOATSCOPE_HD constexpr U u(std::uint64_t x) { return x; }
  static FLOATSCOPE_HD constexpr F f(double x) { return x; }
  // Device code has its own bit casts (std::bit_cast is host-only under nvcc).
  static FLOATSCOPE_HD inline U as_u(F x) {
#if defined(__CUDA_ARCH__)
    return static_cast<U>(__double_as_longlong(x));
#else
    return std::bit_cast<U>(x);
#endif
  }
  static FLOATSCOPE_HD inline F as_f(U x) {
#if defined(__CUDA_ARCH__)
    return __longlong_as_double(static_cast<long long>(x));
#else
    return std::bit_cast<F>(x);
#endif
  }
  static FLOATSCOPE_HD constexpr U shl(U x, U n) { return x << n; }
  static FLOATSCOPE_HD constexpr U shr(U x, U n) { return x >> n; }
  template <int N>
  static FLOATSCOPE_HD constexpr U shr_n(U x) { return x >> N; }
  static FLOATSCOPE_HD constexpr M eq(U a, U b) { return a == b; }
  static FLOATSCOPE_HD constexpr M lt(U a, U b) { return a < b; }
  static FLOATSCOPE_HD constexpr M le(U a, U b) { return a <= b; }
  static FLOATSCOPE_HD constexpr M feq(F a, F b) { return a == b; }
  static FLOATSCOPE_HD constexpr M flt(F a, F b) { return a < b; }
  static FLOATSCOPE_HD constexpr U sel(M m, U a, U b) { return m ? a : b; }
  static FLOATSCOPE_HD constexpr F fsel(M m, F a, F b) { return m ? a : b; }
  static FLOATSCOPE_HD constexpr M mand(M a, M b) { return a && b; }
  static FLOATSCOPE_HD constexpr M mor(M a, M b) { return a || b; }
  static FLOATSCOPE_HD constexpr M mnot(M a) { return !a; }
  static FLOATSCOPE_HD constexpr M mconst(bool b) { return b; }
  static FLOATSCOPE_HD constexpr F to_f(U x) { return static_cast<double>(static_cast<std::int64_t>(x)); }
  static FLOATSCOPE_HD constexpr U to_i(F x) { return static_cast<U>(static_cast<std::int64_t>(x)); }
  static FLOATSCOPE_HD inline F trunc(F x) { return std::trunc(x); }
  using C = std::uint64_t;  // an event counter
  static FLOATSCOPE_HD constexpr C c0() { return 0; }
  static FLOATSCOPE_HD constexpr C count(C acc, M m) { return acc + (m ? 1 : 0); }
  static FLOATSCOPE_HD constexpr std::uint64_t total(C c) { return c; }
};

}  // namespace floatscope::detail
