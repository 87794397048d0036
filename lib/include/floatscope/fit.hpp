// Fitting an accumulation model to recorded outputs: which Accumulators reproduce them bit for bit?
//
// The data are dot products with their recorded results (one per GEMM output, or one per recorded
// instruction as in hwdata). The search space (FitSpace) holds the fused block-FMA units of
// docs/references.md s.5 (L products per step, 1..L_max and the whole K; F bits kept below the
// step's largest exponent; the step's output format and rounding; where C enters: as the first
// step's accumulator, added after each step's products, or at the end; promotion into an outer
// fp32 accumulator every P of K with its rounding) and the scalar accumulators (format x mode x
// order, exact products); each also with a final conversion of D to fp16 or bf16 when the
// recorded results are values of that format; and when they are fp16 values, fp16 accumulation:
// steps rounded to fp16 and C read in fp16 (Accumulator::c_format); and the special-value rules of
// the units (SpecialsSearch, by refinement). fit() finds every candidate whose mismatch count is
// among the `keep` lowest, exactly, without evaluating every candidate on every case:
//   - a cheap filter first: the finest grid the recorded outputs use fixes the output precisions
//     worth trying;
//   - probe cases: a candidate is first run on the cases that rejected earlier candidates (the
//     discriminating, probe-like inputs of this data set), then on the rest, and is dropped as
//     soon as its mismatches exceed the `keep`-th best count found so far (branch and bound);
//     candidates like the known hardware units run first, so that bound is tight early.
//   - data sets of more than 256 cases are screened on 256 evenly spaced ones first: every
//     candidate that reproduces them goes on to the full data, and of the others the 64 best.
// Every model that reproduces all cases is found. The models returned are the candidates gone on
// to the full data with at most the keep-th lowest mismatch count there (ties included), with
// exact counts; without screening (or when some model reproduces every case and keep = 1) that is
// exactly the best of the whole space. The result does not depend on threads.
// `floatscope fit` prints the result; the GPU probe command runs the same search on data it records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "floatscope/accumulator.hpp"
#include "floatscope/format.hpp"

