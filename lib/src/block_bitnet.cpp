// BitNet b1.58's quantisers (arXiv 2402.17764, docs/references.md s.6), in exact arithmetic: the
// elements are what the paper's formulas give for the real numbers, whatever the rounding errors a
// floating-point evaluation of them would make; only the stored dequantisation scales are rounded
// (once, to fp32, the format a kernel keeps them in).
//
// Weights (bitnet-w1.58), per tensor of n elements:
//   gamma = (1/n) sum |W|,  W~ = RoundClip(W / (gamma + eps), -1, 1),
//   RoundClip(x, a, b) = max(a, min(b, round(x))), round = to nearest, ties to even (torch.round).
//   |q| <= 1/2 rounds to 0 (the tie 1/2 to the even 0) and |q| > 1/2 to +-1 (1.5 rounds to 2, clipped
//   to 1), so W~ = sign(W) exactly when |W| > h = (S + eps n) / (2n), S = sum |W| held exactly
//   (Kulisch sum). For a double |W|, |W| > h <=> |W| > RD(h), h rounded down to a double (if h is a
//   double both sides agree; otherwise no double lies in [RD(h), h]).
//   Dequantisation scale: RN32(gamma + eps), i.e. RN32((S + eps n) / n), rounded once.
// Activations (bitnet-a8), per row:
//   gamma = max(max|x|, eps),  x~ = Clip(round(x 127 / gamma), -128, 127).
//   q = (|x| / gamma) 127 in double is within 2^-45 of the exact quotient (two roundings of a value
//   <= 127), so it decides the rounding except within 2^-30 of a half-integer, where the exact
//   comparison 254 |x| <=> (2f + 1) gamma (each side exact in 64 bits) decides, ties to even.
//   |x| <= gamma keeps |q| <= 127: the clip never binds.
//   Dequantisation scale: RN32(gamma / 127), rounded once.
#include "block_bitnet.hpp"

#include <fmt/format.h>
#include <mpfr.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "floatscope/reference.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope::detail {
namespace {

void check_finite(const BlockScheme& s, const double* x, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(x[i]))
      throw std::invalid_argument(fmt::format("{}: element {} is {}; its {} scale needs finite values",
                                              s.info->name, i, x[i],
                                              s.info->kind == SchemeKind::bitnet_ternary ? "absmean" : "absmax"));
}

// A 24-bit value (in fp32's normal range: every scale here is >= eps / 127) as a double; refuses
// values beyond fp32's range.
double fp32_scale(mpfr_srcptr v, const BlockScheme& s) {
  const double d = mpfr_get_d(v, MPFR_RNDN);  // v has 24 bits: exact
  if (!(d <= FLT_MAX))
    throw std::invalid_argument(fmt::format("{}: the scale {} exceeds float32's range", s.info->name, d));
  return d;
}

