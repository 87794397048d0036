// probe_cases() tells the units apart: each distinct hardware unit (models.cpp) plays the device,
// its outputs on the probe cases alone are fitted from scratch, and the fit must
// come back with that unit's parameters and no other (K = 64: two or more steps of every unit;
// promotion at 128 is then "at the end"; B200 FP8's "products, then added to the running value"
// is promotion every 32, the same arithmetic). This is what the GPU probe command does with a device.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "floatscope/fit.hpp"
#include "floatscope/gemm.hpp"
#include "floatscope/models.hpp"
#include "floatscope/rounding.hpp"
#include "fused_oracle.hpp"

using namespace floatscope;

namespace {

// The parameters two fused Accumulators share on dot products of length K. A unit that adds each
// step's products into the running value (c_outside, B200 FP8) is promotion every L into it.
struct Schedule {
  int promote;  // 0: C inside the first step; >= K: once at the end
  Mode outer;
};
Schedule schedule(const Accumulator& a, int K) {
  if (a.fused->c_outside) return {std::min(a.fused->L, K), a.fused->c_add_rounding.mode};
  return {a.promote == 0 ? 0 : std::min(a.promote, K), a.outer_rounding.mode};
}
bool same_unit(const Accumulator& x, const Accumulator& y, int K) {
  if (!x.fused || !y.fused) return false;
  const FusedUnit &u = *x.fused, &v = *y.fused;
  const Schedule sx = schedule(x, K), sy = schedule(y, K);
  return std::min(u.L, K) == std::min(v.L, K) && u.F == v.F && u.out.name == v.out.name &&
         u.out_mode == v.out_mode && sx.promote == sy.promote && (sx.promote == 0 || sx.outer == sy.outer);
}

}  // namespace

TEST_CASE("probe cases identify every distinct hardware unit", "[fit_probes]") {
  const int K = 64;
  for (const auto& [name, fmt] : std::vector<std::pair<std::string, std::string>>{
           {"v100-fp16", "fp16"}, {"a100-bf16", "bf16"}, {"a100-tf32", "tf32"}, {"ada-fp8", "e4m3"},
           {"h100-fp16", "fp16"}, {"h100-tf32", "tf32"}, {"h100-fp8", "e5m2"},
           {"h100-fp8-promote128", "e4m3"}, {"b200-tf32", "tf32"}, {"b200-fp8", "e4m3"}}) {
    const Format in = parse_format(fmt);
    Accumulator unit = model_accumulator(name, in, in);
    unit.quantize.reset();  // the probes are values of the input format already
    FitSpace space;
    space.a_format = space.b_format = in;
    space.scalar = false;
    DotCases d = probe_cases(in, in, K, space);
    const std::size_t probes = d.size();
    for (std::size_t c = 0; c < d.size(); ++c)
      d.d[c] = emulate_dot(unit, &d.a[c * K], &d.b[c * K], K, d.c[c]);
    const FitResult r = fit(d, space, 1);
    std::size_t full = 0, same = 0;
    std::string others;
    for (const auto& m : r.models)
      if (m.matched == d.size()) {
        ++full;
        if (same_unit(m.acc, unit, K)) ++same;
        else if (others.size() < 400) others += "\n  " + m.label;
      }
    INFO(name << " (" << fmt << "): " << probes << " probe cases; full fits " << full
              << ", the unit's " << same << "; others:" << others);
    CHECK(same >= 1);
    CHECK(same == full);  // every full fit is this unit (one description or an equivalent one)
    std::cout << name << " " << fmt << ": " << probes << " probes, " << r.space_size << " candidates, "
              << r.evaluations << " dot products, " << r.seconds << " s, fit: "
              << (r.models.empty() ? "-" : r.models.front().label) << "\n";
  }
}

TEST_CASE("probe cases determine the special-value rules", "[fit_probes][special]") {
  // An AMX-like unit (bf16 pairs rounded to nearest into fp32, flushing subnormal inputs and
  // results, saturating, IEEE zero signs) plays the device through the MPFR re-execution of
  // tests/support/fused_oracle.hpp; then a unit with NVIDIA's rules (a100-bf16's parameters).
  const int K = 64;
  const Format bf16 = parse_format("bf16"), fp32 = parse_format("fp32");
  FitSpace space;
  space.a_format = space.b_format = bf16;
  space.scalar = false;
  space.L_max = 16;
  space.F_min = 20;
  space.F_max = 28;
  for (bool nvidia : {false, true}) {
    fused_oracle::Unit device{nvidia ? 8 : 2, 24, bf16, bf16, fp32, nvidia ? Mode::rtz : Mode::rne, 0};
    if (!nvidia) {
      device.specials.flush_inputs = device.specials.flush_results = true;
      device.specials.overflow = UnitOverflow::saturate;
      device.specials.zero_sign = ZeroSign::ieee;
    }
    DotCases d = probe_cases(bf16, bf16, K, space);
    for (std::size_t c = 0; c < d.size(); ++c)
      d.d[c] = fused_oracle::dot_oracle(device, &d.a[c * K], &d.b[c * K], K, d.c[c]);
    const FitResult r = fit(d, space, 1);
    REQUIRE(r.full_matches() >= 1);
    for (const FitModel& m : r.models) {
      INFO((nvidia ? "NVIDIA rules: " : "AMX-like: ") << m.label);
      REQUIRE(m.acc.fused);
      CHECK(m.acc.fused->L == device.L);
      CHECK(m.acc.fused->specials == device.specials);
      REQUIRE(m.rules.size() == 4);
      for (const RuleFinding& f : m.rules) {
        INFO(f.rule);
        CHECK(f.options.size() == 1);  // determined
        CHECK(f.cases > 0);
      }
    }
  }
}
