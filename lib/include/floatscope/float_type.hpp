// Emulated low-precision scalar types: floatscope::Float<F, M> holds a value of format F and
// rounds the exact result of every operation once, with mode M, onto F's grid.
//
//   floatscope::bf16 a(1.5), b(0.1);       // the constructor rounds 0.1 onto bf16 (rne)
//   floatscope::bf16 c = a * b + a;         // two roundings: the product's, then the sum's
//   floatscope::fp16_rtz d = sqrt(floatscope::fp16_rtz(2.0));
//
// The value is kept as a double (every value of the formats here is one). Each operation forms
// the exact result, or a double-double / round-to-odd double that carries every bit the rounding
// needs, and hands it to the one rounding core (detail/round_core.inl) with the format's
// parameters as compile-time constants:
//   *     the product of two values of precision p <= 26 is exact in a double;
//   + -   exact in a double for formats whose whole grid spans <= 53 bits (fp16, every fp8/fp6/fp4);
//         otherwise TwoSum gives hi + lo exactly and round-to-odd keeps what a target of
//         p <= 51 bits needs; round to nearest may round the double sum directly, because a double
//         rounding through 53 >= 2p + 1 bits cannot change a nearest rounding (Figueroa, "When is
//         double rounding innocuous?", SIGNUM Newsletter 30(3), 1995);
//   /     the correctly rounded quotient and its exact remainder (detail/exact_quotient.hpp);
//   sqrt  the correctly rounded root and its exact remainder a - s^2; stochastic rounding gets
//         the exact dropped fraction from integer arithmetic (detail/exact_sqrt.hpp);
//   fma   exact product, TwoSum with the addend, one rounding.
// Values in the format's normal binades below the top one take the core's short integer path
// (round_normal_binades, in vector registers where the compiler has vector extensions:
// detail/lanes_vec1.hpp); everything else (subnormals, overflow, zeros, Inf, NaN) its general
// path, with the format's NaN/Inf/overflow rules (Overflow::spec or Overflow::saturate).
//
// Stochastic modes (Mode::sr, Mode::sr_equal) draw one 64-bit word per rounding from an
// SrGenerator, whose state is explicit: the word for a rounding is CounterRng(seed, stream).bits(i)
// for the generator's running index i, so a computation repeats bit for bit from the same seed.
// Operators draw from the thread's current generator (sr_generator(); SrScope installs another);
// the free functions add/sub/mul/div/sqrt/fma taking an SrGenerator& draw from that one.
#pragma once

#include <bit>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <ostream>
#include <type_traits>

#include "floatscope/detail/accumulator_round.hpp"
#include "floatscope/detail/exact_quotient.hpp"
#include "floatscope/detail/exact_sqrt.hpp"
#include "floatscope/detail/lanes_vec1.hpp"
#include "floatscope/detail/round_kernel.hpp"
#include "floatscope/float_format.hpp"
#include "floatscope/random.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope {

// ---- random bits for the stochastic modes ----------------------------------------------------

// A counter-based generator with its position: next() returns CounterRng(seed, stream).bits(i)
// and advances i. Copy it to branch a computation, seek() to replay one.
class SrGenerator {
 public:
  constexpr explicit SrGenerator(std::uint64_t seed = 0, std::uint64_t stream = 0)
      : rng_(seed, stream) {}
  constexpr std::uint64_t next() { return rng_.bits(index_++); }
  constexpr std::uint64_t index() const { return index_; }
  constexpr void seek(std::uint64_t index) { index_ = index; }

 private:
  CounterRng rng_;
  std::uint64_t index_ = 0;
};

namespace detail {
inline thread_local SrGenerator thread_sr_generator{};          // seed 0, stream 0
inline thread_local SrGenerator* scoped_sr_generator = nullptr;  // set by SrScope
}  // namespace detail

// The generator that the operators of stochastic Float types draw from on this thread: the one
// installed by the innermost SrScope, else a per-thread generator (seed 0, stream 0) that the
// caller may reseed by assignment: floatscope::sr_generator() = SrGenerator(42).
inline SrGenerator& sr_generator() {
  SrGenerator* g = detail::scoped_sr_generator;
  return g ? *g : detail::thread_sr_generator;
}

// Makes g the current generator of this thread for the scope's lifetime (nests).
class SrScope {
 public:
  explicit SrScope(SrGenerator& g) : previous_(detail::scoped_sr_generator) { detail::scoped_sr_generator = &g; }
  ~SrScope() { detail::scoped_sr_generator = previous_; }
  SrScope(const SrScope&) = delete;
  SrScope& operator=(const SrScope&) = delete;

