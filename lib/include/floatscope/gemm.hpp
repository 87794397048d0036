// Emulated dot products and GEMMs under an Accumulator model (see accumulator.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include "floatscope/accumulator.hpp"
#include "floatscope/events.hpp"

namespace floatscope {

struct GemmResult {
  std::vector<double> C;  // M x N, row-major
  GemmEvents events;
};

// D = A*B + C0 under `acc`. A row-major M x K, B row-major K x N, C0 row-major M x N or nullptr
// (zeros). Inputs are doubles: with acc.quantize they are rounded to acc.a_format/b_format first,
// otherwise every value must already be on its format's grid (std::invalid_argument names the
// first offending matrix and index). C0 is the initial accumulator of each chain (the outer
// accumulator for promotion models). threads: 0 = OpenMP default, 1 = serial; results do not
// depend on it. Throws std::invalid_argument for negative sizes or an invalid Accumulator.
GemmResult emulate_gemm(const Accumulator& acc, int M, int N, int K, const double* A,
                        const double* B, const double* C0, int threads = 0);

// One output of such a GEMM: a and b hold K values each (b contiguous), c the initial value.
// (row, col) select the stochastic-rounding stream; events are added to *ev when given.
double emulate_dot(const Accumulator& acc, const double* a, const double* b, int K, double c = 0,
                   GemmEvents* ev = nullptr, std::uint64_t row = 0, std::uint64_t col = 0);

}  // namespace floatscope
