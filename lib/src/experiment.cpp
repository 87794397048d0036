// One measurement: inputs -> quantise -> emulate -> exact reference -> metrics.
#include "floatscope/experiment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "floatscope/accumulator.hpp"
#include "floatscope/gemm.hpp"
#include "floatscope/generators.hpp"
#include "floatscope/metrics.hpp"
#include "floatscope/models.hpp"
#include "floatscope/parallel.hpp"
#include "floatscope/random.hpp"
#include "floatscope/reference.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope {
namespace {

bool is_custom(const ExperimentSpec& s) { return s.model.empty() || s.model == "custom"; }

Format field_format(std::string_view field, const std::string& value) {
  try {
    return parse_format(value);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("{}: {}", field, e.what()));
  }
}

Mode field_mode(std::string_view field, const std::string& value) {
  try {
    return parse_mode(value);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("{}: {}", field, e.what()));
  }
}

// Inputs of repeat 0 use the seed itself (so `gemm --seed S` equals a sweep's first repeat);
// later repeats get unrelated seeds.
std::uint64_t input_seed(const ExperimentSpec& s) {
  return s.repeat == 0 ? s.seed : mix64(s.seed ^ mix64(static_cast<std::uint64_t>(s.repeat)));
}

// The format whose ulps max_ulp_err counts: the explicit output format, else what the unit
// writes (hardware models write fp32 D), else the scalar accumulator's.
const Format& output_format_of(const Accumulator& acc) {
  if (acc.output_format) return *acc.output_format;
  if (acc.fused) return acc.outer_format;
  return acc.acc_format;
}

// Unit roundoff of the accumulator for the bounds: 2^-p of the scalar accumulator, or of the
// fused unit's step result (2^-24 for fp32 units, 2^-14 for the 14-bit FP8 accumulator).
double accumulator_u(const Accumulator& acc) {
  return acc.fused ? acc.fused->out.unit_roundoff : acc.acc_format.unit_roundoff;
}

void check_sizes(const ExperimentSpec& s) {
  if (s.M <= 0 || s.N <= 0 || s.K <= 0)
    throw std::invalid_argument(fmt::format("sizes must be positive: M={} N={} K={}", s.M, s.N, s.K));
  const double elems = static_cast<double>(s.M) * s.K + static_cast<double>(s.K) * s.N +
                       static_cast<double>(s.M) * s.N;
  if (elems > 2e9)
    throw std::invalid_argument(fmt::format("M={} N={} K={} needs {:.3g} matrix elements (limit 2e9)",
                                            s.M, s.N, s.K, elems));
  // What a run allocates, measured (peak RSS; 256x256x200000: 2.74 GB): A and B (generated, their
  // quantised copies, the kernels' and the reference's working copies) 28 bytes an element; per
  // output the emulated C, the exact C, |A||B|, the relative errors and scratch, 40 bytes. Beyond
  // what the machine has left the run would die in bad_alloc (or the OOM killer) after minutes:
  // refuse it now, with the numbers.
  const double need = 28 * (static_cast<double>(s.M) * s.K + static_cast<double>(s.K) * s.N) +
                      40 * static_cast<double>(s.M) * s.N +
                      8 * static_cast<double>(s.M) * s.N * std::max(0, s.permutations);
  if (const double avail = available_memory_bytes(); avail > 0 && need > avail)
    throw std::invalid_argument(fmt::format("M={} N={} K={}{} needs about {:.3g} GB of memory; {:.3g} GB are available",
                                            s.M, s.N, s.K,
                                            s.permutations > 0 ? fmt::format(" permutations={}", s.permutations) : "",
                                            need / 1e9, avail / 1e9));
  if (!(s.scale_a > 0) || !(s.scale_b > 0) || !std::isfinite(s.scale_a) || !std::isfinite(s.scale_b))
    throw std::invalid_argument(fmt::format("scale_a={} and scale_b={} must be positive and finite",
                                            s.scale_a, s.scale_b));
}

