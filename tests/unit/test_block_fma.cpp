// --block-fma L,F (ExperimentSpec::block_fma): the fused block-FMA unit without a named model.
// Oracle: an MPFR re-execution (tests/support/fused_oracle.hpp) written from docs/references.md s.5 (exact products, E = largest
// exponent among the nonzero terms with products not renormalised and subnormals at the format's
// minimum exponent, every term truncated toward zero to a multiple of 2^(E-F), exact sum, one
// rounding to the output format; sums at or beyond 2^(emax+1) give Inf, a zero sum gives +0).
#include <catch2/catch.hpp>

#include <mpfr.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <climits>
#include <cmath>
#include <random>
#include <vector>

#include "floatscope/experiment.hpp"
#include "floatscope/format.hpp"
#include "floatscope/random.hpp"
#include "floatscope/rounding.hpp"
#include "fused_oracle.hpp"
#include "mpfr_oracle.hpp"

using namespace floatscope;

namespace {

using fused_oracle::dot_oracle;
using fused_oracle::grid_values;
using fused_oracle::Unit;


}  // namespace

TEST_CASE("block_fma parses L,F and rejects what validate would (naming block_fma)", "[block_fma]") {
  CHECK(parse_block_fma("32,13").L == 32);
  CHECK(parse_block_fma("32,13").F == 13);
  CHECK(parse_block_fma("1024,48").L == 1024);
  for (const char* bad : {"", "32", "32,", ",13", "0,13", "1025,13", "32,0", "32,49", "a,b", "32,13,1", "-1,5"})
    CHECK_THROWS_WITH(parse_block_fma(bad), Catch::Contains("block_fma"));
  ExperimentSpec s;
  s.a_format = "fp16";
  s.block_fma = "16,25";
  s.promote = 24;  // not a multiple of L
  CHECK_THROWS_WITH(resolve_accumulator(s), Catch::Contains("block_fma") && Catch::Contains("multiple"));
  s.promote = -1;
  s.rounding = "sr";  // stochastic output rounding is available (issue 7, case 2)
  CHECK_NOTHROW(resolve_accumulator(s));
  s.rounding = "rne";
  s.model = "h100-fp16";
  CHECK_THROWS_WITH(resolve_accumulator(s), Catch::Contains("block_fma") && Catch::Contains("custom"));
  s.model = "custom";
  s.order = "pairwise";  // the unit chains sequentially
  CHECK_THROWS_WITH(resolve_accumulator(s), Catch::Contains("sequentially"));
}

TEST_CASE("block_fma 16,25 fp32 rtz with fp16 inputs gives the h100-fp16 model's bits", "[block_fma]") {
  ExperimentSpec unit;
  unit.a_format = "fp16";
  unit.block_fma = "16,25";
  unit.acc_format = "fp32";
  unit.rounding = "rtz";
  unit.M = unit.N = 8;
  unit.K = 300;
  unit.dist = "uniform01";
  ExperimentSpec model = unit;
  model.block_fma.clear();
  model.acc_format = "fp32";
  model.rounding = "rne";
  model.model = "h100-fp16";
  for (const char* dist : {"uniform01", "normal", "lognormal:3"}) {
    unit.dist = model.dist = dist;
    const auto a = run_experiment(unit, 1, true), b = run_experiment(model, 1, true);
    REQUIRE(a.C.size() == b.C.size());
    for (std::size_t i = 0; i < a.C.size(); ++i) {
      INFO(dist << " output " << i);
      REQUIRE(std::bit_cast<std::uint64_t>(a.C[i]) == std::bit_cast<std::uint64_t>(b.C[i]));
    }
    CHECK(a.events.partials == b.events.partials);
  }
  // ... and h100-fp8 (e8m13 output, L=32, F=13), with its promote128 variant.
  unit.a_format = "e4m3";
  unit.block_fma = "32,13";
  unit.acc_format = "e8m13";
  model.a_format = "e4m3";
  model.model = "h100-fp8";
  unit.dist = model.dist = "normal";
  for (int promote : {-1, 128}) {
    unit.promote = promote;
    model.model = promote < 0 ? "h100-fp8" : "h100-fp8-promote128";
    const auto a = run_experiment(unit, 1, true), b = run_experiment(model, 1, true);
    for (std::size_t i = 0; i < a.C.size(); ++i) REQUIRE(a.C[i] == b.C[i]);
  }
}

