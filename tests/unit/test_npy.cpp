// .npy reading and writing, checked against byte layouts built here exactly as numpy.save writes
// them (NEP 1 / numpy.lib.format): magic, version, little-endian header length, a dict literal padded
// with spaces to a multiple of 64 bytes and ended by '\n', then the raw little-endian data.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <unistd.h>

#include "floatscope/format.hpp"
#include "floatscope/npy.hpp"

namespace fs = std::filesystem;
using floatscope::NpyError;

namespace {

// A private scratch folder, removed when the test program exits.
struct ScratchDir {
  fs::path path;
  ScratchDir()
      : path(fs::temp_directory_path() /
             ("floatscope_test_npy_" + std::to_string(static_cast<unsigned long>(::getpid())))) {
    fs::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

fs::path test_dir() {
  static const ScratchDir dir;
  return dir.path;
}

std::string tmp_path(const std::string& name) { return (test_dir() / name).string(); }

// Header exactly as numpy writes it for the given dict text and version.
std::string npy_header(const std::string& dict, int major = 1) {
  const std::size_t prefix = major == 1 ? 10 : 12;
  const std::size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  const std::size_t hlen = total - prefix;
  std::string h("\x93NUMPY", 6);
  h += static_cast<char>(major);
  h += '\0';
  for (std::size_t k = 0; k < (major == 1 ? 2u : 4u); ++k) h += static_cast<char>((hlen >> (8 * k)) & 0xff);
  h += dict;
  h.append(hlen - dict.size() - 1, ' ');
  h += '\n';
  return h;
}

template <class T>
std::string le_bytes(const std::vector<T>& v) {
  std::string s(v.size() * sizeof(T), '\0');
  if (!v.empty()) std::memcpy(s.data(), v.data(), s.size());
  return s;
}

std::string write_bytes(const std::string& name, const std::string& bytes) {
  const std::string p = tmp_path(name);
  std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return p;
}

std::string read_bytes(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The error must name the file and say what is wrong.
void require_npy_error(const std::string& path, const std::string& what) {
  try {
    (void)floatscope::read_npy(path);
    FAIL("no NpyError for " << path << " (expected: " << what << ")");
  } catch (const NpyError& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find(path) != std::string::npos);
    CHECK(msg.find(what) != std::string::npos);
  }
}

std::string dict_of(const std::string& descr, const std::string& shape, bool fortran = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + shape + ", }";
}

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

}  // namespace

TEST_CASE("npy: reads a hand-built float32 file", "[npy]") {
  const std::vector<float> v = {1.0f, -2.5f, 0x1p-149f, 3.0e38f, -0.0f, 0.1f};
  const auto p = write_bytes("f4.npy", npy_header(dict_of("<f4", "(2, 3)")) + le_bytes(v));
  const auto a = floatscope::read_npy(p);
  CHECK(a.descr == "<f4");
  CHECK(a.shape == std::vector<std::size_t>{2, 3});
  CHECK_FALSE(a.fortran_order);
  CHECK(a.size() == 6);
  CHECK(a.rows() == 2);
  CHECK(a.cols() == 3);
  CHECK(a.itemsize() == 4);
  const auto d = floatscope::npy_to_doubles(a);
  REQUIRE(d.size() == 6);
  for (std::size_t i = 0; i < v.size(); ++i) CHECK(same_bits(d[i], static_cast<double>(v[i])));
}

TEST_CASE("npy: header written by write_npy is numpy's, byte for byte", "[npy]") {
  const std::vector<double> v = {1, 2, 3, 4, 5, 6};
  const auto p = tmp_path("w64.npy");
  floatscope::write_npy(p, v.data(), {2, 3});
  const std::string expected = npy_header(dict_of("<f8", "(2, 3)")) + le_bytes(v);
  CHECK(expected.size() == 128 + 48);  // numpy: 10-byte prefix + 118-byte header (0x76)
  CHECK(read_bytes(p) == expected);
  CHECK_FALSE(fs::exists(p + ".tmp"));

  const std::vector<double> w = {0.5, -1, 2};
  floatscope::write_npy(p, w.data(), {3}, true);
  CHECK(read_bytes(p) == npy_header(dict_of("<f4", "(3,)")) + le_bytes(std::vector<float>{0.5f, -1, 2}));

  floatscope::write_npy(p, w.data(), {});
  CHECK(read_bytes(p) == npy_header(dict_of("<f8", "()")) + le_bytes(std::vector<double>{0.5}));
}

TEST_CASE("npy: float64 and float32 round trips keep every bit", "[npy]") {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> v = {0.1, -0.0, 0x1p-1074, 0x1.fffffffffffffp1023, inf, -inf, nan, 1e-300,
                                 3, 4, 5, 6};
  const auto p = tmp_path("rt.npy");
  floatscope::write_npy(p, v.data(), {3, 2, 2});
  auto a = floatscope::read_npy(p);
  CHECK(a.shape == std::vector<std::size_t>{3, 2, 2});
  CHECK(a.rows() == 3);
  CHECK(a.cols() == 4);
  auto d = floatscope::npy_to_doubles(a);
  REQUIRE(d.size() == v.size());
  for (std::size_t i = 0; i < v.size(); ++i) CHECK(same_bits(d[i], v[i]));

  const std::vector<double> f = {0.5, -0.0, 0x1p-149, 0x1.fffffep127, inf, -inf, nan, 16777216};
  floatscope::write_npy(p, f.data(), {8}, true);
  a = floatscope::read_npy(p);
  CHECK(a.descr == "<f4");
  CHECK(a.rows() == 8);
  CHECK(a.cols() == 1);
  d = floatscope::npy_to_doubles(a);
  REQUIRE(d.size() == f.size());
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (std::isnan(f[i])) CHECK(std::isnan(d[i]));
    else CHECK(same_bits(d[i], f[i]));
  }
}

TEST_CASE("npy: write_npy as float32 refuses inexact values and leaves the old file", "[npy]") {
  const auto p = tmp_path("lossy.npy");
  const std::vector<double> good = {1, 2};
  floatscope::write_npy(p, good.data(), {2});
  const std::string before = read_bytes(p);
  for (double bad : {0.1, 16777217.0, 1e39, 0x1p-150}) {
    const std::vector<double> v = {1, 2, bad};
    try {
      floatscope::write_npy(p, v.data(), {3}, true);
      FAIL("no error for " << bad);
    } catch (const NpyError& e) {
      const std::string msg = e.what();
      INFO(msg);
      CHECK(msg.find(p) != std::string::npos);
      CHECK(msg.find("index 2") != std::string::npos);
    }
  }
  CHECK(read_bytes(p) == before);
  CHECK_FALSE(fs::exists(p + ".tmp"));
  // Unwritable destination: the error names it.
  CHECK_THROWS_AS(floatscope::write_npy(tmp_path("no/such/dir/x.npy"), good.data(), {2}), NpyError);
}

TEST_CASE("npy: Fortran order is transposed to C order", "[npy]") {
  // C matrix [[1,2,3],[4,5,6]] stored column by column.
  const std::vector<double> col = {1, 4, 2, 5, 3, 6};
  auto p = write_bytes("fort.npy", npy_header(dict_of("<f8", "(2, 3)", true)) + le_bytes(col));
  auto a = floatscope::read_npy(p);
  CHECK(a.fortran_order);
  CHECK(floatscope::npy_to_doubles(a) == std::vector<double>{1, 2, 3, 4, 5, 6});

  // 3-D: element (i,j,k) of shape (2,3,4) sits at Fortran offset i + 2j + 6k; store 100i+10j+k.
  std::vector<std::uint32_t> f3(24);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) f3[i + 2 * j + 6 * k] = 100 * i + 10 * j + k;
  p = write_bytes("fort3.npy", npy_header(dict_of("<u4", "(2, 3, 4)", true)) + le_bytes(f3));
  a = floatscope::read_npy(p);
  const auto w = floatscope::npy_to_u32(a);
  const auto d = floatscope::npy_to_doubles(a);
  std::size_t c = 0;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k, ++c) {
        CHECK(w[c] == static_cast<std::uint32_t>(100 * i + 10 * j + k));
        CHECK(d[c] == 100 * i + 10 * j + k);
      }
}

