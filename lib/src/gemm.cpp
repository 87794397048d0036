// GEMM driver: input quantisation / grid checks, then one DotEngine evaluation per output
// (or a column-vectorised kernel where gemm_kernels.cpp has one for the model).
#include "floatscope/gemm.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <cmath>
#include <stdexcept>

#include "accumulator_engine.hpp"
#include "floatscope/parallel.hpp"
#include "gemm_kernels.hpp"

namespace floatscope {
namespace {

bool on_grid(double x, const Format& f) {
  if (std::isnan(x)) return f.has_nan();
  if (std::isinf(x)) return f.has_inf();
  return round(x, f, Rounding{}) == x;
}

// Rounds (quantise) or checks (on-grid) K values of one row of A / column of B.
// stream_id: 0 for A rows, 1 for B columns; which: index of that row/column.
void prepare(const Accumulator& acc, const Format& f, const char* name, double* v, int K,
             std::uint64_t stream_id, std::uint64_t which, std::size_t stride_index_base,
             std::size_t stride) {
  if (acc.quantize) {
    Rounding r = *acc.quantize;
    r.stream = stream_of(stream_id, which);
    for (int k = 0; k < K; ++k) v[k] = round(v[k], f, r, static_cast<std::uint64_t>(k));
    return;
  }
  for (int k = 0; k < K; ++k)
    if (!on_grid(v[k], f))
      throw std::invalid_argument(fmt::format(
          "{}[{}] = {} is not a {} value (round or quantise the inputs first)", name,
          stride_index_base + static_cast<std::size_t>(k) * stride, v[k], f.name));
}

}  // namespace

double emulate_dot(const Accumulator& acc, const double* a, const double* b, int K, double c,
                   GemmEvents* ev, std::uint64_t row, std::uint64_t col) {
  if (K < 0) throw std::invalid_argument(fmt::format("dot product length {} < 0", K));
  const detail::DotEngine engine(acc);
  std::vector<double> av(a, a + K), bv(b, b + K);
  prepare(acc, acc.a_format, "a", av.data(), K, 0, row, 0, 1);
  prepare(acc, acc.b_format, "b", bv.data(), K, 1, col, 0, 1);
  return engine.run(av.data(), bv.data(), K, c, ev, row, col);
}

GemmResult emulate_gemm(const Accumulator& acc, int M, int N, int K, const double* A,
                        const double* B, const double* C0, int threads) {
  if (M < 0 || N < 0 || K < 0)
    throw std::invalid_argument(fmt::format("GEMM sizes M={} N={} K={} must be >= 0", M, N, K));
  const detail::DotEngine engine(acc);
  const std::size_t Ms = static_cast<std::size_t>(M), Ns = static_cast<std::size_t>(N),
                    Ks = static_cast<std::size_t>(K);
  // Row-major A as given; B transposed so that each column is contiguous.
  std::vector<double> a(A, A + Ms * Ks), bt(Ns * Ks);
  for (std::size_t k = 0; k < Ks; ++k)
    for (std::size_t j = 0; j < Ns; ++j) bt[j * Ks + k] = B[k * Ns + j];
  for (std::size_t i = 0; i < Ms; ++i)
    prepare(acc, acc.a_format, "A", a.data() + i * Ks, K, 0, i, i * Ks, 1);
  for (std::size_t j = 0; j < Ns; ++j)
    prepare(acc, acc.b_format, "B", bt.data() + j * Ks, K, 1, j, j, Ns);

  // C read in D's type: converted once here, so the column kernels see the same C as engine.run.
  std::vector<double> c_conv;
  if (acc.c_format && C0) {
    c_conv.assign(C0, C0 + Ms * Ns);
    for (double& c : c_conv) c = round(c, *acc.c_format, acc.c_rounding);
    C0 = c_conv.data();
  }

  GemmResult res;
  res.C.assign(Ms * Ns, 0.0);
  const int nt = threads > 0 ? threads : omp_default_threads();
  if (detail::gemm_kernel(engine, M, N, K, a.data(), bt.data(), C0, res.C.data(), res.events, nt))
    return res;

  std::vector<GemmEvents> per_thread(static_cast<std::size_t>(nt));
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
  for (int i = 0; i < M; ++i) {
    GemmEvents& ev = per_thread[static_cast<std::size_t>(omp_get_thread_num())];
    const std::size_t is = static_cast<std::size_t>(i);
    for (std::size_t j = 0; j < Ns; ++j) {
      const double c = C0 ? C0[is * Ns + j] : 0.0;
      res.C[is * Ns + j] = engine.run(a.data() + is * Ks, bt.data() + j * Ks, K, c, &ev, is, j);
    }
  }
  for (const auto& e : per_thread) res.events += e;
  return res;
}

}  // namespace floatscope
