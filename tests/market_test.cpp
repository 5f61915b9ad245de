// market: bargaining, clearing and payments, each on the unit world.
#include <catch2/catch.hpp>

#include <cmath>
#include <tuple>

#include "geosim/market/dependence.hpp"
#include "geosim/market/market.hpp"
#include "geosim/market/valuation.hpp"
#include "geosim/rules/learning.hpp"
#include "geosim/state/world.hpp"
#include "unit_world.hpp"

using namespace geosim;
using namespace geosim::testing;

namespace {

/// The unit world where HUB and CCC also import goods, so that an exporter
/// has several buyers.
const std::string more_buyers =
    "states:\n"
    "  - {code: CCC, home_currency: USD, export_capacity: {goods: 12, chips: 12}, import_absorption: {goods: 12}}\n"
    "  - {code: HUB, hub: {markup: 0.1, detection_factor: 0.5, evasion: 0.5}, import_absorption: {goods: 12}}\n"
    "firms:\n"
    "  - {state: [AAA, HUB, CCC], sector: goods, role: importer, count: 10}\n"
    "  - {state: AAA, sector: chips, role: importer, count: 10}\n"
    "  - {state: [BBB, CCC], sector: [goods, chips], role: exporter, count: 10}\n"
    "  - {state: HUB, sector: chips, role: intermediary, count: 4, capacity: 6}\n";

struct Fixture {
  model::ScenarioSpec spec;
  state::World w;
  std::size_t aaa, bbb, ccc, hub, goods, m;
  explicit Fixture(const std::string& extra)
      : spec(unit_spec(extra)),
        w(state::build_world(spec, spec.seed, 0)),
        aaa(index(*model::find_state(spec, "AAA"))),
        bbb(index(*model::find_state(spec, "BBB"))),
        ccc(index(*model::find_state(spec, "CCC"))),
        hub(index(*model::find_state(spec, "HUB"))),
        goods(index(*model::find_sector(spec, "goods"))),
        m(state::market_of(goods, 0)) {}

  rules::StepContext context(int step = 0) const { return rules::make_context(spec, w, step, spec.seed, 0); }

  /// One bargain at step 0, every state demanding 1e9 a month of each market.
  void bargain(const market::GroupOrders& orders) {
    const state::Grid demand({w.dims.states, w.dims.markets()}, 1e9);
    market::bargain(context(), w, demand, orders);
  }
  void bargain() { bargain(market::GroupOrders(w.groups.size())); }

  /// Orders of importer group (i, m) on the option to exporter j, direct.
  void order(market::GroupOrders& orders, std::size_t i, std::size_t j, double q) const {
    const auto g = static_cast<std::size_t>(w.importer_group[i * w.dims.markets() + m]);
    const auto [b, e] = w.network.edges(w.groups[g].firms.front());
    orders[g].resize(e - b, 0.0);
    for (std::size_t edge = b; edge < e; ++edge)
      if (w.network.option(g, edge - b).exporter == j && w.network.option(g, edge - b).hub == state::Option::no_hub)
        orders[g][edge - b] = q;
  }
};

constexpr double month = 1e9;  // 12 bn/yr of capacity is 1e9 per month

/// Each importer group's orders as the firms placed them (network.order),
/// summed over its firms per option: what place_orders sums in the engine.
market::GroupOrders summed_orders(const state::World& w) {
  market::GroupOrders orders(w.groups.size());
  for (std::size_t g = 0; g < w.groups.size(); ++g) {
    if (w.groups[g].role != model::Role::importer) continue;
    orders[g].assign(w.network.option_count(g), 0.0);
    for (auto i : w.groups[g].firms) {
      const auto [b, e] = w.network.edges(i);
      for (std::size_t edge = b; edge < e; ++edge) orders[g][edge - b] += w.network.order[edge];
    }
  }
  return orders;
}

}  // namespace

TEST_CASE("clearing rations pro rata when capacity is short", "[market]") {
  Fixture f(more_buyers);
  const auto ctx = f.context();
  market::GroupOrders orders(f.w.groups.size());
  f.order(orders, f.aaa, f.bbb, 1.5 * month);
  f.order(orders, f.hub, f.bbb, 0.5 * month);
  const auto c = market::clear(ctx, f.w, orders);
  CHECK(c.direct(f.bbb, f.aaa, f.m) == Approx(0.75 * month));
  CHECK(c.direct(f.bbb, f.hub, f.m) == Approx(0.25 * month));
  CHECK(c.sales(f.bbb, f.m) == Approx(month));
  // Neither buyer ordered from CCC, so round 2 finds no supplier for the rest.
  CHECK(c.unmet(f.aaa, f.m) == Approx(0.75 * month));
}

