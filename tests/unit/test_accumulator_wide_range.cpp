// Formats with binary64's exponent range (e11mY) inside an accumulator (issue 7, case 5). Exact
// products and sums of doubles can lie beyond double's range (2^600 * 2^600 = 2^1200, 2^-600 *
// 2^-600 = 2^-1200) while the format still has to round them as IEEE 754 does: rtz of 2^1200 is
// the largest finite, rup of 2^-1200 the smallest subnormal. Checked against MPFR rounding
// directly at the format's precision inside its exponent range (mpfr_mul / mpfr_add, then
// mpfr_check_range + mpfr_subnormalize: the MPFR manual's recipe for emulating a format), and the
// overflow/underflow events against the definitions in events.hpp.
#include <mpfr.h>

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "floatscope/gemm.hpp"

using namespace floatscope;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool same_bits(double x, double y) {
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y);
}

mpfr_rnd_t mpfr_mode(Mode m) {
  switch (m) {
    case Mode::rtz: return MPFR_RNDZ;
    case Mode::rup: return MPFR_RNDU;
    case Mode::rdn: return MPFR_RNDD;
    default: return MPFR_RNDN;
  }
}

// An IEEE-style format (emax = 2^(e-1) - 1, subnormals) emulated in MPFR: precision p = m + 1,
// smallest subnormal 2^(emin - m) = 0.1b * 2^(emin - m + 1), largest value below 2^(emax + 1).
class MpfrFormat {
 public:
  MpfrFormat(const Format& f, Mode m) : f_(f), rnd_(mpfr_mode(m)) {
    mpfr_init2(y_, f.man_bits + 1);
    mpfr_inits2(64, a_, b_, static_cast<mpfr_ptr>(nullptr));
  }
  ~MpfrFormat() { mpfr_clears(y_, a_, b_, static_cast<mpfr_ptr>(nullptr)); }
  MpfrFormat(const MpfrFormat&) = delete;
  MpfrFormat& operator=(const MpfrFormat&) = delete;

  double mul(double a, double b) { return op(a, b, true); }
  double add(double a, double b) { return op(a, b, false); }

 private:
  double op(double a, double b, bool product) {
    const mpfr_exp_t old_min = mpfr_get_emin(), old_max = mpfr_get_emax();
    mpfr_set_d(a_, a, MPFR_RNDN);  // exact: 64 >= 53 bits, default exponent range
    mpfr_set_d(b_, b, MPFR_RNDN);
    mpfr_set_emin(f_.emin - f_.man_bits + 1);
    mpfr_set_emax(f_.emax + 1);
    int t = product ? mpfr_mul(y_, a_, b_, rnd_) : mpfr_add(y_, a_, b_, rnd_);
    t = mpfr_check_range(y_, t, rnd_);
    mpfr_subnormalize(y_, t, rnd_);
    mpfr_set_emin(old_min);
    mpfr_set_emax(old_max);
    return mpfr_get_d(y_, MPFR_RNDN);  // exact: the format's values are doubles
  }

  Format f_;
  mpfr_rnd_t rnd_;
  mpfr_t y_, a_, b_;
};

// The accumulator under test: fp64 inputs, products rounded to `f`, sequential sum in `f`.
Accumulator wide(const Format& f, Mode m) {
  Accumulator acc = make_scalar_accumulator(parse_format("fp64"), f, Rounding{m});
  acc.product_format = f;
  acc.product_rounding = Rounding{m};
  return acc;
}

double dot(const Accumulator& acc, std::vector<double> a, std::vector<double> b, double c,
           GemmEvents* ev = nullptr) {
  return emulate_dot(acc, a.data(), b.data(), static_cast<int>(a.size()), c, ev);
}

// A double with a random significand and an exponent in [lo, hi] (subnormals when below -1022).
double random_double(std::mt19937_64& g, int lo, int hi) {
  std::uniform_real_distribution<double> u(1.0, 2.0);
  std::uniform_int_distribution<int> e(lo, hi);
  const double v = std::ldexp(u(g), e(g));
  return (g() & 1) ? -v : v;
}

}  // namespace

