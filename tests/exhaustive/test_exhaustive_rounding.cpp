// Exhaustive check of the fast rounding path: every float32 bit pattern rounded to every preset
// format of at most 8 bits (RNE and RTZ) and to fp16 and bf16 (RNE), plus 10^9 sampled patterns for
// the other modes and the saturating policy, against an oracle written differently from the kernel:
// the sorted table of the format's representable magnitudes, built from the specifications'
// definitions (kSpecs below: fields, bias, subnormals, special codes; not the library's
// decode_table), a binary search for the two neighbours, and explicit tie and overflow rules (ties
// to the neighbour with the even code; E8M0 ties to the larger power).
//
// Environment: FLOATSCOPE_EXHAUSTIVE_STRIDE=N checks every Nth pattern (and 1/N of the samples),
// for a quick run; the default 1 is the full check: about 17 minutes on 2 shared cores, extrapolated
// from a stride-61 run (16 s for the exhaustive part, 2 s for the samples).
#include <catch2/catch.hpp>

#include <omp.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "floatscope/format.hpp"
#include "floatscope/random.hpp"
#include "floatscope/rounding.hpp"

namespace {

using floatscope::Format;
using floatscope::Mode;
using floatscope::Overflow;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::uint64_t stride() {
  const char* s = std::getenv("FLOATSCOPE_EXHAUSTIVE_STRIDE");
  const long v = s ? std::atol(s) : 1;
  return v > 1 ? static_cast<std::uint64_t>(v) : 1;
}

// Magnitude rounding directions: every deterministic mode is one of these once the sign is known.
enum class Dir { nearest_even, nearest_away, toward_zero, away_from_zero, odd };

Dir dir_of(Mode m, bool negative) {
  switch (m) {
    case Mode::rne: return Dir::nearest_even;
    case Mode::rna: return Dir::nearest_away;
    case Mode::rtz: return Dir::toward_zero;
    case Mode::rup: return negative ? Dir::toward_zero : Dir::away_from_zero;
    case Mode::rdn: return negative ? Dir::away_from_zero : Dir::toward_zero;
    default: return Dir::odd;
  }
}

// What the oracle needs of a format, written from the specifications (docs/references.md s.1: OCP OFP8
// rev 1.0 Table 1, OCP MX v1.0 s.5, IEEE 754-2019 Table 3.5, ml_dtypes for FNUZ), not taken from
// the library: the codes, their values, the special codes and the overflow value.
enum class Kind { binary, e8m0, int8 };
enum class OverflowTo { inf, nan, max };  // non-saturating overflow result

struct Spec {
  const char* name;
  Kind kind;
  int e, m, bias;      // binary: exponent and fraction field widths, bias
  bool ieee_top;       // binary: the all-ones exponent field is Inf/NaN (IEEE)
  bool fn_top;         // binary: only the all-ones code (S.1111.111) is NaN (OCP E4M3)
  bool negative_zero;  // the format has -0 (not FNUZ, E8M0 or the two's complement MXINT8)
  OverflowTo overflow;
};

constexpr Spec kSpecs[] = {
    {"fp16", Kind::binary, 5, 10, 15, true, false, true, OverflowTo::inf},
    {"bf16", Kind::binary, 8, 7, 127, true, false, true, OverflowTo::inf},
    {"e4m3", Kind::binary, 4, 3, 7, false, true, true, OverflowTo::nan},
    {"e5m2", Kind::binary, 5, 2, 15, true, false, true, OverflowTo::inf},
    {"e4m3fnuz", Kind::binary, 4, 3, 8, false, false, false, OverflowTo::nan},  // NaN = 0x80
    {"e5m2fnuz", Kind::binary, 5, 2, 16, false, false, false, OverflowTo::nan},
    {"e3m2", Kind::binary, 3, 2, 3, false, false, true, OverflowTo::max},
    {"e2m3", Kind::binary, 2, 3, 1, false, false, true, OverflowTo::max},
    {"e2m1", Kind::binary, 2, 1, 1, false, false, true, OverflowTo::max},
    {"e8m0", Kind::e8m0, 8, 0, 127, false, false, false, OverflowTo::nan},  // 2^(c-127), 0xFF NaN
    {"int8", Kind::int8, 0, 0, 0, false, false, false, OverflowTo::max},    // k/64, |k| <= 127
};

const Spec& spec_of(const Format& f) {
  for (const Spec& s : kSpecs)
    if (f.name == s.name) return s;
  FAIL("no specification entry for format " << f.name << ": add it to kSpecs");
  throw std::logic_error("unreachable");
}

struct Entry {
  double value;
  std::uint64_t code;
};

// The non-negative finite values of a format with their codes, from its definition alone.
std::vector<Entry> spec_values(const Spec& s) {
  std::vector<Entry> out;
  switch (s.kind) {
    case Kind::e8m0:
      for (std::uint64_t c = 0; c < 255; ++c) out.push_back({std::ldexp(1.0, static_cast<int>(c) - 127), c});
      break;
    case Kind::int8:
      for (std::uint64_t k = 0; k <= 127; ++k) out.push_back({static_cast<double>(k) / 64, k});
      break;
    case Kind::binary: {
      const std::uint64_t top = (std::uint64_t{1} << s.e) - 1, mmask = (std::uint64_t{1} << s.m) - 1;
      for (std::uint64_t c = 0; c < (std::uint64_t{1} << (s.e + s.m)); ++c) {
        const std::uint64_t E = c >> s.m, M = c & mmask;
        if (s.ieee_top && E == top) continue;               // Inf and NaN
        if (s.fn_top && E == top && M == mmask) continue;   // the one NaN code
        const double v = E == 0 ? std::ldexp(static_cast<double>(M), 1 - s.bias - s.m)
                                : std::ldexp(static_cast<double>((mmask + 1) | M),
                                             static_cast<int>(E) - s.bias - s.m);
        out.push_back({v, c});
      }
      break;
    }
  }
  return out;
}

// The format as a sorted table of its non-negative values and their codes.
class TableOracle {
 public:
  explicit TableOracle(const Format& f) : s_(spec_of(f)) {
    entries_ = spec_values(s_);
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return a.value < b.value; });
    max_ = entries_.back().value;
    // The grid point after max if the exponent were unbounded: one top-binade step further
    // (E8M0's steps are powers of two).
    e8m0_ = s_.kind == Kind::e8m0;
    beyond_ = e8m0_ ? 2 * max_ : 2 * max_ - entries_[entries_.size() - 2].value;
    max_code_even_ = (entries_.back().code & 1) == 0;
  }

  // The largest finite value by the specification (compared with the library's in the test).
  double max_finite() const { return max_; }

  double operator()(double x, Mode m, Overflow ov) const {
    if (std::isnan(x)) return std::copysign(kNaN, x);
    const bool neg = std::signbit(x);
    // E8M0 is unsigned and has no zero: negative values and zeros have no code (NaN).
    if (e8m0_ && (neg || x == 0)) return kNaN;
    const double a = std::fabs(x);
    const Dir d = dir_of(m, neg);
    double r;
    if (std::isinf(a)) {
      r = overflow(true, ov);
    } else if (a > max_) {
      r = beyond_max(a, d, ov);
    } else {
      r = within(a, d);
    }
    if (std::isnan(r)) return std::copysign(kNaN, x);
    if (r == 0) return neg && s_.negative_zero ? -0.0 : 0.0;
    return neg ? -r : r;
  }

 private:
  double overflow(bool to_infinity, Overflow ov) const {
    if (ov == Overflow::saturate || !to_infinity || s_.overflow == OverflowTo::max) return max_;
    return s_.overflow == OverflowTo::inf ? kInf : kNaN;
  }

  double beyond_max(double a, Dir d, Overflow ov) const {
    const double mid = max_ + (beyond_ - max_) / 2;
    switch (d) {
      case Dir::toward_zero:
      case Dir::odd: return max_;  // round-to-odd overflows like toward-zero
      case Dir::away_from_zero: return overflow(true, ov);
      case Dir::nearest_away: return a >= mid ? overflow(true, ov) : max_;
      case Dir::nearest_even:
        if (a != mid) return a > mid ? overflow(true, ov) : max_;
        return (e8m0_ || !max_code_even_) ? overflow(true, ov) : max_;
    }
    return kNaN;
  }

  double within(double a, Dir d) const {
    // First entry >= a.
    const auto it = std::lower_bound(entries_.begin(), entries_.end(), a,
                                     [](const Entry& e, double v) { return e.value < v; });
    if (it->value == a) return a;
    if (it == entries_.begin()) return it->value;  // E8M0 below 2^-127: there is no zero
    const Entry& lo = *(it - 1);
    const Entry& hi = *it;
    switch (d) {
      case Dir::toward_zero: return lo.value;
      case Dir::away_from_zero: return hi.value;
      case Dir::odd:
        if (e8m0_) return lo.value;  // 2^k has the odd significand 1
        return (lo.code & 1) ? lo.value : hi.value;
      case Dir::nearest_away:
      case Dir::nearest_even: {
        const double mid = lo.value + (hi.value - lo.value) / 2;  // exact: <= 12 bits
        if (a < mid) return lo.value;
        if (a > mid) return hi.value;
        if (d == Dir::nearest_away || e8m0_) return hi.value;
        return (lo.code & 1) == 0 ? lo.value : hi.value;
      }
    }
    return kNaN;
  }

  Spec s_;
  std::vector<Entry> entries_;
  double max_ = 0, beyond_ = 0;
  bool e8m0_ = false, max_code_even_ = false;
};

