// `floatscope merge DIR... [-o OUT]`: combines the outputs of sweep shards (or of partial runs)
// into one results.csv + meta.json, after checking that they belong to the same sweep.
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <memory>

#include "command.hpp"
#include "floatscope/sweep.hpp"
#include "sweep_meta.hpp"

namespace floatscope::cli {
namespace {

// Rows equal in every column but the timing one: the same point computed the same way.
bool same_result(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  static const std::size_t sec = sweep::csv_column("seconds");
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (i != sec && a[i] != b[i]) return false;
  return true;
}

int run_merge(const std::vector<std::string>& dirs, const std::string& out_dir, bool quiet) {
  if (dirs.empty()) throw UsageError("merge: no input directories");
  const std::filesystem::path out = out_dir;
  std::vector<nlohmann::json> metas;
  std::vector<std::unique_ptr<DirLock>> locks;  // no sweep may write an input while it is read
  std::string fp;
  for (const auto& d : dirs) {
    if (std::filesystem::exists(out) && std::filesystem::exists(d) &&
        std::filesystem::equivalent(out, d))
      throw UsageError("merge: the output directory " + out_dir + " is also an input");
    locks.push_back(std::make_unique<DirLock>(d, false));
    metas.push_back(read_meta(d));
    const std::string f = metas.back().value("fingerprint", "");
    if (fp.empty()) fp = f;
    if (f != fp)
      throw UsageError("merge: " + d + " belongs to another sweep (fingerprint " + f + ", " + dirs.front() +
                       " has " + fp + ")");
  }
  // The output: new, or a merged (1/1) directory of the same sweep whose rows are kept. Never a
  // shard directory or anything else: merging into it would replace rows no input holds.
  std::filesystem::create_directories(out);
  const DirLock out_lock(out, true);
  nlohmann::json out_meta;
  if (std::filesystem::exists(out / "meta.json")) {
    out_meta = read_meta(out);
    if (out_meta.value("fingerprint", "") != fp)
      throw UsageError("merge: " + out_dir + " holds a different sweep; choose another -o");
    if (out_meta.value("shard", "1/1") != "1/1")
      throw UsageError("merge: " + out_dir + " is shard " + out_meta.value("shard", "1/1") +
                       " of this sweep, not a merged directory (its rows would be replaced): give it as an "
                       "input and choose a new -o");
  } else if (std::filesystem::exists(out / "results.csv")) {
    throw UsageError("merge: " + (out / "results.csv").string() +
                     " exists without meta.json: not a floatscope sweep directory; choose another -o");
  }

  sweep::SweepConfig config;
  try {
    config = config_from_json(metas.front().at("config"));
  } catch (const std::exception& e) {
    throw UsageError(dirs.front() + "/meta.json: unreadable config: " + e.what());
  }
  const auto points = sweep::expand(config);
  if (sweep::fingerprint(config) != fp)
    throw UsageError(dirs.front() + "/meta.json: its config does not match its fingerprint");
  std::map<std::string, std::size_t> grid;
  for (const auto& p : points) grid.emplace(p.id, p.index);

  const std::size_t id_col = sweep::csv_column("point_id");
  std::map<std::string, std::string> source_of;
  std::map<std::string, std::size_t> kept;  // rows already in the output: id -> position in rows
  std::vector<std::vector<std::string>> rows;
  auto read_rows = [&](const std::filesystem::path& csv) {
    sweep::CsvTable t;
    try {
      t = sweep::read_csv_file(csv);
    } catch (const std::runtime_error& e) {
      throw UsageError(e.what());
    }
    if (t.torn_tail)
      throw UsageError(csv.string() + ": its last line is cut off (a sweep still running, or killed): resume it "
                       "with the same command first");
    if (!t.header.empty() && t.header != sweep::csv_columns())
      throw UsageError(csv.string() + ": columns differ from this version's");
    return t;
  };
  std::size_t previous = 0;
  if (!out_meta.is_null() && std::filesystem::exists(out / "results.csv")) {
    sweep::CsvTable t = read_rows(out / "results.csv");
    for (auto& r : t.rows) {
      const auto& id = r[id_col];
      if (!grid.count(id)) throw UsageError((out / "results.csv").string() + ": point " + id + " is not in the sweep's grid");
      if (!kept.emplace(id, rows.size()).second)
        throw UsageError((out / "results.csv").string() + ": point " + id + " appears twice");
      rows.push_back(std::move(r));
    }
    previous = rows.size();
  }
  for (const auto& d : dirs) {
    const auto csv = std::filesystem::path(d) / "results.csv";
    if (!std::filesystem::exists(csv)) continue;  // a shard that never started
    sweep::CsvTable t = read_rows(csv);
    for (auto& r : t.rows) {
      const auto& id = r[id_col];
      if (!grid.count(id)) throw UsageError(csv.string() + ": point " + id + " is not in the sweep's grid");
      if (auto k = kept.find(id); k != kept.end()) {
        if (!same_result(rows[k->second], r))
          throw UsageError("merge: point " + id + " in " + d + " differs from its row already in " + out_dir);
        continue;  // merged before
      }
      auto [it, fresh] = source_of.emplace(id, d);
      if (!fresh)
        throw UsageError("merge: point " + id + " is in both " + it->second + " and " + d +
                         " (the same shard given twice?)");
      rows.push_back(std::move(r));
    }
  }
  const std::size_t nrows = rows.size();
  sweep::write_sorted_csv(out / "results.csv", points, std::move(rows));

  nlohmann::json meta = metas.front();
  meta["shard"] = "1/1";
  meta["points"] = points.size();
  meta["rows"] = nrows;
  meta["complete"] = nrows == points.size();
  meta["status"] = nrows == points.size() ? "complete" : "incomplete";
  meta.erase("error");
  nlohmann::json from = out_meta.is_object() && out_meta.contains("merged_from") && out_meta["merged_from"].is_array()
                            ? out_meta["merged_from"]
                            : nlohmann::json::array();
  std::string started, finished;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    from.push_back({{"dir", dirs[i]},
                    {"shard", metas[i].value("shard", "1/1")},
                    {"complete", metas[i].value("complete", false)},
                    {"rows", metas[i].value("rows", 0)}});
    auto s = metas[i].value("started", ""), f = metas[i].value("finished", "");
    if (!s.empty() && (started.empty() || s < started)) started = s;
    if (!f.empty() && f > finished) finished = f;
  }
  meta["merged_from"] = from;
  meta["merged_at"] = now_utc();
  meta["started"] = started;
  meta["finished"] = finished;
  write_meta(out, meta);
  if (!quiet)
    std::cerr << fmt::format("merged {} rows of {} points from {} directories into {}{}{}\n", nrows, points.size(),
                             dirs.size(), (out / "results.csv").string(),
                             previous ? fmt::format(" ({} rows were there already)", previous) : "",
                             nrows == points.size() ? "" : " (incomplete: some points have no row yet)");
  return kExitOk;
}

const Registrar reg_merge("merge", 41, [](CLI::App& app) -> std::function<int()> {
  app.description("Combine sweep shard directories into one results.csv + meta.json");
  struct Args {
    std::vector<std::string> dirs;
    std::string out = "merged";
    bool quiet = false;
  };
  auto a = std::make_shared<Args>();
  app.add_option("dirs", a->dirs, "Sweep output directories (each with meta.json and results.csv)")
      ->required()
      ->check(CLI::ExistingDirectory);
  app.add_option("-o,--output", a->out, "Output directory")->capture_default_str();
  app.add_flag("--quiet", a->quiet, "No summary on stderr");
  app.footer(
      "An existing output directory must be a merged (shard 1/1) directory of the same sweep: its rows are\n"
      "kept and the inputs' rows added (a shard directory as -o is refused, so no row is ever replaced).\n"
      "Inputs being written by a running sweep are refused.\n"
      "Example:\n  floatscope merge out/shard1 out/shard2 out/shard3 -o out/all");
  return [a] { return run_merge(a->dirs, a->out, a->quiet); };
});

}  // namespace
}  // namespace floatscope::cli
