// first_difference: a field-by-field comparison of two specs. The
// static_asserts fail when a field is added to a spec struct: compare it
// below (or say here why a run cannot feel it).
#include "geosim/model/history.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <set>

namespace geosim::model {

namespace {

static_assert(sizeof(Distribution) == 24);
static_assert(sizeof(SectorSpec) == 248, "a SectorSpec field was added: compare it in first_difference");
static_assert(sizeof(CurrencySpec) == 56, "a CurrencySpec field was added: compare it in first_difference");
static_assert(sizeof(HubSpec) == 40, "a HubSpec field was added: compare it in first_difference");
static_assert(sizeof(StateSpec) == 336, "a StateSpec field was added: compare it in first_difference");
static_assert(sizeof(AffinitySpec) == 40, "an AffinitySpec field was added: compare it in first_difference");
static_assert(sizeof(TradeCostSpec) == 16, "a TradeCostSpec field was added: compare it in first_difference");
static_assert(sizeof(FreightSpec) == 56, "a FreightSpec field was added: compare it in first_difference");
static_assert(sizeof(FirmPopulationSpec) == 168, "a FirmPopulationSpec field was added: compare it in first_difference");
static_assert(sizeof(BankPopulationSpec) == 168, "a BankPopulationSpec field was added: compare it in first_difference");
static_assert(sizeof(PolicyEvent) == 208, "a PolicyEvent field was added: compare it in first_difference");
static_assert(sizeof(ModelParams) == 352, "a parameter was added: compare it in first_difference");
static_assert(sizeof(ScenarioSpec) == 800, "a ScenarioSpec field was added: compare it in first_difference");

std::string item(const std::string& list, std::size_t i) { return list + "[" + std::to_string(i) + "]"; }

std::string shown(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
std::string shown(bool v) { return v ? "true" : "false"; }
std::string shown(const std::string& v) { return "'" + v + "'"; }
std::string shown(Month m) { return m.str(); }
std::string shown(const Date& d) { return d.str(); }
template <class T>
  requires std::is_integral_v<T> || std::is_enum_v<T>
std::string shown(T v) {
  if constexpr (std::is_enum_v<T>) return std::to_string(static_cast<long long>(v));
  else return std::to_string(v);
}
std::string shown(Role r) { return to_string(r); }
std::string shown(SanctionScope s) {
  return s == SanctionScope::firms ? "firms" : s == SanctionScope::banks ? "banks" : "both";
}
std::string shown(const Distribution& d) {
  return "{kind " + std::to_string(static_cast<int>(d.kind)) + ", " + shown(d.p1) + ", " + shown(d.p2) + "}";
}
std::string shown(const Listing& l) { return "{state " + shown(l.state) + ", " + shown(l.entities) + "}"; }
template <class T>
std::string shown(const std::optional<T>& v) {
  return v ? shown(*v) : std::string("absent");
}
template <class T>
std::string shown(const std::vector<T>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + shown(v[i]);
  return out + "]";
}

bool equal(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }
bool equal(const Date& a, const Date& b) { return a.year == b.year && a.month == b.month && a.day == b.day; }
bool equal(const Listing& a, const Listing& b) { return a.state == b.state && equal(a.entities, b.entities); }
bool equal(const Distribution& a, const Distribution& b) {
  return a.kind == b.kind && equal(a.p1, b.p1) && equal(a.p2, b.p2);
}
template <class T>
bool equal(const T& a, const T& b) { return a == b; }
template <class T>
bool equal(const std::optional<T>& a, const std::optional<T>& b) {
  return a.has_value() == b.has_value() && (!a || equal(*a, *b));
}
template <class T>
bool equal(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const T& x, const T& y) { return equal(x, y); });
}

/// Collects the first difference; later comparisons are skipped once one is found.
class Differ {
 public:
  explicit Differ(Month last) : last_(last) {}

  template <class T>
  void same(const std::string& key, const T& stored, const T& fork) {
    if (found() || equal(stored, fork)) return;
    differ(key, shown(fork) + " here, " + shown(stored) + " in the run that stored the checkpoint");
  }

  void differ(const std::string& key, std::string detail) {
    if (!found()) first_ = HistoryDifference{key, std::move(detail)};
  }

