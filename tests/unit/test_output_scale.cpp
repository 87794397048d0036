// output_scale fused into the output conversion or applied after it (OutputScaleMode: dropout's
// 1/(1-p) rescale), and the output-conversion fractions, against an oracle written here from the
// definitions:
//   fused  y = RN_f(v * s)                            one rounding of the exact product (MPFR)
//   after  y = RN_f(RN_32(RN_f(v) * RN_32(s)))        stored, fp32 multiply, stored again
// where RN_f is the independent MPFR rounding oracle (tests/support/mpfr_oracle.hpp) in the output
// rounding and RN_32 the same oracle into fp32 with round-to-nearest-even. The library is driven
// through emulate_gemm with K = 1 (the accumulated value is the fp32 input itself), both along a
// row (the column-vectorised kernels) and down a column (the engine per output).
#include <mpfr.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "floatscope/experiment.hpp"
#include "floatscope/gemm.hpp"
#include "floatscope/sweep.hpp"
#include "mpfr_oracle.hpp"

using namespace floatscope;

namespace {

// The exact product x*y (x, y doubles: 106 bits hold it) rounded by the oracle onto f.
double oracle_product(double x, double y, const Format& f, Mode m, Overflow ov) {
  if (!std::isfinite(x) || !std::isfinite(y) || x == 0 || y == 0)
    return oracle::oracle_round(x * y, f, m, ov);  // IEEE: Inf, NaN and signed zeros are exact
  mpfr_t p;
  mpfr_init2(p, 128);
  mpfr_set_d(p, x, MPFR_RNDN);
  mpfr_mul_d(p, p, y, MPFR_RNDN);  // exact at 128 bits
  const double r = oracle::oracle_round_mpfr(p, f, m, ov);
  mpfr_clear(p);
  return r;
}

double oracle_fused(double v, double s, const Format& f, Mode m, Overflow ov) {
  return oracle_product(v, s, f, m, ov);
}

double oracle_after(double v, double s, const Format& f, Mode m, Overflow ov) {
  const Format fp32 = parse_format("fp32");
  const double stored = oracle::oracle_round(v, f, m, ov);
  const double s32 = oracle::oracle_round(s, fp32, Mode::rne, Overflow::spec);
  const double t = oracle_product(stored, s32, fp32, Mode::rne, Overflow::spec);
  return oracle::oracle_round(t, f, m, ov);
}

bool same_bits(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

Accumulator fp32_acc(const Format& out, Mode m, Overflow ov, double scale, OutputScaleMode mode) {
  const Format fp32 = parse_format("fp32");
  Accumulator acc = make_scalar_accumulator(fp32, fp32, Rounding{Mode::rne});
  acc.output_format = out;
  acc.output_rounding = Rounding{m, ov};
  acc.output_scale = scale;
  acc.output_scale_mode = mode;
  return acc;
}

// The stored outputs of fp32 values v (K = 1, times 1): along a row and down a column.
std::vector<double> outputs(const Accumulator& acc, const std::vector<double>& v, bool row) {
  const int n = static_cast<int>(v.size());
  const double one = 1.0;
  return row ? emulate_gemm(acc, 1, n, 1, &one, v.data(), nullptr, 1).C
             : emulate_gemm(acc, n, 1, 1, v.data(), &one, nullptr, 1).C;
}

// fp32 values around the points where the output format's behaviour changes: its smallest
// subnormal and normal, its largest value, each divided by the scale, and 1.
std::vector<double> probe_values(const Format& f, double scale, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> octaves(-3.0, 2.0);
  const double anchors[] = {f.min_subnormal, f.min_normal, f.max_finite, 1.0};
  std::vector<double> v;
  for (int i = 0; i < 4000; ++i) {
    const double a = anchors[i % 4] / (i % 8 < 4 ? 1.0 : scale);
    double x = static_cast<float>(a * std::exp2(octaves(rng)));  // onto fp32 (the accumulator)
    if (rng() & 1) x = -x;
    v.push_back(x);
  }
  for (double x : {0.0, -0.0, 1.0, static_cast<double>(std::numeric_limits<float>::max()),
                   std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()})
    v.push_back(x);
  return v;
}

}  // namespace

TEST_CASE("output_scale fused and after storing match the MPFR oracle bit for bit", "[output_scale]") {
  struct Out { const char* format; Overflow ov; };
  const Out outs[] = {{"fp16", Overflow::spec}, {"bf16", Overflow::spec}, {"e4m3", Overflow::spec},
                      {"e4m3", Overflow::saturate}, {"e5m2", Overflow::spec}};
  // 1/(1-p) for p = 0.1 as a double and as PyTorch's fp32 scale, p = 0.2, 0.5, and one below 1.
  const double scales[] = {1.0 / 0.9, 1.1111111640930176, 1.25, 2.0, 0.7};
  int only_fused_overflows = 0, only_after_overflows = 0, only_after_underflows = 0, differ = 0;
  std::uint32_t seed = 1;
  for (const Out& o : outs) {
    const Format f = parse_format(o.format);
    for (double s : scales)
      for (Mode m : {Mode::rne, Mode::rtz, Mode::rup}) {
        const std::vector<double> v = probe_values(f, s, seed++);
        for (OutputScaleMode mode : {OutputScaleMode::fused, OutputScaleMode::after}) {
          const Accumulator acc = fp32_acc(f, m, o.ov, s, mode);
          for (bool row : {true, false}) {
            const std::vector<double> got = outputs(acc, v, row);
            for (std::size_t i = 0; i < v.size(); ++i) {
              const double want = mode == OutputScaleMode::fused ? oracle_fused(v[i], s, f, m, o.ov)
                                                                 : oracle_after(v[i], s, f, m, o.ov);
              if (!same_bits(got[i], want)) {
                INFO(o.format << " scale " << s << " mode " << mode_name(m) << " "
                              << output_scale_mode_name(mode) << " v = " << v[i] << " row " << row);
                CHECK(got[i] == want);
              }
            }
          }
        }
        // The two modes apart: what the oracle says happens to these values in one mode only.
        for (double x : v) {
          if (!std::isfinite(x)) continue;
          const double a = oracle_fused(x, s, f, m, o.ov), b = oracle_after(x, s, f, m, o.ov);
          differ += !same_bits(a, b);
          const auto over = [&](double y) { return !std::isfinite(y) || std::fabs(y) == f.max_finite; };
          only_fused_overflows += over(a) && !over(b);
          only_after_overflows += over(b) && !over(a);
          only_after_underflows += b == 0 && a != 0;
        }
      }
  }
  // The values do reach the cases where the modes part (else the comparison above proves little).
  CHECK(differ > 1000);
  CHECK(only_after_overflows > 0);
  CHECK(only_fused_overflows > 0);
  CHECK(only_after_underflows > 0);
}

TEST_CASE("output_scale modes on hand-derived values", "[output_scale]") {
  const double inf = std::numeric_limits<double>::infinity();
  struct Case { const char* format; double scale, v, fused, after; };
  const Case cases[] = {
      // fp16 spacing in [32768, 65536) is 32. 52400*1.25 = 65500 rounds to 65504 (the maximum);
      // stored first, 52400 = 1637.5*32 is a tie to 1638*32 = 52416, and 52416*1.25 = 65520 is
      // the tie between 65504 and 65536 (even): past the maximum, Inf.
      {"fp16", 1.25, 52400, 65504, inf},
      // fp16 subnormal quantum q = 2^-24; v = 0.375 q. Fused: 0.75 q -> q. After: 0.375 q -> 0.
      {"fp16", 2.0, 0.375 * 0x1p-24, 0x1p-24, 0.0},
      // e4m3 spacing in [256, 512) is 32, maximum 448. 368*1.25 = 460 -> 448 (below the midpoint
      // 464). Stored: 368 = 11.5*32 -> 12*32 = 384; 384*1.25 = 480, past 448: NaN (no Inf).
      {"e4m3", 1.25, 368, 448, std::nan("")},
      // bf16 subnormal quantum 2^-133; v = 0.375 quanta. As in fp16.
      {"bf16", 2.0, 0.375 * 0x1p-133, 0x1p-133, 0.0},
      // A power-of-two scale on a normal value: stored, then doubled exactly: the same result.
      {"fp16", 2.0, 1.0 + 0x1p-11 + 0x1p-13, 2.0 + 0x1p-9, 2.0 + 0x1p-9},
  };
  for (const Case& c : cases) {
    const Format f = parse_format(c.format);
    INFO(c.format << " v = " << c.v << " scale " << c.scale);
    const double fused =
        outputs(fp32_acc(f, Mode::rne, Overflow::spec, c.scale, OutputScaleMode::fused), {c.v}, true)[0];
    const double after =
        outputs(fp32_acc(f, Mode::rne, Overflow::spec, c.scale, OutputScaleMode::after), {c.v}, true)[0];
    CHECK(same_bits(fused, c.fused));
    CHECK(same_bits(after, c.after));
  }
}

TEST_CASE("output conversion fractions count hand-classified outputs", "[output_scale]") {
  // One row of eight fp32 values through fp16 with scale 1.25 (K = 1, B = the values):
  //   52400  fused 65504 from 65500 (not beyond the maximum: normal); after Inf (overflow)
  //   60000  75000 in both: beyond 65504, Inf (overflow)
  //   2^-26  2^-26*1.25 = 0.3125 q (q = 2^-24): 0 in both (underflow)
  //   2^-24  1.25 q -> q in both (subnormal)
  //   2^-20  normal? 2^-20*1.25 < 2^-14: subnormal in both
  //   1, -3  normal
  //   0      zero from zero: no event
  ExperimentSpec s;
  s.a_format = "fp32";
  s.acc_format = "fp32";
  s.output_format = "fp16";
  s.output_scale = 1.25;
  s.M = 1;
  s.N = 8;
  s.K = 1;
  const std::vector<double> A = {1.0};
  const std::vector<double> B = {52400, 60000, 0x1p-26, 0x1p-24, 0x1p-20, 1, -3, 0};
  auto fractions = [&](const char* mode) {
    s.output_scale_mode = mode;
    const ExperimentResult r = run_experiment_on(s, A.data(), B.data(), nullptr, 1);
    std::vector<double> f;
    for (const auto& v : result_values(r))
      if (v.name.starts_with("output_")) {
        CHECK(v.counted);
        f.push_back(v.value);
      }
    return f;  // overflow, underflow, subnormal, differ under the other mode
  };
  // Only 52400 is stored differently by the two modes.
  CHECK(fractions("fused") == std::vector<double>{1.0 / 8, 1.0 / 8, 2.0 / 8, 1.0 / 8});
  CHECK(fractions("after") == std::vector<double>{2.0 / 8, 1.0 / 8, 2.0 / 8, 1.0 / 8});

  // e4m3 (overflow to NaN), scale 1: 1000 -> NaN (overflow); 400 = 12.5*32 -> 384 (normal);
  // 2^-11 = a quarter of the subnormal quantum 2^-9 -> 0 (underflow); 2^-8 subnormal.
  s.output_format = "e4m3";
  s.output_rounding = "rne";
  s.output_scale = 1;
  s.N = 4;
  const std::vector<double> B8 = {1000, 400, 0x1p-11, 0x1p-8};
  s.output_scale_mode = "fused";
  const ExperimentResult r = run_experiment_on(s, A.data(), B8.data(), nullptr, 1);
  CHECK(r.metrics.nan_count == 1);
  for (const auto& v : result_values(r)) {
    if (v.name == "output_overflow_frac") CHECK(v.value == 0.25);
    if (v.name == "output_underflow_frac") CHECK(v.value == 0.25);
    if (v.name == "output_subnormal_frac") CHECK(v.value == 0.25);
    if (v.name == "output_mode_differ_frac") CHECK(v.value == 0);  // scale 1: the same conversion
  }

  // Stochastic output rounding: the other mode is not re-run (its random bits would differ).
  s.output_rounding = "sr";
  for (const auto& v : result_values(run_experiment_on(s, A.data(), B8.data(), nullptr, 1))) {
    if (v.name == "output_mode_differ_frac") CHECK(!v.counted);
    if (v.name == "output_underflow_frac") CHECK(v.counted);
  }
  s.output_rounding = "rne";

  // No output format: nothing converted, the cells are empty.
  s.output_format = "";
  for (const auto& v : result_values(run_experiment_on(s, A.data(), B8.data(), nullptr, 1)))
    if (v.name.starts_with("output_")) CHECK(!v.counted);
}

TEST_CASE("output_scale_mode is checked where it is given", "[output_scale]") {
  ExperimentSpec s;
  s.M = s.N = 2;
  s.K = 4;
  s.output_scale_mode = "later";
  CHECK_THROWS_WITH(run_experiment(s, 1), Catch::Contains("output_scale_mode") && Catch::Contains("later"));
  s.output_scale_mode = "after";
  CHECK_THROWS_WITH(run_experiment(s, 1), Catch::Contains("needs an output_format"));
  s.output_format = "fp64";
  CHECK_THROWS_WITH(run_experiment(s, 1), Catch::Contains("wider than fp32"));
  s.output_format = "fp32";  // every fp32 value is one: allowed
  CHECK_NOTHROW(run_experiment(s, 1));
}

TEST_CASE("output_scale_mode = fused keeps the point ids of sweeps that never set it", "[output_scale]") {
  sweep::SweepConfig plain, fused, after;
  for (sweep::SweepConfig* c : {&plain, &fused, &after}) c->set("output_format", {"fp16"});
  fused.set("output_scale_mode", {"fused"});
  after.set("output_scale_mode", {"after"});
  const auto p = sweep::expand(plain), f = sweep::expand(fused), a = sweep::expand(after);
  REQUIRE(p.size() == 1);
  CHECK(f[0].id == p[0].id);
  CHECK(a[0].id != p[0].id);
  CHECK(a[0].spec.output_scale_mode == "after");
}

TEST_CASE("block-scaled GEMMs count their output conversions too", "[output_scale]") {
  // Per-tensor (through the plain GEMM), row-wise and K-blocked scale application each convert
  // every one of the M*N outputs once.
  for (const char* scheme : {"fp8-tensor", "fp8-row", "mxfp8-e4m3"}) {
    ExperimentSpec s;
    s.scheme = scheme;
    s.acc_format = "fp32";
    s.output_format = "bf16";
    s.output_scale = 1.25;
    s.output_scale_mode = "after";
    s.M = 3;
    s.N = 5;
    s.K = 64;
    const ExperimentResult r = run_experiment(s, 1);
    INFO(scheme);
    CHECK(r.events.outputs == 15);
    CHECK(r.events.outputs_mode_compared == 15);
  }
}
