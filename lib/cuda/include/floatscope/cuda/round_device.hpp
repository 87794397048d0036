// The rounding core on a CUDA device (the same round_core.inl the CPU paths instantiate).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "floatscope/format.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope::cuda {

// Number of CUDA devices visible (0 without a driver or device); `why` says what failed.
int device_count(std::string* why = nullptr);

// Rounds `in` onto f with r on device 0, one thread per value; stochastic modes draw
// CounterRng(r.seed, r.stream).bits(first + i) as round_array does. Throws std::runtime_error
// naming the CUDA error.
std::vector<double> round_on_device(const std::vector<double>& in, const Format& f, const Rounding& r,
                                    std::uint64_t first = 0);

}  // namespace floatscope::cuda
