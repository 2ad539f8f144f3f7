#pragma once
/// \file Quantities with units, converted once at load to the canonical unit of their
/// dimension: tonnes [t], tonnes per year [t/yr], days [d], USD, USD per tonne [USD/t],
/// fractions [1].
#include <cmath>
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

/// A mass rate. Inputs and reports use t/yr (the canonical unit of Dimension::MassRate), the
/// engine t/day: the conversion is made here, not by hand at each use. Stored in t/yr, so a
/// rate read from the input converts with one division (per_day()) and an engine rate with
/// one multiplication (Rate::per_day(x).per_year()).
class Rate {
 public:
  constexpr Rate() = default;
  static constexpr Rate per_year(double t_per_year) { return Rate(t_per_year); }
  static constexpr Rate per_day(double t_per_day) { return Rate(t_per_day * kDaysPerYear); }
  constexpr double per_year() const { return t_per_year_; }                ///< [t/yr]
  constexpr double per_day() const { return t_per_year_ / kDaysPerYear; }  ///< [t/day]
  constexpr bool operator==(const Rate&) const = default;

 private:
  explicit constexpr Rate(double t_per_year) : t_per_year_(t_per_year) {}
  double t_per_year_ = 0;
};

/// A duration in days (the canonical unit of Dimension::Duration). The engine steps whole
/// days: whole_days() is the one rounding of an input duration to engine days.
class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration days(double d) { return Duration(d); }
  constexpr double days() const { return days_; }  ///< [days]
  /// Rounded to the nearest whole day (halves away from zero), as the engine uses it.
  int whole_days() const { return static_cast<int>(std::lround(days_)); }
  constexpr bool operator==(const Duration&) const = default;

 private:
  explicit constexpr Duration(double d) : days_(d) {}
  double days_ = 0;
};

}  // namespace rareshock
