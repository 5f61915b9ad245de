#include "geosim/market/valuation.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <vector>

namespace geosim::market {

using model::Role;
using state::market_of;
using state::Option;
using state::sector_of;

double freight_rate(const rules::StepContext& ctx, const state::World& world, std::size_t exporter,
                    std::size_t importer, std::size_t sector) {
  const double alternative = ctx.spec->sectors[sector].energy ? std::min(1.0, world.agg.shadow_fleet(exporter)) : 0.0;
  return (1 - alternative) * world.freight(exporter, importer, sector, 0) +
         alternative * world.freight(exporter, importer, sector, 1);
}

Flows record_flows(const rules::StepContext& ctx, state::World& world, const Clearing& c, const Settlement* paid) {
  auto& agg = world.agg;
  const std::size_t S = world.dims.states, M = world.dims.markets(), K = world.dims.sectors;
  Flows fl{state::Grid({S, S, K}), state::Grid({S, S, K}), state::Grid({S, S, 2}), state::Grid({S, S}),
           state::Grid({S, S, K}),    state::Grid({S, S, K})};
  // Physical units per reference USD, and the freight of one more leg.
  const auto units = [&](std::size_t k) { return 1.0 / ctx.spec->sectors[k].reference_price; };
  const auto ship = [&](std::size_t from, std::size_t to, std::size_t k, double q) {
    fl.quantity(from, to, k) += q * units(k);
    fl.freight(from, to, k) += q * units(k) * freight_rate(ctx, world, from, to, k);
  };
  // Share of a leg's contracted flow paid this step (1 before settlement).
  const auto part = [&](std::size_t from, std::size_t to, std::size_t k) {
    return paid ? paid->factor(from, to, k) : 1.0;
  };
  agg.flow.fill(0.0);
  for (std::size_t j = 0; j < S; ++j)
    for (std::size_t i = 0; i < S; ++i)
      for (std::size_t m = 0; m < M; ++m) {
        const std::size_t k = sector_of(m);
        const double price = ctx.import_price(i, k);  // reference USD -> USD
        agg.flow(j, i, m) += c.direct(j, i, m);
        const double q_direct = c.direct(j, i, m) * part(j, i, k);
        const double direct = q_direct * price * (1 - agg.discount(j, i, k));
        fl.value(j, i, k) += direct;
        ship(j, i, k, q_direct);
        if (state::product_of(m) == 1) fl.dual_use(j, i, 0) += direct;
        for (auto h : world.hubs) {
          const double q = c.via_hub(j, h, i, m);
          if (q <= 0) continue;
          agg.flow(j, h, m) += q;
          // Each leg is paid on its own: the first leg's payment is the
          // first leg's trade (and the value through the hub).
          const double q_in = q * part(j, h, k), q_out = q * part(h, i, k);
          const double leg = q_in * price * (1 - agg.discount(j, h, k));
          fl.value(j, h, k) += leg;
          fl.value(h, i, k) += q_out * price * (1 - agg.discount(j, h, k)) * (1 + ctx.spec->states[h].hub->markup);
          fl.via_hub(j, i, k) += leg;
          ship(j, h, k, q_in);
          ship(h, i, k, q_out);
          if (state::product_of(m) == 1) {
            fl.dual_use(j, i, 1) += leg;
            fl.dual_use_hub(h, i) += leg;
          }
        }
      }
  if (paid)
    // Trade paid out of the backlog on legs with nothing contracted this
    // step: valued as contracted earlier, at this step's price and discount.
    for (std::size_t j = 0; j < S; ++j)
      for (std::size_t i = 0; i < S; ++i)
        for (std::size_t k = 0; k < K; ++k) {
          const double usd = paid->extra(j, i, k);
          if (usd <= 0) continue;
          const double per_reference = ctx.import_price(i, k) * (1 - agg.discount(j, i, k));
          fl.value(j, i, k) += usd;
          if (per_reference > 0) ship(j, i, k, usd / per_reference);
        }
  return fl;
}

namespace {

/// An importer's sums over its edges of order x fill: all its trade, that
/// with a sanctioned target, and that through a hub.
struct EdgeSums {
  double trade = 0, target = 0, via_hub = 0;
};

/// The edge sums of `Firms` consecutive firms of one importer group, whose
/// `n` edges each follow one another from `order`. The firms' sums are
/// independent chains of additions, each waiting on the one before (4
/// cycles); interleaved, the additions of one firm run while another's
/// wait. Each firm's sums still add its edges in order. Without `Target`
/// (`Hub`), the group's target (hub) fills are all 0 and the sums are
/// skipped: orders are finite and non-negative, so each product would be
/// +0.0 or -0.0 and the sum stays +0.0, as it starts. (__restrict: the
/// orders, fills and sums never overlap, and the compiler need not check it
/// before each short loop. Unrolled: a firm has about 12 edges, and
/// unrolling made firm_trade about 6 % faster on one thread at 10^6 firms.)
template <std::size_t Firms, bool Target, bool Hub>
void edge_sums(const float* __restrict order, std::size_t n, const double* __restrict fill,
               const double* __restrict target_fill, const double* __restrict hub_fill, EdgeSums* __restrict out) {
  double trade[Firms] = {}, target[Firms] = {}, via_hub[Firms] = {};
#pragma GCC unroll 4
  for (std::size_t o = 0; o < n; ++o) {
#pragma GCC unroll 4
    for (std::size_t r = 0; r < Firms; ++r) {
      const double q = order[r * n + o];
      trade[r] += q * fill[o];
      if constexpr (Target) target[r] += q * target_fill[o];
      if constexpr (Hub) via_hub[r] += q * hub_fill[o];
    }
  }
  for (std::size_t r = 0; r < Firms; ++r) out[r] = {trade[r], target[r], via_hub[r]};
}

}  // namespace

void firm_trade(const rules::StepContext& ctx, state::World& world, const Clearing& c, std::size_t begin,
                std::size_t end) {
  auto& f = world.firms;
  const auto& net = world.network;
  const auto& gs = world.group_state;
  const std::size_t S = world.dims.states;
  std::vector<double> target_fill, hub_fill;
  // Firms are stored group by group, and the firms of a group share their
  // state, market and role: what follows from those is worked out once per
  // run of firms of one group (a range holds few groups), and each firm
  // reads only its own columns.
  for (std::size_t first = begin; first < end;) {
    const std::uint32_t g = f.group[first];
    std::size_t last = first + 1;
    while (last < end && f.group[last] == g) ++last;
    const std::size_t s = f.state[first], k = f.sector[first], m = market_of(k, f.product[first]);
    const auto role = static_cast<Role>(f.role[first]);
    const double price = role == Role::importer ? ctx.import_price(s, k) : ctx.price(k);
    // A designated firm keeps its trade with sanctioned partners and only
    // `retained` of its size share of the group's other business; the rest
    // goes to the group's other firms in proportion to their shares (the
    // group's flows are those of clearing). `lost` is what it no longer has.
    const double lost_share = gs.lost[g];
    const auto put = [&](std::size_t i, double trade, double target, double via_hub, double lost) {
      f.trade[i] = trade * price;
      f.target_trade[i] = target * price;
      f.target_via_hub[i] = via_hub * price;
      f.designation_loss[i] = lost * price;
    };
    if (role == Role::importer) {
      // Each option's fill counted as trade with a sanctioned target, and
      // through a hub (the fill or 0), so that the loop over a firm's edges
      // is multiply-adds; the sums of a kind are skipped where the group has
      // no such fill.
      const std::size_t n = net.option_count(g);
      const double* const fill = c.fill[g].data();
      assert(c.fill[g].size() == n);
      target_fill.assign(n, 0.0);
      hub_fill.assign(n, 0.0);
      bool any_target = false, any_hub = false;
      for (std::size_t o = 0; o < n; ++o) {
        const auto& option = net.option(g, o);
        if (ctx.firm_enforcement(s, option.exporter, m) <= 0) continue;
        target_fill[o] = fill[o];
        any_target = any_target || fill[o] != 0;
        if (option.hub != Option::no_hub) {
          hub_fill[o] = fill[o];
          any_hub = any_hub || fill[o] != 0;
        }
      }
      const double open = c.open_filled[g];
      const auto importers = [&]<bool Target, bool Hub>() {
        // The firms' edges follow one another, n each.
        const float* order = net.order.data() + net.first_edge[first];
        for (std::size_t i = first; i < last;) {
          EdgeSums e[2];
          // The orders 1 KB ahead (about 20 firms): perf put most of the
          // edge loop's time on its first read of each new cache line of
          // orders, which the hardware's prefetch had not fetched yet. (2 KB
          // ahead was slower; the four result columns ahead, no gain. Past
          // the column's end a prefetch does not fault.)
          __builtin_prefetch(order + 256);
          std::size_t firms = 2;
          if (last - i >= 2)
            edge_sums<2, Target, Hub>(order, n, fill, target_fill.data(), hub_fill.data(), e);
          else {
            edge_sums<1, Target, Hub>(order, n, fill, target_fill.data(), hub_fill.data(), e);
            firms = 1;
          }
          order += firms * n;
          for (std::size_t r = 0; r < firms; ++r, ++i) {
            assert(net.first_edge[i + 1] - net.first_edge[i] == n);  // the layout read above
            double trade = e[r].trade, lost = 0;
            if (lost_share > 0) {
              // Purchases from suppliers that are not sanctioned are then
              // split by size share, as exporters' sales always are.
              const double kept = f.retained[i];
              trade = e[r].target + open * f.share[i] * kept / std::max(1e-12, 1 - lost_share);
              lost = open * f.share[i] * (1 - kept);
            }
            put(i, trade, e[r].target, e[r].via_hub, lost);
          }
        }
      };
      if (any_hub)
        importers.template operator()<true, true>();
      else if (any_target)
        importers.template operator()<true, false>();
      else
        importers.template operator()<false, false>();
    } else if (role == Role::exporter) {
      // Sales to sanctioned destinations go to the firms willing to make them.
      const double open = c.sales(s, m) - c.target_sales(s, m) - c.hub_sales(s, m);
      for (std::size_t i = first; i < last; ++i) {
        const double kept = f.retained[i];
        double trade = open * f.share[i] * kept / std::max(1e-12, 1 - lost_share);
        const double lost = open * f.share[i] * (1 - kept);
        double target = 0, via_hub = 0;
        if (!f.cautious[i] && gs.cautious[g] < 1) target += c.target_sales(s, m) * f.share[i] / (1 - gs.cautious[g]);
        if (!f.cautious_hub[i] && gs.cautious_hub[g] < 1) {
          via_hub = c.hub_sales(s, m) * f.share[i] / (1 - gs.cautious_hub[g]);
          target += via_hub;
        }
        trade += target;
        put(i, trade, target, via_hub, lost);
      }
    } else {
      double through = 0, sanctioned = 0;
      for (std::size_t dest = 0; dest < S; ++dest) {
        for (std::size_t p = 0; p < 2; ++p) {
          const std::size_t mp = market_of(k, p);
          const double q = c.hub_volume(s, dest, mp);
          through += q;
          if (ctx.firm_enforcement(s, dest, mp) > 0) sanctioned += q;
        }
      }
      for (std::size_t i = first; i < last; ++i) {
        double trade = 0, target = 0, via_hub = 0, lost = 0;
        if (!f.cautious[i] && gs.cautious[g] < 1) {
          const double kept = f.retained[i];
          const double willing = 1 - gs.cautious[g];  // designated firms are never cautious
          trade = through * f.share[i] / willing;
          target = sanctioned * f.share[i] / willing;
          via_hub = target;
          if (lost_share > 0) {
            const double open = through - sanctioned;
            trade = target + open * f.share[i] * kept / std::max(1e-12, willing - lost_share);
            lost = open * f.share[i] * (1 - kept) / willing;
          }
        }
        put(i, trade, target, via_hub, lost);
      }
    }
    first = last;
  }
}

state::Grid pair_values(const state::Grid& value) {
  const std::size_t S = value.extent(0), K = value.extent(2);
  state::Grid pair({S, S});
  for (std::size_t i = 0; i < S; ++i)
    for (std::size_t j = 0; j < S; ++j)
      for (std::size_t k = 0; k < K; ++k) pair(i, j) += value(i, j, k);
  return pair;
}

}  // namespace geosim::market
