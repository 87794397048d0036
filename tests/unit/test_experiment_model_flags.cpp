// The ExperimentSpec fields of a custom model's C conversion and fused-unit parts (what
// `floatscope gemm` / `check gemm` flags set): each field sets the Accumulator part its doc in
// experiment.hpp names (accumulator.hpp: c_format, outer_format, FusedUnit::align_mode,
// normalized_products, pair_interleave, specials), the defaults leave --block-fma as it was, and
// every bad value or combination is refused with a message naming the field.
#include <catch2/catch.hpp>

#include <string>

#include "floatscope/accumulator.hpp"
#include "floatscope/experiment.hpp"

using namespace floatscope;
using Catch::Contains;

namespace {

ExperimentSpec unit_spec() {
  ExperimentSpec s;
  s.a_format = "fp16";
  s.block_fma = "16,25";
  s.acc_format = "fp32";
  s.rounding = "rtz";
  return s;
}

// Every new field set to a value other than its default, one at a time.
struct FieldValue {
  const char* field;
  void (*set)(ExperimentSpec&);
};
const FieldValue kFusedOnly[] = {
    {"outer_format", [](ExperimentSpec& s) { s.outer_format = "fp16"; }},
    {"outer_rounding", [](ExperimentSpec& s) { s.outer_rounding = "rtz"; }},
    {"align", [](ExperimentSpec& s) { s.align = "rne"; }},
    {"normalised_products", [](ExperimentSpec& s) { s.normalised_products = true; }},
    {"interleaved_pairs", [](ExperimentSpec& s) { s.interleaved_pairs = true; }},
    {"subnormals", [](ExperimentSpec& s) { s.subnormals = "flush"; }},
    {"unit_overflow", [](ExperimentSpec& s) { s.unit_overflow = "saturate"; }},
    {"zero_sign", [](ExperimentSpec& s) { s.zero_sign = "ieee"; }},
};
const FieldValue kCRead[] = {
    {"c_format", [](ExperimentSpec& s) { s.c_format = "fp16"; }},
    {"c_rounding", [](ExperimentSpec& s) { s.c_rounding = "rtz"; }},
};

}  // namespace

TEST_CASE("spec fields: the defaults are --block-fma as before (fp32/rne outer, NVIDIA's unit)", "[model_flags]") {
  const Accumulator acc = resolve_accumulator(unit_spec());
  REQUIRE(acc.fused);
  CHECK(acc.outer_format.name == "fp32");
  CHECK(acc.outer_rounding.mode == Mode::rne);
  CHECK(acc.fused->align_mode == Mode::rtz);
  CHECK(!acc.fused->normalized_products);
  CHECK(!acc.fused->pair_interleave);
  CHECK(acc.fused->specials == UnitSpecials{});
  CHECK(!acc.c_format);
  ExperimentSpec scalar;
  CHECK(!resolve_accumulator(scalar).c_format);
}

TEST_CASE("spec fields: c_format and c_rounding set the C conversion of scalar and fused models", "[model_flags]") {
  for (const bool fused : {false, true}) {
    INFO("fused: " << fused);
    ExperimentSpec s = fused ? unit_spec() : ExperimentSpec{};
    s.c_format = "FP16";  // names are case-insensitive
    Accumulator acc = resolve_accumulator(s);
    REQUIRE(acc.c_format);
    CHECK(acc.c_format->name == "fp16");
    CHECK(acc.c_rounding.mode == Mode::rne);
    s.c_format = "bf16";
    s.c_rounding = "rtz";
    acc = resolve_accumulator(s);
    REQUIRE(acc.c_format);
    CHECK(acc.c_format->name == "bf16");
    CHECK(acc.c_rounding.mode == Mode::rtz);
  }
}

