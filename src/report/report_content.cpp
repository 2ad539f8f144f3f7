// What the report says: the findings in sentences, the tables and the charts, built from a
// run directory's data. Formatting for HTML or Markdown happens elsewhere (document.hpp).
// The builder (report_builder.hpp) is split by report section: this file holds its helpers,
// the document's order, the overview, the scenarios as applied, sources and provenance;
// report_findings.cpp the executive summary and model vs observed; report_results.cpp
// shortfall over time, mitigations, the result tables and the baseline flows;
// report_uncertainty.cpp Monte Carlo, tornado and Sobol; report_structure.cpp structural risk.
#include "report_builder.hpp"
#include "report_why.hpp"

namespace rareshock::report::doc::detail {

std::string sector_name(const std::string& id) {
  static const std::set<std::string> acronyms = {"ev",  "hev", "phev", "bev",  "ict", "it",
                                                 "hdd", "mri", "ac",   "hvac", "uav", "eu",
                                                 "us",  "uk",  "oem",  "abs",  "eps"};
  std::string out, word;
  auto flush = [&] {
    if (word.empty()) return;
    std::string lower = to_lower(word);
    if (acronyms.count(lower)) {
      for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (out.empty()) {
      word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
    }
    out += (out.empty() ? "" : " ") + word;
    word.clear();
  };
  for (char c : id) {
    if (c == '_' || c == ' ')
      flush();
    else
      word += c;
  }
  flush();
  return out.empty() ? id : out;
}

std::string day_text(const RunData& d, int day) {
  return fmt::format("{} (day {})", to_string(d.record.study.start + day), day);
}

std::string day_text(const RunData& d, const std::optional<int>& day) {
  return day ? day_text(d, *day) : std::string("—");
}

std::string days(double n) {
  return format_significant(n, 3) + (std::fabs(n) == 1 ? " day" : " days");
}

Table make_table(std::string caption, std::vector<std::string> header, std::vector<bool> numeric) {
  Table t;
  t.caption = std::move(caption);
  t.header = std::move(header);
  t.numeric = std::move(numeric);
  return t;
}

std::string mitigation_label(const RunResult& r) {
  const Combination& c = r.combination;
  if (c.scenario && c.id.size() > c.scenario->size() + 1 && c.id.rfind(*c.scenario + "+", 0) == 0)
    return c.id.substr(c.scenario->size() + 1);
  return c.mitigations.empty() ? c.id : join(c.mitigations, " + ", 100);
}

std::string format_count(double n) {
  if (std::fabs(n) >= 1e9) return format_significant(n / 1e9, 3) + " billion";
  if (std::fabs(n) >= 1e6) return format_significant(n / 1e6, 3) + " million";
  return format_significant(std::fabs(n) >= 10 ? std::round(n) : n, 3);
}

std::string count_text(double n, const std::string& unit) {
  const std::string u = unit.empty() ? "units" : unit;
  const std::string count = format_count(n);
  if (count == "1" && u.size() > 1 && u.back() == 's') return "1 " + u.substr(0, u.size() - 1);
  return count + " " + u;
}

std::string loss_value_text(const std::optional<double>& margin, double value) {
  if (margin)
    return fmt::format("value added {}; {} at full sales value, an upper bound",
                       format_usd(*margin), format_usd(value));
  return format_usd(value) + " at full sales value, an upper bound: no margin given";
}

std::string value_change_text(const std::optional<double>& margin, double value) {
  auto dir = [](double x) { return x <= 0 ? "less" : "more"; };
  if (margin)
    return fmt::format("{} {} value added lost, {} {} at full sales value",
                       format_usd(std::fabs(*margin)), dir(*margin), format_usd(std::fabs(value)),
                       dir(value));
  return fmt::format("{} {} output lost at full sales value, an upper bound",
                     format_usd(std::fabs(value)), dir(value));
}

std::string avoided_text(const analysis::RankingEntry& m) {
  if (!(m.rank_measure() > 0)) return {};
  if (m.margin_avoided_usd.n > 0)
    return fmt::format("value added {}; {} at full sales value",
                       format_usd(m.margin_avoided_usd.mean), format_usd(m.value_avoided_usd.mean));
  return format_usd(m.value_avoided_usd.mean) + " at full sales value";
}

std::optional<int> recovery_day(const RunResult& r, const EntityResult& e) {
  if (!e.metrics.time_to_recover) return std::nullopt;
  int ref = e.metrics.recovery_reference >= 0 ? e.metrics.recovery_reference
            : r.recovery_reference >= 0       ? r.recovery_reference
                                              : e.metrics.peak_day.value_or(0);
  return ref + *e.metrics.time_to_recover;
}

bool short_in(const EntityResult& e) {
  return e.metrics.time_to_shortage.has_value();
}

std::vector<ScenarioRuns> group_runs(const RunData& d) {
  std::vector<ScenarioRuns> out;
  for (const auto& r : d.record.results.runs) {
    const Combination& c = r.combination;
    if (!c.scenario) continue;
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const ScenarioRuns& s) { return s.scenario == *c.scenario; });
    if (it == out.end()) {
      out.push_back({*c.scenario, nullptr, {}});
      it = std::prev(out.end());
    }
    if (c.mitigations.empty() && !it->base)
      it->base = &r;
    else
      it->mitigated.push_back(&r);
  }
  return out;
}

