// `floatscope models [--json]`: the named hardware accumulation models, their parameters and
// sources.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "floatscope/models.hpp"
#include "model_table.hpp"

namespace floatscope::cli {
namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

int run_models(bool json) {
  if (json) {
    fmt::print("{}\n", models_json().dump(2));
    return kExitOk;
  }
  fmt::print("{:<20} {:>3} {:>3} {:<10} {:>7}  {:<10} {}\n", "name", "L", "F", "output", "promote",
             "inputs", "summary");
  for (const auto& m : hardware_models()) {
    const FusedUnit& u = *m.acc.fused;
    fmt::print("{:<20} {:>3} {:>3} {:<10} {:>7}  {:<10} {}\n", m.name, u.L, u.F,
               fmt::format("{}/{}", u.out.name, mode_name(u.out_mode)),
               m.acc.promote > 0 ? std::to_string(m.acc.promote) : "-", join(m.input_formats, ","),
               m.summary);
    fmt::print("{:<20} C: {}\n{:<20} source: {}\n", "", m.c_note, "", m.source);
  }
  fmt::print("\nFP8 models take scale_a/scale_b, applied after accumulation: "
             "D = RN32(RN32(scale_a*scale_b) * acc).\n"
             "Stochastic roundings in a GEMM draw CounterRng(seed, stream_of(row, col)).bits(step).\n");
  return kExitOk;
}

const Registrar reg_models("models", 20, [](CLI::App& app) -> std::function<int()> {
  app.description("List the named hardware accumulation models with their parameters and sources");
  app.footer("Examples:\n  floatscope models\n  floatscope models --json | jq '.[] | {name, L, F}'");
  auto json = std::make_shared<bool>(false);
  app.add_flag("--json", *json, "One JSON array of objects instead of a table");
  return [json] { return run_models(*json); };
});

}  // namespace
}  // namespace floatscope::cli
