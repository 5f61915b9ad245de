#include <algorithm>
#include <cmath>

#include "geosim/market/market.hpp"

namespace geosim::market {

namespace {

/// Bisection steps for the banks' fee: the bracket [0, agent_fee] shrinks
/// below 1e-15 of the agents' fee, far below any effect on the outputs.
constexpr int fee_steps = 50;

/// Whether bank i of its state is ordered to stop serving `target`.
bool withdrawn_from(const rules::StepContext& ctx, const state::BankColumns& b, std::size_t i, std::size_t target) {
  return b.withdraw_draw[i] < ctx.policy.bank_withdrawal(b.population[i], target);
}

/// Bank i's sanctioned-linked payments at a fee `fee` above normal, multiple
/// of its normal share: (margin + fee) / risk_price within [0, capacity]
/// (assess_banks), all of its capacity if it fears nothing.
double bank_volume(const rules::StepContext& ctx, const state::BankColumns& b, std::size_t i, double fee) {
  const double capacity = ctx.spec->params.payments.willing_bank_capacity;
  if (b.risk_price[i] <= 0) return capacity;
  const double margin = ctx.spec->params.risk.margin * b.risk_tolerance[i];
  return std::clamp((margin + fee) / b.risk_price[i], 0.0, capacity);
}

}  // namespace

BankMarket bank_market(const rules::StepContext& ctx, const state::World& world, std::size_t s, std::size_t target) {
  const auto& b = world.banks;
  bool restricted = ctx.bank_enforcement(s, target) > 0;
  bool any = false;
  for (std::size_t i = 0; i < b.state.size(); ++i) {
    if (b.state[i] != s) continue;
    any = true;
    restricted = restricted || withdrawn_from(ctx, b, i, target);
  }
  if (!any || !restricted) return {};
  // Size-weighted supply of payments at a fee, share of the state's normal
  // volume with the target; non-decreasing in the fee.
  const auto supply = [&](double fee) {
    double x = 0;
    for (std::size_t i = 0; i < b.state.size(); ++i)
      if (b.state[i] == s && !withdrawn_from(ctx, b, i, target)) x += b.share[i] * bank_volume(ctx, b, i, fee);
    return x;
  };
  // Banks charge what clears the state's payments, but no more than payment
  // agents in third countries do: above that fee the flow goes to them.
  const double ceiling = ctx.spec->params.payments.agent_fee;
  if (supply(0.0) >= 1.0) return {0.0, 1.0};
  const double most = supply(ceiling);
  if (most < 1.0) return {ceiling, most};
  double lo = 0.0, hi = ceiling;
  for (int step = 0; step < fee_steps; ++step) {
    const double mid = 0.5 * (lo + hi);
    (supply(mid) >= 1.0 ? hi : lo) = mid;
  }
  return {hi, 1.0};
}

Settlement settle(const rules::StepContext& ctx, state::World& world, const state::Grid& value) {
  const auto& spec = *ctx.spec;
  const auto& pp = spec.params.payments;
  const std::size_t S = ctx.dims.states, C = ctx.dims.currencies, K = value.extent(2);
  auto& agg = world.agg;
  auto& bank = world.banks;

  // Banks: the fee and share of payments each state's banks take per target.
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t t = 0; t < S; ++t) {
      const BankMarket m = s == t ? BankMarket{} : bank_market(ctx, world, s, t);
      agg.bank_fee(s, t) = m.fee;
      agg.bank_supply(s, t) = m.supply;
    }
  // Each bank's volume at its state's fee, toward the target its banks are
  // most exposed over (the first such, in state order); 1 where none is.
  for (std::size_t i = 0; i < bank.state.size(); ++i) {
    const std::size_t s = bank.state[i];
    std::size_t worst = S;
    for (std::size_t t = 0; t < S; ++t)
      if (t != s && (agg.bank_fee(s, t) > 0 || agg.bank_supply(s, t) < 1) &&
          (worst == S || ctx.bank_enforcement(s, t) > ctx.bank_enforcement(s, worst)))
        worst = t;
    bank.offer[i] = worst == S ? 1.0 : withdrawn_from(ctx, bank, i, worst) ? 0.0 : bank_volume(ctx, bank, i, agg.bank_fee(s, worst));
  }

