#include "geosim/rules/policy.hpp"

#include <algorithm>
#include <cassert>
#include <iterator>
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

namespace {

/// One active event, resolved to indices: what an application needs.
struct ActiveEvent {
  const model::ScenarioSpec& spec;
  const model::PolicyEvent& e;
  std::size_t by, t;
  std::vector<std::size_t> sectors;  ///< the event's sectors; all when it names none

  /// Calls fn(market) for the markets of the event's sectors; dual-use-only
  /// measures touch the dual-use market of a sector only.
  template <class Fn>
  void for_markets(Fn&& fn) const {
    for (auto k : sectors) {
      if (!e.dual_use_only) fn(market_of(k, 0));
      fn(market_of(k, 1));
    }
  }
};

// ------------------------------------------------------------ applications
// What an event of each kind sets in the policy state (docs/ODD.md §7.1).

void apply_export_control(const ActiveEvent& a, PolicyState& p) {
  a.for_markets([&](std::size_t m) { p.export_control(a.by, a.t, m) = a.e.intensity; });
}

void apply_import_ban(const ActiveEvent& a, PolicyState& p) {
  a.for_markets([&](std::size_t m) { p.import_ban(a.by, a.t, m) = a.e.intensity; });
}

void apply_price_cap(const ActiveEvent& a, PolicyState& p) {
  for (auto k : a.sectors) {
    p.price_cap(a.t, k) = a.e.cap;
    p.price_cap_intensity(a.t, k) = a.e.intensity;
  }
  p.cap_coalition(a.t, a.by) = 1.0;
}

void apply_financial_sanctions(const ActiveEvent& a, PolicyState& p) {
  std::vector<std::size_t> currencies;
  for (auto c : a.e.currencies) currencies.push_back(index(c));
  if (currencies.empty() && !a.e.currencies_given)
    if (auto home = a.spec.states[a.by].home_currency) currencies.push_back(index(*home));
  for (auto c : currencies) p.currency_block(a.t, c) = a.e.intensity;
  p.bank_block(a.by, a.t) = a.e.intensity;
}

void apply_secondary_sanctions(const ActiveEvent& a, PolicyState& p) {
  if (a.e.scope != model::SanctionScope::banks)
    a.for_markets([&](std::size_t m) { p.secondary_firms(a.by, a.t, m) = a.e.intensity; });
  if (a.e.scope != model::SanctionScope::firms) p.secondary_banks(a.by, a.t) = a.e.intensity;
}

void apply_bank_withdrawal(const ActiveEvent& a, PolicyState& p) {
  for (std::size_t b = 0; b < a.spec.banks.size(); ++b) {
    const auto& pop = a.spec.banks[b];
    if (pop.state != a.e.by) continue;
    if (!a.e.banks.empty() && pop.name != a.e.banks) continue;
    p.bank_withdrawal(b, a.t) = a.e.intensity;
  }
}

void apply_risk_premium(const ActiveEvent& a, PolicyState& p) {
  a.for_markets([&](std::size_t m) { p.risk_premium(a.by, a.t, m) = a.e.intensity; });
}

void apply_fleet_sanctions(const ActiveEvent& a, PolicyState& p) { p.fleet_sanctions(a.by, a.t) = a.e.intensity; }

// One application per kind. The rest of a kind is declared in model's table
// (model/src/policy_kinds.cpp), which cannot hold these: they write
// PolicyState, and model must not depend on rules.
struct Application {
  PolicyKind kind;
  void (*apply)(const ActiveEvent&, PolicyState&);
};

constexpr Application applications[] = {
    {PolicyKind::export_control, apply_export_control},
    {PolicyKind::import_ban, apply_import_ban},
    {PolicyKind::price_cap, apply_price_cap},
    {PolicyKind::financial_sanctions, apply_financial_sanctions},
    {PolicyKind::secondary_sanctions, apply_secondary_sanctions},
    {PolicyKind::bank_withdrawal, apply_bank_withdrawal},
    {PolicyKind::risk_premium, apply_risk_premium},
    {PolicyKind::fleet_sanctions, apply_fleet_sanctions},
};

constexpr bool one_application_per_kind() {
  if (std::size(applications) != model::policy_kind_count) return false;
  for (std::size_t i = 0; i < std::size(applications); ++i)
    if (static_cast<std::size_t>(applications[i].kind) != i || !applications[i].apply) return false;
  return true;
}
static_assert(one_application_per_kind(),
              "one application per PolicyKind (model/src/policy_kinds.cpp), in the order of the enum");

}  // namespace

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
  p.fleet_sanctions = state::Grid({S, S});
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
    ActiveEvent a{spec, *e, index(e->by), index(e->target), {}};
    for (auto k : e->sectors) a.sectors.push_back(index(k));
    if (a.sectors.empty()) {
      a.sectors.resize(K);
      std::iota(a.sectors.begin(), a.sectors.end(), 0);
    }
    assert(static_cast<std::size_t>(e->kind) < std::size(applications));
    applications[static_cast<std::size_t>(e->kind)].apply(a, p);
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
