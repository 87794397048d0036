// Codes <-> values: round trips over every code, the specifications' code tables, NaN/Inf codes,
// refusal of values that are not on the grid, and code formatting.
//
// Decisions recorded here:
//   - MXINT8's code 0x80 (-128) is not a value (OCP MX keeps k in [-127, 127]): decode throws
//     std::domain_error, decode_table holds NaN there, and encode never produces it;
//   - -0 encodes as code 0 in formats without -0 (FNUZ, unsigned, int8);
//   - NaN encodes to the all-ones code with the NaN's sign (IEEE: quiet NaN, top mantissa bit),
//     0x80 in FNUZ formats, and throws for formats without NaN.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "floatscope/codec.hpp"
#include "floatscope/format.hpp"

namespace {

using floatscope::decode;
using floatscope::encode;
using floatscope::Format;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Format fmt(const char* name) { return floatscope::parse_format(name); }

const char* const kSmall[] = {"fp16", "bf16", "e4m3", "e5m2", "e4m3fnuz", "e5m2fnuz", "e3m2",
                              "e2m3", "e2m1", "e8m0", "int8", "e6m9", "e3m4:signed=no"};

}  // namespace

TEST_CASE("codec: every code of every <= 16-bit format round-trips", "[codec]") {
  for (const char* name : kSmall) {
    const Format f = fmt(name);
    INFO("format " << name);
    std::uint64_t nan_codes = 0, mismatched = 0;
    for (std::uint64_t c = 0; c < (std::uint64_t{1} << f.width); ++c) {
      if (f.encoding == floatscope::Encoding::int8_fixed && c == 0x80) continue;
      const double v = decode(c, f);
      if (std::isnan(v)) {
        ++nan_codes;
        mismatched += !std::isnan(decode(encode(v, f), f));
        continue;
      }
      mismatched += encode(v, f) != c;
    }
    CHECK(mismatched == 0);
    // How many codes are NaN follows from the special-value scheme (IEEE 754 s.3.4; OFP8 Table 1;
    // ml_dtypes FNUZ; OCP MX s.5).
    std::uint64_t want_nans = 0;
    switch (f.specials) {
      case floatscope::Specials::ieee:
        want_nans = (f.is_signed ? 2 : 1) * ((std::uint64_t{1} << f.man_bits) - 1);
        break;
      case floatscope::Specials::fn: want_nans = f.is_signed ? 2 : 1; break;
      case floatscope::Specials::fnuz: want_nans = 1; break;
      case floatscope::Specials::none: want_nans = 0; break;
    }
    CHECK(nan_codes == want_nans);
  }
}

TEST_CASE("codec: OFP8 Table 1 codes of E4M3 and E5M2", "[codec]") {
  const Format e4m3 = fmt("e4m3"), e5m2 = fmt("e5m2");
  CHECK(decode(0x7e, e4m3) == 448);
  CHECK(decode(0xfe, e4m3) == -448);
  CHECK(std::isnan(decode(0x7f, e4m3)));
  CHECK(std::isnan(decode(0xff, e4m3)));
  CHECK(decode(0x78, e4m3) == 256);  // exponent field 1111 is finite except S.1111.111
  CHECK(decode(0x08, e4m3) == 0x1p-6);
  CHECK(decode(0x01, e4m3) == 0x1p-9);
  CHECK(decode(0x07, e4m3) == 7 * 0x1p-9);
  CHECK(decode(0x38, e4m3) == 1.0);
  CHECK(std::signbit(decode(0x80, e4m3)));
  CHECK(decode(0x80, e4m3) == 0);
  CHECK(decode(0x7c, e5m2) == kInf);
  CHECK(decode(0xfc, e5m2) == -kInf);
  CHECK(std::isnan(decode(0x7d, e5m2)));
  CHECK(decode(0x7b, e5m2) == 57344);
  CHECK(decode(0x04, e5m2) == 0x1p-14);
  CHECK(decode(0x01, e5m2) == 0x1p-16);
  CHECK(decode(0x3c, e5m2) == 1.0);
  CHECK(encode(448, e4m3) == 0x7e);
  CHECK(encode(kNaN, e4m3) == 0x7f);
  CHECK(encode(-kNaN, e4m3) == 0xff);
  CHECK(encode(kInf, e5m2) == 0x7c);
  CHECK(encode(-kInf, e5m2) == 0xfc);
  CHECK(encode(kNaN, e5m2) == 0x7e);
  CHECK(encode(-0.0, e5m2) == 0x80);
}

