// Exhaustive check of the float32-lane path of round_array(float) (floatscope/detail/round_f32.hpp):
// every float32 bit pattern rounded to bf16, fp16, e4m3 and e5m2 in every deterministic mode (and
// with saturation for the nearest mode) must give the bits and events of round_array(double) on
// the same values widened, the path that test_exhaustive_rounding holds to its table oracle and
// test_round_oracle to MPFR. Runs at the widest SIMD level (the default) and, where the CPU has
// it, at AVX2.
//
// FLOATSCOPE_EXHAUSTIVE_STRIDE=N checks every Nth pattern only, for a quick run.
#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "floatscope/format.hpp"
#include "floatscope/rounding.hpp"
#include "floatscope/simd.hpp"

namespace {

using namespace floatscope;

std::uint64_t stride() {
  const char* s = std::getenv("FLOATSCOPE_EXHAUSTIVE_STRIDE");
  const long long v = s != nullptr ? std::atoll(s) : 1;
  return v > 0 ? static_cast<std::uint64_t>(v) : 1;
}

bool same(const RoundStats& a, const RoundStats& b) {
  return a.count == b.count && a.inexact == b.inexact && a.overflow == b.overflow &&
         a.underflow == b.underflow && a.flushed == b.flushed && a.nan_unrepresentable == b.nan_unrepresentable;
}

struct Job {
  Format f;
  Rounding r;
  std::string name;
  std::uint64_t first_bad = std::uint64_t{1} << 32;  // the first differing pattern
  bool events_differ = false;
};

// Rounds every stride-th pattern both ways, chunk by chunk (each chunk filled once for all jobs).
void run(std::vector<Job>& jobs, std::uint64_t step) {
  constexpr std::uint64_t kAll = std::uint64_t{1} << 32, kChunk = std::uint64_t{1} << 22;
  std::vector<float> in(kChunk);
  std::vector<double> wide(kChunk);
  for (std::uint64_t lo = 0; lo < kAll; lo += kChunk * step) {
    std::size_t len = 0;
    for (std::uint64_t p = lo; p < kAll && len < kChunk; p += step, ++len) {
      in[len] = std::bit_cast<float>(static_cast<std::uint32_t>(p));
      wide[len] = static_cast<double>(in[len]);
    }
    // One job per thread at a time (each rounds serially): the jobs are independent.
#pragma omp parallel for schedule(dynamic)
    for (std::size_t k = 0; k < jobs.size(); ++k) {
      Job& j = jobs[k];
      thread_local std::vector<float> got;
      thread_local std::vector<double> want;
      got.resize(kChunk);
      want.resize(kChunk);
      const RoundStats gs = round_array(std::span<const float>(in.data(), len), std::span<float>(got.data(), len), j.f, j.r, 0, 1);
      const RoundStats ws = round_array(std::span<const double>(wide.data(), len), std::span<double>(want.data(), len), j.f, j.r, 0, 1);
      for (std::size_t i = 0; i < len; ++i)
        if (std::bit_cast<std::uint32_t>(got[i]) != std::bit_cast<std::uint32_t>(static_cast<float>(want[i]))) {
          const std::uint64_t p = std::bit_cast<std::uint32_t>(in[i]);
          if (p < j.first_bad) j.first_bad = p;
          break;
        }
      if (!same(gs, ws)) j.events_differ = true;
    }
  }
}

}  // namespace

TEST_CASE("exhaustive: float32 lanes equal the double path on every float32 pattern", "[exhaustive]") {
  const std::uint64_t step = stride();
  const SimdLevel saved = simd_level();
  std::vector<SimdLevel> levels = {saved};
  for (SimdLevel l : available_simd_levels())
    if (l == SimdLevel::avx2 && saved != SimdLevel::avx2) levels.push_back(l);
  for (SimdLevel level : levels) {
    set_simd_level(level);
    std::vector<Job> jobs;
    for (const char* spec : {"bf16", "fp16", "e4m3", "e5m2"})
      for (Mode m : {Mode::rne, Mode::rna, Mode::rtz, Mode::rup, Mode::rdn, Mode::rto})
        for (Overflow o : {Overflow::spec, Overflow::saturate}) {
          if (o == Overflow::saturate && m != Mode::rne) continue;
          Rounding r;
          r.mode = m;
          r.overflow = o;
          jobs.push_back({parse_format(spec), r,
                          std::string(simd_level_name(level)) + " " + spec + " " + std::string(mode_name(m)) +
                              (o == Overflow::saturate ? " saturate" : "")});
        }
    run(jobs, step);
    for (const Job& j : jobs) {
      INFO(j.name);
      CHECK(j.first_bad == (std::uint64_t{1} << 32));
      CHECK_FALSE(j.events_differ);
    }
  }
  set_simd_level(saved);
}
