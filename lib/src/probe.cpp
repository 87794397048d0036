// The probe methodology of docs/references.md s.5 against a black-box instruction step.
//
// Each probe is a closed-form case: exact products of chosen powers of two (and of 1.5 etc.) with
// a chosen C, whose exact sum is known, and whose result tells one parameter apart. The order
// matters: later probes are set up from what earlier ones measured.
//   T1 = largest j with 1 + 2^-j exact (c = 0, two products)          = min(F, P-1)
//   T4 = largest j with 1.5 + 1.5 + 1.5 + 2^-j exact (sum in [4, 8))  = min(F, P-3)
//   so P = T4 + 3 when T4 < T1 (else the result precision is not seen and the C format's is used);
//   L: c = 1 + 2^-T1, 1 at index 0 and 2^-T1 at index m-1: the exact 2 + 2^(1-T1) survives only
//      while both share one step (FHMP21's block-size probe, generalised from fp32's 2^-23);
//   F: 1 - 1 + 2^-j gives 2^-j while j <= F (the cancelling pair fixes the largest exponent at 0,
//      and the exact result needs no bits of the output);
//   alignment: 1 - 1 +- 0.75 * 2^-F gives 0 only under truncation toward zero;
//   step rounding: 4.5 + 0.75 ulp and 4.5 + 0.5 ulp (4.5's last bit is even), and their negatives;
//   C entry: c = 2^-(F+1) with products 1 - 1: inside the alignment c is truncated away, added
//      after the products it is not; then c = 1 plus 0.75 ulp tells the rounding of that addition.
#include "floatscope/probe.hpp"

#include "floatscope/fit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "floatscope/codec.hpp"
#include "floatscope/gemm.hpp"
#include "floatscope/models.hpp"
#include "floatscope/random.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope {
namespace {

double p2(int e) { return std::ldexp(1.0, e); }

bool on_grid(double x, const Format& f) {
  if (!std::isfinite(x) || std::fabs(x) > f.max_finite) return false;
  return round(x, f) == x;
}

bool same_bits(double x, double y) {
  if (std::isnan(x) && std::isnan(y)) return true;
  return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y);
}

// One step through the black box, products given by value (each factored into an a_format and a
// b_format value); nullopt when a value has no such factors or the step has too few products.
//
// Every probe value is multiplied by 2^scale (and the result divided by it, exactly): the probes
// are invariant under a power-of-two scaling as long as nothing overflows or underflows, and the
// scale puts the probes' range [2^-30, 8] into the product range of narrow formats (e4m3's
// products reach only 2^-18 near 1).
class Prober {
 public:
  explicit Prober(const InstructionUnderTest& u) : u_(u) {
    const int lo = std::ilogb(u.a_format.min_normal) + std::ilogb(u.b_format.min_normal);
    const int hi = std::ilogb(u.a_format.max_finite) + std::ilogb(u.b_format.max_finite);
    scale_ = std::max(0, std::min(hi - 3, lo + 30));
  }
  int scale() const { return scale_; }

  std::optional<std::pair<double, double>> factor(double v) const {
    if (v == 0) return std::make_pair(0.0, 0.0);
    static constexpr double kSig[] = {1, 1.5, 1.25, 1.75, 1.125, 1.375, 1.625, 1.875};
    const int half = std::ilogb(v) / 2;
    for (bool normal_only : {true, false})
      for (int d = 0; d <= 80; ++d)
        for (int sgn : {1, -1}) {
          if (d == 0 && sgn < 0) continue;
          for (double s : kSig) {
            const double b = s * p2(half + sgn * d);
            const double a = v / b;
            if (a * b != v || !on_grid(a, u_.a_format) || !on_grid(b, u_.b_format)) continue;
            if (normal_only && (std::fabs(a) < u_.a_format.min_normal || std::fabs(b) < u_.b_format.min_normal))
              continue;
            return std::make_pair(a, b);
          }
        }
    return std::nullopt;
  }