TEST_CASE("block_fma units match an MPFR re-execution of docs/references.md s.5", "[block_fma]") {
  const Format fp32 = parse_format("fp32"), fp16 = parse_format("fp16"), bf16 = parse_format("bf16");
  const Format e4m3 = parse_format("e4m3"), e8m13 = parse_format("e8m13");
  struct Cfg { const char* block; const char* in; const char* out; const char* mode; Unit u; int lo, hi; };
  const Cfg cfgs[] = {
      {"16,25", "fp16", "fp32", "rtz", {16, 25, fp16, fp16, fp32, Mode::rtz, 0}, -24, 8},
      {"8,13", "bf16", "fp32", "rtz", {8, 13, bf16, bf16, fp32, Mode::rtz, 0}, -30, 30},
      {"32,13", "e4m3", "e8m13", "rtz", {32, 13, e4m3, e4m3, e8m13, Mode::rtz, 0}, -9, 8},
      {"32,13", "e4m3", "e8m13", "rtz", {32, 13, e4m3, e4m3, e8m13, Mode::rtz, 64}, -9, 8},
      {"4,30", "fp16", "fp16", "rne", {4, 30, fp16, fp16, fp16, Mode::rne, 0}, -24, 4},
      {"64,40", "bf16", "fp32", "rup", {64, 40, bf16, bf16, fp32, Mode::rup, 0}, -20, 20},
      {"3,7", "fp16", "bf16", "rdn", {3, 7, fp16, fp16, bf16, Mode::rdn, 0}, -24, 10},
      {"1,24", "fp16", "fp32", "rto", {1, 24, fp16, fp16, fp32, Mode::rto, 0}, -24, 10},
      // Case 1 of issue 7: F = 48 keeps terms up to 2^50, so a step's exact sum needs more than
      // double's 53 bits; summing it in a double rounded twice (e.g. 0x1.bf9008p+5 for
      // 0x1.bf9006p+5). Wide exponent spreads put bits at both ends of the sum.
      {"16,48", "fp16", "fp32", "rtz", {16, 48, fp16, fp16, fp32, Mode::rtz, 0}, -24, 15},
      {"16,48", "fp16", "fp32", "rne", {16, 48, fp16, fp16, fp32, Mode::rne, 0}, -24, 15},
      {"1024,48", "bf16", "fp32", "rne", {1024, 48, bf16, bf16, fp32, Mode::rne, 0}, -40, 40},
      {"256,47", "fp32", "fp32", "rup", {256, 47, fp32, fp32, fp32, Mode::rup, 0}, -30, 30},
      {"32,48", "bf16", "bf16", "rtz", {32, 48, bf16, bf16, bf16, Mode::rtz, 0}, -60, 60},
  };
  const int M = 5, N = 4, K = 200;
  for (const Cfg& c : cfgs) {
    ExperimentSpec s;
    s.a_format = c.in;
    s.block_fma = c.block;
    s.acc_format = c.out;
    s.rounding = c.mode;
    s.promote = c.u.promote == 0 ? -1 : c.u.promote;
    s.M = M;
    s.N = N;
    s.K = K;
    s.reference = "none";
    const auto A = grid_values(c.u.in_a, M * K, c.lo, c.hi, 11 + c.u.L);
    const auto B = grid_values(c.u.in_b, K * N, c.lo, c.hi, 12 + c.u.F);
    const auto r = run_experiment_on(s, A.data(), B.data(), nullptr, 1, true);
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j) {
        std::vector<double> b(K);
        for (int k = 0; k < K; ++k) b[k] = B[k * N + j];
        const double want = dot_oracle(c.u, A.data() + i * K, b.data(), K);
        INFO(c.block << " " << c.in << "->" << c.out << "/" << c.mode << " promote " << c.u.promote
                     << " (" << i << "," << j << ")");
        REQUIRE(std::bit_cast<std::uint64_t>(r.C[i * N + j]) == std::bit_cast<std::uint64_t>(want));
      }
  }
}

TEST_CASE("block_fma with stochastic output rounding draws the counter-based bits (issue 7 case 2)",
          "[block_fma]") {
  const Format fp16 = parse_format("fp16"), fp32 = parse_format("fp32"), bf16 = parse_format("bf16");
  const int M = 6, N = 5, K = 96;
  for (int F : {13, 25, 48}) {
    for (const Format* out : {&bf16, &fp32}) {
      ExperimentSpec s;
      s.a_format = "fp16";
      s.block_fma = "16," + std::to_string(F);
      s.acc_format = out->name;
      s.rounding = "sr";
      s.seed = 1234 + static_cast<std::uint64_t>(F);
      s.M = M;
      s.N = N;
      s.K = K;
      s.reference = "none";
      // Positive terms, so that rounding up anywhere leaves the result above the truncating chain.
      auto A = grid_values(fp16, M * K, -14, 6, 5), B = grid_values(fp16, K * N, -14, 6, 6);
      for (double& x : A) x = std::fabs(x);
      for (double& x : B) x = std::fabs(x);
      const auto r = run_experiment_on(s, A.data(), B.data(), nullptr, 1, true);
      int up = 0;
      for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
          std::vector<double> b(K);
          for (int k = 0; k < K; ++k) b[k] = B[k * N + j];
          Unit u{16, F, fp16, fp16, *out, Mode::sr, 0, s.seed, stream_of(i, j)};
          const double want = dot_oracle(u, A.data() + i * K, b.data(), K);
          Unit t = u;
          t.mode = Mode::rtz;
          const double trunc = dot_oracle(t, A.data() + i * K, b.data(), K);
          up += std::fabs(want) > std::fabs(trunc);
          INFO("F " << F << " out " << out->name << " (" << i << "," << j << ")");
          REQUIRE(std::bit_cast<std::uint64_t>(r.C[i * N + j]) == std::bit_cast<std::uint64_t>(want));
        }
      // Not a truncation in disguise: some outputs end above the all-truncating chain (where the
      // step sums can be inexact at all: F = 13 sums of 16 terms fit fp32's 24 bits).
      INFO("F " << F << " out " << out->name);
      if (F + 6 > out->precision) CHECK(up > 0);
    }
  }
}
