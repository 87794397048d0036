// The aligner variants of the block-FMA unit (FusedUnit::align_mode, normalized_products) and their
// search by fit(). The oracle is a step written here in MPFR from docs/references.md s.5's
// description (E = the largest term exponent, each term cut to a multiple of 2^(E-F), an exact
// sum, one rounding by the MPFR oracle), sharing no code with the library's unit; units built from
// it with rounded terms or normalised products play the device, and fit must name them and tell
// them from the truncating unit of the same L and F.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <vector>

#include "floatscope/fit.hpp"
#include "floatscope/gemm.hpp"
#include "mpfr_oracle.hpp"

using namespace floatscope;

namespace {

struct Unit {
  int L = 8, F = 14;
  bool round_terms = false;  // terms rounded to nearest even instead of truncated
  bool normalised = false;   // a product's exponent is floor(log2|ab|), not e(a) + e(b)
};

// floor(log2|x|) of a finite nonzero double, by frexp (not the library's ilogb).
int floor_log2(double x) {
  int e = 0;
  std::frexp(x, &e);
  return e - 1;
}

// One step of the unit on n products plus c, into fp32 with round-toward-zero.
double mpfr_step(const Unit& u, const Format& in, const double* a, const double* b, int n, double c) {
  const Format fp32 = parse_format("fp32");
  bool any = c != 0;
  int E = c != 0 ? std::max(floor_log2(c), fp32.emin) : INT32_MIN;
  for (int i = 0; i < n; ++i) {
    if (a[i] == 0 || b[i] == 0) continue;
    const int e = u.normalised ? floor_log2(a[i] * b[i])  // exact: products of fp16 values fit a double
                               : std::max(floor_log2(a[i]), in.emin) + std::max(floor_log2(b[i]), in.emin);
    E = any ? std::max(E, e) : e;
    any = true;
  }
  if (!any) return 0.0;
  mpfr_t term, sum;
  mpfr_inits2(512, term, sum, static_cast<mpfr_ptr>(nullptr));
  mpfr_set_zero(sum, 1);
  auto add = [&](double x) {
    mpfr_set_d(term, x, MPFR_RNDN);
    mpfr_mul_2si(term, term, u.F - E, MPFR_RNDN);              // exact
    mpfr_rint(term, term, u.round_terms ? MPFR_RNDN : MPFR_RNDZ);  // to an integer multiple of 2^(E-F)
    mpfr_mul_2si(term, term, E - u.F, MPFR_RNDN);
    mpfr_add(sum, sum, term, MPFR_RNDN);  // exact at 512 bits
  };
  add(c);
  for (int i = 0; i < n; ++i) add(a[i] * b[i]);
  const double r = oracle::oracle_round_mpfr(sum, fp32, Mode::rtz, Overflow::spec);
  mpfr_clears(term, sum, static_cast<mpfr_ptr>(nullptr));
  return r;
}

double mpfr_dot(const Unit& u, const Format& in, const double* a, const double* b, int K, double c) {
  double acc = c;
  for (int k = 0; k < K; k += u.L) acc = mpfr_step(u, in, a + k, b + k, std::min(u.L, K - k), acc);
  return acc;
}

// Random fp16 values with up to 11 significant bits over 2^-8..2^4, and C of fp32 with 20 bits.
DotCases cases_of(const Unit& u, int n, int K, std::uint64_t seed) {
  const Format fp16 = parse_format("fp16");
  DotCases d;
  d.K = K;
  std::uint64_t s = seed;
  auto next = [&] {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return s >> 11;
  };
  auto value = [&](int bits, int lo, int span) {
    const auto m = static_cast<double>(next() % (std::uint64_t{1} << bits)) + std::ldexp(1.0, bits);
    const double sign = (next() & 1) ? -1.0 : 1.0;
    return sign * std::ldexp(m, lo + static_cast<int>(next() % static_cast<std::uint64_t>(span)) - bits);
  };
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < K; ++k) {
      d.a.push_back(value(10, -8, 12));
      d.b.push_back(value(10, -8, 12));
    }
    d.c.push_back(value(20, -4, 6));
  }
  for (double x : d.a) REQUIRE(round(x, fp16) == x);
  for (int i = 0; i < n; ++i)
    d.d.push_back(mpfr_dot(u, fp16, &d.a[static_cast<std::size_t>(i) * K], &d.b[static_cast<std::size_t>(i) * K], K,
                           d.c[static_cast<std::size_t>(i)]));
  return d;
}

