// Every deterministic rounding mode of every preset format (<= 16 bits, tf32, fp32, fp64) and of a
// few custom formats, checked against the independent MPFR oracle (tests/support/mpfr_oracle.hpp).
//
// Inputs per format: every representable value, every midpoint between neighbours and the doubles
// next to both, values beyond the largest finite and around/below the smallest subnormal, +-0,
// +-Inf, NaN, and random doubles with log-uniform exponents over the format's range (+-4 binades),
// random sign and random 52-bit mantissas. Each input goes through round(), round_array(double)
// and, when the format's values are floats and the input is a float, round_array(float).
//
// Semantics that the specifications leave open, as decided for the project and as the oracle
// implements them (see mpfr_oracle.hpp):
//   - formats without subnormals: below 2^emin the grid is the multiples of 2^emin, so a tie at
//     2^(emin-1) rounds to 0 under RNE and to 2^emin under RNA;
//   - unsigned formats (other than E8M0): negative nonzero inputs give NaN, -0 gives +0;
//   - a NaN result keeps the input's sign where the format has signed NaNs (IEEE, fn);
//   - "e4m3:subnormals=off" is a custom IEEE-style e4m3 (bias 7, Inf/NaN in the top binade),
//     since options build on the generic eXmY, not on the OCP preset of the same name.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "floatscope/codec.hpp"
#include "floatscope/format.hpp"
#include "floatscope/rounding.hpp"
#include "mpfr_oracle.hpp"

namespace {

using floatscope::Format;
using floatscope::Mode;
using floatscope::Overflow;

constexpr Mode kModes[] = {Mode::rne, Mode::rna, Mode::rtz, Mode::rup, Mode::rdn, Mode::rto};
constexpr Overflow kPolicies[] = {Overflow::spec, Overflow::saturate};
constexpr double kInf = std::numeric_limits<double>::infinity();

const char* policy_name(Overflow o) { return o == Overflow::spec ? "spec" : "saturate"; }

bool signed_nan(const Format& f) {
  return f.is_signed && (f.specials == floatscope::Specials::ieee || f.specials == floatscope::Specials::fn);
}

bool same(double got, double want, const Format& f) {
  if (std::isnan(want))
    return std::isnan(got) && (!signed_nan(f) || std::signbit(got) == std::signbit(want));
  return std::bit_cast<std::uint64_t>(got) == std::bit_cast<std::uint64_t>(want);
}

// Rounds xs through every entry point and counts disagreements with the oracle; prints the first few.
std::uint64_t mismatches(const Format& f, const std::vector<double>& xs, Mode m, Overflow ov) {
  const floatscope::Rounding r{m, ov};
  std::vector<double> want(xs.size()), arr(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) want[i] = floatscope::oracle::oracle_round(xs[i], f, m, ov);
  floatscope::round_array(xs, arr, f, r);
  std::vector<float> fin, fout;
  std::vector<std::size_t> fidx;
  if (f.values_are_floats()) {
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const float v = static_cast<float>(xs[i]);
      if (std::isnan(xs[i]) || static_cast<double>(v) == xs[i]) {
        fin.push_back(v);
        fidx.push_back(i);
      }
    }
    fout.resize(fin.size());
    floatscope::round_array(fin, fout, f, r);
  }
  std::uint64_t bad = 0;
  const auto report = [&](const char* path, double x, double got, double exp) {
    if (++bad <= 8)
      std::printf("MISMATCH %s format=%s mode=%s overflow=%s x=%a got=%a expected=%a\n", path,
                  f.name.c_str(), std::string(floatscope::mode_name(m)).c_str(), policy_name(ov), x,
                  got, exp);
  };
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double one = floatscope::round(xs[i], f, r);
    if (!same(one, want[i], f)) report("round", xs[i], one, want[i]);
    else if (!same(arr[i], want[i], f)) report("round_array", xs[i], arr[i], want[i]);
  }
  for (std::size_t j = 0; j < fin.size(); ++j) {
    const double exp = want[fidx[j]];
    if (!same(static_cast<double>(fout[j]), exp, f)) report("round_array(float)", fin[j], fout[j], exp);
  }
  return bad;
}

// The values of a format of at most 16 bits (int8's unused code 0x80 is not a value).
std::vector<double> all_values(const Format& f) {
  std::vector<double> v;
  for (std::uint64_t c = 0; c < (std::uint64_t{1} << f.width); ++c) {
    try {
      const double x = floatscope::decode(c, f);
      if (std::isfinite(x)) v.push_back(x);
    } catch (const std::domain_error&) {
    }
  }
  return v;
}

