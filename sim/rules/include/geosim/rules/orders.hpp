#pragma once
// Phase 3 support: the terms of each importer group's options in a step.
#include <cstdint>
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

/// place_orders' units of work: the importer groups' firm blocks, and where
/// each block's sums start in a buffer of `slots` doubles (per block: 2 x
/// the group's options + 2).
struct OrderBlocks {
  std::vector<state::FirmBlock> blocks;
  std::vector<std::size_t> sums;  ///< per block: offset of its slots
  std::size_t slots = 0;
};
OrderBlocks order_blocks(const state::World& world);

/// What each importer group ordered this step, summed over its firms.
struct OrderSums {
  /// Per group and option: orders placed, reference USD per month (empty
  /// for groups other than importers).
  std::vector<std::vector<double>> placed;
  /// Per group and option: what the firms would order if their
  /// relationships had fully adjusted to this month's prices (exporters
  /// price against it), reference USD per month.
  std::vector<std::vector<double>> desired;
  std::vector<double> order_sum;  ///< per group: all its orders, reference USD per month
  std::vector<double> price_sum;  ///< per group: its orders x their effective price / world price
};

/// Phase 3 (see decisions.hpp): the importer firms of `block` place their
/// orders, forming and losing relationships with their options on the way
/// (docs/ODD.md §7.7), and write their sums into the block's slots, which
/// `sums` points to: placed per option, desired per option, order_sum,
/// price_sum.
void place_orders(const StepContext& ctx, state::World& world, const std::vector<std::vector<OptionTerms>>& terms,
                  const state::Grid& demand, const state::FirmBlock& block, double* sums);

/// The groups' sums from the blocks' slots, added in block order.
OrderSums sum_orders(const state::World& world, const OrderBlocks& blocks, const std::vector<double>& sums);

/// Every importer firm places its orders, block after block, on this thread
/// (tests; the engine runs the blocks in parallel).
OrderSums place_orders(const StepContext& ctx, state::World& world, const std::vector<std::vector<OptionTerms>>& terms,
                       const state::Grid& demand);

}  // namespace geosim::rules
