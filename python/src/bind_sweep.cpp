// sweep() and read_results(): the same sweep directory as `floatscope sweep -o DIR` (results.csv
// with the CSV contract's columns, meta.json with the config's fingerprint, the directory lock),
// so the CLI can resume, merge and report what Python ran, and the other way round.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bindings.hpp"
#include "command.hpp"      // UsageError, which sweep_meta throws for bad input
#include "floatscope/experiment.hpp"
#include "floatscope/parallel.hpp"
#include "floatscope/sweep.hpp"
#include "floatscope/sweep_toml.hpp"
#include "sweep_meta.hpp"

namespace nb = nanobind;

namespace floatscope::python {
namespace {

// One TOML-like value of a dict config as the text the TOML reader would give it.
std::string value_text(const sweep::KeyInfo& key, nb::handle v, const std::string& where) {
  const auto wrong = [&](const char* got) {
    return nb::type_error((where + ": key '" + std::string(key.name) + "': expected " +
                           sweep::type_name(key.type) + " (or a list of them), got " + got)
                              .c_str());
  };
  if (nb::isinstance<nb::bool_>(v)) throw wrong("bool");
  if (key.type == sweep::ValueType::String) {
    if (!nb::isinstance<nb::str>(v)) throw wrong(nb::cast<std::string>(nb::str(v.type().attr("__name__"))).c_str());
    return nb::cast<std::string>(v);
  }
  if (nb::isinstance<nb::int_>(v)) return nb::cast<std::string>(nb::str(v));
  if (key.type == sweep::ValueType::Double && nb::isinstance<nb::float_>(v))
    return sweep::format_double(nb::cast<double>(v));
  throw wrong(nb::cast<std::string>(nb::str(v.type().attr("__name__"))).c_str());
}

// A dict config, read like the TOML file it stands for: keys of the schema, each a value or a
// list of values; "grid": a list of dicts, each a sub-grid.
void read_layer(const nb::dict& d, sweep::KeyValues& layer, bool top, const std::string& where) {
  for (auto [k, v] : d) {
    if (!nb::isinstance<nb::str>(k)) throw nb::type_error((where + ": keys must be strings").c_str());
    const std::string name = nb::cast<std::string>(k);
    if (top && name == "grid") continue;
    const sweep::KeyInfo* info = sweep::find_key(name);
    if (!info || info->name != name)
      throw std::invalid_argument(where + ": unknown key '" + name + "'" +
                                  (info ? "; did you mean '" + std::string(info->name) + "'?" : "") +
                                  " (known keys: " + sweep::known_keys_text() + ")");
    if (!top && !info->dimension)
      throw std::invalid_argument(where + ": key '" + name + "' belongs at the top level, not in a grid");
    std::vector<std::string> values;
    if (nb::isinstance<nb::list>(v) || nb::isinstance<nb::tuple>(v)) {
      for (nb::handle item : v) values.push_back(value_text(*info, item, where));
    } else {
      values.push_back(value_text(*info, v, where));
    }
    sweep::set_values(layer, name, values, where);
  }
}

sweep::SweepConfig config_from_dict(const nb::dict& d) {
  sweep::SweepConfig config;
  read_layer(d, config.base, true, "config");
  if (d.contains("grid")) {
    nb::handle g = d["grid"];
    if (!nb::isinstance<nb::list>(g) && !nb::isinstance<nb::tuple>(g))
      throw nb::type_error("config: 'grid' must be a list of dicts");
    int i = 0;
    for (nb::handle t : g) {
      const std::string where = "config['grid'][" + std::to_string(i++) + "]";
      if (!nb::isinstance<nb::dict>(t)) throw nb::type_error((where + " must be a dict").c_str());
      sweep::KeyValues layer;
      read_layer(nb::borrow<nb::dict>(t), layer, false, where);
      config.grids.push_back(std::move(layer));
    }
  }
  return config;
}

// As `floatscope sweep`: each distinct configuration runs once on a 1x1 output without a
// reference before anything is written, so a bad name stops the sweep with its point named.
void validate_points(const std::vector<sweep::Point>& points) {
  std::set<std::string> seen;
  for (const auto& p : points) {
    ExperimentSpec probe = p.spec;
    probe.M = probe.N = 1;
    probe.seed = 0;
    probe.repeat = 0;
    probe.reference = "none";
    std::string key;
    for (const auto& line : {probe.model, probe.a_format, probe.b_format, probe.acc_format, probe.rounding,
                             std::to_string(probe.sr_bits), probe.order, probe.product_format,
                             probe.output_format, probe.output_rounding, probe.compensation,
                             std::to_string(probe.promote), sweep::format_double(probe.scale_a),
                             sweep::format_double(probe.scale_b), sweep::format_double(probe.output_scale),
                             probe.input_rounding, probe.scheme, probe.backend, probe.dist, probe.b_dist,
                             std::to_string(probe.K), probe.block_fma, probe.output_scale_mode})
      key += line + "|";
    if (!seen.insert(key).second) continue;
    try {
      run_experiment(probe, 1, false);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string(e.what()) + " [in sweep point: " + describe(p) + "]");
    } catch (const std::exception&) {
      // Not a naming problem: the real run reports it with its point.
    }
  }
}

// Runs the sweep (the shard's points not yet in DIR/results.csv) and returns the number of rows
// present, new and skipped. Errors: ValueError for bad config or a directory of another sweep,
// RuntimeError for a failed point (rows written so far stay; calling again resumes).
nb::dict run_sweep(const std::string& toml_path, nb::object dict_config, const std::string& out_dir,
                   int threads, const std::string& shard_text) {
  sweep::SweepConfig config;
  if (!dict_config.is_none()) config = config_from_dict(nb::borrow<nb::dict>(dict_config));
  else config = sweep::read_sweep_toml_file(toml_path);
  check_threads(threads, "threads");
  const auto shard = sweep::Shard::parse(shard_text);
  const std::string fp = sweep::fingerprint(config);
  const std::string command = "python: floatscope.sweep(" + (toml_path.empty() ? "<dict>" : toml_path) +
                              ", " + out_dir + ")";

  nb::gil_scoped_release unlocked;
  std::size_t total = 0;
  std::vector<sweep::Point> mine;
  sweep::for_each_point(config, [&](sweep::Point&& p) {
    ++total;
    if (shard.contains(p.index)) mine.push_back(std::move(p));
  });
  validate_points(mine);

  const std::filesystem::path dir = out_dir;
  const auto csv = dir / "results.csv";
  std::filesystem::create_directories(dir);
  const cli::DirLock lock(dir, true);
  nlohmann::json meta;
  if (std::filesystem::exists(dir / "meta.json")) {
    meta = cli::read_meta(dir);
    if (meta.value("fingerprint", "") != fp)
      throw std::invalid_argument(dir.string() + " holds a different sweep (fingerprint " +
                                  meta.value("fingerprint", "?") + ", this one " + fp +
                                  "): choose another out_dir or remove that directory");
    if (meta.value("shard", "1/1") != shard.text())
      throw std::invalid_argument(dir.string() + " holds shard " + meta.value("shard", "1/1") + ", not " +
                                  shard.text());
  } else if (std::filesystem::exists(csv)) {
    throw std::invalid_argument(csv.string() + " exists without meta.json: not a floatscope sweep directory");
  } else {
    meta = {{"floatscope_sweep", 1},          {"fingerprint", fp},
            {"title", config.title()},        {"shard", shard.text()},
            {"points_total", total},          {"points", mine.size()},
            {"config", cli::config_json(config)}, {"started", cli::now_utc()}};
  }
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int nthreads = threads > 0 ? threads : hw;
  meta["command"] = command;
  meta["threads"] = nthreads;
  meta["environment"] = cli::environment_json();
  meta["complete"] = false;
  meta["status"] = "running";
  meta.erase("finished");
  cli::write_meta(dir, meta);

  const int per_point =
      std::max(1, nthreads / std::max<int>(1, std::min<int>(nthreads, static_cast<int>(mine.size()))));
  // The points run on a worker thread while this (the calling, usually main) thread checks for
  // Ctrl-C every 100 ms: Python runs signal handlers only in the main thread. On KeyboardInterrupt
  // no new point starts, the running ones finish (their rows are durable), meta.json says
  // "interrupted", and the KeyboardInterrupt is raised; calling sweep() again resumes.
  std::atomic<bool> stop{false};
  sweep::RunOptions opt;
  opt.threads = nthreads;
  opt.stop = &stop;
  sweep::RunSummary summary;
  std::exception_ptr failure;
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  std::thread worker([&] {
    try {
      summary = sweep::run_points(
          mine, csv, [per_point](const ExperimentSpec& s) { return run_experiment(s, per_point, true); }, opt);
    } catch (...) {
      failure = std::current_exception();
    }
    const std::lock_guard<std::mutex> g(mutex);
    done = true;
    finished.notify_all();
  });
  bool interrupted = false;
  for (std::unique_lock<std::mutex> l(mutex); !done;) {
    if (finished.wait_for(l, std::chrono::milliseconds(100), [&] { return done; })) break;
    if (interrupted) continue;
    l.unlock();
    {
      nb::gil_scoped_acquire locked;
      if (PyErr_CheckSignals() != 0) {  // the exception (KeyboardInterrupt) stays set
        interrupted = true;
        stop.store(true);
      }
    }
    l.lock();
  }
  worker.join();
  if (failure) {
    meta["status"] = "failed";
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      meta["error"] = e.what();
    }
    meta["finished"] = cli::now_utc();
    cli::write_meta(dir, meta);
    if (interrupted) {
      nb::gil_scoped_acquire locked;
      PyErr_Clear();  // the failure is what is reported
    }
    std::rethrow_exception(failure);
  }
  if (interrupted) {
    meta["rows"] = summary.skipped + summary.done;
    meta["status"] = "interrupted";
    meta["finished"] = cli::now_utc();
    cli::write_meta(dir, meta);
    nb::gil_scoped_acquire locked;
    throw nb::python_error();
  }
  meta["rows"] = summary.skipped + summary.done;
  meta["complete"] = summary.complete();
  meta["status"] = summary.complete() ? "complete" : "failed";
  if (!summary.error.empty()) meta["error"] = summary.error;
  else meta.erase("error");
  meta["finished"] = cli::now_utc();
  cli::write_meta(dir, meta);
  if (!summary.error.empty())
    throw std::runtime_error(summary.error + "; " + std::to_string(summary.skipped + summary.done) + " of " +
                             std::to_string(summary.total) + " rows are in " + csv.string() +
                             "; call sweep again to resume");
  nb::gil_scoped_acquire locked;
  nb::dict out;
  out["points"] = summary.total;
  out["new"] = summary.done;
  out["skipped"] = summary.skipped;
  out["results"] = csv.string();
  return out;
}

