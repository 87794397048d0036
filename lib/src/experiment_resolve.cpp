// ExperimentSpec -> ResolvedExperiment: every name parsed once, here, with errors that name the
// field; the run (experiment.cpp) and the backends see typed values only.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <utility>
#include <vector>

#include "floatscope/accumulator.hpp"
#include "floatscope/backend.hpp"
#include "floatscope/delayed_scaling.hpp"
#include "floatscope/launch.hpp"
#include "floatscope/experiment.hpp"
#include "floatscope/models.hpp"
#include "floatscope/parallel.hpp"
#include "floatscope/random.hpp"
#include "floatscope/rounding.hpp"
#include "floatscope/strassen.hpp"
#include "floatscope/names.hpp"

namespace floatscope {
namespace {

bool is_custom(const ExperimentSpec& s) { return s.model.empty() || iequals(s.model, "custom"); }

// align: how the unit cuts terms to 2^(E-F) (FusedUnit::align_mode).
Mode parse_align(const std::string& text) {
  if (iequals(text, "rtz")) return Mode::rtz;
  if (iequals(text, "rne")) return Mode::rne;
  throw std::invalid_argument(fmt::format(
      "align: unknown aligner '{}' (accepted: rtz = terms truncated, rne = rounded to nearest even)", text));
}

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

// The fused unit of --block-fma L,F: acc_format is its output, rounding its output rounding
// (stochastic modes draw the dot product's counter-based bits, one word per step).
void make_block_fma(const ExperimentSpec& s, const Rounding& r, Accumulator& acc) {
  const BlockFma b = parse_block_fma(s.block_fma);
  FusedUnit u;
  u.L = b.L;
  u.F = b.F;
  u.out = acc.acc_format;
  u.out_mode = r.mode;
  u.out_sr_bits = r.sr_bits;
  u.align_mode = parse_align(s.align);
  u.normalized_products = s.normalised_products;
  u.pair_interleave = s.interleaved_pairs;
  parse_subnormals(s.subnormals, u.specials);
  u.specials.overflow = parse_unit_overflow(s.unit_overflow);
  u.specials.zero_sign = parse_zero_sign(s.zero_sign);
  acc.fused = u;
  acc.promote = s.promote < 0 ? 0 : s.promote;
  // Interleaved pairs run instructions of 2L products: a promotion must not cut one in half.
  if (u.pair_interleave && acc.promote > 0 && acc.promote % (2 * u.L) != 0)
    throw std::invalid_argument(fmt::format(
        "interleaved_pairs: promote {} must be a multiple of 2L = {} (each instruction is 2L products in two "
        "steps of L), or 0",
        acc.promote, 2 * u.L));
  // What the unit's output is promoted into and what rounds the scales: fp32 with RNE by default,
  // as the named models (cuBLASLt's FP32 accumulator); fp16 for the fp16-D instructions.
  acc.outer_format = field_format("outer_format", s.outer_format);
  acc.outer_rounding = Rounding{field_mode("outer_rounding", s.outer_rounding)};
  acc.outer_rounding.sr_bits = s.sr_bits;
}

// The parts of a custom model that only the fused unit has, with their defaults: any other value
// without block_fma would be ignored, so it is refused instead.
std::vector<std::pair<const char*, bool>> fused_only_fields(const ExperimentSpec& s) {
  const ExperimentSpec d;
  return {
      {"outer_format", !iequals(s.outer_format, d.outer_format)},
      {"outer_rounding", !iequals(s.outer_rounding, d.outer_rounding)},
      {"align", !iequals(s.align, d.align)},
      {"normalised_products", s.normalised_products != d.normalised_products},
      {"interleaved_pairs", s.interleaved_pairs != d.interleaved_pairs},
      {"subnormals", !iequals(s.subnormals, d.subnormals)},
      {"unit_overflow", !iequals(s.unit_overflow, d.unit_overflow)},
      {"zero_sign", !iequals(s.zero_sign, d.zero_sign)},
  };
}

// C read in another format (c_format, c_rounding): once, before anything else, deterministically.
void resolve_c_read(const ExperimentSpec& s, Accumulator& acc) {
  const Mode m = field_mode("c_rounding", s.c_rounding);
  if (s.c_format.empty()) {
    if (!iequals(s.c_rounding, ExperimentSpec{}.c_rounding))
      throw std::invalid_argument(fmt::format("c_rounding: {} rounds C onto c_format; give c_format too", s.c_rounding));
    return;
  }
  if (is_stochastic(m))
    throw std::invalid_argument(fmt::format(
        "c_rounding: {} is stochastic; C is converted once, before the dot products (accepted: rne, rna, rtz, rup, "
        "rdn, rto)",
        s.c_rounding));
  acc.c_format = field_format("c_format", s.c_format);
  acc.c_rounding = Rounding{m};
}

// The block schemes of an experiment: element formats from the scheme (MX, NVFP4) or from
// a_format / b_format (fp8 schemes, e4m3 by default), then the accumulator for those formats.
void resolve_block_schemes(const ExperimentSpec& s, const std::string& name_a, const std::string& name_b,
                           ResolvedExperiment& e) {
  if (s.scale_a != 1.0 || s.scale_b != 1.0)
    throw std::invalid_argument(fmt::format(
        "scale_a/scale_b: scheme {} computes its own scales; leave scale_a and scale_b at 1", s.scheme));
  if (!iequals(s.backend, "cpu"))
    throw std::invalid_argument(fmt::format("backend: block-scaled GEMMs (scheme {}) run on cpu only", s.scheme));
  if (s.permutations > 0)
    throw std::invalid_argument("permutations: not available with a block scheme");
  ExperimentSpec t = s;
  const std::string b_given = s.b_format.empty() ? s.a_format : s.b_format;
  auto make = [&](const std::string& name, const std::string& given, std::uint64_t stream, const char* which) {
    BlockSchemeOptions o;
    o.scheme = name;
    const SchemeInfo* info = find_scheme(name);
    if (!info)
      throw std::invalid_argument(fmt::format("scheme: unknown '{}'; valid: none, {} (or A+B)", name, scheme_names()));
    // fp32 (the sweep's default a_format) or nothing: the scheme's own (or default, e4m3) elements.
    o.format = given.empty() || iequals(given, "fp32") ? "" : given;
    if (info->kind == SchemeKind::mx) o.scale_rule = s.scale_rule;
    o.rounding = Rounding{e.input_rounding, Overflow::saturate, s.sr_bits, input_seed(s), stream};
    o.pad = true;  // rows only: K is checked against the block (run_resolved)
    try {
      return resolve_block_scheme(o);
    } catch (const std::invalid_argument& err) {
      throw std::invalid_argument(fmt::format("{} ({}'s scheme): {}", err.what(), which, name));
    }
  };
  if (!s.scale_rule.empty() && !iequals(s.scale_rule, "floor") && find_scheme(name_a) && find_scheme(name_a)->kind != SchemeKind::mx &&
      find_scheme(name_b) && find_scheme(name_b)->kind != SchemeKind::mx)
    throw std::invalid_argument(fmt::format("scale_rule: applies to the MX schemes, not to {}", s.scheme));
  e.block_a = make(name_a, s.a_format, 0, "A");
  e.block_b = make(name_b, b_given, 1, "B");
  t.a_format = e.block_a->element.name;
  t.b_format = e.block_b->element.name;
  e.acc = resolve_accumulator(t);
}

// algorithm = strassen:L: what the recursion needs (strassen.hpp), checked on the spec so that the
// messages name the user's key; the accumulator's own limits by check_strassen_accumulator.
int resolve_algorithm(const ExperimentSpec& s, const ResolvedExperiment& e) {
  const GemmAlgorithm alg = parse_gemm_algorithm(s.algorithm);
  if (alg.strassen_levels == 0) return 0;
  const std::string name = alg.describe();
  const auto refuse = [&](const std::string& why) {
    return std::invalid_argument(fmt::format("algorithm {}: {}", name, why));
  };
  if (!is_custom(s))
    throw refuse(fmt::format("needs a custom accumulator (acc_format, rounding), not model {}", s.model));
  if (e.block_a) throw refuse(fmt::format("not available with block scheme {}", s.scheme));
  if (!iequals(s.backend, "cpu")) throw refuse(fmt::format("runs on the cpu backend only, not {}", s.backend));
  if (!s.block_fma.empty()) throw refuse("not available with block_fma (a fused unit is one classical kernel)");
  if (s.scale_a != 1.0 || s.scale_b != 1.0) throw refuse("scale_a and scale_b must be 1");
  check_strassen_sizes(alg, s.M, s.N, s.K);
  check_strassen_accumulator(e.acc);
  return alg.strassen_levels;
}

// amax_history_len / outlier_growth: the history belongs to an operand under fp8-delayed, and the
// growth to an outliers distribution of such an operand; anything else would be silently ignored.
void resolve_delayed_history(const ExperimentSpec& s, ResolvedExperiment& e) {
  if (s.amax_history_len < 0 || s.amax_history_len > kMaxAmaxHistoryLen)
    throw std::invalid_argument(
        fmt::format("amax_history_len: {} is not in 0..{}", s.amax_history_len, kMaxAmaxHistoryLen));
  if (!(s.outlier_growth > 0) || !std::isfinite(s.outlier_growth))
    throw std::invalid_argument(fmt::format("outlier_growth: {} must be positive and finite", s.outlier_growth));
  const auto delayed = [](const std::optional<BlockScheme>& b) {
    return b && b->info->kind == SchemeKind::fp8_delayed;
  };
  if (s.amax_history_len > 0 && !delayed(e.block_a) && !delayed(e.block_b))
    throw std::invalid_argument(fmt::format(
        "amax_history_len: applies to an operand under scheme fp8-delayed, not to scheme {}", s.scheme));
  if (s.outlier_growth != 1.0) {
    if (s.amax_history_len == 0)
      throw std::invalid_argument("outlier_growth: grows the outliers of the amax history; give amax_history_len > 0");
    const auto outliers = [](const std::optional<Distribution>& d) { return d && d->kind == DistKind::outliers; };
    if (!(delayed(e.block_a) && outliers(e.dist_a)) && !(delayed(e.block_b) && outliers(e.dist_b)))
      throw std::invalid_argument(fmt::format(
          "outlier_growth: needs dist outliers:FRAC:FACTOR on an operand under fp8-delayed (dist {}, b_dist {}, scheme {})",
          s.dist, s.b_dist.empty() ? s.dist : s.b_dist, s.scheme));
  }
  e.amax_history_len = s.amax_history_len;
  e.outlier_growth = s.outlier_growth;
}

}  // namespace

std::pair<std::string, std::string> split_scheme(std::string_view scheme) {
  const std::string s = to_lower(scheme);
  if (s.empty() || s == "none") return {"none", "none"};
  const auto plus = s.find('+');
  if (plus == std::string::npos) return {s, s};
  const std::string a = s.substr(0, plus), b = s.substr(plus + 1);
  if (a.empty() || b.empty() || a == "none" || b == "none" || b.find('+') != std::string::npos)
    throw std::invalid_argument(fmt::format("scheme: '{}' is not NAME or A+B (two scheme names)", scheme));
  return {a, b};
}

BlockFma parse_block_fma(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return std::invalid_argument(
        fmt::format("block_fma: '{}' {}; expected L,F with L in [1, 1024] products per step and "
                    "F in [1, 48] bits kept below the largest exponent (e.g. 32,13)", text, why));
  };
  const auto comma = text.find(',');
  if (comma == std::string_view::npos) throw bad("has no comma");
  auto num = [&](std::string_view t, const char* what) {
    int v = 0;
    const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc{} || p != t.data() + t.size())
      throw bad(fmt::format("has {} '{}', not an integer", what, t));
    return v;
  };
  BlockFma b;
  b.L = num(text.substr(0, comma), "L");
  b.F = num(text.substr(comma + 1), "F");
  if (b.L < 1 || b.L > 1024) throw bad(fmt::format("has L = {} outside [1, 1024]", b.L));
  if (b.F < 1 || b.F > 48) throw bad(fmt::format("has F = {} outside [1, 48]", b.F));
  return b;
}

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
        {"block_fma", s.block_fma != defaults.block_fma},
        {"c_format", s.c_format != defaults.c_format},
        {"c_rounding", !iequals(s.c_rounding, defaults.c_rounding)},
    };
    for (const auto& [field, set] : custom_only)
      if (set)
        throw std::invalid_argument(fmt::format(
            "{}: a named model ({}) fixes its accumulator; {} applies to custom models only", field,
            s.model, field));
    for (const auto& [field, set] : fused_only_fields(s))
      if (set)
        throw std::invalid_argument(fmt::format(
            "{}: a named model ({}) fixes its accumulator; {} applies to custom block_fma units only", field,
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
    if (!s.block_fma.empty()) {
      make_block_fma(s, r, acc);
    } else {
      for (const auto& [field, set] : fused_only_fields(s))
        if (set)
          throw std::invalid_argument(fmt::format(
              "{}: a part of the fused block-FMA unit; give block_fma L,F too (a scalar accumulator has none)",
              field));
    }
    resolve_c_read(s, acc);
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
  acc.output_scale_mode = parse_output_scale_mode(s.output_scale_mode);
  if (acc.output_scale_mode == OutputScaleMode::after && s.output_format.empty())
    throw std::invalid_argument("output_scale_mode after needs an output_format (the value is stored in it, then rescaled)");
  if (acc.output_scale_mode == OutputScaleMode::after && !acc.output_format->values_are_floats())
    throw std::invalid_argument(fmt::format(
        "output_scale_mode after: output_format {} is wider than fp32 (the rescale after storing is an fp32 multiply)",
        acc.output_format->name));
  acc.scale_a = s.scale_a;
  acc.scale_b = s.scale_b;
  acc.quantize.reset();  // run_experiment quantises itself (so the reference sees the same inputs)
  if (acc.fused && !s.block_fma.empty()) {
    // Name the flag in the unit's own validation errors (promotion not a multiple of L, ...).
    try {
      acc.validate();
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("block_fma {}: {}", s.block_fma, e.what()));
    }
  } else {
    acc.validate();
  }
  return acc;
}

