// Exact references: hand-computed cases, a Boost.Multiprecision cpp_int oracle, and the fast
// Kulisch path (both front ends) against MPFR bit for bit on >= 10^5 dot products of mixed
// difficulty (fp32 data, general doubles, cancellation to 0 and to subnormals, 1e300 with 1e-300,
// underflowing products, exact ties of both parities, overflow, NaN/Inf, signed zeros, strides).
#include <mpfr.h>

#include <boost/multiprecision/cpp_int.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <stdexcept>
#include <vector>

#include "floatscope/detail/kulisch_binned.hpp"
#include "floatscope/reference.hpp"

using namespace floatscope;
using detail::ExactPath;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMinSub = 4.9406564584124654e-324;  // 2^-1074

bool same_bits(double x, double y) {
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y);
}

struct Dot {
  std::vector<double> a, b;
  double c = 0.0;
  std::ptrdiff_t sa = 1, sb = 1;
  std::size_t K() const { return sa == 1 ? a.size() : a.size() / static_cast<std::size_t>(std::abs(sa)); }
  const double* pa() const { return sa > 0 ? a.data() : a.data() + a.size() - 1; }
  const double* pb() const { return sb > 0 ? b.data() : b.data() + b.size() - 1; }
};

// ---- special values, written here from IEEE 754-2019 (s.6.1 infinities, s.7.2 invalid operation)
// and not from the library's kulisch_specials.hpp, which both the MPFR and the fast paths share.
// The exact sum of the terms a_k*b_k (|a_k||b_k| for abs) and c is NaN when any input is NaN, when a
// term is Inf * 0, or when +Inf and -Inf terms meet; otherwise an Inf term decides; otherwise the
// sum is finite (nullopt).
std::optional<double> ieee_special(const Dot& d, bool abs) {
  bool nan = false, pos_inf = false, neg_inf = false;
  auto term = [&](double x, double y) {
    if (std::isnan(x) || std::isnan(y)) {
      nan = true;
    } else if (std::isinf(x) || std::isinf(y)) {
      if (x == 0 || y == 0) nan = true;  // Inf * 0 is invalid
      else if (!abs && (x < 0) != (y < 0)) neg_inf = true;
      else pos_inf = true;
    }
  };
  for (std::size_t k = 0; k < d.K(); ++k)
    term(d.pa()[static_cast<std::ptrdiff_t>(k) * d.sa], d.pb()[static_cast<std::ptrdiff_t>(k) * d.sb]);
  term(abs ? std::fabs(d.c) : d.c, 1.0);
  if (nan || (pos_inf && neg_inf)) return kNaN;
  if (pos_inf) return kInf;
  if (neg_inf) return -kInf;
  return std::nullopt;
}

double boost_oracle(const Dot& d);

// Every path must give `expected` (when given) and agree with MPFR; returns the comparisons made.
// Special-value outcomes are also checked against ieee_special, and zero results against the
// Boost oracle's zero-sign rule (MPFR's own result there comes from library code shared with the
// fast path, so it cannot be the oracle).
int check_all(const Dot& d, bool abs = false, const double* expected = nullptr) {
  const std::size_t K = d.K();
  const double m = abs ? absdot_mpfr(d.pa(), d.sa, d.pb(), d.sb, K, d.c)
                       : dot_mpfr(d.pa(), d.sa, d.pb(), d.sb, K, d.c);
  const double e = abs ? absdot_exact(d.pa(), d.sa, d.pb(), d.sb, K, d.c)
                       : dot_exact(d.pa(), d.sa, d.pb(), d.sb, K, d.c);
  const double e_direct = detail::dot_exact_via(ExactPath::direct, abs, d.pa(), d.sa, d.pb(), d.sb, K, d.c);
  const double e_binned = detail::dot_exact_via(ExactPath::binned, abs, d.pa(), d.sa, d.pb(), d.sb, K, d.c);
  INFO("K=" << K << " c=" << d.c << " mpfr=" << m << " exact=" << e << " direct=" << e_direct
            << " binned=" << e_binned);
  if (expected != nullptr) {
    INFO("expected=" << *expected);
    CHECK(same_bits(m, *expected));
  }
  CHECK(same_bits(e, m));
  CHECK(same_bits(e_direct, m));
  CHECK(same_bits(e_binned, m));
  if (const auto sp = ieee_special(d, abs)) {
    INFO("IEEE special-value rule gives " << *sp);
    CHECK(same_bits(m, *sp));
    CHECK(same_bits(e, *sp));
    CHECK(same_bits(e_direct, *sp));
    CHECK(same_bits(e_binned, *sp));
  } else if (!abs && m == 0) {
    const double want = boost_oracle(d);
    INFO("Boost oracle gives " << want);
    CHECK(same_bits(m, want));
  }
  return 3;
}

