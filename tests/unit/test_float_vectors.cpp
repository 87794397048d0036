// floatscope::Float<F, M>: constants and published vectors. Oracles: the spec table of
// docs/references.md s.1, std::numeric_limits<float> for the fp32 type, the OFP8 conversion
// vectors of s.2, the harmonic-series stagnation points of s.6, IEEE 754 directed rounding.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "floatscope/float_type.hpp"
#include "floatscope/format.hpp"
#include "floatscope/rounding.hpp"

using namespace floatscope;

TEMPLATE_TEST_CASE("Float formats: compile-time constants equal the runtime presets", "[float_vectors]",
                   formats::fp32, formats::tf32, formats::fp16, formats::bf16, formats::e4m3, formats::e5m2,
                   formats::e4m3fnuz, formats::e5m2fnuz, formats::e3m2, formats::e2m3, formats::e2m1,
                   formats::e8m0, formats::int8) {
  constexpr StaticFormat s = TestType::spec;
  const Format f = parse_format(s.name);
  CHECK(s.emin() == f.emin);
  CHECK(s.emax() == f.emax);
  CHECK(s.precision() == f.precision);
  CHECK(s.max_finite() == f.max_finite);
  CHECK(s.min_normal() == f.min_normal);
  CHECK(s.min_subnormal() == f.min_subnormal);
  CHECK(s.has_negative_zero() == f.has_negative_zero());
}

TEST_CASE("Float: numeric_limits of the spec table (docs/references.md s.1)", "[float_vectors]") {
  CHECK(std::numeric_limits<fp16>::max().value() == 65504.0);
  CHECK(std::numeric_limits<fp16>::min().value() == std::ldexp(1.0, -14));
  CHECK(std::numeric_limits<fp16>::denorm_min().value() == std::ldexp(1.0, -24));
  CHECK(std::numeric_limits<fp16>::epsilon().value() == std::ldexp(1.0, -10));
  CHECK(std::numeric_limits<fp16>::digits == 11);
  CHECK(std::numeric_limits<bf16>::max().value() == (2 - std::ldexp(1.0, -7)) * std::ldexp(1.0, 127));
  CHECK(std::numeric_limits<bf16>::denorm_min().value() == std::ldexp(1.0, -133));
  CHECK(std::numeric_limits<e4m3>::max().value() == 448.0);
  CHECK(std::numeric_limits<e4m3>::denorm_min().value() == std::ldexp(1.0, -9));
  CHECK_FALSE(std::numeric_limits<e4m3>::has_infinity);
  CHECK(std::numeric_limits<e4m3>::has_quiet_NaN);
  CHECK(std::numeric_limits<e5m2>::max().value() == 57344.0);
  CHECK(std::numeric_limits<e4m3fnuz>::max().value() == 240.0);
  CHECK(std::numeric_limits<e5m2fnuz>::min().value() == std::ldexp(1.0, -15));
  CHECK(std::numeric_limits<e3m2>::max().value() == 28.0);
  CHECK(std::numeric_limits<e2m3>::max().value() == 7.5);
  CHECK(std::numeric_limits<e2m1>::max().value() == 6.0);
  CHECK(std::numeric_limits<e2m1>::denorm_min().value() == 0.5);
  CHECK_FALSE(std::numeric_limits<e2m1>::has_quiet_NaN);
  CHECK(std::numeric_limits<e8m0>::max().value() == std::ldexp(1.0, 127));
  CHECK(std::numeric_limits<e8m0>::lowest().value() == std::ldexp(1.0, -127));
  CHECK_FALSE(std::numeric_limits<e8m0>::is_signed);
  CHECK(std::numeric_limits<int8>::max().value() == 127.0 / 64.0);
  CHECK(std::numeric_limits<int8>::denorm_min().value() == 1.0 / 64.0);
}

