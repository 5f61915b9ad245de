#include "geosim/rules/hubs.hpp"

#include <algorithm>

namespace geosim::rules {

void update_hub_capacity(const StepContext& ctx, state::World& world, const state::Grid& hub_volume) {
  const auto& spec = *ctx.spec;
  const std::size_t S = world.dims.states, K = world.dims.sectors;
  for (auto h : world.hubs) {
    const auto& hub = *spec.states[h].hub;
    if (hub.capacity_growth <= 0) continue;
    for (std::size_t k = 0; k < K; ++k) {
      const double trend = ctx.hub_trend_capacity(h, k);
      if (trend <= 0) continue;
      double through = 0;
      for (std::size_t i = 0; i < S; ++i)
        for (std::size_t p = 0; p < 2; ++p) through += hub_volume(h, i, state::market_of(k, p));
      // Intermediaries reinvest their margin in capacity (logistics, new
      // trading companies), less as the capacity nears its ceiling.
      double& x = world.agg.hub_expansion(h, k);
      const double c = hub.capacity_ceiling;
      x = std::min(c, x + hub.capacity_growth * hub.markup * (through / trend) * (1.0 - x / c));
    }
  }
}

}  // namespace geosim::rules
