// rules: policy in force, context, caution, orders.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "geosim/model/policy_kinds.hpp"
#include "geosim/rules/adaptive.hpp"
#include "geosim/rules/context.hpp"
#include "geosim/rules/decisions.hpp"
#include "geosim/rules/designation.hpp"
#include "geosim/rules/fleet.hpp"
#include "geosim/rules/hubs.hpp"
#include "geosim/rules/income.hpp"
#include "geosim/rules/learning.hpp"
#include "geosim/rules/demand.hpp"
#include "geosim/rules/orders.hpp"
#include "geosim/state/world.hpp"
#include "unit_world.hpp"

using namespace geosim;
using namespace geosim::testing;

namespace {

struct Ids {
  std::size_t aaa, bbb, ccc, goods, chips;
  explicit Ids(const model::ScenarioSpec& s)
      : aaa(index(*model::find_state(s, "AAA"))),
        bbb(index(*model::find_state(s, "BBB"))),
        ccc(index(*model::find_state(s, "CCC"))),
        goods(index(*model::find_sector(s, "goods"))),
        chips(index(*model::find_sector(s, "chips"))) {}
};

rules::PolicyState policy(const model::ScenarioSpec& spec, int step) {
  const state::Dims dims{spec.states.size(), spec.sectors.size(), spec.currencies.size()};
  return rules::policy_at(spec, dims, step, state::Grid({dims.states, dims.states}));
}

}  // namespace

TEST_CASE("the event that started last sets the intensity of its kind, pair and sector", "[rules]") {
  const auto spec = unit_spec(
      "events:\n"
      "  - {id: a, kind: import_ban, start: 2020-02, by: AAA, target: BBB, sectors: [goods], intensity: 0.8}\n"
      "  - {id: b, kind: import_ban, start: 2020-05, by: AAA, target: BBB, sectors: [goods], intensity: 0.2}\n"
      "  - {id: c, kind: import_ban, start: 2020-03, end: 2020-03, by: AAA, target: CCC, intensity: 1.0}\n");
  const Ids id(spec);
  const std::size_t m = state::market_of(id.goods, 0);
  CHECK(policy(spec, 0).import_ban(id.aaa, id.bbb, m) == 0.0);
  CHECK(policy(spec, 1).import_ban(id.aaa, id.bbb, m) == 0.8);
  CHECK(policy(spec, 4).import_ban(id.aaa, id.bbb, m) == 0.2);
  CHECK(policy(spec, 2).import_ban(id.aaa, id.ccc, m) == 1.0);
  CHECK(policy(spec, 3).import_ban(id.aaa, id.ccc, m) == 0.0);  // ended
  // BBB's exports to AAA: the importer's ban blocks the direct route.
  CHECK(policy(spec, 1).direct_block(id.bbb, id.aaa, m) == Approx(0.8));
}

TEST_CASE("dual-use-only export controls touch only the dual-use market", "[rules]") {
  const auto spec = unit_spec(
      "events:\n  - {id: x, kind: export_control, start: 2020-01, by: CCC, target: AAA, sectors: [chips], "
      "dual_use_only: true}\n");
  const Ids id(spec);
  const auto p = policy(spec, 0);
  CHECK(p.export_control(id.ccc, id.aaa, state::market_of(id.chips, 1)) == 1.0);
  CHECK(p.export_control(id.ccc, id.aaa, state::market_of(id.chips, 0)) == 0.0);
}

TEST_CASE("financial sanctions block their currency and the sanctioning state's banks", "[rules]") {
  const auto spec = unit_spec(
      "events:\n  - {id: f, kind: financial_sanctions, start: 2020-01, by: CCC, target: BBB, intensity: 0.6}\n");
  const Ids id(spec);
  const auto p = policy(spec, 0);
  const std::size_t usd = index(*model::find_currency(spec, "USD")), rub = index(*model::find_currency(spec, "RUB"));
  CHECK(p.blocked(id.aaa, id.bbb, usd) == Approx(0.6));  // CCC's home currency, for anyone
  CHECK(p.blocked(id.aaa, id.bbb, rub) == 0.0);
  CHECK(p.blocked(id.ccc, id.bbb, rub) == Approx(0.6));  // CCC's banks, in any currency
  CHECK(p.blocked(id.ccc, id.bbb, usd) == Approx(1 - 0.4 * 0.4));
}

TEST_CASE("financial sanctions that name no currency block only the sanctioning state's banks", "[rules]") {
  // HUB has no home currency (a coalition aggregate): `currencies: []`.
  const auto spec = unit_spec(
      "events:\n  - {id: f, kind: financial_sanctions, start: 2020-01, by: HUB, target: BBB, currencies: [],\n"
      "     intensity: 0.6}\n");
  const auto hub = index(*model::find_state(spec, "HUB"));
  const Ids id(spec);
  const auto p = policy(spec, 0);
  for (std::size_t c = 0; c < spec.currencies.size(); ++c) {
    CHECK(p.blocked(id.aaa, id.bbb, c) == 0.0);
    CHECK(p.blocked(hub, id.bbb, c) == Approx(0.6));
  }
}

TEST_CASE("world prices are piecewise linear and flat outside their points", "[rules]") {
  model::SectorSpec s;
  s.price.points = {{Month::from(2020, 1), 10.0}, {Month::from(2020, 5), 30.0}};
  CHECK(rules::world_price(s, Month::from(2019, 6)) == 10.0);
  CHECK(rules::world_price(s, Month::from(2020, 3)) == 20.0);
  CHECK(rules::world_price(s, Month::from(2021, 1)) == 30.0);
  model::SectorSpec flat;
  flat.reference_price = 4.0;
  CHECK(rules::world_price(flat, Month::from(2020, 3)) == 4.0);
}

TEST_CASE("without a revenue elasticity the real exchange rate is its path, flat after the last point, whatever the income",
          "[rules]") {
  const auto spec = unit_spec("states:\n  - {code: BBB, real_exchange_rate: [[2020-02, 1.0], [2020-04, 0.8]]}\n");
  auto w = state::build_world(spec, spec.seed, 0);
  const Ids id(spec);
  w.agg.income(id.bbb) = 0.3;
  w.agg.income(id.aaa) = 0.3;
  for (int step = 0; step < spec.steps(); ++step) {
    const auto ctx = rules::make_context(spec, w, step, spec.seed, 0);
    CHECK(ctx.real_exchange_rate(id.bbb) == rules::path_value(spec.states[id.bbb].real_exchange_rate, spec.start + step, 1));
    CHECK(ctx.real_exchange_rate(id.aaa) == 1.0);
  }
  CHECK(rules::make_context(spec, w, 11, spec.seed, 0).real_exchange_rate(id.bbb) == 0.8);
}