// Rounds v / scale onto f (the input quantisation); SR draws from stream `stream`. Returns how
// many elements overflowed.
std::uint64_t quantise(std::vector<double>& v, double scale, const Format& f, Mode mode, std::uint64_t seed,
                       std::uint64_t stream, int threads) {
  if (scale != 1.0)
    for (double& x : v) x /= scale;
  Rounding r;
  r.mode = mode;
  r.seed = seed;
  r.stream = stream;
  const RoundStats st = round_array(v, v, f, r, 0, threads);
  if (st.nan_unrepresentable)
    throw std::invalid_argument(fmt::format("{} NaN input(s) cannot be represented in {}",
                                            st.nan_unrepresentable, f.name));
  return st.overflow;
}

// Runs the GEMM on P random permutations of K (the same permutation applied to A's columns and
// B's rows, so the exact product is unchanged) and summarises, per output, the distinct results
// and their spread (metrics.hpp: spread()). Permuting the inputs rather than the accumulator's
// order works for every accumulator: a sequential sum sees a random order, a fused unit random
// blocks, a pairwise tree random leaves.
void permutation_stats(const ExperimentSpec& s, const Accumulator& acc, const std::vector<double>& a,
                       const std::vector<double>& b, const double* C0, int threads,
                       ExperimentResult& r) {
  if (s.permutations > 100000)
    throw std::invalid_argument(fmt::format("permutations: {} is more than 100000", s.permutations));
  const std::size_t M = static_cast<std::size_t>(s.M), N = static_cast<std::size_t>(s.N),
                    K = static_cast<std::size_t>(s.K);
  const std::size_t outputs = M * N;
  const std::size_t P = static_cast<std::size_t>(s.permutations);
  if (static_cast<double>(outputs) * static_cast<double>(P) > 5e8)
    throw std::invalid_argument(fmt::format("permutations: {} orders of {} outputs is too much to keep",
                                            P, outputs));
  std::vector<double> all(outputs * P);  // [output][permutation]
  std::vector<std::size_t> perm(K);
  std::vector<double> ap(a.size()), bp(b.size());
  for (std::size_t p = 0; p < P; ++p) {
    // Fisher-Yates keyed by (seed, permutation number): the same orders on any thread count.
    const CounterRng rng(input_seed(s), 0x5045524dULL + p);
    for (std::size_t k = 0; k < K; ++k) perm[k] = k;
    for (std::size_t k = K; k > 1; --k) std::swap(perm[k - 1], perm[rng.bits(k) % k]);
    for (std::size_t i = 0; i < M; ++i)
      for (std::size_t k = 0; k < K; ++k) ap[i * K + k] = a[i * K + perm[k]];
    for (std::size_t k = 0; k < K; ++k)
      std::copy_n(b.data() + perm[k] * N, N, bp.data() + k * N);
    const GemmResult g = emulate_gemm(acc, s.M, s.N, s.K, ap.data(), bp.data(), C0, threads);
    for (std::size_t i = 0; i < outputs; ++i) all[i * P + p] = g.C[i];
  }
  double max_distinct = 0, sum_distinct = 0, max_spread = 0;
  for (std::size_t i = 0; i < outputs; ++i) {
    const SpreadStats st = spread(std::span<const double>(all.data() + i * P, P), output_format_of(acc));
    max_distinct = std::max(max_distinct, static_cast<double>(st.distinct));
    sum_distinct += static_cast<double>(st.distinct);
    if (!(st.spread_ulps <= max_spread)) max_spread = st.spread_ulps;  // NaN/Inf win
  }
  r.distinct_results = max_distinct;
  r.mean_distinct_results = sum_distinct / static_cast<double>(outputs);
  r.spread_ulps = max_spread;
}

}  // namespace

