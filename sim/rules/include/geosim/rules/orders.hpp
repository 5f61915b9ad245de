#pragma once
// Phase 3 support: the terms of each importer group's options in a step.
#include <vector>

#include "geosim/rules/context.hpp"

namespace geosim::rules {

/// What an option offers this month, the same for every firm of a group.
struct OptionTerms {
  double feasibility = 1.0;  ///< share of the flow policy and payments allow, [0, 1]
  double price = 1.0;        ///< effective price / world price, buyers' risk premium included; before the firm's own
  double mass = 0.0;         ///< CES weight: affinity x supplier capacity (reference USD / month)
  double attraction = 0.0;   ///< mass x price^-sigma: the CES term before firm-specific factors
  double switching_cost = 0.0;  ///< cost of forming a relationship with the option, fraction of the price
  double spot = 1.0;         ///< attraction of the option without a relationship / with one, (0, 1]
  double detect = 0.0;       ///< detection probability per unit visibility, 0 if not sanctioned
  bool sanctioned = false;   ///< the exporter is a target of secondary sanctions in this market
  bool hub = false;          ///< routed through an intermediary hub
};

/// Terms per importer group (index = group), per option in edge order;
/// computed once per step so that firms pay for exp/log only where their
/// own risk premium enters.
std::vector<std::vector<OptionTerms>> option_terms(const StepContext& ctx, const state::World& world);

/// Phase 3 (see decisions.hpp): importer firms [begin, end) place their
/// orders, forming and losing relationships with their options on the way
/// (docs/ODD.md §7.7).
void place_orders(const StepContext& ctx, state::World& world, const std::vector<std::vector<OptionTerms>>& terms,
                  const state::Grid& demand, std::size_t begin, std::size_t end);

}  // namespace geosim::rules
