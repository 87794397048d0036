// Block-scaled GEMM (block_gemm.hpp): the scales applied as docs/references.md s.5 measured on an
// H100 (per-tensor, row-wise, 128-wide K blocks) and as OCP MX v1.0 defines the MX dot product.
#include "floatscope/block_gemm.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "accumulator_engine.hpp"
#include "floatscope/detail/accumulator_round.hpp"
#include "floatscope/parallel.hpp"

namespace floatscope {
namespace {

bool per_tensor_kind(SchemeKind k) {
  return k == SchemeKind::fp8_tensor || k == SchemeKind::fp8_delayed || k == SchemeKind::bitnet_ternary;
}
bool per_row_kind(SchemeKind k) { return k == SchemeKind::fp8_row || k == SchemeKind::bitnet_int8; }
bool k_blocked_kind(SchemeKind k) {
  return k == SchemeKind::mx || k == SchemeKind::nvfp4 || k == SchemeKind::fp8_tile1x128 ||
         k == SchemeKind::fp8_block128x128;
}

// One rounding of an exact value into the outer format (deterministic modes; the caller checks).
struct OuterRound {
  Mode mode;
  detail::RoundParams params;
  OuterRound(const Format& f, const Rounding& r) : mode(r.mode), params(detail::make_round_params(f, r)) {}
  // RN(x * y): the product of two doubles, exact as a double-double, rounded once.
  double mul(double x, double y) const {
    const detail::DD p = detail::two_prod(x, y);
    return detail::round_dd_any(mode, p.hi, p.lo, params, 0);
  }
  // RN(p * s + c), rounded once. Exact when p * s is a double (the partials and scales here have
  // at most 24 significant bits each); otherwise the product's error term joins the sum's error
  // term in one double addition (off by at most 2^-106 relative, which decides a rounding only for
  // a sum that close to a rounding boundary).
  double fma(double p, double s, double c) const {
    const detail::DD prod = detail::two_prod(p, s);
    if (!std::isfinite(prod.hi) || !std::isfinite(c)) return detail::round_dd_any(mode, prod.hi + c, 0, params, 0);
    const detail::DD sum = detail::two_sum(prod.hi, c);
    if (sum.hi == 0 && sum.lo == 0 && prod.lo == 0)
      return detail::round_dd_any(mode, detail::exact_zero_sum(mode, prod.hi, c), 0, params, 0);
    const detail::DD tail = detail::two_sum(sum.lo, prod.lo);
    const detail::DD total = detail::two_sum(sum.hi, tail.hi);
    return detail::round_dd_any(mode, total.hi, total.lo + tail.lo, params, 0);
  }
};

// The Accumulator that sums element products: no scales, no output conversion, inputs on grid.
Accumulator inner_accumulator(const Accumulator& acc) {
  Accumulator in = acc;
  in.scale_a = in.scale_b = 1.0;
  in.output_format.reset();
  in.output_scale = 1.0;
  in.quantize.reset();
  return in;
}

std::vector<double> transpose_rows(const QuantizedTensor& t, int rows, int K) {
  // t is rows' x K (rows' >= rows); returns its first `rows` rows transposed, K x rows.
  const std::size_t R = static_cast<std::size_t>(rows), Ks = static_cast<std::size_t>(K);
  std::vector<double> out(Ks * R);
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t k = 0; k < Ks; ++k) out[k * R + r] = t.elements[r * t.cols + k];
  return out;
}

// The engine has no scales: only the conversion. Its output events go into ev; NaN outputs are
// counted by the callers, with or without a conversion.
double output_conversion(const Accumulator& acc, const detail::DotEngine& engine, double v, GemmEvents& ev) {
  if (!acc.output_format) return v;
  GemmEvents conv;
  const double y = engine.finish_output(v, &conv, 0, 0, 0);
  conv.nan_count = 0;
  ev += conv;
  return y;
}

// Integer elements on both sides (BitNet): the products are integers, which integer hardware sums
// exactly. Every partial sum is an integer of magnitude at most max|a| max|b| K, so a scalar
// accumulator (any order, rounding or compensation) is exact when each format on the way holds
// every integer up to that bound: 2^precision and its largest value at least the bound.
void check_exact_integer_sum(const Accumulator& acc, const BlockScheme& a, const BlockScheme& b, int K) {
  const double product = a.element.max_finite * b.element.max_finite;
  const double bound = product * K;
  const auto holds = [](const Format& f, double v) {
    return std::ldexp(1.0, f.precision) >= v && f.max_finite >= v;
  };
  std::string why;
  if (acc.fused)
    why = "a fused block-FMA unit aligns and truncates its products";
  else if (acc.product_format && !holds(*acc.product_format, product))
    why = fmt::format("product format {} does not hold every product (up to {})", acc.product_format->name, product);
  else if (!holds(acc.acc_format, bound))
    why = fmt::format("accumulator {} holds integers exactly only up to 2^{}", acc.acc_format.name, acc.acc_format.precision);
  else if (acc.reduce_format && !holds(*acc.reduce_format, bound))
    why = fmt::format("reduction format {} holds integers exactly only up to 2^{}", acc.reduce_format->name,
                      acc.reduce_format->precision);
  else if (acc.promote > 0 && !holds(acc.outer_format, bound))
    why = fmt::format("outer format {} holds integers exactly only up to 2^{}", acc.outer_format.name, acc.outer_format.precision);
  if (!why.empty())
    throw std::invalid_argument(fmt::format(
        "block GEMM: {} x {} multiplies integers, whose sums must be exact (sums reach {} x K = {} for K = {}); "
        "{}. Use a scalar accumulator of fp32 (K <= {}) or fp64",
        a.info->name, b.info->name, product, bound, K, why, std::floor(std::ldexp(1.0, 24) / product)));
}

}  // namespace

