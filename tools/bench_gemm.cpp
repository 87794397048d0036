// `floatscope bench gemm`: emulated GEMM throughput (multiply-adds per second) per model and thread
// count, each beside a plain double GEMM loop on the same matrices with the same thread count,
// measured in the same run (the recipe of bench/bench_gemm.cpp, without Google Benchmark).
#include <climits>
#include <memory>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "floatscope/gemm.hpp"
#include "floatscope/generators.hpp"
#include "floatscope/models.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope::cli::bench {
namespace {

const char* const kDefaultModels =
    "fp16-acc-rne,fp16-acc-sr,bf16-acc-rne,h100-fp8,h100-fp8-promote128,h100-bf16";

struct GemmOptions {
  std::string models = kDefaultModels;
  std::string size = "256,256,256";
  std::string threads = "1,all";
  std::string dist = "normal";
  int reps = 3;
  bool csv = false;
};

// "FMT-acc-MODE" (a plain sequential scalar accumulator) or a name from `floatscope models`.
Accumulator resolve_model(const std::string& name) {
  const std::size_t at = name.find("-acc-");
  if (at != std::string::npos) {
    try {
      const Format f = parse_format(name.substr(0, at));
      Rounding r;
      r.mode = parse_mode(name.substr(at + 5));
      r.seed = 1;
      Accumulator acc = make_scalar_accumulator(f, f, r);
      acc.validate();
      return acc;
    } catch (const std::invalid_argument& e) {
      throw UsageError("--models: '" + name + "': " + e.what());
    }
  }
  if (find_model(name) == nullptr)
    throw UsageError("--models: unknown model '" + name +
                     "' (use FMT-acc-MODE, e.g. fp16-acc-rne, or one of: " + hardware_model_names() + ")");
  return model_accumulator(name);
}

struct Shape {
  int M, N, K;
};

Shape parse_size(const std::string& spec) {
  const auto parts = split_list(spec);
  if (parts.size() != 1 && parts.size() != 3)
    throw UsageError("--size: '" + spec + "' is not M,N,K (or one number for a cube)");
  int v[3];
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string& part = parts[parts.size() == 1 ? 0 : i];
    const long long x = parse_positive(part, "--size");
    if (x > INT_MAX) throw UsageError("--size: '" + part + "' is too large");
    v[i] = static_cast<int>(x);
  }
  return {v[0], v[1], v[2]};
}

// The baseline: i-k-j order, so the j loop is a contiguous multiply-add the compiler vectorises.
void double_gemm(const Shape& s, const double* A, const double* B, double* C, int threads) {
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
  for (int i = 0; i < s.M; ++i) {
    double* c = C + static_cast<std::size_t>(i) * s.N;
    for (int j = 0; j < s.N; ++j) c[j] = 0;
    for (int k = 0; k < s.K; ++k) {
      const double a = A[static_cast<std::size_t>(i) * s.K + k];
      const double* b = B + static_cast<std::size_t>(k) * s.N;
      for (int j = 0; j < s.N; ++j) c[j] += a * b[j];
    }
  }
}

// Inputs drawn from `d` and rounded (RNE) onto the model's input formats, as emulate_gemm expects.
void make_inputs(const Accumulator& acc, const Distribution& d, const Shape& s, std::vector<double>& A,
                 std::vector<double>& B) {
  A.resize(static_cast<std::size_t>(s.M) * s.K);
  B.resize(static_cast<std::size_t>(s.K) * s.N);
  generate(d, 1, 0, static_cast<std::size_t>(s.M), static_cast<std::size_t>(s.K), A.data(), false);
  generate(d, 1, 1, static_cast<std::size_t>(s.K), static_cast<std::size_t>(s.N), B.data(), true);
  round_array(A, A, acc.a_format);
  round_array(B, B, acc.b_format);
}

int run(const GemmOptions& o) {
  if (o.reps < 1) throw UsageError("--reps must be at least 1");
  const Shape s = parse_size(o.size);
  const std::vector<int> threads = parse_threads(o.threads);
  const Distribution dist = parse_distribution(o.dist);
  std::vector<std::pair<std::string, Accumulator>> models;
  for (const auto& name : split_list(o.models)) models.emplace_back(name, resolve_model(name));
  if (models.empty()) throw UsageError("--models needs at least one entry");

  const Printer out("gemm",
                    {{"model", "model", -20},
                     {"threads", "threads", 7},
                     {"M", "", 0},
                     {"N", "", 0},
                     {"K", "", 0},
                     {"macs_per_s", "G MAC/s", 9, 3},
                     {"double_macs_per_s", "double G MAC/s", 15, 2},
                     {"time_vs_double", "time vs double", 15, 1}},
                    o.csv);
  if (!o.csv)
    fmt::print("emulate_gemm {}x{}x{} on {} inputs, beside a plain double GEMM loop, best of {}\n", s.M,
               s.N, s.K, to_string(dist), o.reps);
  out.header();
  const double macs = static_cast<double>(s.M) * s.N * s.K;
  std::vector<double> A, B, C(static_cast<std::size_t>(s.M) * s.N);
  for (const auto& [name, acc] : models) {
    make_inputs(acc, dist, s, A, B);
    for (int t : threads) {
      emulate_gemm(acc, s.M, s.N, s.K, A.data(), B.data(), nullptr, t);  // warm-up: thread start
      double best_emu = 1e300, best_double = 1e300;
      for (int rep = 0; rep < o.reps; ++rep) {
        auto t0 = Clock::now();
        double_gemm(s, A.data(), B.data(), C.data(), t);
        best_double = std::min(best_double, seconds_since(t0));
        t0 = Clock::now();
        emulate_gemm(acc, s.M, s.N, s.K, A.data(), B.data(), nullptr, t);
        best_emu = std::min(best_emu, seconds_since(t0));
      }
      out.row({name, static_cast<long long>(t), static_cast<long long>(s.M), static_cast<long long>(s.N),
               static_cast<long long>(s.K), macs / best_emu / (o.csv ? 1 : 1e9),
               macs / best_double / (o.csv ? 1 : 1e9), best_emu / best_double});
    }
  }
  return kExitOk;
}

}  // namespace

Group gemm_group() {
  auto o = std::make_shared<GemmOptions>();
  return {"gemm", "emulated GEMM throughput per model and thread count, against a plain double GEMM",
          [o](CLI::App& app) -> std::function<int()> {
            app.add_option("--models", o->models,
                           "Comma-separated models: names from `floatscope models`, or FMT-acc-MODE = "
                           "inputs and a sequential scalar accumulator in format FMT rounding with MODE "
                           "(SR seed 1): fp16-acc-rne, fp16-acc-sr, bf16-acc-rne, fp32-acc-rne, ...")
                ->capture_default_str();
            app.add_option("--size", o->size, "M,N,K of the GEMM (one number: a cube)")->capture_default_str();
            app.add_option("--threads", o->threads, "Comma-separated thread counts; 'all' = OpenMP default")
                ->capture_default_str();
            app.add_option("--dist", o->dist, "Input distribution (" + distribution_names() +
                                                  "), rounded onto the input formats")
                ->capture_default_str();
            app.add_option("--reps", o->reps, "Repetitions; the best time is reported")->capture_default_str();
            app.add_flag("--csv", o->csv, "CSV output instead of a table (rates in MAC/s)");
            return [o] { return run(*o); };
          }};
}

}  // namespace floatscope::cli::bench
