// `floatscope sweep [CONFIG.toml] [-o DIR] [--KEY v1,v2 ...] [--set key=value ...] [--threads N]
// [--shard i/n]`: runs a grid of experiments into DIR/results.csv (one row per point and repeat)
// and DIR/meta.json. Resumable: re-running the same command skips the points already written.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "command.hpp"
#include "floatscope/backend.hpp"
#include "floatscope/experiment.hpp"
#include "floatscope/launch.hpp"
#include "floatscope/parallel.hpp"
#include "floatscope/strassen.hpp"
#include "floatscope/sweep.hpp"
#include "floatscope/sweep_schedule.hpp"
#include "floatscope/sweep_toml.hpp"
#include "report_spec.hpp"
#include "sweep_default.hpp"
#include "sweep_meta.hpp"
#ifdef FLOATSCOPE_HAVE_MPI
#include "mpi/sweep_mpi.hpp"
#endif

namespace floatscope::cli {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{SIGINT};  // the signal that stopped the sweep: exit code 128 + it

extern "C" void on_interrupt(int sig) {
  g_signal.store(sig);
  g_stop.store(true);
  std::signal(sig, SIG_DFL);  // a second Ctrl-C ends the program at once (rows stay durable)
}

// Rank 0 of an MPI sweep: mpirun ends a job with SIGTERM more than once (forwarding Ctrl-C, then
// its kill sequence), and SIGKILL follows a second later; the first signal starts the way out,
// the others must not cut short the report and meta.json.
extern "C" void on_interrupt_mpi(int sig) {
  if (!g_stop.load()) g_signal.store(sig);
  g_stop.store(true);
}

struct SweepArgs {
  std::string config_path;
  std::string out_dir = "sweep-results";
  std::vector<std::string> sets;
  std::map<std::string, std::string> flags;  // key -> comma-separated values
  int threads = 0;
  std::string shard = "1/1";
  bool quiet = false, print_default = false, dry_run = false, list_keys = false, reduced = false;
};

// The command as typed (for meta.json), from /proc since subcommands do not see argv.
std::string command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (auto& c : all)
    if (c == '\0') c = ' ';
  while (!all.empty() && all.back() == ' ') all.pop_back();
  return all;
}

// The sweep-wide key `unavailable`: fail (default) or skip points whose backend cannot run here.
std::string unavailable_policy(const sweep::SweepConfig& c) {
  const auto it = c.base.find("unavailable");
  const std::string v = it == c.base.end() || it->second.empty() ? "fail" : it->second.front();
  if (v != "fail" && v != "skip") throw UsageError("unavailable: '" + v + "' is not fail or skip");
  return v;
}

// The built-in default sweep runs only when nothing describes another one: flags alone define a
// grid on top of the schema defaults.
bool flags_only(const SweepArgs& a) {
  bool only = false;
  for (const auto& [key, text] : a.flags) only |= sweep::find_key(key)->dimension;
  for (const auto& s : a.sets) {
    const auto* info = sweep::find_key(s.substr(0, s.find('=')));
    only |= info && info->dimension;
  }
  return a.config_path.empty() && only;
}

// The TOML the sweep runs: the config file, the built-in default sweep, or "" (flags alone).
std::string config_text(const SweepArgs& a, bool flags_alone) {
  if (!a.config_path.empty()) return sweep::read_config_text(a.config_path);
  return flags_alone ? std::string() : std::string(default_sweep_toml());
}

// The sweep's config from the file, the built-in default or the flags, with the flags applied;
// *text gets the TOML it came from ("" for flags alone), which the sweep keeps beside its results.
sweep::SweepConfig build_config(const SweepArgs& a, std::string* text_out) {
  sweep::SweepConfig config;
  const std::string text = config_text(a, flags_only(a));
  *text_out = text;
  const std::string source = a.config_path.empty() ? "<built-in default sweep>" : a.config_path;
  if (!text.empty()) {
    config = sweep::parse_sweep_toml(text, source);
    // The [report] table is checked now, against the columns the sweep will write, so that a typo
    // in a claim stops the sweep before it runs rather than the report after it.
    report::check_report_columns(report::parse_report_spec(text, source), sweep::csv_columns());
    if (a.reduced) {
      const auto overrides = sweep::read_reduced_overrides(text, source);
      if (overrides.empty()) throw UsageError(source + ": --reduced, but the config has no [reduced] table");
      for (const auto& [key, values] : overrides) config.override_everywhere(key, values);
    }
  } else if (a.reduced) {
    throw UsageError("--reduced needs a config with a [reduced] table");
  }
  auto values_of = [](const std::string& key, const std::string& text) {
    return key == "title" ? std::vector<std::string>{text} : sweep::split_list(text, key);
  };
  for (const auto& [key, text] : a.flags) config.override_everywhere(key, values_of(key, text));
  for (const auto& s : a.sets) {
    auto eq = s.find('=');
    if (eq == std::string::npos) throw UsageError("--set '" + s + "': expected key=value");
    const auto* info = sweep::find_key(s.substr(0, eq));
    if (!info)
      throw UsageError("--set: unknown key '" + s.substr(0, eq) + "' (known keys: " + sweep::known_keys_text() + ")");
    config.override_everywhere(info->name, values_of(std::string(info->name), s.substr(eq + 1)));
  }
  return config;
}

