// The public face of the loader's located YAML tree (tree.hpp works on the
// same type).
#include "geosim/scenario/yaml_tree.hpp"

#include "tree.hpp"

#include <algorithm>

namespace geosim::scenario {

const YamlNode* YamlNode::find(std::string_view key) const noexcept {
  for (const YamlEntry& e : entries)
    if (e.key == key) return &e.value;
  return nullptr;
}

YamlNode* YamlNode::find(std::string_view key) noexcept {
  for (YamlEntry& e : entries)
    if (e.key == key) return &e.value;
  return nullptr;
}

bool YamlNode::erase(std::string_view key) {
  const auto it = std::find_if(entries.begin(), entries.end(), [&](const YamlEntry& e) { return e.key == key; });
  if (it == entries.end()) return false;
  entries.erase(it);
  return true;
}

YamlNode parse_yaml(std::string_view text, const std::string& file) { return detail::parse(text, file); }

std::string read_yaml_file(const std::string& path, const SourceLocation& from, const std::string& key,
                           const std::string& what) {
  return detail::read_file(path, from, key, what);
}

std::string describe_yaml(const YamlNode& node) { return detail::describe(node); }

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  return detail::suggest(word, candidates);
}

}  // namespace geosim::scenario
