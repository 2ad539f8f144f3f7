#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "rareshock/core/optional_double.hpp"

using rareshock::OptionalDouble;

TEST_CASE("optional double: 8 bytes, the interface of std::optional<double>", "[core]") {
  static_assert(sizeof(OptionalDouble) == sizeof(double));
  OptionalDouble none;
  CHECK_FALSE(none.has_value());
  CHECK_FALSE(static_cast<bool>(none));
  CHECK(none.value_or(-1) == -1);
  CHECK_THROWS_AS(none.value(), std::bad_optional_access);
  CHECK_FALSE(static_cast<std::optional<double>>(none).has_value());

  OptionalDouble x = 0.25;
  CHECK(x.has_value());
  CHECK(*x == 0.25);
  CHECK(x.value() == 0.25);
  CHECK(x.value_or(-1) == 0.25);
  CHECK(static_cast<std::optional<double>>(x) == std::optional<double>(0.25));
  x.reset();
  CHECK_FALSE(x);

  // Zero, negative zero, infinities and ordinary NaNs are values, not "none".
  for (double v : {0.0, -0.0, std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity()})
    CHECK(OptionalDouble(v).has_value());
  const OptionalDouble nan = std::nan("");
  CHECK(nan.has_value());
  CHECK(std::isnan(*nan));
  const OptionalDouble made = std::numeric_limits<double>::infinity() * 0.0;
  CHECK(made.has_value());

  // From and to std::optional.
  const std::optional<double> o = 3.5, n = std::nullopt;
  CHECK(OptionalDouble(o) == OptionalDouble(3.5));
  CHECK_FALSE(OptionalDouble(n).has_value());
  OptionalDouble y = std::nullopt;
  CHECK_FALSE(y);
  y = o;
  CHECK(*y == 3.5);

  // Equality as std::optional: both empty, or equal values.
  CHECK(OptionalDouble() == OptionalDouble(std::nullopt));
  CHECK(OptionalDouble(1.0) == OptionalDouble(1.0));
  CHECK_FALSE(OptionalDouble(1.0) == OptionalDouble(2.0));
  CHECK_FALSE(OptionalDouble(1.0) == OptionalDouble());
  CHECK_FALSE(nan == nan);  // a NaN value is not equal to itself, as with std::optional
}
