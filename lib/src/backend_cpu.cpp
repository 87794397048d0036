// The `cpu` backend: the bit-exact emulator (gemm.hpp), which counts every event.
#include <stdexcept>

#include "floatscope/backend.hpp"
#include "floatscope/gemm.hpp"

namespace floatscope {

namespace {

class CpuBackend final : public Backend {
 public:
  std::string_view name() const override { return "cpu"; }
  bool counts_events() const override { return true; }
  BackendResult run(const GemmRequest& req) const override {
    if (!req.acc) throw std::invalid_argument("cpu backend: no accumulator given");
    GemmResult g = emulate_gemm(*req.acc, req.M, req.N, req.K, req.A, req.B, req.C0, req.threads);
    return BackendResult{std::move(g.C), g.events, {}};
  }
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace floatscope
