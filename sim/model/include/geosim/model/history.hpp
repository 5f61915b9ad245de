#pragma once
// Whether two scenarios share their history up to a month: the test a fork
// (`geosim run --fork-from`) passes before it starts from a stored state
// instead of the first month (docs/sweeps.md, "Forks").
#include <optional>
#include <string>

#include "geosim/model/spec.hpp"

namespace geosim::model {

/// A difference between two scenarios that a run would feel in a month up
/// to the checkpoint: the key path in the fork's scenario and what differs.
struct HistoryDifference {
  std::string key_path;
  std::string detail;
};

/// The first difference between `stored` (the scenario of the run that wrote
/// the checkpoint) and `fork` that could change a run's state in some month
/// up to and including `last`, or nothing when a run of `fork` is the same
/// as a run of `stored` through `last` (same seed and run id). Both specs
/// must be validated.
///
/// Identical up to `last` means: every parameter, population, state, sector,
/// currency, cost and affinity is identical (they are read every month or
/// when the world is built), except that time paths need only take the same
/// values in every month up to `last` (points up to `last` identical, and
/// the next point too unless one lies on `last`; an exchange-rate path also
/// ends in the same month when it ends by last + 1, because the rate's
/// anchor is read then); events that start up to `last` are identical in
/// file order, except that their end may differ when both ends fall after
/// `last`; events that start later may differ, unless they change which
/// states are targets of export controls or secondary sanctions (that
/// decides the hub routes of the network, built in the first month);
/// snapshots up to `last` are the same months; the horizon starts in the same
/// month and the fork's ends after `last`. Names, descriptions, labels, the
/// seed (compared by the caller with the stored run's) and where keys were
/// read are not compared. Unsure cases count as differences.
std::optional<HistoryDifference> first_difference(const ScenarioSpec& stored, const ScenarioSpec& fork, Month last);

/// The error that refuses a fork of `fork` from the checkpoint of month
/// `last` in `base_file` because of `d`: located where the fork's file
/// sets the key, naming the difference, the base file and the month.
InputError fork_refused(const HistoryDifference& d, const ScenarioSpec& fork, const std::string& base_file, Month last);

}  // namespace geosim::model
