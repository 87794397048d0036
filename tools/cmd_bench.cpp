// `floatscope bench [GROUP]`: quick throughput measurements users can run on their own machine.
//
// Groups are entries of kGroups below; each adds a subcommand with its own options and a runner.
// `floatscope bench` with no group runs the first one (rounding), taking its options directly.
// Every figure is printed next to a baseline measured in the same run (for rounding: a plain copy
// of the same array with the same thread count), because absolute numbers mean little on a
// shared or throttled machine.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "floatscope/format.hpp"
#include "floatscope/parallel.hpp"
#include "floatscope/random.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    const std::size_t comma = s.find(',', pos);
    const std::size_t end = comma == std::string::npos ? s.size() : comma;
    if (end > pos) out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// ---- group "rounding": round_array against a copy -------------------------------------------

struct RoundingBenchOptions {
  std::string formats = "all";
  std::string modes = "rne,rtz,sr";
  std::string threads = "1,all";
  std::size_t n = 10'000'000;
  int reps = 5;
  bool csv = false;
};

// Binades uniform over the format's whole range, from below half its smallest subnormal to past
// its largest finite value, random signs and mantissas (the recipe of bench/bench_rounding.cpp).
std::vector<double> full_range_data(const Format& f, std::size_t n) {
  const int lo = std::max(f.emin - f.man_bits - 1, -1074);
  const int hi = std::min(f.emax + 1, 1023);
  const CounterRng rng(2024, 1);
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t r = rng.bits(i);
    const int e = lo + static_cast<int>((r >> 53) % static_cast<std::uint64_t>(hi - lo + 1));
    const double m = 1.0 + static_cast<double>(r & 0x000fffffffffffffULL) * 0x1p-52;
    v[i] = std::ldexp((r >> 52) & 1 ? -m : m, e);
  }
  return v;
}

void parallel_copy(const double* in, double* out, std::size_t n, int threads) {
  const long long parts = threads;
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
  for (long long t = 0; t < parts; ++t) {
    const std::size_t lo = n * static_cast<std::size_t>(t) / static_cast<std::size_t>(parts);
    const std::size_t hi = n * static_cast<std::size_t>(t + 1) / static_cast<std::size_t>(parts);
    std::memcpy(out + lo, in + lo, (hi - lo) * sizeof(double));
  }
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

int run_rounding_bench(const RoundingBenchOptions& o) {
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
  std::vector<int> threads;
  for (const auto& t : split_list(o.threads)) {
    if (t == "all") {
      threads.push_back(omp_default_threads());
      continue;
    }
    std::size_t used = 0;
    int v = 0;
    try {
      v = std::stoi(t, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != t.size() || v < 1) throw UsageError("--threads: '" + t + "' is not a positive count or 'all'");
    threads.push_back(v);
  }
  std::sort(threads.begin(), threads.end());
  threads.erase(std::unique(threads.begin(), threads.end()), threads.end());
  if (formats.empty() || modes.empty() || threads.empty())
    throw UsageError("--formats, --modes and --threads need at least one entry each");

  if (o.csv) {
    fmt::print("group,format,mode,threads,n,mvalues_per_s,copy_mvalues_per_s,time_vs_copy\n");
  } else {
    fmt::print("round_array on {} doubles spanning each format's range (subnormals included), best of {}\n",
               o.n, o.reps);
    fmt::print("{:<9} {:<8} {:>7} {:>12} {:>12} {:>13}\n", "format", "mode", "threads", "M values/s",
               "copy M/s", "time vs copy");
  }
  std::vector<double> out(o.n);
  for (const Format& f : formats) {
    const std::vector<double> in = full_range_data(f, o.n);
    for (Mode m : modes) {
      Rounding r;
      r.mode = m;
      r.seed = 1;
      for (int t : threads) {
        round_array(in, out, f, r, 0, t);  // warm-up: page faults, thread start
        double best_round = 1e300, best_copy = 1e300;
        for (int rep = 0; rep < o.reps; ++rep) {
          auto t0 = Clock::now();
          parallel_copy(in.data(), out.data(), o.n, t);
          best_copy = std::min(best_copy, seconds_since(t0));
          t0 = Clock::now();
          round_array(in, out, f, r, 0, t);
          best_round = std::min(best_round, seconds_since(t0));
        }
        const double mps = static_cast<double>(o.n) / best_round / 1e6;
        const double copy_mps = static_cast<double>(o.n) / best_copy / 1e6;
        if (o.csv) {
          fmt::print("rounding,{},{},{},{},{:.1f},{:.1f},{:.3f}\n", f.name, mode_name(m), t, o.n, mps,
                     copy_mps, best_round / best_copy);
        } else {
          fmt::print("{:<9} {:<8} {:>7} {:>12.1f} {:>12.1f} {:>13.2f}\n", f.name, mode_name(m), t, mps,
                     copy_mps, best_round / best_copy);
        }
        std::fflush(stdout);
      }
    }
  }
  return kExitOk;
}

void add_rounding_options(CLI::App& app, RoundingBenchOptions& o) {
  app.add_option("--formats", o.formats, "Comma-separated formats, or 'all' presets")
      ->capture_default_str();
  app.add_option("--modes", o.modes, "Comma-separated rounding modes (" + mode_names() + ")")
      ->capture_default_str();
  app.add_option("--threads", o.threads, "Comma-separated thread counts; 'all' = OpenMP default")
      ->capture_default_str();
  app.add_option("--n", o.n, "Values per array")->capture_default_str();
  app.add_option("--reps", o.reps, "Repetitions; the best time is reported")->capture_default_str();
  app.add_flag("--csv", o.csv, "CSV output instead of a table");
}

// ---- group table ------------------------------------------------------------------------------

struct BenchGroup {
  const char* name;
  const char* description;
  // Adds the group's options to `app` (the group's subcommand, and for the default group also
  // `bench` itself) and returns the runner. Called once per App; the runners share state.
  std::function<std::function<int()>(CLI::App&)> setup;
};

std::vector<BenchGroup> groups() {
  auto rounding = std::make_shared<RoundingBenchOptions>();
  return {
      {"rounding", "round_array throughput per format, mode and thread count, against a copy",
       [rounding](CLI::App& app) -> std::function<int()> {
         add_rounding_options(app, *rounding);
         return [rounding] { return run_rounding_bench(*rounding); };
       }},
  };
}

const Registrar reg("bench", 90, [](CLI::App& app) -> std::function<int()> {
  app.description("Measure throughput on this machine (default group: rounding)");
  app.footer(
      "Examples:\n"
      "  floatscope bench\n"
      "  floatscope bench --formats fp16,e4m3 --modes rne,sr --n 1000000 --threads 1\n"
      "  floatscope bench rounding --threads 1,2 --csv > rounding.csv");
  app.require_subcommand(0, 1);
  auto table = std::make_shared<std::vector<BenchGroup>>(groups());
  std::vector<std::pair<CLI::App*, std::function<int()>>> runners;
  for (auto& g : *table) {
    CLI::App* sub = app.add_subcommand(g.name, g.description);
    runners.emplace_back(sub, g.setup(*sub));
  }
  // `bench` alone runs the first group with the same options.
  std::function<int()> default_run = table->front().setup(app);
  return [runners, default_run, table] {
    for (const auto& [sub, run] : runners)
      if (sub->parsed()) return run();
    return default_run();
  };
});

}  // namespace
}  // namespace floatscope::cli
