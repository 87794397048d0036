// BitNet b1.58 (arXiv 2402.17764; docs/references.md s.6): the bitnet-w1.58 / bitnet-a8 quantisers
// against the paper's formulas written again here in MPFR at 2000 bits (weights RoundClip(W /
// (gamma + eps), -1, 1) with gamma = mean|W|; activations Clip(round(x 127 / max|x|), -128, 127);
// round = to nearest, ties to even; scales rounded once to 24 bits), hand-computed vectors (ties,
// the clip, an all-zero tensor, eps), the base-3 packing, the GEMM against integer sums in int64
// with the scales applied by MPFR, the exactness refusal, and the cost numbers worked by hand.
#include <catch2/catch.hpp>

#include <mpfr.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "floatscope/block_scaling.hpp"
#include "floatscope/experiment.hpp"
#include "floatscope/gemm_cost.hpp"
#include "floatscope/packing.hpp"

using namespace floatscope;

namespace {

constexpr double kEps = 1e-5;  // the value of the authors' code, as a double

struct Mp {
  mpfr_t v;
  explicit Mp(double x = 0) {
    mpfr_init2(v, 2000);
    mpfr_set_d(v, x, MPFR_RNDN);
  }
  ~Mp() { mpfr_clear(v); }
  Mp(const Mp&) = delete;
  Mp& operator=(const Mp&) = delete;
};

// RN to 24 bits (every scale here is in fp32's normal range), as a double.
double rn24(mpfr_srcptr x) {
  mpfr_t r;
  mpfr_init2(r, 24);
  mpfr_set(r, x, MPFR_RNDN);
  const double d = mpfr_get_d(r, MPFR_RNDN);
  mpfr_clear(r);
  return d;
}

// round(q) to nearest, ties to even, clipped to [lo, hi]: the paper's RoundClip.
double round_clip(mpfr_srcptr q, double lo, double hi) {
  mpfr_t k;
  mpfr_init2(k, 2000);
  mpfr_rint(k, q, MPFR_RNDN);  // MPFR_RNDN: nearest, ties to even
  const double d = mpfr_get_d(k, MPFR_RNDN);
  mpfr_clear(k);
  return std::fmax(lo, std::fmin(hi, d)) + 0.0;  // + 0.0: an integer, no -0
}

struct Quantised {
  std::vector<double> elements, scales;
};

// Weights, the whole tensor: gamma = (1/n) sum |W| (exact at 2000 bits for these inputs).
Quantised oracle_weights(const std::vector<double>& w) {
  Mp sum(0), d(0), q(0), t(0);
  for (double x : w) {
    mpfr_set_d(t.v, std::fabs(x), MPFR_RNDN);
    mpfr_add(sum.v, sum.v, t.v, MPFR_RNDN);
  }
  mpfr_div_ui(d.v, sum.v, static_cast<unsigned long>(w.size()), MPFR_RNDN);  // gamma
  mpfr_set_d(t.v, kEps, MPFR_RNDN);
  mpfr_add(d.v, d.v, t.v, MPFR_RNDN);  // gamma + eps
  Quantised out;
  out.scales = {rn24(d.v)};
  for (double x : w) {
    mpfr_set_d(t.v, x, MPFR_RNDN);
    mpfr_div(q.v, t.v, d.v, MPFR_RNDN);
    out.elements.push_back(round_clip(q.v, -1, 1));
  }
  return out;
}

// Activations, per row: gamma = max(max|x|, eps).
Quantised oracle_activations(const std::vector<double>& x, std::size_t rows, std::size_t cols) {
  Quantised out;
  Mp g(0), q(0), t(0);
  for (std::size_t r = 0; r < rows; ++r) {
    double gamma = kEps;
    for (std::size_t c = 0; c < cols; ++c) gamma = std::fmax(gamma, std::fabs(x[r * cols + c]));
    mpfr_set_d(g.v, gamma, MPFR_RNDN);
    mpfr_div_ui(t.v, g.v, 127, MPFR_RNDN);
    out.scales.push_back(rn24(t.v));
    for (std::size_t c = 0; c < cols; ++c) {
      mpfr_set_d(t.v, x[r * cols + c], MPFR_RNDN);
      mpfr_mul_ui(t.v, t.v, 127, MPFR_RNDN);
      mpfr_div(q.v, t.v, g.v, MPFR_RNDN);
      out.elements.push_back(round_clip(q.v, -128, 127));
    }
  }
  return out;
}

BlockScheme scheme(const char* name) {
  BlockSchemeOptions o;
  o.scheme = name;
  return resolve_block_scheme(o);
}

}  // namespace

