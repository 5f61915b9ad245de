#include <algorithm>
#include <limits>

#include "geosim/market/market.hpp"

namespace geosim::market {

using state::Option;
using state::sector_of;

namespace {

/// Share of `want` that `have` covers, in [0, 1].
double ratio(double have, double want) { return want > have ? std::max(0.0, have) / want : 1.0; }

/// Capacity left unsold, as a share of the offer, below which it is a
/// rounding residue of summing the sales (each of a few hundred terms off
/// by at most one part in 10^16), not capacity: far above any rounding,
/// far below anything economic (10 USD a month of 10 USD bn).
constexpr double unsold_tolerance = 1e-9;

}  // namespace

state::Grid orders_by_exporter(const state::World& world, const GroupOrders& orders) {
  const auto& groups = world.groups;
  const auto& net = world.network;
  state::Grid ordered({world.dims.states, world.dims.markets()});
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (std::size_t o = 0; o < orders[g].size(); ++o) ordered(net.option(g, o).exporter, groups[g].market) += orders[g][o];
  }
  return ordered;
}

Clearing clear(const rules::StepContext& ctx, const state::World& world, const GroupOrders& orders) {
  const std::size_t S = ctx.dims.states, M = ctx.dims.markets(), K = ctx.dims.sectors;
  const auto& groups = world.groups;
  const auto& net = world.network;
  const auto at_risk = [&](std::size_t seller, std::size_t buyer, std::size_t m) {
    return ctx.firm_enforcement(seller, buyer, m) > 0;
  };
  const auto option_of = [&](std::size_t g, std::size_t o) -> const Option& { return net.option(g, o); };

  // What each exporter offers: its capacity, less what a supply-limited
  // exporter withholds at a discounted price.
  state::Grid offer({S, M});
  for (std::size_t j = 0; j < S; ++j)
    for (std::size_t m = 0; m < M; ++m) offer(j, m) = offered(ctx, world, j, m);

  // Round 1, exporters: total orders, orders to sanctioned destinations
  // direct and through hubs. A residual supplier in a supply-limited sector
  // meets what is ordered from it at the world price.
  const state::Grid ordered = orders_by_exporter(world, orders);
  for (std::size_t j = 0; j < S; ++j)
    if (ctx.spec->states[j].residual_supplier)
      for (std::size_t m = 0; m < M; ++m)
        if (ctx.spec->sectors[sector_of(m)].supply_elasticity) offer(j, m) = std::max(offer(j, m), ordered(j, m));
  state::Grid ordered_target({S, M}), ordered_hub({S, M});
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::size_t i = groups[g].state, m = groups[g].market;
    for (std::size_t o = 0; o < orders[g].size(); ++o) {
      const auto& op = option_of(g, o);
      if (at_risk(op.exporter, i, m)) (op.hub == Option::no_hub ? ordered_target : ordered_hub)(op.exporter, m) += orders[g][o];
    }
  }
  state::Grid fill_all({S, M}), fill_target({S, M}), fill_hub({S, M});
  for (std::size_t j = 0; j < S; ++j)
    for (std::size_t m = 0; m < M; ++m) {
      const double K_jm = offer(j, m);
      const double r = ratio(K_jm, ordered(j, m));
      fill_all(j, m) = r;
      // Only non-cautious exporters sell to sanctioned destinations.
      const double willing = K_jm * (1 - state::group_caution(world, world.exporter_group, j, m, false));
      const double willing_hub = K_jm * (1 - state::group_caution(world, world.exporter_group, j, m, true));
      fill_target(j, m) = std::min(r, ratio(willing, ordered_target(j, m)));
      fill_hub(j, m) = std::min(r, ratio(willing_hub, ordered_hub(j, m)));
    }
  const auto exporter_fill = [&](std::size_t i, std::size_t m, const Option& op) {
    if (!at_risk(op.exporter, i, m)) return fill_all(op.exporter, m);
    return op.hub == Option::no_hub ? fill_target(op.exporter, m) : fill_hub(op.exporter, m);
  };

  // Round 1, hubs: re-exports limited by the non-cautious intermediaries.
  state::Grid hub_flow({S, K}), hub_fill({S, K}, 1.0);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::size_t i = groups[g].state, m = groups[g].market;
    for (std::size_t o = 0; o < orders[g].size(); ++o) {
      const auto& op = option_of(g, o);
      if (op.hub != Option::no_hub) hub_flow(op.hub, sector_of(m)) += orders[g][o] * exporter_fill(i, m, op);
    }
  }
  for (auto h : world.hubs)
    for (std::size_t k = 0; k < K; ++k) {
      const double caution = state::group_caution(world, world.intermediary_group, h, state::market_of(k, 0), false);
      hub_fill(h, k) = ratio(ctx.hub_capacity(h, k) * (1 - caution), hub_flow(h, k));
    }

  Clearing c{state::Grid({S, S, M}), state::Grid({S, S, S, M}), state::Grid({S, M}), state::Grid({S, M}),
             state::Grid({S, M}),    state::Grid({S, M}),       state::Grid({S, S, M}), GroupOrders(groups.size()),
             {}};
  state::Grid sold_target({S, M});
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::size_t i = groups[g].state, m = groups[g].market;
    c.fill[g].assign(orders[g].size(), 0.0);
    for (std::size_t o = 0; o < orders[g].size(); ++o) {
      const auto& op = option_of(g, o);
      double fill = exporter_fill(i, m, op);
      if (op.hub != Option::no_hub) fill *= hub_fill(op.hub, sector_of(m));
      c.fill[g][o] = fill;
      c.sales(op.exporter, m) += orders[g][o] * fill;
      if (op.hub == Option::no_hub && at_risk(op.exporter, i, m)) sold_target(op.exporter, m) += orders[g][o] * fill;
    }
  }

  // Round 2: unmet demand goes to the group's direct suppliers with spare
  // capacity, in proportion to its orders with them, rationed pro rata.
  // A supplier that round 1 sold out has no spare capacity; its sales add
  // up to its offer only up to rounding, and a rounding residue taken for
  // spare capacity drew the unmet demand of its buyers to it, where it was
  // rationed away (whether it was depended on the order of the sums).
  const auto left = [](double have, double sold) {
    return have - sold > unsold_tolerance * have ? have - sold : 0.0;
  };
  state::Grid spare({S, M}), spare_target({S, M}), asked({S, M}), asked_target({S, M});
  for (std::size_t j = 0; j < S; ++j)
    for (std::size_t m = 0; m < M; ++m) {
      // A residual supplier also meets what others could not deliver.
      spare(j, m) = ctx.spec->states[j].residual_supplier && ctx.spec->sectors[sector_of(m)].supply_elasticity
                        ? std::numeric_limits<double>::infinity()
                        : left(offer(j, m), c.sales(j, m));
      const double willing = offer(j, m) * (1 - state::group_caution(world, world.exporter_group, j, m, false));
      spare_target(j, m) = std::min(spare(j, m), left(willing, sold_target(j, m)));
    }
  const auto spare_for = [&](std::size_t i, std::size_t m, std::size_t j) {
    return at_risk(j, i, m) ? spare_target(j, m) : spare(j, m);
  };
  GroupOrders request(groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::size_t i = groups[g].state, m = groups[g].market;
    double unmet = 0, weight = 0;
    for (std::size_t o = 0; o < orders[g].size(); ++o) {
      unmet += orders[g][o] * (1 - c.fill[g][o]);
      const auto& op = option_of(g, o);
      if (op.hub == Option::no_hub && spare_for(i, m, op.exporter) > 0) weight += orders[g][o];
    }
    request[g].assign(orders[g].size(), 0.0);
    if (unmet <= 0 || weight <= 0) continue;
    for (std::size_t o = 0; o < orders[g].size(); ++o) {
      const auto& op = option_of(g, o);
      if (op.hub != Option::no_hub || spare_for(i, m, op.exporter) <= 0) continue;
      const double q = unmet * orders[g][o] / weight;
      request[g][o] = q;
      (at_risk(op.exporter, i, m) ? asked_target : asked)(op.exporter, m) += q;
    }
  }
  state::Grid round2({S, M}), round2_target({S, M});
  for (std::size_t j = 0; j < S; ++j)
    for (std::size_t m = 0; m < M; ++m) {
      const double r = ratio(spare(j, m), asked(j, m) + asked_target(j, m));
      round2(j, m) = r;
      round2_target(j, m) = std::min(r, ratio(spare_target(j, m), asked_target(j, m)));
    }

  c.open_filled.assign(groups.size(), 0.0);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::size_t i = groups[g].state, m = groups[g].market;
    double wanted = 0, got = 0;
    for (std::size_t o = 0; o < orders[g].size(); ++o) {
      const auto& op = option_of(g, o);
      const std::size_t j = op.exporter;
      const double extra =
          request[g][o] * (at_risk(j, i, m) ? round2_target(j, m) : round2(j, m));
      const double filled = orders[g][o] * c.fill[g][o] + extra;
      if (orders[g][o] > 0) c.fill[g][o] = filled / orders[g][o];
      wanted += orders[g][o];
      got += filled;
      if (ctx.firm_enforcement(i, j, m) <= 0) c.open_filled[g] += filled;
      if (op.hub == Option::no_hub) {
        c.direct(j, i, m) += filled;
        if (at_risk(j, i, m)) c.target_sales(j, m) += filled;
      } else {
        c.via_hub(j, op.hub, i, m) += filled;
        c.hub_volume(op.hub, i, m) += filled;
        if (at_risk(j, i, m)) c.hub_sales(j, m) += filled;
      }
      if (extra > 0) c.sales(j, m) += extra;
    }
    c.unmet(i, m) += std::max(0.0, wanted - got);
  }
  return c;
}

}  // namespace geosim::market
