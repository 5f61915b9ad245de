// The scenario library (scenarios/): every shipped scenario validates and
// runs, and each counterfactual moves its main outcome in the direction its
// question is about, against the baseline, over 2025-2030.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <utility>

#include "geosim/scenario/load.hpp"
#include "run_recorder.hpp"

using namespace geosim;
using namespace geosim::testing;

namespace {

const std::string scenarios = std::string(GEOSIM_SOURCE_DIR) + "/scenarios/";

/// Each scenario is run once per test process, at full size (about 2 s).
const Run& run_of(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Run>> runs;
  auto& r = runs[name];
  if (!r) r = std::make_unique<Run>(run_spec(scenario::load_file(scenarios + name + ".yaml")));
  return *r;
}

/// Run of a scenario with seed `seed`, once per test process.
const Run& run_of(const std::string& name, std::uint64_t seed) {
  static std::map<std::pair<std::string, std::uint64_t>, std::unique_ptr<Run>> runs;
  auto& r = runs[{name, seed}];
  if (!r) {
    auto spec = scenario::load_file(scenarios + name + ".yaml");
    spec.seed = seed;
    r = std::make_unique<Run>(run_spec(std::move(spec)));
  }
  return *r;
}

/// Mean over seeds 1-5 of f(scenario) - f(baseline), seed by seed (paired:
/// both runs of a seed draw the same random numbers).
double paired_effect(const std::string& name, const std::function<double(const Run&)>& f) {
  constexpr int seeds = 5;
  double sum = 0;
  for (std::uint64_t s = 1; s <= seeds; ++s) sum += f(run_of(name, s)) - f(run_of("baseline", s));
  return sum / seeds;
}

constexpr int from = 2025, to = 2030;

double bilateral(const Run& r) {
  const auto rus = r.state("RUS"), chn = r.state("CHN");
  return r.mean_over(from, to, [&](std::size_t t) { return r.exports(t, rus, chn) + r.exports(t, chn, rus); });
}

double cautious_chinese_machinery(const Run& r) {
  const auto chn = r.state("CHN"), k = r.sector("machinery_electronics");
  return r.mean_over(from, to, [&](std::size_t t) { return r.at("cautious_share", t)[chn * r.K() + k]; });
}

double crude_discount_to(const Run& r, const std::string& buyer) {
  const auto rus = r.state("RUS"), i = r.state(buyer), crude = r.sector("crude");
  return r.mean_over(from, to, [&](std::size_t t) { return r.at("discount", t)[(rus * r.S() + i) * r.K() + crude]; });
}

double china_share_of_russian_crude(const Run& r) {
  const auto rus = r.state("RUS"), chn = r.state("CHN"), crude = r.sector("crude");
  double to_china = 0, all = 0;
  for (std::size_t t = 0; t < r.out.records.size(); ++t) {
    const int year = r.out.records[t].month.year();
    if (year < from || year > to) continue;
    const auto& tv = r.at("trade_value", t);
    for (std::size_t i = 0; i < r.S(); ++i) all += tv[(rus * r.S() + i) * r.K() + crude];
    to_china += tv[(rus * r.S() + chn) * r.K() + crude];
  }
  return to_china / all;
}

}  // namespace

TEST_CASE("every shipped scenario validates and runs to its horizon", "[scenarios]") {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(scenarios)) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string name = entry.path().stem().string();
    INFO(name);
    const auto& r = run_of(name);
    CHECK(r.out.records.size() == static_cast<std::size_t>(r.spec.steps()));
    CHECK(r.spec.name == name);
    ++count;
  }
  CHECK(count >= 8);
}

TEST_CASE("without secondary sanctions Chinese firms are less cautious and China-Russia trade is higher",
          "[scenarios]") {
  const auto& base = run_of("baseline");
  const auto& none = run_of("no_secondary_sanctions");
  CHECK(cautious_chinese_machinery(none) < cautious_chinese_machinery(base) - 0.2);
  CHECK(bilateral(none) > 1.03 * bilateral(base));  // replicate noise is ~0.5 %
}

