// Scheduling by estimated cost (sweep_schedule.hpp), without MPI. Splits are checked against hand-worked examples, a brute-force optimum and Graham's bound
// for the greedy rule, not against a second copy of the rule.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>
#include <string>

#include "floatscope/sweep.hpp"
#include "floatscope/sweep_schedule.hpp"

using namespace floatscope;
using namespace floatscope::sweep;

namespace {

ExperimentSpec spec(int M, int N, int K) {
  ExperimentSpec s;
  s.M = M;
  s.N = N;
  s.K = K;
  return s;
}

// The smallest possible largest shard, by trying every assignment (small inputs only).
double optimal_makespan(const std::vector<double>& costs, int shards) {
  std::vector<int> at(costs.size(), 0);
  double best = INFINITY;
  while (true) {
    std::vector<double> load(static_cast<std::size_t>(shards), 0.0);
    for (std::size_t i = 0; i < costs.size(); ++i) load[static_cast<std::size_t>(at[i])] += costs[i];
    best = std::min(best, *std::max_element(load.begin(), load.end()));
    std::size_t i = 0;
    while (i < at.size() && ++at[i] == shards) at[i++] = 0;
    if (i == at.size()) return best;
  }
}

}  // namespace

TEST_CASE("cost estimate: grows with M*N*K, permutations and slower paths", "[sweep][schedule]") {
  // Doubling any dimension of a large point about doubles its cost (the fixed part is small).
  const double base = estimate_cost(spec(64, 64, 4096));
  for (const auto& twice : {spec(128, 64, 4096), spec(64, 128, 4096), spec(64, 64, 8192)})
    CHECK(estimate_cost(twice) / base == Approx(2.0).epsilon(0.01));
  // K = 16 against K = 65536 on 64x64: the range the issue names; cost differs by > 1000x.
  CHECK(estimate_cost(spec(64, 64, 65536)) / estimate_cost(spec(64, 64, 16)) > 1000);
  // A point never costs nothing (even an empty one has its row to write).
  CHECK(estimate_cost(spec(0, 0, 0)) > 0);

  auto with = [](auto change) {
    ExperimentSpec s = spec(64, 64, 4096);
    change(s);
    return estimate_cost(s);
  };
  const double plain = with([](ExperimentSpec&) {});
  CHECK(with([](ExperimentSpec& s) { s.reference = "none"; }) < plain);
  CHECK(with([](ExperimentSpec& s) { s.reference = "mpfr"; }) > plain);
  CHECK(with([](ExperimentSpec& s) { s.order = "pairwise"; }) > plain);
  CHECK(with([](ExperimentSpec& s) { s.compensation = "kahan"; }) > with([](ExperimentSpec& s) { s.order = "pairwise"; }));
  // Each permutation re-runs the emulation: 3 permutations = 4 runs of it.
  const double none_ref = with([](ExperimentSpec& s) { s.reference = "none"; });
  const double perm3 = with([](ExperimentSpec& s) {
    s.reference = "none";
    s.permutations = 3;
  });
  CHECK(perm3 / none_ref == Approx(4.0).epsilon(0.01));
}

TEST_CASE("largest_first: descending cost, ties in input order", "[sweep][schedule]") {
  CHECK(largest_first({3, 9, 1, 9, 3}) == std::vector<std::size_t>{1, 3, 0, 4, 2});
  CHECK(largest_first({}).empty());
}

TEST_CASE("split_by_cost: greedy largest-first onto the least loaded shard", "[sweep][schedule]") {
  // Worked by hand: 7 -> s0 (7), 5 -> s1 (5), 4 -> s1 (9), 3 -> s0 (10), 3 -> s1 (12), 2 -> s0 (12).
  const std::vector<double> costs = {3, 7, 2, 5, 3, 4};
  const auto shard_of = split_by_cost(costs, 2);
  CHECK(shard_of == std::vector<int>{0, 0, 0, 1, 1, 1});
  CHECK(shard_loads(costs, shard_of, 2) == std::vector<double>{12, 12});
  CHECK(imbalance({12, 12}) == 1.0);
  CHECK(imbalance({30, 10}) == 1.5);
  // More shards than points: the extra shards are empty, every point is somewhere.
  const auto many = split_by_cost({5, 1}, 4);
  CHECK(many == std::vector<int>{0, 1});
  CHECK_THROWS_AS(split_by_cost({1}, 0), std::invalid_argument);
  CHECK(split_by_count(5, 2) == std::vector<int>{0, 1, 0, 1, 0});
}

