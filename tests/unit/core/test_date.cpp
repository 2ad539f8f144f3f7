#include <catch2/catch.hpp>

#include "rareshock/core/date.hpp"

using namespace rareshock;

TEST_CASE("dates parse, print and count days", "[core][date]") {
  auto d = parse_date("2025-04-04");
  REQUIRE(d);
  CHECK(to_string(*d) == "2025-04-04");
  CHECK(*parse_date("2025-06-01") - *d == 58);
  CHECK(to_string(*d + 365) == "2026-04-04");
  CHECK(parse_date("1970-01-01")->days == 0);
  CHECK(make_date(2024, 2, 29) == *parse_date("2024-02-29"));
}

TEST_CASE("invalid dates are rejected", "[core][date]") {
  CHECK_FALSE(parse_date("2025-02-30"));
  CHECK_FALSE(parse_date("2025-13-01"));
  CHECK_FALSE(parse_date("2025-4-04"));
  CHECK_FALSE(parse_date("April 4"));
  CHECK_FALSE(parse_date("2023-02-29"));
}
