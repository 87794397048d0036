// Signed zeros in the scalar accumulators (issue 7, case 4), against IEEE 754-2019 s.6.3 written
// out here and against MPFR's own additions:
//   - an exact zero sum of operands of opposite signs (x + (-x), +0 + -0) is -0 under
//     roundTowardNegative (rdn) and +0 under every other mode;
//   - the sum of two zeros of the same sign keeps that sign, in every mode;
//   - a product of zeros has the XOR of the operands' signs.
// Results are compared as bit patterns: x == y cannot tell -0 from +0.
#include <mpfr.h>

#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "floatscope/gemm.hpp"

using namespace floatscope;

namespace {

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

// IEEE 754 s.6.3 for an exact zero sum whose operands are not both zeros of one sign.
double cancellation_zero(Mode m) { return m == Mode::rdn ? -0.0 : 0.0; }

// MPFR's exact-zero sign for x + y under the mpfr mode matching m (only RNDD differs).
double mpfr_zero_sum(double x, double y, Mode m) {
  mpfr_t a, b, s;
  mpfr_inits2(64, a, b, s, static_cast<mpfr_ptr>(nullptr));
  mpfr_set_d(a, x, MPFR_RNDN);
  mpfr_set_d(b, y, MPFR_RNDN);
  mpfr_add(s, a, b, m == Mode::rdn ? MPFR_RNDD : m == Mode::rup ? MPFR_RNDU
                   : m == Mode::rtz ? MPFR_RNDZ : MPFR_RNDN);
  const double r = mpfr_get_d(s, MPFR_RNDN);
  mpfr_clears(a, b, s, static_cast<mpfr_ptr>(nullptr));
  return r;
}

const Mode kDeterministic[] = {Mode::rne, Mode::rna, Mode::rtz, Mode::rup, Mode::rdn, Mode::rto};

Accumulator scalar(const char* acc_format, Mode m, const char* order = "sequential",
                   Compensation comp = Compensation::none) {
  Accumulator acc = make_scalar_accumulator(parse_format("fp16"), parse_format(acc_format), Rounding{m});
  acc.order = parse_accumulator_order(order);
  acc.compensation = comp;
  return acc;
}

}  // namespace

TEST_CASE("rdn: 1 + (-1) is -0", "[accumulator][signed-zero]") {
  // Independent oracles agree first: MPFR's RNDD gives -0 for the exact cancellation.
  REQUIRE(bits(mpfr_zero_sum(1.0, -1.0, Mode::rdn)) == bits(-0.0));
  const double a[] = {1.0, -1.0}, b[] = {1.0, 1.0};
  for (const char* f : {"fp16", "bf16", "fp32", "e5m2", "e4m3", "e6m9"}) {
    for (const char* order : {"sequential", "reverse", "pairwise", "blocked:1", "splitk:2"}) {
      const Accumulator acc = scalar(f, Mode::rdn, order);
      INFO(acc.describe());
      CHECK(bits(emulate_dot(acc, a, b, 2)) == bits(-0.0));
    }
  }
}

TEST_CASE("other modes: 1 + (-1) is +0", "[accumulator][signed-zero]") {
  const double a[] = {1.0, -1.0}, b[] = {1.0, 1.0};
  for (Mode m : {Mode::rne, Mode::rna, Mode::rtz, Mode::rup, Mode::rto, Mode::sr, Mode::sr_equal}) {
    if (m == Mode::rne || m == Mode::rtz || m == Mode::rup)
      REQUIRE(bits(mpfr_zero_sum(1.0, -1.0, m)) == bits(0.0));
    for (const char* f : {"fp16", "bf16", "fp32", "e5m2"}) {
      const Accumulator acc = scalar(f, m);
      INFO(acc.describe());
      CHECK(bits(emulate_dot(acc, a, b, 2)) == bits(cancellation_zero(m)));
    }
  }
}

