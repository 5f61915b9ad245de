#include <algorithm>
#include <cmath>

#include "geosim/market/dependence.hpp"
#include "geosim/market/market.hpp"

namespace geosim::market {

using state::market_of;

double offered(const rules::StepContext& ctx, const state::World& world, std::size_t exporter, std::size_t market) {
  const auto& sector = ctx.spec->sectors[state::sector_of(market)];
  const double capacity = ctx.capacity(exporter, market);
  if (!sector.supply_elasticity) return capacity;
  return capacity * std::pow(world.agg.supply_price(exporter, state::sector_of(market)), *sector.supply_elasticity);
}

namespace {

/// Potential demand of every buyer for every exporter's goods in one sector at
/// world prices, and the share of it that is open to trade, seen from each
/// side of the bargain.
struct Reach {
  state::Grid potential;  ///< [exporter][buyer] CES demand at world prices, reference USD / month
  state::Grid open_sell;  ///< [exporter][buyer] of which open to the exporter (buyer's caution, premium)
  state::Grid open_buy;   ///< [exporter][buyer] of which open to the buyer (others' export controls, exporters' caution)
};

Reach reach(const rules::StepContext& ctx, const state::World& world, const state::Grid& demand, std::size_t k) {
  const std::size_t S = ctx.dims.states;
  const auto& sector = ctx.spec->sectors[k];
  Reach r{state::Grid({S, S}), state::Grid({S, S}), state::Grid({S, S})};
  for (std::size_t p = 0; p < 2; ++p) {
    const std::size_t m = market_of(k, p);
    for (std::size_t i = 0; i < S; ++i) {
      // Potential demand follows CES attraction at world prices:
      // affinity x capacity x (1 + trade cost)^-sigma.
      double attraction_all = 0;
      for (std::size_t x = 0; x < S; ++x)
        if (state::trades_with(world, x, i))
          attraction_all += ctx.affinity(i, x, k) * ctx.capacity(x, m) *
                            std::pow(1 + world.trade_cost(x, i), -sector.elasticity);
      if (attraction_all <= 0) continue;
      for (std::size_t j = 0; j < S; ++j) {
        if (!state::trades_with(world, j, i) || ctx.capacity(j, m) <= 0) continue;
        const double pot = demand(i, m) * ctx.affinity(i, j, k) * ctx.capacity(j, m) *
                           std::pow(1 + world.trade_cost(j, i), -sector.elasticity) / attraction_all;
        const double open = 1.0 - ctx.policy.direct_block(j, i, m);
        const bool sanctioned = ctx.firm_enforcement(i, j, m) > 0;
        // A buyer's risk premium closes the part of its demand that it
        // would not buy at the world price: CES attraction (1 + premium)^-sigma.
        double sell = open * std::pow(1 + ctx.policy.premium(j, i, m), -sector.elasticity);
        if (sanctioned) sell *= 1.0 - state::group_caution(world, world.importer_group, i, m);
        // The buyer's side: what others' sanctions close to it, exporters'
        // controls and the caution of their firms; not its own bans or
        // premiums, which it could lift.
        double buy = 1.0 - ctx.policy.export_control(j, i, m);
        if (ctx.firm_enforcement(j, i, m) > 0) buy *= 1.0 - state::group_caution(world, world.exporter_group, j, m);
        r.potential(j, i) += pot;
        r.open_sell(j, i) += pot * sell;
        r.open_buy(j, i) += pot * buy;
      }
    }
  }
  return r;
}

/// Share of a potential that is closed, in [0, 1].
double closed(double potential, double open) {
  return potential > 0 ? std::clamp(1.0 - open / potential, 0.0, 1.0) : 0.0;
}

}  // namespace

void bargain(const rules::StepContext& ctx, state::World& world, const state::Grid& demand, const GroupOrders& desired) {
  const auto& spec = *ctx.spec;
  const auto& bp = spec.params.bargaining;
  const std::size_t S = ctx.dims.states, K = ctx.dims.sectors;
  auto& agg = world.agg;
  const state::Grid ordered = orders_by_exporter(world, desired);
  // Per buyer, reused for every exporter and sector: the lower bound of the
  // discount (the buyer's reservation), its share of the surplus, the target.
  std::vector<double> low(S), own(S), target(S);
  for (std::size_t k = 0; k < K; ++k) {
    const auto& sector = spec.sectors[k];
    const Reach r = reach(ctx, world, demand, k);
    for (std::size_t j = 0; j < S; ++j) {
      if (ctx.capacity(j, market_of(k, 0)) + ctx.capacity(j, market_of(k, 1)) <= 0) continue;
      // Pressure on the exporter: the share of its potential market that
      // sanctions and buyers' caution close.
      double potential = 0, open = 0, sold = 0;
      for (std::size_t i = 0; i < S; ++i) {
        potential += r.potential(j, i);
        open += r.open_sell(j, i);
        for (std::size_t p = 0; p < 2; ++p) sold += agg.flow(j, i, market_of(k, p));
      }
      const double pressure = closed(potential, open);
      const double shadow = std::min(1.0, agg.shadow_fleet(j));
      const double outside = bp.exporter_outside_base + (sector.energy ? bp.shadow_fleet_weight * shadow : 0.0);
      const double cap = ctx.policy.price_cap(j, k);
      const double world_price = ctx.price(k) * sector.reference_price;
      // Nash bargaining between the buyer's reservation price and the
      // exporter's disagreement price. The exporter's disagreement price is
      // the world price less the depth of its closed market. The buyer's
      // reservation is the world price plus the depth of *its* closed market
      // (the share of its potential supply from suppliers other than j that
      // export controls and those suppliers' caution close: a captive buyer
      // pays a premium), less its risk premium on j's goods and its extra
      // cost of settling with j (blocked channels, backlog) beyond the pair's
      // normal cost: it pays price x (1 + settlement cost), so that is a
      // discount of (sc - sc0) / (1 + sc), of which cost_pass_through counts;
      // its costs never push the bound past the depth (past it the exporter
      // sells elsewhere and the buyer keeps the cost). The buyer gets its
      // weight, its share of j's sales against j's outside options, each
      // weighted by that side's leverage, of the surplus between the bounds.
      // Arbitrage pulls each buyer's share of the surplus toward the
      // sales-weighted mean; its costs stay its own.
      const double depth = pressure * sector.max_discount;
      double mean = 0;
      for (std::size_t i = 0; i < S; ++i) {
        if (i == j) continue;
        double supply = 0, supply_open = 0;
        for (std::size_t x = 0; x < S; ++x) {
          if (x == j) continue;
          supply += r.potential(x, i);
          supply_open += r.open_buy(x, i);
        }
        const double captive = closed(supply, supply_open) * sector.max_discount;
        // The buyer's risk premium on j's goods lowers its reservation price
        // to P / (1 + premium), whole: it is what the buyer needs to buy.
        const double premium = ctx.policy.premium(j, i, market_of(k, 0));
        double cost = premium / (1 + premium);
        if (ctx.step > 0) {
          const double sc = agg.settlement_cost(j, i);
          const double extra = std::max(0.0, sc - agg.base_settlement_cost(j, i)) / (1 + sc);
          cost += bp.cost_pass_through * extra;
        }
        low[i] = std::min(depth, cost) - captive;
        const double bought = agg.flow(j, i, market_of(k, 0)) + agg.flow(j, i, market_of(k, 1));
        const double share = sold > 0 ? bought / sold : 0.0;
        // Each side's claim to the surplus is its position in this market
        // times its leverage in the whole relationship (last month's
        // dependences): the buyer's share of j's sales times its leverage
        // over j, against j's outside options times j's leverage over the
        // buyer. Symmetric dependence leaves s / (s + O); equal positions
        // (s = O) make the buyer's weight its leverage.
        const double claim = share * leverage(agg.dependence(j, i), agg.dependence(i, j));
        const double counter = outside * leverage(agg.dependence(i, j), agg.dependence(j, i));
        const double weight = claim + counter > 0 ? claim / (claim + counter) : 0.0;
        own[i] = weight * (depth - low[i]);
        mean += share * own[i];
      }
      // How far clearing may push the discount: the world price clears the
      // open world market (an exporter none of whose markets is closed sells
      // at it, and its idle capacity is the world's spare capacity); an
      // exporter facing closed markets must clear its own supply, and for
      // capacity that would otherwise stay unsold it takes any price down to
      // the full depth, max_discount, not just the disagreement price of
      // the bargain over what it does sell.
      const bool clears = sector.supply_elasticity.has_value();
      const double floor = clears && pressure > 0 ? sector.max_discount : depth;
      // The range of shifts that still move some buyer's discount.
      double lowest = 0, highest = 0;
      for (std::size_t i = 0; i < S; ++i) {
        if (i == j) continue;
        target[i] = std::clamp(low[i] + (1 - bp.arbitrage) * own[i] + bp.arbitrage * mean, low[i], depth);
        lowest = std::min(lowest, low[i] - target[i]);
        highest = std::max(highest, floor - target[i]);
      }
      // Supply-limited sectors clear through price: unsold capacity pushes
      // the discount up, sold-out capacity with orders beyond it pulls it
      // down, within each buyer's bounds. The step is the price change that
      // would clear the market with CES demand (elasticity sigma) against the
      // exporter's short-run supply (elasticity epsilon):
      // (1 - d') = (1 - d) (orders / offer)^(1 / (sigma + epsilon)).
      // The shift is kept where it still moves some buyer's discount, so a
      // market that cannot clear through price (no bargaining room) does not
      // build up a shift that would later take months to unwind.
      double& shift = agg.clearing_shift(j, k);
      if (clears) {
        double offer = 0, asked = 0;
        for (std::size_t p = 0; p < 2; ++p) {
          offer += offered(ctx, world, j, market_of(k, p));
          asked += ordered(j, market_of(k, p));
        }
        if (spec.states[j].residual_supplier) offer = std::max(offer, asked);
        if (offer > 0 && asked > 0) {
          const double excess = std::pow(asked / offer, 1.0 / (sector.elasticity + *sector.supply_elasticity));
          shift -= agg.supply_price(j, k) * (excess - 1.0);
        }
        shift = std::clamp(shift, lowest, highest);
      } else {
        shift = 0.0;
      }
      double realised = 0;
      for (std::size_t i = 0; i < S; ++i) {
        if (i == j) continue;
        const double t = std::clamp(target[i] + shift, low[i], floor);
        double& market = agg.market_discount(j, i, k);
        market += bp.adjustment * (t - market);
        market = std::clamp(market, -sector.max_discount, 0.99);
        // The price cap splits the rent on the barrels, not the market: the
        // buyer pays at most the cap, free on board (the delivered price less
        // the Western freight and insurance the exporter pays), on the volume
        // beyond the shadow fleet, which needs Western shipping and
        // insurance; enforcement intensity scales it. Buyers choose
        // suppliers at the market discount, so the cap moves money, not
        // volumes.
        double& d = agg.discount(j, i, k);
        d = market;
        const double fob_cap = cap + world.freight(j, i, k, 0);
        if (cap > 0 && ctx.policy.cap_coalition(j, i) == 0 && world_price * (1 - market) > fob_cap) {
          const double western = 1.0 - (sector.energy ? shadow : 0.0);
          d += western * ctx.policy.price_cap_intensity(j, k) * (1.0 - fob_cap / world_price - market);
        }
        const double bought = agg.flow(j, i, market_of(k, 0)) + agg.flow(j, i, market_of(k, 1));
        realised += bought * (1 - d);
      }
      agg.supply_price(j, k) = sold > 0 ? realised / sold : 1.0;
    }
  }
}

}  // namespace geosim::market