TEST_CASE("after its path the real exchange rate moves with income from the income read in the path's last month",
          "[rules]") {
  // BBB's rate is observed to 2020-03; income is smoothed with weight 0.5 on
  // revenue relative to a flat trend. Revenue R, R/2, R/4 in steps 0, 1, 2
  // gives income 1, 0.75, 0.5 after them.
  const auto spec = unit_spec(
      "parameters: {orders: {income_smoothing: 0.5}}\n"
      "states:\n  - {code: BBB, growth: 0, exchange_rate_revenue_elasticity: 0.5,\n"
      "     real_exchange_rate: [[2020-01, 1.0], [2020-03, 0.8]]}\n");
  auto w = state::build_world(spec, spec.seed, 0);
  const Ids id(spec);
  const std::size_t S = spec.states.size(), K = spec.sectors.size();
  const auto earn = [&](int step, double revenue) {
    state::Grid value({S, S, K});
    value(id.bbb, id.aaa, id.goods) = revenue;
    rules::update_income(rules::make_context(spec, w, step, spec.seed, 0), w, value);
  };
  const auto rate = [&](int step) { return rules::make_context(spec, w, step, spec.seed, 0).real_exchange_rate(id.bbb); };
  earn(0, 1e9);
  CHECK(w.agg.exchange_rate_anchor(id.bbb) == 1.0);
  earn(1, 0.5e9);  // next month (2020-03) is the path's last point: its income is the anchor
  CHECK(w.agg.income(id.bbb) == 0.75);
  CHECK(w.agg.exchange_rate_anchor(id.bbb) == 0.75);
  CHECK(rate(2) == 0.8);  // the path, in its last month
  earn(2, 0.25e9);
  CHECK(w.agg.income(id.bbb) == 0.5);
  CHECK(w.agg.exchange_rate_anchor(id.bbb) == 0.75);  // recorded once
  CHECK(rate(3) == Approx(0.8 * std::sqrt(0.5 / 0.75)).epsilon(1e-12));
  w.agg.income(id.bbb) = 0.75;  // back at the anchor: back at the last observed rate
  CHECK(rate(3) == 0.8);
  // A state without a path starts from 1, the income of the first month.
  CHECK(rules::real_exchange_rate(spec.states[id.aaa], 0.5, 1.0, spec.start + 3) == 1.0);
  model::StateSpec pathless;
  pathless.exchange_rate_revenue_elasticity = 0.5;
  CHECK(rules::real_exchange_rate(pathless, 0.64, 1.0, spec.start) == Approx(0.8).epsilon(1e-12));
}

TEST_CASE("high-exposure firms turn cautious under enforcement that low-exposure ones shrug off", "[rules]") {
  // BBB is sanctioned; CCC's chips exporters face enforcement for dealing with it.
  const auto spec = unit_spec(
      "firms:\n"
      "  - {state: AAA, sector: [goods, chips], role: importer, count: 20}\n"
      "  - {state: BBB, sector: [goods, chips], role: exporter, count: 10}\n"
      "  - {state: CCC, sector: [goods, chips], role: exporter, count: 200, size: 1,\n"
      "     exposure: {uniform: {low: 0, high: 1}}, exposure_size_slope: 0, risk_tolerance: 1}\n"
      "  - {state: HUB, sector: chips, role: intermediary, count: 4, capacity: 6}\n"
      "parameters: {risk: {detection_base: 0.5, margin: 0.1, initial_belief: 1.0}}\n"
      "events:\n  - {id: s, kind: secondary_sanctions, start: 2020-01, by: AAA, target: BBB, sectors: [chips], "
      "scope: firms, intensity: 1.0}\n");
  auto w = state::build_world(spec, spec.seed, 0);
  const auto ctx = rules::make_context(spec, w, 0, spec.seed, 0);
  rules::assess_firms(ctx, w, 0, w.firms.state.size());
  const Ids id(spec);
  // penalty = belief 1 x detect 0.5 x exposure x 3 > margin 0.1 x stake 0.01 x tolerance 1
  // for any exposure above 0.0007; the goods firms face no enforcement.
  int cautious_high = 0, high = 0, cautious_goods = 0;
  for (std::size_t i = 0; i < w.firms.state.size(); ++i) {
    if (w.firms.state[i] != id.ccc) continue;
    if (w.firms.sector[i] == id.goods) {
      cautious_goods += w.firms.cautious[i];
      continue;
    }
    if (w.firms.exposure[i] > 0.5) {
      ++high;
      cautious_high += w.firms.cautious[i];
    }
    if (w.firms.exposure[i] < 1e-4) CHECK_FALSE(w.firms.cautious[i]);
  }
  CHECK(cautious_goods == 0);
  CHECK(high > 0);
  CHECK(cautious_high == high);
}

TEST_CASE("relationships move only reoptimise_share of the way toward a new desired split", "[rules]") {
  const auto spec = unit_spec("parameters: {orders: {reoptimise_share: 0.25, switching_cost: 0}}\n");
  auto w = state::build_world(spec, spec.seed, 0);
  const Ids id(spec);
  state::Grid demand({spec.states.size(), 2 * spec.sectors.size()}, 1.0);
  auto ctx = rules::make_context(spec, w, 0, spec.seed, 0);
  auto terms = rules::option_terms(ctx, w);
  rules::place_orders(ctx, w, terms, demand);
  // The first AAA importer: symmetric suppliers, so the split starts even.
  std::uint32_t f = 0;
  while (static_cast<model::Role>(w.firms.role[f]) != model::Role::importer) ++f;
  const auto [b, e] = w.network.edges(f);
  REQUIRE(e - b == 2);
  CHECK(w.network.weight[b] == Approx(0.5));
  // Make the first option unattractive: its desired share drops to ~0 and the
  // weight moves a quarter of the way there.
  ctx.step = 1;
  terms = rules::option_terms(ctx, w);
  for (auto& group : terms)
    if (!group.empty()) group[0].attraction = 0.0;
  rules::place_orders(ctx, w, terms, demand);
  CHECK(w.network.weight[b] == Approx(0.375));
  CHECK(w.network.weight[b + 1] == Approx(0.625));
  // Orders follow the weights and add up to the firm's demand.
  CHECK(w.network.order[b] + w.network.order[b + 1] == Approx(w.firms.share[f] * demand(id.aaa, 0)));
}

