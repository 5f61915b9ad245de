#pragma once
// Alternative ("shadow") shipping, run after phase 7; what it writes acts
// from the next step (docs/ODD.md §7.13).
#include "geosim/rules/context.hpp"
#include "geosim/state/world.hpp"

namespace geosim::rules {

/// Each state's alternative fleet, a share of its seaborne energy exports in
/// [0, 1]: designations (fleet_sanctions events) remove their yearly share;
/// the capacity built beyond the state's commercial fleet (agg.fleet_base)
/// retires at adaptive.fleet_depreciation a month; and, with
/// adaptive.shadow_fleet_investment, the state adds capacity when what the
/// fleet saves, the mean discount on its energy exports, exceeds what it
/// costs over Western shipping (as a share of the exports' value) by more
/// than adaptive.investment_threshold. `value` and `quantity`
/// [exporter][importer][sector] are this step's flows (USD and physical
/// units per month). Reads agg.discount; writes agg.shadow_fleet and
/// agg.fleet_base.
void update_fleet(const StepContext& ctx, state::World& world, const state::Grid& value, const state::Grid& quantity);

}  // namespace geosim::rules
