#include "geosim/engine/check.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace geosim::engine {

namespace {

/// Shortest text that reads back as `v`: "0.93", not "0.93000000000000005".
std::string number(double v) {
  if (std::isnan(v)) return "nan";  // printf gives "-nan" for some
  char buf[40];
  for (int precision : {6, 15, 16, 17}) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (!std::isfinite(v) || std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

}  // namespace

CheckError::CheckError(int step, Month month, std::string variable, std::string labels, const std::string& problem)
    : std::runtime_error("model check failed at step " + std::to_string(step) + " (" + month.str() + "): " + variable +
                         (labels.empty() ? "" : "[" + labels + "]") + ": " + problem),
      step_(step),
      month_(month),
      variable_(std::move(variable)),
      labels_(std::move(labels)) {}

void CheckingObserver::begin(const RunInfo& info) {
  variables_.assign(info.variables.begin(), info.variables.end());
  labels_.assign(std::size(all_dims), {});
  const auto codes = [](const auto& items) {
    std::vector<std::string> out;
    for (const auto& x : items) out.push_back(x.code);
    return out;
  };
  if (info.spec) {
    labels_[static_cast<std::size_t>(Dim::state)] = codes(info.spec->states);
    labels_[static_cast<std::size_t>(Dim::partner)] = codes(info.spec->states);
    labels_[static_cast<std::size_t>(Dim::sector)] = codes(info.spec->sectors);
    labels_[static_cast<std::size_t>(Dim::currency)] = codes(info.spec->currencies);
  }
  labels_[static_cast<std::size_t>(Dim::route)].assign(std::begin(route_labels), std::end(route_labels));
  // A dimension without labels (no spec) is named by index.
  for (std::size_t d = 1; d < labels_.size() && d < info.dim_sizes.size(); ++d)
    for (std::size_t i = labels_[d].size(); i < info.dim_sizes[d]; ++i) labels_[d].push_back(std::to_string(i));
  inner_.begin(info);
}

void CheckingObserver::record(StepRecord&& record) {
  check(record);
  inner_.record(std::move(record));
}

void CheckingObserver::check(const StepRecord& r) const {
  const auto fail = [&](const VariableInfo& v, std::string labels, const std::string& problem) {
    throw CheckError(r.step, r.month, v.name, std::move(labels), problem);
  };
  if (r.values.size() != variables_.size())
    throw CheckError(r.step, r.month, "record", "",
                     "holds " + std::to_string(r.values.size()) + " variables, expected " +
                         std::to_string(variables_.size()));
  for (std::size_t v = 0; v < variables_.size(); ++v) {
    const VariableInfo& var = variables_[v];
    const std::vector<double>& values = r.values[v];
    // Sizes of the dims without time; the last one is what shares sum over.
    std::vector<std::size_t> sizes;
    std::size_t count = 1;
    for (std::size_t d = 1; d < var.dims.size(); ++d) {
      sizes.push_back(labels_[static_cast<std::size_t>(var.dims[d])].size());
      count *= sizes.back();
    }
    if (values.size() != count)
      fail(var, "", "holds " + std::to_string(values.size()) + " values, expected " + std::to_string(count));
    // "state=RUS, partner=CHN, sector=crude" for flat index i over the first `dims` dims.
    const auto labels = [&](std::size_t i, std::size_t dims) {
      std::vector<std::string> parts(dims);
      std::size_t rest = i;
      for (std::size_t d = sizes.size(); d-- > 0;) {
        const std::size_t at = rest % sizes[d];
        rest /= sizes[d];
        if (d < dims) {
          const Dim dim = var.dims[d + 1];
          parts[d] = std::string(to_string(dim)) + "=" + labels_[static_cast<std::size_t>(dim)][at];
        }
      }
      std::string out;
      for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
      return out;
    };
    const Invariant inv = var.invariant;
    const bool shares = inv == Invariant::share || inv == Invariant::shares_sum_to_one;
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double x = values[i];
      if (!std::isfinite(x)) fail(var, labels(i, sizes.size()), number(x) + " is not finite");
      if (inv == Invariant::non_negative && x < 0)
        fail(var, labels(i, sizes.size()), number(x) + " is negative; expected a value >= 0");
      if (shares && (x < -check_tolerance || x > 1 + check_tolerance))
        fail(var, labels(i, sizes.size()),
             number(x) + " is outside [0, 1] (tolerance " + number(check_tolerance) + ")");
    }
    if (inv != Invariant::shares_sum_to_one || sizes.empty()) continue;
    const std::size_t n = sizes.back();
    for (std::size_t row = 0; row * n < values.size(); ++row) {
      double sum = 0;
      for (std::size_t k = 0; k < n; ++k) sum += values[row * n + k];
      if (sum != 0 && std::abs(sum - 1) > check_tolerance)
        fail(var, labels(row * n, sizes.size() - 1),
             "the shares over " + std::string(to_string(var.dims.back())) + " sum to " + number(sum) +
                 "; expected 1 (tolerance " + number(check_tolerance) + ") or all 0");
    }
  }
}

}  // namespace geosim::engine
