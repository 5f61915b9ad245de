#include <algorithm>
#include <cmath>

#include "geosim/market/market.hpp"

namespace geosim::market {

double willing_banks(const state::World& world, std::size_t s, std::size_t target, const rules::StepContext& ctx) {
  // Only banks facing secondary sanctions or a withdrawal order over this
  // target may refuse; others process every payment.
  bool restricted = ctx.bank_enforcement(s, target) > 0;
  for (std::size_t p = 0; p < ctx.spec->banks.size() && !restricted; ++p)
    restricted = index(ctx.spec->banks[p].state) == s && ctx.policy.bank_withdrawal(p, target) > 0;
  if (!restricted) return 1.0;
  const auto& b = world.banks;
  double willing = 0, total = 0;
  for (std::size_t i = 0; i < b.state.size(); ++i) {
    if (b.state[i] != s) continue;
    total += b.share[i];
    if (!b.cautious[i]) willing += b.share[i];
  }
  if (total <= 0) return 1.0;
  // Willing banks take on more than their usual share, up to a limit.
  return std::min(1.0, ctx.spec->params.payments.willing_bank_capacity * willing / total);
}

void settle(const rules::StepContext& ctx, state::World& world, const state::Grid& value) {
  const auto& spec = *ctx.spec;
  const auto& pp = spec.params.payments;
  const std::size_t S = ctx.dims.states, C = ctx.dims.currencies;
  auto& agg = world.agg;
  // Banks' willingness per (state, target), computed once.
  state::Grid willing({S, S}, 1.0);
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t t = 0; t < S; ++t)
      if (s != t) willing(s, t) = willing_banks(world, s, t, ctx);

  std::vector<double> available(C), cost(C), desired(C);
  for (std::size_t a = 0; a < S; ++a) {
    for (std::size_t b = a + 1; b < S; ++b) {
      // Both sides' banks must take the payment.
      const double banks = std::min(willing(a, b), willing(b, a));
      double desire_sum = 0;
      for (std::size_t c = 0; c < C; ++c) {
        const auto& cur = spec.currencies[c];
        available[c] = (1 - ctx.policy.blocked(a, b, c)) * banks;
        cost[c] = cur.cost + pp.blocked_cost * (1 - available[c]);
        // Network effects (weight), home-currency preference of either side,
        // logit in cost, only through channels that are open.
        const bool home = spec.states[a].home_currency == make_id<CurrencyId>(c) ||
                          spec.states[b].home_currency == make_id<CurrencyId>(c);
        desired[c] = cur.weight * (home ? 2.0 : 1.0) * std::exp(-pp.cost_sensitivity * cost[c]) * available[c];
        desire_sum += desired[c];
      }
      const double V = value(a, b) + value(b, a);
      double settled_fraction = 0, unsettled_fraction = 0, mix_cost = 0, mix_sum = 0;
      const bool first = ctx.step == 0;
      for (std::size_t c = 0; c < C; ++c) {
        const double want = desire_sum > 0 ? desired[c] / desire_sum : 0.0;
        double& mix = agg.settlement_mix(a, b, c);
        mix = first ? want : pp.currency_inertia * mix + (1 - pp.currency_inertia) * want;
        mix_sum += mix;
      }
      for (std::size_t c = 0; c < C; ++c) {
        double& mix = agg.settlement_mix(a, b, c);
        if (mix_sum > 0) mix /= mix_sum;
        agg.settlement_mix(b, a, c) = mix;
        settled_fraction += mix * available[c];
        // Summed on its own so that it is exactly zero when every channel is open.
        unsettled_fraction += mix * (1 - available[c]);
        mix_cost += mix * cost[c];
      }
      for (std::size_t c = 0; c < C; ++c) {
        const double share = settled_fraction > 0 ? agg.settlement_mix(a, b, c) * available[c] / settled_fraction
                                                  : agg.settlement_mix(a, b, c);
        agg.settled_share(a, b, c) = share;
        agg.settled_share(b, a, c) = share;
      }
      // The backlog: old items fail at fail_rate or clear as channels allow;
      // this month's unsettled value joins it.
      const double old = agg.backlog(a, b);
      const double failed = pp.fail_rate * old;
      const double cleared = std::min(old - failed, pp.clear_rate * settled_fraction * old);
      settled_fraction = std::min(settled_fraction, 1.0);  // rounding
      const double added = V * unsettled_fraction;
      const double backlog = std::max(0.0, old - failed - cleared + added);
      agg.backlog(a, b) = agg.backlog(b, a) = backlog;
      agg.failed(a, b) = agg.failed(b, a) = failed;
      agg.availability(a, b) = agg.availability(b, a) = settled_fraction;
      const double cost_total = mix_cost + pp.backlog_cost * (V > 0 ? backlog / V : (backlog > 0 ? 1.0 : 0.0));
      agg.settlement_cost(a, b) = agg.settlement_cost(b, a) = std::min(cost_total, 1.0);
      if (first) agg.base_settlement_cost(a, b) = agg.base_settlement_cost(b, a) = agg.settlement_cost(a, b);
    }
  }
}

}  // namespace geosim::market