// Values of a wide format: whole binades at the bottom, around 1 and at the top, plus the first
// and last `edge` mantissas of every exponent field and `sample` random codes.
std::vector<double> some_values(const Format& f, int edge, int sample, std::uint64_t seed) {
  std::vector<double> v;
  const std::uint64_t top = (std::uint64_t{1} << f.exp_bits) - 1;
  const std::uint64_t mans = std::uint64_t{1} << f.man_bits;
  const auto add = [&](std::uint64_t field, std::uint64_t man) {
    if (field > top || man >= mans) return;
    for (std::uint64_t s : {std::uint64_t{0}, std::uint64_t{1}}) {
      const std::uint64_t code = (s << (f.width - 1)) | (field << f.man_bits) | man;
      const double x = floatscope::decode(code, f);
      if (std::isfinite(x)) v.push_back(x);
    }
  };
  const std::uint64_t full = f.man_bits <= 12 ? mans : 0;
  for (std::uint64_t field : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{2},
                              std::uint64_t(f.bias), top - 2, top - 1, top})
    for (std::uint64_t m = 0; m < full; ++m) add(field, m);
  for (std::uint64_t field = 0; field <= top; ++field)
    for (std::uint64_t k = 0; k < static_cast<std::uint64_t>(edge) && k < mans; ++k) {
      add(field, k);
      add(field, mans - 1 - k);
    }
  std::mt19937_64 g(seed);
  for (int i = 0; i < sample; ++i) add(g() % (top + 1), g() % mans);
  return v;
}

// Values, neighbours, midpoints +- one double ulp, the overflow threshold and the underflow zone.
std::vector<double> structured_inputs(const Format& f, std::vector<double> vals) {
  std::sort(vals.begin(), vals.end());
  vals.erase(std::unique(vals.begin(), vals.end()), vals.end());
  std::vector<double> xs;
  const auto with_neighbours = [&](double x) {
    xs.push_back(x);
    xs.push_back(std::nextafter(x, -kInf));
    xs.push_back(std::nextafter(x, kInf));
  };
  for (std::size_t i = 0; i < vals.size(); ++i) {
    with_neighbours(vals[i]);
    // Midpoints are exact doubles while p <= 52 (p + 1 bits); fp64 has no midpoints in double.
    if (i + 1 < vals.size() && f.precision <= 52) with_neighbours(vals[i] + (vals[i + 1] - vals[i]) / 2);
  }
  const double max = f.max_finite;
  const double top_gap = std::ldexp(1.0, f.emax - f.man_bits);  // quantum of the top binade
  const double sub = f.min_subnormal;
  for (double s : {1.0, -1.0}) {
    for (double x : {max, max + top_gap / 2, max + top_gap, max + 1.5 * top_gap, max + 2 * top_gap,
                     2 * max, 4 * max, 1e30, 1e300, std::numeric_limits<double>::max()})
      if (std::isfinite(x)) with_neighbours(s * x);
    for (double x : {sub, sub / 2, sub / 4, 0.75 * sub, 1.5 * sub, f.min_normal,
                     f.min_normal / 2, 0x1p-1074, 0x3p-1074, 0x1p-1023, 0x1p-1022, 1e-300})
      with_neighbours(s * x);
  }
  for (double x : {0.0, -0.0, kInf, -kInf, std::numeric_limits<double>::quiet_NaN(),
                   -std::numeric_limits<double>::quiet_NaN()})
    xs.push_back(x);
  return xs;
}

// Random doubles: exponents uniform over [emin - m - 4, emax + 4] (clipped to doubles), random
// sign and 52-bit mantissa.
std::vector<double> random_inputs(const Format& f, std::size_t n, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  const int lo = std::max(f.emin - f.man_bits - 4, -1074), hi = std::min(f.emax + 4, 1023);
  std::uniform_int_distribution<int> exp(lo, hi);
  std::vector<double> xs(n);
  for (auto& x : xs) {
    const std::uint64_t bits = g();
    const double sig = 1.0 + static_cast<double>(bits >> 12) * 0x1p-52;
    x = std::ldexp(sig, exp(g));
    if (bits & 1) x = -x;
  }
  return xs;
}

