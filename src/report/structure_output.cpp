#include "rareshock/report/structure_output.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "output_files.hpp"
#include "rareshock/core/build_info.hpp"
#include "rareshock/core/error.hpp"

namespace rareshock::report {
namespace fs = std::filesystem;
using detail::check_finite;
using detail::csv_field;
using detail::num;
using detail::write_file;
using nlohmann::json;

namespace {

json opt_int(const std::optional<int>& v) {
  return v ? json(*v) : json(nullptr);
}

std::string opt_str(const std::optional<int>& v) {
  return v ? std::to_string(*v) : std::string();
}

// Binding element per chokepoint target: the lowest ratio of max flow to demand.
struct Binding {
  std::string case_id, sector, region, element;
  double ratio = 0;
};
std::vector<Binding> bindings(const analysis::StructureResult& r) {
  std::vector<Binding> out;
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> index;
  for (const auto& row : r.chokepoints) {
    auto [it, inserted] =
        index.emplace(std::tuple(row.case_id, row.sector, row.region), out.size());
    if (inserted)
      out.push_back({row.case_id, row.sector, row.region, row.element, row.ratio()});
    else if (row.ratio() < out[it->second].ratio)
      out[it->second].element = row.element, out[it->second].ratio = row.ratio();
  }
  return out;
}

json impact_json(const analysis::Impact& im) {
  return json{{"unmet_t", im.unmet_t},
              {"units_lost", im.units_lost},
              {"value_lost_usd", im.value_lost_usd},
              {"peak_shortfall", im.peak_shortfall},
              {"shortage_days", im.shortage_days},
              {"first_short_day", opt_int(im.first_short)},
              {"tts_days", opt_int(im.tts)},
              {"recovery_days", opt_int(im.recovery)},
              {"recovered", im.recovered}};
}

json summary_json(const Model& model, const analysis::StructureResult& r) {
  json timings = json::object();
  for (const auto& [k, v] : r.seconds) timings[k] = v;

  json conc = json::array();
  for (const auto& c : r.concentration) {
    json shares = json::array();
    for (const auto& s : c.shares) shares.push_back({{"country", s.country}, {"share", s.share}});
    conc.push_back({{"stage", to_string(c.stage)},
                    {"material", c.material},
                    {"basis", c.basis},
                    {"total_t_per_yr", c.total},
                    {"hhi", c.hhi},
                    {"top1_country", c.top1_country()},
                    {"top1_share", c.top1_share()},
                    {"top3_share", c.top3_share()},
                    {"shares", shares}});
  }

  json exp_rows = json::array();
  for (const auto& e : r.exposure) {
    json by_stage = json::object();
    for (const auto& s : e.shares) by_stage[s.stage][s.country] = s.share;
    exp_rows.push_back({{"sector", e.sector},
                        {"region", e.region},
                        {"material", e.material},
                        {"basis", e.basis},
                        {"demand_t_per_yr", e.demand_t},
                        {"by_stage", by_stage}});
  }

  json choke_rows = json::array();
  for (const auto& c : r.chokepoints) {
    json cut = json::array();
    for (const auto& it : c.cut)
      cut.push_back({{"kind", analysis::to_string(it.kind)},
                     {"id", it.id},
                     {"country", it.country},
                     {"stage", it.stage},
                     {"capacity_t_per_yr", it.capacity_t}});
    choke_rows.push_back(
        {{"case", c.case_id},
         {"reference_day", c.reference_day >= 0 ? json(c.reference_day) : json(nullptr)},
         {"sector", c.sector},
         {"region", c.region},
         {"element", c.element},
         {"demand_t_per_yr", c.demand_t},
         {"max_flow_t_per_yr", c.max_flow_t},
         {"ratio", c.ratio()},
         {"cut", cut}});
  }
  json targets = json::array();
  for (const auto& b : bindings(r))
    targets.push_back({{"case", b.case_id},
                       {"sector", b.sector},
                       {"region", b.region},
                       {"binding_element", b.element},
                       {"supportable_fraction", b.ratio}});

  json summary = {
      {"format_version", kStructureFormatVersion},
      {"kind", "structural_analysis"},
      {"tool",
       {{"name", "rareshock"}, {"version", build::version()}, {"git_sha", build::git_sha()}}},
      {"model",
       {{"name", model.info.name},
        {"description", model.info.description},
        {"base_year", model.info.base_year}}},
      {"warnings", r.warnings},
      {"timings_s", timings},
      {"countries", r.countries},
      {"elements", r.elements},
      {"concentration", conc},
      {"exposure", {{"bases", r.bases}, {"rows", exp_rows}}},
      {"chokepoints", {{"cases", r.chokepoint_cases}, {"rows", choke_rows}, {"targets", targets}}}};

  if (r.criticality) {
    const auto& cr = *r.criticality;
    json entries = json::array();
    for (const auto& e : cr.entries) {
      json sectors = json::object();
      for (const auto& [sec, im] : e.sectors) sectors[sec] = impact_json(im);
      json item = impact_json(e.total);
      item["rank"] = e.rank;
      item["rank_unmet"] = e.rank_unmet;
      item["kind"] = analysis::to_string(e.kind);
      item["id"] = e.id;
      item["country"] = e.country;
      item["stage"] = to_string(e.stage);
      item["nodes"] = e.nodes;
      item["baseline_output_share"] = e.baseline_output_share;
      item["ttr_days"] = e.ttr;
      item["vulnerable"] = e.vulnerable;
      item["sectors_short"] = e.sectors_short;
      item["iim_inoperability"] = e.iim_inoperability;
      item["sectors"] = sectors;
      entries.push_back(std::move(item));
    }
    summary["criticality"] = {{"days", cr.options.days},
                              {"horizon_days", cr.options.effective_horizon()},
                              {"shortage_threshold", cr.options.shortage_threshold},
                              {"start", to_string(cr.options.start)},
                              {"threads", cr.threads},
                              {"seconds", cr.seconds},
                              {"baseline_unmet_t", cr.baseline_unmet_t},
                              {"sectors", cr.sectors},
                              {"entries", entries}};
  } else {
    summary["criticality"] = nullptr;
  }
  return summary;
}

std::string concentration_csv(const analysis::StructureResult& r) {
  std::string out =
      "stage,material,basis,total_t_per_yr,hhi,countries,top1_country,top1_share,top3_share,"
      "top3\n";
  for (const auto& c : r.concentration) {
    std::string top3;
    for (std::size_t i = 0; i < c.shares.size() && i < 3; ++i)
      top3 += fmt::format("{}{}:{:.4f}", i ? ";" : "", c.shares[i].country, c.shares[i].share);
    out +=
        fmt::format("{},{},{},{},{},{},{},{},{},{}\n", to_string(c.stage), csv_field(c.material),
                    c.basis, num(c.total), num(c.hhi), c.shares.size(), csv_field(c.top1_country()),
                    num(c.top1_share()), num(c.top3_share()), csv_field(top3));
  }
  return out;
}

std::string exposure_csv(const analysis::StructureResult& r) {
  std::string out = "sector,region,material,basis,demand_t_per_yr,stage,country,share\n";
  for (const auto& e : r.exposure) {
    std::string prefix = fmt::format("{},{},{},{},{}", csv_field(e.sector), csv_field(e.region),
                                     csv_field(e.material), csv_field(e.basis), num(e.demand_t));
    for (const auto& s : e.shares)
      out += fmt::format("{},{},{},{}\n", prefix, s.stage, csv_field(s.country), num(s.share));
  }
  return out;
}

std::string chokepoints_csv(const analysis::StructureResult& r) {
  const auto bind = bindings(r);
  std::string out =
      "case,reference_day,sector,region,element,demand_t_per_yr,max_flow_t_per_yr,ratio,binding,"
      "cut\n";
  for (const auto& c : r.chokepoints) {
    bool binding = false;
    for (const auto& b : bind)
      if (b.case_id == c.case_id && b.sector == c.sector && b.region == c.region)
        binding = b.element == c.element;
    std::string cut;
    for (const auto& it : c.cut)
      cut += fmt::format("{}{}={}", cut.empty() ? "" : ";", it.id, num(it.capacity_t));
    out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_field(c.case_id),
                       c.reference_day >= 0 ? std::to_string(c.reference_day) : "",
                       csv_field(c.sector), csv_field(c.region), c.element, num(c.demand_t),
                       num(c.max_flow_t), num(c.ratio()), binding ? 1 : 0, csv_field(cut));
  }
  return out;
}

std::string criticality_csv(const analysis::StructureResult& r) {
  std::string out =
      "rank,rank_unmet,kind,id,country,stage,nodes,baseline_output_share,sector,unmet_t,"
      "units_lost,value_lost_usd,peak_shortfall,shortage_days,first_short_day,tts_days,ttr_days,"
      "vulnerable,"
      "recovery_days,recovered,iim_inoperability\n";
  if (!r.criticality) return out;
  for (const auto& e : r.criticality->entries) {
    std::string nodes;
    for (const auto& n : e.nodes) nodes += (nodes.empty() ? "" : ";") + n;
    auto row = [&](const std::string& sector, const analysis::Impact& im, bool total) {
      out += fmt::format(
          "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", e.rank, e.rank_unmet,
          analysis::to_string(e.kind), csv_field(e.id), csv_field(e.country), to_string(e.stage),
          csv_field(nodes), num(e.baseline_output_share), csv_field(sector), num(im.unmet_t),
          num(im.units_lost), num(im.value_lost_usd), num(im.peak_shortfall), im.shortage_days,
          opt_str(im.first_short), opt_str(im.tts), e.ttr,
          total ? (e.vulnerable ? "1" : "0") : (im.tts && *im.tts < e.ttr ? "1" : "0"),
          opt_str(im.recovery), im.recovered ? 1 : 0, total ? num(e.iim_inoperability) : "");
    };
    row("*", e.total, true);
    for (const auto& [sec, im] : e.sectors) row(sec, im, false);
  }
  return out;
}

}  // namespace

