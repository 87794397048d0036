// `floatscope schemes [--json]`: the block-scaling schemes (docs/references.md s.4).
#include <fmt/format.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "floatscope/block_scaling.hpp"

namespace floatscope::cli {
namespace {

std::string scheme_block_text(const SchemeInfo& s) {
  if (s.block_rows == 0) return "tensor";
  if (s.block == 0) return "row";
  return s.block_rows == 1 ? fmt::format("1x{}", s.block) : fmt::format("{}x{}", s.block_rows, s.block);
}

int run_schemes(bool json) {
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : block_schemes())
      out.push_back({{"name", s.name},
                     {"element", s.element.empty() ? "e4m3|e5m2" : std::string(s.element)},
                     {"block", scheme_block_text(s)},
                     {"scale", s.scale},
                     {"summary", s.summary}});
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  // The elements column is as wide as its longest entry (BitNet's custom integer formats).
  std::size_t w = 10;
  for (const auto& s : block_schemes()) w = std::max(w, s.element.size() + 1);
  fmt::print("{:<18} {:<{}} {:<8} {:<33} {}\n", "name", "elements", w, "block", "scale", "summary");
  for (const auto& s : block_schemes())
    fmt::print("{:<18} {:<{}} {:<8} {:<33} {}\n", s.name, s.element.empty() ? "e4m3|e5m2" : s.element, w,
               scheme_block_text(s), s.scale, s.summary);
  fmt::print(
      "\nMX scale rules (--scale-rule): floor (OCP MX v1.0), ceil, rceil (cuBLAS, Transformer Engine), "
      "even.\nElements are x / scale rounded once (--rounding, default rne), saturating; blocks run "
      "along K.\nBitNet (bitnet-a8, bitnet-w1.58): integer elements by the paper's formulas in exact "
      "arithmetic (round to nearest even),\nscales rounded once to fp32; integer products are summed exactly "
      "(docs/block-scaling.md).\n");
  return kExitOk;
}

const Registrar reg_schemes("schemes", 21, [](CLI::App& app) -> std::function<int()> {
  app.description("List the block-scaling schemes (OCP MX, NVFP4, FP8 scaling recipes)");
  app.footer("Examples:\n  floatscope schemes\n  floatscope schemes --json | jq '.[].name'");
  auto json = std::make_shared<bool>(false);
  app.add_flag("--json", *json, "One JSON array of objects instead of a table");
  return [json] { return run_schemes(*json); };
});

}  // namespace
}  // namespace floatscope::cli
