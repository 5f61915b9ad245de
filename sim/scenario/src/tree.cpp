#include "tree.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>

#include "geosim/model/spec.hpp"
#include "geosim/scenario/values.hpp"

namespace geosim::scenario::detail {

namespace fs = std::filesystem;

std::string describe(const Node& node) {
  switch (node.kind) {
    case Node::Kind::null: return "nothing";
    case Node::Kind::scalar: return "'" + node.scalar + "'";
    case Node::Kind::sequence: return "a list";
    case Node::Kind::map: return "a map";
  }
  return "?";
}

std::size_t levenshtein(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string suggest(std::string_view word, const std::vector<std::string>& candidates) {
  // Close means at most a third of the word's letters wrong (at least one),
  // so that "intensty" finds "intensity" but "cap" does not find "kind".
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  const std::string* best = nullptr;
  std::size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    const std::size_t d = levenshtein(word, c);
    if (d < best_distance) {
      best = &c;
      best_distance = d;
    }
  }
  return best ? " (did you mean '" + *best + "'?)" : "";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

namespace {

SourceLocation location(const YAML::Mark& mark, const std::string& file) {
  if (mark.is_null() || mark.line < 0) return SourceLocation{file, 0, 0};
  return SourceLocation{file, mark.line + 1, mark.column + 1};
}

// Where convert() is, as a chain of segments up to the root, spelled out as
// a key path only when an error needs it.
struct Trail {
  const Trail* parent = nullptr;
  const std::string* key = nullptr;  ///< map entry, or
  std::size_t index = 0;             ///< list item when key is null
};

std::string key_path(const Trail* t) {
  std::vector<const Trail*> chain;
  for (; t && t->parent; t = t->parent) chain.push_back(t);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    out += (*it)->key ? (out.empty() ? "" : ".") + *(*it)->key : "[" + std::to_string((*it)->index) + "]";
  return out;
}

std::string depth_error() {
  return "lists and maps are nested more than " + std::to_string(max_yaml_depth) +
         " levels deep; the limit is fixed (scenarios nest at most 7 levels) and guards the parser's stack";
}

// The count of nodes made so far bounds what aliases can expand to: yaml-cpp
// shares an aliased node, but the located tree copies it at every use, so
// "a: &a [*b, *b, ...]" chains grow exponentially here.
struct Budget {
  std::size_t nodes = 0;
};

Node convert(const YAML::Node& in, const std::string& file, Budget& budget, const Trail& trail, std::size_t depth) {
  Node out;
  out.where = location(in.Mark(), file);
  if (++budget.nodes > max_yaml_nodes)
    throw InputError(out.where, key_path(&trail),
                     "the document expands to more than " + std::to_string(max_yaml_nodes) +
                         " nodes once its aliases (*name) are copied out; the limit is fixed (scenarios/baseline.yaml "
                         "has 2,223 nodes, and a file within the " +
                         std::to_string(max_yaml_bytes) + "-byte size limit reaches it only through aliases): "
                         "write the repeated parts out or use fewer aliases");
  if (depth > max_yaml_depth) throw InputError(out.where, key_path(&trail), depth_error());
  switch (in.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: out.kind = Node::Kind::null; break;
    case YAML::NodeType::Scalar:
      out.kind = Node::Kind::scalar;
      out.scalar = in.Scalar();
      out.quoted = in.Tag() == "!";
      break;
    case YAML::NodeType::Sequence:
      out.kind = Node::Kind::sequence;
      for (const YAML::Node& item : in) {
        const Trail here{&trail, nullptr, out.items.size()};
        out.items.push_back(convert(item, file, budget, here, depth + 1));
      }
      break;
    case YAML::NodeType::Map:
      out.kind = Node::Kind::map;
      for (const auto& kv : in) {
        const SourceLocation key_where = location(kv.first.Mark(), file);
        if (!kv.first.IsScalar()) {
          Budget ignored;
          throw InputError(key_where, "",
                           "a key must be a plain name, got " + describe(convert(kv.first, file, ignored, trail, depth)));
        }
        const std::string& key = kv.first.Scalar();
        for (const Entry& e : out.entries)
          if (e.key == key)
            throw InputError(key_where, key, "duplicate key (first given at " + e.key_where.str() + ")");
        ++budget.nodes;  // the key
        const Trail here{&trail, &key, 0};
        out.entries.push_back(Entry{key, key_where, convert(kv.second, file, budget, here, depth + 1)});
      }
      break;
  }
  return out;
}

void relocate(Node& node, const SourceLocation& where) {
  node.where = where;
  for (Node& item : node.items) relocate(item, where);
  for (Entry& e : node.entries) {
    e.key_where = where;
    relocate(e.value, where);
  }
}

bool leaf(const Node& n) { return n.kind == Node::Kind::null || n.kind == Node::Kind::scalar; }

bool flat(const Node& n) {
  if (leaf(n)) return true;
  for (const Node& i : n.items)
    if (!leaf(i)) return false;
  for (const Entry& e : n.entries)
    if (!leaf(e.value)) return false;
  return true;
}

// Flow style for what reads well on one line: lists of scalars and of
// scalar pairs (price paths, code lists) and maps of scalars and scalar
// lists (events, currencies); lists of maps stay one item per line.
bool flow(const Node& n) {
  if (n.is_sequence())
    return std::all_of(n.items.begin(), n.items.end(), [](const Node& i) { return !i.is_map() && flat(i); });
  if (n.is_map())
    return std::all_of(n.entries.begin(), n.entries.end(),
                       [](const Entry& e) { return leaf(e.value) || (e.value.is_sequence() && flat(e.value)); });
  return false;
}

void emit(YAML::Emitter& out, const Node& n, bool in_flow) {
  switch (n.kind) {
    case Node::Kind::null: out << YAML::Null; break;
    case Node::Kind::scalar:
      if (n.quoted) out << YAML::DoubleQuoted;
      out << n.scalar;
      break;
    case Node::Kind::sequence: {
      const bool f = in_flow || flow(n);
      if (f) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const Node& item : n.items) emit(out, item, f);
      out << YAML::EndSeq;
      break;
    }
    case Node::Kind::map: {
      const bool f = in_flow || flow(n);
      if (f) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const Entry& e : n.entries) {
        out << YAML::Key << e.key << YAML::Value;
        emit(out, e.value, f);
      }
      out << YAML::EndMap;
      break;
    }
  }
}

// ---------------------------------------------------------------- merging

// Lists whose items merge by identity rather than being replaced.
std::string identity_key(std::string_view list) {
  if (list == "sectors" || list == "currencies" || list == "states") return "code";
  if (list == "events") return "id";
  if (list == "banks") return "name";
  return "";
}

std::string flat_text(const Node& n) {
  if (n.is_scalar()) return n.scalar;
  std::string out = "[";
  for (const Node& i : n.items) {
    if (out.size() > 1) out += ',';
    out += flat_text(i);
  }
  out += ']';
  return out;
}

// The identity of a list item, or "" when it has none. Bank populations
// share names across states, so a bank's identity is its name and state.
std::string identity(const Node& item, std::string_view list) {
  const std::string key = identity_key(list);
  if (key.empty() || !item.is_map()) return "";
  const Node* id = item.find(key);
  if (!id || !id->is_scalar()) return "";
  if (list != "banks") return id->scalar;
  const Node* state = item.find("state");
  return state ? id->scalar + " in " + flat_text(*state) : "";
}

void merge(Node& base, const Node& derived, const std::string& path);

void merge_items(Node& base, const Node& derived, const std::string& list) {
  const std::string key = identity_key(list);
  for (const Node& item : derived.items) {
    const std::string id = identity(item, list);
    const Node* remove = item.is_map() ? item.find("remove") : nullptr;
    auto match = base.items.end();
    if (!id.empty())
      match = std::find_if(base.items.begin(), base.items.end(),
                           [&](const Node& b) { return identity(b, list) == id; });
    if (remove) {
      if (!remove->is_scalar() || values::parse_boolean(remove->scalar) != true)
        throw InputError(remove->where, list + "[].remove", "expected true, got " + describe(*remove));
      if (id.empty())
        throw InputError(item.where, list + "[].remove",
                         "an item with remove: true must name the " + key + (list == "banks" ? " and state" : "") +
                             " of the base item to delete");
      for (const Entry& e : item.entries)
        if (e.key != key && e.key != "remove" && !(list == "banks" && e.key == "state"))
          throw InputError(e.key_where, list + "[" + id + "]." + e.key,
                           "an item with remove: true names only the item to delete");
      if (match == base.items.end())
        throw InputError(remove->where, list + "[" + id + "].remove",
                         "no item with " + key + " '" + id + "' in the base scenario to remove");
      base.items.erase(match);
    } else if (match != base.items.end()) {
      merge(*match, item, list + "[" + id + "]");
    } else {
      base.items.push_back(item);
    }
  }
  base.where = derived.where;
}

void merge(Node& base, const Node& derived, const std::string& path) {
  if (base.is_map() && derived.is_map()) {
    for (const Entry& e : derived.entries) {
      const std::string sub = path.empty() ? e.key : path + "." + e.key;
      Node* existing = base.find(e.key);
      if (!existing) {
        base.entries.push_back(e);
        continue;
      }
      for (Entry& b : base.entries)
        if (b.key == e.key) b.key_where = e.key_where;
      merge(*existing, e.value, sub);
    }
    base.where = derived.where;
  } else if (base.is_sequence() && derived.is_sequence() && !identity_key(path).empty()) {
    merge_items(base, derived, path);
  } else {
    base = derived;
  }
}

// ---------------------------------------------------------------- files

struct Link {
  std::string shown;  ///< the path as resolved from the file naming it
  fs::path canonical;
};

void check_version(const Node& root) {
  const std::string supported = "supported versions: " + std::to_string(model::schema_version);
  const Node* v = root.find("schema_version");
  if (const Node* sweep = root.find("sweep_version"); sweep && !v)
    throw InputError(sweep->where, "", "this is a sweep file, not a scenario; use geosim plan (or geosim sweep)");
  if (!v)
    throw InputError(root.where, "schema_version",
                     "missing required key 'schema_version' (the format version of the file); " + supported);
  const auto version = v->is_scalar() ? values::parse_whole(v->scalar) : std::nullopt;
  if (version != static_cast<std::uint64_t>(model::schema_version))
    throw InputError(v->where, "schema_version",
                     "version " + (v->is_scalar() ? v->scalar : describe(*v)) + " is not supported; " + supported);
}

Node load_link(const Link& link, const std::string* text, const SourceLocation& from, std::vector<Link>& chain) {
  for (const Link& l : chain)
    if (l.canonical == link.canonical) {
      std::string cycle;
      for (const Link& c : chain) cycle += c.shown + " -> ";
      throw InputError(from, "base", "base scenario cycle: " + cycle + link.shown);
    }
  chain.push_back(link);
  Node root = parse(text ? *text : read_file(link.shown, from, chain.size() > 1 ? "base" : "", "scenario file"), link.shown);
  if (root.kind == Node::Kind::null)
    throw InputError(SourceLocation{link.shown, 0, 0}, "",
                     "the file is empty; expected a map of scenario keys (schema_version, name, ...)");
  if (!root.is_map())
    throw InputError(root.where, "", "expected a map of scenario keys at the top level, got " + describe(root));
  check_version(root);
  const Node* base_name = root.find("base");
  if (!base_name) return root;
  if (!base_name->is_scalar() || base_name->scalar.empty())
    throw InputError(base_name->where, "base", "expected the path of a scenario file, got " + describe(*base_name));
  // A file's base is relative to that file; text has no directory, so its
  // base is relative to the current directory.
  const fs::path dir = text ? fs::path() : fs::path(link.shown).parent_path();
  const fs::path base_path = (dir / base_name->scalar).lexically_normal();
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(base_path, ec);
  if (ec) canonical = fs::absolute(base_path);
  Node merged = load_link(Link{base_path.string(), canonical}, nullptr, base_name->where, chain);
  root.erase("base");
  merge(merged, root, "");
  chain.pop_back();
  return merged;
}

std::vector<std::string> split_path(const std::string& key_path, const SourceLocation& where) {
  // Segments are names and "[selector]"s; a selector keeps its brackets.
  std::vector<std::string> out;
  std::size_t i = 0;
  const auto bad = [&](const std::string& what) {
    throw InputError(where, key_path, "malformed key path: " + what);
  };
  while (i < key_path.size()) {
    if (key_path[i] == '[') {
      const std::size_t close = key_path.find(']', i);
      if (close == std::string::npos) bad("'[' without ']'");
      if (close == i + 1) bad("empty '[]'");
      out.push_back(key_path.substr(i, close - i + 1));
      i = close + 1;
      if (i < key_path.size() && key_path[i] != '.' && key_path[i] != '[') bad("expected '.' or '[' after ']'");
    } else {
      if (key_path[i] == '.') {
        if (out.empty()) bad("starts with '.'");
        ++i;
      }
      const std::size_t stop = key_path.find_first_of(".[", i);
      const std::string name = key_path.substr(i, stop == std::string::npos ? std::string::npos : stop - i);
      if (name.empty()) bad("a '.' must be followed by a key name");
      out.push_back(name);
      i = stop == std::string::npos ? key_path.size() : stop;
    }
  }
  if (out.empty()) bad("it is empty");
  return out;
}

}  // namespace

