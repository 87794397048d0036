// floatscope::Float<F, M> (float_type.hpp): every operation rounded once from the exact result.
// Oracles: MPFR computes the exact result (sums, products and fma exactly at 800 bits; quotients
// and roots at 800 bits, which round like the exact value: a quotient or root of p-bit numbers that
// is not itself a (p+1)-bit number lies at least about 2^-(2p+3) relative away from every such
// number) and tests/support/mpfr_oracle.hpp rounds it onto the format; special values follow
// IEEE 754's rules as double arithmetic applies them (NaN, Inf, signed zeros, with s.6.3's sign of
// an exact zero sum written out below). Stochastic rounding is checked against its definition
// (docs/references.md s.3): with random word R, the result goes away from zero iff
// f 2^64 >= 2^64 - R, f the exact dropped fraction in ulps, computed by MPFR.
#include <catch2/catch.hpp>

#include <mpfr.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "floatscope/codec.hpp"
#include "floatscope/float_type.hpp"
#include "floatscope/format.hpp"
#include "mpfr_oracle.hpp"

using namespace floatscope;

namespace {

enum class Op { convert, add, sub, mul, div, sqrt, fma };
constexpr Op kOps[] = {Op::convert, Op::add, Op::sub, Op::mul, Op::div, Op::sqrt, Op::fma};

const char* op_name(Op op) {
  switch (op) {
    case Op::convert: return "convert";
    case Op::add: return "add";
    case Op::sub: return "sub";
    case Op::mul: return "mul";
    case Op::div: return "div";
    case Op::sqrt: return "sqrt";
    case Op::fma: return "fma";
  }
  return "?";
}

// The exact (or, for div/sqrt, 800-bit) result of an operation on finite operands.
struct Exact {
  mpfr_t v;
  bool exact = true;  // mpfr's ternary value was 0
  Exact() { mpfr_init2(v, 800); }
  ~Exact() { mpfr_clear(v); }
  Exact(const Exact&) = delete;
  Exact& operator=(const Exact&) = delete;
};

void compute_exact(Exact& e, Op op, double a, double b, double c) {
  mpfr_t x, y, z;
  mpfr_inits2(64, x, y, z, static_cast<mpfr_ptr>(nullptr));
  mpfr_set_d(x, a, MPFR_RNDN);  // exact
  mpfr_set_d(y, b, MPFR_RNDN);
  mpfr_set_d(z, c, MPFR_RNDN);
  int t = 0;
  switch (op) {
    case Op::convert: t = mpfr_set(e.v, x, MPFR_RNDN); break;
    case Op::add: t = mpfr_add(e.v, x, y, MPFR_RNDN); break;
    case Op::sub: t = mpfr_sub(e.v, x, y, MPFR_RNDN); break;
    case Op::mul: t = mpfr_mul(e.v, x, y, MPFR_RNDN); break;
    case Op::div: t = mpfr_div(e.v, x, y, MPFR_RNDN); break;
    case Op::sqrt: t = mpfr_sqrt(e.v, x, MPFR_RNDN); break;
    case Op::fma: t = mpfr_fma(e.v, x, y, z, MPFR_RNDN); break;
  }
  e.exact = t == 0;
  mpfr_clears(x, y, z, static_cast<mpfr_ptr>(nullptr));
}

// IEEE 754-2019 s.6.3: an exact zero sum s + t of operands of the same sign (zeros included) has
// that sign; otherwise +0, and -0 under roundTowardNegative.
double zero_sum(double s, double t, Mode m) {
  if (s == 0 && t == 0 && std::signbit(s) == std::signbit(t)) return s;
  return m == Mode::rdn ? -0.0 : 0.0;
}

// What IEEE double arithmetic gives for the operation (exact for special operands and results).
double ieee(Op op, double a, double b, double c) {
  switch (op) {
    case Op::convert: return a;
    case Op::add: return a + b;
    case Op::sub: return a - b;
    case Op::mul: return a * b;
    case Op::div: return a / b;
    case Op::sqrt: return std::sqrt(a);
    case Op::fma: return std::fma(a, b, c);
  }
  return 0;
}

// Rounds the exact value held in e onto f; false when neither oracle entry applies (MPFR values
// of E8M0 or MXINT8 that no double holds).
bool oracle_of_exact(const Exact& e, const Format& f, Mode m, Overflow ov, double& out) {
  const double d = mpfr_get_d(e.v, MPFR_RNDN);
  if (e.exact && mpfr_cmp_d(e.v, d) == 0) {
    out = oracle::oracle_round(d, f, m, ov);
    return true;
  }
  if (f.encoding != Encoding::binary || !f.has_zero) return false;
  out = oracle::oracle_round_mpfr(e.v, f, m, ov);
  return true;
}

// The expected deterministic result; false when the oracle has no answer for this case.
bool expected_result(Op op, double a, double b, double c, const Format& f, Mode m, Overflow ov, double& out) {
  const double d = ieee(op, a, b, c);
  const bool special_in = !std::isfinite(a) || ((op != Op::convert && op != Op::sqrt) && !std::isfinite(b)) ||
                          (op == Op::fma && !std::isfinite(c));
  if (special_in || std::isnan(d) || (op == Op::div && b == 0) || (op == Op::sqrt && a < 0)) {
    out = oracle::oracle_round(d, f, m, ov);
    return true;
  }
  Exact e;
  compute_exact(e, op, a, b, c);
  if (mpfr_zero_p(e.v)) {
    double z = d;  // products, quotients and roots of zeros: the sign IEEE gives
    if (op == Op::add) z = zero_sum(a, b, m);
    if (op == Op::sub) z = zero_sum(a, -b, m);
    if (op == Op::fma) z = zero_sum(a * b, c, m);
    out = oracle::oracle_round(z, f, m, ov);
    return true;
  }
  return oracle_of_exact(e, f, m, ov, out);
}

template <class T>
double apply(Op op, T a, T b, T c, SrGenerator& g) {
  switch (op) {
    case Op::convert: return T(a.value(), g).value();
    case Op::add: return add(a, b, g).value();
    case Op::sub: return sub(a, b, g).value();
    case Op::mul: return mul(a, b, g).value();
    case Op::div: return div(a, b, g).value();
    case Op::sqrt: return sqrt(a, g).value();
    case Op::fma: return fma(a, b, c, g).value();
  }
  return 0;
}

// Doubles in failure messages, exactly.
std::string hex(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%a", x);
  return buf;
}

// Same bits, NaNs equal to NaNs of either sign (NaN payloads and signs are not part of a value).
bool same(double x, double y) {
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y);
}