TEST_CASE("codec: FNUZ codes (ml_dtypes float8_e4m3fnuz / float8_e5m2fnuz)", "[codec]") {
  const Format a = fmt("e4m3fnuz"), b = fmt("e5m2fnuz");
  CHECK(std::isnan(decode(0x80, a)));
  CHECK(std::isnan(decode(0x80, b)));
  CHECK(decode(0x7f, a) == 240);
  CHECK(decode(0x7f, b) == 57344);
  CHECK(decode(0xff, a) == -240);
  CHECK(decode(0x08, a) == 0x1p-7);
  CHECK(decode(0x01, a) == 0x1p-10);
  CHECK(decode(0x01, b) == 0x1p-17);
  CHECK(decode(0x40, a) == 1.0);
  CHECK(encode(kNaN, a) == 0x80);
  CHECK(encode(-kNaN, b) == 0x80);
  CHECK(encode(-0.0, a) == 0x00);
  CHECK_THROWS_AS(encode(kInf, a), std::domain_error);
}

TEST_CASE("codec: MX element and scale codes (OCP MX v1.0 s.5)", "[codec]") {
  const Format e8m0 = fmt("e8m0");
  CHECK(decode(0x00, e8m0) == 0x1p-127);
  CHECK(decode(0x7f, e8m0) == 1.0);
  CHECK(decode(0x80, e8m0) == 2.0);
  CHECK(decode(0xfe, e8m0) == 0x1p127);
  CHECK(std::isnan(decode(0xff, e8m0)));
  CHECK(encode(1.0, e8m0) == 0x7f);
  CHECK(encode(kNaN, e8m0) == 0xff);
  CHECK_THROWS_AS(encode(0.0, e8m0), std::domain_error);
  CHECK_THROWS_AS(encode(-1.0, e8m0), std::domain_error);
  CHECK_THROWS_AS(encode(3.0, e8m0), std::domain_error);

  const Format e3m2 = fmt("e3m2"), e2m3 = fmt("e2m3"), e2m1 = fmt("e2m1");
  CHECK(decode(0x1f, e3m2) == 28);
  CHECK(decode(0x01, e3m2) == 0.0625);
  CHECK(decode(0x1f, e2m3) == 7.5);
  CHECK(decode(0x01, e2m3) == 0.125);
  CHECK(decode(0x7, e2m1) == 6);
  CHECK(decode(0xf, e2m1) == -6);
  CHECK(decode(0x1, e2m1) == 0.5);
  CHECK_THROWS_AS(encode(kNaN, e2m1), std::domain_error);
  CHECK_THROWS_AS(encode(kInf, e3m2), std::domain_error);

  const Format int8 = fmt("int8");
  CHECK(decode(0x7f, int8) == 127.0 / 64);
  CHECK(decode(0x81, int8) == -127.0 / 64);
  CHECK(decode(0x01, int8) == 1.0 / 64);
  CHECK(decode(0xff, int8) == -1.0 / 64);
  CHECK(decode(0x40, int8) == 1.0);
  CHECK(decode(0xc0, int8) == -1.0);
  CHECK_THROWS_AS(decode(0x80, int8), std::domain_error);
  CHECK(encode(-127.0 / 64, int8) == 0x81);
  CHECK(encode(-0.0, int8) == 0x00);
  CHECK_THROWS_AS(encode(-2.0, int8), std::domain_error);  // would be the code 0x80
  CHECK_THROWS_AS(encode(2.0, int8), std::domain_error);
  CHECK_THROWS_AS(encode(1.0 / 128, int8), std::domain_error);
  CHECK_THROWS_AS(encode(kNaN, int8), std::domain_error);
  const auto table = floatscope::decode_table(int8);
  REQUIRE(table.size() == 256);
  CHECK(std::isnan(table[0x80]));
  CHECK(table[0x81] == -127.0 / 64);
}

