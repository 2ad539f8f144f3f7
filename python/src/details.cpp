// rareshock.Result, continued: node and edge series, the origin of supply, why each consumer
// is hit, the losses by unit name and the study as applied (results.cpp binds the rest).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <limits>
#include <map>
#include <utility>

#include "binding.hpp"
#include "columns.hpp"
#include "rareshock/sim/network.hpp"

namespace py = pybind11;

namespace rareshock::python {

namespace {

using Opt = std::optional<std::string>;

// The runs kept by a run= filter (ValueError for an unknown one).
std::vector<const analysis::RunResult*> runs_of(const RunRecord& rec, const Opt& run) {
  std::vector<const analysis::RunResult*> out;
  std::vector<std::string> ids;
  for (const auto& r : rec.results.runs) {
    ids.push_back(r.combination.id);
    if (!run || *run == r.combination.id) out.push_back(&r);
  }
  if (run && out.empty()) {
    std::string list;
    for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
    throw py::value_error("unknown run '" + *run + "' (one of: " + list + ")");
  }
  return out;
}

void declare(Columns& t, std::initializer_list<const char*> names, Columns::Kind kind) {
  for (const auto* n : names) t.declare(n, kind);
}

// A day of the horizon as a date column; a missing day is NaT.
void day_or_nat(Columns& t, const std::string& name, int start, const std::optional<int>& day) {
  t.day(name, day ? start + *day : std::numeric_limits<std::int64_t>::min());
}

// ---- node and edge series -------------------------------------------------------------

py::dict node_series(const Result& r, const Opt& run, const Opt& node) {
  const auto runs = runs_of(*r.record, run);
  const int start = r.record->study.start.days;
  Columns t;
  declare(t, {"run", "node", "stage", "place"}, Columns::Kind::Text);
  t.declare("day", Columns::Kind::Integer);
  t.declare("date", Columns::Kind::Day);
  declare(t, {"activity", "capacity", "utilisation"}, Columns::Kind::Real);
  bool any = false;
  for (const auto* rr : runs) any = any || !rr->nodes.empty();
  if (!any) return t.to_dict();
  const sim::Network net = sim::compile(r.input->loaded->study->model);
  for (const auto* rr : runs)
    for (std::size_t n = 0; n < rr->nodes.size(); ++n) {
      if (node && *node != net.node_id[n]) continue;
      const analysis::NodeSeries& s = rr->nodes[n];
      for (std::size_t d = 0; d < s.activity.size(); ++d) {
        t.text("run", rr->combination.id);
        t.text("node", net.node_id[n]);
        t.text("stage", to_string(net.stage[n]));
        t.text("place", net.region[n]);
        t.integer("day", static_cast<std::int64_t>(d));
        t.day("date", start + static_cast<int>(d));
        const double a = s.activity[d], c = s.capacity[d];
        t.real("activity", a * 365);  // per year, as timeseries/nodes.csv
        t.real("capacity", c * 365);
        t.real("utilisation", c > 0 ? std::optional<double>(a / c) : std::optional<double>());
      }
    }
  return t.to_dict();
}

py::dict edge_series(const Result& r, const Opt& run, const Opt& edge) {
  const auto runs = runs_of(*r.record, run);
  const int start = r.record->study.start.days;
  Columns t;
  declare(t, {"run", "edge", "from", "to", "material"}, Columns::Kind::Text);
  t.declare("day", Columns::Kind::Integer);
  t.declare("date", Columns::Kind::Day);
  declare(t, {"ordered_t", "shipped_t"}, Columns::Kind::Real);
  bool any = false;
  for (const auto* rr : runs) any = any || !rr->edges.empty();
  if (!any) return t.to_dict();
  const sim::Network net = sim::compile(r.input->loaded->study->model);
  for (const auto* rr : runs)
    for (std::size_t e = 0; e < rr->edges.size(); ++e) {
      const std::string label = net.edge_label(static_cast<int>(e));
      if (edge && *edge != label) continue;
      const analysis::EdgeSeries& s = rr->edges[e];
      const auto from = static_cast<std::size_t>(net.e_from[e]);
      const auto to = static_cast<std::size_t>(net.e_to[e]);
      const auto mat = static_cast<std::size_t>(net.e_material[e]);
      for (std::size_t d = 0; d < s.ordered.size(); ++d) {
        t.text("run", rr->combination.id);
        t.text("edge", label);
        t.text("from", net.node_id[from]);
        t.text("to", net.node_id[to]);
        t.text("material", net.material_id[mat]);
        t.integer("day", static_cast<std::int64_t>(d));
        t.day("date", start + static_cast<int>(d));
        t.real("ordered_t", s.ordered[d]);
        t.real("shipped_t", s.shipped[d]);
      }
    }
  return t.to_dict();
}

// ---- origin of supply -------------------------------------------------------------------

// Sector and region of each consumer of a run, by id.
std::map<std::string, std::pair<std::string, std::string>> consumer_places(
    const analysis::RunResult& rr) {
  std::map<std::string, std::pair<std::string, std::string>> out;
  for (const auto& e : rr.entities)
    if (e.level == analysis::Level::Consumer) out[e.id] = {e.sector, e.region};
  return out;
}

void consumer_key(Columns& t, const std::string& run, const std::string& consumer,
                  const std::map<std::string, std::pair<std::string, std::string>>& places) {
  auto it = places.find(consumer);
  t.text("run", run);
  t.text("consumer", consumer);
  t.text("sector", it == places.end() ? std::string() : it->second.first);
  t.text("region", it == places.end() ? std::string() : it->second.second);
}

py::dict origin_mix(const Result& r, const Opt& run, const Opt& consumer) {
  Columns t;
  declare(t, {"run", "consumer", "sector", "region", "month", "origin"}, Columns::Kind::Text);
  declare(t, {"consumed_t", "share"}, Columns::Kind::Real);
  for (const auto* rr : runs_of(*r.record, run)) {
    if (!rr->origin) continue;
    const analysis::OriginRecord& o = *rr->origin;
    const auto places = consumer_places(*rr);
    const std::size_t K = o.keys.size();
    for (std::size_t i = 0; i < o.consumers.size(); ++i) {
      if (consumer && *consumer != o.consumers[i]) continue;
      for (std::size_t p = 0; p < o.periods.size(); ++p) {
        double month = 0;
        for (std::size_t k = 0; k < K; ++k) month += o.consumed[i][p * K + k];
        if (month <= 0) continue;
        for (std::size_t k = 0; k < K; ++k) {
          const double x = o.consumed[i][p * K + k];
          if (x <= 0) continue;
          consumer_key(t, rr->combination.id, o.consumers[i], places);
          t.text("month", o.periods[p]);
          t.text("origin", o.keys[k]);
          t.real("consumed_t", x);
          t.real("share", x / month);
        }
      }
    }
  }
  return t.to_dict();
}

py::dict origins(const Result& r, const Opt& run) {
  Columns t;
  declare(t, {"run", "consumer", "sector", "region", "origin"}, Columns::Kind::Text);
  declare(t, {"consumed_t", "share"}, Columns::Kind::Real);
  for (const auto* rr : runs_of(*r.record, run)) {
    if (!rr->origin) continue;
    const analysis::OriginRecord& o = *rr->origin;
    const auto places = consumer_places(*rr);
    const std::size_t K = o.keys.size();
    for (std::size_t i = 0; i < o.consumers.size(); ++i) {
      std::vector<double> by_key(K, 0.0);
      for (std::size_t j = 0; j < o.consumed[i].size(); ++j) by_key[j % K] += o.consumed[i][j];
      for (std::size_t k = 0; k < K; ++k) {
        if (by_key[k] <= 0) continue;
        consumer_key(t, rr->combination.id, o.consumers[i], places);
        t.text("origin", o.keys[k]);
        t.real("consumed_t", by_key[k]);
        t.real("share", o.total[i] > 0 ? by_key[k] / o.total[i] : 0.0);
      }
    }
  }
  return t.to_dict();
}

py::dict origin_exposure(const Result& r, const Opt& run) {
  Columns t;
  declare(t, {"run", "consumer", "sector", "region", "rule"}, Columns::Kind::Text);
  declare(t, {"consumed_t", "ordered_t", "exposed_t", "exposed_share"}, Columns::Kind::Real);
  for (const auto* rr : runs_of(*r.record, run)) {
    if (!rr->origin) continue;
    const analysis::OriginRecord& o = *rr->origin;
    const auto places = consumer_places(*rr);
    for (std::size_t i = 0; i < o.consumers.size(); ++i)
      for (std::size_t k = 0; k < o.rules.size(); ++k) {
        const double x = o.exposed[i][k], ordered = o.ordered[i];
        consumer_key(t, rr->combination.id, o.consumers[i], places);
        t.text("rule", o.rules[k]);
        t.real("consumed_t", o.total[i]);
        t.real("ordered_t", ordered);
        t.real("exposed_t", x);
        t.real("exposed_share", ordered > 0 ? x / ordered : 0.0);
      }
  }
  return t.to_dict();
}

// ---- why each consumer is hit -----------------------------------------------------------

template <class F>
void for_each_why(const Result& r, const Opt& run, const Opt& consumer, F&& f) {
  for (const auto* rr : runs_of(*r.record, run))
    for (const auto& e : rr->entities)
      if (e.level == analysis::Level::Consumer && e.why && (!consumer || *consumer == e.id))
        f(*rr, e, *e.why);
}

constexpr auto kText = Columns::Kind::Text;
constexpr auto kReal = Columns::Kind::Real;

void constraint_columns(Columns& t, const std::string& p, const analysis::WhyConstraint* c) {
  const bool restriction = c && c->kind == "restriction";
  const std::string none;
  t.text(p + "kind", c ? c->kind : none);
  t.text(p + "event", c ? c->event : none);
  t.text(p + "regime", c ? c->regime : none);
  t.text(p + "node", c ? c->node : none);
  t.text(p + "from", c ? c->from_place : none);
  t.text(p + "to", c ? c->to_place : none);
  t.text(p + "from_stage", c ? c->from_stage : none);
  t.text(p + "to_stage", c ? c->to_stage : none);
  t.text(p + "material", c ? c->material : none);
  const auto nan = std::optional<double>();
  t.real(p + "ordered_t", restriction ? std::optional<double>(c->ordered_t) : nan);
  t.real(p + "passed_t", restriction ? std::optional<double>(c->passed_t) : nan);
  t.real(p + "passed_share",
         restriction && c->ordered_t > 0 ? std::optional<double>(c->passed_t / c->ordered_t) : nan);
  t.real(p + "ratio", c && !restriction ? std::optional<double>(c->ratio) : nan);
  t.real(p + "depth", c ? std::optional<double>(c->depth) : nan);
}

void declare_constraint(Columns& t, const std::string& p) {
  for (const auto* n :
       {"kind", "event", "regime", "node", "from", "to", "from_stage", "to_stage", "material"})
    t.declare(p + n, kText);
  for (const auto* n : {"ordered_t", "passed_t", "passed_share", "ratio", "depth"})
    t.declare(p + n, kReal);
}

py::dict why(const Result& r, const Opt& run, const Opt& consumer) {
  const int start = r.record->study.start.days;
  Columns t;
  declare(t, {"run", "consumer", "sector", "region"}, kText);
  declare(t, {"from_day", "to_day"}, Columns::Kind::Integer);
  declare(t, {"from_date", "to_date"}, Columns::Kind::Day);
  declare(t,
          {"demand_t", "baseline_demand_t", "inflow_t", "baseline_inflow_t", "stock_drawn_t",
           "unmet_t", "pipeline_drawn_t", "supplier_stock_drawn_t", "from_stockpiles_t"},
          kReal);
  declare_constraint(t, "binding_");
  for_each_why(r, run, consumer,
               [&](const analysis::RunResult& rr, const analysis::EntityResult& e,
                   const analysis::WhyRecord& w) {
                 t.text("run", rr.combination.id);
                 t.text("consumer", e.id);
                 t.text("sector", e.sector);
                 t.text("region", e.region);
                 t.integer("from_day", w.from_day);
                 t.integer("to_day", w.to_day);
                 t.day("from_date", start + w.from_day);
                 t.day("to_date", start + w.to_day);
                 t.real("demand_t", w.demand_t);
                 t.real("baseline_demand_t", w.baseline_demand_t);
                 t.real("inflow_t", w.inflow_t);
                 t.real("baseline_inflow_t", w.baseline_inflow_t);
                 t.real("stock_drawn_t", w.stock_drawn_t);
                 t.real("unmet_t", w.unmet_t);
                 t.real("pipeline_drawn_t", w.pipeline_drawn_t);
                 t.real("supplier_stock_drawn_t", w.supplier_stock_drawn_t);
                 t.real("from_stockpiles_t", w.from_stockpiles_t);
                 constraint_columns(t, "binding_", w.binding ? &*w.binding : nullptr);
               });
  return t.to_dict();
}

py::dict why_suppliers(const Result& r, const Opt& run, const Opt& consumer) {
  Columns t;
  declare(t, {"run", "consumer", "supplier", "place", "stage", "material"}, kText);
  t.declare("standby", Columns::Kind::Flag);
  declare(t, {"before_t", "during_t", "change_t"}, kReal);
  for_each_why(r, run, consumer,
               [&](const analysis::RunResult& rr, const analysis::EntityResult& e,
                   const analysis::WhyRecord& w) {
                 for (const auto& s : w.suppliers) {
                   t.text("run", rr.combination.id);
                   t.text("consumer", e.id);
                   t.text("supplier", s.supplier);
                   t.text("place", s.place);
                   t.text("stage", s.stage);
                   t.text("material", s.material);
                   t.flag("standby", s.standby);
                   t.real("before_t", s.before_t);
                   t.real("during_t", s.during_t);
                   t.real("change_t", s.change_t());
                 }
               });
  return t.to_dict();
}

py::dict why_restrictions(const Result& r, const Opt& run, const Opt& consumer) {
  Columns t;
  declare(t, {"run", "consumer"}, kText);
  t.declare("rank", Columns::Kind::Integer);
  declare_constraint(t, "");
  for_each_why(r, run, consumer,
               [&](const analysis::RunResult& rr, const analysis::EntityResult& e,
                   const analysis::WhyRecord& w) {
                 for (std::size_t k = 0; k < w.restrictions.size(); ++k) {
                   t.text("run", rr.combination.id);
                   t.text("consumer", e.id);
                   t.integer("rank", static_cast<std::int64_t>(k + 1));
                   constraint_columns(t, "", &w.restrictions[k]);
                 }
               });
  return t.to_dict();
}

py::dict losses(const Result& r, const Opt& run) {
  Columns t;
  declare(t, {"run", "unit_name"}, kText);
  declare(t, {"units_lost", "units_lost_upper", "margin_lost_usd", "value_lost_usd"}, kReal);
  for (const auto* rr : runs_of(*r.record, run))
    for (const auto& l : rr->losses) {
      t.text("run", rr->combination.id);
      t.text("unit_name", l.unit_name);
      t.real("units_lost", l.units_lost);
      t.real("units_lost_upper", l.units_lost_upper);
      t.real("margin_lost_usd", l.margin_lost_usd);
      t.real("value_lost_usd", l.value_lost_usd);
    }
  return t.to_dict();
}

// ---- the study as applied ----------------------------------------------------------------

py::dict model_info(const ModelRecord& m) {
  py::dict d;
  d["description"] = m.description;
  d["base_year"] = m.base_year > 0 ? py::object(py::int_(m.base_year)) : py::object(py::none());
  d["sources"] = m.sources;
  d["assumptions"] = m.assumptions;
  Columns sources;
  sources.declare("source", kText);
  sources.declare("items", Columns::Kind::Integer);
  for (const auto& [source, items] : m.item_sources) {
    sources.text("source", source);
    sources.integer("items", items);
  }
  d["item_sources"] = sources.to_dict();
  d["confidence"] = m.confidence;
  d["names"] = m.names;
  d["material_names"] = m.material_names;
  return d;
}

py::object applied(const Result& r) {
  const auto& a = r.record->study.applied;
  if (!a) return py::none();
  const int start = r.record->study.start.days;
  py::dict d;
  d["model"] = model_info(a->model);
  py::dict engine;
  for (const auto& [key, value] : a->engine) engine[py::str(key)] = value;
  d["engine"] = engine;
  py::list scenarios;
  for (const auto& sc : a->scenarios) {
    py::dict s;
    s["id"] = sc.id;
    s["name"] = sc.name;
    s["description"] = sc.description;
    s["mitigation"] = sc.mitigation;
    s["sources"] = sc.sources;
    py::list events;
    for (const auto& e : sc.events) {
      py::dict ev;
      ev["id"] = e.id;
      ev["type"] = e.type;
      ev["description"] = e.description;
      ev["start_day"] = e.start;
      ev["start"] = to_string(Date{start + e.start});
      ev["end_day"] = e.end ? py::object(py::int_(*e.end)) : py::object(py::none());
      ev["end"] =
          e.end ? py::object(py::str(to_string(Date{start + *e.end}))) : py::object(py::none());
      ev["what"] = e.what;
      events.append(ev);
    }
    s["events"] = events;
    scenarios.append(s);
  }
  d["scenarios"] = scenarios;
  return d;
}

py::dict events(const Result& r) {
  const int start = r.record->study.start.days;
  Columns t;
  declare(t, {"scenario", "scenario_name"}, kText);
  t.declare("mitigation", Columns::Kind::Flag);
  declare(t, {"event", "type", "description"}, kText);
  t.declare("start_day", Columns::Kind::Integer);
  t.declare("start", Columns::Kind::Day);
  t.declare("end_day", kReal);
  t.declare("end", Columns::Kind::Day);
  t.declare("what", kText);
  const auto& a = r.record->study.applied;
  if (!a) return t.to_dict();
  for (const auto& sc : a->scenarios)
    for (const auto& e : sc.events) {
      t.text("scenario", sc.id);
      t.text("scenario_name", sc.name);
      t.flag("mitigation", sc.mitigation);
      t.text("event", e.id);
      t.text("type", e.type);
      t.text("description", e.description);
      t.integer("start_day", e.start);
      t.day("start", start + e.start);
      t.real("end_day", e.end);
      day_or_nat(t, "end", start, e.end);
      t.text("what", e.what);
    }
  return t.to_dict();
}

}  // namespace

void bind_result_details(py::class_<Result>& cls) {
  const auto none = py::none();
  cls.def("node_series", &node_series, py::arg("run") = none, py::arg("node") = none,
          "Daily activity and capacity [per year] and utilisation of every node "
          "(timeseries/nodes.csv); empty unless the study sets outputs.node_series.")
      .def("edge_series", &edge_series, py::arg("run") = none, py::arg("edge") = none,
           "Daily ordered and shipped tonnes of every edge (timeseries/edges.csv); empty "
           "unless the study sets outputs.edge_series.")
      .def("origin_mix", &origin_mix, py::arg("run") = none, py::arg("consumer") = none,
           "Tonnes each consumer used per calendar month by origin key, and their share of "
           "the month (timeseries/origin_mix.csv); empty unless the engine traced origins.")
      .def("origins", &origins, py::arg("run") = none,
           "Tonnes each consumer used over the horizon by origin key, and their share.")
      .def("origin_exposure", &origin_exposure, py::arg("run") = none,
           "Per consumer and origin rule: the tonnes it ordered on edges the rule covered "
           "(exposed_t) and their share of its orders.")
      .def("why", &why, py::arg("run") = none, py::arg("consumer") = none,
           "Why each consumer is hit (why.csv): its supply balance over its shock window "
           "(demand_t = inflow_t + stock_drawn_t + unmet_t) and the binding constraint.")
      .def("why_suppliers", &why_suppliers, py::arg("run") = none, py::arg("consumer") = none,
           "Per consumer with a why record, its supplier edges: tonnes before (baseline) and "
           "during its shock window (why_suppliers.csv).")
      .def("why_restrictions", &why_restrictions, py::arg("run") = none, py::arg("consumer") = none,
           "Per consumer with a why record, the restrictions on its own supplier edges, most "
           "blocked first.")
      .def("losses", &losses, py::arg("run") = none,
           "Losses per run and unit name (losses.csv): units not built, value added and full "
           "value lost [USD].")
      .def_property_readonly("applied", &applied,
                             "The study as applied (summary.json study.model_info, engine, "
                             "scenarios) as a dict, or None")
      .def("events", &events, "Every event of the study's scenarios and mitigations, as applied.");
}

}  // namespace rareshock::python
