// Conversion of the merged YAML tree into a ScenarioSpec. The parser checks
// local things (keys, types, ranges, that codes exist); model::validate()
// checks the whole model afterwards.
#include "geosim/scenario/load.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <span>
#include <string_view>

#include "geosim/model/policy_kinds.hpp"
#include "geosim/scenario/values.hpp"
#include "tree.hpp"

namespace geosim::scenario {

namespace {

using detail::describe;
using detail::join;
using detail::Node;
using detail::suggest;

/// USD per USD bn: the file states flows in USD bn per year, the spec in USD per year.
constexpr double usd_per_bn = 1e9;

using values::Range;
using values::any_number;
constexpr double inf = std::numeric_limits<double>::infinity();

constexpr Range non_negative{0.0, inf};
constexpr Range positive{0.0, inf, true};
constexpr Range share{0.0, 1.0};
constexpr Range share_below_one{0.0, 1.0, false, true};
constexpr Range share_above_zero{0.0, 1.0, true, false};
constexpr Range growth_rate{-1.0, inf, true};
constexpr Range at_least_one{1.0, inf};
constexpr Range months_lag{0.0, 1200.0};

std::string format(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string at(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }
std::string at(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

[[noreturn]] void fail(const Node& n, const std::string& path, const std::string& what) {
  throw InputError(n.where, path, what);
}

// ------------------------------------------------------------ scalars

// The typed readers every geosim input file shares (values.hpp).
using values::boolean;
using values::choice;
using values::date;
using values::month;
using values::number;
using values::text;
using values::whole;

// ------------------------------------------------------------ containers

/// A map whose keys are checked against the allowed ones on construction;
/// every key read is recorded in the spec's sources.
class Fields {
 public:
  Fields(model::ScenarioSpec& spec, const Node& node, std::string path, std::vector<std::string> allowed)
      : spec_(spec), node_(node), path_(std::move(path)) {
    if (!node.is_map()) fail(node, path_, "expected a map, got " + describe(node));
    for (const detail::Entry& e : node.entries) {
      if (std::find(allowed.begin(), allowed.end(), e.key) != allowed.end()) continue;
      if (e.key == "remove")
        throw InputError(e.key_where, at(path_, e.key),
                         "remove: true deletes an item of a base scenario, but no base scenario has this item");
      const std::string hint = suggest(e.key, allowed);
      throw InputError(e.key_where, at(path_, e.key),
                       "unknown key '" + e.key + "'" + (hint.empty() ? "; expected one of " + join(allowed) : hint));
    }
    if (!path_.empty()) spec_.sources[path_] = node.where;
  }

  const Node* get(const std::string& key) const {
    const Node* v = node_.find(key);
    if (v) spec_.sources[at(path_, key)] = v->where;
    return v;
  }

  const Node& need(const std::string& key, const std::string& why = "") const {
    const Node* v = get(key);
    if (!v) fail(node_, path_, "missing required key '" + key + "'" + why);
    return *v;
  }

  /// Where a key is written (for errors about the key rather than its value).
  SourceLocation key_where(const std::string& key) const {
    for (const detail::Entry& e : node_.entries)
      if (e.key == key) return e.key_where;
    return node_.where;
  }

  std::string path(const std::string& key) const { return at(path_, key); }
  const std::string& path() const { return path_; }
  const Node& node() const { return node_; }

 private:
  model::ScenarioSpec& spec_;
  const Node& node_;
  std::string path_;
};

const std::vector<Node>& list(const Node& n, const std::string& path, bool allow_empty, const std::string& empty_hint) {
  if (!n.is_sequence()) fail(n, path, "expected a list, got " + describe(n));
  if (!allow_empty && n.items.empty()) fail(n, path, "the list is empty" + empty_hint);
  return n.items;
}

/// A value that may be one item or a list of items (firms' state, sector, role).
std::vector<std::pair<const Node*, std::string>> one_or_many(const Node& n, const std::string& path) {
  std::vector<std::pair<const Node*, std::string>> out;
  if (!n.is_sequence()) {
    out.emplace_back(&n, path);
    return out;
  }
  for (std::size_t i = 0; i < list(n, path, false, "; give one value or a list of values").size(); ++i)
    out.emplace_back(&n.items[i], at(path, i));
  return out;
}

// ------------------------------------------------------------ converter

class Converter {
 public:
  explicit Converter(model::ScenarioSpec& spec) : spec_(spec) {}

  void run(const Node& root) {
    Fields top(spec_, root, "",
               {"schema_version", "name", "description", "horizon", "seed", "sectors", "currencies", "states",
                "affinities", "trade_costs", "freight", "firms", "banks", "events", "parameters", "output"});
    spec_.schema_version = static_cast<int>(whole(top.need("schema_version"), "schema_version", 0, 1000000));
    spec_.name = text(top.need("name"), "name");
    if (const Node* d = top.get("description")) spec_.description = d->kind == Node::Kind::null ? "" : text(*d, "description");
    if (const Node* h = top.get("horizon")) horizon(*h);
    if (const Node* s = top.get("seed"))
      spec_.seed = whole(*s, "seed", 0, std::numeric_limits<std::uint64_t>::max());

    // States and currencies name each other (issuer, home_currency), so
    // collect every code before converting either list.
    sector_codes_ = codes(root.find("sectors"), "sectors");
    state_codes_ = codes(root.find("states"), "states");
    currency_codes_ = codes(root.find("currencies"), "currencies");
    sectors(top.need("sectors"));
    currencies(top.need("currencies"));
    states(top.need("states"));
    if (const Node* n = top.get("affinities")) affinities(*n);
    if (const Node* n = top.get("trade_costs")) trade_costs(*n);
    if (const Node* n = top.get("freight")) freight(*n);
    firms(top.need("firms"));
    if (const Node* n = top.get("banks")) banks(*n);
    if (const Node* n = top.get("events")) events(*n);
    if (const Node* n = top.get("parameters")) parameters(*n);
    if (const Node* n = top.get("output")) output(*n);
  }

 private:
  /// The codes of a list, checked for duplicates here so that a duplicate is
  /// reported as such rather than as a confusing lookup failure later.
  static std::vector<std::string> codes(const Node* list_node, const std::string& list_name) {
    std::vector<std::string> out;
    std::vector<std::size_t> item_of;  // list index of each code
    if (!list_node || !list_node->is_sequence()) return out;
    for (std::size_t i = 0; i < list_node->items.size(); ++i) {
      const Node& item = list_node->items[i];
      const Node* code = item.is_map() ? item.find("code") : nullptr;
      if (!code || !code->is_scalar()) continue;
      const auto first = std::find(out.begin(), out.end(), code->scalar);
      if (first != out.end())
        fail(*code, at(at(list_name, i), "code"),
             "duplicate code '" + code->scalar + "' (already used by " +
                 at(list_name, item_of[static_cast<std::size_t>(first - out.begin())]) + ")");
      out.push_back(code->scalar);
      item_of.push_back(i);
    }
    return out;
  }

  void record(const std::string& path, const Node& n) { spec_.sources[path] = n.where; }

  std::size_t lookup(const Node& n, const std::string& path, const std::vector<std::string>& codes,
                     const char* what) {
    record(path, n);
    if (!n.is_scalar()) fail(n, path, std::string("expected a ") + what + " code, got " + describe(n));
    for (std::size_t i = 0; i < codes.size(); ++i)
      if (codes[i] == n.scalar) return i;
    fail(n, path, "'" + n.scalar + "' is not a defined " + what + suggest(n.scalar, codes) +
                      "; defined: " + (codes.empty() ? std::string("none") : join(codes)));
  }
  StateId state(const Node& n, const std::string& path) {
    return make_id<StateId>(lookup(n, path, state_codes_, "state"));
  }
  SectorId sector(const Node& n, const std::string& path) {
    return make_id<SectorId>(lookup(n, path, sector_codes_, "sector"));
  }
  CurrencyId currency(const Node& n, const std::string& path) {
    return make_id<CurrencyId>(lookup(n, path, currency_codes_, "currency"));
  }

  void horizon(const Node& n) {
    Fields f(spec_, n, "horizon", {"start", "end"});
    if (const Node* s = f.get("start")) spec_.start = month(*s, f.path("start"));
    if (const Node* e = f.get("end")) spec_.end = month(*e, f.path("end"));
  }

  enum class Domain { positive_values, shares };

  model::Distribution distribution(const Node& n, const std::string& path, Domain domain) {
    using Kind = model::Distribution::Kind;
    model::Distribution d;
    const Range value_range = domain == Domain::shares ? share : positive;
    if (n.is_scalar()) {
      d.p1 = number(n, path, value_range);
      return d;
    }
    static const std::vector<std::string> kinds{"constant", "uniform", "lognormal", "pareto", "beta"};
    if (!n.is_map() || n.entries.size() != 1)
      fail(n, path,
           "expected a number or a one-key map such as {lognormal: {median: 1, sigma: 0.5}} "
           "(constant, uniform, lognormal, pareto or beta), got " +
               (n.is_map() ? "a map with " + std::to_string(n.entries.size()) + " keys" : describe(n)));
    const detail::Entry& e = n.entries.front();
    const std::string sub = at(path, e.key);
    const auto k = std::find(kinds.begin(), kinds.end(), e.key);
    if (k == kinds.end()) {
      const std::string hint = suggest(e.key, kinds);
      throw InputError(e.key_where, sub,
                       "unknown distribution '" + e.key + "'" + (hint.empty() ? "; expected one of " + join(kinds) : hint));
    }
    d.kind = static_cast<Kind>(k - kinds.begin());
    if (domain == Domain::shares && (d.kind == Kind::lognormal || d.kind == Kind::pareto))
      throw InputError(e.key_where, sub,
                       "this attribute is a share in [0, 1]; use constant, uniform or beta, not " + e.key);
    const auto pair = [&](const char* a, Range ra, const char* b, Range rb) {
      Fields f(spec_, e.value, sub, {a, b});
      d.p1 = number(f.need(a), f.path(a), ra);
      d.p2 = number(f.need(b), f.path(b), rb);
    };
    switch (d.kind) {
      case Kind::constant: {
        Fields f(spec_, e.value, sub, {"value"});
        d.p1 = number(f.need("value"), f.path("value"), value_range);
        break;
      }
      case Kind::uniform: {
        pair("low", value_range, "high", domain == Domain::shares ? share : positive);
        if (d.p2 < d.p1) fail(*e.value.find("high"), at(sub, "high"), "high (" + format(d.p2) + ") is below low (" + format(d.p1) + ")");
        break;
      }
      case Kind::lognormal: pair("median", positive, "sigma", non_negative); break;
      case Kind::pareto: pair("minimum", positive, "shape", positive); break;
      case Kind::beta: pair("alpha", positive, "beta", positive); break;
    }
    return d;
  }

  // ---------------------------------------------------------- lists

  void sectors(const Node& n) {
    const auto& items = list(n, "sectors", true, "");
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string path = at("sectors", i);
      Fields f(spec_, items[i], path,
               {"code", "name", "price_unit", "reference_price", "price", "elasticity", "criticality",
                "dual_use_fraction", "max_discount", "energy", "exchange_rate_pass_through",
                "supply_elasticity", "freight", "alternative_freight", "switching_cost",
                "spot_weight"});
      model::SectorSpec s;
      s.code = text(f.need("code"), f.path("code"));
      if (const Node* v = f.get("name")) s.name = text(*v, f.path("name"));
      if (const Node* v = f.get("price_unit")) s.price_unit = text(*v, f.path("price_unit"));
      if (const Node* v = f.get("reference_price")) s.reference_price = number(*v, f.path("reference_price"), positive);
      if (const Node* v = f.get("price"))
        s.price = price_path(*v, f.path("price"), "; omit price to hold the reference price");
      if (const Node* v = f.get("elasticity")) s.elasticity = number(*v, f.path("elasticity"), positive);
      if (const Node* v = f.get("criticality")) s.criticality = number(*v, f.path("criticality"), share);
      if (const Node* v = f.get("dual_use_fraction"))
        s.dual_use_fraction = number(*v, f.path("dual_use_fraction"), share);
      if (const Node* v = f.get("max_discount")) s.max_discount = number(*v, f.path("max_discount"), share_below_one);
      if (const Node* v = f.get("energy")) s.energy = boolean(*v, f.path("energy"));
      if (const Node* v = f.get("exchange_rate_pass_through"))
        s.exchange_rate_pass_through = number(*v, f.path("exchange_rate_pass_through"), share);
      if (const Node* v = f.get("supply_elasticity"))
        s.supply_elasticity = number(*v, f.path("supply_elasticity"), non_negative);
      if (const Node* v = f.get("freight")) s.freight = number(*v, f.path("freight"), non_negative);
      if (const Node* v = f.get("alternative_freight"))
        s.alternative_freight = number(*v, f.path("alternative_freight"), non_negative);
      if (const Node* v = f.get("switching_cost")) s.switching_cost = number(*v, f.path("switching_cost"), non_negative);
      if (const Node* v = f.get("spot_weight")) s.spot_weight = number(*v, f.path("spot_weight"), share_above_zero);
      spec_.sectors.push_back(std::move(s));
    }
  }

  model::PricePath price_path(const Node& n, const std::string& path, const std::string& omit_hint) {
    model::PricePath p;
    const auto& items = list(n, path, false, omit_hint);
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string sub = at(path, i);
      const Node& point = items[i];
      record(sub, point);
      if (!point.is_sequence() || point.items.size() != 2)
        fail(point, sub, "expected a [date, value] pair, got " +
                             (point.is_sequence() ? "a list of " + std::to_string(point.items.size()) : describe(point)));
      record(at(sub, 0), point.items[0]);
      record(at(sub, 1), point.items[1]);
      const Month m = month(point.items[0], at(sub, 0));
      const double v = number(point.items[1], at(sub, 1), positive);
      if (!p.points.empty() && !(p.points.back().month < m))
        fail(point.items[0], at(sub, 0),
             "dates must increase: " + m.str() + " follows " + p.points.back().month.str());
      p.points.push_back({m, v});
    }
    return p;
  }

  void currencies(const Node& n) {
    const auto& items = list(n, "currencies", true, "");
    for (std::size_t i = 0; i < items.size(); ++i) {
      Fields f(spec_, items[i], at("currencies", i), {"code", "issuer", "weight", "cost"});
      model::CurrencySpec c;
      c.code = text(f.need("code"), f.path("code"));
      if (const Node* v = f.get("issuer")) c.issuer = state(*v, f.path("issuer"));
      if (const Node* v = f.get("weight")) c.weight = number(*v, f.path("weight"), positive);
      if (const Node* v = f.get("cost")) c.cost = number(*v, f.path("cost"), share_below_one);
      spec_.currencies.push_back(std::move(c));
    }
  }

  /// Index of the sector a map entry's key names; an input error at the key
  /// if no sector has that code.
  std::size_t sector_key(const detail::Entry& e, const std::string& sub) const {
    const auto it = std::find(sector_codes_.begin(), sector_codes_.end(), e.key);
    if (it == sector_codes_.end())
      throw InputError(e.key_where, sub,
                       "'" + e.key + "' is not a defined sector" + suggest(e.key, sector_codes_) +
                           "; defined: " + join(sector_codes_));
    return static_cast<std::size_t>(it - sector_codes_.begin());
  }

  /// The state a map entry's key names; an input error at the key if no
  /// state has that code.
  StateId state_key(const detail::Entry& e, const std::string& sub) const {
    const auto it = std::find(state_codes_.begin(), state_codes_.end(), e.key);
    if (it == state_codes_.end())
      throw InputError(e.key_where, sub,
                       "'" + e.key + "' is not a defined state" + suggest(e.key, state_codes_) +
                           "; defined: " + join(state_codes_));
    return make_id<StateId>(static_cast<std::size_t>(it - state_codes_.begin()));
  }

  /// A designation round's map of state code to the number of its entities
  /// listed.
  std::vector<model::Listing> listings(const Node& n, const std::string& path) {
    if (!n.is_map())
      fail(n, path, "expected a map of state code to the number of its entities listed, such as {CHN: 20}, got " +
                        describe(n));
    std::vector<model::Listing> out;
    for (const detail::Entry& e : n.entries) {
      const std::string sub = at(path, e.key);
      record(sub, e.value);
      const StateId s = state_key(e, sub);
      out.push_back({s, static_cast<double>(whole(e.value, sub, 0, std::numeric_limits<std::uint32_t>::max()))});
    }
    return out;
  }

  /// A map of sector code to what `read(value, path)` makes of each value
  /// (`what` names it in the error); sectors not named get `T{}`.
  template <class T, class Read>
  std::vector<T> per_sector_map(const Node& n, const std::string& path, const std::string& what, Read read) {
    std::vector<T> out(sector_codes_.size());
    if (!n.is_map()) fail(n, path, "expected a map of sector code to " + what + ", got " + describe(n));
    for (const detail::Entry& e : n.entries) {
      const std::string sub = at(path, e.key);
      record(sub, e.value);
      const std::size_t k = sector_key(e, sub);  // the key's error before the value's
      out[k] = read(e.value, sub);
    }
    return out;
  }

  /// A map of sector code to a [[month, value], ...] path; sectors not named
  /// get an empty path.
  std::vector<model::PricePath> per_sector_paths(const Node& n, const std::string& path, const std::string& omit) {
    return per_sector_map<model::PricePath>(n, path, "a [[month, value], ...] path",
                                            [&](const Node& v, const std::string& sub) { return price_path(v, sub, omit); });
  }

  std::vector<double> per_sector(const Node& n, const std::string& path) {
    return per_sector_map<double>(n, path, "USD bn per year", [](const Node& v, const std::string& sub) {
      return number(v, sub, non_negative) * usd_per_bn;
    });
  }

  void states(const Node& n) {
    const auto& items = list(n, "states", true, "");
    for (std::size_t i = 0; i < items.size(); ++i) {
      Fields f(spec_, items[i], at("states", i),
               {"code", "name", "export_capacity", "import_absorption", "growth", "home_currency", "hub",
                "shadow_fleet", "aggregate", "residual_supplier", "import_path", "export_path", "import_price", "real_exchange_rate",
                "income_elasticity", "exchange_rate_revenue_elasticity", "import_capacity"});
      model::StateSpec s;
      s.code = text(f.need("code"), f.path("code"));
      if (const Node* v = f.get("name")) s.name = text(*v, f.path("name"));
      s.export_capacity.assign(sector_codes_.size(), 0.0);
      s.import_absorption.assign(sector_codes_.size(), 0.0);
      if (const Node* v = f.get("export_capacity")) s.export_capacity = per_sector(*v, f.path("export_capacity"));
      if (const Node* v = f.get("import_absorption")) s.import_absorption = per_sector(*v, f.path("import_absorption"));
      if (const Node* v = f.get("growth")) s.growth = number(*v, f.path("growth"), growth_rate);
      if (const Node* v = f.get("home_currency")) s.home_currency = currency(*v, f.path("home_currency"));
      if (const Node* v = f.get("hub")) {
        Fields h(spec_, *v, f.path("hub"),
                 {"markup", "detection_factor", "evasion", "capacity_growth", "capacity_ceiling"});
        model::HubSpec hub;
        if (const Node* x = h.get("markup")) hub.markup = number(*x, h.path("markup"), non_negative);
        if (const Node* x = h.get("detection_factor")) hub.detection_factor = number(*x, h.path("detection_factor"), share);
        if (const Node* x = h.get("evasion")) hub.evasion = number(*x, h.path("evasion"), share);
        if (const Node* x = h.get("capacity_growth"))
          hub.capacity_growth = number(*x, h.path("capacity_growth"), non_negative);
        if (const Node* x = h.get("capacity_ceiling"))
          hub.capacity_ceiling = number(*x, h.path("capacity_ceiling"), at_least_one);
        s.hub = hub;
      }
      if (const Node* v = f.get("shadow_fleet")) s.shadow_fleet = number(*v, f.path("shadow_fleet"), share);
      if (const Node* v = f.get("aggregate")) s.aggregate = boolean(*v, f.path("aggregate"));
      if (const Node* v = f.get("residual_supplier")) s.residual_supplier = boolean(*v, f.path("residual_supplier"));
      s.import_path.assign(sector_codes_.size(), {});
      if (const Node* v = f.get("import_path"))
        s.import_path = per_sector_paths(*v, f.path("import_path"), "; omit the sector for a multiplier of 1");
      s.export_path.assign(sector_codes_.size(), {});
      if (const Node* v = f.get("export_path"))
        s.export_path = per_sector_paths(*v, f.path("export_path"), "; omit the sector for a multiplier of 1");
      s.import_capacity.assign(sector_codes_.size(), std::nullopt);
      if (const Node* v = f.get("import_capacity"))
        s.import_capacity = per_sector_map<std::optional<double>>(
            *v, f.path("import_capacity"), "a multiple (>= 1) of its trend absorption",
            [](const Node& x, const std::string& sub) { return std::optional(number(x, sub, at_least_one)); });
      s.import_price.assign(sector_codes_.size(), {});
      if (const Node* v = f.get("import_price"))
        s.import_price = per_sector_paths(*v, f.path("import_price"), "; omit the sector to value imports at its world price");
      if (const Node* v = f.get("real_exchange_rate"))
        s.real_exchange_rate = price_path(*v, f.path("real_exchange_rate"), "; omit it for an index of 1 throughout");
      if (const Node* v = f.get("income_elasticity"))
        s.income_elasticity = number(*v, f.path("income_elasticity"), non_negative);
      if (const Node* v = f.get("exchange_rate_revenue_elasticity"))
        s.exchange_rate_revenue_elasticity = number(*v, f.path("exchange_rate_revenue_elasticity"), non_negative);
      spec_.states.push_back(std::move(s));
    }
  }

  void affinities(const Node& n) {
    const auto& items = list(n, "affinities", true, "");
    for (std::size_t i = 0; i < items.size(); ++i) {
      Fields f(spec_, items[i], at("affinities", i), {"importer", "exporter", "sector", "weight", "path"});
      model::AffinitySpec a;
      a.importer = state(f.need("importer"), f.path("importer"));
      a.exporter = state(f.need("exporter"), f.path("exporter"));
      if (const Node* v = f.get("sector")) a.sector = sector(*v, f.path("sector"));
      if (const Node* v = f.get("weight")) a.weight = number(*v, f.path("weight"), positive);
      if (const Node* v = f.get("path")) a.path = price_path(*v, f.path("path"), "; omit path for a constant weight");
      spec_.affinities.push_back(a);
    }
  }

  void trade_costs(const Node& n) {
    const auto& items = list(n, "trade_costs", true, "");
    for (std::size_t i = 0; i < items.size(); ++i) {
      Fields f(spec_, items[i], at("trade_costs", i), {"between", "cost"});
      model::TradeCostSpec t;
      const Node& between = f.need("between");
      if (!between.is_sequence() || between.items.size() != 2)
        fail(between, f.path("between"),
             "expected a pair of state codes such as [CHN, RUS], got " +
                 (between.is_sequence() ? "a list of " + std::to_string(between.items.size()) : describe(between)));
      t.a = state(between.items[0], at(f.path("between"), 0));
      t.b = state(between.items[1], at(f.path("between"), 1));
      if (const Node* v = f.get("cost")) t.cost = number(*v, f.path("cost"), non_negative);
      spec_.trade_costs.push_back(t);
    }
  }

  void freight(const Node& n) {
    const auto& items = list(n, "freight", true, "");
    for (std::size_t i = 0; i < items.size(); ++i) {
      Fields f(spec_, items[i], at("freight", i), {"from", "to", "sectors", "western", "alternative"});
      std::vector<StateId> from, to;
      for (const auto& [node, sub] : one_or_many(f.need("from"), f.path("from"))) from.push_back(state(*node, sub));
      for (const auto& [node, sub] : one_or_many(f.need("to"), f.path("to"))) to.push_back(state(*node, sub));
      model::FreightSpec r;
      if (const Node* v = f.get("sectors"))
        for (const auto& [node, sub] : one_or_many(*v, f.path("sectors"))) r.sectors.push_back(sector(*node, sub));
      r.western = number(f.need("western"), f.path("western"), non_negative);
      if (const Node* v = f.get("alternative")) r.alternative = number(*v, f.path("alternative"), non_negative);
      for (auto a : from)
        for (auto b : to) {
          r.from = a;
          r.to = b;
          spec_.freight.push_back(r);
        }
    }
  }

  void firms(const Node& n) {
    static const std::vector<std::string> roles{"exporter", "importer", "intermediary"};
    const auto& items = list(n, "firms", true, "");
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string path = at("firms", i);
      Fields f(spec_, items[i], path,
               {"state", "sector", "role", "count", "represents", "size", "exposure", "exposure_size_slope",
                "state_owned_share", "state_owned_exposure", "risk_tolerance", "capacity"});
      std::vector<StateId> st;
      for (const auto& [node, sub] : one_or_many(f.need("state"), f.path("state"))) st.push_back(state(*node, sub));
      std::vector<SectorId> se;
      for (const auto& [node, sub] : one_or_many(f.need("sector"), f.path("sector"))) se.push_back(sector(*node, sub));
      std::vector<model::Role> ro;
      for (const auto& [node, sub] : one_or_many(f.need("role"), f.path("role"))) {
        record(sub, *node);
        ro.push_back(static_cast<model::Role>(choice(*node, sub, roles)));
      }
      model::FirmPopulationSpec p;
      p.source_key = path;
      p.count = static_cast<std::uint32_t>(
          whole(f.need("count"), f.path("count"), 1, std::numeric_limits<std::uint32_t>::max()));
      if (const Node* v = f.get("represents"))
        p.represents = static_cast<double>(whole(*v, f.path("represents"), 1, std::numeric_limits<std::uint32_t>::max()));
      if (const Node* v = f.get("size")) p.size = distribution(*v, f.path("size"), Domain::positive_values);
      if (const Node* v = f.get("exposure")) p.exposure = distribution(*v, f.path("exposure"), Domain::shares);
      if (const Node* v = f.get("exposure_size_slope"))
        p.exposure_size_slope = number(*v, f.path("exposure_size_slope"), any_number);
      if (const Node* v = f.get("state_owned_share"))
        p.state_owned_share = number(*v, f.path("state_owned_share"), share);
      if (const Node* v = f.get("state_owned_exposure"))
        p.state_owned_exposure = number(*v, f.path("state_owned_exposure"), share);
      if (const Node* v = f.get("risk_tolerance"))
        p.risk_tolerance = distribution(*v, f.path("risk_tolerance"), Domain::positive_values);
      const bool intermediaries = std::count(ro.begin(), ro.end(), model::Role::intermediary) > 0;
      double capacity = 0.0;
      if (intermediaries)
        capacity = number(f.need("capacity", " (an intermediary's re-export capacity, USD bn per year)"),
                          f.path("capacity"), positive) *
                   usd_per_bn;
      else if (f.get("capacity"))
        throw InputError(f.key_where("capacity"), f.path("capacity"),
                         "capacity applies only to intermediaries (their re-export capacity)");
      for (StateId s : st)
        for (SectorId k : se)
          for (model::Role r : ro) {
            p.state = s;
            p.sector = k;
            p.role = r;
            p.capacity = r == model::Role::intermediary ? capacity : 0.0;
            spec_.firms.push_back(p);
          }
    }
  }

