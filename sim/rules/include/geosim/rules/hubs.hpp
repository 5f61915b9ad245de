#pragma once
// Hub capacity, run after phase 7; what it writes acts from the next step
// (docs/ODD.md §7.13c).
#include "geosim/rules/context.hpp"
#include "geosim/state/world.hpp"

namespace geosim::rules {

/// Each hub's re-export capacity per sector grows with the margin its
/// intermediaries earn: with B the populations' trend capacity
/// (ctx.hub_trend_capacity), x = agg.hub_expansion the capacity as a multiple
/// of B, F this step's re-exports through the hub in the sector (both of its
/// markets, every destination) and c, g the hub's capacity_ceiling and
/// capacity_growth,
///   x <- min(c, x + g * markup * (F / B) * (1 - x / c)):
/// capacity added (reference USD/month) is g times the margin earned
/// (markup x F), slowed to nothing at the ceiling; it never shrinks.
/// `hub_volume` [hub][importer][market] is this step's clearing
/// (reference USD per month). Writes agg.hub_expansion; a hub with
/// capacity_growth 0, or no trend capacity in the sector, keeps x.
void update_hub_capacity(const StepContext& ctx, state::World& world, const state::Grid& hub_volume);

}  // namespace geosim::rules
