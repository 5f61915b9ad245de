#pragma once
// Paired replicates of the shipped scenarios: run r of every scenario has
// seed r + 1, so a difference between scenarios is paired (common random
// numbers). Runs are cached per test process.
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "geosim/scenario/load.hpp"
#include "run_recorder.hpp"

namespace geosim::testing {

inline const std::string scenario_dir = std::string(GEOSIM_SOURCE_DIR) + "/scenarios/";

/// `replicates` runs of scenarios/NAME.yaml with seeds 1, 2, ... and the
/// overrides `set`.
inline std::vector<Run> run_replicates(const std::string& name, int replicates,
                                       const std::vector<scenario::Override>& set = {}) {
  std::vector<Run> out;
  for (int s = 1; s <= replicates; ++s) {
    auto spec = scenario::load_file(scenario_dir + name + ".yaml", set);
    spec.seed = static_cast<std::uint64_t>(s);
    out.push_back(run_spec(std::move(spec)));
  }
  return out;
}

/// run_replicates(name, replicates), run once per test process.
inline const std::vector<Run>& cached_replicates(const std::string& name, int replicates) {
  static std::map<std::pair<std::string, int>, std::vector<Run>> cache;
  auto& out = cache[{name, replicates}];
  if (out.empty()) out = run_replicates(name, replicates);
  return out;
}

/// Mean over replicates of f(run).
inline double mean(const std::vector<Run>& runs, const std::function<double(const Run&)>& f) {
  double sum = 0;
  for (const auto& r : runs) sum += f(r);
  return sum / static_cast<double>(runs.size());
}

/// Mean over replicates of f(a_r) - f(b_r): the paired effect.
inline double effect(const std::vector<Run>& a, const std::vector<Run>& b,
                     const std::function<double(const Run&)>& f) {
  REQUIRE(a.size() == b.size());
  double sum = 0;
  for (std::size_t r = 0; r < a.size(); ++r) sum += f(a[r]) - f(b[r]);
  return sum / static_cast<double>(a.size());
}

}  // namespace geosim::testing
