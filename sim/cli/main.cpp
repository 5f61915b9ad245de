// geosim command line: run, validate, info.
// Exit codes: 0 success, 2 bad input or usage, 1 internal or environment error.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "geosim/core/error.hpp"
#include "geosim/engine/check.hpp"
#include "geosim/engine/engine.hpp"
#include "geosim/output/hdf5.hpp"
#include "geosim/output/layout.hpp"
#include "geosim/scenario/load.hpp"
#include "geosim/output/checkpoint.hpp"
#include "check_option.hpp"
#include "fork.hpp"
#include "memory_check.hpp"
#include "numbers.hpp"
#include "output_path.hpp"
#include "progress.hpp"
#include "sweep_commands.hpp"

namespace fs = std::filesystem;
using namespace geosim;

namespace {

constexpr int exit_ok = 0, exit_internal = 1, exit_input = 2, exit_interrupted = 130;

std::atomic<bool> interrupted{false};
extern "C" void on_signal(int) { interrupted = true; }

struct Interrupted {};

/// Forwards to the file writer and keeps what the end-of-run summary needs.
class SummaryObserver final : public engine::Observer {
 public:
  explicit SummaryObserver(engine::Observer& inner) : inner_(inner) {}

  void begin(const engine::RunInfo& info) override {
    spec_ = info.spec;
    const auto& vars = info.variables;
    for (std::size_t v = 0; v < vars.size(); ++v) index_[vars[v].name] = v;
    rus_ = model::find_state(*spec_, "RUS");
    chn_ = model::find_state(*spec_, "CHN");
    crude_ = model::find_sector(*spec_, "crude");
    machinery_ = model::find_sector(*spec_, "machinery_electronics");
    inner_.begin(info);
  }
  void record(engine::StepRecord&& r) override {
    const std::size_t S = spec_->states.size(), K = spec_->sectors.size();
    auto& y = years_[r.month.year()];
    y.months += 1;
    if (rus_ && chn_) {
      const std::size_t a = index(*rus_), b = index(*chn_);
      const auto& tv = r.values[index_.at("trade_value")];
      for (std::size_t k = 0; k < K; ++k) y.bilateral += tv[(a * S + b) * K + k] + tv[(b * S + a) * K + k];
      const auto& share = r.values[index_.at("trade_share")];
      y.chn_in_rus += share[a * S + b];
      y.rus_in_chn += share[b * S + a];
      if (crude_) y.discount += r.values[index_.at("discount")][(a * S + b) * K + index(*crude_)];
      if (machinery_) y.cautious += r.values[index_.at("cautious_share")][b * K + index(*machinery_)];
    }
    inner_.record(std::move(r));
  }
  void snapshot(const engine::FirmSnapshot& s) override { inner_.snapshot(s); }
  void checkpoint(const engine::Checkpoint& c) override { inner_.checkpoint(c); }
  void end(const engine::RunSummary& s) override { inner_.end(s); }

  void print(std::ostream& os) const {
    if (!rus_ || !chn_) return;
    os << "year  CN-RU trade  CHN share of  RUS share of  RUS->CHN crude  CHN machinery\n"
       << "      USD bn/yr    RUS trade %   CHN trade %   discount %      cautious %\n";
    for (const auto& [year, y] : years_) {
      if (year % 2 == 0 && year != 2022 && year != years_.rbegin()->first) continue;
      const double n = y.months;
      char line[160];
      std::snprintf(line, sizeof line, "%4d  %11.1f  %12.1f  %12.2f  %14.1f  %13.1f\n", year,
                    y.bilateral * 12.0 / n / 1e9, 100 * y.chn_in_rus / n, 100 * y.rus_in_chn / n,
                    100 * y.discount / n, 100 * y.cautious / n);
      os << line;
    }
  }