  // products[i] lands at index i (0 = no product there).
  // Returns the result divided by 2^scale again.
  std::optional<double> step(const std::vector<double>& products, double c) const {
    c = std::ldexp(c, scale_);
    if (static_cast<int>(products.size()) > u_.k || !on_grid(c, u_.c_format)) return std::nullopt;
    std::vector<double> a(static_cast<std::size_t>(u_.k), 0.0), b(a);
    for (std::size_t i = 0; i < products.size(); ++i) {
      const auto f = factor(std::ldexp(products[i], scale_));
      if (!f) return std::nullopt;
      a[i] = f->first;
      b[i] = f->second;
    }
    return std::ldexp(raw(a, b, c), -scale_);
  }

  double raw(const std::vector<double>& a, const std::vector<double>& b, double c) const {
    double d = 0;
    u_.run(a.data(), b.data(), &c, &d, 1);
    return d;
  }

  // Whether the step gives exactly `want`; nullopt when it cannot be set up.
  std::optional<bool> gives(const std::vector<double>& products, double c, double want) const {
    const auto d = step(products, c);
    if (!d) return std::nullopt;
    return same_bits(*d, want);
  }

 private:
  const InstructionUnderTest& u_;
  int scale_ = 0;
};

// Largest j in [1, 64] for which ok(j) holds while ok holds for every smaller j; lower_bound when
// ok could not be set up at j (ran out of representable values) or never failed.
template <class Ok>
Measured largest_passing(Ok ok) {
  Measured m;
  for (int j = 1; j <= 64; ++j) {
    const std::optional<bool> r = ok(j);
    if (!r || !*r) {
      m.measured = j > 1;
      m.value = j - 1;
      m.lower_bound = !r;
      return m;
    }
  }
  return {true, 64, true};
}

std::string show(double x) { return fmt::format("{}", x); }

std::string text(const Measured& m, const char* unit = "") {
  if (!m.measured) return "not measured";
  return fmt::format("{}{}{}", m.lower_bound ? ">= " : "", m.value, unit);
}

}  // namespace

// Random bit patterns of the instruction's formats, a pure function of (seed, index): the random
// steps of compare_with_model and of the fit.
struct RandomPatterns {
  CounterRng rng;
  double operator()(const Format& fmt, std::uint64_t i) const {
    const std::uint64_t mask = fmt.width >= 64 ? ~0ULL : (1ULL << fmt.width) - 1;
    return decode(rng.bits(i) & mask, fmt);
  }
};

// The same search `floatscope fit` runs, on steps recorded from the instruction: fit.hpp's targeted
// probe cases, then random steps, each run through the unit to record its result.
void fit_instruction(const InstructionUnderTest& u, const ProbeOptions& options, ProbeFindings& f) {
  FitSpace space;
  space.a_format = u.a_format;
  space.b_format = u.b_format;
  DotCases data = probe_cases(u.a_format, u.b_format, u.k, space);
  const std::size_t k = static_cast<std::size_t>(u.k), probes = data.size(), n = probes + options.fit_random_cases;
  const RandomPatterns pattern{CounterRng(options.seed, 0xf17ca5e5)};
  data.a.resize(n * k);
  data.b.resize(n * k);
  data.c.resize(n);
  data.d.resize(n);
  std::uint64_t index = 0;
  for (std::size_t i = probes * k; i < n * k; ++i) {
    data.a[i] = pattern(u.a_format, index++);
    data.b[i] = pattern(u.b_format, index++);
  }
  for (std::size_t i = probes; i < n; ++i) data.c[i] = pattern(u.c_format, index++);
  u.run(data.a.data(), data.b.data(), data.c.data(), data.d.data(), n);
  const FitResult r = fit(data, space, 5);
  f.fitted = true;
  f.fit_cases = r.cases;
  f.fit_full_matches = r.full_matches();
  f.fit_models.clear();
  for (const FitModel& m : r.models) {
    const std::string same = same_hardware_model(m.acc, u.k);
    f.fit_models.push_back(fmt::format("{} ({}/{}){}", m.label, m.matched, m.cases, same.empty() ? "" : " = model " + same));
  }
}

