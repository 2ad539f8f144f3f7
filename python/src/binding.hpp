#pragma once
// Shared declarations of the Python module's translation units (module.cpp: loading,
// validation, errors, running; results.cpp and details.cpp: run results; structure.cpp:
// structural analysis; calibration.cpp: calibration).
#include <pybind11/pybind11.h>

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rareshock/analysis/run/calibration.hpp"
#include "rareshock/analysis/structure/structure.hpp"
#include "rareshock/io/check.hpp"
#include "rareshock/io/load.hpp"
#include "rareshock/run_record.hpp"

namespace rareshock::python {

/// A loaded, valid input (rareshock.Input) and how it was loaded, so that it can be loaded
/// again with more overrides (run(draws=...)).
struct Input {
  std::shared_ptr<const io::Loaded> loaded;
  std::vector<io::CheckedDiagnostic> warnings;
  std::string file;                 ///< the file, or the name given to load_text
  std::optional<std::string> text;  ///< set for load_text inputs
  io::LoadOptions options;
};

/// The result of a run (rareshock.Result): its record, and the input it ran.
struct Result {
  std::shared_ptr<const Input> input;
  std::shared_ptr<const RunRecord> record;
};

/// A calibration of a study (rareshock.Calibration): its result and the input calibrated.
struct CalibrationRun {
  std::shared_ptr<const Input> input;
  std::shared_ptr<const analysis::CalibrationResult> result;
  std::string started, finished;  ///< ISO 8601 UTC (provenance.json of write())
};

/// A structural analysis (rareshock.Analysis).
struct Analysis {
  std::shared_ptr<const analysis::StructureResult> result;
  std::shared_ptr<const Model> model;  ///< the model analysed (for writing the files)
  std::string resolved_yaml;           ///< the input analysed, resolved
};

/// Loads \p in's file or text with \p options; raises rareshock.InputError when invalid.
Input load_input(const std::string& file, const std::optional<std::string>& text,
                 const io::LoadOptions& options);

/// Runs \p work with the GIL released on a worker thread, while this thread watches for
/// signals: Ctrl-C (KeyboardInterrupt) sets the cancel flag given to \p work, waits for it to
/// return and raises KeyboardInterrupt. An exception of \p work is rethrown here. \p work
/// must take the GIL (pybind11::gil_scoped_acquire) to touch Python, e.g. for a progress
/// callback, and may set the flag itself to stop early.
void run_interruptible(const std::function<void(std::atomic<bool>& cancel)>& work);

/// A progress callback for run_interruptible's \p work: calls the Python \p progress (when not
/// None) with (done, total) under the GIL; its returning False sets \p cancel; an exception
/// it raises is kept in \p error (rethrow it after the work) and sets \p cancel.
std::function<void(int, int)> python_progress(const pybind11::object& progress,
                                              std::atomic<bool>& cancel, std::exception_ptr& error);

class Columns;
/// The fit-statistics columns (observed, run, window, n, bias_t, ...) of observed_fit() and
/// Calibration.fit(), declared and filled in that order (results.cpp).
void declare_fit_columns(Columns& t);
void fit_row(Columns& t, const std::string& observed, const std::string& run,
             const std::string& window, const analysis::FitStats& s);
/// The per-period columns (observed, run, period, first, last, observed_t, modelled_t,
/// error_t) of observed() and Calibration.periods(), declared and filled in that order.
void declare_period_columns(Columns& t);
void period_row(Columns& t, const std::string& observed, const std::string& run,
                const analysis::PeriodFit& p);

void bind_results(pybind11::module_& m);
/// Node and edge series, origins, why, losses and the study as applied (details.cpp).
void bind_result_details(pybind11::class_<Result>& cls);
void bind_structure(pybind11::module_& m);
void bind_calibration(pybind11::module_& m);

/// Calibrates the study \p in (rareshock.calibrate): the GIL released, Ctrl-C stops it.
CalibrationRun calibrate_input(const Input& in, const pybind11::object& progress);

}  // namespace rareshock::python
