// What `floatscope check round|gemm` and the Python package's floatscope.check_round() /
// check_gemm() share: the pass decision, the rounding choice (a mode or "auto"), the model's
// accumulator and the JSON reports (`check ... --json`; Python returns the same objects as dicts).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "fit_report.hpp"  // FrontEnd, option_name
#include "floatscope/check.hpp"
#include "floatscope/experiment.hpp"

namespace floatscope::cli {

// The exit-0 decision: at most max_mismatch of the checked values wrong (none when none checked).
bool check_passes(std::size_t wrong, std::size_t checked, double max_mismatch);

// --max-mismatch must be a fraction in [0, 1]; UsageError naming the option otherwise.
void check_mismatch_fraction(double max_mismatch, FrontEnd fe);

// check round under one rounding ("rne", ..., with saturate) or every one ("auto": rank_roundings,
// the best first). UsageError for sr/sr-equal and for saturate with auto, naming the option.
struct RoundCheckRun {
  Rounding rounding;                 // the one checked, or the best of auto
  bool is_auto = false;
  std::vector<RoundingMatch> ranked;  // auto: every mode and overflow policy, best first
  RoundCheck result;
};
RoundCheckRun run_round_check(std::span<const double> in, std::span<const double> got, const Format& f,
                              const std::string& rounding, bool saturate, std::size_t show, FrontEnd fe);

// The `check round --json` object.
nlohmann::json round_check_json(const RoundCheckRun& run, const Format& f, bool pass, double max_mismatch);

// The accumulator `check gemm` runs for a spec of model flags (names in lower case): a named model
// reads its inputs as the hardware does (TF32 units truncate fp32 registers).
Accumulator check_gemm_accumulator(const ExperimentSpec& s);

// The `check gemm --json` object.
nlohmann::json gemm_check_json(const std::string& model, const Accumulator& acc, int M, int N, int K,
                               const GemmCheck& r, bool pass, double max_mismatch);

}  // namespace floatscope::cli
