#pragma once
// Sweep files (YAML) -> a plan: the table of runs, each a set of scenario
// overrides on a base scenario with its own seed (docs/sweeps.md). A plan is a
// pure function of the sweep file and the base scenario: the same on every
// machine, process, shard and MPI rank.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "geosim/core/error.hpp"
#include "geosim/scenario/load.hpp"

namespace geosim::sweep {

/// How a parameter's values are chosen.
enum class Design { values, grid, uniform, lhs, sobol, zip };

const char* to_string(Design d) noexcept;

struct Parameter {
  std::string name;       ///< output variable param_<name>
  std::string key_path;   ///< scenario override key path, as for --set
  Design design = Design::values;
  bool numeric = true;    ///< every value is a number
  double min = 0, max = 0;  ///< bounds of the random designs
  bool integer = false;   ///< random designs: round to whole numbers
  bool scenario = false;  ///< the scenario axis (key `scenario`): values are scenario files
  SourceLocation where;   ///< where the parameter is written
};

/// One run of the plan.
struct Run {
  std::uint32_t id = 0;
  std::uint64_t seed = 0;            ///< run_seed(master seed, id)
  std::uint32_t replicate = 0;
  std::vector<std::string> values;   ///< one per parameter, as YAML text
  std::vector<scenario::Override> overrides;
  std::string scenario;              ///< the run's scenario file on the scenario axis; empty: the base
  std::int32_t sobol_matrix = -1;    ///< Saltelli: 0 = A, 1 = B, 2 + i = AB_i
  std::int32_t sobol_sample = -1;    ///< Saltelli: base sample index
};

struct Plan {
  std::string file;           ///< the sweep file
  std::string text;           ///< its content
  std::string name;
  std::string description;
  std::string base;           ///< path of the base scenario (resolved relative to the sweep file)
  std::string base_resolved;  ///< the base scenario as resolved YAML
  /// The files of the scenario axis (resolved paths) and their resolved
  /// YAML, in the order written; empty without a scenario axis.
  std::vector<std::pair<std::string, std::string>> scenario_files;
  std::uint64_t master_seed = 1;
  std::uint32_t replicates = 1;
  bool factorial = true;      ///< combination: factorial, else zipped
  std::uint32_t samples = 0;  ///< points of the random designs
  bool saltelli = true;
  std::vector<Parameter> parameters;
  std::vector<std::string> sobol_parameters;  ///< Saltelli order; empty without Saltelli
  std::vector<Run> runs;      ///< in run-id order; runs[i].id == i
  std::string fingerprint;    ///< hash of base scenario, seeds and every run's overrides
};

/// The seed of run `run`: the first output of a Philox stream keyed by the
/// master seed and the run id (so any run can be seeded on its own).
std::uint64_t run_seed(std::uint64_t master_seed, std::uint32_t run) noexcept;

/// The fingerprint of a sweep forked from a checkpoint: the plan's
/// fingerprint combined with what makes the checkpoint (its month, seed,
/// run id and scenario), so that parts and shards forked from different
/// bases are parts of different sweeps.
std::string fork_fingerprint(const std::string& fingerprint, const std::string& checkpoint_identity);

/// Loads a sweep file and its base scenario and builds the plan. Throws
/// InputError (file:line:column, key path) for a bad sweep file or base.
/// Runs' scenarios are not validated here: see validate_runs.
Plan load_plan(const std::string& path);

/// As load_plan, from text; `file_name` names it in messages and the base
/// path resolves relative to its directory.
Plan load_plan_text(const std::string& text, const std::string& file_name);

/// The scenario of one run: its scenario (the base, or its file on the
/// scenario axis) + the run's overrides, validated, seeded.
/// Throws InputError with the scenario loader's message.
model::ScenarioSpec load_run(const Plan& plan, const Run& run);

/// Validates every run's scenario (on `threads` threads) and checks that all
/// share the base's horizon and labels. Returns one message per run, empty
/// for a valid run. Throws InputError when a run changes the axes.
std::vector<std::string> validate_runs(const Plan& plan, int threads);

}  // namespace geosim::sweep
