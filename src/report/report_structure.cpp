// The report section on structural risk (analysis/summary.json).
#include "report_builder.hpp"

namespace rareshock::report::doc::detail {

std::vector<Section> Builder::structural() {
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
  if (auto f = exposure_heatmap(st)) s.figure(std::move(*f));
  criticality(s, st);
  if (Table ch = chokepoints(st); !ch.rows.empty()) s.table(std::move(ch));
  out.push_back(std::move(s));
  return out;
}

std::optional<Figure> Builder::exposure_heatmap(const StructuralData& st) {
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
  if (sectors.empty() || countries.empty()) return std::nullopt;
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
            "through each country at some stage of the chain, in the baseline. A tonne mined "
            "in one country and refined or made into magnets in another counts for each of "
            "them, so the shares of a row are not a split of the tonnage and can add up to "
            "more than 100 %."};
  return figure("exposure", h.text.title, draw(h));
}

void Builder::criticality(Section& s, const StructuralData& st) {
  if (st.criticality.empty()) return;
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
  Table t = make_table(fmt::format("Criticality: damage of a {}-day outage (most damaging first)",
                                   st.criticality_days),
                       {"Outage of", "Country", "Stage", "Share of stage output", "Unmet",
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
                      format_percent(c->baseline_output_share), format_tonnes(c->unmet_t),
                      c->value_lost_usd > 0 ? format_usd(c->value_lost_usd) : "0",
                      std::to_string(c->sectors_short), day_text(d_, c->first_short_day)});
    t.highlight.push_back(c->sectors_short > 0);
  }
  b.text = {chart_id(), fmt::format("Criticality: damage of a {}-day outage", st.criticality_days),
            fmt::format("Bar chart of the {} of a {}-day outage of each node or country "
                        "stage, most damaging first (the {} largest with damage).",
                        by_value ? "value of output lost" : "unmet demand", st.criticality_days,
                        b.groups.size())};
  if (!b.groups.empty()) s.figure(figure("criticality", b.text.title, draw(b)));
  s.table(std::move(t));
}

Table Builder::chokepoints(const StructuralData& st) const {
  // Chokepoints: how much of each sector's demand the network can carry at most. Above 1
  // the network is not binding: written as a multiple of demand ("64× demand"), not 6400 %.
  Table ch = make_table(
      "Chokepoints: the most each sector's supply chain can carry, relative to its demand "
      "(all regions); below 100 % the chain cannot meet demand even with every plant at "
      "capacity",
      {"Case", "Sector", "Binding element", "Supportable"}, {false, false, false, true});
  for (const auto& tg : st.targets) {
    if (tg.region != "*") continue;
    const double x = tg.supportable_fraction;
    ch.rows.push_back(
        {tg.case_name, sector_name(tg.sector), tg.binding_element,
         x < 1 ? format_percent(x) + " of demand" : format_significant(x, 2) + "× demand"});
    ch.highlight.push_back(x < 1);
  }
  return ch;
}

}  // namespace rareshock::report::doc::detail
