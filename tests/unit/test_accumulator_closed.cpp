// Accumulation models against closed forms and published values (docs/references.md s.6).
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "floatscope/gemm.hpp"

using namespace floatscope;

namespace {

// Sum of the first n harmonic terms 1/k, each rounded to f (RNE), accumulated in f with `r`:
// the dot product of the rounded terms with ones.
struct Harmonic {
  std::vector<double> terms, ones;
  Harmonic(const Format& f, int n) : terms(static_cast<std::size_t>(n)), ones(terms.size(), 1.0) {
    for (int k = 1; k <= n; ++k) terms[static_cast<std::size_t>(k - 1)] = round(1.0 / k, f);
  }
  double sum(const Accumulator& acc, int n, GemmEvents* ev = nullptr) const {
    return emulate_dot(acc, terms.data(), ones.data(), n, 0.0, ev);
  }
};

}  // namespace

TEST_CASE("harmonic series stagnates where docs/references.md s.6 says", "[accumulator]") {
  struct Case { const char* fmt; double value; int from; int n; };
  for (const Case& c : {Case{"fp16", 7.0859375, 513, 3000}, Case{"bf16", 5.0625, 65, 1000},
                        Case{"fp32", 15.403682708740234, 1 << 21, (1 << 21) + 100000}}) {
    const Format f = parse_format(c.fmt);
    const Accumulator acc = make_scalar_accumulator(f, f, Rounding{Mode::rne});
    const Harmonic h(f, c.n);
    INFO(c.fmt);
    // Reached with the terms up to `from - 1`; no later term changes it.
    CHECK(h.sum(acc, c.from - 1) == c.value);
    CHECK(h.sum(acc, c.from - 2) < c.value);
    GemmEvents ev;
    CHECK(h.sum(acc, c.n, &ev) == c.value);
    // The stagnation counter counts exactly the additions from term `from` on: no earlier term
    // left the sum unchanged.
    CHECK(ev.stagnations == static_cast<std::uint64_t>(c.n - c.from + 1));
    CHECK(ev.partials == static_cast<std::uint64_t>(c.n));
    CHECK(ev.products == static_cast<std::uint64_t>(c.n));
  }
}

TEST_CASE("fp16 stochastic rounding does not stagnate on the harmonic series", "[accumulator]") {
  const Format fp16 = parse_format("fp16");
  const int n = 100000, rows = 48;
  Rounding r{Mode::sr};
  r.seed = 2024;
  const Accumulator acc = make_scalar_accumulator(fp16, fp16, r);
  // rows independent SR streams (one per output row) over the same terms.
  std::vector<double> A(static_cast<std::size_t>(rows) * n), B(static_cast<std::size_t>(n), 1.0);
  for (int i = 0; i < rows; ++i)
    for (int k = 1; k <= n; ++k)
      A[static_cast<std::size_t>(i) * n + static_cast<std::size_t>(k - 1)] = round(1.0 / k, fp16);
  const GemmResult g = emulate_gemm(acc, rows, 1, n, A.data(), B.data(), nullptr);
  double mean = 0;
  for (double v : g.C) mean += v / rows;
  // docs/references.md s.6: about 12.09 on average (exact H = 12.0901); the spread of one run is about
  // 0.3, so the mean of 48 runs lies within 0.2 of it with overwhelming probability.
  CHECK(std::fabs(mean - 12.09) < 0.2);
  CHECK(g.events.partials == static_cast<std::uint64_t>(rows) * n);
}

TEST_CASE("exact sums and cancellation", "[accumulator]") {
  const Format fp16 = parse_format("fp16");
  Accumulator acc = make_scalar_accumulator(fp16, fp16, Rounding{Mode::rne});
  // Integers 1..63 sum to 2016 < 2048: every partial sum is an exact fp16 integer.
  std::vector<double> a, b;
  for (int k = 1; k <= 63; ++k) {
    a.push_back(k);
    b.push_back(1);
  }
  for (const char* order : {"sequential", "reverse", "pairwise", "blocked:8", "splitk:5", "random:3"}) {
    acc.order = parse_accumulator_order(order);
    GemmEvents ev;
    CHECK(emulate_dot(acc, a.data(), b.data(), 63, 0.0, &ev) == 2016);
    CHECK(ev.stagnations == 0);
  }
  // 1e4 + 1 - 1e4: the 1 is lost in fp16 (ulp 8 at 1e4) by plain summation; Neumaier recovers
  // it; Kahan loses it too here, since -1e4 - (-1) rounds back to -1e4 in fp16.
  const double x[] = {10000, 1, -10000}, ones[] = {1, 1, 1};
  acc.order = parse_accumulator_order("sequential");
  CHECK(emulate_dot(acc, x, ones, 3) == 0);
  acc.compensation = Compensation::neumaier;
  CHECK(emulate_dot(acc, x, ones, 3) == 1);
  acc.compensation = Compensation::kahan;
  CHECK(emulate_dot(acc, x, ones, 3) == 0);
  // In an fp32 accumulator every order is exact.
  acc = make_scalar_accumulator(fp16, parse_format("fp32"), Rounding{Mode::rne});
  for (const char* order : {"sequential", "reverse", "pairwise"}) {
    acc.order = parse_accumulator_order(order);
    CHECK(emulate_dot(acc, x, ones, 3) == 1);
  }
}

TEST_CASE("outer_format is validated without promotion too: it rounds the scales (issue 7 case 6)",
          "[accumulator]") {
  // finish() rounds scale_a*scale_b and the scaled result into outer_format: a double-double
  // cannot be rounded exactly to a 53-bit format except with rne, whether or not promote is set.
  const Format fp16 = parse_format("fp16"), fp64 = parse_format("fp64");
  Accumulator acc = make_scalar_accumulator(fp16, parse_format("fp32"));
  acc.outer_format = fp64;
  acc.outer_rounding = Rounding{Mode::rtz};
  acc.scale_a = 3.0;
  acc.scale_b = 0.1;
  REQUIRE(acc.promote == 0);
  CHECK_THROWS_WITH(acc.validate(), Catch::Contains("outer accumulator") && Catch::Contains("fp64"));
  acc.scale_a = acc.scale_b = 1.0;  // unused now, still checked: always
  CHECK_THROWS_WITH(acc.validate(), Catch::Contains("outer accumulator"));
  acc.outer_rounding = Rounding{Mode::rne};  // fp64 with rne is exact
  CHECK_NOTHROW(acc.validate());
  acc.outer_format = parse_format("e11m51");  // precision 52: no mode is exact
  CHECK_THROWS_WITH(acc.validate(), Catch::Contains("outer accumulator"));
  acc.outer_format = parse_format("bf16");
  acc.outer_rounding = Rounding{Mode::rup};
  acc.scale_a = 3.0;
  CHECK_NOTHROW(acc.validate());
}
