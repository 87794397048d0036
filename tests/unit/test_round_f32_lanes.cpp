// round_array(float) on float32 lanes (floatscope/detail/round_f32.hpp): for the grids inside
// float32's and the deterministic modes, the float32-lane path must give the bits and events of
// the scalar kernel (which test_round_oracle holds to MPFR), and of the MPFR oracle itself, on
// every SIMD level this machine has: 10^6 random inputs for bf16, fp16, e4m3 and e5m2 (10^5 for
// the other grids, MXINT8 included), every float32 class (random bit patterns, the format's
// binades with exact ties, float32 subnormals, the target's subnormal range, max finite and the
// values just past it, overflow with and without saturation, zeros, infinities, NaNs with
// payloads).
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "floatscope/detail/round_f32.hpp"
#include "floatscope/format.hpp"
#include "floatscope/random.hpp"
#include "floatscope/rounding.hpp"
#include "floatscope/simd.hpp"
#include "../support/mpfr_oracle.hpp"
#include "simd_levels.hpp"

using namespace floatscope;

namespace {

std::uint32_t bits_of(float x) { return std::bit_cast<std::uint32_t>(x); }

// The float32 inputs: the specials and edges of the format, then n_random values from a mix of
// classes.
std::vector<float> inputs(const Format& f, std::size_t n_random, std::uint64_t seed) {
  const float inf = std::numeric_limits<float>::infinity();
  const float fmax = static_cast<float>(f.max_finite);
  // One quantum of the top binade, and half of it: max + half is the overflow tie.
  const float top_q = static_cast<float>(std::ldexp(1.0, f.emax - f.man_bits));
  std::vector<float> edges = {0.0f, inf, fmax, std::nextafter(fmax, inf), fmax + top_q / 2,
                              std::nextafter(fmax + top_q / 2, inf), std::nextafter(fmax + top_q / 2, 0.0f),
                              fmax + top_q, static_cast<float>(std::ldexp(1.0, f.emax + 1)),
                              std::numeric_limits<float>::max(), std::numeric_limits<float>::denorm_min(),
                              std::numeric_limits<float>::min(), static_cast<float>(f.min_normal),
                              static_cast<float>(f.min_subnormal), static_cast<float>(f.min_subnormal / 2),
                              static_cast<float>(f.min_subnormal * 1.5), static_cast<float>(f.min_subnormal * 0.75),
                              std::nextafter(static_cast<float>(f.min_subnormal / 2), inf),
                              std::nextafter(static_cast<float>(f.min_normal), 0.0f)};
  std::vector<float> v;
  for (float s : {1.0f, -1.0f})
    for (float x : edges) v.push_back(s * x);
  for (std::uint32_t nan : {0x7fc00000u, 0x7f800001u, 0xffc00123u, 0x7fffffffu, 0xff800001u})
    v.push_back(std::bit_cast<float>(nan));
  const CounterRng rng(seed, 11);
  const int lo = f.emin - f.man_bits - 3, hi = f.emax + 2;
  for (std::size_t i = 0; i < n_random; ++i) {
    const std::uint64_t r = rng.bits(i);
    const std::uint32_t r2 = static_cast<std::uint32_t>(r >> 32);
    float x;
    switch (r % 6) {
      case 0: x = std::bit_cast<float>(r2); break;                // any float32 bit pattern
      case 1: x = std::bit_cast<float>(r2 & 0x807fffffu); break;  // a float32 subnormal
      default: {  // a binade in or near the format's range (clamped to float32's)
        int e = lo + static_cast<int>((r >> 8) % static_cast<std::uint64_t>(hi - lo + 1));
        if (e < -149) e = -149;
        if (e > 127) e = 127;
        std::uint32_t m = r2 & 0x007fffffu;
        // Often only a few bits past the cut: exact ties and near-ties.
        if ((r >> 3) % 3 == 0) {
          const int keep = f.man_bits + 1 + static_cast<int>((r >> 40) % 3);
          if (keep < 23) m &= ~((std::uint32_t{1} << (23 - keep)) - 1);
        }
        x = static_cast<float>(std::ldexp(1.0 + std::ldexp(static_cast<double>(m), -23), e));
        if (r & 4) x = -x;
      }
    }
    v.push_back(x);
  }
  return v;
}

struct Grid {
  const char* spec;
  std::size_t n_random;
};
// The main formats of the benchmark and the Python users get 10^6 values.
constexpr Grid kGrids[] = {
    {"bf16", 1000000}, {"fp16", 1000000}, {"e4m3", 1000000}, {"e5m2", 1000000},
    {"tf32", 100000},  {"e4m3fnuz", 100000}, {"e5m2fnuz", 100000}, {"e3m2", 100000},
    {"e2m3", 100000},  {"e2m1", 100000},  {"e8m22", 100000}, {"e3m4:subnormals=off", 100000},
    {"e5m7:specials=fnuz,bias=16", 100000}, {"e6m9", 100000}, {"int8", 100000},
};

constexpr Mode kDeterministic[] = {Mode::rne, Mode::rna, Mode::rtz, Mode::rup, Mode::rdn, Mode::rto};

bool same_stats(const RoundStats& a, const RoundStats& b) {
  return a.count == b.count && a.inexact == b.inexact && a.overflow == b.overflow &&
         a.underflow == b.underflow && a.flushed == b.flushed &&
         a.nan_unrepresentable == b.nan_unrepresentable;
}

std::string describe(const Format& f, const Rounding& r) {
  return f.name + " " + std::string(mode_name(r.mode)) + (r.overflow == Overflow::saturate ? " saturate" : " spec");
}

}  // namespace

