// One measurement: inputs -> quantise -> emulate -> exact reference -> metrics.
#include "floatscope/experiment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "floatscope/accumulator.hpp"
#include "floatscope/backend.hpp"
#include "floatscope/block_gemm.hpp"
#include "floatscope/gemm_cost.hpp"
#include "floatscope/delayed_scaling.hpp"
#include "floatscope/generators.hpp"
#include "floatscope/metrics.hpp"
#include "floatscope/models.hpp"
#include "floatscope/parallel.hpp"
#include "floatscope/random.hpp"
#include "floatscope/reference.hpp"
#include "floatscope/rounding.hpp"
#include "floatscope/strassen.hpp"

namespace floatscope {
namespace {

// The format whose ulps max_ulp_err counts: the explicit output format, else what the unit
// writes (hardware models write fp32 D), else the scalar accumulator's.
const Format& output_format_of(const Accumulator& acc) {
  if (acc.output_format) return *acc.output_format;
  if (acc.fused) return acc.outer_format;
  return acc.acc_format;
}

// One GEMM of the experiment on quantised inputs: the backend's classical product, or Strassen's
// recursion (resolve_experiment checked that it runs on cpu with a scalar accumulator).
BackendResult run_gemm(const ResolvedExperiment& s, const double* a, const double* b, const double* C0, int threads) {
  if (s.strassen_levels == 0)
    return s.backend->run(GemmRequest{&s.acc, s.M, s.N, s.K, a, b, C0, threads, s.device});
  if (C0) throw std::invalid_argument("c: an initial C is not available with algorithm strassen");
  GemmResult g = strassen_gemm(s.acc, s.strassen_levels, s.M, s.N, s.K, a, b, threads);
  return BackendResult{std::move(g.C), g.events, {}};
}

// Unit roundoff of the accumulator for the bounds: 2^-p of the scalar accumulator, or of the
// fused unit's step result (2^-24 for fp32 units, 2^-14 for the 14-bit FP8 accumulator).
double accumulator_u(const Accumulator& acc) {
  return acc.fused ? acc.fused->out.unit_roundoff : acc.acc_format.unit_roundoff;
}

// Rounds the exact quotients v / scale onto f, once each (the input quantisation); SR draws from
// stream `stream`. Returns what it did to the operand.
InputQuantStats quantise(std::vector<double>& v, double scale, const Format& f, Mode mode, Overflow overflow,
                         std::uint64_t seed, std::uint64_t stream, int threads) {
  Rounding r;
  r.mode = mode;
  r.overflow = overflow;
  r.seed = seed;
  r.stream = stream;
  const RoundStats st = round_quotient_array(v, v, scale, f, r, 0, threads);
  if (st.nan_unrepresentable)
    throw std::invalid_argument(fmt::format("{} NaN input(s) cannot be represented in {}",
                                            st.nan_unrepresentable, f.name));
  InputQuantStats q;
  q.counted = q.subnormal_counted = true;
  q.elements = st.count;
  q.flushed = st.flushed;
  // RoundStats::underflow: nonzero inputs whose result is below the smallest normal, zero
  // results included; the rest are the nonzero subnormal results.
  q.subnormal = st.underflow - st.flushed;
  q.overflow = st.overflow;
  return q;
}

// The same counts from the block quantiser's statistics of one operand: flushed and clamped
// (|x / scale| beyond the element maximum) mean what InputQuantStats's flushed and overflow mean;
// BlockStats does not count subnormal elements.
InputQuantStats quant_stats_of(const BlockStats& b) {
  InputQuantStats q;
  q.counted = true;
  q.elements = b.elements;
  q.flushed = b.flushed;
  q.overflow = b.clamped;
  return q;
}

// Runs the GEMM on P random permutations of K (the same permutation applied to A's columns and
// B's rows, so the exact product is unchanged) and summarises, per output, the distinct results
// and their spread (metrics.hpp: spread()). Permuting the inputs rather than the accumulator's
// order works for every accumulator: a sequential sum sees a random order, a fused unit random
// blocks, a pairwise tree random leaves.
void permutation_stats(const ResolvedExperiment& s, const std::vector<double>& a,
                       const std::vector<double>& b, const double* C0, int threads,
                       ExperimentResult& r) {
  const Accumulator& acc = s.acc;
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
    const CounterRng rng(s.input_seed, 0x5045524dULL + p);
    for (std::size_t k = 0; k < K; ++k) perm[k] = k;
    for (std::size_t k = K; k > 1; --k) std::swap(perm[k - 1], perm[rng.bits(k) % k]);
    for (std::size_t i = 0; i < M; ++i)
      for (std::size_t k = 0; k < K; ++k) ap[i * K + k] = a[i * K + perm[k]];
    for (std::size_t k = 0; k < K; ++k)
      std::copy_n(b.data() + perm[k] * N, N, bp.data() + k * N);
    const BackendResult g = run_gemm(s, ap.data(), bp.data(), C0, threads);
    for (std::size_t i = 0; i < outputs; ++i) all[i * P + p] = g.D[i];
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

// The exact reference of a run and |A||B|, into exact and absprod (M*N each): the product of a and
// b (+ C0), times `scale`; all NaN with reference = none. The emulation returns
// scale_a*scale_b*(A_q*B_q + C0), times output_scale when it converts the output, so `scale` is
// that factor for quantised operands and output_scale alone for the original inputs (which are
// scale_a*A_q up to quantisation). Exact for power-of-two scales; otherwise two extra double
// roundings (relative 2^-52, far below any error measured here).
void reference_into(const ResolvedExperiment& s, const double* a, const double* b, const double* C0, double scale,
                    std::vector<double>& exact, std::vector<double>& absprod, int threads) {
  const std::size_t n = static_cast<std::size_t>(s.M) * static_cast<std::size_t>(s.N);
  exact.assign(n, std::nan(""));
  absprod.assign(n, std::nan(""));
  if (s.reference == ReferenceKind::none) return;
  reference_gemm(s.reference, s.M, s.N, s.K, a, b, C0, exact.data(), threads);
  reference_absgemm(s.reference, s.M, s.N, s.K, a, b, C0, absprod.data(), threads);
  if (scale != 1.0) {
    for (double& x : exact) x *= scale;
    for (double& x : absprod) x *= scale;
  }
}

// Mean of the finite emulated outputs (the sweep's c_mean column); NaN when there is none.
double finite_mean(const std::vector<double>& D) {
  double sum = 0;
  std::size_t n = 0;
  for (double x : D)
    if (std::isfinite(x)) {
      sum += x;
      ++n;
    }
  return n ? sum / static_cast<double>(n) : std::nan("");
}

// The metrics of an emulated D against the exact product of the operands a, b: the dequantised
// ones, or the original inputs (reference_of = original) when `original_a` is given.
ExperimentResult measure(const ResolvedExperiment& s, const std::vector<double>& a, const std::vector<double>& b,
                         const double* original_a, const double* original_b, BackendResult& emu, double seconds,
                         int threads, bool keep_output) {
  const Accumulator& acc = s.acc;
  const std::size_t K = static_cast<std::size_t>(s.K);
  std::vector<double> exact, absprod;
  if (original_a)
    reference_into(s, original_a, original_b, nullptr, s.output_scale, exact, absprod, threads);
  else
    reference_into(s, a.data(), b.data(), nullptr, s.output_scale, exact, absprod, threads);
  ExperimentResult r;
  const GemmEvents events = emu.events.value_or(GemmEvents{});
  r.metrics = compute_metrics(emu.D, exact, absprod, K, accumulator_u(acc), output_format_of(acc), events);
  r.events = events;
  r.events_counted = emu.events.has_value();
  r.accumulator = acc.describe();
  r.acc_format = acc.fused ? fmt::format("{}/{}", acc.fused->out.name, mode_name(acc.fused->out_mode))
                           : fmt::format("{}/{}", acc.acc_format.name, mode_name(acc.acc_rounding.mode));
  r.seconds = seconds;
  r.c_mean = finite_mean(emu.D);
  if (keep_output) r.C = std::move(emu.D);
  return r;
}

std::vector<double> transposed(const double* B, std::size_t K, std::size_t N) {
  std::vector<double> t(K * N);
  for (std::size_t k = 0; k < K; ++k)
    for (std::size_t j = 0; j < N; ++j) t[j * K + k] = B[k * N + j];
  return t;
}

// Quantises A (M x K) and B^T (N x K) under their schemes, blocks along K, then runs them.
ExperimentResult run_block_scaled(const ResolvedExperiment& s, const double* A, const double* B, const double* C0,
                                  int threads, bool keep_output) {
  if (C0) throw std::invalid_argument("c: an initial C is not available with a block scheme");
  for (const BlockScheme* b : {&*s.block_a, &*s.block_b})
    if (b->block > 0 && s.K % b->block != 0)
      throw std::invalid_argument(fmt::format("K: {} is not a multiple of scheme {}'s block of {}", s.K,
                                              b->info->name, b->block));
  const std::size_t M = static_cast<std::size_t>(s.M), N = static_cast<std::size_t>(s.N),
                    K = static_cast<std::size_t>(s.K);
  const QuantizedTensor qa = quantize_blocks(*s.block_a, A, M, K);
  const std::vector<double> bt = transposed(B, K, N);
  const QuantizedTensor qb = quantize_blocks(*s.block_b, bt.data(), N, K);
  ExperimentResult r = run_block_experiment(s, *s.block_a, qa, *s.block_b, qb, threads, keep_output,
                                            s.reference_original ? A : nullptr, s.reference_original ? B : nullptr);
  r.quant_a = quant_stats_of(qa.stats);
  r.quant_b = quant_stats_of(qb.stats);
  return r;
}

}  // namespace

ExperimentResult run_block_experiment(const ResolvedExperiment& s, const BlockScheme& sa, const QuantizedTensor& A,
                                      const BlockScheme& sb, const QuantizedTensor& Bt, int threads, bool keep_output,
                                      const double* original_a, const double* original_b) {
  if (s.reference_original && !original_a)
    throw std::invalid_argument("reference_of: 'original' needs the unquantised inputs; pre-quantised operands have none");
  check_threads(threads);
  const std::size_t M = static_cast<std::size_t>(s.M), N = static_cast<std::size_t>(s.N),
                    K = static_cast<std::size_t>(s.K);
  const auto t0 = std::chrono::steady_clock::now();
  GemmResult g = emulate_block_gemm(s.acc, sa, A, sb, Bt, s.M, s.N, s.K, threads);
  const auto t1 = std::chrono::steady_clock::now();
  BackendResult emu;
  emu.D = std::move(g.C);
  emu.events = g.events;
  // The exact product of what the GEMM multiplied: the dequantised operands (exact in double).
  std::vector<double> a = dequantize_blocks(A), btd = dequantize_blocks(Bt);
  a.resize(M * K);  // 128x128 blocks may have padded rows (dequantize_blocks keeps the original rows)
  std::vector<double> b(K * N);
  for (std::size_t j = 0; j < N; ++j)
    for (std::size_t k = 0; k < K; ++k) b[k * N + j] = btd[j * K + k];
  ExperimentResult r = measure(s, a, b, original_a, original_b, emu, std::chrono::duration<double>(t1 - t0).count(),
                               threads, keep_output);
  r.block_scaled = true;
  r.block_a_format = sa.element.name;
  r.block_b_format = sb.element.name;
  r.block_stats = A.stats;
  r.block_stats += Bt.stats;
  r.a_bits_per_element = bits_per_element(sa, A);
  r.b_bits_per_element = bits_per_element(sb, Bt);
  r.inner_op = static_cast<int>(inner_op(sa.element, sb.element));
  r.metrics.input_overflow_count = r.block_stats.clamped;
  return r;
}

ExperimentResult run_resolved(const ResolvedExperiment& s, const double* A, const double* B,
                              const double* C0, int threads, bool keep_output) {
  check_threads(threads);
  if (s.block_a) return run_block_scaled(s, A, B, C0, threads, keep_output);
  const Accumulator& acc = s.acc;
  const std::size_t M = static_cast<std::size_t>(s.M), N = static_cast<std::size_t>(s.N),
                    K = static_cast<std::size_t>(s.K);

  std::vector<double> a(A, A + M * K), b(B, B + K * N);
  const InputQuantStats quant_a =
      quantise(a, s.scale_a, acc.a_format, s.input_rounding, s.input_overflow, s.input_seed, 0, threads);
  const InputQuantStats quant_b =
      quantise(b, s.scale_b, acc.b_format, s.input_rounding, s.input_overflow, s.input_seed, 1, threads);

  const auto t0 = std::chrono::steady_clock::now();
  BackendResult emu = run_gemm(s, a.data(), b.data(), C0, threads);
  const auto t1 = std::chrono::steady_clock::now();

  std::vector<double> exact, absprod;
  if (s.reference_original) {
    if (C0) throw std::invalid_argument("reference_of: 'original' is not available with an initial C");
    reference_into(s, A, B, nullptr, s.output_scale, exact, absprod, threads);
  } else {
    reference_into(s, a.data(), b.data(), C0, s.scale_a * s.scale_b * s.output_scale, exact, absprod, threads);
  }

  ExperimentResult r;
  r.backend_info = emu.info;
  // A backend without event counts gets zero events into the metrics; result_values then marks
  // every value derived from them as not counted.
  const GemmEvents events = emu.events.value_or(GemmEvents{});
  r.metrics = compute_metrics(emu.D, exact, absprod, K, accumulator_u(acc), output_format_of(acc),
                              events);
  r.metrics.input_overflow_count = quant_a.overflow + quant_b.overflow;
  r.quant_a = quant_a;
  r.quant_b = quant_b;
  r.events = events;
  r.events_counted = emu.events.has_value();
  r.accumulator = acc.describe();
  r.acc_format = acc.fused ? fmt::format("{}/{}", acc.fused->out.name, mode_name(acc.fused->out_mode))
                           : fmt::format("{}/{}", acc.acc_format.name, mode_name(acc.acc_rounding.mode));
  r.seconds = std::chrono::duration<double>(t1 - t0).count();
  r.a_bits_per_element = bits_per_element(acc.a_format, s.scale_a != 1.0, M * K);
  r.b_bits_per_element = bits_per_element(acc.b_format, s.scale_b != 1.0, K * N);
  r.inner_op = static_cast<int>(inner_op(acc.a_format, acc.b_format));
  if (s.permutations > 0) permutation_stats(s, a, b, C0, threads, r);
  r.c_mean = finite_mean(emu.D);
  if (keep_output) r.C = std::move(emu.D);
  return r;
}

ExperimentResult run_experiment_on(const ExperimentSpec& s, const double* A, const double* B,
                                   const double* C0, int threads, bool keep_output) {
  if (s.amax_history_len > 0)
    throw std::invalid_argument(
        "amax_history_len: the history is drawn from the inputs' distribution; given inputs have none");
  return run_resolved(resolve_experiment(s), A, B, C0, threads, keep_output);
}

std::vector<NamedValue> result_values(const ExperimentResult& r) {
  const Metrics& m = r.metrics;
  auto count = [](std::uint64_t n) { return static_cast<double>(n); };
  // Values computed from the backend's event counts: empty when it could not count them.
  const bool ev = r.events_counted;
  const bool out = ev && r.events.outputs > 0;
  auto frac = [&](std::uint64_t n) { return out ? count(n) / count(r.events.outputs) : 0.0; };
  std::vector<NamedValue> v = {{"max_rel_err", m.max_rel_err},
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
          {"underflow_frac", m.underflow_frac, ev},
          {"overflow_frac", m.overflow_frac, ev},
          {"product_underflow_frac", m.product_underflow_frac, ev},
          {"partial_underflow_frac", m.partial_underflow_frac, ev},
          {"saturated_frac", m.saturated_frac, ev},
          {"nan_count", count(m.nan_count)},
          {"stagnation_count", count(m.stagnation_count), ev},
          {"products", count(r.events.products), ev},
          {"partials", count(r.events.partials), ev},
          {"distinct_results", r.distinct_results},
          {"mean_distinct_results", r.mean_distinct_results},
          {"spread_ulps", r.spread_ulps},
          {"input_overflow_count", count(m.input_overflow_count)},
          {"inf_output_count", count(m.inf_output_count)},
          {"nonfinite_exact_count", count(m.nonfinite_exact_count)},
          // Block-scaled runs (empty otherwise): what quantising A and B did.
          {"clamped_frac", r.block_stats.clamped_frac(), r.block_scaled},
          {"flushed_frac", r.block_stats.flushed_frac(), r.block_scaled},
          {"mean_scale_exp", r.block_stats.mean_scale_exp(), r.block_scaled},
          {"max_scale_exp", static_cast<double>(r.block_stats.scale_exp_max), r.block_scaled && r.block_stats.scales > 0},
          {"c_mean", r.c_mean},
          // Cost (gemm_cost.hpp): storage bits per element of A and B, and the inner loop's operation.
          {"a_bits_per_element", r.a_bits_per_element},
          {"b_bits_per_element", r.b_bits_per_element},
          {"inner_op", static_cast<double>(r.inner_op), r.inner_op >= 0},
          // What quantising each operand did (InputQuantStats), as fractions of its elements;
          // empty for operands given already quantised, and the subnormal ones for block scaling.
          {"a_flushed_frac", r.quant_a.flushed_frac()},
          {"a_subnormal_frac", r.quant_a.subnormal_frac()},
          {"a_overflow_frac", r.quant_a.overflow_frac()},
          {"b_flushed_frac", r.quant_b.flushed_frac()},
          {"b_subnormal_frac", r.quant_b.subnormal_frac()},
          {"b_overflow_frac", r.quant_b.overflow_frac()},
          // The output conversion, as fractions of the outputs (events.hpp outputs_*); empty
          // without an output_format (nothing was converted) or without event counts.
          {"output_overflow_frac", frac(r.events.outputs_overflow), out},
          {"output_underflow_frac", frac(r.events.outputs_underflow), out},
          {"output_subnormal_frac", frac(r.events.outputs_subnormal), out},
          // Outputs whose stored value the other output_scale_mode would change (the same
          // accumulated value converted both ways): a per-output comparison that two rows' error
          // statistics cannot give. Empty for stochastic output roundings and formats wider than fp32.
          {"output_mode_differ_frac",
           ev && r.events.outputs_mode_compared > 0
               ? count(r.events.outputs_mode_differ) / count(r.events.outputs_mode_compared) : 0.0,
           ev && r.events.outputs_mode_compared > 0}};
  // NaN is never a measurement here (metrics skip NaN outputs and count them in nan_count): it
  // marks a value the run did not measure, which is written empty, not "nan".
  for (auto& x : v)
    if (std::isnan(x.value)) x.counted = false;
  return v;
}

ExperimentResult run_experiment(const ExperimentSpec& s, int threads, bool keep_output) {
  check_threads(threads);
  const ResolvedExperiment e = resolve_experiment(s);
  if (!e.dist_a) throw std::invalid_argument("dist: generated inputs need a distribution");
  const std::size_t M = static_cast<std::size_t>(e.M), N = static_cast<std::size_t>(e.N),
                    K = static_cast<std::size_t>(e.K);
  std::vector<double> A(M * K), B(K * N);
  generate(*e.dist_a, e.input_seed, 0, M, K, A.data(), false, threads);
  generate(*e.dist_b, e.input_seed, 1, K, N, B.data(), true, threads);
  if (e.amax_history_len > 0) {
    // Delayed scaling: each fp8-delayed operand's scale comes from the amaxes of the earlier steps,
    // drawn like the operand itself (same shape, tensor id and orientation; delayed_scaling.hpp).
    ResolvedExperiment d = e;
    const auto fill = [&](std::optional<BlockScheme>& b, const Distribution& dist, std::uint64_t id,
                          std::size_t rows, std::size_t cols, bool is_b) {
      if (!b || b->info->kind != SchemeKind::fp8_delayed) return;
      b->amax_history = amax_history(dist, e.input_seed, id, rows, cols, is_b, e.amax_history_len,
                                     e.outlier_growth, threads);
      b->history_len = e.amax_history_len;
    };
    fill(d.block_a, *e.dist_a, 0, M, K, false);
    fill(d.block_b, *e.dist_b, 1, K, N, true);
    return run_resolved(d, A.data(), B.data(), nullptr, threads, keep_output);
  }
  return run_resolved(e, A.data(), B.data(), nullptr, threads, keep_output);
}

}  // namespace floatscope
