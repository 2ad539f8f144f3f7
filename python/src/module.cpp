// The rareshock Python module: load and validate inputs (diagnostics as objects), run studies
// (rareshock::run, GIL released, Ctrl-C and progress), structural analysis, and results as
// column tables of NumPy arrays (results.cpp, structure.cpp). docs/python.md describes it.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "binding.hpp"
#include "rareshock/core/build_info.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/io/tree.hpp"
#include "rareshock/run.hpp"

namespace py = pybind11;

namespace rareshock::python {

namespace {

// Exception classes (created at import; the module keeps them for the process's lifetime).
PyObject* g_error = nullptr;        // rareshock.Error(Exception)
PyObject* g_input_error = nullptr;  // rareshock.InputError(Error, ValueError)
PyObject* g_run_error = nullptr;    // rareshock.RunError(Error, RuntimeError)

constexpr int kMaxThreads = 256;  // as the CLI's --threads

void check_threads(int threads) {
  if (threads < 0 || threads > kMaxThreads)
    throw py::value_error("threads must be between 0 (all cores) and " +
                          std::to_string(kMaxThreads));
}

std::string chomp(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// Raises rareshock.InputError with \p report as its message and \p diagnostics attached.
[[noreturn]] void raise_input_error(const std::string& report,
                                    const std::vector<io::CheckedDiagnostic>& diagnostics) {
  py::object type = py::reinterpret_borrow<py::object>(g_input_error);
  py::object exc = type(chomp(report));
  exc.attr("diagnostics") = py::cast(diagnostics);
  exc.attr("report") = py::str(report);
  PyErr_SetObject(g_input_error, exc.ptr());
  throw py::error_already_set();
}

[[noreturn]] void raise_input_error(const std::string& message) {
  raise_input_error(message, {});
}

io::LoadOptions load_options(const std::vector<std::string>& overrides, bool allow_outside,
                             int max_errors) {
  if (max_errors < 1) throw py::value_error("max_errors must be at least 1");
  io::LoadOptions o;
  o.overrides = overrides;
  o.allow_outside_includes = allow_outside;
  o.max_errors = static_cast<std::size_t>(max_errors);
  return o;
}

io::CheckResult check(const std::string& file, const std::optional<std::string>& text,
                      const io::LoadOptions& options) {
  return text ? io::check_text(file, *text, options) : io::check_file(file, options);
}

std::vector<io::CheckedDiagnostic> warnings_of(const io::CheckResult& r) {
  std::vector<io::CheckedDiagnostic> w;
  for (const auto& d : r.diagnostics)
    if (d.severity != Severity::Error) w.push_back(d);
  return w;
}

std::string name_of(const io::Loaded& l) {
  switch (l.kind) {
    case io::FileKind::Model:
      return l.model->info.name;
    case io::FileKind::Scenario:
      return l.scenario->id;
    case io::FileKind::Study:
      return l.study->name;
  }
  return {};
}

py::dict summary_of(const io::Loaded& l) {
  py::dict d;
  d["kind"] = io::to_string(l.kind);
  d["name"] = name_of(l);
  const Model* model = l.study ? &l.study->model : l.model.get();
  if (model) {
    std::size_t consumers = 0;
    for (const auto& n : model->nodes) consumers += n.is_consumer();
    d["model"] = model->info.name;
    d["materials"] = model->materials.size();
    d["countries"] = model->countries.size();
    d["nodes"] = model->nodes.size() - consumers;
    d["consumers"] = consumers;
    d["edges"] = model->edges.size();
  }
  if (l.scenario) d["events"] = l.scenario->events.size();
  if (l.study) {
    const Study& s = *l.study;
    std::vector<std::string> runs;
    for (const auto& c : s.combinations) runs.push_back(c.id);
    d["runs"] = runs;
    d["scenarios"] = s.scenarios.size();
    d["mitigations"] = s.mitigations.size();
    d["start"] = to_string(s.start);
    d["horizon_days"] = s.horizon;
    d["seed"] = s.seed;
    d["draws"] = s.monte_carlo.draws;
  }
  return d;
}

// What run() sets beyond the study: `seed=` and `monte_carlo.draws=` as `rareshock run --seed
// --draws` do, and the study's `outputs.node_series` and `outputs.edge_series`.
struct RunOverrides {
  std::optional<long long> seed, draws;
  std::optional<bool> node_series, edge_series;
};

Input with_run_overrides(const Input& in, const RunOverrides& r) {
  if (!r.seed && !r.draws && !r.node_series && !r.edge_series) return in;
  if (r.seed && *r.seed < 0) throw py::value_error("seed must not be negative");
  if (r.draws && *r.draws < 0) throw py::value_error("draws must not be negative");
  io::LoadOptions o = in.options;
  if (r.seed) o.overrides.push_back("seed=" + std::to_string(*r.seed));
  if (r.draws) o.overrides.push_back("monte_carlo.draws=" + std::to_string(*r.draws));
  auto flag = [](bool on) { return on ? "true" : "false"; };
  if (r.node_series)
    o.overrides.push_back(std::string("outputs.node_series=") + flag(*r.node_series));
  if (r.edge_series)
    o.overrides.push_back(std::string("outputs.edge_series=") + flag(*r.edge_series));
  return load_input(in.file, in.text, o);
}

Result run_input(const Input& in0, std::optional<long long> draws, std::optional<long long> seed,
                 int threads, const py::object& progress, std::optional<bool> node_series,
                 std::optional<bool> edge_series) {
  check_threads(threads);
  auto in = std::make_shared<const Input>(
      with_run_overrides(in0, RunOverrides{seed, draws, node_series, edge_series}));
  if (in->loaded->kind != io::FileKind::Study)
    raise_input_error("'" + in->file + "' is a " + io::to_string(in->loaded->kind) +
                      " file; run needs a study (a file with a 'study:' header)");
  std::shared_ptr<RunRecord> record;
  run_interruptible([&](std::atomic<bool>& cancel) {
    RunSettings s;
    s.threads = threads;
    s.cancel = &cancel;
    std::exception_ptr progress_error;
    s.progress = python_progress(progress, cancel, progress_error);
    RunRecord r = rareshock::run(*in->loaded, s);
    if (progress_error) std::rethrow_exception(progress_error);
    record = std::make_shared<RunRecord>(std::move(r));
  });
  return Result{in, record};
}

Analysis analyze_input(const Input& in, std::optional<int> days, int threads,
                       const std::optional<std::filesystem::path>& scenario,
                       std::optional<bool> criticality) {
  constexpr int kMaxDays = 36'500;  // as `rareshock analyze --days`
  check_threads(threads);
  if (days && (*days < 1 || *days > kMaxDays))
    throw py::value_error("days must be between 1 and " + std::to_string(kMaxDays));
  const io::Loaded& l = *in.loaded;
  if (l.kind == io::FileKind::Scenario)
    raise_input_error("'" + in.file +
                      "' is a scenario file; analyze needs a model or a study (pass a scenario "
                      "with scenario=)");
  std::shared_ptr<const Model> model =
      l.study ? std::shared_ptr<const Model>(l.study, &l.study->model) : l.model;
  analysis::StructureOptions opt =
      l.study ? analysis::structure_options(*l.study) : analysis::StructureOptions{};
  if (criticality) opt.criticality = *criticality;
  auto& co = opt.criticality_options;
  co.threads = threads;
  if (days) co.days = *days;
  if (co.horizon > 0 && co.horizon < co.days) co.horizon = 0;
  std::optional<Input> sc;
  if (scenario) {
    io::LoadOptions so = in.options;
    so.overrides.clear();
    sc = load_input(scenario->string(), std::nullopt, so);
    if (sc->loaded->kind != io::FileKind::Scenario)
      raise_input_error("'" + scenario->string() + "' is a " + io::to_string(sc->loaded->kind) +
                        " file; scenario= needs a scenario file");
    opt.chokepoint_options.scenario = sc->loaded->scenario.get();
  }
  std::shared_ptr<analysis::StructureResult> result;
  run_interruptible([&](std::atomic<bool>& cancel) {
    co.cancel = &cancel;
    result = std::make_shared<analysis::StructureResult>(analysis::analyze_structure(*model, opt));
  });
  return Analysis{result, model, io::to_yaml(l.resolved)};
}

void bind_errors(py::module_& m) {
  g_error = PyErr_NewExceptionWithDoc("rareshock.Error", "Base of every rareshock error.",
                                      PyExc_Exception, nullptr);
  py::tuple input_bases = py::make_tuple(py::handle(g_error), py::handle(PyExc_ValueError));
  g_input_error = PyErr_NewExceptionWithDoc(
      "rareshock.InputError",
      "Invalid input. `diagnostics` lists them (rareshock.Diagnostic: file, line, column, "
      "path, message, expected, hint); `report` is the formatted text.",
      input_bases.ptr(), nullptr);
  py::tuple run_bases = py::make_tuple(py::handle(g_error), py::handle(PyExc_RuntimeError));
  g_run_error = PyErr_NewExceptionWithDoc(
      "rareshock.RunError", "A failure while running a valid input (numerical trouble, I/O).",
      run_bases.ptr(), nullptr);
  if (!g_error || !g_input_error || !g_run_error) throw py::error_already_set();
  // Defaults for instances raised without them (e.g. by Python code).
  py::handle(g_input_error).attr("diagnostics") = py::tuple();
  py::handle(g_input_error).attr("report") = py::str("");
  m.attr("Error") = py::handle(g_error);
  m.attr("InputError") = py::handle(g_input_error);
  m.attr("RunError") = py::handle(g_run_error);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      try {
        raise_input_error(e.what());
      } catch (py::error_already_set& set) {
        set.restore();
      }
    } catch (const RuntimeError& e) {
      PyErr_SetString(g_run_error, chomp(e.what()).c_str());
    } catch (const Error& e) {
      PyErr_SetString(g_error, chomp(e.what()).c_str());
    }
  });
}