void expect(const Dot& d, double want) { check_all(d, false, &want); }

// ---- second oracle: Boost cpp_int, exact integer sum scaled by 2^2148, rounded to nearest even.
// Special values by ieee_special; an exact zero sum by IEEE 754 s.6.3 under round to nearest:
// -0 only when every term (each product, with the XOR of its factors' signs, and c) is -0.
using boost::multiprecision::cpp_int;

bool every_term_negative_zero(const Dot& d) {
  if (d.c != 0 || !std::signbit(d.c)) return false;
  for (std::size_t k = 0; k < d.K(); ++k) {
    const double x = d.pa()[static_cast<std::ptrdiff_t>(k) * d.sa];
    const double y = d.pb()[static_cast<std::ptrdiff_t>(k) * d.sb];
    if ((x != 0 && y != 0) || std::signbit(x) == std::signbit(y)) return false;
  }
  return true;
}

double boost_oracle(const Dot& d) {
  if (const auto sp = ieee_special(d, false)) return *sp;
  cpp_int S = 0;
  auto add_term = [&](double x, int extra_scale) {
    // x = mant * 2^e with mant an odd integer (or 0), so e >= -1074.
    int ex = 0;
    const double fr = std::frexp(x, &ex);
    auto mant = static_cast<std::int64_t>(std::ldexp(fr, 53));
    int e = ex - 53;
    while (mant != 0 && mant % 2 == 0) {
      mant /= 2;
      ++e;
    }
    return std::pair<cpp_int, int>(cpp_int(mant), e + extra_scale);
  };
  for (std::size_t k = 0; k < d.K(); ++k) {
    const double x = d.pa()[static_cast<std::ptrdiff_t>(k) * d.sa];
    const double y = d.pb()[static_cast<std::ptrdiff_t>(k) * d.sb];
    auto [mx, ex] = add_term(x, 0);
    auto [my, ey] = add_term(y, 0);
    const int sh = ex + ey + 2148;  // >= 0 for doubles
    S += (mx * my) << sh;
  }
  auto [mc, ec] = add_term(d.c, 0);
  S += mc << (ec + 2148);
  if (S == 0) return every_term_negative_zero(d) ? -0.0 : 0.0;
  const bool neg = S < 0;
  const cpp_int A = neg ? cpp_int(-S) : S;
  const int top = static_cast<int>(boost::multiprecision::msb(A));
  const int E = top - 2148;
  const int q = std::max(E - 52, -1074);
  const int shift = q + 2148;
  cpp_int kept = A >> shift;
  const cpp_int rem = A - (kept << shift);
  const cpp_int half = cpp_int(1) << (shift - 1);
  if (rem > half || (rem == half && (kept & 1) != 0)) kept += 1;
  const double r = std::ldexp(static_cast<double>(kept), q);  // kept <= 2^53: exact
  return neg ? -r : r;
}

