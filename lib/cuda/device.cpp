// Device discovery for the CUDA backends: "no CUDA device" is a NoDeviceError (exit 3), never a crash.
#include <cuda_runtime.h>
#include <fmt/format.h>

#include "floatscope/backend.hpp"
#include "floatscope/cuda/backends.hpp"
#include "floatscope/cuda/round_device.hpp"

namespace floatscope::cuda {

void require_device(const std::string& who, int min_cc) {
  std::string why;
  if (device_count(&why) == 0) throw NoDeviceError(fmt::format("{}: no CUDA device ({})", who, why));
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess)
    throw NoDeviceError(fmt::format("{}: no CUDA device (cannot read device 0's properties)", who));
  const int cc = prop.major * 10 + prop.minor;
  if (cc < min_cc)
    throw NoDeviceError(fmt::format("{}: no CUDA device with sm_{} or newer (device 0, {}, is sm_{})", who,
                                    min_cc, prop.name, cc));
}

std::string device_description() {
  cudaDeviceProp prop{};
  if (device_count() == 0 || cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return "no CUDA device";
  int runtime = 0;
  cudaRuntimeGetVersion(&runtime);
  return fmt::format("{} (sm_{}{}, {} SMs, CUDA runtime {})", prop.name, prop.major, prop.minor,
                     prop.multiProcessorCount, runtime);
}

}  // namespace floatscope::cuda
