// `mpirun -n N floatscope sweep ...`: one sweep over N MPI ranks. Compiled only when the build
// finds MPI (FLOATSCOPE_HAVE_MPI); tools/cmd_sweep.cpp calls it when launch_place() says the
// process is one of several.
//
// Rank 0 schedules and writes: it hands point positions (every rank expands the same grid, so only
// positions travel) largest estimated cost first (sweep_schedule.hpp) to whichever rank has a free
// thread, runs points on its own threads too, and appends the rows the ranks send back to
// results.csv with the durability and resume rules of run_points (one writer, write + fsync per
// batch, the file sorted into grid order once complete). Rows are computed by the same function as
// in a one-process run, so the files are equal row for row but for the timing column.
//
// Faults: rank 0 watches the ranks on its machine and, when one dies, stops with an error naming
// the points it held; a signal from the launcher (mpirun tearing the job down after a rank died
// elsewhere, or Ctrl-C) stops it with the points in flight listed. Either way every row on disk is
// whole, and the same command resumes.
#pragma once

#include <atomic>
#include <filesystem>
#include <vector>

#include "floatscope/sweep.hpp"

namespace floatscope::cli::mpi_sweep {

struct Options {
  int threads = 1;                          // points run at once on each rank
  bool progress = true;                     // progress lines on rank 0's stderr
  const std::atomic<bool>* stop = nullptr;  // rank 0: set by SIGINT/SIGTERM
};

// MPI_Init_thread (funneled: only the calling thread talks MPI). Returns this rank; size in *size.
int init(int* size);
// Rank 0: schedules `points` (the same list on every rank) and writes csv. Returns the summary as
// run_points does; summary.error names a failed point or a dead rank and its points.
sweep::RunSummary schedule(const std::vector<sweep::Point>& points, const std::filesystem::path& csv,
                           const sweep::Evaluator& evaluate, const Options& options);
// Other ranks: runs what rank 0 hands out until it says stop. Returns the exit code.
int work(const std::vector<sweep::Point>& points, const sweep::Evaluator& evaluate, const Options& options);
// Whether rank 0 left the run without the other ranks (a dead rank, a signal): the process must
// then exit without MPI_Finalize (which would wait for them) and without joining busy threads.
bool abandoned();
// MPI_Finalize, after a run in which every rank took part to the end (nothing when abandoned()).
void finalize();

}  // namespace floatscope::cli::mpi_sweep
