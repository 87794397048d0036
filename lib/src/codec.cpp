#include "floatscope/codec.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

namespace floatscope {
namespace {

[[noreturn]] void not_representable(double v, const Format& f, const char* why) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  throw std::domain_error(std::string("encode: ") + buf + " is not a value of format '" + f.name +
                          "' (" + why + ")");
}

std::uint64_t sign_bit(const Format& f) { return std::uint64_t{1} << (f.width - 1); }
std::uint64_t man_mask(const Format& f) { return (std::uint64_t{1} << f.man_bits) - 1; }
std::uint64_t top_field(const Format& f) { return (std::uint64_t{1} << f.exp_bits) - 1; }

std::uint64_t encode_int8(double v, const Format& f) {
  if (std::isnan(v)) not_representable(v, f, "int8 has no NaN");
  const double k = v * 64.0;
  if (k != std::floor(k) || std::fabs(k) > 127) not_representable(v, f, "not k/64 with |k| <= 127");
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(k)) & 0xff;
}

// MXINT8 uses the codes of a two's complement int8 but only k in [-127, 127] (OCP MX v1.0 s.5.3
// keeps the range symmetric): 0x80 (-128) is not a value of the format.
double decode_int8(std::uint64_t code, const Format& f) {
  if (code == 0x80)
    throw std::domain_error("decode: code 0x80 is not a value of format '" + f.name +
                            "' (-128/64 is outside the symmetric range k/64, |k| <= 127)");
  return static_cast<double>(static_cast<std::int8_t>(static_cast<std::uint8_t>(code))) / 64.0;
}

}  // namespace

std::uint64_t encode(double v, const Format& f) {
  if (f.encoding == Encoding::int8_fixed) return encode_int8(v, f);
  const bool neg = std::signbit(v);
  if (neg && !f.is_signed && !std::isnan(v) && v != 0)
    not_representable(v, f, "negative value in an unsigned format");
  const std::uint64_t s = (neg && f.is_signed) ? sign_bit(f) : 0;
  const std::uint64_t field_shift = static_cast<std::uint64_t>(f.man_bits);
  if (std::isnan(v)) {
    switch (f.specials) {
      case Specials::ieee: return s | (top_field(f) << field_shift) | (std::uint64_t{1} << (f.man_bits - 1));
      case Specials::fn: return s | (top_field(f) << field_shift) | man_mask(f);
      case Specials::fnuz: return sign_bit(f);
      case Specials::none: not_representable(v, f, "the format has no NaN");
    }
  }
  if (std::isinf(v)) {
    if (!f.has_inf()) not_representable(v, f, "the format has no Inf");
    return s | (top_field(f) << field_shift);
  }
  const double a = std::fabs(v);
  if (a == 0) {
    if (!f.has_zero) not_representable(v, f, "the format has no zero");
    return f.has_negative_zero() ? s : 0;
  }
  if (a > f.max_finite) not_representable(v, f, "beyond the largest finite value");
  int e2;
  std::frexp(a, &e2);
  const int e = e2 - 1;  // a in [2^e, 2^(e+1))
  std::uint64_t field, man;
  if (e < f.emin) {
    if (!f.subnormals) not_representable(v, f, "below the smallest normal and no subnormals");
    const double m = std::ldexp(a, f.man_bits - f.emin);
    if (m != std::floor(m)) not_representable(v, f, "off the subnormal grid");
    field = 0;
    man = static_cast<std::uint64_t>(m);
  } else {
    const double m = std::ldexp(a, f.man_bits - e);  // in [2^man, 2^(man+1))
    if (m != std::floor(m)) not_representable(v, f, "more significant bits than the format has");
    field = static_cast<std::uint64_t>(e - f.emin) + (f.has_zero ? 1 : 0);
    man = static_cast<std::uint64_t>(m) & man_mask(f);
  }
  return s | (field << field_shift) | man;
}

double decode(std::uint64_t code, const Format& f) {
  if (f.width < 64 && (code >> f.width) != 0)
    throw std::domain_error("decode: code " + std::to_string(code) + " has more than " +
                            std::to_string(f.width) + " bits for format '" + f.name + "'");
  if (f.encoding == Encoding::int8_fixed) return decode_int8(code, f);
  const bool neg = f.is_signed && (code & sign_bit(f));
  const std::uint64_t field = (code >> f.man_bits) & top_field(f);
  const std::uint64_t man = code & man_mask(f);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double sgn = neg ? -1.0 : 1.0;
  switch (f.specials) {
    case Specials::ieee:
      if (field == top_field(f)) return man ? std::copysign(nan, sgn) : sgn * INFINITY;
      break;
    case Specials::fn:
      if (field == top_field(f) && man == man_mask(f)) return std::copysign(nan, sgn);
      break;
    case Specials::fnuz:
      if (code == sign_bit(f)) return nan;
      break;
    case Specials::none: break;
  }
  double a;
  if (!f.has_zero) {
    a = std::ldexp(static_cast<double>(man | (std::uint64_t{1} << f.man_bits)),
                   static_cast<int>(field) + f.emin - f.man_bits);
  } else if (field == 0) {
    a = f.subnormals ? std::ldexp(static_cast<double>(man), f.emin - f.man_bits) : 0.0;
  } else {
    a = std::ldexp(static_cast<double>(man | (std::uint64_t{1} << f.man_bits)),
                   static_cast<int>(field) - 1 + f.emin - f.man_bits);
  }
  return sgn * a;
}

std::vector<double> decode_table(const Format& f) {
  if (f.width > 16) throw std::invalid_argument("decode_table: format '" + f.name + "' is wider than 16 bits");
  std::vector<double> t(std::size_t{1} << f.width);
  for (std::uint64_t c = 0; c < t.size(); ++c)
    t[c] = (f.encoding == Encoding::int8_fixed && c == 0x80) ? std::numeric_limits<double>::quiet_NaN()
                                                              : decode(c, f);
  return t;
}

std::string format_code(std::uint64_t code, const Format& f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", (f.width + 3) / 4, static_cast<unsigned long long>(code));
  return buf;
}

}  // namespace floatscope
