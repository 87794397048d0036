// Block-scaled GEMM: where and how the scales are applied (docs/references.md s.4 and s.5), held
// to an MPFR oracle written from those rules: per-tensor D = RN32(acc RN32(sa sb)); row-wise
// RN32(RN32(acc sb[n]) sa[m]); K-blocked c = RN32(p RN32(sa sb) + c) once per block, with p the
// block's element-product sum (exact, for an fp64 accumulator; the hardware model's partial for
// h100-fp8, whose unit is held to recorded outputs in test_hwdata_subset).
#include <catch2/catch.hpp>

#include <mpfr.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "floatscope/block_gemm.hpp"
#include "floatscope/experiment.hpp"
#include "floatscope/gemm.hpp"
#include "floatscope/generators.hpp"
#include "floatscope/models.hpp"
#include "mpfr_oracle.hpp"

using namespace floatscope;

namespace {

const Format& fp32() {
  static const Format f = parse_format("fp32");
  return f;
}

bool same_bits(double a, double b) { return (std::isnan(a) && std::isnan(b)) || (a == b && std::signbit(a) == std::signbit(b)); }

// Exact arithmetic at 600 bits (every value here is a sum of a few hundred products of doubles
// of moderate exponent, exact at that precision), rounded to fp32 by the test's own oracle.
struct Mp {
  mpfr_t v;
  Mp(double x = 0) {
    mpfr_init2(v, 600);
    mpfr_set_d(v, x, MPFR_RNDN);
  }
  ~Mp() { mpfr_clear(v); }
  Mp(const Mp&) = delete;
  Mp& operator=(const Mp&) = delete;
};
double rn32(mpfr_srcptr x) { return oracle::oracle_round_mpfr(x, fp32(), Mode::rne, Overflow::spec); }
double rn32_mul(double x, double y) {
  Mp a(x);
  mpfr_mul_d(a.v, a.v, y, MPFR_RNDN);
  return rn32(a.v);
}
double rn32_fma(double p, double s, double c) {
  Mp a(p);
  mpfr_mul_d(a.v, a.v, s, MPFR_RNDN);
  mpfr_add_d(a.v, a.v, c, MPFR_RNDN);
  return rn32(a.v);
}

std::vector<double> normal_matrix(std::size_t n, std::uint64_t seed, double outlier_every = 0) {
  std::mt19937_64 g(seed);
  std::normal_distribution<double> d(0, 1);
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = d(g);
    if (outlier_every > 0 && i % static_cast<std::size_t>(outlier_every) == 3) v[i] *= 300;
  }
  return v;
}

BlockScheme scheme(const std::string& name, const std::string& rule = "floor") {
  BlockSchemeOptions o;
  o.scheme = name;
  o.scale_rule = find_scheme(name)->kind == SchemeKind::mx ? rule : "floor";
  o.pad = true;
  return resolve_block_scheme(o);
}

struct Operands {
  QuantizedTensor A, Bt;
};
// A (M x K) and B^T (N x K), quantised with blocks along K.
Operands make_operands(const BlockScheme& sa, const BlockScheme& sb, int M, int N, int K, std::uint64_t seed) {
  const auto a = normal_matrix(static_cast<std::size_t>(M * K), seed, 37);
  const auto bt = normal_matrix(static_cast<std::size_t>(N * K), seed + 1, 53);
  return {quantize_blocks(sa, a.data(), static_cast<std::size_t>(M), static_cast<std::size_t>(K)),
          quantize_blocks(sb, bt.data(), static_cast<std::size_t>(N), static_cast<std::size_t>(K))};
}

// The K-blocked rule, written out: blocks of Kb, c = RN32(p * RN32(sa sb) + c), then the NVFP4
// tensor scales. block_sum gives p for (i, j, block).
template <class BlockSum>
double k_blocked_oracle(const Operands& o, std::size_t i, std::size_t j, std::size_t K, std::size_t Kb,
                        BlockSum&& block_sum) {
  double c = 0;
  for (std::size_t k0 = 0; k0 < K; k0 += Kb) {
    const double sa = o.A.scale_at(i, k0), sb = o.Bt.scale_at(j, k0);
    if (std::isnan(sa) || std::isnan(sb)) return std::nan("");
    c = rn32_fma(block_sum(i, j, k0), rn32_mul(sa, sb), c);
  }
  if (o.A.tensor_scale != 1.0 || o.Bt.tensor_scale != 1.0) c = rn32_mul(c, rn32_mul(o.A.tensor_scale, o.Bt.tensor_scale));
  return c;
}