void bind_diagnostic(py::module_& m) {
  py::class_<io::CheckedDiagnostic>(m, "Diagnostic",
                                    "One diagnostic of an input: where, what, and how to fix it.")
      .def_property_readonly(
          "severity", [](const io::CheckedDiagnostic& d) { return to_string(d.severity); },
          "'error', 'warning' or 'note'")
      .def_readonly("file", &io::CheckedDiagnostic::file,
                    "the file as messages print it ('<--set N>' for an override; '' for none)")
      .def_readonly("line", &io::CheckedDiagnostic::line, "1-based; 0 when unknown")
      .def_readonly("column", &io::CheckedDiagnostic::column, "1-based; 0 when unknown")
      .def_readonly("path", &io::CheckedDiagnostic::path,
                    "key path, e.g. 'nodes[cn_mine].capacity' (may be empty)")
      .def_readonly("message", &io::CheckedDiagnostic::message)
      .def_readonly("expected", &io::CheckedDiagnostic::expected,
                    "what a valid value looks like (may be empty)")
      .def_readonly("hint", &io::CheckedDiagnostic::hint,
                    "e.g. \"did you mean 'capacity'?\" (may be empty)")
      .def_readonly("source_line", &io::CheckedDiagnostic::source_line,
                    "the offending line of the file (may be empty)")
      .def_readonly("text", &io::CheckedDiagnostic::text, "the diagnostic in compiler style")
      .def("__str__", [](const io::CheckedDiagnostic& d) { return chomp(d.text); })
      .def("__repr__", [](const io::CheckedDiagnostic& d) {
        std::string where = d.file;
        if (d.line > 0) where += ":" + std::to_string(d.line) + ":" + std::to_string(d.column);
        return "<rareshock.Diagnostic " + std::string(to_string(d.severity)) + " " +
               (where.empty() ? "" : where + " ") + d.message + ">";
      });
}