double rand_double_full(std::mt19937_64& g) {
  // Random bits over every finite double, subnormals included (exponent field uniform).
  std::uniform_int_distribution<std::uint64_t> frac(0, (std::uint64_t{1} << 52) - 1);
  std::uniform_int_distribution<std::uint64_t> ex(0, 2046);
  const std::uint64_t s = g() & 1;
  return std::bit_cast<double>((s << 63) | (ex(g) << 52) | frac(g));
}

double rand_double_exp(std::mt19937_64& g, int lo, int hi) {
  std::uniform_real_distribution<double> u(1.0, 2.0);
  std::uniform_int_distribution<int> e(lo, hi);
  const double v = std::ldexp(u(g), e(g));
  return (g() & 1) ? -v : v;
}

double rand_fp32(std::mt19937_64& g) {
  std::normal_distribution<double> n;
  return static_cast<double>(static_cast<float>(n(g)));
}

std::size_t rand_K(std::mt19937_64& g) {
  // Mostly short (so 10^5 cases stay fast), sometimes long.
  const std::uint64_t r = g() % 100;
  if (r < 60) return 1 + g() % 16;
  if (r < 95) return 1 + g() % 200;
  return 1 + g() % 4096;
}

// The double after x in magnitude (x > 0).
double next_up(double x) { return std::nextafter(x, kInf); }

}  // namespace

TEST_CASE("reference kinds parse", "[reference]") {
  CHECK(find_reference("exact") == ReferenceKind::exact);
  CHECK(find_reference("mpfr") == ReferenceKind::mpfr);
  CHECK(find_reference("none") == ReferenceKind::none);
  CHECK_FALSE(find_reference("kulisch").has_value());
  CHECK(reference_name(ReferenceKind::mpfr) == "mpfr");
  CHECK_THROWS_WITH(parse_reference("exakt"), Catch::Contains("exakt") && Catch::Contains("exact, mpfr, none"));
}

TEST_CASE("hand-computed exact dot products", "[reference]") {
  expect({{1, 2, 3}, {4, 5, 6}}, 32.0);
  expect({{1, 2, 3}, {4, 5, 6}, 0.5}, 32.5);
  // Naive left-to-right double sum gives 0; the exact sum is 1.
  expect({{0x1p60, 1, -0x1p60}, {1, 1, 1}}, 1.0);
  // 1e300^2 is far beyond DBL_MAX but exact products cancel.
  expect({{1e300, 1e300, 3}, {1e300, -1e300, 1}}, 3.0);
  // Ties at 53 bits: 2^53 + 1 is halfway between 2^53 and 2^53 + 2 (even: down).
  expect({{0x1p53, 1}, {1, 1}}, 0x1p53);
  expect({{0x1p53, 3}, {1, 1}}, 0x1p53 + 4);          // 2^53 + 3: tie, odd below: up
  expect({{1, 0x1p-53}, {1, 1}}, 1.0);                // tie, even
  expect({{1, 0x1p-53, 0x1p-700}, {1, 1, 0x1p-700}}, 1 + 0x1p-52);  // sticky 2^-1400 breaks the tie
  expect({{1 + 0x1p-52, 0x1p-53}, {1, 1}}, 1 + 0x1p-51);              // tie, odd: up
  // Products below the double range.
  expect({{0x1p-1074}, {0.5}}, 0.0);                  // exactly half of 2^-1074: tie to 0
  expect({{0x1p-1074}, {0.75}}, kMinSub);
  expect({{0x1p-1074, 0x1p-600}, {0.5, 0x1p-600}}, kMinSub);   // half + 2^-1200: above the tie
  expect({{-0x1p-1074}, {0.25}}, -0.0);               // rounds to zero keeping its sign
  expect({{0x1p-600, 0x1p-600}, {0x1p-600, -0x1p-600}}, 0.0);  // cancels exactly: +0
  expect({{0x1p-540, 3}, {0x1p-540, 0x1p-1074}}, 3 * kMinSub);  // 2^-1080 + 3*2^-1074: sticky only
  // The subnormal/normal boundary. Largest subnormal M = 2^-1022 - 2^-1074 has an odd significand.
  const double M = 0x1p-1022 - kMinSub;
  expect({{0x1p-1022, -0x1p-538}, {1, 0x1p-538}}, 0x1p-1022);       // 2^-1022 - 2^-1076
  expect({{0x1p-1022, -0x1p-1074}, {1, 0.5}}, 0x1p-1022);           // M + half: tie, to even
  expect({{0x1p-1022, -0x1p-1074, -0x1p-550}, {1, 0.5, 0x1p-550}}, M);  // just below the tie
  expect({{M, 0x1p-1074}, {1, 0.25}}, M);                               // M + quarter
  expect({{0x1p-1022, 0x1p-1074}, {1, 0.5}}, 0x1p-1022);            // 2^-1022 + half: even
  expect({{0x1p-1022, 0x1p-1074}, {1, 0.75}}, 0x1p-1022 + kMinSub);
  expect({{0x1p-1073, 0x1p-1074}, {1, 0.5}}, 0x1p-1073);            // 2.5 ulps: tie, to 2
  expect({{3 * kMinSub, 0x1p-1074}, {1, 0.5}}, 0x1p-1072);          // 3.5 ulps: tie, to 4
}

