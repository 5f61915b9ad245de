#include "geosim/rules/adaptive.hpp"

#include <algorithm>

namespace geosim::rules {

void adapt(const StepContext& ctx, state::World& world, const state::Grid& dual_use) {
  const auto& spec = *ctx.spec;
  const auto& ad = spec.params.adaptive;
  auto& agg = world.agg;
  const std::size_t S = world.dims.states, M = world.dims.markets();
  for (std::size_t t = 0; t < S; ++t) {
    if (ad.escalation) {
      double via = 0, all = 0;
      for (std::size_t j = 0; j < S; ++j) {
        via += dual_use(j, t, 1);
        all += dual_use(j, t, 0) + dual_use(j, t, 1);
      }
      const double leakage = all > 0 ? via / all : 0.0;
      for (std::size_t by = 0; by < S; ++by) {
        bool sanctions = ctx.policy.secondary_banks(by, t) > 0;
        for (std::size_t m = 0; m < M && !sanctions; ++m) sanctions = ctx.policy.secondary_firms(by, t, m) > 0;
        // Enforcers step up while leakage stays above the threshold and step
        // back when it falls, or when the sanctions it adds to have ended.
        double& e = agg.escalation(by, t);
        if (sanctions && leakage > ad.leakage_threshold) {
          e = std::min(1.0, e + ad.escalation_rate);
        } else {
          e = std::max(0.0, e - ad.escalation_decay);
        }
      }
    }
  }
}

}  // namespace geosim::rules