Node parse(std::string_view text, const std::string& file) {
  if (text.size() > max_yaml_bytes)
    throw InputError(SourceLocation{file, 0, 0}, "",
                     "the YAML text is " + std::to_string(text.size()) + " bytes; the limit is " +
                         std::to_string(max_yaml_bytes) + " bytes (1 MiB) per file, fixed: split a larger scenario "
                         "into files joined with base:");
  try {
    Budget budget;
    const Trail root;
    return convert(YAML::Load(std::string(text)), file, budget, root, 1);
  } catch (const YAML::DeepRecursion& e) {
    throw InputError(location(e.mark, file), "", depth_error());
  } catch (const YAML::Exception& e) {
    throw InputError(location(e.mark, file), "", "malformed YAML: " + e.msg);
  }
}

std::string emit(const Node& root) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, root, false);
  return std::string(out.c_str()) + "\n";
}

std::string read_file(const std::string& path, const SourceLocation& from, const std::string& key,
                      const std::string& what) {
  const std::string cannot = "cannot read " + what + " '" + path + "': ";
  // Non-blocking, so that opening a fifo without a writer returns at once
  // (it is then rejected as not a regular file); no effect on regular files.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw InputError(from, key, cannot + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw InputError(from, key, cannot + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw InputError(from, key, cannot + std::strerror(EISDIR) + "; expected a regular file");
  if (!S_ISREG(st.st_mode)) {
    const char* kind = S_ISCHR(st.st_mode)    ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISFIFO(st.st_mode) ? "a fifo"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a regular file";
    throw InputError(from, key, cannot + "it is " + kind + "; expected a regular file");
  }
  const auto too_large = [&](const std::string& size) {
    return InputError(from, key,
                      cannot + "it is " + size + " bytes; the limit is " + std::to_string(max_yaml_bytes) +
                          " bytes (1 MiB) per file, fixed: split a larger scenario into files joined with base:");
  };
  if (static_cast<std::uintmax_t>(st.st_size) > max_yaml_bytes) throw too_large(std::to_string(st.st_size));
  // Read at most one byte past the limit, in case the file grows meanwhile.
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw InputError(from, key, cannot + std::strerror(errno));
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > max_yaml_bytes) throw too_large("more than " + std::to_string(max_yaml_bytes));
  }
  return text;
}

