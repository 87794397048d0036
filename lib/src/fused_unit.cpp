// The fused block-FMA unit of docs/references.md s.5 (Fasi et al. 2021; Khattak & Mikaitis 2025):
// its constants and the chain of steps along K. One step (fused_step_t) is defined in
// detail/accumulate_step.hpp, shared with the CUDA emulation.
#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <vector>

#include "accumulator_engine.hpp"
#include "floatscope/detail/accumulator_round.hpp"

namespace floatscope::detail {
namespace {

inline bool all_finite(const double* a, const double* b, int n) {
  for (int i = 0; i < n; ++i)
    if (!std::isfinite(a[i]) || !std::isfinite(b[i])) return false;
  return true;
}

// The RuleTrigger bits of one step's result r under the default rules.
std::uint8_t step_triggers(const FusedConsts& u, double r) {
  if (r == 0) return kTriggerZero;
  if (std::isinf(r)) return kTriggerOverflow;
  return std::fabs(r) < u.out_min_normal ? kTriggerSubnormalResult : 0;
}

}  // namespace

FusedConsts make_fused_consts(const Accumulator& acc) {
  const FusedUnit& u = *acc.fused;
  FusedConsts k;
  k.L = u.L;
  k.F = u.F;
  k.a_emin = acc.a_format.emin;
  k.b_emin = acc.b_format.emin;
  k.out_emin = u.out.emin;
  const UnitSpecials& sp = u.specials;
  k.overflow_limit = sp.overflow == UnitOverflow::exact_sum ? std::ldexp(1.0, u.out.emax + 1)
                                                             : std::numeric_limits<double>::infinity();
  k.out_mode = u.out_mode;
  Rounding r{u.out_mode};
  r.sr_bits = u.out_sr_bits;
  if (sp.overflow == UnitOverflow::saturate) r.overflow = Overflow::saturate;
  k.out = make_round_params(u.out, r);
  k.align_rne = u.align_mode == Mode::rne;
  k.norm_products = u.normalized_products;
  k.flush_inputs = sp.flush_inputs;
  k.flush_results = sp.flush_results;
  k.zero_ieee = sp.zero_sign == ZeroSign::ieee;
  k.a_min_normal = std::ldexp(1.0, acc.a_format.emin);
  k.b_min_normal = std::ldexp(1.0, acc.b_format.emin);
  k.out_min_normal = std::ldexp(1.0, u.out.emin);
  return k;
}

double fused_step(const FusedConsts& u, const double* a, const double* b, int n, double c,
                  std::uint64_t rnd) {
  return with_mode(u.out_mode, [&](auto mc) { return fused_step_t<decltype(mc)::value>(u, a, b, n, c, rnd); });
}

double DotEngine::run_fused(const double* a, const double* b, int K, double c, DotCtx& ctx) const {
  const FusedUnit& fu = *acc_.fused;
  const int L = fused_.L;
  // Stochastic output rounding draws the dot product's next counter-based bits per step.
  const bool sr_out = is_stochastic(fu.out_mode);
  auto step_bits = [&] { return sr_out ? ctx.rng.bits(ctx.step++) : 0; };
  // One step; when traced, the special-value rules it meets (RuleTrigger).
  auto fused = [&](const double* x, const double* y, int n, double c0, std::uint64_t bits) {
    const double r = fused_step(fused_, x, y, n, c0, bits);
    if (ctx.triggers) *ctx.triggers |= step_triggers(fused_, r);
    return r;
  };
  // Interleaved pairs: each instruction of 2L products is two steps, over k mod 4 in {0, 1}, then
  // in {2, 3} (k within the instruction); the gathered operands of one step.
  std::vector<double> ga, gb;
  if (fu.pair_interleave) {
    ga.resize(static_cast<std::size_t>(L));
    gb.resize(static_cast<std::size_t>(L));
  }
  auto interleaved = [&](int k0, int k1, double acc) {
    for (int k = k0; k < k1; k += 2 * L) {
      const int n = std::min(2 * L, k1 - k);
      for (int half = 0; half < 2; ++half) {
        int m = 0;
        for (int j = 0; j < n; ++j)
          if ((j / 2) % 2 == half) {
            ga[static_cast<std::size_t>(m)] = a[k + j];
            gb[static_cast<std::size_t>(m)] = b[k + j];
            ++m;
          }
        acc = fused(ga.data(), gb.data(), m, acc, step_bits());
        if (ctx.ev) ++ctx.ev->partials;
      }
    }
    return acc;
  };
  // One chain of steps over [k0, k1) starting from `start`.
  auto steps = [&](int k0, int k1, double start) {
    if (fu.pair_interleave) return interleaved(k0, k1, start);
    double acc = start;
    for (int k = k0; k < k1; k += L) {
      const int n = std::min(L, k1 - k);
      if (fu.c_outside) {
        const double s = fused(a + k, b + k, n, 0.0, step_bits());
        acc = ctx.add(c_add_, acc, s, true);
      } else {
        const double before = acc;
        acc = fused(a + k, b + k, n, acc, step_bits());
        if (ctx.ev) {
          ++ctx.ev->partials;
          // An overflow of the sum itself: an Inf or NaN among the step's terms is not one.
          if (std::isinf(acc) && std::isfinite(before) && all_finite(a + k, b + k, n))
            ++ctx.ev->partials_overflow;
          if (acc == before && acc != 0) {
            for (int i = 0; i < n; ++i)
              if (a[k + i] * b[k + i] != 0) {
                ++ctx.ev->stagnations;
                break;
              }
          }
        }
      }
    }
    return acc;
  };
  if (ctx.ev) ctx.ev->products += static_cast<std::uint64_t>(K);
  if (acc_.promote > 0) {
    double outer = ctx.round(outer_, c, 0, false);
    for (int k0 = 0; k0 < K; k0 += acc_.promote) {
      const int k1 = std::min(K, k0 + acc_.promote);
      outer = ctx.add(outer_, outer, steps(k0, k1, 0.0), true);
    }
    return outer;
  }
  return steps(0, K, c);
}

}  // namespace floatscope::detail
