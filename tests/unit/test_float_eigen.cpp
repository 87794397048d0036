// Eigen with floatscope::Float scalars (float_eigen.hpp): products, PartialPivLU, HouseholderQR,
// LLT. Oracles: exact integer products (double arithmetic), a right-looking LU written here with
// the scalar operators (themselves held to MPFR by test_float_type), and backward errors computed
// in long double against Higham's bounds (docs/references.md s.6: gamma_n = n u / (1 - n u)).
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <utility>

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <Eigen/LU>
#include <Eigen/QR>

#include "floatscope/float_eigen.hpp"

using namespace floatscope;

namespace {

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <class T>
using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
using MatL = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;
using VecL = Eigen::Matrix<long double, Eigen::Dynamic, 1>;

template <class T>
Mat<T> random_matrix(int n, std::uint64_t seed, double diag = 0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Mat<T> a(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) a(i, j) = T(normal(rng) + (i == j ? diag : 0.0));
  return a;
}

template <class T>
MatL widen(const Mat<T>& a) {
  MatL w(a.rows(), a.cols());
  for (int i = 0; i < a.rows(); ++i)
    for (int j = 0; j < a.cols(); ++j) w(i, j) = a(i, j).value();
  return w;
}

template <class T>
VecL widen(const Vec<T>& a) {
  VecL w(a.size());
  for (int i = 0; i < a.size(); ++i) w(i) = a(i).value();
  return w;
}

// Normwise backward error of x for A x = b: ||b - A x|| / (||A|| ||x|| + ||b||), infinity norms,
// from the stored values in long double (64-bit significand, far below the formats' u).
template <class T>
long double backward_error(const Mat<T>& a, const Vec<T>& x, const Vec<T>& b) {
  const MatL A = widen(a);
  const VecL X = widen(x), B = widen(b);
  const VecL r = B - A * X;
  const long double normA = A.cwiseAbs().rowwise().sum().maxCoeff();
  return r.cwiseAbs().maxCoeff() / (normA * X.cwiseAbs().maxCoeff() + B.cwiseAbs().maxCoeff());
}

double gamma(int n, double u) { return n * u / (1 - n * u); }

}  // namespace

TEST_CASE("Float with Eigen: products of small integers are exact", "[float_eigen]") {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> small(-4, 4);
  const int n = 9;
  Mat<bf16> a(n, n), b(n, n);
  Eigen::MatrixXd ad(n, n), bd(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      ad(i, j) = small(rng);
      bd(i, j) = small(rng);
      a(i, j) = bf16(ad(i, j));
      b(i, j) = bf16(bd(i, j));
    }
  const Mat<bf16> c = a * b;  // |entries| <= 9 * 16 = 144: every partial sum is a bf16 integer
  const Eigen::MatrixXd cd = ad * bd;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) CHECK(c(i, j).value() == cd(i, j));
}

TEST_CASE("Float with Eigen: PartialPivLU takes the scalar operations, bit for bit", "[float_eigen]") {
  // Eigen factors matrices of up to 16 columns unblocked, right-looking: for each column pick the
  // first largest |a_ik|, swap, divide the column below by the pivot, a_ij -= l_i u_j (a product
  // and a difference, each rounded). The same algorithm, written here with the operators:
  const int n = 12;
  const Mat<bf16> a = random_matrix<bf16>(n, 7);
  Mat<bf16> lu = a;
  std::vector<int> perm(n);
  for (int i = 0; i < n; ++i) perm[static_cast<std::size_t>(i)] = i;
  for (int k = 0; k < n; ++k) {
    int p = k;
    for (int i = k + 1; i < n; ++i)
      if (abs(lu(i, k)) > abs(lu(p, k))) p = i;
    lu.row(k).swap(lu.row(p));
    std::swap(perm[static_cast<std::size_t>(k)], perm[static_cast<std::size_t>(p)]);
    for (int i = k + 1; i < n; ++i) lu(i, k) = lu(i, k) / lu(k, k);
    for (int j = k + 1; j < n; ++j)
      for (int i = k + 1; i < n; ++i) lu(i, j) = lu(i, j) - lu(i, k) * lu(k, j);
  }
  const Eigen::PartialPivLU<Mat<bf16>> eig(a);
  int differ = 0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) differ += !(eig.matrixLU()(i, j) == lu(i, j));
  CHECK(differ == 0);
  const auto& p = eig.permutationP().indices();
  for (int i = 0; i < n; ++i) CHECK(p(perm[static_cast<std::size_t>(i)]) == i);
}

TEST_CASE("Float with Eigen: LU, QR and Cholesky solves meet the gamma_n bounds", "[float_eigen]") {
  const int n = 40;
  const double u = std::ldexp(1.0, -11);  // fp16
  const Mat<fp16> a = random_matrix<fp16>(n, 11, 0.0);
  const Mat<fp16> spd_base = random_matrix<fp16>(n, 12, 0.0);
  const Mat<fp16> spd = spd_base.transpose() * spd_base + Mat<fp16>::Identity(n, n) * fp16(double(n));
  Vec<fp16> b(n);
  for (int i = 0; i < n; ++i) b(i) = fp16(std::cos(i + 1.0));

  const Vec<fp16> x_lu = a.partialPivLu().solve(b);
  const Vec<fp16> x_qr = a.householderQr().solve(b);
  const Vec<fp16> x_ch = spd.llt().solve(b);
  const long double e_lu = backward_error(a, x_lu, b), e_qr = backward_error(a, x_qr, b),
                    e_ch = backward_error(spd, x_ch, b);
  INFO("backward errors: LU " << static_cast<double>(e_lu) << ", QR " << static_cast<double>(e_qr)
                              << ", Cholesky " << static_cast<double>(e_ch) << "; u = " << u);
  // Higham, ASNA Thm 9.4 / 19.5 / 10.4 with modest growth: within a few gamma_n.
  CHECK(e_lu < 4 * gamma(3 * n, u));
  CHECK(e_qr < 4 * gamma(3 * n, u));
  CHECK(e_ch < 4 * gamma(3 * n, u));
  // And computed in fp16, not in double: the errors are of the order of u, not 1e-16.
  CHECK(e_lu > u / 100);
  CHECK(e_qr > u / 100);
  CHECK(e_ch > u / 100);
  // The Cholesky factor reproduces A to about u.
  const Mat<fp16> L = spd.llt().matrixL();
  const MatL diff = widen<fp16>(L) * widen<fp16>(L).transpose() - widen(spd);
  CHECK(static_cast<double>(diff.cwiseAbs().maxCoeff() / widen(spd).cwiseAbs().maxCoeff()) < gamma(n + 1, u));
}

TEST_CASE("Float with Eigen: stochastic LU is reproducible from its generator", "[float_eigen]") {
  const int n = 24;
  const Mat<double> ad = random_matrix<double>(n, 5);
  const auto solve = [&](std::uint64_t seed) {
    SrGenerator g(seed);
    SrScope scope(g);
    const Mat<bf16_sr> a = ad.cast<bf16_sr>();
    Vec<bf16_sr> b = Vec<bf16_sr>::Ones(n);
    return Vec<double>(a.partialPivLu().solve(b).cast<double>());
  };
  const Vec<double> x1 = solve(1), x2 = solve(1), x3 = solve(2);
  CHECK(x1 == x2);
  CHECK(x1 != x3);
}
