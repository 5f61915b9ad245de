#pragma once
// The netCDF skeleton of a run's output, written once for every writer: the
// HDF5 run file, the sweep file and the in-memory run of the Python module
// (memory.hpp) take their conventions, time coordinate and variable
// attributes from here (docs/output-schema.md).
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "geosim/core/month.hpp"
#include "geosim/engine/observer.hpp"

namespace geosim::output {

/// The value of a netCDF attribute; strings are UTF-8.
using AttributeValue = std::variant<std::string, double, std::int32_t, std::uint32_t, std::uint64_t>;

struct Attribute {
  std::string name;
  AttributeValue value;
};
using Attributes = std::vector<Attribute>;

/// Name of the time bounds variable (time, nv): the first days of the month
/// and of the next, in the time coordinate's units.
inline constexpr const char* time_bounds_name = "time_bnds";
/// Name of the bounds' second dimension (size 2; no coordinate variable).
inline constexpr const char* bounds_dim_name = "nv";

/// What every geosim file declares about its conventions: `Conventions`,
/// `cf_departures` (where it departs from CF-1.8) and `references`.
Attributes convention_attributes();

/// A CF `history` line, "2026-12-01T20:40:00Z: <command>" (UTC, now).
std::string history_line(const std::string& command);

/// UTC now as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_now_iso();

/// Global attributes of a run file at the start of the run, in writing
/// order: conventions, title, source, scenario, seed, ..., `history`
/// (empty `history` is left out) and `created`.
Attributes run_attributes(const engine::RunInfo& info, const std::string& history);

/// Global attributes added when the run ends.
Attributes end_attributes(const engine::RunSummary& summary);

/// The time coordinate: days since the first day of `start`, one per step.
std::vector<double> time_values(Month start, std::size_t steps);
/// Bounds of each step's month, steps x 2 row-major: its first day and the
/// next month's, in the time coordinate's units.
std::vector<double> time_bounds(Month start, std::size_t steps);
/// Attributes of the time coordinate; `bounds` names time_bnds when `with_bounds`.
Attributes time_attributes(Month start, bool with_bounds);
/// Attributes of the time bounds variable.
Attributes time_bounds_attributes();

/// True for a monthly flow: a quantity per month (units ending in
/// "month-1"), the mean rate over the month, which carries
/// `cell_methods = "time: mean"` and is bounded by time_bnds.
bool is_monthly_flow(const engine::VariableInfo& variable);

/// Attributes of a data variable other than _FillValue: units, long_name
/// and, for monthly flows, cell_methods.
Attributes variable_attributes(const engine::VariableInfo& variable);

/// long_name of a dimension's coordinate variable.
const char* dim_long_name(engine::Dim d);

}  // namespace geosim::output
