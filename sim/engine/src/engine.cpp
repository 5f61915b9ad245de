#include "geosim/engine/engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "executor.hpp"
#include "geosim/market/market.hpp"
#include "geosim/rules/adaptive.hpp"
#include "geosim/rules/decisions.hpp"
#include "geosim/rules/demand.hpp"
#include "geosim/rules/income.hpp"
#include "geosim/rules/learning.hpp"
#include "geosim/rules/orders.hpp"
#include "metrics.hpp"

namespace geosim::engine {

using model::Role;
using state::Grid;
using state::market_of;
using state::Option;
using state::sector_of;

namespace {

/// Firms per parallel task: large enough to amortise scheduling.
constexpr std::size_t firm_grain = 2048;

class Simulation {
 public:
  Simulation(const model::ScenarioSpec& spec, const RunOptions& options)
      : spec_(spec),
        options_(options),
        world_(state::build_world(spec, options.seed, options.run)),
        exec_(options.backend == Backend::serial ? make_serial_executor() : make_tbb_executor(options.threads)) {}

  RunSummary run(Observer& observer) {
    const auto started = std::chrono::steady_clock::now();
    const int steps = spec_.steps();
    RunInfo info;
    info.spec = &spec_;
    info.seed = options_.seed;
    info.run = options_.run;
    info.threads = options_.backend == Backend::serial ? 1 : options_.threads;
    info.variables = variables();
    info.dim_sizes = {static_cast<std::size_t>(steps), world_.dims.states, world_.dims.states, world_.dims.sectors,
                      world_.dims.currencies, std::size(route_labels)};
    observer.begin(info);
    StepRecord record;
    for (int t = 0; t < steps; ++t) {
      step(t, record);
      observer.record(record);
      const Month now = spec_.start + t;
      if (std::find(spec_.snapshots.begin(), spec_.snapshots.end(), now) != spec_.snapshots.end())
        observer.snapshot(snapshot(t));
      if (options_.progress) options_.progress(t + 1, steps);
    }
    RunSummary summary;
    summary.steps = steps;
    summary.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    observer.end(summary);
    return summary;
  }

 private:
  void step(int t, StepRecord& record) {
    auto& w = world_;
    const auto ctx = rules::make_context(spec_, w, t, options_.seed, options_.run);
    const std::size_t F = w.firms.state.size(), B = w.banks.state.size(), G = w.groups.size();
    const Grid demand = rules::import_demand(ctx, w);

    // 1-2. Policy is in ctx; risk assessment and social learning.
    exec_->parallel_for(F, firm_grain, [&](std::size_t b, std::size_t e) { rules::assess_firms(ctx, w, b, e); });
    exec_->parallel_for(B, 64, [&](std::size_t b, std::size_t e) { rules::assess_banks(ctx, w, b, e); });
    exec_->parallel_for(G, 1, [&](std::size_t b, std::size_t e) { rules::update_group_caution(w, b, e); });

    // 3. Orders.
    const auto terms = rules::option_terms(ctx, w);
    exec_->parallel_for(F, firm_grain, [&](std::size_t b, std::size_t e) { rules::place_orders(ctx, w, terms, demand, b, e); });
    const auto orders = group_orders();

    // 4. Discounts, from last step's flows.
    market::bargain(ctx, w, demand);

    // 5. Clearing.
    const auto clearing = market::clear(ctx, w, orders);
    Grid value({S(), S(), K()}), via_hub({S(), S(), K()}), dual({S(), S(), std::size(route_labels)});
    record_flows(ctx, clearing, value, via_hub, dual);
    exec_->parallel_for(F, firm_grain, [&](std::size_t b, std::size_t e) { firm_trade(ctx, clearing, b, e); });

    // 6. Payments.
    Grid pair_value({S(), S()});
    for (std::size_t i = 0; i < S(); ++i)
      for (std::size_t j = 0; j < S(); ++j)
        for (std::size_t k = 0; k < K(); ++k) pair_value(i, j) += value(i, j, k);
    market::settle(ctx, w, pair_value);

    // 7. Enforcement, then what agents learn from it next step.
    rules::update_target_payments(ctx, w, pair_value);
    exec_->parallel_for(F, firm_grain, [&](std::size_t b, std::size_t e) { rules::detect_firms(ctx, w, b, e); });
    exec_->parallel_for(B, 64, [&](std::size_t b, std::size_t e) { rules::detect_banks(ctx, w, b, e); });
    rules::GroupOutcome outcome(G);
    exec_->parallel_for(G, 1, [&](std::size_t b, std::size_t e) { rules::sum_group_outcome(w, outcome, b, e); });
    rules::learn_from_step(ctx, w, outcome);
    rules::adapt(ctx, w, value, dual);

    // 8. Accounting and observation.
    rules::update_income(ctx, w, value);
    record.step = t;
    record.month = spec_.start + t;
    observe({ctx, w, clearing, value, via_hub, dual}, record);
  }

  std::size_t S() const { return world_.dims.states; }
  std::size_t K() const { return world_.dims.sectors; }
  std::size_t M() const { return world_.dims.markets(); }

