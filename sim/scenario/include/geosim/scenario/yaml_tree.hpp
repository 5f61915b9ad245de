#pragma once
// A YAML document as a tree whose every node remembers where it was written,
// for other modules' input files (sweep files) that want the scenario
// loader's file:line:column messages without seeing yaml-cpp.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "geosim/core/error.hpp"

namespace geosim::scenario {

struct YamlEntry;

// Bounds on YAML input (scenarios, their bases, --set values, sweep files),
// so that a small hostile file cannot take unbounded memory or time. They are
// fixed and generous: scenarios/baseline.yaml is 27 kB, 2,223 nodes and 7
// levels deep. docs/reliability.md, "Input limits", says why each is safe.

/// Largest YAML file or text, bytes (1 MiB). A larger scenario can be split
/// into files joined with `base:`; the limit applies to each file.
inline constexpr std::size_t max_yaml_bytes = std::size_t{1} << 20;
/// Most nodes (scalars, lists, maps, map keys) one document may expand to
/// once its aliases (`*name`) are copied out. A document within
/// max_yaml_bytes cannot reach it without aliases.
inline constexpr std::size_t max_yaml_nodes = 1'000'000;
/// Deepest nesting of lists and maps in one document.
inline constexpr std::size_t max_yaml_depth = 64;

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

/// Parses YAML text. Malformed YAML, duplicate keys and input beyond the
/// limits above throw InputError at the parser's position, worded as for
/// scenario files.
YamlNode parse_yaml(std::string_view text, const std::string& file);

/// The content of a YAML input file. Throws InputError at `from` (naming
/// `key`) when the file cannot be read, is not a regular file (a directory,
/// a device such as /dev/zero, a fifo) or is larger than max_yaml_bytes;
/// `what` names the file in messages ("scenario file", "sweep file").
std::string read_yaml_file(const std::string& path, const SourceLocation& from, const std::string& key,
                           const std::string& what);

/// "'abc'" for a scalar, "a list", "a map" or "nothing", as scenario
/// messages name a value of the wrong type.
std::string describe_yaml(const YamlNode& node);

/// " (did you mean 'x'?)" when one of `candidates` is close to `word`, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace geosim::scenario
