#pragma once
// The agents' decisions of a step, as functions over a range of agents
// [begin, end). Each reads the StepContext and the previous step's state and
// writes only the slots of its own agents, so ranges can run in parallel in
// any split and give the same result.
#include <cstddef>

#include "geosim/rules/context.hpp"
#include "geosim/state/world.hpp"

namespace geosim::rules {

/// Phase 2, firms: update beliefs from peers' penalties (social learning) and
/// decide caution: a firm withdraws from trade with sanctioned targets when
/// belief x detection x exposure x penalty exceeds its margin on that trade
/// scaled by its risk tolerance. Writes belief, cautious, cautious_hub.
void assess_firms(const StepContext& ctx, state::World& world, std::size_t begin, std::size_t end);

/// Phase 2, banks: the same rule for payment processing, plus forced
/// withdrawals from bank_withdrawal events. Writes belief, withdrawn and
/// risk_price (the fee above its margin at which a bank processes its normal
/// share of sanctioned-linked payments; payments.cpp turns it into volumes).
void assess_banks(const StepContext& ctx, state::World& world, std::size_t begin, std::size_t end);

/// Phase 3 lives in orders.hpp: option_terms() and place_orders().

/// Share of an option's flow that policy allows, [0, 1], for an importer of
/// `importer` state in market m (payments price an option, they do not bar it).
double option_feasibility(const StepContext& ctx, std::size_t importer, std::size_t m,
                          const state::Option& o);

/// Phase 7 (designation rounds) lives in designation.hpp.

}  // namespace geosim::rules
