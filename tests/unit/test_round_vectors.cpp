// Published constants and conversion vectors (docs/references.md s.1, s.2, s.4, s.6), each case naming
// its source. Expected values are the sources' numbers, written as literals.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "floatscope/codec.hpp"
#include "floatscope/format.hpp"
#include "floatscope/rounding.hpp"

namespace {

using floatscope::Format;
using floatscope::Mode;
using floatscope::Overflow;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double rnd(double x, const char* fmt, Mode m = Mode::rne, Overflow ov = Overflow::spec) {
  return floatscope::round(x, floatscope::parse_format(fmt), {m, ov});
}

// Exact comparison that tells -0 from +0.
bool same(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

struct Constants {
  const char* name;
  double max_finite, min_normal, smallest_positive;
};

}  // namespace

TEST_CASE("docs/references.md s.1: max finite, min normal, min subnormal of every preset", "[vectors]") {
  // IEEE 754-2019 Table 3.5; OFP8 rev 1.0 Table 1; ml_dtypes (FNUZ); OCP MX v1.0 s.5.
  const Constants table[] = {
      {"fp64", std::numeric_limits<double>::max(), 0x1p-1022, 0x1p-1074},
      {"fp32", 0x1.fffffep127, 0x1p-126, 0x1p-149},
      {"tf32", 0x1.ffcp127, 0x1p-126, 0x1p-136},
      {"fp16", 65504, 0x1p-14, 0x1p-24},
      {"bf16", 0x1.fep127, 0x1p-126, 0x1p-133},
      {"e4m3", 448, 0x1p-6, 0x1p-9},
      {"e5m2", 57344, 0x1p-14, 0x1p-16},
      {"e4m3fnuz", 240, 0x1p-7, 0x1p-10},
      {"e5m2fnuz", 57344, 0x1p-15, 0x1p-17},
      {"e3m2", 28, 0.25, 0.0625},
      {"e2m3", 7.5, 1, 0.125},
      {"e2m1", 6, 1, 0.5},
  };
  for (const auto& c : table) {
    const Format f = floatscope::parse_format(c.name);
    INFO("format " << c.name);
    CHECK(f.max_finite == c.max_finite);
    CHECK(f.min_normal == c.min_normal);
    CHECK(f.min_subnormal == c.smallest_positive);
    // The constants are values of the format, and nothing lies beyond or below them.
    CHECK(rnd(c.max_finite, c.name) == c.max_finite);
    CHECK(rnd(c.smallest_positive, c.name) == c.smallest_positive);
    if (f.precision < 53) {  // doubles exist beyond and below these only for narrower formats
      CHECK(rnd(c.max_finite * 2, c.name, Mode::rtz) == c.max_finite);
      if (f.has_inf()) CHECK(rnd(c.max_finite * 2, c.name) == kInf);
      CHECK(rnd(c.smallest_positive * 0.75, c.name, Mode::rup) == c.smallest_positive);
      CHECK(same(rnd(c.smallest_positive * 0.75, c.name, Mode::rtz), 0.0));
      CHECK(rnd(std::nextafter(c.min_normal, 0.0), c.name, Mode::rup) == c.min_normal);
    }
    CHECK_NOTHROW(floatscope::encode(c.max_finite, f));
    CHECK_NOTHROW(floatscope::encode(c.smallest_positive, f));
  }
}

TEST_CASE("docs/references.md s.1: E8M0 is 2^-127..2^127, unsigned, no zero (OCP MX v1.0 s.5.4)", "[vectors]") {
  const Format f = floatscope::parse_format("e8m0");
  CHECK(f.max_finite == 0x1p127);
  CHECK(f.min_subnormal == 0x1p-127);
  CHECK(rnd(0x1p127, "e8m0") == 0x1p127);
  CHECK(rnd(0x1p-127, "e8m0") == 0x1p-127);
  CHECK(rnd(0x1p-130, "e8m0") == 0x1p-127);  // would be 0: there is no zero
  CHECK(rnd(0x1p-130, "e8m0", Mode::rtz) == 0x1p-127);
  CHECK(std::isnan(rnd(0.0, "e8m0")));
  CHECK(std::isnan(rnd(-0.0, "e8m0")));
  CHECK(std::isnan(rnd(-1.0, "e8m0")));
  CHECK(std::isnan(rnd(kNaN, "e8m0")));
  CHECK(rnd(1.5, "e8m0") == 2.0);   // linear tie goes to the larger power
  CHECK(rnd(1.49, "e8m0") == 1.0);
  CHECK(rnd(3.0, "e8m0", Mode::rna) == 4.0);
  CHECK(std::isnan(rnd(0x1p128, "e8m0")));
  CHECK(rnd(0x1p128, "e8m0", Mode::rne, Overflow::saturate) == 0x1p127);
  CHECK(floatscope::encode(kNaN, f) == 0xff);
}

TEST_CASE("docs/references.md s.1: MXINT8 is k/64 with |k| <= 127 (OCP MX v1.0 s.5.3)", "[vectors]") {
  const Format f = floatscope::parse_format("int8");
  CHECK(f.max_finite == 127.0 / 64);
  CHECK(rnd(2.0, "int8") == 127.0 / 64);  // no Inf/NaN: clamps
  CHECK(rnd(-2.0, "int8") == -127.0 / 64);
  CHECK(rnd(-kInf, "int8") == -127.0 / 64);
  CHECK(rnd(1.0 / 256, "int8", Mode::rup) == 1.0 / 64);
  CHECK(same(rnd(1.0 / 128, "int8"), 0.0));  // tie to even k = 0
  CHECK(rnd(1.0 / 128, "int8", Mode::rna) == 1.0 / 64);
  CHECK(same(rnd(-1.0 / 256, "int8"), 0.0));  // no -0
  CHECK(rnd(3.0 / 128, "int8") == 2.0 / 64);
}

TEST_CASE("docs/references.md s.2: OFP8 s.5 E4M3 vectors 464, 465, 470", "[vectors]") {
  // OCP 8-bit Floating Point Specification rev 1.0, section 5.
  CHECK(rnd(464, "e4m3", Mode::rne, Overflow::saturate) == 448);  // tie, to even
  CHECK(rnd(464, "e4m3", Mode::rne, Overflow::spec) == 448);
  CHECK(rnd(465, "e4m3", Mode::rne, Overflow::saturate) == 448);
  CHECK(std::isnan(rnd(465, "e4m3", Mode::rne, Overflow::spec)));
  CHECK(std::isnan(rnd(-465, "e4m3", Mode::rne, Overflow::spec)));
  for (Mode m : {Mode::rne, Mode::rna, Mode::rtz, Mode::rup, Mode::rdn, Mode::rto})
    for (Overflow ov : {Overflow::spec, Overflow::saturate}) {
      const double y = rnd(470, "e4m3", m, ov);
      INFO("mode " << floatscope::mode_name(m));
      CHECK(y != 480);  // 480 is the NaN code's magnitude, never a value
      CHECK((std::isnan(y) || y == 448));
    }
  // Saturating mode also maps +-Inf to +-max (OFP8 s.5).
  CHECK(rnd(kInf, "e4m3", Mode::rne, Overflow::saturate) == 448);
  CHECK(rnd(-kInf, "e4m3", Mode::rne, Overflow::saturate) == -448);
  CHECK(std::isnan(rnd(kInf, "e4m3")));
  CHECK(std::isnan(rnd(kNaN, "e4m3", Mode::rne, Overflow::saturate)));
}

TEST_CASE("docs/references.md s.2: OFP8 s.5 E5M2 vectors 58000, 61440", "[vectors]") {
  CHECK(rnd(58000, "e5m2") == 57344);
  CHECK(rnd(61440, "e5m2", Mode::rne, Overflow::spec) == kInf);  // tie rounds up past max
  CHECK(rnd(-61440, "e5m2", Mode::rne, Overflow::spec) == -kInf);
  CHECK(rnd(61440, "e5m2", Mode::rne, Overflow::saturate) == 57344);
  CHECK(rnd(std::nextafter(61440.0, 0.0), "e5m2") == 57344);
  CHECK(rnd(kInf, "e5m2") == kInf);
  CHECK(rnd(kInf, "e5m2", Mode::rne, Overflow::saturate) == 57344);
}

TEST_CASE("docs/references.md s.2: below half the smallest subnormal gives +-0 (OFP8 s.5)", "[vectors]") {
  CHECK(same(rnd(0x1p-10, "e4m3"), 0.0));  // exactly half: tie to even (0)
  CHECK(same(rnd(-0x1p-10, "e4m3"), -0.0));
  CHECK(rnd(std::nextafter(0x1p-10, 1.0), "e4m3") == 0x1p-9);
  CHECK(same(rnd(0x1p-18, "e5m2"), 0.0));
  CHECK(same(rnd(-0x1p-11, "e4m3fnuz"), 0.0));  // FNUZ has no -0
}

TEST_CASE("docs/references.md s.2: ml_dtypes subnormal vectors", "[vectors]") {
  // ml_dtypes float8 tests: rounding into the subnormal range.
  CHECK(rnd(0x0.94p-6, "e4m3") == 0x0.Ap-6);
  CHECK(rnd(0x0.A8p-14, "e5m2") == 0x0.Cp-14);
}

TEST_CASE("docs/references.md s.2: fp16 1+2^-11 under RNE and ties-away", "[vectors]") {
  // IEEE 754-2019 s.4.3.1 / s.4.3.3: the tie goes to even under RNE, away under RNA.
  CHECK(rnd(1 + 0x1p-11, "fp16", Mode::rne) == 1.0);
  CHECK(rnd(1 + 0x1p-11, "fp16", Mode::rna) == 1 + 0x1p-10);
  CHECK(rnd(-(1 + 0x1p-11), "fp16", Mode::rna) == -(1 + 0x1p-10));
  CHECK(rnd(1 + 3 * 0x1p-11, "fp16", Mode::rne) == 1 + 0x1p-9);  // odd kept bit: up to even
}

TEST_CASE("docs/references.md s.2: FP6 and FP4 always clamp to +-max (OCP MX v1.0 s.5.3.3)", "[vectors]") {
  for (Overflow ov : {Overflow::spec, Overflow::saturate})
    for (Mode m : {Mode::rne, Mode::rna, Mode::rup}) {
      CHECK(rnd(1000, "e3m2", m, ov) == 28);
      CHECK(rnd(kInf, "e3m2", m, ov) == 28);
      CHECK(rnd(8, "e2m3", m, ov) == 7.5);
      CHECK(rnd(7, "e2m1", m, ov) == 6);
      CHECK(rnd(-kInf, "e2m1", m, ov) == -6);
    }
  // NaN has no code: the result is NaN and is counted, and round_to_codes refuses it.
  const Format f = floatscope::parse_format("e2m1");
  std::vector<double> in{kNaN, 1.0}, out(2);
  const auto s = floatscope::round_array(in, out, f);
  CHECK(std::isnan(out[0]));
  CHECK(s.nan_unrepresentable == 1);
  std::vector<std::uint16_t> codes(2);
  CHECK_THROWS_AS(floatscope::round_to_codes(in, codes, f), std::domain_error);
}

TEST_CASE("docs/references.md s.2: directed-mode overflow follows IEEE 754 s.7.4", "[vectors]") {
  // round-toward-zero never gives Inf; round-up: +Inf for positive overflow, -max for negative;
  // round-down the mirror image; round-to-odd overflows like toward-zero.
  CHECK(rnd(1e6, "fp16", Mode::rtz) == 65504);
  CHECK(rnd(-1e6, "fp16", Mode::rtz) == -65504);
  CHECK(rnd(1e6, "fp16", Mode::rup) == kInf);
  CHECK(rnd(-1e6, "fp16", Mode::rup) == -65504);
  CHECK(rnd(1e6, "fp16", Mode::rdn) == 65504);
  CHECK(rnd(-1e6, "fp16", Mode::rdn) == -kInf);
  CHECK(rnd(1e6, "fp16", Mode::rto) == 65504);
  CHECK(rnd(65504 + 1, "fp16", Mode::rup) == kInf);  // just beyond max, rounding up
  CHECK(rnd(kInf, "fp16", Mode::rtz) == kInf);       // Inf itself is exact
  CHECK(std::isnan(rnd(1000, "e4m3", Mode::rup)));   // E4M3 non-saturating: NaN for Inf
  CHECK(rnd(-1000, "e4m3", Mode::rup) == -448);
  CHECK(rnd(1000, "e4m3", Mode::rup, Overflow::saturate) == 448);
  CHECK(std::isnan(rnd(-1e6, "e5m2fnuz", Mode::rdn)));
  CHECK(rnd(1e300, "bf16", Mode::rtz) == 0x1.fep127);
}

TEST_CASE("docs/references.md s.1: MX E2M1 magnitudes are {0, 0.5, 1, 1.5, 2, 3, 4, 6}", "[vectors]") {
  const Format f = floatscope::parse_format("e2m1");
  const double want[] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
  for (std::uint64_t c = 0; c < 8; ++c) {
    CHECK(floatscope::decode(c, f) == want[c]);
    CHECK(floatscope::decode(c | 8, f) == -want[c]);
  }
  // Midpoints between magnitudes round to the even code (OCP MX: RNE).
  CHECK(rnd(2.5, "e2m1") == 2);
  CHECK(rnd(3.5, "e2m1") == 4);
  CHECK(rnd(5, "e2m1") == 4);
  CHECK(rnd(0.25, "e2m1") == 0);
  CHECK(rnd(0.75, "e2m1") == 1);
}

TEST_CASE("docs/references.md s.4: E8M0 scale rounding of the RCEIL/FLOOR vectors", "[vectors]") {
  // RCEIL (cuBLAS, Transformer Engine): amax/max_elem rounded up to a power of two in E8M0.
  CHECK(rnd(960.0 / 448, "e8m0", Mode::rup) == 4);
  CHECK(rnd(7.5 / 6, "e8m0", Mode::rup) == 2);
  // FLOOR rounds down: scale 2 and 1 for the same blocks.
  CHECK(rnd(960.0 / 256, "e8m0", Mode::rdn) == 2);
  // Elements: 957/2 -> 448 (clamped by saturation) under FLOOR; 957/4 = 239.25 -> 240 under RCEIL.
  CHECK(rnd(957.0 / 2, "e4m3", Mode::rne, Overflow::saturate) * 2 == 896);
  CHECK(rnd(957.0 / 4, "e4m3") * 4 == 960);
  CHECK(rnd(7.5 / 1, "e2m1") * 1 == 6);
  CHECK(rnd(7.5 / 2, "e2m1") * 2 == 8);
}

TEST_CASE("docs/references.md s.6: harmonic series stagnation in fp16, bf16 and fp32 (RNE)", "[vectors]") {
  // Terms and sums rounded to nearest: the sum stops changing at a known term.
  struct Case {
    const char* fmt;
    double value;
    long first_stuck;
  };
  for (const Case c : {Case{"fp16", 7.0859375, 513}, Case{"bf16", 5.0625, 65},
                       Case{"fp32", 15.403682708740234, 1L << 21}}) {
    const Format f = floatscope::parse_format(c.fmt);
    double s = 0;
    long k = 1;
    for (;; ++k) {
      const double t = floatscope::round(1.0 / static_cast<double>(k), f);
      const double next = floatscope::round(s + t, f);  // s + t is exact in double
      if (next == s) break;
      s = next;
    }
    INFO("format " << c.fmt);
    CHECK(s == c.value);
    CHECK(k == c.first_stuck);
  }
}