std::vector<const EntityResult*> level_of(const RunResult& r, Level level) {
  std::vector<const EntityResult*> out;
  for (const auto& e : r.entities)
    if (e.level == level) out.push_back(&e);
  return out;
}

const ScenarioInfo* scenario_info(const RunData& d, const std::string& id) {
  for (const auto& s : d.scenarios)
    if (s.id == id) return &s;
  return nullptr;
}

std::vector<svg::Marker> markers_of(const RunData& d, const std::string& scenario) {
  std::vector<svg::Marker> out;
  const ScenarioInfo* s = scenario_info(d, scenario);
  if (!s) return out;
  auto day_in = [](const std::string& when) -> std::optional<int> {
    auto p = when.find("(day ");
    if (p == std::string::npos) return std::nullopt;
    return std::atoi(when.c_str() + p + 5);
  };
  // Events that start or end on the same day share one marker.
  std::map<int, std::pair<std::vector<std::string>, std::vector<std::string>>> by_day;
  for (const auto& e : s->events) {
    if (auto day = day_in(e.start)) by_day[*day].first.push_back(e.id);
    if (auto day = day_in(e.end)) by_day[*day].second.push_back(e.id);
  }
  for (const auto& [day, ids] : by_day) {
    std::vector<std::string> parts;
    if (!ids.first.empty())
      parts.push_back(join(ids.first, ", ", 3) + (ids.first.size() == 1 ? " starts" : " start"));
    if (!ids.second.empty())
      parts.push_back(join(ids.second, ", ", 3) + (ids.second.size() == 1 ? " ends" : " end"));
    out.push_back({day, join(parts, "; ", 4)});
    if (out.size() >= 6) break;
  }
  return out;
}

Document Builder::build() {
  Document doc;
  doc.title = st_.name.empty() ? "rareshock report" : st_.name;
  doc.subtitle = trim(st_.description);
  doc.generator = std::string("rareshock ") + build::version();
  doc.sections.push_back(overview());
  doc.sections.push_back(summary());
  if (!d_.scenarios.empty() || !d_.record.results.runs.empty()) doc.sections.push_back(scenarios());
  add(doc, shortfall());
  add(doc, shock_travel(d_));  // report_why.cpp
  add(doc, mitigations());
  add(doc, uncertainty());
  add(doc, observed());
  doc.sections.push_back(tables());
  add(doc, flows());
  add(doc, origins());
  add(doc, structural());
  doc.sections.push_back(sources());
  doc.sections.push_back(provenance());
  // Anchors come from ids reduced to slugs, which may collide: number the repeats.
  std::set<std::string> anchors;
  for (auto& sec : doc.sections) {
    std::string a = sec.anchor;
    for (int n = 2; !anchors.insert(a).second; ++n) a = fmt::format("{}-{}", sec.anchor, n);
    sec.anchor = a;
  }
  return doc;
}

void Builder::add(Document& doc, std::vector<Section> s) {
  for (auto& x : s) doc.sections.push_back(std::move(x));
}

Figure Builder::figure(const std::string& id, const std::string& caption, const std::string& svg) {
  return {fmt::format("{:02}-{}", ++figure_no_, slug(id, 40)), caption, svg};
}

bool Builder::has_mc() const {
  for (const auto& r : d_.record.results.runs)
    if (d_.mc_draws(r) > 0) return true;
  return false;
}

