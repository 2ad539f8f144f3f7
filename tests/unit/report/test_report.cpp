#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "rareshock/analysis/run/study_run.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/io/load.hpp"
#include "rareshock/report/markup.hpp"
#include "rareshock/report/report.hpp"
#include "rareshock/report/run_data.hpp"
#include "rareshock/report/run_output.hpp"
#include "rareshock/run.hpp"

using namespace rareshock;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& f) {
  std::ifstream in(f, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

/// A fresh temporary directory, removed at the end of the test.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag)
      : path(fs::temp_directory_path() /
             ("rareshock-report-" + tag + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

/// No staging or temp files are left behind; chart names are plain slugs.
void check_clean(const fs::path& dir) {
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    INFO(e.path().string());
    CHECK(name.find(".tmp-") == std::string::npos);
    CHECK(name.find(".partial-") == std::string::npos);
    CHECK(name.find(".old-") == std::string::npos);
  }
  static const std::regex chart_name("[0-9]{2}-[A-Za-z0-9_-]+\\.svg");
  for (const auto& e : fs::directory_iterator(dir / "charts"))
    CHECK(std::regex_match(e.path().filename().string(), chart_name));
}

/// Every inline chart is an accessible SVG, and the page announces how many there are.
void check_html(const std::string& html) {
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("Content-Security-Policy") != std::string::npos);
  std::smatch m;
  REQUIRE(std::regex_search(html, m, std::regex("name=\"rareshock-charts\" content=\"([0-9]+)\"")));
  std::size_t charts = std::stoul(m[1]);
  CHECK(count(html, "<svg xmlns") == charts);
  CHECK(count(html, "role=\"img\"") == charts);
  CHECK(count(html, "<figcaption>") == charts);
  // Nothing external: no scripts, no links to other files or sites.
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("src=\"") == std::string::npos);
  CHECK(html.find("href=\"http") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("url(h") == std::string::npos);
}

}  // namespace

