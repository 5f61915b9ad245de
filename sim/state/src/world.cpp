#include "geosim/state/world.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include <boost/random/beta_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

namespace geosim::state {

Grid::Grid(std::initializer_list<std::size_t> extents, double fill) {
  assert(extents.size() >= 1 && extents.size() <= 4);
  std::size_t n = 1, i = 0;
  for (std::size_t e : extents) {
    ext_[i++] = e;
    n *= e;
  }
  data_.assign(n, fill);
}

void Grid::fill(double v) noexcept { std::fill(data_.begin(), data_.end(), v); }

double draw(const model::Distribution& d, Stream& stream) {
  using Kind = model::Distribution::Kind;
  switch (d.kind) {
    case Kind::constant:
      return d.p1;
    case Kind::uniform:
      return boost::random::uniform_real_distribution<double>(d.p1, d.p2)(stream);
    case Kind::lognormal:
      return boost::random::lognormal_distribution<double>(std::log(d.p1), d.p2)(stream);
    case Kind::pareto: {
      // Inverse CDF; 1 - u is in (0, 1] so the result is finite.
      const double u = stream.uniform();
      return d.p1 / std::pow(1.0 - u, 1.0 / d.p2);
    }
    case Kind::beta:
      return boost::random::beta_distribution<double>(d.p1, d.p2)(stream);
  }
  return d.p1;
}

namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 1.0;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

/// States whose imports some event bars at the source (export controls) or
/// makes risky for suppliers (secondary sanctions): only their importers get
/// hub routes, the detours that intermediaries offer around such barriers.
std::vector<bool> targets_of(const model::ScenarioSpec& spec) {
  std::vector<bool> t(spec.states.size(), false);
  for (const auto& e : spec.events)
    if (e.kind == model::PolicyKind::export_control || e.kind == model::PolicyKind::secondary_sanctions)
      t[index(e.target)] = true;
  return t;
}

void add_firms(const model::ScenarioSpec& spec, std::uint64_t seed, std::uint32_t run, World& w) {
  auto& f = w.firms;
  const double size_elasticity = spec.params.risk.detection_size_elasticity;
  for (std::size_t p = 0; p < spec.firms.size(); ++p) {
    const auto& pop = spec.firms[p];
    const std::size_t first = f.state.size();
    const double dual_fraction = spec.sectors[index(pop.sector)].dual_use_fraction;
    // The first round(fraction * n) firms of a population make dual-use goods
    // (sizes are i.i.d., so which ones is random); at least one when n >= 2.
    std::size_t dual = static_cast<std::size_t>(std::lround(dual_fraction * pop.count));
    if (dual_fraction > 0 && dual == 0 && pop.count >= 2) dual = 1;
    if (pop.role == model::Role::intermediary) dual = 0;
    for (std::uint32_t i = 0; i < pop.count; ++i) {
      const auto id = static_cast<std::uint32_t>(f.state.size());
      Stream s(seed, run, AgentKind::firm, id, 0, Phase::init);
      const double size = std::max(1e-9, draw(pop.size, s));
      const bool state_owned = s.uniform() < pop.state_owned_share;
      f.state.push_back(static_cast<std::uint16_t>(index(pop.state)));
      f.sector.push_back(static_cast<std::uint16_t>(index(pop.sector)));
      f.product.push_back(i < dual ? 1 : 0);
      f.role.push_back(static_cast<std::uint8_t>(pop.role));
      f.population.push_back(static_cast<std::uint32_t>(p));
      f.size.push_back(size);
      f.state_owned.push_back(state_owned);
      f.exposure.push_back(draw(pop.exposure, s));  // adjusted for size below
      f.risk_tolerance.push_back(std::max(1e-9, draw(pop.risk_tolerance, s)) * spec.params.risk.tolerance_scale);
    }
    // Exposure rises with size above the population's median and is high for
    // state-owned majors (MODEL.md §2).
    const std::vector<double> sizes(f.size.begin() + static_cast<std::ptrdiff_t>(first), f.size.end());
    const double med = median(sizes);
    for (std::size_t i = first; i < f.size.size(); ++i) {
      double x = f.exposure[i] + pop.exposure_size_slope * std::log10(f.size[i] / med);
      if (f.state_owned[i]) x = std::max(x, pop.state_owned_exposure);
      f.exposure[i] = std::clamp(x, 0.0, 1.0);
      f.visibility.push_back(std::pow(f.size[i] / med, size_elasticity));
    }
  }
  const std::size_t n = f.state.size();
  f.group.assign(n, 0);
  f.share.assign(n, 0.0);
  f.belief.assign(n, spec.params.risk.initial_belief);
  f.cautious.assign(n, 0);
  f.cautious_hub.assign(n, 0);
  f.designated.assign(n, 0);
  f.penalised.assign(n, 0);
  f.retained.assign(n, 1.0);
  f.trade.assign(n, 0.0);
  f.target_trade.assign(n, 0.0);
  f.target_via_hub.assign(n, 0.0);
  f.designation_loss.assign(n, 0.0);
}

void add_banks(const model::ScenarioSpec& spec, std::uint64_t seed, std::uint32_t run, World& w) {
  auto& b = w.banks;
  const double size_elasticity = spec.params.risk.detection_size_elasticity;
  for (std::size_t p = 0; p < spec.banks.size(); ++p) {
    const auto& pop = spec.banks[p];
    const std::size_t first = b.state.size();
    for (std::uint32_t i = 0; i < pop.count; ++i) {
      const auto id = static_cast<std::uint32_t>(b.state.size());
      Stream s(seed, run, AgentKind::bank, id, 0, Phase::init);
      b.state.push_back(static_cast<std::uint16_t>(index(pop.state)));
      b.population.push_back(static_cast<std::uint16_t>(p));
      b.size.push_back(std::max(1e-9, draw(pop.size, s)));
      b.exposure.push_back(draw(pop.exposure, s));
      b.risk_tolerance.push_back(std::max(1e-9, draw(pop.risk_tolerance, s)));
      b.withdraw_draw.push_back(s.uniform());
    }
    const std::vector<double> sizes(b.size.begin() + static_cast<std::ptrdiff_t>(first), b.size.end());
    const double med = median(sizes);
    for (std::size_t i = first; i < b.size.size(); ++i) {
      b.exposure[i] = std::clamp(b.exposure[i] + pop.exposure_size_slope * std::log10(b.size[i] / med), 0.0, 1.0);
      b.visibility.push_back(std::pow(b.size[i] / med, size_elasticity));
    }
  }
  const std::size_t n = b.state.size();
  std::vector<double> total(spec.states.size(), 0.0);
  for (std::size_t i = 0; i < n; ++i) total[b.state[i]] += b.size[i];
  b.share.resize(n);
  for (std::size_t i = 0; i < n; ++i) b.share[i] = b.size[i] / total[b.state[i]];
  b.belief.assign(n, spec.params.risk.initial_belief);
  b.risk_price.assign(n, 0.0);
  b.withdrawn.assign(n, 0);
  b.offer.assign(n, 1.0);
  b.designated.assign(n, 0);
  b.penalised.assign(n, 0);
}

void group_firms(World& w) {
  const std::size_t S = w.dims.states, M = w.dims.markets();
  w.exporter_group.assign(S * M, -1);
  w.importer_group.assign(S * M, -1);
  w.intermediary_group.assign(S * M, -1);
  auto& f = w.firms;
  for (std::uint32_t i = 0; i < f.state.size(); ++i) {
    const std::size_t m = market_of(f.sector[i], f.product[i]);
    const auto role = static_cast<model::Role>(f.role[i]);
    auto& table = role == model::Role::exporter   ? w.exporter_group
                  : role == model::Role::importer ? w.importer_group
                                                  : w.intermediary_group;
    auto& slot = table[f.state[i] * M + m];
    if (slot < 0) {
      slot = static_cast<std::int32_t>(w.groups.size());
      w.groups.push_back({f.state[i], static_cast<std::uint16_t>(m), role, {}});
    }
    w.groups[static_cast<std::size_t>(slot)].firms.push_back(i);
    f.group[i] = static_cast<std::uint32_t>(slot);
  }
  for (const auto& g : w.groups) {
    double total = 0;
    for (auto i : g.firms) total += f.size[i];
    for (auto i : g.firms) f.share[i] = f.size[i] / total;
  }
}

void build_network(const model::ScenarioSpec& spec, World& w) {
  const std::size_t S = w.dims.states, M = w.dims.markets();
  const auto is_target = targets_of(spec);
  // Options of each importer group, shared by its firms.
  std::vector<std::vector<Option>> group_options(w.groups.size());
  for (std::size_t g = 0; g < w.groups.size(); ++g) {
    const auto& grp = w.groups[g];
    if (grp.role != model::Role::importer) continue;
    const std::size_t i = grp.state, m = grp.market, k = sector_of(m);
    for (std::size_t j = 0; j < S; ++j) {
      if (!trades_with(w, j, i) || w.exporter_group[j * M + m] < 0) continue;
      if (spec.states[j].export_capacity[k] <= 0) continue;
      group_options[g].push_back({static_cast<std::uint16_t>(j), Option::no_hub});
      if (!is_target[i]) continue;
      for (auto h : w.hubs) {
        if (j == i || h == i || h == j || w.intermediary_group[h * M + market_of(k, 0)] < 0) continue;
        group_options[g].push_back({static_cast<std::uint16_t>(j), h});
      }
    }
  }
  const std::size_t F = w.firms.state.size();
  auto& net = w.network;
  net.options_begin.assign(w.groups.size() + 1, 0);
  for (std::size_t g = 0; g < w.groups.size(); ++g) {
    net.options.insert(net.options.end(), group_options[g].begin(), group_options[g].end());
    net.options_begin[g + 1] = net.options.size();
  }
  // A firm's relationships follow from its group's options: no graph or
  // edge list is built (each would cost 8-24 bytes per relationship).
  net.first_edge.assign(F + 1, 0);
  for (std::uint32_t f = 0; f < F; ++f) {
    const bool importer = static_cast<model::Role>(w.firms.role[f]) == model::Role::importer;
    net.first_edge[f + 1] = net.first_edge[f] + (importer ? net.option_count(w.firms.group[f]) : 0);
  }
  const std::size_t E = net.first_edge[F];
  net.weight.assign(E, 0.0);
  net.formed_feasibility.assign(E, 1.0f);
  net.relationship.assign(E, Relationship{});
  net.order.assign(E, 0.0f);
}

}  // namespace