void bind_input(py::module_& m) {
  py::class_<Input, std::shared_ptr<Input>>(
      m, "Input", "A loaded, valid model, scenario or study (rareshock.load).")
      .def_property_readonly(
          "kind", [](const Input& in) { return io::to_string(in.loaded->kind); },
          "'model', 'scenario' or 'study'")
      .def_property_readonly("name", [](const Input& in) { return name_of(*in.loaded); })
      .def_readonly("file", &Input::file)
      .def_property_readonly("overrides", [](const Input& in) { return in.options.overrides; })
      .def_property_readonly(
          "files",
          [](const Input& in) {
            std::vector<std::string> f;
            for (const auto& p : in.loaded->files) f.push_back(p.string());
            return f;
          },
          "every file read (includes, CSV tables, the model of a study...)")
      .def_readonly("warnings", &Input::warnings, "warnings (rareshock.Diagnostic)")
      .def_property_readonly(
          "resolved_yaml", [](const Input& in) { return io::to_yaml(in.loaded->resolved); },
          "the input with includes merged and every default filled (rareshock config "
          "--resolved)")
      .def_property_readonly("summary", [](const Input& in) { return summary_of(*in.loaded); })
      .def("run", &run_input, py::arg("draws") = py::none(), py::arg("seed") = py::none(),
           py::arg("threads") = 0, py::arg("progress") = py::none(),
           py::arg("node_series") = py::none(), py::arg("edge_series") = py::none(),
           "Runs the study (rareshock.run): a rareshock.Result.")
      .def("analyze", &analyze_input, py::arg("days") = py::none(), py::arg("threads") = 0,
           py::arg("scenario") = py::none(), py::arg("criticality") = py::none(),
           "Structural analysis of the model or study (rareshock.analyze): a "
           "rareshock.Analysis.")
      .def("calibrate", &calibrate_input, py::arg("progress") = py::none(),
           "Fits the study's calibration parameters to its observed series "
           "(rareshock.calibrate): a rareshock.Calibration.")
      .def("__repr__", [](const Input& in) {
        return "<rareshock.Input " + std::string(io::to_string(in.loaded->kind)) + " '" +
               name_of(*in.loaded) + "' from " + in.file + ">";
      });
}

