// `floatscope gemm` / `check gemm` custom-model flags end to end.
//  - The flags gemm_flags prints for a named hardware model, run as a custom model, give the
//    named model's output bit for bit (the named model is the oracle), and dropping the flag that
//    sets the model's distinguishing part changes the output (the inputs can tell).
//  - The special-value and aligner flags, which no named model has, on inputs built to trigger
//    each rule: the output equals the rule's definition in accumulator.hpp, computed by hand.
//  - Bad values and combinations: exit 2 naming the flag (or its field), no output file.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "floatscope/fit.hpp"
#include "floatscope/gemm.hpp"
#include "floatscope/models.hpp"
#include "floatscope/npy.hpp"
#include "run_process.hpp"
#include "text.hpp"
#include "scratch.hpp"

using floatscope::test::ProcResult;
using floatscope::test::run_cli;
using floatscope::test::has;
using floatscope::test::words;
namespace fs = std::filesystem;

namespace {

std::string scratch(const std::string& name) {
  return (floatscope::test::scratch_root("cli_gemm_model_flags") / name).string();
}

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

// A small deterministic generator (LCG), independent of the library's.
struct Lcg {
  std::uint64_t s;
  std::uint64_t next() { return s = s * 6364136223846793005ULL + 1442695040888963407ULL; }
  int below(int n) { return static_cast<int>((next() >> 33) % static_cast<std::uint64_t>(n)); }
};

// Values with `frac` fraction bits and exponents lo..hi, random signs: on the grid of e4m3
// (frac 3, exponents -6..8) or fp16 (frac 10, -14..15) when the exponents stay in range.
std::vector<double> grid_values(std::size_t n, int frac, int lo, int hi, std::uint64_t seed) {
  Lcg g{seed};
  std::vector<double> v(n);
  for (auto& x : v) {
    const int m = g.below(1 << frac), e = lo + g.below(hi - lo + 1);
    x = (g.below(2) ? -1.0 : 1.0) * std::ldexp(1.0 + std::ldexp(m, -frac), e);
  }
  return v;
}

// fp32 values that are not fp16 values (up to 23 fraction bits), magnitudes 2^-2..2^5: C read in
// fp16 rounds them.
std::vector<double> fp32_c(std::size_t n, std::uint64_t seed) {
  Lcg g{seed};
  std::vector<double> v(n);
  for (auto& x : v) {
    const double frac = static_cast<double>(g.next() >> 41) / 8388608.0;  // 23 random bits
    x = (g.below(2) ? -1.0 : 1.0) * std::ldexp(1.0 + frac, -2 + g.below(8));
  }
  return v;
}

std::vector<double> read_d(const std::string& path) { return floatscope::npy_to_doubles(floatscope::read_npy(path)); }

std::vector<std::string> operands(const std::string& tag) {
  return {"--a", scratch(tag + "_A.npy"), "--b", scratch(tag + "_B.npy"), "--c", scratch(tag + "_C.npy")};
}

// Runs gemm with these model arguments on operands `tag`, returns D.
std::vector<double> run_gemm(const std::string& tag, std::vector<std::string> model, const std::string& out) {
  std::vector<std::string> args{"gemm"};
  const auto ops = operands(tag);
  args.insert(args.end(), ops.begin(), ops.end());
  args.insert(args.end(), model.begin(), model.end());
  args.insert(args.end(), {"--out", scratch(out), "--reference", "none"});
  const ProcResult r = run_cli(args);
  std::string cmd;
  for (const auto& a : args) cmd += a + " ";
  INFO(cmd << "\n" << r.err);
  REQUIRE(r.exit_code == 0);
  return read_d(scratch(out));
}

std::size_t differing(const std::vector<double>& x, const std::vector<double>& y) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < x.size(); ++i) n += bits(x[i]) != bits(y[i]);
  return n;
}

// `flags` without the tokens `drop` (a flag and its value, or a bare flag).
std::vector<std::string> without(const std::vector<std::string>& flags, const std::vector<std::string>& drop) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (i + drop.size() <= flags.size() && std::equal(drop.begin(), drop.end(), flags.begin() + static_cast<long>(i))) {
      i += drop.size() - 1;
      continue;
    }
    out.push_back(flags[i]);
  }
  return out;
}

