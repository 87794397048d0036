// The CUDA backends behind gpu-cublaslt, gpu-mma and gpu-emulated, and the mma instructions as
// black boxes for probe-gpu. None counts events (the hardware does not report them; the GPU
// emulation leaves that to the cpu backend).
#include <cuda_runtime.h>
#include <fmt/format.h>

#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "cublaslt.hpp"
#include "emulate.hpp"
#include "floatscope/backend.hpp"
#include "floatscope/cuda/backends.hpp"
#include "floatscope/cuda/round_device.hpp"
#include "mma.hpp"
#include "wgmma.hpp"

namespace floatscope::cuda {
namespace {

// Every CUDA backend: runs on the GPU the request names (the local rank's in an MPI launch).
void require_acc(const GemmRequest& req, std::string_view who) {
  if (!req.acc) throw std::invalid_argument(fmt::format("backend {}: no accumulator given", who));
  use_device(req.device);
}

class GpuBackend : public Backend {
 public:
  bool counts_events() const override { return false; }
  int devices() const override { return device_count(); }
};

class EmulatedBackend final : public GpuBackend {
 public:
  std::string_view name() const override { return "gpu-emulated"; }
  void check_available() const override { require_device("backend gpu-emulated"); }
  std::string runtime_info() const override { return "device=" + device_description(); }
  BackendResult run(const GemmRequest& req) const override {
    require_acc(req, name());
    check_available();
    BackendResult r;
    r.D = emulate_on_device(*req.acc, req.M, req.N, req.K, req.A, req.B, req.C0);
    r.info = "device=" + device_description();
    return r;
  }
};

// The hardware's own chain of mma.sync instructions over K: the model only names the formats;
// what the unit does is what is measured.
class MmaBackend final : public GpuBackend {
 public:
  std::string_view name() const override { return "gpu-mma"; }
  void check_available() const override { require_device("backend gpu-mma"); }
  std::string runtime_info() const override { return "device=" + device_description(); }
  BackendResult run(const GemmRequest& req) const override {
    require_acc(req, name());
    const Accumulator& acc = *req.acc;
    const MmaInfo* mma = find_mma(acc.a_format, acc.b_format);
    if (!mma)
      throw std::invalid_argument(fmt::format("backend gpu-mma: no mma.sync takes {} x {} (fp16, bf16, tf32, e4m3/e5m2)",
                                              acc.a_format.name, acc.b_format.name));
    if (acc.promote > 0 || acc.scale_a != 1.0 || acc.scale_b != 1.0 || acc.output_format || acc.quantize ||
        acc.c_format)
      throw std::invalid_argument("backend gpu-mma: runs the instruction chain only (no promotion, scales, output "
                                  "conversion, C conversion or quantisation in the model)");
    require_device("backend gpu-mma", mma->min_cc);
    BackendResult r;
    r.D = mma_gemm(*mma, 1, req.M, req.N, req.K, req.A, req.B, req.C0);
    r.info = fmt::format("instruction={}; device={}", mma->ptx, device_description());
    return r;
  }
};

class CublasLtBackend final : public GpuBackend {
 public:
  std::string_view name() const override { return "gpu-cublaslt"; }
  void check_available() const override { require_device("backend gpu-cublaslt"); }
  std::string runtime_info() const override {
    return fmt::format("cublasLt={}; device={}", cublaslt_version(), device_description());
  }
  BackendResult run(const GemmRequest& req) const override {
    require_acc(req, name());
    check_available();
    LtResult lt = cublaslt_gemm(*req.acc, req.M, req.N, req.K, req.A, req.B, req.C0);
    BackendResult r;
    r.D = std::move(lt.D);
    r.info = lt.info + "; device=" + device_description();
    return r;
  }
};

}  // namespace

void register_gpu_backends() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_backend(std::make_unique<CublasLtBackend>());
    register_backend(std::make_unique<MmaBackend>());
    register_backend(std::make_unique<EmulatedBackend>());
  });
}

namespace {

// Eight steps per tile, on its diagonal: step q of the tile in row q of A, column q of B and
// C[q][q]; D[q][q] is its result (the rest of the tile is zeros). gemm(batch, M, N, K, A, B, C).
template <class Gemm>
std::function<void(const double*, const double*, const double*, double*, std::size_t)> diagonal_steps(
    int k, int tile_m, Gemm gemm) {
  return [k, tile_m, gemm](const double* a, const double* b, const double* c, double* d, std::size_t n) {
    const std::size_t tiles = (n + 7) / 8, ks = static_cast<std::size_t>(k), tm = static_cast<std::size_t>(tile_m);
    std::vector<double> A(tiles * tm * ks, 0.0), B(tiles * ks * 8, 0.0), C(tiles * tm * 8, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t t = i / 8, q = i % 8;
      for (std::size_t kk = 0; kk < ks; ++kk) {
        A[(t * tm + q) * ks + kk] = a[i * ks + kk];
        B[(t * ks + kk) * 8 + q] = b[i * ks + kk];
      }
      C[(t * tm + q) * 8 + q] = c[i];
    }
    const std::vector<double> D = gemm(static_cast<int>(tiles), tile_m, 8, k, A.data(), B.data(), C.data());
    for (std::size_t i = 0; i < n; ++i) d[i] = D[((i / 8) * tm + i % 8) * 8 + i % 8];
  };
}

}  // namespace

std::vector<InstructionUnderTest> device_instructions() {
  require_device("probe-gpu");
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, 0);
  const int cc = prop.major * 10 + prop.minor;
  const Format fp32 = parse_format("fp32");
  std::vector<InstructionUnderTest> out;
  auto add = [&](const std::string& ptx, const std::string& a, const std::string& b, int k, auto steps) {
    InstructionUnderTest u;
    u.name = fmt::format("{} (sm_{})", ptx, cc);
    u.a_format = parse_format(a);
    u.b_format = parse_format(b);
    u.c_format = fp32;
    u.k = k;
    u.run = steps;
    out.push_back(std::move(u));
  };
  for (const MmaInfo& m : mma_instructions()) {
    if (cc < m.min_cc) continue;
    const MmaInfo info = m;
    add(m.ptx, m.a, m.b, m.k, diagonal_steps(m.k, 16, [info](int batch, int M, int N, int K, const double* A,
                                                               const double* B, const double* C) {
          return mma_gemm(info, batch, M, N, K, A, B, C);
        }));
  }
  if (cc == 90)  // sm_90a code runs on sm_90 only
    for (const WgmmaInfo& w : wgmma_instructions()) {
      const WgmmaInfo info = w;
      add(w.ptx, w.a, w.b, w.k, diagonal_steps(w.k, 64, [info](int batch, int M, int N, int K, const double* A,
                                                                 const double* B, const double* C) {
            return wgmma_gemm(info, batch, M, N, K, A, B, C);
          }));
    }
  return out;
}

}  // namespace floatscope::cuda