Section Builder::overview() {
  Section s{"study", "Study", 2, false, {}};
  std::vector<std::string> runs;
  for (const auto& r : d_.record.results.runs) runs.push_back(r.combination.id);
  std::string produced = "rareshock " + d_.record.tool.version;
  if (!d_.git_sha.empty()) produced += fmt::format(" ({})", d_.git_sha);
  if (!d_.finished.empty()) produced += ", " + d_.finished;
  std::vector<std::pair<std::string, std::string>> t = {
      {"Model",
       d_.base_year.empty() ? st_.model : fmt::format("{}, base year {}", st_.model, d_.base_year)},
      {"Period", fmt::format("{} to {} ({} days)", to_string(st_.start), to_string(st_.end()),
                             st_.horizon_days)},
      {"Shortage threshold", format_percent(st_.shortage_threshold) + " of daily demand unmet"},
      {"Runs", fmt::format("{}: {}", d_.record.results.runs.size(), join(runs, ", ", 40))},
      {"Monte Carlo draws",
       st_.draws > 0 ? std::to_string(st_.draws) : std::string("none (deterministic)")},
      {"Seed", std::to_string(st_.seed)},
      {"Produced by", produced}};
  s.definitions(std::move(t));
  if (!d_.model_description.empty()) s.paragraph(d_.model_description);
  if (!d_.engine.empty()) {
    Table et = make_table("Engine settings (resolved)", {"Setting", "Value"});
    for (const auto& [key, value] : d_.engine) et.rows.push_back({key, value});
    s.table(std::move(et));
    s.note(
        "These engine settings are behavioural defaults (docs/model.md), not data: they can "
        "decide the results, e.g. how fast buyers move to other suppliers.");
  }
  return s;
}

Section Builder::scenarios() {
  Section s{"scenarios", "Scenarios as applied", 2, false, {}};
  Table runs = make_table("The runs of this study", {"Run", "Shock scenario", "Mitigations"});
  for (const auto& r : d_.record.results.runs)
    runs.rows.push_back(
        {r.combination.id, r.combination.scenario ? *r.combination.scenario : "— (baseline)",
         r.combination.mitigations.empty() ? "—" : join(r.combination.mitigations, ", ", 50)});
  s.table(std::move(runs));
  if (d_.scenarios.empty()) {
    s.note(
        "summary.json does not describe the study as applied (it was written by an older "
        "rareshock): the scenario definitions cannot be shown.");
    return s;
  }
  for (const auto& sc : d_.scenarios) {
    std::string head =
        fmt::format("{} “{}”: {}", sc.mitigation ? "Mitigation package" : "Shock scenario", sc.id,
                    sc.name.empty() ? sc.id : sc.name);
    if (!sc.description.empty()) head += ". " + sc.description;
    s.paragraph(head);
    Table t = make_table("Events of " + sc.id, {"Event", "Type", "From", "Until", "What"}, {});
    t.nowrap = {false, false, true, true, false};
    for (const auto& e : sc.events) {
      std::string what = e.what;
      if (!e.description.empty()) what += " — " + e.description;
      t.rows.push_back({e.id, e.type, e.start, e.end.empty() ? "end of horizon" : e.end, what});
    }
    s.table(std::move(t));
    if (!sc.sources.empty()) s.bullets(prefix("Source: ", sc.sources));
  }
  return s;
}

std::vector<std::string> Builder::prefix(const std::string& p, const std::vector<std::string>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(p + x);
  return out;
}

Section Builder::sources() {
  Section s{"sources", "Assumptions and data sources", 2, true, {}};
  if (!d_.has_applied_study) {
    s.note(
        "summary.json does not describe the study as applied (it was written by an older "
        "rareshock): the model's sources and assumptions cannot be shown.");
    return s;
  }
  s.paragraph(fmt::format("Model {}{}.", st_.model,
                          d_.base_year.empty() ? "" : ", base year " + d_.base_year));
  if (!d_.model_assumptions.empty()) {
    s.paragraph("Assumptions of the model:");
    s.bullets(d_.model_assumptions);
  }
  if (!d_.model_sources.empty()) {
    s.paragraph("Sources of the model:");
    s.bullets(d_.model_sources);
  }
  std::vector<std::string> sc;
  for (const auto& x : d_.scenarios)
    for (const auto& src : x.sources) sc.push_back(x.id + ": " + src);
  if (!sc.empty()) {
    s.paragraph("Sources of the scenarios:");
    s.bullets(sc);
  }
  if (!d_.item_sources.empty()) {
    Table t = make_table("Sources cited by the model's materials, nodes, consumers and edges",
                         {"Source", "Items"}, {false, true});
    for (const auto& [src, n] : d_.item_sources) t.rows.push_back({src, std::to_string(n)});
    s.table(std::move(t));
  }
  if (!d_.confidence.empty()) {
    std::vector<std::string> c;
    for (const auto& [k, n] : d_.confidence)
      c.push_back(fmt::format("{} ({}): {} item{}", k,
                              k == "H"   ? "high"
                              : k == "M" ? "medium"
                              : k == "L" ? "low"
                                         : "?",
                              n, n == 1 ? "" : "s"));
    s.paragraph("Confidence the model gives its figures: " + join(c, "; ", 10) + ".");
  }
  s.paragraph(
      "Modelling limits that apply to every run: prices do not respond to scarcity (only "
      "physical flows are modelled); see docs/model.md for the engine's equations and known "
      "simplifications.");
  return s;
}

