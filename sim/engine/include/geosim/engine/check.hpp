#pragma once
// The run's self-check (RunOptions::check, `geosim run --check`): every value
// a step records is held to the invariant its variable declares
// (VariableInfo::invariant, in the catalogue of metrics.cpp). A value that
// breaks one is a model error, not bad input: the check throws CheckError
// before the record reaches any writer. docs/reliability.md, "--check".
#include <stdexcept>
#include <string>
#include <vector>

#include "geosim/engine/observer.hpp"

namespace geosim::engine {

/// Absolute tolerance of the check on shares ([0, 1] becomes [-1e-9, 1 + 1e-9])
/// and on sums of shares (|sum - 1| <= 1e-9). Rounding in a sum of n shares
/// is about n x 1.1e-16, below 1e-11 for the largest scenario the model
/// takes (65,534 states); a model error is many orders of magnitude larger.
/// Non-negative quantities get no tolerance: -1e-300 is negative.
inline constexpr double check_tolerance = 1e-9;

/// A value that breaks its variable's invariant. what(): "model check failed
/// at step 37 (2017-02): settlement_share[state=RUS, partner=CHN]: the shares
/// over currency sum to 0.93; expected 1 (tolerance 1e-09) or all 0".
class CheckError : public std::runtime_error {
 public:
  CheckError(int step, Month month, std::string variable, std::string labels, const std::string& problem);

  int step() const noexcept { return step_; }
  Month month() const noexcept { return month_; }
  const std::string& variable() const noexcept { return variable_; }
  /// The offending element's labels, "state=RUS, partner=CHN, sector=crude"
  /// (without the summed dimension for a sum).
  const std::string& labels() const noexcept { return labels_; }

 private:
  int step_;
  Month month_;
  std::string variable_;
  std::string labels_;
};

/// Checks every record against its variables' invariants and forwards it to
/// `inner` only when all hold; throws CheckError at the first value that does
/// not. begin, snapshot, checkpoint and end are forwarded as they come. engine::run wraps
/// its observer in one when RunOptions::check is set.
class CheckingObserver final : public Observer {
 public:
  explicit CheckingObserver(Observer& inner) : inner_(inner) {}

  void begin(const RunInfo& info) override;
  void record(StepRecord&& record) override;
  void snapshot(const FirmSnapshot& snapshot) override { inner_.snapshot(snapshot); }
  void checkpoint(const Checkpoint& checkpoint) override { inner_.checkpoint(checkpoint); }
  void end(const RunSummary& summary) override { inner_.end(summary); }

 private:
  void check(const StepRecord& record) const;

  Observer& inner_;
  std::vector<VariableInfo> variables_;
  std::vector<std::vector<std::string>> labels_;  ///< per Dim (time unused)
};

}  // namespace geosim::engine
