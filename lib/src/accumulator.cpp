// Accumulator descriptions: parsing, validation and one-line descriptions.
#include "floatscope/accumulator.hpp"
#include "floatscope/names.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace floatscope {
namespace {

constexpr std::string_view kOrderForms =
    "sequential, reverse, pairwise, blocked:B, splitk:S, random:SEED";

std::uint64_t parse_uint(std::string_view text, std::string_view whole) {
  std::uint64_t v = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc{} || ptr != end)
    throw std::invalid_argument(fmt::format("accumulation order '{}': '{}' is not a non-negative "
                                            "integer (accepted: {})", whole, text, kOrderForms));
  return v;
}

std::string rounding_text(const Format& f, const Rounding& r) {
  std::string s = fmt::format("{}/{}", f.name, mode_name(r.mode));
  if (r.mode == Mode::sr && r.sr_bits != 64) s += fmt::format("{}", r.sr_bits);
  if (r.overflow == Overflow::saturate) s += "/sat";
  return s;
}

bool is_binary64(const Format& f) {
  return f.exp_bits == 11 && f.man_bits == 52 && f.bias == 1023 && f.subnormals &&
         f.specials == Specials::ieee;
}

// A target rounded from a double-double must have precision <= 51 (round-to-odd needs two
// spare bits); binary64 itself is only exact with rne, where a double sum is already correct.
void check_dd_target(const Format& f, const Rounding& r, std::string_view what) {
  if (f.precision <= 51) return;
  if (is_binary64(f) && r.mode == Mode::rne) return;
  throw std::invalid_argument(fmt::format(
      "{} format {} (precision {}) cannot be rounded exactly from a double-double with mode {}: "
      "use precision <= 51, or fp64 with rne",
      what, f.name, f.precision, mode_name(r.mode)));
}

}  // namespace

std::string Order::describe() const {
  switch (kind) {
    case OrderKind::sequential: return "sequential";
    case OrderKind::reverse: return "reverse";
    case OrderKind::pairwise: return "pairwise";
    case OrderKind::blocked: return fmt::format("blocked:{}", param);
    case OrderKind::splitk: return fmt::format("splitk:{}", param);
    case OrderKind::random: return fmt::format("random:{}", seed);
  }
  return "?";
}

Order parse_accumulator_order(std::string_view text) {
  const auto colon = text.find(':');
  const std::string head_lower = to_lower(text.substr(0, colon));
  const std::string_view head = head_lower;
  const bool has_arg = colon != std::string_view::npos;
  const std::string_view arg = has_arg ? text.substr(colon + 1) : std::string_view{};
  Order o;
  auto no_arg = [&](OrderKind k) {
    if (has_arg)
      throw std::invalid_argument(fmt::format("accumulation order '{}': '{}' takes no parameter "
                                              "(accepted: {})", text, head, kOrderForms));
    o.kind = k;
    return o;
  };
  auto positive = [&](OrderKind k) {
    if (!has_arg)
      throw std::invalid_argument(fmt::format("accumulation order '{}': '{}' needs a size, as "
                                              "'{}:64' (accepted: {})", text, head, head, kOrderForms));
    const std::uint64_t v = parse_uint(arg, text);
    if (v < 1 || v > (1u << 30))
      throw std::invalid_argument(fmt::format("accumulation order '{}': size {} must be in "
                                              "[1, 2^30]", text, v));
    o.kind = k;
    o.param = static_cast<int>(v);
    return o;
  };
  if (head == "sequential") return no_arg(OrderKind::sequential);
  if (head == "reverse") return no_arg(OrderKind::reverse);
  if (head == "pairwise") return no_arg(OrderKind::pairwise);
  if (head == "blocked") return positive(OrderKind::blocked);
  if (head == "splitk") return positive(OrderKind::splitk);
  if (head == "random") {
    if (!has_arg)
      throw std::invalid_argument(fmt::format("accumulation order '{}': 'random' needs a seed, as "
                                              "'random:7' (accepted: {})", text, kOrderForms));
    o.kind = OrderKind::random;
    o.seed = parse_uint(arg, text);
    return o;
  }
  throw std::invalid_argument(fmt::format("unknown accumulation order '{}' (accepted: {})", text,
                                          kOrderForms));
}

