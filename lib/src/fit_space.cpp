// The search space of fit(): candidate Accumulators, their labels, the `floatscope gemm` flags
// that run them, and the named hardware models with the same parameters.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "floatscope/fit.hpp"
#include "floatscope/models.hpp"

namespace floatscope {
namespace {

constexpr const char* kCEntryNames[] = {"first-step", "after-products", "outer"};

// Significant bits of a finite nonzero double (1 for powers of two).
int significant_bits(double v) {
  int e = 0;
  const double m = std::frexp(std::fabs(v), &e);  // [0.5, 1)
  const auto bits = static_cast<std::uint64_t>(std::ldexp(m, 53));
  return 53 - std::countr_zero(bits);
}

std::string output_key(const Accumulator& acc) {
  if (!acc.output_format) return "";
  return fmt::format(" output={}/{}x{}", acc.output_format->name, mode_name(acc.output_rounding.mode), acc.output_scale);
}

// The aligner variant of a unit (truncation of unnormalised products when empty).
std::string aligner_key(const Accumulator& acc) {
  if (!acc.fused) return "";
  std::string s;
  if (acc.fused->align_mode != Mode::rtz) s += fmt::format(" align={}", mode_name(acc.fused->align_mode));
  if (acc.fused->normalized_products) s += " products=normalised";
  if (acc.fused->pair_interleave) s += fmt::format(" interleaved-pairs/{}", 2 * acc.fused->L);
  if (!acc.fused->specials.is_default()) s += fmt::format(" {}", acc.fused->specials.describe());
  return s;
}

// C read in D's type (fp16 accumulation): part of both the parameters and the label.
std::string c_read_key(const Accumulator& acc) {
  if (!acc.c_format) return "";
  return fmt::format(" C-read={}/{}", acc.c_format->name, mode_name(acc.c_rounding.mode));
}

// The format of a model's result before any output conversion.
const Format& final_format(const Accumulator& acc) {
  if (!acc.fused) return acc.acc_format;
  if (acc.promote > 0) return acc.outer_format;
  return acc.fused->c_outside ? acc.fused->c_add_format : acc.fused->out;
}

bool all_values_of(const std::vector<double>& d, const Format& f) {
  for (double v : d)
    if (std::isfinite(v) && round(v, f) != v) return false;
  return true;
}

// The parameters that decide a candidate's results on dot products of length K, as one string:
// block sizes of K or more are one (a single step), promotion at K or beyond is "at the end".
std::string parameter_key(const Accumulator& acc, int K) {
  if (acc.fused) {
    const FusedUnit& u = *acc.fused;
    // Adding each step's products into a running value that started at C, with one rounding, is
    // promotion into that value every L: one description for both.
    Format outer = acc.outer_format;
    Mode outer_mode = acc.outer_rounding.mode;
    int promote = acc.promote;
    if (u.c_outside && promote == 0) {
      outer = u.c_add_format;
      outer_mode = u.c_add_rounding.mode;
      promote = u.L;
    }
    std::string c = "first-step";
    if (promote > 0)
      c = fmt::format("outer({}/{}) promote={}", outer.name, mode_name(outer_mode),
                      promote >= K ? std::string("end") : std::to_string(promote));
    if (u.c_outside && acc.promote > 0) c += " c-add";  // both: a schedule of its own
    return fmt::format("a={} b={} fused L={} F={}{} out={}/{} C={}{}{}", acc.a_format.name, acc.b_format.name,
                       std::min(u.L, K), u.F, aligner_key(acc), u.out.name, mode_name(u.out_mode), c, c_read_key(acc),
                       output_key(acc));
  }
  return fmt::format("a={} b={} scalar {}/{} {} products={} compensation={}{}{}", acc.a_format.name,
                     acc.b_format.name, acc.acc_format.name, mode_name(acc.acc_rounding.mode),
                     acc.order.describe(), acc.product_format ? acc.product_format->name : "exact",
                     compensation_name(acc.compensation), c_read_key(acc), output_key(acc));
}

std::string fused_label(const Accumulator& acc, int K) {
  const FusedUnit& u = *acc.fused;
  std::string s = fmt::format("block-fma L={} F={}{} out={}/{}", u.L >= K ? fmt::format("{} (whole K)", K) : std::to_string(u.L),
                              u.F, aligner_key(acc), u.out.name, mode_name(u.out_mode));
  if (u.c_outside)
    s += fmt::format(" C=after-products ({}/{})", u.c_add_format.name, mode_name(u.c_add_rounding.mode));
  else if (acc.promote >= K)
    s += fmt::format(" C=at-end ({}/{})", acc.outer_format.name, mode_name(acc.outer_rounding.mode));
  else if (acc.promote > 0)
    s += fmt::format(" C=outer promote={} ({}/{})", acc.promote, acc.outer_format.name, mode_name(acc.outer_rounding.mode));
  else
    s += " C=first-step";
  return s + c_read_key(acc);
}

// (parameter key, name) of every hardware model that takes these input formats.
std::vector<std::pair<std::string, std::string>> hardware_keys(const Format& a, const Format& b, int K) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const ModelInfo& m : hardware_models()) {
    const auto takes = [&](const Format& f) {
      return std::find(m.input_formats.begin(), m.input_formats.end(), f.name) != m.input_formats.end();
    };
    if (takes(a) && takes(b)) out.emplace_back(parameter_key(model_accumulator(m.name, a, b), K), m.name);
  }
  return out;
}

