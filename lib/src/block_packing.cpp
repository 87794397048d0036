// Bit-stream packing of sub-byte codes (packing.hpp).
#include <fmt/format.h>

#include <stdexcept>

#include "floatscope/packing.hpp"

namespace floatscope {

namespace {

void check_bits(int bits) {
  if (bits < 1 || bits > 8) throw std::invalid_argument(fmt::format("packing: {} bits per code is not in 1..8", bits));
}

}  // namespace

std::size_t packed_size(std::size_t count, int bits) {
  check_bits(bits);
  return (count * static_cast<std::size_t>(bits) + 7) / 8;
}

std::vector<std::uint8_t> pack_codes(std::span<const std::uint8_t> codes, int bits) {
  std::vector<std::uint8_t> out(packed_size(codes.size(), bits), 0);
  const unsigned limit = 1u << bits;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (codes[i] >= limit)
      throw std::invalid_argument(fmt::format("packing: code {} (0x{:02x}) does not fit in {} bits", i, codes[i], bits));
    const std::size_t bit = i * static_cast<std::size_t>(bits);
    // A code spans at most two bytes (bits <= 8).
    const unsigned v = static_cast<unsigned>(codes[i]) << (bit % 8);
    out[bit / 8] |= static_cast<std::uint8_t>(v & 0xff);
    if ((v >> 8) != 0) out[bit / 8 + 1] |= static_cast<std::uint8_t>(v >> 8);
  }
  return out;
}

std::vector<std::uint8_t> unpack_codes(std::span<const std::uint8_t> bytes, int bits, std::size_t count) {
  const std::size_t need = packed_size(count, bits);
  if (bytes.size() != need)
    throw std::invalid_argument(fmt::format("packing: {} codes of {} bits take {} bytes, got {}", count, bits,
                                            need, bytes.size()));
  std::vector<std::uint8_t> out(count);
  const unsigned mask = (1u << bits) - 1;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t bit = i * static_cast<std::size_t>(bits);
    unsigned w = bytes[bit / 8];
    if (bit / 8 + 1 < bytes.size()) w |= static_cast<unsigned>(bytes[bit / 8 + 1]) << 8;
    out[i] = static_cast<std::uint8_t>((w >> (bit % 8)) & mask);
  }
  return out;
}

}  // namespace floatscope
