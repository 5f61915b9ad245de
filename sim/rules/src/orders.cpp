#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "geosim/rules/decisions.hpp"
#include "geosim/rules/orders.hpp"

namespace geosim::rules {

double option_feasibility(const StepContext& ctx, std::size_t i, std::size_t m,
                          const state::Option& o) {
  // Payments do not bar an option: what finds no channel waits in the
  // backlog, and its expected cost is in the option's price (settlement_cost).
  const std::size_t j = o.exporter;
  if (o.hub == state::Option::no_hub) return 1.0 - ctx.policy.direct_block(j, i, m);
  const std::size_t h = o.hub;
  const double evasion = ctx.spec->states[h].hub->evasion;
  return 1.0 - ctx.policy.hub_block(j, h, i, m, evasion);
}

std::vector<std::vector<OptionTerms>> option_terms(const StepContext& ctx, const state::World& world) {
  const auto& agg = world.agg;
  const auto& tc = world.trade_cost;
  std::vector<std::vector<OptionTerms>> terms(world.groups.size());
  for (std::size_t g = 0; g < world.groups.size(); ++g) {
    const auto& grp = world.groups[g];
    if (grp.role != model::Role::importer) continue;
    const std::size_t i = grp.state, m = grp.market, k = state::sector_of(m);
    const double pass_through = ctx.spec->sectors[k].exchange_rate_pass_through;
    for (std::size_t n = 0; n < world.network.option_count(g); ++n) {
      const auto& o = world.network.option(g, n);
      const std::size_t j = o.exporter;
      OptionTerms t;
      // The goods are made in j: j's real exchange rate moves their USD price
      // by the sector's pass-through, on the direct route and through a hub.
      const double competitiveness = std::pow(ctx.real_exchange_rate(j), pass_through);
      t.feasibility = option_feasibility(ctx, i, m, o);
      t.sanctioned = ctx.firm_enforcement(i, j, m) > 0;
      t.detect = ctx.spec->params.risk.detection_base * ctx.firm_enforcement(i, j, m);
      if (o.hub == state::Option::no_hub) {
        // Buyers' risk premium (self-sanctioning) counts as a cost on top.
        t.price = competitiveness * (1 - agg.market_discount(j, i, k)) * (1 + tc(j, i)) * (1 + agg.settlement_cost(j, i)) *
                  (1 + ctx.policy.premium(j, i, m));
        t.mass = ctx.affinity(i, j, k) * ctx.capacity(j, m);
      } else {
        const std::size_t h = o.hub;
        const auto& hub = *ctx.spec->states[h].hub;
        t.hub = true;
        t.price = competitiveness * (1 - agg.market_discount(j, h, k)) * (1 + tc(j, h)) * (1 + tc(h, i)) * (1 + hub.markup) *
                  (1 + agg.settlement_cost(j, h)) * (1 + agg.settlement_cost(h, i)) *
                  (1 + ctx.policy.premium(j, i, m) * (1 - hub.evasion)) * (1 + ctx.policy.premium(h, i, m));
        // A detour exists to get around a barrier: its weight grows with the
        // share of the direct route that policy or exporters' caution bars.
        const double caution =
            ctx.firm_enforcement(j, i, m) > 0 ? state::group_caution(world, world.exporter_group, j, m) : 0.0;
        const double barred = std::max(ctx.policy.direct_block(j, i, m), caution);
        t.mass = ctx.affinity(i, j, k) * std::min(ctx.capacity(j, m), ctx.hub_capacity(h, k)) * barred;
        t.detect *= hub.detection_factor;
      }
      const double sigma = ctx.spec->sectors[k].elasticity;
      t.attraction = t.mass * std::pow(t.price, -sigma);
      t.switching_cost = model::switching_cost(*ctx.spec, k);
      t.spot = model::spot_weight(*ctx.spec, k);
      terms[g].push_back(t);
    }
  }
  return terms;
}

namespace {

/// A relationship whose weight falls below this is lost (the option unused).
constexpr double unused = 1e-6;

/// Months since the decision that make a relationship formed: the first
/// month at least `lag` months after it.
bool set_up(std::uint16_t forming, double lag) { return forming > 0 && forming >= lag + 1; }

}  // namespace

OrderBlocks order_blocks(const state::World& world) {
  OrderBlocks out;
  for (const auto& block : state::firm_blocks(world, state::block_firms)) {
    if (world.groups[block.group].role != model::Role::importer) continue;
    out.blocks.push_back(block);
    out.sums.push_back(out.slots);
    out.slots += 2 * world.network.option_count(block.group) + 2;
  }
  return out;
}

namespace {

/// An importer's options as place_orders reads them, per option: the
/// group's terms for most firms, a firm's own where its risk premium enters.
struct OptionColumns {
  double* price;         ///< effective price / world price, the firm's premium included
  double* feasibility;   ///< [0, 1]
  /// Price a new supplier is judged at, price x (1 + switching cost); NaN
  /// where the option is infeasible, so that it never beats the incumbent.
  double* switch_price;
  /// Attraction x feasibility (the desire before normalising), 4 per option
  /// by the firm's relationship with it, at 2 x established + formed.
  /// Without a relationship the firm buys from a supplier only spot: the
  /// option weighs `spot` of what it would with one. The scenario's affinity
  /// of an option without a relationship in the first month describes spot
  /// purchases already, so a relationship formed since divides by `spot`,
  /// and one the firm had and lost multiplies by it.
  double* desire;