Accumulator library_unit(const Unit& u) {
  Accumulator acc;
  acc.a_format = acc.b_format = parse_format("fp16");
  FusedUnit f;
  f.L = u.L;
  f.F = u.F;
  f.out = parse_format("fp32");
  f.out_mode = Mode::rtz;
  f.align_mode = u.round_terms ? Mode::rne : Mode::rtz;
  f.normalized_products = u.normalised;
  acc.fused = f;
  acc.acc_format = f.out;
  acc.outer_format = f.out;
  return acc;
}

std::size_t reproduced(const Accumulator& acc, const DotCases& d) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < d.size(); ++i)
    n += fit_same(emulate_dot(acc, &d.a[i * static_cast<std::size_t>(d.K)], &d.b[i * static_cast<std::size_t>(d.K)],
                              d.K, d.c[i]),
                  d.d[i]);
  return n;
}

}  // namespace

TEST_CASE("the unit's aligner variants follow the MPFR step", "[fit][aligners]") {
  for (const Unit u : {Unit{8, 14, false, false}, Unit{8, 14, true, false}, Unit{8, 14, false, true},
                       Unit{4, 12, true, true}}) {
    INFO("L=" << u.L << " F=" << u.F << " round_terms=" << u.round_terms << " normalised=" << u.normalised);
    const DotCases d = cases_of(u, 300, 16, 11);
    CHECK(reproduced(library_unit(u), d) == d.size());
  }
  // A tie of the aligner: c = 1, a product 3 * 2^-(F+1) is 1.5 units of 2^-F: rounded to 2 units
  // (even), truncated to 1.
  Unit r{8, 14, true, false};
  const double a = 3, b = std::ldexp(1.0, -15);
  CHECK(emulate_dot(library_unit(r), &a, &b, 1, 1.0) == 1 + std::ldexp(2.0, -14));
  r.round_terms = false;
  CHECK(emulate_dot(library_unit(r), &a, &b, 1, 1.0) == 1 + std::ldexp(1.0, -14));
}

TEST_CASE("fit tells units with rounded terms or normalised products from the truncating unit",
          "[fit][aligners]") {
  for (const Unit u : {Unit{8, 14, true, false}, Unit{8, 14, false, true}}) {
    INFO("device: L=" << u.L << " F=" << u.F << " round_terms=" << u.round_terms << " normalised=" << u.normalised);
    const DotCases d = cases_of(u, 256, 16, 5);
    // The truncating, unnormalised unit of the same L and F misses rows: the data can tell.
    CHECK(reproduced(library_unit(Unit{u.L, u.F, false, false}), d) < d.size());
    FitSpace space;
    space.a_format = space.b_format = parse_format("fp16");
    space.L_max = 16;
    space.scalar = false;
    const FitResult r = fit(d, space, 1, 2);
    INFO("best: " << (r.models.empty() ? std::string("none") : r.models.front().label));
    CHECK(r.aligner_variants);  // escalated: no truncating unit fits
    REQUIRE(r.full_matches() >= 1);
    for (const FitModel& m : r.models) {
      if (m.matched != d.size()) continue;
      INFO(m.label);
      CHECK(m.acc.fused->align_mode == (u.round_terms ? Mode::rne : Mode::rtz));
      CHECK(m.acc.fused->normalized_products == u.normalised);
      CHECK(m.acc.fused->F == u.F);
      CHECK(std::min(m.acc.fused->L, d.K) == u.L);
      // The custom flags select the aligner variant by name.
      const auto flags = gemm_flags(m.acc, d.K);
      REQUIRE(flags);
      CHECK((flags->find(" --align rne") != std::string::npos) == u.round_terms);
      CHECK((flags->find(" --normalised-products") != std::string::npos) == u.normalised);
    }
    // Without the variants no candidate reproduces the device.
    space.aligners = AlignerSearch::standard;
    CHECK(fit(d, space, 1, 2).full_matches() == 0);
  }
}
