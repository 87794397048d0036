// Issue 7 case 3: input quantisation with a scale that is not a power of two rounds the EXACT
// quotient x / scale once. Oracle: MPFR divides at 300 bits (a non-dyadic quotient is never
// within 2^-246 of a grid point or midpoint, so its 300-bit value rounds like the exact one) and
// the test's own MPFR oracle (tests/support/mpfr_oracle.hpp) rounds it onto the format.
#include <catch2/catch.hpp>

#include <mpfr.h>

#include <cmath>
#include <cstdint>
#include <array>
#include <random>
#include <vector>

#include "floatscope/experiment.hpp"
#include "floatscope/random.hpp"
#include "floatscope/rounding.hpp"
#include "mpfr_oracle.hpp"

using namespace floatscope;

namespace {

struct Quot {
  mpfr_t q;
  Quot(double x, double scale) {
    mpfr_init2(q, 300);
    mpfr_t xs, ss;
    mpfr_init2(xs, 64);
    mpfr_init2(ss, 64);
    mpfr_set_d(xs, x, MPFR_RNDN);  // exact
    mpfr_set_d(ss, scale, MPFR_RNDN);
    mpfr_div(q, xs, ss, MPFR_RNDN);
    mpfr_clears(xs, ss, static_cast<mpfr_ptr>(nullptr));
  }
  ~Quot() { mpfr_clear(q); }
};

double oracle_quotient(double x, double scale, const Format& f, Mode m) {
  const Quot z(x, scale);
  return oracle::oracle_round_mpfr(z.q, f, m, Overflow::spec);
}

bool same_bits(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

// Inputs whose quotient lies within a few units of 2^-(p+4) of a grid value g of f, on either
// side, plus quotients exactly representable in double and values far from the grid: the cases a
// second rounding gets wrong. Quotients stay >= f's smallest subnormal (the oracle's MPFR range).
std::vector<double> near_grid_inputs(const Format& f, double scale, std::uint64_t seed, int n) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(1.0, 2.0);
  const int top = std::min(f.emax, 20);
  std::uniform_int_distribution<int> e(f.emin - f.man_bits + 1, top);
  std::vector<double> xs;
  while (static_cast<int>(xs.size()) < n) {
    const double grid = round(std::ldexp(u(g), e(g)), f, Rounding{});  // a grid value
    if (!std::isfinite(grid) || grid == 0) continue;
    const double sign = g() % 2 ? -1.0 : 1.0;
    double x = 0;
    switch (g() % 4) {
      case 0: x = grid * scale; break;  // RN(g * scale): its quotient is within 2^-53 of g
      case 1: x = grid * scale * (1 + std::ldexp(static_cast<double>(g() % 7) - 3, -f.precision - 4)); break;
      case 2: x = std::nextafter(grid * scale, (g() % 2) ? INFINITY : 0.0); break;
      default: x = std::ldexp(u(g), e(g)) * scale; break;  // anywhere
    }
    x *= sign;
    if (std::fabs(x / scale) < f.min_subnormal * 1.01) continue;
    xs.push_back(x);
  }
  return xs;
}

}  // namespace

TEST_CASE("quantisation with a non-power-of-two scale rounds the exact quotient once (MPFR)",
          "[quotient]") {
  const char* formats[] = {"fp16", "bf16", "e4m3", "e5m2", "fp32", "e2m1", "e3m2", "tf32"};
  const double scales[] = {0.1, 3.0, 1.0 / 3.0, 0.7, 1e-3, 12345.678, 0.015625, 10.0};
  const Mode modes[] = {Mode::rne, Mode::rna, Mode::rtz, Mode::rup, Mode::rdn, Mode::rto};
  for (const char* fname : formats) {
    const Format f = parse_format(fname);
    for (double scale : scales) {
      const auto xs = near_grid_inputs(f, scale, 7 + static_cast<std::uint64_t>(scale * 1000), 600);
      for (Mode m : modes) {
        std::vector<double> got(xs.size());
        round_quotient_array(xs, got, scale, f, Rounding{m}, 0, 2);
        for (std::size_t i = 0; i < xs.size(); ++i) {
          const double want = oracle_quotient(xs[i], scale, f, m);
          INFO(fname << " scale " << scale << " mode " << mode_name(m) << " x = " << xs[i]
                     << " got " << got[i] << " want " << want);
          REQUIRE(same_bits(got[i], want));
          REQUIRE(same_bits(round_quotient(xs[i], scale, f, Rounding{m}), want));
        }
      }
    }
  }
}

