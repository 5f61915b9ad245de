#include "geosim/model/spec.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "geosim/model/policy_kinds.hpp"

namespace geosim::model {

double switching_cost(const ScenarioSpec& spec, std::size_t sector) {
  return spec.sectors[sector].switching_cost.value_or(spec.params.orders.switching_cost);
}

double spot_weight(const ScenarioSpec& spec, std::size_t sector) {
  const auto& s = spec.sectors[sector];
  return s.spot_weight ? *s.spot_weight : std::pow(1 + switching_cost(spec, sector), -s.elasticity);
}

SourceLocation ScenarioSpec::where(const std::string& key_path) const {
  std::string key = key_path;
  while (!key.empty()) {
    if (const auto it = sources.find(key); it != sources.end()) return it->second;
    const auto cut = key.find_last_of(".[");
    if (cut == std::string::npos) break;
    key.resize(cut);
  }
  return SourceLocation{file, 0, 0};
}

namespace {

template <class Item>
std::optional<std::size_t> find_code(const std::vector<Item>& items, const std::string& code) {
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].code == code) return i;
  return std::nullopt;
}

std::string number(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

std::string item(const char* list, std::size_t i) { return std::string(list) + "[" + std::to_string(i) + "]"; }

// Every error of validate() goes through here so that the location always
// comes from the same key path the message names.
class Checker {
 public:
  explicit Checker(const ScenarioSpec& spec) : spec_(spec) {}

  [[noreturn]] void fail(const std::string& key_path, const std::string& what) const {
    throw InputError(spec_.where(key_path), key_path, what);
  }

  template <class Id>
  void check_index(Id id, std::size_t size, const std::string& key_path, const char* what) const {
    if (index(id) >= size)
      fail(key_path, std::string(what) + " index " + std::to_string(index(id)) + " is out of range (there are " +
                         std::to_string(size) + ")");
  }

  const std::string& state_code(StateId id) const { return spec_.states[index(id)].code; }
  const std::string& sector_code(SectorId id) const { return spec_.sectors[index(id)].code; }

 private:
  const ScenarioSpec& spec_;
};

/// A code as messages show it: a NUL character as \0.
std::string shown(const std::string& code) {
  std::string out;
  for (char ch : code) out += ch == '\0' ? std::string("\\0") : std::string(1, ch);
  return out;
}

template <class Item>
void check_unique_codes(const Checker& c, const std::vector<Item>& items, const char* list) {
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    // Output files store labels as C strings, which end at a NUL: codes that
    // differ only after one would become one label.
    if (items[i].code.find('\0') != std::string::npos)
      c.fail(item(list, i) + ".code", "code '" + shown(items[i].code) +
                                          "' contains a NUL character (\\0), which output files cannot store in a label");
    const auto [it, fresh] = seen.emplace(items[i].code, i);
    if (!fresh)
      c.fail(item(list, i) + ".code",
             "duplicate code '" + items[i].code + "' (already used by " + item(list, it->second) + ")");
  }
}

void check_lists(const ScenarioSpec& spec, const Checker& c) {
  if (spec.schema_version != model::schema_version)
    c.fail("schema_version", "version " + std::to_string(spec.schema_version) +
                                 " is not supported; this build reads schema_version " +
                                 std::to_string(model::schema_version));
  const auto non_empty = [&](bool empty, const char* key, const char* what) {
    if (empty) c.fail(key, std::string("the list is empty; a scenario needs at least one ") + what);
  };
  non_empty(spec.sectors.empty(), "sectors", "sector");
  non_empty(spec.currencies.empty(), "currencies", "currency");
  non_empty(spec.states.empty(), "states", "state");
  non_empty(spec.firms.empty(), "firms", "firm population");
  const auto at_most = [&](std::size_t count, std::size_t limit, const char* key, const char* what,
                           const char* why) {
    if (count > limit)
      c.fail(key, std::to_string(count) + " " + what + "; at most " + std::to_string(limit) +
                      " are supported (" + why + ")");
  };
  at_most(spec.states.size(), max_states, "states", "states",
          "state indices are 16-bit in the firm columns and 65535 marks 'no hub'");
  at_most(spec.sectors.size(), max_sectors, "sectors", "sectors",
          "market indices, two per sector, are 16-bit in the firm groups");
  at_most(spec.banks.size(), max_bank_populations, "banks", "bank populations",
          "population indices are 16-bit in the bank columns");
  check_unique_codes(c, spec.sectors, "sectors");
  check_unique_codes(c, spec.currencies, "currencies");
  check_unique_codes(c, spec.states, "states");
  if (spec.end < spec.start)
    c.fail("horizon.end", "the horizon ends (" + spec.end.str() + ") before it starts (" + spec.start.str() + ")");
  for (const auto& [key, m] : {std::pair{"horizon.start", spec.start}, std::pair{"horizon.end", spec.end}})
    if (m.year() < min_horizon_year || m.year() > max_horizon_year)
      c.fail(key, m.str() + " is outside the years " + std::to_string(min_horizon_year) + " to " +
                      std::to_string(max_horizon_year) +
                      " that output files can date (xarray reads their time axis as numpy datetime64[ns])");
}

