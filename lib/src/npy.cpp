#include "floatscope/npy.hpp"

#include <bit>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string_view>

#include "floatscope/codec.hpp"

namespace floatscope {

static_assert(std::endian::native == std::endian::little,
              "npy.cpp copies little-endian file data as host words");

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicLen = 6;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw NpyError(path + ": " + what);
}

// Element type parsed from a descr string.
struct Dtype {
  char kind;  // 'f', 'u', 'i'
  std::size_t size;
};

// Validates a descr and returns its canonical spelling.
std::string canonical_descr(const std::string& path, const std::string& d) {
  if (d.size() < 2) fail(path, "unsupported dtype descr '" + d + "'");
  char order = d[0];
  std::string_view body(d);
  if (order == '<' || order == '>' || order == '|' || order == '=') {
    body.remove_prefix(1);
  } else {
    order = '=';
  }
  if (body.empty()) fail(path, "unsupported dtype descr '" + d + "'");
  const char kind = body[0];
  std::size_t size = 0;
  const std::string_view digits = body.substr(1);
  bool digits_ok = !digits.empty() && digits.size() <= 3;
  for (char c : digits) digits_ok = digits_ok && std::isdigit(static_cast<unsigned char>(c));
  if (digits_ok) size = std::stoul(std::string(digits));
  const bool ok = digits_ok && ((kind == 'f' && (size == 2 || size == 4 || size == 8)) ||
                                ((kind == 'u' || kind == 'i') &&
                                 (size == 1 || size == 2 || size == 4 || size == 8)));
  if (!ok) {
    std::string what = "unsupported dtype '" + d + "'";
    if (kind == 'O') what += " (Python objects)";
    else if (kind == 'c') what += " (complex)";
    else if (kind == 'V') what += " (structured/void)";
    else if (kind == 'U' || kind == 'S' || kind == 'a') what += " (strings)";
    else if (kind == 'b') what += " (bool)";
    throw NpyError(path + ": " + what +
                   "; supported: f2 f4 f8 u1 u2 u4 u8 i1 i2 i4 i8, little-endian");
  }
  if (order == '>' && size > 1)
    fail(path, "big-endian dtype '" + d + "' is not supported (save with dtype '<" +
                   std::string(1, kind) + std::to_string(size) + "')");
  return (size == 1 ? std::string("|") : std::string("<")) + kind + std::to_string(size);
}

Dtype dtype_of(const std::string& canonical) {
  return {canonical[1], static_cast<std::size_t>(std::stoul(canonical.substr(2)))};
}

