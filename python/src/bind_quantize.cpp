// floatscope.quantize: block-scaled quantisation (block_scaling.hpp) of a 2-D float64 array whose
// rows hold the blocks, as `floatscope quantize` does (python/floatscope/__init__.py moves the
// blocked axis last). Returns the dequantised array, the elements on their grid (padded shape),
// the block scales and the JSON text of `quantize --json`'s statistics.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "floatscope/block_scaling.hpp"
#include "quantize_summary.hpp"

namespace nb = nanobind;

namespace floatscope::python {
namespace {

using Matrix = nb::ndarray<const double, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

nb::ndarray<nb::numpy, double, nb::ndim<2>> to_numpy(std::vector<double>&& v, std::size_t rows, std::size_t cols) {
  auto* owned = new std::vector<double>(std::move(v));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<std::vector<double>*>(p); });
  return nb::ndarray<nb::numpy, double, nb::ndim<2>>(owned->data(), {rows, cols}, owner);
}

nb::tuple quantize(Matrix x, const std::string& scheme, const std::string& format, int block,
                   const std::string& scale_rule, const std::string& rounding, bool saturate, std::uint64_t seed,
                   int sr_bits, std::optional<double> tensor_scale, const std::string& block_scale_rounding,
                   double margin, std::vector<double> amax_history, bool pad) {
  BlockSchemeOptions o;
  o.scheme = scheme;
  o.format = format;
  o.block = block;
  o.scale_rule = scale_rule;
  o.rounding.mode = parse_mode(rounding);
  o.rounding.overflow = saturate ? Overflow::saturate : Overflow::spec;
  o.rounding.seed = seed;
  o.rounding.sr_bits = sr_bits;
  o.tensor_scale = tensor_scale;
  o.block_scale_rounding = block_scale_rounding;
  o.margin = margin;
  o.amax_history = std::move(amax_history);
  o.pad = pad;
  const BlockScheme s = resolve_block_scheme(o);
  const std::size_t rows = x.shape(0), cols = x.shape(1);
  if (rows == 0 || cols == 0) throw std::invalid_argument("quantize: the array is empty");
  QuantizedTensor q;
  std::vector<double> deq;
  std::string summary;
  {
    nb::gil_scoped_release unlocked;
    q = quantize_blocks(s, x.data(), rows, cols);
    deq = dequantize_blocks(q);
    const std::vector<double> in(x.data(), x.data() + rows * cols);
    summary = quantize_summary(s, q, quantize_errors(in, deq)).dump();
  }
  const std::size_t qr = q.rows, qc = q.cols, sr = q.scale_rows, sc = q.scale_cols;
  return nb::make_tuple(to_numpy(std::move(deq), rows, cols), to_numpy(std::move(q.elements), qr, qc),
                        to_numpy(std::move(q.scales), sr, sc), summary);
}

}  // namespace

void bind_quantize(nb::module_& m) {
  m.def("quantize", &quantize, nb::arg("x"), nb::arg("scheme"), nb::arg("format"), nb::arg("block"),
        nb::arg("scale_rule"), nb::arg("rounding"), nb::arg("saturate"), nb::arg("seed"), nb::arg("sr_bits"),
        nb::arg("tensor_scale").none(), nb::arg("block_scale_rounding"), nb::arg("margin"),
        nb::arg("amax_history"), nb::arg("pad"));
}

}  // namespace floatscope::python
