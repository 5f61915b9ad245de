#pragma once
// --check / --no-check of `run` and `sweep` (engine::RunOptions::check): on
// by default in builds with assertions (CMAKE_BUILD_TYPE=Debug), off in
// Release builds; it costs about 0.05 % of a run (docs/reliability.md).
namespace geosim::cli {

#ifdef NDEBUG
inline constexpr bool check_by_default = false;
#else
inline constexpr bool check_by_default = true;
#endif

inline constexpr const char* check_help =
    "Stop the run when its output holds a NaN or Inf, a negative quantity or shares outside [0, 1] or not "
    "summing to 1 (a model error: exit 1, no output); --no-check turns it off (default: on in Debug builds)";

inline constexpr const char* sweep_check_help =
    "Check every run's output like run --check; a run that fails is recorded as failed and the others go on; "
    "--no-check turns it off (default: on in Debug builds)";

}  // namespace geosim::cli
