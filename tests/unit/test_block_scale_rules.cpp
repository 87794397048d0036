// MX block scaling (OCP MX v1.0; docs/references.md s.4): the spec's worked vectors, and each E8M0
// scale rule written again here from the spec text (MPFR log2 at 200 bits, the element constants
// typed in from the spec tables) compared with the library on 10^5 random blocks with outliers,
// zeros and values on every rule's decision boundaries; elements checked against the MPFR oracle.
#include <catch2/catch.hpp>

#include <mpfr.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "floatscope/block_scaling.hpp"
#include "floatscope/codec.hpp"
#include "mpfr_oracle.hpp"

using namespace floatscope;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

BlockScheme mx(const std::string& scheme, const std::string& rule = "floor", int block = 0) {
  BlockSchemeOptions o;
  o.scheme = scheme;
  o.scale_rule = rule;
  o.block = block;
  return resolve_block_scheme(o);
}

// One block of n values: `top` first, then `second`, the rest small.
std::vector<double> block_with(double top, double second, std::size_t n = 32) {
  std::vector<double> v(n, 1.0);
  v[0] = top;
  v[1] = second;
  return v;
}

// ---- the reference, from the spec text -------------------------------------------------------
// Constants of the element formats as the OCP MX v1.0 / OFP8 tables give them: emax_elem (the
// exponent of the largest normal), the largest magnitude, the precision in bits.
struct SpecElement {
  const char* scheme;
  int emax_elem;
  double max_elem;
  int precision;
};
const SpecElement kSpec[] = {
    {"mxfp8-e4m3", 8, 448.0, 4}, {"mxfp8-e5m2", 15, 57344.0, 3}, {"mxfp6-e3m2", 4, 28.0, 3},
    {"mxfp6-e2m3", 2, 7.5, 4},   {"mxfp4", 2, 6.0, 2},           {"mxint8", 0, 127.0 / 64, 7},
};

// floor or ceil of log2 of an MPFR value, from a 200-bit log2 rounded down / up (log2 of a
// double that is not a power of two is farther than 2^-150 from every integer, so the directed
// 200-bit value has the same floor / ceil as the exact one).
long log2_floor(mpfr_srcptr x) {
  mpfr_t l;
  mpfr_init2(l, 200);
  mpfr_log2(l, x, MPFR_RNDD);
  mpfr_floor(l, l);
  const long r = mpfr_get_si(l, MPFR_RNDN);
  mpfr_clear(l);
  return r;
}
long log2_ceil(mpfr_srcptr x) {
  mpfr_t l;
  mpfr_init2(l, 200);
  mpfr_log2(l, x, MPFR_RNDU);
  mpfr_ceil(l, l);
  const long r = mpfr_get_si(l, MPFR_RNDN);
  mpfr_clear(l);
  return r;
}

// The shared exponent, rule by rule, as docs/references.md s.4 states it, clamped to [-127, 127];
// an all-zero block takes the smallest scale.
int reference_exponent(double amax, const SpecElement& e, ScaleRule rule) {
  if (amax == 0) return -127;
  mpfr_t a;
  mpfr_init2(a, 200);
  mpfr_set_d(a, amax, MPFR_RNDN);
  long x = 0;
  switch (rule) {
    case ScaleRule::floor:  // floor(log2(amax)) - emax_elem
      x = log2_floor(a) - e.emax_elem;
      break;
    case ScaleRule::ceil:  // ceil(log2(amax)) - emax_elem
      x = log2_ceil(a) - e.emax_elem;
      break;
    case ScaleRule::rceil: {  // amax / max_elem rounded up to a power of two
      mpfr_t q;
      mpfr_init2(q, 200);
      mpfr_div_d(q, a, e.max_elem, MPFR_RNDN);
      // Rounded at 200 bits: the exact quotient is a power of two only when amax = max_elem 2^k,
      // and then this division is exact; otherwise the quotient of two doubles is relatively
      // farther than 2^-150 from every power of two, so the 200-bit value has the same ceiling.
      x = log2_ceil(q);
      mpfr_clear(q);
      break;
    }
    case ScaleRule::even:  // amax rounded to the element precision (nearest even), then FLOOR
      mpfr_prec_round(a, e.precision, MPFR_RNDN);
      x = log2_floor(a) - e.emax_elem;
      break;
  }
  mpfr_clear(a);
  return static_cast<int>(std::max(-127L, std::min(127L, x)));
}

