// End-to-end: `floatscope sweep` and `floatscope merge` as a user runs them. Rows are compared
// sorted by their parameters with the timing column left out.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <set>
#include <thread>

#include "floatscope/sweep.hpp"

extern char** environ;

namespace fs = std::filesystem;
using floatscope::sweep::csv_columns;
using floatscope::sweep::read_csv_file;

#include "run_process.hpp"
#include "scratch.hpp"

namespace {

struct Outcome {
  int rc = -1;
  std::string out, err;
};

fs::path scratch_root() { return floatscope::test::scratch_root("cli_sweep"); }
using floatscope::test::slurp;

pid_t spawn(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
  const pid_t pid = floatscope::test::spawn_process(FLOATSCOPE_CLI_PATH, args, out.string(), err.string());
  REQUIRE(pid > 0);
  return pid;
}

using floatscope::test::wait_exit;

Outcome run(const std::vector<std::string>& args) {
  static int n = 0;
  auto out = scratch_root() / ("out" + std::to_string(++n)), err = scratch_root() / ("err" + std::to_string(n));
  Outcome o;
  o.rc = wait_exit(spawn(args, out, err));
  o.out = slurp(out);
  o.err = slurp(err);
  return o;
}

fs::path dir(const std::string& name) { return scratch_root() / name; }

// Rows of a results.csv, timing column removed, sorted by their parameters.
std::vector<std::vector<std::string>> rows_of(const fs::path& d) {
  auto t = read_csv_file(d / "results.csv");
  REQUIRE(t.header == csv_columns());
  auto sec = static_cast<std::ptrdiff_t>(std::find(t.header.begin(), t.header.end(), "seconds") - t.header.begin());
  for (auto& r : t.rows) r.erase(r.begin() + sec);
  std::sort(t.rows.begin(), t.rows.end());
  return t.rows;
}

nlohmann::json meta_of(const fs::path& d) { return nlohmann::json::parse(slurp(d / "meta.json")); }

// A small sweep, once as TOML and once as flags.
const char* kSmallToml = R"(title = "small"
a_format = ["fp16", "bf16"]
acc_format = "fp32"
dist = ["uniform01", "normal"]
M = 3
N = 2
K = [8, 40]
seed = 5
repeats = 2
)";
const std::vector<std::string> kSmallFlags = {"--a-format", "fp16,bf16", "--acc-format", "fp32", "--dist",
                                              "uniform01,normal", "--M", "3", "--N", "2", "--K", "8,40",
                                              "--seed", "5", "--repeats", "2", "--title", "small"};

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("a sweep from TOML and the same from flags give identical rows", "[cli][sweep]") {
  auto cfg = scratch_root() / "small.toml";
  std::ofstream(cfg) << kSmallToml;
  auto a = run({"sweep", cfg.string(), "-o", dir("toml").string(), "--threads", "2"});
  INFO(a.err);
  REQUIRE(a.rc == 0);
  auto b = run(concat({"sweep", "-o", dir("flags").string(), "--threads", "1", "--quiet"}, kSmallFlags));
  INFO(b.err);
  REQUIRE(b.rc == 0);
  CHECK(rows_of(dir("toml")) == rows_of(dir("flags")));
  CHECK(meta_of(dir("toml"))["fingerprint"] == meta_of(dir("flags"))["fingerprint"]);
  // --set and kebab/snake names reach the same keys.
  auto c = run({"sweep", "-o", dir("set").string(), "--quiet", "--set", "a_format=fp16,bf16", "--set",
                "acc-format=fp32", "--set", "dist=uniform01,normal", "--M", "3", "--N", "2", "--K", "8,40",
                "--seed", "5", "--repeats", "2"});
  INFO(c.err);
  REQUIRE(c.rc == 0);
  CHECK(rows_of(dir("set")) == rows_of(dir("toml")));
}

