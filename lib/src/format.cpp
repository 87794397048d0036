#include "floatscope/format.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <vector>

namespace floatscope {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Format format_of(std::string name, int e, int m, int bias, Specials sp, bool sub = true,
              bool is_signed = true, bool has_zero = true,
              Encoding enc = Encoding::binary) {
  Format f;
  f.name = std::move(name);
  f.exp_bits = e;
  f.man_bits = m;
  f.bias = bias;
  f.specials = sp;
  f.subnormals = sub;
  f.is_signed = is_signed;
  f.has_zero = has_zero;
  f.encoding = enc;
  f.finalize();
  return f;
}

// One table for all presets: constants of docs/references.md s.1 (OFP8 Table 1, OCP MX v1.0 s.5,
// IEEE 754-2019 Table 3.5, ml_dtypes for the FNUZ variants).
std::vector<Format> build_presets() {
  return {
      format_of("fp64", 11, 52, 1023, Specials::ieee),
      format_of("fp32", 8, 23, 127, Specials::ieee),
      format_of("tf32", 8, 10, 127, Specials::ieee),
      format_of("fp16", 5, 10, 15, Specials::ieee),
      format_of("bf16", 8, 7, 127, Specials::ieee),
      format_of("e4m3", 4, 3, 7, Specials::fn),
      format_of("e5m2", 5, 2, 15, Specials::ieee),
      format_of("e4m3fnuz", 4, 3, 8, Specials::fnuz),
      format_of("e5m2fnuz", 5, 2, 16, Specials::fnuz),
      format_of("e3m2", 3, 2, 3, Specials::none),
      format_of("e2m3", 2, 3, 1, Specials::none),
      format_of("e2m1", 2, 1, 1, Specials::none),
      // E8M0: unsigned powers of two 2^-127..2^127, no zero, 0xFF = NaN.
      format_of("e8m0", 8, 0, 127, Specials::fn, /*sub=*/false, /*signed=*/false, /*zero=*/false),
      // MXINT8: two's complement k, value k/64; as a value set: sign-magnitude 6-bit fraction.
      format_of("int8", 1, 6, 0, Specials::none, true, true, true, Encoding::int8_fixed),
  };
}

const std::vector<std::pair<std::string, std::vector<std::string>>>& alias_table() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> t = {
      {"fp64", {"binary64", "float64", "double", "f64"}},
      {"fp32", {"binary32", "float32", "float", "single", "f32"}},
      {"tf32", {"tensorfloat32", "tensorfloat-32"}},
      {"fp16", {"binary16", "float16", "half", "f16"}},
      {"bf16", {"bfloat16"}},
      {"e4m3", {"float8_e4m3fn", "e4m3fn", "fp8_e4m3", "fp8e4m3", "mxfp8_e4m3"}},
      {"e5m2", {"float8_e5m2", "fp8_e5m2", "fp8e5m2", "mxfp8_e5m2"}},
      {"e4m3fnuz", {"float8_e4m3fnuz"}},
      {"e5m2fnuz", {"float8_e5m2fnuz"}},
      {"e3m2", {"float6_e3m2fn", "fp6_e3m2", "mxfp6_e3m2"}},
      {"e2m3", {"float6_e2m3fn", "fp6_e2m3", "mxfp6_e2m3"}},
      {"e2m1", {"float4_e2m1fn", "fp4_e2m1", "fp4", "mxfp4", "nvfp4"}},
      {"e8m0", {"float8_e8m0fnu", "ue8m0", "e8m0fnu"}},
      {"int8", {"mxint8"}},
  };
  return t;
}

int parse_int(std::string_view s, std::string_view what, std::string_view spec) {
  if (s.empty()) throw std::invalid_argument("format '" + std::string(spec) + "': missing " + std::string(what));
  int sign = 1;
  size_t i = 0;
  if (s[0] == '-' || s[0] == '+') { sign = s[0] == '-' ? -1 : 1; i = 1; }
  long v = 0;
  if (i == s.size()) throw std::invalid_argument("format '" + std::string(spec) + "': bad " + std::string(what));
  for (; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i])) || v > 100000)
      throw std::invalid_argument("format '" + std::string(spec) + "': bad " + std::string(what) +
                                  " '" + std::string(s) + "'");
    v = v * 10 + (s[i] - '0');
  }
  return static_cast<int>(sign * v);
}