// Operands: every special value of the format, random codes (all exponents) and random pairs
// within a few binades of each other (cancellation, ties, long sums).
template <class F>
std::vector<double> operands(const Format& f, std::mt19937_64& rng, int n) {
  std::vector<double> v;
  const double cand[] = {0.0, -0.0, 1.0, -1.0, 0.5, 3.0, f.min_subnormal, -f.min_subnormal, f.min_normal,
                         -f.min_normal, f.max_finite, -f.max_finite,
                         std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                         std::numeric_limits<double>::quiet_NaN()};
  for (double x : cand) {
    const double y = oracle::oracle_round(x, f, Mode::rne, Overflow::spec);
    if (same(x, y)) v.push_back(x);  // a value of the format
  }
  const std::uint64_t codes = std::uint64_t{1} << f.width;
  const std::size_t specials = v.size();
  while (v.size() < specials + static_cast<std::size_t>(n)) {
    try {
      v.push_back(decode(rng() % codes, f));
    } catch (const std::exception&) {  // a code that is no value (MXINT8's 0x80)
    }
  }
  return v;
}

template <class F, Mode M, Overflow OV = Overflow::spec>
void check_deterministic(std::mt19937_64& rng, int n) {
  using T = Float<F, M, OV>;
  const Format f = parse_format(F::spec.name);
  const std::vector<double> vals = operands<F>(f, rng, n);
  SrGenerator g(1);
  int checked = 0, failures = 0;
  auto check = [&](Op op, double a, double b, double c) {
    double want;
    if (!expected_result(op, a, b, c, f, M, OV, want)) return;
    const double got = apply(op, T::from_exact(a), T::from_exact(b), T::from_exact(c), g);
    ++checked;
    if (!same(got, want) && failures++ < 5)
      FAIL_CHECK(F::spec.name << " " << mode_name(M) << (OV == Overflow::saturate ? " saturating " : " ")
                              << op_name(op) << "(" << hex(a) << ", " << hex(b) << ", " << hex(c) << "): got "
                              << hex(got) << " want " << hex(want));
  };
  // All pairs of the special operands, then random triples.
  const std::size_t ns = vals.size() - static_cast<std::size_t>(n);
  for (std::size_t i = 0; i < ns; ++i)
    for (std::size_t j = 0; j < ns; ++j)
      for (Op op : kOps) check(op, vals[i], vals[j], vals[(i + j) % ns]);
  std::uniform_int_distribution<std::size_t> pick(0, vals.size() - 1);
  std::uniform_int_distribution<int> near(-f.precision - 3, f.precision + 3);
  for (int k = 0; k < 4 * n; ++k) {
    const double a = vals[pick(rng)];
    double b = vals[pick(rng)];
    if (k % 2 && std::isfinite(a) && a != 0) {
      // b within a few binades of a: sums that cancel or need long exact results
      const double s = std::ldexp(std::uniform_real_distribution<double>(-2, 2)(rng), std::ilogb(a) + near(rng));
      b = oracle::oracle_round(s, f, Mode::rtz, Overflow::saturate);
    }
    // c: random, or the negated product on the grid (fma cancelling to a few bits)
    const double c = k % 3 ? vals[pick(rng)] : oracle::oracle_round(-a * b, f, Mode::rtz, Overflow::saturate);
    for (Op op : kOps) check(op, a, b, c);
  }
  // Conversions of doubles between the format's values (ties and near-ties included).
  std::uniform_real_distribution<double> unit(-1, 1);
  for (int k = 0; k < n; ++k) {
    const double x = std::ldexp(unit(rng), std::uniform_int_distribution<int>(f.emin - f.man_bits - 2, f.emax + 2)(rng));
    check(Op::convert, x, 0, 0);
  }
  INFO(F::spec.name << " " << mode_name(M) << ": " << checked << " cases");
  CHECK(failures == 0);
  CHECK(checked > 5 * n);
}

