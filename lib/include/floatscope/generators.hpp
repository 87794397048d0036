// Seeded input generators for GEMM experiments.
//
// Every element is a pure function of (distribution, seed, tensor id, row, column) through the
// counter-based floatscope::CounterRng, so a matrix comes out bit-identical whatever the thread
// count or the order in which elements are made. A and B of one experiment use different tensor
// ids (and so independent streams) with the same seed.
//
// Distributions (names as written on the command line / in TOML):
//   uniform01               U[0, 1), 53-bit uniforms k*2^-53
//   uniform                 U(-1, 1), symmetric: odd multiples of 2^-53, never +-1 and never 0
//   normal                  N(0, 1) by Box-Muller (cosine branch; two uniforms per element)
//   lognormal[:SIGMA]       exp(SIGMA*N(0,1)), always positive (magnitudes such as activations);
//                           SIGMA defaults to 1
//   outliers[:FRAC[:FACTOR]] N(0,1) with a fraction FRAC of the K channels multiplied by FACTOR
//                           (defaults 0.01 and 100). Channels are indices along K: A's columns, B's
//                           rows (is_b). Which channels are outliers depends on the seed only, not
//                           on the tensor id, so A and B drawn with the same seed share them. The
//                           count is round(FRAC*K), at least one when FRAC > 0.
//   constant[:V]            every element V (default 1)
//   identity                1 where row == column, else 0 (rectangular shapes get the leading
//                           diagonal)
//   harmonic                A[i][k] = 1/(k+1), B = all ones, so every C[i][j] = H_K (the harmonic
//                           sum of docs/references.md s.6). 1/(k+1) is the double nearest the exact value;
//                           rounding that onto a format <= fp32 equals rounding the exact value for
//                           any K < 2^28 (1/n is never that close to a midpoint).
//   loggrad[:LO[:HI]]       gradient-like data: random signs, magnitudes log-normal over
//                           [2^LO, 2^HI] (defaults -40 and 0): log2|x| = (LO+HI)/2 + (HI-LO)/6 * z,
//                           z ~ N(0,1) truncated to [-3, 3] by redrawing. Why this shape: gradient
//                           histograms are unimodal in log2|x| and spread over tens of binades
//                           (Micikevicius et al., Mixed Precision Training, ICLR 2018, Fig. 3),
//                           which is what decides how much of them underflows or overflows a
//                           format at a given loss scale; +-3 sigma spans the range, and the
//                           truncation (0.27% of draws redrawn) makes [2^LO, 2^HI] a hard bound,
//                           so "nothing overflows below scale S" is a property of the data, not
//                           of the sample size. log2|x| then has mean (LO+HI)/2 and variance
//                           0.97334 ((HI-LO)/6)^2 (the truncated normal's 1 - 6 phi(3)/(1 - 2 Phi(-3))).
//                           The sign is a bit of the first draw that Box-Muller does not use.
//   rowscaled[:D]           badly scaled: N(0,1) with each row of A (is_b = false) and each column
//                           of B (is_b = true) multiplied by 2^e, e an integer uniform in [-D, D]
//                           drawn per row (per column) from the seed and tensor id; D in [0, 300],
//                           default 8. C = AB then has entries of magnitude about 2^(e_i + f_j):
//                           the case where Strassen's normwise-only bound shows up as large
//                           componentwise error (Higham, ASNA ch. 23).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "floatscope/format.hpp"

namespace floatscope {

enum class DistKind : std::uint8_t {
  uniform01, uniform, normal, lognormal, outliers, constant, identity, harmonic, loggrad, rowscaled,
};

struct Distribution {
  DistKind kind = DistKind::normal;
  double sigma = 1.0;      // lognormal
  double fraction = 0.01;  // outliers: fraction of K channels
  double factor = 100.0;   // outliers: their scale
  double value = 1.0;      // constant
  double log2_lo = -40.0;  // loggrad: magnitudes in [2^log2_lo, 2^log2_hi]
  double log2_hi = 0.0;
  int exp_range = 8;       // rowscaled: D, scale exponents uniform in [-D, D]

  bool operator==(const Distribution&) const = default;
};

// Parses "name[:param[:param]]". Throws std::invalid_argument naming the bad part and listing the
// valid names.
Distribution parse_distribution(std::string_view spec);

// Canonical spelling with every parameter (shortest round-trip decimals): parse(to_string(d)) == d.
std::string to_string(const Distribution& d);

// "uniform01, uniform, normal, lognormal:SIGMA, ..." for messages and --help.
std::string distribution_names();

// Fills out[rows*cols] (row-major). A is (M x K) with is_b = false; B is (K x N) with is_b = true;
// is_b decides which axis is K for outliers and harmonic. threads: 0 = OpenMP default, 1 = serial;
// the result does not depend on it.
void generate(const Distribution& d, std::uint64_t seed, std::uint64_t tensor_id, std::size_t rows,
              std::size_t cols, double* out, bool is_b, int threads = 0);

// n values spread uniformly over the binades of f's whole range -- from below half its smallest
// subnormal to past its largest finite value -- with random signs and 52-bit mantissas: data
// that takes every path of a rounding (subnormal, normal, overflow). Element i depends only on
// (seed, i). Used by the rounding benchmarks so that `floatscope bench` and bench/ agree.
std::vector<double> full_range_values(const Format& f, std::size_t n, std::uint64_t seed = 2024);

}  // namespace floatscope
