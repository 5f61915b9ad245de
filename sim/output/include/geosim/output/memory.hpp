#pragma once
// A run kept in memory instead of a file: the same variables, coordinates
// and attributes as the HDF5 writer's (both take them from layout.hpp), for
// callers that want arrays, such as the Python module's geosim.run.
#include <memory>
#include <string>
#include <vector>

#include "geosim/engine/observer.hpp"
#include "geosim/output/layout.hpp"

namespace geosim::output {

/// One variable of a run in memory: a dense row-major array over `dims`.
struct MemoryVariable {
  std::string name;
  std::vector<std::string> dims;
  std::vector<std::size_t> shape;
  Attributes attributes;  ///< without _FillValue (NaN, as in the file)
  std::vector<double> values;
};

/// A dimension's string labels and their attributes.
struct MemoryLabels {
  std::string dim;
  std::vector<std::string> labels;
  Attributes attributes;
};

/// The run as the file holds it (without the per-firm snapshots).
struct MemoryRun {
  Attributes attributes;  ///< global attributes
  std::vector<double> time;
  Attributes time_attributes;
  MemoryVariable time_bounds;
  std::vector<MemoryLabels> labels;  ///< state, partner, sector, currency[, route]
  std::vector<MemoryVariable> variables;  ///< catalogue order
};

/// An observer that fills a MemoryRun. Steps never recorded (a cancelled
/// run) stay NaN, as in a file.
class MemoryWriter final : public engine::Observer {
 public:
  /// `history` as WriterOptions::history.
  explicit MemoryWriter(std::string history = {}) : history_(std::move(history)) {}

  void begin(const engine::RunInfo& info) override;
  void record(engine::StepRecord&& record) override;
  void end(const engine::RunSummary& summary) override;

  /// The run so far; complete after end().
  MemoryRun& run() noexcept { return run_; }

 private:
  std::string history_;
  MemoryRun run_;
  std::vector<std::size_t> rows_;  ///< values per step of each variable
  std::size_t steps_ = 0;
  std::size_t recorded_ = 0;
};

}  // namespace geosim::output
