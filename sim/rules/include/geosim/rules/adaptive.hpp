#pragma once
// Adaptive rules, run after phase 7; what they write acts from the next step.
#include "geosim/rules/context.hpp"
#include "geosim/state/world.hpp"

namespace geosim::rules {

/// Enforcement escalates on dual-use leakage through hubs; targets invest in
/// alternative shipping when energy discounts are deep. `value`
/// [exporter][importer][sector] and `dual_use` [exporter][importer][route]
/// (route 0 direct, 1 via hub) are this step's trade values, USD per month.
/// Reads agg.discount (this step); writes agg.escalation and agg.shadow_fleet,
/// both in [0, 1].
void adapt(const StepContext& ctx, state::World& world, const state::Grid& value, const state::Grid& dual_use);

}  // namespace geosim::rules
