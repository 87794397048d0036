// The fused unit's special-value rules (accumulator.hpp UnitSpecials): every combination of
// subnormal inputs kept/flushed, subnormal results kept/flushed, exact-sum/IEEE/saturating
// overflow and positive/IEEE zero signs, on inputs built to meet each rule, against the MPFR
// re-execution of tests/support/fused_oracle.hpp (written from the rules' definitions and
// docs/references.md s.5, not from lib/). Each non-default rule must change some output on these
// inputs, so that no comparison passes for want of a case that shows the rule.
#include <catch2/catch.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "floatscope/accumulator.hpp"
#include "floatscope/fit.hpp"
#include "floatscope/format.hpp"
#include "floatscope/gemm.hpp"
#include "floatscope/rounding.hpp"
#include "fused_oracle.hpp"

using namespace floatscope;

namespace {


// Small integers and signed zeros, with the second half of every column of B the negation of
// the first half's products' partners, so that sums cancel exactly (exact zeros).
void cancelling(std::vector<double>& A, std::vector<double>& B, int M, int N, int K, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  A.assign(static_cast<std::size_t>(M) * K, 0.0);
  B.assign(static_cast<std::size_t>(K) * N, 0.0);
  const double pool[] = {0.0, -0.0, 1.0, -1.0, 2.0, -3.0, 0.5};
  for (int i = 0; i < M; ++i)
    for (int k = 0; k < K; ++k) A[i * K + k] = k < K / 2 ? pool[g() % 7] : A[i * K + k - K / 2];
  for (int j = 0; j < N; ++j)
    for (int k = 0; k < K; ++k) B[k * N + j] = k < K / 2 ? pool[g() % 7] : -B[(k - K / 2) * N + j];
  // A row of zeros only, and a column of negative zeros: sums of zero terms.
  for (int k = 0; k < K; ++k) A[k] = k % 2 ? -0.0 : 0.0;
  for (int k = 0; k < K; ++k) B[k * N] = -0.0;
}


}  // namespace

