// GEMM on block-scaled operands: the element products accumulated by any Accumulator, the scales
// applied where real kernels apply them (docs/references.md s.4 and s.5).
//
//   per-tensor (fp8-tensor, fp8-delayed, bitnet-w1.58):  D = RN(acc * RN(sa sb)), acc over all of K
//                                          (the Accumulator's own scale_a/scale_b step);
//   row-wise (fp8-row, bitnet-a8; a per-tensor scale broadcasts): D = RN(RN(acc * sb[n]) * sa[m]),
//   B first. BitNet's bitnet-a8+bitnet-w1.58 is this case: D = RN(RN(acc * s_w) * s_x[m]), acc the
//   exact integer sum (integer elements on both sides must be summed exactly: an accumulator that
//   cannot hold every partial sum, max|a| max|b| K, is refused; fp32 holds K <= 132104 for int8 x
//   ternary);
//   K-blocked (MX, NVFP4, fp8-tile1x128, fp8-block128x128; both operands with the same block
//   length Kb along K): each block's element products go through the Accumulator from 0 (for the
//   MX dot product of OCP MX v1.0, the "sum of element products"), giving p; the running sum is
//   c = RN(p * RN(sa sb) + c), rounded once (an FMA); NVFP4 then multiplies by its tensor scales,
//   D = RN(c * RN(ta tb)).
// RN is one rounding into the Accumulator's outer format with its outer rounding (fp32 with
// round-to-nearest-even for the named models and for custom accumulators); then the output
// conversion, if any. A NaN scale (an MX or NVFP4 block holding NaN or Inf) makes every output it
// touches NaN.
#pragma once

#include "floatscope/accumulator.hpp"
#include "floatscope/block_scaling.hpp"
#include "floatscope/gemm.hpp"

namespace floatscope {

enum class ScaleApplication : std::uint8_t { per_tensor, per_row, per_k_block };

// How a pair of schemes (A's, B's) is applied; throws std::invalid_argument when the pair cannot
// be combined (naming both).
ScaleApplication scale_application(const BlockScheme& a, const BlockScheme& b);

// D = A*B. A: M x K quantised with blocks along K (rows >= M: 128x128 blocks may pad rows);
// Bt: B's transpose, N x K, likewise. acc.a_format / b_format must be the element formats.
// threads: 0 = OpenMP default. Stochastic roundings inside block b of output (i, j) draw stream
// stream_of(i * blocks + b, j).
GemmResult emulate_block_gemm(const Accumulator& acc, const BlockScheme& sa, const QuantizedTensor& A,
                              const BlockScheme& sb, const QuantizedTensor& Bt, int M, int N, int K,
                              int threads = 0);

}  // namespace floatscope
