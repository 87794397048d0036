// `floatscope probe-gpu`: the probe methodology of docs/references.md s.5 on the tensor cores of
// CUDA device 0 (probe.hpp), one mma.sync instruction at a time, then the matching CPU model
// against the instruction on random steps. Exit 3 without a CUDA device.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "floatscope/backend.hpp"
#include "floatscope/probe.hpp"
#if defined(FLOATSCOPE_WITH_CUDA)
#include "floatscope/cuda/backends.hpp"
#endif

namespace floatscope::cli {
namespace {

struct ProbeArgs {
  std::uint64_t steps = 100000;
  std::uint64_t seed = 1;
  std::uint64_t fit_cases = 2000;
  std::string only;
  bool json = false;
};

#if defined(FLOATSCOPE_WITH_CUDA)
nlohmann::json probe_json(const ProbeFindings& f) {
  auto m = [](const Measured& x) {
    return x.measured ? nlohmann::json{{"value", x.value}, {"lower_bound", x.lower_bound}} : nlohmann::json(nullptr);
  };
  return {{"instruction", f.instruction}, {"products_exact", f.products_exact}, {"L", m(f.L)}, {"F", m(f.F)},
          {"P", m(f.P)}, {"alignment", f.alignment}, {"step_rounding", f.step_rounding}, {"c_entry", f.c_entry},
          {"subnormal_inputs", f.subnormal_inputs}, {"subnormal_c", f.subnormal_c},
          {"carries_kept", f.carries_kept}, {"nan_propagates", f.nan_propagates},
          {"model", f.model.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.model)}, {"same_parameters", f.also},
          {"steps_compared", f.steps_compared}, {"steps_agreeing", f.steps_agreeing},
          {"fit", f.fitted ? nlohmann::json{{"cases", f.fit_cases}, {"full_matches", f.fit_full_matches},
                                            {"best", f.fit_models}}
                           : nlohmann::json(nullptr)},
          {"raw", f.raw}};
}
#endif

int run_probe_gpu(const ProbeArgs& a) {
#if defined(FLOATSCOPE_WITH_CUDA)
  const std::vector<InstructionUnderTest> instructions = cuda::device_instructions();  // NoDeviceError: exit 3
  ProbeOptions opt;
  opt.random_steps = a.steps;
  opt.seed = a.seed;
  opt.fit_random_cases = static_cast<std::size_t>(a.fit_cases);
  nlohmann::json all = nlohmann::json::array();
  if (!a.json) fmt::print("device: {}\n\n", cuda::device_description());
  int probed = 0;
  for (const InstructionUnderTest& u : instructions) {
    if (!a.only.empty() && u.name.find(a.only) == std::string::npos) continue;
    ++probed;
    const ProbeFindings f = probe_instruction(u, opt);
    if (a.json) all.push_back(probe_json(f));
    else fmt::print("{}\n", describe_findings(f));
  }
  if (probed == 0) throw UsageError("--instruction '" + a.only + "' matches none of this device's instructions");
  if (a.json) fmt::print("{}\n", nlohmann::json{{"device", cuda::device_description()}, {"instructions", all}}.dump(2));
  return kExitOk;
#else
  (void)a;
  throw NoDeviceError("probe-gpu: no CUDA device (this program was built without the CUDA backend)");
#endif
}

const Registrar reg_probe_gpu("probe-gpu", 75, [](CLI::App& app) -> std::function<int()> {
  app.description("Probe the tensor cores of CUDA device 0 one mma instruction at a time (docs/references.md s.5): "
                  "products exact?, block size L, fraction bits F, roundings, how C enters; then the matching "
                  "CPU model bit for bit on random steps, and `fit`'s search on recorded steps. Exit 3 without a "
                  "CUDA device");
  auto a = std::make_shared<ProbeArgs>();
  add_strict_int(app, "--steps", a->steps, "random steps compared with the matching model [default: 100000]", 0, UINT64_MAX);
  add_strict_int(app, "--seed", a->seed, "seed of the random steps [default: 1]", 0, UINT64_MAX);
  add_strict_int(app, "--fit-cases", a->fit_cases,
                 "random steps recorded for `fit` (with its targeted probe cases; 0 = no fit) [default: 2000]", 0,
                 1000000);
  app.add_option("--instruction", a->only, "probe only instructions whose name contains this text (e.g. e4m3)");
  app.add_flag("--json", a->json, "print one JSON object");
  return [a] { return run_probe_gpu(*a); };
});

}  // namespace
}  // namespace floatscope::cli