// One GEMM D = A*B + C through a hand-built unit: M x K times K x N.
ProcResult gemm_on(const std::string& tag, const std::vector<double>& A, const std::vector<double>& B,
                   const std::vector<double>& C, std::size_t M, std::size_t K, std::size_t N,
                   const std::vector<std::string>& model) {
  floatscope::write_npy(scratch(tag + "_A.npy"), A.data(), {M, K});
  floatscope::write_npy(scratch(tag + "_B.npy"), B.data(), {K, N});
  floatscope::write_npy(scratch(tag + "_C.npy"), C.data(), {M, N});
  std::vector<std::string> args{"gemm"};
  const auto ops = operands(tag);
  args.insert(args.end(), ops.begin(), ops.end());
  args.insert(args.end(), model.begin(), model.end());
  args.insert(args.end(), {"--out", scratch(tag + "_D.npy"), "--reference", "none"});
  return run_cli(args);
}

// The single output of a 1 x K x 1 GEMM under the unit `model`.
double dot(const std::string& tag, const std::vector<double>& a, const std::vector<double>& b, double c,
           const std::vector<std::string>& model) {
  const ProcResult r = gemm_on(tag, a, b, {c}, 1, a.size(), 1, model);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto d = read_d(scratch(tag + "_D.npy"));
  REQUIRE(d.size() == 1);
  return d[0];
}

std::vector<std::string> unit(const std::string& fmt, const std::string& lf, const std::string& mode,
                              std::vector<std::string> extra = {}) {
  std::vector<std::string> m{"--a-format", fmt, "--block-fma", lf, "--acc-format", "fp32", "--rounding", mode};
  m.insert(m.end(), extra.begin(), extra.end());
  return m;
}

}  // namespace

TEST_CASE("gemm: the flags gemm_flags prints for a named model reproduce it bit for bit", "[cli_gemm_model_flags]") {
  const int M = 8, N = 8, K = 256;
  struct Case {
    const char* model;
    const char* format;
    std::vector<std::string> must_have;  // the parts the flags must state
    std::vector<std::string> drop;       // without these the inputs give other bits
  };
  const std::vector<Case> cases = {
      // FP8 mma.sync with fp16 D on the fp16 datapath: interleaved pairs, C read in fp16, fp16 outer sum.
      {"h100-fp8-acc16", "e4m3",
       {"--block-fma 16,25 --acc-format fp16 --rounding rne --interleaved-pairs --promote 32 --outer-format fp16 "
        "--outer-rounding rne --c-format fp16 --c-rounding rne"},
       {"--interleaved-pairs"}},
      {"v100-fp16-acc16", "fp16", {"--block-fma 4,23 --acc-format fp16 --rounding rne --c-format fp16 --c-rounding rne"},
       {"--c-format", "fp16", "--c-rounding", "rne"}},
      {"ada-fp8-acc16", "e4m3", {"--block-fma 16,13 --acc-format fp16 --rounding rne --c-format fp16"},
       {"--c-format", "fp16", "--c-rounding", "rne"}},
      // C after each step's 32 products, fp32 RNE: promotion every 32 into an fp32 RNE sum.
      {"b200-fp8", "e4m3", {"--block-fma 32,25 --acc-format fp32 --rounding rtz --promote 32"}, {"--promote", "32"}},
      {"h100-fp8-promote128", "e4m3", {"--block-fma 32,13 --acc-format e8m13 --rounding rtz --promote 128"},
       {"--promote", "128"}},
  };
  for (const Case& c : cases) {
    INFO("model " << c.model);
    const bool fp8 = std::string(c.format) == "e4m3";
    // Normal values (e4m3: exponents -6..3; fp16: -14..0) whose sums stay well inside fp16's
    // range (the acc16 models round every step to fp16).
    const auto A = fp8 ? grid_values(M * K, 3, -6, 3, 1) : grid_values(M * K, 10, -14, 0, 1);
    const auto B = fp8 ? grid_values(K * N, 3, -6, 3, 2) : grid_values(K * N, 10, -14, 0, 2);
    // C: fp32 values not on fp16's grid (2^-2..2^5, times 2^6 for e4m3), so reading C in fp16
    // rounds it, and large enough against the first step's products that its rounding shows.
    auto C = fp32_c(M * N, 3);
    if (fp8)
      for (double& x : C) x *= 64;  // still fp32 values
    const std::string tag = c.model;
    floatscope::write_npy(scratch(tag + "_A.npy"), A.data(), {M, K});
    floatscope::write_npy(scratch(tag + "_B.npy"), B.data(), {K, N});
    floatscope::write_npy(scratch(tag + "_C.npy"), C.data(), {M, N});

    const floatscope::Format f = floatscope::parse_format(c.format);
    const auto printed = floatscope::gemm_flags(floatscope::model_accumulator(c.model, f, f), K);
    REQUIRE(printed);
    INFO("flags: " << *printed);
    for (const auto& part : c.must_have) CHECK(has(*printed, part));

    const auto named = run_gemm(tag, {"--model", c.model, "--a-format", c.format}, tag + "_named.npy");
    // Finite outputs: the comparison is of ordinary values, not of overflowed ones.
    CHECK(std::all_of(named.begin(), named.end(), [](double v) { return std::isfinite(v); }));
    const auto flags = words(*printed);
    const auto custom = run_gemm(tag, flags, tag + "_custom.npy");
    REQUIRE(custom.size() == named.size());
    CHECK(differing(custom, named) == 0);
    // The test can fail: without the model's distinguishing part the same inputs give other bits.
    const auto reduced = without(flags, c.drop);
    REQUIRE(reduced.size() == flags.size() - c.drop.size());
    CHECK(differing(run_gemm(tag, reduced, tag + "_reduced.npy"), named) > 0);

    // check gemm takes the same flags (one registration): the named model's D passes bit for bit.
    std::vector<std::string> check{"check", "gemm"};
    const auto ops = operands(tag);
    check.insert(check.end(), ops.begin(), ops.end());
    check.insert(check.end(), {"--got", scratch(tag + "_named.npy")});
    check.insert(check.end(), flags.begin(), flags.end());
    const ProcResult ck = run_cli(check);
    INFO(ck.out << ck.err);
    CHECK(ck.exit_code == 0);
    CHECK(has(ck.out, "bit-exact: 64 of 64"));
  }
}

