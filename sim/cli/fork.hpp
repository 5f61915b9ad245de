#pragma once
// --checkpoint-at and --fork-from, shared by `geosim run` and `geosim sweep`.
#include <string>

#include "geosim/core/month.hpp"
#include "geosim/engine/checkpoint.hpp"
#include "geosim/model/spec.hpp"

namespace geosim::cli {

/// The month of --checkpoint-at TEXT, which must lie in the horizon of
/// `spec`. Throws InputError naming the option otherwise.
Month checkpoint_month(const std::string& text, const model::ScenarioSpec& spec);

/// The base scenario of a checkpoint: the stored resolved scenario, loaded
/// as a scenario file. Throws InputError naming the base file when it does
/// not load.
model::ScenarioSpec stored_scenario(const engine::StoredCheckpoint& base);

/// Throws InputError when a run of `spec` (of file `scenario_path`) with
/// `seed` and run id `run` cannot start from `base` (scenario `base_spec`): its scenario
/// differs before the checkpoint (naming the first difference, located in
/// the fork's file), or the seed or run id differs.
void check_fork(const engine::StoredCheckpoint& base, const model::ScenarioSpec& base_spec,
                const model::ScenarioSpec& spec, std::uint64_t seed, std::uint32_t run);

}  // namespace geosim::cli