TEST_CASE("spec fields: each fused-unit field sets its part", "[model_flags]") {
  ExperimentSpec s = unit_spec();
  s.promote = 64;
  s.outer_format = "fp16";
  s.outer_rounding = "rtz";
  Accumulator acc = resolve_accumulator(s);
  CHECK(acc.promote == 64);
  CHECK(acc.outer_format.name == "fp16");
  CHECK(acc.outer_rounding.mode == Mode::rtz);

  s = unit_spec();
  s.align = "RNE";
  CHECK(resolve_accumulator(s).fused->align_mode == Mode::rne);
  s.align = "rtz";
  CHECK(resolve_accumulator(s).fused->align_mode == Mode::rtz);

  s = unit_spec();
  s.normalised_products = true;
  CHECK(resolve_accumulator(s).fused->normalized_products);

  s = unit_spec();
  s.interleaved_pairs = true;
  CHECK(resolve_accumulator(s).fused->pair_interleave);
  s.promote = 32;  // 2L
  acc = resolve_accumulator(s);
  CHECK(acc.fused->pair_interleave);
  CHECK(acc.promote == 32);

  // accumulator.hpp: keep, flush-inputs (DAZ), flush-results (FTZ), flush (both).
  const struct {
    const char* name;
    bool inputs, results;
  } subnormals[] = {{"keep", false, false}, {"flush-inputs", true, false}, {"flush-results", false, true}, {"flush", true, true}};
  for (const auto& [name, inputs, results] : subnormals) {
    s = unit_spec();
    s.subnormals = name;
    const UnitSpecials sp = resolve_accumulator(s).fused->specials;
    CHECK(sp.flush_inputs == inputs);
    CHECK(sp.flush_results == results);
  }
  const std::pair<const char*, UnitOverflow> overflows[] = {
      {"exact-sum", UnitOverflow::exact_sum}, {"ieee", UnitOverflow::ieee}, {"saturate", UnitOverflow::saturate}};
  for (const auto& [name, want] : overflows) {
    s = unit_spec();
    s.unit_overflow = name;
    CHECK(resolve_accumulator(s).fused->specials.overflow == want);
  }
  for (const auto& [name, want] : {std::pair{"positive", ZeroSign::positive}, std::pair{"ieee", ZeroSign::ieee}}) {
    s = unit_spec();
    s.zero_sign = name;
    CHECK(resolve_accumulator(s).fused->specials.zero_sign == want);
  }
}

TEST_CASE("spec fields: a named model refuses every one of them, naming it", "[model_flags]") {
  auto check_named = [](const FieldValue& f) {
    ExperimentSpec s;
    s.model = "h100-fp16";
    f.set(s);
    INFO(f.field);
    CHECK_THROWS_WITH(resolve_accumulator(s), Contains(std::string(f.field) + ": a named model (h100-fp16)"));
  };
  for (const FieldValue& f : kFusedOnly) check_named(f);
  for (const FieldValue& f : kCRead) check_named(f);
}

TEST_CASE("spec fields: the fused-unit fields need block_fma, naming the field", "[model_flags]") {
  for (const FieldValue& f : kFusedOnly) {
    ExperimentSpec s;
    s.a_format = "fp16";
    f.set(s);
    INFO(f.field);
    CHECK_THROWS_WITH(resolve_accumulator(s), Contains(std::string(f.field) + ": a part of the fused block-FMA unit") &&
                                                  Contains("block_fma"));
  }
}

TEST_CASE("spec fields: bad values and combinations are refused, naming the field", "[model_flags]") {
  const struct {
    void (*set)(ExperimentSpec&);
    const char* want;
  } bad[] = {
      {[](ExperimentSpec& s) { s.c_format = "fp17"; }, "c_format: "},
      {[](ExperimentSpec& s) { s.c_format = "fp16", s.c_rounding = "bogus"; }, "c_rounding: "},
      {[](ExperimentSpec& s) { s.c_format = "fp16", s.c_rounding = "sr"; }, "c_rounding: sr is stochastic"},
      {[](ExperimentSpec& s) { s.c_rounding = "rtz"; }, "c_rounding: rtz rounds C onto c_format; give c_format too"},
      {[](ExperimentSpec& s) { s.outer_format = "fp17"; }, "outer_format: "},
      {[](ExperimentSpec& s) { s.outer_rounding = "bogus"; }, "outer_rounding: "},
      {[](ExperimentSpec& s) { s.align = "rna"; }, "align: unknown aligner 'rna' (accepted: rtz"},
      {[](ExperimentSpec& s) { s.subnormals = "daz"; }, "subnormals: unknown rule 'daz' (accepted: keep, flush-inputs"},
      {[](ExperimentSpec& s) { s.unit_overflow = "inf"; }, "unit_overflow: unknown rule 'inf' (accepted: exact-sum"},
      {[](ExperimentSpec& s) { s.zero_sign = "negative"; }, "zero_sign: unknown rule 'negative' (accepted: positive"},
      // L = 16: instructions of 32 products; a promotion every 16 would cut one in half.
      {[](ExperimentSpec& s) { s.interleaved_pairs = true, s.promote = 16; }, "interleaved_pairs: promote 16 must be a multiple of 2L = 32"},
      {[](ExperimentSpec& s) { s.interleaved_pairs = true, s.promote = 48; }, "interleaved_pairs: promote 48"},
  };
  for (const auto& b : bad) {
    ExperimentSpec s = unit_spec();
    b.set(s);
    INFO(b.want);
    CHECK_THROWS_WITH(resolve_accumulator(s), Contains(b.want));
  }
  // The same C-conversion errors on a scalar model.
  ExperimentSpec s;
  s.c_format = "fp16";
  s.c_rounding = "sr-equal";
  CHECK_THROWS_WITH(resolve_accumulator(s), Contains("c_rounding: sr-equal is stochastic"));
}