TEST_CASE("npy: float16 decodes known binary16 patterns", "[npy]") {
  const std::vector<std::uint16_t> h = {0x3c00, 0x7bff, 0x0001, 0x03ff, 0x0400, 0xc000,
                                        0x8000, 0x7c00, 0xfc00, 0x7e00, 0x3555, 0x0000};
  const auto p = write_bytes("f2.npy", npy_header(dict_of("<f2", "(12,)")) + le_bytes(h));
  const auto d = floatscope::npy_to_doubles(floatscope::read_npy(p));
  REQUIRE(d.size() == 12);
  CHECK(d[0] == 1.0);
  CHECK(d[1] == 65504.0);
  CHECK(d[2] == 0x1p-24);
  CHECK(d[3] == 1023 * 0x1p-24);   // largest subnormal
  CHECK(d[4] == 0x1p-14);          // smallest normal
  CHECK(d[5] == -2.0);
  CHECK(same_bits(d[6], -0.0));
  CHECK(d[7] == std::numeric_limits<double>::infinity());
  CHECK(d[8] == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(d[9]));
  CHECK(d[10] == 0x1.554p-2);      // 0.333251953125, fp16 nearest to 1/3
  CHECK(same_bits(d[11], 0.0));
}

TEST_CASE("npy: integer dtypes give their integer values", "[npy]") {
  auto read = [](const std::string& name, const std::string& descr, const std::string& data, const std::string& shape) {
    return floatscope::npy_to_doubles(floatscope::read_npy(write_bytes(name, npy_header(dict_of(descr, shape)) + data)));
  };
  CHECK(read("u1.npy", "|u1", le_bytes(std::vector<std::uint8_t>{0, 7, 255}), "(3,)") == std::vector<double>{0, 7, 255});
  CHECK(read("u2.npy", "<u2", le_bytes(std::vector<std::uint16_t>{65535, 1}), "(2,)") == std::vector<double>{65535, 1});
  CHECK(read("u4.npy", "<u4", le_bytes(std::vector<std::uint32_t>{4294967295u}), "(1,)") == std::vector<double>{4294967295.0});
  CHECK(read("i1.npy", "|i1", le_bytes(std::vector<std::int8_t>{-128, 127}), "(2,)") == std::vector<double>{-128, 127});
  CHECK(read("i2.npy", "<i2", le_bytes(std::vector<std::int16_t>{-32768, 5}), "(2,)") == std::vector<double>{-32768, 5});
  CHECK(read("i4.npy", "<i4", le_bytes(std::vector<std::int32_t>{-2147483647 - 1}), "(1,)") == std::vector<double>{-2147483648.0});
  CHECK(read("i8.npy", "<i8", le_bytes(std::vector<std::int64_t>{-(std::int64_t{1} << 53), 42}), "(2,)") ==
        std::vector<double>{-0x1p53, 42});
  // '=' (native) is stored in canonical form.
  CHECK(floatscope::read_npy(write_bytes("eq.npy", npy_header(dict_of("=u2", "(1,)")) + le_bytes(std::vector<std::uint16_t>{3}))).descr == "<u2");
  // 2^53 + 1 cannot be a double: refused with the index.
  const auto p = write_bytes("u8.npy", npy_header(dict_of("<u8", "(2,)")) +
                                           le_bytes(std::vector<std::uint64_t>{1, (std::uint64_t{1} << 53) + 1}));
  const auto a = floatscope::read_npy(p);
  CHECK_THROWS_WITH(floatscope::npy_to_doubles(a), Catch::Contains(p) && Catch::Contains("index 1"));
}

