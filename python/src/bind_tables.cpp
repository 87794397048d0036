// formats() and models(): the tables of `floatscope formats --json` and `floatscope models --json`,
// with the same keys, as lists of dicts.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.hpp"
#include "floatscope/format.hpp"
#include "floatscope/models.hpp"
#include "model_table.hpp"
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

// `floatscope models --json`'s table as JSON text (the package parses it).
std::string models() { return models_json().dump(); }

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
