#include "rareshock/core/units.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "rareshock/core/text.hpp"

namespace rareshock {
namespace {

struct UnitDef {
  const char* name;
  Dimension dim;
  double factor;  // multiply to get canonical
};

constexpr double kMonth = kDaysPerYear / 12.0;
constexpr double kWorkingDay = 7.0 / 5.0;  // calendar days per working day

// Every unit text accepted, with its factor to the canonical unit of its dimension.
const UnitDef kUnits[] = {
    {"t", Dimension::Mass, 1},
    {"tonne", Dimension::Mass, 1},
    {"tonnes", Dimension::Mass, 1},
    {"kg", Dimension::Mass, 1e-3},
    {"kt", Dimension::Mass, 1e3},
    {"Mt", Dimension::Mass, 1e6},
    {"t/yr", Dimension::MassRate, 1},
    {"t/y", Dimension::MassRate, 1},
    {"t/year", Dimension::MassRate, 1},
    {"tpa", Dimension::MassRate, 1},
    {"kt/yr", Dimension::MassRate, 1e3},
    {"kt/y", Dimension::MassRate, 1e3},
    {"kt/year", Dimension::MassRate, 1e3},
    {"ktpa", Dimension::MassRate, 1e3},
    {"Mt/yr", Dimension::MassRate, 1e6},
    {"kg/yr", Dimension::MassRate, 1e-3},
    {"t/month", Dimension::MassRate, 12},
    {"kt/month", Dimension::MassRate, 12e3},
    {"t/week", Dimension::MassRate, kDaysPerYear / 7.0},
    {"t/day", Dimension::MassRate, kDaysPerYear},
    {"t/d", Dimension::MassRate, kDaysPerYear},
    {"kg/day", Dimension::MassRate, kDaysPerYear * 1e-3},
    {"d", Dimension::Duration, 1},
    {"day", Dimension::Duration, 1},
    {"days", Dimension::Duration, 1},
    {"working day", Dimension::Duration, kWorkingDay},
    {"working days", Dimension::Duration, kWorkingDay},
    {"working_days", Dimension::Duration, kWorkingDay},
    {"week", Dimension::Duration, 7},
    {"weeks", Dimension::Duration, 7},
    {"month", Dimension::Duration, kMonth},
    {"months", Dimension::Duration, kMonth},
    {"year", Dimension::Duration, kDaysPerYear},
    {"years", Dimension::Duration, kDaysPerYear},
    {"yr", Dimension::Duration, kDaysPerYear},
    {"USD", Dimension::Money, 1},
    {"kUSD", Dimension::Money, 1e3},
    {"MUSD", Dimension::Money, 1e6},
    {"BUSD", Dimension::Money, 1e9},
    {"USD/t", Dimension::Price, 1},
    {"USD/kg", Dimension::Price, 1e3},
    {"USD/lb", Dimension::Price, 1e3 / 0.45359237},
    {"kUSD/t", Dimension::Price, 1e3},
    {"%", Dimension::Fraction, 0.01},
    {"1/t", Dimension::PerMass, 1},
    {"/t", Dimension::PerMass, 1},
    {"per t", Dimension::PerMass, 1},
    {"1/kg", Dimension::PerMass, 1e3},
    {"/kg", Dimension::PerMass, 1e3},
    {"per kg", Dimension::PerMass, 1e3},
};

// The largest magnitude accepted for each dimension, in its canonical unit. Far above any real
// rare-earth quantity, and small enough that products and sums over a run (rate x days x price,
// over every node) stay finite, and a duration always fits an int day count.
double max_magnitude(Dimension d) {
  switch (d) {
    case Dimension::Duration:
      return 36500;  // 100 years, the longest horizon
    case Dimension::Money:
      return 1e15;
    case Dimension::Fraction:
      return 1e6;
    case Dimension::Mass:
    case Dimension::MassRate:
    case Dimension::Price:
    case Dimension::Count:
    case Dimension::PerMass:
      return 1e12;
  }
  return 1e12;
}

// Checks \p v (canonical units) against the bound of \p dim; \p t is the text as written.
void bounded(QuantityParse& out, double v, Dimension dim, const std::string& t) {
  const double limit = max_magnitude(dim);
  if (std::isfinite(v) && std::fabs(v) <= limit) {
    out.value = v;
    return;
  }
  std::string unit = canonical_unit(dim);
  out.error = "'" + t + "' is out of range: a " + std::string(to_string(dim)) +
              " must lie between -" + pretty_number(limit) + " and " + pretty_number(limit) +
              (unit.empty() ? "" : " " + unit);
}

}  // namespace

const char* to_string(Dimension d) {
  switch (d) {
    case Dimension::Mass:
      return "mass";
    case Dimension::MassRate:
      return "mass rate";
    case Dimension::Duration:
      return "duration";
    case Dimension::Money:
      return "money";
    case Dimension::Price:
      return "price";
    case Dimension::Fraction:
      return "fraction";
    case Dimension::Count:
      return "count";
    case Dimension::PerMass:
      return "count per mass";
  }
  return "?";
}

const char* canonical_unit(Dimension d) {
  switch (d) {
    case Dimension::Mass:
      return "t";
    case Dimension::MassRate:
      return "t/yr";
    case Dimension::Duration:
      return "days";
    case Dimension::Money:
      return "USD";
    case Dimension::Price:
      return "USD/t";
    case Dimension::Fraction:
      return "";
    case Dimension::Count:
      return "";
    case Dimension::PerMass:
      return "1/t";
  }
  return "";
}

std::string expected_text(Dimension d) {
  switch (d) {
    case Dimension::Mass:
      return "a mass: a number in t, or e.g. '500 t', '2.5 kt', '800 kg'";
    case Dimension::MassRate:
      return "a mass rate: a number in t/yr, or e.g. '40000 t/yr', '3.5 kt/yr', '12 t/day'";
    case Dimension::Duration:
      return "a duration: a number of days, or e.g. '60 days', '8 weeks', '45 working days', "
             "'6 months'";
    case Dimension::Money:
      return "an amount of money: a number in USD, or e.g. '35000 USD'";
    case Dimension::Price:
      return "a price: a number in USD/t, or e.g. '69 USD/kg', '450 USD/t'";
    case Dimension::Fraction:
      return "a fraction: a number from 0 to 1, or a percentage such as '25 %'";
    case Dimension::Count:
      return "a plain number";
    case Dimension::PerMass:
      return "a count per tonne: a number, or e.g. '400 per t', '0.5 /kg'";
  }
  return "";
}

std::optional<double> parse_number(std::string_view text) {
  std::string t = trim(text);
  if (t.empty()) return std::nullopt;
  const char* b = t.data();
  const char* e = t.data() + t.size();
  if (*b == '+') ++b;
  double v = 0;
  auto r = std::from_chars(b, e, v);
  if (r.ec != std::errc() || r.ptr != e || !std::isfinite(v)) return std::nullopt;
  return v;
}

QuantityParse parse_quantity(std::string_view text, Dimension dim) {
  QuantityParse out;
  std::string t = trim(text);
  if (t.empty()) {
    out.error = "empty value";
    return out;
  }
  // Split the leading number from the unit.
  const char* b = t.data();
  const char* e = t.data() + t.size();
  const char* nb = (*b == '+') ? b + 1 : b;
  double v = 0;
  auto r = std::from_chars(nb, e, v);
  if (r.ec != std::errc() || !std::isfinite(v)) {
    out.error = "'" + t + "' is not a number";
    return out;
  }
  std::string unit = trim(std::string_view(r.ptr, static_cast<std::size_t>(e - r.ptr)));
  // Collapse inner spaces around '/' ("t / yr") and double spaces.
  std::string norm;
  for (char c : unit) {
    if (c == ' ' && (norm.empty() || norm.back() == ' ' || norm.back() == '/')) continue;
    if (c == '/' && !norm.empty() && norm.back() == ' ') norm.pop_back();
    norm += c;
  }
  if (norm.empty()) {
    bounded(out, v, dim, t);
    return out;
  }
  std::vector<std::string> same_dim;
  for (const auto& u : kUnits)
    if (u.dim == dim) same_dim.emplace_back(u.name);
  for (const auto& u : kUnits) {
    if (norm != u.name) continue;
    if (u.dim != dim) {
      out.error = "unit '" + norm + "' is a " + to_string(u.dim) + ", but a " + to_string(dim) +
                  " is needed here";
      return out;
    }
    bounded(out, v * u.factor, dim, t);
    return out;
  }
  if (norm[0] == ',' && norm.size() > 1 && std::isdigit(static_cast<unsigned char>(norm[1]))) {
    out.error = "'" + t + "' uses a thousands separator; write numbers without one (e.g. 40000)";
    return out;
  }
  out.error = "unknown unit '" + norm + "' for a " + to_string(dim);
  out.suggestions = closest(norm, same_dim, 3);
  return out;
}

}  // namespace rareshock
