#include "geosim/rules/learning.hpp"

#include <algorithm>

namespace geosim::rules {

using model::Role;

void sum_caution(const state::World& world, const state::FirmBlock& block, double* slots) {
  const auto& f = world.firms;
  const auto& firms = world.groups[block.group].firms;
  double c = 0, ch = 0, lost = 0;
  for (std::size_t r = block.first; r < block.last; ++r) {
    const auto i = firms[r];
    c += f.cautious[i] * f.share[i];
    ch += f.cautious_hub[i] * f.share[i];
    if (f.retained[i] < 1) lost += f.share[i] * (1 - f.retained[i]);
  }
  slots[0] = c;
  slots[1] = ch;
  slots[2] = lost;
}

void update_group_caution(state::World& world, const std::vector<state::FirmBlock>& blocks,
                          const std::vector<double>& slots) {
  auto& gs = world.group_state;
  std::fill(gs.cautious.begin(), gs.cautious.end(), 0.0);
  std::fill(gs.cautious_hub.begin(), gs.cautious_hub.end(), 0.0);
  std::fill(gs.lost.begin(), gs.lost.end(), 0.0);
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    const std::size_t g = blocks[k].group;
    const double* s = slots.data() + k * caution_slots;
    gs.cautious[g] += s[0];
    gs.cautious_hub[g] += s[1];
    gs.lost[g] += s[2];
  }
  // Shares sum to one only up to rounding.
  for (std::size_t g = 0; g < world.groups.size(); ++g) {
    gs.cautious[g] = std::min(gs.cautious[g], 1.0);
    gs.cautious_hub[g] = std::min(gs.cautious_hub[g], 1.0);
  }
}

void update_group_caution(state::World& world) {
  const auto blocks = state::firm_blocks(world, state::block_firms);
  std::vector<double> slots(blocks.size() * caution_slots);
  for (std::size_t k = 0; k < blocks.size(); ++k) sum_caution(world, blocks[k], slots.data() + k * caution_slots);
  update_group_caution(world, blocks, slots);
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

void sum_outcome(const state::World& world, const state::FirmBlock& block, double* slots) {
  const auto& f = world.firms;
  const auto& firms = world.groups[block.group].firms;
  double all = 0, target = 0, exposed = 0, penalised = 0, cautious = 0, designated = 0, belief = 0, loss = 0;
  for (std::size_t r = block.first; r < block.last; ++r) {
    const auto i = firms[r];
    all += f.trade[i];
    target += f.target_trade[i];
    if (f.target_trade[i] > 0 || f.penalised[i]) {
      exposed += 1;
      penalised += f.penalised[i];
    }
    cautious += f.cautious[i];
    designated += f.designated[i];
    belief += f.belief[i];
    loss += f.designation_loss[i];
  }
  const double sums[outcome_slots] = {all, target, exposed, penalised, cautious, designated, belief, loss};
  std::copy(sums, sums + outcome_slots, slots);
}

GroupOutcome sum_group_outcome(state::World& world, const std::vector<state::FirmBlock>& blocks,
                               const std::vector<double>& slots) {
  const std::size_t G = world.groups.size();
  GroupOutcome out(G);
  std::vector<double> all(G), target(G);
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    const std::size_t g = blocks[k].group;
    const double* s = slots.data() + k * outcome_slots;
    all[g] += s[0];
    target[g] += s[1];
    out.exposed[g] += s[2];
    out.penalised[g] += s[3];
    out.cautious[g] += s[4];
    out.designated[g] += s[5];
    out.belief[g] += s[6];
    out.designation_loss[g] += s[7];
  }
  for (std::size_t g = 0; g < G; ++g) world.group_state.target_share[g] = all[g] > 0 ? target[g] / all[g] : 0.0;
  return out;
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
