// check_rounding / rank_roundings against conversions made by an independent converter: the MPFR
// oracle (tests/support/mpfr_oracle.hpp) plays the user's ml_dtypes-style conversion. Clean data
// must check clean; every planted error (ties away instead of even, a flushed subnormal, saturation
// instead of NaN, a lost zero sign, a NaN turned into a number, one ulp off) must be found once and
// classified; rank_roundings must name the mode and overflow policy the data were made with.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "floatscope/check.hpp"
#include "floatscope/format.hpp"
#include "floatscope/rounding.hpp"
#include "mpfr_oracle.hpp"

using namespace floatscope;

namespace {

const double kInf = std::numeric_limits<double>::infinity();

// Inputs for E4M3 (OFP8: max 448, min normal 2^-6, 3 fraction bits) of every kind, both signs,
// written from the format's definition: grid midpoints (1 + (2m+1)/16) 2^e are the ties.
std::vector<double> e4m3_inputs() {
  std::vector<double> x;
  std::mt19937_64 rng(15);
  std::uniform_real_distribution<double> mant(1.0, 2.0);
  for (int i = 0; i < 400; ++i) x.push_back(std::ldexp(mant(rng), -6 + static_cast<int>(rng() % 15)));
  for (int e = -6; e <= 8; ++e)
    for (int m = 0; m < 8; ++m) {
      const double mid = std::ldexp(1.0 + (2.0 * m + 1) / 16, e);
      if (mid < 448) x.push_back(mid);
    }
  for (int k = 1; k < 16; ++k) x.push_back(std::ldexp(k / 16.0, -6));  // subnormals and their midpoints
  for (double v : {3.1, 449.0, 464.0, 500.0, 1e6, 1e-10, 3e-5, 0.0}) x.push_back(v);
  const std::size_t n = x.size();
  for (std::size_t i = 0; i < n; ++i) x.push_back(-x[i]);
  x.push_back(kInf);
  x.push_back(-kInf);
  x.push_back(std::numeric_limits<double>::quiet_NaN());
  return x;
}

std::vector<double> convert(const std::vector<double>& x, const Format& f, Mode m, Overflow o) {
  std::vector<double> y;
  for (double v : x) y.push_back(oracle::oracle_round(v, f, m, o));
  return y;
}

std::size_t index_of(const std::vector<double>& x, double v) {
  for (std::size_t i = 0; i < x.size(); ++i)
    if (x[i] == v && std::signbit(x[i]) == std::signbit(v)) return i;
  FAIL("input " << v << " not generated");
  return 0;
}

}  // namespace

TEST_CASE("check_rounding: the classes of E4M3 inputs", "[check_round]") {
  const Format f = parse_format("e4m3");
  const Rounding rne{};
  CHECK(classify_round_case(1.0625, f, rne) == RoundCase::tie);       // between 1 and 1.125
  CHECK(classify_round_case(1.0, f, rne) == RoundCase::ordinary);
  CHECK(classify_round_case(1.1, f, rne) == RoundCase::ordinary);
  CHECK(classify_round_case(0x1p-8, f, rne) == RoundCase::subnormal); // 2^-8 < 2^-6
  CHECK(classify_round_case(449, f, rne) == RoundCase::overflow);
  CHECK(classify_round_case(-kInf, f, rne) == RoundCase::nan_inf);
  CHECK(classify_round_case(-0.0, f, rne) == RoundCase::signed_zero);
  CHECK(classify_round_case(1e-10, f, rne) == RoundCase::signed_zero); // rounds to zero
  // The tie rule of a result: 1.0 has an even last bit and lies toward zero; 1.125 odd, away.
  CHECK(tie_rule_of(1.0625, 1.0, f) == "even, toward zero");
  CHECK(tie_rule_of(1.0625, 1.125, f) == "odd, away");
  CHECK(tie_rule_of(-1.0625, -1.125, f) == "odd, away");
  CHECK(tie_rule_of(1.0625, 1.25, f) == "neither neighbour");
  CHECK(tie_rule_of(1.1, 1.125, f).empty());
  // 1.1875 lies between 1.125 (odd) and 1.25 (even): the even neighbour is away from zero.
  CHECK(tie_rule_of(1.1875, 1.25, f) == "even, away");
}