TEST_CASE("fused-unit special-value rules match the MPFR re-execution", "[special][block_fma]") {
  const Format fp16 = parse_format("fp16"), bf16 = parse_format("bf16"), fp32 = parse_format("fp32");
  const Format e4m3 = parse_format("e4m3"), e8m13 = parse_format("e8m13");
  struct Cfg {
    const char* what;
    int L, F;
    Format in, out;
    int lo, hi;           // input exponents (grid_values); lo > hi: the cancelling data
    double c_lo, c_hi;    // C magnitudes: 2^[c_lo, c_hi]
  };
  const Cfg cfgs[] = {
      {"fp16 subnormal inputs", 16, 25, fp16, fp32, -24, -8, -30, -10},
      {"fp16 into fp16: subnormal results, overflow", 4, 30, fp16, fp16, -24, 15, -20, 15},
      {"bf16 tiny: subnormal inputs and results", 8, 24, bf16, fp32, -133, -55, -149, -120},
      {"bf16 huge: overflow", 8, 24, bf16, fp32, 40, 64, 120, 127},
      {"e4m3 into e8m13", 32, 13, e4m3, e8m13, -9, 8, -10, 10},
      {"cancellation and zero terms", 4, 24, fp16, fp32, 1, 0, 0, 0},
  };
  const int M = 6, N = 5, K = 64;
  // Every combination of the four rules, each once.
  const std::vector<UnitSpecials> rule_sets = special_rule_sets();
  REQUIRE(rule_sets.size() == 2 * 2 * 3 * 2);
  for (std::size_t i = 0; i < rule_sets.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) REQUIRE_FALSE(rule_sets[i] == rule_sets[j]);
  // Which non-default rule changed some output (against the default rules' oracle).
  bool seen_flush_in = false, seen_flush_out = false, seen_ieee = false, seen_sat = false, seen_zero = false;
  std::uint64_t seed = 1;
  for (const Cfg& c : cfgs) {
    std::vector<double> A, B, C(static_cast<std::size_t>(M) * N);
    if (c.lo > c.hi) {
      cancelling(A, B, M, N, K, ++seed);
      for (std::size_t i = 0; i < C.size(); ++i) C[i] = i % 3 == 0 ? -0.0 : 0.0;
    } else {
      A = fused_oracle::grid_values(c.in, static_cast<std::size_t>(M) * K, c.lo, c.hi, ++seed, 8, true);
      B = fused_oracle::grid_values(c.in, static_cast<std::size_t>(K) * N, c.lo, c.hi, ++seed, 8, true);
      std::mt19937_64 g(++seed);
      for (double& x : C) {
        const double s = g() % 2 ? 1.0 : -1.0;
        const int e = static_cast<int>(c.c_lo) + static_cast<int>(g() % static_cast<std::uint64_t>(c.c_hi - c.c_lo + 1));
        x = round(s * std::ldexp(1.0 + static_cast<double>(g() % 1024) / 1024, e), c.out, Rounding{Mode::rne, Overflow::saturate});
      }
    }
    for (Mode mode : {Mode::rtz, Mode::rne, Mode::rdn, Mode::rup}) {
      for (const UnitSpecials& sp : rule_sets) {
        Accumulator acc;
        acc.a_format = acc.b_format = c.in;
        acc.acc_format = c.out;
        acc.acc_rounding = Rounding{mode};
        acc.outer_format = fp32;
        acc.outer_rounding = Rounding{Mode::rne};
        FusedUnit u;
        u.L = c.L;
        u.F = c.F;
        u.out = c.out;
        u.out_mode = mode;
        u.specials = sp;
        acc.fused = u;
        const auto got = emulate_gemm(acc, M, N, K, A.data(), B.data(), C.data(), 1).C;
        fused_oracle::Unit o{c.L, c.F, c.in, c.in, c.out, mode, 0};
        o.specials = sp;
        fused_oracle::Unit d = o;
        d.specials = UnitSpecials{};
        for (int i = 0; i < M; ++i)
          for (int j = 0; j < N; ++j) {
            std::vector<double> b(K);
            for (int k = 0; k < K; ++k) b[k] = B[k * N + j];
            const double cij = C[i * N + j];
            const double want = fused_oracle::dot_oracle(o, A.data() + i * K, b.data(), K, cij);
            INFO(c.what << ", " << mode_name(mode) << ", rules '" << sp.describe() << "', output (" << i << ","
                        << j << ")");
            REQUIRE(std::bit_cast<std::uint64_t>(got[i * N + j]) == std::bit_cast<std::uint64_t>(want));
            const double plain = fused_oracle::dot_oracle(d, A.data() + i * K, b.data(), K, cij);
            if (std::bit_cast<std::uint64_t>(plain) == std::bit_cast<std::uint64_t>(want)) continue;
            // Attribute a difference to a rule only when it is the one rule changed.
            const int changed = sp.flush_inputs + sp.flush_results + (sp.overflow != UnitOverflow::exact_sum) +
                                (sp.zero_sign != ZeroSign::positive);
            if (changed != 1) continue;
            seen_flush_in |= sp.flush_inputs;
            seen_flush_out |= sp.flush_results;
            seen_ieee |= sp.overflow == UnitOverflow::ieee;
            seen_sat |= sp.overflow == UnitOverflow::saturate;
            seen_zero |= sp.zero_sign == ZeroSign::ieee;
          }
      }
    }
  }
  CHECK(seen_flush_in);
  CHECK(seen_flush_out);
  CHECK(seen_ieee);
  CHECK(seen_sat);
  CHECK(seen_zero);
}

