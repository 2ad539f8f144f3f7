#pragma once
/// \file Model vs observed: the modelled trade aggregate an observed series matches, per
/// period, and fit statistics over the whole overlap and the calibration windows.
#include <optional>
#include <string>
#include <vector>

#include "rareshock/analysis/run/study_run.hpp"
#include "rareshock/model/study.hpp"

namespace rareshock::analysis {

/// Fit of modelled to observed values (error = modelled - observed).
struct FitStats {
  int n = 0;
  double bias = 0;                    ///< mean error [t]
  double mae = 0;                     ///< mean absolute error [t]
  double rmse = 0;                    ///< root mean square error [t]
  double relative_rmse = 0;           ///< rmse / mean observed [1] (0 when the mean is 0)
  std::optional<double> correlation;  ///< Pearson; none when n < 2 or a series is constant
};
FitStats fit_stats(const std::vector<double>& observed, const std::vector<double>& modelled);

/// The value of a calibration objective (rmse, relative_rmse, mae) for \p s.
double objective_value(const std::string& objective, const FitStats& s);

struct PeriodFit {
  std::string period;
  Date first, last;
  double observed = 0, modelled = 0;  ///< [t]
};

struct ObservedFit {
  std::string observed, run;  ///< series id, combination id
  std::vector<PeriodFit> periods;
  FitStats all;
  std::optional<FitStats> training, validation;  ///< when the study defines the window
};

/// Modelled total per observation period of \p obs (sum over matching trade flows and the
/// days of the period). \p trade must cover the study horizon.
std::vector<double> modelled_values(const Study& study, const ObservedSeries& obs,
                                    const std::vector<TradeFlow>& trade);

/// Fit of \p obs against one run (its trade flows).
ObservedFit fit_observed(const Study& study, const ObservedSeries& obs, const RunResult& run);

/// Statistics over the periods inside \p w only.
FitStats fit_in_window(const ObservedFit& fit, const DateWindow& w);

/// Every observed series against every run it names (runs must carry trade flows).
std::vector<ObservedFit> compare_observed(const Study& study, const StudyResult& result);

}  // namespace rareshock::analysis