constexpr const char* kLoadDoc =
    "Loads a model, scenario or study file. overrides: 'key.path=value' strings as with "
    "--set. Raises rareshock.InputError (with .diagnostics) when the input is invalid.";
constexpr const char* kValidateDoc =
    "Checks a model, scenario or study file: the list of its diagnostics (rareshock.Diagnostic; "
    "errors and warnings; empty when clean). Never raises for invalid input.";
constexpr const char* kRunDoc =
    "Runs a study (a path or a rareshock.Input) as `rareshock run` does, without writing files: "
    "a rareshock.Result. draws and seed override the study's; threads=0 uses all cores; "
    "progress(done, total) is called after each chunk of Monte Carlo draws (return False to "
    "stop early: the result is then partial). node_series / edge_series set the study's "
    "outputs.node_series / edge_series (Result.node_series(), edge_series()). The GIL is "
    "released while the study runs; Ctrl-C stops it (KeyboardInterrupt).";
constexpr const char* kCalibrateDoc =
    "Fits a study's calibration parameters to its observed series as `rareshock calibrate` "
    "does, without writing files: a rareshock.Calibration. progress(done, max_evaluations) is "
    "called after each evaluation (return False to stop: the result is then partial, with the "
    "best values so far). The GIL is released meanwhile; Ctrl-C stops it (KeyboardInterrupt).";
constexpr const char* kAnalyzeDoc =
    "Structural analysis of a model or study (a path or a rareshock.Input) as `rareshock "
    "analyze` does: a rareshock.Analysis. days: criticality outage length (default: the "
    "study's, else 90); scenario: a scenario file whose restrictions the chokepoints also "
    "apply; criticality=False skips the criticality ranking.";

void bind_functions(py::module_& m) {
  using Overrides = std::vector<std::string>;
  auto load = [](const std::filesystem::path& file, const Overrides& overrides, bool outside,
                 int max_errors) {
    return load_input(file.string(), std::nullopt, load_options(overrides, outside, max_errors));
  };
  m.def("load", load, py::arg("file"), py::arg("overrides") = Overrides{},
        py::arg("allow_outside_includes") = false, py::arg("max_errors") = 50, kLoadDoc);
  m.def(
      "load_text",
      [](const std::string& text, const std::string& name, const Overrides& overrides, bool outside,
         int max_errors) {
        return load_input(name, text, load_options(overrides, outside, max_errors));
      },
      py::arg("text"), py::arg("name") = "<text>", py::arg("overrides") = Overrides{},
      py::arg("allow_outside_includes") = false, py::arg("max_errors") = 50,
      "Loads YAML text; name is what diagnostics call it (its directory is the input tree).");
  m.def(
      "validate",
      [](const std::filesystem::path& file, const Overrides& overrides, bool outside,
         int max_errors) {
        return io::check_file(file, load_options(overrides, outside, max_errors)).diagnostics;
      },
      py::arg("file"), py::arg("overrides") = Overrides{},
      py::arg("allow_outside_includes") = false, py::arg("max_errors") = 50, kValidateDoc);
  m.def(
      "validate_text",
      [](const std::string& text, const std::string& name, const Overrides& overrides, bool outside,
         int max_errors) {
        return io::check_text(name, text, load_options(overrides, outside, max_errors)).diagnostics;
      },
      py::arg("text"), py::arg("name") = "<text>", py::arg("overrides") = Overrides{},
      py::arg("allow_outside_includes") = false, py::arg("max_errors") = 50,
      "validate for YAML text.");
  m.def("run", &run_input, py::arg("input"), py::arg("draws") = py::none(),
        py::arg("seed") = py::none(), py::arg("threads") = 0, py::arg("progress") = py::none(),
        py::arg("node_series") = py::none(), py::arg("edge_series") = py::none(), kRunDoc);
  m.def(
      "run",
      [load](const std::filesystem::path& file, const Overrides& overrides,
             std::optional<long long> draws, std::optional<long long> seed, int threads,
             const py::object& progress, std::optional<bool> node_series,
             std::optional<bool> edge_series, bool outside) {
        return run_input(load(file, overrides, outside, 50), draws, seed, threads, progress,
                         node_series, edge_series);
      },
      py::arg("file"), py::arg("overrides") = Overrides{}, py::arg("draws") = py::none(),
      py::arg("seed") = py::none(), py::arg("threads") = 0, py::arg("progress") = py::none(),
      py::arg("node_series") = py::none(), py::arg("edge_series") = py::none(),
      py::arg("allow_outside_includes") = false);
  m.def("calibrate", &calibrate_input, py::arg("input"), py::arg("progress") = py::none(),
        kCalibrateDoc);
  m.def(
      "calibrate",
      [load](const std::filesystem::path& file, const Overrides& overrides,
             const py::object& progress, bool outside) {
        return calibrate_input(load(file, overrides, outside, 50), progress);
      },
      py::arg("file"), py::arg("overrides") = Overrides{}, py::arg("progress") = py::none(),
      py::arg("allow_outside_includes") = false);
  m.def("analyze", &analyze_input, py::arg("input"), py::arg("days") = py::none(),
        py::arg("threads") = 0, py::arg("scenario") = py::none(),
        py::arg("criticality") = py::none(), kAnalyzeDoc);
  m.def(
      "analyze",
      [load](const std::filesystem::path& file, const Overrides& overrides, std::optional<int> days,
             int threads, const std::optional<std::filesystem::path>& scenario,
             std::optional<bool> criticality, bool outside) {
        return analyze_input(load(file, overrides, outside, 50), days, threads, scenario,
                             criticality);
      },
      py::arg("file"), py::arg("overrides") = Overrides{}, py::arg("days") = py::none(),
      py::arg("threads") = 0, py::arg("scenario") = py::none(), py::arg("criticality") = py::none(),
      py::arg("allow_outside_includes") = false);
}

}  // namespace

