// The report sections of findings in sentences: the executive summary and the model vs
// observed comparison.
#include "report_builder.hpp"
#include "report_why.hpp"

namespace rareshock::report::doc::detail {

std::vector<Section> Builder::observed() {
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
        fits.rows.push_back(
            {o.id, r.run, window, std::to_string(x.n), format_tonnes(x.bias), format_tonnes(x.mae),
             format_tonnes(x.rmse), format_percent(x.relative_rmse),
             x.correlation && std::isfinite(*x.correlation) ? fmt::format("{:.2f}", *x.correlation)
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
                     std::vector<double>(static_cast<std::size_t>(days), kNaN), static_cast<int>(i),
                     false, false};
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

std::string Builder::mc_range(const RunResult& r, const EntityResult& e) const {
  const analysis::McEntity* mc = d_.monte_carlo(r, e);
  const analysis::QuantileSummary* q = mc ? mc_metric(*mc, Metric::TimeToShortage) : nullptr;
  if (!q || !std::isfinite(q->p10) || !std::isfinite(q->p90)) return {};
  return fmt::format("; P10–P90: day {:.0f}–{:.0f}", q->p10, q->p90);
}

std::string Builder::mitigation_effect(const EntityResult& e, const RunResult& m) const {
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

std::string Builder::shortage_sentence(const ScenarioRuns& g, const EntityResult& e,
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
  if (std::string why = why_sentence(d_, g, e); !why.empty()) return out + ". " + why;
  return out + ".";
}

Section Builder::summary() {
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

void Builder::scenario_findings(Section& s, const ScenarioRuns& g) const {
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
  std::string head =
      title == g.scenario ? "Under " + g.scenario : fmt::format("Under {} ({})", g.scenario, title);
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

std::string Builder::engine_setting(const std::string& key) const {
  for (const auto& [k, v] : d_.engine)
    if (k == key) return v;
  return {};
}

std::string Builder::supply_sentence(const EntityResult& e) const {
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

std::string Builder::mitigation_sentence(const RunResult& base, const RunResult& m,
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
    parts.push_back(fmt::format("delays the shortage for {} of the {} pairs (by up to {})", delayed,
                                shorts.size(), days(max_delay)));
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
          fmt::format("; unmet demand {} by {} ({} {} output lost)", change < 0 ? "falls" : "rises",
                      format_percent(std::fabs(change)), format_usd(std::fabs(value1 - value0)),
                      value1 <= value0 ? "less" : "more");
    else
      out += "; unmet demand about the same";
  }
  return out + ".";
}

std::string Builder::structure_sentence(const StructuralData& st) const {
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
                    most->stage, name_.region(most->top1_country), format_percent(most->top1_share),
                    format_fixed(most->hhi, 0)));
  if (!st.criticality.empty() && !(st.criticality.front().unmet_t > 0)) {
    parts.push_back(fmt::format("no single {}-day outage causes a shortage", st.criticality_days));
  } else if (!st.criticality.empty()) {
    const CriticalityEntry& c = st.criticality.front();
    std::string what = c.kind == "country_stage"
                           ? fmt::format("all {} capacity in {}", c.stage, name_.region(c.country))
                           : name_.region(c.id);
    parts.push_back(fmt::format("a {}-day outage of {} does the most damage ({} unmet{})",
                                st.criticality_days, what, format_tonnes(c.unmet_t),
                                c.value_lost_usd > 0 ? ", " + format_usd(c.value_lost_usd) : ""));
  }
  if (parts.empty()) return "Structural analysis: see the Structural risk section.";
  std::string out = "Before any shock, " + join(parts, "; ", 4) + ".";
  return out;
}

std::string Builder::no_shortage_sentence(const RunResult& r) const {
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

std::string Builder::run_total_sentence(const RunResult& r) const {
  return loss_sentence(d_, r);  // report_why.cpp: value added lost as the headline
}

std::string Builder::metric_text(Metric metric, double v) {
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

std::string Builder::entity_name(Level level, const std::string& id) const {
  if (level == Level::Sector) return sector_name(id);
  if (level == Level::Region) return name_.region(id);
  for (const auto& r : d_.record.results.runs)
    if (const EntityResult* e = find_entity(r, level, id)) return name_.entity(*e);
  return id;
}

std::string Builder::score_label(const analysis::RankingEntry& m, const std::string& scenario) {
  if (m.combination.rfind(scenario + "+", 0) == 0) return m.combination.substr(scenario.size() + 1);
  return m.mitigations.empty() ? m.combination : join(m.mitigations, " + ", 20);
}

std::vector<std::string> Builder::ranking_scenarios() const {
  std::vector<std::string> out;
  for (const auto& mr : unc_.ranking)
    if (!mr.ranking.empty() && std::find(out.begin(), out.end(), mr.scenario) == out.end())
      out.push_back(mr.scenario);
  return out;
}

std::string Builder::short_path(const std::string& path) {
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

double Builder::swing(const analysis::TornadoParam& p) {
  return std::fabs(p.metric_high - p.metric_low);
}

std::vector<const analysis::TornadoEntry*> Builder::top_tornado(std::size_t n) const {
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

bool Builder::headline(const std::string& run) const {
  for (const auto& r : d_.record.results.runs)
    if (r.combination.id == run)
      return r.combination.scenario.has_value() && r.combination.mitigations.empty();
  return false;
}

}  // namespace rareshock::report::doc::detail
