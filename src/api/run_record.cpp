#include "rareshock/run_record.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "json_read.hpp"
#include "rareshock/core/build_info.hpp"
#include "rareshock/core/error.hpp"
#include "run_record_json.hpp"
#include "why_json.hpp"

namespace rareshock {
using nlohmann::json;

StudyInfo study_info(const Study& study, const io::TreeNode& resolved) {
  return {study.name,
          study.description,
          study.model.info.name,
          study.start,
          study.horizon,
          study.shortage_threshold,
          study.seed,
          study.monte_carlo.draws,
          study.focus,
          describe_study(study, resolved)};
}

std::vector<ObservedRecord> observed_records(const Study& study,
                                             const analysis::StudyResult& result) {
  std::vector<ObservedRecord> out;
  if (study.observed.empty()) return out;
  std::vector<analysis::ObservedFit> fits = analysis::compare_observed(study, result);
  for (const auto& obs : study.observed) {
    ObservedRecord r{obs.id,
                     obs.source_file,
                     obs.period,
                     obs.measure,
                     obs.notes,
                     study.calibration.training,
                     study.calibration.validation,
                     {}};
    for (auto& fit : fits)
      if (fit.observed == obs.id) r.fits.push_back(fit);
    out.push_back(std::move(r));
  }
  return out;
}

namespace {

// ---- writing ---------------------------------------------------------------------------------

json day_json(const std::optional<int>& d, Date start) {
  if (!d) return nullptr;
  return json{{"day", *d}, {"date", to_string(start + *d)}};
}

// One metric's value: a {"day", "date"} object for a day of the horizon, a whole number of
// days, or a number; null when absent.
json metric_json(const MetricInfo& info, const std::optional<double>& v, Date start) {
  if (!v) return nullptr;
  const int whole = static_cast<int>(std::lround(*v));
  if (info.kind == MetricKind::Day) return day_json(whole, start);
  if (info.whole) return whole;
  return *v;
}

json metrics_json(const analysis::ShortageMetrics& m, Date start) {
  json out = json::object();
  for (const auto& info : metric_table())
    out[std::string(info.name)] = metric_json(info, analysis::metric_value(m, info.metric), start);
  out["min_cover_day"] = day_json(m.min_cover_day, start);
  return out;
}

json supply_json(const analysis::SupplySources& s, Date start) {
  return json{{"switched_t", s.switched_t},
              {"from_new_suppliers_t", s.from_new_suppliers_t},
              {"new_supplier_day", day_json(s.new_supplier_day, start)},
              {"blocked_t", s.blocked_t}};
}

json fit_json(const analysis::FitStats& f) {
  return json{{"n", f.n},
              {"bias", f.bias},
              {"mae", f.mae},
              {"rmse", f.rmse},
              {"relative_rmse", f.relative_rmse},
              {"correlation", f.correlation ? json(*f.correlation) : json(nullptr)}};
}

json window_json(const std::optional<DateWindow>& w) {
  if (!w) return nullptr;
  return json{{"from", to_string(w->from)}, {"to", to_string(w->to)}};
}

json model_info_json(const ModelRecord& m) {
  json sources = json::array();
  for (const auto& [src, n] : m.item_sources) sources.push_back({{"source", src}, {"items", n}});
  return {{"description", m.description},
          {"base_year", m.base_year > 0 ? json(m.base_year) : json(nullptr)},
          {"sources", m.sources},
          {"assumptions", m.assumptions},
          {"item_sources", sources},
          {"confidence", m.confidence},
          {"names", m.names},
          {"material_names", m.material_names}};
}

// The study as applied: summary.json study.model_info, study.engine, study.scenarios.
void applied_json(json& study, const StudyDescription& d, Date start) {
  study["model_info"] = model_info_json(d.model);
  json engine = json::array();
  for (const auto& [key, value] : d.engine) engine.push_back({{"key", key}, {"value", value}});
  study["engine"] = engine;
  json scenarios = json::array();
  for (const auto& sc : d.scenarios) {
    json events = json::array();
    for (const auto& e : sc.events)
      events.push_back({{"id", e.id},
                        {"type", e.type},
                        {"description", e.description},
                        {"start", day_json(e.start, start)},
                        {"end", day_json(e.end, start)},
                        {"what", e.what}});
    scenarios.push_back({{"id", sc.id},
                         {"name", sc.name},
                         {"description", sc.description},
                         {"mitigation", sc.mitigation},
                         {"sources", sc.sources},
                         {"events", events}});
  }
  study["scenarios"] = scenarios;
}

json observed_json(const std::vector<ObservedRecord>& observed) {
  json out = json::array();
  for (const auto& obs : observed) {
    json runs = json::array();
    for (const auto& fit : obs.fits) {
      json periods = json::array();
      for (const auto& p : fit.periods)
        periods.push_back({{"period", p.period},
                           {"first", to_string(p.first)},
                           {"last", to_string(p.last)},
                           {"observed", p.observed},
                           {"modelled", p.modelled},
                           {"error", p.modelled - p.observed}});
      runs.push_back(
          {{"run", fit.run},
           {"fit",
            {{"all", fit_json(fit.all)},
             {"training", fit.training ? fit_json(*fit.training) : json(nullptr)},
             {"validation", fit.validation ? fit_json(*fit.validation) : json(nullptr)}}},
           {"periods", periods}});
    }
    out.push_back(
        {{"id", obs.id},
         {"source_file", obs.source_file},
         {"period", obs.period},
         {"measure", obs.measure},
         {"unit", "t"},
         {"notes", obs.notes},
         {"windows",
          {{"training", window_json(obs.training)}, {"validation", window_json(obs.validation)}}},
         {"runs", runs}});
  }
  return out;
}

json quantiles_json(const analysis::QuantileSummary& q) {
  if (q.n == 0) return nullptr;
  return json{{"n", q.n},     {"mean", q.mean}, {"p5", q.p5},  {"p10", q.p10},
              {"p50", q.p50}, {"p90", q.p90},   {"p95", q.p95}};
}

json entity_json(const analysis::EntityResult& e, Date start) {
  json materials = json::array();
  for (const auto& mr : e.materials)
    materials.push_back({{"material", mr.material}, {"metrics", metrics_json(mr.metrics, start)}});
  json out = {{"level", analysis::to_string(e.level)},
              {"id", e.id},
              {"sector", e.sector},
              {"region", e.region},
              {"unit_name", e.unit_name},
              {"metrics", metrics_json(e.metrics, start)},
              {"materials", materials},
              {"supply", supply_json(e.supply, start)}};
  if (e.why) out["why"] = detail::why_json(*e.why, start);
  return out;
}

// The origin of consumption over the horizon (monthly detail: timeseries/origin_mix.csv).
json origin_json(const analysis::OriginRecord& o) {
  const std::size_t K = o.keys.size();
  json consumers = json::array();
  for (std::size_t i = 0; i < o.consumers.size(); ++i) {
    std::vector<double> by_key(K, 0.0);
    for (std::size_t j = 0; j < o.consumed[i].size(); ++j) by_key[j % K] += o.consumed[i][j];
    std::vector<double> exposed;
    for (double x : o.exposed[i]) exposed.push_back(o.ordered[i] > 0 ? x / o.ordered[i] : 0.0);
    consumers.push_back({{"id", o.consumers[i]},
                         {"consumed_t", o.total[i]},
                         {"ordered_t", o.ordered[i]},
                         {"by_origin_t", by_key},
                         {"exposed_share", exposed}});
  }
  return {{"origins", o.keys}, {"rules", o.rules}, {"consumers", consumers}};
}

json mc_entity_json(const analysis::McEntity& e) {
  json metrics = json::object();
  for (const auto& [k, q] : e.metrics) metrics[std::string(to_string(k))] = quantiles_json(q);
  json item = {{"level", analysis::to_string(e.level)},
               {"id", e.id},
               {"sector", e.sector},
               {"region", e.region},
               {"probability_of_shortage", e.probability_of_shortage},
               {"metrics", metrics}};
  if (e.has_fan)
    item["fan"] = {{"p5", e.fan[0]},
                   {"p10", e.fan[1]},
                   {"p50", e.fan[2]},
                   {"p90", e.fan[3]},
                   {"p95", e.fan[4]}};
  return item;
}

json sensitivity_json(const analysis::UncertaintyResult& unc) {
  json tornado = json::array();
  for (const auto& t : unc.tornado) {
    json params = json::array();
    for (const auto& p : t.params) {
      json param = {{"path", p.path},
                    {"low", p.low},
                    {"high", p.high},
                    {"metric_low", p.metric_low},
                    {"metric_high", p.metric_high}};
      if (!p.members.empty()) {
        json members = json::array();
        for (const auto& m : p.members)
          members.push_back({{"path", m.path}, {"low", m.low}, {"high", m.high}});
        param["members"] = members;
      }
      params.push_back(param);
    }
    tornado.push_back({{"run", t.run},
                       {"level", analysis::to_string(t.level)},
                       {"id", t.id},
                       {"metric", to_string(t.metric)},
                       {"base", t.base},
                       {"params", params}});
  }
  json sobol = json::array();
  for (const auto& s : unc.sobol) {
    json factors = json::array();
    for (const auto& [name, ix] : s.factors)
      factors.push_back({{"factor", name},
                         {"s1", ix.s1},
                         {"s1_ci", {ix.s1_lo, ix.s1_hi}},
                         {"st", ix.st},
                         {"st_ci", {ix.st_lo, ix.st_hi}}});
    sobol.push_back({{"run", s.run},
                     {"level", analysis::to_string(s.level)},
                     {"id", s.id},
                     {"metric", to_string(s.metric)},
                     {"factors", factors}});
  }
  return {{"tornado", tornado}, {"sobol", sobol}};
}

json ranking_json(const analysis::UncertaintyResult& unc) {
  json ranking = json::array();
  for (const auto& mr : unc.ranking) {
    json entries = json::array();
    for (const auto& e : mr.ranking)
      entries.push_back({{"mitigation", e.combination},
                         {"mitigations", e.mitigations},
                         {"shortage_days_avoided", quantiles_json(e.shortage_days_avoided)},
                         {"unmet_t_avoided", quantiles_json(e.unmet_t_avoided)},
                         {"value_avoided_usd", quantiles_json(e.value_avoided_usd)},
                         {"margin_avoided_usd", quantiles_json(e.margin_avoided_usd)}});
    ranking.push_back({{"scenario", mr.scenario},
                       {"level", analysis::to_string(mr.level)},
                       {"id", mr.id},
                       {"ranking", entries}});
  }
  return ranking;
}

// ---- reading ---------------------------------------------------------------------------------
// Lenient, as summaries of older versions lack keys: a missing or mistyped value takes its
// default.

using namespace rareshock::detail::json_read;  // str, number, integer, array_at, ...

analysis::Level level_of(const json& j) {
  return analysis::level_from_string(str(j, "level")).value_or(analysis::Level::Consumer);
}

analysis::ShortageMetrics metrics_of(const json& m) {
  analysis::ShortageMetrics v;
  v.time_to_shortage = day_of(m, "time_to_shortage");
  v.peak_shortfall = number(m, "peak_shortfall", 0);
  v.peak_day = day_of(m, "peak_day");
  v.shortage_days = integer(m, "shortage_days");
  v.demand_t = number(m, "demand_t", 0);
  v.unmet_t = number(m, "unmet_t", 0);
  v.unmet_fraction = number(m, "unmet_fraction", 0);
  v.units_lost = number(m, "units_lost", 0);
  v.units_lost_upper = number(m, "units_lost_upper", v.units_lost);
  v.value_lost_usd = number(m, "value_lost_usd", 0);
  if (auto it = m.find("margin_lost_usd"); it != m.end() && it->is_number())
    v.margin_lost_usd = it->get<double>();
  v.time_to_recover = day_of(m, "time_to_recover");
  v.recovery_reference = day_of(m, "recovery_reference_day").value_or(-1);
  v.min_cover_days = number(m, "min_cover_days", 0);
  v.min_cover_day = day_of(m, "min_cover_day");
  return v;
}

/// Mean and quantiles; n = 0 and NaN (absent) for null. An object without `n` counts as
/// present.
analysis::QuantileSummary quantiles_of(const json& j) {
  analysis::QuantileSummary q;
  if (!j.is_object()) {  // null: no draw had a value
    q.mean = q.p5 = q.p10 = q.p50 = q.p90 = q.p95 = kNaN;
    return q;
  }
  q.n = static_cast<std::size_t>(std::max(1.0, number(j, "n", 1)));
  q.mean = number(j, "mean");
  q.p5 = number(j, "p5");
  q.p10 = number(j, "p10");
  q.p50 = number(j, "p50");
  q.p90 = number(j, "p90");
  q.p95 = number(j, "p95");
  return q;
}
analysis::QuantileSummary quantiles_at(const json& j, const char* key) {
  auto it = j.find(key);
  return quantiles_of(it == j.end() ? json(nullptr) : *it);
}

analysis::EntityResult entity_of(const json& e) {
  analysis::EntityResult er;
  er.level = level_of(e);
  er.id = str(e, "id");
  er.sector = str(e, "sector");
  er.region = str(e, "region");
  er.unit_name = str(e, "unit_name");
  if (const json* m = object_at(e, "metrics")) er.metrics = metrics_of(*m);
  for (const auto& mr : array_at(e, "materials"))
    if (const json* m = object_at(mr, "metrics"))
      er.materials.push_back({str(mr, "material"), metrics_of(*m)});
  if (const json* sp = object_at(e, "supply")) {
    er.supply.switched_t = number(*sp, "switched_t", 0);
    er.supply.from_new_suppliers_t = number(*sp, "from_new_suppliers_t", 0);
    er.supply.blocked_t = number(*sp, "blocked_t", 0);
    er.supply.new_supplier_day = day_of(*sp, "new_supplier_day");
  }
  if (const json* w = object_at(e, "why")) er.why = detail::why_of(*w);
  return er;
}

analysis::McEntity mc_entity_of(const json& e) {
  analysis::McEntity mc;
  mc.level = level_of(e);
  mc.id = str(e, "id");
  mc.sector = str(e, "sector");
  mc.region = str(e, "region");
  mc.probability_of_shortage = number(e, "probability_of_shortage");
  if (const json* ms = object_at(e, "metrics"))  // in table order
    for (const auto& info : metric_table())
      if (auto q = ms->find(info.name); q != ms->end())
        mc.metrics.emplace_back(info.metric, quantiles_of(*q));
  if (const json* fan = object_at(e, "fan")) {
    static constexpr const char* kBands[] = {"p5", "p10", "p50", "p90", "p95"};
    for (std::size_t b = 0; b < 5; ++b)
      for (const auto& x : array_at(*fan, kBands[b]))
        mc.fan[b].push_back(x.is_number() ? x.get<double>() : kNaN);
    mc.has_fan = true;
  }
  return mc;
}

void read_sensitivity(analysis::UncertaintyResult& u, const json& sens) {
  for (const auto& e : array_at(sens, "sobol")) {
    const MetricInfo* metric = find_metric(str(e, "metric"));
    if (!metric) continue;
    analysis::SobolEntry se{str(e, "run"), level_of(e), str(e, "id"), metric->metric, {}};
    auto ci = [](const json& f, const char* key, int i) {
      auto it = f.find(key);
      return it != f.end() && it->is_array() && it->size() == 2 && (*it)[i].is_number()
                 ? (*it)[i].get<double>()
                 : kNaN;
    };
    for (const auto& f : array_at(e, "factors"))
      se.factors.push_back({str(f, "factor"),
                            {number(f, "s1"), ci(f, "s1_ci", 0), ci(f, "s1_ci", 1), number(f, "st"),
                             ci(f, "st_ci", 0), ci(f, "st_ci", 1)}});
    u.sobol.push_back(std::move(se));
  }
  for (const auto& e : array_at(sens, "tornado")) {
    const MetricInfo* metric = find_metric(str(e, "metric"));
    if (!metric) continue;
    analysis::TornadoEntry te{str(e, "run"),  level_of(e),       str(e, "id"),
                              metric->metric, number(e, "base"), {}};
    for (const auto& q : array_at(e, "params")) {
      te.params.push_back({str(q, "path"), number(q, "low"), number(q, "high"),
                           number(q, "metric_low"), number(q, "metric_high")});
      for (const auto& m : array_at(q, "members"))
        te.params.back().members.push_back({str(m, "path"), number(m, "low"), number(m, "high")});
    }
    // Largest swing first, as the type promises (a hand-written summary may not be sorted).
    std::stable_sort(te.params.begin(), te.params.end(), [](const auto& a, const auto& b) {
      return std::fabs(a.metric_high - a.metric_low) > std::fabs(b.metric_high - b.metric_low);
    });
    u.tornado.push_back(std::move(te));
  }
}

std::optional<analysis::FitStats> fit_of(const json& f, const char* key) {
  const json* x = object_at(f, key);
  if (!x) return std::nullopt;
  analysis::FitStats s;
  s.n = integer(*x, "n");
  s.bias = number(*x, "bias");
  s.mae = number(*x, "mae");
  s.rmse = number(*x, "rmse");
  s.relative_rmse = number(*x, "relative_rmse");
  if (auto it = x->find("correlation"); it != x->end() && it->is_number())
    s.correlation = it->get<double>();
  return s;
}

std::optional<DateWindow> window_of(const json& w, const char* key) {
  const json* x = object_at(w, key);
  if (!x) return std::nullopt;
  auto from = parse_date(str(*x, "from")), to = parse_date(str(*x, "to"));
  if (!from || !to) return std::nullopt;
  return DateWindow{*from, *to};
}

ModelRecord model_info_of(const json& m) {
  ModelRecord r;
  r.description = str(m, "description");
  r.base_year = integer(m, "base_year");
  r.sources = strings(m, "sources");
  r.assumptions = strings(m, "assumptions");
  for (const auto& x : array_at(m, "item_sources"))
    r.item_sources.emplace_back(str(x, "source"), integer(x, "items"));
  if (const json* c = object_at(m, "confidence"))
    for (const auto& [k, n] : c->items())
      if (n.is_number()) r.confidence[k] = n.get<int>();
  for (const char* key : {"names", "material_names"})
    if (const json* names = object_at(m, key))
      for (const auto& [id, name] : names->items())
        if (name.is_string())
          (key[0] == 'n' ? r.names : r.material_names)[id] = name.get<std::string>();
  return r;
}

/// The study as applied; none when the summary predates it (no `scenarios` in `study`).
std::optional<StudyDescription> applied_of(const json& st) {
  if (!st.contains("scenarios") || !st["scenarios"].is_array()) return std::nullopt;
  StudyDescription d;
  if (const json* m = object_at(st, "model_info")) d.model = model_info_of(*m);
  for (const auto& e : array_at(st, "engine"))
    d.engine.emplace_back(str(e, "key"), str(e, "value"));
  for (const auto& sc : st["scenarios"]) {
    ScenarioRecord r{
        str(sc, "id"),
        str(sc, "name"),
        str(sc, "description"),
        sc.contains("mitigation") && sc["mitigation"].is_boolean() && sc["mitigation"].get<bool>(),
        strings(sc, "sources"),
        {}};
    for (const auto& e : array_at(sc, "events"))
      r.events.push_back({str(e, "id"), str(e, "type"), str(e, "description"),
                          day_of(e, "start").value_or(0), day_of(e, "end"), str(e, "what")});
    d.scenarios.push_back(std::move(r));
  }
  return d;
}

ObservedRecord observed_of(const json& o) {
  ObservedRecord od;
  od.id = str(o, "id");
  od.source_file = str(o, "source_file");
  od.period = str(o, "period");
  od.measure = str(o, "measure");
  od.notes = strings(o, "notes");
  if (const json* w = object_at(o, "windows")) {
    od.training = window_of(*w, "training");
    od.validation = window_of(*w, "validation");
  }
  for (const auto& r : array_at(o, "runs")) {
    analysis::ObservedFit fit;
    fit.observed = od.id;
    fit.run = str(r, "run");
    if (const json* f = object_at(r, "fit")) {
      // `all` is always written; a summary without it shows no fit statistics.
      if (auto all = fit_of(*f, "all")) fit.all = *all;
      fit.training = fit_of(*f, "training");
      fit.validation = fit_of(*f, "validation");
    }
    for (const auto& p : array_at(r, "periods")) {
      auto first = parse_date(str(p, "first")), last = parse_date(str(p, "last"));
      if (!first || !last) continue;
      fit.periods.push_back(
          {str(p, "period"), *first, *last, number(p, "observed"), number(p, "modelled")});
    }
    od.fits.push_back(std::move(fit));
  }
  return od;
}

}  // namespace

namespace detail {

json record_json(const RunRecord& rec) {
  const Date start = rec.study.start;
  const analysis::UncertaintyResult* unc = rec.uncertainty ? &*rec.uncertainty : nullptr;
  json runs = json::array();
  for (std::size_t r = 0; r < rec.results.runs.size(); ++r) {
    const auto& run = rec.results.runs[r];
    json entities = json::array();
    for (const auto& e : run.entities) entities.push_back(entity_json(e, start));
    json item = {
        {"id", run.combination.id},
        {"scenario", run.combination.scenario ? json(*run.combination.scenario) : json(nullptr)},
        {"mitigations", run.combination.mitigations},
        {"recovery_reference_day", run.recovery_reference},
        {"notes", run.notes},
        {"results", entities}};
    if (!run.losses.empty()) item["losses"] = detail::losses_json(run.losses);
    if (run.origin) item["origin"] = origin_json(*run.origin);
    if (unc && r < unc->runs.size()) {
      json results = json::array();
      for (const auto& e : unc->runs[r].entities) results.push_back(mc_entity_json(e));
      item["monte_carlo"] = {{"draws", unc->draws_done}, {"results", results}};
    }
    runs.push_back(std::move(item));
  }
  const StudyInfo& st = rec.study;
  json summary = {
      {"format_version", rec.format_version},
      {"tool",
       {{"name", "rareshock"}, {"version", rec.tool.version}, {"git_sha", rec.tool.git_sha}}},
      {"study",
       {{"name", st.name},
        {"description", st.description},
        {"model", st.model},
        {"start", to_string(st.start)},
        {"horizon_days", st.horizon_days},
        {"end", to_string(st.end())},
        {"shortage_threshold", st.shortage_threshold},
        {"seed", st.seed},
        {"draws", st.draws},
        {"focus", {{"regions", st.focus.regions}, {"sectors", st.focus.sectors}}}}},
      {"warnings", rec.results.warnings},
      {"runs", runs}};
  if (st.applied) applied_json(summary["study"], *st.applied, start);
  if (!rec.observed.empty()) summary["observed"] = observed_json(rec.observed);
  if (unc) {
    summary["uncertainty"] = {{"draws_requested", unc->draws_requested},
                              {"draws", unc->draws_done},
                              {"partial", unc->partial},
                              {"threads", unc->threads}};
    if (!unc->reread_paths.empty()) summary["uncertainty"]["reread_paths"] = unc->reread_paths;
    summary["sensitivity"] = sensitivity_json(*unc);
    summary["mitigation_ranking"] = ranking_json(*unc);
  }
  return summary;
}

RunRecord record_from_json(const json& s, const std::string& file) {
  if (!s.is_object() || !s.contains("runs") || !s["runs"].is_array() || !s.contains("study") ||
      !s["study"].is_object())
    throw InputError("error: '" + file +
                     "' is not a rareshock run summary (no 'study' and 'runs')\n");
  RunRecord rec;
  rec.format_version = integer(s, "format_version");
  if (const json* tool = object_at(s, "tool")) {
    rec.tool.version = str(*tool, "version");
    rec.tool.git_sha = str(*tool, "git_sha");
  }
  const json& st = s["study"];
  rec.study.name = str(st, "name");
  rec.study.description = str(st, "description");
  rec.study.model = str(st, "model");
  auto start = parse_date(str(st, "start"));
  if (!start) throw InputError("error: '" + file + "': study.start is not a date (YYYY-MM-DD)\n");
  rec.study.start = *start;
  rec.study.horizon_days = integer(st, "horizon_days");
  rec.study.shortage_threshold = number(st, "shortage_threshold", 0.01);
  if (auto it = st.find("seed"); it != st.end() && it->is_number_unsigned())
    rec.study.seed = it->get<std::uint64_t>();
  rec.study.draws = integer(st, "draws");
  if (const json* focus = object_at(st, "focus")) {
    rec.study.focus.regions = strings(*focus, "regions");
    rec.study.focus.sectors = strings(*focus, "sectors");
  }
  rec.study.applied = applied_of(st);
  rec.results.warnings = strings(s, "warnings");

  bool any_mc = false;
  analysis::UncertaintyResult unc;
  for (const auto& r : s["runs"]) {
    analysis::RunResult run;
    run.combination.id = str(r, "id");
    if (auto it = r.find("scenario"); it != r.end() && it->is_string())
      run.combination.scenario = it->get<std::string>();
    run.combination.mitigations = strings(r, "mitigations");
    run.recovery_reference = integer(r, "recovery_reference_day", -1);
    run.notes = strings(r, "notes");
    for (const auto& e : array_at(r, "results")) run.entities.push_back(entity_of(e));
    run.losses = detail::losses_of(array_at(r, "losses"));
    if (const json* o = object_at(r, "origin")) {  // horizon totals: one period
      analysis::OriginRecord rec_o;
      rec_o.keys = strings(*o, "origins");
      rec_o.rules = strings(*o, "rules");
      rec_o.periods = {"horizon"};
      for (const auto& c : array_at(*o, "consumers")) {
        rec_o.consumers.push_back(str(c, "id"));
        rec_o.total.push_back(number(c, "consumed_t", 0));
        rec_o.ordered.push_back(number(c, "ordered_t", 0));
        std::vector<double> by_key(rec_o.keys.size(), 0.0), exposed(rec_o.rules.size(), 0.0);
        const json& bk = array_at(c, "by_origin_t");
        for (std::size_t k = 0; k < by_key.size() && k < bk.size(); ++k)
          if (bk[k].is_number()) by_key[k] = bk[k].get<double>();
        const json& ex = array_at(c, "exposed_share");
        for (std::size_t k = 0; k < exposed.size() && k < ex.size(); ++k)
          if (ex[k].is_number()) exposed[k] = ex[k].get<double>() * rec_o.ordered.back();
        rec_o.consumed.push_back(std::move(by_key));
        rec_o.exposed.push_back(std::move(exposed));
      }
      run.origin = std::move(rec_o);
    }
    analysis::McRun mc{run.combination.id, {}};
    if (const json* m = object_at(r, "monte_carlo")) {
      any_mc = true;
      unc.draws_done = integer(*m, "draws");
      for (const auto& e : array_at(*m, "results")) mc.entities.push_back(mc_entity_of(e));
    }
    unc.runs.push_back(std::move(mc));
    rec.results.runs.push_back(std::move(run));
  }
  const json* u = object_at(s, "uncertainty");
  if (u) {
    unc.draws_requested = integer(*u, "draws_requested");
    unc.draws_done = integer(*u, "draws", unc.draws_done);
    unc.partial =
        u->contains("partial") && (*u)["partial"].is_boolean() && (*u)["partial"].get<bool>();
    unc.threads = integer(*u, "threads", 1);
    for (const auto& p : array_at(*u, "reread_paths"))
      if (p.is_string()) unc.reread_paths.push_back(p.get<std::string>());
  }
  if (!any_mc) unc.runs.clear();  // no draws: no Monte Carlo results
  if (const json* sens = object_at(s, "sensitivity")) read_sensitivity(unc, *sens);
  for (const auto& e : array_at(s, "mitigation_ranking")) {
    analysis::MitigationRanking m{str(e, "scenario"), level_of(e), str(e, "id"), {}};
    for (const auto& q : array_at(e, "ranking"))
      m.ranking.push_back({str(q, "mitigation"), strings(q, "mitigations"),
                           quantiles_at(q, "shortage_days_avoided"),
                           quantiles_at(q, "unmet_t_avoided"), quantiles_at(q, "value_avoided_usd"),
                           quantiles_at(q, "margin_avoided_usd")});
    unc.ranking.push_back(std::move(m));
  }
  if (u || any_mc || s.contains("sensitivity") || s.contains("mitigation_ranking"))
    rec.uncertainty = std::move(unc);
  for (const auto& o : array_at(s, "observed")) rec.observed.push_back(observed_of(o));
  return rec;
}

}  // namespace detail

std::string to_json(const RunRecord& record) {
  return detail::record_json(record).dump(2) + "\n";
}

RunRecord from_json(const std::string& text, const std::string& file) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& ex) {
    throw InputError("error: cannot read '" + file + "': " + ex.what() + "\n");
  }
  return detail::record_from_json(j, file);
}

}  // namespace rareshock
