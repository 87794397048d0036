// Quantise / dequantise a matrix under a block scheme (docs/references.md s.4). Every element is
// the exact quotient x / scale rounded once onto the element format (round_quotient).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "block_bitnet.hpp"
#include "floatscope/block_scaling.hpp"

namespace floatscope {

double BlockStats::clamped_frac() const {
  return elements ? static_cast<double>(clamped) / static_cast<double>(elements) : 0.0;
}
double BlockStats::flushed_frac() const {
  return elements ? static_cast<double>(flushed) / static_cast<double>(elements) : 0.0;
}
double BlockStats::mean_scale_exp() const {
  return scales ? scale_exp_sum / static_cast<double>(scales) : std::numeric_limits<double>::quiet_NaN();
}
BlockStats& BlockStats::operator+=(const BlockStats& o) {
  if (o.scales) scale_exp_max = scales ? std::max(scale_exp_max, o.scale_exp_max) : o.scale_exp_max;
  elements += o.elements;
  clamped += o.clamped;
  flushed += o.flushed;
  nan += o.nan;
  padded += o.padded;
  scales += o.scales;
  scale_exp_sum += o.scale_exp_sum;
  return *this;
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kNvfp4Range = 448.0 * 6.0;  // E4M3 max times E2M1 max

const Format& fp32() {
  static const Format f = parse_format("fp32");
  return f;
}
const Format& e4m3() {
  static const Format f = parse_format("e4m3");
  return f;
}

// A value rounded to fp32 once, kept positive: a scale that rounds to zero (an amax below
// fp32's range) becomes the smallest fp32, so that division by it stays defined.
double positive_fp32_quotient(double num, double den) {
  const double q = round_quotient(num, den, fp32(), Rounding{Mode::rne, Overflow::saturate});
  return q > 0 ? q : fp32().min_subnormal;
}

// Exponent statistics of the finite nonzero scales: floor(log2(scale)) each.
void count_scales(QuantizedTensor& q) {
  for (double sc : q.scales)
    if (std::isfinite(sc) && sc > 0) {
      const int e = std::ilogb(sc);
      q.stats.scale_exp_max = q.stats.scales ? std::max(q.stats.scale_exp_max, e) : e;
      q.stats.scale_exp_sum += e;
      ++q.stats.scales;
    }
}

// x / den for the element rounding. The double quotient rounds onto the element format exactly as
// the exact quotient does, for every deterministic mode: the boundaries of those roundings (grid
// points and midpoints, at most 9 significant bits) times den (at most 28 bits: an E4M3 block
// scale times an fp32 tensor scale) are doubles, so a double x that is not such a product lies
// more than half an ulp of the quotient away from every boundary in quotient terms (the gap is
// ulp(x) / den >= 2^c / m_den ulps of the quotient, with m_den < 2 den's significand and c >= 0),
// and rounding to the nearest double cannot reach or cross one. Outside double's normal range
// that argument fails; there the quotient is rounded by round_quotient itself.
double element_quotient(double x, double den, const Format& f, const Rounding& r, std::uint64_t index) {
  const double q = x / den;
  const double aq = std::fabs(q);
  if (x != 0 && !(aq >= 0x1p-1000 && aq <= 0x1p1000)) return floatscope::round_quotient(x, den, f, r, index);
  return q;
}

struct BlockAmax {
  double amax = 0;       // over the finite elements
  bool special = false;  // a NaN or Inf in the block
  bool nan = false;
};

}  // namespace

QuantizedTensor quantize_blocks(const BlockScheme& s, const double* x, std::size_t rows,
                                std::size_t cols) {
  if (rows == 0 || cols == 0)
    throw std::invalid_argument(fmt::format("cannot quantise an empty {}x{} array", rows, cols));
  const std::string_view name = s.info->name;
  QuantizedTensor q;
  q.orig_rows = rows;
  q.orig_cols = cols;
  const std::size_t bc = s.block == 0 ? cols : static_cast<std::size_t>(s.block);
  const std::size_t br = s.block_rows == 0 ? rows : static_cast<std::size_t>(s.block_rows);
  q.cols = (cols + bc - 1) / bc * bc;
  q.rows = (rows + br - 1) / br * br;
  if ((q.cols != cols || q.rows != rows) && !s.pad)
    throw std::invalid_argument(fmt::format(
        "{}: a {}x{} array is not made of whole {}x{} blocks (blocks run along the last axis); "
        "give --pad to pad it with zeros",
        name, rows, cols, br, bc));
  q.scale_rows = q.rows / br;
  q.scale_cols = q.cols / bc;
  const std::size_t R = q.rows, C = q.cols;
  std::vector<double> xp(R * C, 0.0);
  for (std::size_t r = 0; r < rows; ++r) std::copy_n(x + r * cols, cols, xp.data() + r * C);
  q.stats.elements = rows * cols;
  q.stats.padded = R * C - rows * cols;

  // Per-block amax over finite values, and whether a NaN or Inf is in the block.
  // Loops run over row segments of one block each (no index division per element).
  std::vector<BlockAmax> blk(q.scale_rows * q.scale_cols);
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t j = 0; j < q.scale_cols; ++j) {
      BlockAmax& b = blk[(r / br) * q.scale_cols + j];
      const double* seg = xp.data() + r * C + j * bc;
      double m = b.amax;
      bool special = false;
      for (std::size_t c = 0; c < bc; ++c) {
        const double a = std::fabs(seg[c]);
        special |= !(a <= std::numeric_limits<double>::max());  // NaN or Inf
        m = a > m && a <= std::numeric_limits<double>::max() ? a : m;
      }
      b.amax = m;
      if (special) {
        b.special = true;
        for (std::size_t c = 0; c < bc; ++c) b.nan = b.nan || std::isnan(seg[c]);
      }
    }
  double tensor_amax = 0;
  for (const auto& b : blk) tensor_amax = std::max(tensor_amax, b.amax);

