#include "rareshock/report/calibration_output.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "output_files.hpp"
#include "rareshock/core/date.hpp"
#include "rareshock/core/text.hpp"
#include "rareshock/io/loader.hpp"

namespace rareshock::report {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json opt_num(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

json stats_json(const analysis::FitStats& f) {
  return json{{"n", f.n},
              {"bias", f.bias},
              {"mae", f.mae},
              {"rmse", f.rmse},
              {"relative_rmse", f.relative_rmse},
              {"correlation", opt_num(f.correlation)}};
}

json fits_json(const analysis::CalibrationPoint& pt, bool periods) {
  json out = json::array();
  for (const auto& f : pt.fits) {
    json item = {{"observed", f.observed},
                 {"run", f.run},
                 {"all", stats_json(f.all)},
                 {"training", f.training ? stats_json(*f.training) : json(nullptr)},
                 {"validation", f.validation ? stats_json(*f.validation) : json(nullptr)}};
    if (periods) {
      json ps = json::array();
      for (const auto& p : f.periods)
        ps.push_back({{"period", p.period},
                      {"observed", p.observed},
                      {"modelled", p.modelled},
                      {"error", p.modelled - p.observed}});
      item["periods"] = ps;
    }
    out.push_back(item);
  }
  return out;
}

json window_json(const std::optional<DateWindow>& w) {
  if (!w) return nullptr;
  return json{{"from", to_string(w->from)}, {"to", to_string(w->to)}};
}

std::string fmt_opt(const std::optional<double>& v) {
  return v ? pretty_number(*v) : std::string("–");
}

std::string markdown(const Study& study, const analysis::CalibrationResult& r,
                     const std::string& yaml) {
  const Calibration& c = study.calibration;
  std::string md = "# Calibration of " + study.name + "\n\n";
  md += fmt::format(
      "Run `{}` fitted to {} by minimising the mean {} over the series on the training window "
      "({}); {} ({}), {} evaluations, {}.\n\n",
      c.run, join(c.observed), r.objective,
      c.training ? to_string(c.training->from) + " to " + to_string(c.training->to)
                 : std::string("every observed period in the study window"),
      r.algorithm, "NLopt", r.evaluations, r.stop_reason);
  if (r.partial) md += "**Interrupted**: the values below are the best found so far.\n\n";
  for (const auto& n : r.notes) md += "- Note: " + n + "\n";
  if (!r.notes.empty()) md += "\n";
  md +=
      "## Parameters\n\n| Path | Unit | Min | Max | Start | Fitted "
      "|\n|---|---|---:|---:|---:|---:|\n";
  for (std::size_t i = 0; i < r.params.size(); ++i) {
    const auto& p = r.params[i];
    md += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", p.path, p.unit, pretty_number(p.min),
                      pretty_number(p.max), pretty_number(r.start[i]), pretty_number(r.fitted[i]));
  }
  md += fmt::format(
      "\n## Objective ({})\n\n| | Training | Validation |\n|---|---:|---:|\n| Start | {} | {} "
      "|\n| Fitted | {} | {} |\n",
      r.objective, pretty_number(r.at_start.training), fmt_opt(r.at_start.validation),
      pretty_number(r.at_fit.training), fmt_opt(r.at_fit.validation));
  md +=
      "\n## Fit of the calibrated model\n\n"
      "| Series | Window | n | Bias [t] | MAE [t] | RMSE [t] | Relative RMSE | Correlation "
      "|\n|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& f : r.at_fit.fits) {
    auto row = [&](const char* w, const analysis::FitStats& s) {
      md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", f.observed, w, s.n,
                        pretty_number(s.bias), pretty_number(s.mae), pretty_number(s.rmse),
                        pretty_number(s.relative_rmse), fmt_opt(s.correlation));
    };
    row("all", f.all);
    if (f.training) row("training", *f.training);
    if (f.validation) row("validation", *f.validation);
  }
  for (const auto& f : r.at_fit.fits) {
    md += "\n### " + f.observed +
          ": observed and modelled per period\n\n"
          "| Period | Observed [t] | Modelled [t] | Error [t] |\n|---|---:|---:|---:|\n";
    for (const auto& p : f.periods)
      md += fmt::format("| {} | {} | {} | {} |\n", p.period, pretty_number(p.observed),
                        pretty_number(p.modelled), pretty_number(p.modelled - p.observed));
  }
  md +=
      "\n## Using the fitted values\n\n`calibrated.yaml` includes the study and sets the "
      "fitted values; run it with `rareshock run calibrated.yaml`, or pass the same values "
      "to the original study:\n\n```\n";
  for (std::size_t i = 0; i < r.params.size(); ++i)
    for (const auto& t : r.params[i].targets)
      md += "--set '" + t + "=" + format_number(r.fitted[i]) + "'\n";
  md += "```\n\n`calibrated.yaml`:\n\n```yaml\n" + yaml + "```\n";
  return md;
}

}  // namespace

bool calibrated_needs_outside(const fs::path& study_file, const fs::path& out_dir) {
  std::error_code ec;
  const fs::path study = fs::weakly_canonical(fs::absolute(study_file), ec);
  const fs::path rel = study.lexically_relative(io::input_root(out_dir));
  return rel.empty() || *rel.begin() == "..";
}

