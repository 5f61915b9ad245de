#pragma once
// A YAML document as a tree whose every node remembers the file, line and
// column it came from. yaml-cpp nodes do not carry a file name, and after a
// `base:` merge or a --set override one tree mixes nodes from several
// sources, so errors must be able to point at each node's own origin.
// Internal to the scenario module.
#include <string>
#include <string_view>
#include <vector>

#include "geosim/core/error.hpp"
#include "geosim/scenario/load.hpp"

namespace geosim::scenario::detail {

struct Entry;

struct Node {
  enum class Kind { null, scalar, sequence, map };
  Kind kind = Kind::null;
  std::string scalar;         ///< text of a scalar, as written
  bool quoted = false;        ///< the scalar was quoted (kept when emitting)
  std::vector<Node> items;    ///< items of a sequence
  std::vector<Entry> entries; ///< entries of a map, in file order
  SourceLocation where;

  bool is_map() const noexcept { return kind == Kind::map; }
  bool is_sequence() const noexcept { return kind == Kind::sequence; }
  bool is_scalar() const noexcept { return kind == Kind::scalar; }
  const Node* find(std::string_view key) const noexcept;
  Node* find(std::string_view key) noexcept;
  /// Removes a map entry; returns whether it was there.
  bool erase(std::string_view key);
};

struct Entry {
  std::string key;
  SourceLocation key_where;  ///< where the key itself is written
  Node value;
};

/// "'abc'" for a scalar, "a list", "a map" or "nothing": how messages name a
/// value that has the wrong type.
std::string describe(const Node& node);

/// Parses YAML text; malformed YAML throws InputError at the parser's mark.
Node parse(std::string_view text, const std::string& file);

/// The tree as block-style YAML, with short lists and maps of scalars in
/// flow style; quoted scalars stay quoted.
std::string emit(const Node& root);

/// Reads a scenario file and the chain of `base:` files it names, checks
/// each file's schema_version and merges each file onto its base. `text`
/// is the content when given (load_text), else the file is read from disk.
Node load_chain(const std::string& path, const std::string* text);

/// Applies a --set override to the merged tree.
void apply(Node& root, const Override& override_);

/// Edit distance between two strings (insertions, deletions, substitutions).
std::size_t levenshtein(std::string_view a, std::string_view b);

/// " (did you mean 'x'?)" when one of `candidates` is close to `word`, else "".
std::string suggest(std::string_view word, const std::vector<std::string>& candidates);

/// The candidates joined with ", ".
std::string join(const std::vector<std::string>& items);

}  // namespace geosim::scenario::detail