TEST_CASE("a new ban closes an option at once while its relationship weight decays slowly", "[rules]") {
  const auto spec = unit_spec("parameters: {orders: {reoptimise_share: 0.25}}\n");
  auto w = state::build_world(spec, spec.seed, 0);
  state::Grid demand({spec.states.size(), 2 * spec.sectors.size()}, 1.0);
  auto ctx = rules::make_context(spec, w, 0, spec.seed, 0);
  auto terms = rules::option_terms(ctx, w);
  rules::place_orders(ctx, w, terms, demand);
  ctx.step = 1;
  terms = rules::option_terms(ctx, w);
  for (auto& group : terms)
    if (!group.empty()) group[0].feasibility = 0.0;
  rules::place_orders(ctx, w, terms, demand);
  std::uint32_t f = 0;
  while (static_cast<model::Role>(w.firms.role[f]) != model::Role::importer) ++f;
  const auto [b, e] = w.network.edges(f);
  CHECK(w.network.order[b] == 0.0);
  CHECK(w.network.weight[b] == Approx(0.375));
  CHECK(w.network.order[b + 1] == Approx(w.firms.share[f] * 1.0));
}
TEST_CASE("a group's order sums add its firms' orders as stored, so their shares of the sums add up to one",
          "[rules]") {
  // Orders are stored as float (rounded once, where they are made); clearing
  // and firm_trade divide by the group's sums, which must be of those values.
  const auto spec = unit_spec();
  auto w = state::build_world(spec, spec.seed, 0);
  state::Grid demand({spec.states.size(), 2 * spec.sectors.size()}, 1.0);
  auto ctx = rules::make_context(spec, w, 0, spec.seed, 0);
  const auto sums = rules::place_orders(ctx, w, rules::option_terms(ctx, w), demand);
  std::size_t groups = 0;
  for (std::size_t g = 0; g < w.groups.size(); ++g) {
    if (w.groups[g].role != model::Role::importer) continue;
    REQUIRE(w.groups[g].firms.size() <= state::block_firms);  // one block: the sums run in firm order
    const std::size_t n = w.network.option_count(g);
    std::vector<double> placed(n, 0.0);
    double all = 0;
    for (auto i : w.groups[g].firms) {
      const auto [b, e] = w.network.edges(i);
      for (std::size_t o = 0; o < n; ++o) {
        placed[o] += w.network.order[b + o];
        all += w.network.order[b + o];
      }
    }
    for (std::size_t o = 0; o < n; ++o) CHECK(sums.placed[g][o] == placed[o]);
    CHECK(sums.order_sum[g] == all);
    CHECK(all > 0);
    ++groups;
  }
  CHECK(groups > 0);
}


namespace {

/// The unit world's AAA importers of goods with a small affinity for BBB, so
/// that BBB has no relationship with them in the first month (its share,
/// about 1 %, is under established_share), and the given orders parameters.
model::ScenarioSpec spot_world(const std::string& orders) {
  return unit_spec(
      "sectors:\n  - {code: goods, switching_cost: 0.1, spot_weight: 0.25}\n"
      "affinities:\n  - {importer: AAA, exporter: BBB, sector: goods, weight: 0.01}\n"
      "parameters: {orders: " + orders + "}\n");
}

/// Runs place_orders for months 1..months with BBB's goods option to AAA
/// priced at `price_bbb` (CCC's stays at its own), and returns BBB's share of
/// the first AAA goods importer's orders in each month.
std::vector<double> bbb_shares(const model::ScenarioSpec& spec, double price_bbb, int months) {
  auto w = state::build_world(spec, spec.seed, 0);
  const Ids id(spec);
  state::Grid demand({spec.states.size(), 2 * spec.sectors.size()}, 1.0);
  auto ctx = rules::make_context(spec, w, 0, spec.seed, 0);
  rules::place_orders(ctx, w, rules::option_terms(ctx, w), demand);
  std::uint32_t f = 0;
  while (static_cast<model::Role>(w.firms.role[f]) != model::Role::importer || w.firms.sector[f] != id.goods ||
         w.firms.product[f] != 0)
    ++f;
  const auto [b, e] = w.network.edges(f);
  REQUIRE(e - b == 2);
  REQUIRE(w.network.option(w.firms.group[f], 0).exporter == id.bbb);
  CHECK(!w.network.relationship[b].established());  // about 1 % of purchases
  CHECK(w.network.relationship[b + 1].established());
  std::vector<double> shares;
  for (int step = 1; step <= months; ++step) {
    ctx.step = step;
    auto terms = rules::option_terms(ctx, w);
    for (auto& group : terms) {
      if (group.size() != 2) continue;
      const double sigma = spec.sectors[id.goods].elasticity;
      group[0].attraction *= std::pow(price_bbb / group[0].price, -sigma);
      group[0].price = price_bbb;
    }
    rules::place_orders(ctx, w, terms, demand);
    // Orders are floats (relative precision 6e-8): the odds of two of them,
    // against those of two others, agree to about 2.4e-7.
    shares.push_back(w.network.order[b] / (w.network.order[b] + w.network.order[b + 1]));
  }
  return shares;
}

}  // namespace

TEST_CASE("a supplier without a relationship gets one only when its discount pays for the switch", "[rules]") {
  // CCC's goods reach AAA at 1.1 (the default trade cost of 10 %). BBB at
  // 1.001 is 9 % cheaper, not enough to pay a switching cost of 10 %
  // (1.001 x 1.1 > 1.1); at 0.99 it pays (0.99 x 1.1 <= 1.1).
  const auto spec = spot_world("{reoptimise_share: 1, formation_lag: 0}");
  const auto below = bbb_shares(spec, 1.001, 6);
  const auto above = bbb_shares(spec, 0.99, 6);
  // Below the threshold BBB stays a spot supplier: its share is the CES
  // share of its spot weight, flat.
  const double spot = below.front();
  CHECK(spot < 0.05);
  for (double s : below) CHECK(s == Approx(spot));
  // Above it the relationship forms at once (no lag): BBB weighs four times
  // as much (spot_weight 0.25), from the first month.
  const double cheaper = std::pow(0.99 / 1.001, -4.0);  // CES factor of the lower price alone
  const double odds_spot = spot / (1 - spot) * cheaper;
  for (double s : above) CHECK(s / (1 - s) == Approx(4 * odds_spot).epsilon(1e-6));
}

