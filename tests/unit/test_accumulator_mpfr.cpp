// Every accumulation model against an independent MPFR re-execution of the same operation
// sequence (bit-exact), on random small cases. The re-execution below shares no code with the
// library: exact values live in 256-bit mpfr_t, each rounding is mpfr_set at the format's
// precision inside its exponent range + mpfr_subnormalize, stochastic rounding is decided from the
// exact dropped fraction, and the fused unit truncates with mpfr_mul_2si / mpfr_trunc.
#include <cstdint>
#include <stdint.h>

#include <mpfr.h>

#include <catch2/catch.hpp>
#include <array>
#include <bit>
#include <climits>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "floatscope/gemm.hpp"
#include "floatscope/random.hpp"

using namespace floatscope;

namespace {

constexpr mpfr_prec_t kExact = 256;

struct Mp {
  mpfr_t v;
  Mp() { mpfr_init2(v, kExact); mpfr_set_zero(v, 1); }
  explicit Mp(double x) { mpfr_init2(v, kExact); mpfr_set_d(v, x, MPFR_RNDN); }
  Mp(const Mp& o) { mpfr_init2(v, kExact); mpfr_set(v, o.v, MPFR_RNDN); }
  Mp& operator=(const Mp& o) { mpfr_set(v, o.v, MPFR_RNDN); return *this; }
  ~Mp() { mpfr_clear(v); }
  double d() const { return mpfr_get_d(v, MPFR_RNDN); }
};

// An exact sum (256 bits hold every sum here) in the mode being emulated: only the sign of an exact
// zero depends on it, and MPFR gives IEEE 754's (-0 under RNDD for x + (-x) and +0 + -0, else +0).
Mp add(const Mp& a, const Mp& b, Mode m = Mode::rne) {
  Mp r;
  mpfr_add(r.v, a.v, b.v, m == Mode::rdn ? MPFR_RNDD : MPFR_RNDN);
  return r;
}
Mp mul(const Mp& a, const Mp& b) { Mp r; mpfr_mul(r.v, a.v, b.v, MPFR_RNDN); return r; }

// x rounded to format f's precision and subnormal grid, with an unbounded exponent above.
double mpfr_round_unbounded(const Mp& x, const Format& f, mpfr_rnd_t rnd) {
  if (mpfr_nan_p(x.v)) return NAN;
  if (mpfr_inf_p(x.v)) return mpfr_sgn(x.v) > 0 ? INFINITY : -INFINITY;
  const mpfr_exp_t old_min = mpfr_get_emin();
  mpfr_set_emin(f.emin - f.man_bits + 1);
  mpfr_t y;
  mpfr_init2(y, f.precision);
  int t = mpfr_set(y, x.v, rnd);
  t = mpfr_check_range(y, t, rnd);
  mpfr_subnormalize(y, t, rnd);
  const double r = mpfr_get_d(y, MPFR_RNDN);
  mpfr_clear(y);
  mpfr_set_emin(old_min);
  return r;
}

// IEEE overflow (formats here are IEEE-style): beyond max goes to Inf when rounding pointed away
// from zero, else to max.
double overflow(double r, const Format& f, bool toward_inf) {
  if (!(std::fabs(r) > f.max_finite) || std::isinf(r)) return r;
  return std::copysign(toward_inf ? INFINITY : f.max_finite, r);
}

double ref_round(const Mp& x, const Format& f, Mode m, std::uint64_t rnd_bits, int sr_bits) {
  const bool neg = mpfr_sgn(x.v) < 0;
  switch (m) {
    case Mode::rne: return overflow(mpfr_round_unbounded(x, f, MPFR_RNDN), f, true);
    case Mode::rtz: return overflow(mpfr_round_unbounded(x, f, MPFR_RNDZ), f, false);
    case Mode::rup: return overflow(mpfr_round_unbounded(x, f, MPFR_RNDU), f, !neg);
    case Mode::rdn: return overflow(mpfr_round_unbounded(x, f, MPFR_RNDD), f, neg);
    default: break;
  }
  if (mpfr_nan_p(x.v) || mpfr_inf_p(x.v)) return x.d();
  const double t = mpfr_round_unbounded(x, f, MPFR_RNDZ);
  if (mpfr_cmp_d(x.v, t) == 0) return overflow(t, f, true);
  const double away = mpfr_round_unbounded(x, f, neg ? MPFR_RNDD : MPFR_RNDU);
  if (m == Mode::rna) {  // MPFR_RNDNA is not supported by mpfr_set: compare with the midpoint
    Mp mid = add(Mp(t), Mp(away));
    mpfr_div_2ui(mid.v, mid.v, 1, MPFR_RNDN);
    return overflow(mpfr_cmpabs(x.v, mid.v) >= 0 ? away : t, f, true);
  }
  if (m == Mode::rto) {  // the neighbour with an odd last significand bit; overflows like rtz
    const int e = std::fabs(t) >= f.min_normal ? std::ilogb(t) - f.man_bits : f.emin - f.man_bits;
    const double k = std::fabs(t) / std::ldexp(1.0, e);
    return overflow(std::fmod(k, 2.0) == 1.0 ? t : away, f, false);
  }
  if (m == Mode::sr_equal) return overflow((rnd_bits >> 63) ? away : t, f, true);
  // Mode::sr: D = floor(f * 2^64) of the exact fraction f = (x - t)/(away - t); P(up) uses its
  // top r bits plus r random bits.
  Mp fr;
  mpfr_sub_d(fr.v, x.v, t, MPFR_RNDN);
  mpfr_abs(fr.v, fr.v, MPFR_RNDN);
  mpfr_div_d(fr.v, fr.v, std::fabs(away - t), MPFR_RNDN);  // exact: the gap is a power of two
  mpfr_mul_2si(fr.v, fr.v, 64, MPFR_RNDN);
  const std::uint64_t D = mpfr_get_uj(fr.v, MPFR_RNDZ);
  const std::uint64_t mask = ~std::uint64_t{0} << (64 - sr_bits);
  const bool up = ((D & mask) + (rnd_bits & mask)) < (D & mask);
  return overflow(up ? away : t, f, true);
}

// The re-execution of a scalar Accumulator on one dot product.
struct Oracle {
  const Accumulator& acc;
  CounterRng rng;
  std::uint64_t step = 0;

