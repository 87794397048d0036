// Issue 7 case 7: NaN and Inf inputs. Expected outputs are written here from the rules, not from
// the code:
//   software accumulators, IEEE 754-2019 s.6.1-6.3 and s.7.2: NaN propagates; Inf - Inf and
//   0 * Inf are invalid (NaN); Inf + finite = Inf; a finite sum beyond the format's range
//   overflows (s.7.4, to Inf under rne) and stays Inf; -0 + -0 = -0;
//   hardware models, docs/references.md s.5 (MMA-Sim; Khattak & Mikaitis): any NaN input gives the
//   canonical NaN (positive); +Inf and -Inf together give NaN; products may exceed fp32's range
//   inside a step and the result overflows only if the exact sum does; an exact sum >= 2^128
//   gives Inf even under round-toward-zero, one in (FLT_MAX, 2^128) gives FLT_MAX; a zero result
//   is +0.
// Each case runs through emulate_dot (the engine) and emulate_gemm (which may take a vectorised
// kernel), and through run_experiment_on (what `floatscope gemm` runs).
#include <catch2/catch.hpp>

#include <cfloat>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "floatscope/experiment.hpp"
#include "floatscope/gemm.hpp"
#include "floatscope/models.hpp"

using namespace floatscope;

namespace {

const double inf = std::numeric_limits<double>::infinity();
const double nan_ = std::numeric_limits<double>::quiet_NaN();

struct Case {
  std::string what;
  std::vector<double> a, b;
  double c;
  double want;  // NaN: any NaN (hardware: positive NaN)
};

bool matches(double got, double want, bool canonical_nan) {
  if (std::isnan(want)) return std::isnan(got) && (!canonical_nan || !std::signbit(got));
  return got == want && std::signbit(got) == std::signbit(want);
}

void check_cases(const Accumulator& acc, const std::vector<Case>& cases, bool canonical_nan) {
  for (const auto& c : cases) {
    const int K = static_cast<int>(c.a.size());
    INFO(acc.describe() << ": " << c.what);
    const double dot = emulate_dot(acc, c.a.data(), c.b.data(), K, c.c);
    CHECK(matches(dot, c.want, canonical_nan));
    // The same dot product as a 1x1 GEMM (B is K x 1: its column is b).
    const GemmResult g = emulate_gemm(acc, 1, 1, K, c.a.data(), c.b.data(), &c.c, 1);
    CHECK(matches(g.C[0], c.want, canonical_nan));
    CHECK(g.events.nan_count == (std::isnan(c.want) ? 1u : 0u));
    // And as 16 identical rows and columns: vectorised kernels see whole tiles of it.
    const int R = 16;
    std::vector<double> A(R * K), B(K * R), C0(R * R, c.c);
    for (int i = 0; i < R; ++i)
      for (int k = 0; k < K; ++k) A[i * K + k] = c.a[k], B[k * R + i] = c.b[k];
    const GemmResult big = emulate_gemm(acc, R, R, K, A.data(), B.data(), C0.data(), 1);
    for (double v : big.C) REQUIRE(matches(v, c.want, canonical_nan));
  }
}

}  // namespace

TEST_CASE("software accumulators follow IEEE 754 on NaN and Inf inputs", "[special]") {
  const Format bf16 = parse_format("bf16"), fp32 = parse_format("fp32"), fp16 = parse_format("fp16");
  const double big = std::ldexp(1.0, 100);
  const std::vector<Case> cases = {
      {"NaN propagates", {1, nan_, 2}, {1, 1, 1}, 0, nan_},
      {"NaN in c propagates", {1, 2}, {1, 1}, nan_, nan_},
      {"Inf + finite = Inf", {inf, 1}, {1, 1}, 0, inf},
      {"-Inf + finite = -Inf", {-inf, big}, {1, std::ldexp(1.0, 27)}, 0, -inf},
      {"Inf - Inf = NaN", {inf, inf}, {1, -1}, 0, nan_},
      {"0 * Inf = NaN", {0, 1}, {inf, 1}, 0, nan_},
      {"Inf in c plus finite", {1, 2}, {1, 1}, -inf, -inf},
      {"fp32 overflow of 2^140 stays Inf", {std::ldexp(1.0, 70), std::ldexp(1.0, 70)},
       {std::ldexp(1.0, 70), -std::ldexp(1.0, 70)}, 0, inf},
      {"-0 + -0 = -0", {-0.0}, {1}, -0.0, -0.0},
  };
  for (Mode m : {Mode::rne, Mode::rtz}) {
    Accumulator acc = make_scalar_accumulator(bf16, fp32, Rounding{m});
    std::vector<Case> cs = cases;
    // Under rtz a finite overflow gives FLT_MAX (s.7.4) and the chain goes on finitely: not a
    // special-value case, so it is checked under rne only.
    if (m == Mode::rtz) cs.erase(cs.begin() + 7);
    check_cases(acc, cs, false);
  }
  // fp16 accumulator: 60000 + 60000 overflows to Inf (rne), and Inf - 60000 stays Inf.
  check_cases(make_scalar_accumulator(fp16, fp16, Rounding{Mode::rne}),
              {{"fp16 overflow then finite", {60000, 60000, -60000}, {1, 1, 1}, 0, inf}}, false);
}

