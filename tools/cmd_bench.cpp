// `floatscope bench [GROUP]`: quick throughput measurements users can run on their own machine.
//
// Groups are entries of the table below, each in its own tools/bench_<group>.cpp; each adds a
// subcommand with its own options and a runner. `floatscope bench` with no group runs the first
// one (rounding), taking its options directly. Every figure is printed next to a baseline
// measured in the same run (a plain copy, a plain double GEMM loop, the MPFR oracle), because
// absolute numbers mean little on a shared or throttled machine.
#include <memory>
#include <vector>

#include "bench_common.hpp"

namespace floatscope::cli {
namespace {

const Registrar reg_bench("bench", 90, [](CLI::App& app) -> std::function<int()> {
  app.description("Measure throughput on this machine (groups: rounding (default), gemm, reference)");
  app.footer(
      "Examples:\n"
      "  floatscope bench\n"
      "  floatscope bench --formats fp16,e4m3 --modes rne,sr --n 1000000 --threads 1\n"
      "  floatscope bench rounding --threads 1,2 --csv > rounding.csv\n"
      "  floatscope bench gemm --models fp16-acc-rne,h100-fp8 --size 512,512,512 --threads 1\n"
      "  floatscope bench reference --K 4096 --csv");
  app.require_subcommand(0, 1);
  auto table = std::make_shared<std::vector<bench::Group>>(
      std::vector<bench::Group>{bench::rounding_group(), bench::gemm_group(), bench::reference_group()});
  std::vector<std::pair<CLI::App*, std::function<int()>>> runners;
  for (auto& g : *table) {
    CLI::App* sub = app.add_subcommand(g.name, g.description);
    runners.emplace_back(sub, g.setup(*sub));
  }
  // `bench` alone runs the first group with the same options.
  std::function<int()> default_run = table->front().setup(app);
  return [runners, default_run, table] {
    for (const auto& [sub, run] : runners)
      if (sub->parsed()) return run();
    return default_run();
  };
});

}  // namespace
}  // namespace floatscope::cli