Node load_chain(const std::string& path, const std::string* text) {
  std::vector<Link> chain;
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  if (ec) canonical = fs::absolute(path);
  return load_link(Link{path, canonical}, text, SourceLocation{}, chain);
}

void apply(Node& root, const Override& override_) {
  const SourceLocation where{"--set " + override_.key_path + "=" + override_.value, 0, 0};
  const std::vector<std::string> segments = split_path(override_.key_path, where);
  if (segments.front() == "base")
    throw InputError(where, "base",
                     "base cannot be set with --set (bases are merged before overrides); write a scenario "
                     "file with base: instead");
  Node* node = &root;
  Entry* created = nullptr;
  std::string shown;
  for (const std::string& s : segments) {
    created = nullptr;
    if (s.front() == '[') {
      const std::string selector = s.substr(1, s.size() - 2);
      if (!node->is_sequence())
        throw InputError(where, shown, "is " + describe(*node) + ", not a list, so " + s + " selects nothing");
      const bool numeric = std::all_of(selector.begin(), selector.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (numeric) {
        // An index too long for std::size_t selects nothing in any list
        // (and std::stoul would throw a bare std::out_of_range on it).
        const bool fits = selector.size() <= std::numeric_limits<std::size_t>::digits10;
        const std::size_t i = fits ? std::stoul(selector) : std::numeric_limits<std::size_t>::max();
        if (i >= node->items.size())
          throw InputError(where, shown + s,
                           "index " + selector + " is out of range; the list has " +
                               std::to_string(node->items.size()) + " items");
        node = &node->items[i];
        shown += s;
        continue;
      }
      std::vector<std::size_t> matches;
      std::vector<std::string> names;
      for (std::size_t i = 0; i < node->items.size(); ++i) {
        const Node& item = node->items[i];
        for (const char* key : {"code", "id", "name"})
          if (const Node* v = item.is_map() ? item.find(key) : nullptr; v && v->is_scalar()) {
            names.push_back(v->scalar);
            if (v->scalar == selector) matches.push_back(i);
            break;
          }
      }
      if (matches.empty())
        throw InputError(where, shown + s,
                         "no item with code, id or name '" + selector + "'" + suggest(selector, names) +
                             "; items: " + (names.empty() ? std::string("none") : join(names)));
      if (matches.size() > 1)
        throw InputError(where, shown + s,
                         "'" + selector + "' names " + std::to_string(matches.size()) +
                             " items; select one by index, e.g. " + shown + "[" + std::to_string(matches[0]) + "]");
      shown += "[" + std::to_string(matches[0]) + "]";
      node = &node->items[matches[0]];
    } else {
      if (node->kind == Node::Kind::null) node->kind = Node::Kind::map;
      if (!node->is_map())
        throw InputError(where, shown, "is " + describe(*node) + ", not a map, so it has no key '" + s + "'");
      shown += (shown.empty() ? "" : ".") + s;
      Node* next = node->find(s);
      if (!next) {
        node->entries.push_back(Entry{s, where, Node{}});
        created = &node->entries.back();
        next = &created->value;
      }
      node = next;
    }
  }
  Node value = parse(override_.value, where.file);
  relocate(value, where);
  *node = std::move(value);
  if (created) created->key_where = where;
}

}  // namespace geosim::scenario::detail