TEST_CASE("report: reports of a run: html, md and charts, re-rendered in place", "[report]") {
  TempDir tmp("run");
  fs::path dir = tmp.path / "out";
  io::LoadOptions opt;
  opt.overrides = {"study.name=\"" +
                       std::string("Report <script>alert(\\\"x\\\")</script> & 'q' — Zürich 稀土") +
                       "\"",
                   "model.consumers[ev_traction_eu].sector=\"ev <b>traction</b> & co\"",
                   "model.countries[US].name=\"Ünited <States> & 'co'\"",
                   "outputs.formats=[json, csv, html, md]"};
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/example-study.yaml", opt);
  auto result = analysis::run_study(*l.study);
  report::RunProvenance prov;
  prov.resolved_yaml = io::to_yaml(l.resolved);
  prov.inputs = l.files;
  report::write_run_outputs(dir, false, *l.study, l.resolved, result, prov);
  REQUIRE(fs::exists(dir / "baseline-flows.csv"));
  CHECK(slurp(dir / "baseline-flows.csv")
            .rfind("from,to,material,from_country,to_country,from_stage,to_stage,flow_t_per_yr\n"
                   "cn_mine,cn_separation,lre_concentrate,CN,CN,mine,refinery,",
                   0) == 0);

  auto files = report::render_reports(dir);
  CHECK(files.size() > 3);
  for (const auto& f : files) CHECK(fs::exists(f));
  std::string html = slurp(dir / "report.html");
  std::string md = slurp(dir / "report.md");
  check_html(html);
  check_clean(dir);
  // The meta tag and the inline SVGs come from one renderer; the chart files of report.md are
  // written by another path, so their count is an independent check (the study has 2
  // scenario runs with a shortfall chart each, at least).
  const auto chart_files =
      std::size_t(std::distance(fs::directory_iterator(dir / "charts"), fs::directory_iterator()));
  CHECK(count(html, "<svg xmlns") == chart_files);
  CHECK(chart_files >= 2);

  // Inputs' strings are escaped everywhere, non-ASCII text survives.
  CHECK(html.find("Report &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; — "
                  "Zürich 稀土") != std::string::npos);
  CHECK(html.find("EV &lt;b&gt;traction&lt;/b&gt; &amp; co") != std::string::npos);
  CHECK(html.find("Ünited &lt;States&gt; &amp; &#39;co&#39;") != std::string::npos);
  CHECK(html.find("<b>traction") == std::string::npos);
  CHECK(md.find("# Report &lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; 'q' — Zürich 稀土") !=
        std::string::npos);
  CHECK(md.find("<script") == std::string::npos);
  for (const auto& e : fs::directory_iterator(dir / "charts")) {
    std::string svg = slurp(e.path());
    CHECK(svg.find("<script") == std::string::npos);
    CHECK(svg.find("<b>") == std::string::npos);
  }

  // The findings: when each sector runs short, and what the mitigations do.
  CHECK(md.find("runs short on 2025-07-19 (day 199) under dy-licence") != std::string::npos);
  CHECK(md.find("mitigation-package avoids the shortage") != std::string::npos);
  CHECK(md.find("![Daily shortfall by sector and region — dy-licence") != std::string::npos);
  // Charts by sector in each region (consumers.csv), not sectors summed over regions (the
  // EU's EV consumer carries the hostile sector name above).
  std::string fig1 = slurp(dir / "charts" / "01-shortfall-dy-licence.svg");
  CHECK(fig1.find(">Wind in EU<") != std::string::npos);
  CHECK(fig1.find("(all regions)") == std::string::npos);
  CHECK(md.find("Wind in EU is short from 2025-12-27, peaking at 19 %") != std::string::npos);
  // The baseline's stocks never fall: said as such, not as a lowest cover on a date.
  CHECK(md.find("(never fell)") != std::string::npos);
  CHECK(count(md, "](charts/") == std::size_t(std::distance(fs::directory_iterator(dir / "charts"),
                                                            fs::directory_iterator())));

  // Re-rendering replaces the charts directory as a whole and leaves nothing behind.
  std::ofstream(dir / "charts" / "stale.svg") << "<svg/>";
  report::ReportFormats only_md;
  only_md.html = false;
  fs::remove(dir / "report.html");
  report::render_reports(dir, only_md);
  CHECK_FALSE(fs::exists(dir / "charts" / "stale.svg"));
  CHECK_FALSE(fs::exists(dir / "report.html"));
  CHECK(slurp(dir / "report.md") == md);
  check_clean(dir);
}

