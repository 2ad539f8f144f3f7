// What the report says: the findings in sentences, the tables and the charts, built from a
// run directory's data. Formatting for HTML or Markdown happens elsewhere (document.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "document.hpp"
#include "rareshock/core/build_info.hpp"
#include "rareshock/core/text.hpp"
#include "rareshock/model/metric.hpp"
#include "rareshock/report/markup.hpp"
#include "rareshock/report/svg_chart.hpp"

namespace rareshock::report::doc {

namespace {

using analysis::EntityResult;
using analysis::Level;
using analysis::RunResult;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const analysis::UncertaintyResult kNoUncertainty;
constexpr std::size_t kMaxSentencesPerScenario = 6;
constexpr int kChartWidth = 960;

// ---- names and numbers -------------------------------------------------------------------

/// "ev_traction" -> "EV traction".
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

class Namer {
 public:
  explicit Namer(const RunData& d) : d_(d) {}
  std::string region(const std::string& id) const { return d_.name_of(id); }
  std::string entity(const EntityResult& e) const {
    if (e.level == Level::Sector) return sector_name(e.id);
    if (e.level == Level::Region) return region(e.id);
    if (e.sector.empty()) return d_.name_of(e.id);
    return sector_name(e.sector) + " in " + region(e.region);
  }
  std::string scenario(const std::string& id) const {
    for (const auto& s : d_.scenarios)
      if (s.id == id && !s.name.empty()) return s.name;
    return id;
  }

 private:
  const RunData& d_;
};

std::string day_text(const RunData& d, int day) {
  return fmt::format("{} (day {})", to_string(d.record.study.start + day), day);
}
std::string day_text(const RunData& d, const std::optional<int>& day) {
  return day ? day_text(d, *day) : std::string("—");
}
std::string days(double n) {
  return format_significant(n, 3) + (std::fabs(n) == 1 ? " day" : " days");
}
Table make_table(std::string caption, std::vector<std::string> header,
                 std::vector<bool> numeric = {}) {
  Table t;
  t.caption = std::move(caption);
  t.header = std::move(header);
  t.numeric = std::move(numeric);
  return t;
}

/// A mitigated run's name without its scenario: "us-stockpile-release", "all-mitigations".
std::string mitigation_label(const RunResult& r) {
  const Combination& c = r.combination;
  if (c.scenario && c.id.size() > c.scenario->size() + 1 && c.id.rfind(*c.scenario + "+", 0) == 0)
    return c.id.substr(c.scenario->size() + 1);
  return c.mitigations.empty() ? c.id : join(c.mitigations, " + ", 100);
}

/// Counts for sentences: "49,900", "1.45 million".
std::string format_count(double n) {
  if (std::fabs(n) >= 1e9) return format_significant(n / 1e9, 3) + " billion";
  if (std::fabs(n) >= 1e6) return format_significant(n / 1e6, 3) + " million";
  return format_significant(std::fabs(n) >= 10 ? std::round(n) : n, 3);
}

/// Day of recovery: reference (run or the entity's peak) + time_to_recover.
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

// ---- run structure -----------------------------------------------------------------------

struct ScenarioRuns {
  std::string scenario;
  const RunResult* base = nullptr;          ///< the scenario alone
  std::vector<const RunResult*> mitigated;  ///< the scenario with mitigations
};

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

/// Event starts (and ends) of a scenario, as chart markers.
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

// ---- the builder -------------------------------------------------------------------------

class Builder {
 public:
  explicit Builder(const RunData& d)
      : d_(d),
        st_(d.record.study),
        unc_(d.record.uncertainty ? *d.record.uncertainty : kNoUncertainty),
        name_(d),
        groups_(group_runs(d)) {}

