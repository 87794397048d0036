// gpu-cublaslt (private to lib/cuda): one cuBLASLt matmul for an Accumulator's input formats.
#pragma once

#include <string>
#include <vector>

#include "floatscope/accumulator.hpp"

namespace floatscope::cuda {

struct LtResult {
  std::vector<double> D;  // M x N row-major
  std::string info;       // cuBLASLt version, types, algorithm (id, tile, split-K), fast accumulation
};

// D = scale_a*scale_b*(A*B + C0) with cuBLASLt on device 0. Types from acc: fp16 and bf16 inputs
// with fp32 accumulation (fp16 compute when acc is a scalar fp16 accumulator), tf32 inputs
// (CUBLAS_COMPUTE_32F_FAST_TF32), FP8 E4M3xE4M3, E4M3xE5M2, E5M2xE4M3 with scale_a/scale_b and
// CUBLASLT_MATMUL_DESC_FAST_ACCUM unless acc promotes (h100-fp8: on; h100-fp8-promote128: off).
// Throws std::invalid_argument for formats cuBLASLt does not take.
// cublasLtGetVersion() of the library loaded at first use.
std::size_t cublaslt_version();

LtResult cublaslt_gemm(const Accumulator& acc, int M, int N, int K, const double* A, const double* B,
                       const double* C0);

}  // namespace floatscope::cuda
