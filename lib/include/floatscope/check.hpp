// Regression checks of a user's low-precision results against floatscope's, bit for bit.
//
// check_rounding compares a conversion someone else made (a quantisation kernel, ml_dtypes, a
// hardware cast) with floatscope::round under one Rounding, and names the kind of every case it
// got wrong; rank_roundings answers "which mode is this?" by trying every deterministic mode and
// overflow policy. check_gemm compares recorded GEMM outputs with an emulated accumulation model.
// `floatscope check` (tools/cmd_check.cpp) prints, writes JUnit and JSON from these results.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "floatscope/accumulator.hpp"
#include "floatscope/format.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope {

// The kind of a conversion case, decided from the input alone (first that applies):
//   nan_inf      the input is NaN or +-Inf;
//   overflow     a finite input beyond the largest finite value (the overflow/saturation rule decides);
//   signed_zero  the input is +-0, or a nonzero input that the checked rounding takes to zero
//                (the sign of that zero is the question);
//   subnormal    a nonzero input below the smallest normal (subnormal results, flushing);
//   tie          an input exactly halfway between two neighbours on the format's grid;
//   ordinary     everything else.
enum class RoundCase : std::uint8_t { ordinary, tie, subnormal, overflow, nan_inf, signed_zero };
inline constexpr std::size_t kRoundCaseCount = 6;
std::string_view round_case_name(RoundCase c);  // "ordinary", "tie", "subnormal", "overflow", "nan-inf", "signed-zero"

RoundCase classify_round_case(double x, const Format& f, const Rounding& r);

// Which tie rules a value y follows at a tie x (x halfway between lo and hi on the grid):
// "even"/"odd" (y's last significand bit) and "away"/"toward zero" (y's magnitude), e.g.
// "away, odd"; "neither neighbour" when y is not one of the two; "" when x is not a tie.
std::string tie_rule_of(double x, double y, const Format& f);

// True when `got` is the result `want` bit for bit: both NaN (payloads and NaN signs are not
// compared: conversions do not specify them), or the same double, zero signs included.
bool same_result(double want, double got);

struct RoundMismatch {
  std::size_t index = 0;
  double input = 0;
  double expected = 0;
  double got = 0;
  RoundCase kind = RoundCase::ordinary;
  std::string tie_rule;  // at ties: the rules `got` follows (tie_rule_of)
};

struct RoundCheck {
  std::size_t checked = 0, wrong = 0;
  std::array<std::size_t, kRoundCaseCount> checked_by_case{};  // indexed by RoundCase
  std::array<std::size_t, kRoundCaseCount> wrong_by_case{};
  std::vector<RoundMismatch> first;  // the first `keep` mismatches, in input order
  double match_rate() const { return checked ? 1.0 - static_cast<double>(wrong) / checked : 1.0; }
};

// Compares got[i] with round(in[i], f, r) for every i (in and got of equal length). r must be a
// deterministic mode (throws std::invalid_argument for sr, sr-equal). A NaN input to a format
// without NaN expects NaN (round's result; no code exists for it).
RoundCheck check_rounding(std::span<const double> in, std::span<const double> got, const Format& f,
                          const Rounding& r, std::size_t keep = 10);

struct RoundingMatch {
  Rounding rounding;
  std::size_t wrong = 0;
  RoundCheck detail;  // check_rounding under `rounding` (keep = the caller's)
};

// check_rounding under every deterministic mode (rne rna rtz rup rdn rto) x overflow policy
// (spec, saturate), best first (fewest wrong; ties keep that listing order).
std::vector<RoundingMatch> rank_roundings(std::span<const double> in, std::span<const double> got,
                                          const Format& f, std::size_t keep = 10);

// "rne" or "rne+saturate".
std::string rounding_label(const Rounding& r);

struct GemmMismatch {
  std::size_t row = 0, col = 0;
  double expected = 0, got = 0;
  double ulps = 0;  // |got - expected| in ulps of the output format at expected (Inf if one is not finite)
};

struct GemmCheck {
  std::size_t checked = 0, wrong = 0;
  double max_ulps = 0;  // largest deviation among the finite pairs (0 when all match)
  std::size_t nonfinite_wrong = 0;  // mismatches where one side is NaN or Inf
  std::vector<GemmMismatch> first;  // the first `keep` mismatches in row-major order
  Format out_format;                // the format ulps are counted in
  double match_rate() const { return checked ? 1.0 - static_cast<double>(wrong) / checked : 1.0; }
};

// The format a model's outputs live on: output_format, else the fused unit's output (or the outer
// accumulator for promotion models), else the scalar accumulator.
Format result_format(const Accumulator& acc);

// D = A*B + C under acc (emulate_gemm; inputs must lie on acc's formats) compared with got (M x N,
// row-major). threads as emulate_gemm.
GemmCheck check_gemm(const Accumulator& acc, int M, int N, int K, const double* A, const double* B,
                     const double* C, const double* got, std::size_t keep = 10, int threads = 0);

}  // namespace floatscope