TEST_CASE("the old divide-then-round gets about half of near-grid fp16 inputs wrong with rtz, scale 0.1",
          "[quotient]") {
  // Guards that the test above can fail: the two-rounding path it replaces misses often.
  const Format f = parse_format("fp16");
  const auto xs = near_grid_inputs(f, 0.1, 99, 2000);
  int wrong_twice = 0, wrong_once = 0;
  for (double x : xs) {
    const double want = oracle_quotient(x, 0.1, f, Mode::rtz);
    if (!same_bits(round(x / 0.1, f, Rounding{Mode::rtz}), want)) ++wrong_twice;
    if (!same_bits(round_quotient(x, 0.1, f, Rounding{Mode::rtz}), want)) ++wrong_once;
  }
  CHECK(wrong_once == 0);
  CHECK(wrong_twice > static_cast<int>(xs.size()) / 10);
}

TEST_CASE("round_quotient: special values, scale 1 and power-of-two scales, wide targets",
          "[quotient]") {
  const Format fp16 = parse_format("fp16"), fp64 = parse_format("fp64");
  for (Mode m : {Mode::rne, Mode::rtz, Mode::rup, Mode::sr}) {
    Rounding r{m};
    r.seed = 5;
    r.stream = 3;
    for (double x : {1.0, -0.3, 1e-6, 70000.0, 0.0, -0.0}) {
      for (std::uint64_t i : {0ULL, 17ULL}) {
        CHECK(same_bits(round_quotient(x, 1.0, fp16, r, i), round(x, fp16, r, i)));
        CHECK(same_bits(round_quotient(x, 0.25, fp16, r, i), round(x * 4, fp16, r, i)));
      }
    }
  }
  CHECK(std::isnan(round_quotient(NAN, 0.1, fp16)));
  CHECK(round_quotient(INFINITY, 0.1, fp16) == INFINITY);
  CHECK(round_quotient(-INFINITY, 3.0, fp16, Rounding{Mode::rtz}) == -INFINITY);
  // Beyond fp16's range: the exact quotient overflows per IEEE 754 s.7.4.
  CHECK(round_quotient(7000.0, 0.1, fp16, Rounding{Mode::rtz}) == 65504.0);
  CHECK(round_quotient(7000.0, 0.1, fp16, Rounding{Mode::rup}) == INFINITY);
  // fp64 targets: rne/rna are one correctly rounded division; other modes cannot be done once.
  CHECK(round_quotient(1.0, 0.1, fp64) == 1.0 / 0.1);
  CHECK_THROWS_WITH(round_quotient(1.0, 0.1, fp64, Rounding{Mode::rtz}),
                    Catch::Contains("precision <= 51"));
  CHECK(round_quotient(1.0, 0.5, fp64, Rounding{Mode::rtz}) == 2.0);  // power of two: exact
  CHECK_THROWS_WITH(round_quotient(1.0, 0.0, fp16), Catch::Contains("nonzero"));
}

TEST_CASE("stochastic rounding of a quotient uses the exact dropped fraction (MPFR)", "[quotient]") {
  // P(up) = floor(f 2^r) / 2^r with f the exact dropped fraction: rounding goes up exactly when
  // floor(f 2^r) + (top r bits of CounterRng(seed, stream).bits(index)) >= 2^r (rounding.hpp).
  const Format fp16 = parse_format("fp16"), bf16 = parse_format("bf16");
  for (const Format* f : {&fp16, &bf16}) {
    for (int r_bits : {64, 8, 3}) {
      Rounding r{Mode::sr};
      r.sr_bits = r_bits;
      r.seed = 21;
      r.stream = 4;
      const CounterRng rng(r.seed, r.stream);
      for (double scale : {0.1, 3.0, 0.7}) {
        const auto xs = near_grid_inputs(*f, scale, 1000 + r_bits, 400);
        for (std::size_t i = 0; i < xs.size(); ++i) {
          const Quot z(xs[i], scale);
          const double down = oracle::oracle_round_mpfr(z.q, *f, Mode::rtz, Overflow::spec);
          const double away = mpfr_signbit(z.q) ? oracle::oracle_round_mpfr(z.q, *f, Mode::rdn, Overflow::spec)
                                                : oracle::oracle_round_mpfr(z.q, *f, Mode::rup, Overflow::spec);
          double want = down;
          if (down != away && std::isfinite(away)) {
            // f = (|q| - |down|) / (|away| - |down|), floor(f 2^r) exactly at 300 bits.
            mpfr_t t, gap;
            mpfr_inits2(300, t, gap, static_cast<mpfr_ptr>(nullptr));
            mpfr_abs(t, z.q, MPFR_RNDN);
            mpfr_sub_d(t, t, std::fabs(down), MPFR_RNDN);
            mpfr_set_d(gap, std::fabs(away) - std::fabs(down), MPFR_RNDN);  // a power of two: exact
            mpfr_div(t, t, gap, MPFR_RNDN);
            mpfr_mul_2si(t, t, r_bits, MPFR_RNDN);
            mpfr_floor(t, t);
            const double fl = mpfr_get_d(t, MPFR_RNDN);  // < 2^r, exact below 2^53; r=64 case below
            const std::uint64_t bits = rng.bits(i);
            const std::uint64_t top = r_bits == 64 ? bits : bits >> (64 - r_bits);
            bool up;
            if (r_bits == 64) {
              // floor(f 2^64) + bits >= 2^64, in MPFR (both exceed double's 53 bits)
              mpfr_add_ui(t, t, static_cast<unsigned long>(top), MPFR_RNDN);
              up = mpfr_cmp_ui_2exp(t, 1, 64) >= 0;
            } else {
              up = fl + static_cast<double>(top) >= std::ldexp(1.0, r_bits);
            }
            mpfr_clears(t, gap, static_cast<mpfr_ptr>(nullptr));
            want = up ? away : down;
          } else if (down != away) {
            continue;  // the away neighbour overflows: not what this test is about
          }
          INFO(f->name << " r=" << r_bits << " scale " << scale << " x=" << xs[i]);
          REQUIRE(same_bits(round_quotient(xs[i], scale, *f, r, i), want));
        }
      }
    }
  }
}