void check_states(const ScenarioSpec& spec, const Checker& c) {
  for (std::size_t i = 0; i < spec.currencies.size(); ++i)
    if (spec.currencies[i].issuer)
      c.check_index(*spec.currencies[i].issuer, spec.states.size(), item("currencies", i) + ".issuer", "state");
  for (std::size_t i = 0; i < spec.states.size(); ++i) {
    const StateSpec& s = spec.states[i];
    const std::string key = item("states", i);
    if (s.export_capacity.size() != spec.sectors.size())
      c.fail(key + ".export_capacity", "has " + std::to_string(s.export_capacity.size()) +
                                           " entries; expected one per sector (" +
                                           std::to_string(spec.sectors.size()) + ")");
    if (s.import_absorption.size() != spec.sectors.size())
      c.fail(key + ".import_absorption", "has " + std::to_string(s.import_absorption.size()) +
                                             " entries; expected one per sector (" +
                                             std::to_string(spec.sectors.size()) + ")");
    if (s.home_currency) c.check_index(*s.home_currency, spec.currencies.size(), key + ".home_currency", "currency");
  }
}

void check_pairs(const ScenarioSpec& spec, const Checker& c) {
  std::map<std::tuple<std::size_t, std::size_t, std::size_t>, std::size_t> affinities;
  for (std::size_t i = 0; i < spec.affinities.size(); ++i) {
    const AffinitySpec& a = spec.affinities[i];
    const std::string key = item("affinities", i);
    c.check_index(a.importer, spec.states.size(), key + ".importer", "state");
    c.check_index(a.exporter, spec.states.size(), key + ".exporter", "state");
    if (a.sector) c.check_index(*a.sector, spec.sectors.size(), key + ".sector", "sector");
    if (a.importer == a.exporter)
      c.fail(key + ".exporter", "importer and exporter are the same state (" + c.state_code(a.importer) + ")");
    const std::size_t sector = a.sector ? index(*a.sector) + 1 : 0;
    const auto [it, fresh] = affinities.emplace(std::tuple{index(a.importer), index(a.exporter), sector}, i);
    if (!fresh)
      c.fail(key, "duplicate affinity " + c.state_code(a.importer) + " <- " + c.state_code(a.exporter) +
                      (a.sector ? " in " + c.sector_code(*a.sector) : std::string(" (all sectors)")) +
                      " (already given by " + item("affinities", it->second) + ")");
  }
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> costs;
  for (std::size_t i = 0; i < spec.trade_costs.size(); ++i) {
    const TradeCostSpec& t = spec.trade_costs[i];
    const std::string key = item("trade_costs", i);
    c.check_index(t.a, spec.states.size(), key + ".between[0]", "state");
    c.check_index(t.b, spec.states.size(), key + ".between[1]", "state");
    if (t.a == t.b) c.fail(key + ".between", "names the same state twice (" + c.state_code(t.a) + ")");
    const auto pair = std::pair{std::min(index(t.a), index(t.b)), std::max(index(t.a), index(t.b))};
    const auto [it, fresh] = costs.emplace(pair, i);
    if (!fresh)
      c.fail(key + ".between", "duplicate trade cost between " + c.state_code(t.a) + " and " + c.state_code(t.b) +
                                   " (already given by " + item("trade_costs", it->second) + ")");
  }
}

