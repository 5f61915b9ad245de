// The scenario library (scenarios/): every shipped scenario validates and
// runs, and each counterfactual moves its main outcome in the direction its
// question is about, against the baseline, over 2025-2030: the mean of the
// paired effect over 5 seeds (seed r in both), beyond its seed noise.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <utility>

#include "geosim/scenario/load.hpp"
#include "replicates.hpp"
#include "run_recorder.hpp"

using namespace geosim;
using namespace geosim::testing;

namespace {

const std::string scenarios = scenario_dir;

/// Each scenario is run once per test process, at full size (about 2 s).
const Run& run_of(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Run>> runs;
  auto& r = runs[name];
  if (!r) r = std::make_unique<Run>(run_spec(scenario::load_file(scenarios + name + ".yaml")));
  return *r;
}

/// Paired replicates of a scenario: seeds 1..5, cached per process.
const std::vector<Run>& runs_of(const std::string& name) { return cached_replicates(name, 5); }

constexpr int from = 2025, to = 2030;

double bilateral(const Run& r) {
  const auto rus = r.state("RUS"), chn = r.state("CHN");
  return r.mean_over(from, to, [&](std::size_t t) { return r.exports(t, rus, chn) + r.exports(t, chn, rus); });
}

/// China-Russia trade in one year, USD per month.
std::function<double(const Run&)> bilateral_in(int year) {
  return [year](const Run& r) {
    const auto rus = r.state("RUS"), chn = r.state("CHN");
    return r.yearly(year, [&](std::size_t t) { return r.exports(t, rus, chn) + r.exports(t, chn, rus); });
  };
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

/// Share of Russia's dual-use imports in a year dispatched from China or Hong
/// Kong: China's direct exports, Hong Kong's own, and all re-exports through
/// Hong Kong, at the first leg's value (the moment dual_use_share of
/// analysis/geosim_analysis/calibration.py).
std::function<double(const Run&)> china_hong_kong_dual_use_share(int year) {
  return [year](const Run& r) {
    const auto rus = r.state("RUS"), chn = r.state("CHN"), hkg = r.state("HKG");
    double ours = 0, all = 0;
    for (std::size_t t = 0; t < r.out.records.size(); ++t) {
      if (r.out.records[t].month.year() != year) continue;
      const auto& du = r.at("dual_use_trade", t);
      for (std::size_t j = 0; j < r.S(); ++j)
        for (std::size_t route = 0; route < 2; ++route) all += du[(j * r.S() + rus) * 2 + route];
      ours += du[(chn * r.S() + rus) * 2] + du[(hkg * r.S() + rus) * 2] + r.at("dual_use_via_hub", t)[hkg * r.S() + rus];
    }
    return ours / all;
  };
}

/// Dual-use goods of every origin reaching Russia through hubs, USD per month.
std::function<double(const Run&)> dual_use_through_hubs(int first, int last) {
  return [first, last](const Run& r) {
    const auto rus = r.state("RUS");
    return r.mean_over(first, last, [&](std::size_t t) {
      double sum = 0;
      for (std::size_t j = 0; j < r.S(); ++j) sum += r.at("dual_use_trade", t)[(j * r.S() + rus) * 2 + 1];
      return sum;
    });
  };
}

}  // namespace

// run_spec runs with the check on: a NaN, an Inf, a negative flow or shares
// that do not sum to one anywhere in any month stop the run with CheckError.
TEST_CASE("every shipped scenario validates and runs to its horizon with every output within its invariants",
          "[scenarios]") {
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
          "[scenarios][replicates]") {
  const auto &base = runs_of("baseline"), &none = runs_of("no_secondary_sanctions");
  CHECK(effect(none, base, cautious_chinese_machinery) < -0.2);
  INFO("trade " << mean(base, bilateral) * 12e-9 << " vs " << mean(none, bilateral) * 12e-9 << " USD bn/yr");
  CHECK(effect(none, base, bilateral) > 0.03 * mean(base, bilateral));
}

TEST_CASE("doubled secondary sanctions make Chinese firms and banks more cautious and China-Russia trade lower",
          "[scenarios][replicates]") {
  const auto &base = runs_of("baseline"), &doubled = runs_of("secondary_doubled_2024");
  CHECK(effect(doubled, base, cautious_chinese_machinery) > 0.01);
  const auto banks = [](const Run& r) {
    const auto chn = r.state("CHN");
    return r.mean_over(from, to, [&](std::size_t t) { return r.at("cautious_bank_share", t)[chn]; });
  };
  CHECK(effect(doubled, base, banks) > 0.01);
  // Most in 2024, before payment agents have taken up what banks refuse
  // (about 2 %); afterwards by the agents' fees (about 0.3 %).
  INFO("trade 2024 " << mean(base, bilateral_in(2024)) * 12e-9 << " vs " << mean(doubled, bilateral_in(2024)) * 12e-9
                     << " USD bn/yr");
  CHECK(effect(doubled, base, bilateral_in(2024)) < -0.01 * mean(base, bilateral_in(2024)));
  CHECK(effect(doubled, base, bilateral) < 0);
}

TEST_CASE("lifting the EU embargo lowers the discount and China's share of Russian crude",
          "[scenarios][replicates]") {
  const auto &base = runs_of("baseline"), &lifted = runs_of("eu_embargo_lifted_2025");
  CHECK(effect(lifted, base, [](const Run& r) { return crude_discount_to(r, "CHN"); }) < -0.01);
  CHECK(effect(lifted, base, china_share_of_russian_crude) < -0.05);
}

TEST_CASE("a tighter price cap deepens the discount on Russian crude", "[scenarios][replicates]") {
  const auto &base = runs_of("baseline"), &tight = runs_of("price_cap_tightened");
  // By several points for China, whose baseline discount already brings its
  // price near the cap, and more for India; seed noise is ~0.002.
  CHECK(effect(tight, base, [](const Run& r) { return crude_discount_to(r, "CHN"); }) > 0.03);
  CHECK(effect(tight, base, [](const Run& r) { return crude_discount_to(r, "IND"); }) > 0.05);
}

TEST_CASE("a Chinese dual-use cutoff ends direct dual-use exports and pushes some through hubs",
          "[scenarios][replicates]") {
  const auto &base = runs_of("baseline"), &cutoff = runs_of("china_dual_use_cutoff");
  const auto dual = [&](std::size_t route) {
    return [route](const Run& r) {
      const auto rus = r.state("RUS"), chn = r.state("CHN");
      return r.mean_over(from, to, [&](std::size_t t) {
        double sum = 0;
        for (std::size_t j = 0; j < r.S(); ++j)
          if (route == 1 || j == chn) sum += r.at("dual_use_trade", t)[(j * r.S() + rus) * 2 + route];
        return sum;
      });
    };
  };
  CHECK(mean(base, dual(0)) > 0);
  CHECK(mean(cutoff, dual(0)) < 1e-6 * mean(base, dual(0)));
  CHECK(effect(cutoff, base, dual(1)) > 0);
}

TEST_CASE("China's big banks withdrawing raises the backlog and fees, then payment agents take part of the flow",
          "[scenarios][replicates]") {
  const auto &base = runs_of("baseline"), &banks = runs_of("china_big_banks_withdraw");
  const auto pair = [](const char* var, int first, int last) {
    return [var, first, last](const Run& r) {
      const auto rus = r.state("RUS"), chn = r.state("CHN");
      return r.mean_over(first, last, [&](std::size_t t) { return r.at(var, t)[rus * r.S() + chn]; });
    };
  };
  // The year they withdraw (January 2024) payments wait and trade falls...
  CHECK(effect(banks, base, pair("payment_backlog", 2024, 2024)) > 0);
  INFO("trade 2024 " << mean(base, bilateral_in(2024)) * 12e-9 << " vs " << mean(banks, bilateral_in(2024)) * 12e-9
                     << " USD bn/yr");
  CHECK(effect(banks, base, bilateral_in(2024)) < -0.01 * mean(base, bilateral_in(2024)));
  // ...then agents and netting carry more of the flow, at a higher fee.
  CHECK(effect(banks, base, pair("alternative_payments", from, to)) > 0.01);
  CHECK(effect(banks, base, pair("payment_fee", from, to)) > 0);
  // The fee lowers trade once agents carry the flow. In 2025 it may not yet:
  // where the baseline's own banks turn cautious late in 2024 (a random
  // episode, two of the five seeds), the baseline waits for its agents in
  // 2025 while the early withdrawal has them already.
  const auto later = [](const Run& r) {
    const auto rus = r.state("RUS"), chn = r.state("CHN");
    return r.mean_over(2026, to, [&](std::size_t t) { return r.exports(t, rus, chn) + r.exports(t, chn, rus); });
  };
  CHECK(effect(banks, base, later) < 0);
}

TEST_CASE("India withdrawing deepens the discount and raises China's share of Russian crude",
          "[scenarios][replicates]") {
  const auto &base = runs_of("baseline"), &india = runs_of("india_withdraws");
  CHECK(effect(india, base, [](const Run& r) { return crude_discount_to(r, "CHN"); }) > 0);
  CHECK(effect(india, base, china_share_of_russian_crude) > 0.01);
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

TEST_CASE("China's and Hong Kong's share of Russia's dual-use imports rises from 2021 to 2022 in the baseline",
          "[scenarios][replicates][hubs]") {
  const auto& base = runs_of("baseline");
  const double y2021 = mean(base, china_hong_kong_dual_use_share(2021));
  const double y2022 = mean(base, china_hong_kong_dual_use_share(2022));
  INFO("China and Hong Kong: " << 100 * y2021 << " % in 2021, " << 100 * y2022 << " % in 2022");
  // The data: 41 % and 68 % (MODEL.md 4); seed noise is ~0.2 points.
  CHECK(y2022 - y2021 > 0.25);
}

TEST_CASE("closing direct routes to Russia raises dual-use flows through hubs and the hubs' capacity",
          "[scenarios][replicates][hubs]") {
  // The baseline against the same world without the 2022 dual-use controls
  // of the US, the EU, the coalition and the neutral rest: the direct routes
  // that the baseline closes stay open.
  const auto& base = runs_of("baseline");
  const auto open = run_replicates("baseline", 5,
                                   {scenario::parse_override("events[invasion_dual_use_us].intensity=0"),
                                    scenario::parse_override("events[invasion_dual_use_eu].intensity=0"),
                                    scenario::parse_override("events[invasion_dual_use_g7x].intensity=0"),
                                    scenario::parse_override("events[fdpr_row].intensity=0")});
  const auto through = dual_use_through_hubs(2022, 2024);
  INFO("through hubs " << mean(open, through) * 12e-9 << " (routes open) vs " << mean(base, through) * 12e-9
                       << " USD bn/yr (closed), 2022-2024");
  CHECK(effect(base, open, through) > mean(open, through));  // more than doubles
  // Before 2022 the two worlds are the same.
  CHECK(effect(base, open, dual_use_through_hubs(2019, 2021)) == 0.0);
  // More trade through the hubs earns their intermediaries more margin, and
  // their capacity grows further.
  const auto capacity = [](const Run& r) {
    const auto k = r.sector("machinery_electronics");
    return r.mean_over(2024, 2024, [&](std::size_t t) {
      double sum = 0;
      for (const char* hub : {"TUR", "HKG", "ARE", "KAZ"}) sum += r.at("hub_capacity", t)[r.state(hub) * r.K() + k];
      return sum;
    });
  };
  CHECK(effect(base, open, capacity) > 0);
}
