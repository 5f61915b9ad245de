// Engine benchmarks (issue 17; benchmarks/README.md says how to run them and
// holds the latest figures). Everything that is compared is measured in the
// same run of this program: the machines are shared and noisy, so read the
// ratios, not the absolute times.
//
//   triad/T           STREAM-like a = b + s c on T threads: the bandwidth bound
//   steps/E/T         the baseline scaled to about 10^E firms
//                     (benchmarks/data/baseline_1eE.yaml), 2013-2030 on T
//                     threads: firm-steps per second, each phase's share,
//                     and each streaming phase (and the whole step) as a
//                     multiple of the time its bytes take at triad bandwidth
//                     (on 1 thread from CPU times, which other processes'
//                     load does not inflate; on 2 from wall times)
//   hdf5/E            the same run with and without the HDF5 writer (2 threads)
//   sweep_runs/J          runs per minute of scenarios/sweeps/smoke.yaml, J at once
//   peak_memory/E     peak resident memory of `geosim run` on 1 thread, per firm
//   check_baseline    what --check adds to the baseline
//
//   build/benchmarks/bench_engine --benchmark_filter='steps/6/'
//   build/benchmarks/bench_engine --benchmark_filter='/4(/|$)'  (smallest size; CI)
#include <benchmark/benchmark.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "geosim/engine/check.hpp"
#include "geosim/engine/engine.hpp"
#include "geosim/output/hdf5.hpp"
#include "geosim/scenario/load.hpp"
#include "geosim/state/world.hpp"
#include "geosim/sweep/execute.hpp"

using namespace geosim;

namespace {

std::string source(const std::string& file) { return std::string(GEOSIM_SOURCE_DIR) + "/" + file; }

std::string scaled(std::int64_t exponent) {
  return source("benchmarks/data/baseline_1e" + std::to_string(exponent) + ".yaml");
}

class NullObserver final : public engine::Observer {
 public:
  void begin(const engine::RunInfo&) override {}
  void record(engine::StepRecord&& r) override { benchmark::DoNotOptimize(r.values.data()); }
  void end(const engine::RunSummary&) override {}
};

// ---------------------------------------------------------------- triad --

/// Triad bandwidth per thread count, bytes per second, from triad/T (run
/// first: benchmarks run in registration order).
std::map<int, double>& triad_bandwidth() {
  static std::map<int, double> bw;
  return bw;
}

/// Triad bandwidth on one thread from its CPU time, bytes per second.
double& cpu_triad_bandwidth() {
  static double bw = 0;
  return bw;
}

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// a = b + s c over 2^24 doubles per array (3 x 128 MiB, far beyond cache),
/// on T threads with a static split, as STREAM counts it: 24 bytes per element.
void triad(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  constexpr std::size_t n = std::size_t{1} << 24;
  std::vector<double> a(n), b(n, 1.0), c(n, 2.0);
  tbb::task_arena arena(threads);
  const auto pass = [&] {
    arena.execute([&] {
      tbb::parallel_for(
          tbb::blocked_range<std::size_t>(0, n, n / static_cast<std::size_t>(threads)),
          [&](const tbb::blocked_range<std::size_t>& r) {
            for (std::size_t i = r.begin(); i < r.end(); ++i) a[i] = b[i] + 3.0 * c[i];
          },
          tbb::static_partitioner());
    });
  };
  pass();  // first touch
  double best = 1e300, best_cpu = 1e300;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = thread_cpu_seconds();
    pass();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, s);
    best_cpu = std::min(best_cpu, thread_cpu_seconds() - c0);
    state.SetIterationTime(s);
    benchmark::DoNotOptimize(a.data());
  }
  // The best pass, as STREAM reports: the machine is shared.
  triad_bandwidth()[threads] = 24.0 * n / best;
  state.counters["GB/s"] = 24.0 * n / best / 1e9;
  if (threads == 1) {
    // On one thread the pass runs on this thread: its CPU time does not
    // count the time other processes held the core.
    cpu_triad_bandwidth() = 24.0 * n / best_cpu;
    state.counters["GB/s_cpu"] = 24.0 * n / best_cpu / 1e9;
  }
}

// ---------------------------------------------------------------- steps --