  /// Paths must take the same values in every month up to last_.
  void path(const std::string& key, const PricePath& stored, const PricePath& fork) {
    if (found()) return;
    const auto up_to = [&](const PricePath& p) {
      return static_cast<std::size_t>(std::count_if(p.points.begin(), p.points.end(), [&](const auto& q) { return q.month <= last_; }));
    };
    const std::size_t n = up_to(stored), m = up_to(fork);
    const auto point = [&](const PricePath& p, std::size_t i) {
      return shown(p.points[i].month) + ": " + shown(p.points[i].value);
    };
    for (std::size_t i = 0; i < std::max(n, m); ++i) {
      if (i >= n || i >= m || stored.points[i].month != fork.points[i].month ||
          !equal(stored.points[i].value, fork.points[i].value)) {
        differ(item(key, i), (i < m ? point(fork, i) : std::string("no point")) + " here, " +
                                 (i < n ? point(stored, i) : std::string("no point")) +
                                 " in the run that stored the checkpoint (a path may differ only after " + last_.str() + ")");
        return;
      }
    }
    if (n > 0 && stored.points[n - 1].month == last_) return;
    // Months after the last point up to last_ interpolate toward the next one (or stay flat without one).
    const bool has_s = n < stored.points.size(), has_f = m < fork.points.size();
    if (has_s != has_f || (has_s && (stored.points[n].month != fork.points[n].month ||
                                     !equal(stored.points[n].value, fork.points[n].value))))
      differ(item(key, n), (has_f ? point(fork, n) : std::string("no point")) + " here, " +
                               (has_s ? point(stored, n) : std::string("no point")) +
                               " in the run that stored the checkpoint: the path's values up to " + last_.str() +
                               " interpolate toward it");
  }

  bool found() const { return first_.has_value(); }
  std::optional<HistoryDifference> take() { return std::move(first_); }
  Month last() const { return last_; }

