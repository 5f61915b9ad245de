#pragma once
// Adaptive rules, run after phase 7; what they write acts from the next step.
#include "geosim/rules/context.hpp"
#include "geosim/state/world.hpp"

namespace geosim::rules {

/// Enforcement escalates on dual-use leakage through hubs, and decays when
/// leakage falls back (adaptive.escalation switches both on). `dual_use`
/// [exporter][importer][route] (route 0 direct, 1 via hub) is this step's
/// dual-use trade, USD per month. Writes agg.escalation, in [0, 1]. (The
/// alternative fleet, once an adaptive rule here, is rules/fleet.hpp.)
void adapt(const StepContext& ctx, state::World& world, const state::Grid& dual_use);

}  // namespace geosim::rules
