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
  uniform01, uniform, normal, lognormal, outliers, constant, identity, harmonic, rowscaled,
};

struct Distribution {
  DistKind kind = DistKind::normal;
  double sigma = 1.0;      // lognormal
  double fraction = 0.01;  // outliers: fraction of K channels
  double factor = 100.0;   // outliers: their scale
  double value = 1.0;      // constant
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
