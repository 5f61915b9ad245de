#include "geosim/rules/demand.hpp"

#include <algorithm>
#include <cmath>

namespace geosim::rules {

state::Grid import_demand(const StepContext& ctx, const state::World& world) {
  const auto& spec = *ctx.spec;
  const auto& op = spec.params.orders;
  const auto& agg = world.agg;
  const std::size_t S = world.dims.states, M = world.dims.markets();
  state::Grid d({S, M});
  for (std::size_t i = 0; i < S; ++i) {
    const double elasticity = spec.states[i].income_elasticity.value_or(op.income_elasticity);
    const double income = std::pow(std::max(agg.income(i), 1e-6), elasticity);
    const double currency = std::pow(ctx.real_exchange_rate(i), op.exchange_rate_elasticity);
    const auto& paths = spec.states[i].import_path;
    const auto& ceiling = spec.states[i].import_capacity;
    for (std::size_t m = 0; m < M; ++m) {
      const std::size_t k = state::sector_of(m);
      const bool observed = k < paths.size() && !paths[k].points.empty();
      // In supply-limited sectors the marginal unit is bought at the world
      // price (the residual supplier's), so one supplier's discount, premium
      // or payment cost is a wedge on inframarginal units: it changes the mix
      // of suppliers, not how much the buyer takes in.
      const double price =
          spec.sectors[k].supply_elasticity
              ? 1.0
              : std::pow(agg.price_ratio(i, m) / agg.base_price_ratio(i, m), -op.price_elasticity);
      d(i, m) = ctx.absorption(i, m) * (observed ? 1.0 : income * currency) * price;
      // A hard ceiling, not a saturation: below it refiners' runs follow
      // margins as before; at it no discount buys more runs, only a
      // different mix of crudes (orders split D over suppliers by price).
      if (k < ceiling.size() && ceiling[k]) d(i, m) = std::min(d(i, m), *ceiling[k] * ctx.absorption(i, m));
    }
  }
  return d;
}

}  // namespace geosim::rules
