// The parts of an exact dot product that are not numbers: Inf/NaN terms and the sign of a zero sum.
// Shared by the MPFR and the Kulisch paths so that both follow one rule (see reference.hpp).
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>

namespace floatscope::detail {

// The IEEE result of one exact sum of the terms a_i*b_i and c when some input is Inf or NaN:
// NaN for a NaN input, a 0*Inf product, or +Inf and -Inf terms together; else the Inf.
// nullopt when every input is finite.
template <bool Abs>
std::optional<double> special_sum(const double* a, std::ptrdiff_t sa, const double* b,
                                  std::ptrdiff_t sb, std::size_t K, double c) {
  bool any = false, nan = false, pinf = false, ninf = false;
  auto term = [&](double x, double y) {
    if (std::isfinite(x) && std::isfinite(y)) return;
    any = true;
    if (std::isnan(x) || std::isnan(y) || x == 0 || y == 0) {
      nan = true;
      return;
    }
    const bool neg = !Abs && (std::signbit(x) != std::signbit(y));
    (neg ? ninf : pinf) = true;
  };
  for (std::size_t k = 0; k < K; ++k) {
    const auto i = static_cast<std::ptrdiff_t>(k);
    term(a[i * sa], b[i * sb]);
  }
  term(c, 1.0);
  if (!any) return std::nullopt;
  if (nan || (pinf && ninf)) return std::numeric_limits<double>::quiet_NaN();
  return pinf ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
}

// True when every term (each product and c) is -0: only then is an exact zero sum -0 under RNE
// (IEEE 754 s.6.3: x + (-x) = +0, -0 + -0 = -0).
template <bool Abs>
bool all_terms_negative_zero(const double* a, std::ptrdiff_t sa, const double* b,
                             std::ptrdiff_t sb, std::size_t K, double c) {
  if (Abs || c != 0 || !std::signbit(c)) return false;
  for (std::size_t k = 0; k < K; ++k) {
    const auto i = static_cast<std::ptrdiff_t>(k);
    const double x = a[i * sa], y = b[i * sb];
    if ((x != 0 && y != 0) || std::signbit(x) == std::signbit(y)) return false;
  }
  return true;
}

}  // namespace floatscope::detail