/// Bytes a streaming phase moves for every firm, every importer and every
/// relationship (edge), counted as STREAM does: each column read once, each
/// column written once (read-modify-write twice). From the columns each
/// phase's code reads and writes (state/world.hpp types); the group-level
/// tables they also read stay in cache.
struct PhaseBytes {
  const char* phase;
  double per_firm, per_importer, per_edge;
};
constexpr PhaseBytes streaming_phases[] = {
    // state, sector, product, role, belief rw, penalised, designated, group,
    // visibility, exposure, risk_tolerance, cautious rw, cautious_hub rw
    {"assess_firms", 2 + 2 + 1 + 1 + 16 + 1 + 1 + 4 + 8 + 8 + 8 + 2 + 2, 0, 0},
    // group's firm index, cautious, cautious_hub, share, retained
    {"group_caution", 4 + 1 + 1 + 8 + 8, 0, 0},
    // importers: group's firm index, first_edge, designated, cautious,
    // cautious_hub, belief, visibility, exposure, share; edges: weight rw,
    // formed_feasibility (float) rw, order (float, written), relationship
    // (16 bits) rw
    {"place_orders", 0, 4 + 8 + 1 + 1 + 1 + 8 + 8 + 8 + 8, 16 + 8 + 4 + 4},
    // state, sector, product, group, role, retained, share, cautious,
    // cautious_hub, and four results; importers: first_edge; edges: order
    // (float)
    {"firm_trade", 2 + 2 + 1 + 4 + 1 + 8 + 8 + 1 + 1 + 4 * 8, 8, 4},
    // group's firm index, trade, target_trade, penalised, cautious,
    // designated, belief, designation_loss
    {"group_outcome", 4 + 8 + 8 + 1 + 1 + 1 + 8 + 8, 0, 0},
};

struct Size {
  model::ScenarioSpec spec;
  double firms = 0, importers = 0, edges = 0;
};

Size size_of(const std::string& file) {
  Size s{scenario::load_file(file)};
  for (const auto& p : s.spec.firms) {
    s.firms += static_cast<double>(p.count);
    if (p.role == model::Role::importer) s.importers += static_cast<double>(p.count);
  }
  s.edges = state::estimate_memory(s.spec, 0, 0).edges;  // an upper bound: all options
  return s;
}