TEST_CASE("npy: u32 words and element codes", "[npy]") {
  const auto p = write_bytes("w.npy", npy_header(dict_of("<u4", "(2,)")) +
                                          le_bytes(std::vector<std::uint32_t>{0x3f800000u, 0xffffffffu}));
  CHECK(floatscope::npy_to_u32(floatscope::read_npy(p)) == std::vector<std::uint32_t>{0x3f800000u, 0xffffffffu});
  const auto pf = write_bytes("wf.npy", npy_header(dict_of("<f4", "(1,)")) + le_bytes(std::vector<float>{1}));
  CHECK_THROWS_WITH(floatscope::npy_to_u32(floatscope::read_npy(pf)), Catch::Contains(pf) && Catch::Contains("<u4"));

  // OCP E4M3 codes: 0x7e = 448 (max), 0x01 = 2^-9, 0x80 = -0, 0x38 = 1, 0xff = NaN.
  const auto e4m3 = floatscope::parse_format("e4m3");
  const auto pc = write_bytes("c.npy", npy_header(dict_of("|u1", "(5,)")) +
                                           le_bytes(std::vector<std::uint8_t>{0x7e, 0x01, 0x80, 0x38, 0xff}));
  const auto c = floatscope::npy_codes_to_doubles(floatscope::read_npy(pc), e4m3);
  CHECK(c[0] == 448);
  CHECK(c[1] == 0x1p-9);
  CHECK(same_bits(c[2], -0.0));
  CHECK(c[3] == 1);
  CHECK(std::isnan(c[4]));
  // bf16 codes in <u2: 0x3f80 = 1, 0xc040 = -3.
  const auto pb = write_bytes("bf.npy", npy_header(dict_of("<u2", "(2,)")) + le_bytes(std::vector<std::uint16_t>{0x3f80, 0xc040}));
  CHECK(floatscope::npy_codes_to_doubles(floatscope::read_npy(pb), floatscope::parse_format("bf16")) ==
        std::vector<double>{1, -3});
  // Too narrow a dtype for the format, bits above the width, signed/float dtypes.
  CHECK_THROWS_WITH(floatscope::npy_codes_to_doubles(floatscope::read_npy(pc), floatscope::parse_format("fp16")),
                    Catch::Contains(pc) && Catch::Contains("16 bits"));
  const auto pw = write_bytes("wide.npy", npy_header(dict_of("<u2", "(2,)")) + le_bytes(std::vector<std::uint16_t>{0x38, 0x138}));
  CHECK_THROWS_WITH(floatscope::npy_codes_to_doubles(floatscope::read_npy(pw), e4m3),
                    Catch::Contains(pw) && Catch::Contains("index 1"));
  CHECK_THROWS_AS(floatscope::npy_codes_to_doubles(floatscope::read_npy(pf), e4m3), NpyError);
}

