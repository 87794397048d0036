// One measurement: build inputs, run an accumulation model, compare with the exact reference.
//
// This is the unit both `floatscope gemm` and `floatscope sweep` run: an ExperimentSpec is a pure
// description (strings and numbers, as a user writes them on the command line or in TOML), and
// run_experiment is a pure function of it (same spec, same bits, whatever the thread count).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floatscope/accumulator.hpp"
#include "floatscope/block_scaling.hpp"
#include "floatscope/events.hpp"
#include "floatscope/generators.hpp"
#include "floatscope/metrics.hpp"
#include "floatscope/reference.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope {

class Backend;

struct ExperimentSpec {
  // Accumulation: a named hardware model, or the parts of a custom accumulator.
  std::string model;                 // "" or "custom" = built from the parts below
  std::string a_format;              // "" = the model's first input format (fp32 for custom)
  std::string b_format;              // "" = same as a_format
  std::string acc_format = "fp32";
  std::string rounding = "rne";      // accumulator rounding mode (sr uses seed)
  int sr_bits = 64;
  std::string order = "sequential";  // sequential, reverse, pairwise, blocked:B, splitk:S, random:SEED
  std::string product_format;        // "" = exact products
  std::string output_format;         // "" = keep the accumulator's values
  std::string output_rounding = "rne";  // rounding of the output conversion
  double output_scale = 1.0;         // output = round(value * output_scale) (e.g. fp8 outputs)
  // "fused" (one rounding of value * output_scale) or "after": stored first, then rescaled by an
  // fp32 multiply and stored again (accumulator.hpp OutputScaleMode; dropout's 1/(1-p)).
  std::string output_scale_mode = "fused";
  std::string compensation = "none"; // none, kahan, neumaier
  // "L,F": the custom accumulator is the fused block-FMA unit (accumulator.hpp FusedUnit) with L
  // products per step and F fraction bits below the step's largest exponent; acc_format is its
  // output format, rounding its output rounding, promote its promotion interval. "" = scalar.
  std::string block_fma;
  int promote = -1;                  // promotion interval for block-FMA models; -1 = model default
  // C read in another format (Accumulator::c_format / c_rounding): rounded onto c_format before
  // anything else, as an instruction whose C has D's type (fp16) reads it. "" = C as given.
  // Custom models (scalar or block_fma); deterministic modes only.
  std::string c_format;
  std::string c_rounding = "rne";
  // The fused unit's parts beyond L,F (custom block_fma models only; defaults = --block-fma as
  // it always was): the accumulator the unit's partials are promoted into, which also rounds the
  // scales (Accumulator::outer_format / outer_rounding), the aligner (FusedUnit::align_mode rtz or
  // rne, normalized_products), the interleaved-pairs schedule (FusedUnit::pair_interleave) and
  // the special-value rules (FusedUnit::specials: accumulator.hpp's parse_subnormals,
  // parse_unit_overflow, parse_zero_sign names).
  std::string outer_format = "fp32";
  std::string outer_rounding = "rne";
  std::string align = "rtz";
  bool normalised_products = false;
  bool interleaved_pairs = false;
  std::string subnormals = "keep";
  std::string unit_overflow = "exact-sum";
  std::string zero_sign = "positive";
  // Dequantisation scales as in cuBLASLt FP8 GEMMs: inputs are quantised as round(A / scale_a)
  // onto a_format (likewise B), and the accumulator multiplies by scale_a*scale_b after
  // accumulation. Large scales push inputs toward underflow, small ones toward overflow.
  double scale_a = 1.0, scale_b = 1.0;
  std::string input_rounding = "rne";  // how generated inputs are rounded onto a_format/b_format
  // Overflow of that rounding: "auto" saturates when quantising through a scale (scale_a or
  // scale_b != 1, as the recipes' casts do) and follows the format's own rule otherwise;
  // "saturate"; "spec" (the format's rule: Inf or NaN). Clamped inputs count in input_overflow_count.
  std::string input_overflow = "auto";
  // Block scaling scheme (block_scaling.hpp, `floatscope schemes`) of both operands, or "A+B" for
  // A's and B's (e.g. fp8-tile1x128+fp8-block128x128, DeepSeek-V3); "none" = no block scaling.
  // Inputs are quantised under it (elements rounded with input_rounding, saturating) and the
  // GEMM applies the scales as block_gemm.hpp says. MX and NVFP4 schemes fix the element formats;
  // fp8 ones take a_format/b_format (e4m3 or e5m2). An a_format/b_format of fp32 (the sweep's
  // default) or "" stands for "not given": the scheme's elements, e4m3 for the fp8 schemes.
  std::string scheme = "none";
  std::string scale_rule;            // MX E8M0 scale rule: floor (""), ceil, rceil, even
  std::string backend = "cpu";       // a registered backend (backend.hpp): cpu, GPU ones later
  // Inputs.
  std::string dist = "normal";
  std::string b_dist;                // "" = same as dist
  int M = 64, N = 64, K = 256;
  std::uint64_t seed = 0;
  int repeat = 0;                    // mixed into the input seed: repeats are independent draws
  std::string reference = "exact";   // exact, mpfr, none
  // > 0: also run the GEMM on this many random permutations of K (applied to A's columns and
  // B's rows alike, so the exact result is unchanged; any accumulator, hardware models included)
  // and report, per output, how many distinct results they give and their spread in ulps of the
  // output format.
  int permutations = 0;
  // What the errors are measured against: "quantised" = the exact product of the inputs as the
  // GEMM got them (after rounding onto a_format/b_format or block quantisation), so the metrics
  // measure the accumulation alone; "original" = the exact product of the generated inputs, so
  // they include the input quantisation (scaling recipes, loss scaling, ternary weights).
  std::string reference_of = "quantised";
  // Delayed scaling (delayed_scaling.hpp) of an operand under scheme fp8-delayed, generated inputs
  // only: > 0 takes its scale from the largest amax of this many earlier steps (the same dist drawn
  // with earlier seeds) instead of the current tensor's; 0 = the current amax.
  int amax_history_len = 0;
  // Growth per step of the outlier factor of dist outliers:FRAC:FACTOR in that history: step t-j
  // had FACTOR / outlier_growth^j. 1 = stationary. Needs amax_history_len > 0.
  double outlier_growth = 1.0;
  // "classical" (the accumulator's dot products) or "strassen:L": L levels of Strassen's
  // recursion with the additions in acc_format/rounding and classical leaf GEMMs (strassen.hpp).
  std::string algorithm = "classical";
};