 private:
  SrGenerator* previous_;
};

namespace detail {

// One format and mode with constant parameters: the roundings every operation ends in.
template <class F, Mode M, Overflow OV>
struct StaticRounding {
  static constexpr StaticFormat format = F::spec;
  static constexpr RoundParams params = make_round_params(format.grid(), OV, 64);
  static constexpr bool stochastic = M == Mode::sr || M == Mode::sr_equal;
  static constexpr CorePath path = params.fp_add && M != Mode::sr ? CorePath::fp_add : CorePath::integer;
  static constexpr int p = format.precision();
  static_assert(p <= 26, "Float<F, M>: products must be exact in a double (precision <= 26)");

  // The short path: signed binary formats with a zero (the core's sign rules then leave a
  // nonzero result's sign alone) and at least one normal binade below the top one.
  static constexpr bool has_short_path =
      format.encoding == Encoding::binary && format.is_signed && format.has_zero && format.emax() > format.emin();
  static constexpr std::uint64_t kShortLo = std::bit_cast<std::uint64_t>(pow2(format.emin()));
  static constexpr std::uint64_t kShortSpan = std::bit_cast<std::uint64_t>(pow2(format.emax())) - kShortLo;
  static constexpr std::uint64_t kShift = static_cast<std::uint64_t>(52 - format.man_bits);

  // Every value of the format is a multiple of the smallest positive one and below
  // 2^(emax + 1): sums of two need at most emax + 2 - log2(min) bits.
  static constexpr bool sum_exact = format.emax() + 2 - exponent_of(format.min_subnormal()) <= 53;
  static constexpr bool nearest = M == Mode::rne || M == Mode::rna;

  [[gnu::noinline]] static double general(double x, std::uint64_t rnd) {
    const RoundConsts<ScalarLanes> k = make_round_consts<ScalarLanes>(params);
    return ScalarLanes::as_f(round_core<M, params.signs, path, ScalarLanes>(ScalarLanes::as_u(x), rnd, k));
  }

  // x rounded once (x is the exact value, or a round-to-odd double of it).
  static FLOATSCOPE_INLINE double round(double x, std::uint64_t rnd) {
    if constexpr (has_short_path) {
      const std::uint64_t b = std::bit_cast<std::uint64_t>(x);
      if (__builtin_expect((b & 0x7fffffffffffffffULL) - kShortLo < kShortSpan, 1)) {
#if defined(FLOATSCOPE_HAS_VEC1_LANES)
        // (Stochastic modes stay in general registers: their random word comes from there, and
        // SSE2 has no unsigned 64-bit compare for the carry test.)
        if constexpr (!stochastic) {
          using V = Vec1Lanes;
          return V::to_double(round_normal_binades<M, V>(V::from_double(x), V::u(rnd), V::u(kShift), V::u(params.sr_mask)));
        }
#endif
        return std::bit_cast<double>(round_normal_binades<M, ScalarLanes>(b, rnd, kShift, params.sr_mask));
      }
    }
    return general(x, rnd);
  }

  // hi + lo rounded once, where hi = RN(hi + lo) and lo is exact (or, for the deterministic
  // modes, has the sign of the exact remainder: round-to-odd reads only that).
  static FLOATSCOPE_INLINE double round_dd(double hi, double lo, std::uint64_t rnd) {
    if (lo == 0) return round(hi, rnd);  // hi is the exact value (a sum that fits a double, say)
    if constexpr (M == Mode::sr) {
      return detail::round_dd<M>(hi, lo, params, rnd);
    } else {
      return round(round_to_odd(hi, lo), rnd);
    }
  }

  // An exact zero sum s + t gets IEEE 754's sign (accumulator_round.hpp: exact_zero_sum).
  static FLOATSCOPE_INLINE double zero_sum_sign(double hi, double s, double t) {
    if constexpr (M == Mode::rdn) return hi == 0 ? rdn_zero_sum<ScalarLanes>(hi, s, t) : hi;
    return hi;
  }

  static FLOATSCOPE_INLINE double add(double a, double b, std::uint64_t rnd) {
    if constexpr (sum_exact) {
      return round(zero_sum_sign(a + b, a, b), rnd);
    } else if constexpr (nearest && 2 * p + 1 <= 53) {
      return round(a + b, rnd);  // innocuous double rounding (file comment); a zero sum is exact: +0
    } else {
      const DD s = two_sum(a, b);
      if (s.hi == 0) return round(zero_sum_sign(s.hi, a, b), rnd);
      return round_dd(s.hi, s.lo, rnd);
    }
  }

