// The cases, formats and JSON report of `floatscope fit`, shared with the Python package.
#include "fit_report.hpp"

#include <fmt/format.h>

#include <cmath>

#include "command.hpp"
#include "floatscope/format.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope::cli {

std::string option_name(std::string_view cli_flag, FrontEnd fe) {
  if (fe == FrontEnd::cli) return std::string(cli_flag);
  std::string s(cli_flag.substr(cli_flag.find_first_not_of('-')));
  for (char& c : s)
    if (c == '-') c = '_';
  return s;
}

std::string infer_format(std::span<const double> v) {
  for (const char* name : {"e4m3", "e5m2", "fp16", "bf16", "tf32", "fp32"}) {
    const Format f = parse_format(name);
    bool all = true;
    for (double x : v)
      if (std::isfinite(x) && round(x, f) != x) {
        all = false;
        break;
      }
    if (all) return name;
  }
  return "fp64";
}

namespace {
std::string fit_shape_text(const checkio::Array& x) {
  std::string s;
  for (auto d : x.shape) s += (s.empty() ? "" : "x") + std::to_string(d);
  return s.empty() ? "scalar" : s;
}
}  // namespace

DotCases fit_cases(const checkio::Array& A, const checkio::Array& B, const checkio::Array* C,
                   const checkio::Array& D, bool dot_rows, std::size_t max_cases, FrontEnd fe) {
  // The CLI names the recorded results by their flag (and file), Python by the argument D.
  const std::string rows_flag = option_name("--dot-rows", fe), got_flag = fe == FrontEnd::cli ? "--got" : D.path;
  const std::string got_text = fe == FrontEnd::cli ? D.path + ": --got" : D.path;
  if (dot_rows) {
    // Recorded instructions: row i of A times row i of B plus C[i] gave D[i].
    if (A.shape.size() != 2 || B.shape != A.shape)
      throw UsageError(fmt::format("{}: A ({}) and B ({}) must both be n x K (one dot product per row)", rows_flag,
                                   fit_shape_text(A), fit_shape_text(B)));
    if (D.v.size() != A.rows)
      throw UsageError(fmt::format("{}: {} holds {} results for {} rows of A", rows_flag, D.path, D.v.size(), A.rows));
    if (C && C->v.size() != A.rows)
      throw UsageError(fmt::format("{}: {} holds {} values of C for {} rows of A", rows_flag, C->path, C->v.size(),
                                   A.rows));
    DotCases d;
    d.K = static_cast<int>(A.cols);
    d.a = A.v;
    d.b = B.v;
    d.c = C ? C->v : std::vector<double>(A.rows, 0.0);
    d.d = D.v;
    if (d.d.size() > max_cases) {  // keep the first max_cases rows
      d.d.resize(max_cases);
      d.c.resize(max_cases);
      d.a.resize(max_cases * A.cols);
      d.b.resize(max_cases * A.cols);
    }
    return d;
  }
  if (A.shape.size() != 2 || B.shape.size() != 2 || D.shape.size() != 2)
    throw UsageError(fmt::format("A ({}), B ({}) and {} ({}) must be 2-D matrices (or give {} for "
                                 "one dot product per row)", fit_shape_text(A), fit_shape_text(B), got_flag,
                                 fit_shape_text(D), rows_flag));
  if (A.cols != B.rows)
    throw UsageError(fmt::format("shapes do not chain: {} is {}x{}, {} is {}x{} (need A's columns == B's rows)",
                                 A.path, A.rows, A.cols, B.path, B.rows, B.cols));
  if (D.rows != A.rows || D.cols != B.cols)
    throw UsageError(fmt::format("{} is {}x{}, expected {}x{}", got_text, D.rows, D.cols, A.rows, B.cols));
  if (C && (C->shape.size() != 2 || C->rows != A.rows || C->cols != B.cols))
    throw UsageError(fmt::format("{}: C is {}, expected {}x{}", C->path, fit_shape_text(*C), A.rows, B.cols));
  return dot_cases_from_gemm(static_cast<int>(A.rows), static_cast<int>(B.cols), static_cast<int>(A.cols),
                             A.v.data(), B.v.data(), C ? C->v.data() : nullptr, D.v.data(), max_cases);
}

namespace {
// "auto", "standard" or "all" for --aligners / --specials.
AlignerSearch parse_search(const std::string& value, std::string_view cli_flag, FrontEnd fe) {
  if (value == "standard") return AlignerSearch::standard;
  if (value == "all") return AlignerSearch::all;
  if (value == "auto") return AlignerSearch::when_needed;
  throw UsageError(fmt::format("{} must be auto, standard or all, not '{}'", option_name(cli_flag, fe), value));
}
}  // namespace

std::pair<std::string, std::string> fit_formats(std::span<const double> A, std::span<const double> B,
                                                const std::string& a_format, const std::string& b_format) {
  const std::string a = a_format.empty() ? infer_format(A) : a_format;
  const std::string b = b_format.empty() ? (a_format.empty() ? infer_format(B) : a_format) : b_format;
  return {a, b};
}

FitSpace fit_space(const std::string& a_format, const std::string& b_format, const FitOptions& o, FrontEnd fe) {
  FitSpace space;
  space.a_format = parse_format(a_format);
  space.b_format = parse_format(b_format);
  space.L_max = o.L_max;
  space.F_min = o.F_min;
  space.F_max = o.F_max;
  space.scalar = o.scalar;
  space.fused = o.fused;
  space.aligners = parse_search(o.aligners, "--aligners", fe);
  space.specials = parse_search(o.specials, "--specials", fe);
  return space;
}

nlohmann::json fit_json(const FitResult& r, int K, const std::string& a_format, const std::string& b_format,
                        const std::function<std::string(const FitModel&)>& gemm_command) {
  nlohmann::json models = nlohmann::json::array();
  for (const auto& m : r.models) {
    nlohmann::json rules = nlohmann::json::array();
    for (const auto& f : m.rules) rules.push_back({{"rule", f.rule}, {"options", f.options}, {"cases", f.cases}});
    const auto flags = gemm_flags(m.acc, K);
    models.push_back({{"model", m.label}, {"matched", m.matched}, {"match_rate", m.match_rate()},
                      {"same_as", same_hardware_model(m.acc, K)}, {"gemm", gemm_command(m)},
                      {"gemm_flags", flags ? *flags : std::string()},
                      {"accumulator", m.acc.describe()}, {"special_value_rules", rules}});
  }
  return {{"cases", r.cases}, {"K", K}, {"a_format", a_format}, {"b_format", b_format},
          {"candidates", r.space_size}, {"output_formats", r.out_formats},
          {"dot_products", r.evaluations}, {"completed", r.completed},
          {"probes", r.probes}, {"seconds", r.seconds},
          {"full_matches", r.full_matches()}, {"aligner_variants", r.aligner_variants},
          {"special_variants", r.special_variants},
          {"refine_dot_products", r.refine_evaluations},
          {"models", models}};
}

}  // namespace floatscope::cli