TEST_CASE("hand-computed rounding, overflow and signed zeros", "[reference]") {
  // DBL_MAX + half its ulp (2^970) is a tie with an odd significand: Inf.
  expect({{DBL_MAX, 0x1p970}, {1, 1}}, kInf);
  expect({{DBL_MAX, 0x1p970, -kMinSub}, {1, 1, 1}}, DBL_MAX);  // just below the tie
  expect({{-DBL_MAX, -0x1p970}, {1, 1}}, -kInf);
  expect({{0x1p600, 0x1p600}, {0x1p500, -0x1p500}}, 0.0);
  expect({{0x1p1000}, {0x1p30}}, kInf);
  // Zero signs: +0 unless every term is -0.
  expect({{-0.0}, {1.0}, -0.0}, -0.0);
  expect({{-0.0}, {1.0}}, 0.0);  // c = +0
  expect({{-0.0, 0.0}, {1.0, -1.0}, -0.0}, -0.0);
  expect({{-0.0, 0.0}, {1.0, 1.0}, -0.0}, 0.0);
  expect({{1.0, -1.0}, {1.0, 1.0}, -0.0}, 0.0);  // x + (-x) = +0
  expect({{}, {}, -0.0}, -0.0);
  expect({{}, {}, 2.5}, 2.5);
  // Inf and NaN.
  expect({{kInf, 1}, {2, 3}}, kInf);
  expect({{kInf, 1e308}, {-2, 1e308}}, -kInf);
  expect({{kInf, -kInf}, {1, 1}}, kNaN);
  expect({{kInf}, {0.0}}, kNaN);
  expect({{kNaN, 1}, {1, 1}}, kNaN);
  expect({{1, 2}, {1, 2}, -kInf}, -kInf);
  expect({{kInf}, {1}, -kInf}, kNaN);
  // |a||b| + |c|.
  const double want_abs = 1 * 4 + 2 * 5 + 3 * 6 + 1;
  check_all({{1, -2, 3}, {-4, 5, 6}, -1}, true, &want_abs);
  const double abs_nan = kNaN;
  check_all({{kInf, 1}, {0.0, 1}}, true, &abs_nan);
}

