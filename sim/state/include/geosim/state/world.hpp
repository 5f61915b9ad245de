#pragma once
// Runtime state of one run: firm and bank columns, the importer relationship
// network, and the state-level variables carried from step to step. Built once
// from a validated spec by build_world(); the engine reads step t and writes
// step t+1 into these columns.
#include <cassert>
#include <cstdint>
#include <limits>
#include <vector>

#include "geosim/core/rng.hpp"
#include "geosim/model/spec.hpp"

namespace geosim::state {

/// Sizes of the model's dimensions. A market is a (sector, product) pair:
/// product 0 is civilian goods, 1 dual-use goods of the same sector.
struct Dims {
  std::size_t states = 0;
  std::size_t sectors = 0;
  std::size_t currencies = 0;
  std::size_t markets() const noexcept { return sectors * 2; }
};

constexpr std::size_t market_of(std::size_t sector, std::size_t product) noexcept { return sector * 2 + product; }
constexpr std::size_t sector_of(std::size_t market) noexcept { return market / 2; }
constexpr std::size_t product_of(std::size_t market) noexcept { return market % 2; }

/// A dense row-major array over small dimensions (states x states x ...).
/// Only for state-level quantities; firm data lives in FirmColumns.
class Grid {
 public:
  Grid() = default;
  Grid(std::initializer_list<std::size_t> extents, double fill = 0.0);
  double& operator()(std::size_t a) noexcept { return data_[a]; }
  double& operator()(std::size_t a, std::size_t b) noexcept { return data_[a * ext_[1] + b]; }
  double& operator()(std::size_t a, std::size_t b, std::size_t c) noexcept {
    return data_[(a * ext_[1] + b) * ext_[2] + c];
  }
  double& operator()(std::size_t a, std::size_t b, std::size_t c, std::size_t d) noexcept {
    return data_[((a * ext_[1] + b) * ext_[2] + c) * ext_[3] + d];
  }
  double operator()(std::size_t a) const noexcept { return data_[a]; }
  double operator()(std::size_t a, std::size_t b) const noexcept { return data_[a * ext_[1] + b]; }
  double operator()(std::size_t a, std::size_t b, std::size_t c) const noexcept {
    return data_[(a * ext_[1] + b) * ext_[2] + c];
  }
  double operator()(std::size_t a, std::size_t b, std::size_t c, std::size_t d) const noexcept {
    return data_[((a * ext_[1] + b) * ext_[2] + c) * ext_[3] + d];
  }
  void fill(double v) noexcept;
  std::size_t extent(std::size_t dim) const noexcept { return ext_[dim]; }
  std::vector<double>& data() noexcept { return data_; }
  const std::vector<double>& data() const noexcept { return data_; }

