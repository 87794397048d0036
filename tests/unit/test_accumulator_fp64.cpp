// fp64 (binary64, rne) accumulators and product formats against the machine's own IEEE 754 double
// arithmetic, the independent oracle for that one format: every sum and product of the model is
// one correctly rounded double operation. (The general double-double path rounds to odd first,
// which needs two spare bits: at 53 bits it would turn 1 + 2^-60 into 1 + 2^-52.)
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "floatscope/gemm.hpp"

using namespace floatscope;

namespace {

bool same_bits(double x, double y) {
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y);
}

// The oracle's chains, one double operation per step (products are formed beforehand, so no
// multiply-add can be contracted into an FMA).
double plain_sequential(const std::vector<double>& p, double c) {
  double s = c;
  for (double x : p) s = s + x;
  return s;
}

double plain_pairwise(const double* p, std::size_t n) {
  if (n == 1) return p[0];
  const std::size_t h = n / 2;
  return plain_pairwise(p, h) + plain_pairwise(p + h, n - h);
}

double plain_kahan(const std::vector<double>& p, double c) {
  double s = c, comp = 0;
  for (double x : p) {
    const double y = x - comp;
    const double t = s + y;
    comp = (t - s) - y;
    s = t;
  }
  return s;
}

std::vector<double> products(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> p(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) p[k] = a[k] * b[k];
  return p;
}

}  // namespace

TEST_CASE("fp64 accumulator: 1 + 2^-60 is 1 (round to nearest, not to odd)", "[accumulator][fp64]") {
  const Accumulator acc = make_scalar_accumulator(parse_format("fp32"), parse_format("fp64"));
  const double a[] = {1.0, 0x1p-30}, b[] = {1.0, 0x1p-30};
  CHECK(same_bits(emulate_dot(acc, a, b, 2), 1.0));
  const double t[] = {1.0, 0x1p-26, 0x1p-40}, u[] = {1.0, 0x1p-27, 0x1p-40};  // tie, then tiny
  CHECK(same_bits(emulate_dot(acc, t, u, 3), 1.0));
}

TEST_CASE("fp64 accumulators and products equal IEEE double arithmetic", "[accumulator][fp64]") {
  std::mt19937_64 g(64);
  std::uniform_real_distribution<double> u(1.0, 2.0);
  auto value = [&](int lo, int hi) {
    const double v = std::ldexp(u(g), lo + static_cast<int>(g() % static_cast<unsigned>(hi - lo + 1)));
    return (g() & 1) ? -v : v;
  };
  const Format fp32 = parse_format("fp32"), fp64 = parse_format("fp64");
  for (int t = 0; t < 3000; ++t) {
    const int K = 1 + static_cast<int>(g() % 50);
    const bool wide = t % 2 == 1;  // fp64 inputs with products rounded to fp64
    std::vector<double> a(K), b(K);
    for (int k = 0; k < K; ++k) {
      // fp32 data: exact products in a wide spread; fp64 data: also tiny and huge products.
      a[k] = wide ? value(-560, 520) : static_cast<double>(static_cast<float>(value(-60, 60)));
      b[k] = wide ? value(-560, 520) : static_cast<double>(static_cast<float>(value(-60, 60)));
    }
    const double c = static_cast<double>(static_cast<float>(value(-30, 30)));
    const std::vector<double> p = products(a, b);
    Accumulator acc = make_scalar_accumulator(wide ? fp64 : fp32, fp64);
    if (wide) acc.product_format = fp64;
    INFO("case " << t << " K=" << K << (wide ? " fp64 inputs" : " fp32 inputs"));
    CHECK(same_bits(emulate_dot(acc, a.data(), b.data(), K, c), plain_sequential(p, c)));
    acc.order = parse_accumulator_order("pairwise");
    CHECK(same_bits(emulate_dot(acc, a.data(), b.data(), K, c), c + plain_pairwise(p.data(), p.size())));
    acc.order = parse_accumulator_order("sequential");
    acc.compensation = Compensation::kahan;
    CHECK(same_bits(emulate_dot(acc, a.data(), b.data(), K, c), plain_kahan(p, c)));
  }
}

TEST_CASE("fp64 GEMM equals the double loop per output (kernel path included)", "[accumulator][fp64]") {
  std::mt19937_64 g(65);
  std::normal_distribution<double> nd;
  const int M = 6, N = 11, K = 77;
  std::vector<double> A(M * K), B(K * N), C(M * N);
  for (auto* v : {&A, &B, &C})
    for (auto& x : *v) x = static_cast<double>(static_cast<float>(std::ldexp(nd(g), static_cast<int>(g() % 41) - 20)));
  const Accumulator acc = make_scalar_accumulator(parse_format("fp32"), parse_format("fp64"));
  const GemmResult r = emulate_gemm(acc, M, N, K, A.data(), B.data(), C.data(), 1);
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      std::vector<double> a(A.begin() + i * K, A.begin() + (i + 1) * K), b(K);
      for (int k = 0; k < K; ++k) b[k] = B[k * N + j];
      INFO("output " << i << "," << j);
      CHECK(same_bits(r.C[i * N + j], plain_sequential(products(a, b), C[i * N + j])));
    }
}