// The exact sum of the element products of one block.
double exact_block_sum(const Operands& o, std::size_t i, std::size_t j, std::size_t k0, std::size_t Kb) {
  Mp s(0), t(0);
  for (std::size_t k = k0; k < k0 + Kb; ++k) {
    mpfr_set_d(t.v, o.A.elements[i * o.A.cols + k], MPFR_RNDN);
    mpfr_mul_d(t.v, t.v, o.Bt.elements[j * o.Bt.cols + k], MPFR_RNDN);
    mpfr_add(s.v, s.v, t.v, MPFR_RNDN);
  }
  const double d = mpfr_get_d(s.v, MPFR_RNDN);
  REQUIRE(mpfr_cmp_d(s.v, d) == 0);  // these sums are exact doubles (the fp64 accumulator's p)
  return d;
}

}  // namespace

TEST_CASE("MX GEMM: per 32-block, scale product times the element-product sum, accumulated with one rounding per block",
          "[block_gemm]") {
  const int M = 5, N = 6, K = 128;
  for (const char* name : {"mxfp8-e4m3", "mxfp6-e2m3", "mxfp4", "mxint8"}) {
    for (const char* rule : {"floor", "rceil"}) {
      const BlockScheme s = scheme(name, rule);
      const Operands o = make_operands(s, s, M, N, K, 11);
      Accumulator acc = make_scalar_accumulator(s.element, parse_format("fp64"));  // p exact
      const GemmResult g = emulate_block_gemm(acc, s, o.A, s, o.Bt, M, N, K, 1);
      for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j) {
          const double want = k_blocked_oracle(o, i, j, K, 32, [&](std::size_t ii, std::size_t jj, std::size_t k0) {
            return exact_block_sum(o, ii, jj, k0, 32);
          });
          INFO(name << " " << rule << " (" << i << ", " << j << ")");
          REQUIRE(same_bits(g.C[i * N + j], want));
        }
    }
  }
}

TEST_CASE("NVFP4 GEMM: E4M3 block scales per 16, then the fp32 tensor scales", "[block_gemm]") {
  const int M = 4, N = 3, K = 64;
  const BlockScheme s = scheme("nvfp4");
  const Operands o = make_operands(s, s, M, N, K, 5);
  REQUIRE(o.A.tensor_scale != 1.0);
  const Accumulator acc = make_scalar_accumulator(s.element, parse_format("fp64"));
  const GemmResult g = emulate_block_gemm(acc, s, o.A, s, o.Bt, M, N, K, 1);
  for (std::size_t i = 0; i < M; ++i)
    for (std::size_t j = 0; j < N; ++j) {
      const double want = k_blocked_oracle(o, i, j, K, 16, [&](std::size_t ii, std::size_t jj, std::size_t k0) {
        return exact_block_sum(o, ii, jj, k0, 16);
      });
      REQUIRE(same_bits(g.C[i * N + j], want));
    }
}

TEST_CASE("h100-fp8 with 1x128 tiles and 128x128 blocks: acc = FMA(p, RN32(sa sb), acc) per 128 of K (s.5)",
          "[block_gemm]") {
  const int M = 3, N = 4, K = 384;
  const BlockScheme sa = scheme("fp8-tile1x128"), sb = scheme("fp8-block128x128");
  const Operands o = make_operands(sa, sb, M, N, K, 21);
  for (const char* model : {"h100-fp8", "h100-fp8-promote128"}) {
    const Accumulator acc = model_accumulator(model);
    const GemmResult g = emulate_block_gemm(acc, sa, o.A, sb, o.Bt, M, N, K, 1);
    for (std::size_t i = 0; i < M; ++i)
      for (std::size_t j = 0; j < N; ++j) {
        // p: the unit's 14-bit partial of one 128-wide chunk, from 0
        const double want = k_blocked_oracle(o, i, j, K, 128, [&](std::size_t ii, std::size_t jj, std::size_t k0) {
          return emulate_dot(acc, o.A.elements.data() + ii * K + k0, o.Bt.elements.data() + jj * K + k0, 128);
        });
        INFO(model << " (" << i << ", " << j << ")");
        REQUIRE(same_bits(g.C[i * N + j], want));
      }
  }
}