TEST_CASE("gemm --subnormals: DAZ inputs and FTZ step results as accumulator.hpp defines them",
          "[cli_gemm_model_flags]") {
  // e4m3's smallest subnormal 2^-9 times 1, plus C = 1. Kept: 1 + 2^-9 (exact in fp32, on the
  // 2^-24 grid of F = 25). Flushed inputs (DAZ): the product is 0, so D = C exactly.
  const std::vector<double> a{std::ldexp(1.0, -9)}, b{1.0};
  CHECK(dot("daz_keep", a, b, 1.0, unit("e4m3", "16,25", "rtz")) == 1.0 + std::ldexp(1.0, -9));
  CHECK(dot("daz_flush", a, b, 1.0, unit("e4m3", "16,25", "rtz", {"--subnormals", "flush-inputs"})) == 1.0);
  CHECK(dot("daz_both", a, b, 1.0, unit("e4m3", "16,25", "rtz", {"--subnormals", "flush"})) == 1.0);
  CHECK(dot("daz_results", a, b, 1.0, unit("e4m3", "16,25", "rtz", {"--subnormals", "flush-results"})) ==
        1.0 + std::ldexp(1.0, -9));
  // bf16 normals -2^-100 and 2^-30: the exact product -2^-130 is an fp32 subnormal. Kept, the
  // step gives it exactly; flushed results (FTZ) make it a zero of its sign, -0; inputs are
  // normal, so DAZ alone keeps it.
  const std::vector<double> x{-std::ldexp(1.0, -100)}, y{std::ldexp(1.0, -30)};
  CHECK(dot("ftz_keep", x, y, 0.0, unit("bf16", "8,24", "rtz")) == -std::ldexp(1.0, -130));
  CHECK(dot("ftz_inputs", x, y, 0.0, unit("bf16", "8,24", "rtz", {"--subnormals", "flush-inputs"})) ==
        -std::ldexp(1.0, -130));
  const double ftz = dot("ftz", x, y, 0.0, unit("bf16", "8,24", "rtz", {"--subnormals", "flush-results"}));
  CHECK(ftz == 0.0);
  CHECK(std::signbit(ftz));
}

