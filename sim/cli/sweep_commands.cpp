#include "sweep_commands.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <thread>

#include "geosim/core/error.hpp"
#include "geosim/sweep/execute.hpp"
#include "geosim/sweep/plan.hpp"
#include "check_option.hpp"
#include "numbers.hpp"
#include "output_path.hpp"
#include "progress.hpp"

namespace geosim::cli {

namespace {

struct Options {
  CLI::App* plan = nullptr;
  CLI::App* sweep = nullptr;
  CLI::App* merge = nullptr;
  std::string sweep_file, output, shard, fork_from;
  std::vector<std::string> inputs;
  int jobs = 0, threads_per_run = 1;
  bool resume = false, force = false, keep_going = false, keep_parts = false, quiet = false, no_validate = false;
  bool check = check_by_default;
};

Options& opts() {
  static Options o;
  return o;
}

std::atomic<bool> interrupted{false};
extern "C" void on_interrupt(int) { interrupted = true; }

std::string cell(std::string s, std::size_t width) {
  if (s.size() > width) s = s.substr(0, width - 1) + "~";
  return s + std::string(width - s.size() + 2, ' ');
}

int plan_command() {
  const auto& o = opts();
  const auto plan = sweep::load_plan(o.sweep_file);
  std::vector<std::string> errors(plan.runs.size());
  if (!o.no_validate) errors = sweep::validate_runs(plan, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  std::ostringstream os;
  os << o.sweep_file << ": sweep '" << plan.name << "', " << plan.runs.size() << " runs ("
     << plan.runs.size() / plan.replicates << " parameter points x " << plan.replicates << " replicates, "
     << (plan.factorial ? "factorial" : "zipped") << "), master seed " << plan.master_seed << "\n"
     << "base      " << plan.base << "\n"
     << "fingerprint " << plan.fingerprint << "\n";
  for (const auto& p : plan.parameters)
    os << "param     " << p.name << " = " << p.key_path << " (" << sweep::to_string(p.design) << ")\n";
  if (!plan.sobol_parameters.empty()) os << "saltelli  " << plan.samples << " base samples x (d + 2) with d = " << plan.sobol_parameters.size() << "\n";
  os << "\n";
  std::vector<std::size_t> width;
  for (const auto& p : plan.parameters) {
    std::size_t w = p.name.size();
    for (const auto& r : plan.runs) w = std::max(w, r.values[&p - plan.parameters.data()].size());
    width.push_back(std::min<std::size_t>(w, 24));
  }
  os << cell("run", 6) << cell("seed", 20) << cell("rep", 3);
  for (std::size_t i = 0; i < plan.parameters.size(); ++i) os << cell(plan.parameters[i].name, width[i]);
  if (!plan.sobol_parameters.empty()) os << cell("matrix", 6) << cell("sample", 6);
  os << "status\n";
  std::size_t invalid = 0;
  for (std::size_t k = 0; k < plan.runs.size(); ++k) {
    const auto& r = plan.runs[k];
    os << cell(std::to_string(r.id), 6) << cell(std::to_string(r.seed), 20) << cell(std::to_string(r.replicate), 3);
    for (std::size_t i = 0; i < r.values.size(); ++i) os << cell(r.values[i], width[i]);
    if (!plan.sobol_parameters.empty()) {
      const std::string m = r.sobol_matrix == 0 ? "A" : r.sobol_matrix == 1 ? "B" : "AB_" + std::to_string(r.sobol_matrix - 2);
      os << cell(m, 6) << cell(std::to_string(r.sobol_sample), 6);
    }
    os << (o.no_validate ? "-" : errors[k].empty() ? "ok" : "invalid") << "\n";
    invalid += !errors[k].empty();
  }
  std::cout << os.str();
  if (invalid > 0) {
    for (std::size_t k = 0; k < plan.runs.size(); ++k)
      if (!errors[k].empty()) std::cerr << "geosim: error: run " << plan.runs[k].id << ": " << errors[k] << "\n";
    std::cerr << "geosim: " << invalid << " of " << plan.runs.size() << " runs are invalid\n";
    return 2;
  }
  return 0;
}

int sweep_command() {
  const auto& o = opts();
  const int world = sweep::mpi_world_size();
  sweep::SweepOptions so;
  so.output = output_target(o.output);
  const auto plan = sweep::load_plan(o.sweep_file);
  so.jobs = o.jobs;
  so.threads_per_run = o.threads_per_run;
  so.resume = o.resume;
  so.force = o.force;
  so.keep_going = o.keep_going;
  so.keep_parts = o.keep_parts;
  so.check = o.check;
  so.fork_from = o.fork_from;
  if (!o.shard.empty()) {
    const auto slash = o.shard.find('/');
    const std::string_view text(o.shard);
    const auto k = whole_number<std::uint32_t>(text.substr(0, slash));
    const auto n = slash == std::string::npos ? std::nullopt : whole_number<std::uint32_t>(text.substr(slash + 1));
    if (!k || !n || *n == 0 || *k == 0 || *k > *n)
      throw InputError({"--shard " + o.shard, 0, 0}, "",
                       "expected K/N with 1 <= K <= N <= 4294967295, e.g. --shard 3/8");
    if (world > 1) throw InputError({"--shard " + o.shard, 0, 0}, "", "use either --shard or mpirun, not both");
    so.shard = *k;
    so.shards = *n;
  }
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  so.cancelled = [] { return interrupted.load(); };
  std::string label = "sweep " + plan.name;
  if (so.shards > 1) label += " " + o.shard;
  ProgressBar bar(label);
  if (!o.quiet)
    so.progress = [&](const sweep::Progress& p) {
      bar.update(static_cast<long>(p.done), static_cast<long>(p.total), "failed " + std::to_string(p.failed));
    };
  const auto report = sweep::run_sweep(plan, so);
  bar.finish();
  if (!report.coordinator) return 0;
  if (!report.complete) {
    std::cerr << "geosim: interrupted: " << report.resumed + report.ran << " of " << report.runs
              << " runs are finished in " << so.output << ".parts; rerun with --resume to finish\n";
    return 130;
  }
  if (!o.quiet) {
    std::cout << "geosim " << version() << ": sweep '" << plan.name << "'";
    if (so.shards > 1) std::cout << " shard " << o.shard;
    std::cout << ", " << report.runs << " runs (" << report.ran << " run now, " << report.resumed << " resumed, "
              << report.failed << " failed)";
    if (world > 1) std::cout << " on " << world << " MPI ranks";
    std::cout << ", " << report.wall_seconds << " s\nwrote " << o.output << "\n";
  }
  return 0;
}

// merge writes OUT.tmp-PID (output::merge_sweep_files) and has no place to
// poll for an interruption, so its handler removes that file itself and ends
// the process, with the exit code of an interrupted run or sweep.
char merge_temporary[4096] = {};
extern "C" void on_merge_interrupt(int) {
  static const char removed[] = "\ngeosim: interrupted; no output written\n";
  static const char late[] = "\ngeosim: interrupted\n";
  const bool was_there = ::unlink(merge_temporary) == 0;
  [[maybe_unused]] const auto n = was_there ? ::write(2, removed, sizeof removed - 1) : ::write(2, late, sizeof late - 1);
  ::_exit(130);
}

int merge_command() {
  const auto& o = opts();
  const std::string target = output_target(o.output);
  const std::string temporary = target + ".tmp-" + std::to_string(::getpid());
  if (temporary.size() < sizeof merge_temporary) {
    temporary.copy(merge_temporary, temporary.size());
    std::signal(SIGINT, on_merge_interrupt);
    std::signal(SIGTERM, on_merge_interrupt);
  }
  sweep::merge_shards(o.inputs, target, o.force);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!o.quiet) std::cout << "merged " << o.inputs.size() << " files into " << o.output << "\n";
  return 0;
}

}  // namespace

void add_sweep_commands(CLI::App& app) {
  auto& o = opts();
  o.plan = app.add_subcommand("plan", "Print a sweep's runs (ids, parameters, seeds) without running them");
  o.plan->add_option("sweep", o.sweep_file, "Sweep YAML file")->required();
  o.plan->add_flag("--no-validate", o.no_validate, "Do not load each run's scenario");

  o.sweep = app.add_subcommand("sweep", "Run a parameter sweep into one HDF5 / netCDF-4 file");
  o.sweep->add_option("sweep", o.sweep_file, "Sweep YAML file")->required();
  o.sweep->add_option("-o,--output", o.output, "Output file (.h5)")->required();
  o.sweep->add_option("--jobs", o.jobs, "Runs at once (default: all cores; 1 per rank under mpirun)")->check(CLI::NonNegativeNumber);
  o.sweep->add_option("--threads-per-run", o.threads_per_run, "Engine threads per run (default 1)")->check(CLI::PositiveNumber);
  o.sweep->add_option("--shard", o.shard, "Run slice K of N (K/N, 1-based) into its own file, for job arrays");
  o.sweep->add_flag("--resume", o.resume, "Finish an interrupted sweep: run only the runs without a part");
  o.sweep->add_flag("--force", o.force, "Overwrite the output and discard the parts of an earlier sweep");
  o.sweep->add_flag("--keep-going", o.keep_going, "Record runs whose scenario is invalid as such and run the others");
  o.sweep->add_flag("--keep-parts", o.keep_parts, "Keep OUT.parts/ after writing the output");
  o.sweep->add_flag("--check,!--no-check", o.check, sweep_check_help);
  o.sweep->add_option("--fork-from", o.fork_from,
                      "Start every run from the checkpoint in this run output (geosim run --checkpoint-at); "
                      "runs use its seed");
  o.sweep->add_flag("-q,--quiet", o.quiet, "No progress bar and no summary");

  o.merge = app.add_subcommand("merge", "Combine the shard files of one sweep into one file");
  o.merge->add_option("output", o.output, "Merged output file (.h5)")->required();
  o.merge->add_option("shards", o.inputs, "Shard files (from geosim sweep --shard K/N)")->required();
  o.merge->add_flag("--force", o.force, "Overwrite the output file if it exists");
  o.merge->add_flag("-q,--quiet", o.quiet, "No summary");
}

std::optional<int> run_sweep_commands() {
  const auto& o = opts();
  struct Finalize {
    ~Finalize() { sweep::mpi_finalize(); }
  } finalize;
  if (o.plan && *o.plan) return plan_command();
  if (o.sweep && *o.sweep) return sweep_command();
  if (o.merge && *o.merge) return merge_command();
  return std::nullopt;
}

}  // namespace geosim::cli