TEST_CASE("a relationship carries volume at scale only after the formation lag", "[rules]") {
  const auto spec = spot_world("{reoptimise_share: 1, formation_lag: 3}");
  const auto spot = bbb_shares(spec, 1.001, 1).front();
  const auto shares = bbb_shares(spec, 0.9, 6);
  // Decided in month 1; months 1-3 still spot (the lower price alone), the
  // relationship from month 4, three months after the decision.
  const double spot_odds = spot / (1 - spot) * std::pow(0.9 / 1.001, -4.0);
  for (int t = 0; t < 3; ++t) CHECK(shares[t] / (1 - shares[t]) == Approx(spot_odds).epsilon(1e-6));
  for (int t = 3; t < 6; ++t) CHECK(shares[t] / (1 - shares[t]) == Approx(4 * spot_odds).epsilon(1e-6));
}

TEST_CASE("a decision to switch stands when the discount narrows during the formation lag", "[rules]") {
  // The switching cost is sunk once decided: BBB cheap in month 1 only.
  const auto spec = spot_world("{reoptimise_share: 1, formation_lag: 2}");
  auto w = state::build_world(spec, spec.seed, 0);
  const Ids id(spec);
  state::Grid demand({spec.states.size(), 2 * spec.sectors.size()}, 1.0);
  auto ctx = rules::make_context(spec, w, 0, spec.seed, 0);
  rules::place_orders(ctx, w, rules::option_terms(ctx, w), demand);
  std::uint32_t f = 0;
  while (static_cast<model::Role>(w.firms.role[f]) != model::Role::importer || w.firms.sector[f] != id.goods ||
         w.firms.product[f] != 0)
    ++f;
  const auto [b, e] = w.network.edges(f);
  for (int step = 1; step <= 3; ++step) {
    ctx.step = step;
    auto terms = rules::option_terms(ctx, w);
    if (step == 1)
      for (auto& group : terms)
        if (group.size() == 2) group[0].price = 0.9;
    rules::place_orders(ctx, w, terms, demand);
    CHECK(w.network.relationship[b].formed() == (step == 3));
    CHECK(w.network.relationship[b].forming() == (step == 3 ? 0 : step));
  }
}

TEST_CASE("a relationship the importer stops using is lost and weighs its spot weight again", "[rules]") {
  // CCC is established. Closed for long enough, its weight falls below 1e-6
  // and the relationship is lost. Meanwhile BBB, the only open supplier, has
  // nothing to beat and forms one. Reopened, CCC weighs spot_weight of what
  // it did and BBB 1/spot_weight: CCC's odds against BBB are spot_weight^2
  // of the first month's.
  const auto spec = spot_world("{reoptimise_share: 0.9, formation_lag: 0}");
  auto w = state::build_world(spec, spec.seed, 0);
  const Ids id(spec);
  state::Grid demand({spec.states.size(), 2 * spec.sectors.size()}, 1.0);
  auto ctx = rules::make_context(spec, w, 0, spec.seed, 0);
  const auto first = rules::place_orders(ctx, w, rules::option_terms(ctx, w), demand);
  std::uint32_t f = 0;
  while (static_cast<model::Role>(w.firms.role[f]) != model::Role::importer || w.firms.sector[f] != id.goods ||
         w.firms.product[f] != 0)
    ++f;
  const auto [b, e] = w.network.edges(f);
  // The group's desired orders: its firms split theirs alike (no firm's own
  // risk premium enters), so the group's odds are each firm's.
  const std::size_t g = w.firms.group[f];
  const double odds_first = first.desired[g][1] / first.desired[g][0];
  int step = 1;
  for (; step <= 8; ++step) {
    ctx.step = step;
    auto terms = rules::option_terms(ctx, w);
    for (auto& group : terms)
      if (group.size() == 2) group[1].feasibility = 0.0;
    rules::place_orders(ctx, w, terms, demand);
    CHECK(w.network.relationship[b].formed());
  }
  REQUIRE(w.network.weight[b + 1] < 1e-6);
  ctx.step = step;
  const auto reopened = rules::place_orders(ctx, w, rules::option_terms(ctx, w), demand);
  CHECK(!w.network.relationship[b + 1].formed());
  CHECK(reopened.desired[g][1] / reopened.desired[g][0] == Approx(0.25 * 0.25 * odds_first).epsilon(1e-9));
}

TEST_CASE("an affinity follows its path over time and a sector entry overrides an all-sector one", "[rules]") {
  const auto spec = unit_spec(
      "affinities:\n"
      "  - {importer: AAA, exporter: BBB, weight: 2.0}\n"
      "  - {importer: AAA, exporter: BBB, sector: goods, weight: 0.5, path: [[2020-03, 1.0], [2020-07, 3.0]]}\n");
  const auto w = state::build_world(spec, spec.seed, 0);
  const Ids id(spec);
  const auto at = [&](int step) { return rules::make_context(spec, w, step, spec.seed, 0); };
  CHECK(at(0).affinity(id.aaa, id.bbb, id.goods) == Approx(0.5));      // flat before the first point
  CHECK(at(4).affinity(id.aaa, id.bbb, id.goods) == Approx(0.5 * 2.0));  // halfway
  CHECK(at(11).affinity(id.aaa, id.bbb, id.goods) == Approx(1.5));     // flat after the last
  CHECK(at(4).affinity(id.aaa, id.bbb, id.chips) == Approx(2.0));
  CHECK(at(4).affinity(id.aaa, id.ccc, id.goods) == Approx(1.0));
}

TEST_CASE("import absorption follows its sector's path on top of the trend", "[rules]") {
  const auto spec = unit_spec(
      "states:\n  - {code: AAA, import_absorption: {goods: 12, chips: 12}, growth: 0.1,\n"
      "     import_path: {goods: [[2020-01, 1.0], [2021-01, 2.0]]}}\n");
  const auto w = state::build_world(spec, spec.seed, 0);
  const Ids id(spec);
  const auto ctx = rules::make_context(spec, w, 6, spec.seed, 0);
  const double trend = std::pow(1.1, 0.5);
  CHECK(ctx.absorption(id.aaa, state::market_of(id.goods, 0)) == Approx(12e9 / 12 * trend * 1.5));
  CHECK(ctx.absorption(id.aaa, state::market_of(id.chips, 0)) == Approx(12e9 / 12 * trend * 0.5));  // half dual-use
}

