#include "metrics.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "geosim/engine/engine.hpp"
#include "geosim/market/dependence.hpp"

namespace geosim::engine {

using state::Grid;
using state::market_of;

namespace {

/// Quantities that several variables read, computed once per step before any
/// variable so that no variable recomputes what another one needs.
struct Derived {
  Grid vulnerability;  ///< [state][partner] vulnerability-weighted dependence (MODEL.md §6), 1
  Grid price;          ///< [sector] world price, in the sector's price unit
  /// Firm tallies [state][sector] from the groups' (rules::GroupOutcome):
  /// firms, and sums of cautious, penalised, designated, belief and
  /// designation loss (USD/month).
  Grid firms, cautious, penalised, designated, belief, designation_loss;
  /// Bank tallies [state]: banks, and sums of cautious and penalised.
  Grid banks, bank_cautious, bank_penalised;
};

Derived derive(const StepData& d) {
  const auto& ctx = d.ctx;
  const auto& w = d.world;
  const auto& spec = *ctx.spec;
  const std::size_t S = ctx.dims.states, K = ctx.dims.sectors;
  Derived x;

  // Total trade of each state, the denominator of vulnerability.
  Grid total({S});
  for (std::size_t i = 0; i < S; ++i)
    for (std::size_t j = 0; j < S; ++j)
      for (std::size_t k = 0; k < K; ++k) total(i) += d.flows.value(i, j, k) + d.flows.value(j, i, k);

  // Vulnerability: critical trade that could not be re-sourced or re-sold
  // within a year. Replaceable imports: other suppliers' spare capacity;
  // replaceable exports: other buyers' purchases from third suppliers; each
  // only as far as policy, payment channels and the other side's caution
  // leave the route open, and scaled by the share of relationships
  // re-optimised within a year.
  const double reach = 1.0 - std::pow(1.0 - spec.params.orders.reoptimise_share, 12.0);
  // Share of the route seller -> buyer in market m open to trade.
  const auto open = [&](std::size_t seller, std::size_t buyer, std::size_t m) {
    double o = (1 - ctx.policy.direct_block(seller, buyer, m)) * w.agg.availability(seller, buyer);
    if (ctx.firm_enforcement(seller, buyer, m) > 0) o *= 1 - state::group_caution(w, w.exporter_group, seller, m);
    if (ctx.firm_enforcement(buyer, seller, m) > 0) o *= 1 - state::group_caution(w, w.importer_group, buyer, m);
    return o;
  };
  x.vulnerability = Grid({S, S});
  for (std::size_t i = 0; i < S; ++i) {
    if (total(i) <= 0) continue;
    for (std::size_t j = 0; j < S; ++j) {
      if (i == j) continue;
      double v = 0;
      for (std::size_t k = 0; k < K; ++k) {
        // Each side valued at its buyer's price (§7.2).
        double imports = 0, exports = 0, spare_in = 0, resell = 0;
        for (std::size_t p = 0; p < 2; ++p) {
          const std::size_t m = market_of(k, p);
          for (std::size_t y = 0; y < S; ++y) {
            if (y == i || y == j) continue;
            spare_in += std::max(0.0, ctx.capacity(y, m) - d.clearing.sales(y, m)) * ctx.import_price(i, k) * open(y, i, m);
            double bought_elsewhere = 0;
            for (std::size_t z = 0; z < S; ++z)
              if (z != y && z != i) bought_elsewhere += d.clearing.direct(z, y, m);
            resell += bought_elsewhere * ctx.import_price(y, k) * open(i, y, m);
          }
        }
        imports = d.flows.value(j, i, k);
        exports = d.flows.value(i, j, k);
        const double repl_in = imports > 0 ? std::min(1.0, reach * spare_in / imports) : 1.0;
        const double repl_out = exports > 0 ? std::min(1.0, reach * resell / exports) : 1.0;
        v += spec.sectors[k].criticality * (imports * (1 - repl_in) + exports * (1 - repl_out));
      }
      x.vulnerability(i, j) = v / total(i);
    }
  }

  x.price = Grid({K});
  for (std::size_t k = 0; k < K; ++k) x.price(k) = ctx.price(k) * spec.sectors[k].reference_price;

  x.firms = x.cautious = x.penalised = x.designated = x.belief = x.designation_loss = Grid({S, K});
  // The groups' tallies (rules::sum_group_outcome), added in group order:
  // a group's firms are of one state and sector.
  for (std::size_t g = 0; g < w.groups.size(); ++g) {
    const std::size_t s = w.groups[g].state, k = state::sector_of(w.groups[g].market);
    const auto& o = d.outcome;
    x.firms(s, k) += static_cast<double>(w.groups[g].firms.size());
    x.cautious(s, k) += o.cautious[g];
    x.penalised(s, k) += o.penalised[g];  // every penalised firm counts as exposed
    x.designated(s, k) += o.designated[g];
    x.belief(s, k) += o.belief[g];
    x.designation_loss(s, k) += o.designation_loss[g];
  }
  x.banks = x.bank_cautious = x.bank_penalised = Grid({S});
  const auto& b = w.banks;
  for (std::size_t i = 0; i < b.state.size(); ++i) {
    x.banks(b.state[i]) += 1;
    // Banks' shares of their state sum to one: this is the size-weighted
    // share of normal sanctioned-linked payments refused.
    x.bank_cautious(b.state[i]) += b.share[i] * (1.0 - std::min(1.0, b.offer[i]));
    x.bank_penalised(b.state[i]) += b.penalised[i];
  }
  return x;
}

/// Per-member mean of a tally: sum / count, 0 where the count is 0.
std::vector<double> mean_of(const Grid& sum, const Grid& count) {
  std::vector<double> out = sum.data();
  for (std::size_t x = 0; x < out.size(); ++x) {
    const double n = count.data()[x];
    out[x] = n > 0 ? out[x] / n : 0.0;
  }
  return out;
}

/// [state][partner] f(g(state, partner), g(partner, state)): a pair measure
/// that weighs one direction against the other.
template <class F>
std::vector<double> of_both_directions(const Grid& g, F f) {
  const std::size_t S = g.extent(0);
  std::vector<double> out(S * S);
  for (std::size_t i = 0; i < S; ++i)
    for (std::size_t j = 0; j < S; ++j) out[i * S + j] = f(g(i, j), g(j, i));
  return out;
}

/// One step's values of a variable: a row-major array over its dims without time.
using Compute = std::vector<double> (*)(const StepData&, const Derived&);

/// An output variable: what files say about it and how a step computes it.
struct Variable {
  VariableInfo info;
  Compute compute;
};

/// The output variables in record order. Adding a variable is adding an entry.
const std::vector<Variable>& catalogue() {
  using D = Dim;
  using I = Invariant;
  using X = Derived;
  static const std::vector<Variable> table = {
      {{"trade_value", "USD month-1", "exports of state to partner by sector (hub legs included)",
        {D::time, D::state, D::partner, D::sector}, I::non_negative},
       [](const StepData& d, const X&) { return d.flows.value.data(); }},
      {{"trade_value_via_hub", "USD month-1", "exports of state reaching partner through an intermediary hub",
        {D::time, D::state, D::partner, D::sector}, I::non_negative},
       [](const StepData& d, const X&) { return d.flows.via_hub.data(); }},
      {{"dual_use_trade", "USD month-1", "dual-use exports of state to partner by route (origin to destination)",
        {D::time, D::state, D::partner, D::route}, I::non_negative},
       [](const StepData& d, const X&) { return d.flows.dual_use.data(); }},
      {{"dual_use_via_hub", "USD month-1",
        "dual-use goods of any origin re-exported through hub state to partner (first leg's value)",
        {D::time, D::state, D::partner}, I::non_negative},
       [](const StepData& d, const X&) { return d.flows.dual_use_hub.data(); }},
      {{"trade_share", "1", "partner's share of state's total trade (exports + imports)",
        {D::time, D::state, D::partner}, I::shares_sum_to_one},
       [](const StepData& d, const X&) { return d.world.agg.dependence.data(); }},
      {{"dependence", "1", "dependence of state on partner: partner's share of state's trade",
        {D::time, D::state, D::partner}, I::shares_sum_to_one},
       [](const StepData& d, const X&) { return d.world.agg.dependence.data(); }},
      {{"vulnerability", "1", "vulnerability-weighted dependence of state on partner (MODEL.md 6)",
        {D::time, D::state, D::partner}, I::share},
       [](const StepData&, const X& x) { return x.vulnerability.data(); }},
      {{"leverage", "1",
        "leverage of partner over state from net dependence, (1 + d_ij - d_ji) / 2, in [0, 1] (0.5: symmetric)",
        {D::time, D::state, D::partner}, I::share},
       [](const StepData& d, const X&) { return of_both_directions(d.world.agg.dependence, market::leverage); }},
      {{"leverage_ratio", "1",
        "leverage of partner over state as odds, leverage / (1 - leverage) = (1 + d_ij - d_ji) / (1 - d_ij + d_ji)",
        {D::time, D::state, D::partner}, I::non_negative},
       [](const StepData& d, const X&) { return of_both_directions(d.world.agg.dependence, market::leverage_ratio); }},
      {{"hhi", "1", "Hirschman-Herfindahl concentration of state's trade over partners", {D::time, D::state}, I::share},
       [](const StepData& d, const X&) {
         const std::size_t S = d.ctx.dims.states;
         const Grid& share = d.world.agg.dependence;
         Grid h({S});
         for (std::size_t i = 0; i < S; ++i)
           for (std::size_t j = 0; j < S; ++j) h(i) += share(i, j) * share(i, j);
         return std::move(h.data());
       }},
      {{"discount", "1", "discount of state's exports to partner, fraction of the world price",
        {D::time, D::state, D::partner, D::sector}, I::finite},
       [](const StepData& d, const X&) { return d.world.agg.discount.data(); }},
      {{"discount_price", "price_unit", "discount of state's exports to partner in the sector's price unit",
        {D::time, D::state, D::partner, D::sector}, I::finite},
       [](const StepData& d, const X& x) {
         const std::size_t S = d.ctx.dims.states, K = d.ctx.dims.sectors;
         Grid disc({S, S, K});
         for (std::size_t i = 0; i < S; ++i)
           for (std::size_t j = 0; j < S; ++j)
             for (std::size_t k = 0; k < K; ++k) disc(i, j, k) = d.world.agg.discount(i, j, k) * x.price(k);
         return std::move(disc.data());
       }},
      {{"world_price", "price_unit", "world reference price of the sector", {D::time, D::sector}, I::non_negative},
       [](const StepData&, const X& x) { return x.price.data(); }},
      {{"settlement_share", "1", "share of currency in settling trade between state and partner",
        {D::time, D::state, D::partner, D::currency}, I::shares_sum_to_one},
       [](const StepData& d, const X&) {
         const std::size_t S = d.ctx.dims.states, C = d.ctx.dims.currencies;
         std::vector<double> out = d.world.agg.settled_share.data();
         // Within a pair the shares are defined only for distinct states.
         for (std::size_t i = 0; i < S; ++i)
           for (std::size_t c = 0; c < C; ++c) out[(i * S + i) * C + c] = 0.0;
         return out;
       }},
      {{"cautious_share", "1", "share of state's firms in sector withdrawn from trade with sanctioned targets",
        {D::time, D::state, D::sector}, I::share},
       [](const StepData&, const X& x) { return mean_of(x.cautious, x.firms); }},
      {{"cautious_bank_share", "1",
        "share of state's normal payments with sanctioned targets that its banks refuse (size-weighted)",
        {D::time, D::state}, I::share},
       [](const StepData&, const X& x) { return x.bank_cautious.data(); }},
      {{"bank_fee", "1", "fee above normal that state's banks charge on payments linked to partner, fraction of value",
        {D::time, D::state, D::partner}, I::non_negative},
       [](const StepData& d, const X&) { return d.world.agg.bank_fee.data(); }},
      {{"penalties", "count month-1", "firms of state in sector designated by secondary sanctions this month",
        {D::time, D::state, D::sector}, I::non_negative},
       [](const StepData&, const X& x) { return x.penalised.data(); }},
      {{"bank_penalties", "count month-1", "banks of state designated by secondary sanctions this month", {D::time, D::state}, I::non_negative},
       [](const StepData&, const X& x) { return x.bank_penalised.data(); }},
      {{"designated_share", "1", "share of state's firms in sector designated (lost their Western business)",
        {D::time, D::state, D::sector}, I::share},
       [](const StepData&, const X& x) { return mean_of(x.designated, x.firms); }},
      {{"designation_loss", "USD month-1",
        "business with partners not sanctioned that state's designated firms in sector lost (their Western "
        "business, taken over by their peers)",
        {D::time, D::state, D::sector}, I::non_negative},
       [](const StepData&, const X& x) { return x.designation_loss.data(); }},
      {{"payment_backlog", "USD", "payments between state and partner waiting for a channel",
        {D::time, D::state, D::partner}, I::non_negative},
       [](const StepData& d, const X&) { return d.world.agg.backlog.data(); }},
      {{"failed_payments", "USD month-1", "payments between state and partner that failed",
        {D::time, D::state, D::partner}, I::non_negative},
       [](const StepData& d, const X&) { return d.world.agg.failed.data(); }},
      {{"payment_availability", "1",
        "share of payments between state and partner that find a channel (currency, banks, agents, netting)",
        {D::time, D::state, D::partner}, I::share},
       [](const StepData& d, const X&) { return d.world.agg.availability.data(); }},
      {{"alternative_payments", "1",
        "share of payments between state and partner that payment agents and netting schemes take on",
        {D::time, D::state, D::partner}, I::share},
       [](const StepData& d, const X&) {
         // What they carry: their capacity, up to the share banks refuse.
         const auto& agg = d.world.agg;
         std::vector<double> out(agg.alternative.data().size());
         const std::size_t S = d.ctx.dims.states;
         for (std::size_t i = 0; i < S; ++i)
           for (std::size_t j = 0; j < S; ++j)
             out[i * S + j] = std::min(agg.alternative(i, j),
                                       1.0 - std::min(agg.bank_supply(i, j), agg.bank_supply(j, i)));
         return out;
       }},
      {{"payment_fee", "1", "fees above normal on payments between state and partner, fraction of their value",
        {D::time, D::state, D::partner}, I::non_negative},
       [](const StepData& d, const X&) { return d.world.agg.payment_fee.data(); }},
      {{"energy_revenue", "USD month-1",
        "state's export revenue from energy sectors, free on board: trade value less the freight it pays",
        {D::time, D::state}, I::finite},
       [](const StepData& d, const X&) {
         const std::size_t S = d.ctx.dims.states, K = d.ctx.dims.sectors;
         Grid energy({S});
         for (std::size_t i = 0; i < S; ++i)
           for (std::size_t j = 0; j < S; ++j)
             for (std::size_t k = 0; k < K; ++k)
               if (d.ctx.spec->sectors[k].energy) energy(i) += d.flows.value(i, j, k) - d.flows.freight(i, j, k);
         return std::move(energy.data());
       }},
      {{"unmet_demand", "USD month-1", "state's import demand left unfilled after clearing",
        {D::time, D::state, D::sector}, I::non_negative},
       [](const StepData& d, const X&) {
         const std::size_t S = d.ctx.dims.states, K = d.ctx.dims.sectors, M = d.ctx.dims.markets();
         Grid unmet({S, K});
         for (std::size_t i = 0; i < S; ++i)
           for (std::size_t m = 0; m < M; ++m) {
             const std::size_t k = state::sector_of(m);
             unmet(i, k) += d.clearing.unmet(i, m) * d.ctx.import_price(i, k);
           }
         return std::move(unmet.data());
       }},
      {{"enforcement", "1", "secondary-sanction intensity of state against partner (escalation included)",
        {D::time, D::state, D::partner}, I::share},
       [](const StepData& d, const X&) {
         const auto& policy = d.ctx.policy;
         const std::size_t S = d.ctx.dims.states, M = d.ctx.dims.markets();
         Grid enf({S, S});
         for (std::size_t by = 0; by < S; ++by)
           for (std::size_t t = 0; t < S; ++t) {
             double e = policy.secondary_banks(by, t);
             for (std::size_t m = 0; m < M; ++m) e = std::max(e, policy.secondary_firms(by, t, m));
             enf(by, t) = e;
           }
         return std::move(enf.data());
       }},
      {{"shadow_fleet", "1", "alternative shipping capacity of state, share of its energy exports",
        {D::time, D::state}, I::share},
       [](const StepData& d, const X&) {
         std::vector<double> out = d.world.agg.shadow_fleet.data();
         for (double& s : out) s = std::min(1.0, s);
         return out;
       }},
      {{"belief", "1", "mean perceived enforcement risk of state's firms in sector, relative to announced",
        {D::time, D::state, D::sector}, I::non_negative},
       [](const StepData&, const X& x) { return mean_of(x.belief, x.firms); }},
      {{"trade_quantity", "USD price_unit-1 month-1",
        "exports of state to partner by sector in physical units (crude: bbl; hub legs included)",
        {D::time, D::state, D::partner, D::sector}, I::non_negative},
       [](const StepData& d, const X&) { return d.flows.quantity.data(); }},
      {{"freight_cost", "price_unit",
        "freight and insurance per physical unit from state to partner, Western and alternative fleet blended",
        {D::time, D::state, D::partner, D::sector}, I::non_negative},
       [](const StepData& d, const X&) {
         const std::size_t S = d.ctx.dims.states, K = d.ctx.dims.sectors;
         Grid rate({S, S, K});
         for (std::size_t j = 0; j < S; ++j)
           for (std::size_t i = 0; i < S; ++i)
             for (std::size_t k = 0; k < K; ++k) rate(j, i, k) = market::freight_rate(d.ctx, d.world, j, i, k);
         return std::move(rate.data());
       }},
      {{"capacity_utilisation", "1", "state's exports in sector over its export capacity", {D::time, D::state, D::sector}, I::non_negative},
       [](const StepData& d, const X&) {
         const std::size_t S = d.ctx.dims.states, K = d.ctx.dims.sectors;
         Grid use({S, K});
         for (std::size_t s = 0; s < S; ++s)
           for (std::size_t k = 0; k < K; ++k) {
             double sold = 0, capacity = 0;
             for (std::size_t p = 0; p < 2; ++p) {
               sold += d.clearing.sales(s, state::market_of(k, p));
               capacity += d.ctx.capacity(s, state::market_of(k, p));
             }
             use(s, k) = capacity > 0 ? sold / capacity : 0.0;
           }
         return std::move(use.data());
       }},
      {{"hub_capacity", "USD month-1",
        "re-export capacity of hub state's intermediaries in sector at the sector's reference price, grown with "
        "their margin (0 for states that are not hubs)",
        {D::time, D::state, D::sector}, I::non_negative},
       [](const StepData& d, const X&) {
         // The capacity the next step clears with: the trend this month times
         // the expansion this step's margin bought.
         Grid cap = d.ctx.hub_trend_capacity;
         for (std::size_t x = 0; x < cap.data().size(); ++x) cap.data()[x] *= d.world.agg.hub_expansion.data()[x];
         return std::move(cap.data());
       }},
      {{"market_discount", "1",
        "discount of state's exports to partner before the price cap, fraction of the world price (the market's)",
        {D::time, D::state, D::partner, D::sector}, I::finite},
       [](const StepData& d, const X&) { return d.world.agg.market_discount.data(); }},
      {{"shadow_fleet_cost", "USD month-1",
        "what state's energy exports on its alternative fleet pay for freight and insurance", {D::time, D::state}, I::non_negative},
       [](const StepData& d, const X&) {
         const std::size_t S = d.ctx.dims.states, K = d.ctx.dims.sectors;
         Grid cost({S});
         for (std::size_t j = 0; j < S; ++j) {
           const double share = std::min(1.0, d.world.agg.shadow_fleet(j));
           for (std::size_t i = 0; i < S; ++i)
             for (std::size_t k = 0; k < K; ++k)
               if (d.ctx.spec->sectors[k].energy) cost(j) += share * d.flows.quantity(j, i, k) * d.world.freight(j, i, k, 1);
         }
         return std::move(cost.data());
       }},
      {{"real_exchange_rate", "1", "real exchange rate of state's currency against the USD this month (higher = stronger)",
        {D::time, D::state}, I::non_negative},
       [](const StepData& d, const X&) { return d.ctx.real_exchange_rate.data(); }},
      {{"income", "1", "state's smoothed export revenue relative to its trend, after this month (read next month)",
        {D::time, D::state}, I::non_negative},
       [](const StepData& d, const X&) { return d.world.agg.income.data(); }},
  };
  return table;
}

}  // namespace

const std::vector<VariableInfo>& variables() {
  static const std::vector<VariableInfo> infos = [] {
    std::vector<VariableInfo> v;
    for (const auto& var : catalogue()) v.push_back(var.info);
    return v;
  }();
  return infos;
}

void observe(const StepData& data, StepRecord& record) {
  const Derived derived = derive(data);
  const auto& table = catalogue();
  record.values.resize(table.size());
  for (std::size_t v = 0; v < table.size(); ++v) record.values[v] = table[v].compute(data, derived);
}

FirmSnapshot snapshot(const state::World& world, int step, Month month) {
  const auto& f = world.firms;
  FirmSnapshot s;
  s.step = step;
  s.month = month;
  s.state = f.state;
  s.sector = f.sector;
  s.role = f.role;
  s.size = f.size;
  s.exposure = f.exposure;
  s.cautious = f.cautious;
  s.trade = f.trade;
  return s;
}

}  // namespace geosim::engine