TEST_CASE("exact ties constructed at random", "[reference]") {
  // d (random, subnormal to huge) plus half its ulp, hidden among cancelling pairs: RNE must pick
  // the even neighbour. A tiny extra product breaks the tie upward or downward.
  std::mt19937_64 g(7);
  int even = 0, odd = 0;
  for (int it = 0; it < 3000; ++it) {
    const int ed = static_cast<int>(g() % 2000) - 1070;
    double d = std::fabs(rand_double_exp(g, ed, ed));
    if (it % 5 == 0) d = std::bit_cast<double>(g() % (std::uint64_t{1} << 52) + 2);  // subnormal
    const double up = next_up(d);
    // Half an ulp as the product ulp * 0.5 (for subnormal d it is 2^-1075, not a double).
    Dot t;
    t.a = {d, up - d};
    t.b = {1, 0.5};
    for (int p = 0; p < 3; ++p) {
      const double x = rand_double_exp(g, -200, 200), y = rand_double_exp(g, -200, 200);
      t.a.insert(t.a.end(), {x, -x});
      t.b.insert(t.b.end(), {y, y});
    }
    const bool d_even = (std::bit_cast<std::uint64_t>(d) & 1) == 0;
    (d_even ? even : odd)++;
    const double want = d_even ? d : up;
    expect(t, want);
    // Break the tie with +-2^-1100 (a product of two doubles, below every quantum here).
    Dot above = t, below = t;
    above.a.push_back(0x1p-550);
    above.b.push_back(0x1p-550);
    below.a.push_back(-0x1p-550);
    below.b.push_back(0x1p-550);
    expect(above, up);
    expect(below, d);
    // Negative mirror.
    Dot neg = t;
    for (auto& x : neg.a) x = -x;
    expect(neg, -want);
  }
  CHECK(even > 500);
  CHECK(odd > 500);
}

TEST_CASE("Boost cpp_int oracle agrees with both paths", "[reference]") {
  // Kinds: 0 every finite double; 1 products near and below 2^-1074; 2 fp32 data; 3 exact
  // cancellation to zero (pairs x*y and (-x)*y, signed zeros, c = +-0: the zero-sign rule);
  // 4 special values (NaN, +-Inf, Inf * 0) among ordinary data.
  std::mt19937_64 g(11);
  int finite_nonzero = 0, zeros = 0, neg_zeros = 0, specials = 0;
  for (int it = 0; it < 2500; ++it) {
    Dot d;
    const std::size_t K = 1 + g() % 40;
    const int kind = it % 5;
    for (std::size_t k = 0; k < K; ++k) {
      if (kind == 0) {
        d.a.push_back(rand_double_full(g));
        d.b.push_back(rand_double_full(g));
      } else if (kind == 1) {
        d.a.push_back(rand_double_exp(g, -560, -500));  // products near and below 2^-1074
        d.b.push_back(rand_double_exp(g, -560, -500));
      } else if (kind == 3) {
        // sub 0, 1: only -0 terms (0 * -y or -0 * y); sub 2, 3: cancelling pairs (x*y, -x*y)
        // anywhere in double's range, with a signed zero term now and then.
        const int sub = (it / 5) % 4;
        if (sub < 2 || g() % 4 == 0) {
          const bool neg_a = (g() & 1) != 0;
          d.a.push_back(neg_a ? -0.0 : 0.0);
          const double y = rand_double_exp(g, -60, 60);
          d.b.push_back(sub < 2 ? (neg_a ? std::fabs(y) : -std::fabs(y)) : y);
        } else {
          const double x = rand_double_full(g), y = rand_double_exp(g, -60, 60);
          d.a.insert(d.a.end(), {x, -x});
          d.b.insert(d.b.end(), {y, y});
        }
      } else {
        d.a.push_back(rand_fp32(g));
        d.b.push_back(rand_fp32(g));
      }
    }
    if (kind == 3) {  // spread the pairs apart: one permutation applied to a and b alike
      std::mt19937_64 ga(static_cast<std::uint64_t>(it)), gb(static_cast<std::uint64_t>(it));
      std::shuffle(d.a.begin(), d.a.end(), ga);
      std::shuffle(d.b.begin(), d.b.end(), gb);
    }
    if (kind == 4) {
      const double sp[] = {kInf, -kInf, kNaN, 0.0};
      for (int n = 0, ns = 1 + static_cast<int>(g() % 3); n < ns; ++n) {
        auto& v = (g() & 1) ? d.a : d.b;
        v[g() % v.size()] = sp[g() % 4];
      }
    }
    // c: -0 for sub 0 (every term -0: the sum is -0), +0 for sub 1, either sign otherwise.
    const int sub = (it / 5) % 4;
    d.c = kind == 0 ? rand_double_full(g)
          : kind == 3 ? (sub == 0 ? -0.0 : sub == 1 ? 0.0 : ((g() & 1) ? -0.0 : 0.0))
                      : 0.0;
    const double want = boost_oracle(d);
    expect(d, want);
    if (std::isnan(want) || std::isinf(want)) ++specials;
    else if (want != 0) ++finite_nonzero;
    else (std::signbit(want) ? neg_zeros : zeros)++;
  }
  CHECK(finite_nonzero > 1000);
  CHECK(zeros > 300);
  CHECK(neg_zeros > 100);
  CHECK(specials > 300);
}