namespace {

/// AAA's orders for goods at step 0 when last month's effective prices were
/// `price_ratio` of the first month's and BBB offers `discount`; per
/// exporter (BBB, CCC), summed over AAA's importers of goods.
struct GoodsOrders {
  double demand = 0, bbb = 0, ccc = 0;
};

GoodsOrders goods_orders(const std::string& extra, double price_ratio, double discount) {
  const auto spec = unit_spec(extra);
  auto w = state::build_world(spec, spec.seed, 0);
  const Ids id(spec);
  const std::size_t m = state::market_of(id.goods, 0);
  w.agg.price_ratio(id.aaa, m) = price_ratio;
  // Buyers choose by the market discount (before any price cap).
  w.agg.market_discount(id.bbb, id.aaa, id.goods) = discount;
  w.agg.discount(id.bbb, id.aaa, id.goods) = discount;
  const auto ctx = rules::make_context(spec, w, 0, spec.seed, 0);
  const auto demand = rules::import_demand(ctx, w);
  rules::place_orders(ctx, w, rules::option_terms(ctx, w), demand);
  GoodsOrders out{demand(id.aaa, m)};
  for (std::uint32_t f = 0; f < w.firms.state.size(); ++f) {
    if (static_cast<model::Role>(w.firms.role[f]) != model::Role::importer || w.firms.state[f] != id.aaa ||
        w.firms.sector[f] != id.goods)
      continue;
    const auto [b, e] = w.network.edges(f);
    for (std::size_t edge = b; edge < e; ++edge) {
      const auto& o = w.network.option(w.firms.group[f], edge - b);
      if (o.hub != state::Option::no_hub) continue;
      (o.exporter == id.bbb ? out.bbb : out.ccc) += w.network.order[edge];
    }
  }
  return out;
}

const std::string capped_aaa =
    "states:\n  - {code: AAA, import_absorption: {goods: 12, chips: 12}, import_capacity: {goods: 1.1}}\n";

}  // namespace

TEST_CASE("a buyer offered a deep discount by one supplier buys no more than its capacity and shifts its mix to it",
          "[rules]") {
  // Trend absorption of goods is 12 bn/yr = 1e9 a month at step 0. Last
  // month's prices 0.6 of the first month's would lift demand by
  // 0.6^-0.3 = 1.166; the capacity stops it at 1.1.
  const GoodsOrders calm = goods_orders(capped_aaa, 1.0, 0.0);
  const GoodsOrders uncapped = goods_orders("", 0.6, 0.5);
  const GoodsOrders capped = goods_orders(capped_aaa, 0.6, 0.5);
  CHECK(calm.demand == Approx(1e9));
  CHECK(uncapped.demand == Approx(1e9 * std::pow(0.6, -0.3)));
  CHECK(capped.demand == Approx(1.1e9));
  CHECK(capped.bbb + capped.ccc == Approx(1.1e9));
  // The discount halves BBB's price: with sigma = 4 its odds against CCC
  // rise 0.5^-4 = 16-fold, whatever the total.
  CHECK((capped.bbb / capped.ccc) / (calm.bbb / calm.ccc) == Approx(16.0));
  CHECK(capped.bbb > calm.bbb);
  CHECK(capped.ccc < calm.ccc);
}

TEST_CASE("an import capacity that does not bind leaves demand exactly as without it", "[rules]") {
  // 0.9^-0.3 = 1.032 < 1.1.
  const GoodsOrders free = goods_orders("", 0.9, 0.2);
  const GoodsOrders capped = goods_orders(capped_aaa, 0.9, 0.2);
  CHECK(capped.demand == free.demand);
  CHECK(capped.bbb == free.bbb);
  CHECK(capped.ccc == free.ccc);
}

TEST_CASE("the import capacity of an observed path is a multiple of trend times path", "[rules]") {
  const std::string observed =
      "states:\n  - {code: AAA, import_absorption: {goods: 12, chips: 12}, import_capacity: {goods: 1.1},\n"
      "     import_path: {goods: [[2020-01, 2.0]]}}\n";
  CHECK(goods_orders(observed, 1.0, 0.0).demand == Approx(2e9));
  CHECK(goods_orders(observed, 0.6, 0.5).demand == Approx(1.1 * 2e9));
}

TEST_CASE("a buyers' risk premium raises the effective price of the target's goods and nobody else's", "[rules]") {
  const auto price_of = [](const std::string& extra, const char* exporter, const char* sector) {
    const auto spec = unit_spec(extra);
    const auto w = state::build_world(spec, spec.seed, 0);
    const Ids id(spec);
    const std::size_t j = index(*model::find_state(spec, exporter)), k = index(*model::find_sector(spec, sector));
    const std::size_t m = state::market_of(k, 0);
    const auto terms = rules::option_terms(rules::make_context(spec, w, 0, spec.seed, 0), w);
    const auto g = static_cast<std::size_t>(w.importer_group[id.aaa * w.dims.markets() + m]);
    const auto [b, e] = w.network.edges(w.groups[g].firms.front());
    for (std::size_t edge = b; edge < e; ++edge)
      if (w.network.option(g, edge - b).exporter == j && w.network.option(g, edge - b).hub == state::Option::no_hub)
        return terms[g][edge - b].price;
    FAIL("no direct option");
    return 0.0;
  };
  const std::string premium =
      "events:\n  - {id: p, kind: risk_premium, start: 2020-01, by: AAA, target: BBB, sectors: [goods], "
      "intensity: 0.5}\n";
  CHECK(price_of(premium, "BBB", "goods") == Approx(1.5 * price_of("", "BBB", "goods")));
  CHECK(price_of(premium, "CCC", "goods") == price_of("", "CCC", "goods"));
  CHECK(price_of(premium, "BBB", "chips") == price_of("", "BBB", "chips"));
}

