#include <algorithm>
#include <cmath>

#include "geosim/market/market.hpp"

namespace geosim::market {

using state::market_of;


void bargain(const rules::StepContext& ctx, state::World& world, const state::Grid& demand) {
  const auto& spec = *ctx.spec;
  const auto& bp = spec.params.bargaining;
  const std::size_t S = ctx.dims.states, K = ctx.dims.sectors;
  auto& agg = world.agg;
  // Per buyer, reused for every exporter and sector: the buyer's extra cost
  // and its share of the surplus.
  std::vector<double> cost(S), own(S);
  for (std::size_t j = 0; j < S; ++j) {
    for (std::size_t k = 0; k < K; ++k) {
      const auto& sector = spec.sectors[k];
      // Pressure: the share of j's potential market in k that sanctions and
      // buyers' caution close. Potential demand follows CES attraction at
      // world prices: affinity x capacity x (1 + trade cost)^-sigma.
      double potential = 0, open = 0, sold = 0;
      for (std::size_t p = 0; p < 2; ++p) {
        const std::size_t m = market_of(k, p);
        if (ctx.capacity(j, m) <= 0) continue;
        for (std::size_t i = 0; i < S; ++i) {
          if (!state::trades_with(world, j, i)) continue;
          double attraction_all = 0;
          for (std::size_t x = 0; x < S; ++x)
            if (state::trades_with(world, x, i))
              attraction_all += ctx.affinity(i, x, k) * ctx.capacity(x, m) *
                                std::pow(1 + world.trade_cost(x, i), -sector.elasticity);
          if (attraction_all <= 0) continue;
          const double pot = demand(i, m) * ctx.affinity(i, j, k) * ctx.capacity(j, m) *
                             std::pow(1 + world.trade_cost(j, i), -sector.elasticity) / attraction_all;
          // A buyer's risk premium closes the part of its demand that it
          // would not buy at the world price: CES attraction (1 + premium)^-sigma.
          double reachable = (1.0 - ctx.policy.direct_block(j, i, m)) *
                             std::pow(1 + ctx.policy.premium(j, i, m), -sector.elasticity);
          if (ctx.firm_enforcement(i, j, m) > 0) reachable *= 1.0 - state::group_caution(world, world.importer_group, i, m);
          potential += pot;
          open += pot * reachable;
        }
        for (std::size_t i = 0; i < S; ++i) sold += agg.flow(j, i, m);
      }
      const double pressure = potential > 0 ? std::clamp(1.0 - open / potential, 0.0, 1.0) : 0.0;
      const double shadow = std::min(1.0, agg.shadow_fleet(j));
      const double outside = bp.exporter_outside_base + (sector.energy ? bp.shadow_fleet_weight * shadow : 0.0);
      const double cap = ctx.policy.price_cap(j, k);
      const double world_price = ctx.price(k) * sector.reference_price;
      // Nash bargaining between the buyer's reservation price and the
      // exporter's disagreement price, the world price less the depth of its
      // closed market. The buyer's reservation is the world price less its
      // risk premium on j's goods and its extra cost of settling with j
      // (blocked channels, backlog) beyond the pair's normal cost: it pays
      // price x (1 + settlement cost), so that is a discount of
      // (sc - sc0) / (1 + sc), of which cost_pass_through counts; together
      // never more than the depth (past it the exporter sells
      // elsewhere and the buyer keeps the cost). The buyer gets that and its
      // weight, its share of j's sales against j's outside options, of the
      // surplus left. Arbitrage pulls each buyer's share of the surplus
      // toward the sales-weighted mean; its costs stay its own.
      const double depth = pressure * sector.max_discount;
      double mean = 0;
      for (std::size_t i = 0; i < S; ++i) {
        if (i == j) continue;
        // The buyer's risk premium on j's goods lowers its reservation price
        // to P / (1 + premium), whole: it is what the buyer needs to buy.
        const double premium = ctx.policy.premium(j, i, market_of(k, 0));
        cost[i] = premium / (1 + premium);
        if (ctx.step > 0) {
          const double sc = agg.settlement_cost(j, i);
          const double extra = std::max(0.0, sc - agg.base_settlement_cost(j, i)) / (1 + sc);
          cost[i] += bp.cost_pass_through * extra;
        }
        cost[i] = std::min(depth, cost[i]);
        const double bought = agg.flow(j, i, market_of(k, 0)) + agg.flow(j, i, market_of(k, 1));
        const double share = sold > 0 ? bought / sold : 0.0;
        own[i] = share / (share + outside) * (depth - cost[i]);
        mean += share * own[i];
      }
      for (std::size_t i = 0; i < S; ++i) {
        if (i == j) continue;
        double target = std::min(depth, cost[i] + (1 - bp.arbitrage) * own[i] + bp.arbitrage * mean);
        if (cap > 0 && ctx.policy.cap_coalition(j, i) == 0 && world_price * (1 - target) > cap) {
          // Volume beyond the shadow fleet needs Western shipping and
          // insurance, and so the cap; enforcement intensity scales it.
          const double western = 1.0 - (sector.energy ? shadow : 0.0);
          target += western * ctx.policy.price_cap_intensity(j, k) * (1.0 - cap / world_price - target);
        }
        double& d = agg.discount(j, i, k);
        d += bp.adjustment * (target - d);
        d = std::clamp(d, 0.0, 0.99);
      }
    }
  }
}

}  // namespace geosim::market