// Parser for the header: a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderParser {
 public:
  HeaderParser(const std::string& path, std::string_view text) : path_(path), s_(text) {}

  void parse(NpyArray& out) {
    std::optional<std::string> descr;
    std::optional<bool> fortran;
    std::optional<std::vector<std::size_t>> shape;
    skip_ws();
    if (!eat('{')) bad("the header is not a Python dict (expected '{')");
    skip_ws();
    while (!eat('}')) {
      const std::string key = string_literal("a quoted key");
      skip_ws();
      if (!eat(':')) bad("expected ':' after key '" + key + "'");
      skip_ws();
      if (key == "descr") {
        if (peek() == '[') fail(path_, "unsupported dtype: structured arrays (descr is a list)");
        descr = string_literal("descr to be a quoted dtype string");
      } else if (key == "fortran_order") {
        fortran = boolean();
      } else if (key == "shape") {
        shape = tuple();
      } else {
        bad("unexpected key '" + key + "' (expected only 'descr', 'fortran_order', 'shape')");
      }
      skip_ws();
      if (eat(',')) {
        skip_ws();
        continue;
      }
      skip_ws();
      if (peek() != '}') bad("expected ',' or '}' after the value of '" + key + "'");
    }
    skip_ws();
    if (pos_ != s_.size()) bad("unexpected text after the closing '}'");
    if (!descr) fail(path_, "header is missing the key 'descr'");
    if (!fortran) fail(path_, "header is missing the key 'fortran_order'");
    if (!shape) fail(path_, "header is missing the key 'shape'");
    out.descr = canonical_descr(path_, *descr);
    out.fortran_order = *fortran;
    out.shape = std::move(*shape);
  }

 private:
  [[noreturn]] void bad(const std::string& what) {
    std::string_view shown = s_;  // without numpy's padding
    while (!shown.empty() && std::isspace(static_cast<unsigned char>(shown.back()))) shown.remove_suffix(1);
    fail(path_, "bad header at character " + std::to_string(pos_) + ": " + what + " in \"" +
                    std::string(shown) + "\"");
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' ||
                                s_[pos_] == '\r'))
      ++pos_;
  }
  std::string string_literal(const char* expected) {
    const char q = peek();
    if (q != '\'' && q != '"') bad(std::string("expected ") + expected);
    ++pos_;
    const std::size_t end = s_.find(q, pos_);
    if (end == std::string_view::npos) bad("unterminated string");
    std::string v(s_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return v;
  }
  bool boolean() {
    if (s_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (s_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    bad("expected True or False for 'fortran_order'");
  }
  // "()", "(5,)", "(5, 32)", "(2, 3, 4)"; a trailing comma is optional after two or more items.
  std::vector<std::size_t> tuple() {
    if (!eat('(')) bad("expected a tuple '(...)' for 'shape'");
    std::vector<std::size_t> dims;
    skip_ws();
    bool trailing_comma = false;
    while (!eat(')')) {
      if (!std::isdigit(static_cast<unsigned char>(peek())))
        bad("expected a non-negative integer in 'shape'");
      std::size_t v = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        const std::size_t digit = static_cast<std::size_t>(peek() - '0');
        if (v > (std::numeric_limits<std::size_t>::max() - digit) / 10)
          bad("dimension too large in 'shape'");
        v = v * 10 + digit;
        ++pos_;
      }
      if (peek() == 'L') ++pos_;  // Python 2 long literal, still found in old files
      dims.push_back(v);
      skip_ws();
      trailing_comma = eat(',');
      skip_ws();
      if (!trailing_comma && peek() != ')') bad("expected ',' or ')' in 'shape'");
    }
    if (dims.size() == 1 && !trailing_comma) bad("a one-element shape must be written '(n,)'");
    return dims;
  }

  const std::string& path_;
  std::string_view s_;
  std::size_t pos_ = 0;
};

std::size_t checked_product(const std::string& path, const std::vector<std::size_t>& shape,
                            std::size_t itemsize) {
  std::size_t n = itemsize;
  for (std::size_t d : shape) {
    if (d != 0 && n > std::numeric_limits<std::size_t>::max() / d)
      fail(path, "shape is too large (byte count overflows)");
    n *= d;
  }
  return n;
}

// Calls f(c_index, storage_index) for every element, so that Fortran-order data comes out in C
// order. The multi-index advances in C order while the Fortran offset is kept incrementally.
template <class F>
void for_each_c_order(const NpyArray& a, F&& f) {
  const std::size_t n = a.size();
  if (!a.fortran_order || a.shape.size() < 2) {
    for (std::size_t i = 0; i < n; ++i) f(i, i);
    return;
  }
  if (n == 0) return;
  const std::size_t nd = a.shape.size();
  std::vector<std::size_t> stride(nd), idx(nd, 0);  // Fortran strides: first index fastest
  std::size_t s = 1;
  for (std::size_t k = 0; k < nd; ++k) {
    stride[k] = s;
    s *= a.shape[k];
  }
  std::size_t off = 0;
  for (std::size_t i = 0; i < n; ++i) {
    f(i, off);
    for (std::size_t k = nd; k-- > 0;) {  // C order: last index fastest
      if (++idx[k] < a.shape[k]) {
        off += stride[k];
        break;
      }
      off -= stride[k] * (a.shape[k] - 1);
      idx[k] = 0;
    }
  }
}

template <class T>
T load(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// IEEE binary16 -> double, exact.
double half_to_double(std::uint16_t h) {
  const bool neg = (h & 0x8000u) != 0;
  const int e = (h >> 10) & 0x1f;
  const int m = h & 0x3ff;
  double v;
  if (e == 0x1f) {
    v = m == 0 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  } else if (e == 0) {
    v = std::ldexp(static_cast<double>(m), -24);
  } else {
    v = std::ldexp(static_cast<double>(m | 0x400), e - 25);
  }
  return neg ? -v : v;
}

std::string where(const NpyArray& a) { return a.source.empty() ? std::string("<npy array>") : a.source; }

}  // namespace

std::size_t NpyArray::size() const {
  std::size_t n = 1;
  for (std::size_t d : shape) n *= d;
  return n;
}

std::size_t NpyArray::rows() const { return shape.empty() ? 1 : shape[0]; }

std::size_t NpyArray::cols() const {
  std::size_t n = 1;
  for (std::size_t k = 1; k < shape.size(); ++k) n *= shape[k];
  return n;
}

std::size_t NpyArray::itemsize() const { return descr.size() >= 3 ? dtype_of(descr).size : 0; }

NpyArray read_npy(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) fail(path, "cannot open: no such file");
  if (!std::filesystem::is_regular_file(status)) fail(path, "cannot open: not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
  const std::uintmax_t file_size = std::filesystem::file_size(path, ec);
  if (ec) fail(path, "cannot read the file size: " + ec.message());

  unsigned char pre[12] = {};
  in.read(reinterpret_cast<char*>(pre), 8);
  if (in.gcount() < 8 || std::memcmp(pre, kMagic, kMagicLen) != 0)
    fail(path, "not a .npy file (missing the magic string \\x93NUMPY)");
  const int major = pre[6], minor = pre[7];
  if (!((major == 1 || major == 2 || major == 3) && minor == 0))
    fail(path, "unsupported .npy format version " + std::to_string(major) + "." +
                   std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)");
  std::size_t header_len;
  std::size_t prefix;
  if (major == 1) {
    in.read(reinterpret_cast<char*>(pre + 8), 2);
    if (in.gcount() < 2) fail(path, "truncated: the file ends inside the header length");
    header_len = pre[8] | (std::size_t{pre[9]} << 8);
    prefix = 10;
  } else {
    in.read(reinterpret_cast<char*>(pre + 8), 4);
    if (in.gcount() < 4) fail(path, "truncated: the file ends inside the header length");
    header_len = pre[8] | (std::size_t{pre[9]} << 8) | (std::size_t{pre[10]} << 16) |
                 (std::size_t{pre[11]} << 24);
    prefix = 12;
  }
  if (prefix + header_len > file_size)
    fail(path, "truncated: the header says " + std::to_string(header_len) +
                   " bytes but the file has " + std::to_string(file_size - prefix) + " after the prefix");
  std::string header(header_len, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_len));
  if (static_cast<std::size_t>(in.gcount()) != header_len) fail(path, "truncated header");

  NpyArray a;
  a.source = path;
  HeaderParser(path, header).parse(a);
  const std::size_t nbytes = checked_product(path, a.shape, a.itemsize());
  const std::uintmax_t have = file_size - prefix - header_len;
  if (have < nbytes)
    fail(path, "truncated data: shape " + [&] {
      std::string s = "(";
      for (std::size_t k = 0; k < a.shape.size(); ++k) s += (k ? ", " : "") + std::to_string(a.shape[k]);
      return s + (a.shape.size() == 1 ? ",)" : ")");
    }() + " of " + a.descr + " needs " + std::to_string(nbytes) + " bytes, the file has " +
                   std::to_string(have));
  if (have > nbytes)
    fail(path, std::to_string(have - nbytes) + " unexpected bytes after the " +
                   std::to_string(nbytes) + " data bytes the header describes");
  a.data.resize(nbytes);
  in.read(reinterpret_cast<char*>(a.data.data()), static_cast<std::streamsize>(nbytes));
  if (static_cast<std::size_t>(in.gcount()) != nbytes) fail(path, "read error in the data");
  return a;
}