  double R(const Mp& x, const Format& f, const Rounding& r) {
    const bool st = r.mode == Mode::sr || r.mode == Mode::sr_equal;
    const std::uint64_t bits = st ? rng.bits(step++) : 0;
    return ref_round(x, f, r.mode, bits, r.sr_bits);
  }
  double A(double s, double t, const Format& f, const Rounding& r) {
    return R(add(Mp(s), Mp(t), r.mode), f, r);
  }
  double chain(const std::vector<double>& t, std::size_t b, std::size_t n, double s) {
    const Format& f = acc.acc_format;
    const Rounding& r = acc.acc_rounding;
    double comp = 0;
    for (std::size_t i = b; i < b + n; ++i) {
      if (acc.compensation == Compensation::none) {
        s = A(s, t[i], f, r);
      } else if (acc.compensation == Compensation::kahan) {
        const double y = A(t[i], -comp, f, r);
        const double tt = A(s, y, f, r);
        comp = A(A(tt, -s, f, r), -y, f, r);
        s = tt;
      } else {
        const double tt = A(s, t[i], f, r);
        const double e = std::fabs(s) >= std::fabs(t[i]) ? A(A(s, -tt, f, r), t[i], f, r)
                                                          : A(A(t[i], -tt, f, r), s, f, r);
        comp = A(comp, e, f, r);
        s = tt;
      }
    }
    if (acc.compensation == Compensation::neumaier && n > 0) s = A(s, comp, f, r);
    return s;
  }
  double tree(const std::vector<double>& t, std::size_t b, std::size_t n) {
    if (n == 1) return t[b];
    const double l = tree(t, b, n / 2);
    const double r = tree(t, b + n / 2, n - n / 2);
    return A(l, r, acc.acc_format, acc.acc_rounding);
  }
  double run(const std::vector<double>& a, const std::vector<double>& b, double c) {
    const std::size_t K = a.size();
    std::vector<std::size_t> idx(K);
    std::iota(idx.begin(), idx.end(), 0);
    if (acc.order.kind == OrderKind::random) {  // the documented Fisher-Yates
      const CounterRng prng(acc.order.seed, K);
      for (std::size_t i = K - 1; i > 0 && K > 0; --i) {
        const auto j = static_cast<std::size_t>(
            (static_cast<unsigned __int128>(prng.bits(i)) * (i + 1)) >> 64);
        std::swap(idx[i], idx[j]);
      }
    }
    std::vector<double> p(K);
    for (std::size_t i = 0; i < K; ++i) {
      const Mp ex = mul(Mp(a[idx[i]]), Mp(b[idx[i]]));
      p[i] = acc.product_format ? R(ex, *acc.product_format, acc.product_rounding) : ex.d();
    }
    if (acc.order.kind == OrderKind::reverse) std::reverse(p.begin(), p.end());
    const Format& af = acc.acc_format;
    double v = 0;
    switch (acc.order.kind) {
      case OrderKind::sequential:
      case OrderKind::random:
      case OrderKind::reverse:
        if (acc.promote > 0) {
          v = R(Mp(c), acc.outer_format, acc.outer_rounding);
          for (std::size_t k0 = 0; k0 < K; k0 += acc.promote)
            v = A(v, chain(p, k0, std::min<std::size_t>(acc.promote, K - k0), 0.0), acc.outer_format,
                  acc.outer_rounding);
        } else {
          v = chain(p, 0, K, R(Mp(c), af, acc.acc_rounding));
        }
        break;
      case OrderKind::pairwise:
        v = R(Mp(c), af, acc.acc_rounding);
        if (K > 0) v = A(v, tree(p, 0, K), af, acc.acc_rounding);
        break;
      case OrderKind::blocked: {
        std::vector<double> blocks;
        for (std::size_t k0 = 0; k0 < K; k0 += acc.order.param)
          blocks.push_back(chain(p, k0, std::min<std::size_t>(acc.order.param, K - k0), 0.0));
        v = chain(blocks, 0, blocks.size(), R(Mp(c), af, acc.acc_rounding));
        break;
      }
      case OrderKind::splitk: {
        const Format& rf = acc.reduce_format ? *acc.reduce_format : af;
        const Rounding& rr = acc.reduce_format ? acc.reduce_rounding : acc.acc_rounding;
        v = R(Mp(c), rf, rr);
        const std::size_t S = acc.order.param;
        std::size_t k0 = 0;
        for (std::size_t s = 0; s < S; ++s) {
          const std::size_t n = K / S + (s < K % S ? 1 : 0);
          v = A(v, chain(p, k0, n, 0.0), rf, rr);
          k0 += n;
        }
        break;
      }
    }
    if (acc.scale_a != 1.0 || acc.scale_b != 1.0) {
      const double s = R(mul(Mp(acc.scale_a), Mp(acc.scale_b)), acc.outer_format, acc.outer_rounding);
      v = R(mul(Mp(s), Mp(v)), acc.outer_format, acc.outer_rounding);
    }
    if (acc.output_format) v = R(mul(Mp(v), Mp(acc.output_scale)), *acc.output_format, acc.output_rounding);
    return v;
  }
};

// The fused block-FMA unit re-executed with exact MPFR sums: E from MPFR exponents, terms
// truncated with mpfr_mul_2si + mpfr_trunc, one rounding of the exact sum.
double fused_step_oracle(const Accumulator& acc, const double* a, const double* b, int n, double c) {
  const FusedUnit& u = *acc.fused;
  bool nan = std::isnan(c), pinf = c == INFINITY, ninf = c == -INFINITY;
  long E = LONG_MIN;
  auto ex = [](double x, int emin) {
    Mp m(x);
    return std::max<long>(mpfr_get_exp(m.v) - 1, emin);  // MPFR: x = 0.1xxx * 2^exp
  };
  for (int i = 0; i < n; ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) nan = true;
    else if (std::isinf(a[i]) || std::isinf(b[i])) {
      if (a[i] == 0 || b[i] == 0) nan = true;
      else if ((a[i] < 0) != (b[i] < 0)) ninf = true;
      else pinf = true;
    } else if (a[i] != 0 && b[i] != 0) {
      E = std::max(E, ex(a[i], acc.a_format.emin) + ex(b[i], acc.b_format.emin));
    }
  }
  if (nan || (pinf && ninf)) return NAN;
  if (pinf || ninf) return pinf ? INFINITY : -INFINITY;
  if (c != 0) E = std::max(E, ex(c, u.out.emin));
  if (E == LONG_MIN) return 0.0;
  Mp sum, t;
  for (int i = -1; i < n; ++i) {
    t = i < 0 ? Mp(c) : mul(Mp(a[i]), Mp(b[i]));
    mpfr_mul_2si(t.v, t.v, u.F - E, MPFR_RNDN);
    mpfr_trunc(t.v, t.v);
    sum = add(sum, t);
  }
  if (mpfr_zero_p(sum.v)) return 0.0;
  mpfr_mul_2si(sum.v, sum.v, E - u.F, MPFR_RNDN);
  Mp lim(std::ldexp(1.0, u.out.emax + 1));
  if (mpfr_cmpabs(sum.v, lim.v) >= 0) return mpfr_sgn(sum.v) > 0 ? INFINITY : -INFINITY;
  return ref_round(sum, u.out, u.out_mode, 0, 64);
}

