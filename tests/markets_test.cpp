// Markets that clear (docs/ODD.md §7.8, §7.13): each claim about behaviour is
// checked on paired replicates, the same seeds for the baseline and the
// counterfactual, full scenarios from scenarios/. About 10 runs of ~2.5 s
// per test case.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "geosim/scenario/load.hpp"
#include "replicates.hpp"
#include "run_recorder.hpp"

using namespace geosim;
using namespace geosim::testing;

namespace {

constexpr int replicates = 5;

/// The shipped scenario's paired replicates (cached), or with overrides.
const std::vector<Run>& runs_of(const std::string& name) { return cached_replicates(name, replicates); }
std::vector<Run> runs_of(const std::string& name, const std::vector<scenario::Override>& set) {
  return run_replicates(name, replicates, set);
}

/// Sum over partners of a [state][partner][sector] variable for one exporter and sector.
double to_all(const Run& r, const std::string& var, std::size_t t, std::size_t j, std::size_t k) {
  const auto& x = r.at(var, t);
  double sum = 0;
  for (std::size_t i = 0; i < r.S(); ++i) sum += x[(j * r.S() + i) * r.K() + k];
  return sum;
}

/// Russia's energy export revenue (free on board), USD per month, mean over a year.
double energy_revenue(const Run& r, int year) {
  const auto rus = r.state("RUS");
  return r.yearly(year, [&](std::size_t t) { return r.at("energy_revenue", t)[rus]; });
}

/// Russia's crude exports, bbl per month, mean over years.
double crude_volume(const Run& r, int first, int last) {
  const auto rus = r.state("RUS"), crude = r.sector("crude");
  return r.mean_over(first, last, [&](std::size_t t) { return to_all(r, "trade_quantity", t, rus, crude); });
}

/// Russia's crude discount, USD/bbl, volume-weighted over buyers: the
/// discount paid (price cap included) or the market's, before the cap; with
/// `freight`, free on board (plus the freight the exporter pays).
double crude_discount(const Run& r, int first, int last, bool market, bool freight) {
  const auto rus = r.state("RUS"), crude = r.sector("crude");
  return r.mean_over(first, last, [&](std::size_t t) {
    const auto& q = r.at("trade_quantity", t);
    const auto& d = r.at(market ? "market_discount" : "discount", t);
    const auto& f = r.at("freight_cost", t);
    const double price = r.at("world_price", t)[crude];
    double sum = 0, volume = 0;
    for (std::size_t i = 0; i < r.S(); ++i) {
      const std::size_t x = (rus * r.S() + i) * r.K() + crude;
      sum += q[x] * (d[x] * price + (freight ? f[x] : 0.0));
      volume += q[x];
    }
    return volume > 0 ? sum / volume : 0.0;
  });
}

double crude_fob_discount(const Run& r, int first, int last) { return crude_discount(r, first, last, false, true); }
double crude_fob_discount_2025(const Run& r) { return crude_fob_discount(r, 2025, 2030); }

/// An importer's share of Russia's crude exports by volume (bbl, as paid) in
/// one month, or over the months of years [first, last] when month = 0.
double crude_share(const Run& r, const std::string& importer, int year, int month = 0, int last = 0) {
  const auto rus = r.state("RUS"), crude = r.sector("crude"), imp = r.state(importer);
  double mine = 0, all = 0;
  for (std::size_t t = 0; t < r.out.records.size(); ++t) {
    const auto when = r.out.records[t].month;
    if (month ? (when.year() != year || when.month() != month) : (when.year() < year || when.year() > std::max(year, last)))
      continue;
    const auto& q = r.at("trade_quantity", t);
    mine += q[(rus * r.S() + imp) * r.K() + crude];
    all += to_all(r, "trade_quantity", t, rus, crude);
  }
  REQUIRE(all > 0);
  return 100.0 * mine / all;
}

/// Discount (negative: premium) of China's machinery_electronics to Russia.
double china_machinery_discount(const Run& r, int first, int last) {
  const auto chn = r.state("CHN"), rus = r.state("RUS"), k = r.sector("machinery_electronics");
  return r.mean_over(first, last, [&](std::size_t t) { return r.at("discount", t)[(chn * r.S() + rus) * r.K() + k]; });
}

}  // namespace

