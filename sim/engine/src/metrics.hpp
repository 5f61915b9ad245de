#pragma once
// Phase 8: the observed quantities of a step (MODEL.md §6), in catalogue order,
// and the firm columns of a snapshot.
#include "geosim/engine/observer.hpp"
#include "geosim/market/market.hpp"
#include "geosim/market/valuation.hpp"
#include "geosim/rules/learning.hpp"

namespace geosim::engine {

/// What a step produced, for the observation.
struct StepData {
  const rules::StepContext& ctx;
  const state::World& world;
  const market::Clearing& clearing;
  const market::Flows& flows;
  const rules::GroupOutcome& outcome;  ///< the groups' firm tallies
};

/// Fills record.values (one array per variable of variables()).
void observe(const StepData& data, StepRecord& record);

/// The firm columns of a snapshot at step `step` (month `month`); the spans
/// point into `world` and are valid until its next step.
FirmSnapshot snapshot(const state::World& world, int step, Month month);

}  // namespace geosim::engine
