#include "fork.hpp"

#include "geosim/core/error.hpp"
#include "geosim/model/history.hpp"
#include "geosim/scenario/load.hpp"

namespace geosim::cli {

Month checkpoint_month(const std::string& text, const model::ScenarioSpec& spec) {
  const auto date = parse_date(text);
  const SourceLocation where{"--checkpoint-at " + text, 0, 0};
  if (!date || date->day != 1 || text.size() != 7)
    throw InputError(where, "", "expected a month YYYY-MM");
  const Month m = date->as_month();
  if (m < spec.start || m > spec.end)
    throw InputError(where, "", "is outside the horizon (" + spec.start.str() + " to " + spec.end.str() + ")");
  return m;
}

model::ScenarioSpec stored_scenario(const engine::StoredCheckpoint& base) {
  return scenario::load_text(base.scenario, base.file + ":/checkpoint/scenario");
}

void check_fork(const engine::StoredCheckpoint& base, const model::ScenarioSpec& base_spec,
                const model::ScenarioSpec& spec, std::uint64_t seed, std::uint32_t run) {
  const std::string cannot = "cannot fork from " + base.file + " (checkpoint " + base.month.str() + ")";
  if (const auto d = model::first_difference(base_spec, spec, base.month))
    throw model::fork_refused(*d, spec, base.file, base.month);
  if (seed != base.seed)
    throw InputError({spec.file, 0, 0}, "seed",
                     std::to_string(seed) + " here, " + std::to_string(base.seed) +
                         " in the run that stored the checkpoint; " + cannot + ": pass --seed " +
                         std::to_string(base.seed));
  if (run != base.run)
    throw InputError({base.file, 0, 0}, "checkpoint/run",
                     "the checkpoint was stored by run " + std::to_string(base.run) + " of a sweep, this is run " +
                         std::to_string(run) + "; " + cannot + ": their random streams differ");
}

}  // namespace geosim::cli
