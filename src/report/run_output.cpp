#include "rareshock/report/run_output.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "output_files.hpp"
#include "rareshock/analysis/observed.hpp"
#include "rareshock/core/build_info.hpp"
#include "rareshock/core/date.hpp"
#include "rareshock/core/error.hpp"

namespace rareshock::report {
namespace fs = std::filesystem;
using detail::check_finite;
using detail::csv_field;
using detail::num;
using detail::write_file;
using nlohmann::json;

std::string sha256(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string out;
  for (unsigned i = 0; i < len; ++i) out += fmt::format("{:02x}", md[i]);
  return out;
}

std::string sha256_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw RuntimeError("cannot read '" + file.string() + "' to hash it");
  std::stringstream ss;
  ss << in.rdbuf();
  return sha256(ss.str());
}

void check_output_dir(const fs::path& dir, bool force) {
  detail::check_output_target(dir, force);
}

namespace {

json day_json(const std::optional<int>& d, Date start) {
  if (!d) return nullptr;
  return json{{"day", *d}, {"date", to_string(start + *d)}};
}

json metrics_json(const analysis::ShortageMetrics& m, Date start) {
  return json{{"time_to_shortage", day_json(m.time_to_shortage, start)},
              {"peak_shortfall", m.peak_shortfall},
              {"peak_day", day_json(m.peak_day, start)},
              {"shortage_days", m.shortage_days},
              {"demand_t", m.demand_t},
              {"unmet_t", m.unmet_t},
              {"unmet_fraction", m.unmet_fraction},
              {"units_lost", m.units_lost},
              {"units_lost_upper", m.units_lost_upper},
              {"value_lost_usd", m.value_lost_usd},
              {"margin_lost_usd", m.margin_lost_usd ? json(*m.margin_lost_usd) : json(nullptr)},
              {"time_to_recover", m.time_to_recover ? json(*m.time_to_recover) : json(nullptr)},
              {"recovery_reference_day",
               m.recovery_reference >= 0 ? day_json(m.recovery_reference, start) : json(nullptr)},
              {"min_cover_days", m.min_cover_days},
              {"min_cover_day", day_json(m.min_cover_day, start)}};
}

json supply_json(const analysis::SupplySources& s, Date start) {
  return json{{"switched_t", s.switched_t},
              {"from_new_suppliers_t", s.from_new_suppliers_t},
              {"new_supplier_day", day_json(s.new_supplier_day, start)},
              {"blocked_t", s.blocked_t}};
}

std::string metrics_csv(const Study& study, const analysis::StudyResult& result) {
  std::string out = "run,level,id,sector,region,material,metric,value,date\n";
  for (const auto& run : result.runs)
    for (const auto& e : run.entities) {
      auto rows = [&](const std::string& material, const analysis::ShortageMetrics& m) {
        auto row = [&](const char* metric, const std::string& value, const std::string& date) {
          out += fmt::format("{},{},{},{},{},{},{},{},{}\n", csv_field(run.combination.id), e.level,
                             csv_field(e.id), csv_field(e.sector), csv_field(e.region),
                             csv_field(material), metric, value, date);
        };
        auto day_row = [&](const char* metric, const std::optional<int>& d) {
          row(metric, d ? std::to_string(*d) : "", d ? to_string(study.start + *d) : "");
        };
        day_row("time_to_shortage", m.time_to_shortage);
        row("peak_shortfall", num(m.peak_shortfall), "");
        day_row("peak_day", m.peak_day);
        row("shortage_days", std::to_string(m.shortage_days), "");
        row("demand_t", num(m.demand_t), "");
        row("unmet_t", num(m.unmet_t), "");
        row("unmet_fraction", num(m.unmet_fraction), "");
        row("units_lost", num(m.units_lost), "");
        row("units_lost_upper", num(m.units_lost_upper), "");
        row("value_lost_usd", num(m.value_lost_usd), "");
        if (m.margin_lost_usd) row("margin_lost_usd", num(*m.margin_lost_usd), "");
        row("time_to_recover", m.time_to_recover ? std::to_string(*m.time_to_recover) : "", "");
        day_row("recovery_reference_day", m.recovery_reference >= 0
                                              ? std::optional<int>(m.recovery_reference)
                                              : std::nullopt);
        row("min_cover_days", num(m.min_cover_days), "");
      };
      rows("all", e.metrics);
      for (const auto& mr : e.materials) rows(mr.material, mr.metrics);
      const auto& sp = e.supply;
      auto srow = [&](const char* metric, const std::string& value, const std::string& date) {
        out += fmt::format("{},{},{},{},{},all,{},{},{}\n", csv_field(run.combination.id), e.level,
                           csv_field(e.id), csv_field(e.sector), csv_field(e.region), metric, value,
                           date);
      };
      srow("switched_t", num(sp.switched_t), "");
      srow("from_new_suppliers_t", num(sp.from_new_suppliers_t), "");
      srow("new_supplier_day", sp.new_supplier_day ? std::to_string(*sp.new_supplier_day) : "",
           sp.new_supplier_day ? to_string(study.start + *sp.new_supplier_day) : "");
      srow("blocked_t", num(sp.blocked_t), "");
    }
  return out;
}

std::string series_csv(const Study& study, const analysis::StudyResult& result,
                       const std::string& level) {
  std::string out =
      "run,level,id,sector,region,day,date,demand_t,consumed_t,shortfall_t,shortfall_fraction,"
      "stock_t,cover_days\n";
  for (const auto& run : result.runs)
    for (const auto& e : run.entities) {
      if (e.level != level) continue;
      const auto& s = e.series;
      std::string prefix = fmt::format("{},{},{},{},{}", csv_field(run.combination.id), e.level,
                                       csv_field(e.id), csv_field(e.sector), csv_field(e.region));
      for (int d = 0; d < s.days(); ++d)
        out += fmt::format("{},{},{},{},{},{},{},{},{}\n", prefix, d, to_string(study.start + d),
                           num(s.demand[d]), num(s.consumed[d]), num(s.shortfall[d]),
                           num(s.fraction(d)), num(s.stock[d]),
                           s.base_daily_demand > 0 ? num(s.stock[d] / s.base_daily_demand) : "");
    }
  return out;
}

// Trade flows (timeseries/trade.csv daily, trade_monthly.csv per calendar month); rows where
// nothing was shipped or arrived are left out.
void trade_csvs(const Study& study, const analysis::StudyResult& result, std::string& daily,
                std::string& monthly) {
  daily = "run,exporter,importer,importer_region,material,domestic,day,date,shipped_t,arrived_t\n";
  monthly =
      "run,exporter,importer,importer_region,material,domestic,month,days,shipped_t,arrived_t\n";
  for (const auto& run : result.runs)
    for (const auto& f : run.trade) {
      std::string prefix =
          fmt::format("{},{},{},{},{},{}", csv_field(run.combination.id), csv_field(f.exporter),
                      csv_field(f.importer), csv_field(f.importer_region), csv_field(f.material),
                      f.domestic() ? 1 : 0);
      std::string month;
      double ms = 0, ma = 0;
      int mdays = 0;
      auto flush = [&] {
        if (mdays > 0 && (ms != 0 || ma != 0))
          monthly += fmt::format("{},{},{},{},{}\n", prefix, month, mdays, num(ms), num(ma));
        ms = ma = 0;
        mdays = 0;
      };
      for (std::size_t d = 0; d < f.shipped.size(); ++d) {
        std::string date = to_string(study.start + static_cast<int>(d));
        if (date.compare(0, 7, month) != 0) {
          flush();
          month = date.substr(0, 7);
        }
        const double sh = f.shipped[d], ar = f.arrived[d];
        ms += sh, ma += ar, ++mdays;
        if (sh != 0 || ar != 0)
          daily += fmt::format("{},{},{},{},{}\n", prefix, d, date, num(sh), num(ar));
      }
      flush();
    }
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

json observed_json(const Study& study, const std::vector<analysis::ObservedFit>& fits) {
  json out = json::array();
  for (const auto& obs : study.observed) {
    json runs = json::array();
    for (const auto& fit : fits) {
      if (fit.observed != obs.id) continue;
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
    out.push_back({{"id", obs.id},
                   {"source_file", obs.source_file},
                   {"period", obs.period},
                   {"measure", obs.measure},
                   {"unit", "t"},
                   {"notes", obs.notes},
                   {"windows",
                    {{"training", window_json(study.calibration.training)},
                     {"validation", window_json(study.calibration.validation)}}},
                   {"runs", runs}});
  }
  return out;
}

json quantiles_json(const analysis::QuantileSummary& q) {
  if (q.n == 0) return nullptr;
  return json{{"n", q.n},     {"mean", q.mean}, {"p5", q.p5},  {"p10", q.p10},
              {"p50", q.p50}, {"p90", q.p90},   {"p95", q.p95}};
}

}  // namespace

void write_run_outputs(const fs::path& dir, bool force, const Study& study,
                       const analysis::StudyResult& result, const RunProvenance& prov,
                       const analysis::UncertaintyResult* unc) {
  OutputDir out(dir, force);
  write_run_files(out.path(), study, result, prov, unc);
  out.commit();
}

void write_run_files(const fs::path& stage, const Study& study, const analysis::StudyResult& result,
                     const RunProvenance& prov, const analysis::UncertaintyResult* unc) {
  fs::create_directories(stage / "timeseries");

  // summary.json
  json runs = json::array();
  for (const auto& run : result.runs) {
    json entities = json::array();
    for (const auto& e : run.entities) {
      json materials = json::array();
      for (const auto& mr : e.materials)
        materials.push_back(
            {{"material", mr.material}, {"metrics", metrics_json(mr.metrics, study.start)}});
      entities.push_back({{"level", e.level},
                          {"id", e.id},
                          {"sector", e.sector},
                          {"region", e.region},
                          {"unit_name", e.unit_name},
                          {"metrics", metrics_json(e.metrics, study.start)},
                          {"materials", materials},
                          {"supply", supply_json(e.supply, study.start)}});
    }
    runs.push_back(
        {{"id", run.combination.id},
         {"scenario", run.combination.scenario ? json(*run.combination.scenario) : json(nullptr)},
         {"mitigations", run.combination.mitigations},
         {"recovery_reference_day", run.recovery_reference},
         {"notes", run.notes},
         {"results", entities}});
  }
  if (unc) {
    for (std::size_t r = 0; r < unc->runs.size() && r < runs.size(); ++r) {
      json results = json::array();
      for (const auto& e : unc->runs[r].entities) {
        json metrics = json::object();
        for (const auto& [name, q] : e.metrics) metrics[name] = quantiles_json(q);
        json item = {{"level", e.level},
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
        results.push_back(item);
      }
      runs[r]["monte_carlo"] = {{"draws", unc->draws_done}, {"results", results}};
    }
  }
  json summary = {
      {"format_version", kSummaryFormatVersion},
      {"tool",
       {{"name", "rareshock"}, {"version", build::version()}, {"git_sha", build::git_sha()}}},
      {"study",
       {{"name", study.name},
        {"description", study.description},
        {"model", study.model.info.name},
        {"start", to_string(study.start)},
        {"horizon_days", study.horizon},
        {"end", to_string(study.start + (study.horizon - 1))},
        {"shortage_threshold", study.shortage_threshold},
        {"seed", study.seed},
        {"draws", study.monte_carlo.draws}}},
      {"warnings", result.warnings},
      {"runs", runs}};
  if (!study.observed.empty())
    summary["observed"] = observed_json(study, analysis::compare_observed(study, result));
  if (unc) {
    summary["uncertainty"] = {{"draws_requested", unc->draws_requested},
                              {"draws", unc->draws_done},
                              {"partial", unc->partial},
                              {"threads", unc->threads}};
    json tornado = json::array();
    for (const auto& t : unc->tornado) {
      json params = json::array();
      for (const auto& p : t.params)
        params.push_back({{"path", p.path},
                          {"low", p.low},
                          {"high", p.high},
                          {"metric_low", p.metric_low},
                          {"metric_high", p.metric_high}});
      tornado.push_back({{"run", t.run},
                         {"level", t.level},
                         {"id", t.id},
                         {"metric", t.metric},
                         {"base", t.base},
                         {"params", params}});
    }
    json sobol = json::array();
    for (const auto& s : unc->sobol) {
      json factors = json::array();
      for (const auto& [name, ix] : s.factors)
        factors.push_back({{"factor", name},
                           {"s1", ix.s1},
                           {"s1_ci", {ix.s1_lo, ix.s1_hi}},
                           {"st", ix.st},
                           {"st_ci", {ix.st_lo, ix.st_hi}}});
      sobol.push_back({{"run", s.run},
                       {"level", s.level},
                       {"id", s.id},
                       {"metric", s.metric},
                       {"factors", factors}});
    }
    summary["sensitivity"] = {{"tornado", tornado}, {"sobol", sobol}};
    json ranking = json::array();
    for (const auto& mr : unc->ranking) {
      json entries = json::array();
      for (const auto& e : mr.ranking)
        entries.push_back({{"mitigation", e.combination},
                           {"mitigations", e.mitigations},
                           {"shortage_days_avoided", quantiles_json(e.shortage_days_avoided)},
                           {"unmet_t_avoided", quantiles_json(e.unmet_t_avoided)},
                           {"value_avoided_usd", quantiles_json(e.value_avoided_usd)}});
      ranking.push_back(
          {{"scenario", mr.scenario}, {"level", mr.level}, {"id", mr.id}, {"ranking", entries}});
    }
    summary["mitigation_ranking"] = ranking;
  }
  auto wanted = [&](const char* f) {
    auto has = [&](std::string_view g) {
      return std::find(study.outputs.formats.begin(), study.outputs.formats.end(), g) !=
             study.outputs.formats.end();
    };
    // The html and md reports are rendered from summary.json and the CSV tables: they imply both.
    bool data = std::string_view(f) == "json" || std::string_view(f) == "csv";
    return has(f) || (data && (has("html") || has("md")));
  };
  check_finite(summary, "summary.json");
  if (wanted("json")) write_file(stage / "summary.json", summary.dump(2) + "\n");
  if (wanted("csv")) {
    write_file(stage / "metrics.csv", metrics_csv(study, result));
    write_file(stage / "timeseries" / "consumers.csv", series_csv(study, result, "consumer"));
    write_file(stage / "timeseries" / "sectors.csv", series_csv(study, result, "sector"));
    write_file(stage / "timeseries" / "regions.csv", series_csv(study, result, "region"));
  }
  if (wanted("csv") && study.outputs.trade_series) {
    std::string daily, monthly;
    trade_csvs(study, result, daily, monthly);
    write_file(stage / "timeseries" / "trade.csv", daily);
    write_file(stage / "timeseries" / "trade_monthly.csv", monthly);
  }
  if (unc && !unc->runs.empty() && wanted("csv")) {
    std::string out =
        "run,level,id,sector,region,metric,n,mean,p5,p10,p50,p90,p95,probability_of_shortage\n";
    std::string fan = "run,level,id,day,date,p5,p10,p50,p90,p95\n";
    for (const auto& run : unc->runs)
      for (const auto& e : run.entities) {
        for (const auto& [name, q] : e.metrics)
          out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(run.id),
                             e.level, csv_field(e.id), csv_field(e.sector), csv_field(e.region),
                             name, q.n, num(q.mean), num(q.p5), num(q.p10), num(q.p50), num(q.p90),
                             num(q.p95), num(e.probability_of_shortage));
        if (e.has_fan)
          for (std::size_t d = 0; d < e.fan[0].size(); ++d)
            fan += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_field(run.id), e.level,
                               csv_field(e.id), d, to_string(study.start + static_cast<int>(d)),
                               num(e.fan[0][d]), num(e.fan[1][d]), num(e.fan[2][d]),
                               num(e.fan[3][d]), num(e.fan[4][d]));
      }
    write_file(stage / "uncertainty.csv", out);
    write_file(stage / "timeseries" / "fans.csv", fan);
  }
  if (wanted("csv")) {
    // Baseline flows (for the report's flow diagram): one row per edge, in t/yr.
    sim::Network net = sim::compile(study.model);
    std::string out =
        "from,to,material,from_country,to_country,from_stage,to_stage,flow_t_per_yr\n";
    for (int e = 0; e < net.edges(); ++e) {
      auto a = static_cast<std::size_t>(net.e_from[e]), b = static_cast<std::size_t>(net.e_to[e]);
      out +=
          fmt::format("{},{},{},{},{},{},{},{}\n", csv_field(net.node_id[a]),
                      csv_field(net.node_id[b]), csv_field(net.material_id[net.e_material[e]]),
                      csv_field(net.region[a]), csv_field(net.region[b]), to_string(net.stage[a]),
                      to_string(net.stage[b]), num(net.e_flow[e] * 365));
    }
    write_file(stage / "baseline-flows.csv", out);
  }
  if (study.outputs.node_series) {
    sim::Network net = sim::compile(study.model);
    std::string out = "run,node,day,date,activity,capacity,utilisation\n";
    for (const auto& run : result.runs)
      for (std::size_t n = 0; n < run.nodes.size(); ++n)
        for (std::size_t d = 0; d < run.nodes[n].activity.size(); ++d) {
          double a = run.nodes[n].activity[d], c = run.nodes[n].capacity[d];
          out += fmt::format("{},{},{},{},{},{},{}\n", csv_field(run.combination.id),
                             csv_field(net.node_id[n]), d,
                             to_string(study.start + static_cast<int>(d)), num(a * 365),
                             num(c * 365), c > 0 ? num(a / c) : "");
        }
    write_file(stage / "timeseries" / "nodes.csv", out);
  }
  if (study.outputs.edge_series) {
    sim::Network net = sim::compile(study.model);
    std::string out = "run,edge,from,to,material,day,date,ordered_t,shipped_t\n";
    for (const auto& run : result.runs)
      for (std::size_t e = 0; e < run.edges.size(); ++e)
        for (std::size_t d = 0; d < run.edges[e].ordered.size(); ++d)
          out += fmt::format("{},{},{},{},{},{},{},{},{}\n", csv_field(run.combination.id),
                             csv_field(net.e_label[e]), csv_field(net.node_id[net.e_from[e]]),
                             csv_field(net.node_id[net.e_to[e]]),
                             csv_field(net.material_id[net.e_material[e]]), d,
                             to_string(study.start + static_cast<int>(d)),
                             num(run.edges[e].ordered[d]), num(run.edges[e].shipped[d]));
    write_file(stage / "timeseries" / "edges.csv", out);
  }

  // provenance.json
  json inputs = detail::inputs_json(prov.inputs);
  json provj = {{"format_version", kSummaryFormatVersion},
                {"tool", detail::tool_json()},
                {"command_line", prov.command_line},
                {"seed", study.seed},
                {"threads", prov.threads},
                {"started_utc", prov.started},
                {"finished_utc", prov.finished},
                {"inputs", inputs},
                {"resolved_study_file", "resolved-study.yaml"},
                {"resolved_study_sha256", sha256(prov.resolved_yaml)}};
  write_file(stage / "provenance.json", provj.dump(2) + "\n");
  write_file(stage / "resolved-study.yaml", prov.resolved_yaml);
}

}  // namespace rareshock::report
