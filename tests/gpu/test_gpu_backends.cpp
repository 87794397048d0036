// The GPU backends on a real device (issue 11's proof). Without a CUDA device every case reports
// Skipped (exit 77). Oracles: the cpu backend (gpu-emulated must give its bits), and the models
// of docs/references.md s.5 for the device's generation (the mma chain and cuBLASLt must give
// the named model's bits where the table has a row and cuBLASLt does not split K).
#include <catch2/catch.hpp>
#include <cuda_runtime.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "floatscope/backend.hpp"
#include "floatscope/cuda/backends.hpp"
#include "floatscope/cuda/round_device.hpp"
#include "floatscope/gemm.hpp"
#include "floatscope/models.hpp"
#include "floatscope/probe.hpp"
#include "floatscope/random.hpp"
#include "floatscope/rounding.hpp"
#include "skip.hpp"

using namespace floatscope;

namespace {

// Device 0's compute capability (major*10 + minor), or 0 after reporting Skipped.
int device_cc() {
  std::string why;
  if (cuda::device_count(&why) == 0) {
    test::skip_test_case("no CUDA device (" + why + ")");
    return 0;
  }
  cudaDeviceProp p{};
  cudaGetDeviceProperties(&p, 0);
  cuda::register_gpu_backends();
  return p.major * 10 + p.minor;
}

// Random values on f's grid (normal, scaled), some exact zeros.
std::vector<double> on_grid(std::size_t n, const Format& f, std::uint64_t seed, double scale = 1) {
  const CounterRng rng(seed, 17);
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double u1 = rng.uniform(2 * i) + 1e-300, u2 = rng.uniform(2 * i + 1);
    const double x = scale * std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    v[i] = i % 29 == 5 ? 0.0 : round(x, f);
  }
  return v;
}

std::size_t same_bits(const std::vector<double>& x, const std::vector<double>& y) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    n += (std::isnan(x[i]) && std::isnan(y[i])) ||
         std::bit_cast<std::uint64_t>(x[i]) == std::bit_cast<std::uint64_t>(y[i]);
  return n;
}

BackendResult run(std::string_view backend, const Accumulator& acc, int M, int N, int K, const std::vector<double>& A,
                  const std::vector<double>& B, const std::vector<double>* C) {
  return get_backend(backend).run(GemmRequest{&acc, M, N, K, A.data(), B.data(), C ? C->data() : nullptr, 0});
}

// The table's generation for this device: sm_80 a100, sm_89 ada, sm_90 h100.
std::string generation(int cc) { return cc >= 90 ? "h100" : cc >= 89 ? "ada" : "a100"; }

}  // namespace

TEST_CASE("gpu-emulated equals the cpu backend bit for bit", "[gpu]") {
  if (device_cc() == 0) return;
  std::vector<std::pair<std::string, Accumulator>> models;
  for (const char* m : {"v100-fp16", "a100-bf16", "h100-fp16", "h100-tf32", "ada-fp8", "h100-fp8", "h100-fp8-promote128",
                        "b200-fp8"})
    models.emplace_back(m, model_accumulator(m));
  const Format fp16 = parse_format("fp16"), bf16 = parse_format("bf16"), fp32 = parse_format("fp32");
  for (Mode mode : {Mode::rne, Mode::rtz, Mode::rup, Mode::rdn, Mode::rna, Mode::rto, Mode::sr, Mode::sr_equal}) {
    Rounding r{mode};
    r.seed = 42;
    models.emplace_back(std::string("fp16 acc ") + std::string(mode_name(mode)), make_scalar_accumulator(fp16, fp16, r));
    models.emplace_back(std::string("bf16 acc ") + std::string(mode_name(mode)), make_scalar_accumulator(bf16, bf16, r));
  }
  models.emplace_back("fp32 acc rne (native double path off)", make_scalar_accumulator(fp16, fp32));
  models.emplace_back("fp64 acc", make_scalar_accumulator(fp32, parse_format("fp64")));
  Accumulator scaled = model_accumulator("h100-fp8-promote128");
  scaled.scale_a = 0.5;
  scaled.scale_b = 3;
  scaled.output_format = bf16;
  models.emplace_back("h100-fp8-promote128, scales, bf16 output", scaled);
  // Dropout's rescale after storing (OutputScaleMode::after): two output roundings around an fp32
  // multiply; with SR both draw from the output's stream, in the engine's order.
  for (Mode mode : {Mode::rne, Mode::sr}) {
    Accumulator dropout = make_scalar_accumulator(bf16, fp32);
    dropout.output_format = fp16;
    dropout.output_rounding = Rounding{mode};
    dropout.output_rounding.seed = 7;
    dropout.output_scale = 1.0 / 0.9;
    dropout.output_scale_mode = OutputScaleMode::after;
    models.emplace_back(std::string("fp16 output, dropout rescale after storing, ") + std::string(mode_name(mode)), dropout);
  }
  // Special-value rules other than NVIDIA's (the unit's constants carry them to the device step).
  Accumulator flushing = model_accumulator("a100-bf16");
  flushing.fused->specials = UnitSpecials{true, true, UnitOverflow::saturate, ZeroSign::ieee};
  models.emplace_back("a100-bf16 unit flushing subnormals, saturating, IEEE zeros", flushing);
  Accumulator promoted = make_scalar_accumulator(fp16, fp16, Rounding{Mode::sr});
  promoted.promote = 32;
  promoted.outer_format = fp32;
  models.emplace_back("fp16 sr acc promoted into fp32 every 32", promoted);

  const int shapes[][3] = {{1, 1, 1}, {7, 5, 33}, {16, 8, 300}, {3, 130, 1000}};
  for (const auto& [name, acc] : models)
    for (const auto& s : shapes) {
      const int M = s[0], N = s[1], K = s[2];
      INFO(name << " M=" << M << " N=" << N << " K=" << K);
      const auto A = on_grid(static_cast<std::size_t>(M) * K, acc.a_format, 1);
      const auto B = on_grid(static_cast<std::size_t>(K) * N, acc.b_format, 2);
      const auto C = on_grid(static_cast<std::size_t>(M) * N, fp32, 3, 4);
      for (const std::vector<double>* c : {static_cast<const std::vector<double>*>(nullptr), &C}) {
        const auto gpu = run("gpu-emulated", acc, M, N, K, A, B, c).D;
        const auto cpu = run("cpu", acc, M, N, K, A, B, c).D;
        REQUIRE(gpu.size() == cpu.size());
        CHECK(same_bits(gpu, cpu) == cpu.size());
      }
    }
}

