#pragma once
// geosim plan / sweep / merge: the parameter-sweep subcommands (docs/sweeps.md).
#include <optional>

#include <CLI/CLI.hpp>

namespace geosim::cli {

/// Adds the subcommands to `app`; their options are kept in static storage.
void add_sweep_commands(CLI::App& app);

/// Runs the sweep subcommand that was parsed, if any: its exit code (0 ok,
/// 1 environment, 2 bad input, 130 interrupted), else nothing. Throws
/// InputError / EnvironmentError like the other commands.
std::optional<int> run_sweep_commands();

}  // namespace geosim::cli
