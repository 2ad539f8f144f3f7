#pragma once
/// \file The shortage metrics (docs/model.md, "Metrics") as one table: name (the key in
/// studies, summary.json and metrics.csv), label, unit and direction. Every layer takes metric
/// names from here: the study reader (sensitivity.metrics), Monte Carlo and sensitivity, the
/// output writers and the report. The value of a metric in a result is
/// analysis::metric_value (analysis/run/metrics.hpp), a switch over this enum.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rareshock {

/// In the order of metrics.csv.
enum class Metric {
  TimeToShortage,
  PeakShortfall,
  PeakDay,
  ShortageDays,
  DemandT,
  UnmetT,
  UnmetFraction,
  UnitsLost,
  UnitsLostUpper,
  ValueLostUsd,
  MarginLostUsd,
  TimeToRecover,
  RecoveryReferenceDay,
  MinCoverDays,
};

/// How a change in a metric reads: more of it is worse (unmet tonnes), better (time to
/// shortage, stock cover), or neither (demand, the day of the peak).
enum class Direction { HigherIsWorse, HigherIsBetter, Neutral };

/// What a metric's number is.
enum class MetricKind {
  Day,       ///< a day of the horizon (an offset from the start; a date in outputs)
  Duration,  ///< a number of days
  Fraction,  ///< [1]
  Tonnes,    ///< [t]
  Units,     ///< downstream units
  Usd,       ///< [USD]
};

struct MetricInfo {
  Metric metric;
  std::string_view name;   ///< as in studies, summary.json, metrics.csv
  std::string_view label;  ///< for charts and tables: "unmet demand (t)"
  std::string_view unit;   ///< "day", "days", "1", "t", "units", "USD"
  MetricKind kind;
  Direction direction;
  /// Summarised over Monte Carlo draws (uncertainty.csv) and allowed in sensitivity.metrics.
  bool summarised;
  /// Optional in a result: absent when the event did not happen (no shortage, no recovery,
  /// no margin given).
  bool optional;
  /// A whole number of days (written without a decimal point).
  bool whole;
};

/// Every metric, in Metric order.
std::span<const MetricInfo> metric_table();
const MetricInfo& metric_info(Metric m);
/// The metric named \p name, or nullptr.
const MetricInfo* find_metric(std::string_view name);
std::string_view to_string(Metric m);
/// The summarised metrics (Monte Carlo, sensitivity), in table order.
const std::vector<Metric>& summarised_metrics();
/// Names of the summarised metrics (for diagnostics: "one of: ...").
std::vector<std::string> summarised_metric_names();

}  // namespace rareshock
