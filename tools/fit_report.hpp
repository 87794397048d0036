// What `floatscope fit` and the Python package's floatscope.fit() share: the cases from the input
// arrays (with the same checks and messages), the inferred input formats, the search options and
// the JSON report (`fit --json`; Python returns the same object as a dict).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <utility>
#include <string_view>

#include "check_io.hpp"
#include "floatscope/fit.hpp"

namespace floatscope::cli {

// How messages name an option: the command line's flag ("--got-codes") or the Python keyword
// ("got_codes"); everything else in a message is the same text.
enum class FrontEnd { cli, python };
std::string option_name(std::string_view cli_flag, FrontEnd fe);

// The narrowest common format holding every finite value of v (the inputs of fp8/fp16/bf16/tf32
// units): e4m3, e5m2, fp16, bf16, tf32, fp32; fp64 when none of those does.
std::string infer_format(std::span<const double> v);

// The input formats of fit: as given (B's defaults to A's), else each inferred from its values.
std::pair<std::string, std::string> fit_formats(std::span<const double> A, std::span<const double> B,
                                                const std::string& a_format, const std::string& b_format);

// The search options both front ends take (the CLI's --L-max ... --specials, Python's keywords).
struct FitOptions {
  int L_max = 64, F_min = 8, F_max = 40;
  bool scalar = true, fused = true;
  std::string aligners = "auto", specials = "auto";
};
FitSpace fit_space(const std::string& a_format, const std::string& b_format, const FitOptions& o, FrontEnd fe);

// The cases of fit from A, B, optional C and the recorded D. Their `path` names them in messages
// (the CLI: file names; Python: "A", "B", "C", "D"). dot_rows: A and B n x K, C and D n values
// (the first max_cases rows kept); else A M x K, B K x N, C and D M x N (dot_cases_from_gemm).
// Throws UsageError for shapes that do not fit.
DotCases fit_cases(const checkio::Array& A, const checkio::Array& B, const checkio::Array* C,
                   const checkio::Array& D, bool dot_rows, std::size_t max_cases, FrontEnd fe);

// The `fit --json` object. gemm_command(m): the "gemm" entry of a model (the CLI: the whole
// `floatscope gemm` command for matrix inputs, "" for --dot-rows).
nlohmann::json fit_json(const FitResult& r, int K, const std::string& a_format, const std::string& b_format,
                        const std::function<std::string(const FitModel&)>& gemm_command);

}  // namespace floatscope::cli