TEST_CASE("h100-fp8 row-wise scales: RN32(RN32(acc sb[n]) sa[m]), the B scale first (s.5)", "[block_gemm]") {
  const int M = 4, N = 5, K = 96;
  const BlockScheme s = scheme("fp8-row");
  const Operands o = make_operands(s, s, M, N, K, 31);
  const Accumulator acc = model_accumulator("h100-fp8");
  const GemmResult g = emulate_block_gemm(acc, s, o.A, s, o.Bt, M, N, K, 1);
  bool order_matters = false;
  for (std::size_t i = 0; i < M; ++i)
    for (std::size_t j = 0; j < N; ++j) {
      const double d0 = emulate_dot(acc, o.A.elements.data() + i * K, o.Bt.elements.data() + j * K, K);
      const double want = rn32_mul(rn32_mul(d0, o.Bt.scales[j]), o.A.scales[i]);
      order_matters = order_matters || want != rn32_mul(rn32_mul(d0, o.A.scales[i]), o.Bt.scales[j]);
      REQUIRE(same_bits(g.C[i * N + j], want));
    }
  CHECK(order_matters);  // the case tells the two orders apart somewhere
}

TEST_CASE("per-tensor FP8 scales: D = RN32(acc RN32(sa sb)) (s.5)", "[block_gemm]") {
  const int M = 3, N = 3, K = 64;
  const BlockScheme s = scheme("fp8-tensor");
  const Operands o = make_operands(s, s, M, N, K, 41);
  const Accumulator acc = model_accumulator("h100-fp8-promote128");
  const GemmResult g = emulate_block_gemm(acc, s, o.A, s, o.Bt, M, N, K, 1);
  const double sc = rn32_mul(o.A.scales[0], o.Bt.scales[0]);
  for (std::size_t i = 0; i < M; ++i)
    for (std::size_t j = 0; j < N; ++j) {
      const double d0 = emulate_dot(acc, o.A.elements.data() + i * K, o.Bt.elements.data() + j * K, K);
      REQUIRE(same_bits(g.C[i * N + j], rn32_mul(d0, sc)));
    }
}

TEST_CASE("a NaN in an MX block makes exactly the outputs that use the block NaN", "[block_gemm]") {
  const int M = 3, N = 2, K = 64;
  const BlockScheme s = scheme("mxfp4");
  std::vector<double> a = normal_matrix(M * K, 1), bt = normal_matrix(N * K, 2);
  a[1 * K + 40] = std::nan("");  // row 1, block 1
  const QuantizedTensor qa = quantize_blocks(s, a.data(), M, K), qb = quantize_blocks(s, bt.data(), N, K);
  const GemmResult g = emulate_block_gemm(make_scalar_accumulator(s.element, fp32()), s, qa, s, qb, M, N, K, 1);
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) CHECK(std::isnan(g.C[static_cast<std::size_t>(i * N + j)]) == (i == 1));
}

TEST_CASE("schemes that cannot be combined are refused", "[block_gemm]") {
  const BlockScheme mx = scheme("mxfp8-e4m3"), nv = scheme("nvfp4"), row = scheme("fp8-row"),
                    tile = scheme("fp8-tile1x128"), tensor = scheme("fp8-tensor");
  CHECK_THROWS_WITH(scale_application(mx, nv), Catch::Contains("same block"));
  CHECK_THROWS_WITH(scale_application(row, tile), Catch::Contains("cannot be combined"));
  CHECK(scale_application(tensor, row) == ScaleApplication::per_row);
  CHECK(scale_application(tile, scheme("fp8-block128x128")) == ScaleApplication::per_k_block);
}

