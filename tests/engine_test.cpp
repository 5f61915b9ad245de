// Engine tests: invariants on every step of the baseline, determinism across
// back-ends and thread counts, and one test per mechanism of MODEL.md §3,
// each comparing a calm world with the same world under one policy event.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>
#include <tuple>
#include <string>
#include <vector>

#include "geosim/engine/check.hpp"
#include "geosim/engine/engine.hpp"
#include "geosim/scenario/load.hpp"
#include "run_recorder.hpp"

using namespace geosim;
using namespace geosim::testing;

namespace {

const std::string source_dir = GEOSIM_SOURCE_DIR;
const std::string baseline = source_dir + "/scenarios/baseline.yaml";
const std::string world = source_dir + "/tests/data/world.yaml";

/// The test world with extra top-level YAML (states, sectors, parameters).
Run run_world_text(const std::string& extra) {
  return run_spec(scenario::load_text("schema_version: 1\nbase: " + world + "\n" + extra, "test.yaml"));
}

/// The test world plus extra events (YAML list items), with a firm snapshot
/// in its last month.
Run run_world_with(const std::string& events) {
  return run_world_text("output: {snapshots: [2016-12]}\nevents:\n" + events);
}

Run calm() { return run_spec(scenario::load_file(world)); }

std::size_t var_index(const std::string& name) {
  const auto& vars = engine::variables();
  for (std::size_t v = 0; v < vars.size(); ++v)
    if (vars[v].name == name) return v;
  FAIL("no variable " << name);
  return 0;
}

/// Hands each record to `next`, the one of step `at` after `edit` has changed
/// it: a fault between the engine and the check.
class Corrupt final : public engine::Observer {
 public:
  Corrupt(engine::Observer& next, int at, std::function<void(engine::StepRecord&)> edit)
      : next_(next), at_(at), edit_(std::move(edit)) {}
  void begin(const engine::RunInfo& info) override { next_.begin(info); }
  void record(engine::StepRecord&& r) override {
    if (r.step == at_) edit_(r);
    next_.record(std::move(r));
  }
  void end(const engine::RunSummary& s) override { next_.end(s); }

 private:
  engine::Observer& next_;
  int at_;
  std::function<void(engine::StepRecord&)> edit_;
};

/// What the check does to a run of the test world whose record of step 5
/// (2013-06) `edit` changes, given the world's spec, the record and the index
/// of a variable. `records` counts the records that got past the check.
struct Checked {
  bool stopped = false;
  std::string message, variable, labels;
  int step = -1;
  std::size_t records = 0;
};
Checked check_world(const std::function<void(const model::ScenarioSpec&, engine::StepRecord&)>& edit) {
  const auto spec = scenario::load_file(world);
  Recorder recorder;
  engine::CheckingObserver check(recorder);
  Corrupt corrupt(check, 5, [&](engine::StepRecord& r) { edit(spec, r); });
  engine::RunOptions options;
  options.seed = spec.seed;
  Checked out;
  try {
    engine::run(spec, options, corrupt);
  } catch (const engine::CheckError& e) {
    out = {true, e.what(), e.variable(), e.labels(), e.step(), 0};
  }
  out.records = recorder.records.size();
  return out;
}

std::size_t state_of(const model::ScenarioSpec& spec, const char* code) { return index(*model::find_state(spec, code)); }

}  // namespace

TEST_CASE("the check stops a run at a NaN, naming the step, the month, the variable and its labels", "[engine][check]") {
  const auto c = check_world([](const model::ScenarioSpec& spec, engine::StepRecord& r) {
    const std::size_t S = spec.states.size(), K = spec.sectors.size();
    const std::size_t k = index(*model::find_sector(spec, "crude"));
    r.values[var_index("trade_value")][(state_of(spec, "RUS") * S + state_of(spec, "CHN")) * K + k] =
        std::numeric_limits<double>::quiet_NaN();
  });
  REQUIRE(c.stopped);
  CHECK(c.message == "model check failed at step 5 (2013-06): trade_value[state=RUS, partner=CHN, sector=crude]: "
                     "nan is not finite");
  CHECK(c.step == 5);
  CHECK(c.variable == "trade_value");
  CHECK(c.labels == "state=RUS, partner=CHN, sector=crude");
  CHECK(c.records == 5);  // steps 0 to 4; the bad step never reaches the writer
}

TEST_CASE("the check stops a run whose settlement shares of a pair do not sum to one, naming the pair",
          "[engine][check]") {
  const auto c = check_world([](const model::ScenarioSpec& spec, engine::StepRecord& r) {
    const std::size_t S = spec.states.size(), C = spec.currencies.size();
    auto& share = r.values[var_index("settlement_share")];
    const std::size_t pair = state_of(spec, "CHN") * S + state_of(spec, "RUS");
    for (std::size_t x = 0; x < C; ++x) share[pair * C + x] = x == 0 ? 0.5 : x == 1 ? 0.25 : x == 2 ? 0.125 : 0.0;
  });
  REQUIRE(c.stopped);
  CHECK(c.message == "model check failed at step 5 (2013-06): settlement_share[state=CHN, partner=RUS]: the shares "
                     "over currency sum to 0.875; expected 1 (tolerance 1e-09) or all 0");
  CHECK(c.records == 5);
}

