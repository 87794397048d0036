// fit(): branch-and-bound over the candidates of fit_space.cpp with probe cases first (fit.hpp).
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>

#include "accumulator_engine.hpp"
#include "floatscope/fit.hpp"
#include "floatscope/parallel.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope {
namespace {

constexpr std::size_t kMaxProbes = 64;
constexpr std::size_t kScreenCases = 256;  // data sets larger than this are screened first
constexpr std::size_t kScreenKeep = 64;    // imperfect candidates kept after screening

void check_data(const DotCases& d, const FitSpace& s) {
  const std::size_t n = d.size();
  if (d.K < 1) throw std::invalid_argument("fit: K = " + std::to_string(d.K) + " (need at least one product per case)");
  if (n == 0) throw std::invalid_argument("fit: no cases");
  const std::size_t K = static_cast<std::size_t>(d.K);
  if (d.a.size() != n * K || d.b.size() != n * K || d.c.size() != n)
    throw std::invalid_argument("fit: " + std::to_string(n) + " cases of K = " + std::to_string(K) + " need " +
                                std::to_string(n * K) + " a and b values and " + std::to_string(n) +
                                " c values; got " + std::to_string(d.a.size()) + ", " + std::to_string(d.b.size()) +
                                ", " + std::to_string(d.c.size()));
  if (s.F_min < 1 || s.F_max > 48 || s.F_min > s.F_max || s.L_max < 1 || s.L_max > 1024)
    throw std::invalid_argument("fit: the space needs 1 <= F_min <= F_max <= 48 and 1 <= L_max <= 1024");
  // The inputs the unit read: every value must lie on its format (otherwise no model applies).
  for (const auto& [v, f, what] : {std::tuple{&d.a, &s.a_format, "A"}, std::tuple{&d.b, &s.b_format, "B"}})
    for (std::size_t i = 0; i < v->size(); ++i) {
      const double x = (*v)[i];
      if (std::isfinite(x) && round(x, *f) != x)
        throw std::invalid_argument("fit: " + std::string(what) + " value " + std::to_string(x) + " (case " +
                                    std::to_string(i / K) + ", k = " + std::to_string(i % K) +
                                    ") is not a value of " + f->name + "; give the format the inputs are in");
    }
}

// The bound of the search: candidates with more mismatches than the keep-th lowest count among
// completed candidates cannot be in the result.
class Bound {
 public:
  Bound(std::size_t keep, std::size_t n) : keep_(keep), value_(n) {}
  std::size_t value() const { return value_.load(std::memory_order_relaxed); }
  void completed(std::size_t mismatches) {
    std::lock_guard<std::mutex> lock(m_);
    counts_.insert(std::upper_bound(counts_.begin(), counts_.end(), mismatches), mismatches);
    if (counts_.size() > keep_) counts_.resize(keep_);
    if (counts_.size() == keep_) value_.store(counts_.back(), std::memory_order_relaxed);
  }

 private:
  std::size_t keep_;
  std::atomic<std::size_t> value_;
  std::mutex m_;
  std::vector<std::size_t> counts_;  // the lowest completed counts, sorted, at most keep_
};

// Cases that rejected candidates, most recent rejector first (move to front): a new candidate
// meets the discriminating cases of this data set before the rest.
class Probes {
 public:
  std::vector<std::size_t> snapshot() {
    std::lock_guard<std::mutex> lock(m_);
    return list_;
  }
  void rejected_by(std::size_t i) {
    std::lock_guard<std::mutex> lock(m_);
    const auto it = std::find(list_.begin(), list_.end(), i);
    if (it != list_.end()) list_.erase(it);
    list_.insert(list_.begin(), i);
    if (list_.size() > kMaxProbes) list_.pop_back();
  }

 private:
  std::mutex m_;
  std::vector<std::size_t> list_;
};

}  // namespace