// Runs each distinct configuration once on a 1x1 output with no reference, so that unknown names
// and impossible combinations stop the sweep before anything is written. Fed one point at a time
// (a grid of a million repeats is never held here).
class PointValidator {
 public:
  void operator()(const sweep::Point& p) {
    ExperimentSpec probe = p.spec;
    probe.M = probe.N = 1;
    // Strassen needs M and N to be multiples of 2^L: the point's own sizes are checked here, the
    // probe runs on the smallest output that divides.
    try {
      const GemmAlgorithm alg = parse_gemm_algorithm(p.spec.algorithm);
      check_strassen_sizes(alg, p.spec.M, p.spec.N, p.spec.K);
      probe.M = probe.N = 1 << alg.strassen_levels;
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string(e.what()) + " [in sweep point: " + describe(p) + "]");
    }
    probe.seed = 0;
    probe.repeat = 0;
    probe.reference = "none";
    // One random order checks what many would (2000 orders of K = 10^5 took minutes here).
    probe.permutations = std::min(probe.permutations, 1);
    // One probe per distinct configuration: the point's canonical parameters without the ones the
    // probe replaces (sizes but K, seed, repeat).
    std::string key;
    std::istringstream lines(p.canonical);
    for (std::string line; std::getline(lines, line);)
      if (line.rfind("M=", 0) != 0 && line.rfind("N=", 0) != 0 && line.rfind("seed=", 0) != 0 &&
          line.rfind("repeat=", 0) != 0)
        key += line + "\n";
    if (!seen_.insert(key).second) return;
    try {
      run_experiment(probe, 1, false);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string(e.what()) + " [in sweep point: " + describe(p) + "]");
    } catch (const NoDeviceError& e) {
      throw NoDeviceError(std::string(e.what()) + " [in sweep point: " + describe(p) + "]");
    } catch (const std::exception&) {
      // Not a naming problem: the real run reports it with its point.
    }
  }

 private:
  std::set<std::string> seen_;
};

