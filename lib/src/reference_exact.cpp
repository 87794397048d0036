// The fast exact path: Kulisch accumulation (detail/kulisch.hpp), no MPFR. Every finite double input
// is representable, so there is no fallback; Inf/NaN inputs are decided by special_sum.
#include <gmp.h>
#include <mpfr.h>

#include <cmath>
#include <limits>
#include <utility>

#include "floatscope/detail/kulisch.hpp"
#include "floatscope/detail/kulisch_binned.hpp"
#include "floatscope/detail/kulisch_specials.hpp"
#include "floatscope/reference.hpp"

namespace floatscope {
namespace {

using detail::ExactPath;
using detail::Kulisch;

// One accumulator per thread, zero between uses (Lease resets the touched window on release).
class Lease {
 public:
  Lease() : acc_(slot()) {}
  ~Lease() { acc_.reset(); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Kulisch& get() { return acc_; }

 private:
  static Kulisch& slot() {
    thread_local Kulisch k;
    return k;
  }
  Kulisch& acc_;
};

// Adds every term into acc (which must be zero) through the chosen front end.
template <bool Abs>
void accumulate(Kulisch& acc, ExactPath path, const double* a, std::ptrdiff_t sa, const double* b,
                std::ptrdiff_t sb, std::size_t K, double c) {
  bool binned = false;
  detail::InputScan xa, xb;
  if (path != ExactPath::direct && K > 0) {
    xa = detail::scan_inputs(a, sa, K);
    xb = detail::scan_inputs(b, sb, K);
    binned = detail::ProductBins::admissible(xa, xb) &&
             (path == ExactPath::binned || detail::ProductBins::worthwhile(xa, xb, K));
  }
  if (binned)
    detail::ProductBins::add<Abs>(acc, a, sa, b, sb, K, xa, xb);
  else
    acc.add_products<Abs>(a, sa, b, sb, K);
  acc.add_double<Abs>(c);
}

template <bool Abs>
double kulisch_dot(ExactPath path, const double* a, std::ptrdiff_t sa, const double* b,
                   std::ptrdiff_t sb, std::size_t K, double c) {
  Lease lease;
  Kulisch& acc = lease.get();
  accumulate<Abs>(acc, path, a, sa, b, sb, K, c);
  if (acc.saw_special()) return *detail::special_sum<Abs>(a, sa, b, sb, K, c);
  std::uint64_t mag[Kulisch::kLimbs];
  bool negative = false;
  if (!acc.collapse(mag, negative))
    return detail::all_terms_negative_zero<Abs>(a, sa, b, sb, K, c) ? -0.0 : 0.0;
  const auto [lo, hi] = acc.window();
  const double r = Kulisch::round_magnitude(mag, Kulisch::kLimbs, Kulisch::kLsbExp, lo, hi);
  return negative ? -r : r;
}

}  // namespace

namespace detail {
double dot_exact_via(ExactPath path, bool abs, const double* a, std::ptrdiff_t sa, const double* b,
                     std::ptrdiff_t sb, std::size_t K, double c) {
  return abs ? kulisch_dot<true>(path, a, sa, b, sb, K, c)
             : kulisch_dot<false>(path, a, sa, b, sb, K, c);
}
}  // namespace detail

double dot_exact(const double* a, std::ptrdiff_t sa, const double* b, std::ptrdiff_t sb,
                 std::size_t K, double c) {
  return kulisch_dot<false>(ExactPath::automatic, a, sa, b, sb, K, c);
}

double absdot_exact(const double* a, std::ptrdiff_t sa, const double* b, std::ptrdiff_t sb,
                    std::size_t K, double c) {
  return kulisch_dot<true>(ExactPath::automatic, a, sa, b, sb, K, c);
}

ExactValue dot_exact_value(const double* a, std::ptrdiff_t sa, const double* b, std::ptrdiff_t sb,
                           std::size_t K, double c) {
  ExactValue out;
  Lease lease;
  Kulisch& acc = lease.get();
  accumulate<false>(acc, ExactPath::automatic, a, sa, b, sb, K, c);
  if (acc.saw_special()) {
    const double s = *detail::special_sum<false>(a, sa, b, sb, K, c);
    mpfr_set_d(out.get(), s, MPFR_RNDN);
    return out;
  }
  std::uint64_t mag[Kulisch::kLimbs];
  bool negative = false;
  if (!acc.collapse(mag, negative)) {
    const bool neg0 = detail::all_terms_negative_zero<false>(a, sa, b, sb, K, c);
    mpfr_set_zero(out.get(), neg0 ? -1 : 1);
    return out;
  }
  int lo = 0, hi = Kulisch::kLimbs - 1;
  while (mag[lo] == 0) ++lo;
  while (mag[hi] == 0) --hi;
  mpz_t z;
  mpz_init(z);
  mpz_import(z, static_cast<std::size_t>(hi - lo + 1), -1, sizeof(std::uint64_t), 0, 0, mag + lo);
  // Precision = the significant bits of z, so the conversion is exact.
  const auto bits = static_cast<mpfr_prec_t>(mpz_sizeinbase(z, 2));
  mpfr_set_prec(out.get(), bits < MPFR_PREC_MIN ? MPFR_PREC_MIN : bits);
  mpfr_set_z_2exp(out.get(), z, Kulisch::kLsbExp + 64 * lo, MPFR_RNDN);  // exact
  mpz_clear(z);
  if (negative) mpfr_neg(out.get(), out.get(), MPFR_RNDN);
  return out;
}

namespace {
// A double's bits lie in [2^-1074, 2^1024) and a Kulisch value's in [2^-2148, 2^2204), so a
// difference of the two is exact at 4400 bits (values from dot_exact_value; others may round).
mpfr_prec_t exact_difference_prec(mpfr_srcptr v) { return mpfr_get_prec(v) + 4400; }
}  // namespace

ExactValue::ExactValue() {
  mpfr_init2(v_, MPFR_PREC_MIN);
  mpfr_set_zero(v_, 1);
}
ExactValue::~ExactValue() { mpfr_clear(v_); }
ExactValue::ExactValue(const ExactValue& o) {
  mpfr_init2(v_, mpfr_get_prec(o.v_));
  mpfr_set(v_, o.v_, MPFR_RNDN);
}
ExactValue::ExactValue(ExactValue&& o) noexcept {
  // Steal the limbs; leave o a valid minimal value.
  *v_ = *o.v_;
  mpfr_init2(o.v_, MPFR_PREC_MIN);
}
ExactValue& ExactValue::operator=(ExactValue o) noexcept {
  mpfr_swap(v_, o.v_);
  return *this;
}

double ExactValue::to_double() const { return mpfr_get_d(v_, MPFR_RNDN); }

int ExactValue::sign() const { return mpfr_nan_p(v_) ? 0 : mpfr_sgn(v_); }

double ExactValue::error_of(double approx) const {
  mpfr_t d;
  mpfr_init2(d, 64);
  mpfr_set_d(d, approx, MPFR_RNDN);
  mpfr_t e;
  mpfr_init2(e, exact_difference_prec(v_));
  mpfr_sub(e, d, v_, MPFR_RNDN);
  const double r = mpfr_get_d(e, MPFR_RNDN);
  mpfr_clears(d, e, static_cast<mpfr_ptr>(nullptr));
  return r;
}

double ExactValue::ulp_error(double approx, int precision, int emin) const {
  if (!mpfr_number_p(v_) || !std::isfinite(approx)) return std::numeric_limits<double>::quiet_NaN();
  long ex = emin;
  if (!mpfr_zero_p(v_)) {
    const long e = static_cast<long>(mpfr_get_exp(v_)) - 1;  // floor(log2|x|): MPFR's m in [1/2, 1)
    if (e > ex) ex = e;
  }
  const long ulp_exp = ex - precision + 1;
  mpfr_t d, e;
  mpfr_init2(d, 64);
  mpfr_set_d(d, approx, MPFR_RNDN);
  mpfr_init2(e, exact_difference_prec(v_));
  mpfr_sub(e, d, v_, MPFR_RNDN);  // exact
  mpfr_div_2si(e, e, ulp_exp, MPFR_RNDN);  // exact (power of two)
  const double r = mpfr_get_d(e, MPFR_RNDN);
  mpfr_clears(d, e, static_cast<mpfr_ptr>(nullptr));
  return r;
}

}  // namespace floatscope