double fused_oracle(const Accumulator& acc, const std::vector<double>& a,
                    const std::vector<double>& b, double c) {
  const FusedUnit& u = *acc.fused;
  const int K = static_cast<int>(a.size());
  auto steps = [&](int k0, int k1, double v) {
    for (int k = k0; k < k1; k += u.L) {
      const int n = std::min(u.L, k1 - k);
      if (u.c_outside) {
        const double s = fused_step_oracle(acc, a.data() + k, b.data() + k, n, 0.0);
        v = ref_round(add(Mp(v), Mp(s), u.c_add_rounding.mode), u.c_add_format,
                      u.c_add_rounding.mode, 0, 64);
      } else {
        v = fused_step_oracle(acc, a.data() + k, b.data() + k, n, v);
      }
    }
    return v;
  };
  double v;
  if (acc.promote > 0) {
    v = ref_round(Mp(c), acc.outer_format, acc.outer_rounding.mode, 0, 64);
    for (int k0 = 0; k0 < K; k0 += acc.promote)
      v = ref_round(add(Mp(v), Mp(steps(k0, std::min(K, k0 + acc.promote), 0.0)),
                        acc.outer_rounding.mode),
                    acc.outer_format, acc.outer_rounding.mode, 0, 64);
  } else {
    v = steps(0, K, c);
  }
  if (acc.scale_a != 1.0 || acc.scale_b != 1.0) {
    const double s = ref_round(mul(Mp(acc.scale_a), Mp(acc.scale_b)), acc.outer_format,
                               acc.outer_rounding.mode, 0, 64);
    v = ref_round(mul(Mp(s), Mp(v)), acc.outer_format, acc.outer_rounding.mode, 0, 64);
  }
  return v;
}