/// Runs `size` and reports throughput, phase times and bounds; `observer`
/// receives the records (NullObserver when null).
void run_and_report(benchmark::State& state, const Size& size, int threads, engine::Observer* observer) {
  engine::RunOptions options;
  options.backend = engine::Backend::tbb;
  options.threads = threads;
  options.seed = size.spec.seed;
  std::vector<engine::PhaseTime> phases;
  options.phase_times = &phases;
  double seconds = 0;
  for (auto _ : state) {
    NullObserver null;
    const auto t0 = std::chrono::steady_clock::now();
    engine::run(size.spec, options, observer ? *observer : null);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const double runs = static_cast<double>(state.iterations()), steps = size.spec.steps();
  state.counters["firms"] = size.firms;
  state.counters["edges/firm"] = size.edges / size.firms;
  state.counters["firm_steps/s"] = size.firms * steps * runs / seconds;
  state.counters["ns/firm_step"] = seconds / runs / (size.firms * steps) * 1e9;
  const auto bw = triad_bandwidth().find(threads);
  double step_bytes = 0;
  for (const auto& p : streaming_phases)
    step_bytes += p.per_firm * size.firms + p.per_importer * size.importers + p.per_edge * size.edges;
  state.counters["bytes/firm_step"] = step_bytes / size.firms;
  // On one thread all the work runs on the engine's thread, and its CPU
  // time against the triad's is the comparison that the load of other
  // processes does not distort; on more threads only wall time means much.
  const bool cpu = threads == 1 && cpu_triad_bandwidth() > 0;
  const double bandwidth = cpu ? cpu_triad_bandwidth() : bw != triad_bandwidth().end() ? bw->second : 0.0;
  double cpu_total = 0;
  for (const auto& p : phases) cpu_total += p.cpu_seconds;
  if (threads == 1) state.counters["cpu_ns/firm_step"] = cpu_total / runs / (size.firms * steps) * 1e9;
  for (const auto& p : phases) {
    const double s = (cpu ? p.cpu_seconds : p.seconds) / runs;
    state.counters[std::string(p.name) + "_%"] = 100 * s / ((cpu ? cpu_total : seconds) / runs);
    for (const auto& b : streaming_phases)
      if (bandwidth > 0 && std::string(b.phase) == p.name) {
        const double bytes = b.per_firm * size.firms + b.per_importer * size.importers + b.per_edge * size.edges;
        state.counters[std::string(p.name) + "_xbound"] = s / (bytes * steps / bandwidth);
      }
  }
  if (bandwidth > 0)
    state.counters["step_xbound"] = (cpu ? cpu_total : seconds) / runs / (step_bytes * steps / bandwidth);
}

/// steps/E/T: about 10^E firms, T threads.
void steps(benchmark::State& state) {
  const Size size = size_of(scaled(state.range(0)));
  run_and_report(state, size, static_cast<int>(state.range(1)), nullptr);
}

/// hdf5/E/on|off: with the HDF5 writer (to a temporary file) or without.
void hdf5(benchmark::State& state) {
  const Size size = size_of(scaled(state.range(0)));
  const auto path = std::filesystem::temp_directory_path() / ("geosim_bench_" + std::to_string(::getpid()) + ".h5");
  if (state.range(1) == 0) {
    run_and_report(state, size, 2, nullptr);
    return;
  }
  output::WriterOptions options;
  options.path = path.string();
  auto writer = output::make_hdf5_writer(options);
  run_and_report(state, size, 2, writer.get());
  writer.reset();
  std::filesystem::remove(path);
}

// ---------------------------------------------------------------- sweep --

/// sweep/J: the smoke sweep (8 runs of the reduced baseline), J runs at once.
void sweep_runs(benchmark::State& state) {
  const auto plan = sweep::load_plan(source("scenarios/sweeps/smoke.yaml"));
  const auto dir = std::filesystem::temp_directory_path() / ("geosim_bench_sweep_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  sweep::SweepOptions options;
  options.output = (dir / "smoke.h5").string();
  options.jobs = static_cast<int>(state.range(0));
  options.force = true;
  double runs = 0, seconds = 0;
  for (auto _ : state) {
    const auto report = sweep::run_sweep(plan, options);
    runs += static_cast<double>(report.ran);
    seconds += report.wall_seconds;
  }
  std::filesystem::remove_all(dir);
  state.counters["runs/min"] = runs / seconds * 60;
}

// ---------------------------------------------------------- peak memory --

/// peak_memory/E: `geosim run` (1 thread, HDF5 output to a temporary file)
/// on about 10^E firms in a child process of its own, so that the peak
/// resident memory is that run's alone; per firm.
void peak_memory(benchmark::State& state) {
  const std::string file = scaled(state.range(0));
  const auto out = std::filesystem::temp_directory_path() / ("geosim_bench_peak_" + std::to_string(::getpid()) + ".h5");
  for (auto _ : state) {
    const pid_t child = ::fork();
    if (child == 0) {
      ::execl(GEOSIM_CLI, GEOSIM_CLI, "run", file.c_str(), "-o", out.c_str(), "--threads", "1", "--force", "--quiet",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    int status = 0;
    rusage usage{};
    ::wait4(child, &status, 0, &usage);
    std::filesystem::remove(out);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      state.SkipWithError("geosim run failed");
      return;
    }
    const Size size = size_of(file);
    const double peak = static_cast<double>(usage.ru_maxrss) * 1024;  // ru_maxrss: KiB
    state.counters["firms"] = size.firms;
    state.counters["peak_MiB"] = peak / (1024 * 1024);
    state.counters["bytes/firm"] = peak / size.firms;
  }
}

// ---------------------------------------------------------------- check --

/// Keeps the run's information and records, for check_baseline.
class Keeper final : public engine::Observer {
 public:
  void begin(const engine::RunInfo& i) override {
    info = i;
    variables.assign(i.variables.begin(), i.variables.end());
    info.variables = variables;
  }
  void record(engine::StepRecord&& r) override { records.push_back(std::move(r)); }
  void end(const engine::RunSummary&) override {}
  engine::RunInfo info;
  std::vector<engine::VariableInfo> variables;
  std::vector<engine::StepRecord> records;
};

/// What --check adds to a run: checking every record of the baseline.
void check_baseline(benchmark::State& state) {
  const auto spec = scenario::load_file(source("scenarios/baseline.yaml"));
  engine::RunOptions options;
  options.seed = spec.seed;
  Keeper kept;
  engine::run(spec, options, kept);
  // The records go through the check and back to `kept`, moved, not
  // copied: what is timed is the check.
  class Back final : public engine::Observer {
   public:
    void begin(const engine::RunInfo&) override {}
    void record(engine::StepRecord&& r) override { *slot = std::move(r); }
    void end(const engine::RunSummary&) override {}
    engine::StepRecord* slot = nullptr;
  };
  for (auto _ : state) {
    Back back;
    engine::CheckingObserver check(back);
    check.begin(kept.info);
    for (auto& r : kept.records) {
      back.slot = &r;
      check.record(std::move(r));
    }
  }
  state.counters["steps"] = static_cast<double>(kept.records.size());
}

}  // namespace

BENCHMARK(triad)->Arg(1)->Arg(2)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(steps)
    ->ArgsProduct({{4, 5, 6, 7}, {1, 2}})
    ->Unit(benchmark::kSecond)
    ->UseRealTime()
    ->Iterations(1);
BENCHMARK(hdf5)->ArgsProduct({{4, 5, 6}, {0, 1}})->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);
BENCHMARK(sweep_runs)->Arg(1)->Arg(2)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);
BENCHMARK(peak_memory)->DenseRange(4, 7)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);
BENCHMARK(check_baseline)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
