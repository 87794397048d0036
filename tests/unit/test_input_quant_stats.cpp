// Per-operand input quantisation statistics (CSV columns a_flushed_frac ... b_overflow_frac):
// hand-made inputs whose fate in each format follows from the format's constants
// (docs/references.md s.1: smallest subnormal, smallest normal, largest finite) and the
// conversion rules of s.2 (round to nearest even; magnitudes below half the smallest subnormal
// become zero, exactly half is a tie that goes to the even zero; non-saturating overflow gives
// Inf in fp16, bf16, E5M2 and NaN in E4M3).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "floatscope/experiment.hpp"

using floatscope::ExperimentResult;
using floatscope::ExperimentSpec;
using floatscope::result_values;
using floatscope::run_experiment_on;

namespace {

struct FormatConsts {
  const char* name;
  double min_sub, min_normal, max, overflow_tie;  // overflow_tie: max + half its ulp
};

// From docs/references.md s.1 (and the ulp of max: 2^(emax - man_bits)).
const FormatConsts kFormats[] = {
    {"fp16", 0x1p-24, 0x1p-14, 65504, 65504 + 16},
    {"bf16", 0x1p-133, 0x1p-126, 0x1.fep127, 0x1.fep127 + 0x1p119},
    {"e5m2", 0x1p-16, 0x1p-14, 57344, 57344 + 4096},
    {"e4m3", 0x1p-9, 0x1p-6, 448, 448 + 16},
};

// 14 inputs: 3 flushed, 3 become nonzero subnormals, 4 overflow, 4 neither.
struct Case {
  std::vector<double> x;
  int flushed = 3, subnormal = 3, overflow = 4;
};

Case cases_for(const FormatConsts& f) {
  const double s = f.min_sub, n = f.min_normal, inf = std::numeric_limits<double>::infinity();
  Case c;
  c.x = {
      s / 2,                       // tie between 0 and s: to the even 0 (flushed)
      std::nextafter(s / 2, 0.0),  // below half: 0 (flushed)
      -s / 4,                      // 0 with its sign (flushed)
      std::nextafter(s / 2, 1.0),  // just above half: s (subnormal)
      -s,                          // exactly the smallest subnormal
      3 * s,                       // a subnormal (3s < n in all four formats)
      n - s / 4,                   // below the smallest normal but rounds up to it: normal
      0.0,                         // a zero input is not "flushed"
      1.0,
      -f.max,                      // the largest finite value itself: no overflow
      std::nextafter(f.max, inf),  // beyond max: rounds back to max, but beyond it (overflow)
      f.overflow_tie,              // the tie above max (Inf, or for E4M3 back to max: even)
      -std::nextafter(f.overflow_tie, inf),  // past the tie: -Inf (-NaN... NaN in E4M3)
      2 * f.max,
  };
  return c;
}

std::map<std::string, double> values_of(const ExperimentResult& r, std::map<std::string, bool>* counted = nullptr) {
  std::map<std::string, double> m;
  for (const auto& v : result_values(r)) {
    m[std::string(v.name)] = v.value;
    if (counted) (*counted)[std::string(v.name)] = v.counted;
  }
  return m;
}

ExperimentSpec spec_for(const char* format, int K, double scale_a, double scale_b) {
  ExperimentSpec s;
  s.a_format = s.b_format = format;
  s.acc_format = "fp32";
  s.M = s.N = 1;
  s.K = K;
  s.scale_a = scale_a;
  s.scale_b = scale_b;
  s.input_overflow = "spec";  // the format's rule: Inf or NaN, so the outcomes above hold
  s.reference = "none";       // Inf/NaN inputs: only the quantisation is under test here
  return s;
}

}  // namespace

