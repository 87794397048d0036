// Device discovery for the CUDA backends: "no CUDA device" is a NoDeviceError (exit 3), never a crash.
#include <cuda_runtime.h>
#include <fmt/format.h>

#include <stdexcept>

#include "floatscope/backend.hpp"
#include "floatscope/cuda/backends.hpp"
#include "floatscope/cuda/round_device.hpp"

namespace floatscope::cuda {

namespace {
// The device this thread's CUDA calls go to (0 unless use_device chose another).
int current_device() {
  int d = 0;
  return cudaGetDevice(&d) == cudaSuccess ? d : 0;
}
}  // namespace

void require_device(const std::string& who, int min_cc) {
  std::string why;
  if (device_count(&why) == 0) throw NoDeviceError(fmt::format("{}: no CUDA device ({})", who, why));
  cudaDeviceProp prop{};
  const int dev = current_device();
  if (cudaGetDeviceProperties(&prop, dev) != cudaSuccess)
    throw NoDeviceError(fmt::format("{}: no CUDA device (cannot read device {}'s properties)", who, dev));
  const int cc = prop.major * 10 + prop.minor;
  if (cc < min_cc)
    throw NoDeviceError(fmt::format("{}: no CUDA device with sm_{} or newer (device {}, {}, is sm_{})", who,
                                    min_cc, dev, prop.name, cc));
}

void use_device(int device) {
  if (device < 0) return;
  const cudaError_t e = cudaSetDevice(device);
  if (e != cudaSuccess)
    throw std::runtime_error(fmt::format("CUDA: cannot select device {}: {}", device, cudaGetErrorString(e)));
}

std::string device_description() {
  cudaDeviceProp prop{};
  if (device_count() == 0 || cudaGetDeviceProperties(&prop, current_device()) != cudaSuccess) return "no CUDA device";
  int runtime = 0;
  cudaRuntimeGetVersion(&runtime);
  return fmt::format("{} (sm_{}{}, {} SMs, CUDA runtime {})", prop.name, prop.major, prop.minor,
                     prop.multiProcessorCount, runtime);
}

}  // namespace floatscope::cuda
