// fit(): branch-and-bound over the candidates of fit_space.cpp with probe cases first (fit.hpp).
#include <omp.h>

#include <algorithm>
#include <array>
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
constexpr std::size_t kRefineKeep = 64;    // imperfect models refined over the special-value rules

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
// traces (when given, one per candidate): for each completed candidate whose unit has NVIDIA's
// special-value rules, one byte per case: the RuleTrigger bits its steps met, | kWrong when it
// missed the case (refine_specials reads them instead of running the case again).
constexpr std::uint8_t kWrong = 0x80;

std::vector<std::size_t> search_stage(const DotCases& data, const std::vector<FitModel>& cands,
                                      const std::vector<std::size_t>& which, const std::vector<std::size_t>& cases,
                                      std::size_t keep, int nt, Probes& probes, std::size_t& evaluations,
                                      std::vector<std::vector<std::uint8_t>>* traces = nullptr) {
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
    std::vector<std::uint8_t> trace;
    std::size_t evals = 0;
#pragma omp for schedule(dynamic, 4)
    for (std::size_t w = 0; w < which.size(); ++w) {
      if (failed.load()) continue;
      const std::size_t ci = which[w];
      try {
        const detail::DotEngine engine(cands[ci].acc);
        const bool traced = traces && cands[ci].acc.fused && cands[ci].acc.fused->specials.is_default();
        if (traced) trace.assign(n, 0);
        ++stamp;
        std::size_t wrong = 0;
        bool rejected = false;
        auto run = [&](std::size_t i) {
          seen[i] = stamp;
          ++evals;
          const double* a = &data.a[i * K];
          const double* b = &data.b[i * K];
          const double y = traced ? engine.run_traced(a, b, data.K, data.c[i], trace[i])
                                  : engine.run(a, b, data.K, data.c[i], nullptr, 0, 0);
          if (fit_same(y, data.d[i])) return;
          if (traced) trace[i] |= kWrong;
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
          if (traced) (*traces)[ci] = trace;
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

// A completed candidate and, for units with NVIDIA's rules, its trace over every case.
struct Found {
  FitModel model;
  std::vector<std::uint8_t> trace;
};

// Runs `cands` over the data (screening first when there are many cases) and returns the
// completed candidates with their exact counts, best first; adds to res's counters.
std::vector<Found> search_candidates(const DotCases& data, std::vector<FitModel> cands, std::size_t keep, int nt,
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
  std::vector<std::vector<std::uint8_t>> traces(cands.size());
  const auto mism = search_stage(data, cands, which, all_cases, keep, nt, probes, res.evaluations, &traces);
  std::vector<Found> models;
  for (std::size_t ci = 0; ci < cands.size(); ++ci) {
    if (mism[ci] == SIZE_MAX) continue;
    ++res.completed;
    Found f{std::move(cands[ci]), std::move(traces[ci])};
    f.model.cases = n;
    f.model.matched = n - mism[ci];
    models.push_back(std::move(f));
  }
  std::stable_sort(models.begin(), models.end(),
                   [](const Found& a, const Found& b) { return a.model.matched > b.model.matched; });
  return models;
}

// Appends `more` to `all`, best first, and keeps the candidates with one of the keep lowest
// mismatch counts (ties included).
void merge_best(std::vector<Found>& all, std::vector<Found> more, std::size_t keep) {
  all.insert(all.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  std::stable_sort(all.begin(), all.end(),
                   [](const Found& a, const Found& b) { return a.model.matched > b.model.matched; });
  if (all.size() > keep) {
    const std::size_t floor = all[keep - 1].model.matched;
    while (!all.empty() && all.back().model.matched < floor) all.pop_back();
  }
}

// Index of a rule set in the 2 x 2 x 3 x 2 grid of UnitSpecials.
std::size_t rule_index(const UnitSpecials& r) {
  return ((static_cast<std::size_t>(r.flush_inputs) * 2 + r.flush_results) * 3 + static_cast<std::size_t>(r.overflow)) *
             2 + static_cast<std::size_t>(r.zero_sign);
}

// The RuleTrigger bits under which a rule set can differ from NVIDIA's.
std::uint8_t changed_triggers(const UnitSpecials& r) {
  std::uint8_t t = 0;
  if (r.flush_inputs) t |= detail::kTriggerSubnormalInput;
  if (r.flush_results) t |= detail::kTriggerSubnormalResult;
  if (r.overflow != UnitOverflow::exact_sum) t |= detail::kTriggerOverflow;
  if (r.zero_sign != ZeroSign::positive) t |= detail::kTriggerZero;
  return t;
}

// The findings of one rule: the options of `best` with this rule changed that keep the best count.
template <class Opt, class Set>
RuleFinding finding(const char* rule, const UnitSpecials& best, const std::vector<std::size_t>& count,
                    std::initializer_list<std::pair<Opt, const char*>> options, Set set, std::size_t cases) {
  RuleFinding f{rule, {}, cases};
  const std::size_t want = count[rule_index(best)];
  for (bool own : {true, false})
    for (const auto& [value, name] : options) {
      UnitSpecials r = best;
      set(r, value);
      if ((r == best) == own && count[rule_index(r)] == want) f.options.push_back(name);
    }
  return f;
}

// The input side of the traces: kTriggerSubnormalInput for each case holding a subnormal A or B
// element (every element is in some step of every unit, so it is the same for all candidates).
std::vector<std::uint8_t> input_triggers(const DotCases& data, const FitSpace& space) {
  const std::size_t K = static_cast<std::size_t>(data.K);
  const double a_min = std::ldexp(1.0, space.a_format.emin), b_min = std::ldexp(1.0, space.b_format.emin);
  auto subnormal = [](double x, double min_normal) { return x != 0 && std::fabs(x) < min_normal; };
  std::vector<std::uint8_t> t(data.size(), 0);
  for (std::size_t i = 0; i < data.size(); ++i)
    for (std::size_t k = 0; k < K && !t[i]; ++k)
      if (subnormal(data.a[i * K + k], a_min) || subnormal(data.b[i * K + k], b_min))
        t[i] = detail::kTriggerSubnormalInput;
  return t;
}

// Refines one block-FMA model over every special-value rule set (fit.hpp SpecialsSearch): the
// unit with NVIDIA's rules runs every case once (or its trace from the search is used), recording
// the rules each case met; each other rule set runs only on the cases where one of its changed
// rules met a step, and keeps NVIDIA's result everywhere else. The model takes the best set
// (NVIDIA's on a tie, else the one changing fewest rules) and its findings per rule.
void refine_specials(const DotCases& data, const std::vector<std::uint8_t>& inputs, Found& f,
                     std::size_t& evaluations) {
  FitModel& m = f.model;
  if (!m.acc.fused) return;
  const std::size_t n = data.size(), K = static_cast<std::size_t>(data.K);
  Accumulator base = m.acc;
  base.fused->specials = UnitSpecials{};
  if (f.trace.size() != n) {  // a trace is always of the unit under NVIDIA's rules
    const detail::DotEngine engine(base);
    f.trace.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i)
      if (!fit_same(engine.run_traced(&data.a[i * K], &data.b[i * K], data.K, data.c[i], f.trace[i]), data.d[i]))
        f.trace[i] |= kWrong;
    evaluations += n;
  }
  for (std::size_t i = 0; i < n; ++i) f.trace[i] |= inputs[i];
  std::size_t base_wrong = 0;
  std::array<std::size_t, 4> met{};  // cases per RuleTrigger bit
  for (std::uint8_t t : f.trace) {
    base_wrong += (t & kWrong) != 0;
    for (int bit = 0; bit < 4; ++bit) met[bit] += (t >> bit) & 1;
  }
  // count: mismatches of each rule set; SIZE_MAX once it is certain to be above the best so far
  // (its count so far, less the base's misses still ahead that it might fix, exceeds the best).
  std::vector<std::size_t> count(24, SIZE_MAX);
  UnitSpecials best{};
  count[rule_index(best)] = base_wrong;
  for (const UnitSpecials& r : special_rule_sets()) {  // NVIDIA's first, then fewest changes first
    const std::uint8_t changed = changed_triggers(r);
    if (changed == 0) continue;
    Accumulator v = base;
    v.fused->specials = r;
    const detail::DotEngine engine(v);
    std::size_t fixable = 0;  // base misses among the cases this set runs
    for (std::uint8_t t : f.trace) fixable += (t & changed) && (t & kWrong);
    std::size_t wrong = base_wrong;
    bool worse = false;
    for (std::size_t i = 0; i < n && !worse; ++i) {
      if (!(f.trace[i] & changed)) continue;
      if (f.trace[i] & kWrong) {
        --wrong;
        --fixable;
      }
      wrong += !fit_same(engine.run(&data.a[i * K], &data.b[i * K], data.K, data.c[i], nullptr, 0, 0), data.d[i]);
      ++evaluations;
      worse = wrong - fixable > count[rule_index(best)];
    }
    if (worse) continue;
    count[rule_index(r)] = wrong;
    if (wrong < count[rule_index(best)]) best = r;
  }
  m.acc.fused->specials = best;
  m.matched = n - count[rule_index(best)];
  m.label = fit_label(m.acc, data.K);
  m.rules = {
      finding("subnormal inputs", best, count, {std::pair{false, "keep"}, std::pair{true, "flush"}},
              [](UnitSpecials& r, bool v) { r.flush_inputs = v; }, met[0]),
      finding("subnormal results", best, count, {std::pair{false, "keep"}, std::pair{true, "flush"}},
              [](UnitSpecials& r, bool v) { r.flush_results = v; }, met[1]),
      finding("overflow", best, count,
              {std::pair{UnitOverflow::exact_sum, "exact-sum"}, std::pair{UnitOverflow::ieee, "ieee"},
               std::pair{UnitOverflow::saturate, "saturate"}},
              [](UnitSpecials& r, UnitOverflow v) { r.overflow = v; }, met[2]),
      finding("zero sign", best, count, {std::pair{ZeroSign::positive, "positive"}, std::pair{ZeroSign::ieee, "ieee"}},
              [](UnitSpecials& r, ZeroSign v) { r.zero_sign = v; }, met[3]),
  };
}

// The rule sets other than NVIDIA's that these data can tell from it: flushing inputs only when
// some input is subnormal, the other overflow rules only when some case's terms could sum to
// the largest output format's range (|c| + sum |a b|, doubled for the roundings of the steps).
std::vector<UnitSpecials> telling_rule_sets(const DotCases& data, const std::vector<std::uint8_t>& inputs,
                                            const std::vector<std::string>& out_formats) {
  const std::size_t K = static_cast<std::size_t>(data.K);
  const bool subnormal_input = std::any_of(inputs.begin(), inputs.end(), [](std::uint8_t t) { return t != 0; });
  double smallest_max = INFINITY;
  for (const auto& name : out_formats) smallest_max = std::min(smallest_max, parse_format(name).max_finite);
  bool can_overflow = false;
  for (std::size_t i = 0; i < data.size() && !can_overflow; ++i) {
    double s = std::fabs(data.c[i]);
    for (std::size_t k = 0; k < K; ++k) s += std::fabs(data.a[i * K + k] * data.b[i * K + k]);
    can_overflow = !(2 * s < smallest_max);  // NaN and Inf included
  }
  std::vector<UnitSpecials> sets;
  for (const UnitSpecials& r : special_rule_sets())
    if ((subnormal_input || !r.flush_inputs) && (can_overflow || r.overflow == UnitOverflow::exact_sum))
      sets.push_back(r);
  return sets;
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
  const std::vector<std::uint8_t> inputs = input_triggers(data, space);  // subnormal inputs per case
  if (space.specials != SpecialsSearch::standard) {
    // The units like known hardware (first in the list) also under the other rule sets the data
    // can tell apart, right after them: when those rules decide most cases (a flushing unit on
    // data full of subnormals), no unit with NVIDIA's rules matches anything and the search has
    // no bound until one of these completes.
    std::size_t likely = 0;
    while (likely < cands.size() && !same_hardware_model(cands[likely].acc, data.K).empty()) ++likely;
    const auto sets = telling_rule_sets(data, inputs, res.out_formats);
    const std::vector<FitModel> head(cands.begin(), cands.begin() + static_cast<std::ptrdiff_t>(likely));
    std::vector<FitModel> variants = special_variants(head, sets, data.K);
    cands.insert(cands.begin() + static_cast<std::ptrdiff_t>(likely), std::make_move_iterator(variants.begin()),
                 std::make_move_iterator(variants.end()));
  }
  res.space_size = cands.size();
  res.aligner_variants = space.aligners == AlignerSearch::all;
  const int nt = threads > 0 ? threads : omp_default_threads();
  Probes probes;
  std::vector<Found> found = search_candidates(data, std::move(cands), keep, nt, probes, res);
  auto full_matches = [&] {
    return std::count_if(found.begin(), found.end(), [&](const Found& f) { return f.model.matched == res.cases; });
  };
  auto refine_all = [&] {
    // Every full fit (cheap: a rule set stops at its first miss), and the kRefineKeep best of the
    // others (when nothing fits, every candidate may tie with no match at all).
    std::vector<std::size_t> which;
    std::size_t partial = 0;
    for (std::size_t i = 0; i < found.size(); ++i)
      if (found[i].model.matched == res.cases || partial++ < kRefineKeep) which.push_back(i);
    std::size_t evals = 0;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) reduction(+ : evals)
    for (std::size_t w = 0; w < which.size(); ++w) refine_specials(data, inputs, found[which[w]], evals);
    res.refine_evaluations += evals;
    // A unit found under other rules and the same unit refined to them are one model.
    std::vector<Found> unique;
    for (Found& f : found)
      if (std::none_of(unique.begin(), unique.end(), [&](const Found& u) { return u.model.label == f.model.label; }))
        unique.push_back(std::move(f));
    found = std::move(unique);
    merge_best(found, {}, keep);
  };
  const bool refine = space.specials != SpecialsSearch::standard;
  if (refine) refine_all();
  if (space.aligners == AlignerSearch::when_needed && full_matches() == 0) {
    // No standard unit reproduces the data: the aligner variants of every unit, then the best of both.
    std::vector<FitModel> variants = aligner_variants(fit_candidates(data, space), data.K);
    res.space_size += variants.size();
    res.aligner_variants = true;
    merge_best(found, search_candidates(data, std::move(variants), keep, nt, probes, res), keep);
    if (refine) refine_all();
  }
  if (space.specials == SpecialsSearch::all || (space.specials == SpecialsSearch::when_needed && full_matches() == 0)) {
    // No unit reproduces the data under NVIDIA's rules or a refinement of them: every unit under
    // every rule set the data can tell apart.
    const auto sets = telling_rule_sets(data, inputs, res.out_formats);
    if (sets.size() > 1) {
      std::vector<FitModel> variants = special_variants(fit_candidates(data, space), sets, data.K);
      res.space_size += variants.size();
      res.special_variants = true;
      merge_best(found, search_candidates(data, std::move(variants), keep, nt, probes, res), keep);
      refine_all();
    }
  }
  for (Found& f : found) res.models.push_back(std::move(f.model));
  res.probes = probes.snapshot();
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace floatscope
