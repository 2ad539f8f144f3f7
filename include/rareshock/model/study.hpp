#pragma once
/// \file A study: the model, the scenarios and mitigation combinations to run, the time
/// frame, uncertainty, sensitivity and outputs. Studies are what users run.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rareshock/core/date.hpp"
#include "rareshock/model/distribution.hpp"
#include "rareshock/model/metric.hpp"
#include "rareshock/model/model.hpp"
#include "rareshock/model/scenario.hpp"

namespace rareshock {

/// One run of the study: a scenario (or the baseline) with a set of mitigations.
struct Combination {
  std::string id;                       ///< e.g. `china-2025-04-controls+us-stockpile-release`
  std::optional<std::string> scenario;  ///< none: baseline
  std::vector<std::string> mitigations;
  bool operator==(const Combination&) const = default;
};

/// An uncertain parameter: a key path (wildcards allowed) into the resolved study.
struct UncertainParam {
  std::string path;
  Distribution dist;
  std::string group;  ///< parameters of one group share their random draw (rank correlation 1)
  std::vector<std::string> targets;  ///< concrete paths the pattern matched
  Origin origin;
  bool operator==(const UncertainParam&) const = default;
};

struct MonteCarlo {
  int draws = 0;
  std::vector<UncertainParam> params;
  bool operator==(const MonteCarlo&) const = default;
};

struct Sensitivity {
  bool tornado = false;
  bool sobol = false;
  int sobol_samples = 256;
  std::vector<Metric> metrics;  ///< empty: time_to_shortage and unmet_t
  bool operator==(const Sensitivity&) const = default;
};

/// `focus:`: the regions and sectors the reader cares about most. The report's findings, the
/// console summary and the charts list them first (docs/reports.md); nothing else changes.
/// Ids are consumer regions (as the consumers write them) and consumer sectors.
struct Focus {
  std::vector<std::string> regions, sectors;
  bool empty() const { return regions.empty() && sectors.empty(); }
  bool operator==(const Focus&) const = default;
};

struct Outputs {
  bool node_series = false;
  bool edge_series = false;
  bool trade_series = true;          ///< timeseries/trade.csv and trade_monthly.csv
  std::vector<std::string> formats;  ///< subset of json, csv, html, md
  bool operator==(const Outputs&) const = default;
};

/// Behavioural parameters of the engine (see docs/model.md).
struct EngineParams {
  /// [days] time constant of moving orders away from a supplier that under-delivers
  double switching_lag = 30;
  /// [days] time constant of shares returning to baseline once all deliver
  double share_reversion = 180;
  /// licensed volume per edge / its normal flow
  double licence_volume_cap = 1;
  /// [days] qualification of a standby supplier (share 0), from the day its customer starts
  /// looking (first under-delivery in the slot)
  double qualification_time = 0;
  /// per-material overrides of qualification_time: (material id, days)
  std::vector<std::pair<std::string, double>> qualification;
  /// Origin tracking (`origin:`): the stages whose country makes a material's origin, and
  /// whether to track (auto: when an event has an origin_content condition)
  std::vector<Stage> origin_stages = {Stage::Mine, Stage::Refinery};
  enum class Tracking { Auto, On, Off } origin_tracking = Tracking::Auto;
  bool operator==(const EngineParams&) const = default;
};

/// Structural analysis of the study's model (`analysis:`; docs/analysis.md). `rareshock run`
/// writes it to `<output>/analysis/` when the section is present; `rareshock analyze` uses it.
struct AnalysisSettings {
  bool enabled = false;           ///< the study has an `analysis:` section
  int criticality_days = 90;      ///< [days] outage length D of the criticality ranking
  int criticality_horizon = 0;    ///< [days] simulated per outage; 0: D + 365
  std::string restrictions_from;  ///< scenario id: chokepoints also under its restrictions
  bool operator==(const AnalysisSettings&) const = default;
};

/// An inclusive range of days, e.g. a calibration window (`{from: 2025-04, to: 2025-09}`: a
/// month means its first day in `from` and its last day in `to`).
struct DateWindow {
  Date from, to;
  bool operator==(const DateWindow&) const = default;
};

/// One observation: the total over a period (a calendar month or a day) [t per period].
struct ObservedPoint {
  std::string period;  ///< as written: `2025-04` (month) or `2025-04-15` (day)
  Date first, last;    ///< the period's first and last day
  double value = 0;    ///< [t]
  Origin origin;       ///< where the value is written (CSV cell or YAML)
  bool operator==(const ObservedPoint&) const = default;
};

/// An observed series (`observed:`; docs/formats.md) and the modelled trade aggregate it
/// matches: the sum of `measure` tonnes over trade flows from `exporters` to `importers` in
/// `materials`, per period.
struct ObservedSeries {
  std::string id;
  std::string source_file;          ///< the CSV the values came from ("" when inline)
  std::string period = "month";     ///< "month" or "day"
  std::string measure = "shipped";  ///< "shipped" or "arrived"
  CountrySelector exporters, importers;
  MaterialSelector materials;
  std::vector<std::string> runs;      ///< combination ids compared (resolved)
  std::vector<ObservedPoint> points;  ///< inside the study window, in date order
  std::vector<std::string> notes;     ///< e.g. periods outside the study window
  Origin origin;
  bool operator==(const ObservedSeries&) const = default;
};

/// One calibrated parameter: a key path into the resolved study and its bounds (canonical
/// units of the key's dimension).
struct CalibrationParam {
  std::string path;
  double min = 0, max = 0;
  std::string unit;                  ///< canonical unit text of the key ("days", "1"...)
  std::vector<std::string> targets;  ///< concrete paths the pattern matched (all set alike)
  Origin origin;
  bool operator==(const CalibrationParam&) const = default;
};

/// `calibration:` (docs/formats.md; `rareshock calibrate`).
struct Calibration {
  bool enabled = false;               ///< the study has a `calibration:` section
  std::string run;                    ///< combination simulated
  std::vector<std::string> observed;  ///< observed series ids fitted
  std::vector<CalibrationParam> parameters;
  std::optional<DateWindow> training, validation;
  std::string objective = "rmse";    ///< rmse, relative_rmse or mae
  std::string algorithm = "bobyqa";  ///< bobyqa, neldermead or sbplx
  int max_evaluations = 200;
  bool operator==(const Calibration&) const = default;
};

struct Study {
  std::string name;
  std::string description;
  Model model;
  std::vector<Scenario> scenarios;    ///< shocks
  std::vector<Scenario> mitigations;  ///< mitigation packages
  std::vector<Combination> combinations;
  Date start;
  int horizon = 730;                 ///< [days]
  double shortage_threshold = 0.01;  ///< shortfall fraction that counts as shortage [1]
  std::uint64_t seed = 1;
  MonteCarlo monte_carlo;
  Sensitivity sensitivity;
  Outputs outputs;
  Focus focus;
  EngineParams engine;
  AnalysisSettings analysis;
  std::vector<ObservedSeries> observed;
  Calibration calibration;
  /// The study file's own `overrides:` (key.path=value), already applied to the tree.
  std::vector<std::string> overrides;
  bool operator==(const Study&) const = default;

  const Scenario* find_scenario(std::string_view id) const;
};

}  // namespace rareshock
