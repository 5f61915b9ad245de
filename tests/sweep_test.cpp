// Sweep plans: designs, combinations, replicates, seeds and the messages of
// bad sweep files. Execution, shards, merge, resume and MPI are tested end
// to end by the scripts in tests/sweep/.
#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "geosim/sweep/execute.hpp"
#include "geosim/sweep/plan.hpp"

using namespace geosim;
using namespace geosim::sweep;

namespace {

// Sweep text as if it were a file in scenarios/sweeps/, so that `base:` finds the reduced baseline.
const std::string file = std::string(GEOSIM_SOURCE_DIR) + "/scenarios/sweeps/test.yaml";

Plan plan_of(const std::string& body) {
  return load_plan_text("sweep_version: 1\nname: t\nbase: reduced_baseline.yaml\nseed: 7\n" + body, file);
}

std::string error_of(const std::string& body) {
  try {
    plan_of(body);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

double num(const std::string& s) { return std::stod(s); }

}  // namespace

TEST_CASE("a list of values gives one run per value and replicate", "[plan]") {
  const auto p = plan_of("replicates: 3\nparameters:\n  - {key: parameters.risk.margin, values: [0.05, 0.1]}\n");
  REQUIRE(p.runs.size() == 6);
  CHECK(p.parameters[0].name == "parameters_risk_margin");
  CHECK(p.runs[0].values[0] == "0.05");
  CHECK(p.runs[2].values[0] == "0.05");
  CHECK(p.runs[3].values[0] == "0.1");
  CHECK(p.runs[4].replicate == 1);
  for (std::size_t i = 0; i < p.runs.size(); ++i) CHECK(p.runs[i].id == i);
  CHECK(p.runs[3].overrides.at(0).key_path == "parameters.risk.margin");
  CHECK(p.runs[3].overrides.at(0).value == "0.1");
}

TEST_CASE("a start/stop/step grid includes both ends without drift", "[plan]") {
  const auto p = plan_of("parameters:\n  - {key: parameters.risk.margin, name: m, grid: {start: 0.1, stop: 0.5, step: 0.1}}\n");
  REQUIRE(p.runs.size() == 5);
  std::vector<std::string> v;
  for (const auto& r : p.runs) v.push_back(r.values[0]);
  CHECK(v == std::vector<std::string>{"0.1", "0.2", "0.3", "0.4", "0.5"});
}

TEST_CASE("the full factorial crosses every factor with the first slowest", "[plan]") {
  const auto p = plan_of(
      "replicates: 2\nparameters:\n"
      "  - {key: parameters.risk.margin, name: a, values: [1, 2, 3]}\n"
      "  - {key: parameters.risk.learning_rate, name: b, values: [0.1, 0.2]}\n");
  REQUIRE(p.runs.size() == 3 * 2 * 2);
  CHECK(p.runs[0].values == std::vector<std::string>{"1", "0.1"});
  CHECK(p.runs[2].values == std::vector<std::string>{"1", "0.2"});
  CHECK(p.runs[4].values == std::vector<std::string>{"2", "0.1"});
  CHECK(p.runs[11].values == std::vector<std::string>{"3", "0.2"});
}

TEST_CASE("zipped lists advance together", "[plan]") {
  const auto p = plan_of(
      "combination: zipped\nparameters:\n"
      "  - {key: parameters.risk.margin, name: a, values: [0.1, 0.2, 0.3]}\n"
      "  - {key: parameters.risk.learning_rate, name: b, values: [0.4, 0.5, 0.6]}\n");
  REQUIRE(p.runs.size() == 3);
  CHECK(p.runs[1].values == std::vector<std::string>{"0.2", "0.5"});
  const auto g = plan_of(
      "parameters:\n"
      "  - zip:\n"
      "      - {key: parameters.risk.margin, name: a, values: [0.1, 0.2]}\n"
      "      - {key: parameters.risk.learning_rate, name: b, values: [0.4, 0.5]}\n"
      "  - {key: parameters.orders.switching_cost, name: c, values: [0.01, 0.02, 0.03]}\n");
  REQUIRE(g.runs.size() == 6);
  CHECK(g.runs[3].values == std::vector<std::string>{"0.2", "0.5", "0.01"});
}

TEST_CASE("uniform samples stay in their bounds and do not depend on anything but the seed", "[plan]") {
  const std::string body = "samples: 50\nparameters:\n  - {key: parameters.risk.margin, name: m, uniform: {min: 0.05, max: 0.25}}\n";
  const auto p = plan_of(body);
  REQUIRE(p.runs.size() == 50);
  std::set<std::string> distinct;
  for (const auto& r : p.runs) {
    CHECK(num(r.values[0]) >= 0.05);
    CHECK(num(r.values[0]) <= 0.25);
    distinct.insert(r.values[0]);
  }
  CHECK(distinct.size() == 50);
  CHECK(plan_of(body).runs[17].values == p.runs[17].values);
  CHECK(plan_of(body).fingerprint == p.fingerprint);
}

TEST_CASE("a Latin hypercube puts exactly one sample in each stratum of each parameter", "[plan]") {
  const std::uint32_t n = 20;
  const auto p = plan_of("samples: 20\nparameters:\n"
                         "  - {key: parameters.risk.margin, name: a, lhs: {min: 0, max: 1}}\n"
                         "  - {key: parameters.risk.learning_rate, name: b, lhs: {min: 0.2, max: 0.6}}\n");
  REQUIRE(p.runs.size() == n);
  for (std::size_t j = 0; j < 2; ++j) {
    const double lo = j == 0 ? 0 : 0.2, hi = j == 0 ? 1 : 0.6;
    std::set<int> strata;
    for (const auto& r : p.runs) strata.insert(static_cast<int>(std::floor((num(r.values[j]) - lo) / (hi - lo) * n)));
    CHECK(strata.size() == n);
  }
}

TEST_CASE("a Sobol design with Saltelli sampling gives A, B and AB_i for each base sample", "[plan]") {
  const auto p = plan_of("samples: 8\nparameters:\n"
                         "  - {key: parameters.risk.margin, name: a, sobol: {min: 0, max: 1}}\n"
                         "  - {key: parameters.risk.learning_rate, name: b, sobol: {min: 0, max: 1}}\n"
                         "  - {key: parameters.orders.switching_cost, name: c, sobol: {min: 0, max: 0.5}}\n");
  const std::size_t d = 3;
  REQUIRE(p.runs.size() == 8 * (d + 2));
  CHECK(p.sobol_parameters == std::vector<std::string>{"a", "b", "c"});
  for (std::size_t n = 0; n < 8; ++n) {
    const auto& A = p.runs[n * (d + 2)];
    const auto& B = p.runs[n * (d + 2) + 1];
    CHECK(A.sobol_matrix == 0);
    CHECK(B.sobol_matrix == 1);
    CHECK(A.sobol_sample == static_cast<int>(n));
    for (std::size_t i = 0; i < d; ++i) {
      const auto& AB = p.runs[n * (d + 2) + 2 + i];
      CHECK(AB.sobol_matrix == static_cast<int>(2 + i));
      CHECK(AB.sobol_sample == static_cast<int>(n));
      for (std::size_t k = 0; k < d; ++k) CHECK(AB.values[k] == (k == i ? B.values[k] : A.values[k]));
    }
  }
  // Sobol points are not random: Boost's sequence starts at the centre.
  CHECK(p.runs[0].values == std::vector<std::string>{"0.5", "0.5", "0.25"});
  const auto plain = plan_of("samples: 4\nsaltelli: false\nparameters:\n  - {key: parameters.risk.margin, name: a, sobol: {min: 0, max: 1}}\n");
  CHECK(plain.runs.size() == 4);
  CHECK(plain.sobol_parameters.empty());
}

TEST_CASE("every run's seed is a fixed function of the master seed and the run id", "[plan]") {
  CHECK(run_seed(2024, 0) == 6460900182875841194ULL);
  CHECK(run_seed(2024, 1) != run_seed(2024, 0));
  CHECK(run_seed(2025, 0) != run_seed(2024, 0));
  const auto p = plan_of("replicates: 4\nparameters:\n  - {key: parameters.risk.margin, values: [0.1]}\n");
  for (const auto& r : p.runs) CHECK(r.seed == run_seed(7, r.id));
}

TEST_CASE("shards are disjoint round-robin slices that cover the plan", "[plan]") {
  std::vector<std::uint32_t> all;
  for (std::uint32_t k = 1; k <= 3; ++k) {
    const auto s = shard_runs(8, k, 3);
    all.insert(all.end(), s.begin(), s.end());
  }
  std::sort(all.begin(), all.end());
  CHECK(all == std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 7});
  CHECK(shard_runs(8, 2, 3) == std::vector<std::uint32_t>{1, 4, 7});
}

TEST_CASE("bad sweep files name the file, line, column and key path", "[plan][errors]") {
  CHECK(error_of("parameters:\n  - {key: parameters.risk.margin, valeus: [1]}\n") ==
        file + ":6:35: parameters[0].valeus: unknown key 'valeus' (did you mean 'values'?); expected one of: key, name, "
               "values, grid, uniform, lhs, sobol, integer");
  CHECK(error_of("parameters:\n  - {key: parameters.risk.margin}\n") ==
        file + ":6:5: parameters[0]: no design: give one of values, grid, uniform, lhs, sobol");
  CHECK(error_of("replicate: 2\nparameters: []\n") ==
        file + ":5:1: replicate: unknown key 'replicate' (did you mean 'replicates'?); expected one of: sweep_version, "
               "name, description, base, seed, replicates, combination, samples, saltelli, parameters");
  CHECK_THAT(error_of("combination: zipped\nparameters:\n  - {key: a.b, values: [1, 2]}\n  - {key: c.d, values: [1]}\n"),
             Catch::Contains(":8:5: parameters[1]: has 1 points but the first factor has 2"));
  CHECK_THAT(error_of("parameters:\n  - {key: parameters.risk.margin, uniform: {min: 0, max: 1}}\n"),
             Catch::Contains("samples: the uniform, lhs and sobol designs need 'samples'"));
  CHECK_THAT(error_of("parameters:\n  - {key: seed, values: [1, 2]}\n"),
             Catch::Contains("parameters[0].key: the seed is not a parameter"));
  CHECK_THAT(error_of("parameters:\n  - {key: parameters.risk.margin, grid: {start: 0, stop: 1, step: -0.5}}\n"),
             Catch::Contains("parameters[0].grid.step: -0.5 does not lead from 0 to 1"));
  CHECK_THAT(error_of("parameters: [\n"), Catch::Contains("malformed YAML"));
}

TEST_CASE("a grid with more values than a sweep may have is an error naming the key and the count", "[plan][errors]") {
  // A step of 1e-300 makes 1e300 steps, beyond any integer count.
  CHECK(error_of("parameters:\n  - {key: parameters.risk.margin, grid: {start: 0, stop: 1, step: 1e-300}}\n") ==
        file + ":6:41: parameters[0].grid: the grid of parameters.risk.margin would give 1e+300 values; a grid gives "
               "at most 10000000 (a larger step or a shorter range gives fewer)");
  CHECK_THAT(error_of("parameters:\n  - {key: parameters.risk.margin, grid: {start: -1e308, stop: 1e308, step: 1}}\n"),
             Catch::Contains("would give inf values"));
  CHECK_THAT(error_of("parameters:\n  - {key: parameters.risk.margin, grid: {start: 0, stop: 1, step: 1e-7}}\n"),
             Catch::Contains("would give 1e+07 values"));
  CHECK(plan_of("parameters:\n  - {key: parameters.risk.margin, grid: {start: 0, stop: 1, step: 0.25}}\n").runs.size() == 5);
}

TEST_CASE("a missing base scenario is reported at the base key", "[plan][errors]") {
  try {
    load_plan_text("sweep_version: 1\nname: t\nbase: nowhere.yaml\nparameters: []\n", file);
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("test.yaml:3:7: base: base scenario '") && Catch::Contains("nowhere.yaml' does not exist"));
  }
}

TEST_CASE("a run whose value the scenario rejects gets the scenario loader's message", "[plan][errors]") {
  const auto p = plan_of("parameters:\n  - {key: parameters.risk.margin, name: m, values: [0.1, -3]}\n");
  const auto errors = validate_runs(p, 2);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].empty());
  CHECK_THAT(errors[1], Catch::StartsWith("--set parameters.risk.margin=-3: parameters.risk.margin: -3"));
}

TEST_CASE("a sweep file that is a device is rejected as not a regular file", "[plan][errors]") {
  try {
    load_plan("/dev/zero");
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) == "cannot read sweep file '/dev/zero': it is a character device; expected a regular file");
  }
}
