// Reference evaluation of scalar accumulation models (orders, compensation, promotion, output).
#include <cmath>
#include <algorithm>
#include <numeric>

#include "accumulator_engine.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope::detail {

void DotCtx::count_partial(const Rounder& r, const ScaledDD& exact, double y) const {
  ++ev->partials;
  if (std::isnan(y) || std::isinf(y)) {
    if (exact_is_finite(exact)) ++ev->partials_overflow;
    return;
  }
  const double ay = std::fabs(y);
  if (exact_is_nonzero(exact) && ay < r.format.min_normal) ++ev->partials_underflow;
  if (ay == r.format.max_finite && exact_beyond(exact, r.format.max_finite)) ++ev->partials_saturated;
}

DotEngine::DotEngine(const Accumulator& acc) : acc_(acc) {
  acc_.validate();
  if (acc_.product_format) product_ = Rounder(*acc_.product_format, acc_.product_rounding);
  acc_r_ = Rounder(acc_.acc_format, acc_.acc_rounding);
  reduce_ = acc_.reduce_format ? Rounder(*acc_.reduce_format, acc_.reduce_rounding) : acc_r_;
  outer_ = Rounder(acc_.outer_format, acc_.outer_rounding);
  if (acc_.output_format) output_ = Rounder(*acc_.output_format, acc_.output_rounding);
  // OutputScaleMode::after: the framework's scale is an fp32 number, and so is its multiply (round
  // to nearest even). Set up in fused mode too, for the comparison of the two (count_output).
  if (acc_.output_format && acc_.output_format->values_are_floats()) {
    const Format fp32 = parse_format("fp32");
    rescale_ = Rounder(fp32, Rounding{Mode::rne});
    scale32_ = floatscope::round(acc_.output_scale, fp32, Rounding{Mode::rne});
    compare_modes_ = !output_.stochastic;
  }
  if (acc_.fused) {
    fused_ = make_fused_consts(acc_);
    if (acc_.fused->c_outside) c_add_ = Rounder(acc_.fused->c_add_format, acc_.fused->c_add_rounding);
  }
}

std::vector<int> DotEngine::permutation(std::uint64_t seed, int K) {
  std::vector<int> p(static_cast<std::size_t>(K));
  std::iota(p.begin(), p.end(), 0);
  const CounterRng rng(seed, static_cast<std::uint64_t>(K));
  for (int i = K - 1; i > 0; --i) {
    // Multiply-shift maps 64 random bits onto [0, i] (bias below 2^-32 for any K we handle).
    const auto j = static_cast<int>(
        (static_cast<unsigned __int128>(rng.bits(static_cast<std::uint64_t>(i))) *
         static_cast<unsigned>(i + 1)) >> 64);
    std::swap(p[static_cast<std::size_t>(i)], p[static_cast<std::size_t>(j)]);
  }
  return p;
}

double DotEngine::run(const double* a, const double* b, int K, double c, GemmEvents* ev,
                      std::uint64_t row, std::uint64_t col) const {
  DotCtx ctx{CounterRng(acc_.acc_rounding.seed, stream_of(row, col)), 0, ev};
  if (acc_.c_format) c = floatscope::round(c, *acc_.c_format, acc_.c_rounding);
  const double v = acc_.fused ? run_fused(a, b, K, c, ctx) : run_scalar(a, b, K, c, ctx);
  const double y = finish(v, ctx);
  if (ev && std::isnan(y)) ++ev->nan_count;
  return y;
}

double DotEngine::run_traced(const double* a, const double* b, int K, double c, std::uint8_t& triggers) const {
  DotCtx ctx{CounterRng(acc_.acc_rounding.seed, stream_of(0, 0)), 0, nullptr, &triggers};
  if (acc_.c_format) c = floatscope::round(c, *acc_.c_format, acc_.c_rounding);
  const double v = acc_.fused ? run_fused(a, b, K, c, ctx) : run_scalar(a, b, K, c, ctx);
  return finish(v, ctx);
}

// Sequential chain start + t0 + t1 + ... in r, compensated as configured.
double DotEngine::chain(const double* t, int n, double start, DotCtx& ctx, const Rounder& r) const {
  double s = start;
  auto add = [&](double x, double y) { return ctx.add(r, x, y, true); };
  auto add_main = [&](double x, double y) {
    const double z = add(x, y);
    if (ctx.ev && y != 0 && z == x && std::isfinite(z)) ++ctx.ev->stagnations;
    return z;
  };
  switch (acc_.compensation) {
    case Compensation::none:
      for (int i = 0; i < n; ++i) s = add_main(s, t[i]);
      return s;
    case Compensation::kahan: {
      double comp = 0;
      for (int i = 0; i < n; ++i) {
        const double y = add(t[i], -comp);
        const double tt = add_main(s, y);
        comp = add(add(tt, -s), -y);
        s = tt;
      }
      return s;
    }
    case Compensation::neumaier: {
      double comp = 0;
      for (int i = 0; i < n; ++i) {
        const double tt = add_main(s, t[i]);
        const double e = std::fabs(s) >= std::fabs(t[i]) ? add(add(s, -tt), t[i])
                                                          : add(add(t[i], -tt), s);
        comp = add(comp, e);
        s = tt;
      }
      return n > 0 ? add(s, comp) : s;
    }
  }
  return s;
}

double DotEngine::tree(const double* t, int n, DotCtx& ctx) const {
  if (n == 1) return t[0];
  const int h = n / 2;
  const double l = tree(t, h, ctx);
  const double r = tree(t + h, n - h, ctx);
  return ctx.add(acc_r_, l, r, true);
}