// `place`: this process's rank in an MPI launch (rank 0 of 1 without one). Every rank reads the
// config and expands the same grid; rank 0 alone prints, locks DIR and writes.
int run_sweep(SweepArgs& a, const LaunchPlace& place) {
  const bool mpi = place.size > 1;
#ifndef FLOATSCOPE_HAVE_MPI
  if (mpi)
    throw UsageError(fmt::format(
        "this process is rank {} of {} of a parallel launch (mpirun, srun), but this floatscope was built without "
        "MPI, so every rank would run the whole sweep: install MPI (scripts/install-deps.sh) and rebuild, or run "
        "one process (--shard i/n splits a sweep over separate jobs)",
        place.rank, place.size));
#endif
  if (place.rank != 0 && (a.print_default || a.list_keys || a.dry_run)) return kExitOk;
  if (a.print_default) {
    std::cout << default_sweep_toml();
    return kExitOk;
  }
  if (a.list_keys) {
    fmt::print("{:<15} {:<16} {:<11} {}\n", "TOML key", "flag", "default", "meaning");
    for (const auto& k : sweep::sweep_keys())
      fmt::print("{:<15} --{:<14} {:<11} {}{}\n", k.name, sweep::flag_name(k.name),
                 k.default_value.empty() ? "\"\"" : std::string(k.default_value), k.doc,
                 k.dimension ? "" : " (one value for the whole sweep)");
    return kExitOk;
  }
  std::string config_toml;
  const sweep::SweepConfig config = build_config(a, &config_toml);
  const auto shard = sweep::Shard::parse(a.shard);
  check_threads(a.threads, "--threads");
  const std::string fp = sweep::fingerprint(config);
  // Shards split the grid by estimated cost (sweep_schedule.hpp), so that they take similar time:
  // one pass to estimate every point (a double each), then the split every shard computes alike.
  std::vector<double> costs;
  std::vector<int> shard_of;
  if (shard.count > 1) {
    sweep::for_each_point(config, [&](sweep::Point&& p) { costs.push_back(sweep::estimate_cost(p.spec)); });
    shard_of = sweep::split_by_cost(costs, shard.count);
  }
  // One pass over the grid: count, check, and keep only this shard's points (none for --dry-run).
  std::size_t total = 0, in_shard = 0;
  std::vector<sweep::Point> mine;
  PointValidator validate;
  // unavailable = skip: points on a backend this machine cannot run (no CUDA device) are left
  // out, counted per backend in meta.json, instead of stopping the sweep (exit 3).
  const bool skip_unavailable = unavailable_policy(config) == "skip";
  std::map<std::string, std::size_t> unavailable;
  std::map<std::string, bool> backend_ok;
  sweep::for_each_point(config, [&](sweep::Point&& p) {
    ++total;
    if (shard.count > 1 && shard_of[p.index] != shard.index - 1) return;
    if (skip_unavailable) {
      auto [it, fresh] = backend_ok.emplace(p.spec.backend, true);
      if (fresh) {
        try {
          get_backend(p.spec.backend).check_available();
        } catch (const NoDeviceError&) {
          it->second = false;
        } catch (const std::exception&) {  // an unknown name: the validator says so below
        }
      }
      if (!it->second) {
        ++unavailable[p.spec.backend];
        return;
      }
    }
    ++in_shard;
    validate(p);
    if (!a.dry_run) mine.push_back(std::move(p));
  });
  for (const auto& [backend, n] : unavailable)
    if (place.rank == 0)
      fmt::print(stderr, "note: {} points on backend {} left out (unavailable = \"skip\"; {} here)\n", n, backend,
                 backend.rfind("gpu", 0) == 0 ? "no CUDA device" : "not available");
  if (a.dry_run) {
    fmt::print("{} points in the grid, {} in shard {}; fingerprint {}\n", total, in_shard, shard.text(), fp);
    if (shard.count > 1)
      fmt::print("estimated imbalance of {} shards (largest / mean): {:.3f} split by cost, {:.3f} split by count\n",
                 shard.count, sweep::imbalance(sweep::shard_loads(costs, shard_of, shard.count)),
                 sweep::imbalance(sweep::shard_loads(costs, sweep::split_by_count(costs.size(), shard.count),
                                                     shard.count)));
    return kExitOk;
  }

  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Under MPI, --threads is per rank, and by default the ranks on one machine share its cores.
  const int threads = a.threads > 0 ? a.threads : mpi ? std::max(1, hw / place.local_size) : hw;
#ifdef FLOATSCOPE_HAVE_MPI
  if (mpi && place.rank != 0) {
    int size = 0;
    mpi_sweep::init(&size);
    mpi_sweep::Options o;
    o.threads = threads;
    const int rc = mpi_sweep::work(
        mine, [](const ExperimentSpec& s) { return run_experiment(s, 1, true); }, o);
    mpi_sweep::finalize();
    return rc;
  }
#endif

  const std::filesystem::path dir = a.out_dir;
  const auto csv = dir / "results.csv";
  // One writer per directory: a second sweep (or merge) into DIR stops here, before reading or
  // writing anything, instead of appending a second copy of every row.
  std::filesystem::create_directories(dir);
  const DirLock lock(dir, true);
  nlohmann::json meta;
  if (std::filesystem::exists(dir / "meta.json")) {
    meta = read_meta(dir);
    if (meta.value("fingerprint", "") != fp)
      throw UsageError(dir.string() + " holds a different sweep (fingerprint " + meta.value("fingerprint", "?") +
                       ", this one " + fp + "): choose another -o or remove that directory");
    if (meta.value("shard", "1/1") != shard.text())
      throw UsageError(dir.string() + " holds shard " + meta.value("shard", "1/1") + ", not " + shard.text());
    if (shard.count > 1 && meta.value("shard_split", "count") != "cost")
      throw UsageError(dir.string() + " holds shard " + shard.text() +
                       " split by point count (an older floatscope); shards are now split by estimated cost: "
                       "run it into a new directory");
  } else if (std::filesystem::exists(csv)) {
    throw UsageError(csv.string() + " exists without meta.json: not a floatscope sweep directory");
  } else {
    meta = {{"floatscope_sweep", 1},
            {"fingerprint", fp},
            {"title", config.title()},
            {"shard", shard.text()},
            {"shard_split", "cost"},
            {"points_total", total},
            {"points", mine.size()},
            {"config", config_json(config)},
            {"started", now_utc()}};
  }
  meta["command"] = command_line();
  meta["threads"] = threads;
  if (!unavailable.empty()) meta["left_out_unavailable"] = unavailable;
  else meta.erase("left_out_unavailable");
  if (a.reduced) meta["reduced"] = true;
  // The config beside its results: `floatscope report DIR` reads its [report] table from there.
  if (!config_toml.empty()) write_text_file(dir / "config.toml", config_toml);
  else std::filesystem::remove(dir / "config.toml");
  if (mpi) meta["mpi_ranks"] = place.size;
  else meta.erase("mpi_ranks");
  meta["environment"] = environment_json();
  {  // the GPU backends' device and library versions (empty for cpu)
    std::set<std::string> seen;
    nlohmann::json info = nlohmann::json::object();
    for (const auto& p : mine)
      if (seen.insert(p.spec.backend).second)
        if (const Backend* b = find_backend(p.spec.backend))
          if (const std::string s = b->runtime_info(); !s.empty()) info[std::string(b->name())] = s;
    if (!info.empty()) meta["backend_info"] = info;
  }
  meta["complete"] = false;
  meta["status"] = "running";
  meta.erase("finished");
  write_meta(dir, meta);

  // More threads than points left: let each point use several (results do not depend on it).
  const int per_point = std::max(1, threads / std::max<int>(1, std::min<int>(threads, static_cast<int>(mine.size()))));
  sweep::RunOptions opt;
  opt.threads = threads;
  opt.progress = !a.quiet && ::isatty(2);
  opt.stop = &g_stop;
  std::signal(SIGINT, mpi ? on_interrupt_mpi : on_interrupt);
  std::signal(SIGTERM, mpi ? on_interrupt_mpi : on_interrupt);
  sweep::RunSummary summary;
  try {
#ifdef FLOATSCOPE_HAVE_MPI
    if (mpi) {
      int size = 0;
      mpi_sweep::init(&size);
      mpi_sweep::Options o;
      o.threads = threads;
      o.progress = !a.quiet;
      o.stop = &g_stop;
      summary = mpi_sweep::schedule(
          mine, csv, [](const ExperimentSpec& s) { return run_experiment(s, 1, true); }, o);
    } else
#endif
      summary = sweep::run_points(
          mine, csv, [per_point](const ExperimentSpec& s) { return run_experiment(s, per_point, true); }, opt);
  } catch (const std::exception& e) {  // e.g. a damaged results.csv: meta.json must not say running
    meta["status"] = "failed";
    meta["error"] = e.what();
    meta["finished"] = now_utc();
    write_meta(dir, meta);
    throw;
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);

  meta["rows"] = summary.skipped + summary.done;
  meta["complete"] = summary.complete();
  meta["status"] = summary.complete() ? "complete" : summary.interrupted ? "interrupted" : "failed";
  if (!summary.error.empty()) meta["error"] = summary.error;
  else meta.erase("error");
  meta["finished"] = now_utc();

  // The message first, then meta.json: when mpirun ends a job it kills rank 0 a second after its
  // SIGTERM, and on a busy disk the fsync of meta.json may not fit in that second (meta.json then
  // still says "running", which resuming ignores).
  int rc = kExitOk;
  if (!summary.error.empty()) {
    std::cerr << "floatscope: error: " << summary.error << "\n"
              << "floatscope: " << summary.skipped + summary.done << " of " << summary.total
              << " rows are in " << csv.string() << "; run the same command again to resume\n";
    rc = kExitFailure;
  } else if (summary.interrupted) {
    std::cerr << "floatscope: interrupted: " << summary.skipped + summary.done << " of " << summary.total
              << " rows are in " << csv.string() << "; run the same command again to resume\n";
    rc = 128 + g_signal.load();  // 130 for SIGINT (Ctrl-C), 143 for SIGTERM, as a shell reports them
  }
  std::cerr.flush();
  write_meta(dir, meta);
#ifdef FLOATSCOPE_HAVE_MPI
  if (mpi) {
    if (mpi_sweep::abandoned()) {  // ranks are gone or being killed: no MPI_Finalize, no waiting
      std::fflush(nullptr);
      std::_Exit(rc == kExitOk ? kExitFailure : rc);
    }
    mpi_sweep::finalize();
  }
#endif
  if (rc != kExitOk) return rc;
  if (!a.quiet)
    std::cerr << fmt::format("{} points ({} new, {} already done) in {}\n", summary.total, summary.done,
                             summary.skipped, csv.string());
  return kExitOk;
}

