// One rounding of an exact quotient x / scale (input quantisation with a dequantisation scale).
//
// The quotient is written as a double-double hi + lo and handed to detail::round_dd, the same
// single rounding the accumulators use:
//   x = x' 2^ex, scale = s' 2^es with x', s' in [1, 2): q' = RN(x'/s') and r' = fma(-q', s', x')
//   is the exact remainder (the classic error-free division: q' is the correctly rounded
//   quotient, and with x', s' near 1 nothing underflows), so x'/s' = q' + c with c = r'/s' and
//   |c| <= ulp(q')/2. lo' = RN(c) carries c's sign (all deterministic modes need) and, nudged to
//   the double just below c (oriented by hi's sign: e' = fma(-lo', s', r') = (c - lo') s' exactly
//   tells on which side c lies), floor(lo' 2^k) = floor(c 2^k) at every scale 2^-k that lo's grid
//   resolves, which is what round_dd's stochastic path reads as the dropped fraction.
//   hi = q' 2^(ex-es), lo = lo' 2^(ex-es): exact while the quotient is a normal double.
// Outside double's normal range the quotient goes through its round-to-odd double at 2^-1074
// (deterministic modes stay exact for targets with a quantum >= 2^-1072, i.e. precision <= 51) or,
// beyond DBL_MAX, through DBL_MAX itself (an odd double above every such target's range).
#include <omp.h>

#include <cfloat>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "floatscope/detail/accumulator_round.hpp"
#include "floatscope/detail/exact_quotient.hpp"
#include "floatscope/parallel.hpp"
#include "floatscope/random.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope {
namespace {

bool is_power_of_two(double s) {
  int e;
  return std::fabs(std::frexp(s, &e)) == 0.5;
}

bool is_binary64_grid(const Format& f) {
  return f.encoding == Encoding::binary && f.man_bits == 52 && f.emin == -1022 && f.emax == 1023 &&
         f.subnormals;
}

// Targets wider than round_dd handles: x/scale is already the one rounding when the scale is a
// power of two (exact division) or for binary64 with rne/rna (a correctly rounded division, which
// never ties). Anything else is refused before any value is rounded.
bool wide_target_ok(double scale, const Format& f, const Rounding& r) {
  const bool nearest = r.mode == Mode::rne || r.mode == Mode::rna;
  return f.precision <= 51 || is_power_of_two(scale) || (nearest && is_binary64_grid(f));
}

void check_target(double scale, const Format& f, const Rounding& r) {
  if (!std::isfinite(scale) || scale == 0)
    throw std::invalid_argument("round_quotient: scale " + std::to_string(scale) +
                                " must be finite and nonzero");
  if (!wide_target_ok(scale, f, r))
    throw std::invalid_argument(
        "input quantisation onto " + f.name + " (precision " + std::to_string(f.precision) +
        ") with scale " + std::to_string(scale) + " and rounding " + std::string(mode_name(r.mode)) +
        ": the exact quotient can be rounded once only for precision <= 51, or fp64 with rne/rna; "
        "use a power-of-two scale");
}

double round_checked(double x, double scale, const Format& f, const Rounding& r,
                     std::uint64_t index) {
  if (scale == 1.0) return round(x, f, r, index);
  if (!std::isfinite(x) || x == 0 || f.precision > 51) return round(x / scale, f, r, index);
  const detail::DD s = detail::split_quotient(x, scale);
  const std::uint64_t rnd = is_stochastic(r.mode) ? CounterRng(r.seed, r.stream).bits(index) : 0;
  return detail::round_dd_any(r.mode, s.hi, s.lo, detail::make_round_params(f, r), rnd);
}

}  // namespace

double round_quotient(double x, double scale, const Format& f, const Rounding& r,
                      std::uint64_t index) {
  check_target(scale, f, r);
  return round_checked(x, scale, f, r, index);
}

RoundStats round_quotient_array(std::span<const double> in, std::span<double> out, double scale,
                                const Format& f, const Rounding& r, std::uint64_t first_index,
                                int threads) {
  if (out.size() < in.size())
    throw std::invalid_argument("round_quotient_array: output shorter than input");
  if (scale == 1.0) return round_array(in, out, f, r, first_index, threads);
  const long n = static_cast<long>(in.size());
  std::vector<double> approx(in.size());
  for (long i = 0; i < n; ++i) approx[static_cast<std::size_t>(i)] = in[static_cast<std::size_t>(i)] / scale;
  check_target(scale, f, r);  // before the parallel loop: nothing throws inside it
  const int nt = threads > 0 ? threads : omp_default_threads();
#pragma omp parallel for schedule(static) num_threads(nt)
  for (long i = 0; i < n; ++i) {
    const std::size_t k = static_cast<std::size_t>(i);
    out[k] = round_checked(in[k], scale, f, r, first_index + k);
  }
  RoundStats st;
  for (std::size_t k = 0; k < in.size(); ++k) st += classify(approx[k], out[k], f);
  return st;
}

}  // namespace floatscope
