#pragma once
// Phase 5, after clearing: what the step's flows are worth and each firm's
// part of them. Flows are valued at the final buyer's price; volumes do not
// depend on it.
#include <cstddef>

#include "geosim/market/market.hpp"
#include "geosim/rules/context.hpp"
#include "geosim/state/world.hpp"

namespace geosim::market {

/// Values of this step's flows, USD per month, at the importer's price:
/// exporters' discounts apply; hub re-exports carry the hub's markup. Adds to
/// `value` [exporter][importer][sector] (hub legs included), `via_hub`
/// [origin][destination][sector] (first legs' value) and `dual_use`
/// [exporter][importer][route] (route 0 direct, 1 via hub), which the caller
/// sizes and zeroes. Reads agg.discount (this step); overwrites agg.flow with
/// the volumes, reference USD per month (hub legs under [exporter][hub]).
/// Runs serially: every cell sums over exporters, importers and hubs in order.
void record_flows(const rules::StepContext& ctx, state::World& world, const Clearing& clearing, state::Grid& value,
                  state::Grid& via_hub, state::Grid& dual_use);

/// Each firm's sales or purchases in [begin, end), USD per month (importers
/// at their state's import price, others at the world price), and its trade
/// with sanctioned partners. Importers: their filled orders; exporters: open
/// sales by size share plus their part of sales to sanctioned destinations,
/// split among non-cautious firms; intermediaries: the hub's throughput split
/// among non-cautious intermediaries. Reads group_state caution (this step);
/// writes firms' trade, target_trade, target_via_hub and network.filled of
/// the firms' own edges.
void firm_trade(const rules::StepContext& ctx, state::World& world, const Clearing& clearing, std::size_t begin,
                std::size_t end);

/// Trade value of each state pair [exporter][importer], USD per month:
/// `value` [exporter][importer][sector] summed over sectors in sector order.
state::Grid pair_values(const state::Grid& value);

}  // namespace geosim::market
