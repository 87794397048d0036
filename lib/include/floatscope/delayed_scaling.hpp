// Delayed scaling in generated experiments: the amax history of earlier "training steps".
//
// Transformer Engine's delayed scaling quantises step t's tensor with a scale computed from the
// amaxes recorded in steps t-1, t-2, ..., t-H (the largest of them, amax_compute_algo "max"); the
// current tensor's amax only enters the history afterwards (docs/references.md s.4). A scale
// that lags behind a growing amax clamps (saturates) what the current tensor's own amax would
// have kept in range.
//
// The model of the earlier steps (sweep keys amax_history_len and outlier_growth):
// - step t-j (j = 1 .. H) is the same distribution drawn with the seed history_seed(seed, j), an
//   independent draw of the same shape and tensor id (A or B);
// - outlier channels grow by a factor g per step: a dist outliers:FRAC:FACTOR had the factor
//   FACTOR / g^j in step t-j (g^j by std::pow in double). g = 1 is a stationary distribution.
//   Other distributions ignore g. Which channels are outliers follows the step's seed; the amax
//   of a tensor does not depend on which channels they are, only on how many and how large.
// So with g = 1 the history's largest amax exceeds the current one in about H/(H+1) of the draws
// (no clamping), and with g > 1 the current amax runs ahead of every entry once g outgrows the
// draw-to-draw spread of the amax.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "floatscope/generators.hpp"

namespace floatscope {

// The input seed of the step j >= 1 steps before the current one (seed = the current step's).
std::uint64_t history_seed(std::uint64_t seed, int steps_back);

// The distribution of the step j steps back: d itself, but for outliers the factor divided by
// outlier_growth^j.
Distribution history_distribution(const Distribution& d, double outlier_growth, int steps_back);

// The amaxes (largest finite magnitude) of the H earlier steps of a rows x cols tensor generated
// as generate(d, seed, tensor_id, rows, cols, ..., is_b) generates the current one, oldest first
// (entry 0 is step t-H, entry H-1 step t-1): the order of BlockScheme::amax_history. Throws
// std::invalid_argument when H is outside [0, 1024] or outlier_growth is not positive and finite.
std::vector<double> amax_history(const Distribution& d, std::uint64_t seed, std::uint64_t tensor_id,
                                 std::size_t rows, std::size_t cols, bool is_b, int history_len,
                                 double outlier_growth, int threads = 0);

inline constexpr int kMaxAmaxHistoryLen = 1024;  // Transformer Engine's default window

}  // namespace floatscope
