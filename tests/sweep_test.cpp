// Sweep plans: designs, combinations, replicates, seeds and the messages of
// bad sweep files. Execution, shards, merge, resume and MPI are tested end
// to end by the scripts in tests/sweep/.
#include <algorithm>
#include <cmath>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "geosim/sweep/execute.hpp"
#include "geosim/scenario/load.hpp"
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

TEST_CASE("a scenario axis runs each scenario file in place of the base, replicated", "[plan]") {
  const std::string other = std::string(GEOSIM_SOURCE_DIR) + "/tests/data/reduced_cap_30.yaml";
  const auto p = plan_of("replicates: 2\nparameters:\n  - {key: scenario, values: [reduced_baseline.yaml, '" + other +
                         "']}\n  - {key: parameters.risk.margin, name: m, values: [0.1]}\n");
  REQUIRE(p.runs.size() == 4);
  CHECK(p.parameters[0].name == "scenario");
  CHECK_FALSE(p.parameters[0].numeric);
  REQUIRE(p.scenario_files.size() == 2);
  CHECK(p.runs[1].scenario == p.base);
  CHECK(p.runs[2].scenario == other);
  CHECK(p.runs[2].values[0] == other);  // as written, without the quotes
  CHECK(p.runs[3].replicate == 1);
  // The scenario is not an override: only the other parameters are.
  REQUIRE(p.runs[2].overrides.size() == 1);
  CHECK(p.runs[2].overrides[0].key_path == "parameters.risk.margin");
  CHECK(load_run(p, p.runs[1]).name == "reduced_baseline");
  const auto spec = load_run(p, p.runs[2]);
  CHECK(spec.name == "reduced_cap_30");
  CHECK(spec.seed == p.runs[2].seed);
  for (const auto& e : validate_runs(p, 2)) CHECK(e.empty());
  // Another file on the axis is another sweep.
  const auto q = plan_of("replicates: 2\nparameters:\n  - {key: scenario, values: [reduced_baseline.yaml, "
                         "reduced_baseline.yaml]}\n  - {key: parameters.risk.margin, name: m, values: [0.1]}\n");
  CHECK(q.fingerprint != p.fingerprint);
}

