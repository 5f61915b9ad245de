#include "metrics.hpp"

#include <algorithm>
#include <cmath>

#include "geosim/engine/engine.hpp"

namespace geosim::engine {

using state::Grid;
using state::market_of;

namespace {

// Record order; must match the table in variables().
enum Var : std::size_t {
  trade_value, trade_value_via_hub, dual_use_trade, trade_share, dependence, vulnerability, leverage,
  leverage_ratio, hhi, discount, discount_price, world_price, settlement_share, cautious_share,
  cautious_bank_share, penalties, bank_penalties, designated_share, payment_backlog, failed_payments,
  payment_availability,
  energy_revenue, unmet_demand, enforcement, shadow_fleet, belief, var_count
};

/// Keeps leverage_ratio finite when a partner's vulnerability is zero.
constexpr double ratio_floor = 1e-6;

}  // namespace

const std::vector<VariableInfo>& variables() {
  using D = Dim;
  static const std::vector<VariableInfo> v = {
      {"trade_value", "USD/month", "exports of state to partner by sector (hub legs included)",
       {D::time, D::state, D::partner, D::sector}},
      {"trade_value_via_hub", "USD/month", "exports of state reaching partner through an intermediary hub",
       {D::time, D::state, D::partner, D::sector}},
      {"dual_use_trade", "USD/month", "dual-use exports of state to partner by route (origin to destination)",
       {D::time, D::state, D::partner, D::route}},
      {"trade_share", "1", "partner's share of state's total trade (exports + imports)",
       {D::time, D::state, D::partner}},
      {"dependence", "1", "dependence of state on partner: partner's share of state's trade",
       {D::time, D::state, D::partner}},
      {"vulnerability", "1", "vulnerability-weighted dependence of state on partner (MODEL.md 6)",
       {D::time, D::state, D::partner}},
      {"leverage", "1", "leverage of partner over state, v_ij / (v_ij + v_ji), in [0, 1]",
       {D::time, D::state, D::partner}},
      {"leverage_ratio", "1", "leverage of partner over state, (v_ij + 1e-6) / (v_ji + 1e-6)",
       {D::time, D::state, D::partner}},
      {"hhi", "1", "Hirschman-Herfindahl concentration of state's trade over partners", {D::time, D::state}},
      {"discount", "1", "discount of state's exports to partner, fraction of the world price",
       {D::time, D::state, D::partner, D::sector}},
      {"discount_price", "USD per sector price unit", "discount of state's exports to partner in the sector's price unit",
       {D::time, D::state, D::partner, D::sector}},
      {"world_price", "sector price unit", "world reference price of the sector", {D::time, D::sector}},
      {"settlement_share", "1", "share of currency in settling trade between state and partner",
       {D::time, D::state, D::partner, D::currency}},
      {"cautious_share", "1", "share of state's firms in sector withdrawn from trade with sanctioned targets",
       {D::time, D::state, D::sector}},
      {"cautious_bank_share", "1", "share of state's banks refusing payments of sanctioned targets",
       {D::time, D::state}},
      {"penalties", "firms/month", "firms of state in sector penalised by secondary sanctions",
       {D::time, D::state, D::sector}},
      {"bank_penalties", "banks/month", "banks of state penalised by secondary sanctions", {D::time, D::state}},
      {"designated_share", "1", "share of state's firms in sector designated (lost Western access)",
       {D::time, D::state, D::sector}},
      {"payment_backlog", "USD", "payments between state and partner waiting for a channel",
       {D::time, D::state, D::partner}},
      {"failed_payments", "USD/month", "payments between state and partner that failed", {D::time, D::state, D::partner}},
      {"payment_availability", "1", "share of payments between state and partner that find a channel (currency and banks)",
       {D::time, D::state, D::partner}},
      {"energy_revenue", "USD/month", "state's export revenue from energy sectors", {D::time, D::state}},
      {"unmet_demand", "USD/month", "state's import demand left unfilled after clearing", {D::time, D::state, D::sector}},
      {"enforcement", "1", "secondary-sanction intensity of state against partner (escalation included)",
       {D::time, D::state, D::partner}},
      {"shadow_fleet", "1", "alternative shipping capacity of state, share of its energy exports", {D::time, D::state}},
      {"belief", "1", "mean perceived enforcement risk of state's firms in sector, relative to announced",
       {D::time, D::state, D::sector}},
  };
  return v;
}

void observe(const StepData& d, StepRecord& record) {
  const auto& ctx = d.ctx;
  const auto& w = d.world;
  const auto& spec = *ctx.spec;
  const std::size_t S = ctx.dims.states, K = ctx.dims.sectors, C = ctx.dims.currencies, M = ctx.dims.markets();
  auto& out = record.values;
  out.assign(var_count, {});

  out[trade_value] = d.value.data();
  out[trade_value_via_hub] = d.via_hub_value.data();
  out[dual_use_trade] = d.dual_use.data();

  // Shares of total trade, by partner and by partner and sector.
  Grid both({S, S, K}), total({S});
  for (std::size_t i = 0; i < S; ++i)
    for (std::size_t j = 0; j < S; ++j)
      for (std::size_t k = 0; k < K; ++k) {
        both(i, j, k) = d.value(i, j, k) + d.value(j, i, k);
        total(i) += both(i, j, k);
      }
  Grid share({S, S});
  for (std::size_t i = 0; i < S; ++i)
    for (std::size_t j = 0; j < S; ++j) {
      double x = 0;
      for (std::size_t k = 0; k < K; ++k) x += both(i, j, k);
      share(i, j) = total(i) > 0 ? x / total(i) : 0.0;
    }
  out[trade_share] = share.data();
  out[dependence] = share.data();

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
  Grid vul({S, S});
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
          for (std::size_t x = 0; x < S; ++x) {
            if (x == i || x == j) continue;
            spare_in += std::max(0.0, ctx.capacity(x, m) - d.clearing.sales(x, m)) * ctx.import_price(i, k) * open(x, i, m);
            double bought_elsewhere = 0;
            for (std::size_t y = 0; y < S; ++y)
              if (y != x && y != i) bought_elsewhere += d.clearing.direct(y, x, m);
            resell += bought_elsewhere * ctx.import_price(x, k) * open(i, x, m);
          }
        }
        imports = d.value(j, i, k);
        exports = d.value(i, j, k);
        const double repl_in = imports > 0 ? std::min(1.0, reach * spare_in / imports) : 1.0;
        const double repl_out = exports > 0 ? std::min(1.0, reach * resell / exports) : 1.0;
        v += spec.sectors[k].criticality * (imports * (1 - repl_in) + exports * (1 - repl_out));
      }
      vul(i, j) = v / total(i);
    }
  }
  out[vulnerability] = vul.data();
  Grid lev({S, S}, 0.5), lev_ratio({S, S}, 1.0);
  for (std::size_t i = 0; i < S; ++i)
    for (std::size_t j = 0; j < S; ++j) {
      const double a = vul(i, j), b = vul(j, i);
      lev(i, j) = a + b > 0 ? a / (a + b) : 0.5;
      lev_ratio(i, j) = (a + ratio_floor) / (b + ratio_floor);
    }
  out[leverage] = lev.data();
  out[leverage_ratio] = lev_ratio.data();

  Grid h({S});
  for (std::size_t i = 0; i < S; ++i)
    for (std::size_t j = 0; j < S; ++j) h(i) += share(i, j) * share(i, j);
  out[hhi] = h.data();

  out[discount] = w.agg.discount.data();
  Grid disc_price({S, S, K}), price({K});
  for (std::size_t k = 0; k < K; ++k) price(k) = ctx.price(k) * spec.sectors[k].reference_price;
  for (std::size_t i = 0; i < S; ++i)
    for (std::size_t j = 0; j < S; ++j)
      for (std::size_t k = 0; k < K; ++k) disc_price(i, j, k) = w.agg.discount(i, j, k) * price(k);
  out[discount_price] = disc_price.data();
  out[world_price] = price.data();
  out[settlement_share] = w.agg.settled_share.data();
  // Within a pair the shares are defined only for distinct states.
  for (std::size_t i = 0; i < S; ++i)
    for (std::size_t c = 0; c < C; ++c) out[settlement_share][(i * S + i) * C + c] = 0.0;

  // Firm and bank states.
  Grid firms({S, K}), cautious({S, K}), penal({S, K}), desig({S, K}), belief_sum({S, K});
  const auto& f = w.firms;
  for (std::size_t i = 0; i < f.state.size(); ++i) {
    const std::size_t s = f.state[i], k = f.sector[i];
    firms(s, k) += 1;
    cautious(s, k) += f.cautious[i];
    penal(s, k) += f.penalised[i];
    desig(s, k) += f.designated[i];
    belief_sum(s, k) += f.belief[i];
  }
  for (std::size_t x = 0; x < S * K; ++x) {
    const double n = firms.data()[x];
    cautious.data()[x] = n > 0 ? cautious.data()[x] / n : 0.0;
    desig.data()[x] = n > 0 ? desig.data()[x] / n : 0.0;
    belief_sum.data()[x] = n > 0 ? belief_sum.data()[x] / n : 0.0;
  }
  out[cautious_share] = cautious.data();
  out[penalties] = penal.data();
  out[designated_share] = desig.data();
  out[belief] = belief_sum.data();
  Grid banks({S}), bank_cautious({S}), bank_pen({S});
  const auto& b = w.banks;
  for (std::size_t i = 0; i < b.state.size(); ++i) {
    banks(b.state[i]) += 1;
    bank_cautious(b.state[i]) += b.cautious[i];
    bank_pen(b.state[i]) += b.penalised[i];
  }
  for (std::size_t s = 0; s < S; ++s) bank_cautious(s) = banks(s) > 0 ? bank_cautious(s) / banks(s) : 0.0;
  out[cautious_bank_share] = bank_cautious.data();
  out[bank_penalties] = bank_pen.data();

  out[payment_backlog] = w.agg.backlog.data();
  out[failed_payments] = w.agg.failed.data();
  out[payment_availability] = w.agg.availability.data();

  Grid energy({S}), unmet({S, K});
  for (std::size_t i = 0; i < S; ++i)
    for (std::size_t j = 0; j < S; ++j)
      for (std::size_t k = 0; k < K; ++k)
        if (spec.sectors[k].energy) energy(i) += d.value(i, j, k);
  for (std::size_t i = 0; i < S; ++i)
    for (std::size_t m = 0; m < M; ++m) unmet(i, state::sector_of(m)) += d.clearing.unmet(i, m) * ctx.import_price(i, state::sector_of(m));
  out[energy_revenue] = energy.data();
  out[unmet_demand] = unmet.data();

  Grid enf({S, S});
  for (std::size_t by = 0; by < S; ++by)
    for (std::size_t t = 0; t < S; ++t) {
      double e = ctx.policy.secondary_banks(by, t);
      for (std::size_t m = 0; m < M; ++m) e = std::max(e, ctx.policy.secondary_firms(by, t, m));
      enf(by, t) = e;
    }
  out[enforcement] = enf.data();
  Grid shadow({S});
  for (std::size_t s = 0; s < S; ++s) shadow(s) = std::min(1.0, w.agg.shadow_fleet(s));
  out[shadow_fleet] = shadow.data();
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
