// `floatscope gemm`: one emulated GEMM against the exact reference, with its metrics.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "model_flags.hpp"
#include "floatscope/names.hpp"
#include "floatscope/accumulator.hpp"
#include "floatscope/backend.hpp"
#include "floatscope/block_scaling.hpp"
#include "floatscope/experiment.hpp"
#include "floatscope/npy.hpp"
#include "floatscope/parallel.hpp"
#include "floatscope/strassen.hpp"

namespace floatscope::cli {
namespace {

struct GemmArgs {
  ExperimentSpec spec;
  std::string a_path, b_path, c_path, out_path;
  // Operands quantised elsewhere: elements in --a/--b, scales in these files, under these schemes.
  std::string a_scales, b_scales, a_scheme, b_scheme;
  double a_tensor_scale = 1.0, b_tensor_scale = 1.0;
  bool json = false;
  bool out_float32 = false;
  int threads = 0;
};

struct Matrix {
  std::vector<double> v;
  std::size_t rows = 0, cols = 0;
};

// Reads a 2-D .npy matrix; unsigned-integer files are codes of `codes_format`.
Matrix load_matrix(const std::string& path, const char* what, const std::string& codes_format) {
  NpyArray arr;
  try {
    arr = read_npy(path);
  } catch (const NpyError& e) {
    throw UsageError(e.what());  // a missing or malformed input file is the user's to fix
  }
  if (arr.shape.size() != 2)
    throw UsageError(fmt::format("{}: {} must be a 2-D matrix, got {} dimension(s)", path, what,
                                 arr.shape.size()));
  Matrix m;
  m.rows = arr.shape[0];
  m.cols = arr.shape[1];
  const bool codes = arr.descr == "|u1" || arr.descr == "<u2";
  if (codes) {
    if (codes_format.empty())
      throw UsageError(fmt::format("{}: {} holds integer codes ({}); give its format with --{}-format",
                                   path, what, arr.descr, what[0] == 'A' ? 'a' : 'b'));
    m.v = npy_codes_to_doubles(arr, parse_format(codes_format));
  } else if (arr.descr == "<f2" || arr.descr == "<f4" || arr.descr == "<f8") {
    m.v = npy_to_doubles(arr);
  } else {
    throw UsageError(fmt::format("{}: {} has dtype {}; expected float16/32/64, or uint8/uint16 codes",
                                 path, what, arr.descr));
  }
  // NaN and Inf are inputs like any other: software accumulators follow IEEE 754 with them and
  // hardware models the tensor cores' special-value rules (docs/references.md s.5); nan_count reports
  // the NaN outputs. (A NaN meeting a format without NaN is refused when it is quantised.)
  return m;
}

// A scale file: float values; a scalar scale may be a 0-d array or any 1x1 / (1,) array.
std::vector<double> load_scales(const std::string& path, const char* flag, std::vector<std::size_t>& shape) {
  NpyArray arr;
  try {
    arr = read_npy(path);
  } catch (const NpyError& e) {
    throw UsageError(e.what());
  }
  if (arr.descr != "<f2" && arr.descr != "<f4" && arr.descr != "<f8")
    throw UsageError(fmt::format("{} {}: scales must be float16/32/64 values, not {}", flag, path, arr.descr));
  if (arr.shape.size() > 2)
    throw UsageError(fmt::format("{} {}: scales must be 0-, 1- or 2-D, got {} dimensions", flag, path, arr.shape.size()));
  shape = arr.shape;
  return npy_to_doubles(arr);
}

// One operand quantised elsewhere. A is M x K with scales (Sr, Sc) as scale_shape gives; B is
// K x N with its scales transposed, (Sc, Sr) of its transpose: both become rows x K internally.
QuantizedTensor prequantised(const BlockScheme& s, const Matrix& m, bool is_b, const std::string& scales_path,
                             const char* flag, double tensor_scale) {
  std::vector<std::size_t> shape;
  std::vector<double> sc = load_scales(scales_path, flag, shape);
  const std::size_t rows = is_b ? m.cols : m.rows, K = is_b ? m.rows : m.cols;
  std::vector<double> el(m.v);
  if (is_b) {
    for (std::size_t k = 0; k < K; ++k)
      for (std::size_t j = 0; j < rows; ++j) el[j * K + k] = m.v[k * rows + j];
  }
  std::size_t sr = 0, scn = 0;
  scale_shape(s, rows, K, sr, scn);
  const bool scalar = sr == 1 && scn == 1;
  const std::vector<std::size_t> want = is_b ? std::vector<std::size_t>{scn, sr} : std::vector<std::size_t>{sr, scn};
  const bool ok = scalar ? sc.size() == 1 : shape == want;
  if (!ok)
    throw UsageError(fmt::format("{} {}: scheme {} needs scales of shape ({}, {}) for {} ({}x{}), got ({})", flag,
                                 scales_path, s.info->name, want[0], want[1], is_b ? "B" : "A", m.rows, m.cols,
                                 fmt::join(shape, ", ")));
  if (is_b && !scalar) {
    std::vector<double> t(sc.size());
    for (std::size_t k = 0; k < scn; ++k)
      for (std::size_t j = 0; j < sr; ++j) t[j * scn + k] = sc[k * sr + j];
    sc.swap(t);
  }
  return make_quantized(s, std::move(el), rows, K, std::move(sc), tensor_scale, is_b ? "B (--b, --b-scales)" : "A (--a, --a-scales)");
}

std::string num(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  if (x == std::floor(x) && std::fabs(x) < 1e15) return fmt::format("{:.0f}", x);  // counts
  return fmt::format("{:.6g}", x);
}

nlohmann::json to_json(const ExperimentSpec& s, const ExperimentResult& r) {
  nlohmann::json out = {{"model", s.model.empty() ? "custom" : s.model},
                        {"backend", s.backend},
                        {"scheme", s.scheme.empty() ? "none" : s.scheme},
                        {"accumulator", r.accumulator},
                        {"algorithm", parse_gemm_algorithm(s.algorithm).describe()},
                        {"acc_format", r.acc_format},
                        {"M", s.M}, {"N", s.N}, {"K", s.K},
                        {"dist", s.dist}, {"seed", s.seed}, {"reference", s.reference},
                        {"permutations", s.permutations}, {"reference_of", s.reference_of}};
  if (s.amax_history_len > 0) {
    out["amax_history_len"] = s.amax_history_len;
    out["outlier_growth"] = s.outlier_growth;
  }
  // JSON has no NaN or Inf: Inf is written as the string "inf" or "-inf". Values the run did
  // not measure (result_values: events a backend could not count, permutation results without
  // permutations, errors without a reference) are null.
  for (const auto& [name, v, counted] : result_values(r))
    out[std::string(name)] = !counted ? nlohmann::json(nullptr)
                             : std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(num(v));
  out["seconds"] = r.seconds;
  if (!r.backend_info.empty()) out["backend_info"] = r.backend_info;
  return out;
}

void print_table(const ExperimentSpec& s, const ExperimentResult& r) {
  fmt::print("accumulator   {}\n", r.accumulator);
  if (s.algorithm != "classical") fmt::print("algorithm     {}\n", s.algorithm);
  fmt::print("shape         M={} N={} K={}  inputs: {}\n", s.M, s.N, s.K,
             s.dist.empty() ? "files" : s.dist);
  if (r.block_scaled)
    fmt::print("scheme        {}{}{}\n", s.scheme, s.scale_rule.empty() ? "" : " (scale rule " + s.scale_rule + ")",
               s.amax_history_len == 0 ? ""
               : fmt::format(" (amax history of {} earlier steps, outlier growth {} per step)", s.amax_history_len,
                             s.outlier_growth));
  for (const auto& [name, v, counted] : result_values(r)) {
    const bool permutation_field = name.find("distinct") != std::string_view::npos || name == "spread_ulps";
    if (permutation_field && s.permutations == 0) continue;
    fmt::print("{:<24}{}\n", name, counted ? num(v) : "-");
  }
  // How many outputs each statistic stands on (metrics.hpp): none may look good by skipping.
  const Metrics& m = r.metrics;
  fmt::print("{:<24}{} of {} outputs (exact result not finite){}\n", "left out of all stats", m.nonfinite_exact_count,
             m.count, m.input_overflow_count ? fmt::format("; {} input(s) overflowed in quantisation",
                                                           m.input_overflow_count) : "");
  fmt::print("{:<24}{} more (exact result 0)\n", "left out of rel errs", m.count - m.nonfinite_exact_count - m.nonzero_count);
  fmt::print("{:<24}{} more (|A||B| = 0)\n", "left out of err/|A||B|", m.count - m.nonfinite_exact_count - m.absprod_count);
  if (!r.backend_info.empty()) fmt::print("{:<24}{}\n", "backend", r.backend_info);
  fmt::print("{:<24}{:.3f} s ({:.3g} MAC/s)\n", "emulation time", r.seconds,
             r.seconds > 0 ? static_cast<double>(s.M) * s.N * s.K / r.seconds : 0.0);
}

int run_gemm(GemmArgs& g) {
  ExperimentSpec& s = g.spec;
  check_threads(g.threads, "--threads");
  // Names are case-insensitive; print and record them in their canonical lower case.
  lower_model_names(s);
  for (std::string* name : {&s.backend, &s.scheme, &s.input_rounding, &s.dist, &s.b_dist, &s.reference,
                            &s.algorithm, &s.reference_of})
    *name = to_lower(*name);
  if (!g.a_path.empty() != !g.b_path.empty())
    throw UsageError("give both --a and --b, or neither (then --M --N --K --dist generate inputs)");
  ExperimentResult r;
  const bool prequant = !g.a_scales.empty() || !g.b_scales.empty();
  if (prequant) {
    if (g.a_scales.empty() || g.b_scales.empty() || g.a_scheme.empty() || g.b_scheme.empty() || g.a_path.empty())
      throw UsageError("pre-quantised operands need --a, --a-scales, --a-scheme and --b, --b-scales, --b-scheme");
    if (!g.c_path.empty()) throw UsageError("--c is not available with pre-quantised operands");
    if (s.algorithm != "classical")
      throw UsageError("--algorithm: " + s.algorithm + " is not available with pre-quantised operands");
    if (s.scheme != "none" && !s.scheme.empty())
      throw UsageError("--scheme quantises real-valued inputs; pre-quantised operands take --a-scheme and --b-scheme");
    auto scheme_of = [&](const std::string& name, const std::string& fmt_name, std::optional<double> ts) {
      BlockSchemeOptions o;
      o.scheme = to_lower(name);
      const SchemeInfo* info = find_scheme(o.scheme);
      o.format = fmt_name;
      if (info && info->kind == SchemeKind::nvfp4) o.tensor_scale = ts;
      return resolve_block_scheme(o);
    };
    const std::string b_fmt = s.b_format.empty() ? s.a_format : s.b_format;
    const BlockScheme sa = scheme_of(g.a_scheme, s.a_format, g.a_tensor_scale);
    const BlockScheme sb = scheme_of(g.b_scheme, b_fmt, g.b_tensor_scale);
    const Matrix A = load_matrix(g.a_path, "A", sa.element.name);
    const Matrix B = load_matrix(g.b_path, "B", sb.element.name);
    if (A.cols != B.rows)
      throw UsageError(fmt::format("shapes do not chain: {} is {}x{}, {} is {}x{} (need A's columns == B's rows)",
                                   g.a_path, A.rows, A.cols, g.b_path, B.rows, B.cols));
    const QuantizedTensor qa = prequantised(sa, A, false, g.a_scales, "--a-scales", g.a_tensor_scale);
    const QuantizedTensor qb = prequantised(sb, B, true, g.b_scales, "--b-scales", g.b_tensor_scale);
    s.M = static_cast<int>(A.rows);
    s.K = static_cast<int>(A.cols);
    s.N = static_cast<int>(B.cols);
    s.dist.clear();
    s.a_format = sa.element.name;
    s.b_format = sb.element.name;
    s.scheme = g.a_scheme + "+" + g.b_scheme;  // for --json; the run itself takes the schemes above
    ExperimentSpec run_spec = s;
    run_spec.scheme = "none";
    r = run_block_experiment(resolve_experiment(run_spec), sa, qa, sb, qb, g.threads, !g.out_path.empty());
  } else if (!g.a_path.empty()) {
    const Matrix A = load_matrix(g.a_path, "A", s.a_format);
    const Matrix B = load_matrix(g.b_path, "B", s.b_format.empty() ? s.a_format : s.b_format);
    if (A.cols != B.rows)
      throw UsageError(fmt::format("shapes do not chain: {} is {}x{}, {} is {}x{} (need A's columns == B's rows)",
                                   g.a_path, A.rows, A.cols, g.b_path, B.rows, B.cols));
    s.M = static_cast<int>(A.rows);
    s.K = static_cast<int>(A.cols);
    s.N = static_cast<int>(B.cols);
    s.dist.clear();
    Matrix C;
    if (!g.c_path.empty()) {
      C = load_matrix(g.c_path, "C", "fp32");
      if (C.rows != A.rows || C.cols != B.cols)
        throw UsageError(fmt::format("{}: C is {}x{}, expected {}x{}", g.c_path, C.rows, C.cols,
                                     A.rows, B.cols));
    }
    r = run_experiment_on(s, A.v.data(), B.v.data(), g.c_path.empty() ? nullptr : C.v.data(),
                          g.threads, !g.out_path.empty());
  } else {
    if (!g.c_path.empty()) throw UsageError("--c needs --a and --b");
    r = run_experiment(s, g.threads, !g.out_path.empty());
  }
  // An output that is NaN everywhere says the inputs or scales are wrong (e4m3 overflow without
  // saturation, a NaN scale): not a silent result.
  if (r.metrics.count > 0 && r.metrics.nan_count == r.metrics.count)
    fmt::print(stderr,
               "floatscope gemm: warning: every one of the {} outputs is NaN (overflow in quantising the "
               "inputs, a NaN input or scale?)\n",
               r.metrics.count);
  if (!g.out_path.empty())
    write_npy(g.out_path, r.C.data(),
              {static_cast<std::size_t>(s.M), static_cast<std::size_t>(s.N)}, g.out_float32);
  if (g.json)
    fmt::print("{}\n", to_json(s, r).dump(2));
  else
    print_table(s, r);
  return kExitOk;
}

const Registrar reg_gemm("gemm", 30, [](CLI::App& app) -> std::function<int()> {
  app.description("Emulate one GEMM D = A*B (+C) under an accumulation model and measure it against the exact result");
  app.footer(
      "Examples:\n"
      "  floatscope gemm --model h100-fp8 --a-format e4m3 --M 64 --N 64 --K 4096 --dist uniform01\n"
      "  floatscope gemm --model h100-fp8-promote128 --M 32 --N 32 --K 8192 --dist normal --json\n"
      "  floatscope gemm --a-format fp16 --acc-format fp16 --rounding sr --K 4096 --dist uniform01\n"
      "  floatscope gemm --a A.npy --b B.npy --model h100-bf16 --out D.npy\n"
      "  floatscope gemm --a-format fp32 --M 4 --N 4 --K 100000 --dist normal --permutations 200\n"
      "Inputs are rounded (--input-rounding, default rne) onto the input formats; the exact\n"
      "reference is computed from those rounded inputs, so the metrics measure the accumulation.");
  auto g = std::make_shared<GemmArgs>();
  ExperimentSpec& s = g->spec;
  app.add_option("--a", g->a_path, "A as .npy (M x K; float16/32/64, or uint8/uint16 codes of --a-format)");
  app.add_option("--b", g->b_path, "B as .npy (K x N)");
  app.add_option("--c", g->c_path, "C as .npy (M x N): the initial accumulator of every chain");
  app.add_option("--M", s.M, "rows of A (generated inputs)")->capture_default_str();
  app.add_option("--N", s.N, "columns of B (generated inputs)")->capture_default_str();
  app.add_option("--K", s.K, "inner dimension (generated inputs)")->capture_default_str();
  app.add_option("--dist", s.dist, "input distribution: uniform01, uniform, normal, lognormal:S, outliers:F:X, constant:V, identity, harmonic, loggrad:LO:HI, rowscaled:D")->capture_default_str();
  app.add_option("--b-dist", s.b_dist, "distribution of B (default: --dist)");
  add_strict_int(app, "--seed", s.seed, "seed of generated inputs and stochastic rounding (0 to 2^64-1) [default: 0]", 0, UINT64_MAX);
  add_custom_model_flags(app, s);
  app.add_option("--algorithm", s.algorithm,
                 "classical, or strassen:L (L = 1..4 levels of Strassen; additions in --acc-format with "
                 "--rounding; M, N, K multiples of 2^L)")->capture_default_str();
  app.add_option("--backend", s.backend, "where the GEMM runs: " + backend_names_text())->capture_default_str();
  app.add_option("--scale-a", s.scale_a, "dequantisation scale of A: inputs are round(A/scale_a), result multiplied by scale_a*scale_b")->capture_default_str();
  app.add_option("--scale-b", s.scale_b, "dequantisation scale of B")->capture_default_str();
  app.add_option("--input-rounding", s.input_rounding, "rounding of inputs onto their formats")->capture_default_str();
  app.add_option("--input-overflow", s.input_overflow,
                 "overflow when rounding inputs: auto (saturate when quantising through --scale-a/--scale-b, "
                 "else the format's rule), saturate, spec")->capture_default_str();
  app.add_option("--scheme", s.scheme, "block scaling of both inputs (NAME, or A+B for A's and B's): none, " +
                 scheme_names())->capture_default_str();
  app.add_option("--scale-rule", s.scale_rule, "MX E8M0 scale rule: floor (default), ceil, rceil, even");
  add_strict_int(app, "--amax-history-len", s.amax_history_len,
                 "fp8-delayed: scale from the largest amax of this many earlier steps (the same --dist drawn "
                 "with earlier seeds); 0 = the current amax [default: 0]", 0, 1024);
  app.add_option("--outlier-growth", s.outlier_growth,
                 "with --amax-history-len: outliers:F:X had the factor X / growth^j j steps back")->capture_default_str();
  app.add_option("--a-scales", g->a_scales, "A's block scales (.npy float values): A is then already quantised under --a-scheme");
  app.add_option("--b-scales", g->b_scales, "B's block scales (.npy; (K/block, N) for B)");
  app.add_option("--a-scheme", g->a_scheme, "scheme A was quantised under (with --a-scales)");
  app.add_option("--b-scheme", g->b_scheme, "scheme B was quantised under (with --b-scales)");
  app.add_option("--a-tensor-scale", g->a_tensor_scale, "nvfp4: A's fp32 tensor scale (with --a-scales)")->capture_default_str();
  app.add_option("--b-tensor-scale", g->b_tensor_scale, "nvfp4: B's fp32 tensor scale (with --b-scales)")->capture_default_str();
  app.add_option("--permutations", s.permutations, "also run P random summation orders: distinct results and spread (ulps) per output")->capture_default_str();
  app.add_option("--reference", s.reference, "exact (fast fixed-point), mpfr, or none")->capture_default_str();
  app.add_option("--reference-of", s.reference_of,
                 "quantised: errors of the accumulation alone; original: against the generated inputs, "
                 "quantisation included")->capture_default_str();
  app.add_option("--out", g->out_path, "write the emulated D as .npy (float64)");
  app.add_flag("--out-float32", g->out_float32, "write --out as float32 (fails if a value is not a float)");
  add_strict_int(app, "--threads", g->threads, "threads (0 = all cores) [default: 0]", 0, INT_MAX);
  app.add_flag("--json", g->json, "print one JSON object instead of a table");
  return [g] { return run_gemm(*g); };
});

}  // namespace
}  // namespace floatscope::cli
