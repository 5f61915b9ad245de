#pragma once
// Runs a scenario: the phase schedule of MODEL.md §3 over the horizon, on a
// serial or a oneTBB back-end. Results are bit-identical for every back-end
// and thread count: parallel work writes only its own agents' slots, and
// everything that combines them runs in a fixed order.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "geosim/engine/observer.hpp"
#include "geosim/model/spec.hpp"

namespace geosim::engine {

enum class Backend { serial, tbb };

/// Time of one phase of the step, summed over a run.
struct PhaseTime {
  const char* name;  ///< the phase, as the engine's schedule names it
  double seconds = 0.0;      ///< wall time, seconds
  /// CPU time of the thread that runs the engine, seconds: all of the work
  /// on one thread, and unlike wall time blind to other processes' load.
  double cpu_seconds = 0.0;
};

struct RunOptions {
  Backend backend = Backend::tbb;
  int threads = 1;            ///< worker threads for Backend::tbb; 0 = all cores
  std::uint64_t seed = 1;     ///< master seed of the run's random streams
  std::uint32_t run = 0;      ///< run id (sweeps); part of every stream key
  /// Check every step's output against its variables' invariants
  /// (check.hpp); a violation throws CheckError before the observer sees
  /// the step. Costs about 1 ms over the baseline's 216 steps, 0.05 % of its
  /// run time (docs/reliability.md).
  bool check = false;
  /// Hands the state after this month's step to Observer::checkpoint.
  std::optional<Month> checkpoint_at;
  /// Start from this stored state instead of the first month: steps up to
  /// resume->step are not run (nor recorded: the observer replays them, see
  /// output::make_fork_replay). The caller has checked that the spec shares
  /// the stored run's history (model::first_difference) and that seed and
  /// run are the stored ones; restoring throws InputError when the stored
  /// arrays do not fit the world the spec builds.
  const StoredCheckpoint* resume = nullptr;
  /// Called after each step with (steps done, steps in all); may be empty.
  std::function<void(int, int)> progress;
  /// When set, receives the wall time of each phase of the step (the
  /// observer's record and snapshot as "output"), in schedule order, added
  /// to what it holds for a run of the same spec (benchmarks/). Costs two
  /// clock reads per phase; none when null.
  std::vector<PhaseTime>* phase_times = nullptr;
};

/// The output variables of a run, in record order (see docs/output-schema.md).
const std::vector<VariableInfo>& variables();

/// Runs a validated spec, reporting every step to `observer`. Throws what the
/// observer throws, and CheckError when options.check finds a value that
/// breaks its variable's invariant; the engine itself otherwise only asserts.
RunSummary run(const model::ScenarioSpec& spec, const RunOptions& options, Observer& observer);

}  // namespace geosim::engine