bool parse_bool(std::string_view v, std::string_view key, std::string_view spec) {
  if (v == "on" || v == "yes" || v == "true" || v == "1") return true;
  if (v == "off" || v == "no" || v == "false" || v == "0") return false;
  throw std::invalid_argument("format '" + std::string(spec) + "': " + std::string(key) +
                              " must be on/off, got '" + std::string(v) + "'");
}

// "eXmY[:key=value,...]" -> Format, or nullopt when the text is not of that shape.
std::optional<Format> parse_custom(std::string_view spec) {
  std::string s = lower(spec);
  const auto colon = s.find(':');
  std::string head = s.substr(0, colon);
  if (head.size() < 4 || head[0] != 'e') return std::nullopt;
  const auto mpos = head.find('m');
  if (mpos == std::string::npos || mpos < 2 || mpos + 1 >= head.size()) return std::nullopt;
  for (size_t i = 1; i < head.size(); ++i)
    if (i != mpos && !std::isdigit(static_cast<unsigned char>(head[i]))) return std::nullopt;
  const int e = parse_int(std::string_view(head).substr(1, mpos - 1), "exponent bits", spec);
  const int m = parse_int(std::string_view(head).substr(mpos + 1), "mantissa bits", spec);
  // Checked here, ahead of finalize(), because the default bias below shifts by e - 1.
  if (e < 1 || e > 11)
    throw std::invalid_argument("format '" + std::string(spec) + "': exponent bits must be 1..11");

  Format f;
  f.name = head;
  f.exp_bits = e;
  f.man_bits = m;
  f.bias = (1 << (e - 1)) - 1;
  f.specials = Specials::ieee;
  if (colon != std::string::npos) {
    std::string_view rest = std::string_view(s).substr(colon + 1);
    // "e4m3:" is not the e4m3 preset with nothing changed but a typo: a colon needs options, each
    // option given once, no empty items ("e4m3:bias=7," or "e4m3:bias=7,bias=8" are errors).
    if (rest.empty())
      throw std::invalid_argument("format '" + std::string(spec) + "': nothing after ':' (give key=value options, "
                                  "or drop the colon for the preset)");
    std::vector<std::string_view> seen;
    while (true) {
      const auto comma = rest.find(',');
      std::string_view kv = rest.substr(0, comma);
      const auto eq = kv.find('=');
      if (eq == std::string_view::npos)
        throw std::invalid_argument("format '" + std::string(spec) + "': expected key=value, got '" +
                                    std::string(kv) + "'");
      const std::string_view key = kv.substr(0, eq), val = kv.substr(eq + 1);
      if (std::find(seen.begin(), seen.end(), key) != seen.end())
        throw std::invalid_argument("format '" + std::string(spec) + "': option '" + std::string(key) +
                                    "' given twice");
      seen.push_back(key);
      if (key == "bias") {
        f.bias = parse_int(val, "bias", spec);
      } else if (key == "specials") {
        if (val == "ieee") f.specials = Specials::ieee;
        else if (val == "fn") f.specials = Specials::fn;
        else if (val == "fnuz") f.specials = Specials::fnuz;
        else if (val == "none") f.specials = Specials::none;
        else
          throw std::invalid_argument("format '" + std::string(spec) +
                                      "': specials must be ieee, fn, fnuz or none");
      } else if (key == "subnormals") {
        f.subnormals = parse_bool(val, key, spec);
      } else if (key == "signed") {
        f.is_signed = parse_bool(val, key, spec);
      } else {
        throw std::invalid_argument("format '" + std::string(spec) + "': unknown option '" +
                                    std::string(key) +
                                    "' (valid: bias, specials, subnormals, signed)");
      }
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
    f.name = s;
  }
  f.finalize();
  return f;
}

}  // namespace

