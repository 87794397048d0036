// The CUDA backends (docs/gpu.md): gpu-cublaslt (cuBLASLt matmuls), gpu-mma (own mma.sync
// kernels: what one instruction chain computes), gpu-emulated (the CPU models as CUDA kernels,
// bit-identical to the cpu backend), and the instructions `floatscope probe-gpu` probes.
#pragma once

#include <string>
#include <vector>

#include "floatscope/probe.hpp"

namespace floatscope::cuda {

// Replaces the stand-ins of gpu-cublaslt, gpu-mma and gpu-emulated that refuse with exit 3 (built without CUDA) with these
// backends (once; later calls do nothing). Needs no device: each backend checks at use.
void register_gpu_backends();

// Throws NoDeviceError ("<who>: no CUDA device ...") when no device is usable, or device 0's
// compute capability (major*10 + minor) is below min_cc.
// Checks the current device (use_device).
void require_device(const std::string& who, int min_cc = 80);

// Makes `device` (GemmRequest::device: the local rank's GPU in a parallel launch) the one this
// thread's CUDA calls go to; -1 leaves the current one. Throws std::runtime_error when it fails.
void use_device(int device);

// The current device (device 0 unless use_device chose another) in words, e.g. "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, CUDA runtime 13000)".
std::string device_description();

// The instructions device 0 runs, each as a black box for probe_instruction: mma.sync f16, bf16
// (m16n8k16), tf32 (m16n8k8), on sm_89+ e4m3/e5m2 (m16n8k32), and on sm_90 wgmma m64n8k16 f16 and
// m64n8k32 e4m3 (sm_90a code). Throws NoDeviceError.
std::vector<InstructionUnderTest> device_instructions();

}  // namespace floatscope::cuda
