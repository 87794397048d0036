// The array path (round_array on every SIMD level this machine has) against the scalar kernel,
// bit for bit.
//
// The scalar round_kernel<M> is what the MPFR oracle tests check; round_array must give exactly
// its results (and classify()'s events) for every format, mode, overflow policy and SR width, on
// inputs chosen to hit every branch of the kernel: each binade around the format's range,
// subnormal doubles, ties, values at and just past max finite, zeros, infinities and NaNs.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "floatscope/detail/round_simd.hpp"
#include "floatscope/format.hpp"
#include "floatscope/random.hpp"
#include "floatscope/rounding.hpp"
#include "floatscope/simd.hpp"
#include "simd_levels.hpp"

using namespace floatscope;

namespace {

std::uint64_t bits_of(double x) { return std::bit_cast<std::uint64_t>(x); }

// Inputs covering the format: every binade from below half the smallest subnormal to beyond the
// largest finite, mantissas that end right after the cut (exact ties) or anywhere, and specials.
std::vector<double> probe_inputs(const Format& f, std::size_t n_random, std::uint64_t seed) {
  const CounterRng rng(seed, 7);
  std::vector<double> v;
  const double inf = std::numeric_limits<double>::infinity();
  for (double s : {1.0, -1.0}) {
    for (double x : {0.0, inf, f.max_finite, f.min_normal, f.min_subnormal, f.min_subnormal / 2,
                     f.max_finite * (1 + std::ldexp(1.0, -f.precision - 1)),
                     std::nextafter(f.max_finite, inf), std::ldexp(1.0, f.emax + 1),
                     std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min(),
                     std::numeric_limits<double>::min()})
      v.push_back(s * x);
  }
  for (std::uint64_t nan : {0x7ff8000000000000ULL, 0x7ff0000000000001ULL, 0xfff8000000000123ULL,
                            0x7fffffffffffffffULL, 0xfff4000000000000ULL})
    v.push_back(std::bit_cast<double>(nan));
  const int lo = f.emin - f.man_bits - 3, hi = f.emax + 2;
  for (std::size_t i = 0; i < n_random; ++i) {
    const std::uint64_t r = rng.bits(i), r2 = rng.bits(i + (1ULL << 40));
    double x;
    switch (r % 5) {
      case 0:  // any double at all
        x = std::bit_cast<double>(r2);
        break;
      case 1: {  // a double subnormal
        x = std::bit_cast<double>(r2 & 0x800fffffffffffffULL);
        break;
      }
      default: {  // a binade in or near the format's range
        const int e = lo + static_cast<int>((r >> 8) % static_cast<std::uint64_t>(hi - lo + 1));
        std::uint64_t m = r2 & 0x000fffffffffffffULL;
        // Keep only a few bits past the cut now and then, so exact ties are frequent.
        if ((r >> 3) % 3 == 0) {
          const int keep = f.man_bits + 1 + static_cast<int>((r >> 40) % 3);
          if (keep < 52) m &= ~((std::uint64_t{1} << (52 - keep)) - 1);
        }
        x = std::ldexp(1.0 + std::ldexp(static_cast<double>(m), -52), e);
        if (x == 0 || std::isinf(x)) x = std::ldexp(1.0, e < 0 ? -1074 : 1023);
        if (r & 4) x = -x;
      }
    }
    v.push_back(x);
  }
  return v;
}

std::vector<Format> formats_under_test() {
  std::vector<Format> fs = preset_formats();
  for (const char* spec : {"e6m9", "e3m4:subnormals=off", "e5m7:specials=fnuz,bias=16",
                           "e4m2:signed=no", "e11m40", "e2m0:specials=none"})
    fs.push_back(parse_format(spec));
  return fs;
}

constexpr Mode kModes[] = {Mode::rne, Mode::rna, Mode::rtz, Mode::rup,
                           Mode::rdn, Mode::rto, Mode::sr,  Mode::sr_equal};

std::vector<Rounding> roundings() {
  std::vector<Rounding> rs;
  for (Mode m : kModes)
    for (Overflow o : {Overflow::spec, Overflow::saturate})
      for (int sr_bits : {64, 13, 3, 1}) {
        if (!is_stochastic(m) && sr_bits != 64) continue;
        Rounding r;
        r.mode = m;
        r.overflow = o;
        r.sr_bits = sr_bits;
        r.seed = 0x5eed + static_cast<std::uint64_t>(sr_bits);
        r.stream = 3;
        rs.push_back(r);
      }
  return rs;
}

std::string describe(const Format& f, const Rounding& r) {
  return f.name + " " + std::string(mode_name(r.mode)) +
         (r.overflow == Overflow::saturate ? " saturate" : " spec") + " sr_bits=" +
         std::to_string(r.sr_bits);
}

// The events of one (input, result) pair, written here from their definitions (rounding.hpp's
// RoundStats), independently of the library's branch-free counting.
RoundStats events_by_definition(double in, double out, const Format& f) {
  RoundStats s;
  s.count = 1;
  const bool in_nan = std::isnan(in), nonzero = !in_nan && in != 0;
  s.inexact = !in_nan && !(in == out);
  s.overflow = std::isfinite(in) && std::fabs(in) > f.max_finite;
  s.underflow = nonzero && std::fabs(out) < f.min_normal;
  s.flushed = nonzero && out == 0;
  s.nan_unrepresentable = in_nan && !f.has_nan();
  return s;
}

// Expected results: the scalar kernel one element at a time, events from their definitions
// (and classify() must agree with them).
template <class T>
RoundStats reference(const std::vector<T>& in, std::vector<T>& out, const Format& f,
                     const Rounding& r, std::uint64_t first) {
  RoundStats s;
  out.resize(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const double y = floatscope::round(static_cast<double>(in[i]), f, r, first + i);
    out[i] = static_cast<T>(y);
    const RoundStats want = events_by_definition(static_cast<double>(in[i]), y, f);
    const RoundStats got = classify(static_cast<double>(in[i]), y, f);
    if (!(got.inexact == want.inexact && got.overflow == want.overflow &&
          got.underflow == want.underflow && got.flushed == want.flushed &&
          got.nan_unrepresentable == want.nan_unrepresentable)) {
      INFO(f.name << " classify(" << std::hexfloat << static_cast<double>(in[i]) << ", " << y << ")");
      CHECK(false);
    }
    s += want;
  }
  return s;
}

bool same_stats(const RoundStats& a, const RoundStats& b) {
  return a.count == b.count && a.inexact == b.inexact && a.overflow == b.overflow &&
         a.underflow == b.underflow && a.flushed == b.flushed &&
         a.nan_unrepresentable == b.nan_unrepresentable;
}

template <class T>
std::size_t first_mismatch(const std::vector<T>& a, const std::vector<T>& b) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>>(a[i]) !=
        std::bit_cast<std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>>(b[i]))
      return i;
  return a.size();
}

}  // namespace

