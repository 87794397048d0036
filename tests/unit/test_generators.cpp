// Input generators: determinism (pure function of seed, tensor id, index), moments against the
// distributions' known values with 5-sigma bounds, the structured patterns, and parse errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "floatscope/generators.hpp"

using floatscope::DistKind;
using floatscope::Distribution;
using floatscope::generate;
using floatscope::parse_distribution;

namespace {

std::vector<double> gen(const std::string& spec, std::size_t rows, std::size_t cols, std::uint64_t seed = 1,
                        std::uint64_t tensor = 0, bool is_b = false, int threads = 0) {
  std::vector<double> v(rows * cols);
  generate(parse_distribution(spec), seed, tensor, rows, cols, v.data(), is_b, threads);
  return v;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
  return true;
}

struct Moments {
  double mean = 0, var = 0, m4 = 0;  // mean, variance and 4th central moment
};

Moments moments(const std::vector<double>& v) {
  Moments m;
  for (double x : v) m.mean += x;
  m.mean /= static_cast<double>(v.size());
  for (double x : v) {
    const double d = (x - m.mean) * (x - m.mean);
    m.var += d;
    m.m4 += d * d;
  }
  m.var /= static_cast<double>(v.size());
  m.m4 /= static_cast<double>(v.size());
  return m;
}

// Sample mean and variance of N draws within 5 standard errors of the true mean mu and variance
// s2, where mu4 is the true 4th central moment (standard error of the variance sqrt((mu4-s2^2)/N)).
void check_moments(const std::vector<double>& v, double mu, double s2, double mu4) {
  const double n = static_cast<double>(v.size());
  const Moments m = moments(v);
  INFO("mean " << m.mean << " var " << m.var);
  CHECK(std::fabs(m.mean - mu) < 5 * std::sqrt(s2 / n));
  CHECK(std::fabs(m.var - s2) < 5 * std::sqrt((mu4 - s2 * s2) / n));
}

constexpr std::size_t kRows = 1000, kCols = 1000;  // N = 10^6

}  // namespace

TEST_CASE("generators: same bits for any thread count and call", "[generators]") {
  for (const char* spec : {"uniform01", "uniform", "normal", "lognormal:0.7", "outliers:0.05:30",
                           "constant:2.5", "identity", "harmonic", "loggrad", "loggrad:-30:-10"}) {
    INFO(spec);
    const auto one = gen(spec, 300, 257, 42, 3, false, 1);
    CHECK(same_bits(one, gen(spec, 300, 257, 42, 3, false, 2)));
    CHECK(same_bits(one, gen(spec, 300, 257, 42, 3, false, 0)));
    CHECK(same_bits(one, gen(spec, 300, 257, 42, 3, false, 1)));
    // Element (i, j) depends on its index only: a 5-row matrix is the first 5 rows of the big one.
    const auto head = gen(spec, 5, 257, 42, 3, false, 1);
    CHECK(same_bits(head, std::vector<double>(one.begin(), one.begin() + 5 * 257)));
  }
}