TEST_CASE("Float: the fp32 type's numeric_limits are float's", "[float_vectors]") {
  using L = std::numeric_limits<fp32>;
  using Fl = std::numeric_limits<float>;
  CHECK(L::digits == Fl::digits);
  CHECK(L::digits10 == Fl::digits10);
  CHECK(L::max_digits10 == Fl::max_digits10);
  CHECK(L::min_exponent == Fl::min_exponent);
  CHECK(L::max_exponent == Fl::max_exponent);
  CHECK(L::min_exponent10 == Fl::min_exponent10);
  CHECK(L::max_exponent10 == Fl::max_exponent10);
  CHECK(L::min().value() == Fl::min());
  CHECK(L::max().value() == Fl::max());
  CHECK(L::lowest().value() == Fl::lowest());
  CHECK(L::epsilon().value() == Fl::epsilon());
  CHECK(L::denorm_min().value() == Fl::denorm_min());
  CHECK(L::infinity().value() == Fl::infinity());
  CHECK(std::isnan(L::quiet_NaN().value()));
  CHECK(L::has_denorm == Fl::has_denorm);
  CHECK(L::round_style == std::round_to_nearest);
  CHECK(std::numeric_limits<fp32_rtz>::round_style == std::round_toward_zero);
  CHECK(std::numeric_limits<fp32_rup>::round_style == std::round_toward_infinity);
  CHECK(std::numeric_limits<fp32_rdn>::round_style == std::round_toward_neg_infinity);
}

TEST_CASE("Float: OFP8 conversion vectors and overflow rules (docs/references.md s.2)", "[float_vectors]") {
  CHECK(e4m3(464.0).value() == 448.0);
  CHECK(std::isnan(e4m3(465.0).value()));
  CHECK(Float<formats::e4m3, Mode::rne, Overflow::saturate>(465.0).value() == 448.0);
  CHECK(e4m3(470.0).value() != 480.0);
  CHECK(e5m2(58000.0).value() == 57344.0);
  CHECK(std::isinf(e5m2(61440.0).value()));
  CHECK(e4m3(0x0.94p-6).value() == 0x0.Ap-6);
  CHECK(e5m2(0x0.A8p-14).value() == 0x0.Cp-14);
  CHECK(fp16(1 + std::ldexp(1.0, -11)).value() == 1.0);
  CHECK(fp16_rna(1 + std::ldexp(1.0, -11)).value() == 1 + std::ldexp(1.0, -10));
  // Arithmetic overflow: IEEE formats to Inf under round to nearest, to max toward zero (IEEE
  // 754 s.7.4); E4M3 to NaN; formats without Inf/NaN clamp.
  CHECK(std::isinf((fp16(60000.0) + fp16(60000.0)).value()));
  CHECK((fp16_rtz(60000.0) + fp16_rtz(60000.0)).value() == 65504.0);
  CHECK((fp16_rdn(60000.0) + fp16_rdn(60000.0)).value() == 65504.0);
  CHECK(std::isinf((fp16_rup(60000.0) + fp16_rup(60000.0)).value()));
  CHECK(std::isnan((e4m3(448.0) * e4m3(2.0)).value()));
  CHECK((e2m1(6.0) + e2m1(6.0)).value() == 6.0);
  CHECK((e4m3fnuz(0.0) * e4m3fnuz(-1.0)).value() == 0.0);
  CHECK_FALSE(std::signbit((-e4m3fnuz(0.0)).value()));  // FNUZ has no -0
  CHECK(std::signbit((-fp16(0.0)).value()));
  CHECK(std::isnan((e8m0(1.0) - e8m0(1.0)).value()));  // E8M0 has no zero (OCP MX v1.0 s.5.4)
}

TEST_CASE("Float: one rounding where a double rounding would differ", "[float_vectors]") {
  // 1 + 2^-30 (1 + 2^-23) needs 54 bits: a double rounds it to 1 + 2^-30, yet fp32's directed
  // roundings of the exact sum differ from those of 1.
  const double b = std::ldexp(1 + std::ldexp(1.0, -23), -30);
  CHECK((fp32_rup(1.0) + fp32_rup(b)).value() == 1 + std::ldexp(1.0, -23));
  CHECK((fp32_rto(1.0) + fp32_rto(b)).value() == 1 + std::ldexp(1.0, -23));
  CHECK((fp32_rtz(1.0) + fp32_rtz(b)).value() == 1.0);
  CHECK((fp32_rdn(1.0) - fp32_rdn(b)).value() == 1 - std::ldexp(1.0, -24));
  // fma: one rounding of a*b + c, not two.
  const fp16 a(1 + std::ldexp(1.0, -9));
  CHECK(fma(a, a, fp16(-1.0)).value() == std::ldexp(1.0, -8) + std::ldexp(1.0, -18));
  CHECK((a * a - fp16(1.0)).value() == std::ldexp(1.0, -8));
  // An exact zero sum is -0 under rdn only.
  CHECK(std::signbit((fp16_rdn(1.0) - fp16_rdn(1.0)).value()));
  CHECK_FALSE(std::signbit((fp16(1.0) - fp16(1.0)).value()));
}

