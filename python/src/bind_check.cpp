// fit(), check_round() and check_gemm(): `floatscope fit` and `floatscope check round|gemm` on
// arrays. The cases, checks and JSON objects are the CLI's own (tools/fit_report.cpp,
// tools/check_report.cpp); each returns the JSON text, which the package turns into a dict.
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "check_report.hpp"
#include "command.hpp"
#include "fit_report.hpp"
#include "floatscope/check.hpp"
#include "floatscope/fit.hpp"
#include "floatscope/parallel.hpp"

namespace nb = nanobind;

namespace floatscope::python {
namespace {

using cli::FrontEnd;
using Values = nb::ndarray<const double, nb::c_contig, nb::device::cpu>;  // any shape

// A NumPy array as the CLI's loaded .npy file: values, shape, and the name messages use.
cli::checkio::Array array_of(const Values& x, const char* name) {
  cli::checkio::Array a;
  a.v.assign(x.data(), x.data() + x.size());
  for (std::size_t k = 0; k < x.ndim(); ++k) a.shape.push_back(x.shape(k));
  a.path = name;
  a.rows = a.shape.empty() ? 1 : a.shape[0];
  a.cols = 1;
  for (std::size_t k = 1; k < a.shape.size(); ++k) a.cols *= a.shape[k];
  return a;
}

// gemm()'s keywords for a model's flags (block-fma -> block_fma), each with its option's type, as
// [keyword, value] pairs in the flags' order (the package makes them a dict).
nlohmann::json gemm_options(const std::vector<GemmFlag>& flags) {
  nlohmann::json o = nlohmann::json::array();
  for (const auto& f : flags) {
    std::string key = f.name;
    for (char& c : key)
      if (c == '-') c = '_';
    nlohmann::json value;
    switch (f.kind) {
      case GemmFlag::Kind::text: value = f.value; break;
      case GemmFlag::Kind::integer: value = std::stoll(f.value); break;
      case GemmFlag::Kind::number: value = std::stod(f.value); break;  // the shortest round trip: exact
      case GemmFlag::Kind::flag: value = true; break;
    }
    o.push_back(nlohmann::json::array({key, value}));
  }
  return o;
}

std::string fit(const Values& A, const Values& B, std::optional<Values> C, const Values& D,
                const std::string& a_format, const std::string& b_format, bool dot_rows, std::size_t top,
                std::size_t max_cases, int L_max, int F_min, int F_max, bool scalar, bool fused,
                const std::string& aligners, const std::string& specials, int threads) {
  check_threads(threads, "threads");
  const auto a = array_of(A, "A"), b = array_of(B, "B"), d = array_of(D, "D");
  std::optional<cli::checkio::Array> c;
  if (C) c = array_of(*C, "C");
  const auto [a_fmt, b_fmt] = cli::fit_formats(a.v, b.v, a_format, b_format);
  const DotCases data = cli::fit_cases(a, b, c ? &*c : nullptr, d, dot_rows, max_cases, FrontEnd::python);
  cli::FitOptions opts;
  opts.L_max = L_max;
  opts.F_min = F_min;
  opts.F_max = F_max;
  opts.scalar = scalar;
  opts.fused = fused;
  opts.aligners = aligners;
  opts.specials = specials;
  const FitSpace space = cli::fit_space(a_fmt, b_fmt, opts, FrontEnd::python);
  FitResult r;
  {
    nb::gil_scoped_release unlocked;
    r = floatscope::fit(data, space, top, threads);
  }
  // "gemm" is the CLI's command line for files; the package writes its own call from gemm_options.
  nlohmann::json j = cli::fit_json(r, data.K, a_fmt, b_fmt, [](const FitModel&) { return std::string(); });
  for (std::size_t i = 0; i < r.models.size(); ++i) {
    const auto flags = gemm_flag_list(r.models[i].acc, data.K);
    j["models"][i]["gemm_options"] = flags ? gemm_options(*flags) : nlohmann::json(nullptr);
  }
  return j.dump();
}

std::string check_round(const Values& x, const Values& got, const std::string& got_name, const std::string& format,
                        const std::string& rounding, bool saturate, std::size_t show, double max_mismatch) {
  cli::check_mismatch_fraction(max_mismatch, FrontEnd::python);
  const Format f = parse_format(format);
  if (got.size() != x.size())
    throw cli::UsageError(fmt::format("{} holds {} values but x holds {}: one result per input", got_name,
                                      got.size(), x.size()));
  const std::span<const double> in(x.data(), x.size()), out(got.data(), got.size());
  cli::RoundCheckRun run;
  {
    nb::gil_scoped_release unlocked;
    run = cli::run_round_check(in, out, f, rounding, saturate, show, FrontEnd::python);
  }
  const bool ok = cli::check_passes(run.result.wrong, run.result.checked, max_mismatch);
  return cli::round_check_json(run, f, ok, max_mismatch).dump();
}

using Matrix = nb::ndarray<const double, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

std::string shape_of(const Matrix& m) { return std::to_string(m.shape(0)) + "x" + std::to_string(m.shape(1)); }

std::string check_gemm(const Matrix& A, const Matrix& B, std::optional<Matrix> C, const Matrix& got,
                       const nb::dict& options, std::size_t show, double max_mismatch, int threads) {
  cli::check_mismatch_fraction(max_mismatch, FrontEnd::python);
  check_threads(threads, "threads");
  ExperimentSpec s;
  s.model.clear();
  for (auto [k, v] : options) set_spec_field(s, nb::cast<std::string>(k), v, "check_gemm");
  if (A.shape(1) != B.shape(0))
    throw cli::UsageError(fmt::format("shapes do not chain: A is {}, B is {} (need A's columns == B's rows)",
                                      shape_of(A), shape_of(B)));
  if (got.shape(0) != A.shape(0) || got.shape(1) != B.shape(1))
    throw cli::UsageError(fmt::format("got is {}, expected {}x{}", shape_of(got), A.shape(0), B.shape(1)));
  if (C && (C->shape(0) != A.shape(0) || C->shape(1) != B.shape(1)))
    throw cli::UsageError(fmt::format("C is {}, expected {}x{}", shape_of(*C), A.shape(0), B.shape(1)));
  for (const auto& [n, what] : {std::pair{A.shape(0), "M"}, {A.shape(1), "K"}, {B.shape(1), "N"}})
    if (n == 0 || n > static_cast<std::size_t>(INT32_MAX))
      throw cli::UsageError(fmt::format("check_gemm: {} = {} (must be 1 to 2^31-1)", what, n));
  const Accumulator acc = cli::check_gemm_accumulator(s);
  const int M = static_cast<int>(A.shape(0)), N = static_cast<int>(B.shape(1)), K = static_cast<int>(A.shape(1));
  GemmCheck r;
  {
    nb::gil_scoped_release unlocked;
    r = floatscope::check_gemm(acc, M, N, K, A.data(), B.data(), C ? C->data() : nullptr, got.data(), show, threads);
  }
  const bool ok = cli::check_passes(r.wrong, r.checked, max_mismatch);
  return cli::gemm_check_json(s.model.empty() ? "custom" : s.model, acc, M, N, K, r, ok, max_mismatch).dump();
}

}  // namespace

void bind_check(nb::module_& m) {
  m.def("fit", &fit, nb::arg("A"), nb::arg("B"), nb::arg("C").none(), nb::arg("D"), nb::arg("a_format"),
        nb::arg("b_format"), nb::arg("dot_rows"), nb::arg("top"), nb::arg("max_cases"), nb::arg("L_max"),
        nb::arg("F_min"), nb::arg("F_max"), nb::arg("scalar"), nb::arg("fused"), nb::arg("aligners"),
        nb::arg("specials"), nb::arg("threads"));
  m.def("check_round", &check_round, nb::arg("x"), nb::arg("got"), nb::arg("got_name"), nb::arg("format"),
        nb::arg("rounding"), nb::arg("saturate"), nb::arg("show"), nb::arg("max_mismatch"));
  m.def("check_gemm", &check_gemm, nb::arg("A"), nb::arg("B"), nb::arg("C").none(), nb::arg("got"),
        nb::arg("options"), nb::arg("show"), nb::arg("max_mismatch"), nb::arg("threads"));
}

}  // namespace floatscope::python