TEST_CASE("fast path equals MPFR on 10^5 mixed dot products", "[reference]") {
  std::mt19937_64 g(2024);
  long compared = 0;
  long dots = 0;
  std::uniform_int_distribution<int> cat(0, 11);
  for (int it = 0; it < 100000; ++it) {
    Dot d;
    const int kind = cat(g);
    const std::size_t K = rand_K(g);
    d.a.reserve(K + 8);
    d.b.reserve(K + 8);
    switch (kind) {
      case 0:  // fp32-valued N(0,1)
      case 1:
        for (std::size_t k = 0; k < K; ++k) {
          d.a.push_back(rand_fp32(g));
          d.b.push_back(rand_fp32(g));
        }
        if (kind == 1) d.c = rand_fp32(g);
        break;
      case 2:  // general doubles, moderate exponents
        for (std::size_t k = 0; k < K; ++k) {
          d.a.push_back(rand_double_exp(g, -40, 40));
          d.b.push_back(rand_double_exp(g, -40, 40));
        }
        d.c = rand_double_exp(g, -40, 40);
        break;
      case 3:  // every finite double, subnormals included
        for (std::size_t k = 0; k < K; ++k) {
          d.a.push_back(rand_double_full(g));
          d.b.push_back(rand_double_full(g));
        }
        d.c = (g() & 1) ? rand_double_full(g) : 0.0;
        break;
      case 4: {  // huge cancellation: (x, y), (-x, y) pairs plus a few tiny terms
        for (std::size_t k = 0; k < K; ++k) {
          const double x = rand_double_exp(g, -300, 300), y = rand_double_exp(g, -300, 300);
          d.a.insert(d.a.end(), {x, -x});
          d.b.insert(d.b.end(), {y, y});
        }
        const int tiny = static_cast<int>(g() % 3);
        for (int t = 0; t < tiny; ++t) {
          d.a.push_back(rand_double_exp(g, -600, -400));
          d.b.push_back(rand_double_exp(g, -700, -500));
        }
        break;
      }
      case 5: {  // cancellation to a subnormal: big pairs plus a subnormal-sized remainder
        for (std::size_t k = 0; k < K; ++k) {
          const double x = rand_double_exp(g, -100, 100), y = rand_double_exp(g, -100, 100);
          d.a.insert(d.a.end(), {x, -x});
          d.b.insert(d.b.end(), {y, y});
        }
        d.a.push_back(rand_double_exp(g, -560, -520));
        d.b.push_back(rand_double_exp(g, -560, -520));
        d.c = (g() & 1) ? std::bit_cast<double>(g() % (std::uint64_t{1} << 52)) : 0.0;
        break;
      }
      case 6:  // wide spread: 1e300 with 1e-300
        for (std::size_t k = 0; k < K; ++k) {
          const bool big = (g() & 1) != 0;
          d.a.push_back(rand_double_exp(g, big ? 990 : -1000, big ? 1000 : -990));
          d.b.push_back(rand_double_exp(g, big ? -5 : -60, big ? 5 : 60));
        }
        break;
      case 7:  // subnormal inputs and products far below 2^-1074
        for (std::size_t k = 0; k < K; ++k) {
          d.a.push_back((g() & 1) ? std::bit_cast<double>(g() % (std::uint64_t{1} << 52)) *
                                        ((g() & 1) ? 1 : -1)
                                  : rand_double_exp(g, -600, -450));
          d.b.push_back(rand_double_exp(g, -620, 5));
        }
        break;
      case 8:  // overflow region
        for (std::size_t k = 0; k < K; ++k) {
          d.a.push_back(rand_double_exp(g, 1000, 1023));
          d.b.push_back(rand_double_exp(g, -2, 2) * ((g() % 4 == 0) ? -1 : 1));
        }
        break;
      case 9:  // NaN / Inf injected into otherwise ordinary data
        for (std::size_t k = 0; k < K; ++k) {
          d.a.push_back(rand_fp32(g));
          d.b.push_back(rand_fp32(g));
        }
        for (int s = 0, ns = 1 + static_cast<int>(g() % 3); s < ns; ++s) {
          const double sp[] = {kInf, -kInf, kNaN, 0.0};
          auto& v = (g() & 1) ? d.a : d.b;
          v[g() % K] = sp[g() % 4];
        }
        break;
      case 10:  // signed zeros mixed with a few values
        for (std::size_t k = 0; k < K; ++k) {
          const std::uint64_t r = g() % 8;
          d.a.push_back(r == 0 ? 1.5 : (r & 1) ? -0.0 : 0.0);
          d.b.push_back((g() & 1) ? -0.0 : ((g() & 1) ? 2.0 : 0.0));
        }
        d.c = (g() & 1) ? -0.0 : 0.0;
        break;
      default: {  // strides 2 and -1 over fp32 data and doubles
        const bool fp32 = (g() & 1) != 0;
        d.sa = (g() & 1) ? 2 : -1;
        d.sb = d.sa;
        const std::size_t n = K * static_cast<std::size_t>(std::abs(d.sa));
        for (std::size_t k = 0; k < n; ++k) {
          d.a.push_back(fp32 ? rand_fp32(g) : rand_double_exp(g, -80, 80));
          d.b.push_back(fp32 ? rand_fp32(g) : rand_double_exp(g, -80, 80));
        }
        break;
      }
    }
    compared += check_all(d, it % 10 == 9);
    ++dots;
  }
  CHECK(dots == 100000);
  CHECK(compared >= 300000);
}

