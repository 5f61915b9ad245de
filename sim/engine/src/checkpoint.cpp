// The list of what a checkpoint holds: every member of state::World that a
// step reads. A step reads only the world (random streams are keyed by
// seed, run and step; the context is rebuilt from the spec each month), so
// a fork that restores these arrays continues exactly as the run that
// stored them. The static_asserts below fail when a member is added to the
// world: add it to for_each_array too (the fork tests then prove it).
#include "checkpoint.hpp"

#include <cstring>
#include <map>
#include <type_traits>

#include "geosim/core/error.hpp"

namespace geosim::engine {

namespace {

using state::Grid;
using Vec = std::vector<double>;

static_assert(sizeof(state::FirmColumns) == 22 * sizeof(Vec), "a firm column was added: list it in for_each_array");
static_assert(sizeof(state::BankColumns) == 14 * sizeof(Vec), "a bank column was added: list it in for_each_array");
static_assert(sizeof(state::Aggregates) == 31 * sizeof(Grid), "an aggregate was added: list it in for_each_array");
static_assert(sizeof(state::GroupState) == 4 * sizeof(Vec), "a group variable was added: list it in for_each_array");
static_assert(sizeof(state::Network) == 7 * sizeof(Vec),
              "a network column was added: list it in for_each_array");
static_assert(sizeof(state::World) == sizeof(state::Dims) + sizeof(state::FirmColumns) + sizeof(state::BankColumns) +
                                          sizeof(Vec) + sizeof(state::Network) + sizeof(state::Aggregates) +
                                          sizeof(state::GroupState) + 5 * sizeof(Vec) + 2 * sizeof(Grid),
              "a member was added to World: list it in for_each_array");
static_assert(sizeof(state::Option) == 2 * sizeof(std::uint16_t) && std::is_trivially_copyable_v<state::Option>);
static_assert(sizeof(state::Relationship) == sizeof(std::uint16_t) &&
              std::is_trivially_copyable_v<state::Relationship>);
static_assert(sizeof(std::size_t) == sizeof(std::uint64_t));

/// How a fork treats an array: state is overwritten; structure (built from
/// the spec alone, and read as the shape of the rest) must match.
enum class Role { state, structure };

template <class T>
constexpr ValueType type_of() {
  if constexpr (std::is_same_v<T, std::uint8_t>) return ValueType::u8;
  else if constexpr (std::is_same_v<T, std::uint16_t>) return ValueType::u16;
  else if constexpr (std::is_same_v<T, std::uint32_t>) return ValueType::u32;
  else if constexpr (std::is_same_v<T, std::int32_t>) return ValueType::i32;
  else if constexpr (std::is_same_v<T, std::uint64_t> || std::is_same_v<T, std::size_t>) return ValueType::u64;
  else if constexpr (std::is_same_v<T, float>) return ValueType::f32;
  else if constexpr (std::is_same_v<T, double>) return ValueType::f64;
  else if constexpr (std::is_same_v<T, state::Option>) return ValueType::u16;  // (exporter, hub) pairs
  else if constexpr (std::is_same_v<T, state::Relationship>) return ValueType::u16;  // flags and months, packed
  else static_assert(!sizeof(T), "no stored type for this column");
}

/// Calls visit(name, role, type, pointer to the first element, elements,
/// bytes) for every array of the world, in a fixed order. `W` is World or
/// const World. FirmGroup lists and dims are not listed: they
/// follow from the structure arrays (build_world makes them from the spec).
template <class W, class Visit>
void for_each_array(W& w, Visit&& visit) {
  const auto vec = [&](const char* name, Role role, auto& v) {
    using T = typename std::remove_cvref_t<decltype(v)>::value_type;
    const std::size_t per = std::is_same_v<T, state::Option> ? 2 : 1;
    visit(name, role, type_of<T>(), static_cast<void*>(const_cast<T*>(v.data())), v.size() * per, v.size() * sizeof(T));
  };
  const auto grid = [&](const char* name, Role role, auto& g) { vec(name, role, g.data()); };
  const auto S = Role::state, X = Role::structure;

  auto& f = w.firms;
  vec("firms.state", X, f.state);
  vec("firms.sector", X, f.sector);
  vec("firms.product", X, f.product);
  vec("firms.role", X, f.role);
  vec("firms.population", X, f.population);
  vec("firms.group", X, f.group);
  vec("firms.size", S, f.size);
  vec("firms.share", S, f.share);
  vec("firms.visibility", S, f.visibility);
  vec("firms.state_owned", X, f.state_owned);
  vec("firms.exposure", S, f.exposure);
  vec("firms.risk_tolerance", S, f.risk_tolerance);
  vec("firms.belief", S, f.belief);
  vec("firms.cautious", S, f.cautious);
  vec("firms.cautious_hub", S, f.cautious_hub);
  vec("firms.designated", S, f.designated);
  vec("firms.penalised", S, f.penalised);
  vec("firms.retained", S, f.retained);
  vec("firms.trade", S, f.trade);
  vec("firms.target_trade", S, f.target_trade);
  vec("firms.target_via_hub", S, f.target_via_hub);
  vec("firms.designation_loss", S, f.designation_loss);

  auto& b = w.banks;
  vec("banks.state", X, b.state);
  vec("banks.population", X, b.population);
  vec("banks.size", S, b.size);
  vec("banks.share", S, b.share);
  vec("banks.visibility", S, b.visibility);
  vec("banks.exposure", S, b.exposure);
  vec("banks.risk_tolerance", S, b.risk_tolerance);
  vec("banks.belief", S, b.belief);
  vec("banks.withdraw_draw", S, b.withdraw_draw);
  vec("banks.risk_price", S, b.risk_price);
  vec("banks.withdrawn", S, b.withdrawn);
  vec("banks.offer", S, b.offer);
  vec("banks.designated", S, b.designated);
  vec("banks.penalised", S, b.penalised);

  auto& n = w.network;
  vec("network.options", X, n.options);
  vec("network.options_begin", X, n.options_begin);
  vec("network.first_edge", X, n.first_edge);
  vec("network.weight", S, n.weight);
  vec("network.formed_feasibility", S, n.formed_feasibility);
  vec("network.relationship", S, n.relationship);
  vec("network.order", S, n.order);

  auto& a = w.agg;
  grid("agg.flow", S, a.flow);
  grid("agg.discount", S, a.discount);
  grid("agg.market_discount", S, a.market_discount);
  grid("agg.settlement_mix", S, a.settlement_mix);
  grid("agg.settled_share", S, a.settled_share);
  grid("agg.backlog", S, a.backlog);
  grid("agg.failed", S, a.failed);
  grid("agg.availability", S, a.availability);
  grid("agg.settlement_cost", S, a.settlement_cost);
  grid("agg.base_settlement_cost", S, a.base_settlement_cost);
  grid("agg.income", S, a.income);
  grid("agg.base_revenue", S, a.base_revenue);
  grid("agg.exchange_rate_anchor", S, a.exchange_rate_anchor);
  grid("agg.price_ratio", S, a.price_ratio);
  grid("agg.base_price_ratio", S, a.base_price_ratio);
  grid("agg.shadow_fleet", S, a.shadow_fleet);
  grid("agg.fleet_base", S, a.fleet_base);
  grid("agg.clearing_shift", S, a.clearing_shift);
  grid("agg.supply_price", S, a.supply_price);
  grid("agg.hub_expansion", S, a.hub_expansion);
  grid("agg.escalation", S, a.escalation);
  grid("agg.peer_penalty_rate", S, a.peer_penalty_rate);
  grid("agg.bank_penalty_rate", S, a.bank_penalty_rate);
  grid("agg.target_payments", S, a.target_payments);
  grid("agg.bank_fee", S, a.bank_fee);
  grid("agg.bank_supply", S, a.bank_supply);
  grid("agg.alternative", S, a.alternative);
  grid("agg.netting", S, a.netting);
  grid("agg.payment_fee", S, a.payment_fee);
  grid("agg.backlog_flow", S, a.backlog_flow);
  grid("agg.dependence", S, a.dependence);

  auto& g = w.group_state;
  vec("groups.cautious", S, g.cautious);
  vec("groups.cautious_hub", S, g.cautious_hub);
  vec("groups.target_share", S, g.target_share);
  vec("groups.lost", S, g.lost);

  vec("world.exporter_group", X, w.exporter_group);
  vec("world.importer_group", X, w.importer_group);
  vec("world.intermediary_group", X, w.intermediary_group);
  vec("world.hubs", X, w.hubs);
  vec("world.aggregate", X, w.aggregate);
  grid("world.trade_cost", X, w.trade_cost);
  grid("world.freight", X, w.freight);
}

}  // namespace

std::vector<StateArray> state_arrays(const state::World& world) {
  std::vector<StateArray> out;
  for_each_array(world, [&](const char* name, Role, ValueType type, void* data, std::size_t count, std::size_t) {
    out.push_back({name, type, count, data});
  });
  return out;
}

void restore(state::World& world, const StoredCheckpoint& stored) {
  std::map<std::string, const StoredCheckpoint::Array*> by_name;
  for (const auto& a : stored.arrays) by_name[a.name] = &a;
  const SourceLocation where{stored.file, 0, 0};
  for_each_array(world, [&](const char* name, Role role, ValueType type, void* data, std::size_t count,
                            std::size_t bytes) {
    const std::string key = std::string("checkpoint/") + name;
    const auto it = by_name.find(name);
    if (it == by_name.end())
      throw InputError(where, key, "is missing: the checkpoint was written by another version of geosim");
    const auto& a = *it->second;
    if (a.type != type || a.bytes.size() != bytes)
      throw InputError(where, key,
                       "holds " + std::to_string(a.bytes.size() / std::max<std::size_t>(1, size_of(a.type))) +
                           " values of another layout than the " + std::to_string(count) +
                           " the scenario's world has: the checkpoint is of another world");
    if (role == Role::structure) {
      if (bytes > 0 && std::memcmp(data, a.bytes.data(), bytes) != 0)
        throw InputError(where, key, "differs from the world the scenario builds: the checkpoint is of another world");
    } else if (bytes > 0) {
      std::memcpy(data, a.bytes.data(), bytes);
    }
    by_name.erase(it);
  });
  if (!by_name.empty())
    throw InputError(where, "checkpoint/" + by_name.begin()->first,
                     "is not part of this geosim's state: the checkpoint was written by another version of geosim");
}

}  // namespace geosim::engine
