// Execution of a plan: threads (and MPI ranks) take run ids one at a time,
// run them, and write each finished run to its own part file with an atomic,
// no-overwrite link; the output is assembled from the parts in run-id order.
// A run's result depends only on its scenario, seed and id, so the output is
// the same whatever the number of jobs, shards or ranks.
#include "geosim/sweep/execute.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "geosim/engine/engine.hpp"
#include "geosim/model/history.hpp"
#include "geosim/output/checkpoint.hpp"
#include "geosim/output/sweep_file.hpp"
#include "geosim/scenario/load.hpp"
#include "lock.hpp"
#include "mpi.hpp"

namespace geosim::sweep {

namespace fs = std::filesystem;
using output::RunStatus;

namespace {

std::vector<std::string> codes_of(const auto& items) {
  std::vector<std::string> out;
  for (const auto& x : items) out.push_back(x.code);
  return out;
}

output::SweepLayout layout_of(const model::ScenarioSpec& spec) {
  output::SweepLayout L;
  L.start = spec.start;
  L.steps = static_cast<std::size_t>(spec.steps());
  L.states = codes_of(spec.states);
  L.sectors = codes_of(spec.sectors);
  L.currencies = codes_of(spec.currencies);
  L.variables = engine::variables();
  return L;
}

/// Why a run's scenario cannot share the sweep's axes, or "".
std::string axes_error(const model::ScenarioSpec& spec, const output::SweepLayout& L) {
  if (spec.start != L.start || static_cast<std::size_t>(spec.steps()) != L.steps)
    return "the run's horizon " + spec.start.str() + " to " + spec.end.str() + " differs from the base scenario's (" +
           L.start.str() + ", " + std::to_string(L.steps) + " months); every run of a sweep must share the time axis";
  if (codes_of(spec.states) != L.states || codes_of(spec.sectors) != L.sectors || codes_of(spec.currencies) != L.currencies)
    return "the run's states, sectors or currencies differ from the base scenario's; every run of a sweep must share the labels";
  return {};
}

output::SweepHeader make_header(const Plan& plan, const model::ScenarioSpec& base) {
  output::SweepHeader h;
  h.fingerprint = plan.fingerprint;
  h.name = plan.name;
  h.sweep_yaml = plan.text;
  h.scenario_yaml = plan.base_resolved;
  h.master_seed = plan.master_seed;
  h.planned_runs = static_cast<std::uint32_t>(plan.runs.size());
  for (const auto& p : plan.parameters) h.parameters.push_back({p.name, p.key_path, p.numeric});
  h.sobol_parameters = plan.sobol_parameters;
  h.layout = layout_of(base);
  return h;
}

/// Keeps a run's records in memory: one run's trajectories, never more.
class Collector final : public engine::Observer {
 public:
  explicit Collector(const output::SweepLayout& layout) : layout_(layout) {
    data_.resize(layout.variables.size());
    for (std::size_t v = 0; v < data_.size(); ++v) data_[v].reserve(layout.steps * layout.row(layout.variables[v]));
  }
  void begin(const engine::RunInfo& info) override {
    if (info.variables.size() != layout_.variables.size())
      throw std::runtime_error("the engine reports a different set of variables than the sweep file holds");
  }
  void record(engine::StepRecord&& r) override {
    for (std::size_t v = 0; v < data_.size(); ++v) data_[v].insert(data_[v].end(), r.values[v].begin(), r.values[v].end());
  }
  void end(const engine::RunSummary&) override {}
  std::vector<std::vector<double>> take() { return std::move(data_); }