  Document build() {
    Document doc;
    doc.title = st_.name.empty() ? "rareshock report" : st_.name;
    doc.subtitle = trim(st_.description);
    doc.generator = std::string("rareshock ") + build::version();
    doc.sections.push_back(overview());
    doc.sections.push_back(summary());
    if (!d_.scenarios.empty() || !d_.record.results.runs.empty())
      doc.sections.push_back(scenarios());
    add(doc, shortfall());
    add(doc, mitigations());
    add(doc, uncertainty());
    add(doc, observed());
    doc.sections.push_back(tables());
    add(doc, flows());
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

 private:
  const RunData& d_;
  const StudyInfo& st_;
  const analysis::UncertaintyResult& unc_;
  Namer name_;
  std::vector<ScenarioRuns> groups_;
  int figure_no_ = 0;

  static void add(Document& doc, std::vector<Section> s) {
    for (auto& x : s) doc.sections.push_back(std::move(x));
  }

  /// Charts are drawn at the report's column width.
  template <class Chart>
  static std::string draw(Chart c) {
    c.width = kChartWidth;
    return svg::render(c);
  }

  Figure figure(const std::string& id, const std::string& caption, const std::string& svg) {
    return {fmt::format("{:02}-{}", ++figure_no_, slug(id, 40)), caption, svg};
  }
  std::string chart_id() const { return fmt::format("{:02}", figure_no_ + 1); }

  bool has_mc() const {
    for (const auto& r : d_.record.results.runs)
      if (d_.mc_draws(r) > 0) return true;
    return false;
  }

  // ---- overview --------------------------------------------------------------------------

  Section overview() {
    Section s{"study", "Study", 2, false, {}};
    std::vector<std::string> runs;
    for (const auto& r : d_.record.results.runs) runs.push_back(r.combination.id);
    std::string produced = "rareshock " + d_.record.tool.version;
    if (!d_.git_sha.empty()) produced += fmt::format(" ({})", d_.git_sha);
    if (!d_.finished.empty()) produced += ", " + d_.finished;
    std::vector<std::pair<std::string, std::string>> t = {
        {"Model", d_.base_year.empty() ? st_.model
                                       : fmt::format("{}, base year {}", st_.model, d_.base_year)},
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

  // ---- model vs observed -----------------------------------------------------------------

  std::vector<Section> observed() {
    std::vector<Section> out;
    if (d_.record.observed.empty()) return out;
    Section s{"observed", "Model vs observed", 2, true, {}};
    s.paragraph(
        "Observed series named by the study, against the modelled trade aggregate each one "
        "matches (tonnes per period; error = modelled − observed). Fit statistics over every "
        "observed period inside the study window, and over the calibration windows where the "
        "study defines them.");
    Table fits = make_table(
        "Fit statistics",
        {"Series", "Run", "Window", "n", "Bias", "MAE", "RMSE", "Relative RMSE", "Correlation"},
        {false, false, false, true, true, true, true, true, true});
    for (const auto& o : d_.record.observed) {
      for (const auto& r : o.fits)
        for (auto [name, f] : {std::pair<const char*, const analysis::FitStats*>{"all", &r.all},
                               {"training", r.training ? &*r.training : nullptr},
                               {"validation", r.validation ? &*r.validation : nullptr}}) {
          if (!f || f->n == 0) continue;
          const analysis::FitStats& x = *f;
          std::string window = name;
          auto span = [](const DateWindow& w) {
            return " (" + to_string(w.from) + " to " + to_string(w.to) + ")";
          };
          if (window == "training" && o.training) window += span(*o.training);
          if (window == "validation" && o.validation) window += span(*o.validation);
          fits.rows.push_back({o.id, r.run, window, std::to_string(x.n), format_tonnes(x.bias),
                               format_tonnes(x.mae), format_tonnes(x.rmse),
                               format_percent(x.relative_rmse),
                               x.correlation && std::isfinite(*x.correlation)
                                   ? fmt::format("{:.2f}", *x.correlation)
                                   : std::string("–")});
        }
    }
    for (const auto& o : d_.record.observed) {
      Section sub{"observed-" + slug(o.id), o.id, 3, false, {}};
      std::string what = fmt::format("Modelled: tonnes {} per {}", o.measure, o.period);
      if (!o.source_file.empty()) what += "; observed: " + o.source_file;
      sub.paragraph(what + ".");
      for (const auto& n : o.notes) sub.note(n);
      if (o.fits.empty() || o.fits.front().periods.empty()) {
        sub.paragraph("No observation falls inside the study window.");
        out.push_back(std::move(sub));
        continue;
      }
      // Chart: observed dots at the middle of each period, each run's modelled total as a
      // step over the days of its period.
      svg::LineChart c;
      c.x.origin = st_.start;
      c.y = {"tonnes per " + o.period, svg::Axis::Kind::Number, {}, 0.0, {}};
      const int days = st_.horizon_days;
      svg::Line obs{"observed", std::vector<double>(static_cast<std::size_t>(days), kNaN), 6, false,
                    true};
      for (const auto& p : o.fits.front().periods) {
        int mid = ((p.first - st_.start) + (p.last - st_.start)) / 2;
        if (mid >= 0 && mid < days) obs.y[static_cast<std::size_t>(mid)] = p.observed;
      }
      for (std::size_t i = 0; i < o.fits.size(); ++i) {
        svg::Line line{"modelled: " + o.fits[i].run,
                       std::vector<double>(static_cast<std::size_t>(days), kNaN),
                       static_cast<int>(i), false, false};
        for (const auto& p : o.fits[i].periods)
          for (int dd = p.first - st_.start; dd <= p.last - st_.start; ++dd)
            if (dd >= 0 && dd < days) line.y[static_cast<std::size_t>(dd)] = p.modelled;
        c.lines.push_back(std::move(line));
      }
      c.lines.push_back(std::move(obs));
      c.text = {chart_id(), "Model vs observed: " + o.id,
                fmt::format("Line chart of {} per {}: observed values as dots, the modelled "
                            "total of each compared run as a line over each period.",
                            o.id, o.period)};
      sub.figure(figure("observed-" + o.id, c.text.title, draw(c)));
      std::vector<std::string> header = {"Period", "Observed"};
      std::vector<bool> numeric = {false, true};
      for (const auto& r : o.fits) {
        header.push_back("Modelled: " + r.run);
        header.push_back("Error");
        numeric.push_back(true);
        numeric.push_back(true);
      }
      Table t = make_table(o.id + ": observed and modelled per period", header, numeric);
      t.nowrap = std::vector<bool>(header.size(), false);
      t.nowrap[0] = true;
      const auto& first = o.fits.front().periods;
      for (std::size_t k = 0; k < first.size(); ++k) {
        std::vector<std::string> row = {first[k].period, format_tonnes(first[k].observed)};
        for (const auto& r : o.fits) {
          if (k < r.periods.size()) {
            row.push_back(format_tonnes(r.periods[k].modelled));
            row.push_back(format_tonnes(r.periods[k].modelled - r.periods[k].observed));
          } else {
            row.push_back("–");
            row.push_back("–");
          }
        }
        t.rows.push_back(std::move(row));
      }
      sub.table(std::move(t));
      out.push_back(std::move(sub));
    }
    s.table(std::move(fits));
    out.insert(out.begin(), std::move(s));
    return out;
  }

  // ---- executive summary -----------------------------------------------------------------

  std::string mc_range(const RunResult& r, const EntityResult& e) const {
    const analysis::McEntity* mc = d_.monte_carlo(r, e);
    const analysis::QuantileSummary* q = mc ? mc_metric(*mc, Metric::TimeToShortage) : nullptr;
    if (!q || !std::isfinite(q->p10) || !std::isfinite(q->p90)) return {};
    return fmt::format("; P10–P90: day {:.0f}–{:.0f}", q->p10, q->p90);
  }

  /// What mitigated run \p m does to entity \p e's shortage.
  std::string mitigation_effect(const EntityResult& e, const RunResult& m) const {
    const EntityResult* me = find_entity(m, e.level, e.id);
    std::string who = mitigation_label(m);
    if (!me) return {};
    if (!short_in(*me)) return who + " avoids the shortage";
    int delta = *me->metrics.time_to_shortage - *e.metrics.time_to_shortage;
    std::string out;
    if (delta > 0)
      out = fmt::format("{} delays it by {} (to {})", who, days(delta),
                        to_string(st_.start + *me->metrics.time_to_shortage));
    else if (delta < 0)
      out = fmt::format("{} brings it forward by {}", who, days(-delta));
    else
      out = who + " does not delay it";
    if (e.metrics.unmet_t > 0) {
      double change = me->metrics.unmet_t / e.metrics.unmet_t - 1;
      if (change <= -0.005)
        out += fmt::format(" and cuts unmet demand by {}", format_percent(-change));
      else if (change >= 0.005)
        out += fmt::format(" and raises unmet demand by {}", format_percent(change));
    }
    return out;
  }

  std::string shortage_sentence(const ScenarioRuns& g, const EntityResult& e,
                                bool with_mitigations) const {
    const auto& m = e.metrics;
    std::string out =
        fmt::format("{} runs short on {} (day {}{}) under {}; peak shortfall {}", name_.entity(e),
                    to_string(st_.start + *m.time_to_shortage), *m.time_to_shortage,
                    mc_range(*g.base, e), g.scenario, format_percent(m.peak_shortfall));
    if (m.peak_day) out += " on " + to_string(st_.start + *m.peak_day);
    out += fmt::format("; {} unmet ({} of demand)", format_tonnes(m.unmet_t),
                       format_percent(m.unmet_fraction));
    if (m.units_lost > 0)
      out += fmt::format(
          "; about {} {} at risk ({} at full value{})", format_count(m.units_lost),
          e.unit_name.empty() ? "units" : e.unit_name, format_usd(m.value_lost_usd),
          m.margin_lost_usd ? ", " + format_usd(*m.margin_lost_usd) + " of margin" : std::string());
    else if (m.value_lost_usd > 0)
      out += fmt::format("; {} of output at risk", format_usd(m.value_lost_usd));
    if (auto rec = recovery_day(*g.base, e))
      out += "; recovers by " + to_string(st_.start + *rec);
    else
      out += "; no recovery by " + to_string(st_.end());
    std::vector<std::string> effects;
    for (const RunResult* mr : with_mitigations ? g.mitigated : std::vector<const RunResult*>{}) {
      std::string eff = mitigation_effect(e, *mr);
      if (!eff.empty()) effects.push_back(eff);
    }
    if (!effects.empty()) out += "; " + join(effects, "; ", 20);
    return out + ".";
  }

  Section summary() {
    Section s{"summary", "Key findings", 2, false, {}};
    s.paragraph(fmt::format(
        "{} run{} over {} days from {}. A consumer (a sector in a region) counts as short on a "
        "day when at least {} of its demand goes unmet; dates are calendar days, day 0 = {}.",
        d_.record.results.runs.size(), d_.record.results.runs.size() == 1 ? "" : "s",
        st_.horizon_days, to_string(st_.start), format_percent(st_.shortage_threshold),
        to_string(st_.start)));
    std::vector<std::string> items;
    for (const auto& r : d_.record.results.runs) {
      if (r.combination.scenario || !r.combination.mitigations.empty()) continue;
      std::vector<std::string> short_ones;
      for (const auto* e : level_of(r, Level::Consumer))
        if (short_in(*e)) short_ones.push_back(name_.entity(*e));
      if (short_ones.empty())
        items.push_back(
            fmt::format("Baseline ({}): no shortage anywhere without a shock.", r.combination.id));
      else
        items.push_back(fmt::format(
            "Baseline ({}): {} run{} short even without a shock — check the model's capacities "
            "and stocks.",
            r.combination.id, join(short_ones, ", ", 8), short_ones.size() == 1 ? "s" : ""));
    }
    s.bullets(std::move(items));
    for (const auto& g : groups_) scenario_findings(s, g);
    items.clear();
    for (const auto& sc : ranking_scenarios()) {
      // The best package per sector, grouped: "all-mitigations for EV traction (USD 42.6 bn), ...".
      std::vector<std::pair<std::string, std::vector<std::string>>> best;
      for (const auto& mr : unc_.ranking) {
        if (mr.scenario != sc || mr.ranking.empty()) continue;
        const analysis::RankingEntry& top = mr.ranking.front();
        std::string amount = top.value_avoided_usd.mean > 0 ? format_usd(top.value_avoided_usd.mean)
                             : top.unmet_t_avoided.mean > 0
                                 ? format_tonnes(top.unmet_t_avoided.mean) + " less unmet"
                                 : std::string();
        if (amount.empty()) continue;
        std::string who = score_label(top, sc);
        auto it =
            std::find_if(best.begin(), best.end(), [&](const auto& x) { return x.first == who; });
        if (it == best.end()) it = best.insert(best.end(), {who, {}});
        it->second.push_back(fmt::format("{} ({})", entity_name(mr.level, mr.id), amount));
      }
      std::vector<std::string> parts;
      for (const auto& [who, sectors] : best)
        parts.push_back(fmt::format("{} for {}", who, join(sectors, ", ", 12)));
      if (!parts.empty())
        items.push_back(
            fmt::format("Under {}, the most effective mitigation by value at risk avoided{} is {}.",
                        sc, st_.draws > 0 ? " (mean over the draws)" : "", join(parts, "; ", 10)));
    }
    for (const auto* t : top_tornado(3)) {
      const analysis::TornadoParam& top = t->params.front();
      items.push_back(fmt::format(
          "Under {}, the {} of {} is most sensitive to {} ({} at its low value, {} at its high "
          "value; base {}).",
          t->run, metric_noun(t->metric), entity_name(t->level, t->id), short_path(top.path),
          metric_text(t->metric, top.metric_low), metric_text(t->metric, top.metric_high),
          metric_text(t->metric, t->base)));
    }
    if (d_.structure) items.push_back(structure_sentence(*d_.structure));
    if (!d_.record.results.warnings.empty())
      items.push_back(fmt::format("The run reported {} warning{} (listed under Provenance).",
                                  d_.record.results.warnings.size(),
                                  d_.record.results.warnings.size() == 1 ? "" : "s"));
    s.bullets(std::move(items));
    return s;
  }

  /// Per scenario: a headline, the consumers that run short (earliest first), consumers short
  /// only in some Monte Carlo draws, and what each mitigation package does overall.
  void scenario_findings(Section& s, const ScenarioRuns& g) const {
    const RunResult* base = g.base;
    if (!base) {
      std::vector<std::string> items;
      for (const RunResult* m : g.mitigated)
        items.push_back(fmt::format("{}: {}", m->combination.id, run_total_sentence(*m)));
      s.bullets(std::move(items));
      return;
    }
    std::vector<const EntityResult*> shorts;
    std::size_t consumers = 0;
    for (const auto* e : level_of(*base, Level::Consumer)) {
      ++consumers;
      if (short_in(*e)) shorts.push_back(e);
    }
    std::stable_sort(shorts.begin(), shorts.end(), [](const auto* a, const auto* b) {
      return *a->metrics.time_to_shortage < *b->metrics.time_to_shortage;
    });
    std::string title = name_.scenario(g.scenario);
    std::string head = title == g.scenario ? "Under " + g.scenario
                                           : fmt::format("Under {} ({})", g.scenario, title);
    if (shorts.empty()) {
      s.paragraph(head + ": " + no_shortage_sentence(*base));
    } else {
      s.paragraph(
          fmt::format("{}: {} of {} sector–region pairs run short within the horizon, the "
                      "first on {}. {}",
                      head, shorts.size(), consumers,
                      to_string(st_.start + *shorts.front()->metrics.time_to_shortage),
                      run_total_sentence(*base)));
    }
    std::vector<std::string> items;
    bool per_consumer_mitigations = g.mitigated.size() <= 2;
    for (std::size_t i = 0; i < shorts.size() && i < kMaxSentencesPerScenario; ++i)
      items.push_back(shortage_sentence(g, *shorts[i], per_consumer_mitigations));
    if (shorts.size() > kMaxSentencesPerScenario)
      items.push_back(fmt::format("{} more sector–region pairs run short (see the tables).",
                                  shorts.size() - kMaxSentencesPerScenario));
    for (const auto* e : level_of(*base, Level::Consumer))
      if (auto sentence = supply_sentence(*e); !sentence.empty()) items.push_back(sentence);
    std::vector<std::string> mc_only;
    for (const auto* e : level_of(*base, Level::Consumer)) {
      const analysis::McEntity* mc = d_.monte_carlo(*base, *e);
      if (!short_in(*e) && mc && mc->probability_of_shortage > 0) {
        std::string median;
        const analysis::QuantileSummary* q = mc_metric(*mc, Metric::TimeToShortage);
        if (q && std::isfinite(q->p50)) median = fmt::format(", median day {:.0f}", q->p50);
        mc_only.push_back(fmt::format("{} ({}{})", name_.entity(*e),
                                      format_percent(mc->probability_of_shortage), median));
      }
    }
    if (!mc_only.empty())
      items.push_back(fmt::format(
          "Not short in the central case but in some Monte Carlo draws (share of draws): {}.",
          join(mc_only, "; ", kMaxSentencesPerScenario)));
    for (const RunResult* m : g.mitigated)
      if (!shorts.empty()) items.push_back(mitigation_sentence(*base, *m, shorts));
    s.bullets(std::move(items));
  }

  /// The resolved engine setting \p key as written, or "" when the study does not list it.
  std::string engine_setting(const std::string& key) const {
    for (const auto& [k, v] : d_.engine)
      if (k == key) return v;
    return {};
  }

  /// Where a short or nearly short consumer's supply came from, when switching suppliers or
  /// newly qualified suppliers gave at least kSupplyShare of its demand, or restrictions
  /// blocked part of its orders; "" otherwise.
  std::string supply_sentence(const EntityResult& e) const {
    static constexpr double kSupplyShare = 0.05;
    const analysis::ShortageMetrics& m = e.metrics;
    if (m.peak_shortfall <= 0 || m.demand_t <= 0) return {};
    auto setting = [&](const std::string& key) {
      std::string v = engine_setting(key);
      return v.empty() ? "engine." + key : fmt::format("engine.{} = {}", key, v);
    };
    std::vector<std::string> parts;
    if (e.supply.from_new_suppliers_t >= kSupplyShare * m.demand_t)
      parts.push_back(fmt::format(
          "bought {} ({} of its demand) from makers it did not buy from at baseline, the first "
          "delivery on {} (qualification: {})",
          format_tonnes(e.supply.from_new_suppliers_t),
          format_percent(e.supply.from_new_suppliers_t / m.demand_t),
          e.supply.new_supplier_day ? to_string(st_.start + *e.supply.new_supplier_day)
                                    : "an unknown day",
          setting("qualification_time")));
    if (e.supply.switched_t >= kSupplyShare * m.demand_t)
      parts.push_back(fmt::format(
          "received {} ({} of its demand) more from its existing suppliers than their baseline "
          "shares (switching: {})",
          format_tonnes(e.supply.switched_t), format_percent(e.supply.switched_t / m.demand_t),
          setting("switching_lag")));
    if (short_in(e) && e.supply.blocked_t > 0)
      parts.push_back(fmt::format("had {} of its orders blocked by restrictions",
                                  format_tonnes(e.supply.blocked_t)));
    if (parts.empty()) return {};
    std::string out = name_.entity(e) + " ";
    for (std::size_t i = 0; i < parts.size(); ++i)
      out += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
    return out + ".";
  }

  /// What one mitigation package does to the shortages of \p base, in one sentence.
  std::string mitigation_sentence(const RunResult& base, const RunResult& m,
                                  const std::vector<const EntityResult*>& shorts) const {
    int avoided = 0, delayed = 0, earlier = 0, fresh = 0, max_delay = 0;
    for (const auto* e : shorts) {
      const EntityResult* me = find_entity(m, e->level, e->id);
      if (!me) continue;
      if (!short_in(*me)) {
        ++avoided;
        continue;
      }
      int delta = *me->metrics.time_to_shortage - *e->metrics.time_to_shortage;
      if (delta > 0) ++delayed, max_delay = std::max(max_delay, delta);
      if (delta < 0) ++earlier;
    }
    for (const auto* me : level_of(m, Level::Consumer))
      if (short_in(*me)) {
        const EntityResult* e = find_entity(base, me->level, me->id);
        if (e && !short_in(*e)) ++fresh;
      }
    std::vector<std::string> parts;
    if (avoided > 0)
      parts.push_back(
          fmt::format("avoids the shortage for {} of the {} pairs", avoided, shorts.size()));
    if (delayed > 0)
      parts.push_back(fmt::format("delays the shortage for {} of the {} pairs (by up to {})",
                                  delayed, shorts.size(), days(max_delay)));
    if (earlier > 0)
      parts.push_back(
          fmt::format("brings it forward for {} of the {} pairs", earlier, shorts.size()));
    if (fresh > 0) parts.push_back(fmt::format("causes a shortage for {} others", fresh));
    if (avoided == 0 && delayed == 0 && earlier == 0)
      parts.push_back("does not change when shortages start");
    double unmet0 = 0, unmet1 = 0, value0 = 0, value1 = 0;
    // Regions partition the consumers and count a product shared by sectors once.
    for (const auto* e : level_of(base, Level::Region))
      unmet0 += e->metrics.unmet_t, value0 += e->metrics.value_lost_usd;
    for (const auto* e : level_of(m, Level::Region))
      unmet1 += e->metrics.unmet_t, value1 += e->metrics.value_lost_usd;
    std::string out = mitigation_label(m) + ": " + join(parts, ", ", 10);
    if (unmet0 > 0) {
      double change = unmet1 / unmet0 - 1;
      if (std::fabs(change) >= 0.005)
        out +=
            fmt::format("; unmet demand {} by {} ({} {} output lost)",
                        change < 0 ? "falls" : "rises", format_percent(std::fabs(change)),
                        format_usd(std::fabs(value1 - value0)), value1 <= value0 ? "less" : "more");
      else
        out += "; unmet demand about the same";
    }
    return out + ".";
  }

  /// The most concentrated stage and the most damaging single outage, from the structural
  /// analysis.
  std::string structure_sentence(const StructuralData& st) const {
    const ConcentrationRow* most = nullptr;
    for (const auto& c : st.concentration)
      if (c.material == "*" && c.basis == "flow" && c.total_t_per_yr > 0 &&
          (!most || c.hhi > most->hhi))
        most = &c;
    std::vector<std::string> parts;
    if (most)
      parts.push_back(
          fmt::format("the most concentrated stage is {} ({} holds {} of baseline "
                      "output, HHI {})",
                      most->stage, name_.region(most->top1_country),
                      format_percent(most->top1_share), format_fixed(most->hhi, 0)));
    if (!st.criticality.empty() && !(st.criticality.front().unmet_t > 0)) {
      parts.push_back(
          fmt::format("no single {}-day outage causes a shortage", st.criticality_days));
    } else if (!st.criticality.empty()) {
      const CriticalityEntry& c = st.criticality.front();
      std::string what = c.kind == "country_stage" ? fmt::format("all {} capacity in {}", c.stage,
                                                                 name_.region(c.country))
                                                   : name_.region(c.id);
      parts.push_back(fmt::format("a {}-day outage of {} does the most damage ({} unmet{})",
                                  st.criticality_days, what, format_tonnes(c.unmet_t),
                                  c.value_lost_usd > 0 ? ", " + format_usd(c.value_lost_usd) : ""));
    }
    if (parts.empty()) return "Structural analysis: see the Structural risk section.";
    std::string out = "Before any shock, " + join(parts, "; ", 4) + ".";
    return out;
  }

  std::string no_shortage_sentence(const RunResult& r) const {
    const EntityResult* lowest = nullptr;
    for (const auto* e : level_of(r, Level::Consumer))
      if (!lowest || e->metrics.min_cover_days < lowest->metrics.min_cover_days) lowest = e;
    std::string out =
        fmt::format("no consumer runs short within the horizon (to {})", to_string(st_.end()));
    if (lowest)
      out += fmt::format("; the lowest stock cover is {} ({}, {})",
                         days(lowest->metrics.min_cover_days), name_.entity(*lowest),
                         to_string(st_.start + lowest->metrics.min_cover_day.value_or(0)));
    return out + ".";
  }

  std::string run_total_sentence(const RunResult& r) const {
    // Regions partition the consumers and count a product shared by sectors once.
    double unmet = 0, value = 0, units = 0, margin = 0;
    bool margins = true;
    for (const auto* e : level_of(r, Level::Region)) {
      unmet += e->metrics.unmet_t, value += e->metrics.value_lost_usd,
          units += e->metrics.units_lost;
      if (e->metrics.margin_lost_usd)
        margin += *e->metrics.margin_lost_usd;
      else
        margins = false;
    }
    return fmt::format(
        "In total {} of demand goes unmet; about {} downstream units are lost, worth {} at full "
        "value (an upper bound on the loss){}.",
        format_tonnes(unmet), format_count(units), format_usd(value),
        margins && units > 0 ? ", of which " + format_usd(margin) + " is value added (margin)"
                             : std::string());
  }

  static std::string metric_text(Metric metric, double v) {
    if (!std::isfinite(v)) return "—";
    switch (metric_info(metric).kind) {
      case MetricKind::Fraction:
        return format_percent(v);
      case MetricKind::Usd:
        return format_usd(v);
      case MetricKind::Tonnes:
        return format_tonnes(v);
      case MetricKind::Day:
      case MetricKind::Duration:
        return days(v);
      case MetricKind::Units:
        break;
    }
    return format_significant(v, 3);
  }

  std::string entity_name(Level level, const std::string& id) const {
    if (level == Level::Sector) return sector_name(id);
    if (level == Level::Region) return name_.region(id);
    for (const auto& r : d_.record.results.runs)
      if (const EntityResult* e = find_entity(r, level, id)) return name_.entity(*e);
    return id;
  }

  /// A ranked combination without its scenario: "all-mitigations", "us-stockpile-release".
  static std::string score_label(const analysis::RankingEntry& m, const std::string& scenario) {
    if (m.combination.rfind(scenario + "+", 0) == 0)
      return m.combination.substr(scenario.size() + 1);
    return m.mitigations.empty() ? m.combination : join(m.mitigations, " + ", 20);
  }

  template <class F>
  static std::string range_text(const analysis::QuantileSummary& x, F f) {
    if (!std::isfinite(x.p10) || !std::isfinite(x.p90) || (x.p10 == x.mean && x.p90 == x.mean))
      return {};
    return fmt::format(", P10–P90 {} to {}", f(x.p10), f(x.p90));
  }

  std::vector<std::string> ranking_scenarios() const {
    std::vector<std::string> out;
    for (const auto& mr : unc_.ranking)
      if (!mr.ranking.empty() && std::find(out.begin(), out.end(), mr.scenario) == out.end())
        out.push_back(mr.scenario);
    return out;
  }

  /// A parameter path shortened for labels: "scenarios[s].events[e].licence.x" -> "e: licence.x",
  /// "model.consumers[*].inventory_days" -> "consumers[*].inventory_days".
  static std::string short_path(const std::string& path) {
    for (const char* root : {"scenarios[", "mitigations["}) {
      if (path.rfind(root, 0) != 0) continue;
      auto ev = path.find("].events[");
      if (ev == std::string::npos) continue;
      auto close = path.find(']', ev + 9);
      if (close == std::string::npos) continue;
      std::string event = path.substr(ev + 9, close - ev - 9);
      std::string rest = path.substr(close + 1);
      if (!rest.empty() && rest[0] == '.') rest.erase(0, 1);
      return event + ": " + rest;
    }
    if (path.rfind("model.", 0) == 0) return path.substr(6);
    return path;
  }

  static double swing(const analysis::TornadoParam& p) {
    return std::fabs(p.metric_high - p.metric_low);
  }

  /// Tornado entries of runs without mitigations whose parameters move the metric, largest
  /// swing first (at most \p n, for the first metric analysed).
  std::vector<const analysis::TornadoEntry*> top_tornado(std::size_t n) const {
    std::vector<const analysis::TornadoEntry*> out;
    std::optional<Metric> metric;
    for (const auto& t : unc_.tornado) {
      if (t.params.empty() || !headline(t.run)) continue;
      if (!metric) metric = t.metric;
      if (t.metric == *metric && swing(t.params.front()) > 0) out.push_back(&t);
    }
    std::stable_sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
      return swing(a->params.front()) > swing(b->params.front());
    });
    if (out.size() > n) out.resize(n);
    return out;
  }

  /// A run of a scenario alone (no mitigations): the runs whose details are charted.
  bool headline(const std::string& run) const {
    for (const auto& r : d_.record.results.runs)
      if (r.combination.id == run)
        return r.combination.scenario.has_value() && r.combination.mitigations.empty();
    return false;
  }

  // ---- scenarios as applied --------------------------------------------------------------

  Section scenarios() {
    Section s{"scenarios", "Scenarios as applied", 2, false, {}};
    Table runs = make_table("The runs of this study", {"Run", "Shock scenario", "Mitigations"});
    for (const auto& r : d_.record.results.runs)
      runs.rows.push_back(
          {r.combination.id, r.combination.scenario ? *r.combination.scenario : "— (baseline)",
           r.combination.mitigations.empty() ? "—" : join(r.combination.mitigations, ", ", 50)});
    s.table(std::move(runs));
    if (d_.scenarios.empty()) {
      s.note(
          "resolved-study.yaml is missing from the run directory: the scenario definitions "
          "cannot be shown.");
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

  static std::vector<std::string> prefix(const std::string& p, const std::vector<std::string>& v) {
    std::vector<std::string> out;
    for (const auto& x : v) out.push_back(p + x);
    return out;
  }

  // ---- shortfall over time ---------------------------------------------------------------

  svg::LineChart sector_chart(const RunResult& r, bool cover) const {
    svg::LineChart c;
    c.x.origin = st_.start;
    c.y.label = cover ? "stock cover (days of baseline demand)" : "shortfall (% of demand)";
    c.y.kind = cover ? svg::Axis::Kind::Number : svg::Axis::Kind::Percent;
    for (const auto* e : level_of(r, Level::Sector))
      if (const Series* s = d_.find_series(r.combination.id, "sector", e->id))
        c.lines.push_back({sector_name(e->id), cover ? s->cover_days : s->shortfall_fraction});
    if (r.combination.scenario) c.markers = markers_of(d_, *r.combination.scenario);
    return c;
  }

  std::vector<Section> shortfall() {
    std::vector<Section> out;
    if (groups_.empty()) return out;
    Section s{"shortfall", "Shortfall over time", 2, true, {}};
    if (!d_.has_series)
      s.note(
          "timeseries/sectors.csv is missing from the run directory: charts over time are "
          "left out (write it with outputs.formats including csv).");
    out.push_back(std::move(s));
    for (const auto& g : groups_) {
      const RunResult* base = g.base ? g.base : g.mitigated.front();
      Section sub{"shortfall-" + slug(g.scenario), "Under " + g.scenario, 3, false, {}};
      std::string sc_name = name_.scenario(g.scenario);
      if (sc_name != g.scenario) sub.paragraph(sc_name + ".");
      if (d_.has_series) {
        auto c = sector_chart(*base, false);
        c.text = {chart_id(), "Daily shortfall by sector — " + base->combination.id,
                  fmt::format("Line chart of the share of each sector's daily demand that goes "
                              "unmet under {}, from {} to {}. {}",
                              base->combination.id, to_string(st_.start), to_string(st_.end()),
                              shortfall_alt(*base))};
        sub.figure(figure("shortfall-" + base->combination.id,
                          c.text.title + ". " + shortfall_alt(*base), draw(c)));
      }
      // Heatmap of peak shortfall by sector and region.
      std::vector<std::string> sectors, regions;
      for (const auto* e : level_of(*base, Level::Consumer)) {
        if (std::find(sectors.begin(), sectors.end(), e->sector) == sectors.end())
          sectors.push_back(e->sector);
        if (std::find(regions.begin(), regions.end(), e->region) == regions.end())
          regions.push_back(e->region);
      }
      bool any_short = false;
      for (const auto* e : level_of(*base, Level::Consumer))
        any_short |= e->metrics.peak_shortfall > 0;
      if (any_short && sectors.size() * regions.size() > 1) {
        svg::Heatmap h;
        h.value = {"peak shortfall", svg::Axis::Kind::Percent, {}, 0.0, std::nullopt};
        h.row_label = "sector";
        h.column_label = "region";
        for (const auto& x : sectors) h.rows.push_back(sector_name(x));
        for (const auto& x : regions) h.columns.push_back(name_.region(x));
        h.values.assign(sectors.size() * regions.size(), kNaN);
        for (const auto* e : level_of(*base, Level::Consumer)) {
          auto i = static_cast<std::size_t>(std::find(sectors.begin(), sectors.end(), e->sector) -
                                            sectors.begin());
          auto j = static_cast<std::size_t>(std::find(regions.begin(), regions.end(), e->region) -
                                            regions.begin());
          double& cell = h.values[i * regions.size() + j];
          cell = std::isfinite(cell) ? std::max(cell, e->metrics.peak_shortfall)
                                     : e->metrics.peak_shortfall;
        }
        h.text = {chart_id(), "Peak shortfall by sector and region — " + base->combination.id,
                  fmt::format("Heatmap of the highest daily shortfall of each sector in each "
                              "region under {}; a dash means the sector has no demand there.",
                              base->combination.id)};
        sub.figure(figure("peak-" + base->combination.id, h.text.title, draw(h)));
      }
      if (d_.has_series) {
        auto c = sector_chart(*base, true);
        c.text = {chart_id(), "Stock cover by sector — " + base->combination.id,
                  fmt::format("Line chart of each sector's stock of magnets in days of its "
                              "baseline demand under {}. {}",
                              base->combination.id, cover_alt(*base))};
        sub.figure(figure("cover-" + base->combination.id, c.text.title + ". " + cover_alt(*base),
                          draw(c)));
      }
      // With and without mitigations, for the sectors that run short.
      if (d_.has_series && g.base && !g.mitigated.empty())
        for (const auto* e : level_of(*g.base, Level::Sector)) {
          if (!short_in(*e)) continue;
          svg::LineChart c;
          c.x.origin = st_.start;
          c.y = {"shortfall (% of demand)", svg::Axis::Kind::Percent, {}, {}, {}};
          std::vector<const RunResult*> runs = {g.base};
          runs.insert(runs.end(), g.mitigated.begin(), g.mitigated.end());
          for (const RunResult* r : runs)
            if (const Series* ser = d_.find_series(r->combination.id, "sector", e->id))
              c.lines.push_back({r->combination.mitigations.empty()
                                     ? r->combination.id + " (no mitigation)"
                                     : "+ " + mitigation_label(*r),
                                 ser->shortfall_fraction});
          c.markers = markers_of(d_, g.scenario);
          c.text = {chart_id(), sector_name(e->id) + ": shortfall with and without mitigations",
                    fmt::format("Line chart of the daily shortfall of {} under {} alone and with "
                                "each mitigation package. {}",
                                sector_name(e->id), g.scenario, mitigation_alt(g, *e))};
          sub.figure(figure("mitigations-" + g.scenario + "-" + e->id,
                            c.text.title + ". " + mitigation_alt(g, *e), draw(c)));
        }
      out.push_back(std::move(sub));
    }
    return out;
  }

  std::string shortfall_alt(const RunResult& r) const {
    std::vector<std::string> parts;
    for (const auto* e : level_of(r, Level::Sector))
      if (short_in(*e))
        parts.push_back(fmt::format("{} is short from {}, peaking at {} on {}", sector_name(e->id),
                                    to_string(st_.start + *e->metrics.time_to_shortage),
                                    format_percent(e->metrics.peak_shortfall),
                                    to_string(st_.start + e->metrics.peak_day.value_or(0))));
    if (parts.empty()) return "No sector runs short.";
    return join(parts, "; ", 20) + ".";
  }

  std::string cover_alt(const RunResult& r) const {
    std::vector<std::string> parts;
    for (const auto* e : level_of(r, Level::Sector))
      parts.push_back(fmt::format("{} falls to {} on {}", sector_name(e->id),
                                  days(e->metrics.min_cover_days),
                                  to_string(st_.start + e->metrics.min_cover_day.value_or(0))));
    return parts.empty() ? std::string() : "Lowest cover: " + join(parts, "; ", 20) + ".";
  }

  std::string mitigation_alt(const ScenarioRuns& g, const EntityResult& e) const {
    std::vector<std::string> parts;
    for (const RunResult* m : g.mitigated) {
      std::string eff = mitigation_effect(e, *m);
      if (!eff.empty()) parts.push_back(eff);
    }
    return parts.empty() ? std::string() : join(parts, "; ", 20) + ".";
  }

  // ---- mitigations compared --------------------------------------------------------------

  std::vector<Section> mitigations() {
    std::vector<Section> out;
    bool any = !unc_.ranking.empty();
    for (const auto& g : groups_) any |= !g.mitigated.empty();
    if (!any) return out;
    Section s{"mitigations", "Mitigations compared", 2, true, {}};
    for (const auto& g : groups_) {
      if (g.mitigated.empty()) continue;
      std::vector<const RunResult*> runs;
      if (g.base) runs.push_back(g.base);
      runs.insert(runs.end(), g.mitigated.begin(), g.mitigated.end());
      std::vector<std::string> sectors;
      for (const RunResult* r : runs)
        for (const auto* e : level_of(*r, Level::Sector))
          if (short_in(*e) && std::find(sectors.begin(), sectors.end(), e->id) == sectors.end())
            sectors.push_back(e->id);
      Table t = make_table(
          "Under " + g.scenario + ": shortage start, shortage days and unmet demand per sector",
          {"Sector"}, {false});
      for (const RunResult* r : runs) {
        t.header.push_back(r->combination.mitigations.empty() ? r->combination.id
                                                              : "+ " + mitigation_label(*r));
        t.numeric.push_back(false);
      }
      for (const auto& sec : sectors) {
        std::vector<std::string> row = {sector_name(sec)};
        for (const RunResult* r : runs) {
          const EntityResult* e = find_entity(*r, Level::Sector, sec);
          if (!e) {
            row.push_back("—");
            continue;
          }
          row.push_back(short_in(*e)
                            ? fmt::format("short from {}; {}; {} unmet",
                                          to_string(st_.start + *e->metrics.time_to_shortage),
                                          days(e->metrics.shortage_days),
                                          format_tonnes(e->metrics.unmet_t))
                            : "no shortage");
        }
        t.rows.push_back(std::move(row));
      }
      if (sectors.empty()) {
        s.paragraph("Under " + g.scenario + " no sector runs short, with or without mitigations.");
        continue;
      }
      s.table(std::move(t));
      for (int metric = 0; metric < 2; ++metric) {
        svg::BarChart b;
        b.x = {metric == 0 ? "unmet demand (t)" : "shortage days",
               svg::Axis::Kind::Number,
               {},
               {},
               {}};
        for (const RunResult* r : runs)
          b.series.push_back(r->combination.mitigations.empty() ? r->combination.id
                                                                : "+ " + mitigation_label(*r));
        for (const auto& sec : sectors) {
          svg::BarGroup grp{sector_name(sec), {}};
          for (const RunResult* r : runs) {
            const EntityResult* e = find_entity(*r, Level::Sector, sec);
            grp.values.push_back(!e            ? kNaN
                                 : metric == 0 ? e->metrics.unmet_t
                                               : e->metrics.shortage_days);
          }
          b.groups.push_back(std::move(grp));
        }
        std::string what = metric == 0 ? "Unmet demand" : "Shortage days";
        b.text = {chart_id(),
                  what + " per sector — " + g.scenario + " with and without mitigations",
                  fmt::format("Bar chart of {} per sector under {} alone and with each mitigation "
                              "package (see the table above for the values).",
                              to_lower(what), g.scenario)};
        s.figure(figure((metric == 0 ? "unmet-" : "days-") + g.scenario, b.text.title, draw(b)));
      }
    }
    for (const auto& sc : ranking_scenarios()) {
      Table t = make_table(fmt::format("Mitigations ranked under {} (mean, P10–P90{})", sc,
                                       st_.draws > 0 ? " over the Monte Carlo draws" : ""),
                           {"Sector", "Rank", "Mitigation", "Shortage days avoided",
                            "Unmet t avoided", "Value avoided"},
                           {false, true, false, true, true, true});
      svg::BarChart b;
      b.x = {"value at risk avoided (USD, mean)", svg::Axis::Kind::Number, {}, {}, {}};
      auto sig = [](double v) { return format_significant(v, 3); };
      auto usd = [](double v) { return format_usd(v); };
      for (const auto& mr : unc_.ranking) {
        if (mr.scenario != sc || mr.ranking.empty()) continue;
        int rank = 0;
        svg::BarGroup grp{entity_name(mr.level, mr.id), {}};
        bool any = false;
        for (const auto& m : mr.ranking) {
          t.rows.push_back(
              {entity_name(mr.level, mr.id), std::to_string(++rank), score_label(m, sc),
               sig(m.shortage_days_avoided.mean) + range_text(m.shortage_days_avoided, sig),
               sig(m.unmet_t_avoided.mean) + range_text(m.unmet_t_avoided, sig),
               usd(m.value_avoided_usd.mean) + range_text(m.value_avoided_usd, usd)});
          auto it = std::find(b.series.begin(), b.series.end(), score_label(m, sc));
          std::size_t k = static_cast<std::size_t>(it - b.series.begin());
          if (it == b.series.end()) b.series.push_back(score_label(m, sc));
          grp.values.resize(b.series.size(), kNaN);
          grp.values[k] = m.value_avoided_usd.mean;
          any |= m.value_avoided_usd.mean != 0;
        }
        if (any) b.groups.push_back(std::move(grp));
      }
      for (auto& g : b.groups) g.values.resize(b.series.size(), kNaN);
      s.table(std::move(t));
      if (!b.groups.empty()) {
        b.text = {chart_id(), "Value at risk avoided by each mitigation — " + sc,
                  fmt::format("Bar chart of the mean value of lost output each mitigation avoids "
                              "per sector under {} (see the table above for the ranges).",
                              sc)};
        s.figure(figure("ranking-" + sc, b.text.title, draw(b)));
      }
    }
    out.push_back(std::move(s));
    return out;
  }

  // ---- uncertainty -----------------------------------------------------------------------

  std::vector<Section> uncertainty() {
    std::vector<Section> out;
    if (!has_mc() && unc_.tornado.empty() && unc_.sobol.empty()) return out;
    Section s{"uncertainty", "Uncertainty", 2, true, {}};
    if (has_mc())
      s.paragraph(fmt::format(
          "Monte Carlo: {} draws of the uncertain parameters (seed {}). Fans show the P10–P90 "
          "(dark) and P5–P95 (light) range of the daily shortfall and the median (line); the "
          "deterministic run (distributions at their means) is dashed. Charts are drawn for the "
          "scenarios without mitigations; the tables cover every run.",
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

  Section monte_carlo(const RunResult& r) {
    Section sub{
        "uncertainty-" + slug(r.combination.id), "Monte Carlo — " + r.combination.id, 3, false, {}};
    bool charts = headline(r.combination.id);
    const int mc_draws = d_.mc_draws(r);
    for (const auto* e : level_of(r, Level::Sector)) {
      const analysis::McEntity* mc = d_.monte_carlo(r, *e);
      if (!charts || !mc || !mc->has_fan) continue;
      if (!(mc->probability_of_shortage > 0) && !short_in(*e)) continue;
      auto get = [&](const char* k) {
        static constexpr const char* kBands[] = {"p5", "p10", "p50", "p90", "p95"};
        for (std::size_t b = 0; b < 5; ++b)
          if (std::string_view(kBands[b]) == k) return mc->fan[b];
        return std::vector<double>{};
      };
      svg::LineChart c;
      c.x.origin = st_.start;
      c.y = {"shortfall (% of demand)", svg::Axis::Kind::Percent, {}, {}, {}};
      c.bands.push_back({"P5–P95", get("p5"), get("p95"), 0, 0.15});
      c.bands.push_back({"P10–P90", get("p10"), get("p90"), 0, 0.3});
      c.lines.push_back({"median", get("p50"), 6, false});
      if (const Series* ser = d_.find_series(r.combination.id, "sector", e->id))
        c.lines.push_back({"deterministic", ser->shortfall_fraction, 1, true});
      if (r.combination.scenario) c.markers = markers_of(d_, *r.combination.scenario);
      std::string alt =
          fmt::format("Probability of a shortage {}.", format_percent(mc->probability_of_shortage));
      c.text = {chart_id(),
                fmt::format("{}: shortfall fan — {}", sector_name(e->id), r.combination.id),
                fmt::format("Fan chart of the daily shortfall of {} under {} over {} Monte Carlo "
                            "draws. {}",
                            sector_name(e->id), r.combination.id, mc_draws, alt)};
      sub.figure(
          figure("fan-" + r.combination.id + "-" + e->id, c.text.title + ". " + alt, draw(c)));
    }
    // Time to shortage distributions and a table of quantiles.
    svg::QuantileChart q;
    q.x = {"time to shortage (date)", svg::Axis::Kind::Day, st_.start, {}, {}};
    Table t = make_table(
        fmt::format("Monte Carlo results — {} ({} draws; P10 / median / P90)", r.combination.id,
                    mc_draws),
        {"Consumer", "P(shortage)", "Short from", "Peak shortfall", "Unmet t", "Value lost"},
        {false, true, false, true, true, true});
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
                          three(Metric::ValueLostUsd, [](double v) { return format_usd(v); })});
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

  Section tornado() {
    constexpr std::size_t kMaxCharts = 12;
    Section sub{"tornado", "Sensitivity: one parameter at a time (tornado)", 3, false, {}};
    sub.paragraph(
        "Each uncertain parameter (or group) in turn at the P10 and the P90 of its distribution, "
        "the others as written in the study. Charts for the runs without mitigations, where a "
        "parameter moves the metric; the table lists the strongest parameter of every case.");
    std::size_t charts = 0, flat = 0;
    Table all =
        make_table("Strongest parameter per run, entity and metric",
                   {"Run", "Entity", "Metric", "Base", "Strongest parameter", "At low", "At high"},
                   {false, false, false, true, false, true, true});
    for (const auto& te : unc_.tornado) {
      if (te.params.empty()) continue;
      const analysis::TornadoParam& top = te.params.front();
      if (!(swing(top) > 0)) {
        ++flat;
        continue;
      }
      all.rows.push_back({te.run, entity_name(te.level, te.id), metric_noun(te.metric),
                          metric_text(te.metric, te.base), top.path,
                          metric_text(te.metric, top.metric_low),
                          metric_text(te.metric, top.metric_high)});
      if (!headline(te.run) || !(swing(top) > 0) || charts >= kMaxCharts) continue;
      ++charts;
      svg::TornadoChart c;
      c.x = {metric_label(te.metric), axis_kind(te.metric), st_.start, {}, {}};
      c.base = te.base;
      for (const auto& p : te.params)
        c.bars.push_back({short_path(p.path), p.metric_low, p.metric_high,
                          format_significant(p.low, 3), format_significant(p.high, 3)});
      c.text = {chart_id(),
                fmt::format("Tornado: {} of {} — {}", metric_noun(te.metric),
                            entity_name(te.level, te.id), te.run),
                fmt::format("Tornado chart: {} of {} under {} with each uncertain parameter at its "
                            "low and high value, the others at their base; widest first. Base: {}; "
                            "strongest: {} ({} to {}).",
                            metric_noun(te.metric), entity_name(te.level, te.id), te.run,
                            metric_text(te.metric, te.base), top.path,
                            metric_text(te.metric, top.metric_low),
                            metric_text(te.metric, top.metric_high))};
      sub.figure(figure("tornado-" + te.run + "-" + te.id + "-" + std::string(to_string(te.metric)),
                        c.text.title, draw(c)));
    }
    if (!all.rows.empty()) sub.table(std::move(all));
    if (flat > 0)
      sub.paragraph(fmt::format("In {} other case{} no parameter moves the metric.", flat,
                                flat == 1 ? "" : "s"));
    return sub;
  }

  Section sobol() {
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

  static std::string metric_label(Metric metric) { return std::string(metric_info(metric).label); }

  static std::string metric_noun(Metric metric) {
    std::string label = metric_label(metric);
    auto p = label.find(" (");
    return p == std::string::npos ? label : label.substr(0, p);
  }

  static svg::Axis::Kind axis_kind(Metric metric) {
    return metric_info(metric).kind == MetricKind::Fraction ? svg::Axis::Kind::Percent
                                                            : svg::Axis::Kind::Number;
  }

  // ---- result tables ---------------------------------------------------------------------

  Table metrics_table(const RunResult& r, const std::string& level) const {
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
    for (const char* h :
         {"Short from", "Peak shortfall", "Shortage days", "Demand (t)", "Unmet (t)", "Unmet",
          "Units lost", "Value lost", "Margin lost", "Recovered", "Lowest cover"}) {
      if (std::string(h) == "Margin lost" && !margins) continue;
      t.header.push_back(h);
      t.numeric.push_back(std::string(h) != "Short from" && std::string(h) != "Recovered");
    }
    t.nowrap.assign(t.header.size(), false);
    t.nowrap[level == "consumer" ? 2 : 1] = true;  // short from
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
      row.push_back(m.value_lost_usd > 0 ? format_usd(m.value_lost_usd) : "0");
      if (margins)
        row.push_back(!m.margin_lost_usd       ? "—"
                      : *m.margin_lost_usd > 0 ? format_usd(*m.margin_lost_usd)
                                               : "0");
      auto rec = recovery_day(r, *e);
      row.push_back(!short_in(*e) ? "—"
                    : rec         ? fmt::format("{} ({} after day {})", to_string(st_.start + *rec),
                                                days(*m.time_to_recover), *rec - *m.time_to_recover)
                                  : "not by the end");
      row.push_back(fmt::format("{} on {}", days(m.min_cover_days),
                                to_string(st_.start + m.min_cover_day.value_or(0))));
      t.rows.push_back(std::move(row));
      t.highlight.push_back(short_in(*e));
    }
    return t;
  }

  /// Units lost with their unit name; a range when consumers of one product share units.
  static std::string units_text(const EntityResult& e) {
    const auto& m = e.metrics;
    std::string out = format_significant(m.units_lost, 3);
    if (m.units_lost_upper > m.units_lost * (1 + 1e-9) + 1e-9)
      out += "–" + format_significant(m.units_lost_upper, 3);
    if (!e.unit_name.empty() && m.units_lost_upper > 0) out += " " + e.unit_name;
    return out;
  }

  std::string material_name(const std::string& id) const {
    auto it = d_.material_names.find(id);
    return it != d_.material_names.end() && !it->second.empty() ? it->second : id;
  }

  /// Per-grade metrics of the consumers that use more than one material.
  Table grades_table(const RunResult& r) const {
    Table t;
    t.header = {"Sector",        "Region",    "Grade", "Short from", "Peak shortfall",
                "Shortage days", "Unmet (t)", "Unmet", "Recovered",  "Lowest cover"};
    t.numeric = {false, false, false, false, true, true, true, true, false, true};
    t.nowrap.assign(t.header.size(), false);
    t.nowrap[3] = true;
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

  Section tables() {
    Section s{"tables", "Results by sector and region", 2, true, {}};
    s.paragraph(
        "Every metric of every run; rows of consumers that run short are highlighted. Short from: "
        "the first day the shortfall reaches the threshold. Peak shortfall: the largest share of "
        "a day's demand unmet. Shortage days: days at or above the threshold. Unmet: demand lost "
        "over the horizon (or still back-ordered at its end), in tonnes of magnets and as a share "
        "of demand. Units lost: downstream units not built; where sectors make the same product "
        "in a region (e.g. vehicles) a unit is counted once, and a range gives that count and the "
        "plain sum. Value lost: those units at their full value, an upper bound on the economic "
        "loss; margin lost (where the model gives margins): the value added lost, a closer "
        "measure. Recovered: the day the shortfall stays below the threshold for good, counted "
        "from the end of the last restriction upstream of the consumer (or the peak). Lowest "
        "cover: the smallest stock, in days of baseline demand.");
    for (const auto& r : d_.record.results.runs) {
      std::string what = r.combination.scenario ? "scenario " + *r.combination.scenario
                                                : std::string("baseline, no shock");
      if (!r.combination.mitigations.empty())
        what += ", mitigations " + join(r.combination.mitigations, ", ", 20);
      s.paragraph(fmt::format("Run {} ({}).", r.combination.id, what));
      for (const auto& n : r.notes) s.note("Note: " + n);
      Table c = metrics_table(r, "consumer");
      c.caption = "Run " + r.combination.id + ": by sector and region";
      if (!c.rows.empty()) s.table(std::move(c));
      Table g = grades_table(r);
      g.caption = "Run " + r.combination.id + ": by grade, for consumers of several grades";
      if (!g.rows.empty()) s.table(std::move(g));
      Table sec = metrics_table(r, "sector");
      sec.caption = "Run " + r.combination.id + ": by sector (all regions)";
      if (!sec.rows.empty()) s.table(std::move(sec));
      Table reg = metrics_table(r, "region");
      reg.caption = "Run " + r.combination.id + ": by region (all sectors)";
      if (!reg.rows.empty()) s.table(std::move(reg));
    }
    return s;
  }

  // ---- baseline flows --------------------------------------------------------------------

  static int stage_column(const std::string& stage) {
    static const std::map<std::string, int> order = {
        {"mine", 0},  {"recycler", 0}, {"stockpile", 0}, {"refinery", 1},
        {"metal", 2}, {"magnet", 3},   {"component", 4}, {"consumer", 5}};
    auto it = order.find(stage);
    return it == order.end() ? 4 : it->second;
  }

  std::vector<Section> flows() {
    std::vector<Section> out;
    if (!d_.has_flows) return out;
    Section s{"flows", "Baseline flows", 2, true, {}};
    // Nodes by (stage column, country); links by (from node, to node, material).
    std::map<int, std::string> column_names;
    std::vector<std::pair<int, std::string>> keys;  // (column, country)
    std::map<std::string, double> country_total;
    std::vector<std::string> materials;
    for (const auto& f : d_.flows) {
      if (!(f.t_per_yr > 0)) continue;
      country_total[f.from_country] += f.t_per_yr;
      country_total[f.to_country] += f.t_per_yr;
      if (std::find(materials.begin(), materials.end(), f.material) == materials.end())
        materials.push_back(f.material);
    }
    if (country_total.empty()) {
      s.paragraph("The baseline carries no flow.");
      out.push_back(std::move(s));
      return out;
    }
    std::vector<int> used_cols;
    for (const auto& f : d_.flows) {
      if (!(f.t_per_yr > 0)) continue;
      for (const auto& st : {f.from_stage, f.to_stage}) {
        int c = stage_column(st);
        if (std::find(used_cols.begin(), used_cols.end(), c) == used_cols.end())
          used_cols.push_back(c);
        auto& nm = column_names[c];
        if (nm.find(st) == std::string::npos) nm += (nm.empty() ? "" : " / ") + st;
      }
    }
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
    bool by_material = materials.size() <= svg::kPaletteSize;
    std::map<std::tuple<int, int, int>, double> links;
    for (const auto& f : d_.flows) {
      if (!(f.t_per_yr > 0)) continue;
      int a = node_index[{col_index(f.from_stage), f.from_country}];
      int b = node_index[{col_index(f.to_stage), f.to_country}];
      int colour =
          by_material ? static_cast<int>(std::find(materials.begin(), materials.end(), f.material) -
                                         materials.begin())
                      : col_index(f.from_stage);
      links[{a, b, colour}] += f.t_per_yr;
    }
    for (const auto& [k, v] : links) {
      auto [a, b, colour] = k;
      if (fd.nodes[static_cast<std::size_t>(a)].column >=
          fd.nodes[static_cast<std::size_t>(b)].column)
        continue;
      std::string what =
          by_material ? d_.material_names.count(materials[static_cast<std::size_t>(colour)])
                            ? d_.material_names.at(materials[static_cast<std::size_t>(colour)])
                            : materials[static_cast<std::size_t>(colour)]
                      : std::string();
      fd.links.push_back(
          {a, b, v, colour,
           fmt::format(
               "{} {} → {} {}: {}{} t/yr", fd.nodes[static_cast<std::size_t>(a)].label,
               fd.columns[static_cast<std::size_t>(fd.nodes[static_cast<std::size_t>(a)].column)],
               fd.nodes[static_cast<std::size_t>(b)].label,
               fd.columns[static_cast<std::size_t>(fd.nodes[static_cast<std::size_t>(b)].column)],
               what.empty() ? "" : what + ", ", format_significant(v, 3))});
    }
    if (by_material)
      for (std::size_t i = 0; i < materials.size(); ++i) {
        auto it = d_.material_names.find(materials[i]);
        fd.legend.push_back(
            {it != d_.material_names.end() && !it->second.empty() ? it->second : materials[i],
             static_cast<int>(i)});
      }
    else
      for (std::size_t i = 0; i + 1 < fd.columns.size(); ++i)
        fd.legend.push_back({"from " + fd.columns[i], static_cast<int>(i)});
    fd.height = std::clamp(180 + 26 * static_cast<int>(countries.size()), 360, 760);
    // Per stage: total and country shares, also the chart's text alternative.
    Table t = make_table("Baseline throughput by stage and country",
                         {"Stage", "Throughput (t/yr)", "By country"}, {false, true, false});
    std::vector<std::string> alt;
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

  // ---- structural risk (issue 7) ---------------------------------------------------------

  std::vector<Section> structural() {
    std::vector<Section> out;
    if (!d_.structure && !d_.has_structural) return out;
    Section s{"structural", "Structural risk", 2, true, {}};
    if (!d_.structure) {
      s.paragraph(
          "summary.json holds a \"structural\" section that this version of the report does "
          "not render.");
      out.push_back(std::move(s));
      return out;
    }
    const StructuralData& st = *d_.structure;
    s.paragraph(
        "Where the network is fragile before any shock, from the model alone (structural "
        "analysis in analysis/ of this run directory; see docs/analysis.md): how concentrated "
        "each stage is, where each sector's magnets come from, and which single outage does the "
        "most damage.");
    // Concentration of baseline output per stage.
    Table conc = make_table(
        "Concentration of baseline output by stage (HHI: 0 to 10,000; above "
        "2,500 is highly concentrated)",
        {"Stage", "Output (t/yr)", "HHI", "Largest country", "Top 3"},
        {false, true, true, false, true});
    for (const auto& c : st.concentration)
      if (c.material == "*" && c.basis == "flow" && c.total_t_per_yr > 0)
        conc.rows.push_back(
            {c.stage, format_significant(c.total_t_per_yr, 3), format_fixed(c.hhi, 0),
             fmt::format("{} {}", name_.region(c.top1_country), format_percent(c.top1_share)),
             format_percent(c.top3_share)});
    if (!conc.rows.empty()) s.table(std::move(conc));
    // Origin exposure: share of each sector's magnet tonnage that passed through each country.
    std::vector<std::string> sectors, countries;
    std::map<std::pair<std::string, std::string>, double> share;
    std::map<std::string, double> demand, country_max;
    for (const auto& r : st.exposure) {
      if (r.region != "*" || r.basis != "mass") continue;
      auto any = r.by_stage.find("any");
      if (any == r.by_stage.end()) continue;
      if (std::find(sectors.begin(), sectors.end(), r.sector) == sectors.end())
        sectors.push_back(r.sector);
      demand[r.sector] += r.demand_t_per_yr;
      for (const auto& [country, x] : any->second)
        share[{r.sector, country}] += x * r.demand_t_per_yr;
    }
    for (auto& [k, v] : share) {
      v = demand[k.first] > 0 ? v / demand[k.first] : 0;
      country_max[k.second] = std::max(country_max[k.second], v);
    }
    for (const auto& [c, m] : country_max)
      if (m >= 0.005) countries.push_back(c);
    std::stable_sort(countries.begin(), countries.end(),
                     [&](const auto& a, const auto& b) { return country_max[a] > country_max[b]; });
    if (countries.size() > 10) countries.resize(10);
    if (!sectors.empty() && !countries.empty()) {
      svg::Heatmap h;
      h.value = {"share of the sector's magnets", svg::Axis::Kind::Percent, {}, 0.0, 1.0};
      h.row_label = "sector";
      h.column_label = "country the material passed through (any stage)";
      for (const auto& x : sectors) h.rows.push_back(sector_name(x));
      for (const auto& x : countries) h.columns.push_back(name_.region(x));
      for (const auto& sec : sectors)
        for (const auto& c : countries) {
          auto it = share.find({sec, c});
          h.values.push_back(it == share.end() ? 0.0 : it->second);
        }
      h.text = {chart_id(), "Origin exposure: where each sector's magnets come from",
                "Heatmap of the share of each sector's magnet tonnage (all regions) that passed "
                "through each country at some stage of the chain, in the baseline."};
      s.figure(figure("exposure", h.text.title, draw(h)));
    }
    // Criticality ranking.
    if (!st.criticality.empty()) {
      bool by_value = false;
      for (const auto& c : st.criticality) by_value |= c.value_lost_usd > 0;
      std::vector<const CriticalityEntry*> top;
      for (const auto& c : st.criticality) top.push_back(&c);
      std::stable_sort(top.begin(), top.end(), [&](const auto* a, const auto* b) {
        return by_value ? a->value_lost_usd > b->value_lost_usd : a->unmet_t > b->unmet_t;
      });
      if (top.size() > 12) top.resize(12);
      svg::BarChart b;
      b.x = {by_value ? "value of output lost (USD)" : "unmet demand (t)",
             svg::Axis::Kind::Number,
             {},
             {},
             {}};
      b.series = {fmt::format("{}-day outage", st.criticality_days)};
      Table t =
          make_table(fmt::format("Criticality: damage of a {}-day outage (most damaging first)",
                                 st.criticality_days),
                     {"Outage of", "Country", "Stage", "Share of stage output", "Unmet (t)",
                      "Value lost", "Sectors short", "First short"},
                     {false, false, false, true, true, true, true, false});
      auto what = [&](const CriticalityEntry& c) {
        return c.kind == "country_stage"
                   ? fmt::format("all {} capacity in {}", c.stage, name_.region(c.country))
                   : name_.region(c.id);
      };
      for (const auto* c : top) {
        double v = by_value ? c->value_lost_usd : c->unmet_t;
        if (v > 0) b.groups.push_back({what(*c), {v}});
        t.rows.push_back({what(*c), name_.region(c->country), c->stage,
                          format_percent(c->baseline_output_share),
                          format_significant(c->unmet_t, 3),
                          c->value_lost_usd > 0 ? format_usd(c->value_lost_usd) : "0",
                          std::to_string(c->sectors_short), day_text(d_, c->first_short_day)});
        t.highlight.push_back(c->sectors_short > 0);
      }
      b.text = {chart_id(),
                fmt::format("Criticality: damage of a {}-day outage", st.criticality_days),
                fmt::format("Bar chart of the {} of a {}-day outage of each node or country "
                            "stage, most damaging first (the {} largest with damage).",
                            by_value ? "value of output lost" : "unmet demand", st.criticality_days,
                            b.groups.size())};
      if (!b.groups.empty()) s.figure(figure("criticality", b.text.title, draw(b)));
      s.table(std::move(t));
    }
    // Chokepoints: how much of each sector's demand the network can carry at most.
    Table ch = make_table(
        "Chokepoints: the most each sector's supply chain can carry, as a share "
        "of its demand (all regions)",
        {"Case", "Sector", "Binding element", "Supportable share of demand"},
        {false, false, false, true});
    for (const auto& tg : st.targets) {
      if (tg.region != "*") continue;
      ch.rows.push_back({tg.case_name, sector_name(tg.sector), tg.binding_element,
                         format_percent(tg.supportable_fraction)});
      ch.highlight.push_back(tg.supportable_fraction < 1);
    }
    if (!ch.rows.empty()) s.table(std::move(ch));
    out.push_back(std::move(s));
    return out;
  }

  // ---- assumptions and sources -----------------------------------------------------------

  Section sources() {
    Section s{"sources", "Assumptions and data sources", 2, true, {}};
    if (!d_.has_resolved_study) {
      s.note(
          "resolved-study.yaml is missing from the run directory: the model's sources and "
          "assumptions cannot be shown.");
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

  // ---- provenance ------------------------------------------------------------------------

  Section provenance() {
    Section s{"provenance", "Provenance", 2, false, {}};
    std::vector<std::pair<std::string, std::string>> t;
    t.emplace_back("Tool", "rareshock " + d_.record.tool.version);
    if (!d_.git_sha.empty()) t.emplace_back("Git commit", d_.git_sha);
    if (!d_.compiler.empty()) t.emplace_back("Compiler", d_.compiler + ", " + d_.build_type);
    if (!d_.dependencies.empty()) t.emplace_back("Libraries", d_.dependencies);
    t.emplace_back("Seed", std::to_string(st_.seed));
    t.emplace_back("Monte Carlo draws", std::to_string(st_.draws));
    if (d_.threads > 0) t.emplace_back("Threads", std::to_string(d_.threads));
    if (!d_.started.empty())
      t.emplace_back("Run started", d_.started + ", finished " + d_.finished);
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
};

}  // namespace

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