// Random fp32-range blocks: zeros, one outlier, whole-zero blocks, tiny (subnormal) blocks, huge
// blocks, and maxima placed on the rules' boundaries (max_elem * 2^k, powers of two, 2 - 2^-p
// times a power of two, and their float neighbours).
std::vector<double> random_block(std::mt19937_64& g, const SpecElement& e, std::size_t n) {
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<int> ex(-150, 126);
  std::vector<double> v(n);
  const int base = ex(g);
  const double kind = u(g);
  if (kind < 0.02) return std::vector<double>(n, 0.0);
  for (auto& x : v) {
    const double r = u(g);
    if (r < 0.1) x = 0;
    else x = static_cast<float>(std::ldexp(1 + u(g), base - static_cast<int>(u(g) * 12)));
    if (u(g) < 0.5) x = -x;
  }
  // The block maximum: an outlier, or a boundary value.
  const int k = std::max(-149, std::min(120, base));
  double top;
  const double b = u(g);
  if (b < 0.2) top = std::ldexp(e.max_elem, k - e.emax_elem);
  else if (b < 0.4) top = std::ldexp(1.0, k);
  else if (b < 0.6) top = std::ldexp(2.0 - std::ldexp(1.0, -e.precision), k);
  else if (b < 0.8) top = std::ldexp(1 + u(g), std::min(127, k + 10));  // outlier
  else top = std::ldexp(1 + u(g), k);
  top = static_cast<float>(top);
  const double nb = u(g);
  if (nb < 0.25) top = std::nextafter(static_cast<float>(top), 0.0f);
  else if (nb < 0.5) top = std::nextafter(static_cast<float>(top), INFINITY);
  if (std::isinf(top) || top == 0) top = 1.0;
  v[static_cast<std::size_t>(u(g) * static_cast<double>(n)) % n] = u(g) < 0.5 ? top : -top;
  return v;
}

}  // namespace

TEST_CASE("MXFP8 E4M3 block with amax 960: FLOOR gives scale 2 (957 -> 896), RCEIL scale 4 (957 -> 960)",
          "[block]") {
  const auto v = block_with(960, 957);
  const QuantizedTensor f = quantize_blocks(mx("mxfp8-e4m3", "floor"), v.data(), 1, 32);
  CHECK(f.scales[0] == 2.0);
  const auto df = dequantize_blocks(f);
  CHECK(df[1] == 896.0);
  CHECK(df[0] == 896.0);
  CHECK(f.stats.clamped == 2);  // 960/2 and 957/2 are beyond 448
  const QuantizedTensor r = quantize_blocks(mx("mxfp8-e4m3", "rceil"), v.data(), 1, 32);
  CHECK(r.scales[0] == 4.0);
  const auto dr = dequantize_blocks(r);
  CHECK(dr[1] == 960.0);
  CHECK(dr[0] == 960.0);
  CHECK(r.stats.clamped == 0);
}

TEST_CASE("MXFP4 block with amax 7.5: FLOOR gives X = 1 (7.5 -> 6), RCEIL X = 2 (7.5 -> 8)", "[block]") {
  const auto v = block_with(7.5, 0.5);
  const QuantizedTensor f = quantize_blocks(mx("mxfp4", "floor"), v.data(), 1, 32);
  CHECK(f.scales[0] == 1.0);
  CHECK(dequantize_blocks(f)[0] == 6.0);
  const QuantizedTensor r = quantize_blocks(mx("mxfp4", "rceil"), v.data(), 1, 32);
  CHECK(r.scales[0] == 2.0);
  CHECK(dequantize_blocks(r)[0] == 8.0);
  CHECK(dequantize_blocks(r)[1] == 0.0);  // 0.25 on E2M1 is a tie between 0 and 0.5: even is 0
  CHECK(r.stats.flushed == 1);
}

TEST_CASE("a NaN in an MX block makes its scale (byte 0xFF) and every element NaN; other blocks are untouched",
          "[block]") {
  for (const char* scheme : {"mxfp8-e4m3", "mxfp4", "mxint8"}) {
    std::vector<double> v(64, 3.0);
    v[5] = kNaN;
    const QuantizedTensor q = quantize_blocks(mx(scheme), v.data(), 1, 64);
    CHECK(std::isnan(q.scales[0]));
    CHECK(encode(q.scales[0], parse_format("e8m0")) == 0xff);
    const auto d = dequantize_blocks(q);
    for (std::size_t i = 0; i < 32; ++i) CHECK(std::isnan(d[i]));
    for (std::size_t i = 32; i < 64; ++i) CHECK(d[i] == 3.0);
    CHECK(q.stats.nan == 32);
  }
}

TEST_CASE("an Inf in an MX block makes the block NaN: no E8M0 scale brings it into range", "[block]") {
  std::vector<double> v(32, 1.0);
  v[3] = -INFINITY;
  const QuantizedTensor q = quantize_blocks(mx("mxfp8-e5m2"), v.data(), 1, 32);
  CHECK(std::isnan(q.scales[0]));
}