  // Dequantisation scale of every block (NaN: the whole block is NaN).
  q.scales.assign(blk.size(), 1.0);
  const double max_elem = s.element.max_finite;
  switch (s.info->kind) {
    case SchemeKind::mx:
      // A NaN in a block makes its scale NaN (OCP MX v1.0); so does an Inf, which no E8M0 scale
      // can bring into the element range (the rules' exponent would be +Inf).
      for (std::size_t i = 0; i < blk.size(); ++i)
        q.scales[i] = blk[i].special ? kNaN : std::ldexp(1.0, mx_scale_exponent(blk[i].amax, s.element, s.rule));
      break;
    case SchemeKind::nvfp4: {
      q.tensor_scale = s.tensor_scale ? *s.tensor_scale
                       : tensor_amax > 0 ? positive_fp32_quotient(tensor_amax, kNvfp4Range)
                                         : 1.0;
      // Block scale e4m3(block_amax / 6 / s), rounded once (6 s is exact in double); the only
      // non-finite E4M3 code is NaN, which a NaN or Inf in the block gets.
      const Rounding sr{s.block_scale_mode, Overflow::saturate};
      for (std::size_t i = 0; i < blk.size(); ++i)
        q.scales[i] = blk[i].special ? kNaN : round_quotient(blk[i].amax, 6.0 * q.tensor_scale, e4m3(), sr);
      break;
    }
    case SchemeKind::bitnet_ternary:
    case SchemeKind::bitnet_int8:
      // Scales and integer elements by the paper's formulas (block_bitnet.cpp); no padding
      // happens (one block per tensor or per row).
      q.stats.clamped = detail::bitnet_quantize(s, xp.data(), R, C, q);
      break;
    default: {
      // FP8: d = RN32(amax 2^margin / max_elem), the inverse of Transformer Engine's
      // scale = (max / amax) / 2^margin; NaN and Inf do not enter the amax (they stay NaN, and
      // Inf saturates, in the element cast).
      const auto scale_of = [&](double amax) {
        return amax > 0 ? positive_fp32_quotient(std::ldexp(amax, static_cast<int>(s.margin)), max_elem) : 1.0;
      };
      if (s.info->kind == SchemeKind::fp8_delayed) {
        double h = 0;
        const std::size_t n = s.amax_history.size(), len = static_cast<std::size_t>(s.history_len);
        for (std::size_t i = n > len ? n - len : 0; i < n; ++i) h = std::max(h, s.amax_history[i]);
        q.scales.assign(blk.size(), scale_of(n == 0 ? tensor_amax : h));
      } else {
        for (std::size_t i = 0; i < blk.size(); ++i) q.scales[i] = scale_of(blk[i].amax);
      }
    }
  }

  // Elements (BitNet's are already set): round(x / (scale * tensor_scale)) once, saturating unless
  // asked otherwise.
  // Deterministic modes: the double quotient rounds like the exact one (element_quotient), so
  // the whole matrix goes through the vectorised round_array. Stochastic modes need the exact
  // dropped fraction: round_quotient per element.
  if (!integer_scheme(s.info->kind)) {
    q.elements.assign(R * C, 0.0);
    const Rounding& rr = s.rounding;
    const bool stochastic = is_stochastic(rr.mode);
    std::vector<double> scaled(stochastic ? 0 : R * C);
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t j = 0; j < q.scale_cols; ++j) {
        const double sc = q.scales[(r / br) * q.scale_cols + j];
        const std::size_t i0 = r * C + j * bc;
        double* dst = stochastic ? q.elements.data() + i0 : scaled.data() + i0;
        const double den = sc * q.tensor_scale;  // exact: at most 4 + 24 significant bits
        for (std::size_t c = 0; c < bc; ++c) {
          const std::size_t i = i0 + c;
          const double v = xp[i];
          if (std::isnan(sc) || std::isnan(v)) {
            if (!std::isnan(sc) && !s.element.has_nan())
              throw std::invalid_argument(fmt::format("{}: NaN at index {} has no code in {}", name,
                                                      r * cols + j * bc + c, s.element.name));
            dst[c] = kNaN;
            if (r < rows && j * bc + c < cols) ++q.stats.nan;
          } else if (den == 0) {
            dst[c] = 0;  // an NVFP4 block scale that rounded to zero flushes its block
          } else if (stochastic) {
            dst[c] = round_quotient(v, den, s.element, rr, i);
          } else {
            dst[c] = element_quotient(v, den, s.element, rr, i);
          }
        }
      }
    if (!stochastic) round_array(scaled, q.elements, s.element, rr, 0, 1);
  }
  const bool bitnet = integer_scheme(s.info->kind);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < q.scale_cols; ++j) {
      const double den = q.scales[(r / br) * q.scale_cols + j] * q.tensor_scale;
      const double limit = max_elem * den;
      const std::size_t c_end = std::min(bc, cols - std::min(cols, j * bc));
      const double* xs = xp.data() + r * C + j * bc;
      const double* es = q.elements.data() + r * C + j * bc;
      std::uint64_t clamped = 0, flushed = 0;
      for (std::size_t c = 0; c < c_end; ++c) {
        const double a = std::fabs(xs[c]);
        // BitNet counts its clip itself (the formula's, not the rounded fp32 scale's).
        clamped += den > 0 && a > limit && a <= std::numeric_limits<double>::max() && !bitnet;
        flushed += a > 0 && es[c] == 0;
      }
      q.stats.clamped += clamped;
      q.stats.flushed += flushed;
    }

  count_scales(q);
  return q;
}