// DIR/results.csv as (header, rows of strings), read by the library's CSV parser (a torn last
// line from an interrupted sweep is left out) under a shared lock (not while a sweep writes).
nb::tuple read_results_table(const std::string& out_dir) {
  const std::filesystem::path dir = out_dir;
  const auto csv = dir / "results.csv";
  if (!std::filesystem::is_regular_file(csv))
    throw std::invalid_argument("cannot read " + csv.string() + " (not a sweep directory?)");
  sweep::CsvTable t;
  {
    const cli::DirLock lock(dir, false);
    t = sweep::read_csv_file(csv);
  }
  return nb::make_tuple(t.header, t.rows);
}

// Column name -> "str", "int", "uint64" or "float": the schema's types for the parameter columns,
// float for every metric and timing, str for ids and descriptions.
nb::dict csv_column_types() {
  nb::dict types;
  for (const auto& c : sweep::csv_columns()) types[c.c_str()] = "float";
  for (const auto& k : sweep::sweep_keys()) {
    if (!k.dimension) continue;
    const char* t = k.type == sweep::ValueType::String ? "str"
                    : k.type == sweep::ValueType::Int  ? "int"
                    : k.type == sweep::ValueType::UInt64 ? "uint64" : "float";
    types[nb::str(k.name.data(), k.name.size())] = t;
  }
  types["repeat"] = "int";
  for (const char* s : {"point_id", "accumulator", "output_hash"}) types[s] = "str";
  return types;
}

}  // namespace

void bind_sweep(nb::module_& m) {
  m.def("sweep", &run_sweep, nb::arg("toml_path"), nb::arg("config").none(), nb::arg("out_dir"),
        nb::arg("threads"), nb::arg("shard"));
  m.def("read_results_table", &read_results_table, nb::arg("out_dir"));
  m.def("csv_columns", [] { return sweep::csv_columns(); });
  m.def("csv_column_types", &csv_column_types);
}

}  // namespace floatscope::python
