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

/// Orders of each importer group summed over its firms, per option (edge
/// order): rules::OrderSums::placed and ::desired.
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
/// relationships, rules::OrderSums::desired). A price cap holds the volume that needs
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

struct Clearing {
  state::Grid direct;   ///< [exporter][importer][market] filled, reference USD / month
  state::Grid via_hub;  ///< [exporter][hub][importer][market] filled, reference USD / month
  state::Grid unmet;    ///< [importer][market] demand not filled, reference USD / month
  state::Grid sales;    ///< [exporter][market] total sales, reference USD / month
  state::Grid target_sales;  ///< [exporter][market] of which direct to sanctioned destinations
  state::Grid hub_sales;     ///< [exporter][market] of which to hubs bound for sanctioned destinations
  state::Grid hub_volume;    ///< [hub][importer][market] re-exports through the hub
  GroupOrders fill;     ///< per importer group option: filled / ordered (above 1 when round 2 adds to it)
  /// Per importer group: its filled orders with suppliers its firms may deal
  /// with without risk (not sanctioned for them), reference USD / month.
  std::vector<double> open_filled;
};

/// Phase 5: match orders to capacity. Round 1 rations each exporter pro rata
/// (and caps sales to sanctioned destinations at its non-cautious capacity,
/// and hub re-exports at the non-cautious intermediaries' capacity); round 2
/// offers unmet demand to the remaining spare capacity of the same group's
/// suppliers; what is left is unmet.
Clearing clear(const rules::StepContext& ctx, const state::World& world, const GroupOrders& orders);

/// Fee and share of payments the banks of a state take for a target.
struct BankMarket {
  double fee = 0.0;     ///< above normal, fraction of value, [0, agent_fee]
  double supply = 1.0;  ///< share of the state's payments with the target processed, [0, 1]
};

/// The banks of `state` facing enforcement over `target` (or ordered to
/// withdraw from it): each processes (margin + fee) / risk_price of its
/// normal share, within [0, willing_bank_capacity] (assess_banks), and the
/// fee rises until they take all the state's payments with the target or
/// reaches the payment agents' fee. Unrestricted states (or without banks):
/// fee 0, supply 1.
BankMarket bank_market(const rules::StepContext& ctx, const state::World& world, std::size_t state,
                       std::size_t target);

/// What settlement does to this step's contracted flows, per leg and sector.
struct Settlement {
  state::Grid factor;  ///< [exporter][importer][sector] paid this step / contracted, where contracted > 0
  state::Grid extra;   ///< [exporter][importer][sector] USD paid this step out of the backlog where nothing was contracted
};

/// Phase 6: settlement. Banks take a state's payments with a target at a
/// fee that clears them (bank_market); what they refuse goes, after
/// alternative_lag months, to netting schemes (at most netting_share of the
/// pair's balanced trade) and payment agents, at their fees. Each pair's
/// payments are made in a currency mix that moves toward the cheapest
/// channels (logit over cost, with habit), blocked by financial sanctions.
/// What finds no channel waits in the backlog (per leg and sector) and is
/// recorded as trade when it clears, or fails. `value` is this step's
/// contracted trade [exporter][importer][sector], USD. Writes bank_fee,
/// bank_supply, banks' offer, alternative, netting, payment_fee,
/// settlement_mix, settled_share, backlog_flow, backlog, failed,
/// availability and settlement_cost (currency costs plus fees: the one
/// price of payment frictions).
Settlement settle(const rules::StepContext& ctx, state::World& world, const state::Grid& value);

}  // namespace geosim::market
