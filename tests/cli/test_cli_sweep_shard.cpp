// `--shard i/n` split by estimated cost, and the Slurm job-array script of docs/cluster.md run as
// a shell loop: the shards merged give exactly the rows of the unsharded sweep.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "floatscope/sweep.hpp"
#include "run_process.hpp"
#include "scratch.hpp"
#include "sweep_dir.hpp"

namespace fs = std::filesystem;
using floatscope::sweep::csv_columns;
using floatscope::sweep::read_csv_file;
using floatscope::test::meta_of;
using floatscope::test::rows_of;
using floatscope::test::slurp;

namespace {

fs::path dir(const std::string& name) { return floatscope::test::scratch_root("cli_sweep_shard") / name; }


// Costs ~1000x apart (K from 16 to 16384). In grid order K varies fastest but for the repeat
// (index = 12 * format + 2 * K's position + repeat), so counting (index mod 4) puts all four
// K = 16384 points into shards 3 and 4.
const char* kVariedK = R"(title = "varied K"
a_format = ["fp16", "bf16"]
acc_format = "fp32"
M = 16
N = 16
K = [16, 64, 256, 1024, 4096, 16384]
seed = 3
repeats = 2
)";

fs::path write_config() {
  auto cfg = dir("varied.toml");
  fs::create_directories(cfg.parent_path());
  std::ofstream(cfg) << kVariedK;
  return cfg;
}

}  // namespace

TEST_CASE("cost-based shards merged equal the unsharded sweep and are better balanced than counting",
          "[cli][sweep][shard]") {
  const auto cfg = write_config();
  auto all = run_cli({"sweep", cfg.string(), "-o", dir("all").string(), "--quiet", "--threads", "1"});
  INFO(all.err);
  REQUIRE(all.exit_code == 0);

  auto dry = run_cli({"sweep", cfg.string(), "--dry-run", "--shard", "1/4"});
  REQUIRE(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("24 points in the grid"));
  const auto at = dry.out.find("split by cost");
  REQUIRE(at != std::string::npos);
  const double by_cost = std::stod(dry.out.substr(dry.out.rfind(':', at) + 1));
  const double by_count = std::stod(dry.out.substr(dry.out.find(',', at) + 1));
  INFO(dry.out);
  CHECK(by_cost < 1.1);
  CHECK(by_count > 1.5);

  std::vector<std::string> merge = {"merge"};
  std::size_t rows = 0;
  for (int i = 1; i <= 4; ++i) {
    const auto d = dir("s" + std::to_string(i));
    auto o = run_cli({"sweep", cfg.string(), "-o", d.string(), "--quiet", "--threads", "1", "--shard",
                      std::to_string(i) + "/4"});
    INFO(o.err);
    REQUIRE(o.exit_code == 0);
    CHECK(meta_of(d)["shard_split"] == "cost");
    const auto r = rows_of(d);
    rows += r.size();
    // One K = 16384 point per shard (counting would put two into each of shards 3 and 4).
    const auto k_col = static_cast<std::size_t>(std::find(csv_columns().begin(), csv_columns().end(), "K") - csv_columns().begin());
    CHECK(std::count_if(r.begin(), r.end(), [&](const auto& row) { return row[k_col] == "16384"; }) == 1);
    merge.push_back(d.string());
  }
  CHECK(rows == 24);
  merge.insert(merge.end(), {"-o", dir("merged").string(), "--quiet"});
  auto m = run_cli(merge);
  INFO(m.err);
  REQUIRE(m.exit_code == 0);
  CHECK(rows_of(dir("merged")) == rows_of(dir("all")));
  CHECK(meta_of(dir("merged"))["complete"] == true);
}

TEST_CASE("a shard directory split by count (older floatscope) is not resumed under the cost split",
          "[cli][sweep][shard]") {
  const auto cfg = write_config();
  const auto d = dir("old");
  REQUIRE(run_cli({"sweep", cfg.string(), "-o", d.string(), "--quiet", "--shard", "2/3"}).exit_code == 0);
  auto meta = meta_of(d);
  meta.erase("shard_split");
  std::ofstream(d / "meta.json") << meta.dump(2);
  const auto before = slurp(d / "results.csv");
  auto o = run_cli({"sweep", cfg.string(), "-o", d.string(), "--quiet", "--shard", "2/3"});
  CHECK(o.exit_code == 2);
  CHECK_THAT(o.err, Catch::Contains("split by point count"));
  CHECK(slurp(d / "results.csv") == before);
}

TEST_CASE("the Slurm array script of docs/cluster.md, run as a shell loop, then merge", "[cli][sweep][shard]") {
  const auto cfg = write_config();
  auto all = run_cli({"sweep", cfg.string(), "-o", dir("loop_all").string(), "--quiet", "--threads", "1"});
  REQUIRE(all.exit_code == 0);
  const auto script = fs::path(FLOATSCOPE_SOURCE_DIR) / "scripts/slurm/sweep-array.sbatch";
  REQUIRE(fs::exists(script));
  // What `sbatch --array=0-2` would start, one task after the other, with Slurm's variables.
  const std::string loop = "for i in 0 1 2; do SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=3 SLURM_CPUS_PER_TASK=1 "
                           "FLOATSCOPE='" FLOATSCOPE_CLI_PATH "' bash '" + script.string() + "' '" + cfg.string() +
                           "' '" + dir("array").string() + "' || exit 1; done";
  auto o = run_process("/bin/bash", {"-c", loop});
  INFO(o.err);
  REQUIRE(o.exit_code == 0);
  for (int i = 1; i <= 3; ++i) CHECK(meta_of(dir("array") / ("shard-" + std::to_string(i)))["shard"] == std::to_string(i) + "/3");
  auto m = run_process("/bin/bash", {"-c", "'" FLOATSCOPE_CLI_PATH "' merge '" + dir("array").string() + "'/shard-* -o '" +
                                               dir("array").string() + "/merged' --quiet"});
  INFO(m.err);
  REQUIRE(m.exit_code == 0);
  CHECK(rows_of(dir("array") / "merged") == rows_of(dir("loop_all")));
  // Outside an array the script refuses with a usage message.
  auto bad = run_process("/bin/bash", {script.string(), cfg.string(), dir("x").string()});
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.err, Catch::Contains("array"));
}