  static FLOATSCOPE_INLINE double mul(double a, double b, std::uint64_t rnd) {
    // Exact: 2p <= 53 bits, and products of the formats' magnitudes (2^-298 .. 2^256) are normal
    // doubles or zero.
    return round(a * b, rnd);
  }

  static double div(double a, double b, std::uint64_t rnd) {
    // Zeros, Inf and NaN: IEEE's quotient is exact (0, Inf or NaN), rounded for the format's rules.
    if (a == 0 || b == 0 || !std::isfinite(a) || !std::isfinite(b)) return round(a / b, rnd);
    const DD q = split_quotient(a, b);
    return round_dd(q.hi, q.lo, rnd);
  }

  static double sqrt(double a, std::uint64_t rnd) {
    if (!(a > 0) || !std::isfinite(a)) return round(std::sqrt(a), rnd);  // +-0, Inf, NaN, a < 0
    const double s = std::sqrt(a);
    const double r = std::fma(-s, s, a);  // exact: a - s^2, the sign of sqrt(a) - s
    if (r == 0) return round(s, rnd);
    if constexpr (M == Mode::sr) {
      return round_sqrt_sr(a, s, r, params, rnd);
    } else {
      return round(round_to_odd(s, r), rnd);
    }
  }

  static double fma(double a, double b, double c, std::uint64_t rnd) {
    const double prod = a * b;  // exact (see mul)
    if (!std::isfinite(prod) || !std::isfinite(c)) return round(prod + c, rnd);
    const DD s = two_sum(prod, c);
    if (s.hi == 0) return round(zero_sum_sign(s.hi, prod, c), rnd);
    return round_dd(s.hi, s.lo, rnd);
  }

  // A double or integer argument, rounded once.
  template <class T>
  static double convert(T x, std::uint64_t rnd) {
    if constexpr (std::is_floating_point_v<T> && sizeof(T) <= sizeof(double)) {
      return round(static_cast<double>(x), rnd);  // float -> double is exact
    } else if constexpr (std::is_integral_v<T> && sizeof(T) <= 4) {
      return round(static_cast<double>(x), rnd);  // exact
    } else if constexpr (std::is_integral_v<T>) {
      // 64-bit integers: hi = RN(x) and the exact remainder (|x - hi| <= 2^10).
      const double hi = static_cast<double>(x);
      const double lo = static_cast<double>(static_cast<__int128>(x) - static_cast<__int128>(hi));
      if (lo == 0) return round(hi, rnd);
      return round_dd(hi, lo, rnd);
    } else {
      // long double: RN to double, then the exact remainder (64-bit significand: exact).
      const double hi = static_cast<double>(x);
      if (!std::isfinite(hi)) return round(hi, rnd);
      const double lo = static_cast<double>(x - static_cast<T>(hi));
      if (lo == 0) return round(hi, rnd);
      return round_dd(hi, lo, rnd);
    }
  }
};

}  // namespace detail

template <class F, Mode M = Mode::rne, Overflow OV = Overflow::spec>
class Float {
  using R = detail::StaticRounding<F, M, OV>;

 public:
  using format_tag = F;
  static constexpr StaticFormat format = F::spec;
  static constexpr Mode mode = M;
  static constexpr Overflow overflow = OV;
  static constexpr bool stochastic = R::stochastic;

  // +0 (E8M0, which has no zero: NaN, what rounding 0 gives).
  constexpr Float() = default;
  // Rounds x once onto the format (stochastic modes draw from sr_generator()).
  template <class T>
    requires std::is_arithmetic_v<T>
  explicit Float(T x) : v_(R::convert(x, draw())) {}
  template <class T>
    requires std::is_arithmetic_v<T>
  Float(T x, SrGenerator& g) : v_(R::convert(x, stochastic ? g.next() : 0)) {}

  // The value, exactly.
  constexpr double value() const { return v_; }
  template <class T>
    requires std::is_arithmetic_v<T>
  constexpr explicit operator T() const { return static_cast<T>(v_); }

  // An exact value of the format, taken without rounding (the caller guarantees it is one).
  static constexpr Float from_exact(double v) {
    Float x;
    x.v_ = v;
    return x;
  }

