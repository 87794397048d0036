// Probe vectors of Fasi, Higham, Mikaitis & Pranesh (PeerJ CS 2021; docs/references.md s.5) run against
// every named hardware model. Expected values are the paper's closed forms, written in terms of
// the unit's published L, F and output precision P (docs/references.md s.5 table; test_models checks
// each model carries those published parameters).
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "floatscope/gemm.hpp"
#include "floatscope/models.hpp"

using namespace floatscope;

namespace {

double p2(int e) { return std::ldexp(1.0, e); }

// The model with the given input format (fp8 models: e4m3, which holds every probe value).
Accumulator probe_model(const ModelInfo& m) {
  const bool fp8 = m.input_formats.front() == "e4m3";
  const auto f = fp8 ? std::optional<Format>(parse_format("e4m3")) : std::nullopt;
  return model_accumulator(m.name, f, f, 0);  // promotion off: probe the unit itself
}

double dot(const Accumulator& acc, const std::vector<double>& a, const std::vector<double>& b,
           double c) {
  return emulate_dot(acc, a.data(), b.data(), static_cast<int>(a.size()), c);
}

// x = 2^-e as a product of two values of the input format (both representable).
std::pair<double, double> split_pow2(int e) { return {p2(-(e / 2)), p2(-(e - e / 2))}; }

}  // namespace

TEST_CASE("probe vectors against every hardware model", "[probes]") {
  for (const ModelInfo& m : hardware_models()) {
    const Accumulator acc = probe_model(m);
    if (acc.c_format) continue;  // fp16 accumulation: the closed forms below assume P >= 14; see the next case
    const FusedUnit& u = *acc.fused;
    const int P = u.out.precision, F = u.F, L = u.L;
    const int pin = acc.a_format.precision;
    INFO("model " << m.name << " (L=" << L << " F=" << F << " P=" << P << ")");

    // Exact products: a = b = 1 - 2^-p gives 1 - 2^(1-p) + 2^-2p exactly.
    {
      const double x = 1 - p2(-pin);
      CHECK(dot(acc, {x}, {x}, 0.0) == 1 - p2(1 - pin) + p2(-2 * pin));
    }
    // Carries: 1 + 1.5 + 1.75 + 1.875 with c = 1.875 is exactly 8.
    CHECK(dot(acc, {1, 1.5, 1.75, 1.875}, {1, 1, 1, 1}, 1.875) == 8.0);

    if (u.c_outside) {
      // B200 FP8: C is added after the products, fp32 round-to-nearest: 128 + 0.75 ulp rounds
      // up to 128 + 2^-16; inside the alignment it would be truncated to 128.
      CHECK(dot(acc, {3 * p2(-9)}, {p2(-9)}, 128.0) == 128.0 + p2(-16));
      continue;
    }
    // Truncation: c = 1 plus four products of 2^-(F+1) -> 1 (each truncated away); of 2^-F
    // -> 1 + 4*2^-F (all kept), when the four fit one step.
    if (L >= 4) {
      const auto [a1, b1] = split_pow2(F + 1);
      CHECK(dot(acc, {a1, a1, a1, a1}, {b1, b1, b1, b1}, 1.0) == 1.0);
      const auto [a2, b2] = split_pow2(F);
      CHECK(dot(acc, {a2, a2, a2, a2}, {b2, b2, b2, b2}, 1.0) == 1.0 + 4 * p2(-F));
    }
    // Guard bit: 1*1 with c = -(1 - 2^-24): 2^-24 when F >= 24 bits survive below the top,
    // 2^-23 when c is truncated to F = 23 bits (V100).
    if (P == 24) CHECK(dot(acc, {1}, {1}, -(1 - p2(-24))) == (F >= 24 ? p2(-24) : p2(-23)));
    if (P == 14) CHECK(dot(acc, {1}, {1}, -(1 - p2(-14))) == p2(-13));  // F = 13
    // Block size: c = 1 + 2^-(P-1), a0*b0 = 1, 2^-(P-1) at index k-1: the exact 2 + 2^-(P-2)
    // survives while all terms share one step; the first k where it does not is L + 1.
    {
      const auto [at, bt] = split_pow2(P - 1);
      int detected = 0;
      for (int k = 2; k <= 80 && detected == 0; ++k) {
        std::vector<double> a(static_cast<std::size_t>(k), 0.0), b(static_cast<std::size_t>(k), 0.0);
        a[0] = b[0] = 1;
        a[static_cast<std::size_t>(k - 1)] = at;
        b[static_cast<std::size_t>(k - 1)] = bt;
        if (dot(acc, a, b, 1 + p2(1 - P)) != 2 + p2(2 - P)) detected = k - 1;
      }
      CHECK(detected == L);
    }
  }
}