 private:
  Month last_;
  std::optional<HistoryDifference> first_;
};

#define SAME(key, field) d.same(key, a.field, b.field)

void sectors(Differ& d, const ScenarioSpec& sa, const ScenarioSpec& sb) {
  d.same("sectors", sa.sectors.size(), sb.sectors.size());
  for (std::size_t i = 0; i < sa.sectors.size() && !d.found(); ++i) {
    const auto& a = sa.sectors[i];
    const auto& b = sb.sectors[i];
    const std::string k = item("sectors", i) + ".";
    SAME(k + "code", code);
    SAME(k + "name", name);
    SAME(k + "price_unit", price_unit);
    SAME(k + "reference_price", reference_price);
    d.path(k + "price", a.price, b.price);
    SAME(k + "elasticity", elasticity);
    SAME(k + "criticality", criticality);
    SAME(k + "dual_use_fraction", dual_use_fraction);
    SAME(k + "max_discount", max_discount);
    SAME(k + "energy", energy);
    SAME(k + "exchange_rate_pass_through", exchange_rate_pass_through);
    SAME(k + "supply_elasticity", supply_elasticity);
    SAME(k + "freight", freight);
    SAME(k + "alternative_freight", alternative_freight);
    SAME(k + "switching_cost", switching_cost);
    SAME(k + "spot_weight", spot_weight);
  }
  d.same("currencies", sa.currencies.size(), sb.currencies.size());
  for (std::size_t i = 0; i < sa.currencies.size() && !d.found(); ++i) {
    const auto& a = sa.currencies[i];
    const auto& b = sb.currencies[i];
    const std::string k = item("currencies", i) + ".";
    SAME(k + "code", code);
    SAME(k + "issuer", issuer);
    SAME(k + "weight", weight);
    SAME(k + "cost", cost);
  }
}

void paths(Differ& d, const std::string& key, const std::vector<PricePath>& a, const std::vector<PricePath>& b) {
  d.same(key, a.size(), b.size());
  for (std::size_t i = 0; i < a.size() && !d.found(); ++i) d.path(item(key, i), a[i], b[i]);
}

void states(Differ& d, const ScenarioSpec& sa, const ScenarioSpec& sb) {
  d.same("states", sa.states.size(), sb.states.size());
  for (std::size_t i = 0; i < sa.states.size() && !d.found(); ++i) {
    const auto& a = sa.states[i];
    const auto& b = sb.states[i];
    const std::string k = item("states", i) + ".";
    SAME(k + "code", code);
    SAME(k + "name", name);
    SAME(k + "export_capacity", export_capacity);
    SAME(k + "import_absorption", import_absorption);
    SAME(k + "growth", growth);
    paths(d, k + "import_path", a.import_path, b.import_path);
    paths(d, k + "export_path", a.export_path, b.export_path);
    SAME(k + "import_capacity", import_capacity);
    paths(d, k + "import_price", a.import_price, b.import_price);
    d.path(k + "real_exchange_rate", a.real_exchange_rate, b.real_exchange_rate);
    // After its path's last month the rate follows revenue, anchored at the
    // income read the month before that last month (rules/income.cpp).
    const auto end_of = [](const PricePath& p) { return p.points.empty() ? std::optional<Month>{} : p.points.back().month; };
    const auto ea = end_of(a.real_exchange_rate), eb = end_of(b.real_exchange_rate);
    if ((ea && *ea <= d.last() + 1) || (eb && *eb <= d.last() + 1))
      d.same(k + "real_exchange_rate (last point's month)", ea, eb);
    SAME(k + "exchange_rate_revenue_elasticity", exchange_rate_revenue_elasticity);
    SAME(k + "income_elasticity", income_elasticity);
    SAME(k + "home_currency", home_currency);
    d.same(k + "hub", a.hub.has_value(), b.hub.has_value());
    if (a.hub && b.hub) {
      const std::string h = k + "hub.";
      d.same(h + "markup", a.hub->markup, b.hub->markup);
      d.same(h + "detection_factor", a.hub->detection_factor, b.hub->detection_factor);
      d.same(h + "evasion", a.hub->evasion, b.hub->evasion);
      d.same(h + "capacity_growth", a.hub->capacity_growth, b.hub->capacity_growth);
      d.same(h + "capacity_ceiling", a.hub->capacity_ceiling, b.hub->capacity_ceiling);
    }
    SAME(k + "shadow_fleet", shadow_fleet);
    SAME(k + "aggregate", aggregate);
    SAME(k + "residual_supplier", residual_supplier);
  }
}

void links(Differ& d, const ScenarioSpec& sa, const ScenarioSpec& sb) {
  d.same("affinities", sa.affinities.size(), sb.affinities.size());
  for (std::size_t i = 0; i < sa.affinities.size() && !d.found(); ++i) {
    const auto& a = sa.affinities[i];
    const auto& b = sb.affinities[i];
    const std::string k = item("affinities", i) + ".";
    SAME(k + "importer", importer);
    SAME(k + "exporter", exporter);
    SAME(k + "sector", sector);
    SAME(k + "weight", weight);
    d.path(k + "path", a.path, b.path);
  }
  d.same("trade_costs", sa.trade_costs.size(), sb.trade_costs.size());
  for (std::size_t i = 0; i < sa.trade_costs.size() && !d.found(); ++i) {
    const auto& a = sa.trade_costs[i];
    const auto& b = sb.trade_costs[i];
    const std::string k = item("trade_costs", i) + ".";
    SAME(k + "a", a);
    SAME(k + "b", b);
    SAME(k + "cost", cost);
  }
  d.same("freight", sa.freight.size(), sb.freight.size());
  for (std::size_t i = 0; i < sa.freight.size() && !d.found(); ++i) {
    const auto& a = sa.freight[i];
    const auto& b = sb.freight[i];
    const std::string k = item("freight", i) + ".";
    SAME(k + "from", from);
    SAME(k + "to", to);
    SAME(k + "sectors", sectors);
    SAME(k + "western", western);
    SAME(k + "alternative", alternative);
  }
}

void populations(Differ& d, const ScenarioSpec& sa, const ScenarioSpec& sb) {
  // source_key only names the entry in messages.
  d.same("firms", sa.firms.size(), sb.firms.size());
  for (std::size_t i = 0; i < sa.firms.size() && !d.found(); ++i) {
    const auto& a = sa.firms[i];
    const auto& b = sb.firms[i];
    const std::string k = (b.source_key.empty() ? item("firms", i) : b.source_key) + ".";
    SAME(k + "state", state);
    SAME(k + "sector", sector);
    SAME(k + "role", role);
    SAME(k + "count", count);
    SAME(k + "size", size);
    SAME(k + "exposure", exposure);
    SAME(k + "exposure_size_slope", exposure_size_slope);
    SAME(k + "state_owned_share", state_owned_share);
    SAME(k + "state_owned_exposure", state_owned_exposure);
    SAME(k + "risk_tolerance", risk_tolerance);
    SAME(k + "capacity", capacity);
    SAME(k + "represents", represents);
  }
  d.same("banks", sa.banks.size(), sb.banks.size());
  for (std::size_t i = 0; i < sa.banks.size() && !d.found(); ++i) {
    const auto& a = sa.banks[i];
    const auto& b = sb.banks[i];
    const std::string k = (b.source_key.empty() ? item("banks", i) : b.source_key) + ".";
    SAME(k + "name", name);
    SAME(k + "state", state);
    SAME(k + "count", count);
    SAME(k + "size", size);
    SAME(k + "exposure", exposure);
    SAME(k + "exposure_size_slope", exposure_size_slope);
    SAME(k + "risk_tolerance", risk_tolerance);
    SAME(k + "represents", represents);
  }
}

/// The events of `spec` that start up to `last`, with their indices, in file order.
std::vector<std::size_t> started(const ScenarioSpec& spec, Month last) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < spec.events.size(); ++i)
    if (spec.events[i].start.as_month() <= last) out.push_back(i);
  return out;
}

