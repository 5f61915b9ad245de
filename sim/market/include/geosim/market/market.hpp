#pragma once
// Combining decisions: group order sums (end of phase 3), bargained discounts
// (phase 4), clearing with rationing (phase 5) and payments (phase 6). Sums
// per group take a range of groups and write only those groups' slots; the
// rest runs serially, in a fixed order, over state-level aggregates, so
// results do not depend on threads.
#include <cstddef>
#include <vector>

#include "geosim/rules/context.hpp"
#include "geosim/rules/orders.hpp"
#include "geosim/state/world.hpp"

namespace geosim::market {

/// Orders of each importer group summed over its firms, per option (edge order).
using GroupOrders = std::vector<std::vector<double>>;

/// Phase 4: discounts (negative: premiums) of exporters to buyers. The
/// exporter's disagreement price falls with the share of its market that
/// sanctions close ("pressure"); the buyer's reservation price rises with the
/// share of its own potential supply that export controls and suppliers'
/// caution close (a captive buyer pays a premium) and falls with its risk
/// premium and extra settlement cost. The buyer's weight in the bargain
/// rises with its share of the exporter's sales and falls with the
/// exporter's outside options (other reachable buyers, alternative shipping),
/// each side's claim times its leverage over the other (last step's
/// agg.dependence, dependence.hpp).
/// In supply-limited sectors the discount then moves, within those bounds,
/// toward the level at which the exporter's supply clears this step's
/// `desired` orders (what buyers would order with fully adjusted
/// relationships, sum_group_orders). A price cap holds the volume that needs
/// Western services at or below the cap. Writes agg.market_discount,
/// discount, clearing_shift and supply_price; reads last step's agg.flow and
/// agg.dependence.
void bargain(const rules::StepContext& ctx, state::World& world, const state::Grid& demand, const GroupOrders& desired);

/// Orders per exporter and market, direct and through hubs, reference USD / month.
state::Grid orders_by_exporter(const state::World& world, const GroupOrders& orders);

/// What an exporter offers in a market this step, reference USD / month: its
/// capacity, times (last step's realised price / world price)^supply
/// elasticity in supply-limited sectors.
double offered(const rules::StepContext& ctx, const state::World& world, std::size_t exporter, std::size_t market);

/// End of phase 3, groups [begin, end): each importer group's orders and
/// desired orders (network.order, network.desired) summed over its firms in
/// creation order, per option, reference USD per month, in one pass. Both
/// have one slot per group; slots of other roles stay empty. Writes only the
/// slots of [begin, end).
void sum_group_orders(const state::World& world, GroupOrders& orders, GroupOrders& desired, std::size_t begin,
                      std::size_t end);

struct Clearing {
  state::Grid direct;   ///< [exporter][importer][market] filled, reference USD / month
  state::Grid via_hub;  ///< [exporter][hub][importer][market] filled, reference USD / month
  state::Grid unmet;    ///< [importer][market] demand not filled, reference USD / month
  state::Grid sales;    ///< [exporter][market] total sales, reference USD / month
  state::Grid target_sales;  ///< [exporter][market] of which direct to sanctioned destinations
  state::Grid hub_sales;     ///< [exporter][market] of which to hubs bound for sanctioned destinations
  state::Grid hub_volume;    ///< [hub][importer][market] re-exports through the hub
  GroupOrders fill;     ///< per importer group option: filled / ordered (above 1 when round 2 adds to it)
};

/// Phase 5: match orders to capacity. Round 1 rations each exporter pro rata
/// (and caps sales to sanctioned destinations at its non-cautious capacity,
/// and hub re-exports at the non-cautious intermediaries' capacity); round 2
/// offers unmet demand to the remaining spare capacity of the same group's
/// suppliers; what is left is unmet.
Clearing clear(const rules::StepContext& ctx, const state::World& world, const GroupOrders& orders);

/// Phase 6: settlement. Each state pair's trade value is settled in a
/// currency mix that moves toward the cheapest available channels (logit over
/// cost, with habit); channels are blocked by financial sanctions and by
/// counterpart banks' caution; what finds no channel joins the payment
/// backlog, which clears or fails over time. `value` is [exporter][importer]
/// trade value this step, USD. Writes settlement_mix, settled_share, backlog,
/// failed, availability, settlement_cost.
void settle(const rules::StepContext& ctx, state::World& world, const state::Grid& value);

/// Share of a state's payments with `target` that its banks will process:
/// the size share of willing banks times their spare capacity, at most 1.
double willing_banks(const state::World& world, std::size_t state, std::size_t target,
                     const rules::StepContext& ctx);

}  // namespace geosim::market