TEST_CASE("npy: versions 2.0 and 3.0, scalars and empty arrays", "[npy]") {
  for (int major : {2, 3}) {
    const auto p = write_bytes(std::string("v") + std::to_string(major) + ".npy",
                               npy_header(dict_of("<f8", "(2,)"), major) + le_bytes(std::vector<double>{1.5, -2}));
    CHECK(floatscope::npy_to_doubles(floatscope::read_npy(p)) == std::vector<double>{1.5, -2});
  }
  const auto s = floatscope::read_npy(write_bytes("scalar.npy", npy_header(dict_of("<f8", "()")) + le_bytes(std::vector<double>{7})));
  CHECK(s.shape.empty());
  CHECK(s.size() == 1);
  CHECK(s.rows() == 1);
  CHECK(s.cols() == 1);
  CHECK(floatscope::npy_to_doubles(s) == std::vector<double>{7});
  const auto e = floatscope::read_npy(write_bytes("empty.npy", npy_header(dict_of("<f4", "(0, 3)"))));
  CHECK(e.size() == 0);
  CHECK(e.cols() == 3);
  CHECK(floatscope::npy_to_doubles(e).empty());
  // Key order and quoting are free in a dict literal; the trailing comma is optional.
  const auto o = floatscope::read_npy(write_bytes(
      "order.npy", npy_header("{\"shape\": (1, 1), \"fortran_order\": False, \"descr\": \"<f8\"}") + le_bytes(std::vector<double>{3})));
  CHECK(floatscope::npy_to_doubles(o) == std::vector<double>{3});
}

