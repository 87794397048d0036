// The MPFR oracle: each product exact at precision 106 (53 + 53 bits), then mpfr_sum, which is
// correctly rounded for any inputs since MPFR 4.0 (docs/references.md s.6).
//
// Subnormal results: mpfr_sum rounds to 53 bits with an unbounded exponent, which equals double RNE
// whenever the rounded value is >= 2^-1022 (and overflows to Inf exactly when it reaches 2^1024).
// Below 2^-1022 a second, exact mpfr_sum (precision spanning 2^-2148 to the largest term) is rounded
// by mpfr_get_d, which rounds an exact value correctly into the subnormal range. The products need
// exponents down to 2^-2148, so the exponent range is widened for the call and restored after.
#include <mpfr.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "floatscope/detail/kulisch_specials.hpp"
#include "floatscope/reference.hpp"
#include "floatscope/names.hpp"

namespace floatscope {
namespace {

struct KindName {
  ReferenceKind kind;
  std::string_view name;
};
constexpr KindName kKindNames[] = {
    {ReferenceKind::exact, "exact"}, {ReferenceKind::mpfr, "mpfr"}, {ReferenceKind::none, "none"}};

// Per-thread MPFR variables, grown on demand and reused across dot products.
class Scratch {
 public:
  Scratch() {
    mpfr_init2(sum53_, 53);
    mpfr_init2(exact_, 64);
    mpfr_init2(x_, 53);
    mpfr_init2(y_, 53);
  }
  ~Scratch() {
    for (auto& t : terms_) mpfr_clear(&t);
    mpfr_clears(sum53_, exact_, x_, y_, static_cast<mpfr_ptr>(nullptr));
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  void ensure(std::size_t n) {
    if (terms_.size() >= n) return;
    for (auto& t : terms_) mpfr_clear(&t);
    terms_.assign(n, __mpfr_struct{});
    ptrs_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      mpfr_init2(&terms_[i], 106);
      ptrs_[i] = &terms_[i];
    }
  }
  mpfr_ptr term(std::size_t i) { return &terms_[i]; }
  const mpfr_ptr* ptrs() const { return ptrs_.data(); }
  mpfr_ptr sum53() { return sum53_; }
  mpfr_ptr exact() { return exact_; }
  mpfr_ptr x() { return x_; }
  mpfr_ptr y() { return y_; }

 private:
  std::vector<__mpfr_struct> terms_;
  std::vector<mpfr_ptr> ptrs_;
  mpfr_t sum53_, exact_, x_, y_;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// Widens the (thread-local) exponent range for the scope: products reach 2^-2148.
class WideExponents {
 public:
  WideExponents() : emin_(mpfr_get_emin()), emax_(mpfr_get_emax()) {
    mpfr_set_emin(mpfr_get_emin_min());
    mpfr_set_emax(mpfr_get_emax_max());
  }
  ~WideExponents() {
    mpfr_set_emin(emin_);
    mpfr_set_emax(emax_);
  }

 private:
  mpfr_exp_t emin_, emax_;
};

template <bool Abs>
double mpfr_dot_impl(const double* a, std::ptrdiff_t sa, const double* b, std::ptrdiff_t sb,
                     std::size_t K, double c) {
  if (auto s = detail::special_sum<Abs>(a, sa, b, sb, K, c)) return *s;
  const WideExponents wide;
  Scratch& S = scratch();
  S.ensure(K + 1);
  mpfr_exp_t emax_term = mpfr_get_emin_min();
  for (std::size_t k = 0; k < K; ++k) {
    const auto i = static_cast<std::ptrdiff_t>(k);
    const double x = Abs ? std::fabs(a[i * sa]) : a[i * sa];
    const double y = Abs ? std::fabs(b[i * sb]) : b[i * sb];
    mpfr_ptr t = S.term(k);
    mpfr_set_d(S.x(), x, MPFR_RNDN);  // exact at precision 53
    mpfr_set_d(S.y(), y, MPFR_RNDN);
    mpfr_mul(t, S.x(), S.y(), MPFR_RNDN);  // exact: 53 x 53 bits in 106
    if (!mpfr_zero_p(t) && mpfr_get_exp(t) > emax_term) emax_term = mpfr_get_exp(t);
  }
  mpfr_ptr tc = S.term(K);
  mpfr_set_d(tc, Abs ? std::fabs(c) : c, MPFR_RNDN);
  if (!mpfr_zero_p(tc) && mpfr_get_exp(tc) > emax_term) emax_term = mpfr_get_exp(tc);

  mpfr_ptr r = S.sum53();
  mpfr_sum(r, S.ptrs(), K + 1, MPFR_RNDN);
  // MPFR exponent e means |r| in [2^(e-1), 2^e): e >= -1021 is |r| >= 2^-1022.
  if (mpfr_zero_p(r) || mpfr_get_exp(r) >= -1021) return mpfr_get_d(r, MPFR_RNDN);

  // Tiny result: sum exactly (every term is a multiple of 2^-2148 below 2^emax_term), then round.
  mpfr_ptr x = S.exact();
  const mpfr_prec_t prec = static_cast<mpfr_prec_t>(emax_term) + 2148 + 66;
  mpfr_set_prec(x, prec);
  mpfr_sum(x, S.ptrs(), K + 1, MPFR_RNDN);
  return mpfr_get_d(x, MPFR_RNDN);
}

}  // namespace

std::string_view reference_name(ReferenceKind k) {
  for (const auto& n : kKindNames)
    if (n.kind == k) return n.name;
  return "none";
}

std::optional<ReferenceKind> find_reference(std::string_view name) {
  for (const auto& n : kKindNames)
    if (iequals(n.name, name)) return n.kind;
  return std::nullopt;
}

std::string reference_names() {
  std::string s;
  for (const auto& n : kKindNames) {
    if (!s.empty()) s += ", ";
    s += n.name;
  }
  return s;
}

ReferenceKind parse_reference(std::string_view name) {
  if (auto k = find_reference(name)) return *k;
  throw std::invalid_argument("unknown reference '" + std::string(name) +
                              "' (expected one of: " + reference_names() + ")");
}

double dot_mpfr(const double* a, std::ptrdiff_t sa, const double* b, std::ptrdiff_t sb,
                std::size_t K, double c) {
  return mpfr_dot_impl<false>(a, sa, b, sb, K, c);
}

double absdot_mpfr(const double* a, std::ptrdiff_t sa, const double* b, std::ptrdiff_t sb,
                   std::size_t K, double c) {
  return mpfr_dot_impl<true>(a, sa, b, sb, K, c);
}

}  // namespace floatscope