TEST_CASE("a tighter price cap lowers Russia's energy revenue in every year after it starts",
          "[markets][replicates]") {
  const auto &base = runs_of("baseline"), &tight = runs_of("price_cap_tightened");
  // The case the claim excludes: an alternative fleet that already carries
  // all exports leaves nothing for the cap to bind on.
  const auto rus = base[0].state("RUS");
  CHECK(mean(tight, [&](const Run& r) { return r.yearly(2030, [&](std::size_t t) { return r.at("shadow_fleet", t)[rus]; }); }) <
        1.0);
  for (int year = 2025; year <= 2030; ++year) {
    INFO(year << ": " << mean(base, [&](const Run& r) { return energy_revenue(r, year); }) * 12e-9 << " vs "
              << mean(tight, [&](const Run& r) { return energy_revenue(r, year); }) * 12e-9 << " USD bn/yr");
    CHECK(effect(tight, base, [&](const Run& r) { return energy_revenue(r, year); }) < 0.0);
  }
}

TEST_CASE("lifting the EU embargo does not lower Russia's crude volume and lowers its discount",
          "[markets][replicates]") {
  const auto &base = runs_of("baseline"), &lifted = runs_of("eu_embargo_lifted_2025");
  const double volume = mean(base, [](const Run& r) { return crude_volume(r, 2026, 2030); });
  INFO("crude volume " << volume / 30.4e6 << " mb/d, effect "
                       << effect(lifted, base, [](const Run& r) { return crude_volume(r, 2026, 2030); }) / 30.4e6);
  // What Russia sells (contracted, share of its capacity) does not fall;
  // replicate noise of the paired effect is well under 0.1 %.
  const auto sold = [](const Run& r) {
    const auto rus = r.state("RUS"), crude = r.sector("crude");
    return r.mean_over(2026, 2030, [&](std::size_t t) { return r.at("capacity_utilisation", t)[rus * r.K() + crude]; });
  };
  INFO("crude capacity sold " << mean(base, sold) << ", effect " << effect(lifted, base, sold));
  CHECK(effect(lifted, base, sold) > -0.001 * mean(base, sold));
  // What is paid may fall a little: payments on the reopened EU route are
  // partly blocked (financial sanctions are per pair of states, not per
  // sector: ODD 11), and a part of what waits fails (about 0.1 %).
  CHECK(effect(lifted, base, [](const Run& r) { return crude_volume(r, 2026, 2030); }) > -0.005 * volume);
  INFO("FOB discount " << mean(base, [](const Run& r) { return crude_fob_discount(r, 2026, 2030); }) << " vs "
                       << mean(lifted, [](const Run& r) { return crude_fob_discount(r, 2026, 2030); }) << " USD/bbl");
  CHECK(effect(lifted, base, [](const Run& r) { return crude_fob_discount(r, 2026, 2030); }) < -1.0);
}

