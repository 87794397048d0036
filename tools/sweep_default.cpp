// The built-in default sweep: byte-for-byte experiments/default/config.toml (a CLI test compares
// them), so `floatscope sweep` with no config runs the experiment that folder documents.
#include "sweep_default.hpp"

namespace floatscope::cli {

const char* default_sweep_toml() {
  return R"toml(# The default sweep of `floatscope sweep` (built into the program; a test checks that this file is
# identical to the built-in copy, `floatscope sweep --print-default-config`).
# Question: how does the error of a length-K accumulation grow with K for fp32, fp16, bf16 and fp8
# inputs, in software accumulators and in the H100 tensor-core models (docs/references.md section 5)?
title = "Accumulation error against K"
dist = ["uniform01", "normal"]
M = 64
N = 64
K = [16, 64, 256, 1024, 4096]
seed = 1
repeats = 3

# Software accumulators, products exact, sums rounded to nearest even.
[[grid]]
a_format = "fp32"
acc_format = "fp32"

[[grid]]
a_format = "fp16"
acc_format = ["fp32", "fp16"]

[[grid]]
a_format = "bf16"
acc_format = ["fp32", "bf16"]

[[grid]]
a_format = "e4m3"
acc_format = "fp32"

# H100 tensor-core models: block FMA, truncation to F bits, fp32 (or 14-bit) round-toward-zero.
[[grid]]
model = "h100-tf32"
a_format = "tf32"

[[grid]]
model = "h100-fp16"
a_format = "fp16"

[[grid]]
model = "h100-bf16"
a_format = "bf16"

[[grid]]
model = ["h100-fp8", "h100-fp8-promote128"]
a_format = "e4m3"
)toml";
}

}  // namespace floatscope::cli
