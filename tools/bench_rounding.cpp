// `floatscope bench rounding`: round_array throughput against a plain copy of the same array with
// the same thread count, measured in the same run.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "floatscope/format.hpp"
#include "floatscope/generators.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope::cli::bench {
namespace {

struct RoundingOptions {
  std::string formats = "all";
  std::string modes = "rne,rtz,sr";
  std::string threads = "1,all";
  std::size_t n = 10'000'000;
  int reps = 5;
  bool csv = false;
};

void parallel_copy(const double* in, double* out, std::size_t n, int threads) {
  const long long parts = threads;
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
  for (long long t = 0; t < parts; ++t) {
    const std::size_t lo = n * static_cast<std::size_t>(t) / static_cast<std::size_t>(parts);
    const std::size_t hi = n * static_cast<std::size_t>(t + 1) / static_cast<std::size_t>(parts);
    std::memcpy(out + lo, in + lo, (hi - lo) * sizeof(double));
  }
}

int run(const RoundingOptions& o) {
  if (o.n == 0) throw UsageError("--n must be positive");
  if (o.reps < 1) throw UsageError("--reps must be at least 1");
  std::vector<Format> formats;
  if (o.formats == "all") {
    formats = preset_formats();
  } else {
    for (const auto& name : split_list(o.formats)) formats.push_back(parse_format(name));
  }
  std::vector<Mode> modes;
  for (const auto& name : split_list(o.modes)) modes.push_back(parse_mode(name));
  const std::vector<int> threads = parse_threads(o.threads);
  if (formats.empty() || modes.empty())
    throw UsageError("--formats and --modes need at least one entry each");

  const Printer out("rounding",
                    {{"format", "format", -9},
                     {"mode", "mode", -8},
                     {"threads", "threads", 7},
                     {"n", "", 0},
                     {"mvalues_per_s", "M values/s", 12, 1},
                     {"copy_mvalues_per_s", "copy M/s", 12, 1},
                     {"time_vs_copy", "time vs copy", 13, 2}},
                    o.csv);
  if (!o.csv)
    fmt::print("round_array on {} doubles spanning each format's range (subnormals included), best of {}\n",
               o.n, o.reps);
  out.header();
  std::vector<double> buf(o.n);
  for (const Format& f : formats) {
    const std::vector<double> in = full_range_values(f, o.n);
    for (Mode m : modes) {
      Rounding r;
      r.mode = m;
      r.seed = 1;
      for (int t : threads) {
        round_array(in, buf, f, r, 0, t);  // warm-up: page faults, thread start
        double best_round = 1e300, best_copy = 1e300;
        for (int rep = 0; rep < o.reps; ++rep) {
          auto t0 = Clock::now();
          parallel_copy(in.data(), buf.data(), o.n, t);
          best_copy = std::min(best_copy, seconds_since(t0));
          t0 = Clock::now();
          round_array(in, buf, f, r, 0, t);
          best_round = std::min(best_round, seconds_since(t0));
        }
        const double n = static_cast<double>(o.n);
        out.row({f.name, std::string(mode_name(m)), static_cast<long long>(t),
                 static_cast<long long>(o.n), n / best_round / 1e6, n / best_copy / 1e6,
                 best_round / best_copy});
      }
    }
  }
  return kExitOk;
}

}  // namespace

Group rounding_group() {
  auto o = std::make_shared<RoundingOptions>();
  return {"rounding", "round_array throughput per format, mode and thread count, against a copy",
          [o](CLI::App& app) -> std::function<int()> {
            app.add_option("--formats", o->formats, "Comma-separated formats, or 'all' presets")
                ->capture_default_str();
            app.add_option("--modes", o->modes, "Comma-separated rounding modes (" + mode_names() + ")")
                ->capture_default_str();
            app.add_option("--threads", o->threads, "Comma-separated thread counts; 'all' = OpenMP default")
                ->capture_default_str();
            app.add_option("--n", o->n, "Values per array")->capture_default_str();
            app.add_option("--reps", o->reps, "Repetitions; the best time is reported")->capture_default_str();
            app.add_flag("--csv", o->csv, "CSV output instead of a table");
            return [o] { return run(*o); };
          }};
}

}  // namespace floatscope::cli::bench