TEST_CASE("results.csv has the documented columns and one row per point and repeat", "[cli][sweep]") {
  auto d = dir("columns");
  auto o = run(concat({"sweep", "-o", d.string(), "--quiet"}, kSmallFlags));
  INFO(o.err);
  REQUIRE(o.rc == 0);
  auto t = read_csv_file(d / "results.csv");
  for (const char* c : {"model", "backend", "scheme", "a_format", "b_format", "acc_format", "rounding", "order",
                        "dist", "M", "N", "K", "seed", "repeat", "max_rel_err", "median_rel_err", "p99_rel_err",
                        "normwise_rel_err", "max_err_over_absprod", "max_ulp_err", "bound_det", "bound_prob",
                        "underflow_frac", "overflow_frac", "nan_count", "seconds"})
    CHECK(std::find(t.header.begin(), t.header.end(), c) != t.header.end());
  REQUIRE(t.rows.size() == 2 * 2 * 2 * 2);  // a_format x dist x K x repeats
  auto col = [&](const char* c) {
    return static_cast<std::size_t>(std::find(t.header.begin(), t.header.end(), c) - t.header.begin());
  };
  std::set<std::string> combos;
  for (const auto& r : t.rows) {
    CHECK((r[col("a_format")] == "fp16" || r[col("a_format")] == "bf16"));
    CHECK(r[col("b_format")] == r[col("a_format")]);
    CHECK((r[col("K")] == "8" || r[col("K")] == "40"));
    CHECK(r[col("M")] == "3");
    // Every metric parses as a number; errors are finite and non-negative for finite inputs.
    for (const char* m : {"max_rel_err", "median_rel_err", "normwise_rel_err", "max_err_over_absprod", "bound_det"}) {
      double v = std::strtod(r[col(m)].c_str(), nullptr);
      CHECK(v >= 0);
    }
    CHECK(std::strtod(r[col("median_rel_err")].c_str(), nullptr) <=
          std::strtod(r[col("max_rel_err")].c_str(), nullptr));
    CHECK(r[col("nan_count")] == "0");
    combos.insert(r[col("a_format")] + r[col("dist")] + r[col("K")] + r[col("repeat")]);
  }
  CHECK(combos.size() == 16);
  auto m = meta_of(d);
  CHECK(m["complete"] == true);
  CHECK(m["rows"] == 16);
  for (const char* k : {"fingerprint", "config", "environment", "started", "finished", "command"}) CHECK(m.contains(k));
  for (const char* k : {"floatscope_version", "git_revision", "compiler", "mpfr_version", "gmp_version", "host"})
    CHECK(m["environment"].contains(k));
  CHECK(m["config"]["base"]["K"] == nlohmann::json({"8", "40"}));
}

namespace {

// Enough points of some tens of milliseconds each, on one thread, so that a signal lands in the middle.
const std::vector<std::string> kSlowGrid = {"--a-format", "fp16,bf16,e4m3", "--acc-format", "fp32,fp16",
                                            "--K", "1024,4096,8192", "--M", "24", "--N", "24", "--repeats", "4",
                                            "--threads", "1", "--quiet"};

const std::vector<std::vector<std::string>>& uninterrupted_rows() {
  static const auto rows = [] {
    auto ref = run(concat({"sweep", "-o", dir("uninterrupted").string()}, kSlowGrid));
    INFO(ref.err);
    REQUIRE(ref.rc == 0);
    return rows_of(dir("uninterrupted"));
  }();
  return rows;
}

// Starts the slow sweep into d and sends `sig` once a quarter of its rows are on disk.
int interrupt_slow_sweep(const fs::path& d, int sig) {
  const std::size_t total = uninterrupted_rows().size();
  pid_t pid = spawn(concat({"sweep", "-o", d.string()}, kSlowGrid), scratch_root() / "k.out", scratch_root() / "k.err");
  auto t0 = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(50)) {
    if (fs::exists(d / "results.csv")) {
      auto text = slurp(d / "results.csv");
      if (static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) >= 1 + total / 4) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, sig);
  return wait_exit(pid);
}

}  // namespace

TEST_CASE("a sweep killed half-way and run again gives exactly the rows of an uninterrupted run", "[cli][sweep]") {
  const auto& want = uninterrupted_rows();
  REQUIRE(want.size() == 72);
  auto d = dir("killed");
  CHECK(interrupt_slow_sweep(d, SIGKILL) == 128 + SIGKILL);
  auto partial = read_csv_file(d / "results.csv");
  INFO("rows when killed: " << partial.rows.size());
  REQUIRE(partial.rows.size() < want.size());  // the kill did land half-way
  CHECK(meta_of(d)["complete"] == false);

  auto again = run(concat({"sweep", "-o", d.string()}, kSlowGrid));
  INFO(again.err);
  REQUIRE(again.rc == 0);
  CHECK(rows_of(d) == want);
  CHECK(meta_of(d)["complete"] == true);
  // And once more: nothing to do, nothing changes.
  REQUIRE(run(concat({"sweep", "-o", d.string()}, kSlowGrid)).rc == 0);
  CHECK(rows_of(d) == want);
}

