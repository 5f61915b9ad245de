#pragma once
// Test support: run a scenario in memory and look up its outputs by name.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "geosim/engine/engine.hpp"
#include "geosim/model/spec.hpp"

namespace geosim::testing {

/// Keeps every record and snapshot of a run in memory.
class Recorder final : public engine::Observer {
 public:
  void begin(const engine::RunInfo& info) override { dims = info.dim_sizes; }
  void record(engine::StepRecord&& r) override { records.push_back(std::move(r)); }
  void snapshot(const engine::FirmSnapshot& s) override {
    Snapshot copy;
    copy.state.assign(s.state.begin(), s.state.end());
    copy.sector.assign(s.sector.begin(), s.sector.end());
    copy.role.assign(s.role.begin(), s.role.end());
    copy.exposure.assign(s.exposure.begin(), s.exposure.end());
    copy.cautious.assign(s.cautious.begin(), s.cautious.end());
    snapshots.push_back(std::move(copy));
  }
  void end(const engine::RunSummary&) override {}

  struct Snapshot {
    std::vector<std::uint16_t> state, sector;
    std::vector<std::uint8_t> role, cautious;
    std::vector<double> exposure;
  };
  std::vector<std::size_t> dims;
  std::vector<engine::StepRecord> records;
  std::vector<Snapshot> snapshots;
};

struct Run {
  model::ScenarioSpec spec;
  Recorder out;

  std::size_t var(const std::string& name) const {
    const auto& vars = engine::variables();
    for (std::size_t v = 0; v < vars.size(); ++v)
      if (vars[v].name == name) return v;
    FAIL("no variable " << name);
    return 0;
  }
  std::size_t state(const std::string& code) const { return index(*model::find_state(spec, code)); }
  std::size_t sector(const std::string& code) const { return index(*model::find_sector(spec, code)); }
  std::size_t currency(const std::string& code) const { return index(*model::find_currency(spec, code)); }
  std::size_t S() const { return spec.states.size(); }
  std::size_t K() const { return spec.sectors.size(); }
  std::size_t C() const { return spec.currencies.size(); }
  const std::vector<double>& at(const std::string& name, std::size_t step) const {
    return out.records.at(step).values.at(var(name));
  }
  /// Mean over the months of a year of f(step).
  template <class F>
  double yearly(int year, F f) const {
    return mean_over(year, year, f);
  }
  /// Mean over the months of years [first, last] of f(step).
  template <class F>
  double mean_over(int first, int last, F f) const {
    double sum = 0;
    int n = 0;
    for (std::size_t t = 0; t < out.records.size(); ++t)
      if (out.records[t].month.year() >= first && out.records[t].month.year() <= last) {
        sum += f(t);
        ++n;
      }
    REQUIRE(n > 0);
    return sum / n;
  }
  /// Exports of a state to a partner, summed over sectors, USD per month.
  double exports(std::size_t t, std::size_t from, std::size_t to) const {
    const auto& tv = at("trade_value", t);
    double sum = 0;
    for (std::size_t k = 0; k < K(); ++k) sum += tv[(from * S() + to) * K() + k];
    return sum;
  }
};

inline Run run_spec(model::ScenarioSpec spec, engine::Backend backend = engine::Backend::tbb, int threads = 2) {
  Run r{std::move(spec), {}};
  engine::RunOptions options;
  options.backend = backend;
  options.threads = threads;
  options.seed = r.spec.seed;
  options.check = true;  // every end-to-end run of the tests holds its outputs to their invariants
  engine::run(r.spec, options, r.out);
  return r;
}

}  // namespace geosim::testing
