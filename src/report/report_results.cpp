// The report sections of results: shortfall over time, mitigations compared, the result
// tables and the baseline flows.
#include "report_builder.hpp"

namespace rareshock::report::doc::detail {

const Series* Builder::series_of(const RunResult& r, const EntityResult& e) const {
  const char* level = e.level == Level::Consumer ? "consumer"
                      : e.level == Level::Sector ? "sector"
                      : e.level == Level::Region ? "region"
                                                 : "";
  return *level ? d_.find_series(r.combination.id, level, e.id) : nullptr;
}

std::string Builder::chart_label(const EntityResult& e) const {
  return e.level == Level::Sector ? sector_name(e.id) + " (all regions)" : name_.entity(e);
}

std::vector<const EntityResult*> Builder::chart_entities(const RunResult& r) const {
  std::vector<const EntityResult*> out;
  for (const Hit& h : hits_of(r))
    if (out.size() < kMaxChartLines && series_of(r, *h.entity)) out.push_back(h.entity);
  if (out.empty())
    for (const auto* e : level_of(r, Level::Consumer))
      if (out.size() < kMaxChartLines && in_focus(st_.focus, *e) && series_of(r, *e))
        out.push_back(e);
  if (out.empty())  // no consumer series, or nothing hit and no focus: sectors
    for (const auto* e : level_of(r, Level::Sector))
      if (series_of(r, *e)) out.push_back(e);
  return out;
}

svg::LineChart Builder::consumer_chart(const RunResult& r, bool cover) const {
  svg::LineChart c;
  c.x.origin = st_.start;
  c.y.label = cover ? "stock cover (days of baseline demand)" : "shortfall (% of demand)";
  c.y.kind = cover ? svg::Axis::Kind::Number : svg::Axis::Kind::Percent;
  bool fans = false;
  for (const auto* e : chart_entities(r)) {
    const Series* s = series_of(r, *e);
    const int colour = static_cast<int>(c.lines.size());
    c.lines.push_back({chart_label(*e), cover ? s->cover_days : s->shortfall_fraction, colour});
    // With Monte Carlo, the P10–P90 of the daily shortfall over the draws, shaded in the
    // line's colour (named once in the legend).
    const analysis::McEntity* mc = cover ? nullptr : d_.monte_carlo(r, *e);
    if (mc && mc->has_fan && mc->fan[1].size() == s->shortfall_fraction.size()) {
      c.bands.push_back(
          {chart_label(*e) + " P10–P90", mc->fan[1], mc->fan[3], colour, 0.18, false});
      fans = true;
    }
  }
  if (fans)
    c.bands.insert(
        c.bands.begin(),
        svg::Band{
            fmt::format("P10–P90 over {} draws (shaded)", d_.mc_draws(r)), {}, {}, 6, 0.18, true});
  if (r.combination.scenario) c.markers = markers_of(d_, *r.combination.scenario);
  return c;
}

std::optional<Figure> Builder::peak_heatmap(const RunResult& r) {
  std::vector<std::string> sectors, regions;
  bool any_short = false;
  for (const auto* e : level_of(r, Level::Consumer)) {
    if (std::find(sectors.begin(), sectors.end(), e->sector) == sectors.end())
      sectors.push_back(e->sector);
    if (std::find(regions.begin(), regions.end(), e->region) == regions.end())
      regions.push_back(e->region);
    any_short |= e->metrics.peak_shortfall > 0;
  }
  if (!any_short || sectors.size() * regions.size() <= 1) return std::nullopt;
  // Focus rows and columns first.
  auto first = [](std::vector<std::string>& v, const std::vector<std::string>& f) {
    std::stable_partition(v.begin(), v.end(), [&](const std::string& x) {
      return std::find(f.begin(), f.end(), x) != f.end();
    });
  };
  first(sectors, st_.focus.sectors);
  first(regions, st_.focus.regions);
  svg::Heatmap h;
  h.value = {"peak shortfall", svg::Axis::Kind::Percent, {}, 0.0, std::nullopt};
  h.row_label = "sector";
  h.column_label = "region";
  for (const auto& x : sectors) h.rows.push_back(sector_name(x));
  for (const auto& x : regions) h.columns.push_back(name_.region(x));
  h.values.assign(sectors.size() * regions.size(), kNaN);
  for (const auto* e : level_of(r, Level::Consumer)) {
    auto i = static_cast<std::size_t>(std::find(sectors.begin(), sectors.end(), e->sector) -
                                      sectors.begin());
    auto j = static_cast<std::size_t>(std::find(regions.begin(), regions.end(), e->region) -
                                      regions.begin());
    double& cell = h.values[i * regions.size() + j];
    cell =
        std::isfinite(cell) ? std::max(cell, e->metrics.peak_shortfall) : e->metrics.peak_shortfall;
  }
  h.text = {chart_id(), "Peak shortfall by sector and region — " + r.combination.id,
            fmt::format("Heatmap of the highest daily shortfall of each sector in each "
                        "region under {}; a dash means the sector has no demand there.",
                        r.combination.id)};
  return figure("peak-" + r.combination.id, h.text.title, draw(h));
}

void Builder::mitigation_charts(Section& sub, const ScenarioRuns& g) {
  std::vector<const RunResult*> runs = runs_of(g);
  std::size_t charts = 0;
  for (const auto* ep : chart_entities(*g.base)) {
    const EntityResult& e = *ep;
    if (!short_in(e) || charts >= kMaxMitigationCharts) continue;
    ++charts;
    svg::LineChart c;
    c.x.origin = st_.start;
    c.y = {"shortfall (% of demand)", svg::Axis::Kind::Percent, {}, {}, {}};
    for (const RunResult* r : runs) {
      const EntityResult* re = find_entity(*r, e.level, e.id);
      if (const Series* ser = re ? series_of(*r, *re) : nullptr)
        c.lines.push_back({r->combination.mitigations.empty()
                               ? r->combination.id + " (no mitigation)"
                               : "+ " + mitigation_label(*r),
                           ser->shortfall_fraction});
    }
    c.markers = markers_of(d_, g.scenario);
    c.text = {chart_id(), chart_label(e) + ": shortfall with and without mitigations",
              fmt::format("Line chart of the daily shortfall of {} under {} alone and with "
                          "each mitigation package. {}",
                          chart_label(e), g.scenario, mitigation_alt(g, e))};
    sub.figure(figure("mitigations-" + g.scenario + "-" + e.id,
                      c.text.title + ". " + mitigation_alt(g, e), draw(c)));
  }
}

void Builder::shortfall_group(Section& sub, const ScenarioRuns& g) {
  const RunResult* base = g.base ? g.base : g.mitigated.front();
  std::string sc_name = name_.scenario(g.scenario);
  if (sc_name != g.scenario) sub.paragraph(sc_name + ".");
  if (d_.has_series) {
    auto c = consumer_chart(*base, false);
    c.text = {chart_id(), "Daily shortfall by sector and region — " + base->combination.id,
              fmt::format("Line chart of the share of daily demand that goes unmet under {}, "
                          "from {} to {}, for each sector in each region hit (focus first, "
                          "then the worst hit){}. {}",
                          base->combination.id, to_string(st_.start), to_string(st_.end()),
                          c.bands.empty() ? ""
                                          : "; shaded in each line's colour, the P10–P90 range "
                                            "of the daily shortfall over the Monte Carlo draws",
                          shortfall_alt(*base))};
    sub.figure(figure("shortfall-" + base->combination.id,
                      c.text.title + ". " + shortfall_alt(*base), draw(c)));
  }
  if (auto h = peak_heatmap(*base)) sub.figure(std::move(*h));
  if (d_.has_series) {
    auto c = consumer_chart(*base, true);
    c.text = {chart_id(), "Stock cover by sector and region — " + base->combination.id,
              fmt::format("Line chart of the stock of magnets in days of baseline demand under "
                          "{}, for the same sectors and regions. {}",
                          base->combination.id, cover_alt(*base))};
    sub.figure(
        figure("cover-" + base->combination.id, c.text.title + ". " + cover_alt(*base), draw(c)));
  }
  // With and without mitigations, for the consumers that run short.
  if (d_.has_series && g.base && !g.mitigated.empty()) mitigation_charts(sub, g);
}

std::vector<Section> Builder::shortfall() {
  std::vector<Section> out;
  if (groups_.empty()) return out;
  Section s{"shortfall", "Shortfall over time", 2, true, {}};
  if (!d_.has_series)
    s.note(
        "timeseries/sectors.csv is missing from the run directory: charts over time are "
        "left out (write it with outputs.formats including csv).");
  out.push_back(std::move(s));
  for (const auto& g : groups_) {
    Section sub{"shortfall-" + slug(g.scenario), "Under " + g.scenario, 3, false, {}};
    shortfall_group(sub, g);
    out.push_back(std::move(sub));
  }
  return out;
}

std::string Builder::shortfall_alt(const RunResult& r) const {
  std::vector<std::string> parts;
  for (const auto* e : chart_entities(r))
    if (short_in(*e))
      parts.push_back(fmt::format("{} is short from {}, peaking at {} on {}", chart_label(*e),
                                  to_string(st_.start + *e->metrics.time_to_shortage),
                                  format_percent(e->metrics.peak_shortfall),
                                  to_string(st_.start + e->metrics.peak_day.value_or(0))));
  if (parts.empty()) return "No sector runs short in any region.";
  return join(parts, "; ", 20) + ".";
}

std::string Builder::cover_alt(const RunResult& r) const {
  std::vector<std::string> parts;
  for (const auto* e : chart_entities(r))
    parts.push_back(cover_fell(r, *e)
                        ? fmt::format("{} falls to {}", chart_label(*e), cover_text(r, *e))
                        : fmt::format("{} never falls below its starting {}", chart_label(*e),
                                      days(e->metrics.min_cover_days)));
  return parts.empty() ? std::string() : "Lowest cover: " + join(parts, "; ", 20) + ".";
}

std::string Builder::mitigation_alt(const ScenarioRuns& g, const EntityResult& e) const {
  std::vector<std::string> parts;
  for (const RunResult* m : g.mitigated) {
    std::string eff = mitigation_effect(e, *m);
    if (!eff.empty()) parts.push_back(eff);
  }
  return parts.empty() ? std::string() : join(parts, "; ", 20) + ".";
}

std::vector<const RunResult*> Builder::runs_of(const ScenarioRuns& g) {
  std::vector<const RunResult*> runs;
  if (g.base) runs.push_back(g.base);
  runs.insert(runs.end(), g.mitigated.begin(), g.mitigated.end());
  return runs;
}

std::string Builder::run_label(const RunResult& r) {
  return r.combination.mitigations.empty() ? r.combination.id + " (no mitigation)"
                                           : "+ " + mitigation_label(r);
}

void Builder::mitigation_group(Section& s, const ScenarioRuns& g) {
  const std::vector<const RunResult*> runs = runs_of(g);
  // The consumers short in any of the runs, in the order of the scenario alone.
  std::vector<const EntityResult*> hit;
  auto add = [&](const EntityResult* e) {
    if (std::none_of(hit.begin(), hit.end(), [&](const auto* x) { return x->id == e->id; }))
      hit.push_back(e);
  };
  for (const RunResult* r : runs)
    for (const Hit& h : hits_of(*r))
      if (h.short_central) add(h.entity);
  if (hit.empty()) {
    s.paragraph("Under " + g.scenario +
                " no sector runs short in any region, with or without "
                "mitigations.");
    return;
  }
  Table t = make_table("Under " + g.scenario +
                           ": shortage start, shortage days and unmet demand per sector and "
                           "region, with each mitigation package",
                       {"Sector in region", "Run", "Short from", "Shortage days", "Unmet"},
                       {false, false, false, true, true});
  t.nowrap = {false, false, true, false, false};
  svg::BarChart unmet, short_days;
  unmet.x = {"unmet demand (t)", svg::Axis::Kind::Number, {}, {}, {}};
  short_days.x = {"shortage days", svg::Axis::Kind::Number, {}, {}, {}};
  for (const RunResult* r : runs) unmet.series.push_back(run_label(*r));
  short_days.series = unmet.series;
  for (const auto* e0 : hit) {
    svg::BarGroup gu{chart_label(*e0), {}}, gd{chart_label(*e0), {}};
    for (const RunResult* r : runs) {
      const EntityResult* e = find_entity(*r, e0->level, e0->id);
      gu.values.push_back(e ? e->metrics.unmet_t : kNaN);
      gd.values.push_back(e ? e->metrics.shortage_days : kNaN);
      if (!e) continue;
      const bool sh = short_in(*e);
      t.rows.push_back(
          {chart_label(*e0), run_label(*r),
           sh ? to_string(st_.start + *e->metrics.time_to_shortage) : "none within the horizon",
           sh ? days(e->metrics.shortage_days) : "0 days", format_tonnes(e->metrics.unmet_t)});
      t.highlight.push_back(sh);
    }
    unmet.groups.push_back(std::move(gu));
    short_days.groups.push_back(std::move(gd));
  }
  s.table(std::move(t));
  for (auto* b : {&unmet, &short_days}) {
    if (b->groups.size() > kMaxChartLines) b->groups.resize(kMaxChartLines);
    const bool is_unmet = b == &unmet;
    std::string what = is_unmet ? "Unmet demand" : "Shortage days";
    b->text = {chart_id(),
               what + " per sector and region — " + g.scenario + " with and without mitigations",
               fmt::format("Bar chart of {} of each sector in each region hit under {} alone and "
                           "with each mitigation package (see the table above for the values).",
                           to_lower(what), g.scenario)};
    s.figure(figure((is_unmet ? "unmet-" : "days-") + g.scenario, b->text.title, draw(*b)));
  }
}

void Builder::ranking_table(Section& s, const std::string& sc) {
  // Value added avoided is the measure where the sectors' consumers have margins; the full
  // sales value avoided is its upper bound (and the only measure without margins).
  bool margins = true, any_margin = false;
  for (const auto& mr : unc_.ranking)
    if (mr.scenario == sc)
      for (const auto& m : mr.ranking) {
        margins &= m.margin_avoided_usd.n > 0;
        any_margin |= m.margin_avoided_usd.n > 0;
      }
  std::vector<std::string> header = {"Sector", "Rank", "Mitigation", "Shortage days avoided",
                                     "Unmet avoided"};
  std::vector<bool> numeric = {false, true, false, true, true};
  if (any_margin) header.push_back("Value added avoided"), numeric.push_back(true);
  header.push_back(any_margin ? "At full sales value (upper bound)"
                              : "Value avoided (full sales value)");
  numeric.push_back(true);
  Table t = make_table(
      fmt::format("Mitigations ranked under {} by {}: mean and P10–P90{}{}", sc,
                  any_margin ? "value added avoided" : "value avoided at full sales value",
                  st_.draws > 0 ? " over the Monte Carlo draws" : "",
                  margins || !any_margin ? "" : "; full sales value where no margin is given"),
      header, numeric);
  svg::BarChart b;
  b.x = {margins      ? "value added avoided (USD, mean)"
         : any_margin ? "value added avoided (USD, mean; full sales value where no margin is given)"
                      : "value avoided at full sales value (USD, mean)",
         svg::Axis::Kind::Number,
         {},
         {},
         {}};
  auto sig = [](double v) { return format_significant(v, 3); };
  auto tonnes = [](double v) { return format_tonnes(v); };
  auto usd = [](double v) { return format_usd(v); };
  for (const auto& mr : unc_.ranking) {
    if (mr.scenario != sc || mr.ranking.empty()) continue;
    int rank = 0;
    svg::BarGroup grp{entity_name(mr.level, mr.id), {}};
    bool any = false;
    for (const auto& m : mr.ranking) {
      std::vector<std::string> row = {
          entity_name(mr.level, mr.id), std::to_string(++rank), score_label(m, sc),
          sig(m.shortage_days_avoided.mean) + range_text(m.shortage_days_avoided, sig),
          tonnes(m.unmet_t_avoided.mean) + range_text(m.unmet_t_avoided, tonnes)};
      if (any_margin)
        row.push_back(m.margin_avoided_usd.n > 0
                          ? usd(m.margin_avoided_usd.mean) + range_text(m.margin_avoided_usd, usd)
                          : "— (no margin)");
      row.push_back(usd(m.value_avoided_usd.mean) + range_text(m.value_avoided_usd, usd));
      t.rows.push_back(std::move(row));
      // Rows where the mitigation changes something come first in report.md.
      t.highlight.push_back(m.rank_measure() != 0 || m.unmet_t_avoided.mean != 0 ||
                            m.shortage_days_avoided.mean != 0);
      auto it = std::find(b.series.begin(), b.series.end(), score_label(m, sc));
      std::size_t k = static_cast<std::size_t>(it - b.series.begin());
      if (it == b.series.end()) b.series.push_back(score_label(m, sc));
      grp.values.resize(b.series.size(), kNaN);
      grp.values[k] = m.rank_measure();
      any |= m.rank_measure() != 0;
    }
    if (any) b.groups.push_back(std::move(grp));
  }
  for (auto& g : b.groups) g.values.resize(b.series.size(), kNaN);
  s.table(std::move(t));
  if (b.groups.empty()) return;
  const char* what = any_margin ? "Value added avoided" : "Value avoided at full sales value";
  b.text = {chart_id(), std::string(what) + " by each mitigation — " + sc,
            fmt::format("Bar chart of the mean {} each mitigation avoids per sector under {}{} "
                        "(see the table above for the ranges and the full sales value).",
                        any_margin ? "value added (units not built × margin)"
                                   : "value of lost output at full sales value",
                        sc,
                        margins || !any_margin
                            ? ""
                            : "; full sales value for sectors whose consumers have no margin")};
  s.figure(figure("ranking-" + sc, b.text.title, draw(b)));
}

std::vector<Section> Builder::mitigations() {
  std::vector<Section> out;
  bool any = !unc_.ranking.empty();
  for (const auto& g : groups_) any |= !g.mitigated.empty();
  if (!any) return out;
  Section s{"mitigations", "Mitigations compared", 2, true, {}};
  for (const auto& g : groups_)
    if (!g.mitigated.empty()) mitigation_group(s, g);
  for (const auto& sc : ranking_scenarios()) ranking_table(s, sc);
  out.push_back(std::move(s));
  return out;
}

Table Builder::metrics_table(const RunResult& r, const std::string& level) const {
  Table t;
  std::string first = level == "consumer" ? "Sector" : level == "sector" ? "Sector" : "Region";
  t.header = {first};
  t.numeric = {false};
  if (level == "consumer") {
    t.header.push_back("Region");
    t.numeric.push_back(false);
  }
  bool margins = false;
  const Level lv = *analysis::level_from_string(level);
  for (const auto* e : level_of(r, lv)) margins |= e->metrics.margin_lost_usd.has_value();
  for (const char* h : {"Short from", "Peak shortfall", "Shortage days", "Demand (t)", "Unmet (t)",
                        "Unmet", "Units lost", "Value added lost", "Full value lost (upper bound)",
                        "Recovered", "Lowest cover"}) {
    if (std::string(h) == "Value added lost" && !margins) continue;
    t.header.push_back(h);
    t.numeric.push_back(std::string(h) != "Short from" && std::string(h) != "Recovered");
  }
  t.nowrap.assign(t.header.size(), false);
  t.nowrap[level == "consumer" ? 2 : 1] = true;  // short from
  t.source = "metrics.csv";
  for (const auto* e : level_of(r, lv)) {
    const auto& m = e->metrics;
    std::vector<std::string> row;
    if (level == "consumer") {
      row.push_back(sector_name(e->sector));
      row.push_back(name_.region(e->region));
    } else {
      row.push_back(level == "sector" ? sector_name(e->id) : name_.region(e->id));
    }
    row.push_back(day_text(d_, m.time_to_shortage));
    row.push_back(m.peak_shortfall > 0
                      ? format_percent(m.peak_shortfall) +
                            (m.peak_day ? " on " + to_string(st_.start + *m.peak_day) : "")
                      : "0 %");
    row.push_back(std::to_string(m.shortage_days));
    row.push_back(format_significant(m.demand_t, 3));
    row.push_back(format_significant(m.unmet_t, 3));
    row.push_back(format_percent(m.unmet_fraction));
    row.push_back(units_text(*e));
    if (margins)
      row.push_back(!m.margin_lost_usd       ? "— (no margin)"
                    : *m.margin_lost_usd > 0 ? format_usd(*m.margin_lost_usd)
                                             : "0");
    row.push_back(m.value_lost_usd > 0 ? format_usd(m.value_lost_usd) : "0");
    auto rec = recovery_day(r, *e);
    row.push_back(!short_in(*e) ? "—"
                  : rec         ? fmt::format("{} ({} after day {})", to_string(st_.start + *rec),
                                              days(*m.time_to_recover), *rec - *m.time_to_recover)
                                : "not by the end");
    row.push_back(cover_text(r, *e));
    t.rows.push_back(std::move(row));
    t.highlight.push_back(short_in(*e));
  }
  return t;
}

std::string Builder::units_text(const EntityResult& e) {
  const auto& m = e.metrics;
  std::string out = format_significant(m.units_lost, 3);
  if (m.units_lost_upper > m.units_lost * (1 + 1e-9) + 1e-9)
    out += "–" + format_significant(m.units_lost_upper, 3);
  if (!e.unit_name.empty() && m.units_lost_upper > 0) out += " " + e.unit_name;
  return out;
}

std::string Builder::material_name(const std::string& id) const {
  auto it = d_.material_names.find(id);
  return it != d_.material_names.end() && !it->second.empty() ? it->second : id;
}

Table Builder::grades_table(const RunResult& r) const {
  Table t;
  t.header = {"Sector",        "Region",    "Grade", "Short from", "Peak shortfall",
              "Shortage days", "Unmet (t)", "Unmet", "Recovered",  "Lowest cover"};
  t.numeric = {false, false, false, false, true, true, true, true, false, true};
  t.nowrap.assign(t.header.size(), false);
  t.nowrap[3] = true;
  t.source = "summary.json";
  for (const auto* e : level_of(r, Level::Consumer)) {
    if (e->materials.size() < 2) continue;
    for (const auto& [mat, m] : e->materials) {
      EntityResult one = *e;
      one.metrics = m;
      auto rec = recovery_day(r, one);
      t.rows.push_back({sector_name(e->sector), name_.region(e->region), material_name(mat),
                        day_text(d_, m.time_to_shortage),
                        m.peak_shortfall > 0 ? format_percent(m.peak_shortfall) : "0 %",
                        std::to_string(m.shortage_days), format_significant(m.unmet_t, 3),
                        format_percent(m.unmet_fraction),
                        !short_in(one) ? "—"
                        : rec          ? to_string(st_.start + *rec)
                                       : "not by the end",
                        fmt::format("{} on {}", days(m.min_cover_days),
                                    to_string(st_.start + m.min_cover_day.value_or(0)))});
      t.highlight.push_back(short_in(one));
    }
  }
  return t;
}

Section Builder::tables() {
  Section s{"tables", "Results by sector and region", 2, true, {}};
  s.paragraph(
      "Every metric of every run; rows of consumers that run short are highlighted. Short from: "
      "the first day the shortfall reaches the threshold (— : no shortage within the horizon). "
      "Peak shortfall: the largest share of "
      "a day's demand unmet. Shortage days: days at or above the threshold. Unmet: demand lost "
      "over the horizon (or still back-ordered at its end), in tonnes of magnets and as a share "
      "of demand. Units lost: downstream units not built; where sectors make the same product "
      "in a region (e.g. vehicles) a unit is counted once, and a range gives that count and the "
      "plain sum. Value added lost (where the model gives margins): those units × their margin, "
      "the loss measure the findings quote; full value lost: those units at their full sales "
      "value, an upper bound on the economic loss. Recovered: the day the shortfall stays below "
      "the threshold for good, counted "
      "from the end of the last restriction upstream of the consumer (or the peak). Lowest "
      "cover: the smallest stock, in days of baseline demand (\"never fell\" when it never "
      "fell below its starting level).");
  for (const auto& r : d_.record.results.runs) {
    std::string what = r.combination.scenario ? "scenario " + *r.combination.scenario
                                              : std::string("baseline, no shock");
    if (!r.combination.mitigations.empty())
      what += ", mitigations " + join(r.combination.mitigations, ", ", 20);
    s.paragraph(fmt::format("Run {} ({}).", r.combination.id, what));
    for (const auto& n : r.notes) s.note("Note: " + n);
    // report.md keeps the consumer table of the runs without mitigations; the rest is in
    // report.html and metrics.csv.
    const bool brief = !r.combination.mitigations.empty();
    Table c = metrics_table(r, "consumer");
    c.caption = "Run " + r.combination.id + ": by sector and region";
    if (brief) c.md_rows = 0;
    if (!c.rows.empty()) s.table(std::move(c));
    Table g = grades_table(r);
    g.caption = "Run " + r.combination.id + ": by grade, for consumers of several grades";
    if (brief) g.md_rows = 0;
    if (!g.rows.empty()) s.table(std::move(g));
    Table sec = metrics_table(r, "sector");
    sec.caption = "Run " + r.combination.id + ": by sector (all regions)";
    sec.md_rows = 0;
    if (!sec.rows.empty()) s.table(std::move(sec));
    Table reg = metrics_table(r, "region");
    reg.caption = "Run " + r.combination.id + ": by region (all sectors)";
    reg.md_rows = 0;
    if (!reg.rows.empty()) s.table(std::move(reg));
  }
  return s;
}

int Builder::stage_column(const std::string& stage) {
  static const std::map<std::string, int> order = {
      {"mine", 0},  {"recycler", 0}, {"stockpile", 0}, {"refinery", 1},
      {"metal", 2}, {"magnet", 3},   {"component", 4}, {"consumer", 5}};
  auto it = order.find(stage);
  return it == order.end() ? 4 : it->second;
}

svg::FlowDiagram Builder::flow_diagram(std::size_t& country_count) const {
  // Nodes by (stage column, country); links by (from node, to node, material).
  std::map<int, std::string> column_names;
  std::map<std::string, double> country_total;
  std::vector<std::string> materials;
  std::vector<int> used_cols;
  for (const auto& f : d_.flows) {
    if (!(f.t_per_yr > 0)) continue;
    country_total[f.from_country] += f.t_per_yr;
    country_total[f.to_country] += f.t_per_yr;
    if (std::find(materials.begin(), materials.end(), f.material) == materials.end())
      materials.push_back(f.material);
    for (const auto& st : {f.from_stage, f.to_stage}) {
      int c = stage_column(st);
      if (std::find(used_cols.begin(), used_cols.end(), c) == used_cols.end())
        used_cols.push_back(c);
      auto& nm = column_names[c];
      if (nm.find(st) == std::string::npos) nm += (nm.empty() ? "" : " / ") + st;
    }
  }
  country_count = country_total.size();
  std::sort(used_cols.begin(), used_cols.end());
  auto col_index = [&](const std::string& stage) {
    return static_cast<int>(std::find(used_cols.begin(), used_cols.end(), stage_column(stage)) -
                            used_cols.begin());
  };
  // Countries ordered by total flow so each keeps a similar height in every column.
  std::vector<std::string> countries;
  for (const auto& [c, v] : country_total) countries.push_back(c);
  std::stable_sort(countries.begin(), countries.end(), [&](const auto& a, const auto& b) {
    return country_total[a] > country_total[b];
  });
  auto rank = [&](const std::string& c) {
    return std::find(countries.begin(), countries.end(), c) - countries.begin();
  };
  svg::FlowDiagram fd;
  for (int c : used_cols) fd.columns.push_back(column_names[c]);
  std::map<std::pair<int, std::string>, int> node_index;
  std::vector<std::pair<int, std::string>> node_keys;
  for (const auto& f : d_.flows)
    if (f.t_per_yr > 0)
      for (const auto& k : {std::make_pair(col_index(f.from_stage), f.from_country),
                            std::make_pair(col_index(f.to_stage), f.to_country)})
        if (!node_index.count(k)) node_index[k] = 0, node_keys.push_back(k);
  std::stable_sort(node_keys.begin(), node_keys.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : rank(a.second) < rank(b.second);
  });
  for (std::size_t i = 0; i < node_keys.size(); ++i) {
    node_index[node_keys[i]] = static_cast<int>(i);
    fd.nodes.push_back({name_.region(node_keys[i].second), node_keys[i].first});
  }
  const bool by_material = materials.size() <= svg::kPaletteSize;
  auto material_label = [&](std::size_t k) {
    auto it = d_.material_names.find(materials[k]);
    return it != d_.material_names.end() && !it->second.empty() ? it->second : materials[k];
  };
  std::map<std::tuple<int, int, int>, double> links;
  for (const auto& f : d_.flows) {
    if (!(f.t_per_yr > 0)) continue;
    int a = node_index[{col_index(f.from_stage), f.from_country}];
    int b = node_index[{col_index(f.to_stage), f.to_country}];
    int colour = by_material
                     ? static_cast<int>(std::find(materials.begin(), materials.end(), f.material) -
                                        materials.begin())
                     : col_index(f.from_stage);
    links[{a, b, colour}] += f.t_per_yr;
  }
  auto node = [&](int i) -> const svg::FlowNode& { return fd.nodes[static_cast<std::size_t>(i)]; };
  auto column = [&](int i) { return fd.columns[static_cast<std::size_t>(node(i).column)]; };
  for (const auto& [k, v] : links) {
    auto [a, b, colour] = k;
    if (node(a).column >= node(b).column) continue;
    std::string what = by_material ? material_label(static_cast<std::size_t>(colour)) : "";
    fd.links.push_back(
        {a, b, v, colour,
         fmt::format("{} {} → {} {}: {}{} t/yr", node(a).label, column(a), node(b).label, column(b),
                     what.empty() ? "" : what + ", ", format_significant(v, 3))});
  }
  if (by_material)
    for (std::size_t i = 0; i < materials.size(); ++i)
      fd.legend.push_back({material_label(i), static_cast<int>(i)});
  else
    for (std::size_t i = 0; i + 1 < fd.columns.size(); ++i)
      fd.legend.push_back({"from " + fd.columns[i], static_cast<int>(i)});
  return fd;
}

