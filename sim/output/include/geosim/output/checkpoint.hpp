#pragma once
// Checkpoints in run output files and the history a fork copies from them
// (docs/output-schema.md, "/checkpoint"; docs/sweeps.md, "Forks"). HDF5
// stays out of this header.
#include <memory>
#include <string>
#include <vector>

#include "geosim/engine/observer.hpp"

namespace geosim::output {

/// Reads the /checkpoint group of a run's output file (written by a run with
/// RunOptions::checkpoint_at). Checks the whole file first (check.hpp).
/// Throws InputError naming the file when it is missing, damaged, not a
/// geosim output or holds no checkpoint.
engine::StoredCheckpoint read_checkpoint(const std::string& path);

/// What a forked run copies from the run it forks: the records of the steps
/// up to and including the checkpoint's, and the snapshots among them.
struct History {
  std::vector<engine::StepRecord> records;
  struct Snapshot {
    int step = 0;
    Month month;
    std::vector<std::uint16_t> state, sector;
    std::vector<std::uint8_t> role, cautious;
    std::vector<double> size, exposure, trade;
  };
  std::vector<Snapshot> snapshots;
};

/// Reads the records of steps 0..through of `variables` (the engine's
/// catalogue; each must be in the file with the same shape) and every
/// snapshot dated up to that step from a run's output file that
/// read_checkpoint has accepted. Throws InputError naming the file and
/// dataset when one is missing or of another shape.
History read_history(const std::string& path, int through, const std::vector<engine::VariableInfo>& variables);

/// An observer that, in begin(), gives `inner` the history's records and
/// snapshots as if the engine had run those steps, then forwards the rest:
/// a forked run's output is then written exactly as a full run's.
std::unique_ptr<engine::Observer> make_fork_replay(const History& history, engine::Observer& inner);

}  // namespace geosim::output
