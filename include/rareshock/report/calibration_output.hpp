#pragma once
/// \file Writes the output of `rareshock calibrate`: calibration.json (fitted values, bounds,
/// start, objective and fit statistics on the training and validation windows, the evaluation
/// trace), calibration.md and calibrated.yaml, a study that includes the calibrated study and
/// sets the fitted values (`rareshock run calibrated.yaml`). Staged, then renamed into place.
#include <filesystem>

#include "rareshock/analysis/run/calibration.hpp"
#include "rareshock/report/run_output.hpp"

namespace rareshock::report {

/// The text of calibrated.yaml for a result, including \p study_file (written as a path
/// relative to \p out_dir when possible). Its `overrides:` are the study's own, then
/// \p sets (the `--set` options calibrate ran with), then the fitted values.
std::string calibrated_yaml(const Study& study, const std::filesystem::path& study_file,
                            const std::filesystem::path& out_dir,
                            const analysis::CalibrationResult& result,
                            const std::vector<std::string>& sets = {});

/// True when \p study_file lies outside the input tree of \p out_dir (io::input_root()), so
/// running the calibrated.yaml written there needs `--allow-outside-includes`.
bool calibrated_needs_outside(const std::filesystem::path& study_file,
                              const std::filesystem::path& out_dir);

/// Writes the calibration files into \p out's staging directory (calibrated.yaml refers to
/// the study from out.target()); the caller commits.
void write_calibration_outputs(OutputDir& out, const Study& study,
                               const std::filesystem::path& study_file,
                               const analysis::CalibrationResult& result, const RunProvenance& prov,
                               const std::vector<std::string>& sets = {});
/// The same into an OutputDir for \p dir, committed at once.
void write_calibration_outputs(const std::filesystem::path& dir, bool force, const Study& study,
                               const std::filesystem::path& study_file,
                               const analysis::CalibrationResult& result, const RunProvenance& prov,
                               const std::vector<std::string>& sets = {});

}  // namespace rareshock::report
