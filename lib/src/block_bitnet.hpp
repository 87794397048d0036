// BitNet b1.58's quantisers (block_bitnet.cpp), called by quantize_blocks.
#pragma once

#include <cstddef>
#include <cstdint>

#include "floatscope/block_scaling.hpp"

namespace floatscope::detail {

// Fills q.scales (fp32 dequantisation scales: one per tensor for bitnet-w1.58, one per row for
// bitnet-a8) and q.elements (integers) of the rows x cols matrix x. Throws std::invalid_argument
// for a NaN or Inf (the absmean / absmax scale needs finite values) or a scale beyond fp32's range.
// Returns how many values the clip changed (round(q) beyond the element range): for the weights
// |q| >= 1.5, for the activations none (|x| <= gamma).
std::uint64_t bitnet_quantize(const BlockScheme& s, const double* x, std::size_t rows, std::size_t cols,
                     QuantizedTensor& q);

}  // namespace floatscope::detail