TEST_CASE("all-subnormal blocks get scale byte 0; E8M0 never goes below 2^-127", "[block]") {
  const Format e8m0 = parse_format("e8m0");
  // fp32 subnormals (and a double far below): FLOOR would ask for 2^-157 and less.
  std::vector<double> v(32, 0x1p-140);
  v[7] = 0x1.8p-145;
  v[8] = 0x1p-149;
  for (const char* rule : {"floor", "ceil", "rceil", "even"}) {
    const QuantizedTensor q = quantize_blocks(mx("mxfp8-e4m3", rule), v.data(), 1, 32);
    CHECK(q.scales[0] == 0x1p-127);
    CHECK(encode(q.scales[0], e8m0) == 0x00);
  }
  const std::vector<double> zeros(32, 0.0);
  const QuantizedTensor z = quantize_blocks(mx("mxfp4"), zeros.data(), 1, 32);
  CHECK(z.scales[0] == 0x1p-127);
  CHECK(z.stats.flushed == 0);
  std::vector<double> tiny(32, 1e-300);
  CHECK(quantize_blocks(mx("mxint8"), tiny.data(), 1, 32).scales[0] == 0x1p-127);
  CHECK(mx_scale_exponent(0.0, parse_format("e4m3"), ScaleRule::ceil) == -127);
  // and never above 2^127: a double beyond fp32's range clamps, its elements saturate
  std::vector<double> huge(32, 0x1p200);
  const QuantizedTensor h = quantize_blocks(mx("mxfp8-e4m3"), huge.data(), 1, 32);
  CHECK(h.scales[0] == 0x1p127);
  CHECK(dequantize_blocks(h)[0] == 448.0 * 0x1p127);
}

TEST_CASE("emax_elem of every MX element format is the spec's", "[block]") {
  for (const auto& e : kSpec) CHECK(mx_emax_elem(mx(e.scheme).element) == e.emax_elem);
}

TEST_CASE("every E8M0 scale rule equals its spec-text reference on 10^5 random blocks; elements equal the MPFR oracle",
          "[block]") {
  std::mt19937_64 g(20260601);
  constexpr std::size_t kBlocks = 100000, kN = 32, kPerCall = 1000;
  const ScaleRule rules[] = {ScaleRule::floor, ScaleRule::ceil, ScaleRule::rceil, ScaleRule::even};
  std::size_t mismatched_scales = 0, mismatched_elements = 0, checked = 0;
  for (std::size_t call = 0; call < kBlocks / kPerCall; ++call) {
    const SpecElement& se = kSpec[call % std::size(kSpec)];
    const ScaleRule rule = rules[(call / std::size(kSpec)) % 4];
    std::vector<double> x;
    x.reserve(kPerCall * kN);
    for (std::size_t b = 0; b < kPerCall; ++b) {
      const auto blk = random_block(g, se, kN);
      x.insert(x.end(), blk.begin(), blk.end());
    }
    const BlockScheme s = mx(se.scheme, std::string(scale_rule_name(rule)));
    // As one matrix of kPerCall rows (one block each) and as one long row: same blocks.
    const QuantizedTensor q = quantize_blocks(s, x.data(), kPerCall, kN);
    for (std::size_t b = 0; b < kPerCall; ++b) {
      double amax = 0;
      for (std::size_t i = 0; i < kN; ++i) amax = std::max(amax, std::fabs(x[b * kN + i]));
      const int e = reference_exponent(amax, se, rule);
      ++checked;
      if (q.scales[b] != std::ldexp(1.0, e)) {
        if (++mismatched_scales <= 5)
          FAIL_CHECK(se.scheme << " " << scale_rule_name(rule) << " amax " << amax << ": scale "
                               << q.scales[b] << ", reference 2^" << e);
        continue;
      }
      // The spec: each element is V / X rounded to nearest even, clamped to the element range.
      for (std::size_t i = 0; i < kN; ++i) {
        const double want = oracle::oracle_round(std::ldexp(x[b * kN + i], -e), s.element, Mode::rne,
                                                 Overflow::saturate);
        if (q.elements[b * kN + i] != want && ++mismatched_elements <= 5)
          FAIL_CHECK(se.scheme << " element " << x[b * kN + i] << " / 2^" << e << ": got "
                               << q.elements[b * kN + i] << ", oracle " << want);
      }
    }
  }
  CHECK(checked == kBlocks);
  CHECK(mismatched_scales == 0);
  CHECK(mismatched_elements == 0);
}

TEST_CASE("the four rules differ where the spec says they do", "[block]") {
  const Format e4m3 = parse_format("e4m3"), e2m1 = parse_format("e2m1");
  // 448 * 2^k: FLOOR and RCEIL agree (it fits exactly), CEIL goes one up (448 is not a power of 2).
  CHECK(mx_scale_exponent(448, e4m3, ScaleRule::floor) == 0);
  CHECK(mx_scale_exponent(448, e4m3, ScaleRule::rceil) == 0);
  CHECK(mx_scale_exponent(448, e4m3, ScaleRule::ceil) == 1);
  // 480 = 1.875 * 2^8 is below 2 - 2^-4 = 1.9375: EVEN keeps the binade; 496 = 1.9375 * 2^8 rounds
  // up to 512 at 4 bits (a tie, to even), so EVEN moves up.
  CHECK(mx_scale_exponent(480, e4m3, ScaleRule::even) == 0);
  CHECK(mx_scale_exponent(496, e4m3, ScaleRule::even) == 1);
  CHECK(mx_scale_exponent(496, e4m3, ScaleRule::floor) == 0);
  // E2M1 (p = 2): 7 = 1.75 * 2^2 rounds to 8 at 2 bits (a tie, to even), 6.5 does not round up.
  CHECK(mx_scale_exponent(7.0, e2m1, ScaleRule::even) == 1);
  CHECK(mx_scale_exponent(6.5, e2m1, ScaleRule::even) == 0);
}
