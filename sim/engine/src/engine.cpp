#include "geosim/engine/engine.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>

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

/// Times the phases of a step into RunOptions::phase_times, if set.
class PhaseClock {
 public:
  explicit PhaseClock(std::vector<PhaseTime>* times) : times_(times) {
    if (times_) {
      last_ = std::chrono::steady_clock::now();
      last_cpu_ = thread_cpu_seconds();
    }
  }
  /// Ends the phase `name` (a literal: the pointer is kept).
  void lap(const char* name) {
    if (!times_) return;
    const auto now = std::chrono::steady_clock::now();
    const double cpu = thread_cpu_seconds();
    if (next_ == times_->size()) times_->push_back({name});
    auto& phase = (*times_)[next_++];
    phase.seconds += std::chrono::duration<double>(now - last_).count();
    phase.cpu_seconds += cpu - last_cpu_;
    last_ = now;
    last_cpu_ = cpu;
  }

 private:
  static double thread_cpu_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  }

  std::vector<PhaseTime>* times_;
  std::size_t next_ = 0;
  std::chrono::steady_clock::time_point last_;
  double last_cpu_ = 0;
};

class Simulation {
 public:
  Simulation(const model::ScenarioSpec& spec, const RunOptions& options)
      : spec_(spec),
        options_(options),
        world_(state::build_world(spec, options.seed, options.run)),
        exec_(options.backend == Backend::serial ? make_serial_executor() : make_tbb_executor(options.threads)),
        firm_blocks_(state::firm_blocks(world_, state::block_firms)),
        blocks_(rules::order_blocks(world_)),
        block_sums_(blocks_.slots) {
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
    const int first = options_.resume ? options_.resume->step + 1 : 0;
    for (int t = first; t < steps; ++t) {
      PhaseClock clock(options_.phase_times);
      StepRecord record;
      step(t, record, clock);
      observer.record(std::move(record));
      const Month now = spec_.start + t;
      if (std::find(spec_.snapshots.begin(), spec_.snapshots.end(), now) != spec_.snapshots.end())
        observer.snapshot(snapshot(world_, t, now));
      clock.lap("output");
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
  void step(int t, StepRecord& record, PhaseClock& clock) {
    auto& w = world_;
    const auto ctx = rules::make_context(spec_, w, t, options_.seed, options_.run);
    const std::size_t F = w.firms.state.size(), B = w.banks.state.size();
    const Grid demand = rules::import_demand(ctx, w);
    clock.lap("context_demand");

    // 1-2. Policy is in ctx; risk assessment and social learning.
    exec_->parallel_for(F, firm_grain, [&](std::size_t b, std::size_t e) { rules::assess_firms(ctx, w, b, e); });
    clock.lap("assess_firms");
    exec_->parallel_for(B, 64, [&](std::size_t b, std::size_t e) { rules::assess_banks(ctx, w, b, e); });
    clock.lap("assess_banks");
    std::vector<double>& slots = block_slots_;
    slots.resize(firm_blocks_.size() * rules::caution_slots);
    exec_->parallel_for(firm_blocks_.size(), 1, [&](std::size_t b, std::size_t e) {
      for (std::size_t k = b; k < e; ++k) rules::sum_caution(w, firm_blocks_[k], slots.data() + k * rules::caution_slots);
    });
    rules::update_group_caution(w, firm_blocks_, slots);
    clock.lap("group_caution");

    // 3. Orders.
    const auto terms = rules::option_terms(ctx, w);
    clock.lap("option_terms");
    // Each block of an importer group's firms sums its orders into its own
    // slots; adding the slots in block order keeps the sums independent of
    // the number of threads.
    exec_->parallel_for(blocks_.blocks.size(), 1, [&](std::size_t b, std::size_t e) {
      for (std::size_t k = b; k < e; ++k)
        rules::place_orders(ctx, w, terms, demand, blocks_.blocks[k], block_sums_.data() + blocks_.sums[k]);
    });
    clock.lap("place_orders");
    const rules::OrderSums orders = rules::sum_orders(w, blocks_, block_sums_);
    clock.lap("group_orders");

    // 4. Discounts, from last step's flows and this step's orders.
    market::bargain(ctx, w, demand, orders.desired);
    clock.lap("bargain");

    // 5. Clearing.
    const auto clearing = market::clear(ctx, w, orders.placed);
    const market::Flows contracted = market::record_flows(ctx, w, clearing);
    clock.lap("clear");
    exec_->parallel_for(F, firm_grain, [&](std::size_t b, std::size_t e) { market::firm_trade(ctx, w, clearing, b, e); });
    clock.lap("firm_trade");

    // 6. Payments: trade is recorded as it is paid.
    const market::Settlement paid = market::settle(ctx, w, contracted.value);
    const market::Flows flows = market::record_flows(ctx, w, clearing, &paid);
    const Grid pair_value = market::pair_values(contracted.value);
    clock.lap("settle");

    // 7. Enforcement, then what agents learn from it next step.
    rules::update_target_payments(ctx, w, pair_value);
    rules::designate_firms(ctx, w);
    rules::designate_banks(ctx, w);
    clock.lap("designate");
    slots.resize(firm_blocks_.size() * rules::outcome_slots);
    exec_->parallel_for(firm_blocks_.size(), 1, [&](std::size_t b, std::size_t e) {
      for (std::size_t k = b; k < e; ++k) rules::sum_outcome(w, firm_blocks_[k], slots.data() + k * rules::outcome_slots);
    });
    const rules::GroupOutcome outcome = rules::sum_group_outcome(w, firm_blocks_, slots);
    clock.lap("group_outcome");
    rules::learn_from_step(ctx, w, outcome, orders);
    rules::adapt(ctx, w, flows.dual_use);
    rules::update_fleet(ctx, w, flows.value, flows.quantity);
    rules::update_hub_capacity(ctx, w, clearing.hub_volume);
    clock.lap("learn_adapt");

    // 8. Accounting and observation.
    rules::update_income(ctx, w, flows.value);
    market::update_dependence(w, flows.value);
    clock.lap("accounting");
    record.step = t;
    record.month = spec_.start + t;
    observe({ctx, w, clearing, flows, outcome}, record);
    clock.lap("observe");
  }

  std::size_t S() const { return world_.dims.states; }
  std::size_t K() const { return world_.dims.sectors; }

  const model::ScenarioSpec& spec_;
  RunOptions options_;
  state::World world_;
  std::unique_ptr<Executor> exec_;
  /// Units of work of the sums over groups' firms (the world's structure
  /// does not change): every group's, and the importers' for place_orders.
  const std::vector<state::FirmBlock> firm_blocks_;
  const rules::OrderBlocks blocks_;
  std::vector<double> block_sums_;   ///< blocks_' sums, reused every step
  std::vector<double> block_slots_;  ///< firm_blocks_' sums, reused every step
};

}  // namespace

RunSummary run(const model::ScenarioSpec& spec, const RunOptions& options, Observer& observer) {
  Simulation sim(spec, options);
  if (!options.check) return sim.run(observer);
  CheckingObserver checked(observer);
  return sim.run(checked);
}

}  // namespace geosim::engine