std::string_view compensation_name(Compensation c) {
  switch (c) {
    case Compensation::none: return "none";
    case Compensation::kahan: return "kahan";
    case Compensation::neumaier: return "neumaier";
  }
  return "?";
}

Compensation parse_compensation(std::string_view text) {
  if (iequals(text, "none")) return Compensation::none;
  if (iequals(text, "kahan")) return Compensation::kahan;
  if (iequals(text, "neumaier")) return Compensation::neumaier;
  throw std::invalid_argument(fmt::format("unknown compensation '{}' (accepted: none, kahan, "
                                          "neumaier)", text));
}

std::string_view output_scale_mode_name(OutputScaleMode m) {
  return m == OutputScaleMode::after ? "after" : "fused";
}

OutputScaleMode parse_output_scale_mode(std::string_view text) {
  if (iequals(text, "fused")) return OutputScaleMode::fused;
  if (iequals(text, "after")) return OutputScaleMode::after;
  throw std::invalid_argument(fmt::format("output_scale_mode: unknown mode '{}' (accepted: fused, after)", text));
}

std::string_view subnormals_name(const UnitSpecials& s) {
  if (s.flush_inputs && s.flush_results) return "flush";
  if (s.flush_inputs) return "flush-inputs";
  return s.flush_results ? "flush-results" : "keep";
}

void parse_subnormals(std::string_view text, UnitSpecials& s) {
  const std::pair<std::string_view, std::pair<bool, bool>> forms[] = {
      {"keep", {false, false}}, {"flush-inputs", {true, false}}, {"flush-results", {false, true}}, {"flush", {true, true}}};
  for (const auto& [name, flags] : forms)
    if (iequals(text, name)) {
      s.flush_inputs = flags.first;
      s.flush_results = flags.second;
      return;
    }
  throw std::invalid_argument(fmt::format(
      "subnormals: unknown rule '{}' (accepted: keep, flush-inputs, flush-results, flush)", text));
}

std::string_view unit_overflow_name(UnitOverflow o) {
  switch (o) {
    case UnitOverflow::ieee: return "ieee";
    case UnitOverflow::saturate: return "saturate";
    default: return "exact-sum";
  }
}

UnitOverflow parse_unit_overflow(std::string_view text) {
  for (UnitOverflow o : {UnitOverflow::exact_sum, UnitOverflow::ieee, UnitOverflow::saturate})
    if (iequals(text, unit_overflow_name(o))) return o;
  throw std::invalid_argument(
      fmt::format("unit_overflow: unknown rule '{}' (accepted: exact-sum, ieee, saturate)", text));
}

std::string_view zero_sign_name(ZeroSign z) { return z == ZeroSign::ieee ? "ieee" : "positive"; }

ZeroSign parse_zero_sign(std::string_view text) {
  if (iequals(text, "positive")) return ZeroSign::positive;
  if (iequals(text, "ieee")) return ZeroSign::ieee;
  throw std::invalid_argument(fmt::format("zero_sign: unknown rule '{}' (accepted: positive, ieee)", text));
}

std::string UnitSpecials::describe() const {
  std::string s;
  auto add = [&](const std::string& part) {
    if (!s.empty()) s += ' ';
    s += part;
  };
  if (flush_inputs || flush_results)
    add(fmt::format("subnormals={}", subnormals_name(*this)));
  if (overflow != UnitOverflow::exact_sum) add(fmt::format("overflow={}", unit_overflow_name(overflow)));
  if (zero_sign != ZeroSign::positive) add(fmt::format("zero={}", zero_sign_name(zero_sign)));
  return s;
}

