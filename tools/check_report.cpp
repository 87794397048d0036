// The decisions and JSON reports of `floatscope check`, shared with the Python package.
#include "check_report.hpp"

#include <fmt/format.h>

#include <cmath>

#include "check_io.hpp"
#include "command.hpp"
#include "floatscope/models.hpp"
#include "floatscope/names.hpp"

namespace floatscope::cli {

bool check_passes(std::size_t wrong, std::size_t checked, double max_mismatch) {
  return checked == 0 ? wrong == 0 : static_cast<double>(wrong) / static_cast<double>(checked) <= max_mismatch;
}

void check_mismatch_fraction(double m, FrontEnd fe) {
  if (!(m >= 0 && m <= 1))
    throw UsageError(fmt::format("{}: {} is not a fraction in [0, 1] (0.001 = 0.1%)", option_name("--max-mismatch", fe), m));
}

RoundCheckRun run_round_check(std::span<const double> in, std::span<const double> got, const Format& f,
                              const std::string& rounding, bool saturate, std::size_t show, FrontEnd fe) {
  RoundCheckRun run;
  run.is_auto = iequals(rounding, "auto");
  if (run.is_auto) {
    if (saturate)
      throw UsageError(fmt::format("{}: {} auto tries both overflow policies itself", option_name("--saturate", fe),
                                   option_name("--rounding", fe)));
    run.ranked = rank_roundings(in, got, f, show);
    run.rounding = run.ranked.front().rounding;
    run.result = run.ranked.front().detail;
    return run;
  }
  run.rounding.mode = parse_mode(rounding);
  if (is_stochastic(run.rounding.mode))
    throw UsageError(fmt::format("{} {}: stochastic modes cannot be checked bit for bit (valid: "
                                 "rne, rna, rtz, rup, rdn, rto, auto)", option_name("--rounding", fe), rounding));
  run.rounding.overflow = saturate ? Overflow::saturate : Overflow::spec;
  run.result = check_rounding(in, got, f, run.rounding, show);
  return run;
}

nlohmann::json round_check_json(const RoundCheckRun& run, const Format& f, bool pass, double max_mismatch) {
  const RoundCheck& c = run.result;
  nlohmann::json cases = nlohmann::json::object();
  for (std::size_t k = 0; k < kRoundCaseCount; ++k)
    cases[std::string(round_case_name(static_cast<RoundCase>(k)))] = {{"checked", c.checked_by_case[k]},
                                                                      {"wrong", c.wrong_by_case[k]}};
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : c.first)
    list.push_back({{"index", m.index},
                    {"input", checkio::hex_float(m.input)},
                    {"expected", checkio::hex_float(m.expected)},
                    {"got", checkio::hex_float(m.got)},
                    {"expected_bits", checkio::code_and_value(m.expected, f)},
                    {"got_bits", checkio::code_and_value(m.got, f)},
                    {"case", std::string(round_case_name(m.kind))},
                    {"tie_rule", m.tie_rule}});
  const nlohmann::json result = {{"checked", c.checked}, {"wrong", c.wrong}, {"match_rate", c.match_rate()},
                                 {"cases", cases}, {"mismatches", list}};
  nlohmann::json j = {{"check", "round"}, {"format", f.name}, {"rounding", rounding_label(run.rounding)},
                      {"pass", pass}, {"max_mismatch", max_mismatch}, {"result", result}};
  if (run.is_auto) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& m : run.ranked) all.push_back({{"rounding", rounding_label(m.rounding)}, {"wrong", m.wrong}});
    j["auto"] = all;
  }
  return j;
}

Accumulator check_gemm_accumulator(const ExperimentSpec& s) {
  Accumulator acc = resolve_accumulator(s);
  if (!s.model.empty() && s.model != "custom") acc.quantize = find_model(s.model)->acc.quantize;
  return acc;
}

nlohmann::json gemm_check_json(const std::string& model, const Accumulator& acc, int M, int N, int K,
                               const GemmCheck& r, bool pass, double max_mismatch) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : r.first)
    list.push_back({{"row", m.row}, {"col", m.col}, {"expected", checkio::hex_float(m.expected)},
                    {"got", checkio::hex_float(m.got)},
                    {"ulps", std::isinf(m.ulps) ? nlohmann::json("inf") : nlohmann::json(m.ulps)}});
  return {{"check", "gemm"}, {"model", model}, {"accumulator", acc.describe()},
          {"M", M}, {"N", N}, {"K", K}, {"checked", r.checked}, {"wrong", r.wrong},
          {"match_rate", r.match_rate()}, {"max_ulps", r.max_ulps},
          {"nonfinite_wrong", r.nonfinite_wrong}, {"out_format", r.out_format.name},
          {"pass", pass}, {"max_mismatch", max_mismatch}, {"mismatches", list}};
}

}  // namespace floatscope::cli