TEST_CASE("doubled secondary sanctions make Chinese firms more cautious and China-Russia trade lower",
          "[scenarios]") {
  const auto& base = run_of("baseline");
  const auto& doubled = run_of("secondary_doubled_2024");
  CHECK(cautious_chinese_machinery(doubled) > cautious_chinese_machinery(base) + 0.01);
  CHECK(bilateral(doubled) < 0.9 * bilateral(base));
}

TEST_CASE("lifting the EU embargo lowers the discount and China's share of Russian crude", "[scenarios]") {
  const auto& base = run_of("baseline");
  const auto& lifted = run_of("eu_embargo_lifted_2025");
  CHECK(crude_discount_to(lifted, "CHN") < crude_discount_to(base, "CHN"));
  CHECK(china_share_of_russian_crude(lifted) < china_share_of_russian_crude(base));
}

TEST_CASE("a tighter price cap deepens the discount on Russian crude", "[scenarios]") {
  const auto& base = run_of("baseline");
  const auto& tight = run_of("price_cap_tightened");
  // By about 5 points for China, whose baseline discount (27 %) already
  // brings its price near the cap, and 12 for India; replicate noise is ~0.002.
  CHECK(crude_discount_to(tight, "CHN") > crude_discount_to(base, "CHN") + 0.03);
  CHECK(crude_discount_to(tight, "IND") > crude_discount_to(base, "IND") + 0.05);
}

TEST_CASE("a Chinese dual-use cutoff ends direct dual-use exports and pushes some through hubs", "[scenarios]") {
  const auto& base = run_of("baseline");
  const auto& cutoff = run_of("china_dual_use_cutoff");
  const auto rus = base.state("RUS"), chn = base.state("CHN");
  const auto dual = [&](const Run& r, std::size_t route) {
    return r.mean_over(from, to, [&](std::size_t t) {
      double sum = 0;
      for (std::size_t j = 0; j < r.S(); ++j)
        if (route == 1 || j == chn) sum += r.at("dual_use_trade", t)[(j * r.S() + rus) * 2 + route];
      return sum;
    });
  };
  CHECK(dual(base, 0) > 0);
  CHECK(dual(cutoff, 0) < 1e-6 * dual(base, 0));
  CHECK(dual(cutoff, 1) > dual(base, 1));
}

TEST_CASE("China's big banks withdrawing raises the payment backlog and lowers China-Russia trade", "[scenarios]") {
  const auto& base = run_of("baseline");
  const auto& banks = run_of("china_big_banks_withdraw");
  const auto rus = base.state("RUS"), chn = base.state("CHN");
  const auto backlog = [&](const Run& r) {
    return r.mean_over(2024, to, [&](std::size_t t) { return r.at("payment_backlog", t)[rus * r.S() + chn]; });
  };
  CHECK(backlog(banks) > backlog(base));
  CHECK(bilateral(banks) < 0.97 * bilateral(base));
}

TEST_CASE("India withdrawing deepens the discount and raises China's share of Russian crude", "[scenarios]") {
  // On paired seeds: in one run, China's share of Russian crude moves with
  // the months in which a few Chinese banks turn cautious (docs/scenarios.md)
  // by as much as India's withdrawal moves it: with the scenario's own seed a
  // late switch in the India run alone leaves an effect of -0.3 points,
  // where it is +2 to +5 points on each of seeds 1-10.
  CHECK(paired_effect("india_withdraws", [](const Run& r) { return crude_discount_to(r, "CHN"); }) > 0.0);
  CHECK(paired_effect("india_withdraws", china_share_of_russian_crude) > 0.01);
}

TEST_CASE("with adaptive escalation off enforcement stays at the scenario's level; switched on it rises with leakage",
          "[scenarios]") {
  const auto& base = run_of("baseline");
  const auto& escalates = run_of("enforcement_escalates");
  const auto usa = base.state("USA"), rus = base.state("RUS");
  const auto enforcement = [&](const Run& r) {
    return r.mean_over(from, to, [&](std::size_t t) { return r.at("enforcement", t)[usa * r.S() + rus]; });
  };
  // The baseline's last event sets 0.7 (EO 14114 widened, the October 2024 designations).
  CHECK(enforcement(base) == Approx(0.7));
  CHECK(enforcement(escalates) > 0.75);
}