TEST_CASE("Ctrl-C stops a sweep with exit code 130, its rows durable, and it resumes", "[cli][sweep]") {
  const auto& want = uninterrupted_rows();
  auto d = dir("sigint");
  CHECK(interrupt_slow_sweep(d, SIGINT) == 130);
  auto partial = read_csv_file(d / "results.csv");
  REQUIRE(partial.rows.size() < want.size());
  CHECK_FALSE(partial.torn_tail);  // in-flight points finished cleanly
  auto m = meta_of(d);
  CHECK(m["status"] == "interrupted");
  CHECK(m["complete"] == false);
  CHECK(m["rows"] == partial.rows.size());
  auto again = run(concat({"sweep", "-o", d.string()}, kSlowGrid));
  REQUIRE(again.rc == 0);
  CHECK(rows_of(d) == want);
}

TEST_CASE("shards merged equal the unsharded run; merge refuses mixed sweeps and duplicates", "[cli][sweep]") {
  auto all = run(concat({"sweep", "-o", dir("unsharded").string(), "--quiet"}, kSmallFlags));
  REQUIRE(all.rc == 0);
  std::vector<std::string> merge_args = {"merge"};
  for (int i = 1; i <= 3; ++i) {
    auto d = dir("shard" + std::to_string(i));
    auto o = run(concat({"sweep", "-o", d.string(), "--quiet", "--shard", std::to_string(i) + "/3"}, kSmallFlags));
    INFO(o.err);
    REQUIRE(o.rc == 0);
    CHECK(meta_of(d)["shard"] == std::to_string(i) + "/3");
    merge_args.push_back(d.string());
  }
  auto m = run(concat(merge_args, {"-o", dir("merged").string(), "--quiet"}));
  INFO(m.err);
  REQUIRE(m.rc == 0);
  CHECK(rows_of(dir("merged")) == rows_of(dir("unsharded")));
  CHECK(meta_of(dir("merged"))["complete"] == true);
  CHECK(meta_of(dir("merged"))["fingerprint"] == meta_of(dir("unsharded"))["fingerprint"]);

  // Two shards only: merged but marked incomplete.
  auto part = run({"merge", dir("shard1").string(), dir("shard2").string(), "-o", dir("merged12").string(), "--quiet"});
  REQUIRE(part.rc == 0);
  CHECK(meta_of(dir("merged12"))["complete"] == false);

  auto dup = run({"merge", dir("shard1").string(), dir("shard1").string(), "-o", dir("merged_dup").string()});
  CHECK(dup.rc == 2);
  CHECK_THAT(dup.err, Catch::Contains("both"));

  auto other = run({"sweep", "-o", dir("other").string(), "--quiet", "--K", "8", "--M", "2", "--N", "2"});
  REQUIRE(other.rc == 0);
  auto mixed = run({"merge", dir("shard1").string(), dir("other").string(), "-o", dir("merged_mixed").string()});
  CHECK(mixed.rc == 2);
  CHECK_THAT(mixed.err, Catch::Contains("another sweep"));
  CHECK_FALSE(fs::exists(dir("merged_mixed") / "results.csv"));
}

TEST_CASE("bad configs fail with exit code 2, a message naming the problem, and no results.csv", "[cli][sweep]") {
  struct Case {
    std::string toml;
    std::vector<std::string> flags;
    std::vector<std::string> expect;
  };
  const std::vector<Case> cases = {
      {"K = 64\ncolour = \"red\"\n", {}, {"unknown key 'colour'", ":2"}},
      {"M = 4\nK = \"sixty\"\n", {}, {"'K'", "got string", ":2"}},
      {"K = [64, -8]\n", {}, {"'K'", "-8"}},
      {"model = \"h100-fp9\"\nK = 16\nM = 2\nN = 2\n", {}, {"h100-fp9"}},
      {"dist = []\n", {}, {"'dist'", "empty"}},
      {"K = [16\n", {}, {"syntax"}},
      {"", {"--K", "-5"}, {"'K'", "-5"}},
      {"", {"--model", "h100-fp8,no-such-model", "--a-format", "e4m3", "--K", "16", "--M", "2", "--N", "2"},
       {"no-such-model"}},
      {"", {"--set", "bogus=1"}, {"unknown key 'bogus'"}},
      {"", {"--K", "16", "--shard", "4/3"}, {"--shard"}},
      {"block_fma = \"32,99\"\n", {}, {"'block_fma'", "F = 99", ":1"}},
      {"", {"--block-fma", "16,25,32"}, {"block_fma", "pairs"}},
      {"", {"--block-fma", "16,25", "--model", "h100-fp16", "--a-format", "fp16", "--K", "16"},
       {"block_fma", "custom models only"}},
      {"", {"--backend", "tpu", "--K", "16"}, {"backend", "valid: cpu"}},
  };
  int i = 0;
  for (const auto& c : cases) {
    auto d = dir("bad" + std::to_string(++i));
    std::vector<std::string> args = {"sweep", "-o", d.string()};
    if (!c.toml.empty()) {
      auto cfg = scratch_root() / ("bad" + std::to_string(i) + ".toml");
      std::ofstream(cfg) << c.toml;
      args.push_back(cfg.string());
    }
    auto o = run(concat(args, c.flags));
    INFO("case " << i << ": " << o.err);
    CHECK(o.rc == 2);
    for (const auto& e : c.expect) CHECK_THAT(o.err, Catch::Contains(e));
    CHECK_FALSE(fs::exists(d / "results.csv"));
    CHECK_FALSE(fs::exists(d / "meta.json"));
  }
}

