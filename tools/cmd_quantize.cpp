// `floatscope quantize`: quantise a .npy array under a block-scaling scheme and print the
// quantisation error (docs/references.md s.4). Blocks run along the last axis unless --axis 0.
// Everything is computed before any file is written; each file is written atomically.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "command.hpp"
#include "floatscope/block_scaling.hpp"
#include "floatscope/codec.hpp"
#include "floatscope/gemm_cost.hpp"
#include "floatscope/names.hpp"
#include "floatscope/npy.hpp"
#include "floatscope/packing.hpp"
#include "quantize_summary.hpp"

namespace floatscope::cli {
namespace {

struct QuantizeArgs {
  BlockSchemeOptions o;
  std::string rounding = "rne";
  bool no_saturate = false;
  std::uint64_t seed = 0;
  int sr_bits = 64;
  double tensor_scale = 0;  // 0: computed
  std::string amax_history;
  std::string in, out, codes, scales;
  int axis = -1;
  bool packed = false;
  bool json = false;
};

std::vector<double> parse_history(const std::string& text) {
  std::vector<double> v;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    char* end = nullptr;
    const double x = std::strtod(item.c_str(), &end);
    if (item.empty() || end != item.c_str() + item.size())
      throw UsageError(fmt::format("--amax-history: '{}' is not a number (expected a comma-separated list)", item));
    v.push_back(x);
  }
  return v;
}

std::vector<double> transpose_of(const std::vector<double>& x, std::size_t rows, std::size_t cols) {
  std::vector<double> t(x.size());
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) t[c * rows + r] = x[r * cols + c];
  return t;
}

