// wgmma (sm_90a) instruction steps (private to lib/cuda): one warpgroup per 64x8 tile of D, A in
// registers, B in shared memory, C carried in fp32 registers along K.
#pragma once

#include <string>
#include <vector>

namespace floatscope::cuda {

struct WgmmaInfo {
  int kind;         // 0: f16 (m64n8k16), 1: e4m3 x e4m3 (m64n8k32)
  std::string ptx;  // the instruction
  int k;            // products along K per instruction
  std::string a, b; // floatscope format names
};

const std::vector<WgmmaInfo>& wgmma_instructions();

// `batch` GEMMs of M x N x K through a chain of wgmma instructions on device 0 (an sm_90 GPU);
// layout as mma_gemm. Throws std::runtime_error on a CUDA error.
std::vector<double> wgmma_gemm(const WgmmaInfo& w, int batch, int M, int N, int K, const double* A,
                               const double* B, const double* C0);

}  // namespace floatscope::cuda
