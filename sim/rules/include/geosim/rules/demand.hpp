#pragma once
// Import demand of a step, computed before phase 2: what each importer state
// wants to buy this month, from trend absorption and last step's income and
// effective prices.
#include "geosim/rules/context.hpp"
#include "geosim/state/world.hpp"

namespace geosim::rules {

/// Import demand [importer][market], reference USD per month: trend absorption
/// scaled by the income effect of export revenue, by the state's real exchange
/// rate and by importers' effective prices. Where a state gives an import path
/// for the sector, that path is the observed volume and already holds what
/// income and the exchange rate did to it: neither is applied again. Where
/// the state gives an import capacity for the sector, demand never exceeds
/// that multiple of its trend absorption (trend × path where a path is given).
/// Reads agg.income, agg.price_ratio and agg.base_price_ratio (last step).
state::Grid import_demand(const StepContext& ctx, const state::World& world);

}  // namespace geosim::rules