  void banks(const Node& n) {
    const auto& items = list(n, "banks", true, "");
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string path = at("banks", i);
      Fields f(spec_, items[i], path,
               {"name", "state", "count", "represents", "size", "exposure", "exposure_size_slope", "risk_tolerance"});
      model::BankPopulationSpec b;
      b.source_key = path;
      b.name = text(f.need("name"), f.path("name"));
      std::vector<StateId> st;
      for (const auto& [node, sub] : one_or_many(f.need("state"), f.path("state"))) st.push_back(state(*node, sub));
      b.count = static_cast<std::uint32_t>(
          whole(f.need("count"), f.path("count"), 1, std::numeric_limits<std::uint32_t>::max()));
      if (const Node* v = f.get("represents"))
        b.represents = static_cast<double>(whole(*v, f.path("represents"), 1, std::numeric_limits<std::uint32_t>::max()));
      if (const Node* v = f.get("size")) b.size = distribution(*v, f.path("size"), Domain::positive_values);
      if (const Node* v = f.get("exposure")) b.exposure = distribution(*v, f.path("exposure"), Domain::shares);
      if (const Node* v = f.get("exposure_size_slope"))
        b.exposure_size_slope = number(*v, f.path("exposure_size_slope"), any_number);
      if (const Node* v = f.get("risk_tolerance"))
        b.risk_tolerance = distribution(*v, f.path("risk_tolerance"), Domain::positive_values);
      for (StateId s : st) {
        b.state = s;
        spec_.banks.push_back(b);
      }
    }
  }

