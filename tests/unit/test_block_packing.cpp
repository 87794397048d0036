// Packed FP4 / FP6 storage: the layouts the frameworks use (element 0 in the low nibble, as
// PyTorch's float4_e2m1fn_x2; four FP6 codes per three bytes, element 0 in the lowest 6 bits,
// little-endian), written out here as bytes, and a lossless round trip of every code at every
// position within a byte group.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "floatscope/packing.hpp"

using namespace floatscope;

TEST_CASE("fp4: two codes per byte, element 0 in the low nibble", "[packing]") {
  const std::vector<std::uint8_t> codes = {0x1, 0x2, 0xf, 0x0, 0x7};
  const auto p = pack_codes(codes, 4);
  REQUIRE(p.size() == 3);
  CHECK(p[0] == 0x21);
  CHECK(p[1] == 0x0f);
  CHECK(p[2] == 0x07);  // an odd count leaves the last high nibble zero
}

TEST_CASE("fp6: four codes per three bytes, element 0 in the lowest 6 bits, little-endian", "[packing]") {
  // 1 | 2 << 6 | 3 << 12 | 4 << 18 = 0x103081
  const auto p = pack_codes(std::vector<std::uint8_t>{1, 2, 3, 4}, 6);
  REQUIRE(p.size() == 3);
  CHECK(p[0] == 0x81);
  CHECK(p[1] == 0x30);
  CHECK(p[2] == 0x10);
  // 0x3f everywhere fills all 24 bits
  CHECK(pack_codes(std::vector<std::uint8_t>(4, 0x3f), 6) == std::vector<std::uint8_t>{0xff, 0xff, 0xff});
}

TEST_CASE("every fp4 and fp6 code round-trips at every position of its byte group", "[packing]") {
  for (int bits : {4, 6}) {
    const int n = 1 << bits;
    const int group = bits == 4 ? 2 : 4;  // codes per whole byte group
    for (int shift = 0; shift < group; ++shift) {
      std::vector<std::uint8_t> codes(static_cast<std::size_t>(shift), 0);
      for (int c = 0; c < n; ++c) codes.push_back(static_cast<std::uint8_t>(c));
      for (int c = n - 1; c >= 0; --c) codes.push_back(static_cast<std::uint8_t>(c));  // other neighbours
      const auto p = pack_codes(codes, bits);
      CHECK(p.size() == (codes.size() * static_cast<std::size_t>(bits) + 7) / 8);
      CHECK(unpack_codes(p, bits, codes.size()) == codes);
    }
  }
}

TEST_CASE("packing refuses codes wider than the field and unpacking a wrong byte count", "[packing]") {
  CHECK_THROWS_WITH(pack_codes(std::vector<std::uint8_t>{3, 16}, 4), Catch::Contains("code 1"));
  CHECK_THROWS_WITH(pack_codes(std::vector<std::uint8_t>{64}, 6), Catch::Contains("6 bits"));
  CHECK_THROWS_WITH(unpack_codes(std::vector<std::uint8_t>{1, 2}, 6, 4), Catch::Contains("take 3 bytes"));
}