TEST_CASE("the check stops a run at a negative trade value and at a share above one", "[engine][check]") {
  const auto negative = check_world([](const model::ScenarioSpec& spec, engine::StepRecord& r) {
    const std::size_t S = spec.states.size(), K = spec.sectors.size();
    r.values[var_index("trade_quantity")][(state_of(spec, "USA") * S + state_of(spec, "EU")) * K + K - 1] = -2.5;
  });
  CHECK(negative.message == "model check failed at step 5 (2013-06): trade_quantity[state=USA, partner=EU, "
                            "sector=consumer_goods]: -2.5 is negative; expected a value >= 0");
  const auto above = check_world([](const model::ScenarioSpec& spec, engine::StepRecord& r) {
    r.values[var_index("cautious_bank_share")][state_of(spec, "IND")] = 1.5;
  });
  CHECK(above.message == "model check failed at step 5 (2013-06): cautious_bank_share[state=IND]: 1.5 is outside "
                         "[0, 1] (tolerance 1e-09)");
}

TEST_CASE("the check lets rounding within its tolerance through", "[engine][check]") {
  const auto c = check_world([](const model::ScenarioSpec& spec, engine::StepRecord& r) {
    const std::size_t S = spec.states.size(), C = spec.currencies.size();
    auto& share = r.values[var_index("settlement_share")];
    const std::size_t pair = state_of(spec, "CHN") * S + state_of(spec, "RUS");
    for (std::size_t x = 0; x < C; ++x) share[pair * C + x] = x == 0 ? 1.0 + 5e-10 : x == 1 ? -4e-10 : 0.0;
    r.values[var_index("cautious_bank_share")][state_of(spec, "IND")] = 1.0 + 9e-10;
  });
  CHECK_FALSE(c.stopped);
  CHECK(c.records == 48);
}

TEST_CASE("docs/output-schema.md lists the invariant the check holds each output variable to", "[engine][docs]") {
  std::ifstream in(source_dir + "/docs/output-schema.md");
  REQUIRE(in);
  // Rows of the table under "## Invariants": | invariant | `a`, `b`, ... |
  std::map<std::string, std::vector<std::string>> documented;
  bool in_section = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) in_section = line == "## Invariants";
    if (!in_section || line.rfind("| ", 0) != 0 || line.find('`') == std::string::npos) continue;
    const std::size_t bar = line.find('|', 1);
    std::string invariant = line.substr(2, bar - 2);
    invariant.erase(invariant.find_last_not_of(' ') + 1);
    for (std::size_t at = line.find('`', bar); at != std::string::npos; at = line.find('`', at + 1)) {
      const std::size_t close = line.find('`', at + 1);
      documented[invariant].push_back(line.substr(at + 1, close - at - 1));
      at = close;
    }
  }
  std::map<std::string, std::vector<std::string>> catalogue;
  for (const auto& v : engine::variables()) catalogue[engine::to_string(v.invariant)].push_back(v.name);
  CHECK(documented == catalogue);
}

TEST_CASE("docs/output-schema.md lists every output variable in record order with its dimensions and units",
          "[engine][docs]") {
  std::ifstream in(source_dir + "/docs/output-schema.md");
  REQUIRE(in);
  // Rows of the table under "## Data variables": | `name` | dims | units | meaning |
  std::vector<std::string> documented;
  bool in_section = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) in_section = line == "## Data variables";
    if (!in_section || line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    for (std::size_t at = 1; cells.size() < 3;) {
      const std::size_t bar = line.find('|', at);
      REQUIRE(bar != std::string::npos);
      std::string cell = line.substr(at, bar - at);
      cell.erase(0, cell.find_first_not_of(" `"));
      cell.erase(cell.find_last_not_of(" `") + 1);
      cells.push_back(cell);
      at = bar + 1;
    }
    documented.push_back(cells[0] + " | " + cells[1] + " | " + cells[2]);
  }
  std::vector<std::string> catalogue;
  for (const auto& v : engine::variables()) {
    std::string dims;
    for (const engine::Dim d : v.dims) dims += (dims.empty() ? "" : ", ") + std::string(engine::to_string(d));
    catalogue.push_back(v.name + " | " + dims + " | " + v.units);
  }
  CHECK(documented == catalogue);
}

TEST_CASE("in every month of the baseline a partner's leverage is above one half exactly when the state depends on "
          "it more, in both forms",
          "[engine][invariants]") {
  const Run r = run_spec(scenario::load_file(baseline));
  const std::size_t S = r.S();
  for (std::size_t t = 0; t < r.out.records.size(); ++t) {
    INFO("step " << t << " (" << r.out.records[t].month.str() << ")");
    const auto& d = r.at("dependence", t);
    const auto& l = r.at("leverage", t);
    const auto& ratio = r.at("leverage_ratio", t);
    for (std::size_t i = 0; i < S; ++i)
      for (std::size_t j = 0; j < S; ++j) {
        INFO(r.spec.states[i].code << " on " << r.spec.states[j].code);
        const std::size_t ij = i * S + j, ji = j * S + i;
        REQUIRE((l[ij] > 0.5) == (d[ij] > d[ji]));
        REQUIRE(l[ij] + l[ji] == Approx(1.0));
        REQUIRE(ratio[ij] == Approx(l[ij] / (1 - l[ij])));
      }
  }
  // Russia depends on China more than China on Russia in every month.
  const auto rus = r.state("RUS"), chn = r.state("CHN");
  for (std::size_t t = 0; t < r.out.records.size(); ++t) CHECK(r.at("leverage", t)[rus * S + chn] > 0.5);
}

