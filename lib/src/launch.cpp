// Process placement from the launcher's environment, and the GPU of a local rank.
#include "floatscope/launch.hpp"

#include <charconv>
#include <cstdlib>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

namespace floatscope {

namespace {

// The first of `names` that is set to a decimal integer >= lo.
std::optional<int> first_int(const EnvLookup& getenv, std::initializer_list<const char*> names, int lo) {
  for (const char* name : names) {
    const char* text = getenv(name);
    if (!text) continue;
    const std::string_view t(text);
    int v = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec == std::errc() && end == t.data() + t.size() && !t.empty() && v >= lo) return v;
  }
  return std::nullopt;
}

}  // namespace

LaunchPlace launch_place(const EnvLookup& lookup) {
  const EnvLookup getenv = lookup ? lookup : EnvLookup([](const char* n) -> const char* { return std::getenv(n); });
  LaunchPlace p;
  const auto size = first_int(getenv, {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}, 1);
  const auto rank = first_int(getenv, {"OMPI_COMM_WORLD_RANK", "PMI_RANK"}, 0);
  if (!size || !rank || *rank >= *size) return p;  // not launched as one of several (or inconsistent)
  p.size = *size;
  p.rank = *rank;
  const auto local_size = first_int(getenv, {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE"}, 1);
  const auto local_rank = first_int(getenv, {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"}, 0);
  if (local_rank && (!local_size || *local_rank < *local_size)) p.local_rank = *local_rank;
  if (local_size) p.local_size = *local_size;
  return p;
}

int gpu_for_local_rank(int local_rank, int device_count) {
  if (device_count < 1)
    throw std::invalid_argument("a GPU backend was chosen, but this process sees no GPU (device count " +
                                std::to_string(device_count) + ")");
  if (local_rank < 0) throw std::invalid_argument("local rank " + std::to_string(local_rank) + " is negative");
  return local_rank % device_count;
}

}  // namespace floatscope
