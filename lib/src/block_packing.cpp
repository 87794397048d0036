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

std::vector<std::uint8_t> pack_ternary(std::span<const std::int8_t> values) {
  std::vector<std::uint8_t> out((values.size() + 4) / 5, 0);
  static constexpr unsigned kPow3[5] = {1, 3, 9, 27, 81};
  for (std::size_t i = 0; i < values.size(); ++i) {
    const int v = values[i];
    if (v < -1 || v > 1)
      throw std::invalid_argument(fmt::format("packing: value {} ({}) is not ternary (-1, 0, 1)", i, v));
    out[i / 5] = static_cast<std::uint8_t>(out[i / 5] + static_cast<unsigned>(v + 1) * kPow3[i % 5]);
  }
  return out;
}

std::vector<std::int8_t> unpack_ternary(std::span<const std::uint8_t> bytes, std::size_t count) {
  const std::size_t need = (count + 4) / 5;
  if (bytes.size() != need)
    throw std::invalid_argument(
        fmt::format("packing: {} ternary values take {} bytes (five per byte), got {}", count, need, bytes.size()));
  std::vector<std::int8_t> out(count);
  for (std::size_t b = 0; b < bytes.size(); ++b) {
    if (bytes[b] > 242)
      throw std::invalid_argument(fmt::format("packing: byte {} ({}) is not five base-3 digits (at most 242)", b, bytes[b]));
    unsigned w = bytes[b];
    for (std::size_t d = 0; d < 5 && b * 5 + d < count; ++d, w /= 3)
      out[b * 5 + d] = static_cast<std::int8_t>(static_cast<int>(w % 3) - 1);
  }
  return out;
}

}  // namespace floatscope