TEST_CASE("split_by_cost: within Graham's 4/3 bound of the optimum, and near even on wide cost ranges",
          "[sweep][schedule]") {
  std::mt19937_64 rng(20261201);
  std::uniform_real_distribution<double> log_cost(0.0, std::log(4096.0));  // costs 1 .. 4096
  for (int trial = 0; trial < 40; ++trial) {
    const int shards = 2 + trial % 3;
    std::vector<double> costs(8);
    for (auto& c : costs) c = std::round(std::exp(log_cost(rng)));
    const auto loads = shard_loads(costs, split_by_cost(costs, shards), shards);
    const double greedy = *std::max_element(loads.begin(), loads.end());
    const double best = optimal_makespan(costs, shards);
    INFO("trial " << trial);
    CHECK(greedy <= best * (4.0 / 3.0 - 1.0 / (3.0 * shards)) + 1e-9);
    CHECK(std::accumulate(loads.begin(), loads.end(), 0.0) == std::accumulate(costs.begin(), costs.end(), 0.0));
  }
  // Many points: every shard ends within one point's cost of the mean.
  std::vector<double> costs(2000);
  for (auto& c : costs) c = std::exp(log_cost(rng));
  const auto loads = shard_loads(costs, split_by_cost(costs, 16), 16);
  const double mean = std::accumulate(costs.begin(), costs.end(), 0.0) / 16;
  for (double l : loads) CHECK(l <= mean + *std::max_element(costs.begin(), costs.end()));
}

TEST_CASE("cost-based shards of a sweep over K partition it and balance what counting cannot", "[sweep][schedule]") {
  SweepConfig c;
  c.set("K", {"16", "256", "4096", "65536"});
  c.set("a_format", {"fp16", "bf16", "e4m3", "e5m2"});
  c.set("M", {"64"});
  c.set("N", {"64"});
  const auto all = expand(c);
  REQUIRE(all.size() == 16);
  std::vector<double> costs;
  for (const auto& p : all) costs.push_back(estimate_cost(p.spec));
  const int n = 4;
  std::multiset<std::string> seen;
  for (int i = 1; i <= n; ++i) {
    const auto part = select_shard_by_cost(all, Shard{i, n});
    // Each shard gets one point of each K (the four of a K cost the same).
    std::set<int> ks;
    for (const auto& p : part) {
      seen.insert(p.id);
      ks.insert(p.spec.K);
    }
    CHECK(ks == std::set<int>{16, 256, 4096, 65536});
  }
  CHECK(seen.size() == all.size());
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == all.size());
  // K varies fastest in the grid, so counting (index mod 4) puts all four K = 65536 points into
  // one shard: with costs ~ K (16x per step) that shard holds 4 * 65536 / (65536 + 4096 + 256 +
  // 16) = 3.75 times the mean.
  const double by_cost = imbalance(shard_loads(costs, split_by_cost(costs, n), n));
  const double by_count = imbalance(shard_loads(costs, split_by_count(costs.size(), n), n));
  INFO("imbalance by cost " << by_cost << ", by count " << by_count);
  CHECK(by_cost == Approx(1.0));
  CHECK(by_count == Approx(4.0 * 65536 / (65536 + 4096 + 256 + 16)).epsilon(0.01));
}

TEST_CASE("WorkQueue hands keys out in order and knows who holds what", "[sweep][schedule]") {
  WorkQueue q({4, 2, 7});
  CHECK(q.waiting() == 3);
  CHECK(q.take(1) == std::optional<std::size_t>(4));
  CHECK(q.take(2) == std::optional<std::size_t>(2));
  CHECK(q.take(1) == std::optional<std::size_t>(7));
  CHECK_FALSE(q.take(3).has_value());
  CHECK(q.held_by(1) == std::vector<std::size_t>{4, 7});
  CHECK(q.busy_workers() == std::set<int>{1, 2});
  CHECK(q.in_flight() == 3);
  // A result from a worker that does not hold the key (a duplicate, a forgery) is refused.
  CHECK_THROWS_AS(q.finish(2, 4), std::logic_error);
  q.finish(1, 4);
  CHECK_THROWS_AS(q.finish(1, 4), std::logic_error);
  q.finish(2, 2);
  CHECK(q.busy_workers() == std::set<int>{1});
  CHECK_FALSE(q.drained());
  q.finish(1, 7);
  CHECK(q.drained());
  CHECK(q.held_by(1).empty());
}