void Format::finalize() {
  const std::string who = "format '" + name + "': ";
  if (encoding == Encoding::int8_fixed) {
    precision = 7;
    emin = 0;
    emax = 0;
    width = 8;
    max_finite = 127.0 / 64.0;
    min_normal = 1.0;
    min_subnormal = 1.0 / 64.0;
    unit_roundoff = std::ldexp(1.0, -7);
    return;
  }
  if (exp_bits < 1 || exp_bits > 11) throw std::invalid_argument(who + "exponent bits must be 1..11");
  if (man_bits < 0 || man_bits > 52) throw std::invalid_argument(who + "mantissa bits must be 0..52");
  if (specials == Specials::ieee && man_bits == 0)
    throw std::invalid_argument(who + "IEEE specials need at least one mantissa bit for NaN");
  if (specials == Specials::ieee && exp_bits < 2)
    throw std::invalid_argument(who + "IEEE specials need at least two exponent bits");
  if (specials == Specials::fnuz && !is_signed)
    throw std::invalid_argument(who + "fnuz specials need a sign bit (their NaN is the -0 code)");
  precision = man_bits + 1;
  width = exp_bits + man_bits + (is_signed ? 1 : 0);
  const int top_field = (1 << exp_bits) - 1;
  // Without zero, exponent field 0 is an ordinary binade (E8M0); otherwise it holds zero and,
  // when enabled, the subnormals.
  emin = has_zero ? 1 - bias : -bias;
  double max_sig;  // significand of the largest finite value, in [1, 2)
  switch (specials) {
    case Specials::ieee:
      emax = top_field - 1 - bias;
      max_sig = 2.0 - std::ldexp(1.0, -man_bits);
      break;
    case Specials::fn:  // the all-ones code is NaN: one significand step less at the top binade
      if (man_bits == 0) {
        emax = top_field - 1 - bias;
        max_sig = 1.0;
      } else {
        emax = top_field - bias;
        max_sig = 2.0 - std::ldexp(1.0, 1 - man_bits);
      }
      break;
    default:  // fnuz (NaN is 100..0, a -0 code) and none: every exponent field is finite
      emax = top_field - bias;
      max_sig = 2.0 - std::ldexp(1.0, -man_bits);
      break;
  }
  if (emin < -1022 || emax > 1023)
    throw std::invalid_argument(who + "exponent range [" + std::to_string(emin) + ", " +
                                std::to_string(emax) + "] must lie within binary64's [-1022, 1023]");
  if (emax < emin) throw std::invalid_argument(who + "no normal numbers (emax < emin)");
  max_finite = std::ldexp(max_sig, emax);
  min_normal = std::ldexp(1.0, emin);
  min_subnormal = subnormals ? std::ldexp(1.0, emin - man_bits) : min_normal;
  unit_roundoff = std::ldexp(1.0, -precision);
  if (width > 64) throw std::invalid_argument(who + "more than 64 bits");
}

std::string Format::specials_name() const {
  switch (specials) {
    case Specials::ieee: return "ieee";
    case Specials::fn: return "fn";
    case Specials::fnuz: return "fnuz";
    case Specials::none: return "none";
  }
  return "?";
}

std::vector<std::string> Format::aliases() const {
  for (const auto& [n, a] : alias_table())
    if (n == name) return a;
  return {};
}

Format make_format(std::string name, int exp_bits, int man_bits, int bias, Specials specials,
                   bool subnormals, bool is_signed) {
  return format_of(std::move(name), exp_bits, man_bits, bias, specials, subnormals, is_signed);
}

const std::vector<Format>& preset_formats() {
  static const std::vector<Format> presets = build_presets();
  return presets;
}

std::optional<Format> find_format(std::string_view spec) {
  const std::string key = lower(spec);
  for (const auto& f : preset_formats()) {
    if (f.name == key) return f;
    for (const auto& a : f.aliases())
      if (a == key) return f;
  }
  return parse_custom(spec);
}

std::string preset_format_names() {
  std::string out;
  for (const auto& f : preset_formats()) out += (out.empty() ? "" : ", ") + f.name;
  return out;
}

Format parse_format(std::string_view spec) {
  if (auto f = find_format(spec)) return *f;
  throw std::invalid_argument("unknown format '" + std::string(spec) + "'; valid: " +
                              preset_format_names() + ", or eXmY[:bias=B,specials=ieee|fn|fnuz|none,"
                              "subnormals=on|off,signed=yes|no]");
}

}  // namespace floatscope
