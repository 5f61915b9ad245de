#pragma once
// A YAML document as a tree whose every node remembers the file, line and
// column it came from. yaml-cpp nodes do not carry a file name, and after a
// `base:` merge or a --set override one tree mixes nodes from several
// sources, so errors must be able to point at each node's own origin.
// The tree type is public (yaml_tree.hpp); these operations on it are
// internal to the scenario module.
#include <string>
#include <string_view>
#include <vector>

#include "geosim/core/error.hpp"
#include "geosim/scenario/load.hpp"
#include "geosim/scenario/yaml_tree.hpp"

namespace geosim::scenario::detail {

// The scenario loader works on the module's public located tree.
using Node = YamlNode;
using Entry = YamlEntry;

/// "'abc'" for a scalar, "a list", "a map" or "nothing": how messages name a
/// value that has the wrong type.
std::string describe(const Node& node);

/// Parses YAML text; malformed YAML and input beyond the limits of
/// yaml_tree.hpp throw InputError at the parser's mark.
Node parse(std::string_view text, const std::string& file);

/// A YAML input file's content; see read_yaml_file in yaml_tree.hpp.
std::string read_file(const std::string& path, const SourceLocation& from, const std::string& key,
                      const std::string& what);

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
