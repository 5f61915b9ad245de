#include "geosim/rules/learning.hpp"

#include <algorithm>

namespace geosim::rules {

using model::Role;

void update_group_caution(state::World& world, std::size_t begin, std::size_t end) {
  const auto& f = world.firms;
  auto& gs = world.group_state;
  for (std::size_t g = begin; g < end; ++g) {
    double c = 0, ch = 0, lost = 0;
    for (auto i : world.groups[g].firms) {
      c += f.cautious[i] * f.share[i];
      ch += f.cautious_hub[i] * f.share[i];
      if (f.retained[i] < 1) lost += f.share[i] * (1 - f.retained[i]);
    }
    // Shares sum to one only up to rounding.
    gs.cautious[g] = std::min(c, 1.0);
    gs.cautious_hub[g] = std::min(ch, 1.0);
    gs.lost[g] = lost;
  }
}

void update_target_payments(const StepContext& ctx, state::World& world, const state::Grid& pair_value) {
  auto& agg = world.agg;
  const std::size_t S = world.dims.states;
  // Contracted trade: what buyers ordered, before payments refused any of it.
  for (std::size_t s = 0; s < S; ++s) {
    double all = 0, target = 0;
    for (std::size_t p = 0; p < S; ++p) {
      const double v = pair_value(s, p) + pair_value(p, s);
      all += v;
      if (ctx.bank_enforcement(s, p) > 0) target += v;
    }
    agg.target_payments(s) = all > 0 ? std::min(1.0, target / all) : 0.0;
  }
}

void sum_group_outcome(state::World& world, GroupOutcome& out, std::size_t begin, std::size_t end) {
  const auto& f = world.firms;
  // The sums run in locals (in the same order as into `out`): stores to
  // `out` could alias the columns, which made every addition wait for a
  // store and a reload.
  for (std::size_t g = begin; g < end; ++g) {
    double all = 0, target = 0, exposed = out.exposed[g], penalised = out.penalised[g];
    for (auto i : world.groups[g].firms) {
      all += f.trade[i];
      target += f.target_trade[i];
      if (f.target_trade[i] > 0 || f.penalised[i]) {
        exposed += 1;
        penalised += f.penalised[i];
      }
    }
    out.exposed[g] = exposed;
    out.penalised[g] = penalised;
    world.group_state.target_share[g] = all > 0 ? target / all : 0.0;
  }
}

void learn_from_step(const StepContext& ctx, state::World& world, const GroupOutcome& groups, const OrderSums& orders) {
  auto& agg = world.agg;
  const std::size_t S = world.dims.states, M = world.dims.markets();
  state::Grid pen({S, M}), exp({S, M});
  for (std::size_t g = 0; g < world.groups.size(); ++g) {
    const auto& grp = world.groups[g];
    pen(grp.state, grp.market) += groups.penalised[g];
    exp(grp.state, grp.market) += groups.exposed[g];
    if (grp.role != Role::importer || orders.order_sum[g] <= 0) continue;
    agg.price_ratio(grp.state, grp.market) = orders.price_sum[g] / orders.order_sum[g];
    if (ctx.step == 0) agg.base_price_ratio(grp.state, grp.market) = agg.price_ratio(grp.state, grp.market);
  }
  for (std::size_t x = 0; x < S * M; ++x)
    agg.peer_penalty_rate.data()[x] = exp.data()[x] > 0 ? pen.data()[x] / exp.data()[x] : 0.0;

  // Banks' peers are the banks that still process targets' payments, as
  // firms' peers are the firms that still trade with targets.
  state::Grid processing({S}), bank_pen({S});
  for (std::size_t i = 0; i < world.banks.state.size(); ++i) {
    const std::size_t s = world.banks.state[i];
    if (world.banks.offer[i] > 0 || world.banks.penalised[i]) processing(s) += 1;
    bank_pen(s) += world.banks.penalised[i];
  }
  for (std::size_t s = 0; s < S; ++s)
    agg.bank_penalty_rate(s) = processing(s) > 0 ? bank_pen(s) / processing(s) : 0.0;
}

}  // namespace geosim::rules
