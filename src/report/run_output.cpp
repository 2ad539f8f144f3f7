#include "rareshock/report/run_output.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../api/run_record_json.hpp"
#include "output_files.hpp"
#include "rareshock/analysis/run/observed.hpp"
#include "rareshock/core/build_info.hpp"
#include "rareshock/core/date.hpp"
#include "rareshock/core/error.hpp"
#include "why_output.hpp"

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

std::string metrics_csv(const Study& study, const analysis::StudyResult& result) {
  std::string out = "run,level,id,sector,region,material,metric,value,date\n";
  for (const auto& run : result.runs)
    for (const auto& e : run.entities) {
      auto rows = [&](const std::string& material, const analysis::ShortageMetrics& m) {
        auto row = [&](const std::string& metric, const std::string& value,
                       const std::string& date) {
          out += fmt::format("{},{},{},{},{},{},{},{},{}\n", csv_field(run.combination.id),
                             analysis::to_string(e.level), csv_field(e.id), csv_field(e.sector),
                             csv_field(e.region), csv_field(material), metric, value, date);
        };
        for (const auto& info : metric_table()) {
          const std::optional<double> v = analysis::metric_value(m, info.metric);
          // margin_lost_usd has a row only where a margin is given; other absent metrics
          // have an empty value.
          if (!v && info.metric == Metric::MarginLostUsd) continue;
          const int whole = v ? static_cast<int>(std::lround(*v)) : 0;
          const std::string value = !v ? "" : info.whole ? std::to_string(whole) : num(*v);
          const bool day = v && info.kind == MetricKind::Day;
          row(std::string(info.name), value, day ? to_string(study.start + whole) : "");
        }
      };
      rows("all", e.metrics);
      for (const auto& mr : e.materials) rows(mr.material, mr.metrics);
      const auto& sp = e.supply;
      auto srow = [&](const char* metric, const std::string& value, const std::string& date) {
        out += fmt::format("{},{},{},{},{},all,{},{},{}\n", csv_field(run.combination.id),
                           analysis::to_string(e.level), csv_field(e.id), csv_field(e.sector),
                           csv_field(e.region), metric, value, date);
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
                       analysis::Level level) {
  std::string out =
      "run,level,id,sector,region,day,date,demand_t,consumed_t,shortfall_t,shortfall_fraction,"
      "stock_t,cover_days\n";
  for (const auto& run : result.runs)
    for (const auto& e : run.entities) {
      if (e.level != level) continue;
      const auto& s = e.series;
      std::string prefix =
          fmt::format("{},{},{},{},{}", csv_field(run.combination.id), analysis::to_string(e.level),
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

// Origin of what consumers used per calendar month (timeseries/origin_mix.csv); rows with
// nothing consumed are left out.
std::string origin_csv(const analysis::StudyResult& result) {
  std::string out = "run,consumer,month,origin,consumed_t,share\n";
  for (const auto& run : result.runs) {
    if (!run.origin) continue;
    const auto& o = *run.origin;
    const std::size_t K = o.keys.size();
    for (std::size_t i = 0; i < o.consumers.size(); ++i)
      for (std::size_t p = 0; p < o.periods.size(); ++p) {
        double month = 0;
        for (std::size_t k = 0; k < K; ++k) month += o.consumed[i][p * K + k];
        if (month <= 0) continue;
        for (std::size_t k = 0; k < K; ++k) {
          const double x = o.consumed[i][p * K + k];
          if (x < 0.001 * month) continue;  // origins under 0.1 % of the month: left out
          out += fmt::format("{},{},{},{},{},{}\n", csv_field(run.combination.id),
                             csv_field(o.consumers[i]), o.periods[p], csv_field(o.keys[k]), num(x),
                             num(x / month));
        }
      }
  }
  return out;
}

}  // namespace

RunRecord make_record(const Study& study, const io::TreeNode& resolved,
                      const analysis::StudyResult& result, const RunProvenance& prov,
                      const analysis::UncertaintyResult* unc) {
  RunRecord record;
  record.tool = {build::version(), build::git_sha()};
  record.study = study_info(study, resolved);
  record.results = result;
  if (unc) record.uncertainty = *unc;
  record.observed = observed_records(study, result);
  record.provenance = prov;
  return record;
}

void write_run_outputs(const fs::path& dir, bool force, const Study& study,
                       const io::TreeNode& resolved, const analysis::StudyResult& result,
                       const RunProvenance& prov, const analysis::UncertaintyResult* unc) {
  write_run_outputs(dir, force, study, make_record(study, resolved, result, prov, unc));
}

void write_run_outputs(const fs::path& dir, bool force, const Study& study,
                       const RunRecord& record) {
  OutputDir out(dir, force);
  write_run_files(out.path(), study, record);
  out.commit();
}

void write_run_files(const fs::path& stage, const Study& study, const io::TreeNode& resolved,
                     const analysis::StudyResult& result, const RunProvenance& prov,
                     const analysis::UncertaintyResult* unc) {
  write_run_files(stage, study, make_record(study, resolved, result, prov, unc));
}

void write_run_files(const fs::path& stage, const Study& study, const RunRecord& record) {
  fs::create_directories(stage / "timeseries");
  const analysis::StudyResult& result = record.results;
  const analysis::UncertaintyResult* unc = record.uncertainty ? &*record.uncertainty : nullptr;
  const RunProvenance& prov = record.provenance;

  json summary = rareshock::detail::record_json(record);
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
    write_file(stage / "timeseries" / "consumers.csv",
               series_csv(study, result, analysis::Level::Consumer));
    write_file(stage / "timeseries" / "sectors.csv",
               series_csv(study, result, analysis::Level::Sector));
    write_file(stage / "timeseries" / "regions.csv",
               series_csv(study, result, analysis::Level::Region));
    detail::write_why_files(stage, study, result);
  }
  if (wanted("csv") && study.outputs.trade_series) {
    std::string daily, monthly;
    trade_csvs(study, result, daily, monthly);
    write_file(stage / "timeseries" / "trade.csv", daily);
    write_file(stage / "timeseries" / "trade_monthly.csv", monthly);
  }
  if (wanted("csv") && std::any_of(result.runs.begin(), result.runs.end(),
                                   [](const auto& r) { return r.origin.has_value(); }))
    write_file(stage / "timeseries" / "origin_mix.csv", origin_csv(result));
  if (unc && !unc->runs.empty() && wanted("csv")) {
    std::string out =
        "run,level,id,sector,region,metric,n,mean,p5,p10,p50,p90,p95,probability_of_shortage\n";
    std::string fan = "run,level,id,day,date,p5,p10,p50,p90,p95\n";
    for (const auto& run : unc->runs)
      for (const auto& e : run.entities) {
        for (const auto& [k, q] : e.metrics)
          out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(run.id),
                             analysis::to_string(e.level), csv_field(e.id), csv_field(e.sector),
                             csv_field(e.region), to_string(k), q.n, num(q.mean), num(q.p5),
                             num(q.p10), num(q.p50), num(q.p90), num(q.p95),
                             num(e.probability_of_shortage));
        if (e.has_fan)
          for (std::size_t d = 0; d < e.fan[0].size(); ++d)
            fan += fmt::format(
                "{},{},{},{},{},{},{},{},{},{}\n", csv_field(run.id), analysis::to_string(e.level),
                csv_field(e.id), d, to_string(study.start + static_cast<int>(d)), num(e.fan[0][d]),
                num(e.fan[1][d]), num(e.fan[2][d]), num(e.fan[3][d]), num(e.fan[4][d]));
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
          out += fmt::format(
              "{},{},{},{},{},{},{},{},{}\n", csv_field(run.combination.id),
              csv_field(net.edge_label(static_cast<int>(e))), csv_field(net.node_id[net.e_from[e]]),
              csv_field(net.node_id[net.e_to[e]]), csv_field(net.material_id[net.e_material[e]]), d,
              to_string(study.start + static_cast<int>(d)), num(run.edges[e].ordered[d]),
              num(run.edges[e].shipped[d]));
    write_file(stage / "timeseries" / "edges.csv", out);
  }

  // provenance.json
  json inputs = detail::inputs_json(prov.inputs);
  json provj = {{"format_version", kSummaryFormatVersion},
                {"tool", detail::tool_json()},
                {"command_line", prov.command_line},
                {"seed", study.seed},
                {"threads", prov.threads},
                {"ranks", prov.ranks},
                {"started_utc", prov.started},
                {"finished_utc", prov.finished},
                {"inputs", inputs},
                {"resolved_study_file", "resolved-study.yaml"},
                {"resolved_study_sha256", sha256(prov.resolved_yaml)}};
  write_file(stage / "provenance.json", provj.dump(2) + "\n");
  write_file(stage / "resolved-study.yaml", prov.resolved_yaml);
}

}  // namespace rareshock::report
