#pragma once
// The typed readers of YAML values, one set for every geosim input file:
// scenario files, their bases, --set values and sweep files read numbers,
// whole numbers, booleans, strings, dates and choices with these, so that a
// value is accepted or refused the same way, with the same message, in each
// (docs/scenario-reference.md, "Values"). Each throws InputError at the
// node's file:line:column, naming the key path, the value and what was
// expected.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geosim/core/month.hpp"
#include "geosim/scenario/yaml_tree.hpp"

namespace geosim::scenario::values {

/// An allowed interval of a number; open ends exclude the bound.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;
};

/// Every finite number.
inline constexpr Range any_number{};

/// The number a text spells, or nothing. Accepted: decimal numbers as YAML
/// 1.2's core schema writes them, [-+]?(digits[.digits] | .digits)([eE][-+]?digits)?
/// ("1", "-0", "+2.5", ".5", "5.", "1e3"), whose value is finite. Refused:
/// hexadecimal and octal (0x10, 0o17), digit separators (1_000), infinities
/// and NaN (.inf, inf, .nan, nan), numbers beyond a double (1e400, 1e-400),
/// spaces, and the empty text.
std::optional<double> parse_number(std::string_view text);

/// A number (parse_number) in `range`; a quoted number ('0.5') is a number too.
double number(const YamlNode& n, const std::string& path, const Range& range = any_number);

/// The whole number a text spells, or nothing: digits with an optional
/// leading '+' ("7", "+7", "007") up to 2^64 - 1; not "1e3", "7.0", "0x10"
/// or "-0".
std::optional<std::uint64_t> parse_whole(std::string_view text);

/// A whole number (parse_whole) in [min, max].
std::uint64_t whole(const YamlNode& n, const std::string& path, std::uint64_t min, std::uint64_t max);

/// The boolean a text spells, or nothing: true, True or TRUE; false, False
/// or FALSE (YAML 1.2's core schema; not YAML 1.1's yes, no, on, off).
std::optional<bool> parse_boolean(std::string_view text);

/// A boolean (parse_boolean).
bool boolean(const YamlNode& n, const std::string& path);

/// A string: any scalar, quoted or not.
std::string text(const YamlNode& n, const std::string& path);

/// A date, YYYY-MM (the first of the month) or YYYY-MM-DD.
Date date(const YamlNode& n, const std::string& path);

/// A month, written as a date; the day, if given, is ignored.
Month month(const YamlNode& n, const std::string& path);

/// The index of one of a fixed set of words, with a suggestion when the
/// value is close to one.
std::size_t choice(const YamlNode& n, const std::string& path, const std::vector<std::string>& words);

}  // namespace geosim::scenario::values
