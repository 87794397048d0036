#include "floatscope/rounding.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "floatscope/codec.hpp"
#include "floatscope/names.hpp"
#include "floatscope/detail/round_kernel.hpp"
#include "floatscope/detail/round_simd.hpp"
#include "floatscope/parallel.hpp"
#include "floatscope/random.hpp"

namespace floatscope {
namespace {

struct ModeName {
  Mode mode;
  std::string_view name;
};
constexpr ModeName kModeNames[] = {
    {Mode::rne, "rne"}, {Mode::rna, "rna"}, {Mode::rtz, "rtz"}, {Mode::rup, "rup"},
    {Mode::rdn, "rdn"}, {Mode::rto, "rto"}, {Mode::sr, "sr"},   {Mode::sr_equal, "sr-equal"},
};
struct ModeAlias {
  std::string_view alias;
  Mode mode;
};
constexpr ModeAlias kModeAliases[] = {
    {"rn", Mode::rne},  {"nearest", Mode::rne}, {"nearest-even", Mode::rne},
    {"ties-away", Mode::rna}, {"nearest-away", Mode::rna}, {"rz", Mode::rtz},
    {"toward-zero", Mode::rtz}, {"ru", Mode::rup}, {"up", Mode::rup}, {"rd", Mode::rdn},
    {"down", Mode::rdn}, {"odd", Mode::rto}, {"stochastic", Mode::sr}, {"sr_equal", Mode::sr_equal},
};

RoundStats stats_of(std::uint64_t count, const detail::EventCounts& c) {
  RoundStats s;
  s.count = count;
  s.inexact = c.inexact;
  s.overflow = c.overflow;
  s.underflow = c.underflow;
  s.flushed = c.flushed;
  s.nan_unrepresentable = c.nan_unrepresentable;
  return s;
}

// Rounds [0, n) in blocks spread over OpenMP threads. Each block goes through round_range, whose
// SR bits depend only on the absolute index, so the result is the same for any thread count.
template <class T>
RoundStats run_array(const T* in, T* out, std::size_t n, const Format& f, const Rounding& r,
                     std::uint64_t first, int threads) {
  // Stream the output past the caches when the two arrays together are well beyond the last-level
  // cache (as memcpy does): saves reading each output line before overwriting it. In place, the
  // lines are in the cache already and streaming buys nothing.
  constexpr std::size_t kStreamBytes = std::size_t{64} << 20;
  const bool stream = static_cast<const void*>(in) != static_cast<const void*>(out) &&
                      2 * n * sizeof(T) >= kStreamBytes;
  const detail::RangeContext ctx{detail::make_round_params(f, r), detail::make_event_params(f),
                                 CounterRng(r.seed, r.stream), stream};
  // Large enough to amortise the per-block setup, small enough to balance two threads.
  constexpr std::size_t kBlock = 1 << 15;
  const long long nblocks = static_cast<long long>((n + kBlock - 1) / kBlock);
  const int nthreads = threads > 0 ? threads : omp_default_threads();
  // Separate scalars: OpenMP reductions take variables, not struct members.
  std::uint64_t inexact = 0, overflow = 0, underflow = 0, flushed = 0, nanu = 0;
  const SimdLevel level = simd_level();
#pragma omp parallel for schedule(static) if (nblocks > 1 && nthreads > 1) num_threads(nthreads) \
    reduction(+ : inexact, overflow, underflow, flushed, nanu)
  for (long long b = 0; b < nblocks; ++b) {
    const std::size_t lo = static_cast<std::size_t>(b) * kBlock;
    const std::size_t len = std::min(kBlock, n - lo);
    detail::EventCounts c;
    detail::round_range(level, r.mode, in + lo, out + lo, len, ctx, first + lo, c);
    inexact += c.inexact;
    overflow += c.overflow;
    underflow += c.underflow;
    flushed += c.flushed;
    nanu += c.nan_unrepresentable;
  }
  return stats_of(n, {inexact, overflow, underflow, flushed, nanu});
}

}  // namespace

std::string_view mode_name(Mode m) {
  for (const auto& e : kModeNames)
    if (e.mode == m) return e.name;
  return "?";
}

std::optional<Mode> find_mode(std::string_view name) {
  for (const auto& e : kModeNames)
    if (iequals(e.name, name)) return e.mode;
  for (const auto& a : kModeAliases)
    if (iequals(a.alias, name)) return a.mode;
  return std::nullopt;
}

std::string mode_names() {
  std::string s;
  for (const auto& e : kModeNames) s += (s.empty() ? "" : ", ") + std::string(e.name);
  return s;
}

Mode parse_mode(std::string_view name) {
  if (auto m = find_mode(name)) return *m;
  throw std::invalid_argument("unknown rounding mode '" + std::string(name) + "'; valid: " + mode_names());
}

bool is_stochastic(Mode m) { return m == Mode::sr || m == Mode::sr_equal; }

RoundStats& RoundStats::operator+=(const RoundStats& o) {
  count += o.count;
  inexact += o.inexact;
  overflow += o.overflow;
  underflow += o.underflow;
  flushed += o.flushed;
  nan_unrepresentable += o.nan_unrepresentable;
  return *this;
}

RoundStats classify(double in, double out, const Format& f) {
  detail::EventCounts c;
  detail::count_events(in, out, detail::make_event_params(f), c);
  return stats_of(1, c);
}

double round(double x, const Format& f, const Rounding& r, std::uint64_t index) {
  const detail::RoundParams p = detail::make_round_params(f, r);
  const std::uint64_t rnd = is_stochastic(r.mode) ? CounterRng(r.seed, r.stream).bits(index) : 0;
  return detail::with_mode(r.mode, [&](auto mode_c) {
    return detail::round_kernel<decltype(mode_c)::value>(x, p, rnd);
  });
}

RoundStats round_array(std::span<const double> in, std::span<double> out, const Format& f,
                       const Rounding& r, std::uint64_t first_index, int threads) {
  if (out.size() < in.size()) throw std::invalid_argument("round_array: output shorter than input");
  return run_array(in.data(), out.data(), in.size(), f, r, first_index, threads);
}

RoundStats round_array(std::span<const float> in, std::span<float> out, const Format& f,
                       const Rounding& r, std::uint64_t first_index, int threads) {
  if (out.size() < in.size()) throw std::invalid_argument("round_array: output shorter than input");
  if (!f.values_are_floats())
    throw std::invalid_argument("round_array(float): format '" + f.name +
                                "' has values that are not floats; use the double overload");
  return run_array(in.data(), out.data(), in.size(), f, r, first_index, threads);
}

RoundStats round_to_codes(std::span<const double> in, std::span<std::uint16_t> codes,
                          const Format& f, const Rounding& r, std::uint64_t first_index,
                          int threads) {
  if (f.width > 16) throw std::invalid_argument("round_to_codes: format '" + f.name + "' is wider than 16 bits");
  if (codes.size() < in.size()) throw std::invalid_argument("round_to_codes: output shorter than input");
  std::vector<double> tmp(in.size());
  RoundStats s = round_array(in, tmp, f, r, first_index, threads);
  if (s.nan_unrepresentable)
    throw std::domain_error("round_to_codes: " + std::to_string(s.nan_unrepresentable) +
                            " NaN input(s) but format '" + f.name + "' has no NaN code");
  for (std::size_t i = 0; i < in.size(); ++i) codes[i] = static_cast<std::uint16_t>(encode(tmp[i], f));
  return s;
}

}  // namespace floatscope
