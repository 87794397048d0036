// The Highway lane type of the rounding core (see floatscope/detail/lanes_scalar.hpp for the
// contract): the widest vector of the target being compiled. Included once per target from inside
// a foreach_target.h translation unit, so it has no include guard of its own but Highway's
// per-target toggle.
#if defined(FLOATSCOPE_LANES_HWY_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef FLOATSCOPE_LANES_HWY_H_
#undef FLOATSCOPE_LANES_HWY_H_
#else
#define FLOATSCOPE_LANES_HWY_H_
#endif

#include <hwy/highway.h>

#include "floatscope/random.hpp"

HWY_BEFORE_NAMESPACE();
namespace floatscope::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

struct HwyLanes {
  using DU = hn::ScalableTag<std::uint64_t>;
  using DI = hn::ScalableTag<std::int64_t>;
  using DF = hn::ScalableTag<double>;
  using U = hn::Vec<DU>;
  using F = hn::Vec<DF>;
  using M = hn::Mask<DU>;

  static HWY_INLINE size_t lanes() { return hn::Lanes(DU()); }
  static HWY_INLINE U u(std::uint64_t x) { return hn::Set(DU(), x); }
  static HWY_INLINE F f(double x) { return hn::Set(DF(), x); }
  static HWY_INLINE U as_u(F x) { return hn::BitCast(DU(), x); }
  static HWY_INLINE F as_f(U x) { return hn::BitCast(DF(), x); }
  static HWY_INLINE U shl(U x, U n) { return x << n; }
  static HWY_INLINE U shr(U x, U n) { return x >> n; }
  template <int N>
  static HWY_INLINE U shr_n(U x) { return hn::ShiftRight<N>(x); }
  static HWY_INLINE M eq(U a, U b) { return a == b; }
  static HWY_INLINE M lt(U a, U b) { return b > a; }
  static HWY_INLINE M le(U a, U b) { return hn::Not(a > b); }
  static HWY_INLINE M feq(F a, F b) { return hn::RebindMask(DU(), a == b); }
  static HWY_INLINE M flt(F a, F b) { return hn::RebindMask(DU(), a < b); }
  static HWY_INLINE U sel(M m, U a, U b) { return hn::IfThenElse(m, a, b); }
  static HWY_INLINE F fsel(M m, F a, F b) { return hn::IfThenElse(hn::RebindMask(DF(), m), a, b); }
  static HWY_INLINE M mand(M a, M b) { return hn::And(a, b); }
  static HWY_INLINE M mor(M a, M b) { return hn::Or(a, b); }
  static HWY_INLINE M mnot(M a) { return hn::Not(a); }
  static HWY_INLINE M mconst(bool b) { return b ? hn::FirstN(DU(), lanes()) : hn::FirstN(DU(), 0); }
  static HWY_INLINE F to_f(U x) { return hn::ConvertTo(DF(), hn::BitCast(DI(), x)); }
  // The core converts only values inside int64's range: skip Highway's overflow fix-up where the
  // instruction exists (AVX-512DQ).
  static HWY_INLINE U to_i(F x) {
#if HWY_TARGET == HWY_AVX3
    return U{_mm512_cvttpd_epi64(x.raw)};
#else
    return hn::BitCast(DU(), hn::ConvertTo(DI(), x));
#endif
  }
  static HWY_INLINE F trunc(F x) { return hn::Trunc(x); }
  // Event counters: per-lane counts in a register (one masked add per count), summed at the end.
  using C = U;
  static HWY_INLINE C c0() { return u(0); }
  static HWY_INLINE C count(C acc, M m) { return hn::IfThenElse(m, acc + u(1), acc); }
  static HWY_INLINE std::uint64_t total(C c) { return sum(c); }
  static HWY_INLINE std::uint64_t sum(U v) { return hn::GetLane(hn::SumOfLanes(DU(), v)); }
};

// Low 64 bits of x * c for a constant c: AVX-512DQ's 64-bit multiply, else three 32x32->64
// products (AVX2 has no 64-bit lane multiply, and Highway 1.0 offers none).
HWY_INLINE HwyLanes::U mul_lo_const(HwyLanes::U x, std::uint64_t c) {
  using DU = HwyLanes::DU;
#if HWY_TARGET == HWY_SCALAR
  return hn::Set(DU(), hn::GetLane(x) * c);  // the baseline copy (never dispatched to)
#elif HWY_TARGET == HWY_AVX3
  return HwyLanes::U{_mm512_mullo_epi64(x.raw, hn::Set(DU(), c).raw)};  // AVX-512DQ has it
#else
  const hn::Repartition<std::uint32_t, DU> d32;
  const HwyLanes::U c_lo = hn::Set(DU(), c & 0xffffffffULL), c_hi = hn::Set(DU(), c >> 32);
  const HwyLanes::U x_hi = hn::ShiftRight<32>(x);
  const HwyLanes::U lo = hn::MulEven(hn::BitCast(d32, x), hn::BitCast(d32, c_lo));
  const HwyLanes::U cross = hn::MulEven(hn::BitCast(d32, x), hn::BitCast(d32, c_hi)) +
                            hn::MulEven(hn::BitCast(d32, x_hi), hn::BitCast(d32, c_lo));
  return lo + hn::ShiftLeft<32>(cross);
#endif
}

// mix64 (random.hpp) on every lane.
HWY_INLINE HwyLanes::U mix64_lanes(HwyLanes::U z) {
  z = mul_lo_const(z ^ hn::ShiftRight<30>(z), kMixMul1);
  z = mul_lo_const(z ^ hn::ShiftRight<27>(z), kMixMul2);
  return z ^ hn::ShiftRight<31>(z);
}

// CounterRng::bits(first + i) for the lanes i = 0.. of successive vectors: a Weyl sequence
// advanced one vector per draw, so no 64-bit index multiplication in the loop.
struct HwyRng {
  HwyLanes::U weyl;  // key + (index + 1) * gamma per lane
  HwyLanes::U step;
  HWY_INLINE HwyRng(std::uint64_t key, std::uint64_t first) {
    const HwyLanes::DU du;
    const size_t n = hn::Lanes(du);
    HWY_ALIGN std::uint64_t w[64];  // >= the lanes of any target (SVE: 32)
    for (size_t l = 0; l < n; ++l) w[l] = key + (first + l + 1) * kWeylGamma;
    weyl = hn::Load(du, w);
    step = hn::Set(du, static_cast<std::uint64_t>(n) * kWeylGamma);
  }
  HWY_INLINE HwyLanes::U next() {
    const HwyLanes::U r = mix64_lanes(weyl);
    weyl = weyl + step;
    return r;
  }
};

}  // namespace floatscope::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // FLOATSCOPE_LANES_HWY_H_