TEST_CASE("codec: IEEE codes of fp16, bf16, tf32, fp32, fp64", "[codec]") {
  const Format h = fmt("fp16"), b = fmt("bf16");
  CHECK(decode(0x3c00, h) == 1.0);
  CHECK(decode(0x7bff, h) == 65504);
  CHECK(decode(0x0001, h) == 0x1p-24);
  CHECK(decode(0x0400, h) == 0x1p-14);
  CHECK(decode(0x7c00, h) == kInf);
  CHECK(std::signbit(decode(0x8000, h)));
  CHECK(encode(kNaN, h) == 0x7e00);
  CHECK(decode(0x3f80, b) == 1.0);
  CHECK(decode(0x7f7f, b) == 0x1.fep127);
  CHECK(decode(0x0001, b) == 0x1p-133);
  CHECK(encode(1.0, fmt("fp32")) == 0x3f800000);
  CHECK(encode(-2.0, fmt("fp32")) == 0xc0000000);
  CHECK(encode(1.0, fmt("fp64")) == 0x3ff0000000000000ULL);
  CHECK(encode(0x1p-1074, fmt("fp64")) == 1);
  CHECK(decode(0x7ff0000000000000ULL, fmt("fp64")) == kInf);
  // tf32: 19-bit code, the top 19 bits of the fp32 word.
  CHECK(encode(1.0, fmt("tf32")) == (0x3f800000u >> 13));
  CHECK(decode(0x3f800000u >> 13, fmt("tf32")) == 1.0);
  CHECK(encode(0x1p-136, fmt("tf32")) == 1);
}

TEST_CASE("codec: values off the grid, out of range or of the wrong kind are refused", "[codec]") {
  // Every midpoint between neighbouring values of a format is not a value of it.
  for (const char* name : kSmall) {
    const Format f = fmt(name);
    INFO("format " << name);
    const auto t = floatscope::decode_table(f);
    std::uint64_t accepted = 0;
    for (std::uint64_t c = 0; c + 1 < t.size(); ++c) {
      const double lo = t[c], hi = t[c + 1];
      if (!std::isfinite(lo) || !std::isfinite(hi) || lo == hi || std::signbit(lo) != std::signbit(hi))
        continue;
      try {
        encode(lo + (hi - lo) / 2, f);
        ++accepted;
      } catch (const std::domain_error&) {
      }
    }
    CHECK(accepted == 0);
    CHECK_THROWS_AS(encode(f.max_finite * 2, f), std::domain_error);
    if (f.min_subnormal / 2 > 0 && f.has_zero)
      CHECK_THROWS_AS(encode(f.min_subnormal / 2, f), std::domain_error);
  }
  CHECK_THROWS_AS(encode(1.1, fmt("e4m3")), std::domain_error);
  CHECK_THROWS_AS(encode(480, fmt("e4m3")), std::domain_error);
  CHECK_THROWS_AS(encode(0x1p-10, fmt("e4m3")), std::domain_error);
  CHECK_THROWS_AS(encode(-1.0, fmt("e3m4:signed=no")), std::domain_error);
  CHECK_THROWS_AS(encode(0x1p-7, fmt("e4m3:subnormals=off")), std::domain_error);
  CHECK_THROWS_WITH(encode(1.1, fmt("e4m3")), Catch::Contains("e4m3"));
}

TEST_CASE("codec: decode refuses codes wider than the format", "[codec]") {
  CHECK_THROWS_AS(decode(0x100, fmt("e4m3")), std::domain_error);
  CHECK_THROWS_AS(decode(0x10, fmt("e2m1")), std::domain_error);
  CHECK_THROWS_AS(decode(0x10000, fmt("fp16")), std::domain_error);
  CHECK_THROWS_AS(floatscope::decode_table(fmt("fp32")), std::invalid_argument);
}

TEST_CASE("codec: format_code pads to the format's width", "[codec]") {
  CHECK(floatscope::format_code(0x7, fmt("e4m3")) == "0x07");
  CHECK(floatscope::format_code(0x7e, fmt("e4m3")) == "0x7e");
  CHECK(floatscope::format_code(0x5, fmt("e2m1")) == "0x5");
  CHECK(floatscope::format_code(0x5, fmt("e3m2")) == "0x05");
  CHECK(floatscope::format_code(0x3c00, fmt("fp16")) == "0x3c00");
  CHECK(floatscope::format_code(0x1, fmt("bf16")) == "0x0001");
  CHECK(floatscope::format_code(0x1fc00, fmt("tf32")) == "0x1fc00");
  CHECK(floatscope::format_code(0x3f800000, fmt("fp32")) == "0x3f800000");
  CHECK(floatscope::format_code(1, fmt("fp64")) == "0x0000000000000001");
  CHECK(floatscope::format_code(0xff, fmt("e8m0")) == "0xff");
}

TEST_CASE("codec: impossible special-value schemes are refused when the format is made", "[codec]") {
  // FNUZ's NaN is the -0 code: an unsigned format has no such code.
  CHECK_THROWS_AS(fmt("e4m3:specials=fnuz,signed=no"), std::invalid_argument);
}
