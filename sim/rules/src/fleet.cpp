#include "geosim/rules/fleet.hpp"

#include <algorithm>
#include <cmath>

namespace geosim::rules {

void update_fleet(const StepContext& ctx, state::World& world, const state::Grid& value, const state::Grid& quantity) {
  const auto& spec = *ctx.spec;
  const auto& ad = spec.params.adaptive;
  auto& agg = world.agg;
  const std::size_t S = world.dims.states, K = world.dims.sectors;
  for (std::size_t t = 0; t < S; ++t) {
    double& fleet = agg.shadow_fleet(t);
    // Designations: each sanctioning state takes its yearly share, spread
    // evenly over the months it is in force.
    double kept = 1.0;
    for (std::size_t by = 0; by < S; ++by)
      if (ctx.policy.fleet_sanctions(by, t) > 0) kept *= std::pow(1.0 - ctx.policy.fleet_sanctions(by, t), 1.0 / 12.0);
    fleet *= kept;
    agg.fleet_base(t) = std::min(agg.fleet_base(t), fleet);
    // Tankers bought for sanctions are old: what was built beyond the
    // commercial fleet retires; the commercial fleet is replaced as it ages.
    fleet -= ad.fleet_depreciation * (fleet - agg.fleet_base(t));
    if (!ad.shadow_fleet_investment) continue;
    double discounted = 0, energy = 0, premium = 0;
    for (std::size_t i = 0; i < S; ++i)
      for (std::size_t k = 0; k < K; ++k)
        if (spec.sectors[k].energy) {
          discounted += value(t, i, k) * agg.discount(t, i, k);
          energy += value(t, i, k);
          premium += quantity(t, i, k) * (world.freight(t, i, k, 1) - world.freight(t, i, k, 0));
        }
    if (energy <= 0) continue;
    const double gain = (discounted - premium) / energy;
    if (gain > ad.investment_threshold) fleet = std::min(1.0, fleet + ad.investment_rate * (gain - ad.investment_threshold));
  }
}

}  // namespace geosim::rules