ProbeFindings probe_instruction(const InstructionUnderTest& u, const ProbeOptions& options) {
  if (u.k < 1 || !u.run) throw std::invalid_argument("probe_instruction: an instruction needs k >= 1 and a step function");
  const Prober pr(u);
  ProbeFindings f;
  f.instruction = u.name;
  auto note = [&](std::string s) { f.raw.push_back(std::move(s)); };
  if (pr.scale() != 0) note(fmt::format("probe values below are scaled by 2^{} in A*B and C", pr.scale()));

  // Exact products: a = 1 - 2^-pa, b = 1 - 2^-pb (both on their grids), c = 0.
  {
    const double x = 1 - p2(-u.a_format.precision), y = 1 - p2(-u.b_format.precision);
    std::vector<double> a(static_cast<std::size_t>(u.k), 0.0), b(a);
    a[0] = x;
    b[0] = y;
    const double d = pr.raw(a, b, 0.0);
    f.products_exact = same_bits(d, x * y);
    note(fmt::format("products: ({})*({}) gave {} (exact {})", x, y, show(d), show(x * y)));
  }

  const Measured T1 = largest_passing([&](int j) { return pr.gives({1, p2(-j)}, 0.0, 1 + p2(-j)); });
  const Measured T4 =
      largest_passing([&](int j) { return pr.gives({1.5, 1.5, 1.5, p2(-j)}, 0.0, 4.5 + p2(-j)); });
  note(fmt::format("1 + 2^-j exact up to j = {}; 4.5 + 2^-j exact up to j = {}", text(T1), text(T4)));
  if (T1.measured && T4.measured && !T4.lower_bound && T4.value < T1.value) f.P = {true, T4.value + 3, false};
  const int P = f.P.measured ? f.P.value : u.c_format.precision;

  // Block size.
  if (T1.measured) {
    const int T = T1.value;
    const double c = 1 + p2(-T), want = 2 + p2(1 - T);
    for (int m = 2; m <= u.k; ++m) {
      std::vector<double> prods(static_cast<std::size_t>(m), 0.0);
      prods[0] = 1;
      prods[static_cast<std::size_t>(m - 1)] = p2(-T);
      const auto ok = pr.gives(prods, c, want);
      if (!ok) break;
      if (!*ok) {
        f.L = {true, m - 1, false};
        note(fmt::format("c = 1 + 2^-{}: 1 at index 0 and 2^-{} at index {}: first inexact at m = {}", T, T, m - 1, m));
        break;
      }
      if (m == u.k) f.L = {true, u.k, true};
    }
    if (u.k == 1) f.L = {true, 1, true};
  }
  const int L = f.L.measured ? f.L.value : 0;

  // Fraction bits: 1 - 1 + 2^-j (three products, c = 0). The largest exponent is 0, so 2^-j
  // survives alignment exactly while j <= F, and the exact result 2^-j needs no output bits.
  f.F = largest_passing([&](int j) { return pr.gives({1, -1, p2(-j)}, 0.0, p2(-j)); });
  note(fmt::format("1 - 1 + 2^-j gave 2^-j up to j = {}", text(f.F)));

  // Alignment: 1 - 1 +- 0.75 * 2^-F is 0 only when the term is truncated toward zero.
  f.alignment = "not measured";
  if (f.F.measured && !f.F.lower_bound) {
    const int F = f.F.value;
    const auto pos = pr.step({1, -1, 0.75 * p2(-F)}, 0.0), neg = pr.step({1, -1, -0.75 * p2(-F)}, 0.0);
    if (pos && neg) {
      f.alignment = *pos == 0 && *neg == 0 ? "toward zero" : fmt::format("other (gave {} and {})", show(*pos), show(*neg));
      note(fmt::format("1 - 1 + 0.75 * 2^-{} gave {}; with -0.75 * 2^-{}: {}", F, show(*pos), F, show(*neg)));
    }
  }

  // Rounding of a step's sum: 4.5 + 0.75 ulp and 4.5 + 0.5 ulp, ulp = 2^(3-P), and negatives.
  f.step_rounding = "not measured";
  if (f.F.measured && f.F.value >= P - 1 && L >= 4) {
    const double ulp = p2(3 - P);
    auto run = [&](double sign, bool three_quarters) -> std::optional<double> {
      std::vector<double> prods = {sign * 1.5, sign * 1.5};
      double c = sign * 1.5;
      if (L >= 5) {  // products only: the unit's own rounding, whatever happens to C
        prods.push_back(sign * 1.5);
        c = 0;
      }
      prods.push_back(sign * p2(2 - P));
      if (three_quarters) prods.push_back(sign * p2(1 - P));
      return pr.step(prods, c);
    };
    const auto p75 = run(1, true), p50 = run(1, false), n75 = run(-1, true), n50 = run(-1, false);
    if (p75 && p50 && n75 && n50) {
      auto up = [&](std::optional<double> d, double sign) {
        if (*d == sign * 4.5) return 0;
        if (*d == sign * (4.5 + ulp)) return 1;
        return 2;
      };
      const int a = up(p75, 1), b = up(p50, 1), c = up(n75, -1), d = up(n50, -1);
      const std::string code = fmt::format("{}{}{}{}", a, b, c, d);
      f.step_rounding = code == "0000"   ? "rtz"
                        : code == "1010" ? "rne"
                        : code == "1111" ? "rna"
                        : code == "1100" ? "rup"
                        : code == "0011" ? "rdn"
                                         : "other";
      note(fmt::format("4.5 + 0.75/0.5 ulp gave {}, {}; negated {}, {} ({})", show(*p75), show(*p50),
                       show(*n75), show(*n50), L >= 5 ? "products only" : "with C = 1.5"));
    }
  }

  // How C enters: c = 2^-(F+1) with products 1 - 1. Inside the alignment c is truncated away
  // (result 0); added after the products it survives. Then c = 1 plus 0.75 ulp of 1 tells the
  // rounding of that addition.
  f.c_entry = "not measured";
  if (f.F.measured && !f.F.lower_bound) {
    const int F = f.F.value;
    const auto d = pr.step({1, -1}, p2(-(F + 1)));
    if (d) {
      note(fmt::format("c = 2^-{} with products 1 - 1 gave {}", F + 1, show(*d)));
      if (*d == 0) {
        f.c_entry = "inside the block";
      } else if (*d == p2(-(F + 1))) {
        const auto r = pr.step({0.75 * p2(1 - P)}, 1.0);
        f.c_entry = !r                    ? "added after the products"
                    : *r == 1 + p2(1 - P) ? "added after the products (rne)"
                    : *r == 1             ? "added after the products (rtz)"
                                          : "added after the products (other)";
      } else {
        f.c_entry = fmt::format("other (gave {})", show(*d));
      }
    }
  }

  if (u.a_format.subnormals && u.a_format.min_subnormal < u.a_format.min_normal) {
    std::vector<double> a(static_cast<std::size_t>(u.k), 0.0), b(a);
    a[0] = u.a_format.min_subnormal;
    b[0] = 1;
    const double d = pr.raw(a, b, 0.0);
    f.subnormal_inputs = d == a[0];
    note(fmt::format("smallest subnormal input {} * 1 gave {}", a[0], show(d)));
  }
  {
    const double c = u.c_format.min_normal / 2;
    const double d = pr.raw(std::vector<double>(static_cast<std::size_t>(u.k), 0.0),
                            std::vector<double>(static_cast<std::size_t>(u.k), 0.0), c);
    f.subnormal_c = d == c;
    note(fmt::format("subnormal C {} with zero products gave {}", c, show(d)));
  }
  if (const auto ok = pr.gives({1, 1.5, 1.75, 1.875}, 1.875, 8.0)) f.carries_kept = *ok;
  if (u.a_format.has_nan()) {
    std::vector<double> a(static_cast<std::size_t>(u.k), 1.0), b(a);
    a[0] = std::nan("");
    f.nan_propagates = std::isnan(pr.raw(a, b, 0.0));
  }

  // The named models with the measured parameters.
  std::vector<std::string> names = options.candidates;
  if (names.empty())
    for (const ModelInfo& m : hardware_models()) {
      const auto& in = m.input_formats;
      if (std::find(in.begin(), in.end(), u.a_format.name) != in.end() &&
          std::find(in.begin(), in.end(), u.b_format.name) != in.end())
        names.push_back(m.name);
    }
  for (const std::string& name : names) {
    const Accumulator acc = model_accumulator(name, u.a_format, u.b_format, 0);
    if (!acc.fused) continue;
    const FusedUnit& fu = *acc.fused;
    bool fits = f.products_exact && f.L.measured && f.F.measured;
    if (fits) fits = f.L.lower_bound ? fu.L >= f.L.value : fu.L == f.L.value;
    if (fits) fits = f.F.lower_bound ? fu.F >= f.F.value : fu.F == f.F.value;
    if (fits && f.P.measured) fits = fu.out.precision == f.P.value;
    if (fits && f.step_rounding != "not measured") fits = f.step_rounding == mode_name(fu.out_mode);
    if (fits && f.alignment != "not measured") fits = f.alignment == "toward zero";
    if (fits && f.c_entry != "not measured")
      fits = fu.c_outside ? f.c_entry == fmt::format("added after the products ({})", mode_name(fu.c_add_rounding.mode))
                          : f.c_entry == "inside the block";
    if (!fits) continue;
    if (f.model.empty()) f.model = name;
    else f.also.push_back(name);
  }
  if (!f.model.empty() && options.random_steps > 0)
    compare_with_model(u, f.model, options.random_steps, options.seed, f);
  if (options.fit_random_cases > 0) fit_instruction(u, options, f);
  return f;
}