  OptionColumns(double* storage, std::size_t n)
      : price(storage), feasibility(storage + n), switch_price(storage + 2 * n), desire(storage + 3 * n) {}
  static constexpr std::size_t doubles_per_option = 7;

  void set(std::size_t o, double p, double feasible, double attraction, const OptionTerms& term) {
    price[o] = p;
    feasibility[o] = feasible;
    switch_price[o] = feasible > 0 ? p * (1 + term.switching_cost) : std::numeric_limits<double>::quiet_NaN();
    const double d = attraction * feasible;  // unnormalised
    desire[4 * o] = d;
    desire[4 * o + 1] = d / term.spot;
    desire[4 * o + 2] = d * term.spot;
    desire[4 * o + 3] = d;
  }
};

}  // namespace

void place_orders(const StepContext& ctx, state::World& world, const std::vector<std::vector<OptionTerms>>& terms,
                  const state::Grid& demand, const state::FirmBlock& block, double* sums) {
  const auto& op = ctx.spec->params.orders;
  const auto& risk = ctx.spec->params.risk;
  const double rho = op.reoptimise_share, keep = 1 - rho;
  auto& f = world.firms;
  auto& net = world.network;
  const std::size_t g = block.group, n = net.option_count(g);
  const auto& grp = world.groups[g];
  const auto& t = terms[g];
  const std::size_t m = grp.market;
  const double sigma = ctx.spec->sectors[state::sector_of(m)].elasticity;
  const double group_demand = demand(grp.state, m);
  std::fill(sums, sums + 2 * n + 2, 0.0);
  if (n == 0 || block.first == block.last) return;
  // (__restrict here and below: no two of these arrays overlap, and the
  // compiler need not check it at run time before each short loop.)
  double* __restrict const placed = sums;
  double* __restrict const desired = sums + n;

  // What of the options' terms is the same for every firm of the group is
  // worked out once here; only sanctioned options, for firms not designated,
  // depend on the firm (0.5 % of edges in the baseline), and such a firm
  // gets its own copy. Then per firm, each option's desire, then its order
  // before scaling, passed from one step to the next in double, not kept.
  // Two firms are under way at a time (below), so two of each.
  constexpr std::size_t per_option = OptionColumns::doubles_per_option;
  std::vector<double> scratch((3 * per_option + 2) * n);
  OptionColumns group_options(scratch.data(), n);
  OptionColumns firm_options[2] = {OptionColumns(scratch.data() + per_option * n, n),
                                   OptionColumns(scratch.data() + 2 * per_option * n, n)};
  double* const desires = scratch.data() + 3 * per_option * n;
  bool any_sanctioned = false;
  for (std::size_t o = 0; o < n; ++o) {
    group_options.set(o, t[o].price, t[o].feasibility, t[o].attraction, t[o]);
    any_sanctioned = any_sanctioned || t[o].sanctioned;
  }

  /// A firm between the steps below.
  struct Firm {
    std::uint32_t i = 0;
    std::size_t b = 0;                        ///< its first edge
    const OptionColumns* options = nullptr;
    double* desire = nullptr;                 ///< per option
    double desire_sum = 0;
    bool first = false;                       ///< its first month
  };

  // Step 1: the firm's options' desire, and its relationships but their weights.
  const auto choose = [&](std::size_t r, Firm& s, std::size_t slot) {
    const std::uint32_t i = grp.firms[r];
    const std::size_t b = net.first_edge[i];
    const double* __restrict const weight = net.weight.data() + b;
    state::Relationship* __restrict const relationship = net.relationship.data() + b;
    double* __restrict const desire = desires + slot * n;

    // Each option's price and CES attraction to this firm, its own risk
    // premium and caution included.
    const OptionColumns* options = &group_options;
    if (any_sanctioned && !f.designated[i]) {
      // The firm's columns are read once: the stores below could alias them.
      const bool cautious = f.cautious[i], cautious_hub = f.cautious_hub[i];
      const double belief = f.belief[i], visibility = f.visibility[i], exposure = f.exposure[i];
      OptionColumns& own = firm_options[slot];
      std::copy(group_options.price, group_options.price + per_option * n, own.price);  // all columns
      for (std::size_t o = 0; o < n; ++o) {
        const auto& term = t[o];
        if (!term.sanctioned) continue;
        double feasible = term.feasibility;
        double p = term.price;
        double attraction = term.attraction;
        if (term.hub ? cautious_hub : cautious) feasible = 0;
        const double premium =
            1 + belief * std::min(1.0, term.detect * visibility) * exposure * risk.penalty_multiple;
        p *= premium;
        attraction *= std::pow(premium, -sigma);
        own.set(o, p, feasible, attraction, term);
      }
      options = &own;
    }
    const double* const price = options->price;
    const double* const feasibility = options->feasibility;

    // Relationships. One that goes unused is lost. What the firm pays its
    // suppliers with a relationship, weighted by last month's weights, is
    // the price a new supplier must beat by the switching cost. (In the
    // first month, whose relationships are set below, neither is used.)
    // (Unrolled: a firm has about 12 options, and the loops' own counting
    // was a measurable part of their instructions.)
    double total_weight = 0, incumbent_weight = 0, incumbent_cost = 0;
    #pragma GCC unroll 4
    for (std::size_t o = 0; o < n; ++o) {
      const double w = weight[o];
      total_weight += w;
      auto& rel = relationship[o];
      if (rel.formed() && w < unused) rel.set_formed(false);
      if (rel.formed() && feasibility[o] > 0) {
        incumbent_weight += w;
        incumbent_cost += w * price[o];
      }
    }
    const bool first = total_weight <= 0;

    double desire_sum = 0;
    if (first) {
      // The first month's relationships: the suppliers the firm buys a
      // material share from. The scenario's affinities describe the trade of
      // that month as it was, relationships or not, so nothing is added here.
      for (std::size_t o = 0; o < n; ++o) desire_sum += options->desire[4 * o];
      for (std::size_t o = 0; o < n; ++o) {
        const double d = options->desire[4 * o];
        const bool has = desire_sum > 0 && d >= op.established_share * desire_sum && d > 0;
        relationship[o] = state::Relationship::first_month(has);
        desire[o] = d;
      }
    } else {
      // Once a new supplier beats the incumbent price by the switching cost,
      // the firm decides to switch (a sunk cost: the decision stands) and
      // the relationship carries volume formation_lag months later. (The
      // test below holds for few edges, a relationship under way or a new
      // decision, so its branch is well predicted; the spot factors are
      // looked up, see OptionColumns::desire.)
      const double incumbent =
          incumbent_weight > 0 ? incumbent_cost / incumbent_weight : std::numeric_limits<double>::infinity();
      const double* const switch_price = options->switch_price;
      #pragma GCC unroll 4
      for (std::size_t o = 0; o < n; ++o) {
        auto& rel = relationship[o];
        if (!rel.formed() && ((rel.forming() > 0) | (switch_price[o] <= incumbent))) {
          if (rel.forming() > 0)
            rel.set_forming(static_cast<std::uint16_t>(rel.forming() + 1));
          else
            rel.set_forming(1);
          if (set_up(rel.forming(), op.formation_lag)) {
            rel.set_formed(true);
            rel.set_forming(0);
          }
        }
        // Desired split: CES over effective prices, among feasible options.
        const double d = options->desire[4 * o + 2 * rel.established() + rel.formed()];
        desire[o] = d;
        desire_sum += d;
      }
    }
    s = Firm{i, b, options, desire, desire_sum, first};
  };

  // Step 2: the weights, and the firm's orders before scaling (in its
  // desire); returns the factor that scales them to its demand.
  //
  // Relationships move a share rho toward the desired split; the feasibility
  // each weight was formed under is tracked so that a new ban bites at once
  // while lifted bans let trade return only as relationships rebuild.
  // The month's bite is the exact one; the formed feasibility carried to
  // next month is rounded to float once, here. (One reciprocal per firm,
  // and the two divisions per edge independent of each other. Session 11
  // measured one reciprocal per edge instead, and both quotients selected
  // without branches: neither was faster; session 12 again: the whole
  // update without branches was 15 % slower. What paid was skipping both
  // divisions where phi and bite are exactly 1, most edges: place_orders
  // is bound by its instructions more than by memory; benchmarks/README.md.)
  const auto update = [&](const Firm& s) {
    double* __restrict const weight = net.weight.data() + s.b;
    float* __restrict const formed_feasibility = net.formed_feasibility.data() + s.b;
    double* __restrict const desire = s.desire;
    const double* const feasibility = s.options->feasibility;
    const double D = f.share[s.i] * group_demand;
    const double per_desire = s.desire_sum > 0 ? 1 / s.desire_sum : 0.0;
    double order_sum = 0;
    if (s.first) {
      for (std::size_t o = 0; o < n; ++o) {
        const double x = desire[o] * per_desire;
        desired[o] += D * x;
        const double feasible = feasibility[o];
        weight[o] = x;
        formed_feasibility[o] = static_cast<float>(feasible);
        desire[o] = x * (feasible > 0 ? 1.0 : 0.0);  // the order before scaling
        order_sum += desire[o];
      }
    } else {
      // 1.0 and 1.0f, whose bit patterns are compared as integers (cheaper
      // than == on doubles, which must handle NaN).
      constexpr std::uint64_t full = std::bit_cast<std::uint64_t>(1.0);
      constexpr std::uint32_t full_f = std::bit_cast<std::uint32_t>(1.0f);
      #pragma GCC unroll 4
      for (std::size_t o = 0; o < n; ++o) {
        const double x = desire[o] * per_desire;
        desired[o] += D * x;
        const double feasible = feasibility[o];
        const double w_prev = weight[o];
        const float formed_under = formed_feasibility[o];
        const double w = keep * w_prev + rho * x;
        weight[o] = w;
        if (std::bit_cast<std::uint64_t>(feasible) == full && std::bit_cast<std::uint32_t>(formed_under) == full_f) {
          // Formed and feasible in full (most edges): formed below would be
          // w itself (the same products and sum), phi and bite exactly 1.
          desire[o] = w;
        } else {
          // phi x w: the weight's parts, each at the feasibility it was formed under.
          const double formed = keep * w_prev * formed_under + rho * x * feasible;
          double phi = feasible, bite = feasible > 0 ? 1.0 : 0.0;
          if (w > 0) {
            phi = formed / w;
            bite = formed > 0 ? std::min(1.0, feasible * w / formed) : 0.0;  // feasible / phi
          }
          formed_feasibility[o] = static_cast<float>(phi);
          desire[o] = w * bite;  // the order before scaling
        }
        order_sum += desire[o];
      }
    }
    return order_sum > 0 ? D / order_sum : 0.0;
  };

  // Step 3: the firm's orders, and the block's sums. Orders are stored as
  // float: each is rounded once, here, and every sum below (and firm_trade's
  // split of the group's cleared flows) adds the rounded values, so the
  // firms' shares of a group's orders add up to one. (The rounding loop
  // vectorises; with the two sums in it place_orders was about 3 % slower.)
  double order_sum_all = 0, price_sum_all = 0;
  const auto place = [&](const Firm& s, double scale) {
    float* __restrict const order = net.order.data() + s.b;
    const double* __restrict const desire = s.desire;
    const double* const price = s.options->price;
    for (std::size_t o = 0; o < n; ++o) {
      order[o] = static_cast<float>(desire[o] * scale);
      placed[o] += order[o];
    }
    #pragma GCC unroll 4
    for (std::size_t o = 0; o < n; ++o) {
      const double q = order[o];
      order_sum_all += q;
      price_sum_all += q * price[o];
    }
  };

  // Firm r's scale waits on a chain of sums and a division, and the next
  // firm's step 1 on its edges' first reads from memory; neither depends on
  // the other, so one runs between firm r's steps 2 and 3 (at 10^6 firms on
  // 2 threads place_orders was 4 % faster so, though 1-2 % slower on 1
  // thread at 10^5, where the edges are in cache). Every sum over firms
  // (desired, placed, the order and price sums) still adds them in firm
  // order.
  Firm firms[2];
  choose(block.first, firms[0], 0);
  for (std::size_t r = block.first; r < block.last; ++r) {
    const std::size_t slot = (r - block.first) & 1;
    const double scale = update(firms[slot]);
    if (r + 1 < block.last) choose(r + 1, firms[1 - slot], 1 - slot);
    place(firms[slot], scale);
  }
  sums[2 * n] = order_sum_all;
  sums[2 * n + 1] = price_sum_all;
}

OrderSums sum_orders(const state::World& world, const OrderBlocks& blocks, const std::vector<double>& sums) {
  const std::size_t G = world.groups.size();
  OrderSums out;
  out.placed.resize(G);
  out.desired.resize(G);
  out.order_sum.assign(G, 0.0);
  out.price_sum.assign(G, 0.0);
  for (std::size_t g = 0; g < G; ++g) {
    if (world.groups[g].role != model::Role::importer) continue;
    out.placed[g].assign(world.network.option_count(g), 0.0);
    out.desired[g].assign(world.network.option_count(g), 0.0);
  }
  for (std::size_t k = 0; k < blocks.blocks.size(); ++k) {
    const std::size_t g = blocks.blocks[k].group, n = world.network.option_count(g);
    const double* s = sums.data() + blocks.sums[k];
    for (std::size_t o = 0; o < n; ++o) {
      out.placed[g][o] += s[o];
      out.desired[g][o] += s[n + o];
    }
    out.order_sum[g] += s[2 * n];
    out.price_sum[g] += s[2 * n + 1];
  }
  return out;
}

OrderSums place_orders(const StepContext& ctx, state::World& world, const std::vector<std::vector<OptionTerms>>& terms,
                       const state::Grid& demand) {
  const auto blocks = order_blocks(world);
  std::vector<double> sums(blocks.slots);
  for (std::size_t k = 0; k < blocks.blocks.size(); ++k)
    place_orders(ctx, world, terms, demand, blocks.blocks[k], sums.data() + blocks.sums[k]);
  return sum_orders(world, blocks, sums);
}

}  // namespace geosim::rules
