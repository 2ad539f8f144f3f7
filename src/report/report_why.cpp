// "Why" a consumer is hit, from the decomposition the run recorded (EntityResult::why), and
// the report section "How the shock travelled"; the run's losses in the defensible measure.
#include "report_why.hpp"

namespace rareshock::report::doc::detail {

namespace {

using analysis::WhyConstraint;
constexpr std::size_t kMaxWorse = 4;
using analysis::WhyRecord;

std::string material_text(const RunData& d, const std::string& id) {
  auto it = d.material_names.find(id);
  return it != d.material_names.end() && !it->second.empty() ? it->second : id;
}

/// Supply change by supplier place (country), summed over materials and stages.
struct PlaceChange {
  std::string place;
  double before = 0, during = 0, standby = 0;
};

std::vector<PlaceChange> by_place(const WhyRecord& w) {
  std::vector<PlaceChange> out;
  for (const auto& s : w.suppliers) {
    const std::string key = s.stage == "stockpile" ? "stockpile " + s.supplier : s.place;
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.place == key; });
    if (it == out.end()) it = out.insert(out.end(), {key, 0, 0, 0});
    it->before += s.before_t;
    it->during += s.during_t;
    if (s.standby) it->standby += s.during_t;
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.during - a.before < b.during - b.before;
  });
  return out;
}

std::string place_name(const RunData& d, const std::string& key) {
  if (key.rfind("stockpile ", 0) == 0) return d.name_of(key.substr(10));
  return d.name_of(key);
}

std::string change_text(const RunData& d, const PlaceChange& p) {
  const double delta = p.during - p.before;
  std::string out = fmt::format("from {} {} {}", place_name(d, p.place),
                                delta < 0 ? "fell" : "rose", format_tonnes(std::fabs(delta)));
  if (p.before > 0)
    out +=
        fmt::format(" ({}{})", delta < 0 ? "−" : "+", format_percent(std::fabs(delta) / p.before));
  else
    out += " (a supplier it did not buy from before)";
  if (p.before > 0 && p.standby > 0)
    out +=
        fmt::format(", {} of it from makers it did not buy from before", format_tonnes(p.standby));
  return out;
}

/// The largest fall and the largest rise in supply by place (only moves of at least 1 % of
/// the baseline inflow).
std::vector<std::string> supply_moves(const RunData& d, const WhyRecord& w) {
  std::vector<std::string> out;
  const auto places = by_place(w);
  const double tol = 0.01 * std::max(w.baseline_inflow_t, 1e-12);
  if (!places.empty() && places.front().during - places.front().before < -tol)
    out.push_back(change_text(d, places.front()));
  if (!places.empty() && places.back().during - places.back().before > tol)
    out.push_back(change_text(d, places.back()));
  return out;
}

std::string stage_noun(const std::string& stage) {
  if (stage == "consumer") return "buyers";
  if (stage == "magnet") return "magnet makers";
  if (stage == "metal") return "metal and alloy makers";
  if (stage == "refinery") return "separators";
  if (stage == "mine") return "mines";
  return stage + "s";
}

std::string restriction_text(const RunData& d, const WhyConstraint& c) {
  const double share = c.ordered_t > 0 ? c.passed_t / c.ordered_t : 0;
  std::string regime = c.regime == "licence" ? "licence regime"
                       : c.regime == "quota" ? "quota"
                                             : "ban";
  std::string pass =
      c.regime == "licence"
          ? fmt::format("approvals ran at {} of the tonnes ordered", format_percent(share))
      : c.regime == "quota"
          ? fmt::format("it let {} of the tonnes ordered pass", format_percent(share))
      : share > 0 ? fmt::format("{} of the tonnes ordered passed", format_percent(share))
                  : "nothing passed";
  std::string out =
      fmt::format("{}'s {} '{}' on {} from its {} to {} in {} ({})", d.name_of(c.from_place),
                  regime, c.event, material_text(d, c.material), stage_noun(c.from_stage),
                  stage_noun(c.to_stage), d.name_of(c.to_place), pass);
  if (c.depth > 0) out += fmt::format(", {} stage{} upstream", c.depth, c.depth == 1 ? "" : "s");
  return out;
}

std::string constraint_text(const RunData& d, const WhyConstraint& c) {
  if (c.kind == "restriction") return restriction_text(d, c);
  std::string where = fmt::format("{} ({}, {})", d.name_of(c.node), d.name_of(c.from_place),
                                  stage_noun(c.from_stage));
  std::string up = c.depth > 1 ? fmt::format(", {} stages upstream", c.depth) : std::string();
  if (c.kind == "outage")
    return fmt::format("an outage at {}, capacity at {} of baseline{}", where,
                       format_percent(c.ratio), up);
  if (c.kind == "capacity")
    return fmt::format("{} ran at full capacity ({} used) and rationed its buyers{}", where,
                       format_percent(c.ratio), up);
  return fmt::format("{} delivered less than ordered (its stock ran low){}", where, up);
}

