// round_on_device: round_kernel<M> (round_core on scalar lanes) in a CUDA kernel.
#include <cuda_runtime.h>

#include <stdexcept>

#include "floatscope/cuda/round_device.hpp"
#include "floatscope/detail/round_kernel.hpp"
#include "floatscope/random.hpp"

namespace floatscope::cuda {
namespace {

template <Mode M>
__global__ void round_values(const double* in, double* out, std::size_t n, detail::RoundParams p,
                             std::uint64_t key, std::uint64_t first) {
  const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  constexpr bool kRandom = M == Mode::sr || M == Mode::sr_equal;
  // CounterRng::bits(first + i), written out (mix64 of the Weyl sequence) for device code.
  std::uint64_t z = key + (first + i + 1) * kWeylGamma;
  z = (z ^ (z >> 30)) * kMixMul1;
  z = (z ^ (z >> 27)) * kMixMul2;
  z ^= z >> 31;
  out[i] = detail::round_kernel<M>(in[i], p, kRandom ? z : 0);
}

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string("CUDA: ") + what + ": " + cudaGetErrorString(e));
}

}  // namespace

int device_count(std::string* why) {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    if (why) *why = cudaGetErrorString(e);
    return 0;
  }
  if (n == 0 && why) *why = "no CUDA device";
  return n;
}

std::vector<double> round_on_device(const std::vector<double>& in, const Format& f, const Rounding& r,
                                    std::uint64_t first) {
  const std::size_t n = in.size();
  std::vector<double> out(n);
  if (n == 0) return out;
  double *d_in = nullptr, *d_out = nullptr;
  check(cudaMalloc(&d_in, n * sizeof(double)), "cudaMalloc");
  check(cudaMalloc(&d_out, n * sizeof(double)), "cudaMalloc");
  check(cudaMemcpy(d_in, in.data(), n * sizeof(double), cudaMemcpyHostToDevice), "copy in");
  const detail::RoundParams p = detail::make_round_params(f, r);
  const std::uint64_t key = CounterRng(r.seed, r.stream).key();
  const unsigned blocks = static_cast<unsigned>((n + 255) / 256);
  detail::with_mode(r.mode, [&](auto mc) {
    round_values<decltype(mc)::value><<<blocks, 256>>>(d_in, d_out, n, p, key, first);
  });
  check(cudaGetLastError(), "launch");
  check(cudaMemcpy(out.data(), d_out, n * sizeof(double), cudaMemcpyDeviceToHost), "copy out");
  cudaFree(d_in);
  cudaFree(d_out);
  return out;
}

}  // namespace floatscope::cuda
