// OpenMP helpers kept out of headers so that the library's users need no OpenMP flags.
#ifdef _OPENMP
#include <omp.h>
#endif

#include "floatscope/parallel.hpp"

namespace floatscope {

int omp_default_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

}  // namespace floatscope