/// What the study's mitigations did to \p e (mitigated runs of its scenario): the one that cut
/// unmet demand most, and any that raised it.
std::string helped_text(const ScenarioRuns& g, const EntityResult& e) {
  if (g.mitigated.empty() || e.metrics.unmet_t <= 0) return {};
  const RunResult* best = nullptr;
  double best_change = 0;
  std::vector<std::string> worse;
  for (const RunResult* m : g.mitigated) {
    const EntityResult* me = find_entity(*m, e.level, e.id);
    if (!me) continue;
    const double change = me->metrics.unmet_t / e.metrics.unmet_t - 1;
    if (change < best_change - 1e-12) best_change = change, best = m;
    if (change >= 0.005 && m->combination.mitigations.size() == 1)
      worse.push_back(
          fmt::format("{} raised it by {}", mitigation_label(*m), format_percent(change)));
  }
  std::string out;
  if (best && best_change <= -0.005)
    out = fmt::format("{} cut its unmet demand by {}", mitigation_label(*best),
                      format_percent(-best_change));
  else
    out = "no mitigation in the study cut its unmet demand";
  if (!worse.empty()) out += " (" + join(worse, ", ", 3) + ")";
  return out;
}

/// Why a mitigation left a consumer worse off: the supplier place whose deliveries per day
/// fell most against the scenario alone, and the binding constraint with the mitigation.
bool same_constraint(const WhyConstraint& a, const WhyConstraint& b) {
  return a.kind == b.kind && a.event == b.event && a.node == b.node && a.material == b.material;
}

std::string worse_mechanism(const RunData& d, const WhyRecord& base, const WhyRecord& mit) {
  auto rates = [](const WhyRecord& w) {
    std::map<std::string, double> r;
    const double len = std::max(1, w.to_day - w.from_day + 1);
    for (const auto& p : by_place(w)) r[p.place] += p.during / len;
    return r;
  };
  const auto b = rates(base), m = rates(mit);
  double total = 0;
  for (const auto& [place, rb] : b) total += rb;
  std::string worst;
  double drop = 1e-3 * total;  // moves below 0.1 % of its daily supply are noise
  for (const auto& [place, rb] : b) {
    const auto it = m.find(place);
    const double rm = it == m.end() ? 0 : it->second;
    if (rb - rm > drop) drop = rb - rm, worst = place;
  }
  std::vector<std::string> parts;
  if (!worst.empty()) {
    const auto it = m.find(worst);
    parts.push_back(
        fmt::format("with it, supply from {} ran at {}/day against {}/day under the scenario alone",
                    place_name(d, worst), format_tonnes(it == m.end() ? 0 : it->second),
                    format_tonnes(b.at(worst))));
  }
  if (mit.binding && base.binding && same_constraint(*mit.binding, *base.binding))
    parts.push_back("the same constraint binds with and without it (" +
                    constraint_text(d, *mit.binding) +
                    "): what the mitigation adds elsewhere draws on that constrained supply, "
                    "so less of it reaches this consumer");
  else if (mit.binding)
    parts.push_back("with it, the binding constraint is " + constraint_text(d, *mit.binding));
  if (parts.empty()) return "the balances do not show a single cause.";
  return join(parts, "; ", 4) + ".";
}

}  // namespace

std::string binding_text(const RunData& d, const WhyRecord& w) {
  return w.binding ? constraint_text(d, *w.binding) : std::string();
}

