#pragma once
// Whole numbers typed on the command line, read without wrapping.
#include <charconv>
#include <optional>
#include <string_view>

namespace geosim::cli {

/// `text` as a T when it is only decimal digits and fits in T; nothing for a
/// sign, spaces, other characters or a value that would wrap (std::stoul and
/// CLI11 read "-1" as 2^64 - 1).
template <class T>
std::optional<T> whole_number(std::string_view text) {
  T value{};
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace geosim::cli