TEST_CASE("a directory holding another sweep is refused", "[cli][sweep]") {
  auto d = dir("occupied");
  REQUIRE(run({"sweep", "-o", d.string(), "--quiet", "--K", "8", "--M", "2", "--N", "2"}).rc == 0);
  const auto before = slurp(d / "results.csv");
  auto o = run({"sweep", "-o", d.string(), "--quiet", "--K", "16", "--M", "2", "--N", "2"});
  CHECK(o.rc == 2);
  CHECK_THAT(o.err, Catch::Contains("different sweep"));
  CHECK(slurp(d / "results.csv") == before);
}

TEST_CASE("the built-in default sweep is experiments/default/config.toml", "[cli][sweep]") {
  auto o = run({"sweep", "--print-default-config"});
  REQUIRE(o.rc == 0);
  CHECK(o.out == slurp(fs::path(FLOATSCOPE_SOURCE_DIR) / "experiments/default/config.toml"));
  // Every experiment config in the repository parses and names only known models/formats.
  for (const auto& e : fs::directory_iterator(fs::path(FLOATSCOPE_SOURCE_DIR) / "experiments")) {
    auto cfg = e.path() / "config.toml";
    if (!fs::exists(cfg)) continue;
    auto d = run({"sweep", cfg.string(), "--dry-run"});
    INFO(cfg << ": " << d.err);
    CHECK(d.rc == 0);
    CHECK_THAT(d.out, Catch::Contains("points in the grid"));
    CHECK(fs::exists(e.path() / "README.md"));
  }
}

TEST_CASE("sweep key block_fma: L,F pairs from flags and TOML, empty = scalar accumulator", "[cli][sweep]") {
  auto cfg = scratch_root() / "block_fma.toml";
  std::ofstream(cfg) << "a_format = \"fp16\"\nrounding = \"rtz\"\nblock_fma = [\"16,25\", \"\", \"4,23\"]\n"
                        "M = 2\nN = 2\nK = 40\n";
  auto a = run({"sweep", cfg.string(), "-o", dir("bfma_toml").string(), "--quiet"});
  INFO(a.err);
  REQUIRE(a.rc == 0);
  auto b = run({"sweep", "-o", dir("bfma_flags").string(), "--quiet", "--a-format", "fp16", "--rounding", "rtz",
                "--block-fma", "16,25,4,23", "--M", "2", "--N", "2", "--K", "40"});
  INFO(b.err);
  REQUIRE(b.rc == 0);
  auto t = read_csv_file(dir("bfma_toml") / "results.csv");
  const auto col = static_cast<std::size_t>(std::find(t.header.begin(), t.header.end(), "block_fma") - t.header.begin());
  const auto acc = static_cast<std::size_t>(std::find(t.header.begin(), t.header.end(), "accumulator") - t.header.begin());
  REQUIRE(col < t.header.size());
  std::set<std::string> seen;
  for (const auto& r : t.rows) {
    seen.insert(r[col]);
    const bool fused = r[acc].find("fused(L=") != std::string::npos;
    CHECK(fused == !r[col].empty());
  }
  CHECK(seen == std::set<std::string>{"16,25", "", "4,23"});
  // The flag rows are the TOML rows without the scalar one.
  auto fa = rows_of(dir("bfma_toml")), fb = rows_of(dir("bfma_flags"));
  fa.erase(std::remove_if(fa.begin(), fa.end(), [&](const auto& r) { return r[col].empty(); }), fa.end());
  CHECK(fa == fb);
}