TEST_CASE("this machine runs the scalar level, and every level it reports", "[round_simd]") {
  const auto levels = available_simd_levels();
  REQUIRE(!levels.empty());
  CHECK(levels.front() == SimdLevel::scalar);
  for (SimdLevel l : levels) CHECK_NOTHROW(set_simd_level(l));
  WARN("SIMD levels tested here: " << levels.size() << " (widest "
                                   << simd_level_name(levels.back()) << ")");
  set_simd_level(levels.back());
}

TEST_CASE("round_array(double) equals the scalar kernel bit for bit", "[round_simd]") {
  for (const Format& f : formats_under_test()) {
    // An odd length exercises the masked tail of the vector loop.
    const std::vector<double> in = probe_inputs(f, 3001, f.width);
    for (const Rounding& r : roundings()) {
      const std::uint64_t first = 1000003;
      std::vector<double> want, got(in.size());
      const RoundStats ws = reference(in, want, f, r, first);
      floatscope::test::for_each_simd_level([&] {
        const RoundStats gs = round_array(in, got, f, r, first, 1);
        const std::size_t bad = first_mismatch(want, got);
        INFO(describe(f, r));
        if (bad < in.size()) {
          INFO("input " << std::hexfloat << in[bad] << " (0x" << std::hex << bits_of(in[bad])
                        << ") want " << want[bad] << " got " << got[bad]);
          CHECK(bad == in.size());
        }
        CHECK(same_stats(ws, gs));
      });
    }
  }
}

