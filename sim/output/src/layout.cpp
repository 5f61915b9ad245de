#include "geosim/output/layout.hpp"

#include <chrono>
#include <ctime>
#include <string_view>

#include "geosim/core/error.hpp"

namespace geosim::output {

using engine::Dim;

Attributes convention_attributes() {
  // Not "CF-1.8": the string-labelled dimension coordinates and the currency
  // units below are not CF. Listing the departures in the file says exactly
  // how far a CF tool can trust it.
  return {
      {"Conventions", std::string("geosim-1.0")},
      {"cf_departures",
       std::string("Follows CF-1.8 except: (1) the dimensions state, partner, sector, currency and route have "
                   "string-valued coordinate variables (CF coordinate variables are numeric; these are CF "
                   "label variables used as dimension coordinates, so that xarray's ds.sel(state=\"RUS\") "
                   "works); (2) the units USD (US dollar) and price_unit (each sector's price unit, "
                   "sectors[].price_unit in the scenario attribute) are not in the UDUNITS-2 database: "
                   "declare them as base units to convert. See docs/output-schema.md.")},
      {"references",
       std::string("geosim model description: docs/ODD.md (ODD protocol); output layout: docs/output-schema.md")},
  };
}

std::string utc_now_iso() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string history_line(const std::string& command) { return utc_now_iso() + ": " + command; }

Attributes run_attributes(const engine::RunInfo& info, const std::string& history) {
  const auto& spec = *info.spec;
  Attributes a = convention_attributes();
  const auto add = [&](const char* name, AttributeValue v) { a.push_back({name, std::move(v)}); };
  add("title", "geosim run: " + (spec.name.empty() ? std::string("unnamed scenario") : spec.name));
  add("institution", std::string("geosim"));
  add("source", std::string("geosim ") + geosim::version() + " (" + geosim::git_commit() + ")");
  add("scenario_name", spec.name);
  add("scenario_description", spec.description);
  add("scenario", spec.resolved_yaml);
  add("seed", info.seed);
  add("run", info.run);
  add("threads", static_cast<std::int32_t>(info.threads));
  add("start_month", spec.start.str());
  add("geosim_version", std::string(geosim::version()));
  add("git_commit", std::string(geosim::git_commit()));
  if (!history.empty()) add("history", history);
  add("created", utc_now_iso());
  return a;
}

Attributes end_attributes(const engine::RunSummary& summary) {
  return {{"wall_time_seconds", summary.wall_seconds}, {"steps", static_cast<std::int32_t>(summary.steps)}};
}

std::vector<double> time_values(Month start, std::size_t steps) {
  std::vector<double> days(steps);
  const long origin = days_since_epoch(start);
  for (std::size_t t = 0; t < steps; ++t)
    days[t] = static_cast<double>(days_since_epoch(start + static_cast<int>(t)) - origin);
  return days;
}

std::vector<double> time_bounds(Month start, std::size_t steps) {
  const auto edges = time_values(start, steps + 1);
  std::vector<double> bounds(2 * steps);
  for (std::size_t t = 0; t < steps; ++t) {
    bounds[2 * t] = edges[t];
    bounds[2 * t + 1] = edges[t + 1];
  }
  return bounds;
}

Attributes time_attributes(Month start, bool with_bounds) {
  Attributes a{{"units", "days since " + start.str() + "-01"},
               {"calendar", std::string("standard")},
               {"standard_name", std::string("time")},
               {"long_name", std::string(dim_long_name(Dim::time))},
               {"axis", std::string("T")}};
  if (with_bounds) a.push_back({"bounds", std::string(time_bounds_name)});
  return a;
}

Attributes time_bounds_attributes() {
  return {{"long_name", std::string("first day of the month and of the next (the month a step stands for)")}};
}

bool is_monthly_flow(const engine::VariableInfo& variable) {
  constexpr std::string_view per_month = "month-1";
  const std::string_view u = variable.units;
  return u.size() >= per_month.size() && u.substr(u.size() - per_month.size()) == per_month;
}

Attributes variable_attributes(const engine::VariableInfo& variable) {
  Attributes a{{"units", variable.units}, {"long_name", variable.long_name}};
  if (is_monthly_flow(variable)) a.push_back({"cell_methods", std::string("time: mean")});
  return a;
}

const char* dim_long_name(Dim d) {
  switch (d) {
    case Dim::time: return "time (first day of the simulated month)";
    case Dim::state: return "reporting state (exporter, or the state a quantity belongs to)";
    case Dim::partner: return "partner state (importer or counterpart)";
    case Dim::sector: return "sector";
    case Dim::currency: return "settlement currency";
    case Dim::route: return "trade route";
  }
  return "?";
}

}  // namespace geosim::output
