// The report sections of the uncertainty analysis: Monte Carlo fans and quantiles, tornado,
// Sobol indices.
#include "rareshock/io/schema.hpp"
#include "report_builder.hpp"

namespace rareshock::report::doc::detail {

std::vector<Section> Builder::uncertainty() {
  std::vector<Section> out;
  if (!has_mc() && unc_.tornado.empty() && unc_.sobol.empty()) return out;
  Section s{"uncertainty", "Uncertainty", 2, true, {}};
  if (has_mc())
    s.paragraph(fmt::format(
        "Monte Carlo: {} draws of the uncertain parameters (seed {}). Fans show the P10–P90 "
        "(dark) and P5–P95 (light) range of the daily shortfall and the median (line); the "
        "deterministic run (distributions at their means) is dashed. Fans are drawn for the "
        "scenarios without mitigations, for the first sectors in regions of the shortfall "
        "charts (which shade the same P10–P90 range); the tables cover every run; "
        "timeseries/fans.csv has the fans of every sector in each region of those scenarios.",
        st_.draws, st_.seed));
  if (unc_.partial)
    s.note(fmt::format("The Monte Carlo run was interrupted: these results use {} of {} draws.",
                       st_.draws, unc_.draws_requested));
  out.push_back(std::move(s));
  for (const auto& r : d_.record.results.runs)
    if (d_.mc_draws(r) > 0) out.push_back(monte_carlo(r));
  if (!unc_.tornado.empty()) out.push_back(tornado());
  if (!unc_.sobol.empty()) out.push_back(sobol());
  return out;
}

void Builder::fan_charts(Section& sub, const RunResult& r) {
  const int mc_draws = d_.mc_draws(r);
  // Fans of the sectors in regions the shortfall chart shows (focus first, then the worst
  // hit; sectors over all regions when the run directory has no consumer series).
  std::vector<const EntityResult*> entities = chart_entities(r);
  if (entities.empty()) entities = level_of(r, Level::Sector);  // no daily series at all
  std::size_t charts = 0;
  for (const auto* e : entities) {
    const analysis::McEntity* mc = d_.monte_carlo(r, *e);
    if (!mc || !mc->has_fan || charts >= kMaxMitigationCharts) continue;
    if (!(mc->probability_of_shortage > 0) && !short_in(*e)) continue;
    ++charts;
    svg::LineChart c;
    c.x.origin = st_.start;
    c.y = {"shortfall (% of demand)", svg::Axis::Kind::Percent, {}, {}, {}};
    c.bands.push_back({"P5–P95", mc->fan[0], mc->fan[4], 0, 0.15});  // fan: P5 P10 P50 P90 P95
    c.bands.push_back({"P10–P90", mc->fan[1], mc->fan[3], 0, 0.3});
    c.lines.push_back({"median", mc->fan[2], 6, false});
    if (const Series* ser = series_of(r, *e))
      c.lines.push_back({"deterministic", ser->shortfall_fraction, 1, true});
    if (r.combination.scenario) c.markers = markers_of(d_, *r.combination.scenario);
    std::string alt =
        fmt::format("Probability of a shortage {}.", format_percent(mc->probability_of_shortage));
    c.text = {chart_id(), fmt::format("{}: shortfall fan — {}", chart_label(*e), r.combination.id),
              fmt::format("Fan chart of the daily shortfall of {} under {} over {} Monte Carlo "
                          "draws. {}",
                          chart_label(*e), r.combination.id, mc_draws, alt)};
    sub.figure(figure("fan-" + r.combination.id + "-" + e->id, c.text.title + ". " + alt, draw(c)));
  }
}

Section Builder::monte_carlo(const RunResult& r) {
  Section sub{
      "uncertainty-" + slug(r.combination.id), "Monte Carlo — " + r.combination.id, 3, false, {}};
  bool charts = headline(r.combination.id);
  const int mc_draws = d_.mc_draws(r);
  if (charts) fan_charts(sub, r);
  // Time to shortage distributions and a table of quantiles.
  svg::QuantileChart q;
  q.x = {"time to shortage (date)", svg::Axis::Kind::Day, st_.start, {}, {}};
  // Value added lost where the model gives margins (summarised over the draws), else the
  // full sales value (an upper bound).
  bool margins = false;
  for (const Level level : {Level::Consumer, Level::Sector})
    for (const auto* e : level_of(r, level))
      if (const analysis::McEntity* mc = d_.monte_carlo(r, *e))
        margins |= mc_metric(*mc, Metric::MarginLostUsd) != nullptr;
  Table t =
      make_table(fmt::format("Monte Carlo results — {} ({} draws; P10 / median / P90)",
                             r.combination.id, mc_draws),
                 {"Consumer", "P(shortage)", "Short from", "Peak shortfall", "Unmet t",
                  margins ? "Value added lost" : "Value lost (full sales value, upper bound)"},
                 {false, true, false, true, true, true});
  t.source = "summary.json";
  if (!headline(r.combination.id)) t.md_rows = 0;  // runs with mitigations: report.html
  for (const Level level : {Level::Consumer, Level::Sector})
    for (const auto* e : level_of(r, level)) {
      const analysis::McEntity* mcp = d_.monte_carlo(r, *e);
      if (!mcp) continue;
      const auto& mc = *mcp;
      auto metric = [&](Metric k) { return mc_metric(mc, k); };
      auto three = [&](Metric k, auto f) -> std::string {
        const analysis::QuantileSummary* x = metric(k);
        if (!x) return "—";
        return fmt::format("{} / {} / {}", f(x->p10), f(x->p50), f(x->p90));
      };
      auto day = [&](double v) {
        return std::isfinite(v) ? to_string(st_.start + static_cast<int>(std::lround(v)))
                                : std::string("—");
      };
      std::string label =
          level == Level::Sector ? sector_name(e->id) + " (all regions)" : name_.entity(*e);
      bool any = mc.probability_of_shortage > 0;
      if (!any && !short_in(*e)) continue;
      t.rows.push_back({label, format_percent(mc.probability_of_shortage),
                        any ? three(Metric::TimeToShortage, day) : "—",
                        three(Metric::PeakShortfall, [](double v) { return format_percent(v); }),
                        three(Metric::UnmetT, [](double v) { return format_significant(v, 3); }),
                        margins ? three(Metric::MarginLostUsd, format_usd)
                                : three(Metric::ValueLostUsd, format_usd)});
      t.highlight.resize(t.rows.size(), false);
      t.highlight.back() = any;
      const analysis::QuantileSummary* tts = metric(Metric::TimeToShortage);
      if (charts && level == Level::Consumer && tts && any && std::isfinite(tts->p50))
        q.rows.push_back(
            {label, tts->p5, tts->p10, tts->p50, tts->p90, tts->p95,
             std::isfinite(tts->mean) ? std::optional<double>(tts->mean) : std::nullopt,
             "P(short) " + format_percent(mc.probability_of_shortage)});
    }
  if (!q.rows.empty()) {
    q.text = {chart_id(), "Time to shortage — " + r.combination.id,
              fmt::format("Distribution of the first day of shortage of each consumer that runs "
                          "short in some draws under {} (over the draws with a shortage): box "
                          "P10–P90, whiskers P5–P95, median line, mean dot; at the right the "
                          "probability of a shortage.",
                          r.combination.id)};
    sub.figure(figure("time-to-shortage-" + r.combination.id, q.text.title, draw(q)));
  }
  if (!t.rows.empty())
    sub.table(std::move(t));
  else
    sub.paragraph(fmt::format("No consumer runs short in any of the {} draws.", mc_draws));
  return sub;
}

std::string Builder::param_value(const std::string& path, double v) {
  if (!std::isfinite(v)) return "—";
  const Dimension dim = io::schema::dimension_of_path(path);
  auto ends_with = [&](std::string_view tail) {
    return path.size() >= tail.size() &&
           path.compare(path.size() - tail.size(), tail.size(), tail) == 0;
  };
  if (dim == Dimension::Fraction) return format_percent(v);
  // An event's start or end drawn as an offset: days after the time written.
  if (dim == Dimension::Duration || ends_with(".start") || ends_with(".end")) return days(v);
  const std::string unit = canonical_unit(dim);
  return format_significant(v, 3) + (unit.empty() ? "" : " " + unit);
}

std::string Builder::param_unit(const std::string& path) {
  const Dimension dim = io::schema::dimension_of_path(path);
  auto ends_with = [&](std::string_view tail) {
    return path.size() >= tail.size() &&
           path.compare(path.size() - tail.size(), tail.size(), tail) == 0;
  };
  if (dim == Dimension::Fraction) return "%";
  if (dim == Dimension::Duration || ends_with(".start") || ends_with(".end")) return "days";
  return canonical_unit(dim);
}

std::string Builder::param_label(const analysis::TornadoParam& p) {
  if (p.members.empty()) return short_path(p.path);
  const std::string name = p.path.rfind("group:", 0) == 0 ? p.path.substr(6) : p.path;
  return fmt::format("group {} ({} parameters)", name, p.members.size());
}

std::string Builder::param_range(const analysis::TornadoParam& p) {
  if (p.members.empty()) return param_value(p.path, p.low) + " → " + param_value(p.path, p.high);
  // A group: one shared uniform at 0.1 and 0.9 puts every member at its own P10 and P90.
  std::set<std::string> ranges, units;
  for (const auto& m : p.members) {
    ranges.insert(param_value(m.path, m.low) + " → " + param_value(m.path, m.high));
    units.insert(param_unit(m.path));
  }
  if (ranges.size() == 1) return *ranges.begin() + " (each)";
  const std::string unit =
      units.size() == 1 && !units.begin()->empty() ? ", in " + *units.begin() : std::string();
  return "each at its own P10 → P90" + unit + " (shared uniform; members listed below)";
}

Table Builder::tornado_table(const std::string& run) const {
  Table t = make_table(
      fmt::format("Tornado — {}: each uncertain parameter at its P10 (low) and P90 (high), the "
                  "others as written; largest swing first",
                  run),
      {"Sector / consumer", "Metric", "Base", "Parameter", "Low → high", "Metric at low",
       "Metric at high"},
      {false, false, true, false, true, true, true});
  for (const auto& te : unc_.tornado) {
    if (te.run != run) continue;
    for (const auto& p : te.params) {
      if (!(swing(p) > 0)) continue;
      const std::string unit = unit_of(te.level, te.id);
      t.rows.push_back({entity_name(te.level, te.id), metric_noun(te.metric),
                        metric_text(te.metric, te.base, unit), param_label(p), param_range(p),
                        metric_text(te.metric, p.metric_low, unit),
                        metric_text(te.metric, p.metric_high, unit)});
    }
  }
  return t;
}

Table Builder::tornado_groups() const {
  Table t = make_table(
      "Grouped parameters of the tornado: one shared uniform number moves every member to the "
      "same quantile of its own distribution (low: P10, high: P90)",
      {"Group", "Parameter", "Low (P10)", "High (P90)"}, {false, false, true, true});
  std::set<std::string> seen;
  for (const auto& te : unc_.tornado)
    for (const auto& p : te.params) {
      if (p.members.empty() || !seen.insert(p.path).second) continue;
      // Only groups whose members have different ranges: the others read "(each)" above.
      std::set<std::string> ranges;
      for (const auto& m : p.members)
        ranges.insert(param_value(m.path, m.low) + " → " + param_value(m.path, m.high));
      if (ranges.size() == 1) continue;
      const std::string group = p.path.rfind("group:", 0) == 0 ? p.path.substr(6) : p.path;
      for (const auto& m : p.members)
        t.rows.push_back(
            {group, short_path(m.path), param_value(m.path, m.low), param_value(m.path, m.high)});
    }
  return t;
}

Section Builder::tornado() {
  Section sub{"tornado", "Sensitivity: one parameter at a time (tornado)", 3, false, {}};
  sub.paragraph(
      "Each uncertain parameter (or group) in turn at the P10 and the P90 of its distribution, "
      "the others as written in the study; a group (parameters sharing one uniform number) "
      "moves all its members at once, each to the P10 and the P90 of its own distribution. "
      "One table per scenario without mitigations, listing "
      "every parameter that moves a metric, with the parameter's values and the metric's at "
      "each; a time to shortage at the end of the horizon reads \"no shortage within the "
      "horizon\". The last table lists the strongest parameter of the runs with mitigations.");
  std::vector<std::string> runs;
  std::size_t flat = 0;
  Table others = make_table(
      "Strongest parameter per run with mitigations, entity and metric",
      {"Run", "Sector / consumer", "Metric", "Base", "Strongest parameter", "At low", "At high"},
      {false, false, false, true, false, true, true});
  for (const auto& te : unc_.tornado) {
    if (te.params.empty() || !(swing(te.params.front()) > 0)) {
      flat += !te.params.empty();
      continue;
    }
    if (headline(te.run)) {
      if (std::find(runs.begin(), runs.end(), te.run) == runs.end()) runs.push_back(te.run);
      continue;
    }
    const analysis::TornadoParam& top = te.params.front();
    const std::string unit = unit_of(te.level, te.id);
    others.rows.push_back({te.run, entity_name(te.level, te.id), metric_noun(te.metric),
                           metric_text(te.metric, te.base, unit), param_label(top),
                           metric_text(te.metric, top.metric_low, unit),
                           metric_text(te.metric, top.metric_high, unit)});
  }
  for (const auto& r : runs) sub.table(tornado_table(r));
  if (!others.rows.empty()) sub.table(std::move(others));
  if (Table g = tornado_groups(); !g.rows.empty()) sub.table(std::move(g));
  if (flat > 0)
    sub.paragraph(fmt::format("In {} other case{} no parameter moves the metric.", flat,
                              flat == 1 ? "" : "s"));
  return sub;
}

Section Builder::sobol() {
  constexpr std::size_t kMaxCharts = 8;
  Section sub{"sobol", "Sensitivity: variance-based (Sobol) indices", 3, false, {}};
  sub.paragraph(
      "Share of the metric's variance due to each parameter alone (first order, S1) and with "
      "its interactions (total, ST), with 95 % bootstrap intervals.");
  std::size_t charts = 0;
  std::vector<std::string> flat;
  for (const auto& se : unc_.sobol) {
    bool varies = false;
    for (const auto& [factor, f] : se.factors)
      varies |= (std::isfinite(f.st) && f.st != 0) || (std::isfinite(f.s1) && f.s1 != 0);
    if (!varies) {
      flat.push_back(fmt::format("{} of {} under {}", metric_noun(se.metric),
                                 entity_name(se.level, se.id), se.run));
      continue;
    }
    Table t = make_table(fmt::format("Sobol indices — {} of {} under {}", metric_noun(se.metric),
                                     entity_name(se.level, se.id), se.run),
                         {"Parameter", "S1", "S1 95 % interval", "ST", "ST 95 % interval"},
                         {false, true, true, true, true});
    svg::BarChart b;
    b.x = {"share of variance", svg::Axis::Kind::Percent, {}, 0.0, std::nullopt};
    b.series = {"first order (S1)", "total (ST)"};
    bool any = false;
    for (const auto& [factor, f] : se.factors) {
      auto ci = [](double lo, double hi) {
        return std::isfinite(lo) ? fmt::format("{} to {}", format_percent(lo), format_percent(hi))
                                 : std::string("—");
      };
      t.rows.push_back({factor, format_percent(f.s1), ci(f.s1_lo, f.s1_hi), format_percent(f.st),
                        ci(f.st_lo, f.st_hi)});
      b.groups.push_back({factor, {f.s1, f.st}});
      any |= std::isfinite(f.st) && f.st > 0;
    }
    if (headline(se.run) && any && charts < kMaxCharts) {
      ++charts;
      b.text = {chart_id(),
                fmt::format("Sobol indices: {} of {} — {}", metric_noun(se.metric),
                            entity_name(se.level, se.id), se.run),
                fmt::format("Bar chart of the first-order and total Sobol indices of {} of {} "
                            "under {} for each uncertain parameter.",
                            metric_noun(se.metric), entity_name(se.level, se.id), se.run)};
      sub.figure(figure("sobol-" + se.run + "-" + se.id + "-" + std::string(to_string(se.metric)),
                        b.text.title, draw(b)));
    }
    sub.table(std::move(t));
  }
  if (!flat.empty())
    sub.paragraph("The metric does not vary over the samples (all indices 0) for: " +
                  join(flat, "; ", 30) + ".");
  return sub;
}

std::string Builder::metric_noun(Metric metric) {
  std::string label = metric_label(metric);
  auto p = label.find(" (");
  return p == std::string::npos ? label : label.substr(0, p);
}

}  // namespace rareshock::report::doc::detail
