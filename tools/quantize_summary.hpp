// The statistics `floatscope quantize` prints (and `--json` writes), shared with the Python
// package's floatscope.quantize so that both report the same numbers under the same names.
#pragma once

#include <cmath>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "floatscope/block_scaling.hpp"
#include "floatscope/gemm_cost.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope {

struct QuantizeErrors {
  double max_rel = 0, mean_rel = 0, normwise = 0;
  std::size_t counted = 0;  // finite nonzero inputs with a finite result
};

// Relative errors of the dequantised d against the input x (same order); inputs or results that are
// not finite are left out, zero inputs only from the relative errors.
inline QuantizeErrors quantize_errors(const std::vector<double>& x, const std::vector<double>& d) {
  QuantizeErrors e;
  double sum = 0, num = 0, den = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(d[i])) continue;
    num += (d[i] - x[i]) * (d[i] - x[i]);
    den += x[i] * x[i];
    if (x[i] == 0) continue;
    const double r = std::fabs(d[i] - x[i]) / std::fabs(x[i]);
    e.max_rel = std::max(e.max_rel, r);
    sum += r;
    ++e.counted;
  }
  e.mean_rel = e.counted ? sum / static_cast<double>(e.counted) : std::nan("");
  e.normwise = den > 0 ? std::sqrt(num / den) : std::nan("");
  return e;
}

// `quantize --json`'s object; values not measured are null.
inline nlohmann::json quantize_summary(const BlockScheme& s, const QuantizedTensor& q, const QuantizeErrors& err) {
  const BlockStats& st = q.stats;
  const double n = static_cast<double>(st.elements);
  auto or_null = [](bool has, auto v) { return has ? nlohmann::json(v) : nlohmann::json(nullptr); };
  return {{"scheme", s.info->name},
          {"element", s.element.name},
          {"scale_rule", s.info->kind == SchemeKind::mx ? std::string(scale_rule_name(s.rule)) : "-"},
          {"rounding", std::string(mode_name(s.rounding.mode))},
          {"saturate", s.rounding.overflow == Overflow::saturate},
          {"blocks", q.scales.size()},
          {"elements", st.elements},
          {"padded", st.padded},
          {"clamped", st.clamped},
          {"clamped_frac", static_cast<double>(st.clamped) / n},
          {"flushed", st.flushed},
          {"flushed_frac", static_cast<double>(st.flushed) / n},
          {"nan", st.nan},
          {"mean_scale_exp", or_null(st.scales > 0, st.mean_scale_exp())},
          {"max_scale_exp", or_null(st.scales > 0, st.scale_exp_max)},
          {"tensor_scale", q.tensor_scale},
          {"max_rel_err", or_null(err.counted > 0, err.max_rel)},
          {"mean_rel_err", or_null(err.counted > 0, err.mean_rel)},
          {"normwise_rel_err", or_null(std::isfinite(err.normwise), err.normwise)},
          {"bits_per_element", bits_per_element(s, q)}};  // storage, scales included (gemm_cost.hpp)
}

}  // namespace floatscope
