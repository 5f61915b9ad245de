#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cmath>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "geosim/core/error.hpp"
#include "geosim/model/policy_kinds.hpp"
#include "geosim/model/spec.hpp"
#include "geosim/scenario/load.hpp"
#include "geosim/scenario/yaml_tree.hpp"

using namespace geosim;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;
using scenario::load_file;
using scenario::load_text;
using scenario::Override;

namespace {

const std::string baseline_path = GEOSIM_SOURCE_DIR "/scenarios/baseline.yaml";
const std::string data_dir = GEOSIM_SOURCE_DIR "/tests/data/";
const std::string mini_path = data_dir + "mini.yaml";

std::string read(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// tests/data/mini.yaml with the first occurrence of `from` replaced by `to`.
std::string mini(const std::string& from = "", const std::string& to = "") {
  std::string text = read(data_dir + "mini.yaml");
  if (from.empty()) return text;
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

/// The message of the InputError that loading `yaml` throws.
std::string error_of(const std::string& yaml, const std::vector<Override>& overrides = {}) {
  try {
    load_text(yaml, "mini.yaml", overrides);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string file_error_of(const std::string& path) {
  try {
    load_file(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

const model::PolicyEvent& event(const model::ScenarioSpec& spec, std::size_t i) {
  REQUIRE(i < spec.events.size());
  return spec.events[i];
}

bool same(const model::Distribution& a, const model::Distribution& b) {
  return a.kind == b.kind && a.p1 == b.p1 && a.p2 == b.p2;
}

/// Compares every value of two specs (not sources, file or resolved_yaml).
void check_same_values(const model::ScenarioSpec& a, const model::ScenarioSpec& b) {
  CHECK(a.name == b.name);
  CHECK(a.description == b.description);
  CHECK(a.start == b.start);
  CHECK(a.end == b.end);
  CHECK(a.seed == b.seed);
  REQUIRE(a.sectors.size() == b.sectors.size());
  for (std::size_t i = 0; i < a.sectors.size(); ++i) {
    const auto &x = a.sectors[i], &y = b.sectors[i];
    CHECK(x.code == y.code);
    CHECK(x.name == y.name);
    CHECK(x.price_unit == y.price_unit);
    CHECK(x.reference_price == y.reference_price);
    REQUIRE(x.price.points.size() == y.price.points.size());
    for (std::size_t k = 0; k < x.price.points.size(); ++k) {
      CHECK(x.price.points[k].month == y.price.points[k].month);
      CHECK(x.price.points[k].value == y.price.points[k].value);
    }
    CHECK(x.elasticity == y.elasticity);
    CHECK(x.criticality == y.criticality);
    CHECK(x.dual_use_fraction == y.dual_use_fraction);
    CHECK(x.max_discount == y.max_discount);
    CHECK(x.energy == y.energy);
  }
  REQUIRE(a.currencies.size() == b.currencies.size());
  for (std::size_t i = 0; i < a.currencies.size(); ++i) {
    CHECK(a.currencies[i].code == b.currencies[i].code);
    CHECK(a.currencies[i].issuer == b.currencies[i].issuer);
    CHECK(a.currencies[i].weight == b.currencies[i].weight);
    CHECK(a.currencies[i].cost == b.currencies[i].cost);
  }
  REQUIRE(a.states.size() == b.states.size());
  for (std::size_t i = 0; i < a.states.size(); ++i) {
    const auto &x = a.states[i], &y = b.states[i];
    CHECK(x.code == y.code);
    CHECK(x.name == y.name);
    CHECK(x.export_capacity == y.export_capacity);
    CHECK(x.import_absorption == y.import_absorption);
    CHECK(x.growth == y.growth);
    CHECK(x.home_currency == y.home_currency);
    REQUIRE(x.hub.has_value() == y.hub.has_value());
    if (x.hub) {
      CHECK(x.hub->markup == y.hub->markup);
      CHECK(x.hub->detection_factor == y.hub->detection_factor);
      CHECK(x.hub->evasion == y.hub->evasion);
    }
    CHECK(x.shadow_fleet == y.shadow_fleet);
  }
  REQUIRE(a.affinities.size() == b.affinities.size());
  for (std::size_t i = 0; i < a.affinities.size(); ++i) {
    CHECK(a.affinities[i].importer == b.affinities[i].importer);
    CHECK(a.affinities[i].exporter == b.affinities[i].exporter);
    CHECK(a.affinities[i].sector == b.affinities[i].sector);
    CHECK(a.affinities[i].weight == b.affinities[i].weight);
  }
  REQUIRE(a.trade_costs.size() == b.trade_costs.size());
  for (std::size_t i = 0; i < a.trade_costs.size(); ++i) {
    CHECK(a.trade_costs[i].a == b.trade_costs[i].a);
    CHECK(a.trade_costs[i].b == b.trade_costs[i].b);
    CHECK(a.trade_costs[i].cost == b.trade_costs[i].cost);
  }
  REQUIRE(a.firms.size() == b.firms.size());
  for (std::size_t i = 0; i < a.firms.size(); ++i) {
    const auto &x = a.firms[i], &y = b.firms[i];
    CHECK(x.state == y.state);
    CHECK(x.sector == y.sector);
    CHECK(x.role == y.role);
    CHECK(x.count == y.count);
    CHECK(same(x.size, y.size));
    CHECK(same(x.exposure, y.exposure));
    CHECK(x.exposure_size_slope == y.exposure_size_slope);
    CHECK(x.state_owned_share == y.state_owned_share);
    CHECK(x.state_owned_exposure == y.state_owned_exposure);
    CHECK(same(x.risk_tolerance, y.risk_tolerance));
    CHECK(x.capacity == y.capacity);
    CHECK(x.source_key == y.source_key);
  }
  REQUIRE(a.banks.size() == b.banks.size());
  for (std::size_t i = 0; i < a.banks.size(); ++i) {
    const auto &x = a.banks[i], &y = b.banks[i];
    CHECK(x.name == y.name);
    CHECK(x.state == y.state);
    CHECK(x.count == y.count);
    CHECK(same(x.size, y.size));
    CHECK(same(x.exposure, y.exposure));
    CHECK(x.exposure_size_slope == y.exposure_size_slope);
    CHECK(same(x.risk_tolerance, y.risk_tolerance));
  }
  REQUIRE(a.events.size() == b.events.size());
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    const auto &x = a.events[i], &y = b.events[i];
    CHECK(x.kind == y.kind);
    CHECK(x.start.str() == y.start.str());
    CHECK(x.end.has_value() == y.end.has_value());
    if (x.end && y.end) CHECK(x.end->str() == y.end->str());
    CHECK(x.by == y.by);
    CHECK(x.target == y.target);
    CHECK(x.sectors == y.sectors);
    CHECK(x.intensity == y.intensity);
    CHECK(x.dual_use_only == y.dual_use_only);
    CHECK(x.cap == y.cap);
    CHECK(x.currencies == y.currencies);
    CHECK(x.scope == y.scope);
    CHECK(x.banks == y.banks);
    CHECK(x.label == y.label);
  }
  CHECK(a.params.risk.margin == b.params.risk.margin);
  CHECK(a.params.risk.detection_base == b.params.risk.detection_base);
  CHECK(a.params.risk.learning_rate == b.params.risk.learning_rate);
  CHECK(a.params.orders.reoptimise_share == b.params.orders.reoptimise_share);
  CHECK(a.params.orders.switching_cost == b.params.orders.switching_cost);
  CHECK(a.params.payments.clear_rate == b.params.payments.clear_rate);
  CHECK(a.params.adaptive.escalation == b.params.adaptive.escalation);
  CHECK(a.snapshots == b.snapshots);
}

}  // namespace

// ------------------------------------------------------------------ baseline

TEST_CASE("the baseline has eleven states, four of them hubs, five sectors and four currencies", "[scenario]") {
  const auto spec = load_file(baseline_path);
  CHECK(spec.name == "baseline");
  CHECK(spec.states.size() == 11);
  std::vector<std::string> hubs;
  for (const auto& s : spec.states)
    if (s.hub) hubs.push_back(s.code);
  CHECK(hubs == std::vector<std::string>{"TUR", "HKG", "ARE", "KAZ"});
  CHECK(spec.sectors.size() == 5);
  CHECK(spec.currencies.size() == 4);
  CHECK(spec.start == Month::from(2013, 1));
  CHECK(spec.end == Month::from(2030, 12));
  CHECK(spec.steps() == 216);
  CHECK(spec.seed == 20130101);
  CHECK(spec.file == baseline_path);
}

TEST_CASE("capacities in the file are USD bn per year and USD per year in the spec", "[scenario]") {
  const auto spec = load_file(baseline_path);
  const auto rus = model::find_state(spec, "RUS");
  const auto crude = model::find_sector(spec, "crude");
  REQUIRE(rus);
  REQUIRE(crude);
  CHECK(spec.states[index(*rus)].export_capacity[index(*crude)] == Approx(175e9));
  CHECK(spec.states[index(*rus)].import_absorption[index(*crude)] == 0.0);
  const auto& intermediaries = spec.firms.back();
  CHECK(intermediaries.role == model::Role::intermediary);
  CHECK(intermediaries.capacity == Approx(10e9));  // ARE's and KAZ's
}

TEST_CASE("sectors missing from a capacity map have zero capacity", "[scenario]") {
  const auto spec = load_text(mini(), "mini.yaml");
  const auto oil = model::find_sector(spec, "oil");
  REQUIRE(oil);
  CHECK(spec.states[0].export_capacity[index(*oil)] == 0.0);
  CHECK(spec.states[0].export_capacity.size() == 2);
  CHECK(spec.states[2].import_absorption == std::vector<double>{0.0, 0.0});
}

TEST_CASE("firm entries with lists expand into one population per state, sector and role", "[scenario]") {
  const auto spec = load_file(baseline_path);
  // 2 + 3 + 2 + 3 + 2 + 3 + 5 + 2*5*2 + 4*5*2 + 2 + 3*5*2 + 2 + 2*2 populations.
  CHECK(spec.firms.size() == 118);
  std::size_t from_entry_7 = 0;
  for (const auto& f : spec.firms)
    if (f.source_key == "firms[7]") {
      ++from_entry_7;
      CHECK(f.count == 1500);  // count is per expanded population
      CHECK(f.state_owned_share == 0.1);
    }
  CHECK(from_entry_7 == 20);
  const auto& first = spec.firms[0];
  CHECK(spec.states[index(first.state)].code == "CHN");
  CHECK(spec.sectors[index(first.sector)].code == "machinery_electronics");
  CHECK(first.role == model::Role::exporter);
  CHECK(spec.banks.size() == 9);
}

TEST_CASE("the baseline's dated events keep their day and kind", "[scenario]") {
  const auto spec = load_file(baseline_path);
  REQUIRE(spec.events.size() == 31);
  const auto& embargo = event(spec, 22);
  CHECK(embargo.kind == model::PolicyKind::import_ban);
  CHECK(embargo.start.str() == "2022-12-05");
  CHECK(embargo.start.as_month() == Month::from(2022, 12));
  CHECK_FALSE(embargo.end.has_value());
  CHECK(embargo.intensity == 0.9);
  const auto& cap = event(spec, 23);
  CHECK(cap.kind == model::PolicyKind::price_cap);
  CHECK(cap.cap == 60.0);
  CHECK(event(spec, 0).start.str() == "2014-03-01");
  CHECK(event(spec, 0).dual_use_only);
  CHECK(event(spec, 26).scope == model::SanctionScope::banks);
  CHECK(event(spec, 19).label == "buyers step back");
  CHECK(event(spec, 20).kind == model::PolicyKind::risk_premium);
  CHECK(event(spec, 20).sectors == std::vector{*model::find_sector(spec, "crude")});
  CHECK(event(spec, 15).currencies == std::vector{*model::find_currency(spec, "USD")});
  CHECK(event(spec, 15).currencies_given);
  // The coalition's financial sanctions name no currency: its banks alone refuse.
  CHECK(event(spec, 17).kind == model::PolicyKind::financial_sanctions);
  CHECK(event(spec, 17).currencies.empty());
  CHECK(event(spec, 17).currencies_given);
}

TEST_CASE("parameters not in the file keep the defaults of the spec", "[scenario]") {
  const auto spec = load_file(baseline_path);
  CHECK(spec.params.risk.margin == 0.1);
  CHECK(spec.params.orders.reoptimise_share == 0.15);
  CHECK(spec.params.risk.penalty_multiple == model::RiskParams{}.penalty_multiple);
  CHECK(spec.params.payments.currency_inertia == model::PaymentParams{}.currency_inertia);
  CHECK(spec.params.adaptive.escalation == model::AdaptiveParams{}.escalation);
}

TEST_CASE("distributions are read from a number or a one-key map", "[scenario]") {
  const auto spec = load_file(baseline_path);
  CHECK(spec.banks[0].size.kind == model::Distribution::Kind::lognormal);
  CHECK(spec.banks[0].size.p1 == 50.0);
  CHECK(spec.banks[0].size.p2 == 0.5);
  CHECK(spec.banks[0].exposure.kind == model::Distribution::Kind::beta);
  const auto small = load_text(mini(), "mini.yaml");
  CHECK(small.firms[0].size.kind == model::Distribution::Kind::constant);
  CHECK(small.firms[0].size.p1 == 2.0);
  CHECK(same(small.firms[1].size, model::FirmPopulationSpec{}.size));
}

TEST_CASE("sources record the file position of every key read", "[scenario]") {
  const auto spec = load_file(mini_path);
  // mini.yaml: the 'ban' event's intensity and AAA's chips capacity.
  const SourceLocation intensity = spec.sources.at("events[0].intensity");
  CHECK(intensity.file == mini_path);
  CHECK(intensity.line == 33);
  CHECK(intensity.column == 104);
  CHECK(spec.sources.at("states[0].export_capacity.chips").line == 17);
  CHECK(spec.sources.count("firms[3].role") == 1);
  // where() walks up to the nearest recorded parent, then to the file.
  CHECK(spec.where("states[0].export_capacity.chips.nothing").line == 17);
  CHECK(spec.where("no_such_key").str() == mini_path);
}

// ------------------------------------------------------------------ base

TEST_CASE("a derived scenario merges list items by code and id onto its base", "[scenario]") {
  const auto spec = load_file(data_dir + "derived.yaml");
  CHECK(spec.name == "derived");
  REQUIRE(spec.states.size() == 4);
  CHECK(spec.states[3].code == "CCC");
  CHECK(spec.states[3].name == "Newcomer");
  const auto& bbb = spec.states[1];
  CHECK(bbb.code == "BBB");
  CHECK(bbb.export_capacity[0] == Approx(40e9));   // changed
  CHECK(bbb.import_absorption[1] == Approx(5e9));  // kept from the base
  CHECK(bbb.home_currency.has_value());
  CHECK(spec.params.risk.margin == 0.15);        // base
  CHECK(spec.params.risk.learning_rate == 0.4);  // derived
  CHECK(spec.seed == 7);
}

TEST_CASE("a derived event with remove: true deletes the base event and new ids are appended", "[scenario]") {
  const auto spec = load_file(data_dir + "derived.yaml");
  REQUIRE(spec.events.size() == 3);
  CHECK(spec.events[0].kind == model::PolicyKind::export_control);
  CHECK(spec.events[0].intensity == 0.9);
  CHECK(spec.events[0].start.str() == "2021-03-01");
  CHECK(spec.events[1].kind == model::PolicyKind::bank_withdrawal);
  CHECK(spec.events[2].kind == model::PolicyKind::import_ban);
  CHECK(spec.events[2].start.str() == "2022-02-01");
}

TEST_CASE("remove and schema_version take the spellings of every other boolean and whole number", "[scenario]") {
  std::string derived = read(data_dir + "derived.yaml");
  derived.replace(derived.find("base: mini.yaml"), 15, "base: " + mini_path);  // load_text resolves from the cwd
  const auto with = [&](const std::string& from, const std::string& to) {
    std::string text = derived;
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return load_text(text.replace(at, from.size(), to), data_dir + "derived.yaml");
  };
  CHECK(with("{id: cap, remove: true}", "{id: cap, remove: True}").events.size() == 3);
  CHECK(with("schema_version: 1", "schema_version: +1").events.size() == 3);
  try {
    with("{id: cap, remove: true}", "{id: cap, remove: yes}");
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.detail() == "expected true, got 'yes'");
  }
}

TEST_CASE("a base may itself have a base", "[scenario]") {
  const auto spec = load_file(data_dir + "grandchild.yaml");
  CHECK(spec.name == "grandchild");
  CHECK(spec.events.size() == 2);
  CHECK(spec.states.size() == 4);
  CHECK(spec.events[0].intensity == 0.9);
}

TEST_CASE("merged values keep the file and line they came from", "[scenario]") {
  const auto spec = load_file(data_dir + "derived.yaml");
  const auto intensity = spec.sources.at("events[0].intensity");
  CHECK_THAT(intensity.file, Contains("derived.yaml"));
  CHECK(intensity.line == 12);
  const auto start = spec.sources.at("events[0].start");
  CHECK_THAT(start.file, Contains("mini.yaml"));
  CHECK(start.line == 33);
}

TEST_CASE("an error in a value inherited from the base points into the base file", "[scenario]") {
  const std::string message = file_error_of(data_dir + "short_horizon.yaml");
  CHECK_THAT(message, Contains("mini.yaml:33:"));
  CHECK_THAT(message, Contains("events[0].start: 2021-03-01 is after the end of the horizon (2021-02)"));
}

TEST_CASE("a base cycle is an error naming the chain", "[scenario]") {
  const std::string message = file_error_of(data_dir + "cycle_a.yaml");
  CHECK_THAT(message, Contains("cycle_b.yaml:3:7: base: base scenario cycle: "));
  CHECK_THAT(message, Contains("cycle_a.yaml -> "));
  CHECK_THAT(message, Contains("cycle_b.yaml -> "));
}

TEST_CASE("a missing base file is an error at the base key naming the path and the reason", "[scenario]") {
  const std::string message = file_error_of(data_dir + "missing_base.yaml");
  CHECK_THAT(message, Contains("missing_base.yaml:3:7: base: cannot read scenario file '"));
  CHECK_THAT(message, Contains("no_such_base.yaml': No such file or directory"));
}

TEST_CASE("the resolved YAML of a derived scenario has no base key", "[scenario]") {
  const auto spec = load_file(data_dir + "derived.yaml");
  CHECK_THAT(spec.resolved_yaml, !Contains("base:"));
  CHECK_THAT(spec.resolved_yaml, !Contains("remove"));
  CHECK_THAT(spec.resolved_yaml, Contains("name: derived"));
}

// ------------------------------------------------------------------ resolved YAML

TEST_CASE("loading the resolved YAML of the baseline gives the same spec", "[scenario]") {
  const auto spec = load_file(baseline_path);
  const auto again = load_text(spec.resolved_yaml, "resolved.yaml");
  check_same_values(spec, again);
  CHECK(again.resolved_yaml == spec.resolved_yaml);
}

TEST_CASE("loading the resolved YAML of a derived scenario with overrides gives the same spec", "[scenario]") {
  const auto spec = load_file(data_dir + "derived.yaml",
                              {{"events[ban].intensity", "0.3"}, {"parameters.adaptive.escalation", "false"}});
  const auto again = load_text(spec.resolved_yaml, "resolved.yaml");
  check_same_values(spec, again);
  CHECK(again.events[0].intensity == 0.3);
  CHECK_FALSE(again.params.adaptive.escalation);
}

// ------------------------------------------------------------------ overrides

TEST_CASE("parse_override splits at the first equals sign", "[scenario]") {
  const Override o = scenario::parse_override("states[RUS].name=a=b");
  CHECK(o.key_path == "states[RUS].name");
  CHECK(o.value == "a=b");
}

TEST_CASE("parse_override rejects an argument without '=' or without a key", "[scenario]") {
  CHECK_THROWS_WITH(scenario::parse_override("parameters.risk.margin"),
                    "--set parameters.risk.margin: expected key.path=value, e.g. --set parameters.risk.margin=0.2");
  CHECK_THROWS_WITH(scenario::parse_override("=0.2"),
                    "--set =0.2: the key path before '=' is empty; expected key.path=value");
}

TEST_CASE("overrides select list items by code, id or index and parse values as YAML", "[scenario]") {
  const auto spec = load_file(baseline_path, {scenario::parse_override("events[swift_usd].intensity=0.5"),
                                              scenario::parse_override("parameters.risk.margin=0.2"),
                                              scenario::parse_override("horizon.end=2025-12"),
                                              scenario::parse_override("states[RUS].export_capacity.crude=100"),
                                              scenario::parse_override("events[0].sectors=[consumer_goods]"),
                                              scenario::parse_override("parameters.adaptive.escalation=false")});
  CHECK(event(spec, 15).intensity == 0.5);
  CHECK(spec.params.risk.margin == 0.2);
  CHECK(spec.end == Month::from(2025, 12));
  CHECK(spec.states[0].export_capacity[0] == Approx(100e9));
  CHECK(event(spec, 0).sectors == std::vector{*model::find_sector(spec, "consumer_goods")});
  CHECK_FALSE(spec.params.adaptive.escalation);
  CHECK(spec.where("events[15].intensity").str() == "--set events[swift_usd].intensity=0.5");
}

TEST_CASE("an override value goes through the same checks as the file", "[scenario]") {
  CHECK(error_of(mini(), {{"events[ban].intensity", "1.3"}}) ==
        "--set events[ban].intensity=1.3: events[0].intensity: 1.3 is outside [0, 1]");
  CHECK(error_of(mini(), {{"horizon.end", "2021-02"}}) ==
        "mini.yaml:33:44: events[0].start: 2021-03-01 is after the end of the horizon (2021-02); the event would "
        "never apply");
  CHECK(error_of(mini(), {{"parameters.risk.margni", "0.2"}}) ==
        "--set parameters.risk.margni=0.2: parameters.risk.margni: unknown key 'margni' (did you mean 'margin'?)");
}

TEST_CASE("an override selecting no list item lists the items", "[scenario]") {
  CHECK(error_of(mini(), {{"states[AAB].growth", "0.1"}}) ==
        "--set states[AAB].growth=0.1: states[AAB]: no item with code, id or name 'AAB' (did you mean 'AAA'?); "
        "items: AAA, BBB, HUB");
  CHECK(error_of(mini(), {{"events[7].intensity", "0.1"}}) ==
        "--set events[7].intensity=0.1: events[7]: index 7 is out of range; the list has 3 items");
  CHECK(error_of(mini(), {{"name.first", "x"}}) ==
        "--set name.first=x: name: is 'mini', not a map, so it has no key 'first'");
}

TEST_CASE("an override may not change the base", "[scenario]") {
  CHECK_THAT(error_of(mini(), {{"base", "other.yaml"}}),
             StartsWith("--set base=other.yaml: base: base cannot be set with --set"));
}

// ------------------------------------------------------------------ bad input

TEST_CASE("an unknown key is an error suggesting the closest key", "[scenario]") {
  CHECK(error_of(mini("intensity: 0.5", "intensty: 0.5")) ==
        "mini.yaml:33:93: events[0].intensty: unknown key 'intensty' (did you mean 'intensity'?)");
}

TEST_CASE("an unknown key far from every key lists the allowed keys", "[scenario]") {
  CHECK(error_of(mini("seed: 7", "colour: 7")) ==
        "mini.yaml:7:1: colour: unknown key 'colour'; expected one of schema_version, name, description, horizon, "
        "seed, sectors, currencies, states, affinities, trade_costs, freight, firms, banks, events, parameters, output");
}

TEST_CASE("an event key that does not apply to the event's kind is an error", "[scenario]") {
  CHECK(error_of(mini("sectors: [chips], intensity: 0.5}", "sectors: [chips], intensity: 0.5, cap: 3}")) ==
        "mini.yaml:33:109: events[0].cap: cap does not apply to a export_control event; it applies to price_cap");
  // A risk premium is on goods a buyer knows the origin of: no dual-use-only form.
  CHECK(error_of(mini("kind: export_control, start: 2021-03, by: AAA, target: BBB, sectors: [chips], intensity: 0.5}",
                      "kind: risk_premium, start: 2021-03, by: AAA, target: BBB, sectors: [chips], intensity: 0.5, "
                      "dual_use_only: true}")) ==
        "mini.yaml:33:107: events[0].dual_use_only: dual_use_only does not apply to a risk_premium event; it applies "
        "to export_control, secondary_sanctions");
}

TEST_CASE("financial sanctions by a state without a currency must name the currencies, or none", "[scenario]") {
  const std::string ban = "kind: export_control, start: 2021-03, by: AAA, target: BBB, sectors: [chips], intensity: 0.5}";
  CHECK(error_of(mini(ban, "kind: financial_sanctions, start: 2021-03, by: HUB, target: BBB, intensity: 0.5}")) ==
        "mini.yaml:33:5: events[0].currencies: HUB has no home_currency, so the event must name the blocked "
        "currencies (currencies: [] for its banks alone)");
  const auto spec =
      load_text(mini(ban, "kind: financial_sanctions, start: 2021-03, by: HUB, target: BBB, currencies: [], "
                          "intensity: 0.5}"),
                "mini.yaml");
  CHECK(spec.events[0].currencies.empty());
  CHECK(spec.events[0].currencies_given);
}

TEST_CASE("a hub's capacity growth and ceiling are read with their ranges", "[scenario]") {
  const auto spec = load_text(mini("hub: {}", "hub: {capacity_growth: 0.5, capacity_ceiling: 3}"), "mini.yaml");
  REQUIRE(spec.states[2].hub);
  CHECK(spec.states[2].hub->capacity_growth == 0.5);
  CHECK(spec.states[2].hub->capacity_ceiling == 3.0);
  CHECK(load_text(mini(), "mini.yaml").states[2].hub->capacity_growth == 0.0);
  CHECK(error_of(mini("hub: {}", "hub: {capacity_ceiling: 0.5}")) ==
        "mini.yaml:24:29: states[2].hub.capacity_ceiling: 0.5 is out of range; expected a value >= 1");
  CHECK(error_of(mini("hub: {}", "hub: {capacity_growth: -1}")) ==
        "mini.yaml:24:28: states[2].hub.capacity_growth: -1 is negative; expected a value >= 0");
}

TEST_CASE("a value of the wrong type is an error naming the expected type", "[scenario]") {
  CHECK(error_of(mini("margin: 0.15", "margin: abc")) ==
        "mini.yaml:37:18: parameters.risk.margin: expected a number, got 'abc'");
  CHECK(error_of(mini("energy: true", "energy: maybe")) ==
        "mini.yaml:9:106: sectors[0].energy: expected true or false, got 'maybe'");
  CHECK(error_of(mini("count: 10, size: 2", "count: [10], size: 2")) ==
        "mini.yaml:26:56: firms[0].count: expected a whole number >= 1, got a list");
  CHECK(error_of(mini("horizon: {start: 2020-01, end: 2022-12}", "horizon: 2020")) ==
        "mini.yaml:6:10: horizon: expected a map, got '2020'");
}

TEST_CASE("a value out of range is an error naming the range", "[scenario]") {
  CHECK(error_of(mini("intensity: 0.5", "intensity: 1.3")) ==
        "mini.yaml:33:104: events[0].intensity: 1.3 is outside [0, 1]");
  CHECK(error_of(mini("margin: 0.15", "margin: 0")) ==
        "mini.yaml:37:18: parameters.risk.margin: 0 is out of range; expected a value > 0");
  CHECK(error_of(mini("{lognormal: {median: 5, sigma: 0.5}}", "{lognormal: {median: 5, sigma: -1}}")) ==
        "mini.yaml:31:83: banks[0].size.lognormal.sigma: -1 is negative; expected a value >= 0");
}

TEST_CASE("an undefined code is an error listing the defined codes", "[scenario]") {
  CHECK(error_of(mini("by: AAA, target: BBB, sectors: [chips]", "by: AAA, target: XYZ, sectors: [chips]")) ==
        "mini.yaml:33:70: events[0].target: 'XYZ' is not a defined state; defined: AAA, BBB, HUB");
  CHECK(error_of(mini("sectors: [chips], intensity", "sectors: [chip], intensity")) ==
        "mini.yaml:33:85: events[0].sectors[0]: 'chip' is not a defined sector (did you mean 'chips'?); "
        "defined: oil, chips");
  CHECK(error_of(mini("export_capacity: {chips: 10}", "export_capacity: {chipz: 10}")) ==
        "mini.yaml:17:23: states[0].export_capacity.chipz: 'chipz' is not a defined sector (did you mean "
        "'chips'?); defined: oil, chips");
  CHECK(error_of(mini("home_currency: USD", "home_currency: EUR")) ==
        "mini.yaml:16:20: states[0].home_currency: 'EUR' is not a defined currency; defined: USD, RUB");
}

TEST_CASE("an importer's basket price is a path per defined sector, in positive prices", "[scenario]") {
  const auto spec = load_text(mini("import_absorption: {oil: 20}",
                                   "import_absorption: {oil: 20}\n    import_price: {oil: [[2021-01, 60]]}"),
                              "mini.yaml");
  REQUIRE(spec.states[0].import_price.size() == 2);
  CHECK(spec.states[0].import_price[0].points.size() == 1);
  CHECK(spec.states[0].import_price[1].points.empty());
  CHECK(error_of(mini("import_absorption: {oil: 20}",
                      "import_absorption: {oil: 20}\n    import_price: {oil: [[2021-01, 0]]}")) ==
        "mini.yaml:19:36: states[0].import_price.oil[0][1]: 0 is out of range; expected a value > 0");
  CHECK(error_of(mini("import_absorption: {oil: 20}",
                      "import_absorption: {oil: 20}\n    import_price: {oli: [[2021-01, 60]]}")) ==
        "mini.yaml:19:20: states[0].import_price.oli: 'oli' is not a defined sector; defined: oil, chips");
  CHECK(error_of(mini("import_absorption: {oil: 20}",
                      "import_absorption: {oil: 20}\n    import_price: {oil: []}")) ==
        "mini.yaml:19:25: states[0].import_price.oil: the list is empty; omit the sector to value imports at its "
        "world price");
}

TEST_CASE("a state's own income elasticity is optional and not negative", "[scenario]") {
  CHECK_FALSE(load_text(mini(), "mini.yaml").states[0].income_elasticity.has_value());
  CHECK(load_text(mini("home_currency: USD", "home_currency: USD\n    income_elasticity: 0"), "mini.yaml")
            .states[0]
            .income_elasticity == 0.0);
  CHECK(error_of(mini("home_currency: USD", "home_currency: USD\n    income_elasticity: -0.5")) ==
        "mini.yaml:17:24: states[0].income_elasticity: -0.5 is negative; expected a value >= 0");
}

TEST_CASE("a state's exchange-rate response to revenue defaults to none and is not negative", "[scenario]") {
  CHECK(load_text(mini(), "mini.yaml").states[0].exchange_rate_revenue_elasticity == 0.0);
  CHECK(load_text(mini("home_currency: USD", "home_currency: USD\n    exchange_rate_revenue_elasticity: 0.4"),
                  "mini.yaml")
            .states[0]
            .exchange_rate_revenue_elasticity == 0.4);
  CHECK(error_of(mini("home_currency: USD", "home_currency: USD\n    exchange_rate_revenue_elasticity: -0.4")) ==
        "mini.yaml:17:39: states[0].exchange_rate_revenue_elasticity: -0.4 is negative; expected a value >= 0");
}

TEST_CASE("a sector's switching cost and spot weight default to the orders' switching cost", "[scenario]") {
  const auto plain = load_text(mini(), "mini.yaml");
  CHECK_FALSE(plain.sectors[0].switching_cost.has_value());
  CHECK(model::switching_cost(plain, 0) == 0.05);
  CHECK(model::spot_weight(plain, 0) == Approx(std::pow(1.05, -4.0)));  // elasticity 4 by default
  CHECK(plain.params.orders.formation_lag == 0.0);
  CHECK(plain.params.orders.established_share == 0.05);
  const auto own = load_text(mini("energy: true}", "energy: true, switching_cost: 0.2, spot_weight: 0.3}"), "mini.yaml");
  CHECK(model::switching_cost(own, 0) == 0.2);
  CHECK(model::spot_weight(own, 0) == 0.3);
  CHECK(model::spot_weight(own, 1) == Approx(std::pow(1.05, -4.0)));
  CHECK(error_of(mini("energy: true}", "energy: true, spot_weight: 0}")) ==
        "mini.yaml:9:125: sectors[0].spot_weight: 0 is outside (0, 1]");
  CHECK(error_of(mini("risk: {margin: 0.15}", "risk: {margin: 0.15}\n  orders: {formation_lag: -1}")) ==
        "mini.yaml:38:27: parameters.orders.formation_lag: -1 is outside [0, 1200]");
}

TEST_CASE("a state's import capacity is optional per sector and at least one", "[scenario]") {
  const auto with = [](const std::string& capacity) {
    return mini("import_absorption: {oil: 20}", "import_absorption: {oil: 20}\n    import_capacity: " + capacity);
  };
  CHECK_FALSE(load_text(mini(), "mini.yaml").states[0].import_capacity[0].has_value());
  const auto s = load_text(with("{oil: 1.2}"), "mini.yaml").states[0];
  CHECK(s.import_capacity[0] == 1.2);
  CHECK_FALSE(s.import_capacity[1].has_value());
  CHECK(error_of(with("{oil: 0.9}")) ==
        "mini.yaml:19:28: states[0].import_capacity.oil: 0.9 is out of range; expected a value >= 1");
  CHECK(error_of(with("1.2")) ==
        "mini.yaml:19:22: states[0].import_capacity: expected a map of sector code to a multiple (>= 1) of its "
        "trend absorption, got '1.2'");
}

TEST_CASE("a malformed date is an error showing the expected format", "[scenario]") {
  CHECK(error_of(mini("start: 2021-03,", "start: 2021-13,")) ==
        "mini.yaml:33:44: events[0].start: expected a date YYYY-MM or YYYY-MM-DD, got '2021-13'");
  CHECK(error_of(mini("start: 2021-06-15", "start: 2021-06-31")) ==
        "mini.yaml:34:39: events[1].start: expected a date YYYY-MM or YYYY-MM-DD, got '2021-06-31'");
}

TEST_CASE("a snapshot outside the horizon is kept in the spec and skipped by the run", "[scenario]") {
  const auto spec = load_text(mini("snapshots: [2021-12]", "snapshots: [2021-12, 2023-01]"), "mini.yaml");
  CHECK(spec.snapshots.size() == 2);
  CHECK(error_of(mini("snapshots: [2021-12]", "snapshots: [2021-13]")) ==
        "mini.yaml:38:22: output.snapshots[0]: expected a date YYYY-MM or YYYY-MM-DD, got '2021-13'");
}

TEST_CASE("an event outside the horizon is an error but price points outside it are not", "[scenario]") {
  CHECK(error_of(mini("start: 2022-01,", "start: 2023-01,")) ==
        "mini.yaml:35:46: events[2].start: 2023-01-01 is after the end of the horizon (2022-12); the event would "
        "never apply");
  CHECK(error_of(mini("end: 2022-06,", "end: 2019-06,")) ==
        "mini.yaml:34:56: events[1].end: the event ends (2019-06-01) before it starts (2021-06-15)");
  const auto spec = load_text(mini("[[2020-01, 60]", "[[2010-01, 60]"), "mini.yaml");
  CHECK(spec.sectors[0].price.points[0].month == Month::from(2010, 1));
  // An event that started before the horizon is simply in force from its start.
  const auto early = load_text(mini("start: 2021-03,", "start: 2014-03,"), "mini.yaml");
  CHECK(early.events[0].start.str() == "2014-03-01");
}

TEST_CASE("an end before the start is an error", "[scenario]") {
  CHECK(error_of(mini("end: 2022-12}", "end: 2019-12}")) ==
        "mini.yaml:6:32: horizon.end: the horizon ends (2019-12) before it starts (2020-01)");
  CHECK(error_of(mini("end: 2022-06,", "end: 2021-06-14,")) ==
        "mini.yaml:34:56: events[1].end: the event ends (2021-06-14) before it starts (2021-06-15)");
}

TEST_CASE("a horizon outside the years xarray can date is an error naming the years", "[scenario]") {
  CHECK(error_of(mini("start: 2020-01,", "start: 0000-01,")) ==
        "mini.yaml:6:18: horizon.start: 0000-01 is outside the years 1678 to 2261 that output files can date "
        "(xarray reads their time axis as numpy datetime64[ns])");
  CHECK(error_of(mini("start: 2020-01, end: 2022-12", "start: 1677-12, end: 1680-12")) ==
        "mini.yaml:6:18: horizon.start: 1677-12 is outside the years 1678 to 2261 that output files can date "
        "(xarray reads their time axis as numpy datetime64[ns])");
  CHECK(error_of(mini("end: 2022-12}", "end: 2262-01}")) ==
        "mini.yaml:6:32: horizon.end: 2262-01 is outside the years 1678 to 2261 that output files can date "
        "(xarray reads their time axis as numpy datetime64[ns])");
  CHECK_NOTHROW(load_text(mini("start: 2020-01, end: 2022-12", "start: 1678-01, end: 2261-12"), "mini.yaml"));
}

TEST_CASE("a code with a NUL character is an error, so that no two codes share a label", "[scenario]") {
  // "X\0A" and "X\0B" would both be written as the label "X".
  const std::string yaml = mini("  - code: HUB\n    hub: {}\n", "  - code: HUB\n    hub: {}\n  - code: \"X\\0A\"\n  - code: \"X\\0B\"\n");
  CHECK(error_of(yaml) ==
        "mini.yaml:25:11: states[3].code: code 'X\\0A' contains a NUL character (\\0), which output files cannot "
        "store in a label");
  CHECK(error_of(mini("  - {code: RUB, issuer: BBB}\n", "  - {code: RUB, issuer: BBB}\n  - {code: \"\\0\"}\n")) ==
        "mini.yaml:14:12: currencies[2].code: code '\\0' contains a NUL character (\\0), which output files cannot "
        "store in a label");
}

TEST_CASE("negative sizes, capacities and counts are errors", "[scenario]") {
  CHECK(error_of(mini("count: 10, size: 2", "count: -10, size: 2")) ==
        "mini.yaml:26:56: firms[0].count: -10 is negative; expected a whole number >= 1");
  CHECK(error_of(mini("export_capacity: {oil: 30}", "export_capacity: {oil: -30}")) ==
        "mini.yaml:21:28: states[1].export_capacity.oil: -30 is negative; expected a value >= 0");
  CHECK(error_of(mini("capacity: 2}", "capacity: -2}")) ==
        "mini.yaml:29:73: firms[3].capacity: -2 is negative; expected a value > 0");
  CHECK(error_of(mini("size: 2}", "size: -2}")) == "mini.yaml:26:66: firms[0].size: -2 is negative; expected a value > 0");
  CHECK(error_of(mini("count: 10, size: 2", "count: 0, size: 2")) ==
        "mini.yaml:26:56: firms[0].count: 0 is outside [1, 4294967295]");
}

TEST_CASE("empty lists of states, sectors, currencies and firms are errors", "[scenario]") {
  const std::string no_firms = mini(
      "firms:\n  - {state: AAA, sector: chips, role: exporter, count: 10, size: 2}\n"
      "  - {state: AAA, sector: oil, role: importer, count: 10}\n"
      "  - {state: BBB, sector: [oil, chips], role: [exporter, importer], count: 5}\n"
      "  - {state: HUB, sector: chips, role: intermediary, count: 3, capacity: 2}\n",
      "firms: []\n");
  CHECK(error_of(no_firms) == "mini.yaml:25:8: firms: the list is empty; a scenario needs at least one firm population");
}

TEST_CASE("an event with an empty sector list is an error", "[scenario]") {
  CHECK(error_of(mini("sectors: [chips], intensity", "sectors: [], intensity")) ==
        "mini.yaml:33:84: events[0].sectors: the list is empty; omit sectors to apply the event to all sectors");
}

TEST_CASE("a duplicate code is an error naming the first use", "[scenario]") {
  CHECK(error_of(mini("  - code: HUB\n", "  - code: AAA\n")) ==
        "mini.yaml:23:11: states[2].code: duplicate code 'AAA' (already used by states[0])");
  CHECK(error_of(mini("{id: pull,", "{id: ban,")) ==
        "mini.yaml:35:10: events[2].id: duplicate event id 'ban' (first used at mini.yaml:33:10)");
}

TEST_CASE("a missing required key is an error naming the key", "[scenario]") {
  CHECK(error_of(mini("{id: ban, kind: export_control, ", "{id: ban, ")) ==
        "mini.yaml:33:5: events[0]: missing required key 'kind'");
  CHECK(error_of(mini("role: exporter, count: 10, ", "role: exporter, ")) ==
        "mini.yaml:26:5: firms[0]: missing required key 'count'");
  CHECK(error_of(mini("  - code: HUB\n", "  - name: HUB\n")) == "mini.yaml:23:5: states[2]: missing required key 'code'");
}

TEST_CASE("a missing scenario file is an error naming the path and the reason", "[scenario]") {
  CHECK(file_error_of(data_dir + "no_such_file.yaml") ==
        "cannot read scenario file '" + data_dir + "no_such_file.yaml': No such file or directory");
  CHECK(file_error_of(data_dir) ==
        "cannot read scenario file '" + data_dir + "': Is a directory; expected a regular file");
}

TEST_CASE("malformed YAML is an error at the parser's position", "[scenario]") {
  CHECK(error_of(mini("seed: 7", "seed: [7")) == "mini.yaml:8:8: malformed YAML: end of sequence flow not found");
  CHECK(error_of(mini("seed: 7\n", "seed: 7\nseed: 8\n")) ==
        "mini.yaml:8:1: seed: duplicate key (first given at mini.yaml:7:1)");
}

TEST_CASE("a missing or unsupported schema version is an error listing the supported versions", "[scenario]") {
  CHECK(error_of(mini("schema_version: 1", "schema_version: 2")) ==
        "mini.yaml:4:17: schema_version: version 2 is not supported; supported versions: 1");
  CHECK(error_of(mini("schema_version: 1\n", "")) ==
        "mini.yaml:4:1: schema_version: missing required key 'schema_version' (the format version of the file); "
        "supported versions: 1");
}

TEST_CASE("a price cap without a cap is an error", "[scenario]") {
  CHECK(error_of(mini(", cap: 60}", "}")) ==
        "mini.yaml:34:5: events[1]: missing required key 'cap' (the price ceiling, in the sector's price unit)");
}

TEST_CASE("a bank withdrawal naming an undefined bank population is an error", "[scenario]") {
  CHECK(error_of(mini("banks: big}", "banks: small}")) ==
        "mini.yaml:35:84: events[2].banks: 'small' is not a bank population of AAA; defined: big");
}

TEST_CASE("export capacity without an exporter population is an error", "[scenario]") {
  CHECK(error_of(mini("role: [exporter, importer], count: 5", "role: [importer], count: 5")) ==
        "mini.yaml:21:28: states[1].export_capacity.oil: BBB has export capacity 30 (USD bn per year) in oil but no "
        "firm population with state BBB, sector oil, role exporter");
}

TEST_CASE("import absorption without an importer population is an error", "[scenario]") {
  CHECK(error_of(mini("{state: AAA, sector: oil, role: importer", "{state: AAA, sector: oil, role: exporter")) ==
        "mini.yaml:18:30: states[0].import_absorption.oil: AAA has import absorption 20 (USD bn per year) in oil but "
        "no firm population with state AAA, sector oil, role importer");
}

TEST_CASE("an intermediary population in a state without a hub is an error", "[scenario]") {
  CHECK(error_of(mini("    hub: {}\n", "")) ==
        "mini.yaml:28:39: firms[3].role: an intermediary population needs a hub state, but HUB has no 'hub:' (add "
        "hub: {} to the state to use the default hub)");
}

TEST_CASE("a base cycle in text names both files", "[scenario]") {
  // load_text resolves base: against the current directory.
  const std::string text = "schema_version: 1\nbase: " + data_dir + "cycle_a.yaml\nname: x\n";
  CHECK_THAT(error_of(text), Contains("base scenario cycle: mini.yaml -> " + data_dir + "cycle_a.yaml -> " +
                                      data_dir + "cycle_b.yaml -> " + data_dir + "cycle_a.yaml"));
}

TEST_CASE("remove: true in a scenario without that base item is an error", "[scenario]") {
  CHECK(error_of(mini("{id: pull, kind", "{id: pull, remove: true, kind")) ==
        "mini.yaml:35:16: events[2].remove: remove: true deletes an item of a base scenario, but no base scenario "
        "has this item");
}

TEST_CASE("an unknown distribution or one that cannot give a share is an error", "[scenario]") {
  CHECK(error_of(mini("{lognormal: {median", "{lognormale: {median")) ==
        "mini.yaml:31:53: banks[0].size.lognormale: unknown distribution 'lognormale' (did you mean 'lognormal'?)");
  CHECK(error_of(mini("size: {lognormal:", "exposure: {lognormal:")) ==
        "mini.yaml:31:57: banks[0].exposure.lognormal: this attribute is a share in [0, 1]; use constant, uniform "
        "or beta, not lognormal");
}

TEST_CASE("the edit-distance suggestion finds keys with small typos only", "[scenario]") {
  CHECK_THAT(error_of(mini("reference_price: 80", "referenceprice: 80")),
             Contains("unknown key 'referenceprice' (did you mean 'reference_price'?)"));
  CHECK_THAT(error_of(mini("reference_price: 80", "price_ref: 80")), !Contains("did you mean"));
}

TEST_CASE("real exchange rates, pass-through and the exchange rate elasticity load with their checks", "[scenario]") {
  const auto spec = load_text(
      mini("home_currency: RUB", "home_currency: RUB\n    real_exchange_rate: [[2020-06, 1.0], [2021-06, 0.6]]"),
      "mini.yaml",
      {{"sectors[chips].exchange_rate_pass_through", "0.4"}, {"parameters.orders.exchange_rate_elasticity", "0.7"}});
  const auto& rer = spec.states[1].real_exchange_rate.points;
  REQUIRE(rer.size() == 2);
  CHECK(rer[1].month == Month::from(2021, 6));
  CHECK(rer[1].value == 0.6);
  CHECK(spec.states[0].real_exchange_rate.points.empty());
  CHECK(spec.sectors[1].exchange_rate_pass_through == 0.4);
  CHECK(spec.sectors[0].exchange_rate_pass_through == 0.0);
  CHECK(spec.params.orders.exchange_rate_elasticity == 0.7);

  CHECK(error_of(mini("home_currency: RUB", "home_currency: RUB\n    real_exchange_rate: [[2020-06, 0]]")) ==
        "mini.yaml:21:36: states[1].real_exchange_rate[0][1]: 0 is out of range; expected a value > 0");
  CHECK(error_of(mini(), {{"sectors[chips].exchange_rate_pass_through", "1.5"}}) ==
        "--set sectors[chips].exchange_rate_pass_through=1.5: sectors[1].exchange_rate_pass_through: 1.5 is "
        "outside [0, 1]");
  CHECK(error_of(mini(), {{"parameters.orders.exchange_rate_elasticity", "-1"}}) ==
        "--set parameters.orders.exchange_rate_elasticity=-1: parameters.orders.exchange_rate_elasticity: -1 is "
        "negative; expected a value >= 0");
}

// ------------------------------------------------------------------ policy kinds

namespace {

/// A value of each event key that is valid in mini.yaml's world.
std::string sample_value(std::string_view key) {
  static const std::map<std::string_view, std::string> values{
      {"id", "probe"},       {"start", "2021-03"},     {"end", "2022-06"},      {"by", "AAA"},
      {"target", "BBB"},     {"intensity", "0.5"},     {"label", "probe"},      {"sectors", "[oil]"},
      {"dual_use_only", "true"}, {"cap", "60"},        {"currencies", "[USD]"}, {"scope", "firms"},
      {"banks", "big"},      {"listed", "{HUB: 2}"}};
  const auto it = values.find(key);
  if (it == values.end()) FAIL("no sample value for event key '" << key << "'; add one to sample_value()");
  return it->second;
}

/// mini.yaml with one more event (events[3]) of `kind` that has every key the kind takes.
std::string mini_with_full_event(const model::PolicyKindInfo& kind) {
  std::string keys = "kind: " + std::string(kind.name);
  const auto add = [&](std::span<const model::EventKey> list) {
    for (const model::EventKey& k : list)
      if (k.name != "kind") keys += ", " + std::string(k.name) + ": " + sample_value(k.name);
  };
  add(model::common_event_keys);
  add(kind.keys);
  return "schema_version: 1\nbase: " + mini_path + "\nname: probe\nevents:\n  - {" + keys + "}\n";
}

/// The rows of the markdown tables in the section that starts with `heading`:
/// one vector of rows per table, each row its cells, header and rule dropped.
std::vector<std::vector<std::vector<std::string>>> tables_in_section(const std::string& text,
                                                                     const std::string& heading) {
  const auto begin = text.find("\n" + heading + "\n");
  REQUIRE(begin != std::string::npos);
  const auto end = text.find("\n## ", begin + 1);
  std::istringstream lines(text.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
  std::vector<std::vector<std::vector<std::string>>> tables;
  bool in_table = false;
  int row = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("|", 0) != 0) {
      in_table = false;
      continue;
    }
    if (!in_table) {
      tables.emplace_back();
      in_table = true;
      row = 0;
    }
    if (row++ < 2) continue;  // header and |---|
    std::vector<std::string> cells;
    std::size_t from = 1;
    for (std::size_t bar; (bar = line.find('|', from)) != std::string::npos; from = bar + 1)
      cells.push_back(line.substr(from, bar - from));
    tables.back().push_back(cells);
  }
  return tables;
}

/// The `code` words of a markdown cell, each with whether "(required)" follows it.
std::vector<std::pair<std::string, bool>> code_words(const std::string& cell) {
  std::vector<std::pair<std::string, bool>> out;
  for (std::size_t open = cell.find('`'); open != std::string::npos; open = cell.find('`', open + 1)) {
    const auto close = cell.find('`', open + 1);
    REQUIRE(close != std::string::npos);
    const bool required = cell.compare(close + 1, 11, " (required)") == 0;
    out.emplace_back(cell.substr(open + 1, close - open - 1), required);
    open = close;
  }
  return out;
}

}  // namespace

TEST_CASE("the scenario reference lists every policy kind with the keys of the kind table", "[scenario]") {
  const auto tables = tables_in_section(read(GEOSIM_SOURCE_DIR "/docs/scenario-reference.md"), "## events");
  // Keys every event takes; keys only some kinds take; the kinds.
  REQUIRE(tables.size() == 3);

  std::vector<std::pair<std::string, bool>> common_in_docs, common_in_table;
  for (const auto& row : tables[0])
    common_in_docs.emplace_back(code_words(row.at(0)).at(0).first, row.at(1).find("**required**") != std::string::npos);
  for (const model::EventKey& k : model::common_event_keys) common_in_table.emplace_back(k.name, k.required);
  CHECK(common_in_docs == common_in_table);

  std::set<std::string> own_in_docs, own_in_table;
  for (const auto& row : tables[1]) own_in_docs.insert(code_words(row.at(0)).at(0).first);
  for (const model::PolicyKindInfo& kind : model::policy_kinds())
    for (const model::EventKey& k : kind.keys) own_in_table.insert(std::string(k.name));
  CHECK(own_in_docs == own_in_table);

  std::vector<std::string> kinds_in_docs, kinds_in_table;
  for (const auto& row : tables[2]) kinds_in_docs.push_back(code_words(row.at(0)).at(0).first);
  for (const model::PolicyKindInfo& kind : model::policy_kinds()) kinds_in_table.emplace_back(kind.name);
  REQUIRE(kinds_in_docs == kinds_in_table);

  for (std::size_t i = 0; i < tables[2].size(); ++i) {
    const model::PolicyKindInfo& kind = model::policy_kinds()[i];
    INFO("kind " << kind.name);
    std::vector<std::pair<std::string, bool>> keys;
    for (const model::EventKey& k : kind.keys) keys.emplace_back(k.name, k.required);
    CHECK(code_words(tables[2][i].at(1)) == keys);
  }
}

TEST_CASE("an event of every kind loads with every key its kind takes", "[scenario]") {
  for (const model::PolicyKindInfo& kind : model::policy_kinds()) {
    INFO("kind " << kind.name);
    const auto spec = load_text(mini_with_full_event(kind), "probe.yaml");
    REQUIRE(spec.events.size() == 4);
    CHECK(spec.events[3].kind == kind.kind);
    CHECK(std::string(model::to_string(spec.events[3].kind)) == kind.name);
    // The loader records where it read each key: none of the kind's keys is ignored.
    for (const model::EventKey& k : model::common_event_keys) CHECK(spec.sources.count("events[3]." + std::string(k.name)));
    for (const model::EventKey& k : kind.keys) CHECK(spec.sources.count("events[3]." + std::string(k.name)));
  }
}

TEST_CASE("a key that no kind takes is an error listing the keys of the event's kind", "[scenario]") {
  CHECK(error_of(mini("sectors: [oil], cap: 60}", "sectors: [oil], cap: 60, colour: red}")) ==
        "mini.yaml:34:112: events[1].colour: unknown key 'colour'; expected one of id, kind, start, end, by, target, "
        "intensity, label, sectors, cap");
}

TEST_CASE("a key that another kind takes is an error naming the kinds that take it", "[scenario]") {
  CHECK(error_of(mini("banks: big}", "banks: big, scope: banks}")) ==
        "mini.yaml:35:89: events[2].scope: scope does not apply to a bank_withdrawal event; it applies to "
        "secondary_sanctions");
  CHECK(error_of(mini("sectors: [chips], intensity: 0.5}", "sectors: [chips], intensity: 0.5, banks: big}")) ==
        "mini.yaml:33:109: events[0].banks: banks does not apply to a export_control event; it applies to "
        "bank_withdrawal");
}

TEST_CASE("a price cap without sectors is an error saying why it needs them", "[scenario]") {
  CHECK(error_of(mini("sectors: [oil], cap: 60}", "cap: 60}")) ==
        "mini.yaml:34:5: events[1]: missing required key 'sectors' (a price cap is stated in the price unit of its "
        "sectors)");
}

TEST_CASE("an unknown event kind is an error listing the kinds of the table", "[scenario]") {
  CHECK(error_of(mini("kind: export_control", "kind: export_controls")) ==
        "mini.yaml:33:21: events[0].kind: expected one of export_control, import_ban, price_cap, financial_sanctions, "
        "secondary_sanctions, bank_withdrawal, risk_premium, fleet_sanctions, got 'export_controls' (did you mean "
            "'export_control'?)");
}

// ---------------------------------------------------------------- input limits

namespace {

/// A fresh, empty directory for the files one test writes.
std::filesystem::path scratch_dir(const std::string& test) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("geosim_scenario_test_" + test + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out);
}

/// The message of the InputError that validating mini.yaml throws once its
/// list `member` (states, sectors, ...) has grown to `n` items.
template <class List>
std::string error_with_items(List model::ScenarioSpec::*member, std::size_t n) {
  auto spec = load_text(mini(), "mini.yaml");
  auto& list = spec.*member;
  list.resize(n, list[0]);
  try {
    model::validate(spec);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

const std::string size_limit_advice =
    "the limit is 1048576 bytes (1 MiB) per file, fixed: split a larger scenario into files joined with base:";

}  // namespace

TEST_CASE("a scenario file larger than 1 MiB is rejected before it is parsed", "[scenario][limits]") {
  const std::string path = (scratch_dir("large_file") / "large.yaml").string();
  write(path, mini() + "# " + std::string(scenario::max_yaml_bytes, 'x') + "\n");
  const std::string size = std::to_string(std::filesystem::file_size(path));
  CHECK(file_error_of(path) == "cannot read scenario file '" + path + "': it is " + size + " bytes; " + size_limit_advice);
}

TEST_CASE("YAML text larger than 1 MiB is rejected before it is parsed", "[scenario][limits]") {
  const std::string text = mini() + "# " + std::string(scenario::max_yaml_bytes, 'x') + "\n";
  CHECK(error_of(text) == "mini.yaml: the YAML text is " + std::to_string(text.size()) + " bytes; " + size_limit_advice);
}

TEST_CASE("an alias bomb is rejected once it expands past the node limit", "[scenario][limits]") {
  // Nine levels of ten aliases each: 10^9 nodes from under 400 bytes.
  std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (char level = '1'; level <= '8'; ++level) {
    const std::string name{'a', level}, previous{'*', 'a', static_cast<char>(level - 1)};
    yaml += name;
    yaml += ": &";
    yaml += name;
    yaml += " [";
    for (int k = 0; k < 10; ++k) {
      if (k) yaml += ", ";
      yaml += previous;
    }
    yaml += "]\n";
  }
  const std::string message = error_of(yaml);
  CHECK_THAT(message, StartsWith("mini.yaml:"));
  CHECK_THAT(message, Contains(": the document expands to more than 1000000 nodes once its aliases (*name) are "
                               "copied out; the limit is fixed (scenarios/baseline.yaml has 2,223 nodes, and a file "
                               "within the 1048576-byte size limit reaches it only through aliases): write the "
                               "repeated parts out or use fewer aliases"));
}

TEST_CASE("lists nested more than 64 levels deep are rejected", "[scenario][limits]") {
  const std::string message = error_of("deep: " + std::string(70, '[') + std::string(70, ']') + "\n");
  // The 64th '[' is at column 70 and the 65th level, inside "deep" and 63 lists.
  std::string at = "mini.yaml:1:70: deep";
  for (int i = 0; i < 63; ++i) at += "[0]";
  CHECK_THAT(message, StartsWith(at + ": lists"));
  CHECK_THAT(message, EndsWith(": lists and maps are nested more than 64 levels deep; the limit is fixed (scenarios "
                               "nest at most 7 levels) and guards the parser's stack"));
}

TEST_CASE("nesting beyond the YAML parser's own guard gives the same depth error", "[scenario][limits]") {
  const std::string message = error_of("deep: " + std::string(5000, '[') + std::string(5000, ']') + "\n");
  CHECK_THAT(message, StartsWith("mini.yaml:"));
  CHECK_THAT(message, EndsWith(": lists and maps are nested more than 64 levels deep; the limit is fixed (scenarios "
                               "nest at most 7 levels) and guards the parser's stack"));
}

TEST_CASE("a base that is a character device is rejected as not a regular file", "[scenario][limits]") {
  CHECK(error_of("schema_version: 1\nbase: /dev/zero\n") ==
        "mini.yaml:2:7: base: cannot read scenario file '/dev/zero': it is a character device; expected a regular "
        "file");
}

TEST_CASE("a scenario file that is a fifo is rejected without waiting for a writer", "[scenario][limits]") {
  const std::string path = (scratch_dir("fifo") / "scenario.yaml").string();
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  CHECK(file_error_of(path) == "cannot read scenario file '" + path + "': it is a fifo; expected a regular file");
}

TEST_CASE("more states than the state columns can index is an error naming the limit", "[scenario][limits]") {
  CHECK(error_with_items(&model::ScenarioSpec::states, model::max_states + 1) ==
        "mini.yaml:15:3: states: 65535 states; at most 65534 are supported (state indices are 16-bit in the firm "
        "columns and 65535 marks 'no hub')");
}

TEST_CASE("more sectors than the market index can hold is an error naming the limit", "[scenario][limits]") {
  CHECK(error_with_items(&model::ScenarioSpec::sectors, model::max_sectors + 1) ==
        "mini.yaml:9:3: sectors: 32769 sectors; at most 32768 are supported (market indices, two per sector, are "
        "16-bit in the firm groups)");
}

TEST_CASE("more bank populations than the bank columns can index is an error naming the limit", "[scenario][limits]") {
  CHECK(error_with_items(&model::ScenarioSpec::banks, model::max_bank_populations + 1) ==
        "mini.yaml:31:3: banks: 65537 bank populations; at most 65536 are supported (population indices are 16-bit "
        "in the bank columns)");
}

TEST_CASE("firm counts whose total overflows 32-bit firm ids are an error at the population that overflows",
          "[scenario][limits]") {
  const std::string yaml = mini("count: 10, size: 2", "count: 4294967295, size: 2");
  CHECK(error_of(yaml) ==
        "mini.yaml:27:54: firms[1].count: the firm populations up to this one have 4294967305 firms in all; at most "
        "4294967295 are supported (firm ids are 32-bit)");
}

TEST_CASE("a price path value above 1e15 is rejected at validation", "[scenario][limits]") {
  CHECK(error_of(mini("[2022-12, 90]", "[2022-12, 1e300]")) ==
        "mini.yaml:9:92: sectors[0].price[1][1]: 1e+300 is too large; path values are limited to 1e+15 so that the "
        "model's sums and products of them stay finite");
}

TEST_CASE("an export capacity above 1e15 USD per year is rejected at validation", "[scenario][limits]") {
  CHECK(error_of(mini("export_capacity: {oil: 30}", "export_capacity: {oil: 1e297}")) ==
        "mini.yaml:21:28: states[1].export_capacity.oil: 1e+306 is too large; flows (USD per year) are limited to "
        "1e+15 so that the model's sums and products of them stay finite");
}

TEST_CASE("an income elasticity above 10 is rejected at validation, naming the key and the bound",
          "[scenario][limits]") {
  const auto with = [](const std::string& value) {
    return mini("risk: {margin: 0.15}", "risk: {margin: 0.15}\n  orders: {income_elasticity: " + value + "}");
  };
  CHECK(error_of(with("10")) == "(no error)");
  CHECK(error_of(with("60")) ==
        "mini.yaml:38:31: parameters.orders.income_elasticity: 60 is too large; elasticities are limited to 10 in "
        "magnitude (estimates lie far below; larger powers overflow the model's demand)");
}

TEST_CASE("a state's trend growth beyond 0.5 a year in magnitude is rejected at validation, naming the key and the "
          "bound",
          "[scenario][limits]") {
  const auto with = [](const std::string& value) {
    return mini("import_absorption: {chips: 5}", "import_absorption: {chips: 5}\n    growth: " + value);
  };
  CHECK(error_of(with("0.5")) == "(no error)");
  CHECK(error_of(with("-0.5")) == "(no error)");
  CHECK(error_of(with("0.8")) ==
        "mini.yaml:23:13: states[1].growth: 0.8 is too large; trend growth is limited to 0.5 a year in magnitude (no "
        "economy's trend comes near; compounded over a long horizon, faster growth overflows the model's flows)");
  CHECK_THAT(error_of(with("-0.9")), StartsWith("mini.yaml:23:13: states[1].growth: -0.9 is too low; trend growth is "
                                                "limited to 0.5 a year in magnitude"));
  // --set is validated like the file.
  CHECK_THAT(error_of(mini(), {{"states[BBB].growth", "0.6"}}),
             StartsWith("--set states[BBB].growth=0.6: states[1].growth: 0.6 is too large; trend growth is limited to "
                        "0.5 a year"));
}

TEST_CASE("every elasticity the model raises a ratio to is bounded, each error naming its key", "[scenario][limits]") {
  const std::string risk = "risk: {margin: 0.15}";
  const std::vector<std::pair<std::string, std::string>> cases{
      {mini(risk, risk + "\n  orders: {price_elasticity: 11}"), "parameters.orders.price_elasticity: 11 is too large"},
      {mini(risk, risk + "\n  orders: {exchange_rate_elasticity: 11}"),
       "parameters.orders.exchange_rate_elasticity: 11 is too large"},
      {mini(risk, "risk: {margin: 0.15, detection_size_elasticity: -11}"),
       "parameters.risk.detection_size_elasticity: -11 is too large"},
      {mini("home_currency: RUB", "home_currency: RUB\n    income_elasticity: 11"),
       "states[1].income_elasticity: 11 is too large"},
      {mini("home_currency: RUB", "home_currency: RUB\n    exchange_rate_revenue_elasticity: 11"),
       "states[1].exchange_rate_revenue_elasticity: 11 is too large"},
      {mini("energy: true}", "energy: true, supply_elasticity: 11}"), "sectors[0].supply_elasticity: 11 is too large"},
      {mini("energy: true}", "energy: true, elasticity: 21}"),
       "sectors[0].elasticity: 21 is too large; elasticities of substitution are limited to 20 in magnitude"},
  };
  for (const auto& [yaml, message] : cases) {
    INFO(message);
    CHECK_THAT(error_of(yaml), Catch::Matchers::Contains(message));
  }
  CHECK(error_of(mini("energy: true}", "energy: true, elasticity: 20}")) == "(no error)");
}

// ---------------------------------------------------------------- designation rounds

namespace {

/// mini.yaml with its bank withdrawal replaced by a secondary-sanctions event
/// with the keys `keys`.
std::string mini_round(const std::string& keys) {
  return mini("kind: bank_withdrawal, start: 2022-01, by: AAA, target: BBB, banks: big}",
              "kind: secondary_sanctions, start: 2022-01, by: AAA, target: BBB, " + keys + "}");
}

}  // namespace

TEST_CASE("a round's listed entities and a population's real count load with the event and the population",
          "[scenario]") {
  const auto spec = load_text(
      mini_round("scope: firms, listed: {HUB: 12}")
          .replace(mini().find("count: 3, capacity: 2"), 21, "count: 3, represents: 30, capacity: 2"),
      "mini.yaml");
  const auto& e = spec.events.at(2);
  REQUIRE(e.listed.size() == 1);
  CHECK(spec.states[index(e.listed[0].state)].code == "HUB");
  CHECK(e.listed[0].entities == 12.0);
  CHECK(spec.firms.back().represents == 30.0);
  CHECK_FALSE(spec.firms.front().represents.has_value());  // one agent, one firm
  CHECK(spec.sources.count("events[2].listed.HUB"));
}

TEST_CASE("a round's listing is an error unless it names third states, whole counts and firms or banks",
          "[scenario]") {
  CHECK(error_of(mini_round("listed: {HUB: 2}")) ==
        "mini.yaml:35:89: events[2].listed: a designation round lists firms or banks: give scope: firms or "
        "scope: banks (two events for both)");
  CHECK(error_of(mini_round("scope: firms, listed: {BBB: 2}")) ==
        "mini.yaml:35:109: events[2].listed.BBB: a round lists third-country entities, not those of BBB (by or "
        "target of the event)");
  CHECK(error_of(mini_round("scope: firms, listed: {HBU: 2}")) ==
        "mini.yaml:35:104: events[2].listed.HBU: 'HBU' is not a defined state; defined: AAA, "
        "BBB, HUB");
  CHECK(error_of(mini_round("scope: banks, listed: {HUB: 2.5}")) ==
        "mini.yaml:35:109: events[2].listed.HUB: expected a whole number, got '2.5'");
  CHECK(error_of(mini_round("scope: banks, listed: [HUB]")) ==
        "mini.yaml:35:103: events[2].listed: expected a map of state code to the number of its entities listed, such "
        "as {CHN: 20}, got a list");
  CHECK(error_of(mini("count: 3, capacity: 2", "count: 3, represents: 0, capacity: 2")) ==
        "mini.yaml:29:75: firms[3].represents: 0 is outside [1, 4294967295]");
}