// The fp16-accumulating models (-acc16: steps rounded to fp16 with RNE, C read in fp16). Closed
// forms in the unit's L and F, with 2^-11 = half an fp16 ulp at 1: a tie, so what lies below it
// decides the rounding.
TEST_CASE("probe vectors against the fp16-accumulating models", "[probes]") {
  int models = 0;
  for (const ModelInfo& m : hardware_models()) {
    const Accumulator acc = probe_model(m);
    if (!acc.c_format || acc.fused->pair_interleave) continue;  // interleaved: the next case
    ++models;
    const FusedUnit& u = *acc.fused;
    const int F = u.F, L = u.L;
    INFO("model " << m.name << " (L=" << L << " F=" << F << ")");
    REQUIRE(u.out.name == "fp16");
    const auto [h1, h2] = split_pow2(11);
    // Ties go to even: 1 + 2^-11 -> 1; (1 + 2^-10) + 2^-11 -> 1 + 2^-9.
    CHECK(dot(acc, {h1}, {h2}, 1.0) == 1.0);
    CHECK(dot(acc, {h1}, {h2}, 1.0 + p2(-10)) == 1.0 + p2(-9));
    // Below the tie, a term 2^-F is kept (round up to 1 + 2^-10), 2^-(F+1) is truncated away
    // (a tie again: 1): F shows through an fp16 result.
    const auto [k1, k2] = split_pow2(F);
    const auto [t1, t2] = split_pow2(F + 1);
    CHECK(dot(acc, {h1, k1}, {h2, k2}, 1.0) == 1.0 + p2(-10));
    CHECK(dot(acc, {h1, t1}, {h2, t2}, 1.0) == 1.0);
    // C is read in fp16: C = 1 + 2^-11 (an fp32 value) becomes 1 (tie to even), so 1 + 2^-12
    // rounds to 1; added in the unit unconverted it would give 1 + 2^-10.
    const auto [q1, q2] = split_pow2(12);
    CHECK(dot(acc, {q1}, {q2}, 1.0 + p2(-11)) == 1.0);
    // Block size: the tie at index 0 and 2^-F at index k-1 round up together while they share a
    // step; the first k where they do not (the tie resolved to 1 alone) is L + 1.
    int detected = 0;
    for (int k = 2; k <= 80 && detected == 0; ++k) {
      std::vector<double> a(static_cast<std::size_t>(k), 0.0), b(static_cast<std::size_t>(k), 0.0);
      a[0] = h1;
      b[0] = h2;
      a[static_cast<std::size_t>(k - 1)] = k1;
      b[static_cast<std::size_t>(k - 1)] = k2;
      if (dot(acc, a, b, 1.0) != 1.0 + p2(-10)) detected = k - 1;
    }
    CHECK(detected == L);
    // fp16's range: 65504 + 16 is a tie between 65504 and 2^16 (which is beyond it): Inf; 65504
    // + 8 rounds to 65504.
    CHECK(dot(acc, {16}, {1}, 65504) == INFINITY);
    CHECK(dot(acc, {8}, {1}, 65504) == 65504);
  }
  CHECK(models == 9);  // v100, a100, a2, ada, l40s, h100, h200, b200 fp16; ada fp8
}

