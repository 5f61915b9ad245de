#pragma once
// Phase 7: designation rounds (docs/ODD.md §7.12). Enforcement designates in
// rounds, not by a monthly hazard per agent: in the month a
// secondary_sanctions event with `listed` starts, it lists that many real
// entities of each named state among the firms (or banks) trading with its
// target, chosen by detection-weighted sampling without replacement. How
// many agents that is follows from how many real entities each agent stands
// for, so it does not grow with the number of agents. A designated firm or
// bank loses its Western business (the share `exposure` stands for): the
// cost. Having nothing left to lose in the West, it fears no more penalties.
#include "geosim/model/spec.hpp"
#include "geosim/rules/context.hpp"
#include "geosim/state/world.hpp"

namespace geosim::rules {

/// Real firms one agent of the population stands for: represents / count,
/// 1 when the population gives no `represents`.
double entities_per_agent(const model::FirmPopulationSpec& population);
/// Real banks one agent of the population stands for, as for firms.
double entities_per_agent(const model::BankPopulationSpec& population);

/// Phase 7, firms, after firm_trade: clears every firm's `penalised`, then
/// runs the rounds of firms that start this month, in file order. A round
/// lists, for each named state, firms of that state that are not designated,
/// traded with sanctioned partners this month (target_trade > 0) and are in
/// a market of the event (an intermediary: in a sector of it), drawn without
/// replacement with probability proportional to visibility x ((1 - h) + h x
/// hub_detection), h the share of that trade through hubs, until
/// the entities they stand for reach the number listed (the last agent is
/// taken with the probability that makes the expected number exact). Draws
/// come from each firm's own stream (Phase::enforcement), so the result is
/// the same whatever the thread count. A designated firm gets penalised,
/// designated, retained = 1 - exposure and exposure = 0.
void designate_firms(const StepContext& ctx, state::World& world);

/// Phase 7, banks, after update_target_payments: the same for the rounds of
/// banks, among the banks of the named state that are neither designated nor
/// cautious when the state has payments with sanctioned partners
/// (agg.target_payments > 0), weighted by visibility. A designated
/// bank's size shrinks by its exposure (its Western business, which goes to
/// the other banks of its state: the state's shares are renormalised) and
/// its exposure drops to 0.
void designate_banks(const StepContext& ctx, state::World& world);

}  // namespace geosim::rules