namespace {

/// An event of `kind` with every key the kind takes, valid in the unit world.
std::string full_event(const model::PolicyKindInfo& kind) {
  static const std::map<std::string_view, std::string> values{
      {"id", "probe"},     {"start", "2020-01"},      {"end", "2020-12"},    {"by", "AAA"},
      {"target", "BBB"},   {"intensity", "0.5"},      {"label", "probe"},    {"sectors", "[goods]"},
      {"dual_use_only", "false"}, {"cap", "50"},      {"currencies", "[USD]"}, {"scope", "firms"},
      {"banks", "banks"},  {"listed", "{CCC: 1}"}};
  std::string keys = "kind: " + std::string(kind.name);
  const auto add = [&](std::span<const model::EventKey> list) {
    for (const model::EventKey& k : list) {
      if (k.name == "kind") continue;
      const auto it = values.find(k.name);
      if (it == values.end()) FAIL("no sample value for event key '" << k.name << "'; add one to full_event()");
      keys += ", " + std::string(k.name) + ": " + it->second;
    }
  };
  add(model::common_event_keys);
  add(kind.keys);
  return "events:\n  - {" + keys + "}\n";
}

/// The unit world with the events of `events_yaml`, and the policy in force
/// in its first month.
struct FirstMonth {
  model::ScenarioSpec spec;
  Ids id;
  rules::PolicyState p;
  explicit FirstMonth(const std::string& events_yaml)
      : spec(unit_spec(events_yaml)), id(spec), p(policy(spec, 0)) {}
};

/// Every cell of the policy state, grid after grid.
std::vector<double> cells(const rules::PolicyState& p) {
  std::vector<double> out;
  for (const state::Grid* g : {&p.export_control, &p.import_ban, &p.price_cap, &p.price_cap_intensity,
                               &p.cap_coalition, &p.currency_block, &p.bank_block, &p.secondary_firms,
                               &p.secondary_banks, &p.bank_withdrawal, &p.risk_premium, &p.fleet_sanctions})
    out.insert(out.end(), g->data().begin(), g->data().end());
  return out;
}

}  // namespace

TEST_CASE("an event of every policy kind changes the policy in force while it applies", "[rules]") {
  const auto none = cells(policy(unit_spec(), 0));
  for (const model::PolicyKindInfo& kind : model::policy_kinds()) {
    INFO("kind " << kind.name);
    const auto spec = unit_spec(full_event(kind));
    REQUIRE(spec.events.size() == 1);
    CHECK(cells(policy(spec, 0)) != none);
  }
}

TEST_CASE("a price cap sets the ceiling and its intensity for the target and marks the capping state", "[rules]") {
  const auto& [spec, id, p] = FirstMonth(
      "events:\n  - {id: c, kind: price_cap, start: 2020-01, by: CCC, target: BBB, sectors: [goods], cap: 50, "
      "intensity: 0.7}\n");
  CHECK(p.price_cap(id.bbb, id.goods) == 50.0);
  CHECK(p.price_cap_intensity(id.bbb, id.goods) == 0.7);
  CHECK(p.price_cap(id.bbb, id.chips) == 0.0);
  CHECK(p.cap_coalition(id.bbb, id.ccc) == 1.0);
  CHECK(p.cap_coalition(id.bbb, id.aaa) == 0.0);
}

TEST_CASE("secondary sanctions aimed at banks leave firms' enforcement alone", "[rules]") {
  const auto& [spec, id, p] = FirstMonth(
      "events:\n  - {id: s, kind: secondary_sanctions, start: 2020-01, by: CCC, target: BBB, scope: banks, "
      "intensity: 0.4}\n");
  CHECK(p.secondary_banks(id.ccc, id.bbb) == 0.4);
  CHECK(p.secondary_firms(id.ccc, id.bbb, state::market_of(id.goods, 0)) == 0.0);
  CHECK(rules::bank_enforcement(p, spec.states.size(), id.aaa, id.bbb) == 0.4);
}

TEST_CASE("a bank withdrawal concerns the named populations of the withdrawing state", "[rules]") {
  const auto& [spec, id, p] = FirstMonth(
      "events:\n  - {id: w, kind: bank_withdrawal, start: 2020-01, by: AAA, target: BBB, banks: banks, "
      "intensity: 0.9}\n");
  CHECK(p.bank_withdrawal(0, id.bbb) == 0.9);
  CHECK(p.bank_withdrawal(0, id.ccc) == 0.0);
}

TEST_CASE("tanker designations take their yearly share of the alternative fleet and what was built beyond the "
          "commercial fleet retires",
          "[rules]") {
  const std::string fleet = "states:\n  - {code: BBB, shadow_fleet: 0.2}\n"
                            "parameters: {adaptive: {shadow_fleet_investment: false, fleet_depreciation: 0.1}}\n";
  {
    const auto spec = unit_spec(fleet);
    const Ids id(spec);
    auto w = state::build_world(spec, spec.seed, 0);
    const state::Grid none({w.dims.states, w.dims.states, w.dims.sectors});
    // Built beyond the commercial 0.2: 0.4 more, retiring at 10 % a month.
    w.agg.shadow_fleet(id.bbb) = 0.6;
    rules::update_fleet(rules::make_context(spec, w, 0, spec.seed, 0), w, none, none);
    CHECK(w.agg.shadow_fleet(id.bbb) == Approx(0.2 + 0.9 * 0.4));
  }
  // Designations take half the fleet a year, spread over the months; the
  // commercial fleet shrinks with it.
  const auto spec = unit_spec(fleet + "events:\n  - {id: t, kind: fleet_sanctions, start: 2020-01, by: CCC, "
                                      "target: BBB, intensity: 0.5}\n");
  const Ids id(spec);
  auto w = state::build_world(spec, spec.seed, 0);
  const state::Grid none({w.dims.states, w.dims.states, w.dims.sectors});
  for (int t = 0; t < 12; ++t) rules::update_fleet(rules::make_context(spec, w, t, spec.seed, 0), w, none, none);
  CHECK(w.agg.shadow_fleet(id.bbb) == Approx(0.1));
  CHECK(w.agg.fleet_base(id.bbb) == Approx(0.1));
}