// FP8 with fp16 D on the fp16 datapath (h100/h200/b200-fp8-acc16): an instruction of 32 products is
// two 16-product steps over interleaved pairs of k (k mod 4 in {0,1}, then {2,3}), each rounded to
// fp16 (RNE), and C is added after them. Closed forms with 1 + 2^-11, a tie in fp16.
TEST_CASE("probe vectors against the interleaved fp16-datapath FP8 models", "[probes]") {
  int models = 0;
  for (const ModelInfo& m : hardware_models()) {
    if (!m.acc.fused || !m.acc.fused->pair_interleave) continue;
    ++models;
    const Accumulator acc = model_accumulator(m.name, parse_format("e5m2"), parse_format("e5m2"));
    const int F = acc.fused->F;
    INFO("model " << m.name << " (F=" << F << ")");
    // 1 at k = 0, 2^-11 at k = j and a sticky 2^-18 at k = s: 1 + 2^-10 when all three share the
    // first step (above the tie), else 1 (each step meets only the tie, or only the sticky).
    auto three = [&](int j, int s) {
      std::vector<double> a(32, 0.0), b(32, 0.0);
      a[0] = b[0] = 1;
      a[static_cast<std::size_t>(j)] = p2(-5);
      b[static_cast<std::size_t>(j)] = p2(-6);
      a[static_cast<std::size_t>(s)] = b[static_cast<std::size_t>(s)] = p2(-9);
      return dot(acc, a, b, 0.0);
    };
    CHECK(three(1, 4) == 1 + p2(-10));
    CHECK(three(29, 8) == 1 + p2(-10));
    CHECK(three(2, 4) == 1.0);   // the tie in the second step
    CHECK(three(1, 3) == 1.0);   // the sticky in the second step
    CHECK(three(5, 30) == 1.0);
    // C is added after the steps: 2^-11 and 2^-22 in one step give 2^-11 (the sticky is lost in
    // the step's fp16 result: a tie to even), then C = 1 + 2^-11: a tie, 1. With C inside the
    // step, 1 + 2^-11 + 2^-22 would round up.
    {
      std::vector<double> a(32, 0.0), b(32, 0.0);
      a[0] = p2(-5);
      b[0] = p2(-6);
      a[1] = b[1] = p2(-11);
      CHECK(dot(acc, a, b, 1.0) == 1.0);
    }
    // F inside a step: 1, 2^-11 and 2^-F kept (round up) or 2^-(F+1) truncated away (the tie).
    auto with_small = [&](int e) {
      std::vector<double> a(32, 0.0), b(32, 0.0);
      a[0] = b[0] = 1;
      a[1] = p2(-5);
      b[1] = p2(-6);
      const auto [s1, s2] = split_pow2(e);
      a[4] = s1;
      b[4] = s2;
      return dot(acc, a, b, 0.0);
    };
    CHECK(with_small(F) == 1 + p2(-10));
    CHECK(with_small(F + 1) == 1.0);
  }
  CHECK(models == 3);  // h100, h200, b200 fp8-acc16
}

TEST_CASE("special values of the fused unit (docs/references.md s.5)", "[probes]") {
  const Accumulator acc = model_accumulator("h100-fp16");
  const double inf = INFINITY, big = 65504;
  // NaN input, Inf - Inf and 0 * Inf give NaN.
  CHECK(std::isnan(dot(acc, {NAN, 1}, {1, 1}, 0)));
  CHECK(std::isnan(dot(acc, {inf, inf}, {1, -1}, 0)));
  CHECK(std::isnan(dot(acc, {inf}, {0}, 0)));
  CHECK(std::isnan(dot(acc, {inf}, {1}, -inf)));
  CHECK(std::isnan(dot(acc, {1}, {1}, NAN)));
  CHECK(dot(acc, {inf, 1}, {1, 1}, 5) == inf);
  // Products beyond fp32 inside a step are fine when the exact sum is in range.
  const Accumulator bf = model_accumulator("h100-bf16");
  const double h = p2(127);  // bf16
  CHECK(dot(bf, {h, h}, {4, -4}, 0) == 0);
  CHECK(std::signbit(dot(bf, {h, h}, {4, -4}, 0)) == false);  // a zero result is +0
  CHECK(dot(bf, {h, h}, {4, -2}, 0) == inf);                  // exact sum 2^128: Inf even in RZ
  CHECK(dot(bf, {p2(103)}, {1}, 0x1.fffffep+127) == 0x1.fffffep+127);  // below 2^128: FLT_MAX
  CHECK(dot(acc, {big, -big}, {big, big}, 0) == 0);
  CHECK(!std::signbit(dot(acc, {-1}, {1}, 1)));
}
