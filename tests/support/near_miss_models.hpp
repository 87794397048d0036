// Hardware models one parameter away from the fitted ones, with the recorded set each should fail
// on: a test that the recorded data can tell parameters apart (test_hwdata, test_hwdata_subset).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "floatscope/accumulator.hpp"
#include "floatscope/format.hpp"
#include "floatscope/models.hpp"

namespace floatscope::test {

inline std::vector<std::pair<std::string, Accumulator>> near_miss_models() {
  const Format e4m3 = parse_format("e4m3");
  Accumulator f24 = model_accumulator("h100-fp16");
  f24.fused->F = 24;
  Accumulator l8 = model_accumulator("h100-bf16");
  l8.fused->L = 8;
  Accumulator out32 = model_accumulator("h100-fp8", e4m3, e4m3);
  out32.fused->out = parse_format("fp32");
  Accumulator c_inside = model_accumulator("b200-fp8", e4m3, e4m3);
  c_inside.fused->c_outside = false;
  Accumulator rne = model_accumulator("a100-fp16");
  rne.fused->out_mode = Mode::rne;
  return {{"H100_fp16", f24}, {"H100_bf16", l8}, {"H100_E4M3", out32}, {"B200_E4M3", c_inside},
          {"A100_fp16", rne}};
}

}  // namespace floatscope::test
