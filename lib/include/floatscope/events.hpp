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
    return *this;
  }
};

}  // namespace floatscope