 private:
  std::size_t ext_[4] = {0, 1, 1, 1};
  std::vector<double> data_;
};

/// Firms as columns (structure of arrays); firm i is row i of every column.
struct FirmColumns {
  std::vector<std::uint16_t> state;
  std::vector<std::uint16_t> sector;
  std::vector<std::uint8_t> product;       ///< 0 civilian, 1 dual-use
  std::vector<std::uint8_t> role;          ///< model::Role
  std::vector<std::uint32_t> population;   ///< index into spec.firms
  std::vector<std::uint32_t> group;        ///< index into World::groups
  std::vector<double> size;                ///< relative size, > 0
  std::vector<double> share;               ///< share of its group's capacity or demand
  std::vector<double> visibility;          ///< (size / group median)^elasticity
  std::vector<std::uint8_t> state_owned;
  std::vector<double> exposure;            ///< Western exposure, [0, 1]
  std::vector<double> risk_tolerance;      ///< > 0
  std::vector<double> belief;              ///< perceived / announced enforcement risk
  std::vector<std::uint8_t> cautious;      ///< withdrawn from direct trade with targets
  std::vector<std::uint8_t> cautious_hub;  ///< withdrawn also from trade through hubs
  std::vector<std::uint8_t> designated;    ///< listed in a designation round: lost its Western business
  std::vector<std::uint8_t> penalised;     ///< designated this step
  /// Share of its business with partners that are not sanctioned that the
  /// firm keeps: 1, or 1 - exposure once designated (its Western business
  /// lost, to the other firms of its group). [0, 1]
  std::vector<double> retained;
  std::vector<double> trade;               ///< sales or purchases this step, USD per month
  std::vector<double> target_trade;        ///< of which with sanctioned targets, USD per month
  std::vector<double> target_via_hub;      ///< of which through intermediary hubs, USD per month
  /// Business with partners that are not sanctioned that the firm lost to its
  /// designation this step, at its size share of its group's: USD per month.
  std::vector<double> designation_loss;
};

struct BankColumns {
  std::vector<std::uint16_t> state;
  std::vector<std::uint16_t> population;   ///< index into spec.banks
  std::vector<double> size;
  std::vector<double> share;               ///< share of its state's banking by size
  std::vector<double> visibility;
  std::vector<double> exposure;
  std::vector<double> risk_tolerance;
  std::vector<double> belief;
  std::vector<double> withdraw_draw;       ///< fixed uniform draw: order of forced withdrawal
  /// Payment fee at which the bank processes its normal share of
  /// sanctioned-linked payments, above its own margin: 2 x expected penalty /
  /// stake (fraction of value); 0 when it fears nothing.
  std::vector<double> risk_price;
  std::vector<std::uint8_t> withdrawn;     ///< ordered to stop (bank_withdrawal): processes nothing
  /// Sanctioned-linked payments processed this step, multiple of the bank's
  /// normal share (0 .. willing_bank_capacity); 1 where none are restricted.
  std::vector<double> offer;
  std::vector<std::uint8_t> designated;    ///< listed in a designation round: size cut by its Western business
  std::vector<std::uint8_t> penalised;     ///< designated this step
};

/// Firms of one (state, market, role): capacity or demand is shared by size.
struct FirmGroup {
  std::uint16_t state = 0;
  std::uint16_t market = 0;
  model::Role role = model::Role::exporter;
  std::vector<std::uint32_t> firms;        ///< in creation order
};

/// One supplier option of an importer: an exporter state, direct or via a hub.
struct Option {
  std::uint16_t exporter = 0;
  std::uint16_t hub = no_hub;              ///< hub state, or no_hub for direct
  static constexpr std::uint16_t no_hub = 0xffff;
};

/// An importer's relationship with one option, apart from its weight, in 16
/// bits (docs/ODD.md §7.7): two flags and a month count, 2 bytes an edge
/// where three columns took 4.
class Relationship {
 public:
  /// The first month's: formed where established, none under way.
  static Relationship first_month(bool established) {
    Relationship r;
    r.bits_ = established ? established_bit | formed_bit : 0;
    return r;
  }
  /// The firm had a relationship with the option in the first month (its
  /// share of desired purchases >= established_share): the scenario's
  /// affinities describe those relationships as they were.
  bool established() const { return bits_ & established_bit; }
  /// The firm has a relationship with the option now (formed, or
  /// established and not lost); false for spot purchases.
  bool formed() const { return bits_ & formed_bit; }
  /// Months since the firm decided to form a relationship it does not have
  /// yet (0: none under way); at most formation_lag + 1 <= 1,201.
  std::uint16_t forming() const { return bits_ & forming_mask; }

  void set_formed(bool formed) {
    bits_ = static_cast<std::uint16_t>(formed ? bits_ | formed_bit : bits_ & ~formed_bit);
  }
  void set_forming(std::uint16_t months) {
    assert(months <= forming_mask);
    bits_ = static_cast<std::uint16_t>((bits_ & ~forming_mask) | months);
  }

 private:
  static constexpr std::uint16_t established_bit = 0x8000, formed_bit = 0x4000, forming_mask = 0x3fff;
  std::uint16_t bits_ = 0;
};

// validate() bounds the counts (model/spec.hpp) so that no index above wraps.
template <class Column>
constexpr std::size_t largest = std::numeric_limits<typename Column::value_type>::max();
static_assert(model::max_states - 1 <= largest<decltype(FirmColumns::state)> && model::max_states - 1 < Option::no_hub);
static_assert(model::max_states - 1 <= largest<decltype(BankColumns::state)>);
static_assert(model::max_sectors - 1 <= largest<decltype(FirmColumns::sector)>);
static_assert(2 * model::max_sectors - 1 <= std::numeric_limits<decltype(FirmGroup::market)>::max());
static_assert(model::max_bank_populations - 1 <= largest<decltype(BankColumns::population)>);
static_assert(model::max_firms <= largest<decltype(FirmGroup::firms)>);
// Every firm population has at least one firm.
static_assert(model::max_firms - 1 <= largest<decltype(FirmColumns::population)>);

/// Importer relationships. Every importer firm has one relationship with each
/// option of its group, in the group's order: firm f's are the edges
/// [first_edge[f], first_edge[f + 1]), the o-th of them with the group's
/// option o. Edge e's data lives in the columns below at index e; what a
/// step only passes from one phase to the next (prices, feasibility,
/// desired orders) is not stored per edge.
struct Network {
  /// Options of all importer groups, group by group: group g's are
  /// [options_begin[g], options_begin[g + 1]) (none for other roles).
  std::vector<Option> options;
  std::vector<std::size_t> options_begin;  ///< per group; size G + 1
  std::vector<double> weight;              ///< relationship weight, sums to 1 per firm
  /// Feasibility the weight was formed under, in [0, 1]. Float: rounded
  /// once when stored (relative precision 6e-8), to save 4 bytes an edge.
  std::vector<float> formed_feasibility;
  std::vector<Relationship> relationship;  ///< established, formed, months forming
  /// This step's order, USD per month (reference prices). Float: rounded
  /// once where place_orders makes it; every sum of orders (the group's, and
  /// the shares firm_trade splits cleared flows by) adds these stored values
  /// in double, so the shares add up to one (docs/ODD.md §7.7).
  std::vector<float> order;
  std::vector<std::size_t> first_edge;     ///< per firm; size F + 1