TEST_CASE("round 2 offers unmet demand to the buyer's suppliers with spare capacity", "[market]") {
  Fixture f(more_buyers);
  const auto ctx = f.context();
  market::GroupOrders orders(f.w.groups.size());
  f.order(orders, f.aaa, f.bbb, 1.5 * month);
  const auto g = static_cast<std::size_t>(f.w.importer_group[f.aaa * f.w.dims.markets() + f.m]);
  // A small order with CCC makes it a supplier that round 2 can use.
  const auto [b, e] = f.w.network.edges(f.w.groups[g].firms.front());
  for (std::size_t edge = b; edge < e; ++edge)
    if (f.w.network.option(g, edge - b).exporter == f.ccc) orders[g][edge - b] = 0.1 * month;
  const auto c = market::clear(ctx, f.w, orders);
  CHECK(c.direct(f.bbb, f.aaa, f.m) == Approx(month));
  CHECK(c.direct(f.ccc, f.aaa, f.m) == Approx(0.6 * month));
  CHECK(c.unmet(f.aaa, f.m) == Approx(0.0).margin(1.0));
}

TEST_CASE("a supplier sold out in round 1 draws no unmet demand in round 2, whatever rounding leaves of its offer",
          "[market]") {
  // BBB (offer 1e9) is asked for 1.9e9: each buyer gets 1/1.9 of its order,
  // and 1.5e9 x r + 0.4e9 x r adds up to 1.2e-7 below 1e9 in doubles. That
  // residue is not capacity: AAA's unmet demand goes to CCC, whose spare
  // capacity is real, not in part to BBB, where it would be rationed away.
  Fixture f(more_buyers);
  const auto ctx = f.context();
  market::GroupOrders orders(f.w.groups.size());
  f.order(orders, f.aaa, f.bbb, 1.5 * month);
  f.order(orders, f.hub, f.bbb, 0.4 * month);
  const auto g = static_cast<std::size_t>(f.w.importer_group[f.aaa * f.w.dims.markets() + f.m]);
  const auto [b, e] = f.w.network.edges(f.w.groups[g].firms.front());
  for (std::size_t edge = b; edge < e; ++edge)
    if (f.w.network.option(g, edge - b).exporter == f.ccc && f.w.network.option(g, edge - b).hub == state::Option::no_hub)
      orders[g][edge - b] = 0.1 * month;
  const double r = month / (1.5 * month + 0.4 * month);  // as clearing rations
  REQUIRE(1.5 * month * r + 0.4 * month * r < month);     // the residue this case is about
  const auto c = market::clear(ctx, f.w, orders);
  CHECK(c.direct(f.bbb, f.aaa, f.m) == Approx(1.5 / 1.9 * month));
  CHECK(c.direct(f.ccc, f.aaa, f.m) == Approx((0.1 + 1.5 - 1.5 / 1.9) * month));
  CHECK(c.unmet(f.aaa, f.m) == Approx(0.0).margin(1.0));
}

TEST_CASE("clearing caps sales to sanctioned destinations at the willing exporters' capacity", "[market]") {
  Fixture f(more_buyers + "events:\n  - {id: s, kind: secondary_sanctions, start: 2020-01, by: BBB, target: AAA, "
                          "sectors: [goods], scope: firms}\n");
  const auto ctx = f.context();
  REQUIRE(ctx.firm_enforcement(f.ccc, f.aaa, f.m) > 0);
  const auto g = static_cast<std::size_t>(f.w.exporter_group[f.ccc * f.w.dims.markets() + f.m]);
  f.w.group_state.cautious[g] = 0.75;
  market::GroupOrders orders(f.w.groups.size());
  f.order(orders, f.aaa, f.ccc, month);
  f.order(orders, f.hub, f.ccc, 0.5 * month);
  const auto c = market::clear(ctx, f.w, orders);
  CHECK(c.direct(f.ccc, f.aaa, f.m) == Approx(0.25 * month));
  CHECK(c.direct(f.ccc, f.hub, f.m) == Approx(0.5 * month));  // not sanctioned: all capacity serves it
}

TEST_CASE("the bargained discount grows with the buyer's share of a sanctioned exporter's sales", "[market]") {
  Fixture f(more_buyers +
            "parameters: {bargaining: {arbitrage: 0, adjustment: 1, exporter_outside_base: 0.2}}\n"
            "events:\n  - {id: b, kind: import_ban, start: 2020-01, by: CCC, target: BBB, sectors: [goods]}\n");
  const auto ctx = f.context();
  state::Grid demand({f.w.dims.states, f.w.dims.markets()}, month);
  // AAA buys 90 % of BBB's goods, HUB 10 %.
  f.w.agg.flow(f.bbb, f.aaa, f.m) = 0.9 * month;
  f.w.agg.flow(f.bbb, f.hub, f.m) = 0.1 * month;
  market::bargain(ctx, f.w, demand, market::GroupOrders(f.w.groups.size()));
  const double big = f.w.agg.discount(f.bbb, f.aaa, f.goods), small = f.w.agg.discount(f.bbb, f.hub, f.goods);
  CHECK(big > 0.0);
  CHECK(big > small);
  // Nash: weight s/(s + O) of the surplus pressure x max_discount (0.4).
  const double pressure = big / (0.9 / (0.9 + 0.2) * 0.4);
  CHECK(small == Approx(0.1 / (0.1 + 0.2) * pressure * 0.4));
  CHECK((pressure > 0.0 && pressure < 1.0));
  // An exporter whose markets are open gets no discount.
  CHECK(f.w.agg.discount(f.ccc, f.aaa, f.goods) == 0.0);
}