TEST_CASE("a 50 % higher oil price raises Russia's revenue and its USD/bbl discount less than in proportion",
          "[markets][replicates]") {
  // Brent at 105 instead of 70 USD/bbl from mid-2025.
  const auto& base = runs_of("baseline");
  const auto high = runs_of("baseline", {{"sectors[crude].price[" + std::to_string(144) + "]", "[2025-06, 105]"},
                                         {"sectors[crude].price[145]", "[2030-12, 105]"}});
  REQUIRE(mean(high, [](const Run& r) { return r.yearly(2027, [&](std::size_t t) { return r.at("world_price", t)[0]; }); }) ==
          Approx(105.0));
  CHECK(effect(high, base, [](const Run& r) { return energy_revenue(r, 2027) + energy_revenue(r, 2028); }) > 0.0);
  // The market's discount free on board: its bargained part scales with the
  // price, the freight part does not. (What is paid also holds the price
  // cap's rent on Western-serviced volume, which grows faster than the price
  // once the cap binds: reported, not the claim.)
  const auto market_fob = [](const Run& r) { return crude_discount(r, 2027, 2030, true, true); };
  const auto paid_fob = [](const Run& r) { return crude_discount(r, 2027, 2030, false, true); };
  INFO("market FOB discount " << mean(base, market_fob) << " at 70 USD/bbl, " << mean(high, market_fob)
                              << " at 105; paid " << mean(base, paid_fob) << ", " << mean(high, paid_fob));
  CHECK(mean(high, market_fob) > mean(base, market_fob));
  CHECK(mean(high, market_fob) < 1.5 * mean(base, market_fob));
}

TEST_CASE("a sold-out exporter's discount narrows as its alternative shipping grows", "[markets][replicates]") {
  // The same baseline with Russia's fleet held at two sizes (no investment,
  // no retirement), at a Brent of 105 USD/bbl from mid-2025, where the 60
  // USD/bbl cap binds: a larger fleet leaves less volume under the cap. (At
  // a price where the cap does not bind, a sold-out exporter's discount sits
  // at its buyers' reservation, their extra payment costs, and the fleet
  // does not move it: docs/ODD.md §11.)
  const std::vector<scenario::Override> held{{"parameters.adaptive.shadow_fleet_investment", "false"},
                                             {"parameters.adaptive.fleet_depreciation", "0"},
                                             {"sectors[crude].price[144]", "[2025-06, 105]"},
                                             {"sectors[crude].price[145]", "[2030-12, 105]"}};
  auto small = held, large = held;
  small.push_back({"states[RUS].shadow_fleet", "0.2"});
  large.push_back({"states[RUS].shadow_fleet", "0.6"});
  const auto a = runs_of("baseline", small), b = runs_of("baseline", large);
  const auto rus = a[0].state("RUS"), crude = a[0].sector("crude");
  const auto utilisation = [&](const Run& r) {
    return r.mean_over(2025, 2030, [&](std::size_t t) { return r.at("capacity_utilisation", t)[rus * r.K() + crude]; });
  };
  CHECK(mean(a, utilisation) > 0.9);
  CHECK(mean(b, utilisation) > 0.9);
  // The discount on the delivered price narrows (the buyer's weight in the
  // bargain falls, the cap binds on less volume); the freight the exporter
  // pays rises, since its own fleet costs more than Western shipping.
  const auto paid = [](const Run& r) { return crude_discount(r, 2025, 2030, false, false); };
  INFO("discount " << mean(a, paid) << " USD/bbl with 20 %, " << mean(b, paid) << " with 60 %; free on board "
                   << mean(a, crude_fob_discount_2025) << ", " << mean(b, crude_fob_discount_2025));
  CHECK(effect(b, a, paid) < 0.0);
}

