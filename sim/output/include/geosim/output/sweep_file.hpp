#pragma once
// Sweep files: the runs of a parameter sweep in one HDF5 / netCDF-4 file with
// a leading `run` dimension (docs/sweeps.md). A part (one finished run), a
// shard (a slice of the runs) and the merged result share this one format, so
// that merging is one operation whatever it combines. HDF5 stays out of this
// header.
#include <cstdint>
#include <string>
#include <vector>

#include "geosim/core/month.hpp"
#include "geosim/engine/observer.hpp"

namespace geosim::output {

/// The axes that every run of a sweep shares.
struct SweepLayout {
  Month start;                          ///< first simulated month
  std::size_t steps = 0;                ///< months per run
  std::vector<std::string> states;      ///< labels of state and partner
  std::vector<std::string> sectors;
  std::vector<std::string> currencies;
  std::vector<engine::VariableInfo> variables;  ///< trajectories, dims time first

  /// Size of a dimension.
  std::size_t size(engine::Dim d) const noexcept;
  /// Values of a variable per step (product of its dims after time).
  std::size_t row(const engine::VariableInfo& v) const noexcept;
};

/// Outcome of one run: 0 ok, 1 failed while running, 2 scenario invalid.
enum class RunStatus : std::uint8_t { ok = 0, failed = 1, invalid = 2 };

const char* to_string(RunStatus s) noexcept;

struct SweepParameterInfo {
  std::string name;       ///< variable param_<name>
  std::string key_path;   ///< scenario key path the value overrides
  bool numeric = true;    ///< float64 variable, else string
};

/// What every part, shard and merged file of one sweep shares.
struct SweepHeader {
  std::string fingerprint;    ///< hash of the resolved sweep (plan and base scenario)
  std::string name;           ///< the sweep's name
  std::string sweep_yaml;     ///< the sweep file as written
  std::string scenario_yaml;  ///< the resolved base scenario
  std::uint64_t master_seed = 0;
  std::uint32_t planned_runs = 0;
  std::vector<SweepParameterInfo> parameters;
  std::vector<std::string> sobol_parameters;  ///< names in Saltelli order; empty without a Sobol design
  SweepLayout layout;
};

/// One run's row of the per-run variables, and its trajectories.
struct RunRecord {
  std::uint32_t run = 0;
  std::uint64_t seed = 0;
  std::uint32_t replicate = 0;
  RunStatus status = RunStatus::ok;
  std::string error;                ///< the message of a failed or invalid run
  std::vector<std::string> values;  ///< one per parameter; numbers as text that round-trips
  std::string overrides;            ///< the run's overrides, one `key=value` per line
  std::int32_t sobol_matrix = -1;   ///< 0 = A, 1 = B, 2 + i = AB_i; -1 without Sobol
  std::int32_t sobol_sample = -1;   ///< base sample index; -1 without Sobol
  /// Per layout variable, steps × row values (time-major); empty unless ok.
  std::vector<std::vector<double>> data;
};

/// Writes a sweep file holding one run. The caller renames it into place.
/// Throws EnvironmentError when the file cannot be written.
void write_run_file(const std::string& path, const SweepHeader& header, const RunRecord& run);

/// The identity of a sweep file, read without its trajectories.
struct SweepFileSummary {
  std::string fingerprint;
  std::uint32_t planned_runs = 0;
  std::vector<std::uint32_t> runs;   ///< run ids, increasing
  std::vector<RunStatus> status;     ///< per entry of runs
  std::string shard;                 ///< "K/N" for a shard file, else empty
};

/// Opens and checks a sweep file. Throws InputError naming the file when it is
/// missing, not HDF5, truncated, not a geosim sweep file or inconsistent.
SweepFileSummary inspect_sweep_file(const std::string& path);

struct MergeOptions {
  /// Fingerprint every input must carry; empty: that of the first input.
  std::string expected_fingerprint;
  /// Run ids the output must hold exactly; empty: all planned runs.
  std::vector<std::uint32_t> expected_runs;
  /// "K/N" recorded in a shard's file; empty for a whole sweep.
  std::string shard;
  int compression = 4;  ///< deflate level 0..9
};

/// Combines sweep files of one sweep (parts or shards) into `out`, written
/// beside it under a temporary name and renamed when complete. Runs go in
/// run-id order, one run and variable at a time, so memory does not grow
/// with the number of runs. Throws InputError naming the input that is
/// corrupt, truncated, foreign (another sweep), duplicates a run or leaves
/// runs missing; EnvironmentError when `out` cannot be written.
void merge_sweep_files(const std::vector<std::string>& inputs, const std::string& out, const MergeOptions& options);

}  // namespace geosim::output