TEST_CASE("gemm --unit-overflow: an exact sum of 2^128 under each rule", "[cli_gemm_model_flags]") {
  // C = fp32 max = 2^128 - 2^104 and one product 2^100 * 2^4 = 2^104 (bf16): the exact sum is
  // 2^128 = 2^(emax+1), on the 2^(127-25) grid of F = 25.
  const double fmax = static_cast<double>(std::numeric_limits<float>::max());
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> a{std::ldexp(1.0, 100)}, b{16.0};
  const struct {
    const char* rule;
    const char* mode;
    double want;
  } cases[] = {
      {"exact-sum", "rtz", inf},   // NVIDIA: Inf from an exact sum at 2^(emax+1), even under rtz
      {"ieee", "rtz", fmax},       // IEEE 754: rtz never overflows to Inf
      {"saturate", "rtz", fmax},   // finite sums give +-max
      {"ieee", "rne", inf},        // 2^128 is beyond max + half an ulp
      {"saturate", "rne", fmax},
  };
  for (const auto& c : cases) {
    INFO(c.rule << " " << c.mode);
    const std::string tag = std::string("ovf_") + c.rule + "_" + c.mode;
    CHECK(dot(tag, a, b, fmax, unit("bf16", "16,25", c.mode, {"--unit-overflow", c.rule})) == c.want);
    // The same downward: -2^128.
    CHECK(dot(tag + "_neg", a, {-16.0}, -fmax, unit("bf16", "16,25", c.mode, {"--unit-overflow", c.rule})) == -c.want);
  }
}

TEST_CASE("gemm --zero-sign: exact zero sums get NVIDIA's +0 or IEEE 754's sign", "[cli_gemm_model_flags]") {
  // 1*1 + 1*(-1) with C = +0 cancels exactly. positive: +0 always; ieee: -0 under rdn only.
  const std::vector<double> a{1.0, 1.0}, b{1.0, -1.0};
  for (const char* mode : {"rdn", "rne", "rtz"}) {
    INFO(mode);
    const double pos = dot(std::string("zs_pos_") + mode, a, b, 0.0, unit("bf16", "8,24", mode));
    CHECK(pos == 0.0);
    CHECK(!std::signbit(pos));
    const double ieee = dot(std::string("zs_ieee_") + mode, a, b, 0.0, unit("bf16", "8,24", mode, {"--zero-sign", "ieee"}));
    CHECK(ieee == 0.0);
    CHECK(std::signbit(ieee) == (std::string(mode) == "rdn"));
  }
  // Only -0 terms (C = -0, a product (-0)*1): IEEE gives -0 under every mode, NVIDIA +0.
  const double all_neg = dot("zs_negzero", {-0.0}, {1.0}, -0.0, unit("bf16", "8,24", "rne", {"--zero-sign", "ieee"}));
  CHECK(all_neg == 0.0);
  CHECK(std::signbit(all_neg));
  const double nvidia = dot("zs_negzero_pos", {-0.0}, {1.0}, -0.0, unit("bf16", "8,24", "rne"));
  CHECK(!std::signbit(nvidia));
}

TEST_CASE("gemm --align and --normalised-products: the aligner variants on hand-made terms", "[cli_gemm_model_flags]") {
  // L = 2, F = 3, E = 0 (the product 1*1): terms cut to multiples of 2^-3. 7/32 is 1.75 eighths:
  // truncated (rtz) 1/8, rounded to nearest (rne) 2/8. -7/32: -1/8 truncated, -2/8 rounded.
  const std::vector<double> a{1.0, 7.0 / 32}, b{1.0, 1.0};
  CHECK(dot("al_rtz", a, b, 0.0, unit("bf16", "2,3", "rtz")) == 1.125);
  CHECK(dot("al_rne", a, b, 0.0, unit("bf16", "2,3", "rtz", {"--align", "rne"})) == 1.25);
  CHECK(dot("al_rtz_neg", a, {1.0, -1.0}, 0.0, unit("bf16", "2,3", "rtz")) == 0.875);
  CHECK(dot("al_rne_neg", a, {1.0, -1.0}, 0.0, unit("bf16", "2,3", "rtz", {"--align", "rne"})) == 0.75);
  // 1.5*1.5 = 2.25: unnormalised exponent e(a)+e(b) = 0, normalised floor(log2 2.25) = 1. With
  // F = 3 the grid is 2^-3 or 2^-2, so the second term 1/8 is kept (2.375) or truncated away (2.25).
  const std::vector<double> p{1.5, 0.125}, q{1.5, 1.0};
  CHECK(dot("np_off", p, q, 0.0, unit("bf16", "2,3", "rtz")) == 2.375);
  CHECK(dot("np_on", p, q, 0.0, unit("bf16", "2,3", "rtz", {"--normalised-products"})) == 2.25);
}

