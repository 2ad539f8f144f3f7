#pragma once
/// \file Quantities with units, converted once at load to the canonical unit of their
/// dimension: tonnes [t], tonnes per year [t/yr], days [d], USD, USD per tonne [USD/t],
/// fractions [1].
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rareshock {

enum class Dimension {
  Mass,      ///< canonical t
  MassRate,  ///< canonical t/yr
  Duration,  ///< canonical days
  Money,     ///< canonical USD
  Price,     ///< canonical USD/t
  Fraction,  ///< canonical 1 (accepts `%`)
  Count,     ///< plain number (units, vehicles)
  PerMass,   ///< canonical 1/t (e.g. vehicles per tonne)
};

const char* to_string(Dimension d);
/// Canonical unit text, e.g. "t/yr".
const char* canonical_unit(Dimension d);
/// Examples for messages, e.g. "a number in t/yr, or a quantity such as '40000 t/yr', '3.5 kt/yr'".
std::string expected_text(Dimension d);

/// Result of parsing a quantity: a value in canonical units, or an error sentence.
struct QuantityParse {
  std::optional<double> value;
  std::string error;                     ///< why it failed
  std::vector<std::string> suggestions;  ///< close unit names when the unit is unknown
};

/// Parses `"40000"`, `"40000 t/yr"`, `"3.5 kt/yr"`, `"8 weeks"`, `"69 USD/kg"`, `"25 %"`.
/// A plain number is taken in the canonical unit of \p dim.
QuantityParse parse_quantity(std::string_view text, Dimension dim);

/// Parses a plain number (no unit); nullopt unless the whole text is a finite number.
std::optional<double> parse_number(std::string_view text);

/// Days per year used for t/yr <-> t/day [d/yr].
inline constexpr double kDaysPerYear = 365.0;

}  // namespace rareshock