TEST_CASE("bitnet-w1.58 and bitnet-a8 follow the paper's formulas (MPFR oracle)", "[bitnet]") {
  std::mt19937_64 rng(2402);
  std::normal_distribution<double> normal(0.0, 1.0);
  const BlockScheme w = scheme("bitnet-w1.58"), a = scheme("bitnet-a8");
  for (int trial = 0; trial < 12; ++trial) {
    const std::size_t rows = 3 + static_cast<std::size_t>(trial) * 5, cols = 17 + static_cast<std::size_t>(trial) * 11;
    const double scale = std::ldexp(1.0, trial * 3 - 18);  // 2^-18 .. 2^15: eps matters at the small end
    std::vector<double> x(rows * cols);
    for (auto& v : x) v = normal(rng) * scale;
    if (trial % 3 == 1) x[rows * cols / 2] *= 300;  // an outlier
    INFO("trial " << trial);
    const QuantizedTensor qw = quantize_blocks(w, x.data(), rows, cols);
    const Quantised ow = oracle_weights(x);
    CHECK(qw.scales == ow.scales);
    CHECK(qw.elements == ow.elements);
    const QuantizedTensor qa = quantize_blocks(a, x.data(), rows, cols);
    const Quantised oa = oracle_activations(x, rows, cols);
    CHECK(qa.scales == oa.scales);
    CHECK(qa.elements == oa.elements);
  }
}

TEST_CASE("bitnet-a8 near half-integers: the exact quotient decides", "[bitnet]") {
  // x = 3 (2j + 1) / 254 is no double; its neighbours put 127 x / 3 just below and above j + 1/2,
  // where a double evaluation can land on j + 1/2 exactly. The oracle decides.
  const BlockScheme a = scheme("bitnet-a8");
  std::vector<double> row = {3.0};
  for (int j = 0; j < 127; ++j) {
    const double x = 3.0 * (2 * j + 1) / 254;
    row.push_back(std::nextafter(x, 0.0));
    row.push_back(x);
    row.push_back(std::nextafter(x, 4.0));
  }
  const QuantizedTensor q = quantize_blocks(a, row.data(), 1, row.size());
  CHECK(q.elements == oracle_activations(row, 1, row.size()).elements);
}

