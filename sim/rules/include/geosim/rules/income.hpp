#pragma once
// Phase 8: the income effect on demand, from this step's export revenue.
#include "geosim/rules/context.hpp"
#include "geosim/state/world.hpp"

namespace geosim::rules {

/// Smoothed export revenue relative to its trend (1 = on trend), which scales
/// next step's import demand. `value` [exporter][importer][sector] is this
/// step's trade value, USD per month, hub legs included. Writes agg.income,
/// at step 0 agg.base_revenue (USD per month), and, in the month before the
/// last point of a state's real_exchange_rate path, agg.exchange_rate_anchor
/// (the income the context reads in that last month).
void update_income(const StepContext& ctx, state::World& world, const state::Grid& value);

}  // namespace geosim::rules