TEST_CASE("hardware models follow docs/references.md s.5 on NaN and Inf inputs", "[special]") {
  const double p = std::ldexp(1.0, 64);
  const double b1 = std::ldexp(1.0, 63), b2 = std::ldexp(1.0 - std::ldexp(1.0, -8), 63),
               b3 = std::ldexp(1.0 - std::ldexp(1.0, -8), 55), b4 = std::ldexp(1.0 - std::ldexp(1.0, -8), 47);
  const std::vector<Case> cases = {
      {"NaN input gives the canonical (positive) NaN", {1, -nan_}, {1, 1}, 0, nan_},
      {"NaN in c", {1, 1}, {1, 1}, -nan_, nan_},
      {"+Inf and -Inf together give NaN", {inf, inf}, {1, -1}, 0, nan_},
      {"+Inf with finite products gives +Inf", {inf, 1}, {1, 1}, 0, inf},
      {"-Inf with finite products gives -Inf", {-inf, 2}, {1, 3}, 0, -inf},
      // 2^140 - 2^140 + 2^120: E = 140, terms truncated to multiples of 2^115, exact sum 2^120.
      {"products beyond fp32 range cancel inside the step",
       {std::ldexp(1.0, 70), std::ldexp(1.0, 70), std::ldexp(1.0, 60)},
       {std::ldexp(1.0, 70), -std::ldexp(1.0, 70), std::ldexp(1.0, 60)}, 0, std::ldexp(1.0, 120)},
      // 2^127 + (2^127 - 2^119) + (2^119 - 2^111) + (2^111 - 2^103) = 2^128 - 2^103: all multiples
      // of 2^(127-25), so the exact sum lies in (FLT_MAX, 2^128): FLT_MAX under round-toward-zero.
      {"exact sum in (FLT_MAX, 2^128) gives FLT_MAX", {p, p, p, p}, {b1, b2, b3, b4}, 0, FLT_MAX},
      {"exact sum 2^128 gives Inf even under rtz", {p, p, p, p, p}, {b1, b2, b3, b4, std::ldexp(1.0, 39)}, 0, inf},
      {"a zero result is +0 (c = -0, product -0)", {-0.0}, {1}, -0.0, 0.0},
      {"a zero result is +0 (cancellation)", {-3, 3}, {1, 1}, -0.0, 0.0},
  };
  for (const char* model : {"h100-bf16", "a100-bf16", "b200-bf16"}) check_cases(model_accumulator(model), cases, true);
  // fp16 units: fp16 has Inf and NaN too (its products cannot leave fp32's range).
  const std::vector<Case> half = {
      {"NaN", {1, nan_, 2}, {1, 1, 1}, 0, nan_},
      {"Inf - Inf", {inf, 2, -inf}, {1, 1, 1}, 0, nan_},
      {"Inf", {65504, inf}, {65504, 1}, 0, inf},
  };
  for (const char* model : {"v100-fp16", "h100-fp16"}) check_cases(model_accumulator(model), half, true);
}

TEST_CASE("run_experiment_on accepts NaN and Inf inputs and counts NaN outputs", "[special]") {
  // A (4x3) x B (3x2), rules as above: rows give NaN; Inf; Inf - Inf = NaN; finite.
  const std::vector<double> A = {1, nan_, 2, inf, 1, 1, inf, -inf, 0, 1, 2, 3};
  const std::vector<double> B = {1, 1, 1, 1, 1, -1};
  const std::vector<double> want = {nan_, nan_, inf, inf, nan_, nan_, 6, 0};
  for (const char* model : {"h100-bf16", "custom"}) {
    ExperimentSpec s;
    s.model = model;
    s.a_format = "bf16";
    s.M = 4;
    s.N = 2;
    s.K = 3;
    for (const char* ref : {"exact", "mpfr"}) {
      s.reference = ref;
      const ExperimentResult r = run_experiment_on(s, A.data(), B.data(), nullptr, 1, true);
      INFO(model << " reference " << ref);
      for (std::size_t i = 0; i < want.size(); ++i) CHECK(matches(r.C[i], want[i], false));
      CHECK(r.metrics.nan_count == 4);
      CHECK(r.events.nan_count == 4);
    }
  }
  // A NaN meeting a format without NaN cannot be quantised: an error naming the format.
  ExperimentSpec s;
  s.a_format = "e2m1";
  s.M = 4;
  s.N = 2;
  s.K = 3;
  CHECK_THROWS_WITH(run_experiment_on(s, A.data(), B.data(), nullptr, 1), Catch::Contains("e2m1"));
}

TEST_CASE("an Inf input is not a partial-sum overflow in a fused unit; an overflowing sum is", "[special]") {
  // docs/references.md s.5: a step whose terms include Inf returns Inf, but nothing overflowed;
  // a step whose finite terms sum beyond fp32's range does overflow.
  const Accumulator acc = model_accumulator("h100-bf16");
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> a(16, 1.0), b(16, 1.0);
  a[3] = inf;
  GemmEvents ev;
  CHECK(emulate_dot(acc, a.data(), b.data(), 16, 0.0, &ev) == inf);
  CHECK(ev.partials_overflow == 0);
  std::fill(a.begin(), a.end(), 0x1p127);  // 16 * 2^127 * 1: beyond FLT_MAX, all terms finite
  GemmEvents ev2;
  CHECK(emulate_dot(acc, a.data(), b.data(), 16, 0.0, &ev2) == inf);
  CHECK(ev2.partials_overflow == 1);
}
