// The sweep runner with an injected evaluator: thread-count independence, durable appends,
// resume after a crash (and after a torn last line), interruption, shards.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>
#include <unistd.h>

#include "floatscope/random.hpp"
#include "floatscope/sweep.hpp"

using namespace floatscope;
using namespace floatscope::sweep;
namespace fs = std::filesystem;

namespace {

// A pure function of the spec standing in for run_experiment.
ExperimentResult fake(const ExperimentSpec& s) {
  ExperimentResult r;
  CounterRng rng(s.seed, static_cast<std::uint64_t>(s.repeat) * 1000 + static_cast<std::uint64_t>(s.K));
  r.metrics.max_rel_err = rng.uniform(0) * s.K;
  r.metrics.median_rel_err = rng.uniform(1);
  r.metrics.nan_count = static_cast<std::uint64_t>(s.a_format.size());
  r.accumulator = "fake, \"quoted\" " + s.a_format;
  r.C = {rng.uniform(2), rng.uniform(3)};
  r.seconds = 1e-3 * rng.uniform(4);  // differs run to run in reality; excluded from comparisons
  return r;
}

SweepConfig config() {
  SweepConfig c;
  c.set("a_format", {"fp16", "bf16", "e4m3"});
  c.set("K", {"16", "32", "64", "128"});
  c.set("seed", {"3"});
  c.set("repeats", {"3"});
  return c;
}

fs::path scratch(const std::string& name) {
  // The pid keeps concurrent runs of this test (several build folders) apart.
  auto d = fs::temp_directory_path() / fmt::format("floatscope_test_sweep_runner_{}_{}", ::getpid(), name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Rows without the timing column, sorted by their parameters.
std::vector<std::vector<std::string>> rows_of(const fs::path& csv) {
  auto t = read_csv_file(csv);
  REQUIRE(t.header == csv_columns());
  const auto sec = csv_column("seconds");
  for (auto& r : t.rows) r.erase(r.begin() + static_cast<std::ptrdiff_t>(sec));
  std::sort(t.rows.begin(), t.rows.end());
  return t.rows;
}

}  // namespace

TEST_CASE("rows do not depend on the thread count and come back in grid order", "[sweep]") {
  const auto pts = expand(config());
  REQUIRE(pts.size() == 36);
  auto d = scratch("threads");
  RunOptions one, four;
  one.threads = 1;
  four.threads = 4;
  auto s1 = run_points(pts, d / "a.csv", fake, one);
  auto s4 = run_points(pts, d / "b.csv", fake, four);
  CHECK(s1.complete());
  CHECK(s4.complete());
  CHECK(s4.done == 36);
  CHECK(rows_of(d / "a.csv") == rows_of(d / "b.csv"));
  auto t = read_csv_file(d / "b.csv");
  for (std::size_t i = 0; i < pts.size(); ++i) CHECK(t.rows[i][csv_column("point_id")] == pts[i].id);
  // The row holds the evaluator's values: check one against the fake's formula.
  const auto& p = pts[7];
  auto r = fake(p.spec);
  CHECK(std::stod(t.rows[7][csv_column("max_rel_err")]) == r.metrics.max_rel_err);
  CHECK(t.rows[7][csv_column("accumulator")] == r.accumulator);
  CHECK(t.rows[7][csv_column("K")] == std::to_string(p.spec.K));
  fs::remove_all(d);
}

TEST_CASE("a crashed run resumes without duplicating or losing rows", "[sweep]") {
  const auto pts = expand(config());
  auto d = scratch("resume");
  RunOptions opt;
  opt.threads = 2;
  REQUIRE(run_points(pts, d / "ref.csv", fake, opt).complete());

  // First attempt: the evaluator fails after 10 points (a crash of the work, rows so far durable).
  std::atomic<int> calls{0};
  auto failing = [&](const ExperimentSpec& s) {
    if (++calls > 10) throw std::runtime_error("boom");
    return fake(s);
  };
  auto s1 = run_points(pts, d / "r.csv", failing, opt);
  CHECK_FALSE(s1.complete());
  CHECK_THAT(s1.error, Catch::Contains("boom") && Catch::Contains("point "));
  CHECK(s1.done >= 9);
  CHECK(s1.done <= 10);
  // A half-written row, as a SIGKILL in the middle of write() would leave.
  { std::ofstream(d / "r.csv", std::ios::app) << "fp16,fp16,rne,64,seq"; }

  std::atomic<int> second{0};
  auto counting = [&](const ExperimentSpec& s) {
    ++second;
    return fake(s);
  };
  auto s2 = run_points(pts, d / "r.csv", counting, opt);
  CHECK(s2.complete());
  CHECK(s2.skipped == s1.done);
  CHECK(second == static_cast<int>(36 - s1.done));
  CHECK(rows_of(d / "r.csv") == rows_of(d / "ref.csv"));

  // A third run finds everything done and evaluates nothing.
  second = 0;
  auto s3 = run_points(pts, d / "r.csv", counting, opt);
  CHECK(s3.complete());
  CHECK(second == 0);
  CHECK(rows_of(d / "r.csv") == rows_of(d / "ref.csv"));
  fs::remove_all(d);
}

TEST_CASE("a stop request finishes in-flight points and reports an interruption", "[sweep]") {
  const auto pts = expand(config());
  auto d = scratch("stop");
  std::atomic<bool> stop{false};
  std::atomic<int> calls{0};
  auto stopping = [&](const ExperimentSpec& s) {
    if (++calls == 5) stop = true;
    return fake(s);
  };
  RunOptions opt;
  opt.threads = 1;
  opt.stop = &stop;
  auto s = run_points(pts, d / "r.csv", stopping, opt);
  CHECK(s.interrupted);
  CHECK(s.done == 5);
  CHECK(read_csv_file(d / "r.csv").rows.size() == 5);
  fs::remove_all(d);
}

TEST_CASE("rows from another sweep are refused", "[sweep]") {
  auto d = scratch("foreign");
  RunOptions opt;
  opt.threads = 1;
  REQUIRE(run_points(expand(config()), d / "r.csv", fake, opt).complete());
  SweepConfig other = config();
  other.set("K", {"16", "32"});
  CHECK_THROWS_WITH(run_points(expand(other), d / "r.csv", fake, opt), Catch::Contains("not a point of this sweep"));
  fs::remove_all(d);
}

TEST_CASE("shards run separately give the rows of the whole sweep", "[sweep]") {
  const auto pts = expand(config());
  auto d = scratch("shards");
  RunOptions opt;
  opt.threads = 2;
  REQUIRE(run_points(pts, d / "all.csv", fake, opt).complete());
  std::vector<std::vector<std::string>> merged;
  for (int i = 1; i <= 3; ++i) {
    auto part = select_shard(pts, Shard{i, 3});
    auto f = d / fmt::format("s{}.csv", i);
    REQUIRE(run_points(part, f, fake, opt).complete());
    auto r = rows_of(f);
    CHECK(r.size() == 12);
    merged.insert(merged.end(), r.begin(), r.end());
  }
  std::sort(merged.begin(), merged.end());
  CHECK(merged == rows_of(d / "all.csv"));
  fs::remove_all(d);
}