TEST_CASE("long dot products: K = 4096 and beyond one binned block", "[reference]") {
  std::mt19937_64 g(99);
  for (std::size_t K : {4096u, 4097u, 9000u}) {
    Dot f, dd;
    for (std::size_t k = 0; k < K; ++k) {
      f.a.push_back(rand_fp32(g));
      f.b.push_back(std::fabs(rand_fp32(g)) + 1);  // all positive products: no cancellation
      dd.a.push_back(rand_double_exp(g, -30, 30));
      dd.b.push_back(rand_double_exp(g, -30, 30));
    }
    check_all(f);
    check_all(dd);
    check_all(f, true);
  }
}

TEST_CASE("reference GEMM equals per-element dot products", "[reference]") {
  std::mt19937_64 g(5);
  const int M = 17, N = 13, K = 29;
  std::vector<double> A(M * K), B(K * N), C0(M * N);
  for (auto& x : A) x = rand_fp32(g);
  for (auto& x : B) x = rand_double_exp(g, -20, 20);
  for (auto& x : C0) x = rand_fp32(g);
  std::vector<double> Ce(M * N), Cm(M * N), C2(M * N), Ae(M * N), Am(M * N);
  reference_gemm(ReferenceKind::exact, M, N, K, A.data(), B.data(), C0.data(), Ce.data(), 1);
  reference_gemm(ReferenceKind::mpfr, M, N, K, A.data(), B.data(), C0.data(), Cm.data(), 2);
  reference_gemm(ReferenceKind::exact, M, N, K, A.data(), B.data(), C0.data(), C2.data(), 2);
  reference_absgemm(ReferenceKind::exact, M, N, K, A.data(), B.data(), C0.data(), Ae.data(), 2);
  reference_absgemm(ReferenceKind::mpfr, M, N, K, A.data(), B.data(), nullptr, Am.data(), 1);
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      const int o = i * N + j;
      const double want = dot_mpfr(A.data() + i * K, 1, B.data() + j, N, K, C0[o]);
      const double want_abs = absdot_mpfr(A.data() + i * K, 1, B.data() + j, N, K, C0[o]);
      const double want_abs0 = absdot_mpfr(A.data() + i * K, 1, B.data() + j, N, K, 0.0);
      CHECK(same_bits(Ce[o], want));
      CHECK(same_bits(Cm[o], want));
      CHECK(same_bits(C2[o], want));
      CHECK(same_bits(Ae[o], want_abs));
      CHECK(same_bits(Am[o], want_abs0));
    }
  // C may alias C0.
  std::vector<double> Cin = C0;
  reference_gemm(ReferenceKind::exact, M, N, K, A.data(), B.data(), Cin.data(), Cin.data(), 2);
  CHECK(Cin == Ce);
  CHECK_THROWS_WITH(reference_gemm(ReferenceKind::none, M, N, K, A.data(), B.data(), nullptr, Ce.data()),
                    Catch::Contains("none"));
  CHECK_THROWS_WITH(reference_gemm(ReferenceKind::exact, -1, N, K, A.data(), B.data(), nullptr, Ce.data()),
                    Catch::Contains("M=-1"));
}