TEST_CASE("special-value rules: hand-computed cases", "[special][block_fma]") {
  const Format fp16 = parse_format("fp16"), fp32 = parse_format("fp32");
  auto unit = [&](Mode mode, UnitSpecials sp) {
    Accumulator acc;
    acc.a_format = acc.b_format = fp16;
    acc.acc_format = fp32;
    acc.acc_rounding = Rounding{mode};
    acc.outer_format = fp32;
    FusedUnit u;
    u.L = 4;
    u.F = 24;
    u.out = fp32;
    u.out_mode = mode;
    u.specials = sp;
    acc.fused = u;
    return acc;
  };
  auto bits = [](double x) { return std::bit_cast<std::uint64_t>(x); };
  const double fmax = 0x1.fffffep127;
  UnitSpecials sp;
  SECTION("a subnormal fp16 input (2^-24) times 1 plus C") {
    const double a[] = {0x1p-24, 0, 0, 0}, b[] = {1.0, 0, 0, 0};
    CHECK(emulate_dot(unit(Mode::rtz, sp), a, b, 4, 1.0) == 1.0);  // 1 + 2^-24 rounded toward zero to fp32: 1
    CHECK(emulate_dot(unit(Mode::rtz, sp), a, b, 4, 0.0) == 0x1p-24);
    sp.flush_inputs = true;
    CHECK(bits(emulate_dot(unit(Mode::rtz, sp), a, b, 4, 0.0)) == bits(0.0));
    const double na[] = {-0x1p-24, 0, 0, 0};
    CHECK(bits(emulate_dot(unit(Mode::rtz, sp), na, b, 4, 0.0)) == bits(0.0));  // C = +0 joins: +0
  }
  SECTION("sums beyond fp32's range (bf16 inputs)") {
    auto bf = [&](Mode mode, UnitSpecials r) {
      Accumulator acc = unit(mode, r);
      acc.a_format = acc.b_format = parse_format("bf16");
      return acc;
    };
    const double a[] = {0x1p+64}, na[] = {-0x1p+64}, b[] = {0x1p+64};  // one product of exactly 2^128
    const double inf = INFINITY;
    CHECK(emulate_dot(bf(Mode::rtz, sp), a, b, 1, 0.0) == inf);  // NVIDIA: Inf even under rtz
    CHECK(emulate_dot(bf(Mode::rtz, sp), na, b, 1, 0.0) == -inf);
    // fp32 max + 2^103 (half its ulp, kept at F = 24): below 2^128, a tie that rne takes up to 2^128.
    const double h[] = {0x1p+52}, g[] = {0x1p+51};
    CHECK(emulate_dot(bf(Mode::rtz, sp), h, g, 1, fmax) == fmax);
    CHECK(emulate_dot(bf(Mode::rne, sp), h, g, 1, fmax) == inf);
    sp.overflow = UnitOverflow::ieee;
    CHECK(emulate_dot(bf(Mode::rtz, sp), a, b, 1, 0.0) == fmax);  // IEEE rtz never overflows to Inf
    CHECK(emulate_dot(bf(Mode::rtz, sp), na, b, 1, 0.0) == -fmax);
    CHECK(emulate_dot(bf(Mode::rne, sp), h, g, 1, fmax) == inf);
    CHECK(emulate_dot(bf(Mode::rup, sp), na, b, 1, 0.0) == -fmax);  // toward +Inf: -max
    CHECK(emulate_dot(bf(Mode::rup, sp), a, b, 1, 0.0) == inf);
    sp.overflow = UnitOverflow::saturate;
    CHECK(emulate_dot(bf(Mode::rtz, sp), a, b, 1, 0.0) == fmax);
    CHECK(emulate_dot(bf(Mode::rne, sp), h, g, 1, fmax) == fmax);
    CHECK(emulate_dot(bf(Mode::rup, sp), a, b, 1, 0.0) == fmax);
    const double i[] = {inf};
    CHECK(emulate_dot(bf(Mode::rtz, sp), i, b, 1, 0.0) == inf);  // an Inf input is still Inf
  }
  SECTION("a subnormal step result (fp16 output)") {
    Accumulator acc = unit(Mode::rne, sp);
    acc.fused->out = acc.acc_format = fp16;
    const double a[] = {0x1p-8}, b[] = {0x1p-8};  // 2^-16: an fp16 subnormal
    CHECK(emulate_dot(acc, a, b, 1, 0.0) == 0x1p-16);
    acc.fused->specials.flush_results = true;
    CHECK(bits(emulate_dot(acc, a, b, 1, 0.0)) == bits(0.0));
    const double na[] = {-0x1p-8};
    CHECK(bits(emulate_dot(acc, na, b, 1, 0.0)) == bits(-0.0));  // a zero of the result's sign
    const double n[] = {0x1p-7};  // 2^-14: fp16's smallest normal stays
    CHECK(emulate_dot(acc, n, n, 1, 0.0) == 0x1p-14);
  }
  SECTION("exact cancellation and zero terms") {
    const double a[] = {1.0, 1.0, 0, 0}, b[] = {2.0, -2.0, 0, 0};
    CHECK(bits(emulate_dot(unit(Mode::rdn, sp), a, b, 4, 0.0)) == bits(0.0));  // NVIDIA: +0
    sp.zero_sign = ZeroSign::ieee;
    CHECK(bits(emulate_dot(unit(Mode::rdn, sp), a, b, 4, 0.0)) == bits(-0.0));  // IEEE rdn: -0
    CHECK(bits(emulate_dot(unit(Mode::rne, sp), a, b, 4, 0.0)) == bits(0.0));
    const double z[] = {-0.0, 0.0, 0, 0}, w[] = {1.0, -1.0, 1.0, 1.0};  // products -0, -0, +0, +0
    CHECK(bits(emulate_dot(unit(Mode::rne, sp), z, w, 2, -0.0)) == bits(-0.0));  // all -0
    CHECK(bits(emulate_dot(unit(Mode::rne, sp), z, w, 4, -0.0)) == bits(0.0));   // mixed: +0
    CHECK(bits(emulate_dot(unit(Mode::rdn, sp), z, w, 4, -0.0)) == bits(-0.0));  // mixed, rdn: -0
  }
}
