#pragma once
// Phase 5, after clearing: what the step's flows are worth and each firm's
// part of them. Flows are valued at the final buyer's price; volumes do not
// depend on it.
#include <cstddef>

#include "geosim/market/market.hpp"
#include "geosim/rules/context.hpp"
#include "geosim/state/world.hpp"

namespace geosim::market {

/// This step's flows, per month. Values are at the importer's price
/// (delivered: exporters' discounts apply; hub re-exports carry the hub's
/// markup); freight is paid by the exporter out of that price (netback), so
/// the exporter's revenue is value - freight.
struct Flows {
  state::Grid value;     ///< [exporter][importer][sector] USD, hub legs included
  state::Grid via_hub;   ///< [origin][destination][sector] USD, first legs' value through hubs
  state::Grid dual_use;  ///< [exporter][importer][route] USD; route 0 direct, 1 via hub
  state::Grid dual_use_hub;  ///< [hub][importer] USD, first legs' value of dual-use goods through the hub (any origin)
  state::Grid quantity;  ///< [exporter][importer][sector] physical units (price_unit's unit), hub legs included
  state::Grid freight;   ///< [exporter][importer][sector] USD of freight and insurance paid, hub legs included
};

/// Freight and insurance per physical unit from `exporter` to `importer`
/// this step, in the sector's price unit: Western-serviced and alternative
/// rates blended by the exporter's alternative fleet (energy sectors only).
double freight_rate(const rules::StepContext& ctx, const state::World& world, std::size_t exporter,
                    std::size_t importer, std::size_t sector);

/// Phase 5, after clearing: the step's flows. Reads agg.discount and
/// agg.shadow_fleet (this step); overwrites agg.flow with the contracted
/// volumes, reference USD per month (hub legs under [exporter][hub]). With
/// `paid` (phase 6), each leg's value, quantity and freight are what was
/// paid this step: contracted times paid.factor, plus paid.extra out of the
/// backlog. Runs serially: every cell sums over exporters, importers and
/// hubs in order.
Flows record_flows(const rules::StepContext& ctx, state::World& world, const Clearing& clearing,
                   const Settlement* paid = nullptr);

/// Each firm's sales or purchases in [begin, end), USD per month (importers
/// at their state's import price, others at the world price), and its trade
/// with sanctioned partners. Importers: their filled orders; exporters: open
/// sales by size share plus their part of sales to sanctioned destinations,
/// split among non-cautious firms; intermediaries: the hub's throughput split
/// among non-cautious intermediaries. A designated firm keeps its trade with
/// sanctioned partners and `retained` of its share of the rest, which its
/// group's other firms take over (in a group with a designated firm,
/// importers' purchases from partners that are not sanctioned are split by
/// size share too). Reads group_state caution and lost (this step); writes
/// firms' trade, target_trade, target_via_hub and designation_loss.
void firm_trade(const rules::StepContext& ctx, state::World& world, const Clearing& clearing, std::size_t begin,
                std::size_t end);

/// Trade value of each state pair [exporter][importer], USD per month:
/// `value` [exporter][importer][sector] summed over sectors in sector order.
state::Grid pair_values(const state::Grid& value);

}  // namespace geosim::market