TEST_CASE("ExactValue holds the exact dot product", "[reference]") {
  const double a[] = {1.0, 0x1p-40, 0x1p-1074};
  const double b[] = {1.0, 1.0, 0.75};
  ExactValue v = dot_exact_value(a, 1, b, 1, 3, 0.0);
  // 1 + 2^-40 + 3 * 2^-1076, built independently in MPFR.
  mpfr_t w;
  mpfr_init2(w, 1200);
  mpfr_set_ui_2exp(w, 3, -1076, MPFR_RNDN);
  mpfr_add_d(w, w, 0x1p-40, MPFR_RNDN);
  mpfr_add_ui(w, w, 1, MPFR_RNDN);
  CHECK(mpfr_equal_p(v.get(), w));
  mpfr_clear(w);
  CHECK(v.to_double() == 1.0 + 0x1p-40);
  CHECK(v.sign() == 1);
  // The difference is computed exactly: -0.75 * 2^-1074 rounds to -2^-1074.
  CHECK(v.error_of(1.0 + 0x1p-40) == -kMinSub);
  CHECK(v.error_of(1.0) == -0x1p-40);
  CHECK(v.ulp_error(1.0 + 0x1p-52) == -4095.0);   // (2^-52 - 2^-40) / 2^-52, tiny part rounded off
  CHECK(v.ulp_error(1.0, 11, -14) == -0x1p-30);  // fp16 ulp at 1 is 2^-10
  ExactValue copy = v, moved = std::move(copy);
  CHECK(mpfr_equal_p(moved.get(), v.get()));
  const double z[] = {0.0};
  const ExactValue zero = dot_exact_value(z, 1, z, 1, 1, 0.0);
  CHECK(zero.sign() == 0);
  CHECK(zero.ulp_error(kMinSub) == 1.0);
  const double inf[] = {kInf};
  CHECK(std::isnan(dot_exact_value(inf, 1, z, 1, 1, 0.0).ulp_error(1.0)));
  const double neg[] = {-3.0};
  CHECK(dot_exact_value(neg, 1, neg + 0, 1, 1, -10.0).to_double() == -1.0);
}
