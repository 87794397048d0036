// E8M0 scale rules of the MX schemes (docs/references.md s.4): the exponent of the shared scale
// from the block's largest magnitude, computed with exact comparisons (no log2 in floating point,
// whose rounding near powers of two would decide the wrong binade).
#include <algorithm>
#include <cmath>

#include "floatscope/block_scaling.hpp"

namespace floatscope {

int mx_emax_elem(const Format& element) { return std::ilogb(element.max_finite); }

namespace {

constexpr int kE8m0Min = -127, kE8m0Max = 127;

int clamp_e8m0(long e) { return static_cast<int>(std::clamp<long>(e, kE8m0Min, kE8m0Max)); }

}  // namespace

int mx_scale_exponent(double amax, const Format& element, ScaleRule rule) {
  if (!(amax > 0)) return kE8m0Min;  // an all-zero block: the smallest scale, byte 0
  const long e = std::ilogb(amax);   // floor(log2 amax), exact (subnormal doubles included)
  const long emax_elem = mx_emax_elem(element);
  // Far outside E8M0's range the clamp decides whatever the rule; this also keeps the ldexp
  // calls below exact (no subnormal or infinite results).
  if (e < -400) return kE8m0Min;
  if (e > 400) return kE8m0Max;
  switch (rule) {
    case ScaleRule::floor:
      return clamp_e8m0(e - emax_elem);
    case ScaleRule::ceil: {
      const bool power_of_two = amax == std::ldexp(1.0, static_cast<int>(e));
      return clamp_e8m0(e + (power_of_two ? 0 : 1) - emax_elem);
    }
    case ScaleRule::rceil: {
      // Smallest t with max_elem * 2^t >= amax. max_elem * 2^t0 lies in amax's binade, so t is t0
      // or t0 + 1.
      const long t0 = e - std::ilogb(element.max_finite);
      const bool fits = std::ldexp(element.max_finite, static_cast<int>(t0)) >= amax;
      return clamp_e8m0(fits ? t0 : t0 + 1);
    }
    case ScaleRule::even: {
      // amax rounded to the element precision p leaves the binade exactly when its significand is
      // at least 2 - 2^-p (the top p bits all ones, the rest at least half an ulp; a tie goes up
      // under ties-to-even too, since all ones is odd).
      const double up = std::ldexp(2.0 - std::ldexp(1.0, -element.precision), static_cast<int>(e));
      return clamp_e8m0(e + (amax >= up ? 1 : 0) - emax_elem);
    }
  }
  return kE8m0Min;
}

}  // namespace floatscope