TEST_CASE("bitnet quantisers: hand-computed vectors", "[bitnet]") {
  const BlockScheme w = scheme("bitnet-w1.58"), a = scheme("bitnet-a8");
  SECTION("weights at the tie 1/2 round to the even 0") {
    // W = [eps, -eps]: gamma = eps, W / (gamma + eps) = +-1/2 exactly.
    const std::vector<double> x = {kEps, -kEps};
    const QuantizedTensor q = quantize_blocks(w, x.data(), 1, 2);
    CHECK(q.elements == std::vector<double>{0, 0});
    CHECK(q.stats.flushed == 2);
  }
  SECTION("weights at 1.5 round to 2 and are clipped to 1") {
    // W = [6 eps, 0]: gamma = 3 eps, q = 6 eps / 4 eps = 1.5 -> 2 -> 1 (one clipped value).
    const std::vector<double> x = {6 * kEps, 0};
    const QuantizedTensor q = quantize_blocks(w, x.data(), 1, 2);
    CHECK(q.elements == std::vector<double>{1, 0});
    CHECK(q.stats.clamped == 1);
  }
  SECTION("weights: gamma = 1 (|W| mean of [0.25, -0.5, 1.75, 1.5]); thresholds 1/2 and 3/2 of 1 + eps") {
    const std::vector<double> x = {0.25, -0.5, 1.75, 1.5};
    const QuantizedTensor q = quantize_blocks(w, x.data(), 2, 2);
    CHECK(q.elements == std::vector<double>{0, 0, 1, 1});  // -0.5 / (1 + eps) < 1/2 in magnitude
    CHECK(q.scales == std::vector<double>{static_cast<double>(static_cast<float>(1.0 + kEps))});
    CHECK(q.stats.clamped == 1);  // 1.75 >= 1.5 (1 + eps); 1.5 is just below
  }
  SECTION("all-zero tensors: elements 0, scales eps and eps / 127 in fp32") {
    const std::vector<double> x(6, 0.0);
    const QuantizedTensor qw = quantize_blocks(w, x.data(), 2, 3);
    CHECK(qw.elements == std::vector<double>(6, 0.0));
    CHECK(qw.scales == std::vector<double>{static_cast<double>(static_cast<float>(kEps))});
    const QuantizedTensor qa = quantize_blocks(a, x.data(), 2, 3);
    CHECK(qa.elements == std::vector<double>(6, 0.0));
    CHECK(qa.scales == oracle_activations(x, 2, 3).scales);  // RN32(eps / 127), both rows
  }
  SECTION("eps: tiny weights all round to 0 (without it they would be +-1)") {
    // gamma = 1.5e-6, gamma + eps = 1.15e-5: every |W| <= 4e-6 < 5.75e-6.
    const std::vector<double> x = {1e-6, -1e-6, 4e-6, 0};
    const QuantizedTensor q = quantize_blocks(w, x.data(), 1, 4);
    CHECK(q.elements == std::vector<double>(4, 0.0));
  }
  SECTION("activations: 127 x / 254 = x / 2 puts odd x on half-integers, ties to even") {
    const std::vector<double> x = {254, 1, 3, 5, -5, 7, -254, 0.25};
    const QuantizedTensor q = quantize_blocks(a, x.data(), 1, x.size());
    CHECK(q.elements == std::vector<double>{127, 0, 2, 2, -2, 4, -127, 0});
    CHECK(q.scales == std::vector<double>{2.0});
    CHECK(q.stats.clamped == 0);
  }
  SECTION("non-finite values and other roundings are refused") {
    const std::vector<double> x = {1, INFINITY};
    CHECK_THROWS_WITH(quantize_blocks(w, x.data(), 1, 2), Catch::Contains("element 1 is inf"));
    const std::vector<double> n = {NAN, 1};
    CHECK_THROWS_WITH(quantize_blocks(a, n.data(), 1, 2), Catch::Contains("bitnet-a8: element 0"));
    BlockSchemeOptions o;
    o.scheme = "bitnet-w1.58";
    o.rounding.mode = Mode::rtz;
    CHECK_THROWS_WITH(resolve_block_scheme(o), Catch::Contains("ties to even"));
  }
}

TEST_CASE("ternary packing: five values per byte in base 3", "[bitnet]") {
  // [1, -1, 0, 0, 1] -> digits [2, 0, 1, 1, 2] -> 2 + 0*3 + 1*9 + 1*27 + 2*81 = 200.
  const std::vector<std::int8_t> v = {1, -1, 0, 0, 1, -1, 1};
  const auto bytes = pack_ternary(v);
  CHECK(bytes == std::vector<std::uint8_t>{200, 0 + 2 * 3});
  CHECK(unpack_ternary(bytes, v.size()) == v);
  // Every byte 0..242 is five digits and round-trips.
  for (unsigned b = 0; b <= 242; ++b) {
    const std::vector<std::uint8_t> one = {static_cast<std::uint8_t>(b)};
    const auto vals = unpack_ternary(one, 5);
    unsigned back = 0;
    for (int d = 4; d >= 0; --d) back = back * 3 + static_cast<unsigned>(vals[static_cast<std::size_t>(d)] + 1);
    CHECK(back == b);
    CHECK(pack_ternary(vals) == one);
  }
  CHECK_THROWS_WITH(pack_ternary(std::vector<std::int8_t>{0, 2}), Catch::Contains("value 1 (2)"));
  CHECK_THROWS_WITH(unpack_ternary(std::vector<std::uint8_t>{243}, 5), Catch::Contains("byte 0 (243)"));
  CHECK_THROWS_WITH(unpack_ternary(std::vector<std::uint8_t>{1, 2}, 5), Catch::Contains("take 1 bytes"));
}

