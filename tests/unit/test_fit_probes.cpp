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