TEST_CASE("generators: seeds and tensor ids give independent streams", "[generators]") {
  const auto a = gen("normal", kRows, kCols, 7, 0);
  const auto b = gen("normal", kRows, kCols, 7, 1);
  const auto c = gen("normal", kRows, kCols, 8, 0);
  auto corr = [](const std::vector<double>& x, const std::vector<double>& y) {
    double s = 0;
    for (std::size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
    return s / static_cast<double>(x.size());
  };
  // For independent N(0,1) streams the mean of x*y has standard error 1/sqrt(N).
  CHECK(std::fabs(corr(a, b)) < 5e-3);
  CHECK(std::fabs(corr(a, c)) < 5e-3);
  CHECK_FALSE(same_bits(a, b));
}

TEST_CASE("generators: moments of the random distributions (N = 10^6, 5 sigma)", "[generators]") {
  SECTION("uniform01: U[0,1), mean 1/2, variance 1/12, mu4 1/80") {
    const auto v = gen("uniform01", kRows, kCols);
    check_moments(v, 0.5, 1.0 / 12, 1.0 / 80);
    CHECK(std::count_if(v.begin(), v.end(), [](double x) { return !(x >= 0 && x < 1); }) == 0);
  }
  SECTION("uniform: U(-1,1), mean 0, variance 1/3, mu4 1/5") {
    const auto v = gen("uniform", kRows, kCols);
    check_moments(v, 0, 1.0 / 3, 1.0 / 5);
    CHECK(std::count_if(v.begin(), v.end(), [](double x) { return !(x > -1 && x < 1 && x != 0); }) == 0);
  }
  SECTION("normal: mean 0, variance 1, mu4 3, P(|z|<1) = erf(1/sqrt 2)") {
    const auto v = gen("normal", kRows, kCols);
    check_moments(v, 0, 1, 3);
    const Moments m = moments(v);
    CHECK(std::fabs(m.m4 - 3) < 5 * std::sqrt((105.0 - 9.0) / 1e6));  // Var(z^4) = mu8 - mu4^2
    double inside = 0;
    for (double x : v) inside += std::fabs(x) < 1;
    const double p = std::erf(1 / std::sqrt(2.0));
    CHECK(std::fabs(inside / 1e6 - p) < 5 * std::sqrt(p * (1 - p) / 1e6));
  }
  SECTION("lognormal:0.5: log is N(0, 0.25); mean exp(s^2/2), variance (e^{s^2}-1)e^{s^2}") {
    const auto v = gen("lognormal:0.5", kRows, kCols);
    std::vector<double> logs(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) logs[i] = std::log(v[i]);
    CHECK(std::count_if(v.begin(), v.end(), [](double x) { return !(x > 0); }) == 0);
    check_moments(logs, 0, 0.25, 3 * 0.25 * 0.25);
    const double s2 = 0.25;
    const double var = (std::exp(s2) - 1) * std::exp(s2);
    CHECK(std::fabs(moments(v).mean - std::exp(s2 / 2)) < 5 * std::sqrt(var / 1e6));
  }
}

TEST_CASE("generators: loggrad is log-normal in log2|x| over [2^LO, 2^HI] with random signs (N = 10^6)",
          "[generators]") {
  // log2|x| = mid + sigma z, z ~ N(0,1) truncated to [-3, 3]. The truncated normal's moments
  // (Johnson, Kotz, Balakrishnan, Continuous Univariate Distributions vol. 1, s.10.1), with
  // Z = 2 Phi(3) - 1 = erf(3/sqrt 2) and phi(3) the density at 3: E z = 0,
  // E z^2 = 1 - 6 phi(3)/Z, E z^4 = 3 - (2*27 + 6*3) phi(3)/Z, and P(|z| < 1) = erf(1/sqrt 2)/Z.
  const double Z = std::erf(3 / std::sqrt(2.0));
  const double phi3 = std::exp(-4.5) / std::sqrt(2 * std::acos(-1.0));
  const double ez2 = 1 - 6 * phi3 / Z, ez4 = 3 - (2 * 27 + 6 * 3) * phi3 / Z;
  for (const auto& [spec, lo, hi] : {std::tuple{"loggrad", -40.0, 0.0}, std::tuple{"loggrad:-30:-6", -30.0, -6.0}}) {
    INFO(spec);
    const auto v = gen(spec, kRows, kCols, 5);
    const double mid = (lo + hi) / 2, sigma = (hi - lo) / 6;
    std::vector<double> l(v.size());
    double negative = 0, within_one_sigma = 0, lmin = hi, lmax = lo;
    for (std::size_t i = 0; i < v.size(); ++i) {
      l[i] = std::log2(std::fabs(v[i]));
      lmin = std::min(lmin, l[i]);
      lmax = std::max(lmax, l[i]);
      negative += v[i] < 0;
      within_one_sigma += std::fabs(l[i] - mid) < sigma;
    }
    CHECK(std::count_if(v.begin(), v.end(), [&](double x) {
            return !(std::fabs(x) >= std::exp2(lo) && std::fabs(x) <= std::exp2(hi));
          }) == 0);
    check_moments(l, mid, sigma * sigma * ez2, std::pow(sigma, 4) * ez4);
    CHECK(std::fabs(negative / 1e6 - 0.5) < 5 * std::sqrt(0.25 / 1e6));
    const double p = std::erf(1 / std::sqrt(2.0)) / Z;
    CHECK(std::fabs(within_one_sigma / 1e6 - p) < 5 * std::sqrt(p * (1 - p) / 1e6));
    // The cut is at 3 sigma, not narrower: about 68 of 10^6 draws lie beyond 2.985 sigma on each
    // side ((Phi(-2.985) - Phi(-3)) / Z), so both ends are approached within 0.015 sigma.
    CHECK(lmin < mid - 2.985 * sigma);
    CHECK(lmax > mid + 2.985 * sigma);
  }
}

TEST_CASE("generators: outliers scale the same K channels of A and B", "[generators]") {
  const std::size_t M = 64, K = 200, N = 48;
  const auto a = gen("outliers:0.05:100", M, K, 9, 0, false);
  const auto base_a = gen("normal", M, K, 9, 0, false);
  const auto b = gen("outliers:0.05:100", K, N, 9, 1, true);
  const auto base_b = gen("normal", K, N, 9, 1, true);
  std::set<std::size_t> ch_a, ch_b;
  for (std::size_t k = 0; k < K; ++k) {
    bool scaled = true, plain = true;
    for (std::size_t i = 0; i < M; ++i) {
      scaled = scaled && a[i * K + k] == base_a[i * K + k] * 100;
      plain = plain && a[i * K + k] == base_a[i * K + k];
    }
    REQUIRE(scaled != plain);  // each column is wholly one or the other
    if (scaled) ch_a.insert(k);
    bool scaled_b = true, plain_b = true;
    for (std::size_t j = 0; j < N; ++j) {
      scaled_b = scaled_b && b[k * N + j] == base_b[k * N + j] * 100;
      plain_b = plain_b && b[k * N + j] == base_b[k * N + j];
    }
    REQUIRE(scaled_b != plain_b);
    if (scaled_b) ch_b.insert(k);
  }
  CHECK(ch_a.size() == 10);  // round(0.05 * 200)
  CHECK(ch_a == ch_b);
  // A tiny fraction still gives one channel; fraction 0 gives plain normal data.
  const auto tiny = gen("outliers:0.0001:10", 4, 50, 9);
  const auto base = gen("normal", 4, 50, 9);
  int scaled_cols = 0;
  for (std::size_t k = 0; k < 50; ++k) scaled_cols += tiny[k] != base[k];
  CHECK(scaled_cols == 1);
  CHECK(same_bits(gen("outliers:0:10", 4, 50, 9), base));
  // A different seed picks different channels (200 choose 10 makes a coincidence negligible).
  const auto other = gen("outliers:0.05:100", 1, K, 10);
  const auto other_base = gen("normal", 1, K, 10);
  std::set<std::size_t> ch_other;
  for (std::size_t k = 0; k < K; ++k)
    if (other[k] != other_base[k]) ch_other.insert(k);
  CHECK(ch_other.size() == 10);
  CHECK(ch_other != ch_a);
}

TEST_CASE("generators: constant, identity, harmonic", "[generators]") {
  CHECK(gen("constant", 2, 2) == std::vector<double>{1, 1, 1, 1});
  CHECK(gen("constant:-0.375", 1, 3) == std::vector<double>{-0.375, -0.375, -0.375});
  CHECK(gen("identity", 3, 3) == std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 1});
  CHECK(gen("identity", 2, 3) == std::vector<double>{1, 0, 0, 0, 1, 0});
  const auto a = gen("harmonic", 2, 4, 1, 0, false);
  CHECK(a == std::vector<double>{1, 0.5, 1.0 / 3, 0.25, 1, 0.5, 1.0 / 3, 0.25});
  CHECK(gen("harmonic", 4, 2, 1, 1, true) == std::vector<double>(8, 1.0));
}

