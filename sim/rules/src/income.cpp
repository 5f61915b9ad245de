#include "geosim/rules/income.hpp"

#include <cmath>

namespace geosim::rules {

void update_income(const StepContext& ctx, state::World& world, const state::Grid& value) {
  const auto& spec = *ctx.spec;
  auto& agg = world.agg;
  const int t = ctx.step;
  const std::size_t S = world.dims.states, K = world.dims.sectors;
  const double alpha = spec.params.orders.income_smoothing;
  for (std::size_t s = 0; s < S; ++s) {
    double revenue = 0;
    for (std::size_t i = 0; i < S; ++i)
      for (std::size_t k = 0; k < K; ++k) revenue += value(s, i, k);
    if (t == 0) agg.base_revenue(s) = revenue;
    const double trend = agg.base_revenue(s) * std::pow(1.0 + spec.states[s].growth, t / 12.0);
    if (trend > 0) agg.income(s) = (1 - alpha) * agg.income(s) + alpha * revenue / trend;
    // Next month's context reads this income; if next month is the last
    // point of the state's exchange-rate path, the rate after it is anchored here.
    const auto& rer = spec.states[s].real_exchange_rate.points;
    if (!rer.empty() && rer.back().month == spec.start + (t + 1)) agg.exchange_rate_anchor(s) = agg.income(s);
  }
}

}  // namespace geosim::rules