std::vector<double> npy_to_doubles(const NpyArray& a) {
  const Dtype t = dtype_of(a.descr);
  std::vector<double> out(a.size());
  const unsigned char* p = a.data.data();
  auto run = [&](auto conv) { for_each_c_order(a, [&](std::size_t i, std::size_t s) { out[i] = conv(p + s * t.size, s); }); };
  // Integers beyond 2^53 would be rounded by the conversion: refuse rather than change data.
  constexpr std::uint64_t kExact = std::uint64_t{1} << 53;
  auto too_big = [&](const std::string& v, std::size_t s) {
    throw NpyError(where(a) + ": integer " + v + " at flat index " + std::to_string(s) +
                   " is not exactly representable as a double");
  };
  auto u64_value = [&](std::uint64_t v, std::size_t s) {
    if (v > kExact) too_big(std::to_string(v), s);
    return static_cast<double>(v);
  };
  auto i64_value = [&](std::int64_t v, std::size_t s) {
    const std::uint64_t mag = v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
    if (mag > kExact) too_big(std::to_string(v), s);
    return static_cast<double>(v);
  };
  if (t.kind == 'f') {
    if (t.size == 2) run([](const unsigned char* q, std::size_t) { return half_to_double(load<std::uint16_t>(q)); });
    else if (t.size == 4) run([](const unsigned char* q, std::size_t) { return static_cast<double>(load<float>(q)); });
    else run([](const unsigned char* q, std::size_t) { return load<double>(q); });
  } else if (t.kind == 'u') {
    if (t.size == 1) run([](const unsigned char* q, std::size_t) { return static_cast<double>(*q); });
    else if (t.size == 2) run([](const unsigned char* q, std::size_t) { return static_cast<double>(load<std::uint16_t>(q)); });
    else if (t.size == 4) run([](const unsigned char* q, std::size_t) { return static_cast<double>(load<std::uint32_t>(q)); });
    else run([&](const unsigned char* q, std::size_t s) { return u64_value(load<std::uint64_t>(q), s); });
  } else {
    if (t.size == 1) run([](const unsigned char* q, std::size_t) { return static_cast<double>(static_cast<std::int8_t>(*q)); });
    else if (t.size == 2) run([](const unsigned char* q, std::size_t) { return static_cast<double>(load<std::int16_t>(q)); });
    else if (t.size == 4) run([](const unsigned char* q, std::size_t) { return static_cast<double>(load<std::int32_t>(q)); });
    else run([&](const unsigned char* q, std::size_t s) { return i64_value(load<std::int64_t>(q), s); });
  }
  return out;
}

