// state: firm and bank columns, groups and the relationship network.
#include <catch2/catch.hpp>

#include <map>

#include "geosim/state/world.hpp"
#include "unit_world.hpp"

using namespace geosim;
using namespace geosim::testing;

TEST_CASE("firm populations become columns whose shares sum to one within each group", "[state]") {
  const auto spec = unit_spec();
  const auto w = state::build_world(spec, spec.seed, 0);
  std::size_t expected = 0;
  for (const auto& p : spec.firms) expected += p.count;
  REQUIRE(w.firms.state.size() == expected);
  REQUIRE(w.firms.size.size() == expected);
  REQUIRE(w.firms.exposure.size() == expected);
  for (const auto& g : w.groups) {
    double sum = 0;
    for (auto f : g.firms) {
      CHECK(w.firms.group[f] == static_cast<std::uint32_t>(&g - w.groups.data()));
      sum += w.firms.share[f];
    }
    CHECK(sum == Approx(1.0));
  }
}

TEST_CASE("the dual-use fraction of a population makes that share of its firms dual-use", "[state]") {
  const auto spec = unit_spec();
  const auto w = state::build_world(spec, spec.seed, 0);
  const std::size_t chips = index(*model::find_sector(spec, "chips"));
  const std::size_t goods = index(*model::find_sector(spec, "goods"));
  std::map<std::size_t, std::pair<int, int>> dual_of_sector;  // sector -> (dual, all)
  for (std::size_t i = 0; i < w.firms.state.size(); ++i) {
    if (static_cast<model::Role>(w.firms.role[i]) == model::Role::intermediary) continue;
    auto& [dual, all] = dual_of_sector[w.firms.sector[i]];
    dual += w.firms.product[i];
    all += 1;
  }
  CHECK(dual_of_sector[goods].first == 0);
  CHECK(dual_of_sector[chips].first * 2 == dual_of_sector[chips].second);
}

TEST_CASE("exposure rises with size and state-owned firms get the exposure floor", "[state]") {
  const auto spec = unit_spec(
      "firms:\n"
      "  - {state: AAA, sector: [goods, chips], role: importer, count: 50, exposure: 0.2, exposure_size_slope: 0.1}\n"
      "  - {state: [BBB, CCC], sector: [goods, chips], role: exporter, count: 50, state_owned_share: 1.0,\n"
      "     state_owned_exposure: 0.9, exposure: 0.1}\n"
      "  - {state: HUB, sector: chips, role: intermediary, count: 4, capacity: 6}\n");
  const auto w = state::build_world(spec, spec.seed, 0);
  const auto& f = w.firms;
  for (std::size_t i = 0; i < f.state.size(); ++i) {
    if (f.state_owned[i]) CHECK(f.exposure[i] >= 0.9);
  }
  // Among the AAA importers of one population, a bigger firm never has less exposure.
  for (std::size_t i = 0; i < 50; ++i)
    for (std::size_t j = 0; j < 50; ++j)
      if (f.size[i] > f.size[j]) CHECK(f.exposure[i] >= f.exposure[j]);
}

TEST_CASE("populations are a pure function of seed and run", "[state]") {
  const auto spec = unit_spec();
  const auto a = state::build_world(spec, 5, 0);
  const auto b = state::build_world(spec, 5, 0);
  const auto c = state::build_world(spec, 5, 1);
  CHECK(a.firms.size == b.firms.size);
  CHECK(a.firms.exposure == b.firms.exposure);
  CHECK(a.firms.size != c.firms.size);
}

TEST_CASE("importers get a direct option to every other exporting state", "[state]") {
  const auto spec = unit_spec();
  const auto w = state::build_world(spec, spec.seed, 0);
  for (std::uint32_t f = 0; f < w.firms.state.size(); ++f) {
    const auto [b, e] = w.network.edges(f);
    if (static_cast<model::Role>(w.firms.role[f]) != model::Role::importer) {
      CHECK(b == e);
      continue;
    }
    // BBB and CCC, direct only: AAA is not the target of an export control.
    REQUIRE(e - b == 2);
    for (std::size_t edge = b; edge < e; ++edge) CHECK(w.network.option(w.firms.group[f], edge - b).hub == state::Option::no_hub);
  }
}

