#pragma once
// Dependence and leverage between states (MODEL.md §6, docs/ODD.md §7.14b): the
// one definition that the output and the bargain of phase 4 share.
#include "geosim/state/world.hpp"

namespace geosim::market {

/// Dependence of each state on each partner, [state][partner], in [0, 1]:
/// the partner's share of the state's total trade (exports + imports, all
/// sectors, by value). An aggregate's trade with itself counts on both sides;
/// a state without trade depends on no one (0). `value` is
/// [exporter][importer][sector] trade value, USD per month.
state::Grid dependence(const state::Grid& value);

/// Leverage of partner j over state i, bounded, in [0, 1]:
/// (1 + d_ij - d_ji) / 2 for the dependences d_ij of i on j and d_ji of j on
/// i (each in [0, 1]). Half the net dependence above one half: 0.5 for equal
/// dependences and for no trade at all, above 0.5 exactly when i depends on j
/// more than j on i (up to rounding: for d_ij - d_ji above about 1e-16),
/// continuous (it moves by half of any change in either dependence), and
/// leverage(a, b) + leverage(b, a) = 1.
double leverage(double dependence_ij, double dependence_ji);

/// The same leverage as odds, leverage / (1 - leverage):
/// (1 + d_ij - d_ji) / (1 - d_ij + d_ji), in [0, inf); 1 for equal
/// dependences, above 1 exactly when the bounded form is above 0.5, and
/// ratio(a, b) x ratio(b, a) = 1. Finite but for d_ij = 1 with d_ji = 0,
/// which trade cannot produce (if all of i's trade is with j, j trades with
/// i, so d_ji > 0); there it is +inf.
double leverage_ratio(double dependence_ij, double dependence_ji);

/// End of the step: agg.dependence from this step's trade `value`
/// ([exporter][importer][sector], USD per month, hub legs included), which the
/// observation reports and next step's bargain reads.
void update_dependence(state::World& world, const state::Grid& value);

}  // namespace geosim::market
