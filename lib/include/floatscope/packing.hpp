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

}  // namespace floatscope