// What the built-in default sweep runs, for --help: its setups, shapes, distributions and size,
// read from the same TOML the sweep runs (so the help cannot drift from it).
std::string default_sweep_summary() {
  try {
    const auto config = sweep::parse_sweep_toml(default_sweep_toml(), "<built-in default sweep>");
    const auto points = sweep::expand(config);
    std::vector<std::string> setups, ks, dists;
    auto add = [](std::vector<std::string>& v, const std::string& x) {
      if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
    };
    int M = 0, N = 0;
    for (const auto& p : points) {
      const auto& s = p.spec;
      add(setups, s.model.empty() || s.model == "custom"
                      ? s.a_format + " inputs, " + s.acc_format + " accumulator (" + s.rounding + ")"
                      : s.model + " (" + s.a_format + ")");
      add(ks, std::to_string(s.K));
      add(dists, s.dist);
      M = s.M;
      N = s.N;
    }
    auto join = [](const std::vector<std::string>& v, const char* sep) {
      std::string out;
      for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
      return out;
    };
    return fmt::format(
        "Without a config file or sweep-key flags, `floatscope sweep` runs the built-in default sweep\n"
        "(experiments/default/config.toml; --print-default-config prints it): {} points,\n"
        "{}x{} outputs, K = {}, dist = {}, {} repeats, over these setups:\n  {}\n"
        "Sweep-key flags without a config define a new grid instead; keys not given then take the\n"
        "[unset: ...] value listed above.\n",
        points.size(), M, N, join(ks, ", "), join(dists, ", "), config.repeats(),
        join(setups, "\n  "));
  } catch (const std::exception& e) {
    return std::string("(the built-in default sweep does not parse: ") + e.what() + ")\n";
  }
}

