// The typed readers of values.hpp, shared by the scenario loader (load.cpp)
// and the sweep file parser (sim/sweep/src/plan.cpp).
#include "geosim/scenario/values.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "tree.hpp"

namespace geosim::scenario::values {

namespace {

using detail::describe;

[[noreturn]] void fail(const YamlNode& n, const std::string& path, const std::string& what) {
  throw InputError(n.where, path, what);
}

bool digit(char c) { return c >= '0' && c <= '9'; }

/// What a text spells as a number.
enum class Spelling { number, not_a_number, beyond_double, not_finite };

/// Reads `text` into `v` when it is a decimal number of YAML 1.2's core
/// schema (see parse_number).
Spelling spell(std::string_view text, double& v) {
  std::size_t i = 0, digits = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  const std::size_t sign = i;
  for (; i < text.size() && digit(text[i]); ++i) ++digits;
  if (i < text.size() && text[i] == '.')
    for (++i; i < text.size() && digit(text[i]); ++i) ++digits;
  bool exponent_ok = true;
  if (digits > 0 && i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    const std::size_t from = i;
    while (i < text.size() && digit(text[i])) ++i;
    exponent_ok = i > from;
  }
  if (digits == 0 || !exponent_ok || i != text.size()) {
    // inf, .inf, nan, .NaN, Infinity, with or without a sign: numbers, but
    // not finite ones.
    std::string word;
    for (char c : text.substr(sign)) word += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (word == "inf" || word == ".inf" || word == "infinity" || word == "nan" || word == ".nan")
      return Spelling::not_finite;
    return Spelling::not_a_number;
  }
  // from_chars takes a '-' but no '+'.
  const std::string_view body = text.front() == '+' ? text.substr(1) : text;
  const auto [end, error] = std::from_chars(body.data(), body.data() + body.size(), v);
  if (error == std::errc::result_out_of_range) return Spelling::beyond_double;
  if (error != std::errc{} || end != body.data() + body.size()) return Spelling::not_a_number;
  return std::isfinite(v) ? Spelling::number : Spelling::beyond_double;
}

std::string format(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

bool inside(double v, const Range& r) {
  return (r.lo_open ? v > r.lo : v >= r.lo) && (r.hi_open ? v < r.hi : v <= r.hi);
}

std::string describe(const Range& r) {
  if (std::isfinite(r.lo) && std::isfinite(r.hi))
    return std::string(r.lo_open ? "(" : "[") + format(r.lo) + ", " + format(r.hi) + (r.hi_open ? ")" : "]");
  if (std::isfinite(r.lo)) return std::string(r.lo_open ? "> " : ">= ") + format(r.lo);
  return "any number";
}

/// "1.3 is outside [0, 1]", "-2 is negative; expected a value >= 0".
std::string out_of_range(const std::string& text, double v, const Range& r) {
  if (std::isfinite(r.lo) && std::isfinite(r.hi)) return text + " is outside " + describe(r);
  if (v < 0 && r.lo >= 0) return text + " is negative; expected a value " + describe(r);
  return text + " is out of range; expected a value " + describe(r);
}

}  // namespace

std::optional<double> parse_number(std::string_view text) {
  double v = 0.0;
  if (spell(text, v) != Spelling::number) return std::nullopt;
  return v;
}

double number(const YamlNode& n, const std::string& path, const Range& range) {
  if (!n.is_scalar()) fail(n, path, "expected a number, got " + describe(n));
  double v = 0.0;
  switch (spell(n.scalar, v)) {
    case Spelling::number: break;
    case Spelling::not_a_number: fail(n, path, "expected a number, got '" + n.scalar + "'");
    case Spelling::not_finite: fail(n, path, "expected a finite number, got '" + n.scalar + "'");
    case Spelling::beyond_double:
      fail(n, path, "'" + n.scalar + "' is beyond the range of a double (magnitudes 4.9e-324 to 1.8e308)");
  }
  if (!inside(v, range)) fail(n, path, out_of_range(n.scalar, v, range));
  return v;
}

std::optional<std::uint64_t> parse_whole(std::string_view text) {
  const std::string_view digits = !text.empty() && text.front() == '+' ? text.substr(1) : text;
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), digit)) return std::nullopt;
  std::uint64_t v = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return v;
}

std::uint64_t whole(const YamlNode& n, const std::string& path, std::uint64_t min, std::uint64_t max) {
  const std::string expected = min > 0 ? "a whole number >= " + std::to_string(min) : "a whole number";
  const std::string outside = " is outside [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  if (!n.is_scalar()) fail(n, path, "expected " + expected + ", got " + describe(n));
  const auto v = parse_whole(n.scalar);
  if (!v) {
    double d = 0.0;
    const bool spelled_number = spell(n.scalar, d) == Spelling::number;
    if (spelled_number && d < 0) fail(n, path, n.scalar + " is negative; expected " + expected);
    // Digits beyond 2^64 - 1.
    if (spelled_number && n.scalar.find_first_of(".eE-") == std::string::npos) fail(n, path, n.scalar + outside);
    fail(n, path, "expected " + expected + ", got '" + n.scalar + "'");
  }
  if (*v < min || *v > max) fail(n, path, n.scalar + outside);
  return *v;
}

std::optional<bool> parse_boolean(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

bool boolean(const YamlNode& n, const std::string& path) {
  if (n.is_scalar())
    if (const auto b = parse_boolean(n.scalar)) return *b;
  fail(n, path, "expected true or false, got " + describe(n));
}

std::string text(const YamlNode& n, const std::string& path) {
  if (!n.is_scalar()) fail(n, path, "expected a string, got " + describe(n));
  return n.scalar;
}

Date date(const YamlNode& n, const std::string& path) {
  if (!n.is_scalar()) fail(n, path, "expected a date YYYY-MM or YYYY-MM-DD, got " + describe(n));
  const auto d = parse_date(n.scalar);
  if (!d) fail(n, path, "expected a date YYYY-MM or YYYY-MM-DD, got '" + n.scalar + "'");
  return *d;
}

Month month(const YamlNode& n, const std::string& path) { return date(n, path).as_month(); }

std::size_t choice(const YamlNode& n, const std::string& path, const std::vector<std::string>& words) {
  if (n.is_scalar())
    for (std::size_t i = 0; i < words.size(); ++i)
      if (words[i] == n.scalar) return i;
  fail(n, path,
       "expected one of " + detail::join(words) + ", got " + describe(n) +
           (n.is_scalar() ? detail::suggest(n.scalar, words) : ""));
}

}  // namespace geosim::scenario::values
