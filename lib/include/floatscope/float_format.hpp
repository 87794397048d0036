// Element formats known at compile time, for the scalar types of float_type.hpp.
//
// Each preset of format.hpp (docs/references.md s.1) has a tag type in floatscope::formats whose
// `spec` holds its fields as constants; the derived constants (emin, emax, largest finite value,
// ...) are computed here the way Format::finalize computes them, as constant expressions, so that
// the rounding parameters of a Float<F, M> are constants the compiler folds into each operation.
// test_float_type.cpp holds every tag to the runtime preset of the same name and to the spec
// table's values.
#pragma once

#include <cstdint>
#include <string_view>

#include "floatscope/detail/round_kernel.hpp"
#include "floatscope/format.hpp"

namespace floatscope {

// The fields of a Format (format.hpp) as a literal type.
struct StaticFormat {
  std::string_view name;
  int exp_bits;
  int man_bits;
  int bias;
  Specials specials;
  bool subnormals = true;
  bool is_signed = true;
  bool has_zero = true;
  Encoding encoding = Encoding::binary;

  constexpr int precision() const { return man_bits + 1; }
  constexpr bool has_inf() const { return specials == Specials::ieee; }
  constexpr bool has_nan() const { return specials != Specials::none; }
  constexpr bool has_negative_zero() const {
    return is_signed && specials != Specials::fnuz && encoding == Encoding::binary;
  }
  // Exponent of the smallest normal: exponent field 0 is an ordinary binade without zero (E8M0);
  // MXINT8's values k/64 form one fixed-point binade [1, 2) below which the grid stays 2^-6.
  constexpr int emin() const {
    if (encoding == Encoding::int8_fixed) return 0;
    return has_zero ? 1 - bias : -bias;
  }
  // Exponent of the largest finite value: IEEE formats give the top exponent field to Inf/NaN;
  // fn formats only its all-ones code (a whole binade when there is no mantissa field).
  constexpr int emax() const {
    if (encoding == Encoding::int8_fixed) return 0;
    const int top_field = (1 << exp_bits) - 1;
    if (specials == Specials::ieee || (specials == Specials::fn && man_bits == 0)) return top_field - 1 - bias;
    return top_field - bias;
  }
  constexpr double max_finite() const {
    if (encoding == Encoding::int8_fixed) return 127.0 / 64.0;
    // The significand of the largest finite value: all ones, one step less where the all-ones
    // code is NaN (fn with a mantissa field).
    const double steps = specials == Specials::fn && man_bits > 0 ? 2.0 : 1.0;
    return (2.0 - steps * detail::pow2(-man_bits)) * detail::pow2(emax());
  }
  constexpr double min_normal() const { return detail::pow2(emin()); }
  constexpr double min_subnormal() const {
    if (encoding == Encoding::int8_fixed) return 1.0 / 64.0;
    return subnormals ? detail::pow2(emin() - man_bits) : min_normal();
  }
  constexpr detail::GridFields grid() const {
    return {emin(),    man_bits,  subnormals, has_zero,     has_negative_zero(),
            is_signed, has_inf(), has_nan(),  max_finite(), min_subnormal()};
  }
};

// One tag type per preset: Float<formats::bf16, Mode::rne>. (fp64 has none: its values are the
// doubles themselves, and a product of two of them is not exact in a double.)
namespace formats {
#define FLOATSCOPE_STATIC_FORMAT(tag, ...)                         \
  struct tag {                                                     \
    static constexpr StaticFormat spec{#tag, __VA_ARGS__};         \
  };
// Constants of docs/references.md s.1, as in format.cpp's preset table.
FLOATSCOPE_STATIC_FORMAT(fp32, 8, 23, 127, Specials::ieee)
FLOATSCOPE_STATIC_FORMAT(tf32, 8, 10, 127, Specials::ieee)
FLOATSCOPE_STATIC_FORMAT(fp16, 5, 10, 15, Specials::ieee)
FLOATSCOPE_STATIC_FORMAT(bf16, 8, 7, 127, Specials::ieee)
FLOATSCOPE_STATIC_FORMAT(e4m3, 4, 3, 7, Specials::fn)
FLOATSCOPE_STATIC_FORMAT(e5m2, 5, 2, 15, Specials::ieee)
FLOATSCOPE_STATIC_FORMAT(e4m3fnuz, 4, 3, 8, Specials::fnuz)
FLOATSCOPE_STATIC_FORMAT(e5m2fnuz, 5, 2, 16, Specials::fnuz)
FLOATSCOPE_STATIC_FORMAT(e3m2, 3, 2, 3, Specials::none)
FLOATSCOPE_STATIC_FORMAT(e2m3, 2, 3, 1, Specials::none)
FLOATSCOPE_STATIC_FORMAT(e2m1, 2, 1, 1, Specials::none)
FLOATSCOPE_STATIC_FORMAT(e8m0, 8, 0, 127, Specials::fn, false, false, false)
FLOATSCOPE_STATIC_FORMAT(int8, 1, 6, 0, Specials::none, true, true, true, Encoding::int8_fixed)
#undef FLOATSCOPE_STATIC_FORMAT
}  // namespace formats

}  // namespace floatscope