// Random values on f's grid: sign, exponent spread over [emin - man, lo_top], some zeros.
bool with_specials = false;

double random_on_grid(std::mt19937_64& g, const Format& f, int top_exp) {
  std::uniform_real_distribution<double> u(1.0, 2.0);
  std::uniform_int_distribution<int> e(f.emin - f.man_bits, top_exp);
  if (g() % 16 == 0) return g() % 2 ? -0.0 : 0.0;  // both zeros: their signs must survive
  if (with_specials && g() % 97 == 0)
    return f.has_inf() ? std::array{NAN, INFINITY, -INFINITY}[g() % 3] : NAN;
  const double x = std::ldexp(u(g), e(g)) * (g() % 2 ? -1 : 1);
  return round(x, f, Rounding{});
}

// Bit patterns, so that -0 and +0 differ (x == y cannot see a wrong zero sign); any NaN matches.
bool same(double x, double y) {
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y);
}

void check_model(const Accumulator& acc, int cases, std::uint64_t seed, int top_exp, int max_k = 40) {
  std::mt19937_64 g(seed);
  for (int t = 0; t < cases; ++t) {
    const int K = 1 + static_cast<int>(g() % static_cast<std::uint64_t>(max_k));
    std::vector<double> a(K), b(K);
    for (int k = 0; k < K; ++k) {
      a[k] = random_on_grid(g, acc.a_format, top_exp);
      b[k] = random_on_grid(g, acc.b_format, top_exp);
    }
    const double c = g() % 2 ? random_on_grid(g, acc.acc_format, 2 * top_exp) : 0.0;
    const std::uint64_t row = g() % 100, col = g() % 100;
    const double got = emulate_dot(acc, a.data(), b.data(), K, c, nullptr, row, col);
    Oracle o{acc, CounterRng(acc.acc_rounding.seed, stream_of(row, col))};
    const double want = acc.fused ? fused_oracle(acc, a, b, c) : o.run(a, b, c);
    INFO(acc.describe() << " case " << t << " K=" << K << " got " << got << " want " << want);
    REQUIRE(same(got, want));
  }
}

}  // namespace

