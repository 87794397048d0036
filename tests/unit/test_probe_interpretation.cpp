// The probe component (probe.hpp) reads a unit's parameters from black-box outputs. Here the black
// box is a CPU model (or a unit no model describes), and the expected parameters are written out
// from docs/references.md s.5's table, not taken from the models: the probes must recover
// L, F, the result precision and the roundings of each row from outputs alone.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>

#include "floatscope/gemm.hpp"
#include "floatscope/models.hpp"
#include "floatscope/fit.hpp"
#include "floatscope/probe.hpp"

using namespace floatscope;

namespace {

// One instruction of K = k products evaluated by an Accumulator (emulate_dot per step).
InstructionUnderTest cpu_instruction(const Accumulator& acc, int k, std::string name) {
  InstructionUnderTest u;
  u.name = std::move(name);
  u.a_format = acc.a_format;
  u.b_format = acc.b_format;
  u.c_format = parse_format("fp32");
  u.k = k;
  u.run = [acc, k](const double* a, const double* b, const double* c, double* d, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
      d[i] = emulate_dot(acc, a + i * static_cast<std::size_t>(k), b + i * static_cast<std::size_t>(k), k, c[i]);
  };
  return u;
}

InstructionUnderTest model_instruction(const std::string& model, const std::string& fmt, int k) {
  const Format f = parse_format(fmt);
  return cpu_instruction(model_accumulator(model, f, f, 0), k, model + " as a black box");
}

struct Row {
  const char* model;
  const char* format;
  int L, F, P;
  const char* step_rounding;
  const char* c_entry;
};

}  // namespace

TEST_CASE("probes recover docs/references.md s.5's table from CPU models as black boxes", "[probe]") {
  // k = 64 products per call: longer than every unit's step, so the block size is seen.
  const Row rows[] = {
      {"v100-fp16", "fp16", 4, 23, 24, "rtz", "inside the block"},
      {"a100-fp16", "fp16", 8, 24, 24, "rtz", "inside the block"},
      {"a100-bf16", "bf16", 8, 24, 24, "rtz", "inside the block"},
      {"a100-tf32", "tf32", 4, 24, 24, "rtz", "inside the block"},
      {"ada-fp8", "e4m3", 16, 13, 14, "rtz", "inside the block"},
      {"ada-fp8", "e5m2", 16, 13, 14, "rtz", "inside the block"},
      {"h100-fp16", "fp16", 16, 25, 24, "rtz", "inside the block"},
      {"h100-bf16", "bf16", 16, 25, 24, "rtz", "inside the block"},
      {"h100-tf32", "tf32", 8, 25, 24, "rtz", "inside the block"},
      {"h100-fp8", "e4m3", 32, 13, 14, "rtz", "inside the block"},
      {"b200-tf32", "tf32", 4, 25, 24, "rtz", "inside the block"},
      {"b200-fp8", "e4m3", 32, 25, 24, "rtz", "added after the products (rne)"},
  };
  for (const Row& r : rows) {
    INFO(r.model << " " << r.format);
    ProbeOptions opt;
    opt.random_steps = 2000;
    opt.fit_random_cases = 0;  // the fit has its own test case below
    const ProbeFindings f = probe_instruction(model_instruction(r.model, r.format, 64), opt);
    INFO(describe_findings(f));
    CHECK(f.products_exact);
    CHECK(f.L.measured);
    CHECK(!f.L.lower_bound);
    CHECK(f.L.value == r.L);
    CHECK(f.F.measured);
    CHECK(f.F.value == r.F);
    CHECK(f.P.measured);
    CHECK(f.P.value == r.P);
    CHECK(f.alignment == "toward zero");
    CHECK(f.step_rounding == r.step_rounding);
    CHECK(f.c_entry == r.c_entry);
    CHECK(f.carries_kept);
    CHECK(f.subnormal_inputs);
    CHECK(f.nan_propagates);
    // The black box is the model: the model found must have the same parameters and agree on
    // every random step.
    CHECK(!f.model.empty());
    CHECK(f.steps_compared == 2000);
    CHECK(f.steps_agreeing == f.steps_compared);
  }
}

TEST_CASE("one instruction shorter than the unit's step: L is a lower bound", "[probe]") {
  // H100 fp16 through mma m16n8k16: 16 products, one step; the probe says L >= 16 (no split).
  ProbeOptions opt;
  opt.random_steps = 500;
  opt.fit_random_cases = 0;
  const ProbeFindings f = probe_instruction(model_instruction("h100-fp16", "fp16", 16), opt);
  INFO(describe_findings(f));
  CHECK(f.L.measured);
  CHECK(f.L.lower_bound);
  CHECK(f.L.value == 16);
  CHECK(f.F.value == 25);
  // Ada's fp8 unit inside one k32 instruction: two steps of 16 are seen.
  const ProbeFindings g = probe_instruction(model_instruction("ada-fp8", "e4m3", 32), opt);
  CHECK(g.L.value == 16);
  CHECK(!g.L.lower_bound);
}

