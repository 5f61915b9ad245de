// Sweep file parsing and plan generation (docs/sweeps.md). Parsing checks
// the sweep file itself; each run's scenario is checked by the scenario
// loader, so a bad value gets the same message as in a scenario file.
#include "geosim/sweep/plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>

#include <boost/random/sobol.hpp>

#include "geosim/core/rng.hpp"
#include "geosim/scenario/values.hpp"
#include "geosim/scenario/yaml_tree.hpp"

namespace geosim::sweep {

namespace fs = std::filesystem;
using scenario::YamlNode;

const char* to_string(Design d) noexcept {
  switch (d) {
    case Design::values: return "values";
    case Design::grid: return "grid";
    case Design::uniform: return "uniform";
    case Design::lhs: return "lhs";
    case Design::sobol: return "sobol";
    case Design::zip: return "zip";
  }
  return "?";
}

namespace {

// Stream kinds of the sweep's own random numbers; far from the engine's
// AgentKind values so that no engine stream can coincide with them.
constexpr auto seed_kind = static_cast<AgentKind>(0x53570001u);
constexpr auto uniform_kind = static_cast<AgentKind>(0x53570002u);
constexpr auto lhs_kind = static_cast<AgentKind>(0x53570003u);

constexpr std::uint32_t max_runs = 10'000'000;

[[noreturn]] void fail(const SourceLocation& where, const std::string& path, const std::string& what) {
  throw InputError(where, path, what);
}

std::string at(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }
std::string at(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

void check_keys(const YamlNode& n, const std::string& path, const std::vector<std::string>& allowed) {
  for (const auto& e : n.entries)
    if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(e.key_where, at(path, e.key),
           "unknown key '" + e.key + "'" + scenario::did_you_mean(e.key, allowed) + "; expected one of: " + list);
    }
}

// The typed readers scenario files use (values.hpp), so that a value is
// accepted or refused the same way, with the same message, in either file.
using scenario::values::boolean;
using scenario::values::choice;
using scenario::values::number;
using scenario::values::parse_number;
using scenario::values::text;
using scenario::values::whole;

const YamlNode& require(const YamlNode& map, const std::string& path, const std::string& key) {
  const YamlNode* v = map.find(key);
  if (!v) fail(map.where, path, "missing required key '" + key + "'");
  return *v;
}

/// Shortest decimal text that reads back as exactly `v`.
std::string exact(double v) {
  char buf[40];
  for (int precision : {15, 16, 17}) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

/// A YAML scalar as override text: as written, quoted again if it was quoted.
std::string yaml_text(const YamlNode& n) {
  if (!n.quoted) return n.scalar;
  std::string out = "'";
  for (char c : n.scalar) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string default_name(const std::string& key_path) {
  std::string out;
  for (char c : key_path) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (word) out += c;
    else if (!out.empty() && out.back() != '_') out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

bool valid_name(const std::string& s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

/// A factor of the combination: a list of points, each giving values to some parameters.
struct Factor {
  std::vector<std::size_t> params;               ///< indices into Plan::parameters
  std::vector<std::vector<std::string>> points;  ///< per point, one value per param
  std::vector<std::int32_t> sobol_matrix, sobol_sample;  ///< per point, Saltelli factor only
  SourceLocation where;
  std::string path;
};

class Parser {
 public:
  Parser(Plan& plan) : plan_(plan) {}

  void run(const YamlNode& root) {
    if (!root.is_map()) fail(root.where, "", "expected a map of sweep keys at the top level, got " + scenario::describe_yaml(root));
    if (root.find("schema_version") && !root.find("sweep_version"))
      fail(root.find("schema_version")->where, "",
           "this is a scenario, not a sweep file; use geosim validate (or geosim run)");
    check_keys(root, "", {"sweep_version", "name", "description", "base", "seed", "replicates", "combination",
                          "samples", "saltelli", "parameters"});
    const YamlNode& version = require(root, "", "sweep_version");
    if (whole(version, "sweep_version", 0, 1000) != 1)
      fail(version.where, "sweep_version", version.scalar + " is not supported; this geosim reads sweep_version 1");
    plan_.name = text(require(root, "", "name"), "name");
    if (const auto* d = root.find("description")) plan_.description = text(*d, "description");
    const YamlNode& base = require(root, "", "base");
    const std::string base_text = text(base, "base");
    fs::path base_path(base_text);
    if (base_path.is_relative()) base_path = fs::path(plan_.file).parent_path() / base_path;
    plan_.base = base_path.lexically_normal().string();
    if (!fs::exists(plan_.base)) fail(base.where, "base", "base scenario '" + plan_.base + "' does not exist");
    const auto spec = scenario::load_file(plan_.base);  // throws the scenario's own errors
    plan_.base_resolved = spec.resolved_yaml;
    base_spec_ = spec;
    plan_.master_seed = spec.seed;
    if (const auto* s = root.find("seed")) plan_.master_seed = whole(*s, "seed", 0, std::numeric_limits<std::uint64_t>::max());
    if (const auto* r = root.find("replicates")) plan_.replicates = static_cast<std::uint32_t>(whole(*r, "replicates", 1, max_runs));
    if (const auto* c = root.find("combination"))
      plan_.factorial = choice(*c, "combination", {"factorial", "zipped"}) == 0;
    const YamlNode* samples = root.find("samples");
    if (samples) plan_.samples = static_cast<std::uint32_t>(whole(*samples, "samples", 1, max_runs));
    if (const auto* s = root.find("saltelli")) plan_.saltelli = boolean(*s, "saltelli");

    const YamlNode& params = require(root, "", "parameters");
    if (!params.is_sequence() || params.items.empty())
      fail(params.where, "parameters", "expected a non-empty list of parameters, got " + scenario::describe_yaml(params));
    for (std::size_t i = 0; i < params.items.size(); ++i) parameter(params.items[i], at("parameters", i), nullptr);

    // Random designs: one joint factor per design kind, at its first parameter.
    const bool any_random = std::any_of(plan_.parameters.begin(), plan_.parameters.end(), [](const Parameter& p) {
      return p.design == Design::uniform || p.design == Design::lhs || p.design == Design::sobol;
    });
    if (any_random && !samples)
      fail(root.where, "samples", "the uniform, lhs and sobol designs need 'samples' (the number of points to draw)");
    if (samples && !any_random)
      fail(samples->where, "samples", "is set but no parameter has a uniform, lhs or sobol design");
    build_random_factors();
    std::stable_sort(factors_.begin(), factors_.end(), [](const Factor& a, const Factor& b) { return a.params.front() < b.params.front(); });
    combine(root);
  }

 private:
  void add_parameter(Parameter p, const std::string& path, const YamlNode& node) {
    if (!valid_name(p.name))
      fail(node.where, path + ".name", "'" + p.name + "' is not a valid name; use letters, digits and _");
    if (p.key_path == "seed" || p.key_path.rfind("seed.", 0) == 0)
      fail(node.where, path + ".key", "the seed is not a parameter: each run's seed derives from the sweep's seed and the run id");
    if (p.key_path == "base" || p.key_path.rfind("base.", 0) == 0)
      fail(node.where, path + ".key", "base cannot be swept; set the sweep's base, or sweep whole scenario files with key: scenario");
    for (const auto& q : plan_.parameters) {
      if (q.name == p.name) fail(node.where, path + ".name", "parameter name '" + p.name + "' is used twice (first at " + q.where.str() + ")");
      if (q.key_path == p.key_path) fail(node.where, path + ".key", "key '" + p.key_path + "' is swept twice (first at " + q.where.str() + ")");
    }
    plan_.parameters.push_back(std::move(p));
  }

  /// One entry of `parameters` (or of a zip group when `zip` is given).
  void parameter(const YamlNode& n, const std::string& path, Factor* zip) {
    if (!n.is_map()) fail(n.where, path, "expected a map with 'key' and a design, got " + scenario::describe_yaml(n));
    if (const YamlNode* group = n.find("zip")) {
      if (zip) fail(n.where, path, "zip groups cannot be nested");
      check_keys(n, path, {"zip"});
      if (!group->is_sequence() || group->items.size() < 1)
        fail(group->where, path + ".zip", "expected a list of parameters with values, got " + scenario::describe_yaml(*group));
      Factor f;
      f.where = n.where;
      f.path = path + ".zip";
      for (std::size_t i = 0; i < group->items.size(); ++i) parameter(group->items[i], at(path + ".zip", i), &f);
      // transpose the per-parameter value lists into points
      const std::size_t len = f.points.front().size();
      for (std::size_t i = 1; i < f.points.size(); ++i)
        if (f.points[i].size() != len)
          fail(group->items[i].where, at(path + ".zip", i),
               "has " + std::to_string(f.points[i].size()) + " values but the group's first parameter has " +
                   std::to_string(len) + "; zipped lists must have the same length");
      std::vector<std::vector<std::string>> points(len);
      for (std::size_t k = 0; k < len; ++k)
        for (const auto& values : f.points) points[k].push_back(values[k]);
      f.points = std::move(points);
      factors_.push_back(std::move(f));
      return;
    }
    check_keys(n, path, {"key", "name", "values", "grid", "uniform", "lhs", "sobol", "integer"});
    Parameter p;
    p.where = n.where;
    p.key_path = text(require(n, path, "key"), path + ".key");
    if (p.key_path.empty()) fail(n.where, path + ".key", "the key path is empty");
    p.name = n.find("name") ? text(*n.find("name"), path + ".name") : default_name(p.key_path);

    std::vector<std::string> designs;
    for (const char* d : {"values", "grid", "uniform", "lhs", "sobol"})
      if (n.find(d)) designs.emplace_back(d);
    if (designs.size() != 1)
      fail(n.where, path, designs.empty() ? "no design: give one of values, grid, uniform, lhs, sobol"
                                          : "more than one design (" + designs[0] + ", " + designs[1] + "); give exactly one");
    const std::string& d = designs.front();
    const YamlNode& spec = *n.find(d);
    const std::string dpath = path + "." + d;
    std::vector<std::string> values;
    if (d == "values") {
      p.design = Design::values;
      if (!spec.is_sequence() || spec.items.empty())
        fail(spec.where, dpath, "expected a non-empty list of values, got " + scenario::describe_yaml(spec));
      for (std::size_t i = 0; i < spec.items.size(); ++i) {
        const YamlNode& v = spec.items[i];
        if (!v.is_scalar()) fail(v.where, at(dpath, i), "expected a single value, got " + scenario::describe_yaml(v));
        values.push_back(yaml_text(v));
        if (v.quoted || !parse_number(v.scalar)) p.numeric = false;
      }
    } else if (d == "grid") {
      p.design = Design::grid;
      if (!spec.is_map()) fail(spec.where, dpath, "expected {start, stop, step}, got " + scenario::describe_yaml(spec));
      check_keys(spec, dpath, {"start", "stop", "step"});
      const double start = number(require(spec, dpath, "start"), dpath + ".start");
      const double stop = number(require(spec, dpath, "stop"), dpath + ".stop");
      const YamlNode& step_node = require(spec, dpath, "step");
      const double step = number(step_node, dpath + ".step");
      if (step == 0 || (stop - start) / step < 0)
        fail(step_node.where, dpath + ".step", step_node.scalar + " does not lead from " + exact(start) + " to " + exact(stop));
      // Steps from start to stop. Compared before it becomes a whole
      // number: a step of 1e-300 gives 1e300, and converting a double past
      // 2^64 to an integer is undefined behaviour.
      const double span = (stop - start) / step;
      if (!(span < max_runs)) {
        char values_text[40];
        std::snprintf(values_text, sizeof values_text, "%.3g", std::floor(span) + 1);
        fail(spec.where, dpath,
             "the grid of " + p.key_path + " would give " + values_text + " values; a grid gives at most " +
                 std::to_string(max_runs) + " (a larger step or a shorter range gives fewer)");
      }
      const auto count = static_cast<std::uint64_t>(std::floor(span + 1e-9)) + 1;
      for (std::uint64_t i = 0; i < count; ++i) {
        // start + i * step, not a running sum, so that values do not drift;
        // 15 significant digits so that 0.1 + 2 * 0.1 is written 0.3.
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.15g", start + static_cast<double>(i) * step);
        values.emplace_back(buf);
      }
    } else {
      p.design = d == "uniform" ? Design::uniform : d == "lhs" ? Design::lhs : Design::sobol;
      if (zip) fail(n.where, path, "a zip group holds lists of values; " + d + " is a random design");
      if (!spec.is_map()) fail(spec.where, dpath, "expected {min, max}, got " + scenario::describe_yaml(spec));
      check_keys(spec, dpath, {"min", "max"});
      p.min = number(require(spec, dpath, "min"), dpath + ".min");
      p.max = number(require(spec, dpath, "max"), dpath + ".max");
      if (!(p.max > p.min)) fail(spec.where, dpath, "max " + exact(p.max) + " must be greater than min " + exact(p.min));
      if (const auto* integer = n.find("integer")) p.integer = boolean(*integer, path + ".integer");
    }
    if (n.find("integer") && (p.design == Design::values || p.design == Design::grid))
      fail(n.find("integer")->where, path + ".integer", "applies only to the uniform, lhs and sobol designs");
    if (zip && p.design != Design::values && p.design != Design::grid)
      fail(n.where, path, "a zip group holds lists of values");
    if (p.key_path == "scenario") {
      // The scenario axis: each value is a scenario file, resolved like
      // `base` relative to the sweep file and loaded here so that a missing
      // or bad file is reported at its line. Whether a scenario keeps the
      // base's horizon and labels is checked with every run (validate_runs).
      if (p.design != Design::values)
        fail(n.where, path, "the scenario axis takes a list of scenario files: values: [a.yaml, b.yaml]");
      p.scenario = true;
      p.numeric = false;
      for (std::size_t i = 0; i < values.size(); ++i) {
        const YamlNode& item = spec.items[i];
        values[i] = item.scalar;  // the file as written, unquoted: it is no override text
        fs::path file(item.scalar);
        if (file.is_relative()) file = fs::path(plan_.file).parent_path() / file;
        const std::string resolved = file.lexically_normal().string();
        if (!fs::exists(resolved)) fail(item.where, at(dpath, i), "scenario file '" + resolved + "' does not exist");
        if (!scenario_file_.count(values[i])) {
          scenario_file_[values[i]] = resolved;
          plan_.scenario_files.emplace_back(resolved, scenario::load_file(resolved).resolved_yaml);
        }
      }
    }

    const std::size_t index = plan_.parameters.size();
    add_parameter(std::move(p), path, n);
    if (zip) {
      zip->params.push_back(index);
      zip->points.push_back(std::move(values));  // transposed by the caller
    } else if (!values.empty()) {
      Factor f;
      f.params = {index};
      f.where = n.where;
      f.path = path;
      for (auto& v : values) f.points.push_back({std::move(v)});
      factors_.push_back(std::move(f));
    }
  }

  std::string scaled(const Parameter& p, double u) const {
    double v = p.min + u * (p.max - p.min);
    if (p.integer) v = std::floor(p.min + u * (p.max - p.min + 1));  // each whole number in [min, max] equally likely
    if (p.integer) v = std::min(v, std::floor(p.max));
    return exact(v);
  }

  void build_random_factors() {
    const std::uint32_t N = plan_.samples;
    std::vector<std::size_t> uni, lhs, sob;
    for (std::size_t i = 0; i < plan_.parameters.size(); ++i) {
      const auto d = plan_.parameters[i].design;
      if (d == Design::uniform) uni.push_back(i);
      if (d == Design::lhs) lhs.push_back(i);
      if (d == Design::sobol) sob.push_back(i);
    }
    if (!uni.empty()) {
      Factor f;
      f.params = uni;
      for (std::uint32_t s = 0; s < N; ++s) {
        std::vector<std::string> point;
        for (std::size_t j = 0; j < uni.size(); ++j) {
          Stream st(plan_.master_seed, 0, uniform_kind, static_cast<std::uint32_t>(j), s, Phase::init);
          point.push_back(scaled(plan_.parameters[uni[j]], st.uniform()));
        }
        f.points.push_back(std::move(point));
      }
      factors_.push_back(std::move(f));
    }
    if (!lhs.empty()) {
      // Latin hypercube: each parameter's range in N strata, each stratum
      // used once, strata of different parameters paired at random.
      Factor f;
      f.params = lhs;
      f.points.assign(N, {});
      for (std::size_t j = 0; j < lhs.size(); ++j) {
        std::vector<std::uint32_t> perm(N);
        for (std::uint32_t i = 0; i < N; ++i) perm[i] = i;
        Stream shuffle(plan_.master_seed, 0, lhs_kind, static_cast<std::uint32_t>(j), 0, Phase::init);
        for (std::uint32_t i = N; i > 1; --i) {
          const auto k = static_cast<std::uint32_t>(shuffle.uniform() * i);
          std::swap(perm[i - 1], perm[std::min(k, i - 1)]);
        }
        Stream jitter(plan_.master_seed, 0, lhs_kind, static_cast<std::uint32_t>(j), 1, Phase::init);
        for (std::uint32_t s = 0; s < N; ++s) {
          const double u = (perm[s] + jitter.uniform()) / N;
          f.points[s].push_back(scaled(plan_.parameters[lhs[j]], u));
        }
      }
      factors_.push_back(std::move(f));
    }
    if (!sob.empty()) {
      const std::size_t d = sob.size();
      const std::size_t dims = plan_.saltelli ? 2 * d : d;
      if (dims > 3667) fail(plan_.parameters[sob.front()].where, "parameters", "too many sobol parameters for Boost's Sobol table");
      boost::random::sobol gen(dims);
      const auto next = [&] { return static_cast<double>(gen() >> 11) * 0x1.0p-53; };
      // Boost's sequence starts after the origin: the first point is the centre.
      Factor f;
      f.params = sob;
      for (std::uint32_t n = 0; n < N; ++n) {
        std::vector<double> x(dims);
        for (auto& v : x) v = next();
        const auto point = [&](std::size_t matrix) {
          std::vector<std::string> out;
          for (std::size_t i = 0; i < d; ++i) {
            // A uses columns [0, d), B columns [d, 2d); AB_i is A with column i from B.
            const bool from_b = matrix == 1 || (matrix >= 2 && matrix - 2 == i);
            out.push_back(scaled(plan_.parameters[sob[i]], x[from_b ? d + i : i]));
          }
          f.points.push_back(std::move(out));
          f.sobol_matrix.push_back(plan_.saltelli ? static_cast<std::int32_t>(matrix) : -1);
          f.sobol_sample.push_back(plan_.saltelli ? static_cast<std::int32_t>(n) : -1);
        };
        point(0);
        if (plan_.saltelli) {
          point(1);
          for (std::size_t i = 0; i < d; ++i) point(2 + i);
        }
      }
      if (plan_.saltelli)
        for (auto i : sob) plan_.sobol_parameters.push_back(plan_.parameters[i].name);
      factors_.push_back(std::move(f));
    }
  }

  void combine(const YamlNode& root) {
    std::uint64_t points = 1;
    if (plan_.factorial) {
      for (const auto& f : factors_) {
        points *= f.points.size();
        if (points * plan_.replicates > max_runs)
          fail(root.where, "parameters", "the full factorial has more than " + std::to_string(max_runs) + " runs");
      }
    } else {
      points = factors_.front().points.size();
      for (const auto& f : factors_)
        if (f.points.size() != points)
          fail(f.where, f.path.empty() ? "parameters" : f.path,
               "has " + std::to_string(f.points.size()) + " points but the first factor has " + std::to_string(points) +
                   "; with combination: zipped every parameter needs the same number of values (random designs have 'samples'" +
                   std::string(plan_.saltelli ? ", Saltelli sobol samples × (d + 2)" : "") + ")");
      if (points * plan_.replicates > max_runs) fail(root.where, "parameters", "too many runs");
    }
    const std::size_t P = plan_.parameters.size();
    plan_.runs.reserve(points * plan_.replicates);
    std::vector<std::size_t> pick(factors_.size());
    for (std::uint64_t pt = 0; pt < points; ++pt) {
      // factorial: mixed radix with the first factor slowest
      if (plan_.factorial) {
        std::uint64_t rest = pt;
        for (std::size_t k = factors_.size(); k-- > 0;) {
          pick[k] = rest % factors_[k].points.size();
          rest /= factors_[k].points.size();
        }
      } else {
        std::fill(pick.begin(), pick.end(), static_cast<std::size_t>(pt));
      }
      Run proto;
      proto.values.assign(P, {});
      for (std::size_t k = 0; k < factors_.size(); ++k) {
        const auto& f = factors_[k];
        for (std::size_t j = 0; j < f.params.size(); ++j) proto.values[f.params[j]] = f.points[pick[k]][j];
        if (!f.sobol_matrix.empty()) {
          proto.sobol_matrix = f.sobol_matrix[pick[k]];
          proto.sobol_sample = f.sobol_sample[pick[k]];
        }
      }
      for (std::size_t i = 0; i < P; ++i) {
        if (plan_.parameters[i].scenario) proto.scenario = scenario_file_.at(proto.values[i]);
        else proto.overrides.push_back({plan_.parameters[i].key_path, proto.values[i]});
      }
      for (std::uint32_t r = 0; r < plan_.replicates; ++r) {
        Run run = proto;
        run.id = static_cast<std::uint32_t>(plan_.runs.size());
        run.replicate = r;
        run.seed = run_seed(plan_.master_seed, run.id);
        plan_.runs.push_back(std::move(run));
      }
    }
  }

  Plan& plan_;
  std::optional<model::ScenarioSpec> base_spec_;
  std::vector<Factor> factors_;
  std::map<std::string, std::string> scenario_file_;  ///< scenario axis: value as written -> resolved path
};

/// FNV-1a, 64 bits, over length-prefixed fields; two passes with different
/// offsets give 128 bits, plenty to tell sweeps apart.
class Hasher {
 public:
  void add(std::string_view s) {
    add_raw(std::to_string(s.size()));
    add_raw(":");
    add_raw(s);
  }
  void add(std::uint64_t v) { add(std::to_string(v)); }
  std::string hex() const {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a_), static_cast<unsigned long long>(b_));
    return buf;
  }

 private:
  void add_raw(std::string_view s) {
    for (unsigned char c : s) {
      a_ = (a_ ^ c) * 0x100000001b3ULL;
      b_ = (b_ ^ c) * 0x100000001b3ULL;
    }
  }
  std::uint64_t a_ = 0xcbf29ce484222325ULL;
  std::uint64_t b_ = 0x84222325cbf29ce4ULL;
};

std::string fingerprint(const Plan& plan) {
  Hasher h;
  h.add("geosim sweep 1");
  h.add(geosim::version());
  h.add(plan.name);
  h.add(plan.base_resolved);
  h.add(plan.master_seed);
  for (const auto& [file, yaml] : plan.scenario_files) {
    h.add(file);
    h.add(yaml);
  }
  for (const auto& p : plan.parameters) {
    h.add(p.name);
    h.add(p.key_path);
    h.add(p.numeric ? 1 : 0);
  }
  for (const auto& s : plan.sobol_parameters) h.add(s);
  h.add(plan.runs.size());
  for (const auto& r : plan.runs) {
    h.add(r.id);
    h.add(r.seed);
    h.add(r.replicate);
    h.add(static_cast<std::uint64_t>(r.sobol_matrix + 1));
    h.add(static_cast<std::uint64_t>(r.sobol_sample + 1));
    if (!r.scenario.empty()) h.add(r.scenario);  // sweeps without a scenario axis keep their fingerprint
    for (const auto& o : r.overrides) {
      h.add(o.key_path);
      h.add(o.value);
    }
  }
  return h.hex();
}

}  // namespace

std::string fork_fingerprint(const std::string& fingerprint, const std::string& checkpoint_identity) {
  Hasher h;
  h.add("geosim forked sweep 1");
  h.add(fingerprint);
  h.add(checkpoint_identity);
  return h.hex();
}

std::uint64_t run_seed(std::uint64_t master_seed, std::uint32_t run) noexcept {
  Stream s(master_seed, run, seed_kind, 0, 0, Phase::init);
  return s();
}

Plan load_plan_text(const std::string& text, const std::string& file_name) {
  Plan plan;
  plan.file = file_name;
  plan.text = text;
  const YamlNode root = scenario::parse_yaml(text, file_name);
  Parser(plan).run(root);
  for (auto& p : plan.parameters)
    if (p.design == Design::uniform || p.design == Design::lhs || p.design == Design::sobol) p.numeric = true;
  plan.fingerprint = fingerprint(plan);
  return plan;
}

Plan load_plan(const std::string& path) {
  return load_plan_text(scenario::read_yaml_file(path, SourceLocation{}, "", "sweep file"), path);
}

model::ScenarioSpec load_run(const Plan& plan, const Run& run) {
  auto spec = scenario::load_file(run.scenario.empty() ? plan.base : run.scenario, run.overrides);
  spec.seed = run.seed;
  return spec;
}

}  // namespace geosim::sweep