TEST_CASE("e11m20: 2^600 * 2^600 under rtz is the largest finite, with an overflow event",
          "[accumulator][wide-range]") {
  const Format e11m20 = parse_format("e11m20");
  const double max = std::ldexp(2.0 - std::ldexp(1.0, -20), 1023);  // (2 - 2^-20) 2^1023
  REQUIRE(e11m20.max_finite == max);
  for (Mode m : {Mode::rtz, Mode::rne, Mode::rup, Mode::rdn, Mode::rna, Mode::rto, Mode::sr}) {
    GemmEvents ev;
    const double got = dot(wide(e11m20, m), {0x1p600}, {0x1p600}, 0.0, &ev);
    // IEEE 754 s.7.4: toward zero (and round-to-odd) stays at the largest finite; rdn does too for
    // a positive value; nearest, up and SR (both neighbours beyond the range) overflow to Inf.
    const bool to_max = m == Mode::rtz || m == Mode::rto || m == Mode::rdn;
    INFO(mode_name(m) << " got " << got);
    CHECK(same_bits(got, to_max ? max : kInf));
    CHECK(ev.products_overflow == 1);
    if (m == Mode::rtz || m == Mode::rne || m == Mode::rup || m == Mode::rdn) {
      MpfrFormat mp(e11m20, m);
      CHECK(same_bits(got, mp.add(0.0, mp.mul(0x1p600, 0x1p600))));
    }
    // The mirror image: -2^1200.
    const double neg = dot(wide(e11m20, m), {-0x1p600}, {0x1p600}, 0.0);
    const bool neg_to_max = m == Mode::rtz || m == Mode::rto || m == Mode::rup;
    CHECK(same_bits(neg, neg_to_max ? -max : -kInf));
  }
}

TEST_CASE("e11m20: 2^-600 * 2^-600 under rup is the smallest subnormal, with an underflow event",
          "[accumulator][wide-range]") {
  const Format e11m20 = parse_format("e11m20");
  const double min_sub = 0x1p-1042;
  REQUIRE(e11m20.min_subnormal == min_sub);
  for (Mode m : {Mode::rup, Mode::rne, Mode::rtz, Mode::rdn, Mode::rna, Mode::rto, Mode::sr}) {
    GemmEvents ev;
    const double got = dot(wide(e11m20, m), {0x1p-600}, {0x1p-600}, 0.0, &ev);
    // 2^-1200 is 2^-158 of the smallest subnormal: up goes to it (rto too: 0 is even); nearest,
    // toward zero/down and SR (dropped fraction below 2^-64) give +0.
    const bool up = m == Mode::rup || m == Mode::rto;
    INFO(mode_name(m) << " got " << got);
    CHECK(same_bits(got, up ? min_sub : 0.0));
    CHECK(ev.products_underflow == 1);
    if (m == Mode::rtz || m == Mode::rne || m == Mode::rup || m == Mode::rdn) {
      MpfrFormat mp(e11m20, m);
      CHECK(same_bits(got, mp.add(0.0, mp.mul(0x1p-600, 0x1p-600))));
    }
    // -2^-1200: the product rounds to -min_sub (rdn, rto) or -0; c = +0 plus -0 is +0 (s.6.3).
    const double neg = dot(wide(e11m20, m), {-0x1p-600}, {0x1p-600}, 0.0);
    const bool neg_down = m == Mode::rdn || m == Mode::rto;
    CHECK(same_bits(neg, neg_down ? -min_sub : 0.0));
  }
}

TEST_CASE("e11m20: a sum beyond DBL_MAX rounds as IEEE 754 says, with its event",
          "[accumulator][wide-range]") {
  // max + max = 2 max overflows a double addition; rtz keeps max (saturated), rne gives Inf.
  const Format e11m20 = parse_format("e11m20");
  const double max = e11m20.max_finite;
  for (Mode m : {Mode::rtz, Mode::rne, Mode::rup, Mode::rdn}) {
    GemmEvents ev;
    const double got = dot(wide(e11m20, m), {max}, {1.0}, max, &ev);
    MpfrFormat mp(e11m20, m);
    INFO(mode_name(m) << " got " << got);
    CHECK(same_bits(got, mp.add(max, mp.mul(max, 1.0))));
    if (std::isinf(got))
      CHECK(ev.partials_overflow == 1);
    else
      CHECK(ev.partials_saturated == 1);
  }
}

