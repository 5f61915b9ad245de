#include "geosim/model/policy_kinds.hpp"

#include <cassert>
#include <iterator>

#include "geosim/core/error.hpp"

namespace geosim::model {

void EventCheck::fail(const std::string& sub, const std::string& what) const {
  const std::string path = key + "." + sub;
  throw InputError(spec.where(path), path, what);
}

namespace {

// ------------------------------------------------------------ own keys

// `sectors` narrows every kind to some sectors; financial_sanctions and
// bank_withdrawal take it too (files that name it load) although their
// application does not use it.
constexpr EventKey sectors{"sectors"};

constexpr EventKey export_control_keys[] = {sectors, {"dual_use_only"}};
constexpr EventKey import_ban_keys[] = {sectors};
constexpr EventKey price_cap_keys[] = {
    {"sectors", true, "a price cap is stated in the price unit of its sectors"},
    {"cap", true, "the price ceiling, in the sector's price unit"}};
constexpr EventKey financial_sanctions_keys[] = {sectors, {"currencies"}};
constexpr EventKey secondary_sanctions_keys[] = {sectors, {"dual_use_only"}, {"scope"}, {"listed"}};
constexpr EventKey bank_withdrawal_keys[] = {sectors, {"banks"}};
constexpr EventKey risk_premium_keys[] = {sectors};

// ------------------------------------------------------------ own checks

void nothing_more(const EventCheck&) {}

void check_price_cap(const EventCheck& c) {
  if (!(c.event.cap > 0)) c.fail("cap", "a price_cap needs cap > 0 (the ceiling, in the sector's price unit)");
}

void check_financial_sanctions(const EventCheck& c) {
  if (!c.event.currencies_given && !c.spec.states[index(c.event.by)].home_currency)
    c.fail("currencies", c.state_code(c.event.by) +
                             " has no home_currency, so the event must name the blocked currencies "
                             "(currencies: [] for its banks alone)");
}

void check_secondary_sanctions(const EventCheck& c) {
  const PolicyEvent& e = c.event;
  if (e.listed.empty()) return;
  // One pool to draw from: firms and banks are not weighed against each other.
  if (e.scope == SanctionScope::both)
    c.fail("listed", "a designation round lists firms or banks: give scope: firms or scope: banks (two events for both)");
  for (const Listing& l : e.listed)
    if (l.state == e.by || l.state == e.target)
      c.fail("listed." + c.state_code(l.state), "a round lists third-country entities, not those of " +
                                                    c.state_code(l.state) + " (by or target of the event)");
}

void check_bank_withdrawal(const EventCheck& c) {
  const PolicyEvent& e = c.event;
  std::string names;
  bool found = false;
  for (const BankPopulationSpec& b : c.spec.banks) {
    if (b.state != e.by) continue;
    if (b.name == e.banks || e.banks.empty()) found = true;
    names += (names.empty() ? "" : ", ") + b.name;
  }
  if (!found && e.banks.empty())
    c.fail("by", c.state_code(e.by) + " has no bank populations, so there are no banks to withdraw");
  if (!found)
    c.fail("banks", "'" + e.banks + "' is not a bank population of " + c.state_code(e.by) +
                        "; defined: " + (names.empty() ? std::string("none") : names));
}

// ------------------------------------------------------------ the table

/// For entries of kinds that take only the common keys. Not an empty span:
/// an entry that leaves `keys` out gets one, which the checks below reject.
constexpr std::span<const EventKey> no_own_keys = std::span<const EventKey>(common_event_keys).first(0);

constexpr PolicyKindInfo table[] = {
    {PolicyKind::export_control, "export_control", export_control_keys, nothing_more},
    {PolicyKind::import_ban, "import_ban", import_ban_keys, nothing_more},
    {PolicyKind::price_cap, "price_cap", price_cap_keys, check_price_cap},
    {PolicyKind::financial_sanctions, "financial_sanctions", financial_sanctions_keys, check_financial_sanctions},
    {PolicyKind::secondary_sanctions, "secondary_sanctions", secondary_sanctions_keys, check_secondary_sanctions},
    {PolicyKind::bank_withdrawal, "bank_withdrawal", bank_withdrawal_keys, check_bank_withdrawal},
    {PolicyKind::risk_premium, "risk_premium", risk_premium_keys, nothing_more},
    {PolicyKind::fleet_sanctions, "fleet_sanctions", no_own_keys, nothing_more},
};

constexpr bool in_kind_order() {
  for (std::size_t i = 0; i < std::size(table); ++i)
    if (static_cast<std::size_t>(table[i].kind) != i) return false;
  return true;
}

// An entry without keys cannot compile (a check in their place does not
// convert to a span) unless it also lacks its check, which this catches. The
// keys' pointer is not compared with null: under -fsanitize=undefined g++
// does not take that comparison as a constant expression.
constexpr bool complete() {
  for (const PolicyKindInfo& k : table)
    if (!k.name || !*k.name || !k.check) return false;
  return true;
}

static_assert(std::size(table) == policy_kind_count, "one entry per PolicyKind");
static_assert(in_kind_order(), "entries in the order of PolicyKind, so that kind_info() can index");
static_assert(complete(), "every entry has a name and a check (or nothing_more)");
static_assert(no_own_keys.empty());

}  // namespace

std::span<const PolicyKindInfo> policy_kinds() noexcept { return table; }

const PolicyKindInfo& kind_info(PolicyKind kind) noexcept {
  assert(static_cast<std::size_t>(kind) < std::size(table));
  return table[static_cast<std::size_t>(kind)];
}

std::optional<PolicyKind> policy_kind_named(std::string_view name) noexcept {
  for (const PolicyKindInfo& k : table)
    if (name == k.name) return k.kind;
  return std::nullopt;
}

const EventKey* find_key(const PolicyKindInfo& kind, std::string_view key) noexcept {
  for (const EventKey& k : common_event_keys)
    if (k.name == key) return &k;
  for (const EventKey& k : kind.keys)
    if (k.name == key) return &k;
  return nullptr;
}

const char* to_string(PolicyKind kind) noexcept { return kind_info(kind).name; }

}  // namespace geosim::model
