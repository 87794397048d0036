// Delayed scaling in generated experiments (delayed_scaling.hpp): the history model written again
// here from its documentation (seeds, outlier factors, oldest-first order), scales rounded by
// MPFR, clamping counted by hand, and the GEMM's output recomputed with IEEE float arithmetic.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <mpfr.h>

#include "floatscope/delayed_scaling.hpp"
#include "floatscope/experiment.hpp"
#include "floatscope/format.hpp"
#include "floatscope/generators.hpp"
#include "floatscope/random.hpp"
#include "floatscope/sweep.hpp"
#include "mpfr_oracle.hpp"

using namespace floatscope;

namespace {

// The documented seed of the step j back: mix64(seed ^ mix64("history" + j)).
std::uint64_t documented_seed(std::uint64_t seed, int j) {
  return mix64(seed ^ mix64(0x686973746f7279ULL + static_cast<std::uint64_t>(j)));
}

double amax_of(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

// N(0,1) draws of a rows x cols tensor as the generator makes them for `normal` (the outliers
// distribution multiplies these same draws by its factor).
std::vector<double> normal_draws(std::uint64_t seed, std::uint64_t id, std::size_t rows, std::size_t cols, bool is_b) {
  std::vector<double> v(rows * cols);
  generate(parse_distribution("normal"), seed, id, rows, cols, v.data(), is_b, 1);
  return v;
}

// RN32(x / d) by MPFR: the fp32 scale of an FP8 recipe.
double rn32_quotient(double x, double d) {
  mpfr_t a, q;
  mpfr_init2(a, 64);
  mpfr_init2(q, 24);
  mpfr_set_d(a, x, MPFR_RNDN);
  mpfr_div_d(q, a, d, MPFR_RNDN);
  const double r = mpfr_get_d(q, MPFR_RNDN);
  mpfr_clear(a);
  mpfr_clear(q);
  return r;
}

// e4m3(x / d), round to nearest even, saturating: by MPFR.
double e4m3_quotient(double x, double d) {
  mpfr_t a, q;
  mpfr_init2(a, 64);
  mpfr_init2(q, 200);
  mpfr_set_d(a, x, MPFR_RNDN);
  mpfr_div_d(q, a, d, MPFR_RNDN);  // 200 bits: exact enough to decide any e4m3 rounding
  const double r = floatscope::oracle::oracle_round_mpfr(q, parse_format("e4m3"), Mode::rne, Overflow::saturate);
  mpfr_clear(a);
  mpfr_clear(q);
  return r;
}

ExperimentSpec delayed_spec(const std::string& dist, int M, int K, int history, double growth) {
  ExperimentSpec s;
  s.scheme = "fp8-delayed+fp8-tensor";
  s.dist = dist;
  s.b_dist = "constant:448";  // B's scale is exactly 1 and its elements exactly 448
  s.M = M;
  s.N = 1;
  s.K = K;
  s.seed = 77;
  s.amax_history_len = history;
  s.outlier_growth = growth;
  return s;
}

}  // namespace

TEST_CASE("history model: the step j back has its own seed and the outlier factor X / g^j", "[delayed]") {
  CHECK(history_seed(5, 1) == documented_seed(5, 1));
  CHECK(history_seed(5, 2) == documented_seed(5, 2));
  CHECK(history_seed(5, 1) != history_seed(5, 2));
  CHECK(history_seed(5, 1) != history_seed(6, 1));
  CHECK(history_distribution(parse_distribution("outliers:0.01:1000"), 10, 2).factor == 10);
  CHECK(history_distribution(parse_distribution("outliers:0.01:1000"), 10, 2).fraction == 0.01);
  CHECK(history_distribution(parse_distribution("outliers:0.01:1000"), 1, 7).factor == 1000);
  CHECK(history_distribution(parse_distribution("normal"), 10, 2) == parse_distribution("normal"));
  CHECK(history_distribution(parse_distribution("constant:3"), 10, 2) == parse_distribution("constant:3"));
}

TEST_CASE("amax_history: oldest first, each entry the amax of its step's draw", "[delayed]") {
  // outliers:1:2^20 makes every channel an outlier: the tensor is 2^20 times the normal draws, and
  // with g = 2 the step j back is 2^(20-j) times its own normal draws (powers of two: exact).
  const std::uint64_t seed = 123;
  for (const bool is_b : {false, true}) {
    const std::size_t rows = is_b ? 64 : 3, cols = is_b ? 5 : 64;
    const auto h = amax_history(parse_distribution("outliers:1:1048576"), seed, is_b ? 1 : 0, rows, cols, is_b, 3, 2.0, 1);
    REQUIRE(h.size() == 3);
    for (int j = 1; j <= 3; ++j) {
      const double expect = std::ldexp(amax_of(normal_draws(documented_seed(seed, j), is_b ? 1 : 0, rows, cols, is_b)), 20 - j);
      CHECK(h[static_cast<std::size_t>(3 - j)] == expect);
    }
  }
  // constant:V has amax V in every step, whatever the growth
  CHECK(amax_history(parse_distribution("constant:-3"), 9, 0, 2, 2, false, 4, 2.0) == std::vector<double>(4, 3.0));
  CHECK(amax_history(parse_distribution("normal"), 9, 0, 2, 2, false, 0, 1.0).empty());
  CHECK_THROWS_WITH(amax_history(parse_distribution("normal"), 9, 0, 2, 2, false, 1025, 1.0),
                    Catch::Contains("amax_history_len"));
  CHECK_THROWS_WITH(amax_history(parse_distribution("normal"), 9, 0, 2, 2, false, 1, 0.0),
                    Catch::Contains("outlier_growth"));
}

TEST_CASE("delayed scaling, worked by hand: constant 3 times 448", "[delayed]") {
  // Every history entry is 3: scale_a = RN32(3/448) = 0x1.b6db6ep-8 (6/7 = 0.110110... in binary,
  // the 25th bit onward 110...: rounded up), so 3/scale_a = 447.99999555 rounds to 448 (not
  // clamped). B = 448 has scale 1. D = RN32(448 * 448 * scale_a) = RN32(1344.0000201) = 1344.
  ExperimentSpec s = delayed_spec("constant:3", 1, 1, 4, 1.0);
  const ExperimentResult r = run_experiment(s, 1, true);
  REQUIRE(r.C.size() == 1);
  CHECK(r.C[0] == 1344.0);
  CHECK(r.block_stats.clamped == 0);
  CHECK(r.block_stats.scale_exp_max == 0);              // B's scale 1
  CHECK(r.block_stats.mean_scale_exp() == -4.0);        // (floor(log2 0x1.b6db6ep-8) + 0) / 2
  CHECK(rn32_quotient(3, 448) == 0x1.b6db6ep-8);        // the hand value, checked by MPFR
}

TEST_CASE("delayed scaling lags a growing outlier amax: it clamps where current scaling does not", "[delayed]") {
  // A = 1024 x normal draws (every channel an outlier), growing 4x per step, 3 steps of history;
  // B = 448 (scale 1). The test rebuilds the history, the scale, the clamped count and every output.
  const int M = 4, K = 32, H = 3;
  const double growth = 4;
  const ExperimentSpec s = delayed_spec("outliers:1:1024", M, K, H, growth);
  std::vector<double> a = normal_draws(77, 0, M, K, false);
  for (double& x : a) x *= 1024;
  double hist = 0;
  for (int j = 1; j <= H; ++j)
    hist = std::max(hist, 1024 / std::pow(growth, j) * amax_of(normal_draws(documented_seed(77, j), 0, M, K, false)));

  for (const bool delayed : {true, false}) {
    ExperimentSpec t = s;
    if (!delayed) {
      t.amax_history_len = 0;
      t.outlier_growth = 1;
      t.scheme = "fp8-tensor+fp8-tensor";
    }
    const double sa = rn32_quotient(delayed ? hist : amax_of(a), 448);
    std::uint64_t clamped = 0;
    for (double x : a) clamped += std::fabs(x) > 448 * sa;  // 448 sa is exact in double
    const ExperimentResult r = run_experiment(t, 1, true);
    INFO((delayed ? "delayed" : "current") << " scale " << sa);
    CHECK(r.block_stats.clamped == clamped);
    if (delayed) CHECK(clamped > 0);  // the current amax is about 4x the newest history entry
    else CHECK(clamped <= 1);         // only if RN32 rounded the scale below amax/448
    CHECK(r.block_stats.scale_exp_max == std::max(std::ilogb(sa), 0));
    // D[i] = RN32(acc * RN32(sa * 1)), acc the fp32 sequential sum of e4m3(a/sa) * 448.
    REQUIRE(r.C.size() == static_cast<std::size_t>(M));
    for (int i = 0; i < M; ++i) {
      float acc = 0;
      for (int k = 0; k < K; ++k) acc += static_cast<float>(e4m3_quotient(a[i * K + k], sa) * 448);
      CHECK(r.C[static_cast<std::size_t>(i)] == static_cast<double>(static_cast<float>(static_cast<double>(acc) * sa)));
    }
  }
}

TEST_CASE("delayed scaling: options that would be ignored are errors naming the key", "[delayed]") {
  ExperimentSpec s = delayed_spec("outliers:0.1:100", 2, 32, 4, 2.0);
  CHECK_NOTHROW(resolve_experiment(s));
  ExperimentSpec t = s;
  t.scheme = "fp8-tensor";
  CHECK_THROWS_WITH(resolve_experiment(t), Catch::Contains("amax_history_len") && Catch::Contains("fp8-delayed"));
  t = s;
  t.amax_history_len = 0;
  CHECK_THROWS_WITH(resolve_experiment(t), Catch::Contains("outlier_growth") && Catch::Contains("amax_history_len"));
  t = s;
  t.dist = "normal";
  CHECK_THROWS_WITH(resolve_experiment(t), Catch::Contains("outlier_growth") && Catch::Contains("outliers"));
  t.scheme = "fp8-tensor+fp8-delayed";
  t.b_dist = "outliers:0.1:100";  // B under fp8-delayed with outliers: accepted
  CHECK_NOTHROW(resolve_experiment(t));
  t = s;
  t.outlier_growth = -2;
  CHECK_THROWS_WITH(resolve_experiment(t), Catch::Contains("outlier_growth"));
  t = s;
  t.amax_history_len = 1025;
  CHECK_THROWS_WITH(resolve_experiment(t), Catch::Contains("amax_history_len"));
  std::vector<double> a(64, 1.0), b(32, 1.0);
  CHECK_THROWS_WITH(run_experiment_on(s, a.data(), b.data(), nullptr, 1), Catch::Contains("amax_history_len"));
}

TEST_CASE("sweep keys: ranges, canonical values, ids unchanged when unset", "[delayed]") {
  using namespace floatscope::sweep;
  CHECK(canonical_value(*find_key("amax_history_len"), "016") == "16");
  CHECK(canonical_value(*find_key("outlier_growth"), "1.50") == "1.5");
  CHECK_THROWS_WITH(canonical_value(*find_key("amax_history_len"), "-1"), Catch::Contains("'amax_history_len'"));
  CHECK_THROWS_WITH(canonical_value(*find_key("amax_history_len"), "1025"), Catch::Contains("1024"));
  CHECK_THROWS_WITH(canonical_value(*find_key("outlier_growth"), "0"), Catch::Contains("'outlier_growth'"));
  SweepConfig plain, set, defaults;
  plain.set("scheme", {"fp8-delayed"});
  set.set("scheme", {"fp8-delayed"});
  set.set("amax_history_len", {"16"});
  set.set("dist", {"outliers:0.01:100"});
  set.set("outlier_growth", {"1", "2"});
  defaults.set("scheme", {"fp8-delayed"});
  defaults.set("amax_history_len", {"0"});
  defaults.set("outlier_growth", {"1"});
  const auto p = expand(plain), s = expand(set), d = expand(defaults);
  // A point that leaves both keys at their defaults has the identity it had before they existed.
  REQUIRE(p.size() == 1);
  CHECK(p[0].canonical.find("amax_history_len") == std::string::npos);
  CHECK(p[0].canonical.find("outlier_growth") == std::string::npos);
  REQUIRE(d.size() == 1);
  CHECK(d[0].id == p[0].id);
  REQUIRE(s.size() == 2);
  CHECK(s[0].spec.amax_history_len == 16);
  CHECK(s[0].spec.outlier_growth == 1.0);
  CHECK(s[1].spec.outlier_growth == 2.0);
  CHECK(s[0].canonical.find("amax_history_len=16\n") != std::string::npos);
  CHECK(s[0].canonical.find("outlier_growth") == std::string::npos);
  CHECK(s[1].canonical.find("outlier_growth=2\n") != std::string::npos);
  CHECK(s[0].id != s[1].id);
}
