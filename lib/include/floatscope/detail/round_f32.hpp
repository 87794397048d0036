// The float32-lane fast path of round_array(float): when the target grid lies inside float32's
// (fewer than 24 significant bits, every binade and quantum a float32 one) and the mode is
// deterministic, a float32 input is rounded once on its own 32-bit encoding (16 lanes per AVX-512
// vector) instead of being widened to double, rounded there and narrowed back.
//
// The method is round_core's integer method (round_core.inl) with float32's field widths: split
// the 24-bit significand at the quantum, decide from the dropped part as a 32-bit fraction (exact
// while the cut is at most 32 bits down; below that the value is under 2^-8 quanta, so only
// `inexact` matters and it is kept separately), multiply the kept integer by 2^qe (exact: the
// result is on the target grid, which is on float32's), then the same overflow, special-value and
// sign rules. Results and events are those of the double path bit for bit
// (tests/unit/test_round_f32_lanes.cpp holds the two, and MPFR, together on every SIMD level).
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

#include "floatscope/detail/round_kernel.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope::detail {

// RoundParams / EventParams restated for float32 encodings (biased exponents: qb = qe + 150).
struct F32Params {
  std::uint32_t emin_field;  // biased float32 exponent field of 2^emin
  std::uint32_t qb_add;      // qb = E + qb_add in the target's normal range (23 - man_bits)
  std::uint32_t qb_sub;      // qb below emin
  float max_finite;
  float max_or_overflow;     // overflow result of the nearest modes (spec value, or max if saturating)
  float inf_input;           // what +Inf becomes
  // Event constants (count_events' above_max, overflow_span, min_normal on float32 encodings).
  std::uint32_t above_max, overflow_span, min_normal;
};

// Whether x converts to float and back unchanged (NaN counts as exact: its sign and quiet bit
// survive, which is all the core keeps of it).
inline bool exact_in_float(double x) {
  return x != x || static_cast<double>(static_cast<float>(x)) == x;
}

// Whether the float32-lane path gives round_array(float)'s results for this grid and mode:
// deterministic modes, signed formats with a zero (kSignsPlain / kSignsNoNegZero: the generic
// fix-ups of E8M0 and unsigned formats stay on the double path), at most 22 fraction bits, every
// quantum of the grid (normal and subnormal) a float32 quantum, max finite a float32.
inline bool float32_lanes_apply(const RoundParams& p, Mode m) {
  if (m == Mode::sr || m == Mode::sr_equal) return false;
  if (p.signs == kSignsGeneric) return false;
  if (p.man_bits < 0 || p.man_bits > 22 || p.emin < -126) return false;
  const int qe_min = p.subnormals ? p.emin - p.man_bits : p.emin;
  if (qe_min < -149) return false;
  if (!(p.max_finite <= static_cast<double>(std::numeric_limits<float>::max()))) return false;
  return exact_in_float(p.max_finite) && exact_in_float(p.overflow_value) && exact_in_float(p.inf_input);
}

// Only meaningful where float32_lanes_apply(p, m) holds.
inline F32Params make_f32_params(const RoundParams& p, const EventParams& e) {
  F32Params q{};
  q.emin_field = static_cast<std::uint32_t>(p.emin + 127);
  q.qb_add = static_cast<std::uint32_t>(23 - p.man_bits);
  q.qb_sub = static_cast<std::uint32_t>((p.subnormals ? p.emin - p.man_bits : p.emin) + 150);
  q.max_finite = static_cast<float>(p.max_finite);
  q.max_or_overflow = static_cast<float>(p.saturate ? p.max_finite : p.overflow_value);
  q.inf_input = static_cast<float>(p.inf_input);
  // The event thresholds: |x| > max finite compares as encodings; min_normal may lie below
  // float32's range only for grids this path does not take (emin >= -126 here).
  const std::uint32_t mx = std::bit_cast<std::uint32_t>(static_cast<float>(e.max_finite));
  q.above_max = mx + 1;
  q.overflow_span = 0x7f800000u - mx - 1;
  q.min_normal = std::bit_cast<std::uint32_t>(static_cast<float>(e.min_normal));
  return q;
}

}  // namespace floatscope::detail
