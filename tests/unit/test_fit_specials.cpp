// fit() over the special-value rules of the unit (fit.hpp SpecialsSearch): units that flush
// subnormals, saturate or follow IEEE zero signs play the device through the MPFR re-execution of
// tests/support/fused_oracle.hpp (written from the rules' definitions, sharing no code with
// lib/); the fit must return the rule the device used, say which rules the data determine and
// which they leave open (no case meets them), and find nothing with NVIDIA's rules alone.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "floatscope/fit.hpp"
#include "floatscope/format.hpp"
#include "floatscope/rounding.hpp"
#include "fused_oracle.hpp"

using namespace floatscope;

namespace {

// n cases of length K with A at exponents [a_lo, a_hi] and B at [b_lo, b_hi] (subnormals below
// the format's emin),
// zeros of both signs one time in eight, and C of magnitude 2^[c_lo, c_hi] (an fp32 value);
// d from the device.
DotCases device_cases(const fused_oracle::Unit& device, std::size_t n, int K, std::pair<int, int> a_exp,
                      std::pair<int, int> b_exp, std::pair<int, int> c_exp, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> m(1.0, 2.0);
  DotCases d;
  d.K = K;
  auto value = [&](const Format& f, int e_lo, int e_hi) {
    const double s = g() % 2 ? 1.0 : -1.0;
    if (g() % 8 == 0) return std::copysign(0.0, s);
    const int e = e_lo + static_cast<int>(g() % static_cast<std::uint64_t>(e_hi - e_lo + 1));
    return round(s * std::ldexp(m(g), e), f, Rounding{Mode::rne, Overflow::saturate});
  };
  const Format fp32 = parse_format("fp32");
  for (std::size_t i = 0; i < n; ++i) {
    for (int k = 0; k < K; ++k) d.a.push_back(value(device.in_a, a_exp.first, a_exp.second));
    for (int k = 0; k < K; ++k) d.b.push_back(value(device.in_b, b_exp.first, b_exp.second));
    d.c.push_back(value(fp32, c_exp.first, c_exp.second));
    d.d.push_back(fused_oracle::dot_oracle(device, &d.a[i * K], &d.b[i * K], K, d.c[i]));
  }
  return d;
}

FitSpace unit_space(const Format& in) {
  FitSpace s;
  s.a_format = s.b_format = in;
  s.L_max = 16;
  s.F_min = 20;
  s.F_max = 28;
  s.scalar = false;
  s.promotion = false;
  s.output_conversion = false;
  return s;
}

const RuleFinding& finding(const FitModel& m, const std::string& rule) {
  for (const auto& f : m.rules)
    if (f.rule == rule) return f;
  FAIL("no finding for " << rule << " in " << m.label);
  return m.rules.front();
}

using Options = std::vector<std::string>;

}  // namespace

TEST_CASE("fit finds a unit that flushes subnormal inputs and results (DAZ/FTZ)", "[fit][special]") {
  const Format bf16 = parse_format("bf16"), fp32 = parse_format("fp32");
  fused_oracle::Unit device{8, 24, bf16, bf16, fp32, Mode::rtz, 0};
  device.specials.flush_inputs = device.specials.flush_results = true;
  // A from bf16's subnormals (2^-133) to 2^-110, B near 1: products and sums around fp32's
  // subnormal range, where a subnormal A still counts against the largest term.
  const DotCases d = device_cases(device, 300, 16, {-133, -110}, {-20, 0}, {-149, -120}, 7);
  const FitResult r = fit(d, unit_space(bf16), 1, 2);
  REQUIRE(r.full_matches() >= 1);
  bool named = false;
  for (const FitModel& m : r.models) {
    if (m.matched != r.cases) continue;
    INFO(m.label);
    REQUIRE(m.acc.fused);
    CHECK(m.acc.fused->specials.flush_inputs);
    CHECK(m.acc.fused->specials.flush_results);
    CHECK(finding(m, "subnormal inputs").options == Options{"flush"});
    CHECK(finding(m, "subnormal results").options == Options{"flush"});
    CHECK(finding(m, "subnormal inputs").cases > 0);
    CHECK(finding(m, "subnormal results").cases > 0);
    named = named || (m.acc.fused->L == 8 && m.acc.fused->F == 24 && m.acc.fused->out.name == "fp32" &&
                      m.acc.fused->out_mode == Mode::rtz && m.acc.promote == 0 && !m.acc.fused->c_outside);
  }
  CHECK(named);
  CHECK(r.models.front().label.find("subnormals=flush") != std::string::npos);

  // NVIDIA's rules only: nothing reproduces the device.
  FitSpace standard = unit_space(bf16);
  standard.specials = SpecialsSearch::standard;
  const FitResult s = fit(d, standard, 1, 2);
  CHECK(s.full_matches() == 0);
  CHECK(s.models.front().rules.empty());
}