TEST_CASE("importers of an export control's target also get routes through hubs", "[state]") {
  const auto spec = unit_spec(
      "events:\n  - {id: x, kind: export_control, start: 2020-06, by: CCC, target: AAA, sectors: [chips]}\n");
  const auto w = state::build_world(spec, spec.seed, 0);
  const std::size_t hub = index(*model::find_state(spec, "HUB"));
  int hub_edges = 0;
  for (std::uint32_t f = 0; f < w.firms.state.size(); ++f) {
    const auto [b, e] = w.network.edges(f);
    for (std::size_t edge = b; edge < e; ++edge) hub_edges += w.network.option(w.firms.group[f], edge - b).hub == hub;
  }
  CHECK(hub_edges > 0);
}

TEST_CASE("an aggregate state's importers may buy from its own exporters", "[state]") {
  const auto spec = unit_spec(
      "states:\n  - {code: BBB, aggregate: true, import_absorption: {goods: 5}}\n"
      "firms:\n"
      "  - {state: AAA, sector: [goods, chips], role: importer, count: 20}\n"
      "  - {state: BBB, sector: goods, role: importer, count: 5}\n"
      "  - {state: [BBB, CCC], sector: [goods, chips], role: exporter, count: 10}\n"
      "  - {state: HUB, sector: chips, role: intermediary, count: 4, capacity: 6}\n");
  const auto w = state::build_world(spec, spec.seed, 0);
  const std::size_t bbb = index(*model::find_state(spec, "BBB"));
  bool buys_from_itself = false;
  for (std::uint32_t f = 0; f < w.firms.state.size(); ++f) {
    if (w.firms.state[f] != bbb || static_cast<model::Role>(w.firms.role[f]) != model::Role::importer) continue;
    const auto [b, e] = w.network.edges(f);
    for (std::size_t edge = b; edge < e; ++edge) buys_from_itself |= w.network.option(w.firms.group[f], edge - b).exporter == bbb;
  }
  CHECK(buys_from_itself);
}

TEST_CASE("distributions draw within their support", "[state]") {
  using K = model::Distribution::Kind;
  Stream s(1, 0, AgentKind::firm, 0, 0, Phase::init);
  for (int i = 0; i < 1000; ++i) {
    const double p = state::draw({K::pareto, 2.0, 1.5}, s);
    CHECK(p >= 2.0);
    const double b = state::draw({K::beta, 2.0, 5.0}, s);
    CHECK((b >= 0.0 && b <= 1.0));
    const double u = state::draw({K::uniform, 3.0, 4.0}, s);
    CHECK((u >= 3.0 && u < 4.0));
    CHECK(state::draw({K::lognormal, 1.0, 0.5}, s) > 0.0);
  }
  CHECK(state::draw({K::constant, 7.0, 0.0}, s) == 7.0);
}

TEST_CASE("the memory estimate adds firm, bank, edge, grid and record bytes as counted by hand", "[state]") {
  // Rows of world.hpp's columns. Firm: 2 + 2 (state, sector) + 1 + 1
  // (product, role) + 4 (population) + 4 (group) + 11 doubles + 5 flags =
  // 107, plus its entry in FirmGroup::firms (4) and Network::first_edge (8).
  // Bank: 2 + 2 + 9 doubles + 3 flags = 79. Edge: a double (weight), 2
  // floats (formed_feasibility, order) and 2 bytes (Relationship: 2 flags
  // and a month count): the options are the group's, not stored per edge.
  CHECK(state::bytes_per_firm() == 119);
  CHECK(state::bytes_per_bank() == 79);
  CHECK(state::bytes_per_edge() == 18);
  // The unit world: 4 states, 2 sectors (4 markets), 2 currencies; firms
  // 2 x 20 importers + 4 x 10 exporters + 4 intermediaries = 84; 4 banks;
  // each importer has an option to BBB and CCC, no targets: 80 edges.
  const auto spec = testing::unit_spec();
  const auto m = state::estimate_memory(spec, 100, 13);
  CHECK(m.firms == 84);
  CHECK(m.banks == 4);
  CHECK(m.edges == 80);
  CHECK(m.firm_bytes == 84 * 119);
  CHECK(m.bank_bytes == 4 * 79);
  CHECK(m.network_bytes == 80 * 18);
  // Doubles: S*S*(M + 3K + 2C + 12) = 16 * 26 = 416, S*(3M + 2K + 7) = 4 * 23
  // = 92, S*S*(1 + 2K) = 16 * 5 = 80; 588 in all, plus 3 * S*M int32 tables.
  CHECK(m.grid_bytes == 588 * 8 + 3 * 16 * 4);
  CHECK(m.record_bytes == 100 * 13 * 8);
  CHECK(m.total() == 84 * 119 + 316 + 80 * 18 + 4896 + 10400);
  // The network bound is exact here.
  const auto world = state::build_world(spec, 1, 0);
  CHECK(world.network.weight.size() == 80);
}