TEST_CASE("a hub's re-export capacity grows with the margin it earns, less as it nears its ceiling", "[rules][hubs]") {
  // HUB: markup 0.1, intermediaries of chips with 6 USD bn a year; capacity
  // added a month = 0.5 x the margin, up to twice the trend capacity.
  const auto spec = unit_spec("states:\n  - {code: HUB, hub: {capacity_growth: 0.5, capacity_ceiling: 2}}\n");
  const Ids id(spec);
  const std::size_t hub = index(*model::find_state(spec, "HUB"));
  auto w = state::build_world(spec, spec.seed, 0);
  const std::size_t S = w.dims.states, M = w.dims.markets();
  const auto ctx = rules::make_context(spec, w, 0, spec.seed, 0);
  const double trend = ctx.hub_trend_capacity(hub, id.chips);
  REQUIRE(trend == Approx(6e9 / 12));
  CHECK(ctx.hub_capacity(hub, id.chips) == trend);
  // At full use, half of it dual-use: the margin is 0.1 x trend.
  state::Grid volume({S, S, M});
  volume(hub, id.aaa, state::market_of(id.chips, 0)) = trend / 2;
  volume(hub, id.aaa, state::market_of(id.chips, 1)) = trend / 2;
  rules::update_hub_capacity(ctx, w, volume);
  const double x1 = 1 + 0.5 * 0.1 * 1.0 * (1 - 1.0 / 2);
  CHECK(w.agg.hub_expansion(hub, id.chips) == Approx(x1));
  CHECK(w.agg.hub_expansion(hub, id.goods) == 1.0);  // no intermediaries of goods
  // The next month clears with the grown capacity (on its trend).
  const auto next = rules::make_context(spec, w, 1, spec.seed, 0);
  CHECK(next.hub_capacity(hub, id.chips) == Approx(x1 * next.hub_trend_capacity(hub, id.chips)));
  // No re-exports, no margin: the capacity stays.
  rules::update_hub_capacity(next, w, state::Grid({S, S, M}));
  CHECK(w.agg.hub_expansion(hub, id.chips) == Approx(x1));
  // It never passes the ceiling, however large the margin.
  volume(hub, id.aaa, state::market_of(id.chips, 0)) = 1000 * trend;
  for (int t = 0; t < 50; ++t) rules::update_hub_capacity(next, w, volume);
  CHECK(w.agg.hub_expansion(hub, id.chips) == Approx(2.0));
  CHECK(w.agg.hub_expansion(hub, id.chips) <= 2.0);
}

TEST_CASE("without a capacity growth a hub's capacity stays on its trend whatever the margin", "[rules][hubs]") {
  const auto spec = unit_spec();
  const Ids id(spec);
  const std::size_t hub = index(*model::find_state(spec, "HUB"));
  auto w = state::build_world(spec, spec.seed, 0);
  const auto ctx = rules::make_context(spec, w, 0, spec.seed, 0);
  state::Grid volume({w.dims.states, w.dims.states, w.dims.markets()});
  volume(hub, id.aaa, state::market_of(id.chips, 1)) = ctx.hub_trend_capacity(hub, id.chips);
  rules::update_hub_capacity(ctx, w, volume);
  CHECK(w.agg.hub_expansion(hub, id.chips) == 1.0);
}

TEST_CASE("an export path such as a production quota scales the exporter's capacity in its months", "[rules]") {
  const auto base = unit_spec();
  const auto spec = unit_spec("states:\n  - {code: BBB, export_path: {goods: [[2020-03, 1.0], [2020-05, 0.8]]}}\n");
  const Ids id(spec);
  const auto w = state::build_world(spec, spec.seed, 0);
  const auto w0 = state::build_world(base, base.seed, 0);
  const std::size_t m = state::market_of(id.goods, 0);
  const auto capacity = [&](const model::ScenarioSpec& s, const state::World& world, int step) {
    return rules::make_context(s, world, step, s.seed, 0).capacity(id.bbb, m);
  };
  CHECK(capacity(spec, w, 2) == capacity(base, w0, 2));
  CHECK(capacity(spec, w, 3) == Approx(0.9 * capacity(base, w0, 3)));
  CHECK(capacity(spec, w, 6) == Approx(0.8 * capacity(base, w0, 6)));
  CHECK(rules::make_context(spec, w, 6, spec.seed, 0).capacity(id.ccc, m) ==
        rules::make_context(base, w0, 6, base.seed, 0).capacity(id.ccc, m));
}

TEST_CASE("in a supply-limited sector a cheaper supplier changes a buyer's mix, not its total demand", "[rules]") {
  const auto elastic = unit_spec();
  const auto limited = unit_spec("sectors:\n  - {code: goods, supply_elasticity: 0.1}\n");
  const Ids id(elastic);
  const std::size_t m = state::market_of(id.goods, 0);
  for (const auto* spec : {&elastic, &limited}) {
    auto w = state::build_world(*spec, spec->seed, 0);
    const auto ctx = rules::make_context(*spec, w, 1, spec->seed, 0);
    const double before = rules::import_demand(ctx, w)(id.aaa, m);
    w.agg.price_ratio(id.aaa, m) = 0.6;  // a deep discount from one supplier
    const double after = rules::import_demand(ctx, w)(id.aaa, m);
    if (spec == &limited) {
      CHECK(after == before);
    } else {
      CHECK(after == Approx(before * std::pow(0.6, -0.3)));
    }
  }
}

TEST_CASE("adaptive escalation rises with leakage, decays when it falls, and is off unless switched on", "[rules]") {
  const std::string sanctions =
      "events:\n  - {id: s, kind: secondary_sanctions, start: 2020-01, by: CCC, target: AAA, intensity: 0.3}\n";
  const auto step = [](const model::ScenarioSpec& spec, state::World& w, double leakage) {
    const Ids id(spec);
    state::Grid dual({w.dims.states, w.dims.states, 2});
    dual(id.bbb, id.aaa, 0) = 1.0 - leakage;
    dual(id.bbb, id.aaa, 1) = leakage;
    rules::adapt(rules::make_context(spec, w, 0, spec.seed, 0), w, dual);
    return w.agg.escalation(id.ccc, id.aaa);
  };
  const auto off = unit_spec(sanctions);
  auto w_off = state::build_world(off, off.seed, 0);
  CHECK(step(off, w_off, 0.5) == 0.0);  // held: the scenario's 0.3 stays 0.3
  CHECK(rules::policy_at(off, w_off.dims, 0, w_off.agg.escalation).secondary_banks(Ids(off).ccc, Ids(off).aaa) == 0.3);
  const auto on = unit_spec(sanctions + "parameters: {adaptive: {escalation: true, escalation_rate: 0.1, "
                                        "escalation_decay: 0.05}}\n");
  auto w = state::build_world(on, on.seed, 0);
  CHECK(step(on, w, 0.5) == Approx(0.1));
  CHECK(step(on, w, 0.5) == Approx(0.2));
  CHECK(step(on, w, 0.01) == Approx(0.15));  // below the 5 % threshold
  CHECK(step(on, w, 0.0) == Approx(0.10));
}

// ---------------------------------------------------------------- designation rounds

