#pragma once
// Calendar months, the model's time step.
#include <optional>
#include <string>
#include <string_view>

namespace geosim {

/// A calendar month, stored as months since January of year 0.
struct Month {
  int serial = 0;

  static constexpr Month from(int year, int month) noexcept { return Month{year * 12 + (month - 1)}; }
  constexpr int year() const noexcept { return serial / 12; }
  /// 1..12
  constexpr int month() const noexcept { return serial % 12 + 1; }
  /// "YYYY-MM"
  std::string str() const;

  friend constexpr auto operator<=>(Month, Month) = default;
  friend constexpr int operator-(Month a, Month b) noexcept { return a.serial - b.serial; }
  friend constexpr Month operator+(Month a, int months) noexcept { return Month{a.serial + months}; }
};

/// A calendar date; the model applies a dated event from the month that holds it.
struct Date {
  int year = 0;
  int month = 1;
  int day = 1;

  constexpr Month as_month() const noexcept { return Month::from(year, month); }
  /// "YYYY-MM-DD"
  std::string str() const;
};

/// Parses "YYYY-MM" (day 1) or "YYYY-MM-DD". Returns nothing when the text is
/// not such a date or names a day that does not exist.
std::optional<Date> parse_date(std::string_view text);

/// Days from 1970-01-01 to the first day of the month (proleptic Gregorian);
/// used for CF "days since" time coordinates.
long days_since_epoch(Month m) noexcept;

}  // namespace geosim