/// States whose importers get hub routes (state/world.cpp, targets_of).
std::set<StateId> route_targets(const ScenarioSpec& spec) {
  std::set<StateId> out;
  for (const auto& e : spec.events)
    if (e.kind == PolicyKind::export_control || e.kind == PolicyKind::secondary_sanctions) out.insert(e.target);
  return out;
}

void events(Differ& d, const ScenarioSpec& sa, const ScenarioSpec& sb) {
  const Month last = d.last();
  const auto ia = started(sa, last), ib = started(sb, last);
  for (std::size_t n = 0; n < std::max(ia.size(), ib.size()) && !d.found(); ++n) {
    if (n >= ib.size()) {
      d.differ(item("events", sa.events.size()),
               "the run that stored the checkpoint has one more event that starts by " + last.str() + " (its events[" +
                   std::to_string(ia[n]) + "], " + to_string(sa.events[ia[n]].kind) + " from " +
                   sa.events[ia[n]].start.str() + ")");
      return;
    }
    const std::string k = item("events", ib[n]) + ".";
    if (n >= ia.size()) {
      d.differ(k + "start", sb.events[ib[n]].start.str() + " is not after the checkpoint (" + last.str() +
                                "), and the run that stored it has no such event");
      return;
    }
    const auto& a = sa.events[ia[n]];
    const auto& b = sb.events[ib[n]];
    if (a.kind != b.kind || !equal(a.start, b.start) || a.by != b.by || a.target != b.target) {
      const auto event = [](const ScenarioSpec& s, const PolicyEvent& e) {
        return std::string(to_string(e.kind)) + " by " + s.states[index(e.by)].code + " on " +
               s.states[index(e.target)].code + " from " + e.start.str();
      };
      d.differ(item("events", ib[n]), event(sb, b) + " here, " + event(sa, a) +
                                          " in the run that stored the checkpoint (the events that start by " +
                                          last.str() + " must be the same, in the same order)");
      return;
    }
    // Only whether the event is still in force matters until last.
    const auto until = [&](const PolicyEvent& e) { return e.end ? std::min(e.end->as_month(), last) : last; };
    if (!d.found() && until(a) != until(b))
      d.differ(k + "end", shown(b.end) + " here, " + shown(a.end) +
                              " in the run that stored the checkpoint (an end may differ only when both fall after " +
                              last.str() + ")");
    SAME(k + "by", by);
    SAME(k + "target", target);
    SAME(k + "sectors", sectors);
    SAME(k + "intensity", intensity);
    SAME(k + "dual_use_only", dual_use_only);
    SAME(k + "cap", cap);
    SAME(k + "currencies", currencies);
    SAME(k + "currencies_given", currencies_given);
    SAME(k + "scope", scope);
    SAME(k + "listed", listed);
    SAME(k + "banks", banks);
  }
  if (d.found()) return;
  const auto ta = route_targets(sa), tb = route_targets(sb);
  if (ta == tb) return;
  for (std::size_t i = 0; i < sb.events.size(); ++i) {
    const auto& e = sb.events[i];
    if ((e.kind == PolicyKind::export_control || e.kind == PolicyKind::secondary_sanctions) && !ta.count(e.target)) {
      d.differ(item("events", i) + ".target",
               sb.states[index(e.target)].code + " is a target of " + to_string(e.kind) +
                   " only here: that gives its importers hub routes from the first month");
      return;
    }
  }
  for (StateId t : ta)
    if (!tb.count(t)) {
      d.differ("events", sa.states[index(t)].code +
                             " is a target of export controls or secondary sanctions only in the run that stored the "
                             "checkpoint: that gave its importers hub routes from the first month");
      return;
    }
}