TEST_CASE("gemm / check gemm: bad model flags are exit 2 naming the flag, with no output file",
          "[cli_gemm_model_flags]") {
  const std::vector<double> a{1.0, 2.0}, b{1.0, 1.0};
  const struct {
    std::vector<std::string> model;
    const char* want;
  } bad[] = {
      // Values outside the accepted lists: CLI11 names the flag, the library's message lists them.
      {unit("bf16", "8,24", "rtz", {"--align", "rna"}), "--align: rna not in {rtz,rne}"},
      {unit("bf16", "8,24", "rtz", {"--subnormals", "daz"}), "--subnormals: subnormals: unknown rule 'daz' (accepted: keep, flush-inputs, flush-results, flush)"},
      {unit("bf16", "8,24", "rtz", {"--unit-overflow", "wrap"}), "--unit-overflow: unit_overflow: unknown rule 'wrap' (accepted: exact-sum, ieee, saturate)"},
      {unit("bf16", "8,24", "rtz", {"--zero-sign", "neg"}), "--zero-sign: zero_sign: unknown rule 'neg' (accepted: positive, ieee)"},
      {unit("bf16", "8,24", "rtz", {"--outer-format", "fp17"}), "--outer-format: unknown format 'fp17'"},
      {unit("bf16", "8,24", "rtz", {"--c-rounding", "bogus"}), "--c-rounding: "},
      {unit("bf16", "8,24", "rtz", {"--c-format", "fp16", "--c-rounding", "sr"}), "c_rounding: sr is stochastic"},
      // Combinations.
      {{"--a-format", "bf16", "--zero-sign", "ieee"}, "zero_sign: a part of the fused block-FMA unit; give block_fma"},
      {{"--a-format", "bf16", "--interleaved-pairs"}, "interleaved_pairs: a part of the fused block-FMA unit"},
      {{"--model", "a100-bf16", "--c-format", "fp16"}, "c_format: a named model (a100-bf16) fixes its accumulator"},
      {{"--model", "a100-bf16", "--outer-format", "fp16"}, "outer_format: a named model (a100-bf16)"},
      {{"--model", "a100-bf16", "--normalised-products"}, "normalised_products: a named model (a100-bf16)"},
      {unit("bf16", "8,24", "rtz", {"--interleaved-pairs", "--promote", "8"}),
       "interleaved_pairs: promote 8 must be a multiple of 2L = 16"},
  };
  int n = 0;
  for (const auto& c : bad) {
    const std::string tag = "bad" + std::to_string(n++);
    fs::remove(scratch(tag + "_D.npy"));
    const ProcResult r = gemm_on(tag, a, b, {0.0}, 1, 2, 1, c.model);
    INFO(c.want << "\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, c.want));
    CHECK(!fs::exists(scratch(tag + "_D.npy")));
    // check gemm (same registration) refuses alike.
    std::vector<std::string> args{"check", "gemm"};
    const auto ops = operands(tag);
    args.insert(args.end(), ops.begin(), ops.end());
    args.insert(args.end(), {"--got", scratch(tag + "_C.npy")});
    args.insert(args.end(), c.model.begin(), c.model.end());
    const ProcResult ck = run_cli(args);
    INFO(ck.err);
    CHECK(ck.exit_code == 2);
    CHECK(has(ck.err, c.want));
  }
}

TEST_CASE("gemm: every model fit can find has flags, and they run that model's arithmetic", "[cli_gemm_model_flags]") {
  // The search space of E4M3 data whose results are fp16 and bf16 values (small integers), so
  // that it holds every kind of candidate: units with each C entry, promotion and outer rounding,
  // fp16 steps reading C in fp16, interleaved pairs, the aligner variants, scalar accumulators, and
  // each with D converted to fp16 or bf16.
  const int K = 64;
  const floatscope::Format e4m3 = floatscope::parse_format("e4m3");
  floatscope::DotCases data;
  data.K = K;
  data.a.assign(K, 1.0);
  data.b.assign(K, 1.0);
  data.c = {0.0};
  data.d = {64.0};
  floatscope::FitSpace space;
  space.a_format = space.b_format = e4m3;
  space.L_max = 4;
  space.F_min = 20;
  space.F_max = 21;
  space.aligners = floatscope::AlignerSearch::all;
  const auto candidates = floatscope::fit_candidates(data, space);
  REQUIRE(candidates.size() > 100);

  // Each candidate's parts as features; one candidate for every feature not yet covered runs.
  std::vector<std::string> covered;
  std::vector<const floatscope::FitModel*> chosen;
  std::size_t without_flags = 0;
  for (const auto& m : candidates) {
    const floatscope::Accumulator& acc = m.acc;
    if (!floatscope::gemm_flags(acc, K)) {
      ++without_flags;
      continue;
    }
    std::vector<std::string> f;
    const auto mode = [](const floatscope::Rounding& r) { return std::string(floatscope::mode_name(r.mode)); };
    if (acc.fused) {
      const auto& u = *acc.fused;
      f = {"out=" + u.out.name + "/" + std::string(floatscope::mode_name(u.out_mode)),
           "align=" + std::string(floatscope::mode_name(u.align_mode)),
           std::string("normalised=") + (u.normalized_products ? "1" : "0"),
           std::string("interleaved=") + (u.pair_interleave ? "1" : "0"),
           std::string("c-after=") + (u.c_outside ? "1" : "0"),
           acc.promote == 0 ? "promote=none" : acc.promote >= K ? "promote=end" : "promote=interval",
           std::string("whole-K=") + (u.L == K ? "1" : "0")};
      if (acc.promote > 0) f.push_back("outer=" + acc.outer_format.name + "/" + mode(acc.outer_rounding));
    } else {
      f = {"acc=" + acc.acc_format.name + "/" + mode(acc.acc_rounding), "order=" + acc.order.describe()};
    }
    f.push_back(acc.c_format ? "c-read=" + acc.c_format->name : "c-read=none");
    f.push_back(acc.output_format ? "output=" + acc.output_format->name + "/" + mode(acc.output_rounding)
                                  : "output=none");
    bool adds = false;
    for (const auto& x : f)
      if (std::find(covered.begin(), covered.end(), x) == covered.end()) {
        covered.push_back(x);
        adds = true;
      }
    if (adds) chosen.push_back(&m);
  }
  CHECK(without_flags == 0);
  INFO(chosen.size() << " candidates run");
  CHECK(chosen.size() >= 20);

  // E4M3 inputs (exponents -6..2) and an fp32 C: small sums that stay inside fp16 and e8mX ranges.
  const int M = 4, N = 4;
  const auto A = grid_values(M * K, 3, -6, 2, 11), B = grid_values(K * N, 3, -6, 2, 12);
  const auto C = fp32_c(M * N, 13);
  const std::string tag = "space";
  floatscope::write_npy(scratch(tag + "_A.npy"), A.data(), {M, K});
  floatscope::write_npy(scratch(tag + "_B.npy"), B.data(), {K, N});
  floatscope::write_npy(scratch(tag + "_C.npy"), C.data(), {M, N});
  for (const floatscope::FitModel* m : chosen) {
    const std::string flags = *floatscope::gemm_flags(m->acc, K);
    INFO(m->label << "\n" << flags);
    // The oracle: the library's emulation of the candidate Accumulator itself (no flag involved).
    const auto want = floatscope::emulate_gemm(m->acc, M, N, K, A.data(), B.data(), C.data(), 1).C;
    const auto got = run_gemm(tag, words(flags), tag + "_D.npy");
    REQUIRE(got.size() == want.size());
    CHECK(differing(got, want) == 0);
  }
}