Accumulator resolve_accumulator(const ExperimentSpec& s) {
  Accumulator acc;
  const std::string b_name = s.b_format.empty() ? s.a_format : s.b_format;
  if (!is_custom(s)) {
    const ModelInfo* info = find_model(s.model);
    if (!info)
      throw std::invalid_argument(fmt::format("model: unknown model '{}'; valid: custom, {}", s.model,
                                              hardware_model_names()));
    // The parts of a custom accumulator have no meaning for a named model: a value other than the
    // default is a mistake to report, not to ignore.
    const ExperimentSpec defaults;
    const std::pair<const char*, bool> custom_only[] = {
        {"acc_format", s.acc_format != defaults.acc_format},
        {"rounding", s.rounding != defaults.rounding},
        {"order", s.order != defaults.order},
        {"product_format", s.product_format != defaults.product_format},
        {"compensation", s.compensation != defaults.compensation},
    };
    for (const auto& [field, set] : custom_only)
      if (set)
        throw std::invalid_argument(fmt::format(
            "{}: a named model ({}) fixes its accumulator; {} applies to custom models only", field,
            s.model, field));
    std::optional<Format> a, b;
    if (!s.a_format.empty()) a = field_format("a_format", s.a_format);
    if (!b_name.empty()) b = field_format("b_format", b_name);
    acc = model_accumulator(s.model, a, b, s.promote);
  } else {
    const Format a = field_format("a_format", s.a_format.empty() ? "fp32" : s.a_format);
    const Format b = b_name.empty() ? a : field_format("b_format", b_name);
    Rounding r;
    r.mode = field_mode("rounding", s.rounding);
    r.sr_bits = s.sr_bits;
    acc = make_scalar_accumulator(a, field_format("acc_format", s.acc_format), r);
    acc.b_format = b;
    acc.order = parse_accumulator_order(s.order);
    acc.compensation = parse_compensation(s.compensation);
    if (!s.product_format.empty()) {
      acc.product_format = field_format("product_format", s.product_format);
      acc.product_rounding = r;
    }
  }
  if (s.sr_bits < 1 || s.sr_bits > 64)
    throw std::invalid_argument(fmt::format("sr_bits: {} is not in 1..64", s.sr_bits));
  // Stochastic roundings inside the GEMM draw from the experiment's seed (mixed with the repeat).
  const std::uint64_t seed = input_seed(s);
  acc.acc_rounding.seed = seed;
  acc.product_rounding.seed = seed;
  acc.outer_rounding.seed = seed;
  acc.output_rounding.seed = seed;
  if (!s.output_format.empty()) {
    acc.output_format = field_format("output_format", s.output_format);
    acc.output_rounding.mode = field_mode("output_rounding", s.output_rounding);
    acc.output_rounding.sr_bits = s.sr_bits;
  }
  if (!(s.output_scale > 0) || !std::isfinite(s.output_scale))
    throw std::invalid_argument(fmt::format("output_scale: {} must be positive and finite", s.output_scale));
  if (s.output_scale != 1.0 && s.output_format.empty())
    throw std::invalid_argument("output_scale needs an output_format (the scale is part of that conversion)");
  acc.output_scale = s.output_scale;
  acc.scale_a = s.scale_a;
  acc.scale_b = s.scale_b;
  acc.quantize.reset();  // run_experiment quantises itself (so the reference sees the same inputs)
  acc.validate();
  return acc;
}

