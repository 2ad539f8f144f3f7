#include "why_json.hpp"

#include "json_read.hpp"

namespace rareshock::detail {
using nlohmann::json;
using namespace json_read;

namespace {

json day_json(int d, Date start) {
  return json{{"day", d}, {"date", to_string(start + d)}};
}

json constraint_json(const analysis::WhyConstraint& c) {
  json j = {{"kind", c.kind}, {"node", c.node}, {"depth", c.depth}};
  if (c.kind == "restriction") {
    j["event"] = c.event;
    j["regime"] = c.regime;
    j["from"] = c.from_place;
    j["to"] = c.to_place;
    j["from_stage"] = c.from_stage;
    j["to_stage"] = c.to_stage;
    j["material"] = c.material;
    j["ordered_t"] = c.ordered_t;
    j["passed_t"] = c.passed_t;
  } else {
    j["place"] = c.from_place;
    j["stage"] = c.from_stage;
    j["ratio"] = c.ratio;
  }
  return j;
}

analysis::WhyConstraint constraint_of(const json& j) {
  analysis::WhyConstraint c;
  c.kind = str(j, "kind");
  c.node = str(j, "node");
  c.depth = integer(j, "depth", 0);
  if (c.kind == "restriction") {
    c.event = str(j, "event");
    c.regime = str(j, "regime");
    c.from_place = str(j, "from");
    c.to_place = str(j, "to");
    c.from_stage = str(j, "from_stage");
    c.to_stage = str(j, "to_stage");
    c.material = str(j, "material");
    c.ordered_t = number(j, "ordered_t", 0);
    c.passed_t = number(j, "passed_t", 0);
  } else {
    c.from_place = str(j, "place");
    c.from_stage = str(j, "stage");
    c.ratio = number(j, "ratio", 0);
  }
  return c;
}

}  // namespace

json why_json(const analysis::WhyRecord& w, Date start) {
  json suppliers = json::array();
  for (const auto& s : w.suppliers)
    suppliers.push_back({{"supplier", s.supplier},
                         {"place", s.place},
                         {"stage", s.stage},
                         {"material", s.material},
                         {"before_t", s.before_t},
                         {"during_t", s.during_t},
                         {"standby", s.standby}});
  json restrictions = json::array();
  for (const auto& c : w.restrictions) restrictions.push_back(constraint_json(c));
  return {{"from", day_json(w.from_day, start)},
          {"to", day_json(w.to_day, start)},
          {"demand_t", w.demand_t},
          {"baseline_demand_t", w.baseline_demand_t},
          {"inflow_t", w.inflow_t},
          {"baseline_inflow_t", w.baseline_inflow_t},
          {"stock_drawn_t", w.stock_drawn_t},
          {"unmet_t", w.unmet_t},
          {"pipeline_drawn_t", w.pipeline_drawn_t},
          {"supplier_stock_drawn_t", w.supplier_stock_drawn_t},
          {"from_stockpiles_t", w.from_stockpiles_t},
          {"suppliers", suppliers},
          {"binding", w.binding ? constraint_json(*w.binding) : json(nullptr)},
          {"restrictions", restrictions}};
}

analysis::WhyRecord why_of(const json& j) {
  analysis::WhyRecord w;
  w.from_day = day_of(j, "from").value_or(0);
  w.to_day = day_of(j, "to").value_or(0);
  w.demand_t = number(j, "demand_t", 0);
  w.baseline_demand_t = number(j, "baseline_demand_t", 0);
  w.inflow_t = number(j, "inflow_t", 0);
  w.baseline_inflow_t = number(j, "baseline_inflow_t", 0);
  w.stock_drawn_t = number(j, "stock_drawn_t", 0);
  w.unmet_t = number(j, "unmet_t", 0);
  w.pipeline_drawn_t = number(j, "pipeline_drawn_t", 0);
  w.supplier_stock_drawn_t = number(j, "supplier_stock_drawn_t", 0);
  w.from_stockpiles_t = number(j, "from_stockpiles_t", 0);
  for (const auto& s : array_at(j, "suppliers")) {
    analysis::WhySupplier x;
    x.supplier = str(s, "supplier");
    x.place = str(s, "place");
    x.stage = str(s, "stage");
    x.material = str(s, "material");
    x.before_t = number(s, "before_t", 0);
    x.during_t = number(s, "during_t", 0);
    auto it = s.find("standby");
    x.standby = it != s.end() && it->is_boolean() && it->get<bool>();
    w.suppliers.push_back(std::move(x));
  }
  if (const json* b = object_at(j, "binding")) w.binding = constraint_of(*b);
  for (const auto& c : array_at(j, "restrictions")) w.restrictions.push_back(constraint_of(c));
  return w;
}

json losses_json(const std::vector<analysis::LossByUnit>& losses) {
  json out = json::array();
  for (const auto& l : losses)
    out.push_back({{"unit_name", l.unit_name},
                   {"units_lost", l.units_lost},
                   {"units_lost_upper", l.units_lost_upper},
                   {"value_lost_usd", l.value_lost_usd},
                   {"margin_lost_usd", l.margin_lost_usd ? json(*l.margin_lost_usd) : json()}});
  return out;
}

std::vector<analysis::LossByUnit> losses_of(const json& j) {
  std::vector<analysis::LossByUnit> out;
  if (!j.is_array()) return out;
  for (const auto& l : j) {
    analysis::LossByUnit x;
    x.unit_name = str(l, "unit_name");
    x.units_lost = number(l, "units_lost", 0);
    x.units_lost_upper = number(l, "units_lost_upper", x.units_lost);
    x.value_lost_usd = number(l, "value_lost_usd", 0);
    if (auto it = l.find("margin_lost_usd"); it != l.end() && it->is_number())
      x.margin_lost_usd = it->get<double>();
    out.push_back(std::move(x));
  }
  return out;
}

}  // namespace rareshock::detail
