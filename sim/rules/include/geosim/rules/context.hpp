#pragma once
// What every rule of a step may read: the scenario, the policy in force, and
// the exogenous quantities of the month (prices, capacities, absorption).
// Built once per step by make_context(); rules read it and the world's state
// of the previous step, and write only their own agents' slots.
#include <cstdint>

#include "geosim/model/spec.hpp"
#include "geosim/rules/policy.hpp"
#include "geosim/state/world.hpp"

namespace geosim::rules {

struct StepContext {
  const model::ScenarioSpec* spec = nullptr;
  state::Dims dims;
  int step = 0;
  std::uint64_t seed = 0;
  std::uint32_t run = 0;
  PolicyState policy;
  state::Grid firm_enforcement;  ///< [state][target][market] enforcement faced by firms of state
  state::Grid bank_enforcement;  ///< [state][target] enforcement faced by banks of state
  state::Grid at_risk;           ///< [state][market] max firm enforcement over targets
  state::Grid bank_at_risk;      ///< [state] max bank enforcement over targets
  state::Grid price;             ///< [sector] world price / reference price
  state::Grid import_price;      ///< [importer][sector] price its imports are valued at / reference price
  state::Grid real_exchange_rate;  ///< [state] index this month (1 = no path)
  state::Grid capacity;          ///< [state][market] export capacity, reference USD per month
  state::Grid absorption;        ///< [state][market] trend import absorption, reference USD per month
  state::Grid hub_trend_capacity;  ///< [hub state][sector] intermediary populations' capacity on trend, reference USD per month
  state::Grid hub_capacity;      ///< [hub state][sector] the same grown with the margin (agg.hub_expansion), reference USD per month
  state::Grid affinity;          ///< [importer][exporter][sector] preference weight this month
  double hub_detection = 1.0;    ///< smallest detection factor among hubs
};

/// The context of month `step`, given last step's escalation.
StepContext make_context(const model::ScenarioSpec& spec, const state::World& world, int step,
                         std::uint64_t seed, std::uint32_t run);

/// Value of a piecewise-linear path in month `m`, flat before its first and
/// after its last point; `empty` when the path has no points.
double path_value(const model::PricePath& path, Month m, double empty);

/// Real exchange rate of `state` in month `m`, an index against the USD
/// (docs/ODD.md §7.2): its real_exchange_rate path up to the path's last
/// point; after it (or throughout, without a path) that rate times
/// (income / anchor)^exchange_rate_revenue_elasticity, with `income` the
/// state's smoothed export revenue relative to trend read this month and
/// `anchor` the one read in the path's last month (agg.exchange_rate_anchor).
double real_exchange_rate(const model::StateSpec& state, double income, double anchor, Month m);

/// World price of a sector in month `m`, in its price unit (piecewise linear).
double world_price(const model::SectorSpec& sector, Month m);

}  // namespace geosim::rules
