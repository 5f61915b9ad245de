#pragma once
// A tiny run for the output tests: 3 states, 2 sectors, 2 currencies, 5 months
// from 2020-01, a handful of variables with values that encode their position,
// and one firm snapshot. Shared by output_test.cpp and write_sample_output.cpp
// (whose file tests/python/test_output_format.py reads with xarray).
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "geosim/engine/observer.hpp"
#include "geosim/model/spec.hpp"
#include "geosim/output/hdf5.hpp"

namespace geosim::sample {

using engine::Dim;

inline constexpr int steps = 5;
inline constexpr std::uint64_t seed = 42;
inline constexpr std::uint32_t run = 3;
inline constexpr int snapshot_step = 2;  // 2020-03

inline model::ScenarioSpec spec() {
  model::ScenarioSpec s;
  s.name = "sample";
  s.description = "three states, two sectors";
  s.start = Month::from(2020, 1);
  s.end = Month::from(2020, 5);
  s.seed = seed;
  s.resolved_yaml = "schema_version: 1\nname: sample\nstates: [RUS, CHN, TÜR]\n";
  for (const char* code : {"RUS", "CHN", "TÜR"}) {
    model::StateSpec st;
    st.code = code;
    st.name = code;
    s.states.push_back(st);
  }
  model::SectorSpec crude;
  crude.code = "crude";
  crude.price_unit = "USD/bbl";
  crude.energy = true;
  model::SectorSpec chips;
  chips.code = "chips";
  s.sectors = {crude, chips};
  model::CurrencySpec usd;
  usd.code = "USD";
  model::CurrencySpec cny;
  cny.code = "CNY";
  s.currencies = {usd, cny};
  s.snapshots = {Month::from(2020, 3)};
  return s;
}

inline std::vector<engine::VariableInfo> variables() {
  return {
      {"trade_share", "1", "share of the partner in the state's exports", {Dim::time, Dim::state, Dim::partner}},
      {"energy_revenue", "USD month-1", "energy export revenue", {Dim::time, Dim::state}},
      {"discount", "1", "discount on exports, fraction of world price",
       {Dim::time, Dim::state, Dim::partner, Dim::sector}},
      {"dual_use_trade", "USD month-1", "dual-use exports by route", {Dim::time, Dim::state, Dim::partner, Dim::route}},
      {"world_price", "price_unit", "world reference price", {Dim::time, Dim::sector}},
      {"settlement_share", "1", "share of trade settled in each currency",
       {Dim::time, Dim::state, Dim::partner, Dim::currency}},
  };
}

inline std::vector<std::size_t> dim_sizes() { return {steps, 3, 3, 2, 2, 2}; }

/// Scale of each variable, so that headline numbers look like the real thing.
inline double scale(std::size_t var) {
  switch (var) {
    case 1: return 1e9 / 12.0;  // energy_revenue: annualises to the raw code, USD bn/yr
    case 0:
    case 2:
    case 5: return 1e-4;        // shares and discounts
    default: return 1.0;
  }
}

/// Value of variable `var` at step t and flat (row-major, without time) index i.
inline double value(std::size_t var, std::size_t t, std::size_t i) {
  return (static_cast<double>(var) * 1000.0 + static_cast<double>(t) * 100.0 + static_cast<double>(i) + 0.25) *
         scale(var);
}

inline std::size_t row_size(const engine::VariableInfo& v) {
  std::size_t n = 1;
  const auto sizes = dim_sizes();
  for (std::size_t k = 1; k < v.dims.size(); ++k) n *= sizes[static_cast<std::size_t>(v.dims[k])];
  return n;
}

inline engine::StepRecord record(const model::ScenarioSpec& s, const std::vector<engine::VariableInfo>& vars, int t) {
  engine::StepRecord r;
  r.step = t;
  r.month = s.start + t;
  for (std::size_t v = 0; v < vars.size(); ++v) {
    std::vector<double> row(row_size(vars[v]));
    for (std::size_t i = 0; i < row.size(); ++i) row[i] = value(v, static_cast<std::size_t>(t), i);
    r.values.push_back(std::move(row));
  }
  return r;
}

/// Firm columns of the snapshot.
struct Firms {
  std::vector<std::uint16_t> state{0, 0, 1, 2};
  std::vector<std::uint16_t> sector{0, 1, 0, 1};
  std::vector<std::uint8_t> role{0, 0, 1, 2};
  std::vector<double> size{1.5, 0.5, 2.0, 1.0};
  std::vector<double> exposure{0.1, 0.2, 0.3, 0.4};
  std::vector<std::uint8_t> cautious{0, 1, 0, 1};
  std::vector<double> trade{1e6, 2e6, 3e6, 4e6};
};

/// Runs the sample through a writer at `path`: begin, `recorded` steps (all by
/// default), the snapshot of `firms`, end. The snapshot's columns are
/// overwritten once the writer has returned from snapshot(), as the engine's
/// are when the run goes on: the file must hold the values as they were.
inline void write(const std::string& path, int time_chunk, int threads = 1, int recorded = steps,
                  int compression = 4, Firms f = {},
                  std::size_t pending_bytes = output::WriterOptions{}.pending_bytes) {
  const auto s = spec();
  const auto vars = variables();
  output::WriterOptions options;
  options.path = path;
  options.time_chunk = time_chunk;
  options.compression = compression;
  options.pending_bytes = pending_bytes;
  auto writer = output::make_hdf5_writer(options);
  engine::RunInfo info;
  info.spec = &s;
  info.seed = seed;
  info.run = run;
  info.threads = threads;
  info.variables = vars;
  info.dim_sizes = dim_sizes();
  writer->begin(info);
  for (int t = 0; t < recorded; ++t) {
    writer->record(record(s, vars, t));
    if (t == snapshot_step) {
      engine::FirmSnapshot snap;
      snap.step = t;
      snap.month = s.start + t;
      snap.state = f.state;
      snap.sector = f.sector;
      snap.role = f.role;
      snap.size = f.size;
      snap.exposure = f.exposure;
      snap.cautious = f.cautious;
      snap.trade = f.trade;
      writer->snapshot(snap);
      for (auto* c : {&f.size, &f.exposure, &f.trade}) std::fill(c->begin(), c->end(), -1.0);
      std::fill(f.state.begin(), f.state.end(), std::uint16_t{999});
    }
  }
  writer->end(engine::RunSummary{1.5, recorded});
}

}  // namespace geosim::sample