  Settlement out{state::Grid({S, S, K}), state::Grid({S, S, K})};
  std::vector<double> available(C), cost(C), desired(C);
  for (std::size_t a = 0; a < S; ++a) {
    for (std::size_t b = a + 1; b < S; ++b) {
      double v_ab = 0, v_ba = 0;
      for (std::size_t k = 0; k < K; ++k) {
        v_ab += value(a, b, k);
        v_ba += value(b, a, k);
      }
      const double V = v_ab + v_ba;
      // Both sides' banks must take the payment; each charges its fee.
      const double banks = std::min(agg.bank_supply(a, b), agg.bank_supply(b, a));
      const double bank_fee = agg.bank_fee(a, b) + agg.bank_fee(b, a);
      // Payment agents and netting grow toward the share banks refuse, over
      // alternative_lag months, and shrink as banks return.
      const double gap = 1.0 - banks;
      double& alt = agg.alternative(a, b);
      alt = ctx.step == 0 ? 0.0 : alt + (gap - alt) / pp.alternative_lag;
      agg.alternative(b, a) = alt;
      const double used = std::min(alt, gap);
      const double balanced = V > 0 ? 2.0 * std::min(v_ab, v_ba) / V : 0.0;
      const double netted = std::min(used, pp.netting_share * balanced);
      agg.netting(a, b) = agg.netting(b, a) = netted;
      const double route = banks + used;
      // Agents' fee rises with the share they carry, from agent_fee on the
      // first payment to agent_fee_max on the whole flow: they pay the average.
      const double agents = used - netted;
      const double agent_fee = pp.agent_fee + 0.5 * (pp.agent_fee_max - pp.agent_fee) * agents;
      const double route_fee = banks * bank_fee + netted * pp.netting_fee + agents * agent_fee;

      double desire_sum = 0;
      for (std::size_t c = 0; c < C; ++c) {
        const auto& cur = spec.currencies[c];
        available[c] = (1 - ctx.policy.blocked(a, b, c)) * route;
        cost[c] = cur.cost + pp.blocked_cost * (1 - available[c]);
        // Network effects (weight), home-currency preference of either side,
        // logit in cost, only through channels that are open.
        const bool home = spec.states[a].home_currency == make_id<CurrencyId>(c) ||
                          spec.states[b].home_currency == make_id<CurrencyId>(c);
        desired[c] = cur.weight * (home ? 2.0 : 1.0) * std::exp(-pp.cost_sensitivity * cost[c]) * available[c];
        desire_sum += desired[c];
      }
      double settled_fraction = 0, unsettled_fraction = 0, mix_cost = 0, mix_sum = 0, open_currency = 0;
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
        open_currency += mix * (1 - ctx.policy.blocked(a, b, c));
      }
      for (std::size_t c = 0; c < C; ++c) {
        const double share = settled_fraction > 0 ? agg.settlement_mix(a, b, c) * available[c] / settled_fraction
                                                  : agg.settlement_mix(a, b, c);
        agg.settled_share(a, b, c) = share;
        agg.settled_share(b, a, c) = share;
      }
      settled_fraction = std::min(settled_fraction, 1.0);  // rounding
      // Fees are paid on what goes through banks, agents and netting: the
      // payments in currencies that are not blocked.
      const double fee = route_fee * open_currency;
      agg.payment_fee(a, b) = agg.payment_fee(b, a) = fee;
      agg.availability(a, b) = agg.availability(b, a) = settled_fraction;
      // One price for dealing with this partner: currency costs (a payment
      // with no channel costs blocked_cost) plus fees. Payments do not also
      // bar the option (option_feasibility), so each cost counts once.
      agg.settlement_cost(a, b) = agg.settlement_cost(b, a) = std::min(mix_cost + fee, 1.0);
      if (first) agg.base_settlement_cost(a, b) = agg.base_settlement_cost(b, a) = agg.settlement_cost(a, b);

      // The backlog, per leg and sector: trade is recorded when it is paid.
      // Old items fail at fail_rate or clear as channels allow; this month's
      // unsettled value joins it.
      double backlog = 0, failed_total = 0;
      for (const auto& [j, i] : {std::pair{a, b}, std::pair{b, a}})
        for (std::size_t k = 0; k < K; ++k) {
          double& owed = agg.backlog_flow(j, i, k);
          const double v = value(j, i, k);
          const double failed = pp.fail_rate * owed;
          const double cleared = std::min(owed - failed, pp.clear_rate * settled_fraction * owed);
          owed = std::max(0.0, owed - failed - cleared + v * unsettled_fraction);
          backlog += owed;
          failed_total += failed;
          const double paid = v * settled_fraction + cleared;
          if (v > 0)
            out.factor(j, i, k) = paid / v;
          else
            out.extra(j, i, k) = paid;
        }
      agg.backlog(a, b) = agg.backlog(b, a) = backlog;
      agg.failed(a, b) = agg.failed(b, a) = failed_total;
    }
  }
  return out;
}

}  // namespace geosim::market
