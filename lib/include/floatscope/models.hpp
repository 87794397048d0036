// Named hardware accumulation models: preset Accumulators for GPU matrix units, each with its
// source. Parameters (L, F, output rounding, how C enters) follow docs/references.md s.5 and the
// recorded tensor-core outputs (tests/data/hwdata-subset; tests/unit/test_hwdata_subset.cpp checks them).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floatscope/accumulator.hpp"

namespace floatscope {

struct ModelInfo {
  std::string name;     // "h100-fp8"
  std::string summary;  // one line: what the unit does
  std::string source;   // where the parameters come from
  Accumulator acc;      // with the default input formats (the first of input_formats)
  std::vector<std::string> input_formats;  // formats A and B may take
  std::string c_note;   // how C of D = A*B + C enters
};

const std::vector<ModelInfo>& hardware_models();
const ModelInfo* find_model(std::string_view name);  // nullptr when unknown
std::string hardware_model_names();                  // comma-separated, for messages

// The model's Accumulator with the given input formats (default: the model's first) and, for
// models with promotion, another interval (promote > 0; -1 keeps the model's own, 0 turns it off).
// Throws std::invalid_argument listing valid models, or the formats the model accepts.
Accumulator model_accumulator(std::string_view name, std::optional<Format> a = std::nullopt,
                              std::optional<Format> b = std::nullopt, int promote = -1);

}  // namespace floatscope
