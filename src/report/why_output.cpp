#include "why_output.hpp"

#include <fmt/format.h>

#include "output_files.hpp"

namespace rareshock::report::detail {

std::string why_csv(const Study& study, const analysis::StudyResult& result) {
  std::string out =
      "run,consumer,sector,region,from_date,to_date,demand_t,baseline_demand_t,inflow_t,"
      "baseline_inflow_t,stock_drawn_t,unmet_t,pipeline_drawn_t,supplier_stock_drawn_t,"
      "from_stockpiles_t,binding_kind,binding_event,binding_regime,binding_node,binding_from,"
      "binding_to,binding_material,binding_passed_share,binding_ratio,binding_depth\n";
  for (const auto& run : result.runs)
    for (const auto& e : run.entities) {
      if (e.level != analysis::Level::Consumer || !e.why) continue;
      const analysis::WhyRecord& w = *e.why;
      out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                         csv_field(run.combination.id), csv_field(e.id), csv_field(e.sector),
                         csv_field(e.region), to_string(study.start + w.from_day),
                         to_string(study.start + w.to_day), num(w.demand_t),
                         num(w.baseline_demand_t), num(w.inflow_t), num(w.baseline_inflow_t),
                         num(w.stock_drawn_t), num(w.unmet_t), num(w.pipeline_drawn_t),
                         num(w.supplier_stock_drawn_t), num(w.from_stockpiles_t));
      if (w.binding) {
        const analysis::WhyConstraint& c = *w.binding;
        const bool r = c.kind == "restriction";
        out += fmt::format(",{},{},{},{},{},{},{},{},{},{}\n", c.kind, csv_field(c.event), c.regime,
                           csv_field(c.node), csv_field(c.from_place), csv_field(c.to_place),
                           csv_field(c.material),
                           r && c.ordered_t > 0 ? num(c.passed_t / c.ordered_t) : "",
                           r ? "" : num(c.ratio), c.depth);
      } else {
        out += ",,,,,,,,,,\n";
      }
    }
  return out;
}

std::string why_suppliers_csv(const analysis::StudyResult& result) {
  std::string out =
      "run,consumer,supplier,place,stage,material,standby,before_t,during_t,change_t\n";
  for (const auto& run : result.runs)
    for (const auto& e : run.entities) {
      if (e.level != analysis::Level::Consumer || !e.why) continue;
      for (const auto& s : e.why->suppliers)
        out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_field(run.combination.id),
                           csv_field(e.id), csv_field(s.supplier), csv_field(s.place), s.stage,
                           csv_field(s.material), s.standby ? "true" : "false", num(s.before_t),
                           num(s.during_t), num(s.change_t()));
    }
  return out;
}

std::string losses_csv(const analysis::StudyResult& result) {
  std::string out = "run,unit_name,units_lost,units_lost_upper,margin_lost_usd,value_lost_usd\n";
  for (const auto& run : result.runs)
    for (const auto& l : run.losses)
      out += fmt::format("{},{},{},{},{},{}\n", csv_field(run.combination.id),
                         csv_field(l.unit_name), num(l.units_lost), num(l.units_lost_upper),
                         l.margin_lost_usd ? num(*l.margin_lost_usd) : "", num(l.value_lost_usd));
  return out;
}

void write_why_files(const std::filesystem::path& stage, const Study& study,
                     const analysis::StudyResult& result) {
  bool why = false, losses = false;
  for (const auto& run : result.runs) {
    losses |= !run.losses.empty();
    for (const auto& e : run.entities) why |= e.why.has_value();
  }
  if (why) {
    write_file(stage / "why.csv", why_csv(study, result));
    write_file(stage / "why_suppliers.csv", why_suppliers_csv(result));
  }
  if (losses) write_file(stage / "losses.csv", losses_csv(result));
}

}  // namespace rareshock::report::detail