TEST_CASE("the float32 lanes take the grids inside float32's, deterministic modes only", "[round_f32_lanes]") {
  const auto applies = [](const char* spec, Mode m, Overflow o = Overflow::spec) {
    Rounding r;
    r.mode = m;
    r.overflow = o;
    return detail::float32_lanes_apply(detail::make_round_params(parse_format(spec), r), m);
  };
  for (const char* spec : {"bf16", "fp16", "tf32", "e4m3", "e5m2", "e4m3fnuz", "e5m2fnuz", "e2m1", "e8m22"})
    for (Mode m : kDeterministic) {
      INFO(spec << " " << mode_name(m));
      CHECK(applies(spec, m));
      CHECK(applies(spec, m, Overflow::saturate));
    }
  CHECK_FALSE(applies("bf16", Mode::sr));
  CHECK_FALSE(applies("bf16", Mode::sr_equal));
  CHECK_FALSE(applies("fp32", Mode::rne));    // 24 bits: nothing to round
  CHECK_FALSE(applies("e8m0", Mode::rne));    // no zero, unsigned: the generic sign fix-ups
  CHECK_FALSE(applies("e4m2:signed=no", Mode::rne));
  CHECK_FALSE(applies("fp64", Mode::rne));
  CHECK_FALSE(applies("e9m10", Mode::rne));  // below float32's range
}

TEST_CASE("round_array(float) on float32 lanes equals the scalar kernel and MPFR", "[round_f32_lanes]") {
  for (const Grid& g : kGrids) {
    const Format f = parse_format(g.spec);
    REQUIRE(f.values_are_floats());
    const std::vector<float> in = inputs(f, g.n_random, f.width * 131 + f.man_bits);
    for (Mode m : kDeterministic)
      for (Overflow o : {Overflow::spec, Overflow::saturate}) {
        Rounding r;
        r.mode = m;
        r.overflow = o;
        INFO(describe(f, r));
        REQUIRE(detail::float32_lanes_apply(detail::make_round_params(f, r), m));
        // Expected: the scalar kernel on the widened value (events from classify), and the
        // oracle on every 8th value and on every edge.
        std::vector<float> want(in.size());
        RoundStats ws;
        std::size_t oracle_bad = in.size();
        for (std::size_t i = 0; i < in.size(); ++i) {
          const double y = floatscope::round(static_cast<double>(in[i]), f, r);
          want[i] = static_cast<float>(y);
          ws += classify(static_cast<double>(in[i]), y, f);
          if ((i < 64 || i % 8 == 0) && oracle_bad == in.size()) {
            const float o_val = static_cast<float>(oracle::oracle_round(static_cast<double>(in[i]), f, m, o));
            if (bits_of(o_val) != bits_of(want[i])) oracle_bad = i;
          }
        }
        if (oracle_bad < in.size())
          FAIL_CHECK("the scalar kernel differs from MPFR at input " << std::hexfloat << in[oracle_bad]);
        floatscope::test::for_each_simd_level([&] {
          std::vector<float> got(in.size());
          const RoundStats gs = round_array(in, got, f, r, 0, 1);
          std::size_t bad = 0;
          while (bad < in.size() && bits_of(got[bad]) == bits_of(want[bad])) ++bad;
          if (bad < in.size()) {
            INFO("input " << std::hexfloat << in[bad] << " (0x" << std::hex << bits_of(in[bad]) << ") want 0x"
                          << bits_of(want[bad]) << " got 0x" << bits_of(got[bad]));
            CHECK(bad == in.size());
          }
          CHECK(same_stats(ws, gs));
          // In place (the Python API's out=x) gives the same.
          std::vector<float> inplace = in;
          const RoundStats is = round_array(inplace, inplace, f, r, 0, 1);
          CHECK(std::equal(inplace.begin(), inplace.end(), got.begin(),
                           [](float a, float b) { return bits_of(a) == bits_of(b); }));
          CHECK(same_stats(ws, is));
        });
      }
  }
}

TEST_CASE("float32 lanes with streaming stores, an unaligned output and threads", "[round_f32_lanes]") {
  // Large enough for round_array's non-temporal stores (2 arrays >= 64 MiB), output one float off
  // a vector boundary, a length that is not a multiple of any vector, two threads.
  const std::size_t n = (std::size_t{8} << 20) + 13;
  for (const char* spec : {"bf16", "e4m3"}) {
    const Format f = parse_format(spec);
    Rounding r;
    r.mode = spec[0] == 'b' ? Mode::rne : Mode::rtz;
    INFO(describe(f, r));
    const CounterRng rng(5, 1);
    std::vector<float> in(n), buf(n + 16);
    for (std::size_t i = 0; i < n; ++i) in[i] = static_cast<float>(std::ldexp(static_cast<double>(rng.bits(i) >> 11), -53) * 1000.0 - 500.0);
    std::vector<float> want(n);
    RoundStats ws;
    for (std::size_t i = 0; i < n; ++i) {
      const double y = floatscope::round(static_cast<double>(in[i]), f, r);
      want[i] = static_cast<float>(y);
      ws += classify(static_cast<double>(in[i]), y, f);
    }
    const std::span<float> out(buf.data() + 1, n);
    const RoundStats gs = round_array(in, out, f, r, 0, 2);
    std::size_t bad = 0;
    while (bad < n && bits_of(out[bad]) == bits_of(want[bad])) ++bad;
    CHECK(bad == n);
    CHECK(same_stats(ws, gs));
  }
}
