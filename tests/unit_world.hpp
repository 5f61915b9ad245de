#pragma once
// Test support for the module unit tests: the small world of
// tests/data/unit.yaml, optionally with extra events or keys appended.
#include <string>

#include "geosim/scenario/load.hpp"

namespace geosim::testing {

inline const std::string unit_yaml = std::string(GEOSIM_SOURCE_DIR) + "/tests/data/unit.yaml";

/// The unit world; `extra` is YAML appended to a derived file (for example
/// "events:\n  - {...}\n").
inline model::ScenarioSpec unit_spec(const std::string& extra = "") {
  if (extra.empty()) return scenario::load_file(unit_yaml);
  return scenario::load_text("schema_version: 1\nbase: " + unit_yaml + "\n" + extra, "unit_derived.yaml");
}

}  // namespace geosim::testing