TEST_CASE("fit leaves a rule open when no case meets it", "[fit][special]") {
  const Format fp16 = parse_format("fp16"), fp32 = parse_format("fp32");
  fused_oracle::Unit device{8, 24, fp16, fp16, fp32, Mode::rtz, 0};
  device.specials.flush_inputs = true;
  // fp16 products are at least 2^-48: no fp32 step result is subnormal, and nothing overflows.
  const DotCases d = device_cases(device, 300, 16, {-24, 4}, {-24, 4}, {-20, 4}, 8);
  const FitResult r = fit(d, unit_space(fp16), 1, 2);
  REQUIRE(r.full_matches() >= 1);
  const FitModel& m = r.models.front();
  INFO(m.label);
  CHECK(m.acc.fused->specials.flush_inputs);
  CHECK_FALSE(m.acc.fused->specials.flush_results);  // the fewest rules changed
  CHECK(finding(m, "subnormal inputs").options == Options{"flush"});
  CHECK(finding(m, "subnormal results").options == Options{"keep", "flush"});
  CHECK(finding(m, "subnormal results").cases == 0);
  CHECK(finding(m, "overflow").options == Options{"exact-sum", "ieee", "saturate"});
  CHECK(finding(m, "overflow").cases == 0);
}

TEST_CASE("fit tells saturating overflow from NVIDIA's and IEEE's (rne steps)", "[fit][special]") {
  const Format bf16 = parse_format("bf16"), fp32 = parse_format("fp32");
  fused_oracle::Unit device{4, 24, bf16, bf16, fp32, Mode::rne, 0};
  device.specials.overflow = UnitOverflow::saturate;
  // Products up to 2^130 and C near fp32's top: most sums leave the range.
  const DotCases d = device_cases(device, 300, 8, {50, 64}, {50, 64}, {120, 127}, 9);
  FitSpace space = unit_space(bf16);
  space.out_modes = {Mode::rne};
  const FitResult r = fit(d, space, 1, 2);
  REQUIRE(r.full_matches() >= 1);
  for (const FitModel& m : r.models) {
    INFO(m.label);
    CHECK(m.acc.fused->specials.overflow == UnitOverflow::saturate);
    CHECK(finding(m, "overflow").options == Options{"saturate"});
    CHECK(finding(m, "overflow").cases > 0);
  }
}

TEST_CASE("fit finds IEEE zero signs from sums of negative zeros", "[fit][special]") {
  const Format fp16 = parse_format("fp16"), fp32 = parse_format("fp32");
  fused_oracle::Unit device{4, 24, fp16, fp16, fp32, Mode::rne, 0};
  device.specials.zero_sign = ZeroSign::ieee;
  DotCases d = device_cases(device, 200, 8, {-3, 3}, {-3, 3}, {-3, 3}, 10);
  // Every fourth case: products of zeros only, all negative, and C = -0: IEEE gives -0.
  for (std::size_t i = 0; i < d.size(); i += 4) {
    for (int k = 0; k < d.K; ++k) {
      d.a[i * d.K + k] = -0.0;
      d.b[i * d.K + k] = k % 2 ? 1.0 : 2.0;
    }
    d.c[i] = -0.0;
    d.d[i] = fused_oracle::dot_oracle(device, &d.a[i * d.K], &d.b[i * d.K], d.K, d.c[i]);
    REQUIRE(std::signbit(d.d[i]));
  }
  const FitResult r = fit(d, unit_space(fp16), 1, 2);
  REQUIRE(r.full_matches() >= 1);
  for (const FitModel& m : r.models) {
    INFO(m.label);
    CHECK(m.acc.fused->specials.zero_sign == ZeroSign::ieee);
    CHECK(finding(m, "zero sign").options == Options{"ieee"});
  }
}

TEST_CASE("a search under every rule set finds what refinement finds", "[fit][special]") {
  const Format bf16 = parse_format("bf16"), fp32 = parse_format("fp32");
  fused_oracle::Unit device{8, 24, bf16, bf16, fp32, Mode::rtz, 0};
  device.specials.flush_inputs = device.specials.flush_results = true;
  const DotCases d = device_cases(device, 120, 16, {-133, -110}, {-20, 0}, {-149, -120}, 11);
  FitSpace all = unit_space(bf16);
  all.specials = SpecialsSearch::all;
  all.F_min = 23;
  all.F_max = 25;
  FitSpace refine = all;
  refine.specials = SpecialsSearch::when_needed;
  const FitResult a = fit(d, all, 1, 2), b = fit(d, refine, 1, 2);
  REQUIRE(b.full_matches() >= 1);
  CHECK(a.special_variants);
  CHECK_FALSE(b.special_variants);
  REQUIRE(a.models.size() == b.models.size());
  for (std::size_t i = 0; i < a.models.size(); ++i) {
    CHECK(a.models[i].label == b.models[i].label);
    CHECK(a.models[i].matched == b.models[i].matched);
  }
}
