#include "geosim/rules/policy.hpp"

#include <algorithm>
#include <numeric>

namespace geosim::rules {

using model::PolicyKind;
using state::market_of;

double PolicyState::direct_block(std::size_t j, std::size_t i, std::size_t m) const {
  return 1.0 - (1.0 - export_control(j, i, m)) * (1.0 - import_ban(i, j, m));
}

double PolicyState::hub_block(std::size_t j, std::size_t h, std::size_t i, std::size_t m, double evasion) const {
  const double controls = 1.0 - (1.0 - export_control(j, i, m) * (1.0 - evasion)) *
                                    (1.0 - import_ban(i, j, m) * (1.0 - evasion));
  const double legs = 1.0 - (1.0 - direct_block(j, h, m)) * (1.0 - direct_block(h, i, m));
  return 1.0 - (1.0 - controls) * (1.0 - legs);
}

double PolicyState::blocked(std::size_t a, std::size_t b, std::size_t c) const {
  const double banks = std::max(bank_block(a, b), bank_block(b, a));
  const double currency = std::max(currency_block(a, c), currency_block(b, c));
  return 1.0 - (1.0 - banks) * (1.0 - currency);
}

PolicyState policy_at(const model::ScenarioSpec& spec, const state::Dims& dims, int step,
                      const state::Grid& escalation) {
  const std::size_t S = dims.states, K = dims.sectors, M = dims.markets(), C = dims.currencies;
  PolicyState p;
  p.export_control = state::Grid({S, S, M});
  p.import_ban = state::Grid({S, S, M});
  p.price_cap = state::Grid({S, K});
  p.price_cap_intensity = state::Grid({S, K});
  p.cap_coalition = state::Grid({S, S});
  p.currency_block = state::Grid({S, C});
  p.bank_block = state::Grid({S, S});
  p.secondary_firms = state::Grid({S, S, M});
  p.secondary_banks = state::Grid({S, S});
  p.risk_premium = state::Grid({S, S, M});
  p.bank_withdrawal = state::Grid({std::max<std::size_t>(1, spec.banks.size()), S});
  const Month now = spec.start + step;

  // Active events, most recent start last so that it overwrites (stable: file
  // order breaks ties).
  std::vector<const model::PolicyEvent*> active;
  for (const auto& e : spec.events) {
    if (e.start.as_month() > now) continue;
    if (e.end && e.end->as_month() < now) continue;
    active.push_back(&e);
  }
  std::stable_sort(active.begin(), active.end(), [](const auto* a, const auto* b) {
    return a->start.as_month() < b->start.as_month() ||
           (a->start.as_month() == b->start.as_month() && a->start.day < b->start.day);
  });

  for (const auto* e : active) {
    const std::size_t by = index(e->by), t = index(e->target);
    std::vector<std::size_t> sectors;
    for (auto k : e->sectors) sectors.push_back(index(k));
    if (sectors.empty()) {
      sectors.resize(K);
      std::iota(sectors.begin(), sectors.end(), 0);
    }
    // Dual-use-only measures touch the dual-use market of a sector only.
    const auto for_markets = [&](auto&& fn) {
      for (auto k : sectors) {
        if (!e->dual_use_only) fn(market_of(k, 0));
        fn(market_of(k, 1));
      }
    };
    switch (e->kind) {
      case PolicyKind::export_control:
        for_markets([&](std::size_t m) { p.export_control(by, t, m) = e->intensity; });
        break;
      case PolicyKind::import_ban:
        for_markets([&](std::size_t m) { p.import_ban(by, t, m) = e->intensity; });
        break;
      case PolicyKind::price_cap:
        for (auto k : sectors) {
          p.price_cap(t, k) = e->cap;
          p.price_cap_intensity(t, k) = e->intensity;
        }
        p.cap_coalition(t, by) = 1.0;
        break;
      case PolicyKind::financial_sanctions: {
        std::vector<std::size_t> currencies;
        for (auto c : e->currencies) currencies.push_back(index(c));
        if (currencies.empty())
          if (auto home = spec.states[by].home_currency) currencies.push_back(index(*home));
        for (auto c : currencies) p.currency_block(t, c) = e->intensity;
        p.bank_block(by, t) = e->intensity;
        break;
      }
      case PolicyKind::secondary_sanctions:
        if (e->scope != model::SanctionScope::banks)
          for_markets([&](std::size_t m) { p.secondary_firms(by, t, m) = e->intensity; });
        if (e->scope != model::SanctionScope::firms) p.secondary_banks(by, t) = e->intensity;
        break;
      case PolicyKind::risk_premium:
        for_markets([&](std::size_t m) { p.risk_premium(by, t, m) = e->intensity; });
        break;
      case PolicyKind::bank_withdrawal:
        for (std::size_t b = 0; b < spec.banks.size(); ++b) {
          const auto& pop = spec.banks[b];
          if (pop.state != e->by) continue;
          if (!e->banks.empty() && pop.name != e->banks) continue;
          p.bank_withdrawal(b, t) = e->intensity;
        }
        break;
    }
  }

  // Adaptive escalation raises enforcement where sanctions are in force.
  for (std::size_t by = 0; by < S; ++by)
    for (std::size_t t = 0; t < S; ++t) {
      const double add = escalation(by, t);
      if (add <= 0) continue;
      for (std::size_t m = 0; m < M; ++m)
        if (p.secondary_firms(by, t, m) > 0)
          p.secondary_firms(by, t, m) = std::min(1.0, p.secondary_firms(by, t, m) + add);
      if (p.secondary_banks(by, t) > 0) p.secondary_banks(by, t) = std::min(1.0, p.secondary_banks(by, t) + add);
    }
  return p;
}

double firm_enforcement(const PolicyState& p, std::size_t states, std::size_t s, std::size_t target,
                        std::size_t m) {
  double e = 0;
  for (std::size_t by = 0; by < states; ++by)
    if (by != s && by != target) e = std::max(e, p.secondary_firms(by, target, m));
  return e;
}

double bank_enforcement(const PolicyState& p, std::size_t states, std::size_t s, std::size_t target) {
  double e = 0;
  for (std::size_t by = 0; by < states; ++by)
    if (by != s && by != target) e = std::max(e, p.secondary_banks(by, target));
  return e;
}

}  // namespace geosim::rules