std::vector<double> npy_codes_to_doubles(const NpyArray& a, const Format& f) {
  const Dtype t = dtype_of(a.descr);
  if (t.kind != 'u')
    throw NpyError(where(a) + ": codes of format '" + f.name + "' must be stored as an unsigned " +
                   "integer dtype (|u1, <u2, ...), not '" + a.descr + "'");
  if (static_cast<std::size_t>(f.width) > 8 * t.size)
    throw NpyError(where(a) + ": codes of format '" + f.name + "' need " + std::to_string(f.width) +
                   " bits, dtype '" + a.descr + "' holds " + std::to_string(8 * t.size));
  std::vector<double> out(a.size());
  const unsigned char* p = a.data.data();
  for_each_c_order(a, [&](std::size_t i, std::size_t s) {
    const unsigned char* q = p + s * t.size;
    std::uint64_t code = 0;
    switch (t.size) {
      case 1: code = *q; break;
      case 2: code = load<std::uint16_t>(q); break;
      case 4: code = load<std::uint32_t>(q); break;
      default: code = load<std::uint64_t>(q); break;
    }
    if (f.width < 64 && (code >> f.width) != 0)
      throw NpyError(where(a) + ": code " + std::to_string(code) + " at flat index " +
                     std::to_string(s) + " has bits above the " + std::to_string(f.width) +
                     "-bit width of format '" + f.name + "'");
    out[i] = decode(code, f);
  });
  return out;
}