ResolvedExperiment resolve_experiment(const ExperimentSpec& s) {
  check_sizes(s);
  ResolvedExperiment e;
  e.backend = &get_backend(s.backend);
  e.backend->check_available();  // no CUDA device: NoDeviceError before any work
  // A GPU backend: each process of a parallel launch takes the GPU of its local rank, so that the
  // ranks on one machine spread over its devices.
  if (const int n = e.backend->devices(); n > 0) e.device = gpu_for_local_rank(launch_place().local_rank, n);
  const auto ref_kind = find_reference(s.reference);
  if (!ref_kind)
    throw std::invalid_argument(fmt::format("reference: unknown '{}'; valid: {}", s.reference,
                                            reference_names()));
  e.reference = *ref_kind;
  e.input_rounding = field_mode("input_rounding", s.input_rounding);
  const std::string overflow = to_lower(s.input_overflow);
  if (overflow != "auto" && overflow != "saturate" && overflow != "spec")
    throw std::invalid_argument(fmt::format("input_overflow: '{}' is not auto, saturate or spec", s.input_overflow));
  e.input_overflow = overflow == "saturate" || (overflow == "auto" && (s.scale_a != 1.0 || s.scale_b != 1.0))
                         ? Overflow::saturate
                         : Overflow::spec;
  const auto [scheme_a, scheme_b] = split_scheme(s.scheme);
  if (scheme_a == "none") {
    if (!s.scale_rule.empty() && !iequals(s.scale_rule, "floor"))
      throw std::invalid_argument("scale_rule: applies to the MX block schemes; scheme is none");
    e.acc = resolve_accumulator(s);
  } else {
    resolve_block_schemes(s, scheme_a, scheme_b, e);
  }
  if (!s.dist.empty()) {
    e.dist_a = parse_distribution(s.dist);
    e.dist_b = s.b_dist.empty() ? *e.dist_a : parse_distribution(s.b_dist);
  }
  if (s.permutations < 0)
    throw std::invalid_argument(fmt::format("permutations: {} is negative", s.permutations));
  if (s.permutations > 100000)
    throw std::invalid_argument(fmt::format("permutations: {} is more than 100000", s.permutations));
  e.input_seed = input_seed(s);
  e.M = s.M;
  e.N = s.N;
  e.K = s.K;
  e.permutations = s.permutations;
  const std::string reference_of = to_lower(s.reference_of);
  if (reference_of != "quantised" && reference_of != "original")
    throw std::invalid_argument(fmt::format("reference_of: '{}' is not quantised or original", s.reference_of));
  e.reference_original = reference_of == "original";
  e.scale_a = s.scale_a;
  e.scale_b = s.scale_b;
  e.output_scale = s.output_scale;
  resolve_delayed_history(s, e);
  e.strassen_levels = resolve_algorithm(s, e);
  return e;
}

}  // namespace floatscope