 private:
  struct Year {
    int months = 0;
    double bilateral = 0, chn_in_rus = 0, rus_in_chn = 0, discount = 0, cautious = 0;
  };
  engine::Observer& inner_;
  const model::ScenarioSpec* spec_ = nullptr;
  std::map<std::string, std::size_t> index_;
  std::optional<StateId> rus_, chn_;
  std::optional<SectorId> crude_, machinery_;
  std::map<int, Year> years_;
};

/// A list index past the largest std::size_t selects nothing in any list;
/// the scenario loader's std::stoul would throw a bare std::out_of_range on it.
void check_list_indices(const std::string& argument, const std::string& key_path) {
  for (auto open = key_path.find('['); open != std::string::npos; open = key_path.find('[', open + 1)) {
    const auto close = key_path.find(']', open);
    if (close == std::string::npos) return;
    const std::string index = key_path.substr(open + 1, close - open - 1);
    const bool numeric = !index.empty() && index.find_first_not_of("0123456789") == std::string::npos;
    if (numeric && !cli::whole_number<std::size_t>(index))
      throw InputError({"--set " + argument, 0, 0}, key_path.substr(0, close + 1), "index " + index + " is out of range");
  }
}

std::vector<scenario::Override> parse_overrides(const std::vector<std::string>& sets) {
  std::vector<scenario::Override> out;
  for (const auto& s : sets) {
    out.push_back(scenario::parse_override(s));
    check_list_indices(s, out.back().key_path);
  }
  return out;
}

std::uint64_t parse_seed(const std::string& text) {
  if (const auto seed = cli::whole_number<std::uint64_t>(text)) return *seed;
  throw InputError({"--seed " + text, 0, 0}, "", "expected a whole number from 0 to 18446744073709551615 (2^64 - 1)");
}

/// The command line as a shell would take it back, for the output's `history`.
std::string command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    std::string a = i == 0 ? std::string("geosim") : std::string(argv[i]);
    const bool plain = !a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                         "0123456789_-+=.,/:@%[]") == std::string::npos;
    if (!plain) {
      std::string quoted = "'";
      for (char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
      a = quoted + "'";
    }
    out += (i ? " " : "") + a;
  }
  return out;
}

/// A file name beside `out`, unique to this process, for writing before the rename.
fs::path temporary_beside(const fs::path& out) {
  auto tmp = out;
  tmp += ".tmp-" + std::to_string(::getpid());
  return tmp;
}