TEST_CASE("a price cap binds only on volume that needs Western shipping", "[market]") {
  const std::string cap = "events:\n  - {id: c, kind: price_cap, start: 2020-01, by: CCC, target: BBB, "
                          "sectors: [goods], cap: 0.8, intensity: 1.0}\n"
                          "parameters: {bargaining: {adjustment: 1}}\n";
  for (const double shadow : {0.0, 1.0}) {
    INFO("shadow fleet " << shadow);
    Fixture f(more_buyers + cap);
    f.w.agg.shadow_fleet(f.bbb) = shadow;
    f.w.agg.flow(f.bbb, f.aaa, f.m) = month;
    state::Grid demand({f.w.dims.states, f.w.dims.markets()}, month);
    market::bargain(f.context(), f.w, demand, market::GroupOrders(f.w.groups.size()));
    // World price 1 (the reference); the cap at 0.8 means a 20 % discount
    // on what needs Western services, none on the shadow fleet's share.
    CHECK(f.w.agg.discount(f.bbb, f.aaa, f.goods) == Approx(shadow == 0.0 ? 0.2 : 0.0));
    // The coalition itself does not buy under the cap.
    CHECK(f.w.agg.discount(f.bbb, f.ccc, f.goods) == 0.0);
  }
}

TEST_CASE("a blocked currency loses its settlement share and what finds no channel joins the backlog", "[market]") {
  Fixture f(more_buyers + "events:\n  - {id: f, kind: financial_sanctions, start: 2020-02, by: CCC, target: BBB, "
                          "currencies: [USD], intensity: 1.0}\n");
  state::Grid value({f.w.dims.states, f.w.dims.states});
  value(f.bbb, f.aaa) = month;
  const std::size_t usd = index(*model::find_currency(f.spec, "USD")), rub = index(*model::find_currency(f.spec, "RUB"));
  market::settle(f.context(0), f.w, value);
  CHECK(f.w.agg.settled_share(f.bbb, f.aaa, usd) > 0.5);  // USD dominates an open market
  CHECK(f.w.agg.backlog(f.bbb, f.aaa) == 0.0);
  const double usd_mix = f.w.agg.settlement_mix(f.bbb, f.aaa, usd);
  market::settle(f.context(1), f.w, value);
  CHECK(f.w.agg.settled_share(f.bbb, f.aaa, usd) == 0.0);
  CHECK(f.w.agg.settled_share(f.bbb, f.aaa, rub) == Approx(1.0));
  // Habit keeps most of last month's USD share, and that part finds no channel.
  const double kept = f.spec.params.payments.currency_inertia * usd_mix;
  CHECK(f.w.agg.backlog(f.bbb, f.aaa) == Approx(month * kept).epsilon(0.05));
  CHECK(f.w.agg.availability(f.bbb, f.aaa) < 1.0);
}

TEST_CASE("an exporter bears its buyer's extra settlement cost down to its own disagreement price",
          "[market]") {
  const std::string setup = more_buyers +
                            "parameters: {bargaining: {arbitrage: 0, adjustment: 1, exporter_outside_base: 0.2, "
                            "cost_pass_through: 0.8}}\n"
                            "events:\n  - {id: b, kind: import_ban, start: 2020-01, by: CCC, target: BBB, "
                            "sectors: [goods]}\n";
  const auto run = [&](double aaa_cost, double hub_cost) {
    Fixture f(setup);
    state::Grid demand({f.w.dims.states, f.w.dims.markets()}, month);
    // AAA buys 90 % of BBB's goods, HUB 10 %; AAA also buys from CCC, whose
    // markets are open. Settlement costs are the pairs' normal 0.05 or more.
    f.w.agg.flow(f.bbb, f.aaa, f.m) = 0.9 * month;
    f.w.agg.flow(f.bbb, f.hub, f.m) = 0.1 * month;
    f.w.agg.flow(f.ccc, f.aaa, f.m) = month;
    for (const auto& [j, i, cost] : {std::tuple{f.bbb, f.aaa, aaa_cost}, {f.bbb, f.hub, hub_cost}, {f.ccc, f.aaa, 0.9}}) {
      f.w.agg.base_settlement_cost(j, i) = 0.05;
      f.w.agg.settlement_cost(j, i) = cost;
    }
    market::bargain(f.context(1), f.w, demand, market::GroupOrders(f.w.groups.size()));
    return std::tuple{f.w.agg.discount(f.bbb, f.aaa, f.goods), f.w.agg.discount(f.bbb, f.hub, f.goods),
                      f.w.agg.discount(f.ccc, f.aaa, f.goods)};
  };
  // Without extra costs: the Nash bargain, s/(s + O) of the depth of BBB's
  // closed market (pressure x max_discount).
  const auto [aaa0, hub0, open0] = run(0.05, 0.05);
  const double depth = aaa0 * (0.9 + 0.2) / 0.9;
  CHECK(hub0 == Approx(0.1 / (0.1 + 0.2) * depth));
  // The buyer's reservation price leaves it its normal cost of the good,
  // price x (1 + settlement cost): a discount of (sc - sc0) / (1 + sc), of
  // which cost_pass_through counts. The buyer gets that and its Nash weight
  // of the surplus left, down to the exporter's disagreement price.
  const double hub_cost = 0.8 * (0.30 - 0.05) / 1.30, aaa_cost = 0.8 * (0.95 - 0.05) / 1.95;
  INFO("depth " << depth << ", bargains " << aaa0 << " / " << hub0);
  REQUIRE((hub_cost < depth && depth < aaa_cost));
  const auto [aaa, hub, open] = run(0.95, 0.30);
  CHECK(hub == Approx(hub_cost + 0.1 / (0.1 + 0.2) * (depth - hub_cost)));
  CHECK(hub > hub0 + 0.5 * hub_cost);
  CHECK(aaa == Approx(depth));  // no lower than the exporter's disagreement price
  // An exporter whose markets are open bears none of its buyer's costs.
  CHECK(open0 == 0.0);
  CHECK(open == 0.0);
}