TEST_CASE("zero sums follow IEEE 754 s.6.3 in every deterministic mode", "[accumulator][signed-zero]") {
  struct Case {
    std::vector<double> a, b;
    double c;
    bool cancels;  // true: operands of opposite signs meet (mode-dependent); false: same-sign zeros
    double same_sign_zero;
  };
  const Case cases[] = {
      {{0.0}, {-1.0}, -0.0, false, -0.0},               // -0 + (+0 * -1 = -0): stays -0
      {{0.0}, {1.0}, 0.0, false, 0.0},                  // +0 + +0: stays +0, even in rdn
      {{-0.0, 0.0}, {1.0, -1.0}, -0.0, false, -0.0},    // all three terms -0
      {{0.0}, {-1.0}, 0.0, true, 0},                    // +0 + -0
      {{-0.0}, {-1.0}, -0.0, true, 0},                  // -0 + (-0 * -1 = +0)
      {{2.0, -2.0}, {0.5, 0.5}, 0.0, true, 0},          // c + 1 + (-1)
      {{1.0, 1.0, -2.0}, {1.0, 1.0, 1.0}, 0.0, true, 0},  // 1 + 1 + (-2), after two additions
  };
  for (Mode m : kDeterministic) {
    for (const Case& cs : cases) {
      const std::vector<double>& a = cs.a;
      const std::vector<double>& b = cs.b;
      const Accumulator acc = scalar("bf16", m);
      const double want = cs.cancels ? cancellation_zero(m) : cs.same_sign_zero;
      const double got = emulate_dot(acc, a.data(), b.data(), static_cast<int>(a.size()), cs.c);
      INFO(acc.describe() << " K=" << a.size() << " c=" << cs.c << " got " << got);
      CHECK(bits(got) == bits(want));
    }
  }
}

TEST_CASE("compensated chains keep IEEE zero signs", "[accumulator][signed-zero]") {
  // Kahan and Neumaier add the running compensation; with 1 + (-1) every exact zero they form
  // is a cancellation, so rdn ends at -0 and the other modes at +0.
  const double a[] = {1.0, -1.0}, b[] = {1.0, 1.0};
  for (Mode m : kDeterministic)
    for (Compensation comp : {Compensation::kahan, Compensation::neumaier}) {
      const Accumulator acc = scalar("fp32", m, "sequential", comp);
      INFO(acc.describe());
      CHECK(bits(emulate_dot(acc, a, b, 2)) == bits(cancellation_zero(m)));
    }
}

TEST_CASE("products of zeros keep the XOR sign", "[accumulator][signed-zero]") {
  // c = -0 so that the sum of -0 terms stays -0 in every mode; rounded products included.
  for (Mode m : kDeterministic) {
    Accumulator acc = scalar("fp32", m);
    for (bool rounded : {false, true}) {
      if (rounded) {
        acc.product_format = parse_format("bf16");
        acc.product_rounding = Rounding{m};
      }
      const double pa[] = {-0.0}, pb[] = {1.0}, na[] = {-0.0}, nb[] = {-1.0};
      INFO(acc.describe());
      CHECK(bits(emulate_dot(acc, pa, pb, 1, -0.0)) == bits(-0.0));  // -0 * 1 = -0
      CHECK(bits(emulate_dot(acc, na, nb, 1, -0.0)) == bits(cancellation_zero(m)));  // +0 + -0
    }
  }
}

TEST_CASE("GEMM path: rdn cancellation gives -0 in every output",
          "[accumulator][signed-zero]") {
  // emulate_gemm takes the column-vectorised kernels for common models (on every SIMD level: the
  // simd-* ctest entries run this file with the level forced); they must follow the same rule
  // as emulate_dot. A = [1 -1; 2 -2], B = [1 1; 1 1]: every output cancels exactly.
  const double A[] = {1.0, -1.0, 2.0, -2.0}, B[] = {1.0, 1.0, 1.0, 1.0};
  for (Mode m : kDeterministic) {
    for (const char* f : {"fp16", "bf16", "fp32"}) {
      const Accumulator acc = scalar(f, m);
      const GemmResult r = emulate_gemm(acc, 2, 2, 2, A, B, nullptr, 1);
      for (double d : r.C) {
        INFO(acc.describe() << " got " << d);
        CHECK(bits(d) == bits(cancellation_zero(m)));
      }
    }
  }
}
