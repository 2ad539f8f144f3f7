// rareshock.calibrate and rareshock.Calibration: `rareshock calibrate` (analysis::calibrate)
// with the GIL released, Ctrl-C and a progress callback; the fitted parameters, objective,
// fit statistics and the evaluation trace as column tables.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <exception>

#include "binding.hpp"
#include "columns.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/core/text.hpp"
#include "rareshock/io/tree.hpp"
#include "rareshock/report/calibration_output.hpp"

namespace py = pybind11;

namespace rareshock::python {

namespace {

using analysis::CalibrationPoint;
using analysis::CalibrationResult;

py::object opt_value(const std::optional<double>& v) {
  return v ? py::object(py::float_(*v)) : py::object(py::none());
}

py::object window(const std::optional<DateWindow>& w) {
  if (!w) return py::none();
  py::dict d;
  d["from"] = to_string(w->from);
  d["to"] = to_string(w->to);
  return d;
}

const Calibration& section(const CalibrationRun& c) {
  return c.input->loaded->study->calibration;
}

py::dict parameters(const CalibrationRun& c) {
  const CalibrationResult& r = *c.result;
  Columns t;
  for (const auto* n : {"path", "targets", "unit"}) t.declare(n, Columns::Kind::Text);
  for (const auto* n : {"min", "max", "start", "fitted"}) t.declare(n, Columns::Kind::Real);
  for (std::size_t i = 0; i < r.params.size(); ++i) {
    const CalibrationParam& p = r.params[i];
    t.text("path", p.path);
    t.text("targets", join(p.targets, "; "));
    t.text("unit", p.unit);
    t.real("min", p.min);
    t.real("max", p.max);
    t.real("start", r.start[i]);
    t.real("fitted", r.fitted[i]);
  }
  return t.to_dict();
}

// The points of a calibration, start first.
std::vector<std::pair<const char*, const CalibrationPoint*>> points(const CalibrationRun& c) {
  return {{"start", &c.result->at_start}, {"fitted", &c.result->at_fit}};
}

py::dict objective_value(const CalibrationRun& c) {
  py::dict d;
  for (const auto& [name, pt] : points(c)) {
    py::dict v;
    v["training"] = pt->training;
    v["validation"] = opt_value(pt->validation);
    d[name] = v;
  }
  return d;
}

py::dict fit(const CalibrationRun& c) {
  Columns t;
  t.declare("point", Columns::Kind::Text);
  declare_fit_columns(t);
  auto row = [&](const char* point, const analysis::ObservedFit& f, const char* window,
                 const analysis::FitStats& s) {
    t.text("point", point);
    fit_row(t, f.observed, f.run, window, s);
  };
  for (const auto& [point, pt] : points(c))
    for (const auto& f : pt->fits) {
      row(point, f, "all", f.all);
      if (f.training) row(point, f, "training", *f.training);
      if (f.validation) row(point, f, "validation", *f.validation);
    }
  return t.to_dict();
}

py::dict periods(const CalibrationRun& c) {
  Columns t;
  t.declare("point", Columns::Kind::Text);
  declare_period_columns(t);
  for (const auto& [point, pt] : points(c))
    for (const auto& f : pt->fits)
      for (const auto& p : f.periods) {
        t.text("point", point);
        period_row(t, f.observed, f.run, p);
      }
  return t.to_dict();
}

py::dict trace(const CalibrationRun& c) {
  const CalibrationResult& r = *c.result;
  Columns t;
  t.declare("evaluation", Columns::Kind::Integer);
  t.declare("training", Columns::Kind::Real);
  t.declare("validation", Columns::Kind::Real);
  for (const auto& p : r.params) t.declare(p.path, Columns::Kind::Real);
  for (std::size_t k = 0; k < r.trace.size(); ++k) {
    const analysis::CalibrationEval& e = r.trace[k];
    t.integer("evaluation", static_cast<std::int64_t>(k + 1));
    t.real("training", e.training);
    t.real("validation", e.validation);
    for (std::size_t i = 0; i < r.params.size(); ++i) t.real(r.params[i].path, e.values[i]);
  }
  return t.to_dict();
}

// `--set` options giving the study the fitted values: one per concrete target.
std::vector<std::string> fitted_overrides(const CalibrationRun& c) {
  const CalibrationResult& r = *c.result;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < r.params.size(); ++i)
    for (const auto& target : r.params[i].targets)
      out.push_back(target + "=" + format_number(r.fitted[i]));
  return out;
}

void write_calibration(const CalibrationRun& c, const std::filesystem::path& dir, bool force) {
  py::gil_scoped_release release;
  const Input& in = *c.input;
  RunProvenance prov;
  prov.resolved_yaml = io::to_yaml(in.loaded->resolved);
  prov.inputs = in.loaded->files;
  prov.started = c.started;
  prov.finished = c.finished;
  report::write_calibration_outputs(dir, force, *in.loaded->study, in.file, *c.result, prov,
                                    in.options.overrides);
}

}  // namespace