Table Builder::throughput_table(const svg::FlowDiagram& fd, std::vector<std::string>& alt) {
  Table t = make_table("Baseline throughput by stage and country",
                       {"Stage", "Throughput (t/yr)", "By country"}, {false, true, false});
  for (std::size_t c = 0; c < fd.columns.size(); ++c) {
    std::vector<std::pair<double, std::string>> v;
    double total = 0;
    for (std::size_t i = 0; i < fd.nodes.size(); ++i) {
      if (fd.nodes[i].column != static_cast<int>(c)) continue;
      double in = 0, outv = 0;
      for (const auto& l : fd.links) {
        if (l.to == static_cast<int>(i)) in += l.value;
        if (l.from == static_cast<int>(i)) outv += l.value;
      }
      double x = std::max(in, outv);
      total += x;
      v.emplace_back(x, fd.nodes[i].label);
    }
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<std::string> shares;
    for (const auto& [x, who] : v)
      if (total > 0) shares.push_back(fmt::format("{} {}", who, format_percent(x / total)));
    t.rows.push_back({fd.columns[c], format_significant(total, 3), join(shares, ", ", 8)});
    alt.push_back(fmt::format("{}: {}", fd.columns[c], join(shares, ", ", 3)));
  }
  return t;
}

std::vector<Section> Builder::flows() {
  std::vector<Section> out;
  if (!d_.has_flows) return out;
  Section s{"flows", "Baseline flows", 2, true, {}};
  std::size_t countries = 0;
  svg::FlowDiagram fd = flow_diagram(countries);
  if (countries == 0) {
    s.paragraph("The baseline carries no flow.");
    out.push_back(std::move(s));
    return out;
  }
  fd.height = std::clamp(180 + 26 * static_cast<int>(countries), 360, 760);
  std::vector<std::string> alt;
  Table t = throughput_table(fd, alt);
  fd.text = {chart_id(), "Baseline flows by stage and country",
             "Flow diagram of the baseline supply chain, stage by stage from left to right; box "
             "height is a country's share of the stage's tonnage. " +
                 join(alt, "; ", 10) + "."};
  s.paragraph(
      "How material moves in the baseline, before any shock: each column is a stage, each box a "
      "country (or, for consumers, a region), its height that country's share of the stage's "
      "tonnage; ribbons are shipments, their widths shares of what leaves and enters each box. "
      "Hover over a ribbon for its tonnage.");
  s.figure(figure("baseline-flows", fd.text.title, draw(fd)));
  s.table(std::move(t));
  out.push_back(std::move(s));
  return out;
}