QuantizedTensor make_quantized(const BlockScheme& s, std::vector<double> elements, std::size_t rows,
                               std::size_t cols, std::vector<double> scales, double tensor_scale,
                               std::string_view what) {
  if (rows == 0 || cols == 0 || elements.size() != rows * cols)
    throw std::invalid_argument(fmt::format("{}: {} elements do not make a {}x{} matrix", what, elements.size(), rows, cols));
  QuantizedTensor q;
  q.orig_rows = rows;
  q.orig_cols = cols;
  const std::size_t bc = s.block == 0 ? cols : static_cast<std::size_t>(s.block);
  const std::size_t br = s.block_rows == 0 ? rows : static_cast<std::size_t>(s.block_rows);
  if (cols % bc != 0)
    throw std::invalid_argument(fmt::format("{}: K = {} is not a multiple of {}'s block of {}", what, cols, s.info->name, bc));
  q.cols = cols;
  q.rows = (rows + br - 1) / br * br;
  scale_shape(s, rows, cols, q.scale_rows, q.scale_cols);
  if (scales.size() != q.scale_rows * q.scale_cols)
    throw std::invalid_argument(fmt::format("{}: {} scales given; {} takes {}x{} for a {}x{} operand", what,
                                            scales.size(), s.info->name, q.scale_rows, q.scale_cols, rows, cols));
  elements.resize(q.rows * q.cols, 0.0);
  q.elements = std::move(elements);
  q.scales = std::move(scales);
  q.tensor_scale = tensor_scale;
  q.stats.elements = rows * cols;
  check_quantized(s, q, what);
  count_scales(q);
  return q;
}

std::vector<double> dequantize_blocks(const QuantizedTensor& q) {
  std::vector<double> out(q.orig_rows * q.orig_cols);
  for (std::size_t r = 0; r < q.orig_rows; ++r)
    for (std::size_t c = 0; c < q.orig_cols; ++c)
      out[r * q.orig_cols + c] = q.elements[r * q.cols + c] * (q.scale_at(r, c) * q.tensor_scale);
  return out;
}

namespace {

bool on_grid(double v, const Format& f) {
  if (std::isnan(v)) return f.has_nan();
  return floatscope::round(v, f, Rounding{Mode::rne, Overflow::spec}) == v;
}

}  // namespace

void check_quantized(const BlockScheme& s, const QuantizedTensor& q, std::string_view what) {
  for (std::size_t i = 0; i < q.elements.size(); ++i)
    if (!on_grid(q.elements[i], s.element))
      throw std::invalid_argument(fmt::format("{}: element {} ({}) is not a value of {}", what, i,
                                              q.elements[i], s.element.name));
  static const Format e8m0 = parse_format("e8m0");
  for (std::size_t i = 0; i < q.scales.size(); ++i) {
    const double v = q.scales[i];
    bool ok;
    const char* expect;
    switch (s.info->kind) {
      case SchemeKind::mx:
        ok = std::isnan(v) || on_grid(v, e8m0);
        expect = "an E8M0 value (a power of two from 2^-127 to 2^127, or NaN)";
        break;
      case SchemeKind::nvfp4:
        ok = std::isnan(v) || (v >= 0 && on_grid(v, e4m3()));
        expect = "a non-negative E4M3 value (or NaN)";
        break;
      default:
        ok = v > 0 && std::isfinite(v) && on_grid(v, fp32());
        expect = "a positive finite float32";
    }
    if (!ok)
      throw std::invalid_argument(fmt::format("{}: scale {} ({}) is not {}", what, i, v, expect));
  }
  if (!(q.tensor_scale > 0) || !std::isfinite(q.tensor_scale) || !on_grid(q.tensor_scale, fp32()))
    throw std::invalid_argument(fmt::format("{}: tensor scale {} is not a positive finite float32", what,
                                            q.tensor_scale));
}

}  // namespace floatscope
