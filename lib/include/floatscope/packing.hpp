// Packed storage of sub-byte element codes (FP4, FP6), as the frameworks store them.
//
// Codes are laid out as one little-endian bit stream, code i at bits [i*w, (i+1)*w): for w = 4 two
// codes per byte with code 0 in the low nibble (PyTorch's float4_e2m1fn_x2), for w = 6 four codes
// per three bytes with code 0 in the lowest 6 bits. A count that does not fill the last byte
// leaves its high bits zero.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace floatscope {

// Packs codes of `bits` bits each (1..8). Throws std::invalid_argument naming the first code
// with bits above the width.
std::vector<std::uint8_t> pack_codes(std::span<const std::uint8_t> codes, int bits);

// Unpacks `count` codes of `bits` bits. Throws std::invalid_argument when `bytes` holds fewer than
// ceil(count * bits / 8) bytes or more.
std::vector<std::uint8_t> unpack_codes(std::span<const std::uint8_t> bytes, int bits, std::size_t count);

// ceil(count * bits / 8).
std::size_t packed_size(std::size_t count, int bits);

// Ternary values (-1, 0, 1; BitNet b1.58's weights) five per byte in base 3: digit t = v + 1 of
// value i is worth 3^(i mod 5) in byte i / 5 (value 0 in the lowest digit), so a byte is at most
// 242 and an element takes 8/5 = 1.6 bits (log2 3 = 1.585 is the bound). A count that does not fill
// the last byte leaves its high digits 0. Throws std::invalid_argument naming the first value
// outside {-1, 0, 1}.
std::vector<std::uint8_t> pack_ternary(std::span<const std::int8_t> values);
// Unpacks `count` values; throws std::invalid_argument when `bytes` holds not exactly
// ceil(count / 5) bytes or a byte is above 242.
std::vector<std::int8_t> unpack_ternary(std::span<const std::uint8_t> bytes, std::size_t count);

}  // namespace floatscope
