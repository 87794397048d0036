// The block-scaling schemes: one table of their traits, and the names and options resolved once.
#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "floatscope/block_scaling.hpp"
#include "floatscope/names.hpp"

namespace floatscope {

const std::vector<SchemeInfo>& block_schemes() {
  // Sources: OCP MX v1.0 (MX), NVIDIA's NVFP4 description and torchao/cuDNN (NVFP4), Transformer
  // Engine (per-tensor, delayed), DeepSeek-V3 s.3.3 (tiles, blocks); docs/references.md s.4.
  static const std::vector<SchemeInfo> t = {
      {"mxfp8-e4m3", SchemeKind::mx, "e4m3", 32, 1, "E8M0 per block", "OCP MX v1.0 MXFP8 (E4M3 elements)"},
      {"mxfp8-e5m2", SchemeKind::mx, "e5m2", 32, 1, "E8M0 per block", "OCP MX v1.0 MXFP8 (E5M2 elements)"},
      {"mxfp6-e3m2", SchemeKind::mx, "e3m2", 32, 1, "E8M0 per block", "OCP MX v1.0 MXFP6 (E3M2 elements)"},
      {"mxfp6-e2m3", SchemeKind::mx, "e2m3", 32, 1, "E8M0 per block", "OCP MX v1.0 MXFP6 (E2M3 elements)"},
      {"mxfp4", SchemeKind::mx, "e2m1", 32, 1, "E8M0 per block", "OCP MX v1.0 MXFP4 (E2M1 elements)"},
      {"mxint8", SchemeKind::mx, "int8", 32, 1, "E8M0 per block", "OCP MX v1.0 MXINT8 (k/64 elements)"},
      {"nvfp4", SchemeKind::nvfp4, "e2m1", 16, 1, "E4M3 per block x fp32 per tensor",
       "NVIDIA NVFP4: E2M1 elements, E4M3 block scale, fp32 tensor scale amax/(448*6)"},
      {"fp8-tensor", SchemeKind::fp8_tensor, "", 0, 0, "fp32 per tensor",
       "per-tensor current scaling: amax of this tensor (Transformer Engine)"},
      {"fp8-delayed", SchemeKind::fp8_delayed, "", 0, 0, "fp32 per tensor",
       "per-tensor delayed scaling: largest amax of a history window (Transformer Engine)"},
      {"fp8-row", SchemeKind::fp8_row, "", 0, 1, "fp32 per row of A / column of B",
       "row-wise scaling (torchao/cuBLASLt row-wise FP8 GEMM)"},
      {"fp8-tile1x128", SchemeKind::fp8_tile1x128, "", 128, 1, "fp32 per 1x128 tile",
       "1x128 tiles along K (DeepSeek-V3 activations)"},
      {"fp8-block128x128", SchemeKind::fp8_block128x128, "", 128, 128, "fp32 per 128x128 block",
       "128x128 blocks (DeepSeek-V3 weights)"},
      // BitNet b1.58 (arXiv 2402.17764): int8 activations times ternary weights.
      {"bitnet-a8", SchemeKind::bitnet_int8, kInt8IntegerFormat, 0, 1, "fp32 per row of A / column of B",
       "BitNet b1.58 activations: per row, round(x 127 / max|x|) clipped to [-128, 127]"},
      {"bitnet-w1.58", SchemeKind::bitnet_ternary, kTernaryFormat, 0, 0, "fp32 per tensor",
       "BitNet b1.58 weights: RoundClip(W / (mean|W| + eps), -1, 1), ternary"},
  };
  return t;
}

bool integer_scheme(SchemeKind k) { return k == SchemeKind::bitnet_ternary || k == SchemeKind::bitnet_int8; }

const SchemeInfo* find_scheme(std::string_view name) {
  for (const auto& s : block_schemes())
    if (iequals(s.name, name)) return &s;
  return nullptr;
}

std::string scheme_names() {
  std::string out;
  for (const auto& s : block_schemes()) {
    if (!out.empty()) out += ", ";
    out += s.name;
  }
  return out;
}

std::string_view scale_rule_name(ScaleRule r) {
  switch (r) {
    case ScaleRule::floor: return "floor";
    case ScaleRule::ceil: return "ceil";
    case ScaleRule::rceil: return "rceil";
    case ScaleRule::even: return "even";
  }
  return "?";
}

ScaleRule parse_scale_rule(std::string_view name) {
  for (ScaleRule r : {ScaleRule::floor, ScaleRule::ceil, ScaleRule::rceil, ScaleRule::even})
    if (iequals(scale_rule_name(r), name)) return r;
  throw std::invalid_argument(
      fmt::format("scale rule '{}' is unknown; valid: floor, ceil, rceil, even", name));
}

namespace {

bool is_fp8_kind(SchemeKind k) {
  return k != SchemeKind::mx && k != SchemeKind::nvfp4 && !integer_scheme(k);
}

}  // namespace

BlockScheme resolve_block_scheme(const BlockSchemeOptions& o) {
  BlockScheme s;
  s.info = find_scheme(o.scheme);
  if (!s.info)
    throw std::invalid_argument(fmt::format("scheme: unknown '{}'; valid: {}", o.scheme, scheme_names()));
  const SchemeInfo& info = *s.info;
  const SchemeKind k = info.kind;
  const std::string name(info.name);
  if (is_fp8_kind(k)) {
    const std::string f = o.format.empty() ? "e4m3" : to_lower(o.format);
    if (f != "e4m3" && f != "e5m2")
      throw std::invalid_argument(
          fmt::format("format: scheme {} takes e4m3 or e5m2 elements, not '{}'", name, o.format));
    s.element = parse_format(f);
  } else {
    s.element = parse_format(info.element);
    if (!o.format.empty()) {
      const auto given = find_format(o.format);
      if (!given || given->name != s.element.name)
        throw std::invalid_argument(fmt::format("format: scheme {} has {} elements, not '{}'", name,
                                                s.element.name, o.format));
    }
  }
  s.block = info.block;
  s.block_rows = info.block_rows;
  if (o.block != 0) {
    if (o.block < 0 || o.block > (1 << 20))
      throw std::invalid_argument(fmt::format("block: {} is not in 1..{}", o.block, 1 << 20));
    if (info.block == 0)
      throw std::invalid_argument(
          fmt::format("block: scheme {} has one scale per {}; it takes no block size", name,
                      info.block_rows == 0 ? "tensor" : "row"));
    s.block = o.block;
    if (k == SchemeKind::fp8_block128x128) s.block_rows = o.block;  // square blocks
  }
  if (!o.scale_rule.empty() && !iequals(o.scale_rule, "floor") && k != SchemeKind::mx)
    throw std::invalid_argument(
        fmt::format("scale_rule: applies to the MX schemes' E8M0 scales, not to {}", name));
  s.rule = o.scale_rule.empty() ? ScaleRule::floor : parse_scale_rule(o.scale_rule);
  s.rounding = o.rounding;
  if (integer_scheme(k) && o.rounding.mode != Mode::rne)
    throw std::invalid_argument(fmt::format(
        "rounding: scheme {} rounds to nearest, ties to even (the paper's round(), as torch.round); {} "
        "is not available",
        name, mode_name(o.rounding.mode)));
  if (o.tensor_scale) {
    if (k != SchemeKind::nvfp4)
      throw std::invalid_argument(fmt::format("tensor_scale: applies to nvfp4, not to {}", name));
    const double t = *o.tensor_scale;
    if (!(t > 0) || !std::isfinite(t) || static_cast<double>(static_cast<float>(t)) != t)
      throw std::invalid_argument(
          fmt::format("tensor_scale: {} must be a positive finite float32 value", t));
    s.tensor_scale = t;
  }
  const std::string bsr = to_lower(o.block_scale_rounding);
  if (bsr != "rne" && bsr != "rup" && !bsr.empty())
    throw std::invalid_argument(fmt::format(
        "block_scale_rounding: '{}' is not rne (nearest even, torchao) or rup (up, cuDNN)",
        o.block_scale_rounding));
  if (bsr == "rup" && k != SchemeKind::nvfp4)
    throw std::invalid_argument(fmt::format("block_scale_rounding: applies to nvfp4, not to {}", name));
  s.block_scale_mode = bsr == "rup" ? Mode::rup : Mode::rne;
  if (o.margin != 0 && !is_fp8_kind(k))
    throw std::invalid_argument(fmt::format("margin: applies to the fp8 schemes, not to {}", name));
  if (!std::isfinite(o.margin) || o.margin != std::floor(o.margin) || std::fabs(o.margin) > 64)
    throw std::invalid_argument(fmt::format("margin: {} is not an integer in -64..64", o.margin));
  s.margin = o.margin;
  if ((!o.amax_history.empty() || o.history_len != 1024) && k != SchemeKind::fp8_delayed)
    throw std::invalid_argument(
        fmt::format("amax history: applies to fp8-delayed, not to {}", name));
  if (o.history_len < 1 || o.history_len > (1 << 24))
    throw std::invalid_argument(fmt::format("history_len: {} is not in 1..{}", o.history_len, 1 << 24));
  for (std::size_t i = 0; i < o.amax_history.size(); ++i)
    if (!(o.amax_history[i] >= 0) || !std::isfinite(o.amax_history[i]))
      throw std::invalid_argument(fmt::format("amax history: entry {} ({}) is not a finite amax >= 0", i,
                                              o.amax_history[i]));
  s.history_len = o.history_len;
  s.amax_history = o.amax_history;
  s.pad = o.pad;
  return s;
}

void scale_shape(const BlockScheme& s, std::size_t rows, std::size_t cols, std::size_t& scale_rows,
                 std::size_t& scale_cols) {
  const std::size_t bc = s.block == 0 ? cols : static_cast<std::size_t>(s.block);
  const std::size_t br = s.block_rows == 0 ? rows : static_cast<std::size_t>(s.block_rows);
  scale_rows = (rows + br - 1) / br;
  scale_cols = (cols + bc - 1) / bc;
}

}  // namespace floatscope
