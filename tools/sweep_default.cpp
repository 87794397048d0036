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

[reduced]
K = [16, 256]
repeats = 1
M = 16
N = 16

[report]
question = """How does the error of a length-K accumulation grow with K for fp32, fp16, bf16 and fp8 (e4m3)
inputs, in software accumulators and in the H100 tensor-core models, against the bounds gamma_K and
sqrt(K) u, on all-positive (uniform01) and zero-mean (normal) data?"""
conclusion = """The error follows the accumulator: fp32 accumulation (software or the H100 fp16/bf16/tf32
models) stays within a few fp32 units in the last place, fp16 and bf16 accumulators lose percent-level
accuracy on all-positive data by K = 4096, and the H100 FP8 unit's 14-bit accumulator loses about 7% at
K = 4096 unless it promotes to fp32 every 128 products. gamma_K holds for every software accumulator;
the longer study of each question is in accumulation-vs-k and fp8-accumulation."""

[[report.claim]]
claim = "gamma_K bounds every software (round-to-nearest) accumulator where it is not vacuous"
source = "Higham, ASNA ch. 3 (docs/references.md s.6)"
where = { model = "custom" }
metric = "ratio_det"
stat = "max"
published = 1
expect = "below"

[[report.claim]]
claim = "H100 FP8 accumulation over all of K = 4096: max relative error about 2%"
source = "DeepSeek-V3, arXiv 2412.19437, s.3.3.2"
where = { model = "h100-fp8", dist = "uniform01", K = 4096 }
metric = "max_rel_err"
published = 0.02
expect = "near"
factor = 4

[[report.claim]]
claim = "Promotion every 128 products brings it 10x below that"
source = "DeepSeek-V3, arXiv 2412.19437, s.3.3.2"
where = { model = "h100-fp8-promote128", dist = "uniform01", K = 4096 }
metric = "max_rel_err"
expect = "below"
factor = 10
than = { where = { model = "h100-fp8", dist = "uniform01", K = 4096 }, metric = "max_rel_err" }
)toml";
}

}  // namespace floatscope::cli