TEST_CASE("input quantisation statistics: flushed, subnormal and overflow per operand and format",
          "[experiment][quant_stats]") {
  for (const FormatConsts& f : kFormats) {
    const Case c = cases_for(f);
    const int K = static_cast<int>(c.x.size());
    const std::vector<double> ones(c.x.size(), 1.0);
    // A loss scale S = 2^10 is scale = 2^-10: inputs x / S quantise as round(x / scale) = x.
    for (const double scale : {1.0, 0x1p-10}) {
      INFO(f.name << " scale " << scale);
      std::vector<double> xs = c.x;
      for (double& v : xs) v *= scale;  // exact: powers of two, no double underflow here
      SECTION(std::string(f.name) + " A" + (scale == 1 ? "" : " scaled")) {
        const ExperimentResult r = run_experiment_on(spec_for(f.name, K, scale, 1.0), xs.data(), ones.data(), nullptr, 1);
        auto v = values_of(r);
        CHECK(v["a_flushed_frac"] == static_cast<double>(c.flushed) / K);
        CHECK(v["a_subnormal_frac"] == static_cast<double>(c.subnormal) / K);
        CHECK(v["a_overflow_frac"] == static_cast<double>(c.overflow) / K);
        CHECK(v["b_flushed_frac"] == 0);
        CHECK(v["b_subnormal_frac"] == 0);
        CHECK(v["b_overflow_frac"] == 0);
        CHECK(v["input_overflow_count"] == c.overflow);
      }
      SECTION(std::string(f.name) + " B" + (scale == 1 ? "" : " scaled")) {
        const ExperimentResult r = run_experiment_on(spec_for(f.name, K, 1.0, scale), ones.data(), xs.data(), nullptr, 1);
        auto v = values_of(r);
        CHECK(v["b_flushed_frac"] == static_cast<double>(c.flushed) / K);
        CHECK(v["b_subnormal_frac"] == static_cast<double>(c.subnormal) / K);
        CHECK(v["b_overflow_frac"] == static_cast<double>(c.overflow) / K);
        CHECK(v["a_flushed_frac"] == 0);
        CHECK(v["a_overflow_frac"] == 0);
      }
    }
  }
}

TEST_CASE("input quantisation statistics: the outcomes behind the counts", "[experiment][quant_stats]") {
  // The same inputs through fp16 with the elements kept: what the counts claim happened did.
  // Row i of A (M = 14, K = 1) is input i, B = 1, so D[i] is element i exactly (fp32 accumulator,
  // one product) -- except the non-finite ones, which stay Inf.
  const Case c = cases_for(kFormats[0]);
  const int M = static_cast<int>(c.x.size());
  ExperimentSpec s = spec_for("fp16", 1, 1.0, 1.0);
  s.M = M;
  const double one = 1.0;
  const ExperimentResult r = run_experiment_on(s, c.x.data(), &one, nullptr, 1, true);
  REQUIRE(r.C.size() == c.x.size());
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> expect = {0, 0, -0.0, 0x1p-24, -0x1p-24, 3 * 0x1p-24, 0x1p-14, 0, 1,
                                      -65504, 65504, inf, -inf, inf};
  for (std::size_t i = 0; i < expect.size(); ++i) {
    INFO("input " << c.x[i]);
    CHECK(r.C[i] == expect[i]);
  }
  // Saturating: the overflows become +-max and still count.
  s.input_overflow = "saturate";
  const ExperimentResult sat = run_experiment_on(s, c.x.data(), &one, nullptr, 1, true);
  CHECK(sat.C[11] == 65504);
  CHECK(sat.C[12] == -65504);
  CHECK(values_of(sat)["a_overflow_frac"] == 4.0 / M);
}

TEST_CASE("input quantisation statistics: block-scaled runs fill flushed and overflow only",
          "[experiment][quant_stats]") {
  // One MXFP8 (E4M3) block of 32 along K. amax 480: FLOOR takes shared_exp = floor(log2 480) - 8
  // = 0, so X = 1 (docs/references.md s.4): 480 > 448 is clamped; 2^-12 < 2^-10 (half of E4M3's
  // smallest subnormal) is flushed; 2^-8 is a subnormal, which BlockStats does not count.
  std::vector<double> a(32, 1.0), b(32, 1.0);
  a[0] = 480;
  a[1] = 0x1p-12;
  a[2] = 0x1p-8;
  ExperimentSpec s;
  s.scheme = "mxfp8-e4m3";
  s.M = s.N = 1;
  s.K = 32;
  const ExperimentResult r = run_experiment_on(s, a.data(), b.data(), nullptr, 1);
  std::map<std::string, bool> counted;
  auto v = values_of(r, &counted);
  CHECK(v["a_flushed_frac"] == 1.0 / 32);
  CHECK(v["a_overflow_frac"] == 1.0 / 32);
  CHECK_FALSE(counted["a_subnormal_frac"]);
  CHECK(v["b_flushed_frac"] == 0);
  CHECK(v["b_overflow_frac"] == 0);
  CHECK_FALSE(counted["b_subnormal_frac"]);
  CHECK(counted["a_flushed_frac"]);
}