TEST_CASE("report: a hand-written summary with Monte Carlo, sensitivity and ranking", "[report]") {
  auto d = report::read_run_dir(RARESHOCK_SOURCE_DIR "/tests/report/fixtures/handwritten");
  const auto& runs = d.record.results.runs;
  REQUIRE(runs.size() == 3);
  CHECK(d.mc_draws(runs[1]) == 500);
  const auto* e = report::find_entity(runs[1], analysis::Level::Consumer, "ev_de<fr>");
  REQUIRE(e);
  const auto* mc = d.monte_carlo(runs[1], *e);
  REQUIRE(mc);
  CHECK(mc->probability_of_shortage == Approx(0.86));
  REQUIRE(report::mc_metric(*mc, Metric::TimeToShortage));
  CHECK(report::mc_metric(*mc, Metric::TimeToShortage)->p90 == Approx(16));
  const auto* s =
      report::find_entity(runs[1], analysis::Level::Sector, "ev_<i>traction</i> & \"motors\"");
  REQUIRE(s);
  CHECK(d.monte_carlo(runs[1], *s)->fan[2].size() == 30);  // p50
  REQUIRE(d.record.uncertainty);
  const auto& unc = *d.record.uncertainty;
  REQUIRE(unc.tornado.size() == 1);
  CHECK(unc.tornado[0].params[0].path == "model.consumers[*].inventory_days");  // widest first
  REQUIRE(unc.ranking.size() == 1);
  CHECK(unc.ranking[0].ranking[0].value_avoided_usd.p90 == Approx(1.49e9));
  CHECK(unc.ranking[0].ranking[0].margin_avoided_usd.mean == Approx(1.38e8));
  REQUIRE(unc.tornado[0].params.size() == 3);
  const auto& group = unc.tornado[0].params[2];
  CHECK(group.path == "group:stocks <&>");
  REQUIRE(group.members.size() == 2);
  CHECK(group.members[1].path == "model.consumers[wind_<jp>].margin");
  CHECK(group.members[1].high == Approx(0.3));
  CHECK(unc.sobol.size() == 1);
  CHECK(unc.partial);
  CHECK(d.has_structural);
  REQUIRE(d.structure);  // analysis/summary.json
  CHECK(d.structure->criticality_days == 90);
  REQUIRE(d.structure->criticality.size() == 1);
  CHECK(d.structure->criticality[0].first_short_day == 20);
  CHECK(d.structure->exposure[0].by_stage.at("any").at("DE&FR") == Approx(0.05));
  CHECK_FALSE(d.has_series);
  CHECK_FALSE(d.has_provenance);
  CHECK(d.name_of("DE&FR") == "Germany & France <EU>");
  REQUIRE(d.scenarios.size() == 2);
  CHECK(d.scenarios[0].events[0].what ==
        "日本 bans exports of NdFeB <grade> & \"SH\" to every country except 日本.");
  CHECK(d.scenarios[0].events[0].end == "2025-03-11 (day 10)");
  CHECK(d.scenarios[0].events[1].start == "2025-03-15 (day 14)");
  CHECK(d.scenarios[1].mitigation);

  std::string html = report::render_html(d);
  check_html(html);
  // Probability-aware: the share of draws, and the central run said separately.
  CHECK(html.find("runs short in 86 % of the Monte Carlo draws under") != std::string::npos);
  CHECK(html.find("80 % band") != std::string::npos);
  CHECK(html.find("Monte Carlo — ban&amp;&lt;script&gt;") != std::string::npos);
  // One tornado table per scenario, no tornado charts.
  CHECK(html.find("Tornado — ban&amp;&lt;script&gt;") != std::string::npos);
  CHECK(html.find("Tornado chart") == std::string::npos);
  // A group's members differ in unit: each at its own range, listed with units.
  CHECK(html.find("group stocks &lt;&amp;&gt; (2 parameters)") != std::string::npos);
  CHECK(html.find("each at its own P10 → P90 (shared uniform; members listed below)") !=
        std::string::npos);
  CHECK(html.find("20 days") != std::string::npos);
  CHECK(html.find("30 %") != std::string::npos);
  // Mitigations ranked by value added, the full value beside it.
  CHECK(html.find("the most effective mitigation by value added avoided (units not built × "
                  "margin; mean over the draws) is") != std::string::npos);
  CHECK(html.find("USD 138 m") != std::string::npos);
  CHECK(html.find("Sobol indices") != std::string::npos);
  CHECK(html.find("interrupted: these results use 500 of 800 draws") != std::string::npos);
  CHECK(html.find("id=\"structural\"") != std::string::npos);
  CHECK(html.find("Origin exposure: where each sector&#39;s magnets come from") !=
        std::string::npos);
  CHECK(html.find("a 90-day outage of maker does the most damage (55.5 t unmet, USD 250 m)") !=
        std::string::npos);
  CHECK(html.find("timeseries/sectors.csv is missing") != std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
  std::string md = report::render_markdown(d);
  CHECK(md.find("<img") == std::string::npos);
  CHECK(md.find("<script") == std::string::npos);
}

TEST_CASE("report: report errors: not a run directory", "[report]") {
  TempDir tmp("errors");
  CHECK_THROWS_AS(report::render_reports(tmp.path / "missing"), InputError);
  CHECK_THROWS_AS(report::render_reports(tmp.path), InputError);
  std::ofstream(tmp.path / "summary.json") << "{\"not\": \"a summary\"}";
  CHECK_THROWS_AS(report::render_reports(tmp.path), InputError);
  std::ofstream(tmp.path / "summary.json") << "{broken";
  CHECK_THROWS_AS(report::render_reports(tmp.path), InputError);
  CHECK_FALSE(fs::exists(tmp.path / "report.html"));
}

TEST_CASE("report: the study section lists every resolved engine setting, and model vs observed",
          "[report]") {
  TempDir tmp("engine");
  fs::path dir = tmp.path / "out";
  io::LoadOptions opt;
  opt.overrides = {"engine.switching_lag=45 days", "outputs.formats=[json, csv, md]"};
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/calibration-study.yaml", opt);
  auto result = analysis::run_study(*l.study);
  report::RunProvenance prov;
  prov.resolved_yaml = io::to_yaml(l.resolved) + "\n";
  // The settings are quoted as written in the resolved input, a nested value on one line.
  io::TreeNode nested = io::TreeNode::make_map();
  nested.set("ndfeb_sh", io::TreeNode::make_scalar("120 days"));
  REQUIRE(l.resolved.find("engine"));
  l.resolved.find("engine")->set("qualification_time", nested);
  report::write_run_outputs(dir, false, *l.study, l.resolved, result, prov);
  report::render_reports(dir, {false, true});
  std::string md = slurp(dir / "report.md");
  CHECK(md.find("| switching\\_lag | 45 days |") != std::string::npos);
  CHECK(md.find("| share\\_reversion | 180 days |") != std::string::npos);
  CHECK(md.find("| licence\\_volume\\_cap | 1 |") != std::string::npos);
  CHECK(md.find("| qualification\\_time | {ndfeb\\_sh: 120 days} |") != std::string::npos);
  CHECK(md.find("can decide the results") != std::string::npos);
  // Model vs observed: the fit table and the per-period table, January 2025 as generated.
  CHECK(md.find("## Model vs observed") != std::string::npos);
  CHECK(
      md.find("| cn\\_magnet\\_exports | dy-licence | training (2025-04-01 to 2025-09-30) | 6 |") !=
      std::string::npos);
  CHECK(md.find("| 2025-01 | 875 t | 875 t |") != std::string::npos);
  CHECK(md.find("![Model vs observed: cn\\_magnet\\_exports](charts/") != std::string::npos);
}

TEST_CASE("report: findings say when switching suppliers supplied a short consumer",
          "[report][supply]") {
  TempDir tmp("supply");
  fs::path dir = tmp.path / "out";
  io::LoadOptions opt;
  opt.overrides = {"outputs.formats=[json, csv, md]"};
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/example-study.yaml", opt);
  auto result = analysis::run_study(*l.study);
  // The sentence quotes the run's own numbers: EV traction in the EU under dy-licence.
  const analysis::EntityResult* ev = nullptr;
  for (const auto& run : result.runs)
    if (run.combination.id == "dy-licence")
      for (const auto& e : run.entities)
        if (e.level == analysis::Level::Consumer && e.id == "ev_traction_eu") ev = &e;
  REQUIRE(ev);
  REQUIRE(ev->supply.switched_t >= 0.05 * ev->metrics.demand_t);
  REQUIRE(ev->supply.blocked_t > 0);
  report::RunProvenance prov;
  prov.resolved_yaml = io::to_yaml(l.resolved) + "\n";
  report::write_run_outputs(dir, false, *l.study, l.resolved, result, prov);
  report::render_reports(dir, {false, true});
  std::string md = slurp(dir / "report.md");
  CHECK(md.find("EV traction in EU received " + report::format_tonnes(ev->supply.switched_t) +
                " (" + report::format_percent(ev->supply.switched_t / ev->metrics.demand_t) +
                " of its demand) more from its existing suppliers than their baseline shares "
                "(switching: engine.switching\\_lag = 30 days) and had " +
                report::format_tonnes(ev->supply.blocked_t) +
                " of its orders blocked by restrictions.") != std::string::npos);
  // One per short consumer of dy-licence; none for the baseline or the mitigated run.
  CHECK(count(md, "more from its existing suppliers") == 3);
}

TEST_CASE("report: a summary that does not describe the study says so, and renders the rest",
          "[report]") {
  TempDir tmp("undescribed");
  fs::path dir = tmp.path / "run";
  fs::copy(RARESHOCK_SOURCE_DIR "/tests/report/fixtures/handwritten", dir,
           fs::copy_options::recursive);
  // As written before summary.json described the study: no model_info, engine, scenarios.
  std::string text = slurp(dir / "summary.json");
  for (const char* key : {"\"scenarios\":", "\"model_info\":", "\"engine\":"})
    text.replace(text.find(key), std::string(key).size(), std::string("\"old_") + (key + 1));
  std::ofstream(dir / "summary.json", std::ios::binary) << text;
  auto d = report::read_run_dir(dir);
  CHECK_FALSE(d.record.study.applied);
  CHECK(d.scenarios.empty());
  CHECK(d.name_of("DE&FR") == "DE&FR");
  report::render_reports(dir, {false, true});
  std::string md = slurp(dir / "report.md");
  CHECK(md.find("summary.json does not describe the study as applied (it was written by an "
                "older rareshock): the scenario definitions cannot be shown.") !=
        std::string::npos);
  CHECK(md.find("the model's sources and assumptions cannot be shown.") != std::string::npos);
  CHECK(md.find("runs short in 86 % of the Monte Carlo draws") !=
        std::string::npos);  // results still rendered
}

TEST_CASE(
    "report: each short consumer's finding says why, the shock's path has a section, "
    "losses lead with value added",
    "[report][why]") {
  TempDir tmp("why");
  fs::path dir = tmp.path / "out";
  io::LoadOptions opt;
  opt.overrides = {"outputs.formats=[json, csv, md]"};
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/example-study.yaml", opt);
  analysis::RunOptions ro;
  ro.why = true;
  auto result = analysis::run_study(*l.study, ro);
  const analysis::EntityResult* ev = nullptr;
  for (const auto& run : result.runs)
    if (run.combination.id == "dy-licence")
      for (const auto& e : run.entities)
        if (e.level == analysis::Level::Consumer && e.id == "ev_traction_eu") ev = &e;
  REQUIRE(ev);
  REQUIRE(ev->metrics.time_to_shortage);
  REQUIRE(ev->why);
  const analysis::WhyRecord& w = *ev->why;
  // The balance the sentence quotes adds up.
  CHECK(w.inflow_t + w.stock_drawn_t + w.unmet_t == Approx(w.demand_t).epsilon(1e-9));
  CHECK(w.unmet_t == Approx(ev->metrics.unmet_t).epsilon(1e-9));  // all its unmet is in the window
  REQUIRE(w.binding);
  report::RunProvenance prov;
  prov.resolved_yaml = io::to_yaml(l.resolved) + "\n";
  report::write_run_outputs(dir, false, *l.study, l.resolved, result, prov);
  CHECK(fs::exists(dir / "why.csv"));
  CHECK(fs::exists(dir / "why_suppliers.csv"));
  CHECK(fs::exists(dir / "losses.csv"));
  report::render_reports(dir, {false, true});
  std::string md = slurp(dir / "report.md");
  CHECK(md.find("## How the shock travelled") != std::string::npos);
  CHECK(md.find("Why: between 2025-04-04") != std::string::npos);
  CHECK(md.find("it needed " + report::format_tonnes(w.demand_t) + ": " +
                report::format_tonnes(w.inflow_t) + " arrived") != std::string::npos);
  CHECK(md.find("binding constraint: ") != std::string::npos);
  // Read back from summary.json, the why record is the same.
  auto data = report::read_run_dir(dir);
  const analysis::EntityResult* back = nullptr;
  for (const auto& run : data.record.results.runs)
    if (run.combination.id == "dy-licence")
      back = report::find_entity(run, analysis::Level::Consumer, "ev_traction_eu");
  REQUIRE(back);
  REQUIRE(back->why);
  CHECK(back->why->demand_t == Approx(w.demand_t));
  CHECK(back->why->suppliers.size() == w.suppliers.size());
  REQUIRE(back->why->binding);
  CHECK(back->why->binding->kind == w.binding->kind);
  CHECK(back->why->binding->event == w.binding->event);
}

TEST_CASE(
    "report: mitigations and Monte Carlo quote value added with the full value as upper bound, "
    "tornado groups name units, shortfall charts shade each line's P10–P90",
    "[report][losses]") {
  TempDir tmp("losses");
  fs::path dir = tmp.path / "out";
  io::LoadOptions opt;
  opt.overrides = {
      "model.consumers[ev_traction_cn].margin=0.2",
      "model.consumers[ev_traction_eu].margin=0.2",
      "model.consumers[ev_traction_us].margin=0.2",
      "model.consumers[wind_eu].margin=0.1",
      "monte_carlo={draws: 10, params: ["
      "{path: \"model.consumers[ev_traction_eu].inventory_days\", dist: uniform, min: 10, "
      "max: 110, group: stocks}, "
      "{path: \"model.consumers[wind_eu].inventory_days\", dist: uniform, min: 50, max: 250, "
      "group: stocks}]}",
      "sensitivity={tornado: true, metrics: [unmet_t]}",
      "outputs.formats=[json, csv, html, md]"};
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/example-study.yaml", opt);
  RunSettings rs;
  rs.threads = 1;
  RunRecord record = rareshock::run(l, rs);
  report::write_run_outputs(dir, false, *l.study, record);
  report::render_reports(dir, {true, true});
  const std::string md = slurp(dir / "report.md"), html = slurp(dir / "report.html");
  const std::string summary = slurp(dir / "summary.json");
  // summary.json: value added summarised over the draws, and avoided in the ranking.
  CHECK(summary.find("\"margin_avoided_usd\"") != std::string::npos);
  auto data = report::read_run_dir(dir);
  REQUIRE(data.record.uncertainty);
  const auto& unc = *data.record.uncertainty;
  REQUIRE_FALSE(unc.ranking.empty());
  CHECK(unc.ranking[0].ranking[0].margin_avoided_usd.n == 10);
  bool margin_summarised = false;
  for (const auto& run : unc.runs)
    for (const auto& e : run.entities)
      if (const auto* q = report::mc_metric(e, Metric::MarginLostUsd))
        margin_summarised |= q->n > 0;
  CHECK(margin_summarised);
  // Findings: units not built, value added first, the full value as the upper bound.
  CHECK(md.find(" not built (value added USD") != std::string::npos);
  CHECK(md.find("at full sales value, an upper bound)") != std::string::npos);
  CHECK(md.find("at risk (") == std::string::npos);  // the old wording
  CHECK(md.find("less value added lost, USD") != std::string::npos);
  CHECK(md.find("output lost)") == std::string::npos);
  CHECK(md.find("the most effective mitigation by value added avoided") != std::string::npos);
  // Tables: the ranking and the Monte Carlo results in value added.
  CHECK(md.find("Value added avoided") != std::string::npos);
  CHECK(md.find("At full sales value (upper bound)") != std::string::npos);
  CHECK(md.find("| Value added lost |") != std::string::npos);
  // The tornado's group: its members' unit, and their ranges listed.
  CHECK(md.find("group stocks (2 parameters)") != std::string::npos);
  CHECK(html.find("each at its own P10 → P90, in days") != std::string::npos);
  CHECK(html.find("Grouped parameters of the tornado") != std::string::npos);
  CHECK(html.find("consumers[wind_eu].inventory_days") != std::string::npos);
  CHECK(html.find("70 days") != std::string::npos);  // wind's P10 of U(50, 250)
  // Shortfall chart per sector in region with the Monte Carlo band, and fans per consumer.
  CHECK(html.find("P10–P90 over 10 draws (shaded)") != std::string::npos);
  CHECK(html.find("EV traction in EU P10–P90") != std::string::npos);
  CHECK(html.find("EV traction in EU: shortfall fan — dy-licence") != std::string::npos);
}
