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

int run_merge(const std::vector<std::string>& dirs, const std::string& out_dir, bool quiet) {
  if (dirs.empty()) throw UsageError("merge: no input directories");
  const std::filesystem::path out = out_dir;
  std::vector<nlohmann::json> metas;
  std::string fp;
  for (const auto& d : dirs) {
    if (std::filesystem::exists(out) && std::filesystem::exists(d) &&
        std::filesystem::equivalent(out, d))
      throw UsageError("merge: the output directory " + out_dir + " is also an input");
    metas.push_back(read_meta(d));
    const std::string f = metas.back().value("fingerprint", "");
    if (fp.empty()) fp = f;
    if (f != fp)
      throw UsageError("merge: " + d + " belongs to another sweep (fingerprint " + f + ", " + dirs.front() +
                       " has " + fp + ")");
  }
  if (std::filesystem::exists(out / "meta.json") && read_meta(out).value("fingerprint", "") != fp)
    throw UsageError("merge: " + out_dir + " holds a different sweep; choose another -o");

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
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : dirs) {
    const auto csv = std::filesystem::path(d) / "results.csv";
    if (!std::filesystem::exists(csv)) continue;  // a shard that never started
    sweep::CsvTable t = sweep::read_csv_file(csv);
    if (!t.header.empty() && t.header != sweep::csv_columns())
      throw UsageError(csv.string() + ": columns differ from this version's");
    for (auto& r : t.rows) {
      const auto& id = r[id_col];
      if (!grid.count(id)) throw UsageError(csv.string() + ": point " + id + " is not in the sweep's grid");
      auto [it, fresh] = source_of.emplace(id, d);
      if (!fresh)
        throw UsageError("merge: point " + id + " is in both " + it->second + " and " + d +
                         " (the same shard given twice?)");
      rows.push_back(std::move(r));
    }
  }
  std::filesystem::create_directories(out);
  const std::size_t nrows = rows.size();
  sweep::write_sorted_csv(out / "results.csv", points, std::move(rows));

  nlohmann::json meta = metas.front();
  meta["shard"] = "1/1";
  meta["points"] = points.size();
  meta["rows"] = nrows;
  meta["complete"] = nrows == points.size();
  meta["status"] = nrows == points.size() ? "complete" : "incomplete";
  meta.erase("error");
  nlohmann::json from = nlohmann::json::array();
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
    std::cerr << fmt::format("merged {} rows of {} points from {} directories into {}{}\n", nrows, points.size(),
                             dirs.size(), (out / "results.csv").string(),
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
  app.footer("Example:\n  floatscope merge out/shard1 out/shard2 out/shard3 -o out/all");
  return [a] { return run_merge(a->dirs, a->out, a->quiet); };
});

}  // namespace
}  // namespace floatscope::cli