TEST_CASE("a scenario axis names a missing file at its line and takes only a list", "[plan][errors]") {
  CHECK_THAT(error_of("parameters:\n  - {key: scenario, values: [reduced_baseline.yaml, nowhere.yaml]}\n"),
             Catch::Contains("test.yaml:6:53: parameters[0].values[1]: scenario file '") &&
                 Catch::Contains("nowhere.yaml' does not exist"));
  CHECK(error_of("parameters:\n  - {key: scenario, grid: {start: 0, stop: 1, step: 1}}\n") ==
        file + ":6:5: parameters[0]: the scenario axis takes a list of scenario files: values: [a.yaml, b.yaml]");
  CHECK_THAT(error_of("parameters:\n  - {key: base, values: [a.yaml]}\n"),
             Catch::Contains("base cannot be swept; set the sweep's base, or sweep whole scenario files with key: scenario"));
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

namespace {

/// What a reader made of a value: accepted with this value, or refused with
/// this message (without file, line and key path, which differ by file).
struct Outcome {
  bool accepted = false;
  double value = 0;
  std::string refusal;

  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  return o.accepted ? os << "accepted " << o.value : os << "refused: " << o.refusal;
}

template <class Read>
Outcome outcome_of(Read read) {
  try {
    return {true, read(), ""};
  } catch (const InputError& e) {
    return {false, 0, e.detail()};
  }
}

const std::string reduced_baseline = std::string(GEOSIM_SOURCE_DIR) + "/scenarios/sweeps/reduced_baseline.yaml";

/// The reduced baseline with `yaml` on top, as a scenario file.
model::ScenarioSpec scenario_with(const std::string& yaml) {
  return scenario::load_text("schema_version: 1\nbase: " + reduced_baseline + "\n" + yaml, "scenario.yaml");
}

}  // namespace

TEST_CASE("a value is accepted or refused alike, with the same message, in a scenario file and in a sweep file",
          "[plan][values]") {
  // The value as a number (any number), a whole number (a seed) and a
  // boolean; what docs/scenario-reference.md, "Values", says of each.
  struct Row {
    std::string text;
    std::optional<double> number, whole, boolean;
  };
  const std::optional<double> no;
  const std::vector<Row> rows = {
      {"True", no, no, 1},          {"true", no, no, 1},        {"FALSE", no, no, 0},
      {"yes", no, no, no},          {"1e3", 1000, no, no},      {"0x10", no, no, no},
      {".5", 0.5, no, no},          {"5.", 5, no, no},          {"+2.5", 2.5, no, no},
      {"1_000", no, no, no},        {"inf", no, no, no},        {".inf", no, no, no},
      {"nan", no, no, no},          {"-0", -0.0, no, no},       {"007", 7, 7, no},
      {"+7", 7, 7, no},             {"'7'", 7, 7, no},          {"", no, no, no},
      {"1e400", no, no, no},        {"-3", -3, no, no},         {"18446744073709551616", 1.8446744073709552e19, no, no},
      {"18446744073709551615", 1.8446744073709552e19, 18446744073709551615.0, no},
  };
  for (const auto& row : rows) {
    const std::string& v = row.text;
    INFO("value '" << v << "'");
    // exposure_size_slope takes any number (elasticities are bounded, docs/ODD.md §8).
    const Outcome number_in_scenario = outcome_of([&] {
      return scenario::load_text("schema_version: 1\nbase: " + reduced_baseline + "\n", "scenario.yaml",
                                 {{"firms[0].exposure_size_slope", v}})
          .firms.front()
          .exposure_size_slope;
    });
    const Outcome number_in_sweep = outcome_of([&] {
      return plan_of("samples: 1\nparameters:\n  - key: parameters.risk.margin\n    uniform:\n      min: " + v +
                     "\n      max: 1e300\n")
          .parameters.at(0)
          .min;
    });
    CHECK(number_in_scenario == number_in_sweep);
    CHECK(number_in_scenario.accepted == row.number.has_value());
    if (row.number) CHECK(number_in_scenario.value == *row.number);

    const Outcome whole_in_scenario = outcome_of([&] { return static_cast<double>(scenario_with("seed: " + v + "\n").seed); });
    const Outcome whole_in_sweep = outcome_of([&] {
      return static_cast<double>(
          load_plan_text("sweep_version: 1\nname: t\nbase: reduced_baseline.yaml\nseed: " + v +
                             "\nparameters:\n  - {key: parameters.risk.margin, values: [0.1]}\n",
                         file)
              .master_seed);
    });
    CHECK(whole_in_scenario == whole_in_sweep);
    CHECK(whole_in_scenario.accepted == row.whole.has_value());
    if (row.whole) CHECK(whole_in_scenario.value == *row.whole);

    const Outcome boolean_in_scenario = outcome_of(
        [&] { return scenario_with("parameters:\n  adaptive:\n    escalation: " + v + "\n").params.adaptive.escalation ? 1.0 : 0.0; });
    const Outcome boolean_in_sweep = outcome_of([&] {
      return plan_of("saltelli: " + v + "\nparameters:\n  - {key: parameters.risk.margin, values: [0.1]}\n").saltelli ? 1.0 : 0.0;
    });
    CHECK(boolean_in_scenario == boolean_in_sweep);
    CHECK(boolean_in_scenario.accepted == row.boolean.has_value());
    if (row.boolean) CHECK(boolean_in_scenario.value == *row.boolean);
  }
}

TEST_CASE("a refused value names what was expected in the words of the scenario loader", "[plan][values]") {
  CHECK(error_of("saltelli: yes\nparameters:\n  - {key: parameters.risk.margin, values: [0.1]}\n") ==
        file + ":5:11: saltelli: expected true or false, got 'yes'");
  try {
    load_plan_text("sweep_version: 1\nname: t\nbase: reduced_baseline.yaml\nseed: 1e3\nparameters: []\n", file);
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) == file + ":4:7: seed: expected a whole number, got '1e3'");
  }
  CHECK(error_of("replicates: -2\nparameters:\n  - {key: parameters.risk.margin, values: [0.1]}\n") ==
        file + ":5:13: replicates: -2 is negative; expected a whole number >= 1");
  CHECK(error_of("parameters:\n  - {key: parameters.risk.margin, grid: {start: 0x10, stop: 1, step: 1}}\n") ==
        file + ":6:49: parameters[0].grid.start: expected a number, got '0x10'");
  CHECK(error_of("parameters:\n  - {key: parameters.risk.margin, grid: {start: .nan, stop: 1, step: 1}}\n") ==
        file + ":6:49: parameters[0].grid.start: expected a finite number, got '.nan'");
  CHECK(error_of("combination: zipper\nparameters:\n  - {key: parameters.risk.margin, values: [0.1]}\n") ==
        file + ":5:14: combination: expected one of factorial, zipped, got 'zipper' (did you mean 'zipped'?)");
}