Section Builder::provenance() {
  Section s{"provenance", "Provenance", 2, false, {}};
  std::vector<std::pair<std::string, std::string>> t;
  t.emplace_back("Tool", "rareshock " + d_.record.tool.version);
  if (!d_.git_sha.empty()) t.emplace_back("Git commit", d_.git_sha);
  if (!d_.compiler.empty()) t.emplace_back("Compiler", d_.compiler + ", " + d_.build_type);
  if (!d_.dependencies.empty()) t.emplace_back("Libraries", d_.dependencies);
  t.emplace_back("Seed", std::to_string(st_.seed));
  t.emplace_back("Monte Carlo draws", std::to_string(st_.draws));
  if (d_.threads > 0) t.emplace_back("Threads", std::to_string(d_.threads));
  if (!d_.started.empty()) t.emplace_back("Run started", d_.started + ", finished " + d_.finished);
  if (!d_.command_line.empty()) t.emplace_back("Command", join(d_.command_line, " ", 200));
  if (!d_.resolved_study_sha256.empty())
    t.emplace_back("Resolved study (SHA-256)", d_.resolved_study_sha256);
  t.emplace_back("Summary format version", std::to_string(d_.record.format_version));
  s.definitions(std::move(t));
  if (!d_.inputs.empty()) {
    Table in = make_table("Input files", {"File", "SHA-256"}, {false, false});
    for (const auto& f : d_.inputs) in.rows.push_back({f.path, f.sha256});
    s.table(std::move(in));
  }
  if (!d_.record.results.warnings.empty()) {
    s.paragraph("Warnings of the run:");
    s.bullets(d_.record.results.warnings);
  }
  if (!d_.read_problems.empty()) {
    s.paragraph("Files of the run directory that could not be read:");
    s.bullets(d_.read_problems);
  }
  s.paragraph(
      "This report is rendered from the files of the run directory; `rareshock report "
      "RUN_DIR` renders it again without re-running.");
  return s;
}

}  // namespace rareshock::report::doc::detail

namespace rareshock::report::doc {

using detail::Builder;

void Section::paragraph(std::string text) {
  blocks.push_back({Block::Kind::Paragraph, std::move(text), {}, {}, {}, {}});
}
void Section::note(std::string text) {
  blocks.push_back({Block::Kind::Note, std::move(text), {}, {}, {}, {}});
}
void Section::bullets(std::vector<std::string> items) {
  if (items.empty()) return;
  blocks.push_back({Block::Kind::Bullets, {}, std::move(items), {}, {}, {}});
}
void Section::table(Table t) {
  t.highlight.resize(t.rows.size(), false);
  t.numeric.resize(t.header.size(), false);
  t.nowrap.resize(t.header.size(), false);
  blocks.push_back({Block::Kind::Table, {}, {}, std::move(t), {}, {}});
}
void Section::figure(Figure f) {
  blocks.push_back({Block::Kind::Figure, {}, {}, {}, std::move(f), {}});
}
void Section::definitions(std::vector<std::pair<std::string, std::string>> terms) {
  blocks.push_back({Block::Kind::Definitions, {}, {}, {}, {}, std::move(terms)});
}

std::size_t Document::figure_count() const {
  std::size_t n = 0;
  for (const auto& s : sections)
    for (const auto& b : s.blocks) n += b.kind == Block::Kind::Figure;
  return n;
}

Document build(const RunData& data) {
  return Builder(data).build();
}

}  // namespace rareshock::report::doc