 private:
  const output::SweepLayout& layout_;
  std::vector<std::vector<double>> data_;
};

std::string overrides_text(const Run& run) {
  std::string out;
  for (const auto& o : run.overrides) out += o.key_path + "=" + o.value + "\n";
  return out;
}

/// What every run of a forked sweep starts from, read once.
struct Fork {
  std::string file;
  engine::StoredCheckpoint checkpoint;
  model::ScenarioSpec spec;  ///< the stored scenario
  output::History history;
};

/// Why a run of `spec` cannot start from `fork`, or empty.
std::string fork_error(const Fork* fork, const model::ScenarioSpec& spec) {
  if (fork == nullptr) return {};
  const auto& cp = fork->checkpoint;
  if (const auto d = model::first_difference(fork->spec, spec, cp.month))
    return model::fork_refused(*d, spec, fork->file, cp.month).what();
  return {};
}

output::RunRecord execute_run(const Plan& plan, const Run& run, const output::SweepLayout& layout, int threads,
                              bool check, const Fork* fork) {
  output::RunRecord rec;
  rec.run = run.id;
  rec.seed = run.seed;
  rec.replicate = run.replicate;
  rec.values = run.values;
  rec.overrides = overrides_text(run);
  rec.sobol_matrix = run.sobol_matrix;
  rec.sobol_sample = run.sobol_sample;
  model::ScenarioSpec spec;
  try {
    spec = load_run(plan, run);
    if (auto why = axes_error(spec, layout); !why.empty()) throw InputError({plan.file, 0, 0}, "", why);
    if (auto why = fork_error(fork, spec); !why.empty()) throw InputError({plan.file, 0, 0}, "", why);
  } catch (const InputError& e) {
    rec.status = RunStatus::invalid;
    rec.error = e.what();
    return rec;
  }
  try {
    engine::RunOptions options;
    options.backend = threads > 1 ? engine::Backend::tbb : engine::Backend::serial;
    options.threads = threads;
    options.seed = run.seed;
    options.run = run.id;
    options.check = check;
    Collector collector(layout);
    std::unique_ptr<engine::Observer> replay;
    if (fork) {
      options.seed = fork->checkpoint.seed;
      options.run = fork->checkpoint.run;
      options.resume = &fork->checkpoint;
      rec.seed = fork->checkpoint.seed;
      replay = output::make_fork_replay(fork->history, collector);
    }
    engine::run(spec, options, replay ? *replay : static_cast<engine::Observer&>(collector));
    rec.data = collector.take();
    for (std::size_t v = 0; v < rec.data.size(); ++v)
      if (rec.data[v].size() != layout.steps * layout.row(layout.variables[v]))
        throw std::runtime_error("the run recorded " + std::to_string(rec.data[v].size()) + " values of '" +
                                 layout.variables[v].name + "', expected " +
                                 std::to_string(layout.steps * layout.row(layout.variables[v])));
  } catch (const std::exception& e) {
    rec.status = RunStatus::failed;
    rec.error = e.what();
    rec.data.clear();
  }
  return rec;
}

std::string part_name(std::uint32_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "run-%06u.h5", id);
  return buf;
}

/// Writes a part under a temporary name and links it into place; an existing
/// part is never replaced (link fails with EEXIST), so a finished run is
/// never rewritten.
void write_part(const fs::path& dir, const output::SweepHeader& header, const output::RunRecord& rec) {
  const fs::path final_path = dir / part_name(rec.run);
  std::ostringstream tmp_name;
  tmp_name << part_name(rec.run) << ".tmp-" << ::getpid() << "-" << std::this_thread::get_id();
  const fs::path tmp = dir / tmp_name.str();
  try {
    output::write_run_file(tmp.string(), header, rec);
    if (::link(tmp.c_str(), final_path.c_str()) != 0) {
      const int err = errno;
      if (err == EEXIST) {
        // Another process finished the same run first (a resumed sweep run twice); keep its part.
      } else if (err == EPERM || err == ENOTSUP || err == EXDEV) {
        fs::rename(tmp, final_path);  // file systems without hard links
        return;
      } else {
        throw EnvironmentError(final_path.string() + ": cannot move the part into place: " + std::strerror(err));
      }
    }
    std::error_code ignored;
    fs::remove(tmp, ignored);
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
}

std::string describe_invalid(const Plan& plan, const std::vector<std::string>& errors) {
  std::size_t bad = 0;
  std::string first;
  for (std::size_t i = 0; i < errors.size(); ++i)
    if (!errors[i].empty()) {
      if (bad == 0) first = "run " + std::to_string(plan.runs[i].id) + ": " + errors[i];
      ++bad;
    }
  if (bad == 0) return {};
  return first + (bad > 1 ? " (and " + std::to_string(bad - 1) + " more invalid runs; `geosim plan` lists them)" : "") +
         "; fix the sweep, or pass --keep-going to record invalid runs and run the others";
}

struct Prepared {
  std::vector<std::uint32_t> pending;
  std::size_t resumed = 0, resumed_failed = 0;
  bool nothing_to_do = false;
};

/// Rank 0's checks of the output and the parts directory before any work.
Prepared prepare(const Plan& plan, const SweepOptions& o, const std::vector<std::uint32_t>& slice, const fs::path& parts) {
  Prepared p;
  const fs::path out(o.output);
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  if (!fs::is_directory(dir)) throw InputError({o.output, 0, 0}, "", "output directory '" + dir.string() + "' does not exist");
  if (fs::exists(out)) {
    if (o.resume && !o.force) {
      const auto s = output::inspect_sweep_file(o.output);
      if (s.fingerprint != plan.fingerprint)
        throw InputError({o.output, 0, 0}, "", "exists and belongs to another sweep; pass --force to overwrite it");
      if (s.runs != slice)
        throw InputError({o.output, 0, 0}, "", "exists and holds other runs of this sweep (another --shard); pass --force to overwrite it");
      p.nothing_to_do = true;
      return p;
    }
    if (!o.force) throw InputError({o.output, 0, 0}, "", "output file exists; pass --force to overwrite it (or --resume to finish an interrupted sweep)");
  }
  if (fs::exists(parts) && !o.resume) {
    if (!o.force)
      throw InputError({parts.string(), 0, 0}, "",
                       "holds the parts of an interrupted sweep; pass --resume to finish it, or --force to start over");
    fs::remove_all(parts);
  }
  fs::create_directories(parts);
  // Temporary files of killed processes: their runs were not finished.
  for (const auto& e : fs::directory_iterator(parts))
    if (e.path().filename().string().find(".tmp-") != std::string::npos) fs::remove(e.path());
  for (auto id : slice) {
    const fs::path part = parts / part_name(id);
    if (!fs::exists(part)) {
      p.pending.push_back(id);
      continue;
    }
    output::SweepFileSummary s;
    try {
      s = output::inspect_sweep_file(part.string());
    } catch (const InputError& e) {
      // Parts are linked into place only when complete, so this is damage on disk.
      const fs::path aside = part.string() + ".corrupt";
      std::cerr << "geosim: warning: " << e.what() << "; moved aside to " << aside.string() << " and running it again\n";
      fs::rename(part, aside);
      p.pending.push_back(id);
      continue;
    }
    if (s.fingerprint != plan.fingerprint)
      throw InputError({part.string(), 0, 0}, "",
                       "belongs to another sweep (the sweep file or its base scenario changed); pass --force to start over");
    if (s.runs != std::vector<std::uint32_t>{id})
      throw InputError({part.string(), 0, 0}, "", "does not hold run " + std::to_string(id) + "; the parts directory is damaged");
    ++p.resumed;
    if (s.status.front() != RunStatus::ok) ++p.resumed_failed;
  }
  return p;
}

}  // namespace

/// validate_runs, also refusing runs that cannot start from `fork` (if any).
static std::vector<std::string> validate_forked_runs(const Plan& plan, int threads, const Fork* fork) {
  const auto layout = layout_of(scenario::load_file(plan.base));
  std::vector<std::string> errors(plan.runs.size());
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t i = next++; i < plan.runs.size(); i = next++) {
      try {
        const auto spec = load_run(plan, plan.runs[i]);
        errors[i] = axes_error(spec, layout);
        if (errors[i].empty()) errors[i] = fork_error(fork, spec);
      } catch (const InputError& e) {
        errors[i] = e.what();
      }
    }
  };
  const int n = std::max(1, std::min<int>(threads, static_cast<int>(plan.runs.size())));
  std::vector<std::thread> pool;
  for (int t = 1; t < n; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return errors;
}