int run_command(const std::string& scenario_path, const std::string& out, int threads,
                std::optional<std::uint64_t> seed, const std::vector<std::string>& sets, bool force, bool quiet,
                std::optional<std::uint64_t> max_memory, bool check, const std::string& command,
                const std::string& checkpoint_at, const std::string& fork_from) {
  auto spec = scenario::load_file(scenario_path, parse_overrides(sets));
  if (seed) spec.seed = *seed;
  std::optional<Month> checkpoint;
  if (!checkpoint_at.empty()) checkpoint = cli::checkpoint_month(checkpoint_at, spec);
  // A fork starts from the base's stored state after its checkpoint month
  // and copies the months up to it from the base file.
  std::optional<engine::StoredCheckpoint> base;
  std::optional<output::History> history;
  if (!fork_from.empty()) {
    base = output::read_checkpoint(fork_from);
    cli::check_fork(*base, cli::stored_scenario(*base), spec, spec.seed, 0);
    if (checkpoint && *checkpoint <= base->month)
      throw InputError({"--checkpoint-at " + checkpoint_at, 0, 0}, "",
                       "a fork runs only the months after " + base->month.str() + " and cannot store a checkpoint before");
  }
  cli::check_memory(spec, scenario_path, max_memory);
  const fs::path out_path(cli::output_target(out));
  if (fs::exists(out_path) && !force)
    throw InputError({out, 0, 0}, "", "output file exists; pass --force to overwrite it");
  const fs::path dir = out_path.has_parent_path() ? out_path.parent_path() : fs::path(".");
  if (!fs::is_directory(dir)) throw InputError({out, 0, 0}, "", "output directory '" + dir.string() + "' does not exist");
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  const fs::path tmp = temporary_beside(out_path);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  try {
    output::WriterOptions writer_options;
    writer_options.path = tmp.string();
    writer_options.history = output::history_line(command);
    auto writer = output::make_hdf5_writer(writer_options);
    SummaryObserver summary(*writer);
    if (base) history = output::read_history(fork_from, base->step, engine::variables());
    std::unique_ptr<engine::Observer> replay;
    if (history) replay = output::make_fork_replay(*history, summary);
    engine::Observer& observer = replay ? *replay : summary;
    cli::ProgressBar bar(spec.name);
    engine::RunOptions options;
    options.threads = threads;
    options.seed = spec.seed;
    options.check = check;
    options.checkpoint_at = checkpoint;
    if (base) options.resume = &*base;
    options.progress = [&](int done, int total) {
      if (interrupted) throw Interrupted{};
      if (!quiet) bar.update(done, total);
    };
    const auto result = engine::run(spec, options, observer);
    bar.finish();
    writer.reset();  // closes the file before the rename
    fs::rename(tmp, out_path);
    if (!quiet) {
      std::cout << "geosim " << version() << ": scenario '" << spec.name << "', " << result.steps << " months ("
                << spec.start.str() << " to " << spec.end.str() << "), seed " << spec.seed << ", " << threads
                << " thread(s), " << result.wall_seconds << " s\n"
                << "wrote " << out << "\n\n";
      summary.print(std::cout);
    }
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
  return exit_ok;
}

int validate_command(const std::string& scenario_path, const std::vector<std::string>& sets) {
  const auto spec = scenario::load_file(scenario_path, parse_overrides(sets));
  std::size_t firms = 0, banks = 0;
  std::map<std::string, std::size_t> firms_by_state;
  for (const auto& p : spec.firms) {
    firms += p.count;
    firms_by_state[spec.states[index(p.state)].code] += p.count;
  }
  for (const auto& b : spec.banks) banks += b.count;
  std::ostringstream os;
  os << scenario_path << ": valid (schema " << spec.schema_version << ")\n"
     << "scenario  " << spec.name << "\n"
     << "horizon   " << spec.start.str() << " to " << spec.end.str() << ", " << spec.steps() << " monthly steps\n"
     << "states    ";
  for (const auto& s : spec.states) os << s.code << (s.hub ? " (hub) " : " ");
  os << "\nsectors   ";
  for (const auto& k : spec.sectors) os << k.code << " ";
  os << "\ncurrencies ";
  for (const auto& c : spec.currencies) os << c.code << " ";
  os << "\nfirms     " << firms << " in " << spec.firms.size() << " populations (";
  bool first = true;
  for (const auto& [code, n] : firms_by_state) {
    os << (first ? "" : ", ") << code << " " << n;
    first = false;
  }
  os << ")\nbanks     " << banks << " in " << spec.banks.size() << " populations\n"
     << "events    " << spec.events.size() << "\n";
  for (const auto& e : spec.events) {
    os << "  " << e.start.str() << "  " << model::to_string(e.kind) << "  " << spec.states[index(e.by)].code << " -> "
       << spec.states[index(e.target)].code << "  intensity " << e.intensity;
    if (!e.sectors.empty()) {
      os << "  [";
      for (std::size_t i = 0; i < e.sectors.size(); ++i) os << (i ? ", " : "") << spec.sectors[index(e.sectors[i])].code;
      os << "]";
    }
    if (e.kind == model::PolicyKind::price_cap) os << "  cap " << e.cap;
    if (!e.listed.empty()) {
      os << "  listed";
      for (const auto& l : e.listed) os << " " << spec.states[index(l.state)].code << " " << l.entities;
    }
    if (e.end) os << "  until " << e.end->str();
    os << "\n";
  }
  std::cout << os.str();
  return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  struct ReleaseHdf5 {
    ~ReleaseHdf5() { output::release_hdf5(); }
  } release_hdf5;
  CLI::App app{"geosim: agent-based simulator of geopolitical economic dependence"};
  app.set_version_flag("--version", std::string(version()) + " (" + git_commit() + ")");
  app.require_subcommand(1);

  auto* run = app.add_subcommand("run", "Run a scenario and write its trajectories to HDF5 / netCDF-4");
  std::string scenario_path, out;
  int threads = 0;
  std::string seed_text;
  std::vector<std::string> sets;
  bool force = false, quiet = false, check = cli::check_by_default;
  run->add_option("scenario", scenario_path, "Scenario YAML file")->required();
  run->add_option("-o,--output", out, "Output file (.h5)")->required();
  run->add_option("--threads", threads, "Worker threads (default: all cores)")->check(CLI::NonNegativeNumber);
  auto* seed_opt = run->add_option("--seed", seed_text, "Master seed, 0 to 2^64 - 1 (default: the scenario's)");
  run->add_option("--set", sets, "Override a scenario key: key.path=value (repeatable)");
  run->add_flag("--force", force, "Overwrite the output file if it exists");
  run->add_flag("-q,--quiet", quiet, "No progress bar and no summary");
  run->add_flag("--check,!--no-check", check, cli::check_help);
  std::uint64_t max_memory_value = 0;
  auto* max_memory_opt =
      run->add_option("--max-memory", max_memory_value,
                      "Refuse a run estimated to need more memory, bytes; K, M, G, T suffixes are powers of 1024 "
                      "(default: the machine's available memory)")
          ->transform(CLI::AsSizeValue(false));
  std::string checkpoint_at, fork_from;
  run->add_option("--checkpoint-at", checkpoint_at,
                  "Store the run's state after month YYYY-MM in the output, for --fork-from");
  run->add_option("--fork-from", fork_from,
                  "Start from the checkpoint in this output file (a run of a scenario identical up to its month) "
                  "and copy the months up to it from there");

  auto* validate = app.add_subcommand("validate", "Check a scenario without running it");
  validate->add_option("scenario", scenario_path, "Scenario YAML file")->required();
  validate->add_option("--set", sets, "Override a scenario key: key.path=value (repeatable)");

  auto* info = app.add_subcommand("info", "Describe an output file");
  std::string info_path;
  info->add_option("file", info_path, "geosim output file (.h5)")->required();
  cli::add_sweep_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_input;
  }

  try {
    if (auto code = cli::run_sweep_commands()) return *code;
    if (*run) {
      std::optional<std::uint64_t> seed;
      if (*seed_opt) seed = parse_seed(seed_text);
      std::optional<std::uint64_t> max_memory;
      if (*max_memory_opt) max_memory = max_memory_value;
      return run_command(scenario_path, out, threads, seed, sets, force, quiet, max_memory, check,
                         command_line(argc, argv), checkpoint_at, fork_from);
    }
    if (*validate) return validate_command(scenario_path, sets);
    if (*info) {
      std::cout << output::describe(info_path);
      return exit_ok;
    }
  } catch (const InputError& e) {
    std::cerr << "geosim: error: " << e.what() << "\n";
    return exit_input;
  } catch (const engine::CheckError& e) {
    std::cerr << "geosim: error: " << e.what() << " (a model error; no output written)\n";
    return exit_internal;
  } catch (const Interrupted&) {
    std::cerr << "\ngeosim: interrupted; no output written\n";
    return exit_interrupted;
  } catch (const EnvironmentError& e) {
    std::cerr << "geosim: error: " << e.what() << "\n";
    return exit_internal;
  } catch (const std::exception& e) {
    std::cerr << "geosim: internal error: " << e.what() << "\n";
    return exit_internal;
  }
  return exit_internal;
}
