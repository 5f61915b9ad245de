#include "geosim/engine/engine.hpp"

#include <algorithm>
#include <chrono>

#include "checkpoint.hpp"
#include "executor.hpp"
#include "geosim/engine/check.hpp"
#include "geosim/market/dependence.hpp"
#include "geosim/market/market.hpp"
#include "geosim/market/valuation.hpp"
#include "geosim/rules/adaptive.hpp"
#include "geosim/rules/fleet.hpp"
#include "geosim/rules/hubs.hpp"
#include "geosim/rules/decisions.hpp"
#include "geosim/rules/designation.hpp"
#include "geosim/rules/demand.hpp"
#include "geosim/rules/income.hpp"
#include "geosim/rules/learning.hpp"
#include "geosim/rules/orders.hpp"
#include "metrics.hpp"

namespace geosim::engine {

using state::Grid;

namespace {

/// Firms per parallel task: large enough to amortise scheduling.
constexpr std::size_t firm_grain = 2048;

class Simulation {
 public:
  Simulation(const model::ScenarioSpec& spec, const RunOptions& options)
      : spec_(spec),
        options_(options),
        world_(state::build_world(spec, options.seed, options.run)),
        exec_(options.backend == Backend::serial ? make_serial_executor() : make_tbb_executor(options.threads)) {
    if (options_.resume) restore(world_, *options_.resume);
  }

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
    const int first = options_.resume ? options_.resume->step + 1 : 0;
    for (int t = first; t < steps; ++t) {
      step(t, record);
      observer.record(record);
      const Month now = spec_.start + t;
      if (std::find(spec_.snapshots.begin(), spec_.snapshots.end(), now) != spec_.snapshots.end())
        observer.snapshot(snapshot(world_, t, now));
      if (options_.checkpoint_at == now)
        observer.checkpoint({t, now, options_.seed, options_.run, state_arrays(world_)});
      if (options_.progress) options_.progress(t + 1, steps);
    }
    RunSummary summary;
    summary.steps = steps;
    summary.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    observer.end(summary);
    return summary;
  }

 private:
  /// One month: the phases of docs/ODD.md section 3 in order. Loops over
  /// agents or groups run on the executor, each body a submodel of rules/ or
  /// market/ over a range; combining submodels run serially.
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
    market::GroupOrders orders(G);
    market::GroupOrders desired(G);
    exec_->parallel_for(G, 1, [&](std::size_t b, std::size_t e) { market::sum_group_orders(w, orders, desired, b, e); });

    // 4. Discounts, from last step's flows and this step's orders.
    market::bargain(ctx, w, demand, desired);

    // 5. Clearing.
    const auto clearing = market::clear(ctx, w, orders);
    const market::Flows contracted = market::record_flows(ctx, w, clearing);
    exec_->parallel_for(F, firm_grain, [&](std::size_t b, std::size_t e) { market::firm_trade(ctx, w, clearing, b, e); });

    // 6. Payments: trade is recorded as it is paid.
    const market::Settlement paid = market::settle(ctx, w, contracted.value);
    const market::Flows flows = market::record_flows(ctx, w, clearing, &paid);
    const Grid pair_value = market::pair_values(contracted.value);

    // 7. Enforcement, then what agents learn from it next step.
    rules::update_target_payments(ctx, w, pair_value);
    rules::designate_firms(ctx, w);
    rules::designate_banks(ctx, w);
    rules::GroupOutcome outcome(G);
    exec_->parallel_for(G, 1, [&](std::size_t b, std::size_t e) { rules::sum_group_outcome(w, outcome, b, e); });
    rules::learn_from_step(ctx, w, outcome);
    rules::adapt(ctx, w, flows.dual_use);
    rules::update_fleet(ctx, w, flows.value, flows.quantity);
    rules::update_hub_capacity(ctx, w, clearing.hub_volume);

    // 8. Accounting and observation.
    rules::update_income(ctx, w, flows.value);
    market::update_dependence(w, flows.value);
    record.step = t;
    record.month = spec_.start + t;
    observe({ctx, w, clearing, flows}, record);
  }

  std::size_t S() const { return world_.dims.states; }
  std::size_t K() const { return world_.dims.sectors; }

  const model::ScenarioSpec& spec_;
  RunOptions options_;
  state::World world_;
  std::unique_ptr<Executor> exec_;
};

}  // namespace

RunSummary run(const model::ScenarioSpec& spec, const RunOptions& options, Observer& observer) {
  Simulation sim(spec, options);
  if (!options.check) return sim.run(observer);
  CheckingObserver checked(observer);
  return sim.run(checked);
}

}  // namespace geosim::engine