// Checks every (mode, policy) on the structured inputs and on random ones (rne gets `n_rne`
// random inputs, every other mode `n_other`).
void check_format(const Format& f, const std::vector<double>& vals, std::size_t n_rne,
                  std::size_t n_other, std::uint64_t seed) {
  const std::vector<double> xs = structured_inputs(f, vals);
  const std::vector<double> rne_random = random_inputs(f, n_rne, seed);
  const std::vector<double> other_random = random_inputs(f, n_other, seed + 1);
  for (Mode m : kModes)
    for (Overflow ov : kPolicies) {
      INFO("format " << f.name << ", mode " << floatscope::mode_name(m) << ", overflow "
                     << policy_name(ov));
      CHECK(mismatches(f, xs, m, ov) == 0);
      CHECK(mismatches(f, m == Mode::rne ? rne_random : other_random, m, ov) == 0);
    }
}

Format format(const char* name) { return floatscope::parse_format(name); }

}  // namespace

TEST_CASE("oracle: every <= 16-bit preset, all deterministic modes", "[oracle]") {
  std::uint64_t seed = 1000;
  for (const Format& f : floatscope::preset_formats()) {
    if (f.width > 16) continue;
    // Overflow policies only differ beyond max and at Inf, which the structured inputs and the
    // random exponents (up to emax+4) both reach.
    check_format(f, all_values(f), 1000000, 200000, seed += 10);
  }
}

TEST_CASE("oracle: tf32 (19-bit), all deterministic modes", "[oracle]") {
  const Format f = format("tf32");
  check_format(f, some_values(f, 8, 4000, 7), 1000000, 100000, 77);
}

TEST_CASE("oracle: fp32 and fp64 targets, boundaries and random samples", "[oracle]") {
  const Format f32 = format("fp32");
  check_format(f32, some_values(f32, 16, 20000, 8), 300000, 50000, 88);
  const Format f64 = format("fp64");
  // Every double is an fp64 value: rounding must be the identity except for the policies at Inf.
  check_format(f64, some_values(f64, 4, 2000, 9), 100000, 20000, 99);
}

TEST_CASE("oracle: custom formats", "[oracle]") {
  for (const char* name : {"e6m9", "e5m2:specials=fnuz,bias=16", "e4m3:subnormals=off",
                           "e3m4:signed=no"}) {
    const Format f = format(name);
    check_format(f, all_values(f), 300000, 50000, std::hash<std::string>{}(name));
  }
}

TEST_CASE("oracle: e5m2 with fnuz specials and bias 16 behaves as the e5m2fnuz preset", "[oracle]") {
  const Format custom = format("e5m2:specials=fnuz,bias=16");
  const Format preset = format("e5m2fnuz");
  CHECK(custom.max_finite == preset.max_finite);
  CHECK(custom.min_normal == preset.min_normal);
  CHECK(custom.min_subnormal == preset.min_subnormal);
  std::vector<double> xs = structured_inputs(preset, all_values(preset));
  const std::vector<double> more = random_inputs(preset, 100000, 5);
  xs.insert(xs.end(), more.begin(), more.end());
  for (Mode m : kModes)
    for (Overflow ov : kPolicies) {
      std::uint64_t bad = 0;
      for (double x : xs) {
        const double a = floatscope::round(x, custom, {m, ov});
        const double b = floatscope::round(x, preset, {m, ov});
        bad += !same(a, b, preset);
      }
      INFO("mode " << floatscope::mode_name(m) << ", overflow " << policy_name(ov));
      CHECK(bad == 0);
    }
  for (std::uint64_t c = 0; c < 256; ++c) {
    const double a = floatscope::decode(c, custom), b = floatscope::decode(c, preset);
    CHECK(same(a, b, preset));
  }
}

TEST_CASE("oracle: round_to_codes gives the code of the oracle's result", "[oracle]") {
  for (const Format& f : floatscope::preset_formats()) {
    if (f.width > 16) continue;
    std::vector<double> xs;
    for (double x : structured_inputs(f, all_values(f)))
      if (!std::isnan(x) || f.has_nan()) xs.push_back(x);  // NaN has no code in FP6/FP4/int8
    for (Mode m : {Mode::rne, Mode::rtz, Mode::rup})
      for (Overflow ov : kPolicies) {
        std::vector<std::uint16_t> codes(xs.size());
        floatscope::round_to_codes(xs, codes, f, {m, ov});
        std::uint64_t bad = 0;
        for (std::size_t i = 0; i < xs.size(); ++i) {
          const double want = floatscope::oracle::oracle_round(xs[i], f, m, ov);
          // NaN codes compare as NaN (IEEE formats have many); every other value has one code.
          const double got = floatscope::decode(codes[i], f);
          bad += !(std::isnan(want) ? std::isnan(got) : codes[i] == floatscope::encode(want, f));
        }
        INFO("format " << f.name << ", mode " << floatscope::mode_name(m) << ", overflow "
                       << policy_name(ov));
        CHECK(bad == 0);
      }
  }
}