TEST_CASE("run_experiment_on quantises inputs with the exact quotient (scale_a = 0.1, rtz)",
          "[quotient]") {
  // K = 1, B = [[1]]: D[i] = RN32(RN32(scale_a*scale_b) * q_i) with q_i = A[i] quantised.
  const Format fp16 = parse_format("fp16");
  const auto xs = near_grid_inputs(fp16, 0.1, 5, 256);
  ExperimentSpec s;
  s.a_format = "fp16";
  s.acc_format = "fp32";
  s.input_rounding = "rtz";
  s.scale_a = 0.1;
  s.M = static_cast<int>(xs.size());
  s.N = 1;
  s.K = 1;
  const double one = 1.0;
  const ExperimentResult r = run_experiment_on(s, xs.data(), &one, nullptr, 1, true);
  REQUIRE(r.C.size() == xs.size());
  const double s32 = static_cast<float>(0.1);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double q = oracle_quotient(xs[i], 0.1, fp16, Mode::rtz);
    const double want = static_cast<float>(s32 * q);  // s32*q exact in double, one rounding
    INFO("x = " << xs[i]);
    REQUIRE(same_bits(r.C[i], want));
  }
}

TEST_CASE("quotients outside double's normal range round once too (11-bit-exponent formats, MPFR)",
          "[quotient]") {
  // Below DBL_MIN the quotient goes through its round-to-odd double at 2^-1074; beyond DBL_MAX
  // through DBL_MAX. Exact for targets whose quantum is >= 2^-1072 (precision <= 51).
  const Format e11m20 = parse_format("e11m20"), e11m50 = parse_format("e11m50"),
               fp16 = parse_format("fp16"), fp32 = parse_format("fp32");
  std::mt19937_64 g(77);
  std::uniform_real_distribution<double> u(1.0, 2.0);
  std::vector<std::pair<double, double>> cases;  // (x, scale)
  for (int i = 0; i < 400; ++i) {
    const double scale = std::array<double, 4>{0.7, 3.0, 0.1, 1e-5}[g() % 4];
    cases.emplace_back(std::ldexp(u(g), -1074 + static_cast<int>(g() % 90)), scale);  // tiny x
    cases.emplace_back(std::ldexp(u(g), static_cast<int>(g() % 60)), std::ldexp(u(g), 990 + static_cast<int>(g() % 33)));
    cases.emplace_back(std::ldexp(u(g), 960 + static_cast<int>(g() % 63)), std::ldexp(u(g), -40 - static_cast<int>(g() % 20)));
    cases.emplace_back(-std::ldexp(u(g), -1060 + static_cast<int>(g() % 40)), scale);
  }
  for (const Format* f : {&e11m20, &e11m50, &fp16, &fp32}) {
    for (Mode m : {Mode::rne, Mode::rna, Mode::rtz, Mode::rup, Mode::rdn, Mode::rto}) {
      for (const auto& [x, scale] : cases) {
        const Quot z(x, scale);
        const double want = mpfr_zero_p(z.q) ? 0.0 : oracle::oracle_round_mpfr(z.q, *f, m, Overflow::spec);
        INFO(f->name << " " << mode_name(m) << " x = " << x << " scale = " << scale);
        REQUIRE(same_bits(round_quotient(x, scale, *f, Rounding{m}), want));
      }
    }
  }
}
