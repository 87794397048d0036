// Chains of mma.sync instructions (private to lib/cuda): D = A*B + C with one warp per 16x8 tile
// of D, C in fp32 registers carried from one instruction to the next along K, exactly as a kernel
// that issues these instructions computes it.
#pragma once

#include <string>
#include <vector>

#include "floatscope/format.hpp"

namespace floatscope::cuda {

enum class MmaKind {
  f16,        // mma.sync.aligned.m16n8k16 .f32.f16.f16.f32
  bf16,       // m16n8k16 .f32.bf16.bf16.f32
  tf32,       // m16n8k8 .f32.tf32.tf32.f32
  e4m3_e4m3,  // m16n8k32 .f32.e4m3.e4m3.f32 (sm_89+)
  e4m3_e5m2,
  e5m2_e4m3,
  e5m2_e5m2,
};

struct MmaInfo {
  MmaKind kind;
  std::string ptx;  // the instruction, e.g. "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32"
  int k;            // products along K per instruction
  int min_cc;       // compute capability needed
  std::string a, b; // floatscope names of the input formats ("fp16", "e4m3", ...)
};

// The instruction for these input formats; nullptr when no mma.sync takes them.
const MmaInfo* find_mma(const Format& a, const Format& b);
const std::vector<MmaInfo>& mma_instructions();

// `batch` independent GEMMs on device 0: A (batch x M x K, row-major), B (batch x K x N,
// row-major), C0 (batch x M x N, fp32 values; nullptr: zeros), values on the instruction's input
// grids. Returns D (batch x M x N). M, N and K are padded with zeros to the tile and k.
std::vector<double> mma_gemm(const MmaInfo& mma, int batch, int M, int N, int K, const double* A,
                             const double* B, const double* C0);

}  // namespace floatscope::cuda