  friend Float operator+(Float a, Float b) { return from_exact(R::add(a.v_, b.v_, draw())); }
  friend Float operator-(Float a, Float b) { return from_exact(R::add(a.v_, -b.v_, draw())); }
  friend Float operator*(Float a, Float b) { return from_exact(R::mul(a.v_, b.v_, draw())); }
  friend Float operator/(Float a, Float b) { return from_exact(R::div(a.v_, b.v_, draw())); }
  // Negation is exact where the format has -0 and a sign bit; otherwise it follows the format's
  // rules (FNUZ: -0 is +0; unsigned formats: a negative value is NaN).
  friend Float operator-(Float a) {
    if constexpr (R::params.signs == detail::kSignsPlain) return from_exact(-a.v_);
    else return from_exact(R::round(-a.v_, 0));  // exact: no mode decides anything here
  }
  friend Float operator+(Float a) { return a; }
  Float& operator+=(Float b) { return *this = *this + b; }
  Float& operator-=(Float b) { return *this = *this - b; }
  Float& operator*=(Float b) { return *this = *this * b; }
  Float& operator/=(Float b) { return *this = *this / b; }

  friend bool operator==(Float a, Float b) { return a.v_ == b.v_; }
  friend bool operator!=(Float a, Float b) { return a.v_ != b.v_; }
  friend bool operator<(Float a, Float b) { return a.v_ < b.v_; }
  friend bool operator<=(Float a, Float b) { return a.v_ <= b.v_; }
  friend bool operator>(Float a, Float b) { return a.v_ > b.v_; }
  friend bool operator>=(Float a, Float b) { return a.v_ >= b.v_; }

  friend Float sqrt(Float a) { return from_exact(R::sqrt(a.v_, draw())); }
  friend Float fma(Float a, Float b, Float c) { return from_exact(R::fma(a.v_, b.v_, c.v_, draw())); }
  friend Float abs(Float a) { return from_exact(std::fabs(a.v_)); }
  friend Float fabs(Float a) { return from_exact(std::fabs(a.v_)); }
  friend bool isnan(Float a) { return std::isnan(a.v_); }
  friend bool isinf(Float a) { return std::isinf(a.v_); }
  friend bool isfinite(Float a) { return std::isfinite(a.v_); }
  friend bool signbit(Float a) { return std::signbit(a.v_); }

  // Explicit generator state for the stochastic modes (the deterministic modes ignore g).
  friend Float add(Float a, Float b, SrGenerator& g) { return from_exact(R::add(a.v_, b.v_, bits(g))); }
  friend Float sub(Float a, Float b, SrGenerator& g) { return from_exact(R::add(a.v_, -b.v_, bits(g))); }
  friend Float mul(Float a, Float b, SrGenerator& g) { return from_exact(R::mul(a.v_, b.v_, bits(g))); }
  friend Float div(Float a, Float b, SrGenerator& g) { return from_exact(R::div(a.v_, b.v_, bits(g))); }
  friend Float sqrt(Float a, SrGenerator& g) { return from_exact(R::sqrt(a.v_, bits(g))); }
  friend Float fma(Float a, Float b, Float c, SrGenerator& g) {
    return from_exact(R::fma(a.v_, b.v_, c.v_, bits(g)));
  }

  friend std::ostream& operator<<(std::ostream& os, Float a) { return os << a.v_; }

 private:
  static std::uint64_t draw() {
    if constexpr (stochastic) return sr_generator().next();
    return 0;
  }
  static std::uint64_t bits(SrGenerator& g) {
    if constexpr (stochastic) return g.next();
    return 0;
  }

  double v_ = format.has_zero ? 0.0 : std::numeric_limits<double>::quiet_NaN();
};

// Aliases: floatscope::bf16 (round to nearest even), floatscope::bf16_rtz, ..., one per preset
// format and mode; the _sr and _sr_equal types are the stochastic ones.
#define FLOATSCOPE_FLOAT_ALIASES(tag)                               \
  using tag = Float<formats::tag, Mode::rne>;                      \
  using tag##_rne = Float<formats::tag, Mode::rne>;                \
  using tag##_rna = Float<formats::tag, Mode::rna>;                \
  using tag##_rtz = Float<formats::tag, Mode::rtz>;                \
  using tag##_rup = Float<formats::tag, Mode::rup>;                \
  using tag##_rdn = Float<formats::tag, Mode::rdn>;                \
  using tag##_rto = Float<formats::tag, Mode::rto>;                \
  using tag##_sr = Float<formats::tag, Mode::sr>;                  \
  using tag##_sr_equal = Float<formats::tag, Mode::sr_equal>;
