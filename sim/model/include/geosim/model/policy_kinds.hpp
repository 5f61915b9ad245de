#pragma once
// The policy (event) kinds, declared once: for each kind its name in scenario
// files, the keys an event of that kind takes and the checks of validate()
// that belong to it. The scenario loader (names, allowed and required keys),
// to_string, validate() and the list of kinds in docs/scenario-reference.md
// (compared by tests/scenario_test.cpp) follow from the table in
// policy_kinds.cpp.
//
// What a kind does to the policy in force lives in rules (the application
// table in rules/src/policy.cpp), not here: it writes rules::PolicyState,
// which this module cannot see, and model must not depend on rules. Both
// tables are indexed by PolicyKind and static_assert one entry per kind, in
// enum order, so neither can miss a kind.
//
// Adding a kind: an enumerator of PolicyKind (spec.hpp, above `count`), an
// entry in the table of policy_kinds.cpp (its own keys and its check), an
// application in rules/src/policy.cpp, and its row in the docs' list; a key
// no kind took before also needs its reader in scenario/src/load.cpp
// (events()) and a field in PolicyEvent. What catches an omission: the
// static_asserts of both tables (entry or application missing, out of order,
// or without name, keys or check); scenario_test (the docs' lists, and a key
// the loader does not read); rules_test (an application that changes nothing).
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "geosim/model/spec.hpp"

namespace geosim::model {

/// A key of an event in scenario files.
struct EventKey {
  constexpr EventKey(std::string_view name_, bool required_ = false, std::string_view why_ = {})
      : name(name_), required(required_), why(why_) {}

  std::string_view name;
  bool required;
  /// Why it is required, appended to "missing required key" (may be empty).
  std::string_view why;
};

/// Keys that an event of every kind takes.
inline constexpr EventKey common_event_keys[] = {
    {"id"}, {"kind", true}, {"start", true}, {"end"}, {"by", true}, {"target", true}, {"intensity"}, {"label"}};

/// What a kind's own check in validate() sees.
struct EventCheck {
  const ScenarioSpec& spec;
  const PolicyEvent& event;
  const std::string& key;  ///< key path of the event, e.g. "events[3]"

  /// Throws InputError for `key.sub` at its position in the file.
  [[noreturn]] void fail(const std::string& sub, const std::string& what) const;
  const std::string& state_code(StateId id) const { return spec.states[index(id)].code; }
};

struct PolicyKindInfo {
  PolicyKind kind;
  const char* name;  ///< in scenario files, messages and outputs
  /// Keys the kind takes besides common_event_keys; `no_own_keys` when none
  /// (an entry that leaves this out does not compile: see policy_kinds.cpp).
  std::span<const EventKey> keys;
  /// The kind's own checks in validate(), after the checks every event gets
  /// (codes, by != target, dates against the horizon); throws InputError.
  void (*check)(const EventCheck&);
};

/// Every kind, in the order of PolicyKind.
std::span<const PolicyKindInfo> policy_kinds() noexcept;

/// The table entry of a kind (kind must be a real kind, not `count`).
const PolicyKindInfo& kind_info(PolicyKind kind) noexcept;

/// The kind of a name in scenario files, or nothing.
std::optional<PolicyKind> policy_kind_named(std::string_view name) noexcept;

/// The key if an event of this kind takes it (common or its own), else null.
const EventKey* find_key(const PolicyKindInfo& kind, std::string_view key) noexcept;

}  // namespace geosim::model