TEST_CASE("scalar accumulators match MPFR in every mode", "[accumulator]") {
  const Format fp16 = parse_format("fp16"), bf16 = parse_format("bf16"), fp32 = parse_format("fp32");
  const Format e5m2 = parse_format("e5m2"), e4m3 = parse_format("e4m3"), e6m9 = parse_format("e6m9");
  for (Mode m : {Mode::rne, Mode::rna, Mode::rtz, Mode::rup, Mode::rdn, Mode::rto, Mode::sr,
                 Mode::sr_equal}) {
    for (const Format* accf : {&fp16, &bf16, &fp32, &e6m9}) {
      Rounding r{m};
      r.seed = 11;
      Accumulator acc = make_scalar_accumulator(fp16, *accf, r);
      check_model(acc, 150, 1 + static_cast<int>(m), 6);
      acc.a_format = e5m2;  // mixed inputs, e5m2 x e4m3
      acc.b_format = e4m3;
      check_model(acc, 100, 100 + static_cast<int>(m), 6);
    }
  }
  // SR with few random bits, and fp16 overflow to Inf.
  Rounding r{Mode::sr};
  r.sr_bits = 5;
  r.seed = 3;
  check_model(make_scalar_accumulator(bf16, fp16, r), 200, 7, 12);
  check_model(make_scalar_accumulator(bf16, fp16, Rounding{Mode::rne}), 200, 8, 12);
}

