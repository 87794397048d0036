// Scheduling sweep points by their estimated cost: the order in which a dynamic scheduler hands
// points out (largest first), the cost-based split of `--shard i/n`, and the bookkeeping of which
// worker holds which point. Pure functions and one small class, no MPI: the MPI sweep
// (tools/sweep_mpi.cpp) and the shard selection of `floatscope sweep` call these, and the unit
// tests check them without a launcher.
//
// Points of one sweep differ in cost by 1000x or more (K from 16 to 65536), so splitting them by
// count gives shards of very different run time, and handing the largest points out last leaves
// every worker but one idle at the end. Both use estimate_cost().
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "floatscope/experiment.hpp"
#include "floatscope/sweep.hpp"

namespace floatscope::sweep {

// Estimated run time of one point in arbitrary units (about one vectorised emulated
// multiply-accumulate each): M*N*K times a factor for the accumulation path (the vectorised
// kernels versus the per-output evaluator), times the runs (1 + permutations), plus the reference
// and a fixed cost per point. Only ratios matter; the factors are measured by
// bench/cost_factors.sh (docs/cluster.md). Never throws: a spec it cannot classify gets the
// factor of the slowest path.
double estimate_cost(const ExperimentSpec& spec);

// 0..costs.size()-1, largest cost first; equal costs stay in their input order (deterministic).
std::vector<std::size_t> largest_first(const std::vector<double>& costs);

// Splits points into `count` shards of similar total cost: points in largest_first order each go
// to the shard with the smallest total so far (the lowest shard number on a tie), the greedy
// "longest processing time" rule, whose largest shard is at most the mean plus one point's cost
// (Graham 1969). Returns the shard (0-based) of each point. Every shard process computes the same
// split from the same grid, so shards need no coordination. Throws std::invalid_argument when
// count < 1.
std::vector<int> split_by_cost(const std::vector<double>& costs, int count);
// The count-based split (point index mod count), the rule of `--shard` before cost estimates;
// kept to compare imbalances (bench/mpi_scaling.sh, docs/cluster.md).
std::vector<int> split_by_count(std::size_t points, int count);

// Total cost of each shard, and the imbalance max/mean of those totals (1 = perfectly even; the
// time of a job array is its largest shard, so this is how much longer than an even split it takes).
std::vector<double> shard_loads(const std::vector<double>& costs, const std::vector<int>& shard_of, int count);
double imbalance(const std::vector<double>& loads);

// The points of `shard` under the cost-based split of the whole grid (`points`, every point, in
// grid order).
std::vector<Point> select_shard_by_cost(const std::vector<Point>& points, const Shard& shard);

// The queue of a dynamic scheduler: points (by any integer key, e.g. a position in the point
// list) handed out largest first to whichever worker asks, with a record of what each worker
// holds so that a failed worker's points can be named. Not thread-safe (one scheduler owns it).
class WorkQueue {
 public:
  // `order`: the keys to run, in the order to hand them out (largest_first()).
  explicit WorkQueue(std::vector<std::size_t> order);
  // The next key for `worker`, now held by it; nullopt when none is left.
  std::optional<std::size_t> take(int worker);
  // `worker` finished `key`. Throws std::logic_error when it did not hold it (a protocol error:
  // a duplicated or forged result must never reach results.csv).
  void finish(int worker, std::size_t key);
  std::vector<std::size_t> held_by(int worker) const;  // in the order taken
  std::set<int> busy_workers() const;                  // workers holding at least one key
  std::size_t waiting() const { return order_.size() - next_; }
  std::size_t in_flight() const { return held_count_; }
  bool drained() const { return waiting() == 0 && held_count_ == 0; }

 private:
  std::vector<std::size_t> order_;
  std::size_t next_ = 0, held_count_ = 0;
  std::map<int, std::vector<std::size_t>> held_;
};

}  // namespace floatscope::sweep