// What rounding one operand onto its input format did, counted over its M*K (or K*N) elements:
// the exact quotients x / scale (scale_a or scale_b; a loss scale S is scale = 1/S) against the
// elements the GEMM got. Filled for the plain path and for inputs block-quantised by the run;
// operands given already quantised leave it uncounted.
struct InputQuantStats {
  bool counted = false;            // false: nothing measured (every fraction is NaN)
  bool subnormal_counted = false;  // block-scaled runs: BlockStats has no subnormal count
  std::uint64_t elements = 0;
  std::uint64_t flushed = 0;       // nonzero x whose element became zero
  std::uint64_t subnormal = 0;     // x whose element became a nonzero subnormal
  // |x / scale| beyond the largest finite value: the element became Inf or NaN, or +-max when the
  // rounding saturates or rounds back down to max (round to nearest within half an ulp above
  // it); what RoundStats::overflow and input_overflow_count count. With a scale that is not a
  // power of two the plain path decides on x / scale rounded to double (round_quotient_array).
  std::uint64_t overflow = 0;
  double flushed_frac() const { return frac(flushed, counted); }
  double subnormal_frac() const { return frac(subnormal, counted && subnormal_counted); }
  double overflow_frac() const { return frac(overflow, counted); }

 private:
  double frac(std::uint64_t n, bool ok) const {
    return ok && elements ? static_cast<double>(n) / static_cast<double>(elements)
                          : std::numeric_limits<double>::quiet_NaN();
  }
};

struct ExperimentResult {
  Metrics metrics{};                 // see metrics.hpp for the definitions; NaN where undefined
  // Permutation runs (spec.permutations > 0): the largest number of distinct results of one
  // output over the orders, their mean over outputs, and the largest spread (ulps); NaN otherwise.
  double distinct_results = std::numeric_limits<double>::quiet_NaN();
  double mean_distinct_results = std::numeric_limits<double>::quiet_NaN();
  double spread_ulps = std::numeric_limits<double>::quiet_NaN();
  // Mean of the finite emulated outputs (one output: its value, e.g. a computed harmonic sum).
  double c_mean = std::numeric_limits<double>::quiet_NaN();
  GemmEvents events;                 // zeros when !events_counted
  bool events_counted = true;        // false: the backend cannot count events (cells left empty)
  std::string accumulator;           // human description of the resolved accumulator
  // The accumulator's format and rounding as "format/mode": the fused unit's output for block-FMA
  // models ("e8m13/rtz" for h100-fp8), else the scalar accumulator ("fp16/rne"). Sweeps write it
  // into the acc_format column of named models, whose acc_format parameter does not apply.
  std::string acc_format;
  double seconds = 0;                // wall time of the emulation (not the reference)
  std::string backend_info;          // BackendResult::info of the main run (GPU backends)
  std::vector<double> C;             // the emulated result, M*N row-major (empty unless keep_output)
  // Block-scaled runs: what quantising A and B did (both operands together).
  bool block_scaled = false;
  BlockStats block_stats;
  std::string block_a_format, block_b_format;  // the schemes' element formats (block-scaled runs)
  // Cost (gemm_cost.hpp): storage bits per element of A and B, scales included, and the
  // operation the inner loop needs (InnerOp's value: 0 integer add/sub, 1 integer multiply-add,
  // 2 floating-point multiply-add). NaN / -1 when not known (given operands without a run).
  double a_bits_per_element = std::numeric_limits<double>::quiet_NaN();
  double b_bits_per_element = std::numeric_limits<double>::quiet_NaN();
  int inner_op = -1;
  // What quantising each operand did (CSV columns a_flushed_frac ... b_overflow_frac).
  InputQuantStats quant_a, quant_b;
};