TEST_CASE("a unit no named model describes: the probe reports what it measured", "[probe]") {
  // A fused unit with L = 8, F = 20, fp32 round-to-nearest: no row of the table.
  Accumulator acc = model_accumulator("a100-fp16");
  acc.fused->L = 8;
  acc.fused->F = 20;
  acc.fused->out_mode = Mode::rne;
  ProbeOptions opt;
  opt.random_steps = 500;
  opt.fit_random_cases = 1000;
  const ProbeFindings f = probe_instruction(cpu_instruction(acc, 32, "custom unit"), opt);
  INFO(describe_findings(f));
  CHECK(f.L.value == 8);
  CHECK(f.F.value == 20);
  CHECK(f.model.empty());
  CHECK(f.steps_compared == 0);
  CHECK(describe_findings(f).find("no known model fits") != std::string::npos);
  // The fit space is wider than the named models: it finds the unit's parameters itself.
  REQUIRE(f.fitted);
  CHECK(f.fit_full_matches >= 1);
  REQUIRE(!f.fit_models.empty());
  // (Its sums never need more than F + 3 bits, so fp32 rne and rtz outputs tie on these steps: the
  // fit lists every candidate the data cannot tell apart, the unit's own among them.)
  bool own = false;
  for (const auto& m : f.fit_models)
    own |= m.find(fmt::format("L=8 F=20 out=fp32/rne C=first-step ({0}/{0})", f.fit_cases)) != std::string::npos;
  CHECK(own);
  opt.fit_random_cases = 0;

  // Plain fp32 round-to-nearest accumulation, one product at a time (a CUDA-core FMA chain).
  const Accumulator fma = make_scalar_accumulator(parse_format("fp16"), parse_format("fp32"));
  const ProbeFindings g = probe_instruction(cpu_instruction(fma, 16, "fp32 FMA chain"), opt);
  INFO(describe_findings(g));
  CHECK(g.L.value == 1);  // 1 + 2^-23 + 1 rounds (to 2) before the 2^-23 at index 1 arrives
  CHECK(g.model.empty());
}

TEST_CASE("agreement counts the steps where a wrong model differs", "[probe]") {
  // The A100 unit compared with H100's model (F = 25, L = 16): random steps tell them apart.
  ProbeFindings f;
  compare_with_model(model_instruction("a100-fp16", "fp16", 16), "h100-fp16", 3000, 7, f);
  CHECK(f.steps_compared == 3000);
  CHECK(f.steps_agreeing < f.steps_compared);
  CHECK(f.steps_agreeing > 0);
  CHECK_THROWS_AS(compare_with_model(model_instruction("a100-fp16", "fp16", 16), "h100-fp8", 10, 7, f),
                  std::invalid_argument);
}

TEST_CASE("probe runs fit on the steps it records: the named model's parameters reproduce them all", "[probe]") {
  // The same search `floatscope fit` runs, on probe cases and random steps recorded from the
  // black box; the best candidate reproduces every step and has the named model's parameters.
  struct Case {
    const char* model;
    const char* format;
    int k;
  };
  for (const Case& c : {Case{"a100-fp16", "fp16", 32}, Case{"h100-bf16", "bf16", 32}, Case{"h100-fp8", "e4m3", 64},
                        Case{"b200-fp8", "e4m3", 32}}) {
    ProbeOptions opt;
    opt.random_steps = 0;
    opt.fit_random_cases = 1500;
    const ProbeFindings f = probe_instruction(model_instruction(c.model, c.format, c.k), opt);
    INFO(c.model << " " << c.format << "\n" << describe_findings(f));
    REQUIRE(f.fitted);
    CHECK(f.fit_cases > 1500);  // the targeted probe cases come first
    CHECK(f.fit_full_matches >= 1);
    REQUIRE(!f.fit_models.empty());
    const Format fmt = parse_format(c.format);
    const std::string same = same_hardware_model(model_accumulator(c.model, fmt, fmt, 0), c.k);
    REQUIRE(!same.empty());
    bool named = false;
    for (const auto& m : f.fit_models)
      named |= m.find(fmt::format("({0}/{0}) = model {1}", f.fit_cases, same)) != std::string::npos;
    CHECK(named);
  }
}
