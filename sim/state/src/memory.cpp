// Memory a run will need, from the spec alone, so that the command line can
// refuse a run that cannot fit before allocating anything (docs/reliability.md,
// "Input limits"). The byte counts follow the column types of world.hpp.
#include <algorithm>
#include <set>

#include "geosim/state/world.hpp"

namespace geosim::state {

namespace {

template <class Column>
constexpr std::size_t row = sizeof(typename Column::value_type);

}  // namespace

std::size_t bytes_per_firm() noexcept {
  using F = FirmColumns;
  const std::size_t columns =
      row<decltype(F::state)> + row<decltype(F::sector)> + row<decltype(F::product)> + row<decltype(F::role)> +
      row<decltype(F::population)> + row<decltype(F::group)> + row<decltype(F::size)> + row<decltype(F::share)> + row<decltype(F::visibility)> +
      row<decltype(F::state_owned)> + row<decltype(F::exposure)> + row<decltype(F::risk_tolerance)> +
      row<decltype(F::belief)> + row<decltype(F::cautious)> + row<decltype(F::cautious_hub)> +
      row<decltype(F::designated)> + row<decltype(F::penalised)> + row<decltype(F::retained)> +
      row<decltype(F::trade)> + row<decltype(F::target_trade)> + row<decltype(F::target_via_hub)> +
      row<decltype(F::designation_loss)>;
  return columns + row<decltype(FirmGroup::firms)> + row<decltype(Network::first_edge)>;
}

std::size_t bytes_per_bank() noexcept {
  using B = BankColumns;
  return row<decltype(B::state)> + row<decltype(B::population)> + row<decltype(B::size)> + row<decltype(B::share)> +
         row<decltype(B::visibility)> + row<decltype(B::exposure)> + row<decltype(B::risk_tolerance)> +
         row<decltype(B::belief)> + row<decltype(B::withdraw_draw)> + row<decltype(B::risk_price)> +
         row<decltype(B::withdrawn)> + row<decltype(B::offer)> +
         row<decltype(B::designated)> + row<decltype(B::penalised)>;
}

std::size_t bytes_per_edge() noexcept {
  using N = Network;
  return row<decltype(N::weight)> + row<decltype(N::formed_feasibility)> + row<decltype(N::relationship)> +
         row<decltype(N::order)>;
}

MemoryEstimate estimate_memory(const model::ScenarioSpec& spec, std::size_t record_values, std::size_t records_held) {
  MemoryEstimate m;
  const double S = static_cast<double>(spec.states.size()), K = static_cast<double>(spec.sectors.size()),
               C = static_cast<double>(spec.currencies.size()), M = 2 * K;
  for (const auto& p : spec.firms) m.firms += p.count;
  for (const auto& p : spec.banks) m.banks += p.count;

  // An importer of (state i, sector k) has an option per exporter state j
  // with exporters and capacity in k (i itself only when i is an
  // aggregate), and, when i is a target of export controls or secondary
  // sanctions, one more per hub that has intermediaries of k.
  std::set<std::size_t> targets;
  for (const auto& e : spec.events)
    if (e.kind == model::PolicyKind::export_control || e.kind == model::PolicyKind::secondary_sanctions)
      targets.insert(index(e.target));
  std::set<std::pair<std::size_t, std::size_t>> exporters, intermediaries;
  for (const auto& p : spec.firms) {
    if (p.role == model::Role::exporter) exporters.insert({index(p.state), index(p.sector)});
    if (p.role == model::Role::intermediary) intermediaries.insert({index(p.state), index(p.sector)});
  }
  for (const auto& p : spec.firms) {
    if (p.role != model::Role::importer) continue;
    const std::size_t i = index(p.state), k = index(p.sector);
    double exporting = 0, hubs = 0;
    for (const auto& [j, sector] : exporters)
      if (sector == k && (j != i || spec.states[i].aggregate) && spec.states[j].export_capacity[k] > 0) ++exporting;
    if (targets.count(i))
      for (const auto& [h, sector] : intermediaries)
        if (sector == k && spec.states[h].hub) ++hubs;
    m.edges += static_cast<double>(p.count) * exporting * (1 + hubs);
  }

  m.firm_bytes = static_cast<double>(m.firms) * static_cast<double>(bytes_per_firm());
  m.bank_bytes = static_cast<double>(m.banks) * static_cast<double>(bytes_per_bank());
  m.network_bytes = m.edges * static_cast<double>(bytes_per_edge());
  // Aggregates: flow S*S*M; discount, market_discount S*S*K; settlement_mix,
  // settled_share S*S*C; backlog, failed, availability, settlement_cost,
  // base_settlement_cost, escalation, bank_fee, bank_supply, alternative,
  // netting, payment_fee, dependence S*S; backlog_flow S*S*K; price_ratio,
  // base_price_ratio, peer_penalty_rate S*M; clearing_shift, supply_price
  // S*K; seven of S.
  // World: trade_cost S*S, freight S*S*K*2. Group tables: three of S*M int32.
  const double grid_doubles = S * S * (M + 3 * K + 2 * C + 12) + S * (3 * M + 2 * K + 7) + S * S * (1 + 2 * K);
  m.grid_bytes = grid_doubles * sizeof(double) + 3 * S * M * sizeof(std::int32_t);
  m.record_bytes = static_cast<double>(record_values) * static_cast<double>(records_held) * sizeof(double);
  return m;
}

}  // namespace geosim::state