TEST_CASE("npy: every malformation is a clear error naming the file", "[npy]") {
  const std::string ok_data = le_bytes(std::vector<double>{1, 2});
  require_npy_error(tmp_path("does_not_exist.npy"), "no such file");
  require_npy_error(test_dir().string(), "not a regular file");
  require_npy_error(write_bytes("magic.npy", "PK\x03\x04 not numpy at all"), "magic");
  require_npy_error(write_bytes("short.npy", std::string("\x93NUM", 4)), "magic");
  {
    std::string h = npy_header(dict_of("<f8", "(2,)"));
    h[6] = 4;
    require_npy_error(write_bytes("v4.npy", h + ok_data), "version 4.0");
    h[6] = 1;
    h[7] = 1;
    require_npy_error(write_bytes("v11.npy", h + ok_data), "version 1.1");
  }
  require_npy_error(write_bytes("hlen.npy", std::string("\x93NUMPY\x01\x00", 8) + "\x7f"), "truncated");
  require_npy_error(write_bytes("hcut.npy", npy_header(dict_of("<f8", "(2,)")).substr(0, 40)), "truncated");
  require_npy_error(write_bytes("list.npy", npy_header("[1, 2]") + ok_data), "not a Python dict");
  require_npy_error(write_bytes("noshape.npy", npy_header("{'descr': '<f8', 'fortran_order': False}") + ok_data),
                    "missing the key 'shape'");
  require_npy_error(write_bytes("nodescr.npy", npy_header("{'fortran_order': False, 'shape': (2,)}") + ok_data),
                    "missing the key 'descr'");
  require_npy_error(write_bytes("nofort.npy", npy_header("{'descr': '<f8', 'shape': (2,)}") + ok_data),
                    "missing the key 'fortran_order'");
  require_npy_error(write_bytes("extra.npy", npy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}") + ok_data),
                    "unexpected key 'x'");
  require_npy_error(write_bytes("shape1.npy", npy_header(dict_of("<f8", "(2, x)")) + ok_data), "'shape'");
  require_npy_error(write_bytes("shape2.npy", npy_header(dict_of("<f8", "(2)")) + ok_data), "'(n,)'");
  require_npy_error(write_bytes("shape3.npy", npy_header(dict_of("<f8", "[2]")) + ok_data), "'shape'");
  require_npy_error(write_bytes("shape4.npy", npy_header(dict_of("<f8", "(-2,)")) + ok_data), "'shape'");
  require_npy_error(write_bytes("fo.npy", npy_header("{'descr': '<f8', 'fortran_order': 0, 'shape': (2,)}") + ok_data),
                    "True or False");
  require_npy_error(write_bytes("tail.npy", npy_header(dict_of("<f8", "(2,)") + " junk") + ok_data), "after the closing");
  require_npy_error(write_bytes("big.npy", npy_header(dict_of(">f8", "(2,)")) + ok_data), "big-endian");
  require_npy_error(write_bytes("obj.npy", npy_header(dict_of("|O", "(2,)")) + ok_data), "Python objects");
  require_npy_error(write_bytes("cplx.npy", npy_header(dict_of("<c16", "(1,)")) + ok_data), "complex");
  require_npy_error(write_bytes("f16.npy", npy_header(dict_of("<f16", "(1,)")) + ok_data), "unsupported dtype '<f16'");
  require_npy_error(write_bytes("str.npy", npy_header(dict_of("<U3", "(1,)")) + ok_data), "strings");
  require_npy_error(write_bytes("struct.npy", npy_header("{'descr': [('a', '<f4'), ('b', '<f4')], 'fortran_order': False, 'shape': (1,), }") + ok_data),
                    "structured");
  require_npy_error(write_bytes("trunc.npy", npy_header(dict_of("<f8", "(3,)")) + ok_data), "needs 24 bytes, the file has 16");
  require_npy_error(write_bytes("trail.npy", npy_header(dict_of("<f8", "(2,)")) + ok_data + "x"), "1 unexpected bytes");
  require_npy_error(write_bytes("huge.npy", npy_header(dict_of("<f8", "(4294967296, 4294967296)")) + ok_data), "too large");
}

TEST_CASE("npy: recorded hardware data (tests/data/hwdata-subset, written by NumPy-compatible code)", "[npy]") {
  const fs::path p = fs::path(FLOATSCOPE_SOURCE_DIR) / "tests" / "data" / "hwdata-subset" / "H100_E4M3" / "a.npy";
  REQUIRE(fs::exists(p));
  const auto a = floatscope::read_npy(p.string());
  CHECK(a.descr == "<u4");
  CHECK(a.shape == std::vector<std::size_t>{500, 32});
  CHECK_FALSE(a.fortran_order);
  CHECK(floatscope::npy_to_u32(a).size() == 500u * 32u);
  CHECK(fs::file_size(p) == 128u + 500u * 32u * 4u);
}