std::string calibrated_yaml(const Study& study, const fs::path& study_file, const fs::path& out_dir,
                            const analysis::CalibrationResult& r,
                            const std::vector<std::string>& sets) {
  std::error_code ec;
  fs::path abs_study = fs::weakly_canonical(fs::absolute(study_file), ec);
  fs::path abs_out = fs::weakly_canonical(fs::absolute(out_dir), ec);
  // Relative when the two share more than the root (a copied output keeps working beside
  // its study tree), else absolute.
  fs::path rel = abs_study.lexically_relative(abs_out);
  auto first = [](const fs::path& p) {
    auto rp = p.relative_path();
    return rp.empty() ? fs::path() : *rp.begin();
  };
  if (rel.empty() || first(abs_study) != first(abs_out)) rel = abs_study;
  std::string name = study.name;  // one comment line, whatever the name holds
  for (char& ch : name)
    if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
  std::string y = "# Written by `rareshock calibrate`: the study " + name +
                  "\n# with the values fitted to its observed series (" + r.objective + " " +
                  pretty_number(r.at_start.training) + " -> " + pretty_number(r.at_fit.training) +
                  " on the training window" + (r.partial ? "; interrupted" : "") +
                  ").\n# Run it with: rareshock run " +
                  (calibrated_needs_outside(study_file, out_dir)
                       ? "--allow-outside-includes calibrated.yaml\n# (the study lies outside "
                         "this directory's input tree: docs/formats.md, \"Limits\")\n"
                       : "calibrated.yaml\n");
  y += "include: " + json(rel.generic_string()).dump() + "\n";
  y += "overrides:\n";
  // The study's own overrides first (this list replaces it), then the fitted values.
  for (const auto& o : study.overrides) y += "  - " + json(o).dump() + "\n";
  if (!sets.empty()) y += "  # the --set options of the calibration\n";
  for (const auto& o : sets) y += "  - " + json(o).dump() + "\n";
  for (std::size_t i = 0; i < r.params.size(); ++i) {
    y += "  # " + r.params[i].path + " [" + r.params[i].unit + "], bounds " +
         format_number(r.params[i].min) + " to " + format_number(r.params[i].max) + ", start " +
         format_number(r.start[i]) + "\n";
    for (const auto& t : r.params[i].targets)
      y += "  - " + json(t + "=" + format_number(r.fitted[i])).dump() + "\n";
  }
  return y;
}

void write_calibration_outputs(const fs::path& dir, bool force, const Study& study,
                               const fs::path& study_file, const analysis::CalibrationResult& r,
                               const RunProvenance& prov, const std::vector<std::string>& sets) {
  OutputDir out(dir, force);
  write_calibration_outputs(out, study, study_file, r, prov, sets);
  out.commit();
}

void write_calibration_outputs(OutputDir& staged, const Study& study, const fs::path& study_file,
                               const analysis::CalibrationResult& r, const RunProvenance& prov,
                               const std::vector<std::string>& sets) {
  const fs::path& stage = staged.path();
  const fs::path& dir = staged.target();
  const Calibration& c = study.calibration;
  json params = json::array();
  for (std::size_t i = 0; i < r.params.size(); ++i) {
    const auto& p = r.params[i];
    params.push_back({{"path", p.path},
                      {"targets", p.targets},
                      {"unit", p.unit},
                      {"min", p.min},
                      {"max", p.max},
                      {"start", r.start[i]},
                      {"fitted", r.fitted[i]}});
  }
  json trace = json::array();
  for (std::size_t i = 0; i < r.trace.size(); ++i)
    trace.push_back({{"evaluation", i + 1},
                     {"values", r.trace[i].values},
                     {"training", r.trace[i].training},
                     {"validation", opt_num(r.trace[i].validation)}});
  json out = {
      {"format_version", kSummaryFormatVersion},
      {"tool", detail::tool_json()},
      {"study", {{"name", study.name}, {"file", study_file.generic_string()}}},
      {"run", c.run},
      {"observed", c.observed},
      {"objective", r.objective},
      {"algorithm", r.algorithm},
      {"max_evaluations", c.max_evaluations},
      {"windows",
       {{"training", window_json(c.training)}, {"validation", window_json(c.validation)}}},
      {"parameters", params},
      {"objective_value",
       {{"start",
         {{"training", r.at_start.training}, {"validation", opt_num(r.at_start.validation)}}},
        {"fitted",
         {{"training", r.at_fit.training}, {"validation", opt_num(r.at_fit.validation)}}}}},
      {"fit", {{"start", fits_json(r.at_start, false)}, {"fitted", fits_json(r.at_fit, true)}}},
      {"evaluations", r.evaluations},
      {"stop_reason", r.stop_reason},
      {"partial", r.partial},
      {"notes", r.notes},
      {"trace", trace}};
  std::string yaml = calibrated_yaml(study, study_file, dir, r, sets);
  detail::write_file(stage / "calibration.json", out.dump(2) + "\n");
  detail::write_file(stage / "calibration.md", markdown(study, r, yaml));
  detail::write_file(stage / "calibrated.yaml", yaml);
  json provj = {{"format_version", kSummaryFormatVersion},
                {"tool", detail::tool_json()},
                {"command_line", prov.command_line},
                {"started_utc", prov.started},
                {"finished_utc", prov.finished},
                {"inputs", detail::inputs_json(prov.inputs)},
                {"resolved_study_file", "resolved-study.yaml"},
                {"resolved_study_sha256", sha256(prov.resolved_yaml)}};
  detail::write_file(stage / "provenance.json", provj.dump(2) + "\n");
  detail::write_file(stage / "resolved-study.yaml", prov.resolved_yaml);
}

}  // namespace rareshock::report
