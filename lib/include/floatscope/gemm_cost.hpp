// What a GEMM's operands cost: storage bits per element (scales included) and the operation the
// inner loop needs, derived from the element formats and the scheme traits (block_scaling.hpp).
//
// Storage: an element takes its format's code width, except a three-valued format ({-1, 0, 1},
// BitNet's ternary weights), stored five per byte in base 3 (pack_ternary, packing.hpp): 8/5 = 1.6
// bits (the information content is log2 3 = 1.585). Each scale takes its format's width: E8M0 (MX)
// 8, E4M3 (NVFP4's block scales) 8 plus one fp32 tensor scale, fp32 (FP8 recipes, BitNet) 32;
// an operand's scales are spread over its real (unpadded) elements.
// Operation: integer add/subtract when both operands are integers and one of them only takes the
// values -1, 0, 1 (each product is +-a or 0); integer multiply-add when both are integers; else a
// floating-point multiply-add.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "floatscope/block_scaling.hpp"
#include "floatscope/format.hpp"

namespace floatscope {

enum class InnerOp : std::uint8_t {
  int_add = 0,  // integer add / subtract / skip: ternary x integer
  int_mac = 1,  // integer multiply-add
  fp_fma = 2,   // floating-point multiply-add
};
std::string_view inner_op_name(InnerOp op);  // "int-add", "int-mac", "fp-fma"

// Every value of f is an integer (its smallest quantum is at least 1).
bool integer_valued(const Format& f);
// f's values are exactly {-1, 0, 1} (signed zero aside).
bool ternary_valued(const Format& f);

InnerOp inner_op(const Format& a, const Format& b);

// Bits one stored element takes (above).
double element_storage_bits(const Format& f);
// Bits of one block scale of the scheme, and of its per-tensor scale (NVFP4; 0 for the others).
double scale_storage_bits(SchemeKind k);
double tensor_scale_storage_bits(SchemeKind k);

// Storage bits per real element of a quantised operand: its elements plus its scales.
double bits_per_element(const BlockScheme& s, const QuantizedTensor& q);
// The same for a plain operand of `elements` values of format f, with one fp32 dequantisation
// scale when `scaled` (cuBLASLt's scale_a / scale_b).
double bits_per_element(const Format& f, bool scaled, std::size_t elements);

}  // namespace floatscope
