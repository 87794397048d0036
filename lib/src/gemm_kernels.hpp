// Column-vectorised GEMM kernels for the common models (private; lib/src/simd/gemm_kernels.cpp,
// one source per SIMD level). Each computes exactly what
// DotEngine::run computes; tests compare both against MPFR re-executions.
#pragma once

#include "accumulator_engine.hpp"

namespace floatscope::detail {

// Runs the whole GEMM (inputs already prepared; bt is B transposed, N x K) when a fast kernel
// covers the engine's model, adding events; returns false (and does nothing) otherwise.
bool gemm_kernel(const DotEngine& engine, int M, int N, int K, const double* a, const double* bt,
                 const double* C0, double* out, GemmEvents& events, int threads);

}  // namespace floatscope::detail
