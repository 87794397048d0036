// The amax history of delayed scaling in generated experiments (delayed_scaling.hpp).
#include "floatscope/delayed_scaling.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "floatscope/random.hpp"

namespace floatscope {

std::uint64_t history_seed(std::uint64_t seed, int steps_back) {
  // "history" in ASCII plus j, mixed: unrelated to the repeat seeds mix64(seed ^ mix64(repeat)).
  return mix64(seed ^ mix64(0x686973746f7279ULL + static_cast<std::uint64_t>(steps_back)));
}

Distribution history_distribution(const Distribution& d, double outlier_growth, int steps_back) {
  Distribution h = d;
  if (d.kind == DistKind::outliers) h.factor = d.factor / std::pow(outlier_growth, steps_back);
  return h;
}

std::vector<double> amax_history(const Distribution& d, std::uint64_t seed, std::uint64_t tensor_id,
                                 std::size_t rows, std::size_t cols, bool is_b, int history_len,
                                 double outlier_growth, int threads) {
  if (history_len < 0 || history_len > kMaxAmaxHistoryLen)
    throw std::invalid_argument(
        fmt::format("amax_history_len: {} is not in 0..{}", history_len, kMaxAmaxHistoryLen));
  if (!(outlier_growth > 0) || !std::isfinite(outlier_growth))
    throw std::invalid_argument(fmt::format("outlier_growth: {} must be positive and finite", outlier_growth));
  std::vector<double> out(static_cast<std::size_t>(history_len));
  std::vector<double> x(rows * cols);
  for (int j = 1; j <= history_len; ++j) {
    generate(history_distribution(d, outlier_growth, j), history_seed(seed, j), tensor_id, rows, cols, x.data(),
             is_b, threads);
    double amax = 0;
    for (double v : x)
      if (std::fabs(v) <= std::numeric_limits<double>::max()) amax = std::max(amax, std::fabs(v));
    out[static_cast<std::size_t>(history_len - j)] = amax;  // oldest first
  }
  return out;
}

}  // namespace floatscope
