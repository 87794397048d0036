// The GPU backends' contract at the command line (issue 11): gpu-cublaslt, gpu-mma and
// gpu-emulated exist by name in every build; without a CUDA device (or without CUDA support) any
// use exits with code 3 saying "no CUDA device", writes no output file, and crashes nothing. On a
// machine with a device the same tests run the real thing: gpu-emulated must then give the cpu
// backend's bits (the full comparison is tests/gpu/test_gpu_backends.cpp).
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "floatscope/npy.hpp"
#include "run_process.hpp"
#include "scratch.hpp"

using floatscope::test::ProcResult;
using floatscope::test::run_cli;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  const fs::path dir = floatscope::test::scratch_root("cli_gpu");
  fs::create_directories(dir);
  return dir / name;
}

const std::vector<std::string> kShape = {"--model", "h100-fp16", "--M", "16", "--N", "8", "--K", "64",
                                         "--dist", "normal", "--seed", "3"};

bool no_device(const ProcResult& r) {
  return r.exit_code == 3 && r.err.find("no CUDA device") != std::string::npos;
}

}  // namespace

TEST_CASE("every GPU backend exists by name and exits 3 without a device", "[cli][gpu-contract]") {
  for (const std::string backend : {"gpu-cublaslt", "gpu-mma", "gpu-emulated"}) {
    INFO("backend " << backend);
    const fs::path out = scratch(backend + ".npy");
    std::vector<std::string> args = {"gemm", "--backend", backend, "--out", out.string(), "--json"};
    args.insert(args.end(), kShape.begin(), kShape.end());
    const ProcResult r = run_cli(args);
    INFO("exit " << r.exit_code << " stderr: " << r.err);
    if (r.exit_code == 0) {  // a device is present: the backend ran
      CHECK(nlohmann::json::parse(r.out).at("backend") == backend);
      CHECK(fs::exists(out));
      continue;
    }
    REQUIRE(no_device(r));
    CHECK(r.err.find(backend) != std::string::npos);  // says which backend
    CHECK(r.out.empty());
    CHECK(!fs::exists(out));  // nothing half-written
  }
  // Names are case-insensitive, like every other name.
  const ProcResult upper = run_cli({"gemm", "--backend", "GPU-Emulated", "--M", "2", "--N", "2", "--K", "4"});
  CHECK((upper.exit_code == 0 || no_device(upper)));
}

TEST_CASE("an unknown backend is a usage error listing the GPU backends", "[cli][gpu-contract]") {
  const ProcResult r = run_cli({"gemm", "--backend", "gpu-tpu", "--M", "2", "--N", "2", "--K", "4"});
  CHECK(r.exit_code == 2);
  for (const char* name : {"cpu", "gpu-cublaslt", "gpu-mma", "gpu-emulated"}) CHECK(r.err.find(name) != std::string::npos);
}

TEST_CASE("gpu-emulated gives the cpu backend's bits, or exit 3 without a device", "[cli][gpu-contract]") {
  const fs::path gpu = scratch("emulated.npy"), cpu = scratch("cpu.npy");
  std::vector<std::string> base = {"gemm", "--a-format", "fp16", "--acc-format", "fp16", "--rounding", "sr",
                                   "--M", "8", "--N", "8", "--K", "300", "--dist", "uniform01", "--seed", "9"};
  auto with = [&](std::string backend, const fs::path& out) {
    std::vector<std::string> a = base;
    a.insert(a.end(), {"--backend", backend, "--out", out.string()});
    return run_cli(a);
  };
  const ProcResult g = with("gpu-emulated", gpu);
  INFO("stderr: " << g.err);
  if (g.exit_code != 0) {
    CHECK(no_device(g));
    return;
  }
  REQUIRE(with("cpu", cpu).exit_code == 0);
  CHECK(floatscope::npy_to_doubles(floatscope::read_npy(gpu.string())) ==
        floatscope::npy_to_doubles(floatscope::read_npy(cpu.string())));
}

TEST_CASE("a sweep over a GPU backend exits 3 without a device, before any row", "[cli][gpu-contract]") {
  const fs::path dir = scratch("sweep");
  const ProcResult r = run_cli({"sweep", "-o", dir.string(), "--quiet", "--set", "backend=gpu-emulated", "--a-format",
                                "fp16", "--acc-format", "fp32", "--dist", "normal", "--M", "2", "--N", "2", "--K", "8"});
  INFO("stderr: " << r.err);
  if (r.exit_code == 0) return;  // a device is present
  CHECK(no_device(r));
  CHECK(!fs::exists(dir / "results.csv"));
}

TEST_CASE("probe-gpu exits 3 without a device", "[cli][gpu-contract]") {
  const ProcResult r = run_cli({"probe-gpu", "--steps", "1000"});
  INFO("stderr: " << r.err);
  if (r.exit_code == 0) {
    CHECK(r.out.find("block size L") != std::string::npos);
    return;
  }
  CHECK(no_device(r));
  CHECK(r.err.find("probe-gpu") != std::string::npos);
  const ProcResult bad = run_cli({"probe-gpu", "--steps", "-4"});
  CHECK(bad.exit_code == 2);
}