std::string why_sentence(const RunData& d, const ScenarioRuns& g, const EntityResult& e) {
  if (!e.why) return {};
  const WhyRecord& w = *e.why;
  const Date start = d.record.study.start;
  std::vector<std::string> parts;
  parts.push_back(fmt::format(
      "between {} and {} it needed {}: {} arrived (against {} at baseline rates), {} {} its own "
      "stock and {} went unmet",
      to_string(start + w.from_day), to_string(start + w.to_day), format_tonnes(w.demand_t),
      format_tonnes(w.inflow_t), format_tonnes(w.baseline_inflow_t),
      format_tonnes(std::fabs(w.stock_drawn_t)), w.stock_drawn_t >= 0 ? "came from" : "went into",
      format_tonnes(w.unmet_t)));
  auto moves = supply_moves(d, w);
  if (!moves.empty()) parts.push_back("supply " + join(moves, "; supply ", 2));
  if (w.supplier_stock_drawn_t > 0.01 * w.demand_t)
    parts.push_back(fmt::format("its suppliers drew {} of their finished stock for it",
                                format_tonnes(w.supplier_stock_drawn_t)));
  if (w.binding) parts.push_back("binding constraint: " + constraint_text(d, *w.binding));
  // The restriction on its own supplier edges, when the binding one is elsewhere.
  if (w.binding && (w.binding->kind != "restriction" || w.binding->depth > 0) &&
      !w.restrictions.empty() && w.restrictions.front().ordered_t > w.restrictions.front().passed_t)
    parts.push_back("on its own supplier edges, " + restriction_text(d, w.restrictions.front()));
  if (w.from_stockpiles_t > 0)
    parts.push_back(
        fmt::format("stockpile releases delivered {}", format_tonnes(w.from_stockpiles_t)));
  if (std::string h = helped_text(g, e); !h.empty()) parts.push_back("what helped: " + h);
  return "Why: " + join(parts, "; ", 12) + ".";
}

/// Losses over regions, for summaries written before `losses` (regions partition the
/// consumers and count a product shared by sectors once; a region mixing unit names counts
/// "units").
static std::vector<analysis::LossByUnit> losses_from_regions(const RunResult& r) {
  std::vector<analysis::LossByUnit> out;
  for (const auto* e : level_of(r, Level::Region)) {
    const std::string unit = e->unit_name.empty() ? "units" : e->unit_name;
    auto it =
        std::find_if(out.begin(), out.end(), [&](const auto& l) { return l.unit_name == unit; });
    if (it == out.end()) it = out.insert(out.end(), {unit, 0, 0, 0, 0.0});
    it->units_lost += e->metrics.units_lost;
    it->units_lost_upper += e->metrics.units_lost_upper;
    it->value_lost_usd += e->metrics.value_lost_usd;
    if (e->metrics.margin_lost_usd && it->margin_lost_usd)
      *it->margin_lost_usd += *e->metrics.margin_lost_usd;
    else if (e->metrics.value_lost_usd > 0)
      it->margin_lost_usd.reset();
  }
  return out;
}

MoneyLost money_lost(const RunResult& r) {
  const std::vector<analysis::LossByUnit> losses =
      r.losses.empty() ? losses_from_regions(r) : r.losses;
  MoneyLost out;
  double margin = 0;
  bool margins = true;
  for (const auto& l : losses) {
    out.value += l.value_lost_usd;
    if (l.margin_lost_usd)
      margin += *l.margin_lost_usd;
    else if (l.value_lost_usd > 0)
      margins = false;
  }
  if (margins) out.margin = margin;
  return out;
}

std::string loss_sentence(const RunData& d, const RunResult& r) {
  (void)d;
  double unmet = 0;
  for (const auto* e : level_of(r, Level::Region)) unmet += e->metrics.unmet_t;
  std::string out = fmt::format("In total {} of demand goes unmet", format_tonnes(unmet));
  const std::vector<analysis::LossByUnit> losses =
      r.losses.empty() ? losses_from_regions(r) : r.losses;
  double value = 0, margin = 0;
  bool margins = true;
  std::vector<std::string> units;
  for (const auto& l : losses) {
    value += l.value_lost_usd;
    if (l.margin_lost_usd)
      margin += *l.margin_lost_usd;
    else if (l.value_lost_usd > 0)
      margins = false;
    if (l.units_lost <= 0) continue;
    std::string u = format_count(l.units_lost) + " " + l.unit_name;
    if (l.units_lost_upper > l.units_lost * (1 + 1e-6))
      u += fmt::format(" (up to {} if shortages in different sectors hit different {})",
                       format_count(l.units_lost_upper), l.unit_name);
    units.push_back(std::move(u));
  }
  if (units.empty()) return out + ".";
  out += "; downstream, " + join(units, ", ", 8) + " are not built";
  if (margins && margin > 0)
    out += fmt::format(
        ". Value added lost (units not built × margin): {}; at full sales value, an upper bound "
        "on the loss, {}",
        format_usd(margin), format_usd(value));
  else if (value > 0)
    out += fmt::format(
        ", worth {} at full sales value (an upper bound on the loss: the model "
        "gives no margin for some consumers)",
        format_usd(value));
  return out + ".";
}