ScaleApplication scale_application(const BlockScheme& a, const BlockScheme& b) {
  const SchemeKind ka = a.info->kind, kb = b.info->kind;
  if (per_tensor_kind(ka) && per_tensor_kind(kb)) return ScaleApplication::per_tensor;
  const bool rowish_a = per_tensor_kind(ka) || per_row_kind(ka);
  const bool rowish_b = per_tensor_kind(kb) || per_row_kind(kb);
  if (rowish_a && rowish_b) return ScaleApplication::per_row;
  if (k_blocked_kind(ka) && k_blocked_kind(kb)) {
    if (a.block != b.block)
      throw std::invalid_argument(fmt::format(
          "scheme: A's {} blocks K by {}, B's {} by {}; block-scaled GEMMs need the same block along K",
          a.info->name, a.block, b.info->name, b.block));
    if ((ka == SchemeKind::nvfp4) != (kb == SchemeKind::nvfp4) || (ka == SchemeKind::mx) != (kb == SchemeKind::mx))
      throw std::invalid_argument(fmt::format("scheme: A's {} and B's {} use different scale formats",
                                              a.info->name, b.info->name));
    return ScaleApplication::per_k_block;
  }
  throw std::invalid_argument(fmt::format(
      "scheme: A's {} and B's {} cannot be combined (per-tensor and row-wise scales combine with each "
      "other; K-blocked ones with K-blocked ones of the same block)",
      a.info->name, b.info->name));
}