namespace {

// Sums of \p run's origin record by region (first) and by sector (second).
std::pair<std::map<std::string, OriginSum>, std::map<std::string, OriginSum>> origin_sums(
    const RunResult& run) {
  const auto& o = *run.origin;
  const std::size_t K = o.keys.size();
  std::map<std::string, std::pair<std::string, std::string>> where;  // consumer: sector, region
  for (const auto& e : run.entities)
    if (e.level == Level::Consumer) where[e.id] = {e.sector, e.region};
  std::map<std::string, OriginSum> by_region, by_sector;
  for (std::size_t i = 0; i < o.consumers.size(); ++i) {
    auto it = where.find(o.consumers[i]);
    if (it == where.end()) continue;
    for (OriginSum* m : {&by_sector[it->second.first], &by_region[it->second.second]}) {
      m->by_key.resize(K, 0.0);
      m->exposed.resize(o.rules.size(), 0.0);
      for (std::size_t j = 0; j < o.consumed[i].size(); ++j) m->by_key[j % K] += o.consumed[i][j];
      for (std::size_t r = 0; r < o.rules.size(); ++r) m->exposed[r] += o.exposed[i][r];
      m->total += o.total[i];
      m->ordered += o.ordered[i];
    }
  }
  return {by_region, by_sector};
}

// "mine CN / refinery CN 73 %; ...": the three largest origins of \p m.
std::string main_origins(const OriginSum& m, const std::vector<std::string>& keys) {
  std::vector<std::size_t> order(keys.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return m.by_key[a] > m.by_key[b]; });
  std::string mix;
  for (std::size_t j = 0; j < std::min<std::size_t>(3, order.size()); ++j) {
    const double share = m.by_key[order[j]] / m.total;
    if (share < 0.005) break;
    mix += (mix.empty() ? "" : "; ") + keys[order[j]] + fmt::format(" {:.0f} %", 100 * share);
  }
  return mix;
}

}  // namespace