Input load_input(const std::string& file, const std::optional<std::string>& text,
                 const io::LoadOptions& options) {
  io::CheckResult r = check(file, text, options);
  if (!r.ok()) raise_input_error(r.report, r.diagnostics);
  Input in;
  in.loaded = std::make_shared<const io::Loaded>(std::move(*r.loaded));
  in.warnings = warnings_of(r);
  in.file = file;
  in.text = text;
  in.options = options;
  return in;
}

std::function<void(int, int)> python_progress(const py::object& progress, std::atomic<bool>& cancel,
                                              std::exception_ptr& error) {
  if (progress.is_none()) return {};
  return [&progress, &cancel, &error](int done, int total) {
    if (error) return;
    py::gil_scoped_acquire gil;
    try {
      py::object r = progress(done, total);
      if (r.ptr() == Py_False) cancel = true;  // False: stop after this chunk or evaluation
    } catch (...) {
      error = std::current_exception();
      cancel = true;
    }
  };
}

void run_interruptible(const std::function<void(std::atomic<bool>&)>& work) {
  std::atomic<bool> cancel{false};
  std::exception_ptr failure;
  PyObject *type = nullptr, *value = nullptr, *trace = nullptr;  // a signal handler's error
  {
    py::gil_scoped_release release;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::thread worker([&] {
      try {
        work(cancel);
      } catch (...) {
        failure = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mu);
      done = true;
      cv.notify_all();
    });
    std::unique_lock<std::mutex> lock(mu);
    while (!done) {
      cv.wait_for(lock, std::chrono::milliseconds(50));
      if (done || type) continue;
      lock.unlock();
      {
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) {  // e.g. KeyboardInterrupt: stop, then raise it
          PyErr_Fetch(&type, &value, &trace);
          cancel = true;
        }
      }
      lock.lock();
    }
    lock.unlock();
    worker.join();
  }
  if (type) {
    PyErr_Restore(type, value, trace);
    throw py::error_already_set();
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace rareshock::python

PYBIND11_MODULE(rareshock, m) {
  using namespace rareshock::python;
  m.doc() =
      "rareshock: rare-earth magnet supply-chain shocks. load/validate inputs, run studies, "
      "analyze structure; results as column dicts of NumPy arrays (pandas.DataFrame(...)). "
      "See docs/python.md.";
  m.attr("__version__") = rareshock::build::version();
  bind_errors(m);
  bind_diagnostic(m);
  bind_input(m);
  bind_results(m);
  bind_structure(m);
  bind_calibration(m);
  bind_functions(m);
}