void write_structure_outputs(const fs::path& dir, bool force, const Model& model,
                             const analysis::StructureResult& result, const RunProvenance& prov) {
  OutputDir out(dir, force);
  write_structure_files(out.path(), model, result, prov);
  out.commit();
}

void write_structure_files(const fs::path& stage, const Model& model,
                           const analysis::StructureResult& result, const RunProvenance& prov) {
  fs::create_directories(stage);

  const nlohmann::json summary = summary_json(model, result);
  check_finite(summary, "summary.json");
  write_file(stage / "summary.json", summary.dump(2) + "\n");
  write_file(stage / "concentration.csv", concentration_csv(result));
  write_file(stage / "exposure.csv", exposure_csv(result));
  write_file(stage / "chokepoints.csv", chokepoints_csv(result));
  write_file(stage / "criticality.csv", criticality_csv(result));

  json inputs = detail::inputs_json(prov.inputs);
  json options = json::object();
  if (result.criticality) {
    const auto& o = result.criticality->options;
    options = {{"criticality_days", o.days},
               {"horizon_days", o.effective_horizon()},
               {"shortage_threshold", o.shortage_threshold},
               {"start", to_string(o.start)}};
  }
  options["restrictions_from"] =
      result.chokepoint_cases.size() > 1 ? json(result.chokepoint_cases[1]) : json(nullptr);
  json provj = {{"format_version", kStructureFormatVersion},
                {"tool", detail::tool_json()},
                {"command_line", prov.command_line},
                {"threads", prov.threads},
                {"ranks", prov.ranks},
                {"started_utc", prov.started},
                {"finished_utc", prov.finished},
                {"options", options},
                {"inputs", inputs},
                {"resolved_input_file", "resolved-input.yaml"},
                {"resolved_input_sha256", sha256(prov.resolved_yaml)}};
  write_file(stage / "provenance.json", provj.dump(2) + "\n");
  write_file(stage / "resolved-input.yaml", prov.resolved_yaml);
}

}  // namespace rareshock::report
