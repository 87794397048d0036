// `floatscope fit`: which accumulation models reproduce recorded outputs bit for bit? Loads the
// data, runs floatscope::fit (lib/src/fit_*.cpp) and prints the best models with their match
// rates and the `floatscope gemm` flags that run them.
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "check_io.hpp"
#include "command.hpp"
#include "fit_report.hpp"
#include "floatscope/fit.hpp"
#include "floatscope/names.hpp"
#include "floatscope/parallel.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope::cli {
namespace {

struct FitArgs {
  std::string a, b, c, got, a_format, b_format, write_probes, aligners = "auto", specials = "auto";
  bool dot_rows = false, json = false, no_scalar = false, no_fused = false;
  std::size_t top = 1, show = 10, max_cases = 20000;
  int L_max = 64, F_min = 8, F_max = 40, threads = 0, K = 0;
};

DotCases load_cases(const FitArgs& o, std::string& a_fmt, std::string& b_fmt) {
  const auto A = checkio::read_values(o.a, "A", o.a_format, "--a-format");
  const auto B = checkio::read_values(o.b, "B", o.b_format.empty() ? o.a_format : o.b_format, "--b-format");
  const auto D = checkio::read_values(o.got, "--got", "", "");
  checkio::Array C;
  if (!o.c.empty()) C = checkio::read_values(o.c, "C", "", "");
  std::tie(a_fmt, b_fmt) = fit_formats(A.v, B.v, o.a_format, o.b_format);
  return fit_cases(A, B, o.c.empty() ? nullptr : &C, D, o.dot_rows, o.max_cases, FrontEnd::cli);
}

// "subnormal inputs flush (12 cases), overflow exact-sum or ieee or saturate (no case), ...":
// each rule's options that fit as well as the model's own, and how many cases the rule met.
std::string rules_text(const std::vector<RuleFinding>& rules) {
  std::string s;
  for (const auto& f : rules) {
    std::string opts;
    for (const auto& o : f.options) opts += (opts.empty() ? "" : " or ") + o;
    s += fmt::format("{}{} {} ({})", s.empty() ? "" : ", ", f.rule, opts,
                     f.cases == 0 ? std::string("no case") : fmt::format("{} case{}", f.cases, f.cases == 1 ? "" : "s"));
  }
  return s;
}

// --write-probes DIR: the targeted probe cases (probe_cases) as DIR/a.npy, b.npy (n x K) and
// c.npy (n) in float32, for the user to run on a unit (D[i] = row i of A . row i of B + C[i]).
int write_probes(const FitArgs& o) {
  if (o.a_format.empty() || o.K < 1)
    throw UsageError("--write-probes needs --a-format (and --b-format if B differs) and --K (the unit's K)");
  const Format a = parse_format(o.a_format), b = parse_format(o.b_format.empty() ? o.a_format : o.b_format);
  if (!a.values_are_floats() || !b.values_are_floats())
    throw UsageError("--write-probes: the probe values are written as float32; " + a.name + " x " + b.name +
                     " does not fit");
  FitSpace space;
  space.a_format = a;
  space.b_format = b;
  space.L_max = o.L_max;
  space.F_min = o.F_min;
  space.F_max = o.F_max;
  const DotCases p = probe_cases(a, b, o.K, space);
  const std::filesystem::path dir(o.write_probes);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  const std::size_t n = p.size(), K = static_cast<std::size_t>(o.K);
  write_npy((dir / "a.npy").string(), p.a.data(), {n, K}, true);
  write_npy((dir / "b.npy").string(), p.b.data(), {n, K}, true);
  write_npy((dir / "c.npy").string(), p.c.data(), {n}, true);
  fmt::print("wrote {} probe cases (K={}, A {}, B {}) to {}/a.npy, b.npy, c.npy\n", n, o.K, a.name, b.name,
             dir.string());
  fmt::print("run them: D[i] = sum_k A[i,k] B[i,k] + C[i] on the unit, save D as d.npy (n values), then\n"
             "  floatscope fit --dot-rows --a {0}/a.npy --b {0}/b.npy --c {0}/c.npy --got d.npy --a-format {1} "
             "--b-format {2}\n(the probes alone separate the block-FMA units of docs/references.md s.5: "
             "tests/unit/test_fit_probes.cpp)\n", dir.string(), a.name, b.name);
  return kExitOk;
}

int run_fit(const FitArgs& o) {
  check_threads(o.threads, "--threads");
  if (!o.write_probes.empty()) return write_probes(o);
  if (o.a.empty() || o.b.empty() || o.got.empty())
    throw UsageError("fit needs --a, --b and --got (or --write-probes DIR to make probe inputs)");
  std::string a_fmt, b_fmt;
  const DotCases data = load_cases(o, a_fmt, b_fmt);
  FitOptions opts;
  opts.L_max = o.L_max;
  opts.F_min = o.F_min;
  opts.F_max = o.F_max;
  opts.scalar = !o.no_scalar;
  opts.fused = !o.no_fused;
  opts.aligners = o.aligners;
  opts.specials = o.specials;
  const FitSpace space = fit_space(a_fmt, b_fmt, opts, FrontEnd::cli);
  const FitResult r = fit(data, space, o.top, o.threads);
  const std::string inputs = fmt::format("--a {} --b {}{}", o.a, o.b, o.c.empty() ? "" : " --c " + o.c);
  // The model's custom flags, and with matrix inputs the whole `floatscope gemm` command (gemm runs
  // matrices: for --dot-rows data the flags alone, to run on the user's own matrices).
  auto model_flags = [&](const FitModel& m) -> std::string {
    const auto f = gemm_flags(m.acc, data.K);
    return f ? *f : "";
  };
  auto flags = [&](const FitModel& m) -> std::string {
    const std::string f = model_flags(m);
    return o.dot_rows || f.empty() ? "" : "floatscope gemm " + inputs + " " + f;
  };
  if (o.json) {
    fmt::print("{}\n", fit_json(r, data.K, a_fmt, b_fmt, flags).dump(2));
  } else {
    fmt::print("fit: {} cases, K={}, A {}{}, B {}{}\n", r.cases, data.K, a_fmt, o.a_format.empty() ? " (inferred)" : "",
               b_fmt, o.b_format.empty() && o.a_format.empty() ? " (inferred)" : "");
    std::string outs;
    for (const auto& f : r.out_formats) outs += (outs.empty() ? "" : ", ") + f;
    std::string probes;
    for (std::size_t i = 0; i < std::min<std::size_t>(8, r.probes.size()); ++i)
      probes += (probes.empty() ? "" : " ") + std::to_string(r.probes[i]);
    fmt::print("search: {} candidates (unit output precisions kept by the output grid: {}), {} dot products, "
               "{} candidates run on every case, {:.3g} s\n", r.space_size, outs.empty() ? "none" : outs,
               r.evaluations, r.completed, r.seconds);
    fmt::print("probe cases (the cases that rejected candidates, latest first; 8 of {}): {}\n", r.probes.size(),
               probes.empty() ? "-" : probes);
    if (r.aligner_variants && o.aligners == "auto")
      fmt::print("no truncating unit fits: aligner variants searched too (terms rounded to nearest, normalised products)\n");
    if (r.special_variants && o.specials == "auto")
      fmt::print("no unit fits under NVIDIA's special-value rules: every unit searched under the other rule sets too\n");
    if (r.full_matches() > 0)
      fmt::print("{} model(s) reproduce all {} cases bit for bit\n", r.full_matches(), r.cases);
    else
      fmt::print("no model of the space reproduces all {} cases; the best:\n", r.cases);
    const std::size_t shown = std::min(o.show, r.models.size());
    for (std::size_t i = 0; i < shown; ++i) {
      const FitModel& m = r.models[i];
      const std::string same = same_hardware_model(m.acc, data.K);
      fmt::print("  {:>8}  {}{}\n", fmt::format("{:.4g}%", 100 * m.match_rate()), m.label,
                 same.empty() ? "" : "  = model " + same);
      if (!m.rules.empty()) fmt::print("            special values: {}\n", rules_text(m.rules));
      const std::string f = model_flags(m);
      if (!f.empty() && o.dot_rows)
        fmt::print("            gemm flags: {}\n", f);
      else if (!f.empty())
        fmt::print("            floatscope gemm {} {}\n", inputs, f);
      else if (!o.dot_rows && !same.empty())
        fmt::print("            floatscope gemm {} --model {} --a-format {} --b-format {}\n", inputs,
                   same.substr(0, same.find(',')), a_fmt, b_fmt);
    }
    if (shown < r.models.size())
      fmt::print("  ... {} more with the same match counts (--show N, --json lists all)\n", r.models.size() - shown);
  }
  return r.full_matches() > 0 ? kExitOk : kExitFailure;
}

const Registrar reg_fit("fit", 36, [](CLI::App& app) -> std::function<int()> {
  app.description("Find the accumulation models that reproduce recorded GEMM outputs bit for bit");
  app.footer(
      "Searches block-FMA units (L 1..--L-max and the whole K, F --F-min..--F-max, step output\n"
      "rtz/rne and its precision, C as the first step's accumulator / after each step's products /\n"
      "at the end, promotion every P of K with rne/rtz) and scalar accumulators (fp16 bf16 fp32\n"
      "fp64 x rne rna rtz rup rdn rto x sequential reverse pairwise), each also with D converted to\n"
      "fp16/bf16 (rne, rtz) when the results are values of that format; when they are fp16 values,\n"
      "also fp16 accumulation (steps rounded to fp16, C read in fp16: the -acc16 models). Every\n"
      "unit found is refined over the special-value rules (--specials) and says which of them the\n"
      "data determine. Prints every model with one of the --top best match counts and the\n"
      "`floatscope gemm` flags that run it.\n"
      "Exit 0 when some model reproduces every case, 1 when none does, 2 for bad input.\n"
      "Examples:\n"
      "  floatscope fit --a A.npy --b B.npy --got D.npy --a-format e4m3\n"
      "  floatscope fit --dot-rows --a H100_fp16/a.npy --b H100_fp16/b.npy --c H100_fp16/c.npy \\\n"
      "                 --got H100_fp16/d_fp32.npy --a-format fp16\n"
      "  floatscope fit --write-probes probes/ --a-format e4m3 --K 64");
  auto o = std::make_shared<FitArgs>();
  app.add_option("--a", o->a, "A as .npy (M x K; float values, uint8/uint16 codes of --a-format, uint32 fp32 words)");
  app.add_option("--b", o->b, "B as .npy (K x N; with --dot-rows n x K)");
  app.add_option("--c", o->c, "C as .npy (M x N; with --dot-rows n values); default zeros");
  app.add_option("--got", o->got, "the recorded D as .npy (M x N; with --dot-rows n values)");
  app.add_option("--write-probes", o->write_probes,
                 "instead of fitting, write targeted probe inputs (a.npy, b.npy, c.npy, one dot product "
                 "per row) for --a-format/--b-format and --K to DIR, to run on a unit and fit with --dot-rows");
  add_strict_int(app, "--K", o->K, "the unit's K for --write-probes", 1, 1024);
  app.add_option("--a-format", o->a_format, "format of A's values (default: the narrowest of e4m3 e5m2 fp16 bf16 tf32 fp32 holding them)");
  app.add_option("--b-format", o->b_format, "format of B's values (default: --a-format, else inferred)");
  app.add_flag("--dot-rows", o->dot_rows,
               "A and B hold one dot product per row (row i of A times row i of B, plus C[i], gave D[i]): "
               "the layout of recorded instructions such as hwdata");
  add_strict_int(app, "--top", o->top, "report every model with one of the N lowest mismatch counts; above 1 the search slows down, as each candidate runs until it has more mismatches than the N-th best [default: 1]", 1, 1000);
  add_strict_int(app, "--show", o->show, "models printed [default: 10]", 0, 1000000);
  add_strict_int(app, "--max-cases", o->max_cases, "outputs used, evenly spaced (rows: the first N) [default: 20000]", 1,
                 100000000);
  add_strict_int(app, "--L-max", o->L_max, "largest block size tried besides the whole K [default: 64]", 1, 1024);
  add_strict_int(app, "--F-min", o->F_min, "smallest F tried [default: 8]", 1, 48);
  add_strict_int(app, "--F-max", o->F_max, "largest F tried [default: 40]", 1, 48);
  app.add_flag("--no-scalar", o->no_scalar, "leave scalar accumulators out of the search");
  app.add_flag("--no-fused", o->no_fused, "leave block-FMA units out of the search");
  app.add_option("--aligners", o->aligners,
                 "aligner variants of the unit (terms rounded to nearest instead of truncated, normalised "
                 "products): auto = searched when no truncating unit fits, all = always, standard = never "
                 "[default: auto]");
  app.add_option("--specials", o->specials,
                 "special-value rules of the unit (subnormal inputs/results kept or flushed, exact-sum/ieee/"
                 "saturating overflow, positive/ieee zero signs): auto = each model found refined over every "
                 "rule set, and every unit searched under them when no model fits; all = that search always; "
                 "standard = NVIDIA's rules only [default: auto]");
  add_strict_int(app, "--threads", o->threads, "threads (0 = all cores) [default: 0]", 0, INT_MAX);
  app.add_flag("--json", o->json, "print a JSON report instead of text");
  return [o] { return run_fit(*o); };
});

}  // namespace
}  // namespace floatscope::cli