void Accumulator::validate() const {
  // A default Format has no derived constants; naming the unset part beats emulating garbage.
  auto need = [](const Format& f, const char* what) {
    if (f.precision < 1)
      throw std::invalid_argument(fmt::format("accumulator: {} format is not set", what));
  };
  need(a_format, "input A");
  need(b_format, "input B");
  if (fused) {
    need(fused->out, "fused unit output");
    if (fused->c_outside) need(fused->c_add_format, "fused c-add");
  } else {
    need(acc_format, "accumulator");
  }
  if (promote > 0 || scale_a != 1.0 || scale_b != 1.0) need(outer_format, "outer");
  if (!product_format && !fused) {
    // Exact products must be exact doubles: precision and exponent range both fit.
    const int pa = a_format.precision, pb = b_format.precision;
    const int lo = a_format.emin - a_format.man_bits + b_format.emin - b_format.man_bits;
    const int hi = a_format.emax + b_format.emax + 2;
    if (pa + pb > 53 || lo < -1074 || hi > 1023)
      throw std::invalid_argument(fmt::format(
          "exact products of {} x {} do not fit a double (precision {}+{}, exponents {}..{}): "
          "give a product format", a_format.name, b_format.name, pa, pb, lo, hi));
  }
  if (product_format) check_dd_target(*product_format, product_rounding, "product");
  if (fused) {
    const FusedUnit& u = *fused;
    if (u.L < 1 || u.L > 1024)
      throw std::invalid_argument(fmt::format("fused unit: L = {} must be in [1, 1024]", u.L));
    if (u.F < 1 || u.F > 48)
      throw std::invalid_argument(fmt::format("fused unit: F = {} must be in [1, 48]", u.F));
    for (const Format* f : {&a_format, &b_format})
      if (f->precision > 24 || f->emax > 127 || f->emin < -126)
        throw std::invalid_argument(fmt::format(
            "fused unit: input format {} is wider than fp32 (the unit takes fp32-range inputs)",
            f->name));
    // emin: the step scales terms by 2^(F-E) with E down to the output's emin (a lone c).
    if (u.out.precision > 51 || u.out.emax > 1000 || u.out.emin < -960)
      throw std::invalid_argument(fmt::format("fused unit: output format {} too wide", u.out.name));
    if (u.c_outside) check_dd_target(u.c_add_format, u.c_add_rounding, "fused c-add");
    if (u.align_mode != Mode::rtz && u.align_mode != Mode::rne)
      throw std::invalid_argument(fmt::format("fused unit: aligned terms are truncated (rtz) or rounded to "
                                              "nearest (rne), not {}", mode_name(u.align_mode)));
    if (promote > 0 && promote % u.L != 0)
      throw std::invalid_argument(fmt::format("fused unit: promotion interval {} must be a "
                                              "multiple of L = {}", promote, u.L));
    if (u.pair_interleave && (u.c_outside || u.L > 512 || (promote > 0 && promote % (2 * u.L) != 0)))
      throw std::invalid_argument(fmt::format("fused unit: interleaved pairs run instructions of 2L = {} products "
                                              "(L <= 512, C not after the products, promotion a multiple of 2L)",
                                              2 * u.L));
    if (product_format)
      throw std::invalid_argument("fused unit: products are exact inside the unit; drop the "
                                  "product format");
    if (compensation != Compensation::none || order.kind != OrderKind::sequential)
      throw std::invalid_argument("fused unit: the chain runs sequentially along K without "
                                  "compensation");
  } else {
    check_dd_target(acc_format, acc_rounding, "accumulator");
    if (reduce_format) check_dd_target(*reduce_format, reduce_rounding, "split-K reduction");
    if (compensation != Compensation::none && order.kind == OrderKind::pairwise)
      throw std::invalid_argument("compensated summation needs a sequential chain; order "
                                  "'pairwise' has none");
    if (promote > 0 && order.kind != OrderKind::sequential)
      throw std::invalid_argument(fmt::format("promotion (every {} of K) needs order 'sequential', "
                                              "not '{}'", promote, order.describe()));
  }
  if (promote < 0)
    throw std::invalid_argument(fmt::format("promotion interval {} must be >= 0", promote));
  // The outer format rounds the promoted sums and also the scales (scale_a*scale_b and the
  // scaled result): whenever it is set it must be exact to round into, with or without promotion.
  if (outer_format.precision >= 1) check_dd_target(outer_format, outer_rounding, "outer accumulator");
  if (output_format) check_dd_target(*output_format, output_rounding, "output");
  // The rescale after storing is an fp32 multiply (OutputScaleMode): the stored values must be fp32
  // values, or that multiply would not be the framework's.
  if (output_format && output_scale_mode == OutputScaleMode::after && !output_format->values_are_floats())
    throw std::invalid_argument(fmt::format(
        "output_scale_mode after: output format {} is wider than fp32 (the rescale after storing is an "
        "fp32 multiply); use fused",
        output_format->name));
  if (c_format) {
    check_dd_target(*c_format, c_rounding, "C conversion");
    if (is_stochastic(c_rounding.mode))
      throw std::invalid_argument("C conversion: stochastic rounding is not supported (C is converted once, "
                                  "before the dot products)");
  }
  if (!(std::isfinite(scale_a) && std::isfinite(scale_b) && std::isfinite(output_scale)))
    throw std::invalid_argument("scales must be finite");
}

