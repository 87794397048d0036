// Strassen's algorithm over the emulated arithmetic (sweep key / ExperimentSpec field `algorithm`).
//
// "strassen:L" runs L levels of Strassen's recursion (V. Strassen, "Gaussian elimination is not
// optimal", Numer. Math. 13, 1969: the original 7-product formulas, not Winograd's variant). At
// each level A (m x k) and B (k x n) are cut into 2 x 2 blocks of m/2 x k/2 and k/2 x n/2 and
//
//   T1 = A11 + A22   T2 = A21 + A22   T3 = A11 + A12   T4 = A21 - A11   T5 = A12 - A22
//   S1 = B11 + B22   S2 = B12 - B22   S3 = B21 - B11   S4 = B11 + B12   S5 = B21 + B22
//   P1 = T1 S1   P2 = T2 B11   P3 = A11 S2   P4 = A22 S3   P5 = T3 B22   P6 = T4 S4   P7 = T5 S5
//   C11 = ((P1 + P4) - P5) + P7       C12 = P3 + P5
//   C21 = P2 + P4                     C22 = ((P1 - P2) + P3) + P6
//
// (the parentheses are the evaluation order). Every addition and subtraction, elementwise, is one
// rounding of the exact result onto the accumulator's format with its rounding mode (acc_format,
// rounding: acc_format = bf16 is bf16 arithmetic throughout). The seven products of the last level
// are classical GEMMs (gemm.hpp emulate_gemm) under the same accumulator, whose inputs are then
// acc_format values. So the inputs' formats must be contained in acc_format (every a_format and
// b_format value exactly representable in it), and the accumulator must be a scalar one (no fused
// block-FMA unit, compensation, output conversion or dequantisation scales: those describe one
// classical kernel, not a recursion of them).
//
// Events: the leaf GEMMs count theirs (products = 7^L (m n k / 8^L), their partial sums); every
// Strassen addition counts as one more partial sum rounded onto acc_format, with its underflow,
// overflow and saturation.
//
// Stochastic rounding: addition site s (0..17 above) of recursion node v (root 0, child j of v is
// 7v + j + 1) rounds element i of its block with CounterRng(seed, stream_of(0x5354, v, s)).bits(i);
// the leaf GEMM of node v runs with its accumulator's seeds replaced by mix64(seed ^ mix64(v)), so
// no two leaves share random bits.
#pragma once

#include <string>
#include <string_view>

#include "floatscope/accumulator.hpp"
#include "floatscope/gemm.hpp"

namespace floatscope {

// `algorithm`: "classical" (the accumulator's dot products, as every GEMM here) or "strassen:L".
struct GemmAlgorithm {
  int strassen_levels = 0;  // 0: classical
  std::string describe() const;  // the text parse_gemm_algorithm accepts
  bool operator==(const GemmAlgorithm&) const = default;
};

inline constexpr int kMaxStrassenLevels = 4;

// "classical", "strassen:L" with L in 1..4 (case-insensitive). Throws std::invalid_argument
// starting "algorithm: " and listing the accepted forms.
GemmAlgorithm parse_gemm_algorithm(std::string_view text);

// M, N and K must be multiples of 2^L. Throws std::invalid_argument naming algorithm, the size and
// the divisor.
void check_strassen_sizes(const GemmAlgorithm& alg, int M, int N, int K);

// Throws std::invalid_argument naming algorithm and the part when acc cannot run under Strassen
// (see above).
void check_strassen_accumulator(const Accumulator& acc);

// D = A*B by `levels` levels of Strassen under acc (checked as above). A: M x K, B: K x N,
// row-major, already on acc's input formats' grids (std::invalid_argument otherwise). threads is
// passed to the leaf GEMMs; results do not depend on it.
GemmResult strassen_gemm(const Accumulator& acc, int levels, int M, int N, int K, const double* A,
                         const double* B, int threads = 0);

}  // namespace floatscope