bool same(double got, double want) {
  if (std::isnan(want)) return std::isnan(got);
  return std::bit_cast<std::uint64_t>(got) == std::bit_cast<std::uint64_t>(want);
}

// Rounds the float patterns pattern(i), i in [0, n), through round_array in chunks (one OpenMP
// thread per chunk) and compares with the table oracle. Returns the mismatch count.
template <class Pattern>
std::uint64_t check(const Format& f, Mode m, Overflow ov, std::uint64_t n, Pattern pattern) {
  const TableOracle oracle(f);
  const floatscope::Rounding r{m, ov};
  constexpr std::uint64_t kChunk = 1 << 16;
  const long long chunks = static_cast<long long>((n + kChunk - 1) / kChunk);
  std::uint64_t bad = 0;
#pragma omp parallel reduction(+ : bad)
  {
    std::vector<double> in(kChunk), out(kChunk);
#pragma omp for schedule(dynamic, 4)
    for (long long c = 0; c < chunks; ++c) {
      const std::uint64_t lo = static_cast<std::uint64_t>(c) * kChunk;
      const std::size_t len = static_cast<std::size_t>(std::min(kChunk, n - lo));
      for (std::size_t i = 0; i < len; ++i)
        in[i] = static_cast<double>(std::bit_cast<float>(pattern(lo + i)));
      floatscope::round_array(std::span<const double>(in.data(), len),
                              std::span<double>(out.data(), len), f, r, 0, 1);
      for (std::size_t i = 0; i < len; ++i) {
        const double want = oracle(in[i], m, ov);
        if (!same(out[i], want)) {
          ++bad;
#pragma omp critical
          if (bad <= 5)
            std::printf("MISMATCH format=%s mode=%s overflow=%s pattern=0x%08x x=%a got=%a expected=%a\n",
                        f.name.c_str(), std::string(floatscope::mode_name(m)).c_str(),
                        ov == Overflow::spec ? "spec" : "saturate", pattern(lo + i), in[i], out[i],
                        want);
        }
      }
    }
  }
  return bad;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<Format> small_presets() {
  std::vector<Format> out;
  for (const auto& f : floatscope::preset_formats())
    if (f.width <= 8) out.push_back(f);
  return out;
}

}  // namespace