std::vector<Section> shock_travel(const RunData& d) {
  std::vector<Section> out;
  bool any = false;
  for (const auto& r : d.record.results.runs)
    for (const auto& e : r.entities) any |= e.why.has_value();
  if (!any) return out;
  Section s{"how-the-shock-travelled", "How the shock travelled", 2, true, {}};
  s.paragraph(
      "For each consumer that runs short (a scenario without mitigations), its supply over its "
      "shock window — from the first day a restriction or outage upstream of it starts to its "
      "last day with a shortfall — as a mass balance: what it needed = what arrived + what it drew "
      "from "
      "its own stock + what went unmet. 'Baseline' is the model's steady-state flow over "
      "the same days. The binding constraint is traced from the consumer's supplier edges "
      "upstream: a "
      "restriction's pass limit where orders were blocked, otherwise the supplier that rationed "
      "it and, in turn, what limited that supplier (an outage, its full capacity, or its own "
      "inputs). Source: summary.json (why) and why.csv.");
  Namer name(d);
  for (const auto& g : group_runs(d)) {
    if (!g.base) continue;
    std::vector<const EntityResult*> hit;
    for (const auto* e : level_of(*g.base, Level::Consumer))
      if (short_in(*e) && e->why) hit.push_back(e);
    std::stable_sort(hit.begin(), hit.end(), [](const auto* a, const auto* b) {
      return a->metrics.unmet_t > b->metrics.unmet_t;
    });
    Section sub{"travel-" + slug(g.scenario), "Under " + name.scenario(g.scenario), 3, false, {}};
    if (hit.empty()) {
      sub.paragraph("No consumer runs short.");
      out.push_back(std::move(sub));
      continue;
    }
    Table t = make_table(
        "Supply of the consumers that run short over their shock window (largest unmet first)",
        {"Consumer", "Window", "Needed", "Arrived (baseline)", "Own stock drawn", "Unmet",
         "Largest supply changes", "Binding constraint"},
        {false, false, true, true, true, true, false, false});
    const Date start = d.record.study.start;
    for (const auto* e : hit) {
      const WhyRecord& w = *e->why;
      t.rows.push_back({name.entity(*e),
                        to_string(start + w.from_day) + " – " + to_string(start + w.to_day),
                        format_tonnes(w.demand_t),
                        format_tonnes(w.inflow_t) + " (" + format_tonnes(w.baseline_inflow_t) + ")",
                        format_tonnes(w.stock_drawn_t), format_tonnes(w.unmet_t),
                        join(supply_moves(d, w), "; ", 2), binding_text(d, w)});
    }
    sub.table(std::move(t));
    std::vector<std::string> items;
    for (std::size_t i = 0; i < hit.size() && i < 3; ++i)
      items.push_back(name.entity(*hit[i]) + ". " + why_sentence(d, g, *hit[i]));
    // Mitigations that make a consumer worse: the mechanism from the two runs' balances, the
    // largest increases in tonnes first.
    struct Worse {
      const RunResult* m;
      const EntityResult *e, *me;
      double change;
    };
    std::vector<Worse> worse;
    for (const RunResult* m : g.mitigated) {
      if (m->combination.mitigations.size() != 1) continue;
      for (const auto* e : level_of(*g.base, Level::Consumer)) {
        const EntityResult* me = find_entity(*m, e->level, e->id);
        if (!me || e->metrics.unmet_t <= 0 || !me->why || !e->why) continue;
        const double change = me->metrics.unmet_t / e->metrics.unmet_t - 1;
        if (change >= 0.005) worse.push_back({m, e, me, change});
      }
    }
    std::stable_sort(worse.begin(), worse.end(), [](const Worse& a, const Worse& b) {
      return a.me->metrics.unmet_t - a.e->metrics.unmet_t >
             b.me->metrics.unmet_t - b.e->metrics.unmet_t;
    });
    for (std::size_t i = 0; i < worse.size() && i < kMaxWorse; ++i) {
      const Worse& x = worse[i];
      items.push_back(fmt::format("{} raises the unmet demand of {} by {} ({}): {}",
                                  mitigation_label(*x.m), name.entity(*x.e),
                                  format_percent(x.change),
                                  format_tonnes(x.me->metrics.unmet_t - x.e->metrics.unmet_t),
                                  worse_mechanism(d, *x.e->why, *x.me->why)));
    }
    if (worse.size() > kMaxWorse)
      items.push_back(fmt::format(
          "{} more consumers are worse off with a single mitigation than without (why.csv "
          "compares their balances run by run).",
          worse.size() - kMaxWorse));
    sub.bullets(std::move(items));
    out.push_back(std::move(sub));
  }
  if (out.empty()) return out;
  out.insert(out.begin(), std::move(s));
  return out;
}

}  // namespace rareshock::report::doc::detail