TEST_CASE("check_rounding: clean data checks clean, planted errors are found and classified",
          "[check_round]") {
  const Format f = parse_format("e4m3");
  const std::vector<double> x = e4m3_inputs();
  std::vector<double> y = convert(x, f, Mode::rne, Overflow::spec);
  const Rounding rne{};
  const RoundCheck clean = check_rounding(x, y, f, rne);
  CHECK(clean.checked == x.size());
  CHECK(clean.wrong == 0);
  // Every class is present in the inputs.
  for (std::size_t k = 0; k < kRoundCaseCount; ++k) {
    INFO(round_case_name(static_cast<RoundCase>(k)));
    CHECK(clean.checked_by_case[k] > 0);
  }

  struct Plant {
    double input, got;
    RoundCase kind;
    std::string tie_rule;
  };
  const std::vector<Plant> plants = {
      {1.0625, 1.125, RoundCase::tie, "odd, away"},            // ties away instead of even
      {std::ldexp(4 / 16.0, -6), 0.0, RoundCase::subnormal, ""},  // a subnormal (2 x 2^-9) flushed
      {500.0, 448.0, RoundCase::overflow, ""},                 // saturation instead of NaN
      {-1e-10, 0.0, RoundCase::signed_zero, ""},               // -0 lost its sign
      {kInf, 448.0, RoundCase::nan_inf, ""},                   // Inf saturated instead of NaN
      {-3.1, -3.25, RoundCase::ordinary, ""},                  // one ulp too far (-3 expected)
  };
  for (const auto& p : plants) y[index_of(x, p.input)] = p.got;
  const RoundCheck c = check_rounding(x, y, f, rne, 100);
  CHECK(c.wrong == plants.size());
  for (std::size_t k = 0; k < kRoundCaseCount; ++k) CHECK(c.wrong_by_case[k] == 1);
  REQUIRE(c.first.size() == plants.size());
  for (const auto& p : plants) {
    INFO("planted at input " << p.input);
    const std::size_t at = index_of(x, p.input);
    bool found = false;
    for (const auto& m : c.first)
      if (m.index == at) {
        found = true;
        CHECK(m.kind == p.kind);
        CHECK(m.got == p.got);
        CHECK(m.tie_rule == p.tie_rule);
        CHECK(same_result(m.expected, oracle::oracle_round(p.input, f, Mode::rne, Overflow::spec)));
      }
    CHECK(found);
  }
  // `keep` limits the list, not the counts.
  const RoundCheck few = check_rounding(x, y, f, rne, 2);
  CHECK(few.first.size() == 2);
  CHECK(few.wrong == plants.size());
}

TEST_CASE("rank_roundings names the mode and overflow policy of the data", "[check_round]") {
  for (const char* name : {"e4m3", "e5m2"}) {
    const Format f = parse_format(name);
    std::vector<double> x = e4m3_inputs();
    // E5M2 has a wider range: add its own overflow inputs (max 57344).
    for (double v : {60000.0, 61440.0, 1e6}) {
      x.push_back(v);
      x.push_back(-v);
    }
    for (Overflow o : {Overflow::spec, Overflow::saturate})
      for (Mode m : {Mode::rne, Mode::rna, Mode::rtz, Mode::rup, Mode::rdn, Mode::rto}) {
        const Rounding r{m, o};
        INFO(name << " data made with " << rounding_label(r));
        const auto ranked = rank_roundings(x, convert(x, f, m, o), f);
        REQUIRE(ranked.size() == 12);
        CHECK(rounding_label(ranked.front().rounding) == rounding_label(r));
        CHECK(ranked.front().wrong == 0);
        CHECK(ranked[1].wrong > 0);  // the data tell every other candidate apart
      }
  }
}

TEST_CASE("check_rounding refuses what it cannot check", "[check_round]") {
  const Format f = parse_format("fp16");
  const std::vector<double> x{1.0, 2.0}, y{1.0};
  CHECK_THROWS_AS(check_rounding(x, y, f, Rounding{}), std::invalid_argument);
  CHECK_THROWS_AS(check_rounding(x, x, f, Rounding{Mode::sr}), std::invalid_argument);
}