TEST_CASE("exhaustive: the oracle's tables give the published constants", "[exhaustive]") {
  // docs/references.md s.1: largest finite value and number of non-negative finite values per format,
  // so a wrong field in kSpecs cannot pass unnoticed; the library's format agrees on max finite.
  struct Published {
    const char* name;
    double max;
    std::size_t count;
  };
  const Published published[] = {
      {"fp16", 65504, 31 * 1024},  {"bf16", std::ldexp(2 - std::ldexp(1.0, -7), 127), 255 * 128},
      {"e4m3", 448, 127},          {"e5m2", 57344, 31 * 4},
      {"e4m3fnuz", 240, 128},      {"e5m2fnuz", 57344, 128},
      {"e3m2", 28, 32},            {"e2m3", 7.5, 32},
      {"e2m1", 6, 8},              {"e8m0", std::ldexp(1.0, 127), 255},
      {"int8", 127.0 / 64, 128},
  };
  for (const Published& p : published) {
    const Format f = floatscope::parse_format(p.name);
    INFO(p.name);
    CHECK(spec_values(spec_of(f)).size() == p.count);
    CHECK(TableOracle(f).max_finite() == p.max);
    CHECK(f.max_finite == p.max);
  }
  // E2M1's magnitudes are listed in full.
  std::vector<double> e2m1;
  for (const Entry& e : spec_values(spec_of(floatscope::parse_format("e2m1")))) e2m1.push_back(e.value);
  std::sort(e2m1.begin(), e2m1.end());
  CHECK(e2m1 == std::vector<double>{0, 0.5, 1, 1.5, 2, 3, 4, 6});
  // Every format the exhaustive cases round into has an entry.
  for (const auto& f : small_presets()) CHECK_NOTHROW(spec_of(f));
}