void check_populations(const ScenarioSpec& spec, const Checker& c) {
  // (state, sector) pairs that have a population of each role.
  std::set<std::pair<std::size_t, std::size_t>> exporters, importers;
  // Counts are 32-bit each, so their running total cannot overflow 64 bits.
  const auto total_within = [&](std::size_t total, std::size_t limit, const std::string& key, const char* what) {
    if (total > limit)
      c.fail(key + ".count", "the " + std::string(what) + " populations up to this one have " +
                                 std::to_string(total) + " " + what + "s in all; at most " + std::to_string(limit) +
                                 " are supported (" + what + " ids are 32-bit)");
  };
  std::size_t firms = 0;
  for (std::size_t i = 0; i < spec.firms.size(); ++i) {
    const FirmPopulationSpec& f = spec.firms[i];
    const std::string key = f.source_key.empty() ? item("firms", i) : f.source_key;
    c.check_index(f.state, spec.states.size(), key + ".state", "state");
    c.check_index(f.sector, spec.sectors.size(), key + ".sector", "sector");
    if (f.count == 0) c.fail(key + ".count", "0 is out of range; expected a whole number > 0");
    firms += f.count;
    total_within(firms, max_firms, key, "firm");
    const auto cell = std::pair{index(f.state), index(f.sector)};
    if (f.role == Role::exporter) exporters.insert(cell);
    if (f.role == Role::importer) importers.insert(cell);
    if (f.role == Role::intermediary && !spec.states[index(f.state)].hub)
      c.fail(key + ".role", "an intermediary population needs a hub state, but " + c.state_code(f.state) +
                                " has no 'hub:' (add hub: {} to the state to use the default hub)");
  }
  for (std::size_t s = 0; s < spec.states.size(); ++s) {
    const StateSpec& st = spec.states[s];
    for (std::size_t k = 0; k < spec.sectors.size() && k < st.export_capacity.size(); ++k) {
      const std::string& sector = spec.sectors[k].code;
      if (st.export_capacity[k] > 0 && !exporters.count({s, k}))
        c.fail(item("states", s) + ".export_capacity." + sector,
               st.code + " has export capacity " + number(st.export_capacity[k] / 1e9) + " (USD bn per year) in " +
                   sector + " but no firm population with state " + st.code + ", sector " + sector +
                   ", role exporter");
      if (k < st.import_absorption.size() && st.import_absorption[k] > 0 && !importers.count({s, k}))
        c.fail(item("states", s) + ".import_absorption." + sector,
               st.code + " has import absorption " + number(st.import_absorption[k] / 1e9) +
                   " (USD bn per year) in " + sector + " but no firm population with state " + st.code +
                   ", sector " + sector + ", role importer");
    }
  }
  std::map<std::pair<std::string, std::size_t>, std::string> banks;
  std::size_t bank_total = 0;
  for (std::size_t i = 0; i < spec.banks.size(); ++i) {
    const BankPopulationSpec& b = spec.banks[i];
    const std::string key = b.source_key.empty() ? item("banks", i) : b.source_key;
    c.check_index(b.state, spec.states.size(), key + ".state", "state");
    if (b.count == 0) c.fail(key + ".count", "0 is out of range; expected a whole number > 0");
    bank_total += b.count;
    total_within(bank_total, max_banks, key, "bank");
    const auto [it, fresh] = banks.emplace(std::pair{b.name, index(b.state)}, key);
    if (!fresh)
      c.fail(key + ".name", "duplicate bank population '" + b.name + "' in " + c.state_code(b.state) +
                                " (already defined by " + it->second + ")");
  }
}