TEST_CASE("an exporter pays its buyer's risk premium as a discount, down to its own disagreement price",
          "[market]") {
  // AAA buys 90 % of BBB's goods, HUB 10 %; CCC buys none. BBB faces no ban:
  // what closes its market is AAA's premium, which AAA would not pay at the
  // world price.
  const auto run = [](double premium, double max_discount = 0.9) {
    Fixture f(more_buyers + "sectors:\n  - {code: goods, max_discount: " + std::to_string(max_discount) + "}\n" +
              "parameters: {bargaining: {arbitrage: 0, adjustment: 1, exporter_outside_base: 0.2}}\n"
              "events:\n  - {id: p, kind: risk_premium, start: 2020-01, by: AAA, target: BBB, sectors: [goods], "
              "intensity: " + std::to_string(premium) + "}\n");
    state::Grid demand({f.w.dims.states, f.w.dims.markets()}, 0.0);
    demand(f.aaa, f.m) = month;
    demand(f.hub, f.m) = 0.1 * month;
    f.w.agg.flow(f.bbb, f.aaa, f.m) = 0.9 * month;
    f.w.agg.flow(f.bbb, f.hub, f.m) = 0.1 * month;
    market::bargain(f.context(), f.w, demand, market::GroupOrders(f.w.groups.size()));
    return std::tuple{f.w.agg.discount(f.bbb, f.aaa, f.goods), f.w.agg.discount(f.bbb, f.hub, f.goods),
                      f.w.agg.discount(f.ccc, f.aaa, f.goods)};
  };
  const auto [aaa0, hub0, open0] = run(0.0);
  CHECK(aaa0 == 0.0);
  CHECK(hub0 == 0.0);
  // Premium 0.25: AAA's reservation price is P / 1.25, a discount of 0.2.
  // Potential sales at world prices: AAA half of its demand (BBB and CCC
  // sell goods), HUB half of its; AAA's part is closed but for 1.25^-4 (CES,
  // elasticity 4). Depth = pressure x max_discount.
  const double depth = 0.9 * 0.5 / 0.55 * (1 - std::pow(1.25, -4.0));
  const auto [aaa, hub, open] = run(0.25);
  REQUIRE(depth > 0.2);
  CHECK(hub == Approx(0.1 / (0.1 + 0.2) * depth));  // its Nash share of the deeper market
  CHECK(aaa == Approx(0.2 + 0.9 / (0.9 + 0.2) * (depth - 0.2)));
  CHECK(open == 0.0);
  // A premium beyond the depth is paid only down to the exporter's
  // disagreement price: past it the exporter would rather sell elsewhere.
  // Premium 1 (a discount of 0.5) against a shallower market:
  const auto [aaa_high, hub_high, open_high] = run(1.0, 0.4);
  CHECK(aaa_high == Approx(0.4 * 0.5 / 0.55 * (1 - std::pow(2.0, -4.0))));
  CHECK(hub_high == Approx(aaa_high / 3));
  CHECK(open_high == 0.0);
}

TEST_CASE("a buyer whose other suppliers export controls close pays its supplier a premium", "[market]") {
  // CCC stops its exports to AAA: AAA can buy goods only from BBB, which
  // faces no closed market itself. AAA's reservation price is the world
  // price plus the full depth (max_discount 0.4); the bargain gives it its
  // Nash weight s / (s + O) of that surplus.
  Fixture f(more_buyers + "sectors:\n  - {code: goods, max_discount: 0.4}\n" +
            "parameters: {bargaining: {arbitrage: 0, adjustment: 1, exporter_outside_base: 0.2}}\n"
            "events:\n  - {id: x, kind: export_control, start: 2020-01, by: CCC, target: AAA, sectors: [goods]}\n");
  f.w.agg.flow(f.bbb, f.aaa, f.m) = 0.9 * month;
  f.w.agg.flow(f.bbb, f.hub, f.m) = 0.1 * month;
  f.bargain();
  CHECK(f.w.agg.discount(f.bbb, f.aaa, f.goods) == Approx(-(1 - 0.9 / 1.1) * 0.4));
  // HUB still reaches CCC: it is not captive and pays the world price.
  CHECK(f.w.agg.discount(f.bbb, f.hub, f.goods) == Approx(0.0).margin(1e-12));
}

