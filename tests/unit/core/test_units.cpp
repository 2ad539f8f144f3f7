#include <catch2/catch.hpp>

#include "rareshock/core/units.hpp"

using namespace rareshock;

TEST_CASE("quantities convert to canonical units", "[core][units]") {
  CHECK(*parse_quantity("40000 t/yr", Dimension::MassRate).value == 40000);
  CHECK(*parse_quantity("3.5 kt/yr", Dimension::MassRate).value == Approx(3500));
  CHECK(*parse_quantity("12 t/day", Dimension::MassRate).value == Approx(12 * 365));
  CHECK(*parse_quantity("40000", Dimension::MassRate).value == 40000);
  CHECK(*parse_quantity("8 weeks", Dimension::Duration).value == 56);
  CHECK(*parse_quantity("45 working days", Dimension::Duration).value == Approx(63));
  CHECK(*parse_quantity("6 months", Dimension::Duration).value == Approx(182.5));
  CHECK(*parse_quantity("69 USD/kg", Dimension::Price).value == Approx(69000));
  CHECK(*parse_quantity("25 %", Dimension::Fraction).value == Approx(0.25));
  CHECK(*parse_quantity("25%", Dimension::Fraction).value == Approx(0.25));
  CHECK(*parse_quantity("500 t", Dimension::Mass).value == 500);
  CHECK(*parse_quantity("2 MUSD", Dimension::Money).value == 2e6);
  CHECK(*parse_quantity("0.5 /kg", Dimension::PerMass).value == Approx(500));
  CHECK(*parse_quantity("3 t / yr", Dimension::MassRate).value == 3);
}

TEST_CASE("bad quantities explain themselves", "[core][units]") {
  auto q = parse_quantity("40000 t/yer", Dimension::MassRate);
  CHECK_FALSE(q.value);
  CHECK(q.error == "unknown unit 't/yer' for a mass rate");
  REQUIRE_FALSE(q.suggestions.empty());
  CHECK(q.suggestions.front() == "t/yr");

  auto w = parse_quantity("60 days", Dimension::MassRate);
  CHECK_FALSE(w.value);
  CHECK(w.error == "unit 'days' is a duration, but a mass rate is needed here");

  CHECK(parse_quantity("abc", Dimension::Mass).error == "'abc' is not a number");
  CHECK_FALSE(parse_quantity("", Dimension::Mass).value);
  CHECK_FALSE(parse_quantity("nan", Dimension::Mass).value);
  CHECK_FALSE(parse_number("1e400"));
  CHECK(*parse_number(" 42 ") == 42);
}

TEST_CASE("quantities beyond their dimension's bound are refused, never infinite",
          "[core][units]") {
  // 1e308 t/yr is finite, but 1e308 kt/yr overflowed to infinity after the unit factor.
  for (const char* text : {"1e308 t/yr", "1e308 kt/yr", "2e12 t/yr"}) {
    auto q = parse_quantity(text, Dimension::MassRate);
    INFO(text);
    CHECK_FALSE(q.value);
    CHECK(q.error.find("out of range") != std::string::npos);
  }
  CHECK(*parse_quantity("1e12 t/yr", Dimension::MassRate).value == 1e12);
  // Durations: at most 100 years either way, so every day count fits an int.
  CHECK(*parse_quantity("100 years", Dimension::Duration).value == 36500);
  CHECK_FALSE(parse_quantity("36501", Dimension::Duration).value);
  CHECK_FALSE(parse_quantity("1e19 days", Dimension::Duration).value);
  CHECK_FALSE(parse_quantity("-3e9 days", Dimension::Duration).value);
  CHECK(parse_quantity("1e19 days", Dimension::Duration).error ==
        "'1e19 days' is out of range: a duration must lie between -36500 and 36500 days");
  CHECK_FALSE(parse_quantity("2e15 USD", Dimension::Money).value);
  CHECK_FALSE(parse_quantity("1e9 %", Dimension::Fraction).value);
}

TEST_CASE("Rate converts t/yr and t/day once", "[units]") {
  const Rate r = Rate::per_year(730);
  CHECK(r.per_year() == 730);
  CHECK(r.per_day() == 2);
  CHECK(Rate::per_day(2).per_year() == 730);
  CHECK(Rate::per_day(0.5) == Rate::per_year(182.5));
  CHECK(Rate{}.per_day() == 0);
  // The same operations as the hand conversions they replace (bit-identical results).
  const double t_per_year = 1234.567;
  CHECK(Rate::per_year(t_per_year).per_day() == t_per_year / 365.0);
  CHECK(Rate::per_day(t_per_year).per_year() == t_per_year * 365.0);
}

TEST_CASE("Duration rounds to whole engine days once", "[units]") {
  CHECK(Duration::days(63).days() == 63);
  CHECK(Duration::days(2.5).whole_days() == 3);  // halves away from zero, like std::lround
  CHECK(Duration::days(2.49).whole_days() == 2);
  CHECK(Duration::days(0).whole_days() == 0);
  CHECK(Duration{}.days() == 0);
  CHECK(Duration::days(10) == Duration::days(10.0));
}
