// Reference GEMMs: one correctly rounded dot product per output, OpenMP over outputs.
// B is transposed once so that every dot product reads both operands with unit stride.
#include <stdexcept>
#include <string>
#include <vector>

#include "floatscope/parallel.hpp"
#include "floatscope/reference.hpp"

namespace floatscope {
namespace {

using DotFn = double (*)(const double*, std::ptrdiff_t, const double*, std::ptrdiff_t, std::size_t,
                         double);

void run_gemm(DotFn dot, const char* what, int M, int N, int K, const double* A, const double* B,
              const double* C0, double* C, int threads) {
  if (M < 0 || N < 0 || K < 0)
    throw std::invalid_argument(std::string(what) + ": negative size M=" + std::to_string(M) +
                                " N=" + std::to_string(N) + " K=" + std::to_string(K));
  if (M == 0 || N == 0) return;
  if (K > 0 && (A == nullptr || B == nullptr))
    throw std::invalid_argument(std::string(what) + ": A and B must not be null");
  if (C == nullptr) throw std::invalid_argument(std::string(what) + ": C must not be null");
  const std::size_t k = static_cast<std::size_t>(K);
  std::vector<double> bt(static_cast<std::size_t>(N) * k);
  for (std::size_t p = 0; p < k; ++p)
    for (std::size_t j = 0; j < static_cast<std::size_t>(N); ++j)
      bt[j * k + p] = B[p * static_cast<std::size_t>(N) + j];
  const long long total = static_cast<long long>(M) * N;
  const int nt = threads > 0 ? threads : omp_default_threads();
#pragma omp parallel for schedule(dynamic, 16) num_threads(nt) if (nt > 1 && total > 1)
  for (long long o = 0; o < total; ++o) {
    const std::size_t i = static_cast<std::size_t>(o / N), j = static_cast<std::size_t>(o % N);
    const double c0 = C0 != nullptr ? C0[o] : 0.0;
    C[o] = dot(A + i * k, 1, bt.data() + j * k, 1, k, c0);
  }
}

DotFn pick(ReferenceKind kind, bool abs, const char* what) {
  switch (kind) {
    case ReferenceKind::exact: return abs ? &absdot_exact : &dot_exact;
    case ReferenceKind::mpfr: return abs ? &absdot_mpfr : &dot_mpfr;
    case ReferenceKind::none: break;
  }
  throw std::invalid_argument(std::string(what) +
                              ": reference kind 'none' computes nothing (use exact or mpfr)");
}

}  // namespace

void reference_gemm(ReferenceKind kind, int M, int N, int K, const double* A, const double* B,
                    const double* C0, double* C, int threads) {
  run_gemm(pick(kind, false, "reference_gemm"), "reference_gemm", M, N, K, A, B, C0, C, threads);
}

void reference_absgemm(ReferenceKind kind, int M, int N, int K, const double* A, const double* B,
                       const double* C0, double* absC, int threads) {
  run_gemm(pick(kind, true, "reference_absgemm"), "reference_absgemm", M, N, K, A, B, C0, absC,
           threads);
}

}  // namespace floatscope