// Values near the largest double (1e300) overflow to Inf and then NaN in
// the model's products; max_magnitude keeps every input far from that.
void check_magnitudes(const ScenarioSpec& spec, const Checker& c) {
  const auto bounded = [&](double v, const std::string& key, const char* unit) {
    if (!(std::abs(v) <= max_magnitude))
      c.fail(key, number(v) + " is too large; " + unit + " are limited to " + number(max_magnitude) +
                      " so that the model's sums and products of them stay finite");
  };
  const auto path = [&](const PricePath& p, const std::string& key) {
    for (std::size_t i = 0; i < p.points.size(); ++i)
      bounded(p.points[i].value, key + "[" + std::to_string(i) + "][1]", "path values");
  };
  const auto per_sector = [&](const std::vector<PricePath>& paths, const std::string& key) {
    for (std::size_t k = 0; k < paths.size() && k < spec.sectors.size(); ++k)
      path(paths[k], key + "." + spec.sectors[k].code);
  };
  for (std::size_t k = 0; k < spec.sectors.size(); ++k) {
    const SectorSpec& s = spec.sectors[k];
    bounded(s.reference_price, item("sectors", k) + ".reference_price", "prices");
    path(s.price, item("sectors", k) + ".price");
    if (s.alternative_freight) bounded(*s.alternative_freight, item("sectors", k) + ".alternative_freight", "prices");
  }
  for (std::size_t i = 0; i < spec.states.size(); ++i) {
    const StateSpec& st = spec.states[i];
    const std::string key = item("states", i);
    // Flows are held in USD per year; files give them in USD bn per year.
    for (std::size_t k = 0; k < st.export_capacity.size() && k < spec.sectors.size(); ++k)
      bounded(st.export_capacity[k], key + ".export_capacity." + spec.sectors[k].code, "flows (USD per year)");
    for (std::size_t k = 0; k < st.import_absorption.size() && k < spec.sectors.size(); ++k)
      bounded(st.import_absorption[k], key + ".import_absorption." + spec.sectors[k].code, "flows (USD per year)");
    for (std::size_t k = 0; k < st.import_capacity.size() && k < spec.sectors.size(); ++k)
      if (st.import_capacity[k])
        bounded(*st.import_capacity[k], key + ".import_capacity." + spec.sectors[k].code, "multiples");
    per_sector(st.import_path, key + ".import_path");
    per_sector(st.export_path, key + ".export_path");
    per_sector(st.import_price, key + ".import_price");
    path(st.real_exchange_rate, key + ".real_exchange_rate");
  }
  for (std::size_t i = 0; i < spec.affinities.size(); ++i) {
    bounded(spec.affinities[i].weight, item("affinities", i) + ".weight", "weights");
    path(spec.affinities[i].path, item("affinities", i) + ".path");
  }
  for (std::size_t i = 0; i < spec.freight.size(); ++i) {
    bounded(spec.freight[i].western, item("freight", i) + ".western", "prices");
    if (spec.freight[i].alternative) bounded(*spec.freight[i].alternative, item("freight", i) + ".alternative", "prices");
  }
  for (std::size_t i = 0; i < spec.firms.size(); ++i)
    bounded(spec.firms[i].capacity,
            (spec.firms[i].source_key.empty() ? item("firms", i) : spec.firms[i].source_key) + ".capacity",
            "flows (USD per year)");
}

// Elasticities are exponents of ratios in the model's demand, exchange-rate,
// supply and order rules; beyond an economically plausible bound they
// overflow (max_elasticity, max_substitution_elasticity).
void check_elasticities(const ScenarioSpec& spec, const Checker& c) {
  const auto bounded = [&](double v, const std::string& key, double limit, const char* what) {
    if (!(std::abs(v) <= limit))
      c.fail(key, number(v) + " is too large; " + what + " are limited to " + number(limit) +
                      " in magnitude (estimates lie far below; larger powers overflow the model's demand)");
  };
  const auto& orders = spec.params.orders;
  bounded(orders.income_elasticity, "parameters.orders.income_elasticity", max_elasticity, "elasticities");
  bounded(orders.price_elasticity, "parameters.orders.price_elasticity", max_elasticity, "elasticities");
  bounded(orders.exchange_rate_elasticity, "parameters.orders.exchange_rate_elasticity", max_elasticity,
          "elasticities");
  bounded(spec.params.risk.detection_size_elasticity, "parameters.risk.detection_size_elasticity", max_elasticity,
          "elasticities");
  for (std::size_t k = 0; k < spec.sectors.size(); ++k) {
    const SectorSpec& s = spec.sectors[k];
    bounded(s.elasticity, item("sectors", k) + ".elasticity", max_substitution_elasticity,
            "elasticities of substitution");
    if (s.supply_elasticity)
      bounded(*s.supply_elasticity, item("sectors", k) + ".supply_elasticity", max_elasticity, "elasticities");
  }
  for (std::size_t i = 0; i < spec.states.size(); ++i) {
    const StateSpec& st = spec.states[i];
    if (st.income_elasticity)
      bounded(*st.income_elasticity, item("states", i) + ".income_elasticity", max_elasticity, "elasticities");
    bounded(st.exchange_rate_revenue_elasticity, item("states", i) + ".exchange_rate_revenue_elasticity",
            max_elasticity, "elasticities");
  }
}

