#pragma once
// What the engine shows to the outside: a catalogue of output variables, one
// record per step, optional per-firm snapshots. Output back-ends (HDF5 in
// module output) implement Observer; the engine never sees a file format.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "geosim/core/month.hpp"
#include "geosim/engine/checkpoint.hpp"
#include "geosim/model/spec.hpp"

namespace geosim::engine {

/// Named dimensions of the output. partner has the labels of state.
enum class Dim : std::uint8_t { time, state, partner, sector, currency, route };

/// The dimension's name in output files ("time", "state", ...).
constexpr const char* to_string(Dim d) noexcept {
  switch (d) {
    case Dim::time: return "time";
    case Dim::state: return "state";
    case Dim::partner: return "partner";
    case Dim::sector: return "sector";
    case Dim::currency: return "currency";
    case Dim::route: return "route";
  }
  return "?";
}

/// Every dimension, in the order above.
inline constexpr Dim all_dims[] = {Dim::time, Dim::state, Dim::partner, Dim::sector, Dim::currency, Dim::route};

/// Labels of the route dimension.
inline constexpr const char* route_labels[] = {"direct", "via_hub"};

/// What every value of an output variable promises (docs/output-schema.md,
/// "Invariants"); RunOptions::check verifies it after every step.
enum class Invariant : std::uint8_t {
  finite,        ///< finite, of either sign
  non_negative,  ///< finite and >= 0
  share,         ///< a fraction in [0, 1]
  /// Fractions in [0, 1] that, over the last dimension, sum to 1 for every
  /// index of the others, or are all 0 there (a pair without trade, the
  /// diagonal of a pair measure).
  shares_sum_to_one,
};

/// The invariant's wording in messages and in docs/output-schema.md.
constexpr const char* to_string(Invariant i) noexcept {
  switch (i) {
    case Invariant::finite: return "finite";
    case Invariant::non_negative: return "non-negative";
    case Invariant::share: return "share in [0, 1]";
    case Invariant::shares_sum_to_one: return "shares summing to 1";
  }
  return "?";
}

/// One output variable: a dense array over `dims` (time first).
struct VariableInfo {
  std::string name;
  std::string units;
  std::string long_name;
  std::vector<Dim> dims;
  Invariant invariant = Invariant::finite;
};

/// The values of every variable for one step, in catalogue order; each is a
/// row-major array over the variable's dims without time.
struct StepRecord {
  int step = 0;
  Month month;
  std::vector<std::vector<double>> values;
};

/// Per-firm columns at a snapshot step; spans point into engine state and are
/// valid only during the call.
struct FirmSnapshot {
  int step = 0;
  Month month;
  std::span<const std::uint16_t> state;
  std::span<const std::uint16_t> sector;
  std::span<const std::uint8_t> role;
  std::span<const double> size;
  std::span<const double> exposure;
  std::span<const std::uint8_t> cautious;
  std::span<const double> trade;  ///< USD per month, the firm's sales or purchases
};

struct RunInfo {
  const model::ScenarioSpec* spec = nullptr;
  std::uint64_t seed = 0;
  std::uint32_t run = 0;
  int threads = 1;
  std::span<const VariableInfo> variables;
  /// Size of each Dim, indexed by Dim (time = number of steps).
  std::vector<std::size_t> dim_sizes;
};

struct RunSummary {
  double wall_seconds = 0.0;
  int steps = 0;
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void begin(const RunInfo& info) = 0;
  /// The step's record, the observer's from here: it may keep the values
  /// (the HDF5 writer hands them to its tasks without a copy). An observer
  /// that forwards the record moves it on once it has read what it needs.
  virtual void record(StepRecord&& record) = 0;
  virtual void snapshot(const FirmSnapshot&) {}
  /// The run's state after a checkpoint month (RunOptions::checkpoint_at),
  /// after that month's record and snapshot.
  virtual void checkpoint(const Checkpoint&) {}
  virtual void end(const RunSummary& summary) = 0;
};

}  // namespace geosim::engine