TEST_CASE("round_array(float) equals the scalar kernel bit for bit", "[round_simd]") {
  for (const Format& f : formats_under_test()) {
    if (!f.values_are_floats()) continue;
    std::vector<float> in;
    for (double x : probe_inputs(f, 2001, f.width + 100)) in.push_back(static_cast<float>(x));
    for (std::uint32_t nan : {0x7fc00000u, 0x7f800001u, 0xffc00123u}) in.push_back(std::bit_cast<float>(nan));
    for (const Rounding& r : roundings()) {
      std::vector<float> want, got(in.size());
      const RoundStats ws = reference(in, want, f, r, 17);
      floatscope::test::for_each_simd_level([&] {
        const RoundStats gs = round_array(in, got, f, r, 17, 1);
        const std::size_t bad = first_mismatch(want, got);
        INFO(describe(f, r));
        if (bad < in.size()) {
          INFO("input " << std::hexfloat << in[bad] << " want " << want[bad] << " got " << got[bad]);
          CHECK(bad == in.size());
        }
        CHECK(same_stats(ws, gs));
      });
    }
  }
}

TEST_CASE("round_array(float) rejects formats whose values are not floats", "[round_simd]") {
  std::vector<float> in(4, 1.0f), out(4);
  CHECK_THROWS_AS(round_array(in, out, parse_format("fp64"), Rounding{}), std::invalid_argument);
  CHECK_THROWS_AS(round_array(in, out, parse_format("e11m10"), Rounding{}), std::invalid_argument);
}

TEST_CASE("stochastic round_array does not depend on threads, blocks or aliasing", "[round_simd]") {
  const Format f = parse_format("e4m3");
  Rounding r;
  r.mode = Mode::sr;
  r.sr_bits = 5;
  r.seed = 99;
  // Longer than several of round_array's blocks, with a length that is not a multiple of 8.
  const std::vector<double> in = probe_inputs(f, 150001, 5);
  const std::uint64_t first = (1ULL << 62) + 5;  // the Weyl counter wraps inside the array
  std::vector<double> want;
  reference(in, want, f, r, first);
  for (int threads : {1, 2, 3}) {
    std::vector<double> got(in.size());
    round_array(in, got, f, r, first, threads);
    INFO("threads " << threads);
    CHECK(first_mismatch(want, got) == in.size());
  }
  // A suffix started at its own absolute index reproduces the tail of the whole array.
  const std::size_t off = 12345;
  std::vector<double> tail(in.begin() + off, in.end());
  round_array(tail, tail, f, r, first + off, 2);  // in place
  CHECK(first_mismatch(std::vector<double>(want.begin() + off, want.end()), tail) == tail.size());
}

TEST_CASE("every level's range loop equals the scalar level for every length and alignment",
          "[round_simd]") {
  const Format f = parse_format("fp16");
  const std::vector<double> all = probe_inputs(f, 96, 11);
  for (Mode m : {Mode::rne, Mode::sr}) {
    for (bool stream : {false, true}) {
      Rounding r;
      r.mode = m;
      const detail::RangeContext ctx{detail::make_round_params(f, r), detail::make_event_params(f),
                                     CounterRng(r.seed, r.stream), stream};
      for (SimdLevel level : available_simd_levels()) {
        for (std::size_t offset = 0; offset < 8; ++offset) {
          for (std::size_t n = 0; n <= 40; ++n) {
            // Output starting at every offset from a 64-byte boundary exercises the aligned head.
            alignas(64) double b_buf[64];
            double* b = b_buf + offset;
            std::vector<double> a(n);
            detail::EventCounts ca, cb;
            detail::round_range(SimdLevel::scalar, m, all.data() + offset, a.data(), n, ctx, 77, ca);
            detail::round_range(level, m, all.data() + offset, b, n, ctx, 77, cb);
            INFO(simd_level_name(level) << " " << mode_name(m) << " stream=" << stream
                                        << " offset=" << offset << " n=" << n);
            CHECK(first_mismatch(a, std::vector<double>(b, b + n)) == n);
            CHECK(ca.inexact == cb.inexact);
            CHECK(ca.underflow == cb.underflow);
            CHECK(ca.flushed == cb.flushed);
            CHECK(ca.overflow == cb.overflow);
          }
        }
      }
    }
  }
}
