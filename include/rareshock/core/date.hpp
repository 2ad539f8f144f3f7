#pragma once
/// \file Calendar dates as day numbers (days since 1970-01-01, proleptic Gregorian).
#include <optional>
#include <string>
#include <string_view>

namespace rareshock {

/// A calendar day. Arithmetic in whole days.
struct Date {
  int days = 0;  ///< days since 1970-01-01
  auto operator<=>(const Date&) const = default;
  Date operator+(int d) const { return Date{days + d}; }
  int operator-(Date o) const { return days - o.days; }
};

/// Parses `YYYY-MM-DD`; nullopt when malformed or not a real day (e.g. 2025-02-30).
std::optional<Date> parse_date(std::string_view s);
/// `YYYY-MM-DD`.
std::string to_string(Date d);
Date make_date(int year, unsigned month, unsigned day);

}  // namespace rareshock
