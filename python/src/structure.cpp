// rareshock.Analysis: a structural analysis (StructureResult) as column tables.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "binding.hpp"
#include "columns.hpp"
#include "rareshock/core/text.hpp"
#include "rareshock/report/structure_output.hpp"

namespace py = pybind11;

namespace rareshock::python {

namespace {

py::dict concentration(const Analysis& a) {
  Columns t;
  for (const auto* name : {"stage", "material", "basis"}) t.declare(name, Columns::Kind::Text);
  for (const auto* name : {"total_t_per_yr", "hhi"}) t.declare(name, Columns::Kind::Real);
  t.declare("countries", Columns::Kind::Integer);
  t.declare("top1_country", Columns::Kind::Text);
  for (const auto* name : {"top1_share", "top3_share"}) t.declare(name, Columns::Kind::Real);
  for (const auto& r : a.result->concentration) {
    t.text("stage", to_string(r.stage));
    t.text("material", r.material);
    t.text("basis", r.basis);
    t.real("total_t_per_yr", r.total);
    t.real("hhi", r.hhi);
    t.integer("countries", static_cast<std::int64_t>(r.shares.size()));
    t.text("top1_country", r.top1_country());
    t.real("top1_share", r.top1_share());
    t.real("top3_share", r.top3_share());
  }
  return t.to_dict();
}

py::dict concentration_shares(const Analysis& a) {
  Columns t;
  for (const auto* name : {"stage", "material", "basis", "country"})
    t.declare(name, Columns::Kind::Text);
  t.declare("share", Columns::Kind::Real);
  for (const auto& r : a.result->concentration)
    for (const auto& s : r.shares) {
      t.text("stage", to_string(r.stage));
      t.text("material", r.material);
      t.text("basis", r.basis);
      t.text("country", s.country);
      t.real("share", s.share);
    }
  return t.to_dict();
}

py::dict exposure(const Analysis& a) {
  Columns t;
  for (const auto* name : {"sector", "region", "material", "basis"})
    t.declare(name, Columns::Kind::Text);
  t.declare("demand_t_per_yr", Columns::Kind::Real);
  for (const auto* name : {"stage", "country"}) t.declare(name, Columns::Kind::Text);
  t.declare("share", Columns::Kind::Real);
  for (const auto& r : a.result->exposure)
    for (const auto& s : r.shares) {
      t.text("sector", r.sector);
      t.text("region", r.region);
      t.text("material", r.material);
      t.text("basis", r.basis);
      t.real("demand_t_per_yr", r.demand_t);
      t.text("stage", s.stage);
      t.text("country", s.country);
      t.real("share", s.share);
    }
  return t.to_dict();
}

void chokepoint_key(Columns& t, const analysis::ChokepointRow& r) {
  t.text("case", r.case_id);
  t.text("sector", r.sector);
  t.text("region", r.region);
  t.text("element", r.element);
}

py::dict chokepoints(const Analysis& a) {
  Columns t;
  for (const auto* name : {"case", "sector", "region", "element"})
    t.declare(name, Columns::Kind::Text);
  t.declare("reference_day", Columns::Kind::Integer);
  for (const auto* name : {"demand_t_per_yr", "max_flow_t_per_yr", "ratio"})
    t.declare(name, Columns::Kind::Real);
  t.declare("cut", Columns::Kind::Text);
  for (const auto& r : a.result->chokepoints) {
    chokepoint_key(t, r);
    t.integer("reference_day", r.reference_day);
    t.real("demand_t_per_yr", r.demand_t);
    t.real("max_flow_t_per_yr", r.max_flow_t);
    t.real("ratio", r.ratio());
    std::vector<std::string> ids;
    for (const auto& c : r.cut) ids.push_back(c.id);
    t.text("cut", join(ids, "; "));
  }
  return t.to_dict();
}

py::dict cuts(const Analysis& a) {
  Columns t;
  for (const auto* name : {"case", "sector", "region", "element", "kind", "id", "country", "stage"})
    t.declare(name, Columns::Kind::Text);
  t.declare("capacity_t_per_yr", Columns::Kind::Real);
  for (const auto& r : a.result->chokepoints)
    for (const auto& c : r.cut) {
      chokepoint_key(t, r);
      t.text("kind", std::string(analysis::to_string(c.kind)));
      t.text("id", c.id);
      t.text("country", c.country);
      t.text("stage", c.stage);
      t.real("capacity_t_per_yr", c.capacity_t);
    }
  return t.to_dict();
}

void impact_columns(Columns& t, const analysis::Impact& i) {
  t.real("unmet_t", i.unmet_t);
  t.real("units_lost", i.units_lost);
  t.real("value_lost_usd", i.value_lost_usd);
  t.real("peak_shortfall", i.peak_shortfall);
  t.integer("shortage_days", i.shortage_days);
  t.real("first_short_day", i.first_short);
  t.real("tts_days", i.tts);
  t.real("recovery_days", i.recovery);
  t.flag("recovered", i.recovered);
}

void declare_impact(Columns& t) {
  for (const auto* name : {"unmet_t", "units_lost", "value_lost_usd", "peak_shortfall"})
    t.declare(name, Columns::Kind::Real);
  t.declare("shortage_days", Columns::Kind::Integer);
  for (const auto* name : {"first_short_day", "tts_days", "recovery_days"})
    t.declare(name, Columns::Kind::Real);
  t.declare("recovered", Columns::Kind::Flag);
}

py::dict criticality(const Analysis& a) {
  Columns t;
  for (const auto* name : {"rank", "rank_unmet"}) t.declare(name, Columns::Kind::Integer);
  for (const auto* name : {"kind", "id", "country", "stage", "nodes"})
    t.declare(name, Columns::Kind::Text);
  t.declare("baseline_output_share", Columns::Kind::Real);
  declare_impact(t);
  t.declare("ttr_days", Columns::Kind::Integer);
  t.declare("vulnerable", Columns::Kind::Flag);
  t.declare("sectors_short", Columns::Kind::Integer);
  t.declare("iim_inoperability", Columns::Kind::Real);
  if (!a.result->criticality) return t.to_dict();
  for (const auto& e : a.result->criticality->entries) {
    t.integer("rank", e.rank);
    t.integer("rank_unmet", e.rank_unmet);
    t.text("kind", std::string(analysis::to_string(e.kind)));
    t.text("id", e.id);
    t.text("country", e.country);
    t.text("stage", to_string(e.stage));
    t.text("nodes", join(e.nodes, ";"));
    t.real("baseline_output_share", e.baseline_output_share);
    impact_columns(t, e.total);
    t.integer("ttr_days", e.ttr);
    t.flag("vulnerable", e.vulnerable);
    t.integer("sectors_short", e.sectors_short);
    t.real("iim_inoperability", e.iim_inoperability);
  }
  return t.to_dict();
}

py::dict criticality_sectors(const Analysis& a) {
  Columns t;
  t.declare("rank", Columns::Kind::Integer);
  for (const auto* name : {"kind", "id", "sector"}) t.declare(name, Columns::Kind::Text);
  declare_impact(t);
  if (!a.result->criticality) return t.to_dict();
  for (const auto& e : a.result->criticality->entries)
    for (const auto& [sector, impact] : e.sectors) {
      t.integer("rank", e.rank);
      t.text("kind", std::string(analysis::to_string(e.kind)));
      t.text("id", e.id);
      t.text("sector", sector);
      impact_columns(t, impact);
    }
  return t.to_dict();
}

py::object criticality_info(const Analysis& a) {
  if (!a.result->criticality) return py::none();
  const auto& c = *a.result->criticality;
  py::dict d;
  d["days"] = c.options.days;
  d["horizon_days"] = c.options.effective_horizon();
  d["shortage_threshold"] = c.options.shortage_threshold;
  d["sectors"] = c.sectors;
  d["baseline_unmet_t"] = c.baseline_unmet_t;
  d["threads"] = c.threads;
  d["seconds"] = c.seconds;
  d["cancelled"] = c.cancelled;
  return d;
}

void write_analysis(const Analysis& a, const std::filesystem::path& dir, bool force) {
  py::gil_scoped_release release;
  RunProvenance prov;
  prov.resolved_yaml = a.resolved_yaml;
  prov.started = prov.finished = now_utc();
  prov.threads = a.result->criticality ? a.result->criticality->threads : 1;
  report::write_structure_outputs(dir, force, *a.model, *a.result, prov);
}

}  // namespace

void bind_structure(py::module_& m) {
  py::class_<Analysis>(m, "Analysis",
                       "A structural analysis (rareshock.analyze): concentration, origin "
                       "exposure, chokepoints and the criticality ranking, as column tables.")
      .def_property_readonly("model", [](const Analysis& a) { return a.result->model_name; })
      .def_property_readonly("warnings", [](const Analysis& a) { return a.result->warnings; })
      .def_property_readonly("countries", [](const Analysis& a) { return a.result->countries; })
      .def_property_readonly(
          "elements", [](const Analysis& a) { return a.result->elements; },
          "traced elements (produced by a mine or recycler)")
      .def_property_readonly(
          "seconds", [](const Analysis& a) { return a.result->seconds; }, "wall time per part [s]")
      .def_property_readonly("criticality_info", &criticality_info,
                             "options and totals of the criticality ranking, or None")
      .def("concentration", &concentration,
           "Country concentration (HHI, top shares) per stage × material and basis.")
      .def("concentration_shares", &concentration_shares, "Country shares of each row.")
      .def("exposure", &exposure,
           "Origin exposure: share of each sector × region × material's supply that passed "
           "through a country at a stage ('any': at any stage).")
      .def("chokepoints", &chokepoints,
           "Maximum steady-state flow [t/yr] of each element to each sector (× region), with "
           "the ids of a minimum cut.")
      .def("cuts", &cuts, "The minimum cuts of chokepoints(), one row per item.")
      .def("criticality", &criticality,
           "Criticality ranking (criticality.csv): one row per outage, best-ranked first; "
           "empty when not computed. Days are NaN where none.")
      .def("criticality_sectors", &criticality_sectors, "Impacts of each outage per sector.")
      .def("write", &write_analysis, py::arg("directory"), py::arg("force") = false,
           "Writes the files `rareshock analyze` writes.")
      .def("__repr__", [](const Analysis& a) {
        return "<rareshock.Analysis of '" + a.result->model_name + "': " +
               std::to_string(a.result->criticality ? a.result->criticality->entries.size() : 0) +
               " outages ranked>";
      });
}

}  // namespace rareshock::python