TEST_CASE("e11mY accumulators match MPFR on products and sums across double's whole range",
          "[accumulator][wide-range]") {
  // Random fp64 operands with exponents from the subnormals to the top, so that products fall
  // below 2^-1075, into the subnormals of the format, into its normal range and beyond DBL_MAX.
  std::mt19937_64 g(600);
  for (const char* name : {"e11m20", "e11m10", "e11m40", "e11m3"}) {
    const Format f = parse_format(name);
    for (Mode m : {Mode::rne, Mode::rtz, Mode::rup, Mode::rdn}) {
      const Accumulator acc = wide(f, m);
      for (int t = 0; t < 400; ++t) {
        const int K = 1 + static_cast<int>(g() % 4);
        std::vector<double> a(K), b(K);
        for (int k = 0; k < K; ++k) {
          const int kind = static_cast<int>(g() % 3);
          const int lo = kind == 0 ? -1074 : kind == 1 ? -600 : 300;
          const int hi = kind == 0 ? 1023 : kind == 1 ? -400 : 700;
          a[k] = random_double(g, lo, hi);
          b[k] = random_double(g, lo, hi);
        }
        MpfrFormat mp(f, m);
        double want = mp.add(0.0, 0.0);  // c = +0 rounded into the accumulator
        for (int k = 0; k < K; ++k) want = mp.add(want, mp.mul(a[k], b[k]));
        const double got = dot(acc, a, b, 0.0);
        INFO(name << " " << mode_name(m) << " case " << t << " K=" << K << " a0=" << a[0]
                  << " b0=" << b[0] << " got " << got << " want " << want);
        REQUIRE(same_bits(got, want));
      }
    }
  }
}

TEST_CASE("e11m20: sr of 2^-1043 (half the smallest subnormal) rounds up half of the time",
          "[accumulator][wide-range]") {
  // docs/references.md s.3: P(up) = floor(f 2^r)/2^r with f = 1/2 here, for a product (2^-600 *
  // 2^-443) whose exact value a double cannot hold. 2000 independent streams: 5 sigma = 112.
  const Format e11m20 = parse_format("e11m20");
  Accumulator acc = wide(e11m20, Mode::sr);
  acc.acc_rounding = Rounding{Mode::rne};  // only the product rounds stochastically
  acc.acc_rounding.seed = 17;
  const double a[] = {0x1p-600}, b[] = {0x1p-443};
  int up = 0, down = 0;
  for (std::uint64_t row = 0; row < 2000; ++row) {
    const double y = emulate_dot(acc, a, b, 1, 0.0, nullptr, row, 0);
    if (y == 0x1p-1042) ++up;
    else if (y == 0.0) ++down;
  }
  CHECK(up + down == 2000);
  CHECK(std::abs(up - 1000) < 112);
}

TEST_CASE("narrow formats round products beyond DBL_MAX to their overflow result",
          "[accumulator][wide-range]") {
  // fp64 inputs whose product exceeds DBL_MAX, rounded to formats with a small range and a long
  // significand: IEEE 754 s.7.4 overflow (rtz: largest finite; rne: Inf, or NaN for fn formats).
  for (const char* name : {"fp16", "e5m50", "e8m45", "e4m3"}) {
    const Format f = parse_format(name);
    for (Mode m : {Mode::rtz, Mode::rne, Mode::rup, Mode::rdn, Mode::sr}) {
      const bool to_max = m == Mode::rtz || m == Mode::rdn;
      const double over = f.has_inf() ? kInf : f.has_nan() ? std::nan("") : f.max_finite;
      GemmEvents ev;
      const double got = dot(wide(f, m), {0x1.fffp1023}, {0x1.8p1023}, 0.0, &ev);
      INFO(name << " " << mode_name(m) << " got " << got);
      CHECK(same_bits(got, to_max ? f.max_finite : over));
      CHECK(ev.products_overflow == 1);
    }
  }
}