  /// Edges of firm f: [begin, end). Inline: the firm loops call it per firm.
  std::pair<std::size_t, std::size_t> edges(std::uint32_t f) const { return {first_edge[f], first_edge[f + 1]}; }
  /// Option o of importer group g (edge first_edge[f] + o of each of its firms f).
  const Option& option(std::size_t g, std::size_t o) const { return options[options_begin[g] + o]; }
  /// Number of options of group g.
  std::size_t option_count(std::size_t g) const { return options_begin[g + 1] - options_begin[g]; }
};

/// State-level variables carried between steps.
struct Aggregates {
  Grid flow;             ///< [exporter][importer][market] volume, reference USD / month (direct + hub legs' origin)
  Grid discount;         ///< [exporter][importer][sector] fraction of world price paid, price cap included; < 0: premium
  /// [exporter][importer][sector] the bargained and cleared discount before
  /// the price cap: what buyers choose suppliers by.
  Grid market_discount;
  Grid settlement_mix;   ///< [i][j][currency], symmetric in (i, j)
  Grid settled_share;    ///< [i][j][currency] share of this step's settlement
  Grid backlog;          ///< [i][j] unsettled payments, USD
  Grid failed;           ///< [i][j] payments failed this step, USD
  Grid availability;     ///< [i][j] share of payments a channel is found for, [0, 1]
  Grid settlement_cost;  ///< [i][j] fraction of value
  Grid base_settlement_cost;  ///< [i][j] settlement_cost of the first step (the pair's normal cost)
  Grid income;           ///< [state] smoothed export revenue relative to trend
  Grid base_revenue;     ///< [state] export revenue of the first step, USD / month
  /// [state] `income` read in the month of the last point of the state's
  /// real_exchange_rate path, which anchors the rate after it (1 for a state
  /// without a path or whose path ends before the start: income starts at 1).
  Grid exchange_rate_anchor;
  Grid price_ratio;      ///< [state][market] importers' mean effective / world price
  Grid base_price_ratio; ///< [state][market] price_ratio of the first step
  Grid shadow_fleet;     ///< [state] alternative shipping, share of energy exports
  /// [state] the part of shadow_fleet that earns commercial returns and is
  /// replaced as it ages: the initial fleet, less what designations took.
  Grid fleet_base;
  /// [exporter][sector] market-clearing shift of the discount, fraction of the
  /// world price (supply-limited sectors): positive when the exporter cuts its
  /// price to sell idle capacity, negative when buyers bid for sold-out supply.
  Grid clearing_shift;
  /// [exporter][sector] sales-weighted realised price / world price last step
  /// (1 - mean discount): scales a supply-limited exporter's offer.
  Grid supply_price;
  /// [hub state][sector] the intermediaries' re-export capacity as a multiple
  /// of their populations' trend capacity, in [1, capacity_ceiling]: grown
  /// with the margin earned (rules::update_hub_capacity), used from the next step.
  Grid hub_expansion;
  Grid escalation;       ///< [by][target] enforcement added by adaptive escalation
  Grid peer_penalty_rate;///< [state][market] penalised firms / exposed firms, last step
  Grid bank_penalty_rate;///< [state]
  Grid target_payments;  ///< [state] share of the state's trade value with sanctioned targets
  /// [state][target] fee banks of state charge above normal for payments
  /// linked to target, fraction of value (0 where unrestricted)
  Grid bank_fee;
  /// [state][target] share of state's payments with target its banks
  /// process at that fee, [0, 1]
  Grid bank_supply;
  /// [i][j] share of the pair's payments carried by payment agents and
  /// netting schemes: builds up toward the share banks refuse, [0, 1]
  Grid alternative;
  Grid netting;          ///< [i][j] of which by netting schemes
  Grid payment_fee;      ///< [i][j] fees above normal paid on the pair's settled payments, fraction of value
  Grid backlog_flow;     ///< [exporter][importer][sector] trade contracted but not yet paid, USD
  /// [state][partner] partner's share of the state's trade last step, in [0, 1]
  /// (market::dependence): the bargain's leverage reads it.
  Grid dependence;
};

/// Per firm group, from the last step: how much of the group is cautious and
/// how much of its trade was with sanctioned targets.
struct GroupState {
  std::vector<double> cautious;       ///< size share of cautious firms (direct trade)
  std::vector<double> cautious_hub;   ///< size share cautious even through hubs
  std::vector<double> target_share;   ///< share of the group's trade with targets
  /// Size share of the group's business with partners that are not
  /// sanctioned that its designated firms lost: sum of share x (1 -
  /// retained); 0 without designations.
  std::vector<double> lost;
};

struct World {
  Dims dims;
  FirmColumns firms;
  BankColumns banks;
  std::vector<FirmGroup> groups;
  Network network;
  Aggregates agg;
  GroupState group_state;
  /// [state][market] group index by role, or -1.
  std::vector<std::int32_t> exporter_group, importer_group, intermediary_group;
  /// Hub states (those with StateSpec::hub).
  std::vector<std::uint16_t> hubs;
  std::vector<std::uint8_t> aggregate;  ///< per state: StateSpec::aggregate
  state::Grid trade_cost;  ///< [a][b] iceberg cost, fraction (symmetric)
  /// [exporter][importer][sector][mode] freight and insurance per physical
  /// unit, in the sector's price unit; mode 0 Western-serviced, 1 the
  /// alternative fleet.
  state::Grid freight;
};

/// True when importers of `importer` may buy from exporters of `exporter`:
/// distinct states, or the same aggregate state.
inline bool trades_with(const World& w, std::size_t exporter, std::size_t importer) {
  return exporter != importer || w.aggregate[importer] != 0;
}

/// Size share of the firms of group (state, market) in `table` (one of
/// World::exporter_group, importer_group, intermediary_group) that were
/// cautious last step, about direct trade or, with `hub`, even through hubs;
/// 0 when there is no such group.
inline double group_caution(const World& w, const std::vector<std::int32_t>& table, std::size_t state,
                            std::size_t market, bool hub = false) {
  const auto g = table[state * w.dims.markets() + market];
  if (g < 0) return 0.0;
  const auto& gs = w.group_state;
  return hub ? gs.cautious_hub[static_cast<std::size_t>(g)] : gs.cautious[static_cast<std::size_t>(g)];
}

/// A run of consecutive firms of one group (positions [first, last) in its
/// firm list): the unit of work of the loops that sum over a group's firms.
/// Each block sums into its own slots and the slots are added block after
/// block, so that the sums are the same for any number of threads.
struct FirmBlock {
  std::uint32_t group = 0;
  std::uint32_t first = 0, last = 0;
};

/// Every group's firm list cut into blocks of at most `firms_per_block`, in
/// group order.
std::vector<FirmBlock> firm_blocks(const World& world, std::size_t firms_per_block);

/// Firms per block: enough work per task to hide the scheduling, and enough
/// blocks to keep two or more cores busy on the smallest scenarios.
inline constexpr std::size_t block_firms = 1024;

/// Creates the firm and bank populations (random draws keyed by seed and run),
/// the relationship network and the initial state-level variables.
World build_world(const model::ScenarioSpec& spec, std::uint64_t seed, std::uint32_t run);

/// What one run holds in memory, estimated from a validated spec before
/// anything is allocated. Counts, and bytes (as double: the products of
/// large counts must not wrap). The network is an upper bound: every
/// importer firm is counted with every option its group could have.
struct MemoryEstimate {
  std::size_t firms = 0, banks = 0;
  double edges = 0;          ///< importer relationships, upper bound
  double firm_bytes = 0;     ///< firm columns, group lists, network rows
  double bank_bytes = 0;     ///< bank columns
  double network_bytes = 0;  ///< per-edge columns
  double grid_bytes = 0;     ///< state-level grids (World::agg, trade_cost, freight, group tables)
  double record_bytes = 0;   ///< step records held at once
  double total() const noexcept { return firm_bytes + bank_bytes + network_bytes + grid_bytes + record_bytes; }
};

/// Bytes of one firm's row in every per-firm column (FirmColumns, its entry
/// in FirmGroup::firms and Network::first_edge).
std::size_t bytes_per_firm() noexcept;
/// Bytes of one bank's row in BankColumns.
std::size_t bytes_per_bank() noexcept;
/// Bytes of one relationship: its per-edge columns.
std::size_t bytes_per_edge() noexcept;

/// The memory of a run of `spec` (validated) whose step records have
/// `record_values` doubles each, `records_held` of them in memory at once
/// (the output writer's buffered block and the one being built).
MemoryEstimate estimate_memory(const model::ScenarioSpec& spec, std::size_t record_values, std::size_t records_held);

/// One draw of a distribution from a stream (Boost.Random algorithms).
double draw(const model::Distribution& d, Stream& stream);

}  // namespace geosim::state
