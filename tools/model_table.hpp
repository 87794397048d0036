// The table `floatscope models --json` prints, shared with the Python package's
// floatscope.models() so that both list the same fields under the same names.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "floatscope/models.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope {

inline nlohmann::json models_json() {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& m : hardware_models()) {
    const FusedUnit& u = *m.acc.fused;
    nlohmann::json j{{"name", m.name},
                     {"summary", m.summary},
                     {"source", m.source},
                     {"input_formats", m.input_formats},
                     {"L", u.L},
                     {"F", u.F},
                     {"output_format", u.out.name},
                     {"output_rounding", std::string(mode_name(u.out_mode))},
                     {"promote", m.acc.promote},
                     {"c", m.c_note},
                     {"describe", m.acc.describe()}};
    if (m.acc.promote > 0) {
      j["outer_format"] = m.acc.outer_format.name;
      j["outer_rounding"] = std::string(mode_name(m.acc.outer_rounding.mode));
    }
    if (u.c_outside) {
      j["c_add_format"] = u.c_add_format.name;
      j["c_add_rounding"] = std::string(mode_name(u.c_add_rounding.mode));
    }
    if (m.acc.c_format) {  // fp16-accumulating variants read C in D's type
      j["c_format"] = m.acc.c_format->name;
      j["c_rounding"] = std::string(mode_name(m.acc.c_rounding.mode));
    }
    j["operand_rounding"] = m.acc.quantize ? std::string(mode_name(m.acc.quantize->mode)) : "none";
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace floatscope