Table Builder::origin_table(bool regions, const std::map<std::string, OriginSum>& sums,
                            const analysis::OriginRecord& o) const {
  Table t = make_table(
      std::string("Origin of what was used over the horizon, by ") +
          (regions ? "region" : "sector") +
          " (tonnes of material; the three largest origins; each \"exposed to\" column is one "
          "rule on its own: rules can cover the same orders, so the columns do not add up)",
      {regions ? "Region" : "Sector", "Used (t)", "Main origins"}, {false, true, false});
  for (const auto& r : o.rules) {
    t.header.push_back("Exposed to " + r);
    t.numeric.push_back(true);
  }
  for (const auto& [id, m] : sums) {
    if (!(m.total > 0)) continue;
    std::vector<std::string> row = {regions ? name_.region(id) : sector_name(id),
                                    format_significant(m.total, 3), main_origins(m, o.keys)};
    for (double x : m.exposed)
      row.push_back(m.ordered > 0 ? fmt::format("{:.0f} %", 100 * x / m.ordered) : "–");
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::vector<Section> Builder::origins() {
  std::vector<Section> out;
  for (const auto& run : d_.record.results.runs) {
    if (!run.origin || !headline(run.combination.id)) continue;
    const auto [by_region, by_sector] = origin_sums(run);
    Section s{"origin-" + slug(run.combination.id, 40),
              "Origin of supply: " + name_.scenario(run.combination.id),
              2,
              false,
              {}};
    s.paragraph(
        "The engine traced the origin of every stock and shipment in this run (origins as "
        "mined in / separated in; stocks well mixed; docs/model.md, \"Origin tracking\"). "
        "\"Exposed to\" a rule is the share of what was ordered that was ordered on supplier "
        "edges the rule covered that day (exports whose origin content met its condition), so "
        "needing its licence or blocked by it. Monthly detail: timeseries/origin_mix.csv.");
    s.table(origin_table(true, by_region, *run.origin));
    s.table(origin_table(false, by_sector, *run.origin));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace rareshock::report::doc::detail