  /// Orders summed per importer group and option, firms in creation order.
  market::GroupOrders group_orders() {
    auto& w = world_;
    market::GroupOrders orders(w.groups.size());
    exec_->parallel_for(w.groups.size(), 1, [&](std::size_t b, std::size_t e) {
      for (std::size_t g = b; g < e; ++g) {
        const auto& grp = w.groups[g];
        if (grp.role != Role::importer) continue;
        const auto [first, last] = w.network.edges(grp.firms.front());
        orders[g].assign(last - first, 0.0);
        for (auto f : grp.firms) {
          const auto [eb, ee] = w.network.edges(f);
          for (std::size_t edge = eb; edge < ee; ++edge) orders[g][edge - eb] += w.network.order[edge];
        }
      }
    });
    return orders;
  }

  /// Values of this step's flows (USD) at the importer's price: exporters'
  /// discounts apply; hub re-exports carry the hub's markup.
  void record_flows(const rules::StepContext& ctx, const market::Clearing& c, Grid& value, Grid& via_hub, Grid& dual) {
    auto& agg = world_.agg;
    agg.flow.fill(0.0);
    for (std::size_t j = 0; j < S(); ++j)
      for (std::size_t i = 0; i < S(); ++i)
        for (std::size_t m = 0; m < M(); ++m) {
          const std::size_t k = sector_of(m);
          const double price = ctx.import_price(i, k);  // reference USD -> USD
          const double direct = c.direct(j, i, m) * price * (1 - agg.discount(j, i, k));
          value(j, i, k) += direct;
          agg.flow(j, i, m) += c.direct(j, i, m);
          if (state::product_of(m) == 1) dual(j, i, 0) += direct;
          for (auto h : world_.hubs) {
            const double q = c.via_hub(j, h, i, m);
            if (q <= 0) continue;
            const double leg = q * price * (1 - agg.discount(j, h, k));
            value(j, h, k) += leg;
            value(h, i, k) += leg * (1 + spec_.states[h].hub->markup);
            via_hub(j, i, k) += leg;
            agg.flow(j, h, m) += q;
            if (state::product_of(m) == 1) dual(j, i, 1) += leg;
          }
        }
  }

  /// Each firm's sales or purchases (USD / month) and its trade with targets.
  void firm_trade(const rules::StepContext& ctx, const market::Clearing& c, std::size_t begin, std::size_t end) {
    auto& w = world_;
    auto& f = w.firms;
    const auto& net = w.network;
    const auto& gs = w.group_state;
    for (std::size_t i = begin; i < end; ++i) {
      const std::size_t s = f.state[i], m = market_of(f.sector[i], f.product[i]), g = f.group[i];
      const auto role = static_cast<Role>(f.role[i]);
      const double price = role == Role::importer ? ctx.import_price(s, f.sector[i]) : ctx.price(f.sector[i]);
      double trade = 0, target = 0, via_hub = 0;
      if (role == Role::importer) {
        const auto [b, e] = net.edges(static_cast<std::uint32_t>(i));
        for (std::size_t edge = b; edge < e; ++edge) {
          const double q = net.order[edge] * c.fill[g][edge - b];
          w.network.filled[edge] = q;
          trade += q;
          if (ctx.firm_enforcement(s, net.option[edge].exporter, m) > 0) {
            target += q;
            if (net.option[edge].hub != Option::no_hub) via_hub += q;
          }
        }
      } else if (role == Role::exporter) {
        // Sales to sanctioned destinations go to the firms willing to make them.
        const double open = c.sales(s, m) - c.target_sales(s, m) - c.hub_sales(s, m);
        trade = open * f.share[i];
        if (!f.cautious[i] && gs.cautious[g] < 1) target += c.target_sales(s, m) * f.share[i] / (1 - gs.cautious[g]);
        if (!f.cautious_hub[i] && gs.cautious_hub[g] < 1) {
          via_hub = c.hub_sales(s, m) * f.share[i] / (1 - gs.cautious_hub[g]);
          target += via_hub;
        }
        trade += target;
      } else {
        double through = 0, sanctioned = 0;
        for (std::size_t dest = 0; dest < S(); ++dest) {
          for (std::size_t p = 0; p < 2; ++p) {
            const std::size_t mp = market_of(f.sector[i], p);
            const double q = c.hub_volume(s, dest, mp);
            through += q;
            if (ctx.firm_enforcement(s, dest, mp) > 0) sanctioned += q;
          }
        }
        if (!f.cautious[i] && gs.cautious[g] < 1) {
          trade = through * f.share[i] / (1 - gs.cautious[g]);
          target = sanctioned * f.share[i] / (1 - gs.cautious[g]);
          via_hub = target;
        }
      }
      f.trade[i] = trade * price;
      f.target_trade[i] = target * price;
      f.target_via_hub[i] = via_hub * price;
    }
  }

  FirmSnapshot snapshot(int t) const {
    const auto& f = world_.firms;
    FirmSnapshot s;
    s.step = t;
    s.month = spec_.start + t;
    s.state = f.state;
    s.sector = f.sector;
    s.role = f.role;
    s.size = f.size;
    s.exposure = f.exposure;
    s.cautious = f.cautious;
    s.trade = f.trade;
    return s;
  }

  const model::ScenarioSpec& spec_;
  RunOptions options_;
  state::World world_;
  std::unique_ptr<Executor> exec_;
};

}  // namespace

RunSummary run(const model::ScenarioSpec& spec, const RunOptions& options, Observer& observer) {
  Simulation sim(spec, options);
  return sim.run(observer);
}

}  // namespace geosim::engine