TEST_CASE("generators: parse, canonical names and errors", "[generators]") {
  CHECK(parse_distribution("normal").kind == DistKind::normal);
  CHECK(parse_distribution("lognormal").sigma == 1);
  CHECK(parse_distribution("lognormal:0.25").sigma == 0.25);
  const auto o = parse_distribution("outliers:0.02:1e3");
  CHECK(o.kind == DistKind::outliers);
  CHECK(o.fraction == 0.02);
  CHECK(o.factor == 1000);
  CHECK(parse_distribution("outliers:0.5").factor == 100);
  CHECK(parse_distribution("constant").value == 1);
  CHECK(parse_distribution("constant:-2").value == -2);
  CHECK(floatscope::to_string(o) == "outliers:0.02:1000");
  CHECK(floatscope::to_string(parse_distribution("lognormal:0.1")) == "lognormal:0.1");
  CHECK(floatscope::to_string(parse_distribution("identity")) == "identity");
  const auto g = parse_distribution("loggrad");
  CHECK(g.kind == DistKind::loggrad);
  CHECK(g.log2_lo == -40);
  CHECK(g.log2_hi == 0);
  CHECK(parse_distribution("loggrad:-30").log2_lo == -30);
  CHECK(parse_distribution("loggrad:-30").log2_hi == 0);
  CHECK(parse_distribution("loggrad:-24.5:3").log2_hi == 3);
  CHECK(floatscope::to_string(g) == "loggrad:-40:0");
  CHECK(floatscope::to_string(parse_distribution("loggrad:-24.5:3")) == "loggrad:-24.5:3");
  for (const char* s : {"uniform01", "uniform", "normal", "lognormal:0.3", "outliers:0.01:100",
                        "constant:0.1", "identity", "harmonic", "loggrad", "loggrad:-1e2:-0.125"})
    CHECK(parse_distribution(floatscope::to_string(parse_distribution(s))) == parse_distribution(s));

  auto err = [](const std::string& spec, const std::string& part) {
    try {
      (void)parse_distribution(spec);
      FAIL("no error for '" << spec << "'");
    } catch (const std::invalid_argument& e) {
      const std::string msg = e.what();
      INFO(msg);
      CHECK(msg.find(part) != std::string::npos);
      CHECK(msg.find("lognormal[:SIGMA]") != std::string::npos);  // lists the valid names
    }
  };
  err("gaussian", "unknown distribution 'gaussian'");
  err("", "unknown distribution ''");
  // Names are case-insensitive (README "Names").
  CHECK(parse_distribution("Normal") == parse_distribution("normal"));
  CHECK(parse_distribution("LOGNORMAL:0.25") == parse_distribution("lognormal:0.25"));
  err("uniform:3", "'uniform' takes no parameters");
  err("constant:1:2", "too many parameters");
  err("lognormal:abc", "SIGMA 'abc'");
  err("lognormal:", "SIGMA ''");
  err("lognormal:-1", "SIGMA must be > 0");
  err("lognormal:inf", "SIGMA 'inf'");
  err("outliers:2:10", "FRACTION must lie in [0, 1]");
  err("outliers:0.1:0", "FACTOR must be nonzero");
  err("outliers:0.1:x", "FACTOR 'x'");
  err("constant:1.5x", "V '1.5x'");
  err("loggrad:0", "LO must be below HI, got 0 and 0");
  err("loggrad:-10:-20", "LO must be below HI");
  err("loggrad:-2000", "LO and HI must lie in [-1022, 1023]");
  err("loggrad:-10:1024", "LO and HI must lie in [-1022, 1023]");
  err("loggrad:x", "LO 'x'");
  err("loggrad:-1:nan", "HI 'nan'");
  err("loggrad:-3:-2:-1", "too many parameters; usage: loggrad[:LO[:HI]]");
}
