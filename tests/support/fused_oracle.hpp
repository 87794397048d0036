// An MPFR re-execution of the fused block-FMA unit, written from docs/references.md s.5 and the
// special-value rules of accumulator.hpp (UnitSpecials), independently of lib/: exact products,
// E = the largest exponent among the nonzero terms (products not renormalised, subnormals at the
// format's minimum exponent), every term truncated toward zero to a multiple of 2^(E-F), exact
// sum, one rounding to the output format. Special values (finite inputs only):
//   subnormal inputs  kept, or read as zeros of their sign (flush_inputs)
//   overflow          exact_sum: sums at or beyond 2^(emax+1) give Inf, below that the mode rounds;
//                     ieee: IEEE 754 overflow of the rounding; saturate: +-max for every finite sum
//   zero sums         positive: +0; ieee: -0 when every term is -0, or under rdn when one is or
//                     the terms cancel
//   subnormal results kept, or (flush_results) a rounded result below the smallest normal is a
//                     zero of its sign
#pragma once

#include <mpfr.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "floatscope/accumulator.hpp"
#include "floatscope/format.hpp"
#include "floatscope/random.hpp"
#include "floatscope/rounding.hpp"
#include "mpfr_oracle.hpp"

namespace fused_oracle {

using floatscope::Format;
using floatscope::Mode;
using floatscope::Overflow;

// floor(log2|x|), at least the format's emin (subnormals use the minimum exponent).
inline long exp_of(double x, int emin) {
  int e;
  std::frexp(x, &e);  // |x| = m 2^e, m in [0.5, 1)
  return std::max<long>(e - 1, emin);
}

struct Unit {
  int L, F;
  Format in_a, in_b, out;
  Mode mode;
  int promote;  // 0 = none; else an fp32 RNE outer accumulator every `promote` of K
  std::uint64_t seed = 0, stream = 0;  // stochastic output rounding: CounterRng(seed, stream)
  floatscope::UnitSpecials specials{};
};

// Stochastic rounding of the exact sum with 64 random bits R (docs/references.md, stochastic
// rounding): t = the truncation, u = the next grid value away from zero; the dropped fraction
// f = (|x| - |t|) / (|u| - |t|) rounds up exactly when floor(f 2^64) + R carries out of 64 bits.
inline double sr_oracle(mpfr_srcptr x, const Format& out, std::uint64_t R) {
  const double t = floatscope::oracle::oracle_round_mpfr(x, out, Mode::rtz, Overflow::spec);
  const double u = floatscope::oracle::oracle_round_mpfr(x, out, mpfr_signbit(x) ? Mode::rdn : Mode::rup, Overflow::spec);
  if (t == u) return t;
  mpfr_t f, d;
  mpfr_inits2(600, f, d, static_cast<mpfr_ptr>(nullptr));
  mpfr_abs(f, x, MPFR_RNDN);
  mpfr_sub_d(f, f, std::fabs(t), MPFR_RNDN);                   // exact at 600 bits
  mpfr_set_d(d, std::fabs(u) - std::fabs(t), MPFR_RNDN);       // one ulp: exact in double
  mpfr_div(f, f, d, MPFR_RNDZ);
  mpfr_mul_2si(f, f, 64, MPFR_RNDN);
  mpfr_floor(f, f);
  mpfr_set_ui(d, static_cast<unsigned long>(R >> 32), MPFR_RNDN);  // R, exactly
  mpfr_mul_2si(d, d, 32, MPFR_RNDN);
  mpfr_add_ui(d, d, static_cast<unsigned long>(R & 0xffffffffULL), MPFR_RNDN);
  mpfr_add(f, f, d, MPFR_RNDN);
  const bool up = mpfr_cmp_ui_2exp(f, 1, 64) >= 0;
  mpfr_clears(f, d, static_cast<mpfr_ptr>(nullptr));
  return up ? u : t;
}

// The sign of an exact zero sum under the unit's zero rule; neg_all / neg_any: whether every /
// some term is a negative zero (or negative, for a cancellation neg_all is false).
inline double zero_sum(const Unit& u, bool neg_all, bool neg_any) {
  if (u.specials.zero_sign == floatscope::ZeroSign::positive) return 0.0;
  return neg_all || (u.mode == Mode::rdn && neg_any) ? -0.0 : 0.0;
}

// One step over n finite products plus c (finite, or the Inf of an earlier step).
inline double step_oracle(const Unit& u, const double* a, const double* b, int n, double c, std::uint64_t R = 0) {
  if (std::isinf(c)) return c;  // an earlier step overflowed: Inf plus finite terms stays Inf
  const floatscope::UnitSpecials& sp = u.specials;
  auto in = [&](double v, const Format& f) {
    return sp.flush_inputs && std::fabs(v) < std::ldexp(1.0, f.emin) ? std::copysign(0.0, v) : v;
  };
  long E = LONG_MIN;
  bool neg_all = std::signbit(c), neg_any = std::signbit(c);
  for (int i = 0; i < n; ++i) {
    const double x = in(a[i], u.in_a), y = in(b[i], u.in_b);
    const bool neg = std::signbit(x) != std::signbit(y);
    neg_all = neg_all && neg;
    neg_any = neg_any || neg;
    if (x != 0 && y != 0) E = std::max(E, exp_of(x, u.in_a.emin) + exp_of(y, u.in_b.emin));
  }
  if (c != 0) E = std::max(E, exp_of(c, u.out.emin));
  if (E == LONG_MIN) return zero_sum(u, neg_all, neg_any);
  mpfr_t sum, t;
  mpfr_inits2(512, sum, t, static_cast<mpfr_ptr>(nullptr));
  mpfr_set_zero(sum, 1);
  for (int i = -1; i < n; ++i) {
    if (i < 0) {
      mpfr_set_d(t, c, MPFR_RNDN);
    } else {
      mpfr_set_d(t, in(a[i], u.in_a), MPFR_RNDN);
      mpfr_mul_d(t, t, in(b[i], u.in_b), MPFR_RNDN);  // exact at 512 bits
    }
    mpfr_mul_2si(t, t, u.F - E, MPFR_RNDN);
    mpfr_trunc(t, t);  // toward zero to a multiple of 2^(E-F)
    mpfr_mul_2si(t, t, E - u.F, MPFR_RNDN);
    mpfr_add(sum, sum, t, MPFR_RNDN);  // exact
  }
  double r;
  const Overflow ov = sp.overflow == floatscope::UnitOverflow::saturate ? Overflow::saturate : Overflow::spec;
  if (mpfr_zero_p(sum)) {
    r = zero_sum(u, false, true);  // a cancellation
  } else if (sp.overflow == floatscope::UnitOverflow::exact_sum && mpfr_cmp_ui_2exp(sum, 1, u.out.emax + 1) >= 0) {
    r = INFINITY;
  } else if (sp.overflow == floatscope::UnitOverflow::exact_sum && mpfr_cmp_si_2exp(sum, -1, u.out.emax + 1) <= 0) {
    r = -INFINITY;
  } else if (u.mode == Mode::sr) {
    r = sr_oracle(sum, u.out, R);
  } else {
    r = floatscope::oracle::oracle_round_mpfr(sum, u.out, u.mode, ov);
  }
  mpfr_clears(sum, t, static_cast<mpfr_ptr>(nullptr));
  if (sp.flush_results && r != 0 && std::fabs(r) < std::ldexp(1.0, u.out.emin)) r = std::copysign(0.0, r);
  return r;
}

// A dot product of length K along the unit (C first), with promotion into fp32 RNE when set.
inline double dot_oracle(const Unit& u, const double* a, const double* b, int K, double c = 0.0) {
  const floatscope::CounterRng rng(u.seed, u.stream);
  std::uint64_t step = 0;  // one random word per step, in order
  auto steps = [&](int k0, int k1, double start) {
    for (int k = k0; k < k1; k += u.L)
      start = step_oracle(u, a + k, b + k, std::min(u.L, k1 - k), start, rng.bits(step++));
    return start;
  };
  if (u.promote == 0) return steps(0, K, c);
  const Format fp32 = floatscope::parse_format("fp32");
  double outer = c;
  for (int k0 = 0; k0 < K; k0 += u.promote) {
    const double part = steps(k0, std::min(K, k0 + u.promote), 0.0);
    mpfr_t t;
    mpfr_init2(t, 2200);
    mpfr_set_d(t, outer, MPFR_RNDN);
    mpfr_add_d(t, t, part, MPFR_RNDN);  // exact at 2200 bits
    outer = mpfr_zero_p(t) ? 0.0 : floatscope::oracle::oracle_round_mpfr(t, fp32, Mode::rne, Overflow::spec);
    mpfr_clear(t);
  }
  return outer;
}

// n finite values of f, m 2^e with m uniform in [1, 2) rounded to f, e uniform in [lo_exp,
// hi_exp] (subnormals below f's emin), random signs; one in zero_every is a zero (of a random sign
// when signed_zeros).
inline std::vector<double> grid_values(const Format& f, std::size_t n, int lo_exp, int hi_exp, std::uint64_t seed,
                                       int zero_every = 13, bool signed_zeros = false) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(1.0, 2.0);
  std::uniform_int_distribution<int> e(lo_exp, hi_exp);
  std::vector<double> v(n);
  for (auto& x : v) {
    do {  // finite values only (e4m3 turns what is beyond 448 into NaN)
      if (g() % static_cast<std::uint64_t>(zero_every) == 0)
        x = signed_zeros && g() % 2 ? -0.0 : 0.0;
      else
        x = floatscope::round(std::ldexp(u(g), e(g)) * (g() % 2 ? 1 : -1), f, floatscope::Rounding{});
    } while (!std::isfinite(x));
  }
  return v;
}

}  // namespace fused_oracle