int run_quantize(QuantizeArgs& a) {
  a.o.rounding.mode = parse_mode(a.rounding);
  a.o.rounding.overflow = a.no_saturate ? Overflow::spec : Overflow::saturate;
  a.o.rounding.seed = a.seed;
  a.o.rounding.sr_bits = a.sr_bits;
  if (a.tensor_scale != 0) a.o.tensor_scale = a.tensor_scale;
  if (!a.amax_history.empty()) a.o.amax_history = parse_history(a.amax_history);
  const BlockScheme s = resolve_block_scheme(a.o);

  NpyArray arr;
  try {
    arr = read_npy(a.in);
  } catch (const NpyError& e) {
    throw UsageError(e.what());
  }
  if (arr.shape.empty()) throw UsageError(fmt::format("{}: a 0-d array has no blocks", a.in));
  if (arr.descr[1] != 'f')
    throw UsageError(fmt::format("{}: dtype {} is not float16/32/64", a.in, arr.descr));
  const std::vector<double> x = npy_to_doubles(arr);
  // A rows x cols view whose last axis holds the blocks.
  std::size_t rows = arr.shape.size() == 1 ? 1 : x.size() / arr.shape.back();
  std::size_t cols = arr.shape.back();
  const bool along_first = a.axis == 0 && arr.shape.size() == 2;
  if (a.axis == 0 && arr.shape.size() > 2)
    throw UsageError(fmt::format("{}: --axis 0 needs a 2-D array, this one has {} dimensions", a.in, arr.shape.size()));
  if (x.empty()) throw UsageError(fmt::format("{}: the array is empty", a.in));
  std::vector<double> xv = along_first ? transpose_of(x, rows, cols) : x;
  if (along_first) std::swap(rows, cols);

  const QuantizedTensor q = quantize_blocks(s, xv.data(), rows, cols);
  std::vector<double> deq = dequantize_blocks(q);
  const QuantizeErrors err = quantize_errors(xv, deq);

  // Outputs in the input's orientation.
  if (along_first) deq = transpose_of(deq, rows, cols);
  std::vector<std::uint8_t> codes;
  if (!a.codes.empty()) {
    if (s.element.width > 8) throw UsageError("--codes: element codes wider than 8 bits");
    codes.resize(q.elements.size());
    for (std::size_t i = 0; i < codes.size(); ++i) {
      const double v = q.elements[i];
      // A NaN block of a format without NaN keeps code 0; its scale (NaN) carries the NaN.
      codes[i] = std::isnan(v) && !s.element.has_nan() ? 0 : static_cast<std::uint8_t>(encode(v, s.element));
    }
    if (along_first) {
      std::vector<std::uint8_t> t(codes.size());
      for (std::size_t r = 0; r < q.rows; ++r)
        for (std::size_t c = 0; c < q.cols; ++c) t[c * q.rows + r] = codes[r * q.cols + c];
      codes.swap(t);
    }
  }
  const bool ternary = ternary_valued(s.element);  // BitNet weights: five per byte in base 3
  if (a.packed && (a.codes.empty() || (s.element.width != 4 && s.element.width != 6 && !ternary)))
    throw UsageError(fmt::format("--packed: needs --codes and 4- or 6-bit or ternary elements ({} has {} bits)",
                                 s.element.name, s.element.width));
  std::vector<double> scales = q.scales;
  std::size_t srows = q.scale_rows, scols = q.scale_cols;
  if (along_first) {
    scales = transpose_of(scales, srows, scols);
    std::swap(srows, scols);
  }

  if (!a.out.empty()) {
    std::vector<std::size_t> shape = arr.shape;
    write_npy(a.out, deq.data(), shape);
  }
  if (!a.codes.empty()) {
    std::vector<std::size_t> shape = arr.shape;
    if (shape.size() == 1) shape = {q.cols};
    else if (along_first) shape = {q.cols, q.rows};
    else shape.back() = q.cols;  // padded along the blocked axis
    if (a.packed && ternary) {
      // The values -1, 0, 1 in the written (input) orientation, packed in base 3.
      std::vector<std::int8_t> v(codes.size());
      for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::int8_t>(decode(codes[i], s.element));
      const auto bytes = pack_ternary(v);
      write_npy_u8(a.codes, bytes.data(), {bytes.size()});
    } else if (a.packed) {
      const auto bytes = pack_codes(codes, s.element.width);
      write_npy_u8(a.codes, bytes.data(), {bytes.size()});
    } else {
      write_npy_u8(a.codes, codes.data(), shape);
    }
  }
  if (!a.scales.empty()) write_npy(a.scales, scales.data(), {srows, scols}, /*as_float32=*/true);

  const nlohmann::json j = quantize_summary(s, q, err);
  if (a.json) {
    fmt::print("{}\n", j.dump(2));
    return kExitOk;
  }
  const BlockStats& st = q.stats;
  const double n = static_cast<double>(st.elements);
  fmt::print("scheme            {} ({} elements, {} blocks of {}x{}, scale rule {}, rounding {}{})\n",
             s.info->name, s.element.name, q.scales.size(), q.block_rows(), q.block_cols(),
             j["scale_rule"].get<std::string>(), mode_name(s.rounding.mode),
             s.rounding.overflow == Overflow::saturate ? ", saturating" : "");
  fmt::print("elements          {}{}\n", st.elements,
             st.padded ? fmt::format(" (+{} zeros of padding)", st.padded) : "");
  fmt::print("clamped           {} ({:.6g}%)\n", st.clamped, 100.0 * static_cast<double>(st.clamped) / n);
  fmt::print("flushed to zero   {} ({:.6g}%)\n", st.flushed, 100.0 * static_cast<double>(st.flushed) / n);
  fmt::print("in NaN blocks     {}\n", st.nan);
  if (st.scales) fmt::print("scale exponent    mean {:.6g}, max {}\n", st.mean_scale_exp(), st.scale_exp_max);
  if (s.info->kind == SchemeKind::nvfp4) fmt::print("tensor scale      {:.9g}\n", q.tensor_scale);
  if (err.counted) {
    fmt::print("max rel err       {:.6g}\n", err.max_rel);
    fmt::print("mean rel err      {:.6g}  (over {} finite nonzero inputs)\n", err.mean_rel, err.counted);
  }
  if (std::isfinite(err.normwise)) fmt::print("normwise rel err  {:.6g}\n", err.normwise);
  fmt::print("bits per element  {:.6g}  (storage, scales included)\n", j["bits_per_element"].get<double>());
  return kExitOk;
}

