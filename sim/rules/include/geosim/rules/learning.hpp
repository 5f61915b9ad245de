#pragma once
// What agents learn from a step: group caution shares after phase 2, and after
// enforcement (phase 7) the stakes, peer penalty rates and price ratios that
// the next step's rules read. Sums over a group's firms run block by block
// (state::FirmBlock), each block into its own slots, which are then added in
// block order; sums over groups run in group order: results do not depend
// on the number of threads.
#include <cstddef>
#include <vector>

#include "geosim/rules/context.hpp"
#include "geosim/rules/orders.hpp"
#include "geosim/state/world.hpp"

namespace geosim::rules {

/// Doubles per firm block of the caution sums and of the outcome sums.
inline constexpr std::size_t caution_slots = 3, outcome_slots = 8;

/// Phase 2, one block of a group's firms: sums of cautious x share,
/// cautious_hub x share and share x (1 - retained) over its firms, into the
/// block's caution_slots doubles at `slots`.
void sum_caution(const state::World& world, const state::FirmBlock& block, double* slots);

/// Phase 2, after sum_caution over every block (`slots`: caution_slots per
/// block, in block order): size share of each group's firms that are
/// cautious about direct trade, and even through hubs, each at most 1; and
/// the size share of the group's business with partners that are not
/// sanctioned that its designated firms lost (designated firms are never
/// cautious). The blocks are added in block order. Writes
/// group_state.cautious, cautious_hub and lost.
void update_group_caution(state::World& world, const std::vector<state::FirmBlock>& blocks,
                          const std::vector<double>& slots);
/// Both steps on this thread (tests).
void update_group_caution(state::World& world);

/// Phase 7, before bank detection: share of each state's trade value with
/// partners its banks must screen, [0, 1]. `pair_value` [exporter][importer]
/// is this step's contracted trade value (before payments), USD per month;
/// writes agg.target_payments.
void update_target_payments(const StepContext& ctx, state::World& world, const state::Grid& pair_value);

/// Per-group sums of a step's outcome, one slot per group (index = group).
struct GroupOutcome {
  explicit GroupOutcome(std::size_t groups)
      : penalised(groups), exposed(groups), cautious(groups), designated(groups), belief(groups),
        designation_loss(groups) {}
  std::vector<double> penalised;   ///< firms penalised this step (count)
  std::vector<double> exposed;     ///< firms that traded with targets or were penalised (count)
  std::vector<double> cautious;    ///< cautious firms (count)
  std::vector<double> designated;  ///< designated firms (count)
  std::vector<double> belief;      ///< sum of the firms' beliefs
  std::vector<double> designation_loss;  ///< sum of the firms' designation losses, USD per month
};

/// Phase 7, after detection, one block of a group's firms: its sums of
/// trade, target_trade, exposed, penalised, cautious, designated, belief and
/// designation_loss into the block's outcome_slots doubles at `slots`.
void sum_outcome(const state::World& world, const state::FirmBlock& block, double* slots);

/// Phase 7, after sum_outcome over every block: each group's sums, its
/// blocks added in block order; writes group_state.target_share (the
/// group's share of trade with targets, the stake in the next risk
/// assessment).
GroupOutcome sum_group_outcome(state::World& world, const std::vector<state::FirmBlock>& blocks,
                               const std::vector<double>& slots);

/// Phase 7, after sum_group_outcome: combines the groups in
/// group order into peers' penalty rates (social learning) and importers'
/// order-weighted effective price from `orders` (recorded as the base at
/// step 0), then
/// banks' penalty rates (penalised over banks still processing), banks in
/// creation order. Writes agg.peer_penalty_rate, price_ratio,
/// base_price_ratio and bank_penalty_rate.
void learn_from_step(const StepContext& ctx, state::World& world, const GroupOutcome& groups, const OrderSums& orders);

}  // namespace geosim::rules