template <class F>
void check_every_mode(std::uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  check_deterministic<F, Mode::rne>(rng, n);
  check_deterministic<F, Mode::rna>(rng, n);
  check_deterministic<F, Mode::rtz>(rng, n);
  check_deterministic<F, Mode::rup>(rng, n);
  check_deterministic<F, Mode::rdn>(rng, n);
  check_deterministic<F, Mode::rto>(rng, n);
}

}  // namespace

TEMPLATE_TEST_CASE("Float: + - * / sqrt fma and conversion are rounded once (MPFR), every deterministic mode",
                   "[float_type]", formats::fp32, formats::tf32, formats::fp16, formats::bf16, formats::e4m3,
                   formats::e5m2, formats::e4m3fnuz, formats::e5m2fnuz, formats::e3m2, formats::e2m3,
                   formats::e2m1, formats::e8m0, formats::int8) {
  check_every_mode<TestType>(0x5eed + TestType::spec.man_bits, 300);
}

TEMPLATE_TEST_CASE("Float: saturating overflow (OFP8 s.5) on every operation (MPFR)", "[float_type]",
                   formats::fp16, formats::bf16, formats::e4m3, formats::e5m2, formats::e4m3fnuz) {
  std::mt19937_64 rng(0x5a7 + TestType::spec.man_bits);
  check_deterministic<TestType, Mode::rne, Overflow::saturate>(rng, 200);
  check_deterministic<TestType, Mode::rup, Overflow::saturate>(rng, 200);
  check_deterministic<TestType, Mode::rto, Overflow::saturate>(rng, 200);
}

