// `floatscope check round|gemm`: a user's recorded results against floatscope, bit for bit, as a
// regression test for anybody's CI: exit 0 when everything matches (or the mismatch rate is within
// --max-mismatch), 1 otherwise; --junit FILE writes JUnit XML, --json prints a JSON report.
#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "check_io.hpp"
#include "check_report.hpp"
#include "command.hpp"
#include "model_flags.hpp"
#include "floatscope/check.hpp"
#include "floatscope/experiment.hpp"
#include "floatscope/models.hpp"
#include "floatscope/names.hpp"
#include "floatscope/parallel.hpp"

namespace floatscope::cli {
namespace {

using checkio::code_and_value;
using checkio::hex_float;

struct CheckCommon {
  double max_mismatch = 0;
  std::string junit;
  bool json = false;
  std::size_t show = 10;
};

void add_common(CLI::App& app, CheckCommon& c) {
  app.add_option("--max-mismatch", c.max_mismatch,
                 "pass when at most this fraction of the values is wrong (0.001 = 0.1%)")
      ->capture_default_str();
  app.add_option("--junit", c.junit, "also write a JUnit XML report to FILE (for CI systems)");
  app.add_flag("--json", c.json, "print a JSON report instead of text");
  add_strict_int(app, "--show", c.show, "mismatches listed (the first in input order) [default: 10]", 0, 1000000);
}

std::string percent(double rate) { return fmt::format("{:.4g}%", 100 * rate); }

bool passes(std::size_t wrong, std::size_t checked, double max_mismatch) {
  return check_passes(wrong, checked, max_mismatch);
}

// ---- check round ---------------------------------------------------------------------------

struct RoundArgs {
  CheckCommon common;
  std::string format, rounding = "rne", in, got, got_codes;
  bool saturate = false;
};

std::string round_case_label(RoundCase c) { return std::string(round_case_name(c)); }

std::string round_mismatch_line(const RoundMismatch& m, const Format& f) {
  return fmt::format("{:<8} {:<34} {:<22} {:<22} {:<12} {}", m.index,
                     fmt::format("{} ({:.9g})", hex_float(m.input), m.input), code_and_value(m.expected, f),
                     code_and_value(m.got, f), round_case_label(m.kind), m.tie_rule.empty() ? "-" : m.tie_rule);
}

void print_round(const RoundCheck& c, const Format& f, const Rounding& r, std::size_t show) {
  fmt::print("check round: {} values onto {} with {}\n", c.checked, f.name, rounding_label(r));
  fmt::print("wrong: {} of {} (match {})\n", c.wrong, c.checked, percent(c.match_rate()));
  fmt::print("{:<12} {:>10} {:>10}\n", "case", "checked", "wrong");
  for (std::size_t k = 0; k < kRoundCaseCount; ++k)
    fmt::print("{:<12} {:>10} {:>10}\n", round_case_label(static_cast<RoundCase>(k)), c.checked_by_case[k],
               c.wrong_by_case[k]);
  if (c.first.empty() || show == 0) return;
  fmt::print("first mismatches (up to {}):\n{:<8} {:<34} {:<22} {:<22} {:<12} {}\n", show, "index", "input",
             "expected", "got", "case", "tie rule of got");
  for (const auto& m : c.first) fmt::print("{}\n", round_mismatch_line(m, f));
}

std::vector<checkio::JunitCase> round_junit(const RoundCheck& c, const Format& f, double max_mismatch) {
  std::vector<checkio::JunitCase> cases;
  const bool ok = passes(c.wrong, c.checked, max_mismatch);
  cases.push_back({"all values", !ok, false,
                   fmt::format("{} of {} wrong (allowed fraction {})", c.wrong, c.checked, max_mismatch), ""});
  for (std::size_t k = 0; k < kRoundCaseCount; ++k) {
    const RoundCase kind = static_cast<RoundCase>(k);
    checkio::JunitCase j;
    j.name = round_case_label(kind);
    if (c.checked_by_case[k] == 0) {
      j.skipped = true;
      j.message = "no case of this kind in the input";
    } else if (!passes(c.wrong_by_case[k], c.checked_by_case[k], max_mismatch)) {
      j.failed = true;
      j.message = fmt::format("{} of {} wrong", c.wrong_by_case[k], c.checked_by_case[k]);
      for (const auto& m : c.first)
        if (m.kind == kind) j.detail += round_mismatch_line(m, f) + "\n";
    }
    cases.push_back(std::move(j));
  }
  return cases;
}

int run_check_round(const RoundArgs& o) {
  const CheckCommon& c = o.common;
  checkio::check_max_mismatch(c.max_mismatch);
  const Format f = parse_format(o.format);
  if (o.got.empty() == o.got_codes.empty())
    throw UsageError("check round: give exactly one of --got (values) and --got-codes (codes of --format)");
  const auto in = checkio::read_values(o.in, "--in", "", "");
  checkio::Array got;
  if (!o.got.empty()) {
    got = checkio::read_values(o.got, "--got", o.format, "--format");
  } else {
    NpyArray arr;
    try {
      arr = read_npy(o.got_codes);
      got.v = npy_codes_to_doubles(arr, f);
    } catch (const NpyError& e) {
      throw UsageError(e.what());
    }
    got.path = o.got_codes;
  }
  if (got.v.size() != in.v.size())
    throw UsageError(fmt::format("{} holds {} values but {} holds {}: one result per input", got.path,
                                 got.v.size(), in.path, in.v.size()));
  const RoundCheckRun run = run_round_check(in.v, got.v, f, o.rounding, o.saturate, c.show, FrontEnd::cli);
  const bool is_auto = run.is_auto;
  const Rounding& r = run.rounding;
  const std::vector<RoundingMatch>& ranked = run.ranked;
  const RoundCheck& result = run.result;
  const bool ok = passes(result.wrong, result.checked, c.max_mismatch);
  if (!c.junit.empty())
    checkio::write_file_atomically(
        c.junit, checkio::junit_xml(fmt::format("check round {} {}", f.name, rounding_label(r)),
                                    "floatscope.check.round." + f.name, round_junit(result, f, c.max_mismatch)));
  if (c.json) {
    fmt::print("{}\n", round_check_json(run, f, ok, c.max_mismatch).dump(2));
  } else {
    if (is_auto) {
      std::string full;
      for (const auto& m : ranked)
        if (m.wrong == 0) full += (full.empty() ? "" : ", ") + rounding_label(m.rounding);
      if (!full.empty())
        fmt::print("rounding auto: matches all {} values: {}\n", result.checked, full);
      else
        fmt::print("rounding auto: no mode matches all {} values; best {} ({} wrong, match {}); next {} ({} wrong)\n",
                   result.checked, rounding_label(r), result.wrong, percent(result.match_rate()),
                   rounding_label(ranked[1].rounding), ranked[1].wrong);
    }
    print_round(result, f, r, c.show);
  }
  return ok ? kExitOk : kExitFailure;
}

// ---- check gemm ----------------------------------------------------------------------------

struct GemmCheckArgs {
  CheckCommon common;
  ExperimentSpec spec;
  std::string a, b, c, got;
  int threads = 0;
};

int run_check_gemm(GemmCheckArgs& g) {
  const CheckCommon& cm = g.common;
  checkio::check_max_mismatch(cm.max_mismatch);
  check_threads(g.threads, "--threads");
  ExperimentSpec& s = g.spec;
  lower_model_names(s);
  const auto A = checkio::read_values(g.a, "A", s.a_format, "--a-format");
  const auto B = checkio::read_values(g.b, "B", s.b_format.empty() ? s.a_format : s.b_format, "--b-format");
  const auto D = checkio::read_values(g.got, "--got", "", "");
  if (A.shape.size() != 2 || B.shape.size() != 2 || D.shape.size() != 2)
    throw UsageError(fmt::format("A ({}), B ({}) and --got ({}) must be 2-D matrices", g.a, g.b, g.got));
  if (A.cols != B.rows)
    throw UsageError(fmt::format("shapes do not chain: {} is {}x{}, {} is {}x{} (need A's columns == B's rows)",
                                 g.a, A.rows, A.cols, g.b, B.rows, B.cols));
  if (D.rows != A.rows || D.cols != B.cols)
    throw UsageError(fmt::format("{}: --got is {}x{}, expected {}x{}", g.got, D.rows, D.cols, A.rows, B.cols));
  checkio::Array C;
  if (!g.c.empty()) {
    C = checkio::read_values(g.c, "C", "", "");
    if (C.rows != A.rows || C.cols != B.cols || C.shape.size() != 2)
      throw UsageError(fmt::format("{}: C is {}x{}, expected {}x{}", g.c, C.rows, C.cols, A.rows, B.cols));
  }
  const Accumulator acc = check_gemm_accumulator(s);
  const int M = static_cast<int>(A.rows), N = static_cast<int>(B.cols), K = static_cast<int>(A.cols);
  const GemmCheck r = check_gemm(acc, M, N, K, A.v.data(), B.v.data(), g.c.empty() ? nullptr : C.v.data(),
                                 D.v.data(), cm.show, g.threads);
  const bool ok = passes(r.wrong, r.checked, cm.max_mismatch);
  const std::string model = s.model.empty() ? "custom" : s.model;
  auto mismatch_line = [&](const GemmMismatch& m) {
    return fmt::format("{:<6} {:<6} {:<22} {:<22} {}", m.row, m.col, hex_float(m.expected), hex_float(m.got),
                       std::isinf(m.ulps) ? std::string("inf") : fmt::format("{:.6g}", m.ulps));
  };
  const std::string summary = fmt::format("bit-exact: {} of {} (match {}); largest deviation {} ulp of {}",
                                          r.checked - r.wrong, r.checked, percent(r.match_rate()),
                                          fmt::format("{:.6g}", r.max_ulps), r.out_format.name);
  if (!cm.junit.empty()) {
    checkio::JunitCase j{"bit-exact outputs", !ok, false, summary, ""};
    for (const auto& m : r.first) j.detail += mismatch_line(m) + "\n";
    checkio::write_file_atomically(cm.junit, checkio::junit_xml("check gemm " + model, "floatscope.check.gemm." + model, {j}));
  }
  if (cm.json) {
    fmt::print("{}\n", gemm_check_json(model, acc, M, N, K, r, ok, cm.max_mismatch).dump(2));
  } else {
    fmt::print("check gemm: {}x{} outputs, K={}, model {}\naccumulator {}\n{}\n", M, N, K, model, acc.describe(),
               summary);
    if (r.nonfinite_wrong) fmt::print("{} mismatches where one side is NaN or Inf (not in the ulp maximum)\n", r.nonfinite_wrong);
    if (!r.first.empty() && cm.show > 0) {
      fmt::print("first mismatches (up to {}):\n{:<6} {:<6} {:<22} {:<22} {}\n", cm.show, "row", "col", "expected",
                 "got", "ulps");
      for (const auto& m : r.first) fmt::print("{}\n", mismatch_line(m));
    }
  }
  return ok ? kExitOk : kExitFailure;
}

const Registrar reg_check("check", 35, [](CLI::App& app) -> std::function<int()> {
  app.description("Regression tests for your results: check round|gemm compares them with floatscope bit for bit");
  app.require_subcommand(1);
  app.footer("Exit 0 when everything matches (or within --max-mismatch), 1 otherwise, 2 for bad input.");

  CLI::App* round = app.add_subcommand("round", "Check a conversion onto a format (your Y = round(X)) bit for bit");
  round->footer(
      "Each wrong value is classified: tie (with the tie rule your value follows), subnormal,\n"
      "overflow (saturation), nan-inf, signed-zero, ordinary. NaN results match any NaN.\n"
      "--rounding auto tries rne rna rtz rup rdn rto, each with and without saturation, and\n"
      "names those that match every value (else the best, with its rate).\n"
      "Examples:\n"
      "  floatscope check round --format e4m3 --in x.npy --got y.npy\n"
      "  floatscope check round --format e4m3 --rounding auto --in x.npy --got-codes codes.npy --junit r.xml");
  auto ro = std::make_shared<RoundArgs>();
  round->add_option("--format,-f", ro->format, "target format: " + preset_format_names() + ", or eXmY[:...]")
      ->required();
  round->add_option("--rounding,-r", ro->rounding, "rne, rna, rtz, rup, rdn, rto, or auto")->capture_default_str();
  round->add_flag("--saturate", ro->saturate, "overflow saturates to +-max (default: the spec's rule)");
  round->add_option("--in", ro->in, "inputs X as .npy (float16/32/64)")->required();
  round->add_option("--got", ro->got, "your results Y as .npy values (float16/32/64)");
  round->add_option("--got-codes", ro->got_codes, "your results as .npy codes of --format (uint8/uint16)");
  add_common(*round, ro->common);

  CLI::App* gemm = app.add_subcommand("gemm", "Check recorded GEMM outputs D = A*B (+C) against a model bit for bit");
  gemm->footer(
      "Reports the bit-exact rate, the largest deviation in ulps of the model's output format and\n"
      "the first mismatching outputs with their row and column. Inputs must lie on the input\n"
      "formats (a named TF32 model truncates fp32 inputs as the hardware does).\n"
      "Examples:\n"
      "  floatscope check gemm --a A.npy --b B.npy --got D.npy --model h100-fp16\n"
      "  floatscope check gemm --a A.npy --b B.npy --c C.npy --got D.npy --block-fma 16,25 --json");
  auto go = std::make_shared<GemmCheckArgs>();
  ExperimentSpec& s = go->spec;
  s.model.clear();
  gemm->add_option("--a", go->a, "A as .npy (M x K; float values, uint8/uint16 codes of --a-format, uint32 fp32 words)")
      ->required();
  gemm->add_option("--b", go->b, "B as .npy (K x N)")->required();
  gemm->add_option("--c", go->c, "C as .npy (M x N): the initial accumulator of every output");
  gemm->add_option("--got", go->got, "your D as .npy (M x N values, or uint32 fp32 words)")->required();
  add_custom_model_flags(*gemm, s);
  add_strict_int(*gemm, "--threads", go->threads, "threads (0 = all cores) [default: 0]", 0, INT_MAX);
  add_common(*gemm, go->common);

  return [round, ro, gemm, go]() -> int {
    if (round->parsed()) return run_check_round(*ro);
    if (gemm->parsed()) return run_check_gemm(*go);
    throw UsageError("check: give a subcommand, round or gemm");
  };
});

}  // namespace
}  // namespace floatscope::cli
