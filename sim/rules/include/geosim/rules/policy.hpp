#pragma once
// Phase 1: the policy state in force in a month, from the scenario's dated
// events. For each (kind, by, target, sector) the active event that started
// most recently applies, so a later event can tighten or lift an earlier one.
#include "geosim/model/spec.hpp"
#include "geosim/state/world.hpp"

namespace geosim::rules {

struct PolicyState {
  state::Grid export_control;     ///< [by][target][market] share of by's exports stopped
  state::Grid import_ban;         ///< [by][target][market] share of by's imports stopped
  state::Grid price_cap;          ///< [target][sector] ceiling in price units; 0 = none
  state::Grid price_cap_intensity;///< [target][sector] share of Western-serviced volume held to the cap
  state::Grid cap_coalition;      ///< [target][state] 1 if state enforces the cap on target
  state::Grid currency_block;     ///< [target][currency] share of settlement blocked
  state::Grid bank_block;         ///< [by][target] share of by's banks' dealings with target blocked (any currency)
  state::Grid secondary_firms;    ///< [by][target][market] announced enforcement on firms
  state::Grid secondary_banks;    ///< [by][target] announced enforcement on banks
  state::Grid bank_withdrawal;    ///< [bank population][target] share of banks withdrawn
  state::Grid risk_premium;       ///< [by][target][market] buyers' premium on target's goods, fraction of price
  state::Grid fleet_sanctions;    ///< [by][target] share of target's alternative fleet designated per year

  /// Share of the direct flow exporter -> importer in a market that is stopped.
  double direct_block(std::size_t exporter, std::size_t importer, std::size_t market) const;
  /// Blocked share through hub h: controls escape by the hub's evasion; both
  /// legs (exporter -> hub, hub -> importer) must themselves be open.
  double hub_block(std::size_t exporter, std::size_t hub, std::size_t importer, std::size_t market,
                   double evasion) const;
  /// Premium the importer's buyers put on the exporter's goods in a market,
  /// as a fraction of their price (risk_premium events: self-sanctioning).
  double premium(std::size_t exporter, std::size_t importer, std::size_t market) const {
    return risk_premium(importer, exporter, market);
  }
  /// Settlement blocked for currency c between two states: the currency's
  /// own block, and the sanctioning state's banks refusing the other side.
  double blocked(std::size_t a, std::size_t b, std::size_t currency) const;
};

/// The policy in force in month `step` (0 = scenario start). `escalation`
/// [by][target] is added to announced secondary-sanction intensities.
PolicyState policy_at(const model::ScenarioSpec& spec, const state::Dims& dims, int step,
                      const state::Grid& escalation);

/// Enforcement faced by firms of `state` dealing with `target` in a market:
/// the strongest intensity among sanctioning states other than the two.
double firm_enforcement(const PolicyState& p, std::size_t states, std::size_t state, std::size_t target,
                        std::size_t market);
/// Enforcement faced by banks of `state` handling payments of `target`.
double bank_enforcement(const PolicyState& p, std::size_t states, std::size_t state, std::size_t target);

}  // namespace geosim::rules