TEST_CASE("every step of the baseline keeps shares, trade and discounts in range", "[engine][invariants]") {
  const Run r = run_spec(scenario::load_file(baseline));
  const std::size_t S = r.S();
  REQUIRE(r.out.records.size() == static_cast<std::size_t>(r.spec.steps()));
  for (std::size_t t = 0; t < r.out.records.size(); ++t) {
    INFO("step " << t << " (" << r.out.records[t].month.str() << ")");
    for (const auto& values : r.out.records[t].values)
      for (double x : values) REQUIRE(std::isfinite(x));
    for (double x : r.at("trade_value", t)) REQUIRE(x >= 0.0);
    const auto& share = r.at("trade_share", t);
    for (std::size_t i = 0; i < S; ++i) {
      double sum = 0;
      for (std::size_t j = 0; j < S; ++j) {
        REQUIRE(share[i * S + j] >= 0.0);
        REQUIRE(share[i * S + j] <= 1.0);
        sum += share[i * S + j];
      }
      REQUIRE(sum == Approx(1.0).epsilon(1e-9));
    }
    // Negative discounts are premiums, bounded by the sector's max_discount.
    for (double x : r.at("discount", t)) {
      REQUIRE(x > -1.0);
      REQUIRE(x < 1.0);
    }
    for (double x : r.at("leverage", t)) {
      REQUIRE(x >= 0.0);
      REQUIRE(x <= 1.0);
    }
    const auto& settle = r.at("settlement_share", t);
    for (std::size_t i = 0; i < S; ++i)
      for (std::size_t j = 0; j < S; ++j) {
        if (i == j) continue;
        double sum = 0;
        for (std::size_t c = 0; c < r.C(); ++c) sum += settle[(i * S + j) * r.C() + c];
        REQUIRE(sum == Approx(1.0).epsilon(1e-9));
      }
    for (double x : r.at("cautious_share", t)) REQUIRE((x >= 0.0 && x <= 1.0));
    for (double x : r.at("payment_backlog", t)) REQUIRE(x >= 0.0);
  }
}