TEST_CASE("bitnet GEMM: exact integer sums, then RN32(RN32(acc s_w) s_x)", "[bitnet]") {
  const int M = 6, N = 5, K = 300;
  std::mt19937_64 rng(17);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> A(M * K), B(K * N), Bt(N * K);
  for (auto& v : A) v = normal(rng);
  A[7] = 40;  // an outlier channel value
  for (auto& v : B) v = 0.02 * normal(rng);
  for (int k = 0; k < K; ++k)
    for (int j = 0; j < N; ++j) Bt[j * K + k] = B[k * N + j];
  ExperimentSpec s;
  s.scheme = "bitnet-a8+bitnet-w1.58";
  s.M = M;
  s.N = N;
  s.K = K;
  s.dist = "";
  const ExperimentResult r = run_experiment_on(s, A.data(), B.data(), nullptr, 1, true);
  const Quantised qa = oracle_activations(A, M, K), qw = oracle_weights(Bt);
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      std::int64_t acc = 0;
      for (int k = 0; k < K; ++k)
        acc += static_cast<std::int64_t>(qa.elements[i * K + k]) * static_cast<std::int64_t>(qw.elements[j * K + k]);
      Mp t(static_cast<double>(acc)), sw(qw.scales[0]), sx(qa.scales[i]);
      mpfr_mul(t.v, t.v, sw.v, MPFR_RNDN);
      mpfr_set_d(t.v, rn24(t.v), MPFR_RNDN);
      mpfr_mul(t.v, t.v, sx.v, MPFR_RNDN);
      INFO("output " << i << "," << j);
      CHECK(r.C[i * N + j] == rn24(t.v));
    }
  CHECK(r.inner_op == static_cast<int>(InnerOp::int_add));
}

TEST_CASE("bitnet GEMM refuses an accumulator that cannot sum the integers exactly", "[bitnet]") {
  ExperimentSpec s;
  s.scheme = "bitnet-a8+bitnet-w1.58";
  s.M = s.N = 2;
  s.K = 512;
  s.acc_format = "fp16";  // integers exact only to 2^11 < 127 * 512
  CHECK_THROWS_WITH(run_experiment(s, 1), Catch::Contains("must be exact") && Catch::Contains("fp16"));
  s.acc_format = "fp32";
  s.M = s.N = 1;
  s.K = 132105;  // 127 K > 2^24
  CHECK_THROWS_WITH(run_experiment(s, 1), Catch::Contains("K <= 132104"));
  s.K = 132104;
  CHECK_NOTHROW(run_experiment(s, 1));
  s.K = 132105;
  s.acc_format = "fp64";
  CHECK_NOTHROW(run_experiment(s, 1));
}

TEST_CASE("cost: storage bits per element and the inner operation, worked by hand", "[bitnet]") {
  std::vector<double> x(64 * 256, 0.5);
  // Ternary: 8/5 bits each + one fp32 scale over 16384 elements.
  const QuantizedTensor qw = quantize_blocks(scheme("bitnet-w1.58"), x.data(), 64, 256);
  CHECK(bits_per_element(scheme("bitnet-w1.58"), qw) == 1.6 + 32.0 / 16384);
  // int8 activations: 8 bits + one fp32 scale per row of 256.
  const QuantizedTensor qa = quantize_blocks(scheme("bitnet-a8"), x.data(), 64, 256);
  CHECK(bits_per_element(scheme("bitnet-a8"), qa) == 8 + 32.0 / 256);
  // MXFP8: 8 + one E8M0 byte per 32; NVFP4: 4 + one E4M3 byte per 16 + an fp32 tensor scale.
  const QuantizedTensor qm = quantize_blocks(scheme("mxfp8-e4m3"), x.data(), 64, 256);
  CHECK(bits_per_element(scheme("mxfp8-e4m3"), qm) == 8.25);
  const QuantizedTensor qn = quantize_blocks(scheme("nvfp4"), x.data(), 64, 256);
  CHECK(bits_per_element(scheme("nvfp4"), qn) == 4.5 + 32.0 / 16384);
  CHECK(bits_per_element(parse_format("bf16"), false, 100) == 16);
  CHECK(bits_per_element(parse_format("e4m3"), true, 64) == 8.5);
  const Format tern = parse_format(kTernaryFormat), i8 = parse_format(kInt8IntegerFormat);
  CHECK(inner_op(i8, tern) == InnerOp::int_add);
  CHECK(inner_op(tern, i8) == InnerOp::int_add);
  CHECK(inner_op(i8, i8) == InnerOp::int_mac);
  CHECK(inner_op(parse_format("e4m3"), parse_format("e4m3")) == InnerOp::fp_fma);
  CHECK(inner_op(parse_format("int8"), parse_format("int8")) == InnerOp::fp_fma);  // MXINT8: k/64
  CHECK(inner_op(parse_format("bf16"), tern) == InnerOp::fp_fma);
  // The formats are the value sets {-1, 0, 1} and -127..127.
  CHECK(tern.max_finite == 1);
  CHECK(tern.min_subnormal == 1);
  CHECK(i8.max_finite == 127);
  CHECK(i8.min_subnormal == 1);
  CHECK(i8.width == 8);
}
