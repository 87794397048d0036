// Where this process sits in a parallel launch (mpirun, srun, a job array) and which GPU it uses.
//
// Launchers describe each process in its environment before any MPI call: Open MPI sets
// OMPI_COMM_WORLD_{RANK,SIZE,LOCAL_RANK,LOCAL_SIZE}, MPICH/Hydra and Slurm's PMI set PMI_RANK /
// PMI_SIZE (MPICH adds MPI_LOCALRANKID, Slurm SLURM_LOCALID). Reading them needs no MPI library,
// so a build without MPI can still tell that it was launched as one of many processes (and refuse
// to run the whole sweep N times).
#pragma once

#include <functional>
#include <optional>

namespace floatscope {

struct LaunchPlace {
  int rank = 0, size = 1;              // in the whole job
  int local_rank = 0, local_size = 1;  // among the job's processes on this machine
};

// Reads the launcher's variables through `getenv` (std::getenv by default; tests pass a map). A
// process started without a launcher is rank 0 of 1. Values that are not integers in range are
// ignored (as if unset).
using EnvLookup = std::function<const char*(const char*)>;
LaunchPlace launch_place(const EnvLookup& getenv = nullptr);

// The GPU a process uses when a GPU backend runs: its local rank modulo the devices it sees, so
// that the ranks on one machine spread over its GPUs (rank 0 -> device 0, 1 -> 1, ..., wrapping
// when there are more ranks than devices). Throws std::invalid_argument when device_count < 1
// (a GPU backend chosen on a machine without a GPU) or local_rank < 0.
int gpu_for_local_rank(int local_rank, int device_count);

}  // namespace floatscope
