#pragma once
// A YAML document as a tree whose every node remembers where it was written,
// for other modules' input files (sweep files) that want the scenario
// loader's file:line:column messages without seeing yaml-cpp.
#include <string>
#include <string_view>
#include <vector>

#include "geosim/core/error.hpp"

namespace geosim::scenario {

struct YamlEntry;

struct YamlNode {
  enum class Kind { null, scalar, sequence, map };
  Kind kind = Kind::null;
  std::string scalar;              ///< text of a scalar, as written
  bool quoted = false;             ///< the scalar was quoted
  std::vector<YamlNode> items;     ///< items of a sequence
  std::vector<YamlEntry> entries;  ///< entries of a map, in file order
  SourceLocation where;

  bool is_map() const noexcept { return kind == Kind::map; }
  bool is_sequence() const noexcept { return kind == Kind::sequence; }
  bool is_scalar() const noexcept { return kind == Kind::scalar; }
  /// The value of a map entry, or nullptr.
  const YamlNode* find(std::string_view key) const noexcept;
  YamlNode* find(std::string_view key) noexcept;
  /// Removes a map entry; returns whether it was there.
  bool erase(std::string_view key);
};

struct YamlEntry {
  std::string key;
  SourceLocation key_where;  ///< where the key itself is written
  YamlNode value;
};

/// Parses YAML text. Malformed YAML and duplicate keys throw InputError at
/// the parser's position, worded as for scenario files.
YamlNode parse_yaml(std::string_view text, const std::string& file);

/// "'abc'" for a scalar, "a list", "a map" or "nothing", as scenario
/// messages name a value of the wrong type.
std::string describe_yaml(const YamlNode& node);

/// " (did you mean 'x'?)" when one of `candidates` is close to `word`, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace geosim::scenario