TEST_CASE("exhaustive: every float32 pattern to every <= 8-bit format (rne, rtz) and fp16/bf16 (rne)",
          "[exhaustive]") {
  const std::uint64_t step = stride();
  const std::uint64_t n = ((std::uint64_t{1} << 32) + step - 1) / step;
  const auto pattern = [step](std::uint64_t i) { return static_cast<std::uint32_t>(i * step); };
  std::printf("exhaustive: %llu patterns per (format, mode), stride %llu, %d threads\n",
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(step),
              omp_get_max_threads());
  std::vector<std::pair<Format, Mode>> jobs;
  for (const auto& f : small_presets())
    for (Mode m : {Mode::rne, Mode::rtz}) jobs.emplace_back(f, m);
  jobs.emplace_back(floatscope::parse_format("fp16"), Mode::rne);
  jobs.emplace_back(floatscope::parse_format("bf16"), Mode::rne);
  for (const auto& [f, m] : jobs) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t bad = check(f, m, Overflow::spec, n, pattern);
    std::printf("  %-9s %-3s %8.2f s  %llu mismatches\n", f.name.c_str(),
                std::string(floatscope::mode_name(m)).c_str(), seconds_since(t0),
                static_cast<unsigned long long>(bad));
    INFO("format " << f.name << ", mode " << floatscope::mode_name(m));
    CHECK(bad == 0);
  }
}

TEST_CASE("exhaustive: 10^9 sampled float32 patterns, other modes and saturation", "[exhaustive]") {
  // Modes rna, rup, rdn, rto under both policies and rne, rtz saturating, spread over the same
  // formats: 10^9 patterns in all (divided by the stride).
  std::vector<Format> formats = small_presets();
  formats.push_back(floatscope::parse_format("fp16"));
  formats.push_back(floatscope::parse_format("bf16"));
  struct Job {
    Mode m;
    Overflow ov;
  };
  std::vector<Job> jobs;
  for (Mode m : {Mode::rna, Mode::rup, Mode::rdn, Mode::rto})
    for (Overflow ov : {Overflow::spec, Overflow::saturate}) jobs.push_back({m, ov});
  jobs.push_back({Mode::rne, Overflow::saturate});
  jobs.push_back({Mode::rtz, Overflow::saturate});
  const std::uint64_t per = 1000000000ULL / (formats.size() * jobs.size()) / stride();
  std::uint64_t seed = 1;
  for (const auto& f : formats) {
    const auto t0 = std::chrono::steady_clock::now();
    std::uint64_t bad = 0;
    for (const auto& j : jobs) {
      const floatscope::CounterRng rng(++seed);
      bad += check(f, j.m, j.ov, per, [&rng](std::uint64_t i) {
        return static_cast<std::uint32_t>(rng.bits(i));
      });
    }
    std::printf("  %-9s sampled %llu x %zu  %8.2f s  %llu mismatches\n", f.name.c_str(),
                static_cast<unsigned long long>(per), jobs.size(), seconds_since(t0),
                static_cast<unsigned long long>(bad));
    INFO("format " << f.name);
    CHECK(bad == 0);
  }
}
