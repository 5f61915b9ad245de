#pragma once
// What agents learn from a step: group caution shares after phase 2, and after
// enforcement (phase 7) the stakes, peer penalty rates and price ratios that
// the next step's rules read. Per-group work takes a range of groups
// [begin, end) and writes only those groups' slots, so ranges can run in
// parallel in any split; sums over groups run in group order, so results do
// not depend on the split.
#include <cstddef>
#include <vector>

#include "geosim/rules/context.hpp"
#include "geosim/rules/orders.hpp"
#include "geosim/state/world.hpp"

namespace geosim::rules {

/// Phase 2, groups [begin, end): size share of the group's firms that are
/// cautious about direct trade, and even through hubs, each at most 1; and
/// the size share of the group's business with partners that are not
/// sanctioned that its designated firms lost (designated firms are never
/// cautious). Reads firms' cautious, cautious_hub, share and retained;
/// writes group_state.cautious, cautious_hub and lost.
void update_group_caution(state::World& world, std::size_t begin, std::size_t end);

/// Phase 7, before bank detection: share of each state's trade value with
/// partners its banks must screen, [0, 1]. `pair_value` [exporter][importer]
/// is this step's contracted trade value (before payments), USD per month;
/// writes agg.target_payments.
void update_target_payments(const StepContext& ctx, state::World& world, const state::Grid& pair_value);

/// Per-group sums of a step's outcome, one slot per group (index = group).
struct GroupOutcome {
  explicit GroupOutcome(std::size_t groups) : penalised(groups), exposed(groups) {}
  std::vector<double> penalised;  ///< firms penalised this step (count)
  std::vector<double> exposed;    ///< firms that traded with targets or were penalised (count)
};

/// Phase 7, after detection, groups [begin, end), firms in creation order:
/// fills those groups' slots of `out` and writes group_state.target_share
/// (the group's share of trade with targets, the stake in the next risk
/// assessment). Reads firms' trade, target_trade and penalised.
void sum_group_outcome(state::World& world, GroupOutcome& out, std::size_t begin, std::size_t end);

/// Phase 7, after sum_group_outcome over every group: combines the groups in
/// group order into peers' penalty rates (social learning) and importers'
/// order-weighted effective price from `orders` (recorded as the base at
/// step 0), then
/// banks' penalty rates (penalised over banks still processing), banks in
/// creation order. Writes agg.peer_penalty_rate, price_ratio,
/// base_price_ratio and bank_penalty_rate.
void learn_from_step(const StepContext& ctx, state::World& world, const GroupOutcome& groups, const OrderSums& orders);

}  // namespace geosim::rules