void params(Differ& d, const ModelParams& pa, const ModelParams& pb) {
  {
    const auto& a = pa.risk;
    const auto& b = pb.risk;
    const std::string k = "parameters.risk.";
    SAME(k + "detection_base", detection_base);
    SAME(k + "detection_size_elasticity", detection_size_elasticity);
    SAME(k + "penalty_multiple", penalty_multiple);
    SAME(k + "margin", margin);
    SAME(k + "learning_rate", learning_rate);
    SAME(k + "social_weight", social_weight);
    SAME(k + "initial_belief", initial_belief);
    SAME(k + "belief_decay", belief_decay);
    SAME(k + "peer_signal", peer_signal);
    SAME(k + "review_share", review_share);
    SAME(k + "tolerance_scale", tolerance_scale);
  }
  {
    const auto& a = pa.orders;
    const auto& b = pb.orders;
    const std::string k = "parameters.orders.";
    SAME(k + "reoptimise_share", reoptimise_share);
    SAME(k + "switching_cost", switching_cost);
    SAME(k + "formation_lag", formation_lag);
    SAME(k + "established_share", established_share);
    SAME(k + "default_trade_cost", default_trade_cost);
    SAME(k + "price_elasticity", price_elasticity);
    SAME(k + "income_elasticity", income_elasticity);
    SAME(k + "income_smoothing", income_smoothing);
    SAME(k + "exchange_rate_elasticity", exchange_rate_elasticity);
  }
  {
    const auto& a = pa.bargaining;
    const auto& b = pb.bargaining;
    const std::string k = "parameters.bargaining.";
    SAME(k + "exporter_outside_base", exporter_outside_base);
    SAME(k + "shadow_fleet_weight", shadow_fleet_weight);
    SAME(k + "adjustment", adjustment);
    SAME(k + "arbitrage", arbitrage);
    SAME(k + "cost_pass_through", cost_pass_through);
  }
  {
    const auto& a = pa.payments;
    const auto& b = pb.payments;
    const std::string k = "parameters.payments.";
    SAME(k + "clear_rate", clear_rate);
    SAME(k + "fail_rate", fail_rate);
    SAME(k + "currency_inertia", currency_inertia);
    SAME(k + "cost_sensitivity", cost_sensitivity);
    SAME(k + "blocked_cost", blocked_cost);
    SAME(k + "willing_bank_capacity", willing_bank_capacity);
    SAME(k + "agent_fee", agent_fee);
    SAME(k + "agent_fee_max", agent_fee_max);
    SAME(k + "netting_fee", netting_fee);
    SAME(k + "netting_share", netting_share);
    SAME(k + "alternative_lag", alternative_lag);
  }
  {
    const auto& a = pa.adaptive;
    const auto& b = pb.adaptive;
    const std::string k = "parameters.adaptive.";
    SAME(k + "escalation", escalation);
    SAME(k + "leakage_threshold", leakage_threshold);
    SAME(k + "escalation_rate", escalation_rate);
    SAME(k + "escalation_decay", escalation_decay);
    SAME(k + "shadow_fleet_investment", shadow_fleet_investment);
    SAME(k + "fleet_depreciation", fleet_depreciation);
    SAME(k + "investment_threshold", investment_threshold);
    SAME(k + "investment_rate", investment_rate);
  }
}

#undef SAME

}  // namespace

std::optional<HistoryDifference> first_difference(const ScenarioSpec& stored, const ScenarioSpec& fork, Month last) {
  Differ d(last);
  d.same("schema_version", stored.schema_version, fork.schema_version);
  d.same("horizon.start", stored.start, fork.start);
  if (!d.found() && fork.end <= last)
    d.differ("horizon.end", fork.end.str() + " is not after the checkpoint (" + last.str() + "): there is nothing to fork");
  sectors(d, stored, fork);
  states(d, stored, fork);
  links(d, stored, fork);
  populations(d, stored, fork);
  events(d, stored, fork);
  params(d, stored.params, fork.params);
  const auto before = [&](const ScenarioSpec& s) {
    std::set<Month> out;
    for (Month m : s.snapshots)
      if (m <= last) out.insert(m);
    return std::vector<Month>(out.begin(), out.end());
  };
  d.same("snapshots", before(stored), before(fork));
  return d.take();
}

InputError fork_refused(const HistoryDifference& d, const ScenarioSpec& fork, const std::string& base_file, Month last) {
  return InputError(fork.where(d.key_path), d.key_path,
                    d.detail + "; cannot fork from " + base_file + " (checkpoint " + last.str() +
                        "): the scenarios differ in what a run reads by then");
}

}  // namespace geosim::model