FLOATSCOPE_FLOAT_ALIASES(fp32)
FLOATSCOPE_FLOAT_ALIASES(tf32)
FLOATSCOPE_FLOAT_ALIASES(fp16)
FLOATSCOPE_FLOAT_ALIASES(bf16)
FLOATSCOPE_FLOAT_ALIASES(e4m3)
FLOATSCOPE_FLOAT_ALIASES(e5m2)
FLOATSCOPE_FLOAT_ALIASES(e4m3fnuz)
FLOATSCOPE_FLOAT_ALIASES(e5m2fnuz)
FLOATSCOPE_FLOAT_ALIASES(e3m2)
FLOATSCOPE_FLOAT_ALIASES(e2m3)
FLOATSCOPE_FLOAT_ALIASES(e2m1)
FLOATSCOPE_FLOAT_ALIASES(e8m0)
FLOATSCOPE_FLOAT_ALIASES(int8)
#undef FLOATSCOPE_FLOAT_ALIASES

namespace detail {
// Constant-expression helpers for numeric_limits.
constexpr int floor_log10(double x) {  // x > 0
  int k = 0;
  double t = 1.0;
  if (x >= 1) {
    while (t * 10 <= x) t *= 10, ++k;
  } else {
    while (t > x) t /= 10, --k;
  }
  return k;
}
}  // namespace detail

}  // namespace floatscope

template <class F, floatscope::Mode M, floatscope::Overflow OV>
class std::numeric_limits<floatscope::Float<F, M, OV>> {
  using T = floatscope::Float<F, M, OV>;
  static constexpr floatscope::StaticFormat f = F::spec;
  static constexpr bool nearest = M == floatscope::Mode::rne || M == floatscope::Mode::rna;

 public:
  static constexpr bool is_specialized = true;
  static constexpr bool is_signed = f.is_signed;
  static constexpr bool is_integer = false;
  static constexpr bool is_exact = false;
  static constexpr bool has_infinity = f.has_inf();
  static constexpr bool has_quiet_NaN = f.has_nan();
  static constexpr bool has_signaling_NaN = false;
  static constexpr std::float_denorm_style has_denorm =
      f.subnormals && f.man_bits > 0 && f.encoding == floatscope::Encoding::binary ? std::denorm_present
                                                                                   : std::denorm_absent;
  static constexpr bool has_denorm_loss = false;
  static constexpr std::float_round_style round_style =
      M == floatscope::Mode::rne   ? std::round_to_nearest
      : M == floatscope::Mode::rtz ? std::round_toward_zero
      : M == floatscope::Mode::rup ? std::round_toward_infinity
      : M == floatscope::Mode::rdn ? std::round_toward_neg_infinity
                                   : std::round_indeterminate;
  static constexpr bool is_iec559 = false;
  static constexpr bool is_bounded = true;
  static constexpr bool is_modulo = false;
  static constexpr int digits = f.precision();
  static constexpr int digits10 = (digits - 1) * 30103 / 100000;            // floor((p-1) log10 2)
  static constexpr int max_digits10 = 2 + digits * 30103 / 100000;          // ceil(1 + p log10 2)
  static constexpr int radix = 2;
  static constexpr int min_exponent = f.emin() + 1;
  static constexpr int max_exponent = f.emax() + 1;
  static constexpr int min_exponent10 = -floatscope::detail::floor_log10(1.0 / f.min_normal()) + 0;
  static constexpr int max_exponent10 = floatscope::detail::floor_log10(f.max_finite());
  static constexpr bool traps = false;
  static constexpr bool tinyness_before = false;

  static constexpr T min() noexcept { return T::from_exact(f.min_normal()); }
  static constexpr T max() noexcept { return T::from_exact(f.max_finite()); }
  static constexpr T lowest() noexcept {
    return T::from_exact(f.is_signed ? -f.max_finite() : f.has_zero ? 0.0 : f.min_subnormal());
  }
  // The gap between 1 and the next value (2^-man_bits; MXINT8: its fixed quantum 2^-6).
  static constexpr T epsilon() noexcept { return T::from_exact(floatscope::detail::pow2(-f.man_bits)); }
  static constexpr T round_error() noexcept { return T::from_exact(nearest ? 0.5 : 1.0); }
  static constexpr T infinity() noexcept {
    return T::from_exact(f.has_inf() ? std::numeric_limits<double>::infinity() : 0.0);
  }
  static constexpr T quiet_NaN() noexcept {
    return T::from_exact(f.has_nan() ? std::numeric_limits<double>::quiet_NaN() : 0.0);
  }
  static constexpr T signaling_NaN() noexcept { return quiet_NaN(); }
  static constexpr T denorm_min() noexcept { return T::from_exact(f.min_subnormal()); }
};