// A state's trend growth compounds over the horizon ((1 + growth)^years);
// beyond max_growth it is no economy's trend and, over long horizons,
// overflows the model's flows.
void check_growth(const ScenarioSpec& spec, const Checker& c) {
  for (std::size_t i = 0; i < spec.states.size(); ++i) {
    const double g = spec.states[i].growth;
    if (!(std::abs(g) <= max_growth))
      c.fail(item("states", i) + ".growth",
             number(g) + (g < 0 ? " is too low" : " is too large") + "; trend growth is limited to " +
                 number(max_growth) +
                 " a year in magnitude (no economy's trend comes near; compounded over a long horizon, faster "
                 "growth overflows the model's flows)");
  }
}

bool before(const Date& a, const Date& b) {
  return std::tuple{a.year, a.month, a.day} < std::tuple{b.year, b.month, b.day};
}

void check_event(const ScenarioSpec& spec, const Checker& c, std::size_t i) {
  const PolicyEvent& e = spec.events[i];
  const std::string key = item("events", i);
  c.check_index(e.by, spec.states.size(), key + ".by", "state");
  c.check_index(e.target, spec.states.size(), key + ".target", "state");
  for (std::size_t k = 0; k < e.sectors.size(); ++k)
    c.check_index(e.sectors[k], spec.sectors.size(), key + ".sectors[" + std::to_string(k) + "]", "sector");
  for (std::size_t k = 0; k < e.currencies.size(); ++k)
    c.check_index(e.currencies[k], spec.currencies.size(), key + ".currencies[" + std::to_string(k) + "]",
                  "currency");
  if (e.by == e.target) c.fail(key + ".target", "by and target are the same state (" + c.state_code(e.by) + ")");
  if (e.start.as_month() > spec.end)
    c.fail(key + ".start", e.start.str() + " is after the end of the horizon (" + spec.end.str() +
                               "); the event would never apply");
  if (e.end) {
    if (before(*e.end, e.start))
      c.fail(key + ".end", "the event ends (" + e.end->str() + ") before it starts (" + e.start.str() + ")");
    if (e.end->as_month() < spec.start)
      c.fail(key + ".end", e.end->str() + " is before the start of the horizon (" + spec.start.str() +
                               "); the event would never apply");
  }
  kind_info(e.kind).check(EventCheck{spec, e, key});
}

}  // namespace

void validate(const ScenarioSpec& spec) {
  const Checker c(spec);
  check_lists(spec, c);
  check_states(spec, c);
  check_pairs(spec, c);
  check_populations(spec, c);
  check_magnitudes(spec, c);
  check_elasticities(spec, c);
  check_growth(spec, c);
  for (std::size_t i = 0; i < spec.events.size(); ++i) check_event(spec, c, i);
  const auto& pay = spec.params.payments;
  if (pay.agent_fee_max < pay.agent_fee)
    c.fail("parameters.payments.agent_fee_max", "must be at least agent_fee (" + std::to_string(pay.agent_fee) +
                                                    "): agents' fee rises with the share they carry");
  // Snapshots are output requests, not model input: those outside the
  // horizon are skipped, so that a scenario derived with a shorter horizon
  // need not repeat its base's output section.
}

std::optional<StateId> find_state(const ScenarioSpec& spec, const std::string& code) {
  if (const auto i = find_code(spec.states, code)) return make_id<StateId>(*i);
  return std::nullopt;
}

std::optional<SectorId> find_sector(const ScenarioSpec& spec, const std::string& code) {
  if (const auto i = find_code(spec.sectors, code)) return make_id<SectorId>(*i);
  return std::nullopt;
}

std::optional<CurrencyId> find_currency(const ScenarioSpec& spec, const std::string& code) {
  if (const auto i = find_code(spec.currencies, code)) return make_id<CurrencyId>(*i);
  return std::nullopt;
}

const char* to_string(Role role) noexcept {
  switch (role) {
    case Role::exporter: return "exporter";
    case Role::importer: return "importer";
    case Role::intermediary: return "intermediary";
  }
  return "unknown";
}

}  // namespace geosim::model
