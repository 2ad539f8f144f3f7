// The report sections of findings in sentences: the executive summary and the model vs
// observed comparison.
#include "report_builder.hpp"
#include "report_why.hpp"

namespace rareshock::report::doc::detail {

Table Builder::observed_fits() const {
  Table fits = make_table(
      "Fit statistics",
      {"Series", "Run", "Window", "n", "Bias", "MAE", "RMSE", "Relative RMSE", "Correlation"},
      {false, false, false, true, true, true, true, true, true});
  auto span = [](const DateWindow& w) {
    return " (" + to_string(w.from) + " to " + to_string(w.to) + ")";
  };
  for (const auto& o : d_.record.observed)
    for (const auto& r : o.fits)
      for (auto [name, f] : {std::pair<const char*, const analysis::FitStats*>{"all", &r.all},
                             {"training", r.training ? &*r.training : nullptr},
                             {"validation", r.validation ? &*r.validation : nullptr}}) {
        if (!f || f->n == 0) continue;
        const analysis::FitStats& x = *f;
        std::string window = name;
        if (window == "training" && o.training) window += span(*o.training);
        if (window == "validation" && o.validation) window += span(*o.validation);
        fits.rows.push_back(
            {o.id, r.run, window, std::to_string(x.n), format_tonnes(x.bias), format_tonnes(x.mae),
             format_tonnes(x.rmse), format_percent(x.relative_rmse),
             x.correlation && std::isfinite(*x.correlation) ? fmt::format("{:.2f}", *x.correlation)
                                                            : std::string("–")});
      }
  return fits;
}

Section Builder::observed_series(const ObservedRecord& o) {
  Section sub{"observed-" + slug(o.id), o.id, 3, false, {}};
  std::string what = fmt::format("Modelled: tonnes {} per {}", o.measure, o.period);
  if (!o.source_file.empty()) what += "; observed: " + o.source_file;
  sub.paragraph(what + ".");
  for (const auto& n : o.notes) sub.note(n);
  if (o.fits.empty() || o.fits.front().periods.empty()) {
    sub.paragraph("No observation falls inside the study window.");
    return sub;
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
      for (int dd = std::max(0, p.first - st_.start); dd <= p.last - st_.start && dd < days; ++dd)
        line.y[static_cast<std::size_t>(dd)] = p.modelled;
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
    header.insert(header.end(), {"Modelled: " + r.run, "Error"});
    numeric.insert(numeric.end(), {true, true});
  }
  Table t = make_table(o.id + ": observed and modelled per period", header, numeric);
  t.nowrap = std::vector<bool>(header.size(), false);
  t.nowrap[0] = true;
  const auto& first = o.fits.front().periods;
  for (std::size_t k = 0; k < first.size(); ++k) {
    std::vector<std::string> row = {first[k].period, format_tonnes(first[k].observed)};
    for (const auto& r : o.fits) {
      const bool has = k < r.periods.size();
      row.push_back(has ? format_tonnes(r.periods[k].modelled) : "–");
      row.push_back(has ? format_tonnes(r.periods[k].modelled - r.periods[k].observed) : "–");
    }
    t.rows.push_back(std::move(row));
  }
  sub.table(std::move(t));
  return sub;
}

std::vector<Section> Builder::observed() {
  std::vector<Section> out;
  if (d_.record.observed.empty()) return out;
  Section s{"observed", "Model vs observed", 2, true, {}};
  s.paragraph(
      "Observed series named by the study, against the modelled trade aggregate each one "
      "matches (tonnes per period; error = modelled − observed). Fit statistics over every "
      "observed period inside the study window, and over the calibration windows where the "
      "study defines them.");
  s.table(observed_fits());
  out.push_back(std::move(s));
  for (const auto& o : d_.record.observed) out.push_back(observed_series(o));
  return out;
}

std::vector<Hit> Builder::hits_of(const RunResult& r) const {
  return ranked_hits(r, mc_run_of(d_.record.uncertainty ? &*d_.record.uncertainty : nullptr, r),
                     st_.focus);
}

std::string Builder::when_text(const Hit& h, const std::string& scenario) const {
  const EntityResult& e = *h.entity;
  const auto& m = e.metrics;
  std::string who = name_.entity(e);
  if (!h.mc)
    return fmt::format("{} runs short on {} (day {}) under {}", who,
                       to_string(st_.start + *m.time_to_shortage), *m.time_to_shortage, scenario);
  std::string out = fmt::format("{} runs short in {} of the Monte Carlo draws under {}", who,
                                format_percent(h.probability), scenario);
  const analysis::QuantileSummary* q = mc_metric(*h.mc, Metric::TimeToShortage);
  auto date = [&](double day) { return to_string(st_.start + static_cast<int>(std::lround(day))); };
  if (q && q->n > 0 && std::isfinite(q->p50))
    out += fmt::format(" (in those draws: median date {}, 80 % band {} to {})", date(q->p50),
                       date(q->p10), date(q->p90));
  out += h.short_central
             ? fmt::format("; the central run (parameters at their means) is short from {}",
                           to_string(st_.start + *m.time_to_shortage))
             : std::string("; the central run (parameters at their means) is not short");
  return out;
}

std::string Builder::mitigation_effect(const EntityResult& e, const RunResult& m) const {
  const EntityResult* me = find_entity(m, e.level, e.id);
  std::string who = mitigation_label(m);
  if (!me) return {};
  if (!short_in(*me)) return who + " avoids the shortage";
  if (!short_in(e)) return who + " causes a shortage";
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

std::string Builder::shortage_sentence(const ScenarioRuns& g, const Hit& h,
                                       bool with_mitigations) const {
  const EntityResult& e = *h.entity;
  const auto& m = e.metrics;
  std::string out = when_text(h, g.scenario);
  if (!h.short_central) {
    const analysis::QuantileSummary* q = mc_metric(*h.mc, Metric::UnmetT);
    if (q && std::isfinite(q->p90) && q->p90 > 0)
      out += fmt::format("; unmet demand up to {} in nine draws of ten", format_tonnes(q->p90));
    return out + ".";
  }
  out += "; peak shortfall " + format_percent(m.peak_shortfall);
  if (m.peak_day) out += " on " + to_string(st_.start + *m.peak_day);
  out += fmt::format("; {} unmet ({} of demand)", format_tonnes(m.unmet_t),
                     format_percent(m.unmet_fraction));
  if (m.units_lost > 0)
    out += fmt::format("; about {} not built ({})", count_text(m.units_lost, e.unit_name),
                       loss_value_text(m.margin_lost_usd, m.value_lost_usd));
  else if (m.value_lost_usd > 0)
    out += "; output lost: " + loss_value_text(m.margin_lost_usd, m.value_lost_usd);
  if (auto rec = recovery_day(*g.base, e))
    out += "; recovers by " + to_string(st_.start + *rec);
  else
    out += "; not recovered by the end of the horizon (" + to_string(st_.end()) + ")";
  std::vector<std::string> effects;
  for (const RunResult* mr : with_mitigations ? g.mitigated : std::vector<const RunResult*>{}) {
    std::string eff = mitigation_effect(e, *mr);
    if (!eff.empty()) effects.push_back(eff);
  }
  if (!effects.empty()) out += "; " + join(effects, "; ", 20);
  if (std::string why = why_sentence(d_, g, e); !why.empty()) return out + ". " + why;
  return out + ".";
}

std::string Builder::finding(const ScenarioRuns& g, const Hit& h, bool with_mitigations) const {
  std::string out = (h.focus ? "[Focus] " : "") + shortage_sentence(g, h, with_mitigations);
  if (std::string supply = supply_sentence(*h.entity); !supply.empty()) out += " " + supply;
  return out;
}

std::string Builder::ranking_measure(const std::string& scenario) const {
  bool all = true, any = false;
  for (const auto& mr : unc_.ranking)
    if (mr.scenario == scenario)
      for (const auto& m : mr.ranking) {
        all &= m.margin_avoided_usd.n > 0;
        any |= m.margin_avoided_usd.n > 0;
      }
  if (all && any) return "value added avoided (units not built × margin";
  if (any)
    return "value added avoided (units not built × margin; full sales value where the model "
           "gives no margin";
  return "value avoided at full sales value (an upper bound: the model gives no margins";
}

std::string Builder::order_sentence() const {
  std::vector<std::string> parts;
  if (!st_.focus.regions.empty()) {
    std::vector<std::string> names;
    for (const auto& r : st_.focus.regions) names.push_back(name_.region(r));
    parts.push_back("in " + join(names, ", ", 20));
  }
  if (!st_.focus.sectors.empty()) {
    std::vector<std::string> names;
    for (const auto& x : st_.focus.sectors) names.push_back(sector_name(x));
    parts.push_back("of " + join(names, ", ", 20));
  }
  std::string worst =
      "the worst hit (largest share of demand unmet, then the highest probability of a "
      "shortage)";
  if (parts.empty()) return "Findings and charts list " + worst + " first.";
  return "The study's focus — consumers " + join(parts, " and ", 2) +
         " — comes first in the findings and charts (marked [Focus]), then " + worst + ".";
}

Section Builder::summary() {
  Section s{"summary", "Key findings", 2, false, {}};
  s.paragraph(
      fmt::format(
          "{} run{} over {} days from {}. A consumer (a sector in a region) counts as short on a "
          "day when at least {} of its demand goes unmet; dates are calendar days, day 0 = {}.",
          d_.record.results.runs.size(), d_.record.results.runs.size() == 1 ? "" : "s",
          st_.horizon_days, to_string(st_.start), format_percent(st_.shortage_threshold),
          to_string(st_.start)) +
      " " + order_sentence());
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
    // The best package per sector, grouped: "all-mitigations for EV traction (value added
    // USD 4.2 bn; USD 42.6 bn at full sales value), ...".
    std::vector<std::pair<std::string, std::vector<std::string>>> best;
    for (const auto& mr : unc_.ranking) {
      if (mr.scenario != sc || mr.ranking.empty()) continue;
      const analysis::RankingEntry& top = mr.ranking.front();
      std::string amount = avoided_text(top);
      if (amount.empty() && top.unmet_t_avoided.mean > 0)
        amount = format_tonnes(top.unmet_t_avoided.mean) + " less unmet";
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
      items.push_back(fmt::format("Under {}, the most effective mitigation by {}{}) is {}.", sc,
                                  ranking_measure(sc), st_.draws > 0 ? "; mean over the draws" : "",
                                  join(parts, "; ", 10)));
  }
  for (const auto* t : top_tornado(3)) {
    const analysis::TornadoParam& top = t->params.front();
    items.push_back(fmt::format(
        "Under {}, the {} of {} is most sensitive to {} ({} at its low value, {} at its high "
        "value; base {}).",
        t->run, metric_noun(t->metric), entity_name(t->level, t->id), param_label(top),
        metric_text(t->metric, top.metric_low, unit_of(t->level, t->id)),
        metric_text(t->metric, top.metric_high, unit_of(t->level, t->id)),
        metric_text(t->metric, t->base, unit_of(t->level, t->id))));
  }
  if (d_.structure) items.push_back(structure_sentence(*d_.structure));
  if (!d_.record.results.warnings.empty())
    items.push_back(fmt::format("The run reported {} warning{} (listed under Provenance).",
                                d_.record.results.warnings.size(),
                                d_.record.results.warnings.size() == 1 ? "" : "s"));
  s.bullets(std::move(items));
  return s;
}

std::string Builder::scenario_head(const ScenarioRuns& g, const std::vector<Hit>& hits) const {
  const RunResult& base = *g.base;
  std::string title = name_.scenario(g.scenario);
  std::string head =
      title == g.scenario ? "Under " + g.scenario : fmt::format("Under {} ({})", g.scenario, title);
  std::size_t consumers = level_of(base, Level::Consumer).size(), central = 0, focus = 0;
  std::optional<int> first;
  for (const Hit& h : hits) {
    focus += h.focus;
    if (!h.short_central) continue;
    ++central;
    int day = *h.entity->metrics.time_to_shortage;
    first = first ? std::min(*first, day) : day;
  }
  if (hits.empty()) return head + ": " + no_shortage_sentence(base);
  std::string out = fmt::format("{}: {} of {} sector–region pairs run short within the horizon",
                                head, central, consumers);
  if (first) out += ", the first on " + to_string(st_.start + *first);
  if (hits.size() > central)
    out += fmt::format(" ({} more only in some Monte Carlo draws)", hits.size() - central);
  out += ".";
  if (!st_.focus.empty() && focus == 0) out += " No consumer in the focus runs short.";
  return out + " " + run_total_sentence(base);
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
  const std::vector<Hit> hits = hits_of(*base);
  s.paragraph(scenario_head(g, hits));
  std::vector<const EntityResult*> shorts, listed;
  for (const Hit& h : hits)
    if (h.short_central) shorts.push_back(h.entity);
  std::vector<std::string> items;
  const bool per_consumer_mitigations = g.mitigated.size() <= 2;
  for (std::size_t i = 0; i < hits.size() && i < kMaxSentencesPerScenario; ++i) {
    items.push_back(finding(g, hits[i], per_consumer_mitigations));
    listed.push_back(hits[i].entity);
  }
  if (hits.size() > kMaxSentencesPerScenario)
    items.push_back(fmt::format("{} more sector–region pair{} {} hit (see the tables).",
                                hits.size() - kMaxSentencesPerScenario,
                                hits.size() - kMaxSentencesPerScenario == 1 ? "" : "s",
                                hits.size() - kMaxSentencesPerScenario == 1 ? "is" : "are"));
  for (const auto* e : level_of(*base, Level::Consumer)) {
    if (std::find(listed.begin(), listed.end(), e) != listed.end()) continue;
    if (auto sentence = supply_sentence(*e); !sentence.empty()) items.push_back(sentence);
  }
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
  // Regions partition the consumers (unmet tonnes); losses per unit name count a product
  // shared by sectors once (money_lost, as the run's loss headline).
  double unmet0 = 0, unmet1 = 0;
  for (const auto* e : level_of(base, Level::Region)) unmet0 += e->metrics.unmet_t;
  for (const auto* e : level_of(m, Level::Region)) unmet1 += e->metrics.unmet_t;
  const MoneyLost l0 = money_lost(base), l1 = money_lost(m);
  std::string out = mitigation_label(m) + ": " + join(parts, ", ", 10);
  if (unmet0 > 0) {
    double change = unmet1 / unmet0 - 1;
    if (std::fabs(change) >= 0.005)
      out += fmt::format(
          "; unmet demand {} by {} ({})", change < 0 ? "falls" : "rises",
          format_percent(std::fabs(change)),
          value_change_text(l0.margin && l1.margin ? std::optional<double>(*l1.margin - *l0.margin)
                                                   : std::nullopt,
                            l1.value - l0.value));
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
  bool fell = false;
  for (const auto* e : level_of(r, Level::Consumer)) fell |= cover_fell(r, *e);
  if (lowest && fell)
    out += fmt::format("; the lowest stock cover is {} ({})", cover_text(r, *lowest),
                       name_.entity(*lowest));
  else if (lowest)
    out += "; no consumer's stock cover falls below its starting level";
  return out + ".";
}

bool Builder::cover_fell(const RunResult& r, const EntityResult& e) const {
  const Series* s = series_of(r, e);
  if (!s || s->cover_days.empty() || !std::isfinite(s->cover_days.front()))
    return e.metrics.min_cover_day.value_or(0) > 0;
  const double start = s->cover_days.front();
  return start - e.metrics.min_cover_days > std::max(0.05, 1e-3 * std::fabs(start));
}

std::string Builder::cover_text(const RunResult& r, const EntityResult& e) const {
  const auto& m = e.metrics;
  if (!cover_fell(r, e)) return days(m.min_cover_days) + " (never fell)";
  return fmt::format("{} on {}", days(m.min_cover_days),
                     to_string(st_.start + m.min_cover_day.value_or(0)));
}

std::string Builder::run_total_sentence(const RunResult& r) const {
  return loss_sentence(d_, r);  // report_why.cpp: value added lost as the headline
}

std::string Builder::unit_of(Level level, const std::string& id) const {
  for (const auto& r : d_.record.results.runs)
    if (const EntityResult* e = find_entity(r, level, id))
      return e->unit_name.empty() ? "units" : e->unit_name;
  return "units";
}

std::string Builder::metric_text(Metric metric, double v, const std::string& unit) const {
  if (!std::isfinite(v)) return "—";
  if (metric == Metric::TimeToShortage && v >= st_.horizon_days - 0.5)
    return "no shortage within the horizon";
  switch (metric_info(metric).kind) {
    case MetricKind::Fraction:
      return format_percent(v);
    case MetricKind::Usd:
      return format_usd(v);
    case MetricKind::Tonnes:
      return format_tonnes(v);
    case MetricKind::Day:
      return day_text(d_, static_cast<int>(std::lround(v)));
    case MetricKind::Duration:
      return days(v);
    case MetricKind::Units:
      return format_significant(v, 3) + " " + (unit.empty() ? "units" : unit);
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