TEST_CASE("gpu-mma chains equal the device generation's models (docs/references.md s.5)", "[gpu]") {
  const int cc = device_cc();
  if (cc == 0) return;
  const std::string g = generation(cc);
  for (const char* fmt : {"fp16", "bf16", "tf32"}) {
    const std::string model = g + "-" + fmt;
    INFO(model << " through gpu-mma");
    const Accumulator acc = model_accumulator(model);
    const int M = 32, N = 16, K = 256;
    const auto A = on_grid(M * K, acc.a_format, 4), B = on_grid(K * N, acc.b_format, 5);
    const auto C = on_grid(M * N, parse_format("fp32"), 6, 8);
    const auto hw = run("gpu-mma", acc, M, N, K, A, B, &C);
    const auto cpu = run("cpu", acc, M, N, K, A, B, &C);
    CHECK(same_bits(hw.D, cpu.D) == cpu.D.size());
  }
}

TEST_CASE("cuBLASLt equals the h100 models where it does not split K", "[gpu]") {
  const int cc = device_cc();
  if (cc == 0) return;
  if (cc < 90) {
    test::skip_test_case("cuBLASLt comparison is defined for sm_90 (h100/h200 models)");
    return;
  }
  struct Case {
    const char* model;
    const char* a;
    const char* b;
    int K;
  };
  const Case cases[] = {{"h100-fp16", "fp16", "fp16", 512}, {"h100-bf16", "bf16", "bf16", 512},
                        {"h100-fp16", "fp16", "fp16", 64},  {"h100-fp8", "e4m3", "e4m3", 1024},
                        {"h100-fp8", "e4m3", "e5m2", 1024}, {"h100-fp8", "e5m2", "e4m3", 1024},
                        {"h100-fp8-promote128", "e4m3", "e4m3", 1024}};
  for (const Case& c : cases) {
    const Accumulator acc = model_accumulator(c.model, parse_format(c.a), parse_format(c.b));
    const int M = 64, N = 64;
    const auto A = on_grid(static_cast<std::size_t>(M) * c.K, acc.a_format, 7);
    const auto B = on_grid(static_cast<std::size_t>(c.K) * N, acc.b_format, 8);
    const auto lt = run("gpu-cublaslt", acc, M, N, c.K, A, B, nullptr);
    const auto cpu = run("cpu", acc, M, N, c.K, A, B, nullptr);
    const std::size_t same = same_bits(lt.D, cpu.D);
    INFO(c.model << " " << c.a << "x" << c.b << " K=" << c.K << ": " << lt.info << "; match " << same << "/"
                 << cpu.D.size());
    CHECK(lt.info.find("cublasLt=") != std::string::npos);
    if (lt.info.find("splitk=1;") != std::string::npos || lt.info.find("splitk=0;") != std::string::npos)
      CHECK(same == cpu.D.size());
    else
      WARN("cuBLASLt split K: " << lt.info << "; match " << same << "/" << cpu.D.size());
  }
}

TEST_CASE("probe-gpu's findings on this device agree with docs/references.md s.5", "[gpu]") {
  const int cc = device_cc();
  if (cc == 0) return;
  // The table's rows (L, F, P) for this generation's fp16/bf16/tf32 units; one mma instruction
  // of k products shows min(L, k) with a lower bound when L >= k.
  struct Row {
    const char* fmt;
    int L, F;
  };
  std::vector<Row> rows;
  if (cc >= 90) rows = {{"fp16", 16, 25}, {"bf16", 16, 25}, {"tf32", 8, 25}};
  else rows = {{"fp16", 8, 24}, {"bf16", 8, 24}, {"tf32", 4, 24}};
  ProbeOptions opt;
  opt.random_steps = 100000;
  for (const InstructionUnderTest& u : cuda::device_instructions()) {
    const ProbeFindings f = probe_instruction(u, opt);
    INFO(describe_findings(f));
    if (u.name.find("wgmma") != std::string::npos && u.a_format.name == "e4m3") {
      // H100/H200 fp8 (wgmma k32): 32 products + C per step, F = 13, e8m13 RZ.
      CHECK(f.L.value == 32);
      CHECK(f.F.value == 13);
      CHECK(f.P.value == 14);
      CHECK(f.step_rounding == "rtz");
      CHECK(f.model == "h100-fp8");
      CHECK(f.steps_agreeing == f.steps_compared);
      continue;
    }
    for (const Row& r : rows) {
      if (u.a_format.name != r.fmt) continue;
      CHECK(f.products_exact);
      CHECK(f.L.value == std::min(r.L, u.k));
      CHECK(f.F.value == r.F);
      CHECK(f.step_rounding == "rtz");
      CHECK(f.c_entry == "inside the block");
      CHECK(!f.model.empty());
      CHECK(f.steps_compared == 100000);
      CHECK(f.steps_agreeing == f.steps_compared);
    }
  }
}