namespace floatscope {

// n dot products of length K: case i is sum_k a[i*K + k] * b[i*K + k] with initial value c[i],
// and its recorded result d[i].
struct DotCases {
  int K = 0;
  std::vector<double> a, b, c, d;
  std::size_t size() const { return d.size(); }
};

// The cases of a GEMM D = A*B + C (A M x K, B K x N, C and D M x N, row-major; C may be null for
// zeros): output (i, j) is row i of A with column j of B. At most max_cases outputs, evenly spaced
// over the M*N (all when there are fewer).
DotCases dot_cases_from_gemm(int M, int N, int K, const double* A, const double* B, const double* C,
                             const double* D, std::size_t max_cases);

// The aligner variants of the unit (terms rounded to nearest instead of truncated; products
// normalised before alignment): no measured NVIDIA unit uses them, and on data where the aligner
// drops no bit (FP8 products with F >= 24) every variant fits as well as the truncating unit, so
// searching them always multiplies the full fits to check. when_needed: only when no candidate of
// the standard space reproduces every case.
enum class AlignerSearch : std::uint8_t { standard, when_needed, all };

// The special-value rules of the units (accumulator.hpp UnitSpecials: subnormal inputs and
// results kept or flushed, exact-sum / IEEE / saturating overflow, positive or IEEE zero signs).
// Random recorded data rarely meet them, so they are not multiplied into the space: every unit
// fit returns is refined over all 24 rule sets on the cases where a rule can change its result
// (the cases whose steps, under NVIDIA's rules, met a subnormal input, a subnormal, infinite or
// zero result: elsewhere every rule set gives the same bits), and the model takes the best set,
// NVIDIA's when it ties. when_needed: if then no model reproduces every case, every unit of the
// space is searched under every rule set the data can tell from NVIDIA's (flushing inputs only
// when an input is subnormal, the overflow rules only when a sum can reach the output's range).
// all: that search always; standard: NVIDIA's rules only, no refinement.
using SpecialsSearch = AlignerSearch;

// What the data say about one special-value rule of a fitted unit.
struct RuleFinding {
  std::string rule;                  // "subnormal inputs", "subnormal results", "overflow", "zero sign"
  std::vector<std::string> options;  // the options that reproduce as many cases as the model does
                                     // (the model's own first): more than one = not determined
  std::size_t cases = 0;             // cases where the rule met a step under NVIDIA's rules (0: the
                                     // data cannot show it)
};

enum class CEntry : std::uint8_t {
  first_step,      // C is the accumulator of the first step, inside its alignment
  after_products,  // each step sums its products only; the running value is added after (fp32 RNE)
  outer,           // C starts an outer fp32 accumulator; the unit's partials are added into it
                   // every `promote` of K (promote >= K: once, at the end)
};

struct FitSpace {
  Format a_format, b_format;  // the inputs' formats (the unit's subnormal exponents come from them)
  bool fused = true;
  int L_max = 64;             // block sizes 1..L_max, and the whole K
  int F_min = 8, F_max = 40;
  std::vector<Mode> out_modes{Mode::rtz, Mode::rne};  // rounding of a step's result
  bool c_entries = true;      // try every CEntry (false: first_step only)
  bool promotion = true;      // try promotion intervals P < K (powers of two from 16, multiples of L), outer rne and rtz
  bool output_conversion = true;  // also each model with D converted to fp16 or bf16 (rne, rtz)
                                  // when every recorded result is a value of that format
  bool d_types = true;  // when every recorded result is an fp16 value: units whose steps round to
                        // fp16 (with its range), each also reading C in fp16 (rne), as an fp16-
                        // accumulating instruction does; the interleaved fp16-datapath schedule of
                        // FP8 mma.sync (FusedUnit::pair_interleave, C added after each instruction
                        // of 2L in fp16); scalar fp16 accumulators reading C in fp16
  bool scalar = true;
  std::vector<std::string> scalar_formats{"fp16", "bf16", "fp32", "fp64"};
  std::vector<Mode> scalar_modes{Mode::rne, Mode::rna, Mode::rtz, Mode::rup, Mode::rdn, Mode::rto};
  std::vector<std::string> scalar_orders{"sequential", "reverse", "pairwise"};
  AlignerSearch aligners = AlignerSearch::when_needed;
  SpecialsSearch specials = SpecialsSearch::when_needed;
};

// The parameters of a candidate, as fit reports them.
struct FitModel {
  Accumulator acc;
  std::string label;          // "block-fma L=16 F=25 out=fp32/rtz C=first-step", "scalar fp32/rne sequential"
  std::size_t matched = 0;    // cases reproduced bit for bit
  std::size_t cases = 0;
  std::vector<RuleFinding> rules;  // block-FMA units after refinement (SpecialsSearch): one per rule
  double match_rate() const { return cases ? static_cast<double>(matched) / static_cast<double>(cases) : 0; }
};

struct FitResult {
  std::size_t cases = 0;
  std::size_t space_size = 0;        // candidates in the space after the cheap filter
  std::size_t evaluations = 0;       // dot products evaluated in all
  std::size_t completed = 0;         // candidates run on every case (not dropped early)
  bool screened = false;             // the data were screened on 256 cases first (more than 256 cases)
  bool aligner_variants = false;     // the aligner variants were searched (AlignerSearch)
  bool special_variants = false;     // every unit was searched under other special-value rules too
  std::size_t refine_evaluations = 0;  // dot products the refinement over the rule sets ran
  std::vector<std::size_t> probes;   // the case indices that rejected candidates, most useful first
  std::vector<std::string> out_formats;  // output precisions the cheap filter kept
  std::vector<FitModel> models;      // the best candidates, most matches first
  double seconds = 0;
  std::size_t full_matches() const;  // models reproducing every case
};

// The candidates of the space for these data (after the cheap filter), likely ones first; with
// space.aligners == all, also the aligner variants of every unit.
std::vector<FitModel> fit_candidates(const DotCases& data, const FitSpace& space,
                                     std::vector<std::string>* out_formats = nullptr);

// The aligner variants of the block-FMA candidates among `units`: each with terms rounded to
// nearest even, with normalised products, and with both (scalar candidates have none).
std::vector<FitModel> aligner_variants(const std::vector<FitModel>& units, int K);

// The 24 special-value rule sets, NVIDIA's first, then those changing one rule, two, ...
std::vector<UnitSpecials> special_rule_sets();

// The block-FMA candidates among `units` under each rule set of `sets` other than NVIDIA's.
std::vector<FitModel> special_variants(const std::vector<FitModel>& units, const std::vector<UnitSpecials>& sets,
                                       int K);

// A candidate's label (as fit_candidates writes it) after its parameters changed.
std::string fit_label(const Accumulator& acc, int K);

// Targeted probe inputs for a unit that can be run (docs/references.md s.5, after Fasi et al.):
// dot products of length K with A in a, B in b, C an fp32 value, built so that one parameter of
// the space shows in the result: cancelling big products with a small one at 2^-s below (F),
// the cancelling partner at each position j (L, and where C enters), results between grid
// points and at ties (the output's rounding and precision), C cancelling a product or meeting
// small products (where C enters), a partner in a later interval (promotion). d is NaN: run the
// cases on the unit, fill d with its results and pass them (with random cases) to fit().
DotCases probe_cases(const Format& a, const Format& b, int K, const FitSpace& space = {});

// Throws std::invalid_argument for empty or inconsistent data (sizes not n*K, n) or a bad space.
// keep >= 1. threads: 0 = OpenMP default; the result does not depend on it.
FitResult fit(const DotCases& data, const FitSpace& space, std::size_t keep = 10, int threads = 0);

// True when `got` reproduces the recorded `want` bit for bit (both NaN, or the same double with
// its zero sign).
bool fit_same(double got, double want);

// One `floatscope gemm` flag: "block-fma" with "16,25"; the Python package's gemm() takes it as
// the keyword block_fma (dashes to underscores) with a value of the kind's type.
struct GemmFlag {
  enum class Kind : std::uint8_t { text, integer, number, flag };  // flag: no value (True)
  std::string name;   // without the leading "--"
  std::string value;  // as printed; empty for a flag
  Kind kind = Kind::text;
};

// The `floatscope gemm` flags that run this model, in the order printed, or nullopt when the
// flags cannot express it. gemm_flags is their text ("--block-fma 16,25 --acc-format fp32
// --rounding rtz ..."); the Python package builds gemm()'s keywords from the same list.
std::optional<std::vector<GemmFlag>> gemm_flag_list(const Accumulator& acc, int K);
std::string gemm_flags_text(const std::vector<GemmFlag>& flags);
std::optional<std::string> gemm_flags(const Accumulator& acc, int K);

// The named hardware model (models.hpp) with the same parameters on these inputs and this K
// (block sizes of K or more are one), or "" when none.
std::string same_hardware_model(const Accumulator& acc, int K);

}  // namespace floatscope
