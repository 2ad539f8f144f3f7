#include "rareshock/model/metric.hpp"

#include <array>

namespace rareshock {

namespace {

using D = Direction;
using K = MetricKind;

constexpr std::array<MetricInfo, 14> kTable = {{
    {Metric::TimeToShortage, "time_to_shortage", "time to shortage (days)", "day", K::Day,
     D::HigherIsBetter, true, true, true},
    {Metric::PeakShortfall, "peak_shortfall", "peak shortfall (% of demand)", "1", K::Fraction,
     D::HigherIsWorse, true, false, false},
    {Metric::PeakDay, "peak_day", "day of the peak shortfall", "day", K::Day, D::Neutral, false,
     true, true},
    {Metric::ShortageDays, "shortage_days", "shortage days", "days", K::Duration, D::HigherIsWorse,
     true, false, true},
    {Metric::DemandT, "demand_t", "demand (t)", "t", K::Tonnes, D::Neutral, false, false, false},
    {Metric::UnmetT, "unmet_t", "unmet demand (t)", "t", K::Tonnes, D::HigherIsWorse, true, false,
     false},
    {Metric::UnmetFraction, "unmet_fraction", "unmet demand (% of demand)", "1", K::Fraction,
     D::HigherIsWorse, true, false, false},
    {Metric::UnitsLost, "units_lost", "units lost", "units", K::Units, D::HigherIsWorse, true,
     false, false},
    {Metric::UnitsLostUpper, "units_lost_upper", "units lost (upper bound)", "units", K::Units,
     D::HigherIsWorse, false, false, false},
    {Metric::ValueLostUsd, "value_lost_usd", "value lost at full sales value (USD, upper bound)",
     "USD", K::Usd, D::HigherIsWorse, true, false, false},
    {Metric::MarginLostUsd, "margin_lost_usd", "value added lost (USD, units x margin)", "USD",
     K::Usd, D::HigherIsWorse, true, true, false},
    {Metric::TimeToRecover, "time_to_recover", "time to recover (days)", "days", K::Duration,
     D::HigherIsWorse, true, true, true},
    {Metric::RecoveryReferenceDay, "recovery_reference_day", "recovery counted from (day)", "day",
     K::Day, D::Neutral, false, true, true},
    {Metric::MinCoverDays, "min_cover_days", "lowest stock cover (days)", "days", K::Duration,
     D::HigherIsBetter, true, false, false},
}};

constexpr bool in_enum_order() {
  for (std::size_t i = 0; i < kTable.size(); ++i)
    if (static_cast<std::size_t>(kTable[i].metric) != i) return false;
  return true;
}
static_assert(in_enum_order(), "metric table rows must follow the Metric enum");
static_assert(kTable.size() == static_cast<std::size_t>(Metric::MinCoverDays) + 1,
              "one metric table row per Metric");

}  // namespace

std::span<const MetricInfo> metric_table() {
  return kTable;
}

const MetricInfo& metric_info(Metric m) {
  return kTable[static_cast<std::size_t>(m)];
}

const MetricInfo* find_metric(std::string_view name) {
  for (const auto& row : kTable)
    if (row.name == name) return &row;
  return nullptr;
}

std::string_view to_string(Metric m) {
  return metric_info(m).name;
}

const std::vector<Metric>& summarised_metrics() {
  static const std::vector<Metric> out = [] {
    std::vector<Metric> v;
    for (const auto& row : kTable)
      if (row.summarised) v.push_back(row.metric);
    return v;
  }();
  return out;
}

std::vector<std::string> summarised_metric_names() {
  std::vector<std::string> out;
  for (Metric m : summarised_metrics()) out.emplace_back(to_string(m));
  return out;
}

}  // namespace rareshock