GemmResult emulate_block_gemm(const Accumulator& acc, const BlockScheme& sa, const QuantizedTensor& A,
                              const BlockScheme& sb, const QuantizedTensor& Bt, int M, int N, int K,
                              int threads) {
  const ScaleApplication how = scale_application(sa, sb);
  if (M <= 0 || N <= 0 || K <= 0)
    throw std::invalid_argument(fmt::format("GEMM sizes M={} N={} K={} must be positive", M, N, K));
  const std::size_t Ms = static_cast<std::size_t>(M), Ns = static_cast<std::size_t>(N), Ks = static_cast<std::size_t>(K);
  if (A.cols != Ks || Bt.cols != Ks || A.rows < Ms || Bt.rows < Ns)
    throw std::invalid_argument(fmt::format("block GEMM: operands {}x{} and {}x{} (B transposed) do not fit M={} N={} K={}",
                                            A.rows, A.cols, Bt.rows, Bt.cols, M, N, K));
  if (acc.a_format.name != sa.element.name || acc.b_format.name != sb.element.name)
    throw std::invalid_argument(fmt::format("block GEMM: the accumulator takes {} x {}, the schemes give {} x {}",
                                            acc.a_format.name, acc.b_format.name, sa.element.name, sb.element.name));
  if (is_stochastic(acc.outer_rounding.mode) || acc.outer_format.precision > 51)
    throw std::invalid_argument(fmt::format(
        "block GEMM: scales are applied by rounding into the outer format, which must be at most 51 bits "
        "with a deterministic rounding (have {}/{})", acc.outer_format.name, mode_name(acc.outer_rounding.mode)));

  if (integer_scheme(sa.info->kind) && integer_scheme(sb.info->kind)) check_exact_integer_sum(acc, sa, sb, K);

  const Accumulator inner = inner_accumulator(acc);
  const std::vector<double> b = transpose_rows(Bt, N, K);
  GemmResult res;
  if (how == ScaleApplication::per_tensor) {
    Accumulator scaled = acc;
    scaled.scale_a = A.scales[0];
    scaled.scale_b = Bt.scales[0];
    std::vector<double> a(A.elements.begin(), A.elements.begin() + static_cast<std::ptrdiff_t>(Ms * Ks));
    return emulate_gemm(scaled, M, N, K, a.data(), b.data(), nullptr, threads);
  }
  const OuterRound outer(acc.outer_format, acc.outer_rounding);
  Accumulator out_only = inner;  // for the final conversion
  out_only.output_format = acc.output_format;
  out_only.output_rounding = acc.output_rounding;
  out_only.output_scale = acc.output_scale;
  out_only.output_scale_mode = acc.output_scale_mode;
  const detail::DotEngine out_engine(out_only);

  if (how == ScaleApplication::per_row) {
    std::vector<double> a(A.elements.begin(), A.elements.begin() + static_cast<std::ptrdiff_t>(Ms * Ks));
    res = emulate_gemm(inner, M, N, K, a.data(), b.data(), nullptr, threads);
    // cuBLASLt row-wise (docs/references.md s.5): the B scale first, then the A scale.
    for (std::size_t i = 0; i < Ms; ++i)
      for (std::size_t j = 0; j < Ns; ++j) {
        const double sbj = Bt.scales.size() == 1 ? Bt.scales[0] : Bt.scales[j];
        const double sai = A.scales.size() == 1 ? A.scales[0] : A.scales[i];
        double& d = res.C[i * Ns + j];
        d = output_conversion(acc, out_engine, outer.mul(outer.mul(d, sbj), sai), res.events);
      }
    return res;
  }

  // K-blocked.
  const int Kb = static_cast<int>(A.block_cols());
  const std::size_t nb = Ks / static_cast<std::size_t>(Kb);
  const detail::DotEngine engine(inner);
  const double tensor = A.tensor_scale != 1.0 || Bt.tensor_scale != 1.0 ? outer.mul(A.tensor_scale, Bt.tensor_scale) : 1.0;
  res.C.assign(Ms * Ns, 0.0);
  const int nt = threads > 0 ? threads : omp_default_threads();
  std::vector<GemmEvents> per_thread(static_cast<std::size_t>(nt));
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
  for (int i = 0; i < M; ++i) {
    GemmEvents& ev = per_thread[static_cast<std::size_t>(omp_get_thread_num())];
    const std::size_t is = static_cast<std::size_t>(i);
    for (std::size_t j = 0; j < Ns; ++j) {
      double c = 0;
      for (std::size_t blk = 0; blk < nb; ++blk) {
        const std::size_t k0 = blk * static_cast<std::size_t>(Kb);
        const double s_a = A.scale_at(is, k0), s_b = Bt.scale_at(j, k0);
        if (std::isnan(s_a) || std::isnan(s_b)) {
          c = std::numeric_limits<double>::quiet_NaN();
          continue;
        }
        const double p = engine.run(A.elements.data() + is * Ks + k0, Bt.elements.data() + j * Ks + k0, Kb, 0.0,
                                    &ev, is * nb + blk, j);
        c = outer.fma(p, outer.mul(s_a, s_b), c);
      }
      if (tensor != 1.0) c = outer.mul(c, tensor);
      c = output_conversion(acc, out_engine, c, ev);
      if (std::isnan(c)) ++ev.nan_count;
      res.C[is * Ns + j] = c;
    }
  }
  for (const auto& e : per_thread) res.events += e;
  return res;
}

}  // namespace floatscope
