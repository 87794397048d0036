// The command-line flags that choose an accumulation model (a named one, or the parts of a custom
// one), registered once for every command that runs a model: `floatscope gemm` and
// `floatscope check gemm` take the same flags with the same meaning.
#pragma once

#include <CLI/CLI.hpp>

#include "floatscope/experiment.hpp"

namespace floatscope::cli {

// --model, the input formats, the scalar accumulator (--acc-format, --rounding, --sr-bits,
// --order, --product-format, --compensation), the fused unit (--block-fma, --promote,
// --outer-format, --outer-rounding, --align, --normalised-products, --interleaved-pairs,
// --subnormals, --unit-overflow, --zero-sign), C read in a format (--c-format, --c-rounding) and
// the output conversion (--output-format, --output-rounding, --output-scale,
// --output-scale-mode), each into its ExperimentSpec field. Names that have a fixed list of
// values are checked while parsing (exit 2 naming the flag and the accepted values); how the parts
// combine is checked by resolve_accumulator, whose messages name the spec field.
void add_custom_model_flags(CLI::App& app, ExperimentSpec& s);

// The names those flags set, in their canonical lower case (names are case-insensitive).
void lower_model_names(ExperimentSpec& s);

}  // namespace floatscope::cli