DotCases dot_cases_from_gemm(int M, int N, int K, const double* A, const double* B, const double* C,
                             const double* D, std::size_t max_cases) {
  if (M < 0 || N < 0 || K < 1) throw std::invalid_argument("dot_cases_from_gemm: bad sizes");
  const std::size_t total = static_cast<std::size_t>(M) * static_cast<std::size_t>(N);
  const std::size_t n = std::min(total, std::max<std::size_t>(max_cases, 1));
  DotCases d;
  d.K = K;
  const std::size_t k = static_cast<std::size_t>(K);
  d.a.resize(n * k);
  d.b.resize(n * k);
  d.c.resize(n);
  d.d.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    // Evenly spaced over the outputs (all of them when n == total).
    const std::size_t o = static_cast<std::size_t>(static_cast<unsigned __int128>(i) * total / n);
    const std::size_t row = o / static_cast<std::size_t>(N), col = o % static_cast<std::size_t>(N);
    for (std::size_t j = 0; j < k; ++j) {
      d.a[i * k + j] = A[row * k + j];
      d.b[i * k + j] = B[j * static_cast<std::size_t>(N) + col];
    }
    d.c[i] = C ? C[o] : 0.0;
    d.d[i] = D[o];
  }
  return d;
}

namespace {

// One branch-and-bound pass: every candidate in `which` runs on `cases` (probe cases first) until
// its mismatches exceed the keep-th lowest count of the candidates completed so far. Returns the
// mismatch count of each completed candidate (SIZE_MAX for the dropped ones).
std::vector<std::size_t> search_stage(const DotCases& data, const std::vector<FitModel>& cands,
                                      const std::vector<std::size_t>& which, const std::vector<std::size_t>& cases,
                                      std::size_t keep, int nt, Probes& probes, std::size_t& evaluations) {
  const std::size_t n = data.size(), K = static_cast<std::size_t>(data.K);
  std::vector<std::size_t> mism(cands.size(), SIZE_MAX);
  Bound bound(keep, cases.size());
  std::atomic<std::size_t> evals_all{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  std::atomic<bool> failed{false};
#pragma omp parallel num_threads(nt)
  {
    std::vector<std::uint32_t> seen(n, 0);  // stamp: case already run for this candidate
    std::uint32_t stamp = 0;
    std::size_t evals = 0;
#pragma omp for schedule(dynamic, 4)
    for (std::size_t w = 0; w < which.size(); ++w) {
      if (failed.load()) continue;
      const std::size_t ci = which[w];
      try {
        const detail::DotEngine engine(cands[ci].acc);
        ++stamp;
        std::size_t wrong = 0;
        bool rejected = false;
        auto run = [&](std::size_t i) {
          seen[i] = stamp;
          ++evals;
          const double y = engine.run(&data.a[i * K], &data.b[i * K], data.K, data.c[i], nullptr, 0, 0);
          if (fit_same(y, data.d[i])) return;
          if (++wrong > bound.value()) {
            rejected = true;
            probes.rejected_by(i);
          }
        };
        for (std::size_t i : probes.snapshot()) {
          if (rejected) break;
          run(i);
        }
        for (std::size_t j = 0; j < cases.size() && !rejected; ++j)
          if (seen[cases[j]] != stamp) run(cases[j]);
        if (!rejected) {
          mism[ci] = wrong;
          bound.completed(wrong);
        }
      } catch (...) {  // an exception must not leave the parallel region: rethrown below
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    }
    evals_all += evals;
  }
  if (error) std::rethrow_exception(error);
  evaluations += evals_all.load();
  // Every candidate with at most the final bound's mismatches completed (a rejection needs more
  // than the bound at that time, which never falls below the final one).
  const std::size_t limit = bound.value();
  for (auto& m : mism)
    if (m != SIZE_MAX && m > limit) m = SIZE_MAX;
  return mism;
}

}  // namespace

namespace {

// Runs `cands` over the data (screening first when there are many cases) and returns the
// completed candidates with their exact counts, best first; adds to res's counters.
std::vector<FitModel> search_candidates(const DotCases& data, std::vector<FitModel> cands, std::size_t keep, int nt,
                                        Probes& probes, FitResult& res) {
  const std::size_t n = data.size();
  std::vector<std::size_t> all_cases(n), which(cands.size());
  std::iota(all_cases.begin(), all_cases.end(), 0);
  std::iota(which.begin(), which.end(), 0);
  if (n > kScreenCases) {
    // Screening on evenly spaced cases. A model that reproduces every case reproduces these, so
    // every full match goes on; of the others only the best kScreenKeep (by screening count, then
    // space order) do, which bounds the cost when no model fits well.
    std::vector<std::size_t> sample(kScreenCases);
    for (std::size_t j = 0; j < kScreenCases; ++j) sample[j] = j * n / kScreenCases;
    const auto screened = search_stage(data, cands, which, sample, keep, nt, probes, res.evaluations);
    std::vector<std::size_t> perfect, others;
    for (std::size_t ci = 0; ci < cands.size(); ++ci) {
      if (screened[ci] == 0) perfect.push_back(ci);
      else if (screened[ci] != SIZE_MAX) others.push_back(ci);
    }
    std::stable_sort(others.begin(), others.end(),
                     [&](std::size_t x, std::size_t y) { return screened[x] < screened[y]; });
    if (others.size() > kScreenKeep) others.resize(kScreenKeep);
    which = perfect;
    which.insert(which.end(), others.begin(), others.end());
    std::sort(which.begin(), which.end());  // likely candidates first again
    res.screened = true;
  }
  const auto mism = search_stage(data, cands, which, all_cases, keep, nt, probes, res.evaluations);
  std::vector<FitModel> models;
  for (std::size_t ci = 0; ci < cands.size(); ++ci) {
    if (mism[ci] == SIZE_MAX) continue;
    ++res.completed;
    FitModel m = std::move(cands[ci]);
    m.cases = n;
    m.matched = n - mism[ci];
    models.push_back(std::move(m));
  }
  std::stable_sort(models.begin(), models.end(),
                   [](const FitModel& a, const FitModel& b) { return a.matched > b.matched; });
  return models;
}

}  // namespace

FitResult fit(const DotCases& data, const FitSpace& space, std::size_t keep, int threads) {
  const auto t0 = std::chrono::steady_clock::now();
  if (keep < 1) throw std::invalid_argument("fit: keep must be at least 1");
  check_threads(threads, "fit threads");
  check_data(data, space);
  FitResult res;
  res.cases = data.size();
  std::vector<FitModel> cands = fit_candidates(data, space, &res.out_formats);
  res.space_size = cands.size();
  res.aligner_variants = space.aligners == AlignerSearch::all;
  const int nt = threads > 0 ? threads : omp_default_threads();
  Probes probes;
  res.models = search_candidates(data, std::move(cands), keep, nt, probes, res);
  if (space.aligners == AlignerSearch::when_needed && res.full_matches() == 0) {
    // No standard unit reproduces the data: the aligner variants of every unit, then the best of both.
    std::vector<FitModel> variants = aligner_variants(fit_candidates(data, space), data.K);
    res.space_size += variants.size();
    res.aligner_variants = true;
    std::vector<FitModel> more = search_candidates(data, std::move(variants), keep, nt, probes, res);
    res.models.insert(res.models.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    std::stable_sort(res.models.begin(), res.models.end(),
                     [](const FitModel& a, const FitModel& b) { return a.matched > b.matched; });
    // Keep the candidates with one of the keep lowest mismatch counts of both searches (ties included).
    if (res.models.size() > keep) {
      const std::size_t floor = res.models[keep - 1].matched;
      while (!res.models.empty() && res.models.back().matched < floor) res.models.pop_back();
    }
  }
  res.probes = probes.snapshot();
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace floatscope