std::vector<FirmBlock> firm_blocks(const World& world, std::size_t firms_per_block) {
  std::vector<FirmBlock> out;
  for (std::size_t g = 0; g < world.groups.size(); ++g) {
    const std::size_t n = world.groups[g].firms.size();
    for (std::size_t first = 0; first < n; first += firms_per_block)
      out.push_back({static_cast<std::uint32_t>(g), static_cast<std::uint32_t>(first),
                     static_cast<std::uint32_t>(std::min(n, first + firms_per_block))});
  }
  return out;
}

World build_world(const model::ScenarioSpec& spec, std::uint64_t seed, std::uint32_t run) {
  World w;
  w.dims = {spec.states.size(), spec.sectors.size(), spec.currencies.size()};
  for (std::size_t s = 0; s < spec.states.size(); ++s)
    if (spec.states[s].hub) w.hubs.push_back(static_cast<std::uint16_t>(s));
  for (const auto& s : spec.states) w.aggregate.push_back(s.aggregate);
  add_firms(spec, seed, run, w);
  add_banks(spec, seed, run, w);
  group_firms(w);
  build_network(spec, w);

  const std::size_t S = w.dims.states, K = w.dims.sectors, C = w.dims.currencies, M = w.dims.markets();
  w.trade_cost = Grid({S, S}, spec.params.orders.default_trade_cost);
  for (std::size_t s = 0; s < S; ++s) w.trade_cost(s, s) = 0.0;
  for (const auto& tc : spec.trade_costs) {
    w.trade_cost(index(tc.a), index(tc.b)) = tc.cost;
    w.trade_cost(index(tc.b), index(tc.a)) = tc.cost;
  }
  // Freight: the sector's default, then route entries in file order (a later
  // entry overrides an earlier one).
  w.freight = Grid({S, S, K, 2});
  for (std::size_t j = 0; j < S; ++j)
    for (std::size_t i = 0; i < S; ++i)
      for (std::size_t k = 0; k < K; ++k) {
        const auto& sector = spec.sectors[k];
        w.freight(j, i, k, 0) = sector.freight;
        w.freight(j, i, k, 1) = sector.alternative_freight.value_or(sector.freight);
      }
  for (const auto& r : spec.freight)
    for (std::size_t k = 0; k < K; ++k) {
      if (!r.sectors.empty() && std::find(r.sectors.begin(), r.sectors.end(), static_cast<SectorId>(k)) == r.sectors.end()) continue;
      const auto& sector = spec.sectors[k];
      const double premium = sector.alternative_freight.value_or(sector.freight) - sector.freight;
      w.freight(index(r.from), index(r.to), k, 0) = r.western;
      w.freight(index(r.from), index(r.to), k, 1) = r.alternative.value_or(r.western + premium);
    }
  auto& a = w.agg;
  a.flow = Grid({S, S, M});
  a.discount = Grid({S, S, K});
  a.market_discount = Grid({S, S, K});
  a.settlement_mix = Grid({S, S, C});
  a.settled_share = Grid({S, S, C});
  a.backlog = Grid({S, S});
  a.failed = Grid({S, S});
  a.availability = Grid({S, S}, 1.0);
  a.settlement_cost = Grid({S, S});
  a.base_settlement_cost = Grid({S, S});
  a.income = Grid({S}, 1.0);
  a.base_revenue = Grid({S});
  a.exchange_rate_anchor = Grid({S}, 1.0);
  a.price_ratio = Grid({S, M}, 1.0);
  a.base_price_ratio = Grid({S, M}, 1.0);
  a.shadow_fleet = Grid({S});
  for (std::size_t s = 0; s < S; ++s) a.shadow_fleet(s) = spec.states[s].shadow_fleet;
  a.fleet_base = a.shadow_fleet;
  a.clearing_shift = Grid({S, K});
  a.supply_price = Grid({S, K}, 1.0);
  a.hub_expansion = Grid({S, K}, 1.0);
  a.escalation = Grid({S, S});
  a.peer_penalty_rate = Grid({S, M});
  a.bank_penalty_rate = Grid({S});
  a.target_payments = Grid({S});
  a.bank_fee = Grid({S, S});
  a.bank_supply = Grid({S, S}, 1.0);
  a.alternative = Grid({S, S});
  a.netting = Grid({S, S});
  a.payment_fee = Grid({S, S});
  a.backlog_flow = Grid({S, S, K});
  a.dependence = Grid({S, S});
  w.group_state.cautious.assign(w.groups.size(), 0.0);
  w.group_state.cautious_hub.assign(w.groups.size(), 0.0);
  w.group_state.target_share.assign(w.groups.size(), 0.0);
  w.group_state.lost.assign(w.groups.size(), 0.0);
  return w;
}

}  // namespace geosim::state
