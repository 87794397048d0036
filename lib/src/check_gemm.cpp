// check_gemm: recorded GEMM outputs against an emulated accumulation model.
#include <algorithm>
#include <cmath>
#include <limits>

#include "floatscope/check.hpp"
#include "floatscope/gemm.hpp"
#include "floatscope/metrics.hpp"

namespace floatscope {

Format result_format(const Accumulator& acc) {
  if (acc.output_format) return *acc.output_format;
  // Promotion and scales end in the outer accumulator.
  if (acc.promote > 0 || acc.scale_a != 1.0 || acc.scale_b != 1.0) return acc.outer_format;
  if (acc.fused) return acc.fused->c_outside ? acc.fused->c_add_format : acc.fused->out;
  return acc.acc_format;
}

GemmCheck check_gemm(const Accumulator& acc, int M, int N, int K, const double* A, const double* B,
                     const double* C, const double* got, std::size_t keep, int threads) {
  const GemmResult r = emulate_gemm(acc, M, N, K, A, B, C, threads);
  GemmCheck out;
  out.out_format = result_format(acc);
  out.checked = r.C.size();
  for (std::size_t i = 0; i < r.C.size(); ++i) {
    const double want = r.C[i], have = got[i];
    if (same_result(want, have)) continue;
    ++out.wrong;
    double ulps = std::numeric_limits<double>::infinity();
    if (std::isfinite(want) && std::isfinite(have)) {
      ulps = std::fabs(have - want) / ulp_at(want, out.out_format);
      out.max_ulps = std::max(out.max_ulps, ulps);
    } else {
      ++out.nonfinite_wrong;
    }
    if (out.first.size() < keep)
      out.first.push_back({i / static_cast<std::size_t>(N), i % static_cast<std::size_t>(N), want, have, ulps});
  }
  return out;
}

}  // namespace floatscope