CalibrationRun calibrate_input(const Input& in, const py::object& progress) {
  if (in.loaded->kind != io::FileKind::Study)
    throw InputError("'" + in.file + "' is a " + io::to_string(in.loaded->kind) +
                     " file; calibrate needs a study (a file with a 'study:' header)");
  if (!in.loaded->study->calibration.enabled)
    throw InputError("'" + in.file +
                     "' has no calibration: section (see docs/formats.md, \"Calibration\")");
  CalibrationRun out;
  out.input = std::make_shared<const Input>(in);
  out.started = now_utc();
  std::shared_ptr<CalibrationResult> result;
  run_interruptible([&](std::atomic<bool>& cancel) {
    analysis::CalibrationSettings s;
    s.cancel = &cancel;
    std::exception_ptr progress_error;
    s.progress = python_progress(progress, cancel, progress_error);
    CalibrationResult r = analysis::calibrate(*in.loaded->study, in.loaded->resolved, s);
    if (progress_error) std::rethrow_exception(progress_error);
    result = std::make_shared<CalibrationResult>(std::move(r));
  });
  out.result = result;
  out.finished = now_utc();
  return out;
}

void bind_calibration(py::module_& m) {
  py::class_<CalibrationRun>(
      m, "Calibration",
      "A calibration of a study (rareshock.calibrate): the fitted parameters, the objective "
      "and the fit to the observed series at the start and at the fit, the evaluation trace.")
      .def_property_readonly("study",
                             [](const CalibrationRun& c) { return c.input->loaded->study->name; })
      .def_property_readonly(
          "run", [](const CalibrationRun& c) { return section(c).run; },
          "the combination simulated")
      .def_property_readonly(
          "observed", [](const CalibrationRun& c) { return section(c).observed; },
          "the observed series fitted")
      .def_property_readonly("objective",
                             [](const CalibrationRun& c) { return c.result->objective; })
      .def_property_readonly("algorithm",
                             [](const CalibrationRun& c) { return c.result->algorithm; })
      .def_property_readonly("max_evaluations",
                             [](const CalibrationRun& c) { return section(c).max_evaluations; })
      .def_property_readonly("evaluations",
                             [](const CalibrationRun& c) { return c.result->evaluations; })
      .def_property_readonly("stop_reason",
                             [](const CalibrationRun& c) { return c.result->stop_reason; })
      .def_property_readonly(
          "partial", [](const CalibrationRun& c) { return c.result->partial; },
          "stopped early (progress returned False): the best values so far")
      .def_property_readonly("notes", [](const CalibrationRun& c) { return c.result->notes; })
      .def_property_readonly(
          "windows",
          [](const CalibrationRun& c) {
            py::dict d;
            d["training"] = window(section(c).training);
            d["validation"] = window(section(c).validation);
            return d;
          },
          "{'training': {'from', 'to'} or None, 'validation': ...}")
      .def_property_readonly("objective_value", &objective_value,
                             "{'start': {'training', 'validation'}, 'fitted': {...}} "
                             "(validation None without a validation window)")
      .def_property_readonly(
          "fitted",
          [](const CalibrationRun& c) {
            py::dict d;
            for (std::size_t i = 0; i < c.result->params.size(); ++i)
              d[py::str(c.result->params[i].path)] = c.result->fitted[i];
            return d;
          },
          "{parameter path: fitted value [canonical unit]}")
      .def_property_readonly("overrides", &fitted_overrides,
                             "'key.path=value' strings that give the study the fitted values "
                             "(rareshock.run(study, overrides=...))")
      .def("parameters", &parameters,
           "One row per parameter: path, targets, unit, min, max, start, fitted.")
      .def("fit", &fit,
           "Fit statistics per point (start, fitted), observed series and window (all, "
           "training, validation).")
      .def("periods", &periods,
           "Observed and modelled tonnes per period of each series, at the start and at the fit.")
      .def("trace", &trace,
           "Every evaluation in order: the objective on the training and validation windows "
           "and the parameter values (one column per parameter path).")
      .def(
          "calibrated_yaml",
          [](const CalibrationRun& c, const std::filesystem::path& dir) {
            return report::calibrated_yaml(*c.input->loaded->study, c.input->file, dir, *c.result,
                                           c.input->options.overrides);
          },
          py::arg("directory") = std::filesystem::path("."),
          "The calibrated.yaml that write(directory) writes: a study including this one with "
          "the fitted values.")
      .def("write", &write_calibration, py::arg("directory"), py::arg("force") = false,
           "Writes the files `rareshock calibrate` writes (calibration.json, calibration.md, "
           "calibrated.yaml, provenance.json, resolved-study.yaml).")
      .def("__repr__", [](const CalibrationRun& c) {
        return "<rareshock.Calibration of run '" + section(c).run + "': " + c.result->objective +
               " " + pretty_number(c.result->at_start.training) + " -> " +
               pretty_number(c.result->at_fit.training) + ", " +
               std::to_string(c.result->evaluations) + " evaluations>";
      });
}

}  // namespace rareshock::python
