#include "geosim/output/memory.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace geosim::output {

using engine::Dim;

void MemoryWriter::begin(const engine::RunInfo& info) {
  if (info.spec == nullptr || info.dim_sizes.size() != std::size(engine::all_dims))
    throw std::logic_error("MemoryWriter::begin: RunInfo without spec or dim_sizes");
  const auto& spec = *info.spec;
  const auto size_of = [&](Dim d) { return info.dim_sizes[static_cast<std::size_t>(d)]; };
  steps_ = size_of(Dim::time);
  run_ = {};
  run_.attributes = run_attributes(info, history_);
  run_.time = time_values(spec.start, steps_);
  run_.time_attributes = time_attributes(spec.start, true);
  run_.time_bounds = {time_bounds_name, {"time", bounds_dim_name}, {steps_, 2}, time_bounds_attributes(),
                      time_bounds(spec.start, steps_)};

  // The same dimensions as the file: the four always there, route when used.
  bool route_used = false;
  for (const auto& v : info.variables)
    for (Dim d : v.dims) route_used = route_used || d == Dim::route;
  std::vector<std::string> states, sectors, currencies, routes;
  for (const auto& s : spec.states) states.push_back(s.code);
  for (const auto& s : spec.sectors) sectors.push_back(s.code);
  for (const auto& c : spec.currencies) currencies.push_back(c.code);
  for (const char* r : engine::route_labels) routes.emplace_back(r);
  for (Dim d : engine::all_dims) {
    if (d == Dim::time || (d == Dim::route && !route_used)) continue;
    const auto& labels = d == Dim::sector ? sectors : d == Dim::currency ? currencies : d == Dim::route ? routes : states;
    run_.labels.push_back({engine::to_string(d), labels, {{"long_name", std::string(dim_long_name(d))}}});
  }

  rows_.clear();
  for (const auto& vi : info.variables) {
    MemoryVariable v{vi.name, {}, {}, variable_attributes(vi), {}};
    std::size_t row = 1;
    for (Dim d : vi.dims) {
      v.dims.emplace_back(engine::to_string(d));
      v.shape.push_back(size_of(d));
      if (d != Dim::time) row *= size_of(d);
    }
    v.values.assign(steps_ * row, std::numeric_limits<double>::quiet_NaN());
    rows_.push_back(row);
    run_.variables.push_back(std::move(v));
  }
  recorded_ = 0;
}

void MemoryWriter::record(engine::StepRecord&& record) {
  if (recorded_ >= steps_ || record.values.size() != run_.variables.size())
    throw std::logic_error("MemoryWriter::record: more steps than the time dimension, or wrong number of variables");
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    if (record.values[i].size() != rows_[i])
      throw std::logic_error("MemoryWriter::record: variable '" + run_.variables[i].name + "' has the wrong number of values");
    std::copy(record.values[i].begin(), record.values[i].end(),
              run_.variables[i].values.begin() + static_cast<std::ptrdiff_t>(recorded_ * rows_[i]));
  }
  ++recorded_;
}

void MemoryWriter::end(const engine::RunSummary& summary) {
  for (auto& a : end_attributes(summary)) run_.attributes.push_back(std::move(a));
}

}  // namespace geosim::output