namespace {

// Stochastic rounding against its definition, with the random word the generator will draw.
template <class F, Mode M>
void check_stochastic(std::uint64_t seed, int n) {
  using T = Float<F, M>;
  const Format f = parse_format(F::spec.name);
  std::mt19937_64 rng(seed);
  const std::vector<double> vals = operands<F>(f, rng, n);
  SrGenerator g(seed, 7);
  int checked = 0, inexact = 0, went_up = 0, failures = 0;
  mpfr_t frac, thresh;
  mpfr_inits2(900, frac, thresh, static_cast<mpfr_ptr>(nullptr));
  std::uniform_int_distribution<std::size_t> pick(0, vals.size() - 1);
  for (int k = 0; k < 6 * n; ++k) {
    const double a = vals[pick(rng)], b = vals[pick(rng)], c = vals[pick(rng)];
    if (!std::isfinite(a) || !std::isfinite(b) || !std::isfinite(c)) continue;
    for (Op op : kOps) {
      if ((op == Op::div && b == 0) || (op == Op::sqrt && a < 0)) continue;
      Exact e;
      compute_exact(e, op, a, b, c);
      if (mpfr_zero_p(e.v)) continue;  // exact zeros: covered by the deterministic tests
      // The two neighbours: toward zero and away from zero (in range only).
      double t, away;
      const Mode away_mode = mpfr_signbit(e.v) ? Mode::rdn : Mode::rup;
      if (!oracle_of_exact(e, f, Mode::rtz, Overflow::spec, t) ||
          !oracle_of_exact(e, f, away_mode, Overflow::saturate, away))
        continue;
      if (std::fabs(away) >= f.max_finite || !std::isfinite(t)) continue;  // overflow: not SR's part
      SrGenerator peek = g;
      const std::uint64_t R = peek.next();
      const double got = apply(op, T::from_exact(a), T::from_exact(b), T::from_exact(c), g);
      REQUIRE(g.index() == peek.index());  // one word per rounding
      bool up = false;
      if (t != away) {
        ++inexact;
        if constexpr (M == Mode::sr) {
          // f 2^64 = (|x| - |t|) 2^64 / (|away| - |t|); up iff f 2^64 >= 2^64 - R (R > 0).
          mpfr_abs(frac, e.v, MPFR_RNDN);
          mpfr_sub_d(frac, frac, std::fabs(t), MPFR_RNDN);  // exact at 900 bits
          mpfr_mul_2ui(frac, frac, 64, MPFR_RNDN);
          mpfr_div_d(frac, frac, std::fabs(away) - std::fabs(t), MPFR_RNDN);  // a power of two: exact
          static_assert(sizeof(unsigned long) == 8);
          mpfr_set_ui(thresh, static_cast<unsigned long>(0 - R), MPFR_RNDN);  // 2^64 - R
          up = R != 0 && mpfr_cmp(frac, thresh) >= 0;
        } else {
          up = (R >> 63) != 0;
        }
      }
      went_up += up;
      ++checked;
      const double want = up ? away : t;
      if (!same(got, want) && failures++ < 5)
        FAIL_CHECK(F::spec.name << " " << mode_name(M) << " " << op_name(op) << "(" << hex(a) << ", " << hex(b)
                                << ", " << hex(c) << "): got " << hex(got) << " want " << hex(want)
                                << " (R=" << R << ")");
    }
  }
  mpfr_clears(frac, thresh, static_cast<mpfr_ptr>(nullptr));
  INFO(F::spec.name << " " << mode_name(M) << ": " << checked << " cases, " << inexact << " inexact, "
                    << went_up << " up");
  CHECK(failures == 0);
  CHECK(inexact > n);
  CHECK(went_up > 0);
  CHECK(went_up < inexact);
}

}  // namespace

TEMPLATE_TEST_CASE("Float: stochastic rounding of every operation follows its definition (MPFR)", "[float_type]",
                   formats::fp32, formats::tf32, formats::fp16, formats::bf16, formats::e4m3, formats::e5m2,
                   formats::e2m1, formats::int8) {
  check_stochastic<TestType, Mode::sr>(11 + TestType::spec.man_bits, 300);
  check_stochastic<TestType, Mode::sr_equal>(13 + TestType::spec.man_bits, 100);
}

TEST_CASE("Float: the exact integer square root behind stochastic sqrt (MPFR)", "[float_type]") {
  // X = A 2^sh as round_sqrt_sr forms it; floor(sqrt(X)) from guesses up to 3 units off, against
  // MPFR's exact floor. (The estimate in round_sqrt_sr is rarely off: this exercises the settling.)
  std::mt19937_64 rng(99);
  mpfr_t x, r;
  mpfr_inits2(400, x, r, static_cast<mpfr_ptr>(nullptr));
  int checked = 0;
  for (int k = 0; k < 2000; ++k) {
    const std::uint64_t A = (rng() >> 11) | (std::uint64_t{1} << 52);  // 53 bits
    const int sh = 74 + static_cast<int>(rng() % 100);                    // X below 2^180
    const detail::U192 X = detail::shifted(A, sh);
    mpfr_set_ui(x, static_cast<unsigned long>(A), MPFR_RNDN);
    mpfr_mul_2ui(x, x, static_cast<unsigned long>(sh), MPFR_RNDN);  // exact
    mpfr_sqrt(r, x, MPFR_RNDZ);
    mpfr_floor(r, r);  // floor(sqrt(X)) < 2^90: exact at 400 bits
    // as hi * 2^64 + lo
    mpfr_t q;
    mpfr_init2(q, 400);
    mpfr_div_2ui(q, r, 64, MPFR_RNDN);
    mpfr_floor(q, q);
    const unsigned __int128 hi = mpfr_get_ui(q, MPFR_RNDN);
    mpfr_mul_2ui(q, q, 64, MPFR_RNDN);
    mpfr_sub(q, r, q, MPFR_RNDN);
    const unsigned __int128 want = (hi << 64) + mpfr_get_ui(q, MPFR_RNDN);
    mpfr_clear(q);
    const int off = static_cast<int>(rng() % 7) - 3;
    const unsigned __int128 guess = off < 0 ? want - static_cast<unsigned __int128>(-off) : want + static_cast<unsigned __int128>(off);
    CHECK(detail::isqrt_from_guess(guess, X) == want);
    ++checked;
  }
  mpfr_clears(x, r, static_cast<mpfr_ptr>(nullptr));
  CHECK(checked == 2000);
}