TEST_CASE("a captive buyer's premium rises with its dependence on the seller, through the seller's leverage",
          "[market][leverage]") {
  // As above, AAA is captive to BBB and buys 90 % of BBB's goods. Last
  // month AAA's dependence on BBB was d (a share of its trade) and BBB's on
  // AAA 0.1. Each side's claim is its market position times its leverage
  // (ODD §7.8): AAA's weight is 0.9 L_b / (0.9 L_b + 0.2 L_s), with BBB's
  // leverage over AAA L_s = (1 + d - 0.1) / 2 and L_b = 1 - L_s; AAA pays
  // BBB the rest of the depth of its closed market, (1 - weight) x 0.4.
  const auto premium = [](double d) {
    Fixture f(more_buyers + "sectors:\n  - {code: goods, max_discount: 0.4}\n" +
              "parameters: {bargaining: {arbitrage: 0, adjustment: 1, exporter_outside_base: 0.2}}\n"
              "events:\n  - {id: x, kind: export_control, start: 2020-01, by: CCC, target: AAA, sectors: [goods]}\n");
    f.w.agg.flow(f.bbb, f.aaa, f.m) = 0.9 * month;
    f.w.agg.flow(f.bbb, f.hub, f.m) = 0.1 * month;
    f.w.agg.dependence(f.aaa, f.bbb) = d;
    f.w.agg.dependence(f.bbb, f.aaa) = 0.1;
    f.bargain();
    return -f.w.agg.discount(f.bbb, f.aaa, f.goods);
  };
  const auto by_hand = [](double d) {
    const double seller = (1 + d - 0.1) / 2, buyer = 1 - seller;
    return (1 - 0.9 * buyer / (0.9 * buyer + 0.2 * seller)) * 0.4;
  };
  // Symmetric dependence: the weight is s / (s + O), as without leverage.
  CHECK(premium(0.1) == Approx((1 - 0.9 / 1.1) * 0.4));
  double last = 0;
  for (double d : {0.1, 0.3, 0.6, 0.9}) {
    INFO("AAA's dependence on BBB " << d);
    CHECK(premium(d) == Approx(by_hand(d)));
    CHECK(premium(d) > last);
    last = premium(d);
  }
  // d = 0.6: L_s = 0.75, weight 0.225 / 0.375 = 0.6, premium 0.16.
  CHECK(premium(0.6) == Approx(0.16));
}

TEST_CASE("a sanctioned exporter that depends on its buyer more than the buyer on it concedes a deeper discount",
          "[market][leverage]") {
  // BBB's goods market is partly closed (CCC bans them); AAA buys 90 % of
  // its sales. The depth of the closed market is the same in both cases;
  // only AAA's weight changes: 0.9 / 1.1 with symmetric dependence, and with
  // BBB's dependence on AAA 0.5 against AAA's 0.1 on BBB (AAA's leverage
  // 0.7): 0.9 x 0.7 / (0.9 x 0.7 + 0.2 x 0.3) = 0.63 / 0.69.
  const auto discount = [](double bbb_on_aaa) {
    Fixture f(more_buyers + "parameters: {bargaining: {arbitrage: 0, adjustment: 1, exporter_outside_base: 0.2}}\n"
              "events:\n  - {id: b, kind: import_ban, start: 2020-01, by: CCC, target: BBB, sectors: [goods]}\n");
    f.w.agg.flow(f.bbb, f.aaa, f.m) = 0.9 * month;
    f.w.agg.flow(f.bbb, f.hub, f.m) = 0.1 * month;
    f.w.agg.dependence(f.bbb, f.aaa) = bbb_on_aaa;
    f.w.agg.dependence(f.aaa, f.bbb) = 0.1;
    f.bargain();
    return f.w.agg.discount(f.bbb, f.aaa, f.goods);
  };
  const double symmetric = discount(0.1), dependent = discount(0.5);
  REQUIRE(symmetric > 0.0);
  CHECK(dependent / symmetric == Approx((0.63 / 0.69) / (0.9 / 1.1)));
}

TEST_CASE("a buyer's own import ban does not make it captive to its remaining suppliers", "[market]") {
  Fixture f(more_buyers + "sectors:\n  - {code: goods, max_discount: 0.4}\n" +
            "parameters: {bargaining: {arbitrage: 0, adjustment: 1}}\n"
            "events:\n  - {id: x, kind: import_ban, start: 2020-01, by: AAA, target: CCC, sectors: [goods]}\n");
  f.w.agg.flow(f.bbb, f.aaa, f.m) = 0.9 * month;
  f.bargain();
  CHECK(f.w.agg.discount(f.bbb, f.aaa, f.goods) == 0.0);
}