// The numbers a run reports, named as the sweep's CSV columns and `gemm --json`'s keys, in that
// order: the metrics, the products and partial sums counted, and the permutation results.
// `counted` is false for a value the run did not measure: the values derived from event counts
// when the backend could not count them (zero would claim "no events"), the permutation results
// without permutations, the errors without a reference (reference = none) or with no finite
// output to compare, and ratio_det/ratio_prob where the bound is vacuous (Inf). Every metric that
// would otherwise be NaN is one of these. CSV cells are then empty and JSON values null.
struct NamedValue {
  std::string_view name;
  double value;
  bool counted = true;
};
std::vector<NamedValue> result_values(const ExperimentResult& r);

// The accumulator an experiment uses (model preset or custom parts), without running it.
Accumulator resolve_accumulator(const ExperimentSpec& spec);

// An ExperimentSpec with every string resolved once, at the edge, into typed values: nothing
// below resolve_experiment parses a name again. Throws std::invalid_argument naming the field.
struct ResolvedExperiment {
  Accumulator acc;                     // model or custom parts, seeds set, no quantise step
  const Backend* backend = nullptr;    // never null once resolved
  int device = -1;                     // the backend's GPU for this process (launch.hpp); -1: none
  ReferenceKind reference = ReferenceKind::exact;
  Mode input_rounding = Mode::rne;
  std::optional<Distribution> dist_a, dist_b;  // unset when the spec has no dist (given inputs)
  std::uint64_t input_seed = 0;        // seed of generated inputs and of every stochastic rounding
  int M = 0, N = 0, K = 0;
  int permutations = 0;
  bool reference_original = false;     // reference_of = original
  double scale_a = 1.0, scale_b = 1.0, output_scale = 1.0;
  Overflow input_overflow = Overflow::spec;
  std::optional<BlockScheme> block_a, block_b;  // set: a block-scaled GEMM (spec.scheme)
  int amax_history_len = 0;     // spec.amax_history_len: > 0 only with an fp8-delayed operand
  double outlier_growth = 1.0;  // spec.outlier_growth
  int strassen_levels = 0;             // spec.algorithm: 0 = classical, L = strassen:L
};
ResolvedExperiment resolve_experiment(const ExperimentSpec& spec);

// "NAME" or "A+B" of ExperimentSpec::scheme: the scheme names of A and B ("none" for neither).
std::pair<std::string, std::string> split_scheme(std::string_view scheme);

// "L,F" of ExperimentSpec::block_fma / `--block-fma` / sweep key block_fma: L in [1, 1024], F in
// [1, 48] (the ranges Accumulator::validate accepts). Throws std::invalid_argument naming
// block_fma and the expected form.
struct BlockFma {
  int L = 0, F = 0;
};
BlockFma parse_block_fma(std::string_view text);

// Runs a resolved experiment on given inputs through its backend (quantising them first).
ExperimentResult run_resolved(const ResolvedExperiment& e, const double* A, const double* B,
                              const double* C0, int threads = 0, bool keep_output = false);

// A block-scaled GEMM on operands already quantised (elements on their grids, scales as given;
// A: M x K, Bt: B's transpose, N x K, blocks along K): no re-quantisation. The reference is the
// exact product of the dequantised operands, or with e.reference_original of original_a (M x K)
// and original_b (K x N), the inputs they were quantised from. Sizes come from e.M/N/K.
ExperimentResult run_block_experiment(const ResolvedExperiment& e, const BlockScheme& sa,
                                      const QuantizedTensor& A, const BlockScheme& sb,
                                      const QuantizedTensor& Bt, int threads = 0, bool keep_output = false,
                                      const double* original_a = nullptr, const double* original_b = nullptr);

// Runs one experiment. Throws std::invalid_argument (bad names/values, naming the field) or
// std::runtime_error. threads: 0 = all cores.
ExperimentResult run_experiment(const ExperimentSpec& spec, int threads = 0, bool keep_output = false);

// The same on given inputs (A: M x K, B: K x N, C0: M x N or nullptr, row-major doubles; sizes
// from spec.M/N/K): they are quantised onto the input formats like generated ones.
ExperimentResult run_experiment_on(const ExperimentSpec& spec, const double* A, const double* B,
                                   const double* C0, int threads = 0, bool keep_output = false);

}  // namespace floatscope
