#include "geosim/rules/context.hpp"

#include <algorithm>
#include <cmath>

namespace geosim::rules {

using state::Grid;
using state::market_of;

double world_price(const model::SectorSpec& sector, Month m) { return path_value(sector.price, m, sector.reference_price); }

double path_value(const model::PricePath& path, Month m, double empty) {
  const auto& pts = path.points;
  if (pts.empty()) return empty;
  if (m <= pts.front().month) return pts.front().value;
  if (m >= pts.back().month) return pts.back().value;
  const auto hi = std::upper_bound(pts.begin(), pts.end(), m, [](Month x, const auto& p) { return x < p.month; });
  const auto lo = hi - 1;
  const double t = static_cast<double>(m - lo->month) / static_cast<double>(hi->month - lo->month);
  return lo->value + t * (hi->value - lo->value);
}

double real_exchange_rate(const model::StateSpec& state, double income, double anchor, Month m) {
  const auto& pts = state.real_exchange_rate.points;
  const double observed = path_value(state.real_exchange_rate, m, 1.0);
  const double e = state.exchange_rate_revenue_elasticity;
  if (e == 0 || (!pts.empty() && m <= pts.back().month)) return observed;
  // After the observed path the rate follows export revenue from where the
  // path left it; incomes are floored as in import demand (§7.3).
  return observed * std::pow(std::max(income, 1e-6) / std::max(anchor, 1e-6), e);
}

StepContext make_context(const model::ScenarioSpec& spec, const state::World& world, int step,
                         std::uint64_t seed, std::uint32_t run) {
  const auto& dims = world.dims;
  const std::size_t S = dims.states, K = dims.sectors, M = dims.markets();
  StepContext c;
  c.spec = &spec;
  c.dims = dims;
  c.step = step;
  c.seed = seed;
  c.run = run;
  c.policy = policy_at(spec, dims, step, world.agg.escalation);

  c.firm_enforcement = Grid({S, S, M});
  c.bank_enforcement = Grid({S, S});
  c.at_risk = Grid({S, M});
  c.bank_at_risk = Grid({S});
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t t = 0; t < S; ++t) {
      if (s == t) continue;
      for (std::size_t m = 0; m < M; ++m) {
        const double e = rules::firm_enforcement(c.policy, S, s, t, m);
        c.firm_enforcement(s, t, m) = e;
        c.at_risk(s, m) = std::max(c.at_risk(s, m), e);
      }
      const double eb = rules::bank_enforcement(c.policy, S, s, t);
      c.bank_enforcement(s, t) = eb;
      c.bank_at_risk(s) = std::max(c.bank_at_risk(s), eb);
    }

  const Month now = spec.start + step;
  c.price = Grid({K});
  for (std::size_t k = 0; k < K; ++k) c.price(k) = world_price(spec.sectors[k], now) / spec.sectors[k].reference_price;
  c.import_price = Grid({S, K});
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t k = 0; k < K; ++k) {
      const auto& paths = spec.states[s].import_price;
      c.import_price(s, k) = k < paths.size() && !paths[k].points.empty()
                                 ? path_value(paths[k], now, 0.0) / spec.sectors[k].reference_price
                                 : c.price(k);
    }
  c.real_exchange_rate = Grid({S});
  for (std::size_t s = 0; s < S; ++s)
    c.real_exchange_rate(s) =
        real_exchange_rate(spec.states[s], world.agg.income(s), world.agg.exchange_rate_anchor(s), now);

  // Flows in the file are USD per year at 2013-like reference prices; the
  // engine works per month and grows them at each state's trend.
  c.capacity = Grid({S, M});
  c.absorption = Grid({S, M});
  const double years = step / 12.0;
  for (std::size_t s = 0; s < S; ++s) {
    const auto& st = spec.states[s];
    const double trend = std::pow(1.0 + st.growth, years) / 12.0;
    for (std::size_t k = 0; k < K; ++k) {
      const double dual = spec.sectors[k].dual_use_fraction;
      const double import_trend = k < st.import_path.size() ? trend * path_value(st.import_path[k], now, 1.0) : trend;
      // A quota or outage path scales what the state can export this month.
      const double export_trend = k < st.export_path.size() ? trend * path_value(st.export_path[k], now, 1.0) : trend;
      c.capacity(s, market_of(k, 0)) = st.export_capacity[k] * (1 - dual) * export_trend;
      c.capacity(s, market_of(k, 1)) = st.export_capacity[k] * dual * export_trend;
      c.absorption(s, market_of(k, 0)) = st.import_absorption[k] * (1 - dual) * import_trend;
      c.absorption(s, market_of(k, 1)) = st.import_absorption[k] * dual * import_trend;
    }
  }
  c.hub_trend_capacity = Grid({S, K});
  for (const auto& pop : spec.firms) {
    if (pop.role != model::Role::intermediary) continue;
    const std::size_t h = index(pop.state);
    c.hub_trend_capacity(h, index(pop.sector)) += pop.capacity * std::pow(1.0 + spec.states[h].growth, years) / 12.0;
  }
  // What the margin has added since (hubs.cpp), as of last step.
  c.hub_capacity = c.hub_trend_capacity;
  for (std::size_t h = 0; h < S; ++h)
    for (std::size_t k = 0; k < K; ++k) c.hub_capacity(h, k) *= world.agg.hub_expansion(h, k);
  for (auto h : world.hubs) c.hub_detection = std::min(c.hub_detection, spec.states[h].hub->detection_factor);

  // Affinities in file order: a later entry (say for one sector) overrides an
  // earlier one (for all sectors); each follows its own path over time.
  c.affinity = Grid({S, S, K}, 1.0);
  for (const auto& af : spec.affinities) {
    const double w = af.weight * path_value(af.path, now, 1.0);
    const std::size_t i = index(af.importer), j = index(af.exporter);
    if (af.sector) {
      c.affinity(i, j, index(*af.sector)) = w;
    } else {
      for (std::size_t k = 0; k < K; ++k) c.affinity(i, j, k) = w;
    }
  }
  return c;
}

}  // namespace geosim::rules