std::vector<std::string> validate_runs(const Plan& plan, int threads) {
  return validate_forked_runs(plan, threads, nullptr);
}

std::vector<std::uint32_t> shard_runs(std::size_t runs, std::uint32_t shard, std::uint32_t shards) {
  std::vector<std::uint32_t> out;
  for (std::size_t i = shard - 1; i < runs; i += shards) out.push_back(static_cast<std::uint32_t>(i));
  return out;
}

SweepReport run_sweep(const Plan& planned, const SweepOptions& o) {
  Plan plan = planned;  // a fork changes its fingerprint
  const auto t0 = std::chrono::steady_clock::now();
  if (o.shards < 1 || o.shard < 1 || o.shard > o.shards)
    throw InputError({"--shard", 0, 0}, "", std::to_string(o.shard) + "/" + std::to_string(o.shards) +
                                                " is not a shard; expected K/N with 1 <= K <= N");
  if (o.threads_per_run < 1) throw InputError({"--threads-per-run", 0, 0}, "", "expected a number of threads >= 1");
  const int world = mpi_world_size();
  const int rank = detail::mpi_rank();
  int jobs = o.jobs > 0 ? o.jobs : (world > 1 ? 1 : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  if (world > 1 && rank > 0 && jobs > 1 && !detail::threads_may_request())
    throw EnvironmentError("the MPI library gives no thread support; run with --jobs 1 under mpirun");

  const auto slice = shard_runs(plan.runs.size(), o.shard, o.shards);
  if (slice.empty())
    throw InputError({"--shard", 0, 0}, "", "shard " + std::to_string(o.shard) + "/" + std::to_string(o.shards) +
                                                " has no runs: the sweep has only " + std::to_string(plan.runs.size()));
  const auto base = scenario::load_file(plan.base);
  // Every rank reads the base of a fork itself (like the plan's scenarios).
  std::optional<Fork> fork;
  if (!o.fork_from.empty()) {
    if (plan.replicates > 1)
      throw InputError({plan.file, 0, 0}, "replicates",
                       std::to_string(plan.replicates) +
                           " replicates of a forked sweep would be identical: a fork runs on the base's seed; "
                           "use replicates: 1");
    fork.emplace();
    fork->file = o.fork_from;
    fork->checkpoint = output::read_checkpoint(o.fork_from);
    fork->spec = scenario::load_text(fork->checkpoint.scenario, o.fork_from + ":/checkpoint/scenario");
    fork->history = output::read_history(o.fork_from, fork->checkpoint.step, engine::variables());
    const auto& cp = fork->checkpoint;
    plan.fingerprint = fork_fingerprint(plan.fingerprint, cp.month.str() + "\n" + std::to_string(cp.seed) + "\n" +
                                                              std::to_string(cp.run) + "\n" + cp.scenario);
  }
  const output::SweepHeader header = make_header(plan, base);
  const Fork* forked = fork ? &*fork : nullptr;
  const fs::path parts = o.output + ".parts";
  std::string shard_label;
  if (o.shards > 1) shard_label = std::to_string(o.shard) + "/" + std::to_string(o.shards);

  SweepReport report;
  report.runs = slice.size();
  report.coordinator = rank == 0;

  // Rank 0 checks and prepares; every rank learns the outcome.
  Prepared prep;
  detail::Decision decision;
  std::optional<OutputLock> output_lock;  // held until the output is written
  if (rank == 0) {
    try {
      const fs::path out(o.output);
      if (fs::is_directory(out.has_parent_path() ? out.parent_path() : fs::path("."))) output_lock.emplace(o.output);
      const bool fresh = !fs::exists(parts);
      prep = prepare(plan, o, slice, parts);
      if (prep.nothing_to_do) decision.code = 3;
      else if (!o.keep_going) {
        // Every run of the plan is checked, whatever slice this process runs,
        // so that all shards and ranks agree on whether the sweep may start.
        if (auto why = describe_invalid(plan, validate_forked_runs(plan, jobs, forked)); !why.empty()) {
          decision = {1, why};
          // Bad input leaves nothing behind: not even an empty parts
          // directory that the next attempt would take for an interrupted sweep.
          if (fresh) fs::remove_all(parts);
        }
      }
    } catch (const InputError& e) {
      decision = {1, e.what()};
    } catch (const std::exception& e) {
      decision = {2, e.what()};
    }
  }
  decision = detail::broadcast_decision(decision);
  if (decision.code == 1) throw InputError({}, "", decision.message);
  if (decision.code == 2) throw EnvironmentError(decision.message);
  if (decision.code == 3) {
    report.complete = true;
    report.resumed = slice.size();
    detail::quiet_barrier();
    return report;
  }
  report.resumed = prep.resumed;

  // Work: a shared cursor over the pending runs (rank 0 and local runs), or
  // requests to rank 0 (other ranks).
  std::mutex mutex;
  std::size_t cursor = 0;
  Progress progress{prep.resumed, prep.resumed_failed, slice.size()};
  std::atomic<bool> stop{false};
  std::exception_ptr error;
  std::atomic<std::size_t> ran{0};
  const auto cancelled = [&] { return stop.load() || (o.cancelled && o.cancelled()); };
  const auto take_local = [&]() -> std::optional<std::uint32_t> {
    std::lock_guard lock(mutex);
    if (cancelled() || cursor >= prep.pending.size()) return std::nullopt;
    return prep.pending[cursor++];
  };
  const auto finished = [&](int status) {
    std::lock_guard lock(mutex);
    ++progress.done;
    if (status != 0) ++progress.failed;
    if (o.progress && rank == 0) o.progress(progress);
  };
  const bool remote = world > 1 && rank > 0;
  const auto worker = [&] {
    int last = -1;
    try {
      for (;;) {
        std::optional<std::uint32_t> id;
        // A request carries the status of the run before, so rank 0 counts progress.
        if (remote) id = cancelled() ? std::nullopt : detail::request_run(last);
        else id = take_local();
        if (!id) break;
        auto rec = execute_run(plan, plan.runs[*id], header.layout, o.threads_per_run, o.check, forked);
        write_part(parts, header, rec);
        ++ran;
        last = static_cast<int>(rec.status);
        if (!remote) finished(last);
      }
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!error) error = std::current_exception();
      stop = true;
    }
  };

  std::atomic<int> local_running{0};
  std::vector<std::thread> pool;
  const int threads = std::max(1, std::min<int>(jobs, static_cast<int>(std::max<std::size_t>(prep.pending.size(), 1))));
  const int pool_size = world > 1 ? jobs : threads;
  if (world > 1 && rank == 0) {
    local_running = pool_size;
    for (int t = 0; t < pool_size; ++t)
      pool.emplace_back([&] {
        worker();
        --local_running;
      });
    detail::coordinate(take_local, finished, [&] { return local_running.load() == 0; });
  } else if (remote) {
    if (pool_size == 1) {
      worker();
    } else {
      for (int t = 0; t < pool_size; ++t) pool.emplace_back(worker);
    }
  } else {
    for (int t = 1; t < pool_size; ++t) pool.emplace_back(worker);
    worker();
  }
  for (auto& t : pool) t.join();
  if (remote) detail::report_done();
  report.ran = ran;

  if (error) {
    detail::quiet_barrier();
    std::rethrow_exception(error);
  }
  if (rank == 0 && !cancelled()) {
    std::vector<std::string> inputs;
    for (auto id : slice) {
      const fs::path part = parts / part_name(id);
      if (!fs::exists(part)) {
        // Runs handed to a rank that stopped early; the sweep can be resumed.
        inputs.clear();
        break;
      }
      inputs.push_back(part.string());
    }
    if (inputs.size() == slice.size() && !slice.empty()) {
      output::MergeOptions mo;
      mo.expected_fingerprint = plan.fingerprint;
      mo.expected_runs = slice;
      mo.shard = shard_label;
      output::merge_sweep_files(inputs, o.output, mo);
      report.complete = true;
      if (!o.keep_parts) fs::remove_all(parts);
    }
    report.failed = progress.failed;
    report.ran = progress.done - prep.resumed;  // under MPI, the runs of every rank
  }
  detail::quiet_barrier();
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

void merge_shards(const std::vector<std::string>& shards, const std::string& output, bool force) {
  if (fs::exists(output) && !force)
    throw InputError({output, 0, 0}, "", "output file exists; pass --force to overwrite it");
  for (const auto& s : shards)
    if (fs::exists(s) && fs::exists(output) && fs::equivalent(s, output))
      throw InputError({output, 0, 0}, "", "is also one of the inputs");
  output::merge_sweep_files(shards, output, {});
}

}  // namespace geosim::sweep
