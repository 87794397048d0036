// The reference evaluator of an Accumulator for one dot product (private to the library).
//
// Every rounding goes through round_dd (one rounding of an exact double-double). The GEMM driver
// uses faster column-vectorised kernels for common models; this evaluator defines the semantics
// and runs everything else.
#pragma once

#include <cstdint>
#include <vector>

#include "floatscope/accumulator.hpp"
#include "floatscope/detail/accumulate_step.hpp"
#include "floatscope/detail/accumulator_round.hpp"
#include "floatscope/events.hpp"
#include "floatscope/random.hpp"

namespace floatscope::detail {

// One rounding target: format + rounding, with the kernel parameters flattened.
struct Rounder {
  Format format;
  Rounding rounding;
  RoundParams params{};
  bool stochastic = false;
  // binary64 itself with rne and IEEE overflow: a double operation is the correctly rounded
  // result (round_dd's round-to-odd needs two spare bits, which a 53-bit target does not leave).
  bool native_double = false;
  Rounder() = default;
  Rounder(const Format& f, const Rounding& r)
      : format(f), rounding(r), params(make_round_params(f, r)), stochastic(is_stochastic(r.mode)),
        native_double(f.exp_bits == 11 && f.man_bits == 52 && f.bias == 1023 && f.subnormals &&
                      f.specials == Specials::ieee && f.is_signed && r.mode == Mode::rne &&
                      r.overflow == Overflow::spec) {}
};

// Which special-value rules of the fused unit (UnitSpecials) met a dot product under the
// default rules: a subnormal A or B element (every element is in some step, so this one depends
// on the inputs alone and the caller sets it), a step result that is a nonzero subnormal of the
// unit's output, one that is Inf, one that is zero (the engine records these). A unit with other
// rules gives the same result as the default one on every case where none of its changed rules
// met (the first step where the two differ is one where such a rule applies to the same state).
enum RuleTrigger : std::uint8_t {
  kTriggerSubnormalInput = 1,
  kTriggerSubnormalResult = 2,
  kTriggerOverflow = 4,
  kTriggerZero = 8,
};

// State of one dot product: its random stream and event counters.
struct DotCtx {
  CounterRng rng;
  std::uint64_t step = 0;
  GemmEvents* ev;
  std::uint8_t* triggers = nullptr;  // set: the step-result RuleTrigger bits are ORed in
  // Rounds the exact value x (hi + lo, scaled when beyond double's range); counts a partial-sum
  // event when `partial`.
  double round(const Rounder& r, const ScaledDD& x, bool partial) {
    const std::uint64_t bits = r.stochastic ? rng.bits(step++) : 0;
    const double y = round_scaled_any(r.rounding.mode, x, r.params, bits);
    if (partial && ev) count_partial(r, x, y);
    return y;
  }
  double round(const Rounder& r, double hi, double lo, bool partial) {
    return round(r, ScaledDD{hi, lo, 0}, partial);
  }
  // One addition / multiplication of the model: the shared step (accumulate_step.hpp, also run by
  // the CUDA emulation) with this dot product's random bits; events from the exact value.
  double add(const Rounder& r, double s, double t, bool partial) {
    const std::uint64_t bits = r.stochastic ? rng.bits(step++) : 0;
    const double y = with_mode(r.rounding.mode, [&](auto mc) {
      return add_step<decltype(mc)::value>(r.params, r.native_double, s, t, bits);
    });
    if (partial && ev) {
      const ScaledDD d = exact_sum(s, t);
      count_partial(r, d.hi == 0 ? ScaledDD{exact_zero_sum(r.rounding.mode, s, t), 0, 0} : d, y);
    }
    return y;
  }
  double mul(const Rounder& r, double x, double y, bool partial) {
    const std::uint64_t bits = r.stochastic ? rng.bits(step++) : 0;
    const double z = with_mode(r.rounding.mode, [&](auto mc) {
      return mul_step<decltype(mc)::value>(r.params, r.native_double, x, y, bits);
    });
    if (partial && ev) count_partial(r, exact_product(x, y), z);
    return z;
  }
  // A binary64/rne result computed by the hardware (y) for the exact value x: events only.
  double native(const Rounder& r, const ScaledDD& x, double y, bool partial) {
    if (partial && ev) count_partial(r, x, y);
    return y;
  }
  void count_partial(const Rounder& r, const ScaledDD& exact, double y) const;
};

FusedConsts make_fused_consts(const Accumulator& acc);

// One step of the unit: n <= L products a[i]*b[i] plus c (c = 0 when the hardware adds it
// elsewhere). Returns the rounded step result (canonical NaN is a positive quiet NaN); rnd: the
// step's random bits when out_mode is stochastic.
double fused_step(const FusedConsts& u, const double* a, const double* b, int n, double c,
                  std::uint64_t rnd);

class DotEngine {
 public:
  explicit DotEngine(const Accumulator& acc);
  // a: K values (row of A); b: K values (column of B, contiguous). c: initial accumulator.
  double run(const double* a, const double* b, int K, double c, GemmEvents* ev, std::uint64_t row,
             std::uint64_t col) const;
  // run() (row = col = 0, no events) that also ORs into `triggers` the RuleTrigger bits of its
  // fused steps' results (fit's search over the special-value rules).
  double run_traced(const double* a, const double* b, int K, double c, std::uint8_t& triggers) const;
  const Accumulator& accumulator() const { return acc_; }
  // Scales and output conversion of an accumulated value v, as run() applies them; `step` is the
  // number of stochastic roundings the dot product used before (the next SR index).
  double finish_output(double v, GemmEvents* ev, std::uint64_t row, std::uint64_t col,
                       std::uint64_t step) const {
    DotCtx ctx{CounterRng(acc_.acc_rounding.seed, stream_of(row, col)), step, ev};
    const double y = finish(v, ctx);
    if (ev && y != y) ++ev->nan_count;
    return y;
  }
  const Rounder& acc_rounder() const { return acc_r_; }
  const Rounder& outer_rounder() const { return outer_; }
  const Rounder& c_add_rounder() const { return c_add_; }
  const Rounder& output_rounder() const { return output_; }
  // OutputScaleMode::after: the fp32 round-to-nearest multiply of the stored value by scale32.
  const Rounder& rescale_rounder() const { return rescale_; }
  double rescale_factor() const { return scale32_; }
  const FusedConsts& fused_consts() const { return fused_; }

 private:
  double run_scalar(const double* a, const double* b, int K, double c, DotCtx& ctx) const;
  double run_fused(const double* a, const double* b, int K, double c, DotCtx& ctx) const;
  double chain(const double* terms, int n, double start, DotCtx& ctx, const Rounder& r) const;
  double tree(const double* terms, int n, DotCtx& ctx) const;
  double finish(double v, DotCtx& ctx) const;
  double convert_output(double v, DotCtx& ctx) const;
  void count_output(double v, double y, GemmEvents& ev) const;

  Accumulator acc_;
  Rounder product_, acc_r_, reduce_, outer_, output_, c_add_, rescale_;
  double scale32_ = 1.0;  // output_scale rounded to fp32 (OutputScaleMode::after)
  bool compare_modes_ = false;  // count_output also converts under the other mode
  FusedConsts fused_{};

 public:
  // The permutation used by order random:SEED for length K (Fisher-Yates, CounterRng(seed, K)).
  static std::vector<int> permutation(std::uint64_t seed, int K);
};

}  // namespace floatscope::detail
