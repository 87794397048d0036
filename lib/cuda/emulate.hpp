// gpu-emulated (private to lib/cuda): an Accumulator's dot products as CUDA threads, one output
// each, through the engine's own step functions (detail/accumulate_step.hpp).
#pragma once

#include <vector>

#include "floatscope/accumulator.hpp"

namespace floatscope::cuda {

// Throws std::invalid_argument naming the part the GPU emulation does not run (the cpu backend
// does): everything else gives the cpu backend's bits.
void check_emulable(const Accumulator& acc);

// D = A*B + C0 (C0 nullptr: zeros) under acc on device 0; A: M x K row-major, B: K x N row-major.
std::vector<double> emulate_on_device(const Accumulator& acc, int M, int N, int K, const double* A,
                                      const double* B, const double* C0);

}  // namespace floatscope::cuda