const Registrar reg_quantize("quantize", 25, [](CLI::App& app) -> std::function<int()> {
  app.description("Quantise a .npy array under a block-scaling scheme; print the quantisation error");
  app.footer(
      "Blocks run along the last axis of the row-major array (--axis 0: along the first of a 2-D one).\n"
      "Elements are x / scale rounded once onto the element format, saturating (--no-saturate: the\n"
      "format's own overflow rule). --codes writes element codes (uint8, padded shape; --packed: fp4\n"
      "two per byte, element 0 in the low nibble; fp6 four per three bytes, little-endian; ternary\n"
      "bitnet-w1.58 values five per byte in base 3, value 0 in the lowest digit), --scales the block\n"
      "scales as float32 values (E8M0 powers of two, E4M3 values for nvfp4, fp32 for fp8 and bitnet).\n"
      "BitNet schemes follow the paper's formulas exactly (docs/block-scaling.md).\n"
      "\nExamples:\n"
      "  floatscope quantize --scheme mxfp8-e4m3 --in X.npy\n"
      "  floatscope quantize --scheme mxfp4 --scale-rule rceil --in W.npy --codes w.npy --packed --scales sw.npy\n"
      "  floatscope quantize --scheme nvfp4 --block-scale-rounding rup --in X.npy --out Xq.npy\n"
      "  floatscope quantize --scheme fp8-tile1x128 --format e4m3 --in A.npy --json");
  auto a = std::make_shared<QuantizeArgs>();
  app.add_option("--scheme", a->o.scheme, "scheme: " + scheme_names() + " (see `floatscope schemes`)")->required();
  app.add_option("--in", a->in, "input array (.npy, float16/32/64)")->required();
  add_strict_int(app, "--block", a->o.block, "elements per scale (default: the scheme's)", 1, 1 << 20);
  app.add_option("--scale-rule", a->o.scale_rule, "MX E8M0 scale rule: floor (default), ceil, rceil, even");
  app.add_option("--rounding", a->rounding, "element rounding: " + mode_names())->capture_default_str();
  app.add_flag("--no-saturate", a->no_saturate, "element overflow follows the format's rule instead of clamping");
  add_strict_int(app, "--seed", a->seed, "seed of stochastic element rounding [default: 0]", 0, UINT64_MAX);
  app.add_option("--sr-bits", a->sr_bits, "random bits for --rounding sr (1..64)")->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--format", a->o.format, "fp8 schemes: element format e4m3 (default) or e5m2");
  app.add_option("--tensor-scale", a->tensor_scale, "nvfp4: fp32 tensor scale (default: amax / (448*6))");
  app.add_option("--block-scale-rounding", a->o.block_scale_rounding, "nvfp4 E4M3 block scale: rne (default) or rup");
  app.add_option("--margin", a->o.margin, "fp8 schemes: scale margin (dequantisation scale times 2^margin)");
  app.add_option("--amax-history", a->amax_history, "fp8-delayed: earlier amax values, oldest first (comma-separated)");
  add_strict_int(app, "--history-len", a->o.history_len, "fp8-delayed: amax history window [default: 1024]", 1, 1 << 24);
  app.add_flag("--pad", a->o.pad, "pad a length that is not a whole number of blocks with zeros");
  add_strict_int(app, "--axis", a->axis, "axis the blocks run along: 1 (last, default) or 0", 0, 1);
  app.add_option("--out", a->out, "write the dequantised array (.npy float64, the input's shape)");
  app.add_option("--codes", a->codes, "write the element codes (.npy uint8)");
  app.add_flag("--packed", a->packed, "with --codes: pack fp4/fp6 codes into bytes, ternary values five per byte in base 3 (a 1-D uint8 array)");
  app.add_option("--scales", a->scales, "write the block scales (.npy float32)");
  app.add_flag("--json", a->json, "print one JSON object instead of a table");
  return [a] { return run_quantize(*a); };
});

}  // namespace
}  // namespace floatscope::cli
