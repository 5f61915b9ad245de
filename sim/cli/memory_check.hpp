#pragma once
// The memory check before a run (docs/reliability.md, "Input limits").
#include <cstdint>
#include <optional>
#include <string>

#include "geosim/model/spec.hpp"

namespace geosim::cli {

/// Throws InputError (naming `scenario_path`) when the estimated memory of a
/// run of `spec` exceeds `max_memory` bytes or, when that is not given, the
/// memory this machine has available (MemAvailable in /proc/meminfo; no check
/// where that cannot be read).
void check_memory(const model::ScenarioSpec& spec, const std::string& scenario_path,
                  std::optional<std::uint64_t> max_memory);

}  // namespace geosim::cli
