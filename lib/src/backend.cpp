// The backend registry: `cpu` built in, others added by register_backend.
#include "floatscope/backend.hpp"
#include "floatscope/names.hpp"

#include <fmt/format.h>

#include <mutex>
#include <stdexcept>

namespace floatscope {

std::unique_ptr<Backend> make_cpu_backend();  // backend_cpu.cpp

namespace {

// A GPU backend name in a process without a CUDA backend (a build without CUDA, or a program that
// did not call floatscope::cuda::register_gpu_backends()): every use says why it cannot run.
class CudaNotBuiltBackend final : public Backend {
 public:
  explicit CudaNotBuiltBackend(std::string_view name) : name_(name) {}
  std::string_view name() const override { return name_; }
  bool counts_events() const override { return false; }
  void check_available() const override {
    throw NoDeviceError(fmt::format(
        "backend {}: no CUDA device (this program was built without the CUDA backend)", name_));
  }
  BackendResult run(const GemmRequest&) const override {
    check_available();
    return {};
  }

 private:
  std::string name_;
};

struct Registry {
  std::mutex mu;
  std::vector<std::unique_ptr<Backend>> backends;
  Registry() {
    backends.push_back(make_cpu_backend());
    for (std::string_view name : kGpuBackendNames) backends.push_back(std::make_unique<CudaNotBuiltBackend>(name));
  }
};

// Built on first use, so that lookups from static initialisers of other files still find `cpu`.
Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

const Backend* find_backend(std::string_view name) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  for (const auto& b : r.backends)
    if (iequals(b->name(), name)) return b.get();
  return nullptr;
}

const Backend& get_backend(std::string_view name) {
  if (const Backend* b = find_backend(name)) return *b;
  throw std::invalid_argument(
      fmt::format("backend: unknown '{}'; valid: {}", name, backend_names_text()));
}

std::vector<std::string> backend_names() {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  std::vector<std::string> names;
  for (const auto& b : r.backends) names.emplace_back(b->name());
  return names;
}

std::string backend_names_text() {
  std::string s;
  for (const auto& n : backend_names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

void register_backend(std::unique_ptr<Backend> backend) {
  if (!backend || backend->name().empty())
    throw std::invalid_argument("register_backend: a backend needs a name");
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  for (auto& b : r.backends)
    if (iequals(b->name(), backend->name())) {
      if (!dynamic_cast<const CudaNotBuiltBackend*>(b.get()))
        throw std::invalid_argument(fmt::format("register_backend: '{}' is registered already",
                                                backend->name()));
      b = std::move(backend);
      return;
    }
  r.backends.push_back(std::move(backend));
}

}  // namespace floatscope