std::uint64_t quantize_ternary(const BlockScheme& s, const double* x, std::size_t n, QuantizedTensor& q) {
  std::vector<double> mag(n);
  for (std::size_t i = 0; i < n; ++i) mag[i] = std::fabs(x[i]);
  const double one = 1.0;
  const ExactValue S = dot_exact_value(mag.data(), 1, &one, 0, n);  // sum |W|, exact
  // T = S + eps n, exact: eps n needs 53 + 64 bits; the sum of two exact values needs the span of
  // their bits plus a carry.
  mpfr_t en, T, h;
  mpfr_init2(en, 53 + 64);
  mpfr_set_d(en, kBitnetEps, MPFR_RNDN);
  mpfr_mul_ui(en, en, static_cast<unsigned long>(n), MPFR_RNDN);
  if (mpfr_zero_p(S.get())) {
    mpfr_init2(T, 53 + 64);
    mpfr_set(T, en, MPFR_RNDN);
  } else {
    const mpfr_exp_t es = mpfr_get_exp(S.get()), ee = mpfr_get_exp(en);
    const mpfr_exp_t lo = std::min(es - static_cast<mpfr_exp_t>(mpfr_get_prec(S.get())), ee - (53 + 64));
    mpfr_init2(T, static_cast<mpfr_prec_t>(std::max(es, ee) - lo + 2));
    if (mpfr_add(T, S.get(), en, MPFR_RNDN) != 0) throw std::logic_error("bitnet: inexact absmean sum");
  }
  // h = T / (2n) rounded down to 53 bits: the threshold of |W| (always a normal double here: it is
  // at least eps / 2 and at most max|W| + eps).
  mpfr_init2(h, 53);
  mpfr_div_ui(h, T, 2 * static_cast<unsigned long>(n), MPFR_RNDD);
  const double threshold = mpfr_get_d(h, MPFR_RNDD);
  // The clip binds where round(q) >= 2, i.e. |q| >= 1.5: |W| >= 3T / (2n) <=> |W| >= RU(3T / (2n)).
  mpfr_t t3;
  mpfr_init2(t3, mpfr_get_prec(T) + 2);
  mpfr_mul_ui(t3, T, 3, MPFR_RNDN);  // exact
  mpfr_div_ui(h, t3, 2 * static_cast<unsigned long>(n), MPFR_RNDU);
  const double clip_from = mpfr_get_d(h, MPFR_RNDU);
  mpfr_clear(t3);
  // gamma + eps = T / n, rounded once to 24 bits (MPFR rounds the exact quotient of T).
  mpfr_t g;
  mpfr_init2(g, 24);
  mpfr_div_ui(g, T, static_cast<unsigned long>(n), MPFR_RNDN);
  mpfr_clear(T);
  q.scales.assign(1, fp32_scale(g, s));
  mpfr_clear(g);
  mpfr_clear(h);
  mpfr_clear(en);
  q.elements.resize(n);
  std::uint64_t clipped = 0;
  for (std::size_t i = 0; i < n; ++i) {
    q.elements[i] = mag[i] > threshold ? std::copysign(1.0, x[i]) : 0.0;
    clipped += mag[i] >= clip_from;
  }
  return clipped;
}

// round(127 |x| / gamma) with ties to even, exactly (header comment).
double round_127(double ax, double gamma) {
  const double qd = ax / gamma * 127.0;
  const double f = std::floor(qd);
  if (std::fabs(qd - f - 0.5) > 0x1p-30) return std::nearbyint(qd);
  mpfr_t l, r;
  mpfr_init2(l, 64);
  mpfr_init2(r, 64);
  mpfr_set_d(l, ax, MPFR_RNDN);
  mpfr_mul_ui(l, l, 254, MPFR_RNDN);  // 53 + 8 bits: exact
  mpfr_set_d(r, gamma, MPFR_RNDN);
  mpfr_mul_ui(r, r, static_cast<unsigned long>(2 * f + 1), MPFR_RNDN);  // exact
  const int c = mpfr_cmp(l, r);
  mpfr_clear(l);
  mpfr_clear(r);
  if (c != 0) return c > 0 ? f + 1 : f;
  return std::fmod(f, 2.0) == 0 ? f : f + 1;  // the tie: to even
}

void quantize_int8_rows(const BlockScheme& s, const double* x, std::size_t rows, std::size_t cols,
                        QuantizedTensor& q) {
  static const Format fp32 = parse_format("fp32");
  q.scales.resize(rows);
  q.elements.resize(rows * cols);
  for (std::size_t r = 0; r < rows; ++r) {
    const double* row = x + r * cols;
    double gamma = kBitnetEps;
    for (std::size_t c = 0; c < cols; ++c) gamma = std::max(gamma, std::fabs(row[c]));
    if (!(gamma / 127 <= FLT_MAX))
      throw std::invalid_argument(fmt::format("{}: row {}'s scale {} / 127 exceeds float32's range", s.info->name, r, gamma));
    q.scales[r] = round_quotient(gamma, 127.0, fp32, Rounding{Mode::rne, Overflow::saturate});
    for (std::size_t c = 0; c < cols; ++c) {
      const double k = std::clamp(round_127(std::fabs(row[c]), gamma), 0.0, 127.0);  // Clip(-128, 127)
      q.elements[r * cols + c] = k == 0 ? 0.0 : std::copysign(k, row[c]);
    }
  }
}

}  // namespace

std::uint64_t bitnet_quantize(const BlockScheme& s, const double* x, std::size_t rows, std::size_t cols,
                              QuantizedTensor& q) {
  check_finite(s, x, rows * cols);
  if (s.info->kind == SchemeKind::bitnet_ternary) return quantize_ternary(s, x, rows * cols, q);
  quantize_int8_rows(s, x, rows, cols, q);
  return 0;
}

}  // namespace floatscope::detail
