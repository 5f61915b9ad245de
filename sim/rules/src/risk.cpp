#include <algorithm>
#include <cmath>

#include "geosim/rules/decisions.hpp"

namespace geosim::rules {

namespace {

/// Re-entry needs the expected penalty to fall this far below the margin, so
/// that firms near the threshold do not flip every month.
constexpr double reentry = 0.8;
/// Smallest share of business a sanctioned partner is assumed to be worth.
constexpr double min_stake = 0.01;

bool decide(bool was_cautious, double expected_penalty, double expected_gain) {
  return was_cautious ? expected_penalty > reentry * expected_gain : expected_penalty > expected_gain;
}

/// Whether an agent reviews its caution this month: at the first step always,
/// then a random share `review_share` of agents.
bool reviews(const StepContext& ctx, AgentKind kind, std::size_t agent) {
  if (ctx.step == 0 || ctx.spec->params.risk.review_share >= 1.0) return true;
  Stream s(ctx.seed, ctx.run, kind, static_cast<std::uint32_t>(agent), static_cast<std::uint32_t>(ctx.step), Phase::risk);
  return s.uniform() < ctx.spec->params.risk.review_share;
}

/// Belief update: a weighted mix of what peers' penalties suggest (social
/// learning) and of the agent's own experience (penalised last step or not),
/// moved toward at learning_rate, with a slow pull back to the prior.
double learn(const model::RiskParams& r, double belief, double peer_rate, bool penalised) {
  const double social = r.initial_belief * (1.0 + r.peer_signal * peer_rate);
  const double own = r.initial_belief * (1.0 + r.peer_signal * (penalised ? 1.0 : 0.0));
  const double signal = r.social_weight * social + (1.0 - r.social_weight) * own;
  return belief + r.learning_rate * (signal - belief) - r.belief_decay * (belief - r.initial_belief);
}

/// Enforcement a firm faces in its market; intermediaries carry both the
/// civilian and the dual-use goods of their sector.
double risk_of(const StepContext& ctx, const state::FirmColumns& f, std::size_t i, std::size_t s, std::size_t m) {
  if (static_cast<model::Role>(f.role[i]) != model::Role::intermediary) return ctx.at_risk(s, m);
  const std::size_t k = state::sector_of(m);
  return std::max(ctx.at_risk(s, state::market_of(k, 0)), ctx.at_risk(s, state::market_of(k, 1)));
}

}  // namespace

void assess_firms(const StepContext& ctx, state::World& world, std::size_t begin, std::size_t end) {
  const auto& r = ctx.spec->params.risk;
  auto& f = world.firms;
  const auto& agg = world.agg;
  for (std::size_t i = begin; i < end; ++i) {
    const std::size_t s = f.state[i], m = state::market_of(f.sector[i], f.product[i]);
    f.belief[i] = learn(r, f.belief[i], agg.peer_penalty_rate(s, m), f.penalised[i]);
    const double e = risk_of(ctx, f, i, s, m);
    if (e <= 0 || f.designated[i]) {
      f.cautious[i] = 0;
      f.cautious_hub[i] = 0;
      continue;
    }
    if (!reviews(ctx, AgentKind::firm, i)) continue;
    // Stake: the share of a participating firm's business that is with
    // targets; it rises as peers withdraw and leave the trade to fewer firms.
    const auto& gs = world.group_state;
    const double participating = std::max(1e-9, 1.0 - gs.cautious[f.group[i]]);
    const double stake = std::clamp(gs.target_share[f.group[i]] / participating, min_stake, 1.0);
    const double detect = std::min(1.0, r.detection_base * e * f.visibility[i]);
    const double penalty = f.belief[i] * detect * f.exposure[i] * r.penalty_multiple;
    const double gain = r.margin * stake * f.risk_tolerance[i];
    f.cautious[i] = decide(f.cautious[i], penalty, gain);
    f.cautious_hub[i] = decide(f.cautious_hub[i], penalty * ctx.hub_detection, gain);
  }
}

void assess_banks(const StepContext& ctx, state::World& world, std::size_t begin, std::size_t end) {
  const auto& r = ctx.spec->params.risk;
  auto& b = world.banks;
  const auto& agg = world.agg;
  const std::size_t S = ctx.dims.states;
  for (std::size_t i = begin; i < end; ++i) {
    const std::size_t s = b.state[i];
    b.belief[i] = learn(r, b.belief[i], agg.bank_penalty_rate(s), b.penalised[i]);
    bool forced = false;
    for (std::size_t t = 0; t < S; ++t)
      forced = forced || (t != s && b.withdraw_draw[i] < ctx.policy.bank_withdrawal(b.population[i], t));
    b.withdrawn[i] = forced;
    const double e = ctx.bank_at_risk(s);
    if (forced || e <= 0 || b.designated[i]) {
      b.risk_price[i] = 0.0;
      continue;
    }
    if (!reviews(ctx, AgentKind::bank, i)) continue;
    // A bank screens its sanctioned-linked clients, dropping the riskiest
    // first: processing a share x of its normal such payments risks
    // penalty · x² (detection rises with the volume processed, and the fine
    // with the value of the violations). At a fee phi above its margin it
    // processes x = (margin + phi) / risk_price, risk_price = 2 · penalty /
    // stake, so caution lowers its volume and raises its price rather than
    // switching it off (payments.cpp clears the fee).
    const double stake = std::clamp(agg.target_payments(s), min_stake, 1.0);
    const double detect = std::min(1.0, r.detection_base * e * b.visibility[i]);
    const double penalty = b.belief[i] * detect * b.exposure[i] * r.penalty_multiple;
    b.risk_price[i] = 2.0 * penalty / stake;
  }
}

}  // namespace geosim::rules