TEST_CASE("a supply-limited exporter facing closed markets discounts unsold capacity and prices sold-out supply up",
          "[market]") {
  // BBB's goods market is partly closed (CCC bans them); AAA buys 90 % of
  // its sales. The same bargain, with BBB's orders at half its capacity, at
  // its capacity, and at twice it; and without supply_elasticity.
  const auto discount = [](const std::string& elasticity, double ordered) {
    Fixture f(more_buyers + "sectors:\n  - {code: goods, max_discount: 0.4" + elasticity + "}\n" +
              "parameters: {bargaining: {arbitrage: 0, adjustment: 1, exporter_outside_base: 0.2}}\n"
              "events:\n  - {id: b, kind: import_ban, start: 2020-01, by: CCC, target: BBB, sectors: [goods]}\n");
    f.w.agg.flow(f.bbb, f.aaa, f.m) = 0.9 * month;
    f.w.agg.flow(f.bbb, f.hub, f.m) = 0.1 * month;
    market::GroupOrders orders(f.w.groups.size());
    f.order(orders, f.aaa, f.bbb, ordered * month);  // BBB's goods capacity: 1e9 a month
    f.bargain(orders);
    return std::pair{f.w.agg.discount(f.bbb, f.aaa, f.goods), f.w.agg.clearing_shift(f.bbb, f.goods)};
  };
  const auto [bargained, no_shift] = discount("", 0.5);
  CHECK(no_shift == 0.0);
  const auto [idle, up] = discount(", supply_elasticity: 0.1", 0.5);
  const auto [cleared, none] = discount(", supply_elasticity: 0.1", 1.0);
  const auto [short_, down] = discount(", supply_elasticity: 0.1", 2.0);
  // One month's step: (1 - d) falls by (orders / offer)^(1 / (sigma + epsilon)).
  CHECK(up == Approx(1.0 - std::pow(0.5, 1.0 / 4.1)));
  CHECK(idle == Approx(bargained + up));
  CHECK(none == Approx(0.0).margin(1e-12));
  CHECK(cleared == Approx(bargained));
  CHECK(down < 0.0);
  CHECK(short_ < bargained);
  CHECK(short_ >= 0.0);  // no lower than AAA's reservation, the world price
}

TEST_CASE("a price cap lowers what capped buyers pay but not the market discount they choose by", "[market]") {
  Fixture f(more_buyers + "events:\n  - {id: c, kind: price_cap, start: 2020-01, by: CCC, target: BBB, "
                          "sectors: [goods], cap: 0.8, intensity: 1.0}\n"
                          "parameters: {bargaining: {adjustment: 1}}\n");
  f.w.agg.flow(f.bbb, f.aaa, f.m) = month;
  f.bargain();
  CHECK(f.w.agg.discount(f.bbb, f.aaa, f.goods) == Approx(0.2));
  CHECK(f.w.agg.market_discount(f.bbb, f.aaa, f.goods) == 0.0);
}

TEST_CASE("the cap binds on the price at loading: Western freight raises the delivered ceiling", "[market]") {
  Fixture f(more_buyers + "sectors:\n  - {code: goods, freight: 0.05, alternative_freight: 0.1}\n"
                          "events:\n  - {id: c, kind: price_cap, start: 2020-01, by: CCC, target: BBB, "
                          "sectors: [goods], cap: 0.8, intensity: 1.0}\n"
                          "parameters: {bargaining: {adjustment: 1}}\n");
  f.w.agg.flow(f.bbb, f.aaa, f.m) = month;
  f.bargain();
  // Free on board at most 0.8: delivered at most 0.85.
  CHECK(f.w.agg.discount(f.bbb, f.aaa, f.goods) == Approx(0.15));
}

TEST_CASE("a residual supplier meets every order in a supply-limited sector, beyond its capacity", "[market]") {
  // CCC is the rest of the world: AAA orders twice CCC's capacity of goods
  // from it, and BBB's shortfall as well goes to CCC in round 2.
  const std::string sector = "sectors:\n  - {code: goods, supply_elasticity: 0.1}\n";
  std::string residual = more_buyers;
  residual.replace(residual.find("{code: CCC,"), 11, "{code: CCC, residual_supplier: true,");
  Fixture f(residual + sector);
  market::GroupOrders orders(f.w.groups.size());
  const auto g = static_cast<std::size_t>(f.w.importer_group[f.aaa * f.w.dims.markets() + f.m]);
  const auto [b, e] = f.w.network.edges(f.w.groups[g].firms.front());
  orders[g].assign(e - b, 0.0);
  for (std::size_t edge = b; edge < e; ++edge) {
    const auto& op = f.w.network.option(g, edge - b);
    if (op.hub != state::Option::no_hub) continue;
    if (op.exporter == f.ccc) orders[g][edge - b] = 2.0 * month;
    if (op.exporter == f.bbb) orders[g][edge - b] = 1.5 * month;  // BBB can sell 1e9
  }
  const auto c = market::clear(f.context(), f.w, orders);
  CHECK(c.direct(f.bbb, f.aaa, f.m) == Approx(month));
  CHECK(c.direct(f.ccc, f.aaa, f.m) == Approx(2.5 * month));
  CHECK(c.unmet(f.aaa, f.m) == Approx(0.0).margin(1.0));
  // Without the flag CCC sells its capacity and the rest is unmet.
  Fixture plain(more_buyers + sector);
  const auto p = market::clear(plain.context(), plain.w, orders);
  CHECK(p.direct(plain.ccc, plain.aaa, plain.m) == Approx(month));
  CHECK(p.unmet(plain.aaa, plain.m) == Approx(1.5 * month));
}