namespace {

/// The unit world where BBB sanctions AAA: CCC's goods exporters are the
/// third-country firms of a round in March 2020 that lists `listed` of them.
/// `count` agents stand for `represents` real firms.
model::ScenarioSpec round_world(int count, int represents, int listed) {
  return unit_spec(
      "firms:\n"
      "  - {state: AAA, sector: [goods, chips], role: importer, count: 20}\n"
      "  - {state: BBB, sector: [goods, chips], role: exporter, count: 10}\n"
      "  - {state: CCC, sector: [goods, chips], role: exporter, count: " + std::to_string(count) +
      ", represents: " + std::to_string(represents) + "}\n"
      "  - {state: HUB, sector: chips, role: intermediary, count: 4, capacity: 6}\n"
      "events:\n  - {id: r, kind: secondary_sanctions, start: 2020-03, by: BBB, target: AAA, sectors: [goods],\n"
      "     scope: firms, intensity: 0.5, listed: {CCC: " + std::to_string(listed) + "}}\n");
}

/// Every firm of CCC trades 1 USD a month with AAA (goods and chips alike).
void trade_with_target(const model::ScenarioSpec& spec, state::World& w) {
  const Ids id(spec);
  for (std::size_t i = 0; i < w.firms.state.size(); ++i)
    if (w.firms.state[i] == id.ccc) w.firms.target_trade[i] = w.firms.trade[i] = 1.0;
}

/// The firms a round in month `step` designates in a fresh world of `spec`.
std::vector<std::size_t> designated(const model::ScenarioSpec& spec, int step, std::uint32_t run = 0) {
  auto w = state::build_world(spec, spec.seed, run);
  trade_with_target(spec, w);
  rules::designate_firms(rules::make_context(spec, w, step, spec.seed, run), w);
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < w.firms.state.size(); ++i)
    if (w.firms.designated[i]) out.push_back(i);
  return out;
}

}  // namespace

TEST_CASE("a round designates the real entities it lists whatever the number of agents standing for them",
          "[rules][designation]") {
  // 400 real firms in each population, as 100, 400 or 800 agents: 5, 20 or 40
  // agents of CCC's goods exporters for the 20 listed.
  for (int count : {100, 400, 800}) {
    INFO(count << " agents");
    const auto spec = round_world(count, 400, 20);
    const auto firms = designated(spec, 2);
    CHECK(static_cast<double>(firms.size()) * 400.0 / count == 20.0);
    const auto w = state::build_world(spec, spec.seed, 0);
    for (auto i : firms) {
      CHECK(w.firms.state[i] == Ids(spec).ccc);
      CHECK(w.firms.sector[i] == Ids(spec).goods);  // the event's sector only
    }
  }
}

TEST_CASE("a round that lists a fraction of an agent designates it with that probability", "[rules][designation]") {
  // 4 real firms per agent, 22 listed: 5 agents, and a sixth half the time.
  const auto spec = round_world(100, 400, 22);
  double entities = 0;
  const int runs = 400;
  for (int run = 0; run < runs; ++run) {
    const auto n = designated(spec, 2, static_cast<std::uint32_t>(run)).size();
    CHECK((n == 5 || n == 6));
    entities += 4.0 * static_cast<double>(n);
  }
  CHECK(entities / runs == Approx(22.0).margin(0.4));  // standard error 0.1
}

TEST_CASE("rounds happen only in their start month and draw the same firms for the same seed and run",
          "[rules][designation]") {
  const auto spec = round_world(100, 100, 7);
  CHECK(designated(spec, 1).empty());
  CHECK(designated(spec, 3).empty());
  const auto a = designated(spec, 2);
  CHECK(a.size() == 7);
  CHECK(designated(spec, 2) == a);
  CHECK(designated(spec, 2, 1) != a);
}

TEST_CASE("a designated firm loses its exposure, keeps the rest of its business and fears no more", "[rules][designation]") {
  const auto spec = round_world(100, 100, 3);
  auto w = state::build_world(spec, spec.seed, 0);
  trade_with_target(spec, w);
  const auto exposure = w.firms.exposure;
  rules::designate_firms(rules::make_context(spec, w, 2, spec.seed, 0), w);
  int n = 0;
  for (std::size_t i = 0; i < w.firms.state.size(); ++i) {
    if (!w.firms.designated[i]) {
      CHECK(w.firms.retained[i] == 1.0);
      continue;
    }
    ++n;
    CHECK(w.firms.penalised[i] == 1);
    CHECK(w.firms.exposure[i] == 0.0);
    CHECK(w.firms.retained[i] == 1.0 - exposure[i]);
  }
  CHECK(n == 3);
  // Next month the flag is cleared; the designation stays.
  rules::designate_firms(rules::make_context(spec, w, 3, spec.seed, 0), w);
  for (std::size_t i = 0; i < w.firms.state.size(); ++i) CHECK(w.firms.penalised[i] == 0);
  // Its group's lost share of business with partners not sanctioned.
  rules::update_group_caution(w);
  double lost = 0;
  for (std::size_t i = 0; i < w.firms.state.size(); ++i)
    if (w.firms.designated[i]) lost += w.firms.share[i] * exposure[i];
  double sum = 0;
  for (double x : w.group_state.lost) sum += x;
  CHECK(sum == Approx(lost).epsilon(1e-12));
}

TEST_CASE("a designated bank's size shrinks by its exposure and its Western business goes to its state's other banks",
          "[rules][designation]") {
  const auto spec = unit_spec(
      "banks:\n  - {name: banks, state: AAA, count: 4, size: 1, exposure: 0.25}\n"
      "events:\n  - {id: r, kind: secondary_sanctions, start: 2020-02, by: CCC, target: BBB, scope: banks,\n"
      "     intensity: 0.5, listed: {AAA: 1}}\n");
  const Ids id(spec);
  auto w = state::build_world(spec, spec.seed, 0);
  const auto ctx = rules::make_context(spec, w, 1, spec.seed, 0);
  rules::designate_banks(ctx, w);  // AAA has no payments with BBB yet: nobody to list
  for (auto d : w.banks.designated) CHECK(d == 0);
  w.agg.target_payments(id.aaa) = 0.3;
  rules::designate_banks(ctx, w);
  int n = 0;
  double total = 0;
  for (std::size_t i = 0; i < w.banks.state.size(); ++i) {
    total += w.banks.share[i];
    if (w.banks.designated[i]) {
      ++n;
      CHECK(w.banks.size[i] == 0.75);
      CHECK(w.banks.exposure[i] == 0.0);
      CHECK(w.banks.share[i] == Approx(0.75 / 3.75));
    } else {
      CHECK(w.banks.share[i] == Approx(1.0 / 3.75));
    }
  }
  CHECK(n == 1);
  CHECK(total == Approx(1.0));
}