TEST_CASE("orders, compensation, products, promotion, scales and output match MPFR",
          "[accumulator]") {
  const Format fp16 = parse_format("fp16"), bf16 = parse_format("bf16"), fp32 = parse_format("fp32");
  for (const char* order : {"sequential", "reverse", "pairwise", "blocked:4", "blocked:7",
                            "splitk:3", "splitk:5", "random:9"}) {
    for (Compensation comp : {Compensation::none, Compensation::kahan, Compensation::neumaier}) {
      const Order o = parse_accumulator_order(order);
      if (o.kind == OrderKind::pairwise && comp != Compensation::none) continue;
      for (Mode m : {Mode::rne, Mode::rtz, Mode::sr}) {
        Rounding r{m};
        r.seed = 5;
        Accumulator acc = make_scalar_accumulator(fp16, bf16, r);
        acc.order = o;
        acc.compensation = comp;
        check_model(acc, 60, 31 + static_cast<int>(m), 4);
        acc.product_format = bf16;  // products rounded once to bf16
        acc.product_rounding = Rounding{m};
        if (o.kind == OrderKind::splitk) {
          acc.reduce_format = fp32;
          acc.reduce_rounding = Rounding{Mode::rne};
        }
        check_model(acc, 60, 41 + static_cast<int>(m), 4);
      }
    }
  }
  Accumulator acc = make_scalar_accumulator(fp16, fp16, Rounding{Mode::rne});
  acc.promote = 8;
  acc.outer_format = fp32;
  acc.outer_rounding = Rounding{Mode::rne};
  check_model(acc, 100, 51, 4);
  acc.scale_a = 0.375;
  acc.scale_b = 3.0e-3;
  acc.output_format = parse_format("e5m2");
  acc.output_rounding = Rounding{Mode::rne};
  acc.output_scale = 16.0;
  check_model(acc, 100, 52, 4);
  acc.output_rounding = Rounding{Mode::sr};
  check_model(acc, 100, 53, 4);
}

TEST_CASE("fused block-FMA unit matches an MPFR re-execution", "[accumulator]") {
  const Format fp32 = parse_format("fp32");
  const Format e8m13 = make_format("e8m13", 8, 13, 127);
  struct Cfg { const char* in_a; const char* in_b; int L; int F; Format out; Mode mode; int top; };
  const Cfg cfgs[] = {
      {"fp16", "fp16", 4, 23, fp32, Mode::rtz, 15},    {"fp16", "fp16", 8, 24, fp32, Mode::rtz, 15},
      {"bf16", "bf16", 16, 25, fp32, Mode::rtz, 60},   {"tf32", "tf32", 4, 24, fp32, Mode::rtz, 60},
      {"e4m3", "e5m2", 32, 13, e8m13, Mode::rtz, 8},   {"e5m2", "e5m2", 16, 13, e8m13, Mode::rtz, 15},
      {"fp16", "fp16", 8, 30, parse_format("fp16"), Mode::rne, 6},
      {"bf16", "bf16", 8, 20, parse_format("bf16"), Mode::rup, 60},
      {"bf16", "bf16", 2, 40, fp32, Mode::rtz, 126},  // overflow of the exact sum
  };
  with_specials = true;
  for (const Cfg& cfg : cfgs) {
    Accumulator acc = make_scalar_accumulator(parse_format(cfg.in_a), cfg.out, Rounding{cfg.mode});
    acc.b_format = parse_format(cfg.in_b);
    FusedUnit u;
    u.L = cfg.L;
    u.F = cfg.F;
    u.out = cfg.out;
    u.out_mode = cfg.mode;
    acc.fused = u;
    check_model(acc, 300, 900 + cfg.L + cfg.F, cfg.top, 70);
    acc.fused->c_outside = true;  // B200 FP8 style
    acc.fused->c_add_format = fp32;
    acc.fused->c_add_rounding = Rounding{Mode::rne};
    check_model(acc, 150, 950 + cfg.L, cfg.top, 70);
    acc.fused->c_outside = false;
    acc.promote = 2 * cfg.L;
    acc.scale_a = 0.75;
    acc.scale_b = 1.0 / 3.0;
    check_model(acc, 150, 990 + cfg.L, cfg.top, 100);
  }
  with_specials = false;
}