TEST_CASE("a designated exporter loses its exposure's share of its sales to buyers not sanctioned, to its peers",
          "[market][designation]") {
  // CCC sells goods to AAA, which BBB sanctions, and to HUB, which nobody does.
  Fixture f(more_buyers + "events:\n  - {id: s, kind: secondary_sanctions, start: 2020-01, by: BBB, target: AAA, "
                          "sectors: [goods], scope: firms}\n");
  const auto ctx = f.context();
  auto& firms = f.w.firms;
  const auto g = static_cast<std::size_t>(f.w.exporter_group[f.ccc * f.w.dims.markets() + f.m]);
  const auto& group = f.w.groups[g].firms;
  const std::size_t d = group.front();
  const double e = 0.4;  // its Western exposure when designated
  firms.designated[d] = 1;
  firms.retained[d] = 1 - e;
  firms.exposure[d] = 0.0;
  rules::update_group_caution(f.w);
  const double s = firms.share[d];
  REQUIRE(f.w.group_state.lost[g] == Approx(s * e).epsilon(1e-15));

  // Every importer group has a slot per option (firm_trade reads them all).
  auto orders = summed_orders(f.w);
  f.order(orders, f.aaa, f.ccc, 0.4 * month);
  f.order(orders, f.hub, f.ccc, 0.6 * month);
  const auto c = market::clear(ctx, f.w, orders);
  REQUIRE(c.target_sales(f.ccc, f.m) == Approx(0.4 * month));
  market::firm_trade(ctx, f.w, c, 0, firms.state.size());

  // World price 1: trade is in USD per month. Its sales to AAA stay its size
  // share; of its 0.6 share of sales to HUB it keeps 1 - e, and the rest
  // goes to its peers in proportion to their shares.
  CHECK(firms.target_trade[d] == Approx(0.4 * month * s).epsilon(1e-12));
  CHECK(firms.trade[d] == Approx(0.4 * month * s + 0.6 * month * s * (1 - e) / (1 - s * e)).epsilon(1e-12));
  CHECK(firms.designation_loss[d] == Approx(0.6 * month * s * e).epsilon(1e-12));
  double total = 0;
  for (auto i : group) {
    total += firms.trade[i];
    if (i == d) continue;
    CHECK(firms.designation_loss[i] == 0.0);
    CHECK(firms.trade[i] == Approx(firms.share[i] * (0.4 * month + 0.6 * month / (1 - s * e))).epsilon(1e-12));
  }
  CHECK(total == Approx(month).epsilon(1e-12));  // the group's flows are clearing's
}

TEST_CASE("a designated importer's purchases from suppliers not sanctioned go to its peers, its sanctioned ones stay",
          "[market][designation]") {
  // AAA's goods importers buy from BBB, which CCC sanctions, and from CCC.
  Fixture f(more_buyers + "events:\n  - {id: s, kind: secondary_sanctions, start: 2020-01, by: CCC, target: BBB, "
                          "sectors: [goods], scope: firms}\n");
  const auto ctx = f.context();
  auto& firms = f.w.firms;
  const auto g = static_cast<std::size_t>(f.w.importer_group[f.aaa * f.w.dims.markets() + f.m]);
  const auto& group = f.w.groups[g].firms;
  // Each importer orders by its size share: 0.3 from BBB, 0.7 from CCC.
  auto& net = f.w.network;
  for (auto i : group) {
    const auto [b, e] = net.edges(i);
    for (std::size_t edge = b; edge < e; ++edge) {
      const auto& option = net.option(g, edge - b);
      const bool direct = option.hub == state::Option::no_hub;
      const double q = !direct ? 0.0 : option.exporter == f.bbb ? 0.3 * month * firms.share[i] : 0.7 * month * firms.share[i];
      net.order[edge] = static_cast<float>(q);
    }
  }
  const auto orders = summed_orders(f.w);
  const std::size_t d = group.back();
  firms.designated[d] = 1;
  firms.retained[d] = 0.5;
  rules::update_group_caution(f.w);
  const auto c = market::clear(ctx, f.w, orders);
  market::firm_trade(ctx, f.w, c, 0, firms.state.size());
  const double s = firms.share[d];
  // Orders are stored as floats: the expected values follow the stored ones
  // (0.3 and 0.7 of each firm's share of a month, to 6e-8).
  const std::size_t first_d = net.edges(static_cast<std::uint32_t>(d)).first;
  double own_bbb = 0, group_ccc = 0, group_all = 0;
  for (std::size_t o = 0; o < orders[g].size(); ++o) {
    const auto& option = net.option(g, o);
    if (option.exporter == f.ccc && option.hub == state::Option::no_hub) group_ccc += orders[g][o];
    if (option.exporter == f.bbb && option.hub == state::Option::no_hub) own_bbb = net.order[first_d + o];
    group_all += orders[g][o];
  }
  CHECK(own_bbb == Approx(0.3 * month * s).epsilon(1e-7));
  CHECK(group_ccc == Approx(0.7 * month).epsilon(1e-7));
  CHECK(firms.target_trade[d] == Approx(own_bbb).epsilon(1e-12));
  CHECK(firms.trade[d] == Approx(own_bbb + group_ccc * s * 0.5 / (1 - 0.5 * s)).epsilon(1e-12));
  CHECK(firms.designation_loss[d] == Approx(group_ccc * s * 0.5).epsilon(1e-12));
  double total = 0;
  for (auto i : group) total += firms.trade[i];
  CHECK(total == Approx(group_all).epsilon(1e-12));
}