TEST_CASE("output is bit-identical on the serial back-end and on 1, 2 and 8 TBB threads", "[engine][determinism]") {
  const auto spec = scenario::load_file(baseline);
  const Run reference = run_spec(spec, engine::Backend::serial, 1);
  for (int threads : {1, 2, 8}) {
    INFO(threads << " threads");
    const Run other = run_spec(spec, engine::Backend::tbb, threads);
    REQUIRE(other.out.records.size() == reference.out.records.size());
    for (std::size_t t = 0; t < reference.out.records.size(); ++t)
      for (std::size_t v = 0; v < engine::variables().size(); ++v) {
        const auto& a = reference.out.records[t].values[v];
        const auto& b = other.out.records[t].values[v];
        REQUIRE(a.size() == b.size());
        INFO(engine::variables()[v].name << " at step " << t);
        REQUIRE(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
      }
  }
}

TEST_CASE("a different seed gives a different run, the same seed the same run", "[engine][determinism]") {
  auto spec = scenario::load_text("schema_version: 1\nbase: " + world +
                                      "\nevents:\n  - {id: s, kind: secondary_sanctions, start: 2013-03, by: USA, "
                                      "target: RUS, intensity: 1.0, scope: firms, listed: {CHN: 30}}\n",
                                  "seeded.yaml");
  const Run a = run_spec(spec);
  const Run b = run_spec(spec);
  spec.seed += 1;
  const Run c = run_spec(spec);
  // Who the round designates, and what they lose, depend on the seed.
  const auto designations = [](const Run& r) {
    std::vector<double> all;
    for (std::size_t t = 0; t < r.out.records.size(); ++t)
      for (const char* name : {"penalties", "designation_loss"}) {
        const auto& p = r.at(name, t);
        all.insert(all.end(), p.begin(), p.end());
      }
    return all;
  };
  CHECK(designations(a) == designations(b));
  CHECK(designations(a) != designations(c));
}

TEST_CASE("a designation round designates the entities it lists whatever the number of agents, once",
          "[engine][designation]") {
  // RUS sells to CHN; CHN's importers are the third-country firms USA lists.
  // Two population sizes standing for the same 1,000 real firms per population.
  const auto run = [](int count) {
    const std::string n = std::to_string(count);
    return run_world_text(
        "firms:\n"
        "  - {state: CHN, sector: [crude, energy_other, metals_minerals, machinery_electronics, consumer_goods],\n"
        "     role: [exporter, importer], count: " + n + ", represents: 1000}\n"
        "  - {state: [RUS, IND, TUR, USA, EU, G7X, HKG, ARE, KAZ, ROW],\n"
        "     sector: [crude, energy_other, metals_minerals, machinery_electronics, consumer_goods],\n"
        "     role: [exporter, importer], count: 50}\n"
        "  - {state: TUR, sector: [machinery_electronics, consumer_goods], role: intermediary, count: 20,\n"
        "     capacity: 15}\n"
        "events:\n  - {id: r, kind: secondary_sanctions, start: 2014-06, by: USA, target: RUS, scope: firms,\n"
        "     intensity: 0.5, listed: {CHN: 20}}\n");
  };
  for (int count : {100, 400}) {
    INFO(count << " agents per population");
    const Run r = run(count);
    const std::size_t chn = r.state("CHN");
    const double per_agent = 1000.0 / count;
    double listed = 0, before = 0, after = 0;
    const int round = Month::from(2014, 6) - r.spec.start;
    for (std::size_t t = 0; t < r.out.records.size(); ++t)
      for (std::size_t k = 0; k < r.K(); ++k) {
        const double p = r.at("penalties", t)[chn * r.K() + k];
        (static_cast<int>(t) < round ? before : static_cast<int>(t) == round ? listed : after) += p;
      }
    CHECK(listed * per_agent == 20.0);
    CHECK(before == 0.0);
    CHECK(after == 0.0);  // no designations between rounds
  }
}

TEST_CASE("an embargo moves a sanctioned exporter's sales to the remaining buyers and raises its discount",
          "[engine][mechanism]") {
  const Run base = calm();
  const Run embargo = run_world_with(
      "  - {id: eu_ban, kind: import_ban, start: 2014-01, by: EU, target: RUS, sectors: [crude], intensity: 1.0}\n"
      "  - {id: us_ban, kind: import_ban, start: 2014-01, by: USA, target: RUS, sectors: [crude], intensity: 1.0}\n");
  const std::size_t S = base.S(), K = base.K();
  const std::size_t rus = base.state("RUS"), eu = base.state("EU"), usa = base.state("USA"), chn = base.state("CHN");
  const std::size_t crude = base.sector("crude");
  const auto sold_to_others = [&](const Run& r) {
    return r.yearly(2016, [&](std::size_t t) {
      const auto& tv = r.at("trade_value", t);
      double sum = 0;
      for (std::size_t i = 0; i < S; ++i)
        if (i != rus && i != eu && i != usa) sum += tv[(rus * S + i) * K + crude];
      return sum;
    });
  };
  const auto to_eu = [&](const Run& r) {
    return r.yearly(2016, [&](std::size_t t) { return r.at("trade_value", t)[(rus * S + eu) * K + crude]; });
  };
  const auto discount_to_china = [&](const Run& r) {
    return r.yearly(2016, [&](std::size_t t) { return r.at("discount", t)[(rus * S + chn) * K + crude]; });
  };
  CHECK(to_eu(embargo) < 1e-6 * to_eu(base));
  CHECK(sold_to_others(embargo) > 1.3 * sold_to_others(base));
  CHECK(discount_to_china(base) == 0.0);
  CHECK(discount_to_china(embargo) > 0.02);
}

TEST_CASE("higher enforcement raises the cautious share of high-exposure firms more than of low-exposure ones",
          "[engine][mechanism]") {
  const auto with_enforcement = [&](double intensity) {
    return run_world_with("  - {id: s, kind: secondary_sanctions, start: 2013-03, by: USA, target: RUS, "
                          "sectors: [machinery_electronics], scope: firms, intensity: " +
                          std::to_string(intensity) + "}\n");
  };
  const Run low = with_enforcement(0.2);
  const Run high = with_enforcement(1.0);
  const std::size_t chn = low.state("CHN"), machinery = low.sector("machinery_electronics");
  // Cautious share among Chinese machinery firms in an exposure band, at the
  // end-of-run snapshot (the same firms in both runs).
  const auto cautious = [&](const Run& r, double lo, double hi) {
    const auto& s = r.out.snapshots.back();
    double n = 0, c = 0;
    for (std::size_t i = 0; i < s.state.size(); ++i)
      if (s.state[i] == chn && s.sector[i] == machinery && s.exposure[i] >= lo && s.exposure[i] < hi) {
        n += 1;
        c += s.cautious[i];
      }
    REQUIRE(n > 20);
    return c / n;
  };
  const double rise_high = cautious(high, 0.45, 1.01) - cautious(low, 0.45, 1.01);
  const double rise_low = cautious(high, 0.0, 0.15) - cautious(low, 0.0, 0.15);
  INFO("rise among high-exposure firms " << rise_high << ", among low-exposure firms " << rise_low);
  CHECK(rise_high > 0.05);
  CHECK(rise_high > rise_low + 0.05);
}

TEST_CASE("blocking USD settlement shifts settlement to CNY and RUB", "[engine][mechanism]") {
  const Run base = calm();
  const Run blocked = run_world_with(
      "  - {id: usd, kind: financial_sanctions, start: 2014-01, by: USA, target: RUS, currencies: [USD], "
      "intensity: 1.0}\n");
  const std::size_t S = base.S(), C = base.C();
  const std::size_t rus = base.state("RUS"), chn = base.state("CHN");
  const auto share = [&](const Run& r, const std::string& code) {
    return r.yearly(2016, [&](std::size_t t) {
      return r.at("settlement_share", t)[(rus * S + chn) * C + r.currency(code)];
    });
  };
  CHECK(share(blocked, "USD") < 0.01);
  CHECK(share(blocked, "CNY") > share(base, "CNY") + 0.1);
  // The open channels share USD's place in proportion to their weights
  // (logit): RUB's small share grows by about the same factor as CNY's.
  INFO("USD's share before " << share(base, "USD"));
  CHECK(share(blocked, "RUB") > 1.5 * share(base, "RUB"));
  CHECK(share(blocked, "RUB") / share(base, "RUB") == Approx(share(blocked, "CNY") / share(base, "CNY")).epsilon(0.2));
}

TEST_CASE("a bank withdrawal raises the backlog, then payment agents take part of the flow within their lag",
          "[engine][mechanism]") {
  const Run base = calm();
  const Run withdrawn = run_world_with(
      "  - {id: w, kind: bank_withdrawal, start: 2014-01, by: CHN, target: RUS, intensity: 0.8}\n");
  const std::size_t S = base.S(), K = base.K();
  const std::size_t rus = base.state("RUS"), chn = base.state("CHN");
  const auto step_of = [&](int year, int month) {
    for (std::size_t t = 0; t < base.out.records.size(); ++t)
      if (base.out.records[t].month.year() == year && base.out.records[t].month.month() == month) return t;
    FAIL("no step " << year << "-" << month);
    return std::size_t{0};
  };
  const auto pair = [&](const Run& r, const char* var, std::size_t t) { return r.at(var, t)[rus * S + chn]; };
  const auto bilateral = [&](const Run& r) {
    return r.yearly(2014, [&](std::size_t t) {
      const auto& tv = r.at("trade_value", t);
      double sum = 0;
      for (std::size_t k = 0; k < K; ++k) sum += tv[(rus * S + chn) * K + k] + tv[(chn * S + rus) * K + k];
      return sum;
    });
  };
  const std::size_t start = step_of(2014, 1), later = step_of(2014, 12);
  const double lag = base.spec.params.payments.alternative_lag;
  REQUIRE(lag <= 6);
  // Without the withdrawal nothing waits and nothing is paid above normal.
  CHECK(pair(base, "payment_backlog", later) == 0.0);
  CHECK(pair(base, "payment_fee", later) == 0.0);
  // The month it starts, the remaining 20 % of China's banks take at most
  // twice their share (willing_bank_capacity 2), and agents one lag's part
  // of the refused 60 % (about: the withdrawal draws banks, not size).
  CHECK(pair(withdrawn, "payment_availability", start) < 0.4 + 0.6 / lag + 0.05);
  CHECK(pair(withdrawn, "payment_backlog", start) > 0.0);
  CHECK(pair(withdrawn, "alternative_payments", start) == Approx(0.6 / lag).epsilon(0.1));
  // Eleven months later (about three lags) agents and netting carry most of
  // the refused 60 %, at their fees, and the backlog has fallen.
  CHECK(pair(withdrawn, "alternative_payments", later) > 0.5);
  CHECK(pair(withdrawn, "payment_fee", later) > 0.0);
  CHECK(pair(withdrawn, "payment_backlog", later) < 0.5 * pair(withdrawn, "payment_backlog", start + 1));
  // Fees, waiting and failed payments cost trade.
  CHECK(bilateral(withdrawn) < 0.97 * bilateral(base));
}

namespace {

/// State `code`'s real exchange rate at 1 to 2013-12, `level` from 2014-06.
std::string currency_falls(const std::string& code, double level) {
  return "  - {code: " + code + ", exchange_rate_revenue_elasticity: 0, real_exchange_rate: [[2013-12, 1.0], [2014-06, " +
         std::to_string(level) + "]]}\n";
}

}  // namespace

TEST_CASE("a weaker currency lowers the state's imports by its exchange rate elasticity", "[engine][mechanism]") {
  const std::string fall = "states:\n" + currency_falls("RUS", 0.6);
  const Run inert = run_world_text(fall + "parameters: {orders: {exchange_rate_elasticity: 0}}\n");
  const Run elastic = run_world_text(fall + "parameters: {orders: {exchange_rate_elasticity: 1}}\n");
  const std::size_t S = inert.S(), K = inert.K(), rus = inert.state("RUS");
  const auto imports = [&](const Run& r, int year) {
    return r.yearly(year, [&](std::size_t t) {
      const auto& tv = r.at("trade_value", t);
      double sum = 0;
      for (std::size_t j = 0; j < S; ++j)
        for (std::size_t k = 0; k < K; ++k) sum += tv[(j * S + rus) * K + k];
      return sum;
    });
  };
  CHECK(imports(elastic, 2013) == Approx(imports(inert, 2013)).epsilon(0.02));
  // Demand falls by 0.6^1; lower imports also lower the importers' price
  // index a little, which pulls some demand back.
  const double ratio = imports(elastic, 2016) / imports(inert, 2016);
  CHECK(ratio > 0.5);
  CHECK(ratio < 0.7);
}

TEST_CASE("an observed import path is the sector's volume: a weaker currency does not scale it again",
          "[engine][mechanism]") {
  // The test world keeps the baseline's path of China's crude import volumes.
  const std::string fall = "states:\n" + currency_falls("CHN", 0.6);
  const Run inert = run_world_text(fall + "parameters: {orders: {exchange_rate_elasticity: 0}}\n");
  const Run elastic = run_world_text(fall + "parameters: {orders: {exchange_rate_elasticity: 1}}\n");
  const std::size_t S = inert.S(), K = inert.K(), chn = inert.state("CHN");
  const auto imports = [&](const Run& r, std::size_t k) {
    return r.yearly(2016, [&](std::size_t t) {
      const auto& tv = r.at("trade_value", t);
      double sum = 0;
      for (std::size_t j = 0; j < S; ++j) sum += tv[(j * S + chn) * K + k];
      return sum;
    });
  };
  const std::size_t crude = inert.sector("crude"), machinery = inert.sector("machinery_electronics");
  CHECK(imports(elastic, crude) == Approx(imports(inert, crude)).epsilon(0.02));
  const double ratio = imports(elastic, machinery) / imports(inert, machinery);
  CHECK(ratio > 0.5);
  CHECK(ratio < 0.7);
}

TEST_CASE("a state's own income elasticity replaces the common one for its imports", "[engine][mechanism]") {
  // Russia's export revenue falls by about a third in 2015-2016 with oil.
  const std::string common = "parameters: {orders: {income_elasticity: 1}}\n";
  const Run shared = run_world_text(common);
  const Run same = run_world_text(common + "states:\n  - {code: RUS, income_elasticity: 1}\n");
  const Run own = run_world_text(common + "states:\n  - {code: RUS, income_elasticity: 0}\n");
  const std::size_t S = own.S(), rus = own.state("RUS");
  const auto imports = [&](const Run& r) {
    return r.yearly(2016, [&](std::size_t t) {
      double sum = 0;
      for (std::size_t j = 0; j < S; ++j) sum += r.exports(t, j, rus);
      return sum;
    });
  };
  CHECK(imports(same) == imports(shared));
  CHECK(imports(own) > 1.5 * imports(shared));
}

TEST_CASE("an importer's own basket price values its imports of the sector, not their volume", "[engine][mechanism]") {
  // energy_other's world index is 1 in 2013-01 and about 0.5 in mid-2016.
  const Run world_priced = calm();
  const Run own = run_world_text("states:\n  - {code: CHN, import_price: {energy_other: [[2013-01, 2.0]]}}\n");
  const std::size_t S = own.S(), K = own.K(), chn = own.state("CHN"), energy = own.sector("energy_other");
  const auto& a = world_priced.at("trade_value", 0);
  const auto& b = own.at("trade_value", 0);
  for (std::size_t j = 0; j < S; ++j)
    for (std::size_t i = 0; i < S; ++i)
      for (std::size_t k = 0; k < K; ++k) {
        const std::size_t x = (j * S + i) * K + k;
        CHECK(b[x] == (i == chn && k == energy ? 2 * a[x] : a[x]));
      }
  // Later the volumes are (nearly) the same and the values follow the two prices.
  const std::size_t june_2016 = 41;
  const auto chn_energy = [&](const Run& r) {
    double sum = 0;
    for (std::size_t j = 0; j < S; ++j) sum += r.at("trade_value", june_2016)[(j * S + chn) * K + energy];
    return sum;
  };
  const double world_index = world_priced.at("world_price", june_2016)[energy];
  CHECK(chn_energy(own) == Approx(chn_energy(world_priced) * 2.0 / world_index).epsilon(0.03));
}

TEST_CASE("an exporter's weaker currency raises its share of buyers' imports by the sector's pass-through",
          "[engine][mechanism]") {
  const std::string fall = "states:\n" + currency_falls("CHN", 0.8);
  const auto pass = [](double x) {
    const std::string v = std::to_string(x);
    return "sectors:\n  - {code: machinery_electronics, exchange_rate_pass_through: " + v +
           "}\n  - {code: consumer_goods, exchange_rate_pass_through: " + v + "}\n";
  };
  const Run none = run_world_text(fall + pass(0.0));
  const Run full = run_world_text(fall + pass(1.0));
  const std::size_t S = none.S(), K = none.K(), rus = none.state("RUS"), chn = none.state("CHN");
  const std::size_t machinery = none.sector("machinery_electronics"), crude = none.sector("crude");
  const auto china_share = [&](const Run& r, std::size_t k) {
    return r.yearly(2016, [&](std::size_t t) {
      const auto& tv = r.at("trade_value", t);
      double all = 0;
      for (std::size_t j = 0; j < S; ++j) all += tv[(j * S + rus) * K + k];
      return all > 0 ? tv[(chn * S + rus) * K + k] / all : 0.0;
    });
  };
  // Cheaper by 20 % at a substitution elasticity of 3: a clearly larger share.
  // CES alone, from China's share s = 16 % (2016 without pass-through), gives
  // at most 0.8^-2 / (1 + s (0.8^-2 - 1)) = 1.43x; buyers review 15 % of their
  // mix a month and keep their relationships, so 2016 shows less (1.197 on the
  // baseline's 2013 import mix, 1.2+ before Russia's import affinities).
  CHECK(china_share(full, machinery) > 1.15 * china_share(none, machinery));
  // Crude keeps its pass-through of 0 (world-priced): China's purchases of
  // Russian crude move only through China's income (its exports gain), by a
  // few percent, far less than the machinery share.
  const auto crude_sales = [&](const Run& r) {
    return r.yearly(2016, [&](std::size_t t) { return r.at("trade_value", t)[(rus * S + chn) * K + crude]; });
  };
  CHECK(crude_sales(full) == Approx(crude_sales(none)).epsilon(0.1));
}

namespace {

/// The baseline to 2027-12 with `seed` and Russia's exchange_rate_revenue_elasticity
/// at its baseline value or 0; with `cheap_oil`, the crude price 30 % lower
/// from 2025-01 (the path to 2024-12 kept, every later point times 0.7);
/// `demand_elasticity`, if given, replaces parameters.orders.exchange_rate_elasticity.
/// Each combination is run once per test process.
const Run& oil_run(std::uint64_t seed, bool cheap_oil, bool exchange_rate_follows_revenue,
                   const std::string& demand_elasticity = "") {
  static std::map<std::tuple<std::uint64_t, bool, bool, std::string>, Run> runs;
  const auto key = std::make_tuple(seed, cheap_oil, exchange_rate_follows_revenue, demand_elasticity);
  if (const auto it = runs.find(key); it != runs.end()) return it->second;
  std::string yaml = "schema_version: 1\nbase: " + baseline + "\nhorizon: {start: 2013-01, end: 2027-12}\nseed: " +
                     std::to_string(seed) + "\n";
  if (cheap_oil) {
    const auto spec = scenario::load_file(baseline);
    const auto& pts = spec.sectors[index(*model::find_sector(spec, "crude"))].price.points;
    const Month last_kept = Month::from(2024, 12), first_cheap = Month::from(2025, 1);
    std::ostringstream path;
    path.precision(17);
    const auto add = [&](Month m, double v) { path << (path.tellp() > 0 ? ", [" : "[") << m.str() << ", " << v << "]"; };
    for (std::size_t p = 0; p < pts.size(); ++p) {
      if (pts[p].month <= last_kept) {
        add(pts[p].month, pts[p].value);
      } else {
        if (pts[p - 1].month < first_cheap && pts[p].month > first_cheap) {  // the path's value in 2025-01
          const double f = double(first_cheap - pts[p - 1].month) / double(pts[p].month - pts[p - 1].month);
          add(first_cheap, 0.7 * (pts[p - 1].value + f * (pts[p].value - pts[p - 1].value)));
        }
        add(pts[p].month, 0.7 * pts[p].value);
      }
    }
    yaml += "sectors:\n  - {code: crude, price: [" + path.str() + "]}\n";
  }
  if (!demand_elasticity.empty())
    yaml += "parameters: {orders: {exchange_rate_elasticity: " + demand_elasticity + "}}\n";
  if (!exchange_rate_follows_revenue) yaml += "states:\n  - {code: RUS, exchange_rate_revenue_elasticity: 0}\n";
  return runs.emplace(key, run_spec(scenario::load_text(yaml, "oil.yaml"))).first->second;
}

/// Russia's imports, USD per month, mean over 2026-2027.
double russian_imports(const Run& r) {
  const std::size_t rus = r.state("RUS");
  return r.mean_over(2026, 2027, [&](std::size_t t) {
    double sum = 0;
    for (std::size_t j = 0; j < r.S(); ++j) sum += r.exports(t, j, rus);
    return sum;
  });
}

}  // namespace

TEST_CASE("the exchange rate's response to revenue leaves every output unchanged to the path's last point",
          "[engine][mechanism]") {
  const Run& follows = oil_run(1, false, true);
  const Run& fixed = oil_run(1, false, false);
  REQUIRE(follows.spec.states[follows.state("RUS")].exchange_rate_revenue_elasticity > 0);
  const Month last = follows.spec.states[follows.state("RUS")].real_exchange_rate.points.back().month;
  REQUIRE(last == Month::from(2024, 11));
  for (std::size_t t = 0; t < follows.out.records.size(); ++t) {
    if (follows.out.records[t].month > last) break;
    for (std::size_t v = 0; v < engine::variables().size(); ++v) {
      INFO(engine::variables()[v].name << " at step " << t);
      REQUIRE(follows.out.records[t].values[v] == fixed.out.records[t].values[v]);
    }
  }
  const std::size_t rus = follows.state("RUS");
  const auto rate = [&](const Run& r) { return r.yearly(2026, [&](std::size_t t) { return r.at("real_exchange_rate", t)[rus]; }); };
  CHECK(rate(fixed) == Approx(0.528));
  CHECK(rate(follows) != Approx(0.528));
}

TEST_CASE("cheaper oil lowers Russia's imports more when its exchange rate follows its export revenue",
          "[engine][mechanism]") {
  // The oil price cuts Russia's income (2026-2027) by about 9 %, so the
  // ruble by about 4 % (elasticity 0.465). At the baseline's import demand
  // elasticity to the rate (0.095) that adds about 0.4 points to a drop of
  // about 2 %, less than the seed-to-seed spread of the drop (about 0.5
  // points; docs/ODD.md 7.2 reports it), so the test raises that elasticity
  // to 1 (about 4 points added) to see the channel's sign on every seed.
  // Paired seeds: each seed's four runs share their random streams.
  double drop_follows = 0, drop_fixed = 0;
  constexpr int seeds = 5;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    INFO("seed " << seed);
    const auto drop = [&](bool follows) {
      return 1 - russian_imports(oil_run(seed, true, follows, "1")) / russian_imports(oil_run(seed, false, follows, "1"));
    };
    const double follows = drop(true), fixed = drop(false);
    CHECK(fixed > 0.01);       // the income channel alone
    CHECK(follows > fixed);    // the exchange rate adds to it
    drop_follows += follows / seeds;
    drop_fixed += fixed / seeds;
  }
  CHECK(drop_follows > drop_fixed + 0.02);
  CHECK(drop_follows < 4 * drop_fixed);
}

