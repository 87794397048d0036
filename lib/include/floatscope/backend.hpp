// Backends: where one GEMM under an accumulation model runs.
//
// A backend takes resolved, typed values (an Accumulator whose formats, roundings and seeds are
// already parsed, the input matrices already on their formats' grids, C, a thread count) and
// returns D plus the event counts it could collect. Experiments, `floatscope gemm` and sweeps reach
// emulation only through this interface, so a GPU backend (cuBLASLt, own mma kernels, GPU
// emulation) plugs in by registering one more Backend; nothing above it re-parses a string.
//
// `cpu` (the bit-exact emulator of gemm.hpp) is built in. A backend that cannot count events (a
// real tensor core does not report its underflows) says so with counts_events() == false and
// returns no events; the run then leaves the event cells of its CSV row / JSON empty (null), never
// zero, since zero would claim "nothing underflowed".
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "floatscope/accumulator.hpp"
#include "floatscope/events.hpp"

namespace floatscope {

// One GEMM D = A*B + C0 for a backend: sizes, row-major inputs (A: M x K, B: K x N, C0: M x N or
// nullptr for zeros), the accumulation model and its stochastic-rounding seeds (inside acc's
// Rounding fields), and the thread count (0 = all cores). Inputs must be on acc's formats' grids.
struct GemmRequest {
  const Accumulator* acc = nullptr;
  int M = 0, N = 0, K = 0;
  const double* A = nullptr;
  const double* B = nullptr;
  const double* C0 = nullptr;
  int threads = 0;
  // The GPU to run on, for a backend with devices() > 0: the one of this process's local rank in a
  // parallel launch (gpu_for_local_rank in launch.hpp), chosen once by resolve_experiment; -1 for
  // backends without devices.
  int device = -1;
};

// Thrown when a GPU backend (or `floatscope probe-gpu`) cannot run because no CUDA device is usable:
// no driver, no device, a device too old for the instruction, or a build without CUDA. The
// message contains "no CUDA device"; the CLI exits with code 3 on it (tools/command.hpp).
struct NoDeviceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The GPU backends exist by name in every build (docs/gpu.md): cuBLASLt matmuls, own
// mma/wgmma kernels, and the CPU models emulated by CUDA kernels. Without CUDA support or a device
// they throw NoDeviceError; a CUDA build replaces them with working ones (register_backend).
inline constexpr std::string_view kGpuBackendNames[] = {"gpu-cublaslt", "gpu-mma", "gpu-emulated"};

struct BackendResult {
  std::vector<double> D;             // M x N, row-major
  std::optional<GemmEvents> events;  // unset when the backend cannot count events
  // What the run used that a reader needs to reproduce it (library version, algorithm chosen,
  // device), "key=value; ..."; empty for the cpu backend. `gemm --json` prints it as backend_info.
  std::string info;
};

class Backend {
 public:
  virtual ~Backend() = default;
  // The name users select it by (`--backend`, sweep key `backend`) and the CSV column's value.
  virtual std::string_view name() const = 0;
  // Whether run() fills BackendResult::events.
  virtual bool counts_events() const = 0;
  // Throws std::invalid_argument when it cannot run this model (naming what), std::runtime_error
  // when the device fails.
  virtual BackendResult run(const GemmRequest& req) const = 0;
  // Throws NoDeviceError when this backend cannot run on this machine at all (checked when an
  // experiment is resolved, before any work). The default: always available.
  virtual void check_available() const {}
  // What a reader of a sweep's meta.json needs to know about where it ran ("device=...;
  // cublasLt=..."); empty for the cpu backend. Per-run details (the algorithm chosen) are in
  // BackendResult::info.
  virtual std::string runtime_info() const { return {}; }
  // GPUs this backend can use in this process; 0 (the default) for a backend that runs on the CPU.
  // With several processes on one machine (mpirun), each then runs on the GPU of its local rank.
  virtual int devices() const { return 0; }
};

// The registered backend with this name; nullptr when none.
const Backend* find_backend(std::string_view name);
// The backend with this name; throws std::invalid_argument "backend: unknown 'x'; valid: cpu, ...".
const Backend& get_backend(std::string_view name);
// Names of the registered backends, in registration order ("cpu" first).
std::vector<std::string> backend_names();
std::string backend_names_text();  // comma-separated, for messages

// Adds a backend (a GPU backend registers itself at start-up; tests register fakes). Throws
// std::invalid_argument when the name is empty or taken; a name of kGpuBackendNames still held by
// its built-without-CUDA stand-in (which refuses every run with NoDeviceError, exit 3) is not taken: the new backend replaces it. Not thread-safe against concurrent runs:
// register before running experiments.
void register_backend(std::unique_ptr<Backend> backend);

}  // namespace floatscope
