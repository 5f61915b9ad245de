#include "geosim/rules/designation.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace geosim::rules {

using model::SanctionScope;

namespace {

/// An agent in a round's pool: its sampling key (smallest first) and index.
struct Candidate {
  double key;
  std::uint32_t agent;
};

/// Rounds of `scope` that start this month, in file order.
std::vector<const model::PolicyEvent*> rounds_now(const StepContext& ctx, SanctionScope scope) {
  std::vector<const model::PolicyEvent*> out;
  const Month now = ctx.spec->start + ctx.step;
  for (const auto& e : ctx.spec->events)
    if (e.kind == model::PolicyKind::secondary_sanctions && e.scope == scope && !e.listed.empty() &&
        e.start.as_month() == now)
      out.push_back(&e);
  return out;
}

/// The agent's stream for the `round`-th round of this month: two draws per
/// round (its key, then whether the last agent is taken), so that two rounds
/// in one month draw independently.
Stream round_stream(const StepContext& ctx, AgentKind kind, std::uint32_t agent, std::size_t round) {
  Stream s(ctx.seed, ctx.run, kind, agent, static_cast<std::uint32_t>(ctx.step), Phase::enforcement);
  for (std::size_t d = 0; d < 2 * round; ++d) s.uniform();
  return s;
}

/// Efraimidis-Spirakis key: sorting agents by Exp(weight) draws, smallest
/// first, samples them without replacement with probability proportional
/// to weight.
double key_of(Stream& s, double weight) { return -std::log1p(-s.uniform()) / weight; }

/// Takes agents from `pool` in key order until the entities they stand for
/// reach `listed`; the agent that would overshoot is taken with probability
/// (what remains) / (what it stands for), so the expected number listed is
/// `listed`. Calls designate(agent) for each taken.
template <class Entities, class Designate>
void take(std::vector<Candidate>& pool, double listed, const StepContext& ctx, AgentKind kind, std::size_t round,
          Entities entities, Designate designate) {
  std::sort(pool.begin(), pool.end(),
            [](const Candidate& a, const Candidate& b) { return a.key < b.key || (a.key == b.key && a.agent < b.agent); });
  double tally = 0;
  for (const Candidate& c : pool) {
    const double remaining = listed - tally;
    if (remaining <= 0) break;
    const double r = entities(c.agent);
    if (r > remaining) {
      Stream s = round_stream(ctx, kind, c.agent, round);
      s.uniform();  // the key
      if (!(s.uniform() < remaining / r)) break;
    }
    designate(c.agent);
    tally += r;
  }
}

}  // namespace

double entities_per_agent(const model::FirmPopulationSpec& p) {
  return p.represents ? *p.represents / static_cast<double>(p.count) : 1.0;
}

double entities_per_agent(const model::BankPopulationSpec& p) {
  return p.represents ? *p.represents / static_cast<double>(p.count) : 1.0;
}

void designate_firms(const StepContext& ctx, state::World& world) {
  auto& f = world.firms;
  std::fill(f.penalised.begin(), f.penalised.end(), 0);
  const auto rounds = rounds_now(ctx, SanctionScope::firms);
  const std::size_t F = f.state.size(), M = ctx.dims.markets();
  for (std::size_t r = 0; r < rounds.size(); ++r) {
    const model::PolicyEvent& e = *rounds[r];
    // The event's markets, as policy_at applies it: its sectors (all when
    // none), the dual-use market only when dual_use_only.
    std::vector<std::uint8_t> in_round(M, 0);
    for (std::size_t k = 0; k < ctx.dims.sectors; ++k) {
      const bool named = e.sectors.empty() ||
                         std::any_of(e.sectors.begin(), e.sectors.end(), [&](SectorId s) { return index(s) == k; });
      if (!named) continue;
      if (!e.dual_use_only) in_round[state::market_of(k, 0)] = 1;
      in_round[state::market_of(k, 1)] = 1;
    }
    for (const model::Listing& l : e.listed) {
      if (l.entities <= 0) continue;
      const std::size_t s = index(l.state);
      std::vector<Candidate> pool;
      for (std::size_t i = 0; i < F; ++i) {
        if (f.state[i] != s || f.designated[i] || !(f.target_trade[i] > 0)) continue;
        const std::size_t k = f.sector[i];
        const bool in = static_cast<model::Role>(f.role[i]) == model::Role::intermediary
                            ? in_round[state::market_of(k, 0)] || in_round[state::market_of(k, 1)]
                            : in_round[state::market_of(k, f.product[i])];
        if (!in) continue;
        // The odds of being caught that firms weigh in their caution
        // (detection_base x enforcement x visibility, §7.5), less for trade
        // through hubs; not x volume, which double-counts size (visibility
        // already rises with it) and would list the largest traders first.
        const double h = f.target_via_hub[i] / f.target_trade[i];
        const double weight = f.visibility[i] * ((1 - h) + h * ctx.hub_detection);
        if (!(weight > 0)) continue;
        Stream stream = round_stream(ctx, AgentKind::firm, static_cast<std::uint32_t>(i), r);
        pool.push_back({key_of(stream, weight), static_cast<std::uint32_t>(i)});
      }
      take(
          pool, l.entities, ctx, AgentKind::firm, r,
          [&](std::uint32_t i) { return entities_per_agent(ctx.spec->firms[f.population[i]]); },
          [&](std::uint32_t i) {
            // Its Western business (the share its exposure stands for) is
            // gone, and with it the reason to fear further penalties.
            f.penalised[i] = 1;
            f.designated[i] = 1;
            f.retained[i] = 1.0 - f.exposure[i];
            f.exposure[i] = 0.0;
          });
    }
  }
}

void designate_banks(const StepContext& ctx, state::World& world) {
  auto& b = world.banks;
  std::fill(b.penalised.begin(), b.penalised.end(), 0);
  const auto rounds = rounds_now(ctx, SanctionScope::banks);
  const std::size_t B = b.state.size();
  for (std::size_t r = 0; r < rounds.size(); ++r) {
    for (const model::Listing& l : rounds[r]->listed) {
      const std::size_t s = index(l.state);
      if (l.entities <= 0 || !(world.agg.target_payments(s) > 0)) continue;
      std::vector<Candidate> pool;
      for (std::size_t i = 0; i < B; ++i) {
        if (b.state[i] != s || b.designated[i]) continue;
        // Only banks still processing sanctioned-linked payments can be
        // caught, the more likely the more they process (ODD 7.5).
        const double weight = b.visibility[i] * std::min(1.0, b.offer[i]);
        if (!(weight > 0)) continue;
        Stream stream = round_stream(ctx, AgentKind::bank, static_cast<std::uint32_t>(i), r);
        pool.push_back({key_of(stream, weight), static_cast<std::uint32_t>(i)});
      }
      bool any = false;
      take(
          pool, l.entities, ctx, AgentKind::bank, r,
          [&](std::uint32_t i) { return entities_per_agent(ctx.spec->banks[b.population[i]]); },
          [&](std::uint32_t i) {
            // Its Western business goes to the state's other banks.
            b.penalised[i] = 1;
            b.designated[i] = 1;
            b.size[i] *= 1.0 - b.exposure[i];
            b.exposure[i] = 0.0;
            any = true;
          });
      if (!any) continue;
      double total = 0;
      for (std::size_t i = 0; i < B; ++i)
        if (b.state[i] == s) total += b.size[i];
      for (std::size_t i = 0; i < B; ++i)
        if (b.state[i] == s) b.share[i] = total > 0 ? b.size[i] / total : 0.0;
    }
  }
}

}  // namespace geosim::rules
