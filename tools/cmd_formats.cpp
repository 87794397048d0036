// `floatscope formats [--json]`: the table of named formats.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "floatscope/format.hpp"

namespace floatscope::cli {
namespace {

int run_formats(bool json) {
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& f : preset_formats()) {
      out.push_back({{"name", f.name},
                     {"aliases", f.aliases()},
                     {"bits", f.width},
                     {"exponent_bits", f.encoding == Encoding::int8_fixed ? 0 : f.exp_bits},
                     {"mantissa_bits", f.man_bits},
                     {"bias", f.bias},
                     {"max_finite", f.max_finite},
                     {"min_normal", f.min_normal},
                     {"min_subnormal", f.min_subnormal},
                     {"specials", f.specials_name()},
                     {"subnormals", f.subnormals},
                     {"signed", f.is_signed}});
    }
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  fmt::print("{:<9} {:>4} {:>3} {:>3} {:>5} {:>24} {:>12} {:>12}  {:<5} {}\n", "name", "bits", "exp",
             "man", "bias", "max finite", "min normal", "min subnorm", "specials", "aliases");
  for (const auto& f : preset_formats()) {
    std::string aliases;
    for (const auto& a : f.aliases()) aliases += (aliases.empty() ? "" : ",") + a;
    fmt::print("{:<9} {:>4} {:>3} {:>3} {:>5} {:>24.17g} {:>12.6g} {:>12.6g}  {:<8} {}\n", f.name,
               f.width, f.encoding == Encoding::int8_fixed ? 0 : f.exp_bits, f.man_bits, f.bias,
               f.max_finite, f.min_normal, f.min_subnormal, f.specials_name(), aliases);
  }
  fmt::print("\nCustom formats: eXmY (IEEE-style), or eXmY:bias=B,specials=ieee|fn|fnuz|none,"
             "subnormals=on|off,signed=yes|no\n");
  return kExitOk;
}

const Registrar reg_formats("formats", 10, [](CLI::App& app) -> std::function<int()> {
  app.description("List the named element formats with their constants");
  app.footer("Examples:\n  floatscope formats\n  floatscope formats --json | jq '.[].name'");
  auto json = std::make_shared<bool>(false);
  app.add_flag("--json", *json, "One JSON array of objects instead of a table");
  return [json] { return run_formats(*json); };
});

}  // namespace
}  // namespace floatscope::cli
