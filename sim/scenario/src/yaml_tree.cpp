// The public located YAML tree: a copy of the loader's internal tree, so the
// internal one can change without touching other modules.
#include "geosim/scenario/yaml_tree.hpp"

#include "tree.hpp"

namespace geosim::scenario {

namespace {

YamlNode copy(const detail::Node& in) {
  YamlNode out;
  out.kind = static_cast<YamlNode::Kind>(in.kind);
  out.scalar = in.scalar;
  out.quoted = in.quoted;
  out.where = in.where;
  out.items.reserve(in.items.size());
  for (const auto& item : in.items) out.items.push_back(copy(item));
  out.entries.reserve(in.entries.size());
  for (const auto& e : in.entries) out.entries.push_back(YamlEntry{e.key, e.key_where, copy(e.value)});
  return out;
}

detail::Node back(const YamlNode& in) {
  detail::Node out;
  out.kind = static_cast<detail::Node::Kind>(in.kind);
  out.scalar = in.scalar;
  out.quoted = in.quoted;
  out.where = in.where;
  for (const auto& item : in.items) out.items.push_back(back(item));
  for (const auto& e : in.entries) out.entries.push_back(detail::Entry{e.key, e.key_where, back(e.value)});
  return out;
}

}  // namespace

const YamlNode* YamlNode::find(std::string_view key) const noexcept {
  for (const auto& e : entries)
    if (e.key == key) return &e.value;
  return nullptr;
}

YamlNode parse_yaml(std::string_view text, const std::string& file) { return copy(detail::parse(text, file)); }

std::string describe_yaml(const YamlNode& node) { return detail::describe(back(node)); }

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  return detail::suggest(word, candidates);
}

}  // namespace geosim::scenario
