// rareshock.Result: a run's record (RunRecord) as column tables.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "binding.hpp"
#include "columns.hpp"
#include "rareshock/core/text.hpp"
#include "rareshock/model/metric.hpp"
#include "rareshock/report/output_dir.hpp"
#include "rareshock/report/report.hpp"
#include "rareshock/report/run_output.hpp"
#include "rareshock/report/structure_output.hpp"

namespace py = pybind11;

namespace rareshock::python {

namespace {

using analysis::Level;

// Row filters of the tables: none, or the value a row must have.
struct Filter {
  std::optional<std::string> run, level, id;
  bool keeps(const std::string& r, Level lv, const std::string& i) const {
    return (!run || *run == r) && (!level || *level == analysis::to_string(lv)) &&
           (!id || *id == i);
  }
};

Filter filter(const RunRecord& rec, const std::optional<std::string>& run,
              const std::optional<std::string>& level, const std::optional<std::string>& id) {
  if (level && !analysis::level_from_string(*level))
    throw py::value_error("unknown level '" + *level +
                          "' (one of: consumer, sector, region, sector_region)");
  if (run) {
    bool known = false;
    std::vector<std::string> ids;
    for (const auto& r : rec.results.runs) {
      known = known || r.combination.id == *run;
      ids.push_back(r.combination.id);
    }
    if (!known) throw py::value_error("unknown run '" + *run + "' (one of: " + join(ids) + ")");
  }
  return Filter{run, level, id};
}

void entity_key(Columns& t, const std::string& run, const analysis::EntityResult& e) {
  t.text("run", run);
  t.text("level", std::string(analysis::to_string(e.level)));
  t.text("id", e.id);
  t.text("sector", e.sector);
  t.text("region", e.region);
}

void metric_columns(Columns& t, const analysis::ShortageMetrics& m) {
  for (const MetricInfo& info : metric_table())
    t.real(std::string(info.name), analysis::metric_value(m, info.metric));
}

// The columns of metrics(), so that a table without rows still has them.
void declare_metrics(Columns& t, bool materials) {
  for (const auto* name : {"run", "level", "id", "sector", "region"})
    t.declare(name, Columns::Kind::Text);
  t.declare(materials ? "material" : "unit_name", Columns::Kind::Text);
  for (const MetricInfo& info : metric_table())
    t.declare(std::string(info.name), Columns::Kind::Real);
  if (materials) return;
  for (const auto* name : {"switched_t", "from_new_suppliers_t", "new_supplier_day", "blocked_t"})
    t.declare(name, Columns::Kind::Real);
}

py::dict metrics(const Result& r, const std::optional<std::string>& run,
                 const std::optional<std::string>& level, bool materials) {
  const Filter f = filter(*r.record, run, level, std::nullopt);
  Columns t;
  declare_metrics(t, materials);
  for (const auto& rr : r.record->results.runs)
    for (const auto& e : rr.entities) {
      if (!f.keeps(rr.combination.id, e.level, e.id)) continue;
      if (!materials) {
        entity_key(t, rr.combination.id, e);
        t.text("unit_name", e.unit_name);
        metric_columns(t, e.metrics);
        t.real("switched_t", e.supply.switched_t);
        t.real("from_new_suppliers_t", e.supply.from_new_suppliers_t);
        t.real("new_supplier_day", e.supply.new_supplier_day);
        t.real("blocked_t", e.supply.blocked_t);
        continue;
      }
      for (const auto& mr : e.materials) {
        entity_key(t, rr.combination.id, e);
        t.text("material", mr.material);
        metric_columns(t, mr.metrics);
      }
    }
  return t.to_dict();
}

py::dict timeseries(const Result& r, const std::optional<std::string>& run,
                    const std::optional<std::string>& level, const std::optional<std::string>& id) {
  const Filter f = filter(*r.record, run, level, id);
  const int start = r.record->study.start.days;
  Columns t;
  for (const auto* name : {"run", "level", "id", "sector", "region"})
    t.declare(name, Columns::Kind::Text);
  t.declare("day", Columns::Kind::Integer);
  t.declare("date", Columns::Kind::Day);
  for (const auto* name : {"demand_t", "want_t", "consumed_t", "shortfall_t", "shortfall_fraction",
                           "stock_t", "cover_days"})
    t.declare(name, Columns::Kind::Real);
  for (const auto& rr : r.record->results.runs)
    for (const auto& e : rr.entities) {
      if (!f.keeps(rr.combination.id, e.level, e.id)) continue;
      const analysis::ShortageSeries& s = e.series;
      for (int d = 0; d < s.days(); ++d) {
        entity_key(t, rr.combination.id, e);
        t.integer("day", d);
        t.day("date", start + d);
        t.real("demand_t", s.demand[d]);
        t.real("want_t", s.want[d]);
        t.real("consumed_t", s.consumed[d]);
        t.real("shortfall_t", s.shortfall[d]);
        t.real("shortfall_fraction", s.fraction(d));
        t.real("stock_t", s.stock[d]);
        t.real("cover_days", s.base_daily_demand > 0
                                 ? std::optional<double>(s.stock[d] / s.base_daily_demand)
                                 : std::optional<double>());
      }
    }
  return t.to_dict();
}

py::dict trade(const Result& r, const std::optional<std::string>& run) {
  const Filter f = filter(*r.record, run, std::nullopt, std::nullopt);
  const int start = r.record->study.start.days;
  Columns t;
  for (const auto* name : {"run", "exporter", "importer", "importer_region", "material"})
    t.declare(name, Columns::Kind::Text);
  t.declare("domestic", Columns::Kind::Flag);
  t.declare("day", Columns::Kind::Integer);
  t.declare("date", Columns::Kind::Day);
  t.declare("shipped_t", Columns::Kind::Real);
  t.declare("arrived_t", Columns::Kind::Real);
  for (const auto& rr : r.record->results.runs) {
    if (f.run && *f.run != rr.combination.id) continue;
    for (const auto& tf : rr.trade)
      for (std::size_t d = 0; d < tf.shipped.size(); ++d) {
        t.text("run", rr.combination.id);
        t.text("exporter", tf.exporter);
        t.text("importer", tf.importer);
        t.text("importer_region", tf.importer_region);
        t.text("material", tf.material);
        t.flag("domestic", tf.domestic());
        t.integer("day", static_cast<std::int64_t>(d));
        t.day("date", start + static_cast<int>(d));
        t.real("shipped_t", tf.shipped[d]);
        t.real("arrived_t", d < tf.arrived.size() ? tf.arrived[d] : 0.0);
      }
  }
  return t.to_dict();
}

const analysis::UncertaintyResult& uncertainty(const Result& r) {
  static const analysis::UncertaintyResult kNone;
  return r.record->uncertainty ? *r.record->uncertainty : kNone;
}

py::dict quantiles(const Result& r, const std::optional<std::string>& run,
                   const std::optional<std::string>& level) {
  const Filter f = filter(*r.record, run, level, std::nullopt);
  Columns t;
  for (const auto* name : {"run", "level", "id", "sector", "region"})
    t.declare(name, Columns::Kind::Text);
  t.declare("probability_of_shortage", Columns::Kind::Real);
  t.declare("metric", Columns::Kind::Text);
  t.declare("n", Columns::Kind::Integer);
  for (const auto* name : {"mean", "p5", "p10", "p50", "p90", "p95"})
    t.declare(name, Columns::Kind::Real);
  for (const auto& mr : uncertainty(r).runs)
    for (const auto& e : mr.entities) {
      if (!f.keeps(mr.id, e.level, e.id)) continue;
      for (const auto& [metric, q] : e.metrics) {
        t.text("run", mr.id);
        t.text("level", std::string(analysis::to_string(e.level)));
        t.text("id", e.id);
        t.text("sector", e.sector);
        t.text("region", e.region);
        t.real("probability_of_shortage", e.probability_of_shortage);
        t.text("metric", std::string(to_string(metric)));
        t.integer("n", static_cast<std::int64_t>(q.n));
        t.real("mean", q.mean);
        t.real("p5", q.p5);
        t.real("p10", q.p10);
        t.real("p50", q.p50);
        t.real("p90", q.p90);
        t.real("p95", q.p95);
      }
    }
  return t.to_dict();
}

py::dict fans(const Result& r, const std::optional<std::string>& run,
              const std::optional<std::string>& level, const std::optional<std::string>& id) {
  const Filter f = filter(*r.record, run, level, id);
  const int start = r.record->study.start.days;
  Columns t;
  for (const auto* name : {"run", "level", "id"}) t.declare(name, Columns::Kind::Text);
  t.declare("day", Columns::Kind::Integer);
  t.declare("date", Columns::Kind::Day);
  static const char* const kBands[] = {"p5", "p10", "p50", "p90", "p95"};
  for (const auto* name : kBands) t.declare(name, Columns::Kind::Real);
  for (const auto& mr : uncertainty(r).runs)
    for (const auto& e : mr.entities) {
      if (!e.has_fan || !f.keeps(mr.id, e.level, e.id)) continue;
      for (std::size_t d = 0; d < e.fan[0].size(); ++d) {
        t.text("run", mr.id);
        t.text("level", std::string(analysis::to_string(e.level)));
        t.text("id", e.id);
        t.integer("day", static_cast<std::int64_t>(d));
        t.day("date", start + static_cast<int>(d));
        for (int b = 0; b < 5; ++b) t.real(kBands[b], e.fan[b][d]);
      }
    }
  return t.to_dict();
}

py::dict tornado(const Result& r) {
  Columns t;
  for (const auto* name : {"run", "level", "id", "metric"}) t.declare(name, Columns::Kind::Text);
  t.declare("base", Columns::Kind::Real);
  t.declare("parameter", Columns::Kind::Text);
  for (const auto* name : {"low", "high", "metric_low", "metric_high", "swing"})
    t.declare(name, Columns::Kind::Real);
  for (const auto& te : uncertainty(r).tornado)
    for (const auto& p : te.params) {
      t.text("run", te.run);
      t.text("level", std::string(analysis::to_string(te.level)));
      t.text("id", te.id);
      t.text("metric", std::string(to_string(te.metric)));
      t.real("base", te.base);
      t.text("parameter", p.path);
      t.real("low", p.low);
      t.real("high", p.high);
      t.real("metric_low", p.metric_low);
      t.real("metric_high", p.metric_high);
      t.real("swing", std::abs(p.metric_high - p.metric_low));
    }
  return t.to_dict();
}

py::dict sobol(const Result& r) {
  Columns t;
  for (const auto* name : {"run", "level", "id", "metric", "factor"})
    t.declare(name, Columns::Kind::Text);
  for (const auto* name : {"s1", "s1_lo", "s1_hi", "st", "st_lo", "st_hi"})
    t.declare(name, Columns::Kind::Real);
  for (const auto& se : uncertainty(r).sobol)
    for (const auto& [factor, ix] : se.factors) {
      t.text("run", se.run);
      t.text("level", std::string(analysis::to_string(se.level)));
      t.text("id", se.id);
      t.text("metric", std::string(to_string(se.metric)));
      t.text("factor", factor);
      t.real("s1", ix.s1);
      t.real("s1_lo", ix.s1_lo);
      t.real("s1_hi", ix.s1_hi);
      t.real("st", ix.st);
      t.real("st_lo", ix.st_lo);
      t.real("st_hi", ix.st_hi);
    }
  return t.to_dict();
}

// NaN where no draw had a value (n = 0: e.g. value added avoided without margins).
void summary_columns(Columns& t, const std::string& prefix, const analysis::QuantileSummary& q) {
  const double none = std::numeric_limits<double>::quiet_NaN();
  t.real(prefix + "_mean", q.n > 0 ? q.mean : none);
  t.real(prefix + "_p10", q.n > 0 ? q.p10 : none);
  t.real(prefix + "_p50", q.n > 0 ? q.p50 : none);
  t.real(prefix + "_p90", q.n > 0 ? q.p90 : none);
}

py::dict ranking(const Result& r) {
  Columns t;
  for (const auto* name : {"scenario", "level", "id", "combination", "mitigations"})
    t.declare(name, Columns::Kind::Text);
  t.declare("rank", Columns::Kind::Integer);
  for (const auto* what :
       {"shortage_days_avoided", "unmet_t_avoided", "value_avoided_usd", "margin_avoided_usd"})
    for (const auto* q : {"_mean", "_p10", "_p50", "_p90"})
      t.declare(std::string(what) + q, Columns::Kind::Real);
  for (const auto& mr : uncertainty(r).ranking)
    for (std::size_t k = 0; k < mr.ranking.size(); ++k) {
      const auto& e = mr.ranking[k];
      t.text("scenario", mr.scenario);
      t.text("level", std::string(analysis::to_string(mr.level)));
      t.text("id", mr.id);
      t.text("combination", e.combination);
      t.text("mitigations", join(e.mitigations, "+"));
      t.integer("rank", static_cast<std::int64_t>(k + 1));
      summary_columns(t, "shortage_days_avoided", e.shortage_days_avoided);
      summary_columns(t, "unmet_t_avoided", e.unmet_t_avoided);
      summary_columns(t, "value_avoided_usd", e.value_avoided_usd);
      summary_columns(t, "margin_avoided_usd", e.margin_avoided_usd);
    }
  return t.to_dict();
}

py::dict study_dict(const StudyInfo& s) {
  py::dict d;
  d["name"] = s.name;
  d["description"] = s.description;
  d["model"] = s.model;
  d["start"] = to_string(s.start);
  d["end"] = to_string(s.end());
  d["horizon_days"] = s.horizon_days;
  d["shortage_threshold"] = s.shortage_threshold;
  d["seed"] = s.seed;
  d["draws"] = s.draws;
  py::dict focus;
  focus["regions"] = s.focus.regions;
  focus["sectors"] = s.focus.sectors;
  d["focus"] = focus;
  return d;
}

py::dict combinations(const Result& r) {
  Columns t;
  for (const auto* name : {"run", "scenario", "mitigations", "notes"})
    t.declare(name, Columns::Kind::Text);
  t.declare("recovery_reference", Columns::Kind::Real);
  for (const auto& rr : r.record->results.runs) {
    t.text("run", rr.combination.id);
    t.text("scenario", rr.combination.scenario.value_or(""));
    t.text("mitigations", join(rr.combination.mitigations, "+"));
    t.text("notes", join(rr.notes, "; "));
    t.real("recovery_reference", rr.recovery_reference >= 0
                                     ? std::optional<int>(rr.recovery_reference)
                                     : std::optional<int>());
  }
  return t.to_dict();
}

py::dict observed(const Result& r) {
  Columns t;
  declare_period_columns(t);
  for (const auto& obs : r.record->observed)
    for (const auto& fit : obs.fits)
      for (const auto& p : fit.periods) period_row(t, obs.id, fit.run, p);
  return t.to_dict();
}

}  // namespace

void declare_fit_columns(Columns& t) {
  for (const auto* name : {"observed", "run", "window"}) t.declare(name, Columns::Kind::Text);
  t.declare("n", Columns::Kind::Integer);
  for (const auto* name : {"bias_t", "mae_t", "rmse_t", "relative_rmse", "correlation"})
    t.declare(name, Columns::Kind::Real);
}

void fit_row(Columns& t, const std::string& observed, const std::string& run,
             const std::string& window, const analysis::FitStats& s) {
  t.text("observed", observed);
  t.text("run", run);
  t.text("window", window);
  t.integer("n", s.n);
  t.real("bias_t", s.bias);
  t.real("mae_t", s.mae);
  t.real("rmse_t", s.rmse);
  t.real("relative_rmse", s.relative_rmse);
  t.real("correlation", s.correlation);
}

void declare_period_columns(Columns& t) {
  for (const auto* name : {"observed", "run", "period"}) t.declare(name, Columns::Kind::Text);
  for (const auto* name : {"first", "last"}) t.declare(name, Columns::Kind::Day);
  for (const auto* name : {"observed_t", "modelled_t", "error_t"})
    t.declare(name, Columns::Kind::Real);
}

void period_row(Columns& t, const std::string& observed, const std::string& run,
                const analysis::PeriodFit& p) {
  t.text("observed", observed);
  t.text("run", run);
  t.text("period", p.period);
  t.day("first", p.first.days);
  t.day("last", p.last.days);
  t.real("observed_t", p.observed);
  t.real("modelled_t", p.modelled);
  t.real("error_t", p.modelled - p.observed);
}

namespace {

py::dict observed_fit(const Result& r) {
  Columns t;
  declare_fit_columns(t);
  for (const auto& obs : r.record->observed)
    for (const auto& fit : obs.fits) {
      fit_row(t, obs.id, fit.run, "all", fit.all);
      if (fit.training) fit_row(t, obs.id, fit.run, "training", *fit.training);
      if (fit.validation) fit_row(t, obs.id, fit.run, "validation", *fit.validation);
    }
  return t.to_dict();
}

// The run directory `rareshock run` writes: run files, analysis/ and the study's reports,
// staged and renamed into place at once.
void write_result(const Result& r, const std::filesystem::path& dir, bool force) {
  py::gil_scoped_release release;
  const Study& study = *r.input->loaded->study;
  report::OutputDir out(dir, force);
  report::write_run_files(out.path(), study, *r.record);
  if (r.record->structure)
    report::write_structure_files(out.path() / "analysis", study.model, *r.record->structure,
                                  r.record->provenance);
  const auto& formats = study.outputs.formats;
  report::ReportFormats rf;
  rf.html = std::count(formats.begin(), formats.end(), "html") > 0;
  rf.markdown = std::count(formats.begin(), formats.end(), "md") > 0;
  if (rf.html || rf.markdown) report::render_reports(out.path(), rf);
  out.commit();
}

}  // namespace

void bind_results(py::module_& m) {
  const auto opt = py::none();
  py::class_<Result> cls(m, "Result",
                         "The result of a run (rareshock.run). Tables are dicts of columns "
                         "(NumPy arrays; lists for text): pandas.DataFrame(result.metrics()).");
  cls.def_property_readonly("study", [](const Result& r) { return study_dict(r.record->study); })
      .def_property_readonly(
          "runs",
          [](const Result& r) {
            std::vector<std::string> ids;
            for (const auto& rr : r.record->results.runs) ids.push_back(rr.combination.id);
            return ids;
          },
          "run (combination) ids, in study order")
      .def_property_readonly("warnings", [](const Result& r) { return r.record->results.warnings; })
      .def_property_readonly("draws_requested",
                             [](const Result& r) { return uncertainty(r).draws_requested; })
      .def_property_readonly("draws_done",
                             [](const Result& r) { return uncertainty(r).draws_done; })
      .def_property_readonly(
          "partial", [](const Result& r) { return uncertainty(r).partial; },
          "the run was stopped early (progress returned False)")
      .def_property_readonly("threads",
                             [](const Result& r) { return r.record->provenance.threads; })
      .def_property_readonly(
          "structure",
          [](const Result& r) -> std::optional<Analysis> {
            if (!r.record->structure) return std::nullopt;
            const auto& st = *r.input->loaded->study;
            return Analysis{
                std::shared_ptr<const analysis::StructureResult>(r.record, &*r.record->structure),
                std::shared_ptr<const Model>(r.input->loaded->study, &st.model),
                r.record->provenance.resolved_yaml};
          },
          "the study's structural analysis (its analysis: section), or None")
      .def("combinations", &combinations, "one row per run: scenario, mitigations, notes")
      .def("metrics", &metrics, py::arg("run") = opt, py::arg("level") = opt,
           py::arg("materials") = false,
           "Shortage metrics per run and entity (metrics.csv); days are offsets from the "
           "start, NaN where a metric does not apply. materials=True: per input material.")
      .def("timeseries", &timeseries, py::arg("run") = opt, py::arg("level") = opt,
           py::arg("id") = opt, "Daily demand, want, consumed, shortfall and stock [t].")
      .def("trade", &trade, py::arg("run") = opt,
           "Daily trade flows [t/day] per exporter, importer and material (when the study "
           "records them: outputs.trade_series).")
      .def("quantiles", &quantiles, py::arg("run") = opt, py::arg("level") = opt,
           "Monte Carlo summaries per entity and metric (uncertainty.csv); empty without draws.")
      .def("fans", &fans, py::arg("run") = opt, py::arg("level") = opt, py::arg("id") = opt,
           "Monte Carlo fan of the daily shortfall fraction (sectors and regions).")
      .def("tornado", &tornado, "One-at-a-time sensitivity (study sensitivity: tornado).")
      .def("sobol", &sobol, "Sobol indices (study sensitivity: sobol).")
      .def("ranking", &ranking, "Mitigation ranking, best first per scenario and entity.")
      .def("observed", &observed,
           "Observed series against the runs they name: one row per series, run and period "
           "(observed_t, modelled_t, error_t = modelled - observed).")
      .def("observed_fit", &observed_fit,
           "Fit statistics per observed series and run, over all periods and the study's "
           "training and validation windows.")
      .def(
          "to_json", [](const Result& r) { return to_json(*r.record); }, "summary.json text")
      .def("write", &write_result, py::arg("directory"), py::arg("force") = false,
           "Writes the run directory `rareshock run` writes (summary.json, CSV tables, "
           "analysis/, the study's reports); `rareshock report DIR` renders it again.")
      .def("__repr__", [](const Result& r) {
        return "<rareshock.Result '" + r.record->study.name +
               "': " + std::to_string(r.record->results.runs.size()) + " runs, " +
               std::to_string(uncertainty(r).draws_done) + " draws>";
      });
  bind_result_details(cls);
}

}  // namespace rareshock::python
