#include "rareshock/core/date.hpp"

#include <fmt/format.h>

#include <charconv>
#include <chrono>

namespace rareshock {

Date make_date(int year, unsigned month, unsigned day) {
  using namespace std::chrono;
  sys_days d{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}};
  return Date{static_cast<int>(d.time_since_epoch().count())};
}

std::optional<Date> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto num = [&](std::size_t b, std::size_t n, int& out) {
    for (std::size_t i = b; i < b + n; ++i)
      if (s[i] < '0' || s[i] > '9') return false;
    std::from_chars(s.data() + b, s.data() + b + n, out);
    return true;
  };
  int y = 0, m = 0, d = 0;
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{y},
                                  std::chrono::month{static_cast<unsigned>(m)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return Date{static_cast<int>(std::chrono::sys_days{ymd}.time_since_epoch().count())};
}

std::string to_string(Date d) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{d.days}}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

}  // namespace rareshock
