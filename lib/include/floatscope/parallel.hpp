// Thread-count helpers (OpenMP stays an implementation detail of the library).
#pragma once

#include <string_view>

namespace floatscope {

// Threads a parallel region uses when the caller passes 0: OMP_NUM_THREADS or the core count.
int omp_default_threads();

// The most threads a run may ask for: 8 per hardware thread, at least 64. Far beyond it the
// runtime cannot create them (libgomp fails, or overflows a stack); it gains nothing anyway.
int max_threads();

// Throws std::invalid_argument naming `what` (e.g. "--threads") unless 0 <= threads <= max_threads().
void check_threads(int threads, std::string_view what = "threads");

// Memory this process can still allocate, in bytes: MemAvailable of /proc/meminfo, or less when a
// cgroup (container) limit leaves less; 0 when unknown.
double available_memory_bytes();

}  // namespace floatscope
