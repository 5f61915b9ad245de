#pragma once
// Running a plan: locally over threads, as one shard of N, or over MPI ranks.
// Each finished run is written to its own part file (temporary name, then an
// atomic rename) in OUT.parts/, so memory does not grow with the number of
// runs and a killed sweep loses only the runs in flight; the output file is
// then assembled from the parts in run-id order (docs/sweeps.md).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "geosim/sweep/plan.hpp"

namespace geosim::sweep {

struct Progress {
  std::size_t done = 0;    ///< runs finished (ok, failed or invalid), resumed ones included
  std::size_t failed = 0;  ///< of which failed or invalid
  std::size_t total = 0;   ///< runs this process (or MPI job) is responsible for
};

struct SweepOptions {
  std::string output;          ///< the sweep file to write
  int jobs = 0;                ///< runs at once (per MPI rank); 0 = number of cores
  int threads_per_run = 1;     ///< engine threads of each run
  std::uint32_t shard = 1;     ///< 1-based K of --shard K/N
  std::uint32_t shards = 1;    ///< N of --shard K/N; 1 = the whole sweep
  bool resume = false;         ///< keep finished parts and run only the others
  bool force = false;          ///< overwrite an existing output (and discard old parts)
  bool keep_going = false;     ///< record invalid runs as such instead of refusing to start
  bool keep_parts = false;     ///< leave OUT.parts/ after assembling
  /// Check every run's output (engine::RunOptions::check); a run that fails
  /// the check is recorded as failed, with the check's message, like any
  /// other run that throws.
  bool check = false;
  /// Output file of a run with a checkpoint (geosim run --checkpoint-at):
  /// every run starts from its state and copies the months up to it
  /// (docs/sweeps.md, "Forks"). Runs then use the checkpoint's seed and run
  /// id, so run r's output is that of `geosim run` of its scenario with the
  /// base's seed; a run whose scenario differs from the base's before the
  /// checkpoint is invalid. Empty: no fork.
  std::string fork_from;
  /// Called (from one thread at a time) when a run finishes; may be empty.
  std::function<void(const Progress&)> progress;
  /// Polled between runs; true stops handing out new runs (finished parts stay).
  std::function<bool()> cancelled;
};

struct SweepReport {
  std::size_t runs = 0;      ///< runs of this shard (or of the sweep)
  std::size_t resumed = 0;   ///< found finished in the parts directory
  std::size_t ran = 0;       ///< run by this invocation (ok or failed)
  std::size_t failed = 0;    ///< failed or invalid, in the output
  bool complete = false;     ///< the output file was written
  bool coordinator = true;   ///< false on MPI ranks other than 0 (they print nothing)
  double wall_seconds = 0;
};

/// The run ids of shard K of N: every N-th run starting at K - 1, so that
/// slices of a factorial plan get similar mixes of parameter values.
std::vector<std::uint32_t> shard_runs(std::size_t runs, std::uint32_t shard, std::uint32_t shards);

/// Runs a plan (or one shard of it) and writes options.output. Throws
/// InputError for bad options, existing outputs, parts from another sweep or
/// (without keep_going) invalid runs; EnvironmentError when files cannot be
/// written. Under MPI (see mpi_world_size) every rank calls it with the same
/// arguments; rank 0 hands out runs and writes the output.
SweepReport run_sweep(const Plan& plan, const SweepOptions& options);

/// Merges shard files of one sweep into `output` (all planned runs, checked).
void merge_shards(const std::vector<std::string>& shards, const std::string& output, bool force);

/// Whether this build has MPI (CMake option GEOSIM_MPI).
bool mpi_built() noexcept;
/// Number of MPI ranks this process was launched with (1 without mpirun or
/// without MPI support). Initialises MPI on first use when launched by mpirun.
int mpi_world_size();
/// Finalises MPI if it was initialised; call before exit.
void mpi_finalize() noexcept;

}  // namespace geosim::sweep