double DotEngine::run_scalar(const double* a, const double* b, int K, double c,
                             DotCtx& ctx) const {
  std::vector<double> p(static_cast<std::size_t>(K));
  const bool random = acc_.order.kind == OrderKind::random;
  const std::vector<int> perm = random ? permutation(acc_.order.seed, K) : std::vector<int>{};
  for (int i = 0; i < K; ++i) {
    const int k = random ? perm[static_cast<std::size_t>(i)] : i;
    double v;
    if (acc_.product_format) {
      const ScaledDD d = exact_product(a[k], b[k]);
      v = product_.native_double ? a[k] * b[k] : ctx.round(product_, d, false);
      if (ctx.ev && exact_is_finite(d)) {
        if (exact_is_nonzero(d) && std::fabs(v) < product_.format.min_normal)
          ++ctx.ev->products_underflow;
        if (!std::isfinite(v) || std::fabs(v) == product_.format.max_finite) {
          if (exact_beyond(d, product_.format.max_finite)) ++ctx.ev->products_overflow;
        }
      }
    } else {
      v = a[k] * b[k];  // exact (validate checked precision and range)
    }
    p[static_cast<std::size_t>(i)] = v;
  }
  if (ctx.ev) ctx.ev->products += static_cast<std::uint64_t>(K);

  switch (acc_.order.kind) {
    case OrderKind::sequential:
    case OrderKind::random: {
      if (acc_.promote > 0) {
        double outer = ctx.round(outer_, c, 0, false);
        for (int k0 = 0; k0 < K; k0 += acc_.promote) {
          const int n = std::min(acc_.promote, K - k0);
          const double part = chain(p.data() + k0, n, 0.0, ctx, acc_r_);
          outer = ctx.add(outer_, outer, part, true);
        }
        return outer;
      }
      return chain(p.data(), K, ctx.round(acc_r_, c, 0, false), ctx, acc_r_);
    }
    case OrderKind::reverse: {
      std::reverse(p.begin(), p.end());
      return chain(p.data(), K, ctx.round(acc_r_, c, 0, false), ctx, acc_r_);
    }
    case OrderKind::pairwise: {
      const double c0 = ctx.round(acc_r_, c, 0, false);
      if (K == 0) return c0;
      return ctx.add(acc_r_, c0, tree(p.data(), K, ctx), true);
    }
    case OrderKind::blocked: {
      std::vector<double> blocks;
      for (int k0 = 0; k0 < K; k0 += acc_.order.param) {
        const int n = std::min(acc_.order.param, K - k0);
        blocks.push_back(chain(p.data() + k0, n, 0.0, ctx, acc_r_));
      }
      return chain(blocks.data(), static_cast<int>(blocks.size()), ctx.round(acc_r_, c, 0, false),
                   ctx, acc_r_);
    }
    case OrderKind::splitk: {
      const int S = acc_.order.param;
      double r = ctx.round(reduce_, c, 0, false);
      int k0 = 0;
      for (int s = 0; s < S; ++s) {
        const int n = K / S + (s < K % S ? 1 : 0);
        const double part = chain(p.data() + k0, n, 0.0, ctx, acc_r_);
        k0 += n;
        r = ctx.add(reduce_, r, part, true);
      }
      return r;
    }
  }
  return 0;
}

double DotEngine::finish(double v, DotCtx& ctx) const {
  if (acc_.scale_a != 1.0 || acc_.scale_b != 1.0) {
    const double s = ctx.mul(outer_, acc_.scale_a, acc_.scale_b, false);
    v = ctx.mul(outer_, s, v, false);
  }
  if (acc_.output_format) v = convert_output(v, ctx);
  return v;
}

// The output conversion with output_scale fused into it or applied after storing
// (OutputScaleMode); each rounding draws its own random bits when stochastic.
double DotEngine::convert_output(double v, DotCtx& ctx) const {
  const auto convert = [&](OutputScaleMode mode) {
    if (mode == OutputScaleMode::fused) return ctx.mul(output_, v, acc_.output_scale, false);
    const double stored = ctx.mul(output_, v, 1.0, false);
    return ctx.mul(output_, ctx.mul(rescale_, stored, scale32_, false), 1.0, false);
  };
  const double y = convert(acc_.output_scale_mode);
  if (ctx.ev) {
    count_output(v, y, *ctx.ev);
    // Deterministic roundings draw no random bits: the other mode leaves the stream untouched.
    if (compare_modes_) {
      const bool after = acc_.output_scale_mode == OutputScaleMode::after;
      const double other = convert(after ? OutputScaleMode::fused : OutputScaleMode::after);
      ++ctx.ev->outputs_mode_compared;
      const bool same = (y != y && other != other) || (y == other && std::signbit(y) == std::signbit(other));
      if (!same) ++ctx.ev->outputs_mode_differ;
    }
  }
  return y;
}

// What the conversion did to one output: the stored y against the exact v * output_scale. A value
// that arrives non-finite (the accumulator overflowed) is not the conversion's doing.
void DotEngine::count_output(double v, double y, GemmEvents& ev) const {
  ++ev.outputs;
  if (!std::isfinite(v)) return;
  const Format& f = output_.format;
  const double ay = std::fabs(y);
  if (!std::isfinite(y) || (ay == f.max_finite && exact_beyond(exact_product(v, acc_.output_scale), f.max_finite)))
    ++ev.outputs_overflow;
  else if (y == 0 && v != 0)
    ++ev.outputs_underflow;
  else if (y != 0 && ay < f.min_normal)
    ++ev.outputs_subnormal;
}

}  // namespace floatscope::detail