ExperimentResult run_experiment_on(const ExperimentSpec& s, const double* A, const double* B,
                                   const double* C0, int threads, bool keep_output) {
  check_sizes(s);
  check_threads(threads);
  if (s.backend != "cpu")
    throw std::invalid_argument(fmt::format("backend: '{}' is not available (valid: cpu)", s.backend));
  if (s.scheme != "none" && !s.scheme.empty())
    throw std::invalid_argument(fmt::format("scheme: '{}' is not available yet (valid: none)", s.scheme));
  const auto ref_kind = find_reference(s.reference);
  if (!ref_kind)
    throw std::invalid_argument(fmt::format("reference: unknown '{}'; valid: {}", s.reference,
                                            reference_names()));
  const Accumulator acc = resolve_accumulator(s);
  const Mode in_mode = field_mode("input_rounding", s.input_rounding);
  const std::size_t M = static_cast<std::size_t>(s.M), N = static_cast<std::size_t>(s.N),
                    K = static_cast<std::size_t>(s.K);

  std::vector<double> a(A, A + M * K), b(B, B + K * N);
  const std::uint64_t input_overflows = quantise(a, s.scale_a, acc.a_format, in_mode, input_seed(s), 0, threads) +
                                        quantise(b, s.scale_b, acc.b_format, in_mode, input_seed(s), 1, threads);

  const auto t0 = std::chrono::steady_clock::now();
  GemmResult emu = emulate_gemm(acc, s.M, s.N, s.K, a.data(), b.data(), C0, threads);
  const auto t1 = std::chrono::steady_clock::now();

  std::vector<double> exact(M * N), absprod(M * N);
  if (*ref_kind == ReferenceKind::none) {
    std::fill(exact.begin(), exact.end(), std::nan(""));
    std::fill(absprod.begin(), absprod.end(), std::nan(""));
  } else {
    reference_gemm(*ref_kind, s.M, s.N, s.K, a.data(), b.data(), C0, exact.data(), threads);
    reference_absgemm(*ref_kind, s.M, s.N, s.K, a.data(), b.data(), C0, absprod.data(), threads);
    // The emulation returns scale_a*scale_b*(A*B + C0), times output_scale when it converts the
    // output; so must the reference. Exact for
    // power-of-two scales; otherwise two extra double roundings (relative 2^-52, far below
    // any error measured here).
    const double scale = s.scale_a * s.scale_b * s.output_scale;
    if (scale != 1.0) {
      for (double& x : exact) x *= scale;
      for (double& x : absprod) x *= scale;
    }
  }

  ExperimentResult r;
  r.metrics = compute_metrics(emu.C, exact, absprod, K, accumulator_u(acc), output_format_of(acc),
                              emu.events);
  r.metrics.input_overflow_count = input_overflows;
  r.events = emu.events;
  r.accumulator = acc.describe();
  r.seconds = std::chrono::duration<double>(t1 - t0).count();
  if (s.permutations < 0)
    throw std::invalid_argument(fmt::format("permutations: {} is negative", s.permutations));
  if (s.permutations > 0) permutation_stats(s, acc, a, b, C0, threads, r);
  if (keep_output) r.C = std::move(emu.C);
  return r;
}

std::vector<NamedValue> result_values(const ExperimentResult& r) {
  const Metrics& m = r.metrics;
  auto count = [](std::uint64_t n) { return static_cast<double>(n); };
  return {{"max_rel_err", m.max_rel_err},
          {"median_rel_err", m.median_rel_err},
          {"p99_rel_err", m.p99_rel_err},
          {"normwise_rel_err", m.normwise_rel_err},
          {"max_err_over_absprod", m.max_err_over_absprod},
          {"max_ulp_err", m.max_ulp_err},
          {"unit_roundoff", m.unit_roundoff},
          {"bound_det", m.bound_det},
          {"bound_prob", m.bound_prob},
          {"ratio_det", m.ratio_det},
          {"ratio_prob", m.ratio_prob},
          {"underflow_frac", m.underflow_frac},
          {"overflow_frac", m.overflow_frac},
          {"product_underflow_frac", m.product_underflow_frac},
          {"partial_underflow_frac", m.partial_underflow_frac},
          {"saturated_frac", m.saturated_frac},
          {"nan_count", count(m.nan_count)},
          {"stagnation_count", count(m.stagnation_count)},
          {"products", count(r.events.products)},
          {"partials", count(r.events.partials)},
          {"distinct_results", r.distinct_results},
          {"mean_distinct_results", r.mean_distinct_results},
          {"spread_ulps", r.spread_ulps},
          {"input_overflow_count", count(m.input_overflow_count)},
          {"inf_output_count", count(m.inf_output_count)},
          {"nonfinite_exact_count", count(m.nonfinite_exact_count)}};
}

ExperimentResult run_experiment(const ExperimentSpec& s, int threads, bool keep_output) {
  check_sizes(s);
  check_threads(threads);
  const Distribution da = parse_distribution(s.dist);
  const Distribution db = parse_distribution(s.b_dist.empty() ? s.dist : s.b_dist);
  const std::size_t M = static_cast<std::size_t>(s.M), N = static_cast<std::size_t>(s.N),
                    K = static_cast<std::size_t>(s.K);
  std::vector<double> A(M * K), B(K * N);
  generate(da, input_seed(s), 0, M, K, A.data(), false, threads);
  generate(db, input_seed(s), 1, K, N, B.data(), true, threads);
  return run_experiment_on(s, A.data(), B.data(), nullptr, threads, keep_output);
}

}  // namespace floatscope
