// LU solve of a random n x n system (default 200) with Eigen's PartialPivLU in fp16, bf16 and
// fp32 scalars, each with round-to-nearest-even and stochastic rounding (floatscope::Float), and
// the normwise backward error of each solution against the rounding-error bounds.
//
//   lu_solve [n] [seed]
//
// For each type: A and b are the double system rounded into the type; x is Eigen's solution,
// every operation rounded once in the type; the backward error
//   eta = ||b - A x|| / (||A|| ||x|| + ||b||)      (infinity norms)
// is computed from the stored values in long double (64-bit significand). Higham (Accuracy and
// Stability of Numerical Algorithms, 2nd ed., Thm 9.4) bounds it by the LU bound
//   gamma_3n || |L||U| || / ||A||,  gamma_k = k u / (1 - k u),
// with u = 2^-p for round to nearest and 2^(1-p) for stochastic rounding (its error is below one
// ulp); the bound says nothing once 3n u >= 1 ("-"). gamma_n is printed for scale; stochastic
// rounding's errors grow like sqrt(n) u rather than n u (docs/references.md s.6). The program
// exits 1 if a solution breaks its bound, 2 on bad arguments.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

#include <Eigen/Dense>
#include <Eigen/LU>

#include "floatscope/float_eigen.hpp"

namespace {

using MatL = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;
using VecL = Eigen::Matrix<long double, Eigen::Dynamic, 1>;

long double norm_inf(const MatL& a) { return a.cwiseAbs().rowwise().sum().maxCoeff(); }

double gamma(int k, double u) { return k * u < 1 ? k * u / (1 - k * u) : NAN; }

template <class T>
MatL widen(const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>& a) {
  return a.unaryExpr([](const T& v) { return static_cast<long double>(v.value()); });
}

struct Result {
  double eta, lu_bound;
};

template <class T>
Result solve(const Eigen::MatrixXd& a_d, const Eigen::VectorXd& b_d, std::uint64_t seed) {
  floatscope::SrGenerator g(seed);  // used by the stochastic types only
  floatscope::SrScope scope(g);
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  const Mat a = a_d.cast<T>();
  const Mat b = b_d.cast<T>();
  const Eigen::PartialPivLU<Mat> lu(a);
  const Mat x = lu.solve(b);

  const MatL A = widen(a), B = widen(b), X = widen(x);
  const MatL r = B - A * X;
  const long double eta = r.cwiseAbs().maxCoeff() / (norm_inf(A) * X.cwiseAbs().maxCoeff() + B.cwiseAbs().maxCoeff());
  const Mat l = lu.matrixLU().template triangularView<Eigen::UnitLower>();
  const Mat u = lu.matrixLU().template triangularView<Eigen::Upper>();
  const long double lu_norm = norm_inf(widen(l).cwiseAbs() * widen(u).cwiseAbs());
  const int p = T::format.precision();
  const double unit = std::ldexp(1.0, T::stochastic ? 1 - p : -p);
  const int n = static_cast<int>(a.rows());
  return {static_cast<double>(eta), gamma(3 * n, unit) * static_cast<double>(lu_norm / norm_inf(A))};
}

bool parse_positive(const char* s, long max, long& out) {
  char* end = nullptr;
  const long v = std::strtol(s, &end, 10);
  if (end == s || *end != '\0' || v < 1 || v > max) return false;
  out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  long n = 200, seed = 1;
  if (argc > 3 || (argc > 1 && !parse_positive(argv[1], 2000, n)) || (argc > 2 && !parse_positive(argv[2], 1L << 40, seed))) {
    std::fprintf(stderr, "usage: lu_solve [n: 1..2000, default 200] [seed: positive integer, default 1]\n");
    return 2;
  }
  std::mt19937_64 rng(static_cast<std::uint64_t>(seed));
  std::normal_distribution<double> normal;
  Eigen::MatrixXd a(n, n);
  Eigen::VectorXd b(n);
  for (long i = 0; i < n; ++i) {
    b(i) = normal(rng);
    for (long j = 0; j < n; ++j) a(i, j) = normal(rng);
  }

  std::printf("LU solve, n = %ld, A and b N(0,1) (seed %ld); backward error eta vs Higham's LU bound\n", n, seed);
  std::printf("%-6s %-4s %10s %10s %10s %8s %12s  %s\n", "type", "mode", "u", "gamma_n", "eta", "eta/u",
              "LU bound", "within");
  bool ok = true;
  const auto row = [&](const char* type, const char* mode, int p, bool stochastic, Result r) {
    const double unit = std::ldexp(1.0, -p);
    const bool has_bound = !std::isnan(r.lu_bound);
    const bool within = !has_bound || r.eta <= r.lu_bound;
    ok = ok && within;
    const double gn = gamma(static_cast<int>(n), unit);
    char g[32] = "-", bound[32] = "-";
    if (!std::isnan(gn)) std::snprintf(g, sizeof g, "%.3e", gn);
    if (has_bound) std::snprintf(bound, sizeof bound, "%.3e", r.lu_bound);
    std::printf("%-6s %-4s %10.3e %10s %10.3e %8.3f %12s  %s\n", type, mode, unit, g, r.eta,
                r.eta / unit, bound, has_bound ? (within ? "yes" : "NO") : "no bound (3n u >= 1)");
    (void)stochastic;
  };
  using namespace floatscope;
  const auto s = static_cast<std::uint64_t>(seed);
  row("fp16", "rne", 11, false, solve<fp16>(a, b, s));
  row("fp16", "sr", 11, true, solve<fp16_sr>(a, b, s));
  row("bf16", "rne", 8, false, solve<bf16>(a, b, s));
  row("bf16", "sr", 8, true, solve<bf16_sr>(a, b, s));
  row("fp32", "rne", 24, false, solve<fp32>(a, b, s));
  row("fp32", "sr", 24, true, solve<fp32_sr>(a, b, s));
  return ok ? 0 : 1;
}