namespace {
// Sum of fl(1/k) in order until the sum stops changing; returns (sum, first k that left it unchanged).
template <class T>
std::pair<double, int> harmonic_stagnation(int limit) {
  T s(0.0);
  for (int k = 1; k <= limit; ++k) {
    const T next = s + T(1.0) / T(k);
    if (next == s) return {s.value(), k};
    s = next;
  }
  return {s.value(), -1};
}
}  // namespace

TEST_CASE("Float: harmonic series stagnation (docs/references.md s.6)", "[float_vectors]") {
  CHECK(harmonic_stagnation<fp16>(4096) == std::pair<double, int>{7.0859375, 513});
  CHECK(harmonic_stagnation<bf16>(4096) == std::pair<double, int>{5.0625, 65});
  // Stochastic rounding does not stagnate: 10^5 terms in fp16 average about H = 12.09. (The
  // terms are 1/k rounded from a double: k itself leaves fp16's range beyond 65504.)
  SrGenerator g(2024);
  SrScope scope(g);
  double mean = 0;
  const int runs = 4;
  for (int r = 0; r < runs; ++r) {
    fp16_sr s(0.0);
    for (int k = 1; k <= 100000; ++k) s += fp16_sr(1.0 / k);
    mean += s.value() / runs;
  }
  CHECK(std::fabs(mean - 12.0901) < 0.1);
}

TEST_CASE("Float: stochastic types draw from explicit generator state", "[float_vectors]") {
  const auto run = [](SrGenerator& g) {
    SrScope scope(g);
    bf16_sr s(0.0);
    for (int k = 1; k <= 1000; ++k) s += bf16_sr(1.0) / bf16_sr(k);
    return s.value();
  };
  SrGenerator a(5), b(5), c(6);
  const double ra = run(a), rb = run(b), rc = run(c);
  CHECK(ra == rb);          // same seed, same bits
  CHECK(a.index() == 4001);  // one word per rounding: s(0), then per term 1, k, the quotient, the sum
  CHECK(ra != rc);
  // The thread's generator outside any scope, replayed through the free functions.
  sr_generator() = SrGenerator(9);
  const bf16_sr x(1.0), y(3.0);  // exact, but each construction still draws a word
  sr_generator().seek(100);
  std::vector<double> by_operator;
  for (int i = 0; i < 64; ++i) by_operator.push_back((x / y).value());
  CHECK(sr_generator().index() == 164);
  SrGenerator e(9);
  e.seek(100);
  int ups = 0;
  for (int i = 0; i < 64; ++i) {
    const double q = div(x, y, e).value();
    CHECK(q == by_operator[static_cast<std::size_t>(i)]);
    ups += q > 1.0 / 3;
  }
  CHECK(ups > 0);
  CHECK(ups < 64);
}

TEST_CASE("Float: stochastic rounding of a quotient far below the smallest subnormal never rounds up",
          "[float_vectors]") {
  // x / y below 2^-64 of the smallest subnormal: floor(f 2^64) = 0, so P(up) = 0 (docs/references.md
  // s.3), whichever side of the double quotient the exact one lies (the divisors below give both).
  // The same exact-quotient path serves floatscope::round_quotient.
  const Format f = parse_format("bf16");
  SrGenerator g(3);
  int cases = 0;
  for (const double y : {1.25, 1.375, 1.625, 1.75, 1.875, 1.3125, 1.4375}) {
    const bf16_sr num(1.5 * std::ldexp(1.0, -100)), den(y * std::ldexp(1.0, 100));
    for (std::uint64_t i = 0; i < 16; ++i, ++cases) {
      CHECK(div(num, den, g).value() == 0.0);
      const Rounding r{Mode::sr, Overflow::spec, 64, 11, 0};
      CHECK(round_quotient(1.5 * std::ldexp(1.0, -100), y * std::ldexp(1.0, 100), f, r, i) == 0.0);
    }
  }
  CHECK(cases == 112);
}

TEST_CASE("Float: default value", "[float_vectors]") {
  CHECK(fp16().value() == 0.0);
  CHECK_FALSE(std::signbit(bf16().value()));
  CHECK(std::isnan(e8m0().value()));  // no zero in E8M0: what rounding 0 gives
  CHECK(std::isnan(e8m0(0.0).value()));
}
