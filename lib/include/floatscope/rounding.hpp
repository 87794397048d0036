// Rounding a double (or float) onto a Format's grid, once, with a selectable mode.
//
// Every function here rounds from the exact input value in one step (no double rounding): the
// input's 53-bit significand is split at the target's quantum and the dropped part decides.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "floatscope/format.hpp"

namespace floatscope {

enum class Mode : std::uint8_t {
  rne,       // to nearest, ties to even
  rna,       // to nearest, ties away from zero
  rtz,       // toward zero
  rup,       // toward +infinity
  rdn,       // toward -infinity
  rto,       // to odd (inexact results get an odd last bit); overflows like rtz
  sr,        // stochastic, proportional: P(up) = floor(f*2^r)/2^r for a dropped part f ulps
  sr_equal,  // stochastic, equal probability: inexact results go up or down with P = 1/2
};

// What happens to a finite result beyond the format's largest finite value (and to +-Inf input).
enum class Overflow : std::uint8_t {
  spec,      // the spec's non-saturating rule: IEEE formats give Inf, E4M3/FNUZ give NaN,
             // formats without Inf/NaN clamp; directed modes follow IEEE 754 s.7.4
  saturate,  // clamp to +-max finite (and +-Inf input to +-max), as OFP8's saturating mode
};

struct Rounding {
  Mode mode = Mode::rne;
  Overflow overflow = Overflow::spec;
  int sr_bits = 64;          // random bits r for Mode::sr (1..64); 64 = every dropped bit that matters
  std::uint64_t seed = 0;    // stochastic modes draw CounterRng(seed, stream).bits(index)
  std::uint64_t stream = 0;
};

std::string_view mode_name(Mode m);
std::optional<Mode> find_mode(std::string_view name);  // "rne", "rn", "nearest", "sr", "sr-equal", ...
Mode parse_mode(std::string_view name);                // throws std::invalid_argument listing names
std::string mode_names();                               // "rne, rna, rtz, rup, rdn, rto, sr, sr-equal"
bool is_stochastic(Mode m);

// Events counted while rounding arrays; derived from (input, output) pairs.
struct RoundStats {
  std::uint64_t count = 0;
  std::uint64_t inexact = 0;
  std::uint64_t overflow = 0;     // finite input beyond max finite (became Inf, NaN or +-max)
  std::uint64_t underflow = 0;    // nonzero input whose result is zero or below min normal
  std::uint64_t flushed = 0;      // nonzero input whose result is zero
  std::uint64_t nan_unrepresentable = 0;  // NaN input to a format without NaN (result is NaN)
  RoundStats& operator+=(const RoundStats& o);
};

// Rounds one value. `index` is the SR counter position. A NaN input gives NaN; when the format
// has no NaN code that is an event the caller must check (see RoundStats / encode).
double round(double x, const Format& f, const Rounding& r = {}, std::uint64_t index = 0);

// Array rounding: out[i] = round(in[i], f, r, first_index + i). in and out may alias.
// threads: 0 = OpenMP default, 1 = serial. Returns counted events. Results do not depend on threads.
RoundStats round_array(std::span<const double> in, std::span<double> out, const Format& f,
                       const Rounding& r = {}, std::uint64_t first_index = 0, int threads = 0);
RoundStats round_array(std::span<const float> in, std::span<float> out, const Format& f,
                       const Rounding& r = {}, std::uint64_t first_index = 0, int threads = 0);

// Rounds the exact quotient x / scale once onto f (input quantisation with a dequantisation
// scale: `x /= scale` then round would round twice, and with a scale that is not a power of two
// the first rounding decides directed and odd roundings wrongly about half the time near the
// grid). scale must be finite and nonzero; SR draws CounterRng(r.seed, r.stream).bits(index) as
// round() does, and scale == 1 gives exactly round(x, f, r, index).
// Deterministic modes: exact (one rounding of the exact quotient) for every finite x and scale
// when the target's precision is <= 51 bits, including quotients outside double's range; for
// binary64 targets with rne/rna (a double division is correctly rounded and never ties).
// Stochastic modes: the dropped fraction is exact to its top 64 bits for targets of precision
// <= 42 (fp32 and narrower) and within 2^(p-106) of the quantum above that, while
// |x/scale| >= 2^-969; below that (reachable only by formats with 11 exponent bits) it is known to
// 2^-1074 absolute. Throws std::invalid_argument for targets of precision > 51 other than binary64
// with rne/rna when scale is not a power of two (nothing is rounded then).
double round_quotient(double x, double scale, const Format& f, const Rounding& r = {},
                      std::uint64_t index = 0);
// out[i] = round_quotient(in[i], scale, f, r, first_index + i); in and out may alias. The stats
// classify (RN(in[i]/scale), out[i]), so `inexact` and `underflow` may miss a quotient within
// half an ulp of double of the grid; nan_unrepresentable is exact.
RoundStats round_quotient_array(std::span<const double> in, std::span<double> out, double scale,
                                const Format& f, const Rounding& r = {},
                                std::uint64_t first_index = 0, int threads = 0);

// Round and encode in one pass: codes[i] = encode(round(in[i])). Throws std::domain_error if a
// NaN meets a format without NaN (there is no code for it).
RoundStats round_to_codes(std::span<const double> in, std::span<std::uint16_t> codes,
                          const Format& f, const Rounding& r = {}, std::uint64_t first_index = 0,
                          int threads = 0);

// Events for one (input, rounded) pair; summed by the array functions.
RoundStats classify(double in, double out, const Format& f);

}  // namespace floatscope