TEST_CASE("after export controls China's machinery prices to Russia carry a premium that rises with Russia's dependence",
          "[markets][replicates]") {
  const auto& base = runs_of("baseline");
  // Weaker Western export controls: Russia keeps more suppliers besides China.
  const auto weaker = runs_of("baseline", {{"events[invasion_export_controls_eu].intensity", "0.2"},
                                           {"events[invasion_export_controls_us].intensity", "0.2"}});
  const double before = mean(base, [](const Run& r) { return china_machinery_discount(r, 2019, 2021); });
  const double after = mean(base, [](const Run& r) { return china_machinery_discount(r, 2023, 2030); });
  INFO("discount " << before << " in 2019-21, " << after << " in 2023-30");
  CHECK(after < 0.0);
  CHECK(after < before);
  const auto chn = base[0].state("CHN"), rus = base[0].state("RUS");
  const auto dependence = [&](const Run& r) {
    return r.mean_over(2023, 2030, [&](std::size_t t) { return r.at("dependence", t)[rus * r.S() + chn]; });
  };
  INFO("Russia's dependence on China " << mean(base, dependence) << " vs " << mean(weaker, dependence)
                                       << " with weaker controls; discount "
                                       << mean(weaker, [](const Run& r) { return china_machinery_discount(r, 2023, 2030); }));
  CHECK(effect(base, weaker, dependence) > 0.0);
  CHECK(effect(base, weaker, [](const Run& r) { return china_machinery_discount(r, 2023, 2030); }) < 0.0);
  // The bargain weighs China's side by its leverage over Russia (ODD §7.8),
  // which the stronger controls raise with Russia's dependence.
  const auto leverage = [&](const Run& r) {
    return r.mean_over(2023, 2030, [&](std::size_t t) { return r.at("leverage", t)[rus * r.S() + chn]; });
  };
  INFO("China's leverage over Russia " << mean(base, leverage) << " vs " << mean(weaker, leverage));
  CHECK(mean(weaker, leverage) > 0.5);
  CHECK(effect(base, weaker, leverage) > 0.0);
}

TEST_CASE("India's share of Russian crude rises through 2022 as its relationships with Russian suppliers form",
          "[markets][replicates]") {
  // MODEL.md §4: about 1 % in 2021, 0.27 mb/d in March 2022 and 1.19 in
  // December, of about 5 mb/d; the targets' band is 10 points (ODD §7.7).
  const auto& base = runs_of("baseline");
  const auto share = [](int year, int month) {
    return [=](const Run& r) { return crude_share(r, "IND", year, month); };
  };
  const double y2021 = mean(base, [](const Run& r) { return crude_share(r, "IND", 2021); });
  INFO("India's share of Russian crude: 2021 " << y2021 << " %, Feb 2022 " << mean(base, share(2022, 2))
                                               << ", Jun " << mean(base, share(2022, 6)) << ", Sep "
                                               << mean(base, share(2022, 9)) << ", Dec " << mean(base, share(2022, 12)));
  CHECK(y2021 < 5.0);
  // Rising through the year: each quarter's last month above the one before
  // (a month's noise across seeds is under 0.1 point), and December in the
  // band of the 23.8 % target, several times the 2021 share.
  CHECK(mean(base, share(2022, 6)) > mean(base, share(2022, 3)));
  CHECK(mean(base, share(2022, 9)) > mean(base, share(2022, 6)) + 3.0);
  CHECK(mean(base, share(2022, 12)) > mean(base, share(2022, 9)) + 3.0);
  CHECK(mean(base, share(2022, 12)) > 13.8);
  CHECK(mean(base, share(2022, 12)) > 4 * y2021);
}

TEST_CASE("relationships change no crude flow before the first one forms, and India's 2022 rise comes from them",
          "[markets][replicates]") {
  // With crude's spot weight at 1 a supplier weighs the same with or without
  // a relationship: forming one changes nothing. Up to the first crude
  // relationship formed (India's, decided in May 2022) the runs are the same.
  const auto& base = runs_of("baseline");
  const auto flat = runs_of("baseline", {{"sectors[crude].spot_weight", "1"}});
  for (const char* importer : {"CHN", "EU", "IND", "TUR"}) {
    const auto before = [=](const Run& r) { return crude_share(r, importer, 2013, 0, 2021); };
    INFO(importer << "'s share 2013-21: " << mean(base, before) << " %");
    CHECK(effect(base, flat, before) == 0.0);
  }
  const auto december = [](const Run& r) { return crude_share(r, "IND", 2022, 12); };
  INFO("India's share in December 2022: " << mean(base, december) << " %, " << mean(flat, december)
                                          << " % when forming a relationship changes nothing");
  CHECK(mean(flat, december) < 8.0);
  CHECK(effect(base, flat, december) > 10.0);
}
