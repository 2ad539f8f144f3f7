#pragma once
/// \file Calibration (`rareshock calibrate`): fits key-path parameters of a study, within
/// bounds, to its observed series with a derivative-free optimiser (NLopt), on the training
/// window; reports the fit on the training and validation windows. Each evaluation re-reads
/// the study with the trial values and runs the calibration's combination (the run pipeline).
#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rareshock/analysis/run/observed.hpp"
#include "rareshock/io/tree.hpp"
#include "rareshock/model/study.hpp"

namespace rareshock::analysis {

struct CalibrationSettings {
  /// Called after each evaluation with (done, max_evaluations).
  std::function<void(int, int)> progress;
  const std::atomic<bool>* cancel = nullptr;  ///< set to stop after the current evaluation
};

/// One evaluation of the objective.
struct CalibrationEval {
  std::vector<double> values;  ///< parameter values [canonical units]
  double training = 0;         ///< objective on the training window
  std::optional<double> validation;
};

/// The fit of a study at given parameter values: one ObservedFit per calibrated series (on
/// the calibration run), the objective on the training window (or every period when there is
/// none) and on the validation window.
struct CalibrationPoint {
  std::vector<ObservedFit> fits;
  double training = 0;
  std::optional<double> validation;
};

struct CalibrationResult {
  std::vector<CalibrationParam> params;
  std::vector<double> start, fitted;  ///< [canonical units]
  CalibrationPoint at_start, at_fit;
  int evaluations = 0;
  std::string algorithm, objective, stop_reason;
  bool partial = false;                ///< interrupted (Ctrl-C): the best point so far
  std::vector<CalibrationEval> trace;  ///< every evaluation, in order
  std::vector<std::string> notes;      ///< e.g. a start value outside its bounds
};

/// Evaluates \p study as it is (its calibration run and observed series).
CalibrationPoint evaluate_calibration(const Study& study);

/// Fits study.calibration.parameters (deterministic: starts from the study's values, clamped
/// to the bounds). \p resolved is the study's resolved tree (io::Loaded::resolved).
CalibrationResult calibrate(const Study& study, const io::TreeNode& resolved,
                            const CalibrationSettings& settings = {});

}  // namespace rareshock::analysis
