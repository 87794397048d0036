// Cost estimates, largest-first order, cost-based shards and the dynamic scheduler's queue.
#include "floatscope/sweep_schedule.hpp"

#include <algorithm>
#include <numeric>
#include <queue>
#include <stdexcept>
#include <string>

namespace floatscope::sweep {

namespace {

// Seconds per M*N*K relative to the vectorised sequential kernel, measured by
// bench/cost_factors.sh (one thread, 64x64 outputs, K = 8192; mpfr at K = 1024). Only ratios
// matter, and a factor off by 2x still splits a K range of 4096x far better than counting.
constexpr double kVectorised = 1.0;   // sequential scalar or fused models (simd/gemm_kernels.cpp)
constexpr double kEvaluator = 5.0;    // other orders, product formats: the per-output evaluator
constexpr double kCompensated = 20.0; // kahan / neumaier through the evaluator
constexpr double kExactRef = 1.0;     // the Kulisch reference
constexpr double kMpfrRef = 36.0;     // products + mpfr_sum
constexpr double kPerPoint = 2e5;     // inputs, metrics, the CSV row and its fsync

double emulation_factor(const ExperimentSpec& s) {
  if (s.compensation != "none" && !s.compensation.empty()) return kCompensated;
  const bool sequential = s.order.empty() || s.order == "sequential";
  if (!sequential || !s.product_format.empty()) return kEvaluator;
  return kVectorised;
}

double reference_factor(const ExperimentSpec& s) {
  if (s.reference == "none") return 0;
  if (s.reference == "mpfr") return kMpfrRef;
  return kExactRef;
}

}  // namespace

double estimate_cost(const ExperimentSpec& spec) {
  const double macs = static_cast<double>(std::max(spec.M, 0)) * static_cast<double>(std::max(spec.N, 0)) *
                      static_cast<double>(std::max(spec.K, 0));
  const double runs = 1.0 + std::max(spec.permutations, 0);
  return macs * (emulation_factor(spec) * runs + reference_factor(spec)) + kPerPoint;
}

std::vector<std::size_t> largest_first(const std::vector<double>& costs) {
  std::vector<std::size_t> order(costs.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return costs[a] > costs[b]; });
  return order;
}

std::vector<int> split_by_cost(const std::vector<double>& costs, int count) {
  if (count < 1) throw std::invalid_argument("split_by_cost: shard count must be at least 1");
  // Min-heap of (load, shard): the least loaded shard, lowest number first on equal loads.
  using Slot = std::pair<double, int>;
  std::priority_queue<Slot, std::vector<Slot>, std::greater<>> shards;
  for (int s = 0; s < count; ++s) shards.emplace(0.0, s);
  std::vector<int> shard_of(costs.size(), 0);
  for (std::size_t i : largest_first(costs)) {
    auto [load, s] = shards.top();
    shards.pop();
    shard_of[i] = s;
    shards.emplace(load + costs[i], s);
  }
  return shard_of;
}

std::vector<int> split_by_count(std::size_t points, int count) {
  if (count < 1) throw std::invalid_argument("split_by_count: shard count must be at least 1");
  std::vector<int> shard_of(points);
  for (std::size_t i = 0; i < points; ++i) shard_of[i] = static_cast<int>(i % static_cast<std::size_t>(count));
  return shard_of;
}

std::vector<double> shard_loads(const std::vector<double>& costs, const std::vector<int>& shard_of, int count) {
  if (shard_of.size() != costs.size()) throw std::invalid_argument("shard_loads: one shard per point expected");
  std::vector<double> loads(static_cast<std::size_t>(std::max(count, 0)), 0.0);
  for (std::size_t i = 0; i < costs.size(); ++i) loads.at(static_cast<std::size_t>(shard_of[i])) += costs[i];
  return loads;
}

double imbalance(const std::vector<double>& loads) {
  if (loads.empty()) return 1.0;
  const double total = std::accumulate(loads.begin(), loads.end(), 0.0);
  if (total <= 0) return 1.0;
  return *std::max_element(loads.begin(), loads.end()) / (total / static_cast<double>(loads.size()));
}

std::vector<Point> select_shard_by_cost(const std::vector<Point>& points, const Shard& shard) {
  std::vector<double> costs;
  costs.reserve(points.size());
  for (const auto& p : points) costs.push_back(estimate_cost(p.spec));
  const auto shard_of = split_by_cost(costs, shard.count);
  std::vector<Point> out;
  for (std::size_t i = 0; i < points.size(); ++i)
    if (shard_of[i] == shard.index - 1) out.push_back(points[i]);
  return out;
}

WorkQueue::WorkQueue(std::vector<std::size_t> order) : order_(std::move(order)) {}

std::optional<std::size_t> WorkQueue::take(int worker) {
  if (next_ >= order_.size()) return std::nullopt;
  const std::size_t key = order_[next_++];
  held_[worker].push_back(key);
  ++held_count_;
  return key;
}

void WorkQueue::finish(int worker, std::size_t key) {
  auto it = held_.find(worker);
  auto pos = it == held_.end() ? std::vector<std::size_t>::iterator{} : std::find(it->second.begin(), it->second.end(), key);
  if (it == held_.end() || pos == it->second.end())
    throw std::logic_error("worker " + std::to_string(worker) + " returned point " + std::to_string(key) +
                           ", which it does not hold");
  it->second.erase(pos);
  if (it->second.empty()) held_.erase(it);
  --held_count_;
}

std::vector<std::size_t> WorkQueue::held_by(int worker) const {
  auto it = held_.find(worker);
  return it == held_.end() ? std::vector<std::size_t>{} : it->second;
}

std::set<int> WorkQueue::busy_workers() const {
  std::set<int> busy;
  for (const auto& [w, keys] : held_) busy.insert(w);
  return busy;
}

}  // namespace floatscope::sweep