namespace {

/// Keeps a run's records and its checkpoint, as a file would hold it.
class CheckpointKeeper final : public engine::Observer {
 public:
  void begin(const engine::RunInfo&) override {}
  void record(engine::StepRecord&& r) override { records.push_back(std::move(r)); }
  void checkpoint(const engine::Checkpoint& c) override {
    stored.file = "kept.h5";
    stored.step = c.step;
    stored.month = c.month;
    stored.seed = c.seed;
    stored.run = c.run;
    for (const auto& a : c.arrays) {
      const auto* bytes = static_cast<const unsigned char*>(a.data);
      stored.arrays.push_back({a.name, a.type, {bytes, bytes + a.count * engine::size_of(a.type)}});
    }
  }
  void end(const engine::RunSummary&) override {}

  std::vector<engine::StepRecord> records;
  engine::StoredCheckpoint stored;
};

const std::string fork_base = source_dir + "/tests/data/fork_base.yaml";

engine::RunOptions options_for(const model::ScenarioSpec& spec, engine::Backend backend, int threads) {
  engine::RunOptions o;
  o.backend = backend;
  o.threads = threads;
  o.seed = spec.seed;
  o.check = true;
  return o;
}

/// A run of fork_base.yaml that stores a checkpoint after 2014-12 (step 23).
CheckpointKeeper checkpointed(const model::ScenarioSpec& spec) {
  CheckpointKeeper kept;
  auto options = options_for(spec, engine::Backend::tbb, 2);
  options.checkpoint_at = Month::from(2014, 12);
  engine::run(spec, options, kept);
  return kept;
}

}  // namespace