std::string Accumulator::describe() const {
  std::string s = fmt::format("a={} b={}", a_format.name, b_format.name);
  if (quantize) s += fmt::format(" quantise={}", mode_name(quantize->mode));
  if (c_format) s += fmt::format(" c={}", rounding_text(*c_format, c_rounding));
  if (fused) {
    const FusedUnit& u = *fused;
    s += fmt::format(" fused(L={} F={} out={}", u.L, u.F, rounding_text(u.out, Rounding{u.out_mode}));
    if (u.align_mode != Mode::rtz) s += fmt::format(" align={}", mode_name(u.align_mode));
    if (u.normalized_products) s += " products=normalised";
    if (u.pair_interleave) s += fmt::format(" interleaved-pairs/{}", 2 * u.L);
    if (u.c_outside) s += fmt::format(" c-after={}", rounding_text(u.c_add_format, u.c_add_rounding));
    if (!u.specials.is_default()) s += fmt::format(" {}", u.specials.describe());
    s += ")";
  } else {
    s += product_format ? fmt::format(" products={}", rounding_text(*product_format, product_rounding))
                        : std::string(" products=exact");
    s += fmt::format(" acc={} order={}", rounding_text(acc_format, acc_rounding), order.describe());
    if (compensation != Compensation::none) s += fmt::format(" comp={}", compensation_name(compensation));
    if (order.kind == OrderKind::splitk && reduce_format)
      s += fmt::format(" reduce={}", rounding_text(*reduce_format, reduce_rounding));
  }
  if (promote > 0) s += fmt::format(" promote={} outer={}", promote, rounding_text(outer_format, outer_rounding));
  if (scale_a != 1.0 || scale_b != 1.0) s += fmt::format(" scale_a={} scale_b={}", scale_a, scale_b);
  if (output_format) {
    s += fmt::format(" out={}", rounding_text(*output_format, output_rounding));
    if (output_scale != 1.0) s += fmt::format("*{}", output_scale);
    if (output_scale_mode == OutputScaleMode::after) s += " rescale=after(fp32)";
  }
  return s;
}

Accumulator make_scalar_accumulator(const Format& in, const Format& acc, const Rounding& r) {
  Accumulator a;
  a.a_format = in;
  a.b_format = in;
  a.acc_format = acc;
  a.acc_rounding = r;
  a.outer_format = parse_format("fp32");
  return a;
}

}  // namespace floatscope
