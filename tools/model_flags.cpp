// One registration of the model flags for `floatscope gemm` and `floatscope check gemm`.
#include "model_flags.hpp"

#include <climits>
#include <functional>
#include <string>

#include "command.hpp"
#include "floatscope/accumulator.hpp"
#include "floatscope/format.hpp"
#include "floatscope/names.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope::cli {
namespace {

// A validator that runs the library's own parser on the value: its message (which lists the
// accepted values) becomes CLI11's "--flag: message", exit 2.
CLI::Validator parsed_by(const std::string& what, std::function<void(const std::string&)> parse) {
  return CLI::Validator(
      [parse = std::move(parse)](std::string& value) -> std::string {
        try {
          parse(value);
        } catch (const std::invalid_argument& e) {
          return e.what();
        }
        return "";
      },
      what);
}

CLI::Validator format_name() {
  return parsed_by("FORMAT", [](const std::string& v) { parse_format(v); });
}
CLI::Validator mode() {
  return parsed_by("MODE", [](const std::string& v) { parse_mode(v); });
}

}  // namespace

void add_custom_model_flags(CLI::App& app, ExperimentSpec& s) {
  app.add_option("--model", s.model, "named hardware model (see `floatscope models`), or custom");
  app.add_option("--a-format", s.a_format, "format of A (default: the model's first, fp32 for custom)");
  app.add_option("--b-format", s.b_format, "format of B (default: --a-format)");
  // The scalar accumulator of a custom model.
  app.add_option("--acc-format", s.acc_format, "accumulator format (custom; the fused unit's output with --block-fma)")
      ->capture_default_str();
  app.add_option("--rounding", s.rounding, "accumulator rounding: rne rna rtz rup rdn rto sr sr-equal")->capture_default_str();
  add_strict_int(app, "--sr-bits", s.sr_bits, "random bits of stochastic rounding (1..64) [default: 64]", 1, 64);
  app.add_option("--order", s.order, "sequential, reverse, pairwise, blocked:B, splitk:S, random:SEED")->capture_default_str();
  app.add_option("--product-format", s.product_format, "round each product to this format (default: exact)");
  app.add_option("--compensation", s.compensation, "none, kahan, neumaier")->capture_default_str();
  // C read in another format: any custom model.
  app.add_option("--c-format", s.c_format,
                 "custom: round C onto this format before anything else, as an instruction whose C has D's type "
                 "(fp16 accumulation) reads it (default: C as given)")
      ->check(format_name());
  app.add_option("--c-rounding", s.c_rounding, "rounding of C onto --c-format: rne rna rtz rup rdn rto")
      ->check(mode())
      ->capture_default_str();
  // The fused unit of a custom model and its parts.
  add_strict_int(app, "--promote", s.promote, "promotion interval of block-FMA models (0 = off; default: the model's)", -1, INT_MAX);
  app.add_option("--block-fma", s.block_fma,
                 "custom fused block-FMA unit L,F: L products per step, F bits kept below the step's "
                 "largest exponent (e.g. 32,13); --acc-format is its output, --rounding its rounding, "
                 "--promote its promotion");
  app.add_option("--outer-format", s.outer_format,
                 "--block-fma: the accumulator the unit's partials are promoted into (--promote) and that rounds "
                 "the scales")
      ->check(format_name())
      ->capture_default_str();
  app.add_option("--outer-rounding", s.outer_rounding, "--block-fma: rounding of --outer-format")
      ->check(mode())
      ->capture_default_str();
  app.add_option("--align", s.align,
                 "--block-fma: terms cut to 2^(E-F) by truncation (rtz) or rounded to nearest even (rne)")
      ->check(CLI::IsMember({"rtz", "rne"}, CLI::ignore_case))
      ->capture_default_str();
  app.add_flag("--normalised-products", s.normalised_products,
               "--block-fma: a product's exponent is floor(log2|ab|), not e(a) + e(b)");
  app.add_flag("--interleaved-pairs", s.interleaved_pairs,
               "--block-fma: instructions of 2L products as two steps over interleaved pairs of k (k mod 4 in "
               "{0,1}, then {2,3}; FP8 with fp16 D); --promote 0 or a multiple of 2L");
  app.add_option("--subnormals", s.subnormals,
                 "--block-fma: keep, flush-inputs (A and B subnormals read as zeros), flush-results (step results "
                 "below the output's smallest normal become zeros), flush (both)")
      ->check(parsed_by("RULE", [](const std::string& v) {
        UnitSpecials u;
        parse_subnormals(v, u);
      }))
      ->capture_default_str();
  app.add_option("--unit-overflow", s.unit_overflow,
                 "--block-fma: exact-sum (Inf when the exact sum reaches 2^(emax+1), NVIDIA), ieee (IEEE 754 "
                 "overflow of the rounded sum), saturate (finite sums give +-max)")
      ->check(parsed_by("RULE", [](const std::string& v) { parse_unit_overflow(v); }))
      ->capture_default_str();
  app.add_option("--zero-sign", s.zero_sign,
                 "--block-fma: sign of an exact zero sum: positive (+0, NVIDIA) or ieee (IEEE 754's, -0 under "
                 "rdn)")
      ->check(parsed_by("RULE", [](const std::string& v) { parse_zero_sign(v); }))
      ->capture_default_str();
  // The output conversion.
  app.add_option("--output-format", s.output_format, "convert the result to this format");
  app.add_option("--output-rounding", s.output_rounding, "rounding of the output conversion")->capture_default_str();
  app.add_option("--output-scale", s.output_scale, "output = round(D * scale) in --output-format (e.g. fp8 outputs)")
      ->capture_default_str();
  app.add_option("--output-scale-mode", s.output_scale_mode,
                 "fused: one rounding of D * scale; after: D stored first, then multiplied in fp32 by the "
                 "fp32 scale and stored again (unfused dropout)")
      ->capture_default_str();
}

void lower_model_names(ExperimentSpec& s) {
  for (std::string* name : {&s.model, &s.a_format, &s.b_format, &s.acc_format, &s.rounding, &s.order,
                            &s.product_format, &s.compensation, &s.c_format, &s.c_rounding, &s.outer_format,
                            &s.outer_rounding, &s.align, &s.subnormals, &s.unit_overflow, &s.zero_sign,
                            &s.output_format, &s.output_rounding, &s.output_scale_mode})
    *name = to_lower(*name);
}

}  // namespace floatscope::cli