TEST_CASE("a run resumed from its checkpoint records the months after it exactly as the full run", "[engine][fork]") {
  const auto spec = scenario::load_file(fork_base);
  const auto full = checkpointed(spec);
  REQUIRE(full.stored.step == 23);
  REQUIRE(full.stored.month == Month::from(2014, 12));
  CheckpointKeeper resumed;
  auto options = options_for(spec, engine::Backend::serial, 1);
  options.resume = &full.stored;
  engine::run(spec, options, resumed);
  REQUIRE(resumed.records.size() == full.records.size() - 24);
  for (std::size_t t = 0; t < resumed.records.size(); ++t) {
    const auto& a = resumed.records[t];
    const auto& b = full.records[t + 24];
    REQUIRE(a.month == b.month);
    for (std::size_t v = 0; v < a.values.size(); ++v)
      REQUIRE(std::memcmp(a.values[v].data(), b.values[v].data(), a.values[v].size() * sizeof(double)) == 0);
  }
}

TEST_CASE("a checkpoint holds every array of the state once, with its size", "[engine][fork]") {
  const auto kept = checkpointed(scenario::load_file(fork_base));
  std::map<std::string, std::size_t> bytes;
  for (const auto& a : kept.stored.arrays) bytes[a.name] = a.bytes.size();
  CHECK(bytes.size() == kept.stored.arrays.size());
  CHECK(bytes.size() == 85);
  CHECK(bytes.at("firms.belief") == bytes.at("firms.size"));
  CHECK(bytes.at("network.order") == bytes.at("network.weight") / 2);  // a float against a double
  CHECK(bytes.at("network.relationship") == bytes.at("network.weight") / 4);  // 16 bits against a double
}