void compare_with_model(const InstructionUnderTest& u, const std::string& model, std::uint64_t steps,
                        std::uint64_t seed, ProbeFindings& out) {
  const Accumulator acc = model_accumulator(model, u.a_format, u.b_format, 0);
  const std::size_t k = static_cast<std::size_t>(u.k);
  const RandomPatterns pattern{CounterRng(seed, 0x9e0be)};
  constexpr std::size_t kBatch = 8192;
  std::uint64_t index = 0;
  out.steps_compared = out.steps_agreeing = 0;
  for (std::uint64_t done = 0; done < steps;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kBatch, steps - done));
    std::vector<double> a(n * k), b(n * k), c(n), d(n);
    for (std::size_t i = 0; i < n * k; ++i) {
      a[i] = pattern(u.a_format, index++);
      b[i] = pattern(u.b_format, index++);
    }
    for (std::size_t i = 0; i < n; ++i) c[i] = pattern(u.c_format, index++);
    u.run(a.data(), b.data(), c.data(), d.data(), n);
    for (std::size_t i = 0; i < n; ++i) {
      const double want = emulate_dot(acc, &a[i * k], &b[i * k], u.k, c[i]);
      out.steps_agreeing += same_bits(d[i], want) ? 1 : 0;
    }
    out.steps_compared += n;
    done += n;
  }
}

