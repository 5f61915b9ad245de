// model: whether two scenarios share their history up to a month
// (model::first_difference), the test a fork passes (docs/sweeps.md, "Forks").
// The forks themselves are compared with full runs in tests/python/test_fork.py.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "geosim/model/history.hpp"
#include "geosim/scenario/load.hpp"

using namespace geosim;

namespace {

const std::string base_file = std::string(GEOSIM_SOURCE_DIR) + "/tests/data/fork_base.yaml";
const Month checkpoint = Month::from(2014, 12);

model::ScenarioSpec load(std::vector<scenario::Override> overrides = {}) {
  return scenario::load_file(base_file, overrides);
}

/// "key: detail" of the first difference up to the checkpoint, or "".
std::string difference(const std::vector<scenario::Override>& overrides) {
  const auto d = model::first_difference(load(), load(overrides), checkpoint);
  return d ? d->key_path + ": " + d->detail : std::string();
}

}  // namespace

TEST_CASE("a scenario shares its own history", "[model]") { CHECK(difference({}).empty()); }

TEST_CASE("names and descriptions are not part of a history", "[model]") {
  CHECK(difference({{"name", "other"}, {"description", "changed"}}).empty());
}

TEST_CASE("an event that starts after the checkpoint may change", "[model]") {
  CHECK(difference({{"events[fork_secondary].intensity", "0.9"}}).empty());
  CHECK(difference({{"events[fork_secondary].start", "2015-01"}}).empty());
}

TEST_CASE("an event that starts by the checkpoint may not change", "[model]") {
  CHECK(difference({{"events[fork_finance].intensity", "0.3"}}).rfind("events[1].intensity: 0.29999999999999999 here", 0) == 0);
  CHECK(difference({{"events[fork_secondary].start", "2014-12"}}).rfind("events[2].start: 2014-12-01 is not after the checkpoint", 0) == 0);
}

TEST_CASE("an event may end differently only when both ends fall after the checkpoint", "[model]") {
  CHECK(difference({{"events[fork_finance].end", "2015-01"}}).empty());
  CHECK(difference({{"events[fork_finance].end", "2014-12"}}).empty());
  CHECK(difference({{"events[fork_finance].end", "2014-11"}}).rfind("events[1].end: 2014-11-01 here, absent in the run", 0) == 0);
}

/// fork_base.yaml with one more event.
model::ScenarioSpec with_event(const std::string& event) {
  return scenario::load_text("schema_version: 1\nbase: " + base_file + "\nevents:\n  - " + event + "\n", "late.yaml");
}

TEST_CASE("a later event may not make a new target of export controls", "[model]") {
  const auto d = model::first_difference(load(), with_event("{id: late, kind: export_control, start: 2016-01, by: USA, target: TUR}"), checkpoint);
  REQUIRE(d);
  CHECK(d->key_path == "events[3].target");
  CHECK(d->detail.rfind("TUR is a target of export_control only here: that gives its importers hub routes", 0) == 0);
  // A later event against a state that is a target already is fine.
  CHECK_FALSE(model::first_difference(load(), with_event("{id: late, kind: export_control, start: 2016-01, by: EU, target: RUS}"), checkpoint));
}

TEST_CASE("a path may change after a point on the checkpoint month", "[model]") {
  const std::string before = "[[2013-01, 1.0], [2014-12, 1.1], ";
  const auto stored = load({{"sectors[machinery_electronics].price", before + "[2016-12, 1.2]]"}});
  const auto fork = load({{"sectors[machinery_electronics].price", before + "[2016-12, 1.9]]"}});
  CHECK_FALSE(model::first_difference(stored, fork, checkpoint));
}

TEST_CASE("a path may not change a later point that earlier months interpolate toward", "[model]") {
  const auto d = difference({{"sectors[machinery_electronics].price", "[[2013-01, 1.0], [2030-12, 1.5]]"}});
  CHECK(d.rfind("sectors[3].price[1]: 2030-12: 1.5 here, 2030-12: 1.25 in the run", 0) == 0);
  CHECK(d.find("interpolate toward it") != std::string::npos);
}

TEST_CASE("an exchange-rate path that ends by the month after the checkpoint must end then in both", "[model]") {
  const auto stored = load({{"states[RUS].real_exchange_rate", "[[2013-01, 1.0], [2014-12, 0.8]]"}});
  const auto fork = load({{"states[RUS].real_exchange_rate", "[[2013-01, 1.0], [2014-12, 0.8], [2015-06, 0.7]]"}});
  const auto d = model::first_difference(stored, fork, checkpoint);
  REQUIRE(d);
  CHECK(d->key_path.find("real_exchange_rate (last point's month)") != std::string::npos);
  const auto later = load({{"states[RUS].real_exchange_rate", "[[2013-01, 1.0], [2014-12, 0.8], [2016-06, 0.7]]"}});
  const auto other = load({{"states[RUS].real_exchange_rate", "[[2013-01, 1.0], [2014-12, 0.8], [2016-06, 0.5]]"}});
  CHECK_FALSE(model::first_difference(later, other, checkpoint));
}

TEST_CASE("parameters, populations and snapshots up to the checkpoint must match", "[model]") {
  CHECK(difference({{"parameters.payments.clear_rate", "0.4"}}).rfind("parameters.payments.clear_rate: 0.40000000000000002 here", 0) == 0);
  CHECK(difference({{"output.snapshots", "[2014-07, 2016-06]"}}).rfind("snapshots: [2014-07] here, [2014-06]", 0) == 0);
  CHECK(difference({{"output.snapshots", "[2014-06, 2016-01]"}}).empty());
  const auto end = model::first_difference(load(), load(), Month::from(2016, 12));
  REQUIRE(end);
  CHECK(end->key_path + ": " + end->detail == "horizon.end: 2016-12 is not after the checkpoint (2016-12): there is nothing to fork");
  CHECK(difference({{"horizon.end", "2015-06"}}).empty());
}
