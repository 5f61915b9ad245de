#pragma once
// YAML scenario files -> model::ScenarioSpec. The only module that sees yaml-cpp.
#include <string>
#include <string_view>
#include <vector>

#include "geosim/model/spec.hpp"

namespace geosim::scenario {

/// One --set override: a key path such as `parameters.risk.margin`,
/// `events[3].intensity` or `states[RUS].growth`, and a YAML value.
struct Override {
  std::string key_path;
  std::string value;
};

/// Parses "key.path=value"; throws InputError when there is no '=' or no key.
Override parse_override(const std::string& argument);

/// Loads a scenario file, merges the chain of `base:` scenarios it names,
/// applies overrides, checks every key and validates the model.
/// Throws InputError (file:line:column, key path, value, expectation).
model::ScenarioSpec load_file(const std::string& path, const std::vector<Override>& overrides = {});

/// As load_file, from text; `file_name` is used in messages and `base:` paths
/// resolve relative to the current directory.
model::ScenarioSpec load_text(std::string_view yaml, const std::string& file_name,
                              const std::vector<Override>& overrides = {});

}  // namespace geosim::scenario