std::string describe_findings(const ProbeFindings& f) {
  std::string s = fmt::format("{}\n", f.instruction);
  auto line = [&](const char* what, const std::string& v) { s += fmt::format("  {:<22}{}\n", what, v); };
  line("products exact", f.products_exact ? "yes" : "no");
  line("block size L", f.L.measured && f.L.lower_bound ? fmt::format("{} (no split inside one instruction)", f.L.value)
                                                      : text(f.L));
  line("fraction bits F", text(f.F));
  line("result precision P", f.P.measured ? text(f.P) : "not measured");
  line("alignment", f.alignment);
  line("step rounding", f.step_rounding);
  line("C enters", f.c_entry);
  line("subnormal inputs", f.subnormal_inputs ? "kept" : "flushed or absent");
  line("subnormal C", f.subnormal_c ? "kept" : "flushed");
  line("carries", f.carries_kept ? "kept (normalised once after the sum)" : "lost");
  line("NaN input", f.nan_propagates ? "gives NaN" : "not seen as NaN");
  if (f.model.empty()) {
    line("model", "no known model fits: the measurements above are what the unit does");
  } else {
    std::string also;
    for (const auto& a : f.also) also += (also.empty() ? " (same parameters: " : ", ") + a;
    if (!also.empty()) also += ")";
    line("model", f.model + also);
    line("agreement", fmt::format("{}/{} random steps bit for bit ({:.4f}%)", f.steps_agreeing, f.steps_compared,
                                  100 * f.agreement()));
  }
  if (f.fitted) {
    line("fit", fmt::format("{} candidate(s) of the fit space reproduce all {} recorded steps (probe cases and random)",
                            f.fit_full_matches, f.fit_cases));
    for (const auto& m : f.fit_models) s += "    " + m + "\n";
  }
  for (const auto& r : f.raw) s += "    " + r + "\n";
  return s;
}

}  // namespace floatscope