  /// The kind table entry an event names, or null when it names none or an
  /// unknown one (reading `kind` then reports that).
  static const model::PolicyKindInfo* named_kind(const Node& item) {
    const Node* k = item.is_map() ? item.find("kind") : nullptr;
    if (!k || !k->is_scalar()) return nullptr;
    const auto kind = model::policy_kind_named(k->scalar);
    return kind ? &model::kind_info(*kind) : nullptr;
  }

  /// The keys an event of a kind takes, or of any kind when it is not known.
  static std::vector<std::string> event_keys(const model::PolicyKindInfo* kind) {
    std::vector<std::string> keys;
    const auto add = [&](std::span<const model::EventKey> more) {
      for (const model::EventKey& k : more)
        if (std::find(keys.begin(), keys.end(), k.name) == keys.end()) keys.emplace_back(k.name);
    };
    add(model::common_event_keys);
    if (kind) add(kind->keys);
    else
      for (const model::PolicyKindInfo& k : model::policy_kinds()) add(k.keys);
    return keys;
  }

  /// A key that another kind takes is an error naming the kinds it applies
  /// to; a key no kind takes is left to Fields, which lists this kind's keys.
  static void check_keys_apply(const Node& item, const std::string& path, const model::PolicyKindInfo& kind) {
    for (const detail::Entry& e : item.entries) {
      if (model::find_key(kind, e.key)) continue;
      std::vector<std::string> kinds;
      for (const model::PolicyKindInfo& other : model::policy_kinds())
        if (model::find_key(other, e.key)) kinds.emplace_back(other.name);
      if (kinds.empty()) return;
      throw InputError(e.key_where, at(path, e.key),
                       e.key + " does not apply to a " + kind.name + " event; it applies to " + join(kinds));
    }
  }

