// Thread-count helpers (OpenMP stays an implementation detail of the library).
#pragma once

namespace floatscope {

// Threads a parallel region uses when the caller passes 0: OMP_NUM_THREADS or the core count.
int omp_default_threads();

}  // namespace floatscope
