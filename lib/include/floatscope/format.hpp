// Element formats: one runtime value describes every number format the toolkit emulates.
//
// A Format is a small value type (exponent/mantissa widths, bias, how Inf/NaN are encoded,
// subnormals, signedness). Everything derived from those fields (emin, emax, max finite, ...) is
// computed once when the Format is made, so hot loops read plain members. Named presets carry the
// constants of the OCP / IEEE / MX specifications (see docs/ARCHITECTURE.md and docs/references.md s.1).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace floatscope {

// Where a format keeps its special values.
enum class Specials : std::uint8_t {
  ieee,  // top exponent field holds Inf (mantissa 0) and NaN (mantissa != 0)
  fn,    // "finite": no Inf; NaN only where exponent and mantissa are all ones (OCP E4M3, E8M0)
  fnuz,  // "finite, unsigned zero": no Inf, no -0; NaN is the code 1000...0 (AMD/Graphcore FP8)
  none,  // no Inf and no NaN: every code is a finite number (MX FP6/FP4)
};

// How the bit pattern maps to a value.
enum class Encoding : std::uint8_t {
  binary,   // sign | exponent | mantissa (IEEE-like); unsigned formats drop the sign bit
  int8_fixed,  // MXINT8: two's complement int8 code k, value k/64
};

struct Format {
  std::string name;          // canonical name, e.g. "e4m3" or "e6m9"
  int exp_bits = 0;          // width of the exponent field
  int man_bits = 0;          // stored fraction bits (precision p = man_bits + 1)
  int bias = 0;
  Specials specials = Specials::ieee;
  bool subnormals = true;    // false: values below min normal are not representable (no FTZ tricks)
  bool is_signed = true;
  bool has_zero = true;      // false only for E8M0
  Encoding encoding = Encoding::binary;

  // Derived; filled by finalize().
  int precision = 0;         // p = man_bits + 1
  int emin = 0;              // exponent of the smallest normal
  int emax = 0;              // exponent of the largest finite
  int width = 0;             // bits in a code
  double max_finite = 0;
  double min_normal = 0;
  double min_subnormal = 0;  // smallest positive value (min_normal when subnormals are off)
  double unit_roundoff = 0;  // u = 2^-p

  bool has_inf() const { return specials == Specials::ieee; }
  bool has_nan() const { return specials != Specials::none; }
  bool has_negative_zero() const {
    return is_signed && specials != Specials::fnuz && encoding == Encoding::binary;
  }
  // Every value of the format is a float (binary32), so float arrays can carry its results.
  bool values_are_floats() const { return precision <= 24 && emin >= -126 && emax <= 127; }

  // Validates the fields and computes the derived ones. Throws std::invalid_argument naming the
  // problem. The exponent range must lie inside binary64's (emin >= -1022, emax <= 1023) and
  // p <= 53, so that every value of the format is a double and a double can be rounded once.
  void finalize();

  // Description of the special-value scheme for listings: "ieee", "fn", "fnuz", "none".
  std::string specials_name() const;
  // Alternative spellings accepted by find_format (ml_dtypes / PyTorch / MX names).
  std::vector<std::string> aliases() const;
};

// Builds a format from explicit fields (finalized). Throws std::invalid_argument.
Format make_format(std::string name, int exp_bits, int man_bits, int bias,
                   Specials specials = Specials::ieee, bool subnormals = true,
                   bool is_signed = true);

// Named presets, in listing order: fp64 fp32 tf32 fp16 bf16 e4m3 e5m2 e4m3fnuz e5m2fnuz e3m2
// e2m3 e2m1 e8m0 int8.
const std::vector<Format>& preset_formats();

// Looks up a preset by name or alias (case-insensitive), or parses a custom spec:
//   "eXmY"                     IEEE-style, bias 2^(X-1)-1, subnormals on
//   "eXmY:bias=B,specials=fn|fnuz|none|ieee,subnormals=on|off,signed=yes|no"
// A bare "eXmY" that names a preset (e4m3, e5m2, e3m2, e2m3, e2m1, e8m0) is that preset.
// Returns nullopt for names that are neither; throws std::invalid_argument for a custom spec that
// parses but is impossible (with the reason).
std::optional<Format> find_format(std::string_view spec);

// find_format that throws std::invalid_argument listing the valid names when nothing matches.
Format parse_format(std::string_view spec);

// Comma-separated preset names, for error messages and --help.
std::string preset_format_names();

}  // namespace floatscope
