// Emulated GEMMs against Eigen's plain double GEMM, an oracle that shares no code with floatscope.
//   - On small-integer data every partial sum is an integer far below 2^11, so every model whose
//     accumulator and products hold such integers (every named hardware model, and fp16/fp32
//     scalar accumulators in any order) must give exactly A*B + C, which Eigen computes exactly.
//   - The exact reference on random data lies within the classical bound of Eigen's result:
//     |D_exact - D_double| <= gamma_(K+1) (|A||B| + |C|), gamma_n = n u / (1 - n u), u = 2^-53.
// GCC 12 reports false -Wmaybe-uninitialized inside Eigen 3.4's AVX-512 kernels (avx512fintrin.h).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <Eigen/Dense>

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "floatscope/gemm.hpp"
#include "floatscope/models.hpp"
#include "floatscope/reference.hpp"

using namespace floatscope;

namespace {

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMajor>;

std::vector<double> small_integers(std::size_t n, std::mt19937_64& g) {
  std::vector<double> v(n);
  for (auto& x : v) x = static_cast<double>(static_cast<int>(g() % 9) - 4);  // -4..4
  return v;
}

// D = A*B + C in double by Eigen (row-major M x K, K x N, M x N).
RowMajor eigen_gemm(int M, int N, int K, const std::vector<double>& A,
                    const std::vector<double>& B, const std::vector<double>& C) {
  RowMajor D = ConstMap(A.data(), M, K) * ConstMap(B.data(), K, N);
  D += ConstMap(C.data(), M, N);
  return D;
}

}  // namespace

TEST_CASE("integer GEMMs are exact in every hardware model (Eigen double GEMM)", "[gemm][eigen]") {
  const int M = 9, N = 7, K = 96;
  std::mt19937_64 g(42);
  const auto A = small_integers(static_cast<std::size_t>(M) * K, g);
  const auto B = small_integers(static_cast<std::size_t>(K) * N, g);
  const auto C = small_integers(static_cast<std::size_t>(M) * N, g);
  const RowMajor want = eigen_gemm(M, N, K, A, B, C);
  for (const ModelInfo& m : hardware_models()) {
    for (const std::string& in : m.input_formats) {
      const Format f = parse_format(in);
      if (f.max_finite < 4 || f.precision < 3) continue;  // cannot hold -4..4
      const Accumulator acc = model_accumulator(m.name, f, f);
      const GemmResult r = emulate_gemm(acc, M, N, K, A.data(), B.data(), C.data(), 1);
      INFO(m.name << " inputs " << in);
      CHECK(ConstMap(r.C.data(), M, N) == want);
    }
  }
}

TEST_CASE("integer GEMMs are exact in fp16 and fp32 accumulators in every order (Eigen)",
          "[gemm][eigen]") {
  const int M = 5, N = 6, K = 64;  // |D| <= 64 * 16 + 4 < 2^11: every partial sum is an fp16 integer
  std::mt19937_64 g(7);
  const auto A = small_integers(static_cast<std::size_t>(M) * K, g);
  const auto B = small_integers(static_cast<std::size_t>(K) * N, g);
  const auto C = small_integers(static_cast<std::size_t>(M) * N, g);
  const RowMajor want = eigen_gemm(M, N, K, A, B, C);
  for (const char* accf : {"fp16", "fp32"}) {  // not bf16: 8 bits cannot hold e.g. 1029
    for (const char* order : {"sequential", "reverse", "pairwise", "blocked:8", "splitk:3", "random:5"}) {
      for (Mode mode : {Mode::rne, Mode::rtz, Mode::rdn, Mode::sr}) {
        Accumulator acc = make_scalar_accumulator(parse_format("e4m3"), parse_format(accf), Rounding{mode});
        acc.order = parse_accumulator_order(order);
        const GemmResult r = emulate_gemm(acc, M, N, K, A.data(), B.data(), C.data(), 1);
        INFO(acc.describe());
        CHECK(ConstMap(r.C.data(), M, N) == want);
      }
    }
  }
}

TEST_CASE("the exact reference lies within the double GEMM's error bound (Eigen)", "[gemm][eigen]") {
  const int M = 12, N = 10, K = 300;
  std::mt19937_64 g(3);
  std::normal_distribution<double> nd;
  std::vector<double> A(static_cast<std::size_t>(M) * K), B(static_cast<std::size_t>(K) * N),
      C(static_cast<std::size_t>(M) * N);
  for (auto* v : {&A, &B, &C})
    for (auto& x : *v) x = nd(g);
  const RowMajor approx = eigen_gemm(M, N, K, A, B, C);
  const RowMajor absd = ConstMap(A.data(), M, K).cwiseAbs() * ConstMap(B.data(), K, N).cwiseAbs() +
                        ConstMap(C.data(), M, N).cwiseAbs();
  std::vector<double> exact(static_cast<std::size_t>(M) * N);
  reference_gemm(ReferenceKind::exact, M, N, K, A.data(), B.data(), C.data(), exact.data(), 1);
  const double nu = (K + 1) * std::ldexp(1.0, -53), gamma = nu / (1 - nu);
  const RowMajor err = (ConstMap(exact.data(), M, N) - approx).cwiseAbs();
  // 1.01: the bound itself is evaluated in double.
  CHECK((err.array() <= 1.01 * gamma * absd.array()).all());
  CHECK(err.maxCoeff() > 0);  // the comparison is not vacuous: double GEMM does round here
}