std::string names_with_key(const std::vector<std::pair<std::string, std::string>>& keys, const std::string& key) {
  std::string names;
  for (const auto& [k, name] : keys)
    if (k == key) names += (names.empty() ? "" : ", ") + name;
  return names;
}

}  // namespace

bool fit_same(double got, double want) {
  if (std::isnan(got) || std::isnan(want)) return std::isnan(got) && std::isnan(want);
  return got == want && std::signbit(got) == std::signbit(want);
}

std::size_t FitResult::full_matches() const {
  std::size_t n = 0;
  for (const auto& m : models) n += m.matched == cases;
  return n;
}

std::vector<FitModel> fit_candidates(const DotCases& data, const FitSpace& space,
                                     std::vector<std::string>* out_formats) {
  const int K = data.K;
  const Format fp32 = parse_format("fp32");
  // Cheap filter: the finest grid the recorded results use. A model whose final format is
  // coarser cannot produce them; finer output precisions than fp32 are not tried by the unit.
  int p_seen = 1;
  bool beyond_fp32 = false;
  for (double v : data.d)
    if (std::isfinite(v) && v != 0) {
      p_seen = std::max(p_seen, significant_bits(v));
      if (std::fabs(v) > fp32.max_finite || std::fabs(v) < fp32.min_subnormal) beyond_fp32 = true;
    }
  // Step output formats: the finest grid seen (when finer than fp32), the 14-bit accumulator of
  // the FP8 units, fp32. A step result that is the final result (C in the first step, no
  // promotion) must be at least as fine as the grid seen; one added into an fp32 sum need not.
  std::vector<Format> outs;
  // D types narrower than fp32 that hold every recorded result: a unit accumulating in one (fp16:
  // mma ... .f16 with fp16 C and D) rounds each step to it, with its range and subnormals.
  std::vector<Format> d_types;
  const Format fp16 = parse_format("fp16");
  if (space.d_types && all_values_of(data.d, fp16)) d_types.push_back(fp16);
  if (!beyond_fp32 && p_seen <= 24) {
    const int seen_m = std::max(p_seen, 2) - 1;
    if (seen_m < 23 && seen_m != 13) outs.push_back(make_format(fmt::format("e8m{}", seen_m), 8, seen_m, 127));
    outs.push_back(make_format("e8m13", 8, 13, 127));
    outs.push_back(fp32);
  }
  outs.insert(outs.end(), d_types.begin(), d_types.end());
  if (out_formats)
    for (const auto& f : outs) out_formats->push_back(f.name);

  std::vector<FitModel> c;
  auto add = [&](Accumulator acc) {
    FitModel m;
    m.label = acc.fused ? fused_label(acc, K) : "";
    m.acc = std::move(acc);
    c.push_back(std::move(m));
  };
  const bool fused_inputs_ok = space.a_format.precision <= 24 && space.b_format.precision <= 24 &&
                               space.a_format.emax <= 127 && space.b_format.emax <= 127;
  if (space.fused && fused_inputs_ok) {
    std::vector<int> Ls;
    for (int L = 1; L <= std::min(space.L_max, K); ++L) Ls.push_back(L);
    if (K > space.L_max && K <= 1024) Ls.push_back(K);  // the unit takes at most 1024 per step
    for (int L : Ls)
      for (int F = space.F_min; F <= space.F_max; ++F)
        for (const Format& out : outs)
          for (Mode om : space.out_modes) {
            Accumulator base;
            base.a_format = space.a_format;
            base.b_format = space.b_format;
            base.acc_format = out;
            base.acc_rounding = Rounding{om};
            base.outer_format = fp32;
            base.outer_rounding = Rounding{Mode::rne};
            FusedUnit u;
            u.L = L;
            u.F = F;
            u.out = out;
            u.out_mode = om;
            base.fused = u;
            if (out.precision >= p_seen) add(base);
            // The instruction reads C in D's type: C rounded onto the unit's output format first.
            const bool is_d_type = std::any_of(d_types.begin(), d_types.end(),
                                               [&](const Format& f) { return f.name == out.name; });
            if (is_d_type && out.precision >= p_seen) {
              Accumulator c_read = base;
              c_read.c_format = out;
              c_read.c_rounding = Rounding{Mode::rne};
              add(c_read);
            }
            if (!space.c_entries) continue;
            // FP8 mma.sync with fp16 D on the fp16 datapath: instructions of 2L products as two
            // steps over interleaved pairs of k, C added into an fp16 sum after each instruction.
            if (is_d_type && L % 2 == 0 && 2 * L <= K && K % (2 * L) == 0) {
              for (Mode outer_mode : {Mode::rne, Mode::rtz}) {
                Accumulator il = base;
                il.fused->pair_interleave = true;
                il.promote = 2 * L;
                il.outer_format = out;
                il.outer_rounding = Rounding{outer_mode};
                il.c_format = out;
                il.c_rounding = Rounding{Mode::rne};
                add(il);
              }
            }
            Accumulator after = base;
            after.fused->c_outside = true;
            after.fused->c_add_format = fp32;
            after.fused->c_add_rounding = Rounding{Mode::rne};
            add(after);
            for (Mode outer_mode : {Mode::rne, Mode::rtz}) {
              Accumulator end = base;
              end.outer_rounding = Rounding{outer_mode};
              end.promote = (K + L - 1) / L * L;  // the first multiple of L at or beyond K: once, at the end
              add(end);
              if (!space.promotion) continue;
              // Promotion intervals as libraries use them: powers of two from 16, multiples of L.
              for (int P = 16; P < K; P *= 2) {
                if (P % L != 0) continue;
                Accumulator p = end;
                p.promote = P;
                add(p);
              }
            }
          }
  }
  if (space.scalar)
    for (const auto& fname : space.scalar_formats) {
      const Format f = parse_format(fname);
      if (f.precision < p_seen) continue;  // its sums cannot carry the recorded bits
      for (Mode m : space.scalar_modes)
        for (const auto& order : space.scalar_orders) {
          Accumulator acc = make_scalar_accumulator(space.a_format, f, Rounding{m});
          acc.b_format = space.b_format;
          acc.order = parse_accumulator_order(order);
          try {
            acc.validate();  // fp64 takes rne only
          } catch (const std::invalid_argument&) {
            continue;
          }
          FitModel fm;
          fm.label = fmt::format("scalar {}/{} {}", f.name, mode_name(m), order);
          fm.acc = acc;
          c.push_back(fm);
          // An fp16 accumulator of an fp16-D instruction reads C in fp16 too.
          if (std::any_of(d_types.begin(), d_types.end(), [&](const Format& d) { return d.name == f.name; })) {
            fm.acc.c_format = f;
            fm.acc.c_rounding = Rounding{Mode::rne};
            fm.label += c_read_key(fm.acc);
            c.push_back(std::move(fm));
          }
        }
    }
  // A final conversion of D to a narrower format (an fp16/bf16 D): tried when every recorded
  // result is a value of that format, rounded with rne or rtz, after every model above.
  if (space.output_conversion) {
    std::vector<FitModel> converted;
    for (const char* name : {"fp16", "bf16"}) {
      const Format f = parse_format(name);
      if (!all_values_of(data.d, f)) continue;
      for (Mode m : {Mode::rne, Mode::rtz})
        for (const FitModel& base : c) {
          if (final_format(base.acc).name == f.name) continue;  // already a value of f: no conversion
          FitModel x = base;
          x.acc.output_format = f;
          x.acc.output_rounding = Rounding{m};
          x.label += fmt::format(" output={}/{}", f.name, mode_name(m));
          converted.push_back(std::move(x));
        }
    }
    c.insert(c.end(), std::make_move_iterator(converted.begin()), std::make_move_iterator(converted.end()));
  }
  if (space.aligners == AlignerSearch::all) {
    std::vector<FitModel> v = aligner_variants(c, K);
    c.insert(c.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
  }
  // Likely first: the parameters of known hardware units tighten the search's bound early.
  const auto keys = hardware_keys(space.a_format, space.b_format, K);
  std::stable_partition(c.begin(), c.end(), [&](const FitModel& m) {
    return !names_with_key(keys, parameter_key(m.acc, K)).empty();
  });
  return c;
}

std::string fit_label(const Accumulator& acc, int K) {
  std::string s = acc.fused ? fused_label(acc, K)
                            : fmt::format("scalar {}/{} {}{}", acc.acc_format.name, mode_name(acc.acc_rounding.mode),
                                          acc.order.describe(), c_read_key(acc));
  if (acc.output_format)
    s += fmt::format(" output={}/{}", acc.output_format->name, mode_name(acc.output_rounding.mode));
  return s;
}

std::vector<FitModel> aligner_variants(const std::vector<FitModel>& units, int K) {
  std::vector<FitModel> out;
  for (const auto& [align, norm] : {std::pair{Mode::rne, false}, std::pair{Mode::rtz, true}, std::pair{Mode::rne, true}})
    for (const FitModel& m : units) {
      if (!m.acc.fused) continue;
      FitModel v = m;
      v.acc.fused->align_mode = align;
      v.acc.fused->normalized_products = norm;
      v.label = fit_label(v.acc, K);
      out.push_back(std::move(v));
    }
  return out;
}

std::vector<UnitSpecials> special_rule_sets() {
  std::vector<UnitSpecials> sets;
  for (int f = 0; f < 4; ++f)
    for (UnitOverflow o : {UnitOverflow::exact_sum, UnitOverflow::ieee, UnitOverflow::saturate})
      for (ZeroSign z : {ZeroSign::positive, ZeroSign::ieee}) {
        UnitSpecials s;
        s.flush_inputs = (f & 1) != 0;
        s.flush_results = (f & 2) != 0;
        s.overflow = o;
        s.zero_sign = z;
        sets.push_back(s);
      }
  auto changes = [](const UnitSpecials& s) {
    return int{s.flush_inputs} + int{s.flush_results} + int{s.overflow != UnitOverflow::exact_sum} +
           int{s.zero_sign != ZeroSign::positive};
  };
  std::stable_sort(sets.begin(), sets.end(),
                   [&](const UnitSpecials& x, const UnitSpecials& y) { return changes(x) < changes(y); });
  return sets;
}

std::vector<FitModel> special_variants(const std::vector<FitModel>& units, const std::vector<UnitSpecials>& sets,
                                       int K) {
  std::vector<FitModel> out;
  for (const UnitSpecials& sp : sets) {
    if (sp.is_default()) continue;
    for (const FitModel& m : units) {
      if (!m.acc.fused) continue;
      FitModel v = m;
      v.acc.fused->specials = sp;
      v.label = fit_label(v.acc, K);
      out.push_back(std::move(v));
    }
  }
  return out;
}

namespace {
using Kind = GemmFlag::Kind;

void add(std::vector<GemmFlag>& f, std::string name, std::string value, Kind kind = Kind::text) {
  f.push_back({std::move(name), std::move(value), kind});
}

// The output conversion: format, rounding, and the scale with where it enters.
void output_flags(const Accumulator& acc, std::vector<GemmFlag>& f) {
  if (!acc.output_format) return;
  add(f, "output-format", acc.output_format->name);
  add(f, "output-rounding", std::string(mode_name(acc.output_rounding.mode)));
  if (acc.output_scale != 1.0) add(f, "output-scale", fmt::format("{}", acc.output_scale), Kind::number);  // shortest round trip
  if (acc.output_scale_mode == OutputScaleMode::after) add(f, "output-scale-mode", "after");
}

void sr_bits(Mode m, int bits, std::vector<GemmFlag>& f) {
  if (is_stochastic(m) && bits != 64) add(f, "sr-bits", std::to_string(bits), Kind::integer);
}
}  // namespace

// Flags in a fixed order: inputs, the unit or scalar accumulator, its aligner, schedule and
// special-value rules, promotion and its outer accumulator, C's format, the output conversion.
// Parts at their --block-fma defaults (fp32/rne outer, truncating aligner, NVIDIA's rules) give
// no flag. nullopt for what no flag expresses:
//   - scale_a/scale_b other than 1 (--scale-a also divides the inputs by the scale),
//   - an output scale without an output format, or output_scale_mode after without one,
//   - scalar models: a product rounding other than the accumulator's, a split-K reduction format,
//     promotion;
//   - fused units: C after the products together with promotion (its own schedule), and C after
//     the products into a running value whose rounding is stochastic.
// C after the products (FusedUnit::c_outside) is given as promotion every L into an outer
// accumulator of the c-add format and rounding: the outer sum starts at C rounded onto that format
// and adds each step's sum with one rounding, the same arithmetic whenever C is a value of that
// format (fp32 C with fp32 c-add: every recording and every fit candidate).
std::optional<std::vector<GemmFlag>> gemm_flag_list(const Accumulator& acc, int K) {
  if (acc.scale_a != 1.0 || acc.scale_b != 1.0) return std::nullopt;
  if (!acc.output_format && (acc.output_scale != 1.0 || acc.output_scale_mode != OutputScaleMode::fused))
    return std::nullopt;
  std::vector<GemmFlag> f;
  add(f, "a-format", acc.a_format.name);
  add(f, "b-format", acc.b_format.name);
  if (acc.fused) {
    const FusedUnit& u = *acc.fused;
    int promote = acc.promote;
    Format outer = acc.outer_format;
    Mode outer_mode = acc.outer_rounding.mode;
    if (u.c_outside) {
      if (promote != 0 || is_stochastic(u.c_add_rounding.mode)) return std::nullopt;
      outer = u.c_add_format;
      outer_mode = u.c_add_rounding.mode;
    }
    // Blocks of K or more are one step: give K (as fit's labels do) where the promotion allows.
    int L = u.L;
    if (!u.pair_interleave && K >= 1 && K < L && (promote == 0 || promote % K == 0)) L = K;
    if (u.c_outside) promote = L;
    add(f, "block-fma", fmt::format("{},{}", L, u.F));
    add(f, "acc-format", u.out.name);
    add(f, "rounding", std::string(mode_name(u.out_mode)));
    sr_bits(u.out_mode, u.out_sr_bits, f);
    if (u.align_mode != Mode::rtz) add(f, "align", std::string(mode_name(u.align_mode)));
    if (u.normalized_products) add(f, "normalised-products", "", Kind::flag);
    if (u.pair_interleave) add(f, "interleaved-pairs", "", Kind::flag);
    const UnitSpecials plain;
    if (u.specials.flush_inputs || u.specials.flush_results) add(f, "subnormals", std::string(subnormals_name(u.specials)));
    if (u.specials.overflow != plain.overflow) add(f, "unit-overflow", std::string(unit_overflow_name(u.specials.overflow)));
    if (u.specials.zero_sign != plain.zero_sign) add(f, "zero-sign", std::string(zero_sign_name(u.specials.zero_sign)));
    if (promote > 0) {
      add(f, "promote", std::to_string(promote), Kind::integer);
      if (outer.name != "fp32" || outer_mode != Mode::rne) {
        add(f, "outer-format", outer.name);
        add(f, "outer-rounding", std::string(mode_name(outer_mode)));
      }
    }
  } else {
    if (acc.reduce_format || acc.promote > 0) return std::nullopt;
    if (acc.product_format && acc.product_rounding.mode != acc.acc_rounding.mode) return std::nullopt;
    add(f, "acc-format", acc.acc_format.name);
    add(f, "rounding", std::string(mode_name(acc.acc_rounding.mode)));
    sr_bits(acc.acc_rounding.mode, acc.acc_rounding.sr_bits, f);
    add(f, "order", acc.order.describe());
    if (acc.product_format) add(f, "product-format", acc.product_format->name);
    if (acc.compensation != Compensation::none) add(f, "compensation", std::string(compensation_name(acc.compensation)));
  }
  if (acc.c_format) {
    add(f, "c-format", acc.c_format->name);
    add(f, "c-rounding", std::string(mode_name(acc.c_rounding.mode)));
  }
  output_flags(acc, f);
  return f;
}

std::string gemm_flags_text(const std::vector<GemmFlag>& flags) {
  std::string s;
  for (const auto& g : flags) {
    s += (s.empty() ? "--" : " --") + g.name;
    if (g.kind != GemmFlag::Kind::flag) s += " " + g.value;
  }
  return s;
}

std::optional<std::string> gemm_flags(const Accumulator& acc, int K) {
  const auto flags = gemm_flag_list(acc, K);
  if (!flags) return std::nullopt;
  return gemm_flags_text(*flags);
}

std::string same_hardware_model(const Accumulator& acc, int K) {
  return names_with_key(hardware_keys(acc.a_format, acc.b_format, K), parameter_key(acc, K));
}

}  // namespace floatscope
