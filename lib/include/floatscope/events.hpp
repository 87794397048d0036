// Counters an emulated dot product / GEMM collects while it runs (filled by the accumulation
// models, summarised by Metrics). Fractions are computed by Metrics from these counts.
#pragma once

#include <cstdint>

namespace floatscope {

struct GemmEvents {
  std::uint64_t products = 0;            // products formed (M*N*K for a GEMM)
  std::uint64_t products_underflow = 0;  // nonzero exact product that became 0 or subnormal when rounded
  std::uint64_t products_overflow = 0;   // product beyond the product format's range (Inf/NaN/saturated)
  std::uint64_t partials = 0;            // roundings of a running/partial sum
  std::uint64_t partials_underflow = 0;  // nonzero partial sum that became 0 or subnormal
  std::uint64_t partials_overflow = 0;   // partial sum that overflowed to Inf/NaN
  std::uint64_t partials_saturated = 0;  // partial sum clamped to +-max (saturating policy)
  std::uint64_t nan_count = 0;           // NaN outputs
  std::uint64_t stagnations = 0;         // additions of a nonzero term that left the accumulator unchanged
  // The output conversion (Accumulator::output_format), classified by the stored value against the
  // exact value entering it (the accumulated value times output_scale); only for finite values.
  std::uint64_t outputs = 0;             // output conversions (M*N for a GEMM with an output format)
  std::uint64_t outputs_overflow = 0;    // became Inf/NaN, or +-max when the exact value lies beyond it
  std::uint64_t outputs_underflow = 0;   // nonzero exact value stored as zero
  std::uint64_t outputs_subnormal = 0;   // stored as a nonzero subnormal
  // The same accumulated value converted under the other OutputScaleMode (fused <-> after), for
  // deterministic output roundings into formats both modes take: how many stored values differ.
  std::uint64_t outputs_mode_compared = 0;
  std::uint64_t outputs_mode_differ = 0;

  GemmEvents& operator+=(const GemmEvents& o) {
    products += o.products;
    products_underflow += o.products_underflow;
    products_overflow += o.products_overflow;
    partials += o.partials;
    partials_underflow += o.partials_underflow;
    partials_overflow += o.partials_overflow;
    partials_saturated += o.partials_saturated;
    nan_count += o.nan_count;
    stagnations += o.stagnations;
    outputs += o.outputs;
    outputs_overflow += o.outputs_overflow;
    outputs_underflow += o.outputs_underflow;
    outputs_subnormal += o.outputs_subnormal;
    outputs_mode_compared += o.outputs_mode_compared;
    outputs_mode_differ += o.outputs_mode_differ;
    return *this;
  }
};

}  // namespace floatscope