std::vector<std::uint32_t> npy_to_u32(const NpyArray& a) {
  if (a.descr != "<u4")
    throw NpyError(where(a) + ": expected dtype '<u4' (uint32 bit patterns), found '" + a.descr + "'");
  std::vector<std::uint32_t> out(a.size());
  const unsigned char* p = a.data.data();
  for_each_c_order(a, [&](std::size_t i, std::size_t s) { out[i] = load<std::uint32_t>(p + 4 * s); });
  return out;
}

namespace {

// Writes header + data atomically (path + ".tmp", then renamed).
void write_npy_bytes(const std::string& path, const std::string& descr,
                     const std::vector<unsigned char>& bytes, const std::vector<std::size_t>& shape) {
  std::string dict = std::string("{'descr': '") + descr +
                     "', 'fortran_order': False, 'shape': (";
  for (std::size_t k = 0; k < shape.size(); ++k) dict += (k ? ", " : "") + std::to_string(shape[k]);
  dict += shape.size() == 1 ? ",), }" : "), }";
  // numpy pads with spaces so that the data starts at a multiple of 64 and ends the header with '\n'.
  bool v2 = false;
  std::size_t prefix = 10;
  std::size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  if (total - prefix > 0xffff) {
    v2 = true;
    prefix = 12;
    total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  }
  const std::size_t hlen = total - prefix;
  std::string header(kMagic, kMagicLen);
  header += static_cast<char>(v2 ? 2 : 1);
  header += '\0';
  for (std::size_t k = 0; k < (v2 ? 4u : 2u); ++k) header += static_cast<char>((hlen >> (8 * k)) & 0xff);
  header += dict;
  header.append(hlen - dict.size() - 1, ' ');
  header += '\n';

  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail(path, "cannot create '" + tmp + "': " + std::strerror(errno));
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      fail(path, "write error on '" + tmp + "'");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ec2;
    std::filesystem::remove(tmp, ec2);
    fail(path, "cannot rename '" + tmp + "' to it: " + ec.message());
  }
}

}  // namespace

void write_npy(const std::string& path, const double* data, const std::vector<std::size_t>& shape,
               bool as_float32) {
  const std::size_t item = as_float32 ? 4 : 8;
  const std::size_t nbytes = checked_product(path, shape, item);
  const std::size_t n = nbytes / item;
  std::vector<unsigned char> bytes(nbytes);
  for (std::size_t i = 0; i < n; ++i) {
    if (as_float32) {
      const double v = data[i];
      float f;
      if (std::isnan(v)) {
        f = std::numeric_limits<float>::quiet_NaN();
        if (std::signbit(v)) f = -f;
      } else if (std::isinf(v)) {
        f = static_cast<float>(v);
      } else {
        // Range check first: converting an out-of-range double to float is undefined behaviour.
        if (std::fabs(v) > static_cast<double>(std::numeric_limits<float>::max()) ||
            static_cast<double>(f = static_cast<float>(v)) != v) {
          char buf[64];
          std::snprintf(buf, sizeof buf, "%.17g", v);
          fail(path, std::string("value ") + buf + " at flat index " + std::to_string(i) +
                         " is not exactly representable as float32 (round it first, or write float64)");
        }
      }
      std::memcpy(bytes.data() + 4 * i, &f, 4);
    } else {
      std::memcpy(bytes.data() + 8 * i, data + i, 8);
    }
  }

  write_npy_bytes(path, as_float32 ? "<f4" : "<f8", bytes, shape);
}

void write_npy_u8(const std::string& path, const std::uint8_t* data, const std::vector<std::size_t>& shape) {
  const std::size_t n = checked_product(path, shape, 1);
  write_npy_bytes(path, "|u1", std::vector<unsigned char>(data, data + n), shape);
}

}  // namespace floatscope
