// formats() and models(): the tables of `floatscope formats --json` and `floatscope models --json`,
// with the same keys, as lists of dicts.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.hpp"
#include "floatscope/format.hpp"
#include "floatscope/models.hpp"
#include "floatscope/rounding.hpp"
#include "floatscope/simd.hpp"

namespace nb = nanobind;

namespace floatscope::python {
namespace {

nb::dict format_dict(const Format& f) {
  nb::dict d;
  d["name"] = f.name;
  d["aliases"] = f.aliases();
  d["bits"] = f.width;
  d["exponent_bits"] = f.encoding == Encoding::int8_fixed ? 0 : f.exp_bits;
  d["mantissa_bits"] = f.man_bits;
  d["bias"] = f.bias;
  d["max_finite"] = f.max_finite;
  d["min_normal"] = f.min_normal;
  d["min_subnormal"] = f.min_subnormal;
  d["specials"] = f.specials_name();
  d["subnormals"] = f.subnormals;
  d["signed"] = f.is_signed;
  return d;
}

nb::list formats() {
  nb::list out;
  for (const auto& f : preset_formats()) out.append(format_dict(f));
  return out;
}

nb::list models() {
  nb::list out;
  for (const auto& m : hardware_models()) {
    const FusedUnit& u = *m.acc.fused;
    nb::dict j;
    j["name"] = m.name;
    j["summary"] = m.summary;
    j["source"] = m.source;
    j["input_formats"] = m.input_formats;
    j["L"] = u.L;
    j["F"] = u.F;
    j["output_format"] = u.out.name;
    j["output_rounding"] = std::string(mode_name(u.out_mode));
    j["promote"] = m.acc.promote;
    j["c"] = m.c_note;
    j["describe"] = m.acc.describe();
    if (m.acc.promote > 0) {
      j["outer_format"] = m.acc.outer_format.name;
      j["outer_rounding"] = std::string(mode_name(m.acc.outer_rounding.mode));
    }
    if (u.c_outside) {
      j["c_add_format"] = u.c_add_format.name;
      j["c_add_rounding"] = std::string(mode_name(u.c_add_rounding.mode));
    }
    j["operand_rounding"] = m.acc.quantize ? std::string(mode_name(m.acc.quantize->mode)) : "none";
    out.append(j);
  }
  return out;
}

// A preset or custom spec resolved, with what the package needs to pick dtypes: the canonical
// name and width, and whether the format's values are floats (float32 arrays can carry them).
nb::dict format_info(const std::string& spec) {
  const Format f = parse_format(spec);
  nb::dict d = format_dict(f);
  d["values_are_floats"] = f.values_are_floats();
  d["has_nan"] = f.has_nan();
  return d;
}

}  // namespace

void bind_tables(nb::module_& m) {
  m.def("formats", &formats, "The named formats, as `floatscope formats --json`");
  m.def("models", &models, "The named hardware models, as `floatscope models --json`");
  m.def("format_info", &format_info, nb::arg("format"), "One format (preset or eXmY[:...]) resolved");
  m.def("simd_level", [] { return std::string(simd_level_name(simd_level())); },
        "The SIMD level the rounding loops use on this CPU (scalar, avx2, avx512)");
}

}  // namespace floatscope::python