TEST_CASE("restoring refuses a checkpoint whose arrays do not fit the world, naming the array", "[engine][fork]") {
  const auto spec = scenario::load_file(fork_base);
  auto kept = checkpointed(spec);
  auto options = options_for(spec, engine::Backend::serial, 1);
  CheckpointKeeper out;

  auto shorter = kept.stored;
  for (auto& a : shorter.arrays)
    if (a.name == "firms.belief") a.bytes.resize(a.bytes.size() - 8);
  options.resume = &shorter;
  CHECK_THROWS_WITH(engine::run(spec, options, out),
                    Catch::Contains("kept.h5: checkpoint/firms.belief: holds") &&
                        Catch::Contains("values of another layout than the") && Catch::Contains("the checkpoint is of another world"));

  auto moved = kept.stored;
  for (auto& a : moved.arrays)
    if (a.name == "firms.state") a.bytes[0] ^= 1;
  options.resume = &moved;
  CHECK_THROWS_WITH(engine::run(spec, options, out),
                    "kept.h5: checkpoint/firms.state: differs from the world the scenario builds: the checkpoint is of "
                    "another world");

  auto extra = kept.stored;
  extra.arrays.push_back({"firms.mood", engine::ValueType::f64, {}});
  options.resume = &extra;
  CHECK_THROWS_WITH(engine::run(spec, options, out),
                    "kept.h5: checkpoint/firms.mood: is not part of this geosim's state: the checkpoint was written by "
                    "another version of geosim");

  auto missing = kept.stored;
  missing.arrays.erase(missing.arrays.begin());
  options.resume = &missing;
  CHECK_THROWS_WITH(engine::run(spec, options, out), Catch::Contains("checkpoint/firms.state: is missing"));
}
