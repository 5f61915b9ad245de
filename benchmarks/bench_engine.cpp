// Whole-run benchmarks of the engine: the baseline (about 1.4e5 firms,
// 216 months) and ten times its firms, on the serial back-end and on oneTBB
// with 1 and 2 threads; and the cost of --check alone on the baseline's
// records. Compare ratios within one run of this program; the machines are
// noisy.
//   build/benchmarks/bench_engine --benchmark_filter=baseline
#include <benchmark/benchmark.h>

#include "geosim/engine/check.hpp"
#include "geosim/engine/engine.hpp"
#include "geosim/scenario/load.hpp"

using namespace geosim;

namespace {

class NullObserver final : public engine::Observer {
 public:
  void begin(const engine::RunInfo&) override {}
  void record(const engine::StepRecord& r) override { benchmark::DoNotOptimize(r.values.data()); }
  void end(const engine::RunSummary&) override {}
};

void run_scenario(benchmark::State& state, const std::string& file, engine::Backend backend) {
  const auto spec = scenario::load_file(std::string(GEOSIM_SOURCE_DIR) + "/" + file);
  std::size_t firms = 0;
  for (const auto& p : spec.firms) firms += p.count;
  engine::RunOptions options;
  options.backend = backend;
  options.threads = static_cast<int>(state.range(0));
  options.seed = spec.seed;
  for (auto _ : state) {
    NullObserver null;
    engine::run(spec, options, null);
  }
  state.counters["firms"] = static_cast<double>(firms);
  state.counters["firm_steps/s"] = benchmark::Counter(static_cast<double>(firms) * spec.steps(),
                                                      benchmark::Counter::kIsIterationInvariantRate);
}

/// Keeps the run's information and records, for check_baseline.
class Keeper final : public engine::Observer {
 public:
  void begin(const engine::RunInfo& i) override {
    info = i;
    variables.assign(i.variables.begin(), i.variables.end());
    info.variables = variables;
  }
  void record(const engine::StepRecord& r) override { records.push_back(r); }
  void end(const engine::RunSummary&) override {}
  engine::RunInfo info;
  std::vector<engine::VariableInfo> variables;
  std::vector<engine::StepRecord> records;
};

/// What --check adds to a run: checking every record of the baseline.
void check_baseline(benchmark::State& state) {
  const auto spec = scenario::load_file(std::string(GEOSIM_SOURCE_DIR) + "/scenarios/baseline.yaml");
  engine::RunOptions options;
  options.seed = spec.seed;
  Keeper kept;
  engine::run(spec, options, kept);
  for (auto _ : state) {
    NullObserver null;
    engine::CheckingObserver check(null);
    check.begin(kept.info);
    for (const auto& r : kept.records) check.record(r);
  }
  state.counters["steps"] = static_cast<double>(kept.records.size());
}

void baseline_serial(benchmark::State& s) { run_scenario(s, "scenarios/baseline.yaml", engine::Backend::serial); }
void baseline_tbb(benchmark::State& s) { run_scenario(s, "scenarios/baseline.yaml", engine::Backend::tbb); }
void baseline_x10_tbb(benchmark::State& s) { run_scenario(s, "benchmarks/data/baseline_x10.yaml", engine::Backend::tbb); }

}  // namespace

BENCHMARK(baseline_serial)->Arg(1)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(2);
BENCHMARK(baseline_tbb)->Arg(1)->Arg(2)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(2);
BENCHMARK(check_baseline)->Unit(benchmark::kMillisecond);
BENCHMARK(baseline_x10_tbb)->Arg(1)->Arg(2)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

BENCHMARK_MAIN();