namespace {

/// Three states, one sector, USD a month by hand: A trades only with B
/// (exports 30, imports 10); B also with C (exports 100, imports 60); A and C
/// do not trade. A's trade: 40, all with B; B's: 40 + 160 = 200; C's: 160.
state::Grid three_states() {
  state::Grid value({3, 3, 1});
  value(0, 1, 0) = 30;
  value(1, 0, 0) = 10;
  value(1, 2, 0) = 100;
  value(2, 1, 0) = 60;
  return value;
}

}  // namespace

TEST_CASE("dependence is the partner's share of the state's exports and imports", "[market][leverage]") {
  const auto d = market::dependence(three_states());
  CHECK(d(0, 1) == 1.0);
  CHECK(d(1, 0) == Approx(0.2));
  CHECK(d(1, 2) == Approx(0.8));
  CHECK(d(2, 1) == 1.0);
  CHECK(d(0, 2) == 0.0);
  CHECK(d(2, 0) == 0.0);
  // A state without trade depends on no one.
  const auto none = market::dependence(state::Grid({2, 2, 1}));
  CHECK(none(0, 1) == 0.0);
}

TEST_CASE("leverage is one half between states that depend equally on each other or do not trade",
          "[market][leverage]") {
  CHECK(market::leverage(0.3, 0.3) == 0.5);
  CHECK(market::leverage_ratio(0.3, 0.3) == 1.0);
  CHECK(market::leverage(0.0, 0.0) == 0.5);
  CHECK(market::leverage_ratio(0.0, 0.0) == 1.0);
  const auto d = market::dependence(three_states());
  CHECK(market::leverage(d(0, 2), d(2, 0)) == 0.5);  // A and C do not trade
}

TEST_CASE("leverage of j over i is above one half exactly when i depends on j more than j on i",
          "[market][leverage]") {
  // By hand: B over A, (1 + 1 - 0.2) / 2 = 0.9, odds 1.8 / 0.2 = 9; A over B
  // the complement, 0.1 and 1/9.
  const auto d = market::dependence(three_states());
  CHECK(market::leverage(d(0, 1), d(1, 0)) == Approx(0.9));
  CHECK(market::leverage_ratio(d(0, 1), d(1, 0)) == Approx(9.0));
  CHECK(market::leverage(d(1, 0), d(0, 1)) == Approx(0.1));
  CHECK(market::leverage_ratio(d(1, 0), d(0, 1)) == Approx(1.0 / 9.0));
  // Russia and China in 2021 (MODEL.md §4): about 18 % and 2.4 % of each
  // other's trade.
  CHECK(market::leverage(0.18, 0.024) == Approx(0.578));
  for (double dij : {0.0, 0.01, 0.2, 0.5, 1.0})
    for (double dji : {0.0, 0.01, 0.2, 0.5, 1.0}) {
      INFO("d_ij " << dij << ", d_ji " << dji);
      const double l = market::leverage(dij, dji), r = market::leverage_ratio(dij, dji);
      CHECK((l >= 0.0 && l <= 1.0));
      CHECK((l > 0.5) == (dij > dji));
      CHECK((r > 1.0) == (dij > dji));
      CHECK(l + market::leverage(dji, dij) == Approx(1.0));
    }
}

TEST_CASE("leverage's ratio form is the odds of its bounded form", "[market][leverage]") {
  for (double dij : {0.0, 0.05, 0.3, 0.7, 0.99})
    for (double dji : {0.0, 0.02, 0.3, 0.6, 0.95}) {
      INFO("d_ij " << dij << ", d_ji " << dji);
      const double l = market::leverage(dij, dji), r = market::leverage_ratio(dij, dji);
      CHECK(r == Approx(l / (1 - l)));
      CHECK(l == Approx(r / (1 + r)));
      CHECK(r * market::leverage_ratio(dji, dij) == Approx(1.0));
    }
  // The only infinite odds: all of i's trade is with j and none of j's with
  // i, which trade cannot produce.
  CHECK(std::isinf(market::leverage_ratio(1.0, 0.0)));
}

TEST_CASE("a small change of flows changes leverage a little, also near no trade", "[market][leverage]") {
  const auto leverage_of = [](const state::Grid& value, std::size_t i, std::size_t j) {
    const auto d = market::dependence(value);
    return market::leverage(d(i, j), d(j, i));
  };
  const auto base = three_states();
  for (double h : {1.0, 1e-3, 1e-6}) {
    auto more = base;
    more(1, 0, 0) += h;  // B sells A a little more
    // B's dependence on A moves by less than h / 200, A's on B not at all.
    CHECK(std::abs(leverage_of(more, 0, 1) - leverage_of(base, 0, 1)) < h / 400 + 1e-15);
    // A little trade between A and C, who did not trade: leverage stays near
    // one half (a ratio of dependences would jump to the ratio of their
    // total trade).
    auto opened = base;
    opened(0, 2, 0) = h;
    CHECK(std::abs(leverage_of(opened, 2, 0) - 0.5) < h);
  }
}