TEST_CASE("experiments: scheme quantises both operands and reports clamped/flushed fractions and scale exponents",
          "[block_gemm]") {
  ExperimentSpec s;
  s.scheme = "mxfp4";
  s.scale_rule = "rceil";
  s.M = 8;
  s.N = 8;
  s.K = 64;
  s.dist = "normal";
  s.seed = 3;
  const ExperimentResult r = run_experiment(s, 1);
  REQUIRE(r.block_scaled);
  // The same quantisation by hand: A, and B transposed (blocks along K), seed streams 0 and 1.
  std::vector<double> A(64 * 8), B(64 * 8);
  generate(parse_distribution("normal"), 3, 0, 8, 64, A.data(), false, 1);
  generate(parse_distribution("normal"), 3, 1, 64, 8, B.data(), true, 1);
  std::vector<double> bt(64 * 8);
  for (std::size_t k = 0; k < 64; ++k)
    for (std::size_t j = 0; j < 8; ++j) bt[j * 64 + k] = B[k * 8 + j];
  BlockSchemeOptions o;
  o.scheme = "mxfp4";
  o.scale_rule = "rceil";
  const BlockScheme bs = resolve_block_scheme(o);
  BlockStats st = quantize_blocks(bs, A.data(), 8, 64).stats;
  st += quantize_blocks(bs, bt.data(), 8, 64).stats;
  bool seen[4] = {};
  for (const auto& v : result_values(r)) {
    if (v.name == "clamped_frac") { CHECK(v.value == st.clamped_frac()); seen[0] = true; }
    if (v.name == "flushed_frac") { CHECK(v.value == st.flushed_frac()); CHECK(v.value > 0); seen[1] = true; }
    if (v.name == "mean_scale_exp") { CHECK(v.value == st.mean_scale_exp()); seen[2] = true; }
    if (v.name == "max_scale_exp") { CHECK(v.value == st.scale_exp_max); seen[3] = true; }
  }
  CHECK((seen[0] && seen[1] && seen[2] && seen[3]));
  // Without a scheme the four are not measured (empty CSV cells).
  ExperimentSpec plain = s;
  plain.scheme = "none";
  plain.scale_rule.clear();
  for (const auto& v : result_values(run_experiment(plain, 1)))
    if (v.name == "clamped_frac" || v.name == "max_scale_exp") CHECK(!v.counted);
}

TEST_CASE("experiments: bad scheme settings name the field", "[block_gemm]") {
  ExperimentSpec s;
  s.M = s.N = 4;
  s.K = 64;
  s.scheme = "mxfp4";
  s.a_format = "e4m3";
  CHECK_THROWS_WITH(run_experiment(s, 1), Catch::Contains("e2m1 elements"));
  s.a_format.clear();
  s.K = 48;
  CHECK_THROWS_WITH(run_experiment(s, 1), Catch::Contains("K: 48"));
  s.K = 64;
  s.scale_a = 2;
  CHECK_THROWS_WITH(run_experiment(s, 1), Catch::Contains("scale_a"));
  s.scale_a = 1;
  s.scheme = "mxfp4+none";
  CHECK_THROWS_WITH(run_experiment(s, 1), Catch::Contains("A+B"));
  s.scheme = "none";
  s.scale_rule = "rceil";
  CHECK_THROWS_WITH(run_experiment(s, 1), Catch::Contains("scale_rule"));
}

TEST_CASE("--scale-a quantises saturating by default, counts the clamps; spec overflow gives NaN", "[block_gemm]") {
  // A on the e4m3 grid with S_a = 0.15625 (the recorded-H100 case of the issue): A / S_a exceeds
  // 448 for |A| > 70, which non-saturating e4m3 turns into NaN.
  const int M = 2, N = 2, K = 4;
  std::vector<double> A = {448, 1, 2, 3, 100, 4, -240, 5}, B(K * N, 1.0);
  ExperimentSpec s;
  s.model = "h100-fp8";
  s.a_format = "e4m3";
  s.M = M;
  s.N = N;
  s.K = K;
  s.scale_a = 0.15625;
  s.dist.clear();
  const ExperimentResult sat = run_experiment_on(s, A.data(), B.data(), nullptr, 1, true);
  CHECK(sat.metrics.input_overflow_count == 3);  // 448, 100, -240
  CHECK(sat.metrics.nan_count == 0);
  CHECK(std::isfinite(sat.C[0]));
  s.input_overflow = "spec";
  const ExperimentResult nan = run_experiment_on(s, A.data(), B.data(), nullptr, 1, true);
  CHECK(nan.metrics.nan_count == 4);
  s.input_overflow = "clamp";
  CHECK_THROWS_WITH(run_experiment_on(s, A.data(), B.data(), nullptr, 1), Catch::Contains("input_overflow"));
}
