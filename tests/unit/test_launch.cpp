// Process placement (launch.hpp): the launcher's variables, the GPU of a local rank, and its use
// where a GPU backend is chosen (resolve_experiment hands the device to the backend's request).
#include <catch2/catch.hpp>
#include <stdlib.h>

#include <map>
#include <memory>
#include <string>

#include "floatscope/backend.hpp"
#include "floatscope/experiment.hpp"
#include "floatscope/launch.hpp"

using namespace floatscope;

namespace {

// A stand-in GPU backend with three devices: computes on the cpu backend and records the device
// each request named.
class ThreeGpuBackend final : public Backend {
 public:
  static inline int last_device = -2;
  std::string_view name() const override { return "test-three-gpus"; }
  bool counts_events() const override { return true; }
  int devices() const override { return 3; }
  BackendResult run(const GemmRequest& req) const override {
    last_device = req.device;
    return get_backend("cpu").run(req);
  }
};

// Sets the Open MPI variables of one rank for the life of the object.
struct AsRank {
  AsRank(int rank, int size, int local_rank, int local_size) {
    ::setenv("OMPI_COMM_WORLD_RANK", std::to_string(rank).c_str(), 1);
    ::setenv("OMPI_COMM_WORLD_SIZE", std::to_string(size).c_str(), 1);
    ::setenv("OMPI_COMM_WORLD_LOCAL_RANK", std::to_string(local_rank).c_str(), 1);
    ::setenv("OMPI_COMM_WORLD_LOCAL_SIZE", std::to_string(local_size).c_str(), 1);
  }
  ~AsRank() {
    for (const char* v : {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK",
                          "OMPI_COMM_WORLD_LOCAL_SIZE"})
      ::unsetenv(v);
  }
};

}  // namespace

TEST_CASE("launch_place reads Open MPI, PMI and Slurm variables; GPUs go by local rank", "[launch]") {
  auto from = [](std::map<std::string, std::string> env) {
    return launch_place([env](const char* name) -> const char* {
      auto it = env.find(name);
      return it == env.end() ? nullptr : it->second.c_str();
    });
  };
  auto none = from({});
  CHECK((none.rank == 0 && none.size == 1 && none.local_rank == 0 && none.local_size == 1));
  auto ompi = from({{"OMPI_COMM_WORLD_RANK", "5"}, {"OMPI_COMM_WORLD_SIZE", "8"},
                    {"OMPI_COMM_WORLD_LOCAL_RANK", "1"}, {"OMPI_COMM_WORLD_LOCAL_SIZE", "4"}});
  CHECK((ompi.rank == 5 && ompi.size == 8 && ompi.local_rank == 1 && ompi.local_size == 4));
  auto pmi = from({{"PMI_RANK", "3"}, {"PMI_SIZE", "4"}, {"SLURM_LOCALID", "3"}});
  CHECK((pmi.rank == 3 && pmi.size == 4 && pmi.local_rank == 3));
  // Garbage or inconsistent values: treated as no launcher, never a crash.
  auto bad = from({{"OMPI_COMM_WORLD_RANK", "7"}, {"OMPI_COMM_WORLD_SIZE", "4"}});
  CHECK((bad.rank == 0 && bad.size == 1));
  auto junk = from({{"PMI_RANK", "x"}, {"PMI_SIZE", "4"}});
  CHECK((junk.rank == 0 && junk.size == 1));

  // 4 GPUs on a node: local ranks 0..7 use 0,1,2,3,0,1,2,3.
  for (int r = 0; r < 8; ++r) CHECK(gpu_for_local_rank(r, 4) == r % 4);
  CHECK(gpu_for_local_rank(0, 1) == 0);
  CHECK_THROWS_WITH(gpu_for_local_rank(0, 0), Catch::Contains("no GPU"));
  CHECK_THROWS_AS(gpu_for_local_rank(-1, 2), std::invalid_argument);
}

TEST_CASE("a GPU backend runs on the GPU of the process's local rank; the cpu backend on none", "[launch]") {
  if (!find_backend("test-three-gpus")) register_backend(std::make_unique<ThreeGpuBackend>());
  ExperimentSpec s;
  s.backend = "test-three-gpus";
  s.M = s.N = 2;
  s.K = 8;
  {
    const AsRank r(6, 8, 4, 5);  // local rank 4 of 5 on this machine: device 4 mod 3 = 1
    CHECK(resolve_experiment(s).device == 1);
    run_experiment(s, 1);
    CHECK(ThreeGpuBackend::last_device == 1);
  }
  run_experiment(s, 1);  // no launcher: rank 0 alone, device 0
  CHECK(ThreeGpuBackend::last_device == 0);
  ExperimentSpec cpu = s;
  cpu.backend = "cpu";
  const AsRank r(1, 2, 1, 2);
  CHECK(resolve_experiment(cpu).device == -1);
}