  void events(const Node& n) {
    static const std::vector<std::string> scopes{"firms", "banks", "both"};
    std::vector<std::string> kinds;
    for (const model::PolicyKindInfo& k : model::policy_kinds()) kinds.emplace_back(k.name);
    std::map<std::string, SourceLocation> ids;
    const auto& items = list(n, "events", true, "");
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string path = at("events", i);
      const model::PolicyKindInfo* named = named_kind(items[i]);
      if (named) check_keys_apply(items[i], path, *named);
      Fields f(spec_, items[i], path, event_keys(named));
      model::PolicyEvent e;
      if (const Node* v = f.get("id")) {
        const std::string id = text(*v, f.path("id"));
        const auto [it, fresh] = ids.emplace(id, v->where);
        if (!fresh) fail(*v, f.path("id"), "duplicate event id '" + id + "' (first used at " + it->second.str() + ")");
      }
      e.kind = static_cast<model::PolicyKind>(choice(f.need("kind"), f.path("kind"), kinds));
      const model::PolicyKindInfo& kind = model::kind_info(e.kind);
      // The value of a key, null when absent; absent required keys are
      // errors. Keys the kind does not take never get here (Fields).
      const auto value = [&](std::string_view name) -> const Node* {
        const model::EventKey* key = model::find_key(kind, name);
        if (!key || !key->required) return f.get(std::string(name));
        return &f.need(std::string(name), key->why.empty() ? "" : " (" + std::string(key->why) + ")");
      };
      if (const Node* v = value("start")) e.start = date(*v, f.path("start"));
      if (const Node* v = value("end")) e.end = date(*v, f.path("end"));
      if (const Node* v = value("by")) e.by = state(*v, f.path("by"));
      if (const Node* v = value("target")) e.target = state(*v, f.path("target"));
      if (const Node* v = value("sectors")) {
        const auto& codes = list(*v, f.path("sectors"), false, "; omit sectors to apply the event to all sectors");
        for (std::size_t k = 0; k < codes.size(); ++k) e.sectors.push_back(sector(codes[k], at(f.path("sectors"), k)));
      }
      if (const Node* v = value("intensity")) e.intensity = number(*v, f.path("intensity"), share);
      if (const Node* v = value("dual_use_only")) e.dual_use_only = boolean(*v, f.path("dual_use_only"));
      if (const Node* v = value("cap")) e.cap = number(*v, f.path("cap"), positive);
      if (const Node* v = value("currencies")) {
        // An empty list is allowed: no currency is blocked, by's banks alone refuse.
        const auto& codes = list(*v, f.path("currencies"), true, "");
        e.currencies_given = true;
        for (std::size_t k = 0; k < codes.size(); ++k)
          e.currencies.push_back(currency(codes[k], at(f.path("currencies"), k)));
      }
      if (const Node* v = value("scope"))
        e.scope = static_cast<model::SanctionScope>(choice(*v, f.path("scope"), scopes));
      if (const Node* v = value("listed")) e.listed = listings(*v, f.path("listed"));
      if (const Node* v = value("banks")) e.banks = text(*v, f.path("banks"));
      if (const Node* v = value("label")) e.label = text(*v, f.path("label"));
      spec_.events.push_back(std::move(e));
    }
  }

  template <class Group>
  struct Param {
    const char* name;
    double Group::*member;
    Range range;
  };
  template <class Group>
  struct Flag {
    const char* name;
    bool Group::*member;
  };

  template <class Group>
  void group(const Node& n, const std::string& path, Group& g, std::initializer_list<Param<Group>> params,
             std::initializer_list<Flag<Group>> flags = {}) {
    std::vector<std::string> names;
    for (const auto& p : params) names.emplace_back(p.name);
    for (const auto& p : flags) names.emplace_back(p.name);
    Fields f(spec_, n, path, names);
    for (const auto& p : params)
      if (const Node* v = f.get(p.name)) g.*p.member = number(*v, f.path(p.name), p.range);
    for (const auto& p : flags)
      if (const Node* v = f.get(p.name)) g.*p.member = boolean(*v, f.path(p.name));
  }

  void parameters(const Node& n) {
    using model::AdaptiveParams;
    using model::BargainParams;
    using model::OrderParams;
    using model::PaymentParams;
    using model::RiskParams;
    Fields f(spec_, n, "parameters", {"risk", "orders", "bargaining", "payments", "adaptive"});
    model::ModelParams& m = spec_.params;
    if (const Node* v = f.get("risk"))
      group<RiskParams>(*v, f.path("risk"), m.risk,
                        {{"detection_base", &RiskParams::detection_base, share},
                         {"detection_size_elasticity", &RiskParams::detection_size_elasticity, any_number},
                         {"penalty_multiple", &RiskParams::penalty_multiple, non_negative},
                         {"margin", &RiskParams::margin, positive},
                         {"learning_rate", &RiskParams::learning_rate, share},
                         {"social_weight", &RiskParams::social_weight, share},
                         {"initial_belief", &RiskParams::initial_belief, non_negative},
                         {"belief_decay", &RiskParams::belief_decay, share},
                         {"peer_signal", &RiskParams::peer_signal, non_negative},
                         {"review_share", &RiskParams::review_share, share_above_zero},
                         {"tolerance_scale", &RiskParams::tolerance_scale, positive}});
    if (const Node* v = f.get("orders"))
      group<OrderParams>(*v, f.path("orders"), m.orders,
                         {{"reoptimise_share", &OrderParams::reoptimise_share, share_above_zero},
                          {"switching_cost", &OrderParams::switching_cost, non_negative},
                          {"formation_lag", &OrderParams::formation_lag, months_lag},
                          {"established_share", &OrderParams::established_share, share},
                          {"default_trade_cost", &OrderParams::default_trade_cost, non_negative},
                          {"price_elasticity", &OrderParams::price_elasticity, non_negative},
                          {"income_elasticity", &OrderParams::income_elasticity, non_negative},
                          {"income_smoothing", &OrderParams::income_smoothing, share_above_zero},
                          {"exchange_rate_elasticity", &OrderParams::exchange_rate_elasticity, non_negative}});
    if (const Node* v = f.get("bargaining"))
      group<BargainParams>(*v, f.path("bargaining"), m.bargaining,
                           {{"exporter_outside_base", &BargainParams::exporter_outside_base, positive},
                            {"shadow_fleet_weight", &BargainParams::shadow_fleet_weight, non_negative},
                            {"adjustment", &BargainParams::adjustment, share_above_zero},
                            {"arbitrage", &BargainParams::arbitrage, share},
                            {"cost_pass_through", &BargainParams::cost_pass_through, share}});
    if (const Node* v = f.get("payments"))
      group<PaymentParams>(*v, f.path("payments"), m.payments,
                           {{"clear_rate", &PaymentParams::clear_rate, share_above_zero},
                            {"fail_rate", &PaymentParams::fail_rate, share},
                            {"currency_inertia", &PaymentParams::currency_inertia, share_below_one},
                            {"cost_sensitivity", &PaymentParams::cost_sensitivity, non_negative},
                            {"blocked_cost", &PaymentParams::blocked_cost, non_negative},
                            {"willing_bank_capacity", &PaymentParams::willing_bank_capacity, at_least_one},
                            {"agent_fee", &PaymentParams::agent_fee, non_negative},
                            {"agent_fee_max", &PaymentParams::agent_fee_max, non_negative},
                            {"netting_fee", &PaymentParams::netting_fee, non_negative},
                            {"netting_share", &PaymentParams::netting_share, share},
                            {"alternative_lag", &PaymentParams::alternative_lag, at_least_one}});
    if (const Node* v = f.get("adaptive"))
      group<AdaptiveParams>(*v, f.path("adaptive"), m.adaptive,
                            {{"leakage_threshold", &AdaptiveParams::leakage_threshold, share},
                             {"escalation_rate", &AdaptiveParams::escalation_rate, share},
                             {"escalation_decay", &AdaptiveParams::escalation_decay, share},
                             {"investment_threshold", &AdaptiveParams::investment_threshold, share_below_one},
                             {"investment_rate", &AdaptiveParams::investment_rate, non_negative},
                             {"fleet_depreciation", &AdaptiveParams::fleet_depreciation, share}},
                            {{"escalation", &AdaptiveParams::escalation},
                             {"shadow_fleet_investment", &AdaptiveParams::shadow_fleet_investment}});
  }

  void output(const Node& n) {
    Fields f(spec_, n, "output", {"snapshots"});
    if (const Node* v = f.get("snapshots")) {
      const auto& items = list(*v, f.path("snapshots"), true, "");
      for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string sub = at(f.path("snapshots"), i);
        record(sub, items[i]);
        const Month m = month(items[i], sub);
        if (!spec_.snapshots.empty() && !(spec_.snapshots.back() < m))
          fail(items[i], sub, "snapshot months must increase: " + m.str() + " follows " + spec_.snapshots.back().str());
        spec_.snapshots.push_back(m);
      }
    }
  }

  model::ScenarioSpec& spec_;
  std::vector<std::string> sector_codes_;
  std::vector<std::string> state_codes_;
  std::vector<std::string> currency_codes_;
};

model::ScenarioSpec build(Node tree, const std::string& file, const std::vector<Override>& overrides) {
  for (const Override& o : overrides) detail::apply(tree, o);
  model::ScenarioSpec spec;
  spec.file = file;
  Converter(spec).run(tree);
  spec.resolved_yaml = detail::emit(tree);
  model::validate(spec);
  return spec;
}

}  // namespace

Override parse_override(const std::string& argument) {
  const SourceLocation where{"--set " + argument, 0, 0};
  const auto eq = argument.find('=');
  if (eq == std::string::npos)
    throw InputError(where, "", "expected key.path=value, e.g. --set parameters.risk.margin=0.2");
  if (eq == 0) throw InputError(where, "", "the key path before '=' is empty; expected key.path=value");
  return Override{argument.substr(0, eq), argument.substr(eq + 1)};
}

model::ScenarioSpec load_file(const std::string& path, const std::vector<Override>& overrides) {
  return build(detail::load_chain(path, nullptr), path, overrides);
}

model::ScenarioSpec load_text(std::string_view yaml, const std::string& file_name,
                              const std::vector<Override>& overrides) {
  const std::string text(yaml);
  return build(detail::load_chain(file_name, &text), file_name, overrides);
}

}  // namespace geosim::scenario