const Registrar reg_sweep("sweep", 40, [](CLI::App& app) -> std::function<int()> {
  app.description("Run a grid of experiments into DIR/results.csv and DIR/meta.json (resumable)");
  auto a = std::make_shared<SweepArgs>();
  app.add_option("config", a->config_path, "TOML sweep config (default: the built-in default sweep)")
      ->check(CLI::ExistingFile);
  app.add_option("-o,--output", a->out_dir, "Output directory")->capture_default_str();
  app.add_option("--set", a->sets, "key=value[,value...]: set any sweep key (repeatable)");
  add_strict_int(app, "--threads", a->threads, "Points run in parallel (0 = all cores) [default: 0]", 0, INT_MAX);
  app.add_option("--shard", a->shard, "i/n: run only shard i of n; shards are split by estimated cost (M*N*K times a per-model factor) "
                 "so that they take similar time")->capture_default_str();
  app.add_flag("--quiet", a->quiet, "No progress bar or summary on stderr");
  app.add_flag("--dry-run", a->dry_run, "Check the config and count the points; write nothing");
  app.add_flag("--reduced", a->reduced, "Run the config's [reduced] version (its quick check: the keys there override everywhere)");
  app.add_flag("--print-default-config", a->print_default, "Print the built-in default sweep (TOML) and exit");
  app.add_flag("--keys", a->list_keys, "List every sweep key (TOML name, flag, default, meaning) and exit");
  auto* group = app.add_option_group("Sweep keys", "Each takes one value or a comma-separated list to sweep over");
  for (const auto& k : sweep::sweep_keys()) {
    std::string key(k.name);
    std::string doc(k.doc);
    if (!k.default_value.empty()) doc += " [unset: " + std::string(k.default_value) + "]";
    group->add_option_function<std::string>(
        "--" + sweep::flag_name(k.name), [a, key](const std::string& v) { a->flags[key] = v; }, doc);
  }
  app.footer(
      default_sweep_summary() +
      "Config keys in TOML are snake_case (a_format), flags kebab-case (--a-format); a TOML array or a\n"
      "comma-separated flag value sweeps over its items. [[grid]] tables in TOML add sub-grids.\n"
      "Examples:\n"
      "  floatscope sweep -o out/default\n"
      "  floatscope sweep experiments/fp8-accumulation/config.toml -o out/fp8 --threads 2\n"
      "  floatscope sweep --model h100-fp8,h100-fp8-promote128 --a-format e4m3 --dist uniform01,normal \\\n"
      "      --K 256,1024,4096 --M 64 --N 64 --repeats 3 -o out/fp8\n"
      "  floatscope sweep config.toml --shard 2/8 -o out/shard2   # then: floatscope merge out/shard*");
  return [a] {
    const LaunchPlace place = launch_place();
    if (place.rank == 0) return run_sweep(*a, place);
    // Every rank reads the same config, so a bad one would be reported N times: rank 0 says it.
    try {
      return run_sweep(*a, place);
    } catch (const UsageError&) {
      return kExitUsage;
    }
  };
});

}  // namespace
}  // namespace floatscope::cli
