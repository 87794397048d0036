// OpenMP helpers kept out of headers so that the library's users need no OpenMP flags.
#ifdef _OPENMP
#include <omp.h>
#endif

#include "floatscope/parallel.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace floatscope {

int omp_default_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

int max_threads() {
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(64, 8 * hw);
}

void check_threads(int threads, std::string_view what) {
  if (threads < 0 || threads > max_threads())
    throw std::invalid_argument(std::string(what) + " " + std::to_string(threads) + ": must be 0 (all cores) to " +
                                std::to_string(max_threads()) + " (8 per hardware thread, at least 64; this machine has " +
                                std::to_string(std::max(1u, std::thread::hardware_concurrency())) + ")");
}

double available_memory_bytes() {
  double avail = 0;
  {
    std::ifstream in("/proc/meminfo");
    std::string key;
    double kb = 0;
    std::string unit;
    while (in >> key >> kb >> unit)
      if (key == "MemAvailable:") {
        avail = kb * 1024;
        break;
      }
  }
  // A cgroup v2 limit (containers): what is left below it.
  std::ifstream max_in("/sys/fs/cgroup/memory.max"), cur_in("/sys/fs/cgroup/memory.current");
  std::string max_text;
  double cur = 0;
  if (max_in >> max_text && max_text != "max" && cur_in >> cur) {
    const double left = std::stod(max_text) - cur;
    if (left >= 0 && (avail == 0 || left < avail)) avail = left;
  }
  return avail;
}

}  // namespace floatscope
