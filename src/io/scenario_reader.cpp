// Reads scenario files (shock and mitigation events) and checks them against a model.
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "rareshock/core/text.hpp"
#include "readers.hpp"

namespace rareshock::io {

MaterialSelector read_materials(Diagnostics& d, TreeNode* n, const std::string& path) {
  MaterialSelector s;
  if (!n) {
    s.all = true;
    return s;
  }
  if (n->is_scalar() && n->scalar == "all") {
    s.all = true;
  } else if (n->is_scalar() || n->is_seq()) {
    TreeNode wrapper = TreeNode::make_map(n->loc);
    wrapper.set("ids", *n, n->loc);
    MapReader r(d, wrapper, path, "a material selection");
    s.ids = r.ref_list("ids");
  } else {
    MapReader r(d, *n, path, "a material selection");
    if (!r.valid()) return s;
    s.ids = r.ref_list("ids");
    s.families = r.ref_list("families");
    if (TreeNode* el = r.get("elements_above"))
      for (auto& [ref, v] : read_amounts(d, *el, r.at("elements_above"), Dimension::Fraction)) {
        const auto& symbols = element_symbols();
        if (std::find(symbols.begin(), symbols.end(), ref.id) == symbols.end()) {
          d.error(ref.loc, child_path(r.at("elements_above"), ref.id),
                  "'" + ref.id + "' is not a chemical element symbol", "e.g. Dy, Tb, Sm",
                  did_you_mean(ref.id, symbols));
          continue;
        }
        if (v > 1) {
          d.error(ref.loc, child_path(r.at("elements_above"), ref.id),
                  "content threshold " + pretty_number(v) + " is more than 1",
                  "a mass fraction in [0, 1], e.g. '0.1 %'");
          continue;
        }
        s.elements_above.push_back({ref.id, v});
      }
    if (TreeNode* es = r.get("elements_sum_above")) {
      auto read_sum = [&](TreeNode& item, const std::string& p) {
        MapReader rs(d, item, p, "an element sum");
        if (!rs.valid()) return;
        ElementSum sum;
        const auto& symbols = element_symbols();
        for (auto& el : rs.ref_list("elements")) {
          if (std::find(symbols.begin(), symbols.end(), el.id) == symbols.end()) {
            d.error(el.loc, rs.at("elements"), "'" + el.id + "' is not a chemical element symbol",
                    "e.g. Dy, Tb, Sm", did_you_mean(el.id, symbols));
            continue;
          }
          if (std::find(sum.elements.begin(), sum.elements.end(), el.id) != sum.elements.end())
            d.error(el.loc, rs.at("elements"), "element '" + el.id + "' is listed twice");
          sum.elements.push_back(el.id);
        }
        if (!rs.has("elements"))
          rs.need("elements", "a list of element symbols, e.g. [Dy, Tb]");
        else if (sum.elements.empty())
          d.error(rs.loc_of("elements"), rs.at("elements"), "the element sum names no element",
                  "a list of element symbols, e.g. [Dy, Tb]");
        if (!rs.has("above")) rs.need("above", "a mass fraction in [0, 1], e.g. '0.1 %'");
        sum.above = rs.opt_fraction("above").value_or(0);
        rs.finish();
        s.elements_sum_above.push_back(std::move(sum));
      };
      if (es->is_seq())
        for_each_item(d, *es, r.at("elements_sum_above"), "element sum", read_sum);
      else
        read_sum(*es, r.at("elements_sum_above"));
    }
    s.all = r.flag("all", false);
    if (!s.all && s.ids.empty() && s.families.empty() && s.elements_above.empty() &&
        s.elements_sum_above.empty())
      d.error(n->loc, path, "the material selection selects nothing",
              "ids, families, elements_above (e.g. {Dy: '0.1 %'}), elements_sum_above "
              "(e.g. {elements: [Dy, Tb], above: '0.1 %'}) or all: true");
    r.finish();
  }
  return s;
}

CountrySelector read_countries(Diagnostics& d, TreeNode* n, const std::string& path,
                               bool default_all) {
  CountrySelector s;
  if (!n) {
    s.all = default_all;
    return s;
  }
  if (n->is_scalar() && n->scalar == "all") {
    s.all = true;
  } else if (n->is_map()) {
    MapReader r(d, *n, path, "a country selection");
    s.all = true;
    s.except = r.ref_list("all_except");
    if (!r.has("all_except"))
      d.error(n->loc, path, "a country selection mapping needs 'all_except'",
              "all, a list of countries/groups, or {all_except: [CN]}");
    r.finish();
  } else {
    TreeNode wrapper = TreeNode::make_map(n->loc);
    wrapper.set("only", *n, n->loc);
    MapReader r(d, wrapper, path, "a country selection");
    s.only = r.ref_list("only");
  }
  return s;
}

namespace {

NodeSelector read_nodes(Diagnostics& d, TreeNode* n, const std::string& path) {
  NodeSelector s;
  if (!n) return s;
  if (!n->is_map()) {
    TreeNode wrapper = TreeNode::make_map(n->loc);
    wrapper.set("nodes", *n, n->loc);
    MapReader r(d, wrapper, path, "a node selection");
    s.nodes = r.ref_list("nodes");
    return s;
  }
  MapReader r(d, *n, path, "a node selection");
  s.nodes = r.ref_list("nodes");
  s.countries = r.ref_list("countries");
  for (auto& st : r.ref_list("stages")) {
    auto names = stage_names();
    auto it = std::find(names.begin(), names.end(), st.id);
    if (it == names.end())
      d.error(st.loc, r.at("stages"), "unknown stage '" + st.id + "'", "one of: " + join(names),
              did_you_mean(st.id, names));
    else
      s.stages.push_back(static_cast<Stage>(it - names.begin()));
  }
  if (s.nodes.empty() && s.countries.empty() && s.stages.empty())
    d.error(n->loc, path, "the node selection selects nothing", "nodes, countries and/or stages");
  r.finish();
  return s;
}

ConsumerSelector read_consumers(Diagnostics& d, TreeNode* n, const std::string& path) {
  ConsumerSelector s;
  if (!n) return s;
  if (!n->is_map()) {
    TreeNode wrapper = TreeNode::make_map(n->loc);
    wrapper.set("consumers", *n, n->loc);
    MapReader r(d, wrapper, path, "a consumer selection");
    s.consumers = r.ref_list("consumers");
    return s;
  }
  MapReader r(d, *n, path, "a consumer selection");
  s.consumers = r.ref_list("consumers");
  s.sectors = r.ref_list("sectors");
  s.regions = r.ref_list("regions");
  r.finish();
  return s;
}

EdgeSelector read_edges(Diagnostics& d, TreeNode* n, const std::string& path) {
  EdgeSelector s;
  s.materials.all = true;
  if (!n) return s;
  MapReader r(d, *n, path, "an edge selection");
  if (!r.valid()) return s;
  s.from = r.ref_list("from");
  s.to = r.ref_list("to");
  s.from_countries = r.ref_list("from_countries");
  s.to_countries = r.ref_list("to_countries");
  s.materials = read_materials(d, r.get("materials"), r.at("materials"));
  r.finish();
  return s;
}

Trigger read_trigger(Diagnostics& d, MapReader& parent) {
  Trigger t;
  TreeNode* n = parent.get("trigger");
  if (!n) return t;
  MapReader r(d, *n, parent.at("trigger"), "a trigger");
  if (!r.valid()) return t;
  static const std::vector<std::string> kinds = {"date", "shortage"};
  t.on_shortage = r.choice("on", kinds, 0) == 1;
  t.watch = read_consumers(d, r.get("watch"), r.at("watch"));
  t.threshold = r.fraction("threshold", 0.01);
  t.lag = Duration::days(r.quantity("lag", Dimension::Duration, 0));
  if (t.lag.days() < 0)
    d.error(r.loc_of("lag"), r.at("lag"), "lag must not be negative", "a duration >= 0");
  r.finish();
  return t;
}

// An approval schedule: a fraction (from the event's start) or a list of {from, fraction}.
std::vector<ApprovalStep> read_approval(Diagnostics& d, TreeNode& ap, const std::string& path,
                                        const TimeRef& start) {
  std::vector<ApprovalStep> out;
  if (ap.is_scalar()) {
    if (auto v = read_quantity(d, ap, path, Dimension::Fraction)) {
      if (*v < 0 || *v > 1)
        d.error(ap.loc, path, "approval fraction is outside [0, 1]",
                expected_text(Dimension::Fraction));
      out.push_back({start, *v});
    }
    return out;
  }
  for_each_item(d, ap, path, "approval step", [&](TreeNode& item, const std::string& p) {
    MapReader ra(d, item, p, "an approval step");
    if (!ra.valid()) return;
    ApprovalStep st;
    if (TreeNode* f = ra.need("from", "a date or day offset"))
      if (auto t = read_time(d, *f, ra.at("from"))) st.from = *t;
    st.fraction = ra.opt_fraction("fraction").value_or(0);
    if (!ra.has("fraction")) ra.need("fraction", expected_text(Dimension::Fraction));
    if (!out.empty()) {
      const TimeRef& prev = out.back().from;
      if (prev.is_date == st.from.is_date &&
          (st.from.is_date ? st.from.date < prev.date : st.from.offset < prev.offset))
        d.error(ra.loc_of("from"), ra.at("from"), "approval steps must be in date order",
                "a 'from' after the previous step's");
    }
    ra.finish();
    out.push_back(st);
  });
  return out;
}

void non_negative(Diagnostics& d, MapReader& r, const char* key, double v) {
  if (v < 0)
    d.error(r.loc_of(key), r.at(key),
            std::string(key) + " must not be negative, got " + pretty_number(v), "a value >= 0");
}

// ---- One reader per event type: reads the type's own keys (in the order the messages and
// the written-back defaults follow) from the event's mapping; the common keys are read by
// read_event.

void read_resubmission(Diagnostics& d, TreeNode& rsn, const std::string& path, const TimeRef& start,
                       LicenceRegime& licence) {
  MapReader rr(d, rsn, path, "resubmission settings");
  if (!rr.valid()) return;
  Resubmission res;
  if (auto dl = rr.required_quantity("delay", Dimension::Duration)) {
    if (*dl < 1)
      d.error(rr.loc_of("delay"), rr.at("delay"),
              "the resubmission delay must be at least 1 day, got " + pretty_number(*dl),
              "a duration such as '10 days'");
    res.delay = Duration::days(*dl);
  }
  if (TreeNode* ap = rr.get("approval"))
    res.approval = read_approval(d, *ap, rr.at("approval"), start);
  if (auto n = rr.opt_integer("max_attempts")) {
    if (*n < 1 || *n > 100)
      d.error(rr.loc_of("max_attempts"), rr.at("max_attempts"),
              "max_attempts must be between 1 and 100, got " + std::to_string(*n),
              "decisions per application, the first included (omit: unlimited)");
    else
      res.max_attempts = static_cast<int>(*n);
  }
  rr.finish();
  licence.resubmission = res;
}

// The `licence:` section of an export restriction with regime licence.
void read_licence(Diagnostics& d, TreeNode& lic, const std::string& path, const TimeRef& start,
                  LicenceRegime& licence) {
  MapReader rl(d, lic, path, "licence settings");
  if (!rl.valid()) return;
  if (TreeNode* rd = rl.get("review_delay")) {
    if (auto dist = read_distribution(d, *rd, rl.at("review_delay"), Dimension::Duration)) {
      licence.review_delay = *dist;
      if (dist->lower() < 0)
        d.error(rd->loc, rl.at("review_delay"), "review_delay must not be negative",
                "a duration >= 0");
    }
  } else {
    rl.get("review_delay");
    lic.set("review_delay", TreeNode::make_scalar("45 working days", lic.loc), lic.loc);
  }
  if (TreeNode* ap = rl.need("approval", "a fraction, or a list of {from: date, fraction: f}"))
    licence.approval = read_approval(d, *ap, rl.at("approval"), start);
  if (TreeNode* v = rl.get("validity")) {
    if (v->is_scalar() && v->scalar == "one_shipment") {
      licence.validity.reset();
    } else if (auto days = read_quantity(d, *v, rl.at("validity"), Dimension::Duration)) {
      if (*days <= 0)
        d.error(v->loc, rl.at("validity"), "validity must be positive",
                "one_shipment or a duration such as '6 months'");
      licence.validity = Duration::days(*days);
    }
  } else {
    lic.set("validity", TreeNode::make_scalar("one_shipment", lic.loc), lic.loc);
  }
  if (auto cap = rl.opt_quantity("volume_cap", Dimension::Count)) {
    if (*cap <= 0)
      d.error(rl.loc_of("volume_cap"), rl.at("volume_cap"),
              "volume_cap must be positive, got " + pretty_number(*cap),
              "a multiple of the edge's normal flow, e.g. 1.2");
    licence.volume_cap = *cap;
  }
  licence.granted_at_start = rl.flag("granted_at_start", false);
  if (TreeNode* rsn = rl.get("resubmission"))
    read_resubmission(d, *rsn, rl.at("resubmission"), start, licence);
  rl.finish();
}

// The `quota:` section of an export restriction with regime quota.
void read_quota(Diagnostics& d, TreeNode& quo, const std::string& path, QuotaRegime& quota) {
  MapReader rq(d, quo, path, "quota settings");
  if (!rq.valid()) return;
  quota.annual = Rate::per_year(rq.required_quantity("annual", Dimension::MassRate).value_or(0));
  non_negative(d, rq, "annual", quota.annual.per_year());
  rq.finish();
}

// An origin-content condition (`origin_content` of an export restriction).
std::optional<OriginContent> read_origin_content(Diagnostics& d, TreeNode& n,
                                                 const std::string& path) {
  MapReader ro(d, n, path, "an origin-content condition");
  if (!ro.valid()) return std::nullopt;
  OriginContent c;
  c.countries = ro.ref_list("countries");
  if (c.countries.empty())
    d.error(ro.loc_of("countries"), ro.at("countries"),
            "origin_content needs the restricted origins", "countries: [CN]");
  c.stages = read_stage_list(ro, "stages");
  c.stages_origin = {ro.loc_of("stages"), ro.at("stages")};
  static const std::vector<std::string> measures = {"value", "mass"};
  c.by_value = ro.choice("measure", measures, 0) == 0;
  if (auto a = ro.opt_fraction("at_least"))
    c.at_least = *a;
  else
    ro.need("at_least", "a content share such as 0.1 %");
  ro.finish();
  return c;
}

ExportRestriction read_export_restriction(Diagnostics& d, MapReader& r, const Event& ev) {
  ExportRestriction x;
  x.exporters =
      read_countries(d, r.need("exporters", "country ids, e.g. [CN]"), r.at("exporters"), false);
  x.materials = read_materials(d, r.need("materials", "material ids, families or elements_above"),
                               r.at("materials"));
  x.destinations = read_countries(d, r.get("destinations"), r.at("destinations"), true);
  static const std::vector<std::string> regimes = {"ban", "licence", "quota"};
  auto reg = r.required_choice("regime", regimes);
  x.regime = reg ? static_cast<RegimeKind>(*reg) : RegimeKind::Ban;
  TreeNode* lic = r.get("licence");
  TreeNode* quo = r.get("quota");
  if (reg && x.regime != RegimeKind::Licence && lic)
    d.error(r.loc_of("licence"), r.at("licence"), "'licence' settings need regime: licence");
  if (reg && x.regime != RegimeKind::Quota && quo)
    d.error(r.loc_of("quota"), r.at("quota"), "'quota' settings need regime: quota");
  if (reg && x.regime == RegimeKind::Licence) {
    if (!lic)
      d.error(r.loc_of("regime"), r.path(), "regime licence needs a 'licence' section",
              "licence: {review_delay: '45 working days', approval: [{from: 2025-06-01, "
              "fraction: 0.25}]}");
    else
      read_licence(d, *lic, r.at("licence"), ev.start, x.licence);
  }
  if (reg && x.regime == RegimeKind::Quota) {
    if (!quo)
      d.error(r.loc_of("regime"), r.path(), "regime quota needs a 'quota' section",
              "quota: {annual: '30000 t/yr'}");
    else
      read_quota(d, *quo, r.at("quota"), x.quota);
  }
  x.exporter_nodes = r.ref_list("exporter_nodes");
  x.destination_nodes = r.ref_list("destination_nodes");
  x.destination_sectors = r.ref_list("destination_sectors");
  x.de_minimis = r.opt_fraction("de_minimis");
  x.end_users = r.ref_list("end_users");
  if (r.has("origin_share")) {
    r.get("origin_share");
    d.error(r.loc_of("origin_share"), r.at("origin_share"),
            "origin_share was replaced by origin_content (the engine traces origins)", {},
            "origin_content: {countries: [CN], at_least: 0.1 %} (value content; add "
            "measure: mass for mass content)");
  }
  if (TreeNode* oc = r.get("origin_content"))
    x.origin_content = read_origin_content(d, *oc, r.at("origin_content"));
  return x;
}

CapacityOutage read_capacity_outage(Diagnostics& d, MapReader& r) {
  CapacityOutage x;
  x.nodes = read_nodes(d, r.need("nodes", "node ids, or {countries: [...], stages: [...]}"),
                       r.at("nodes"));
  x.remaining = r.fraction("remaining", 0);
  return x;
}

DemandShock read_demand_shock(Diagnostics& d, MapReader& r) {
  DemandShock x;
  x.consumers = read_consumers(d, r.get("consumers"), r.at("consumers"));
  x.factor = r.required_quantity("factor", Dimension::Count).value_or(1);
  non_negative(d, r, "factor", x.factor);
  return x;
}

LogisticsDelay read_logistics_delay(Diagnostics& d, MapReader& r) {
  LogisticsDelay x;
  x.edges =
      read_edges(d, r.need("edges", "{from_countries: [...], to_countries: [...], materials: ...}"),
                 r.at("edges"));
  x.extra_days = Duration::days(r.required_quantity("extra_days", Dimension::Duration).value_or(0));
  non_negative(d, r, "extra_days", x.extra_days.days());
  if (x.extra_days.days() > 3650)  // like lead_time: a pipeline cell per day per input slot
    d.error(r.loc_of("extra_days"), r.at("extra_days"),
            "extra_days must be at most 10 years (3650 days)", "e.g. '20 days'");
  return x;
}

StockpileRelease read_stockpile_release(Diagnostics& d, MapReader& r) {
  StockpileRelease x;
  x.node = r.ref("node", "a stockpile node id");
  x.materials = read_materials(d, r.get("materials"), r.at("materials"));
  x.rate = Rate::per_year(r.required_quantity("rate", Dimension::MassRate).value_or(0));
  non_negative(d, r, "rate", x.rate.per_year());
  x.cover_below = r.opt_quantity("cover_below", Dimension::Duration);
  x.eligible = read_countries(d, r.get("eligible"), r.at("eligible"), true);
  return x;
}

// Capacity expansions and recycling share their keys (node, from, to, ramp); only expansions
// have a trigger.
template <class Ramp>
Ramp read_ramp(Diagnostics& d, MapReader& r, const char* node_expected) {
  Ramp x{};
  x.node = r.ref("node", node_expected);
  x.from = Rate::per_year(r.required_quantity("from", Dimension::MassRate).value_or(0));
  x.to = Rate::per_year(r.required_quantity("to", Dimension::MassRate).value_or(0));
  x.ramp = Duration::days(r.quantity("ramp", Dimension::Duration, 0));
  non_negative(d, r, "from", x.from.per_year());
  non_negative(d, r, "to", x.to.per_year());
  non_negative(d, r, "ramp", x.ramp.days());
  return x;
}

CapacityExpansion read_capacity_expansion(Diagnostics& d, MapReader& r) {
  auto x = read_ramp<CapacityExpansion>(d, r, "a node id");
  x.trigger = read_trigger(d, r);
  return x;
}

Recycling read_recycling(Diagnostics& d, MapReader& r) {
  return read_ramp<Recycling>(d, r, "a recycler node id");
}

Substitution read_substitution(Diagnostics& d, MapReader& r) {
  Substitution x;
  x.consumers = read_consumers(d, r.get("consumers"), r.at("consumers"));
  x.material = r.ref("material", "the material whose demand falls");
  x.max_reduction = r.opt_fraction("max_reduction").value_or(0);
  if (!r.has("max_reduction")) r.need("max_reduction", expected_text(Dimension::Fraction));
  x.lag = Duration::days(r.quantity("lag", Dimension::Duration, 0));
  x.ramp = Duration::days(r.quantity("ramp", Dimension::Duration, 0));
  non_negative(d, r, "lag", x.lag.days());
  non_negative(d, r, "ramp", x.ramp.days());
  x.trigger = read_trigger(d, r);
  return x;
}

RecipeSwitch read_recipe_switch(Diagnostics& d, MapReader& r) {
  RecipeSwitch x;
  x.node = r.ref("node", "a node id");
  x.recipe = r.ref("recipe", "the id of one of the node's recipes");
  x.qualification_lag = Duration::days(r.quantity("qualification_lag", Dimension::Duration, 0));
  non_negative(d, r, "qualification_lag", x.qualification_lag.days());
  return x;
}

// The type-specific part of an event.
using EventData = decltype(Event::data);

EventData read_event_data(Diagnostics& d, MapReader& r, const Event& ev) {
  switch (ev.type) {
    case EventType::ExportRestriction:
      return read_export_restriction(d, r, ev);
    case EventType::CapacityOutage:
      return read_capacity_outage(d, r);
    case EventType::DemandShock:
      return read_demand_shock(d, r);
    case EventType::LogisticsDelay:
      return read_logistics_delay(d, r);
    case EventType::StockpileRelease:
      return read_stockpile_release(d, r);
    case EventType::CapacityExpansion:
      return read_capacity_expansion(d, r);
    case EventType::Substitution:
      return read_substitution(d, r);
    case EventType::RecipeSwitch:
      return read_recipe_switch(d, r);
    case EventType::Recycling:
      return read_recycling(d, r);
  }
  return ev.data;
}

// The keys of every event type, allowed without being read when the type is missing or
// unknown (its error is the only one reported).
void allow_any_event_key(MapReader& r) {
  r.allow({"exporter_nodes", "destination_nodes", "destination_sectors", "origin_content",
           "end_users"});
  r.allow({"exporters",
           "materials",
           "destinations",
           "regime",
           "licence",
           "quota",
           "de_minimis",
           "nodes",
           "remaining",
           "consumers",
           "factor",
           "edges",
           "extra_days",
           "node",
           "rate",
           "cover_below",
           "eligible",
           "from",
           "to",
           "ramp",
           "trigger",
           "material",
           "max_reduction",
           "lag",
           "recipe",
           "qualification_lag"});
}

Event read_event(Diagnostics& d, TreeNode& n, const std::string& path, std::size_t index) {
  Event ev;
  MapReader r(d, n, path, "an event");
  if (!r.valid()) return ev;
  ev.origin = {n.loc, path};
  auto type = r.required_choice("type", event_type_names());
  ev.type = type ? static_cast<EventType>(*type) : EventType::ExportRestriction;
  ev.id = r.text("id", (type ? event_type_names()[*type] : std::string("event")) + "-" +
                           std::to_string(index + 1));
  ev.description = r.opt_text("description").value_or("");
  if (TreeNode* s = r.need("start", "a date 'YYYY-MM-DD' or a day offset"))
    if (auto t = read_time(d, *s, r.at("start"))) ev.start = *t;
  ev.end = r.opt_time("end");
  ev.end_origin = {r.loc_of("end"), r.at("end")};
  if (ev.end && ev.end->is_date == ev.start.is_date &&
      (ev.start.is_date ? ev.end->date < ev.start.date : ev.end->offset < ev.start.offset))
    d.error(r.loc_of("end"), r.at("end"), "the event ends before it starts",
            "an end on or after the start");
  if (!type) {
    allow_any_event_key(r);
    r.finish();
    return ev;
  }
  ev.data = read_event_data(d, r, ev);
  r.finish();
  return ev;
}

}  // namespace

Scenario read_scenario(Diagnostics& d, TreeNode& root, const std::string& path) {
  Scenario s;
  MapReader r(d, root, path, path.empty() ? "a scenario file" : "a scenario");
  if (!r.valid()) return s;
  s.origin = {root.loc, path};
  if (TreeNode* h = r.need("scenario", "scenario: {id: ..., name: ..., description: ...}")) {
    MapReader rh(d, *h, r.at("scenario"), "the scenario header");
    if (rh.valid()) {
      s.id = rh.id();
      s.name = rh.text("name", s.id);
      s.description = rh.opt_text("description").value_or("");
      s.sources = rh.text_list("sources");
      rh.finish();
    }
  }
  if (TreeNode* ev = r.need("events", "a list of events")) {
    std::size_t i = 0;
    std::map<std::string, int> ids;
    for_each_item(d, *ev, r.at("events"), "event", [&](TreeNode& item, const std::string& p) {
      Event e = read_event(d, item, p, i++);
      if (!e.id.empty() && !ids.emplace(e.id, static_cast<int>(item.loc.line)).second)
        d.error(item.loc, p, "duplicate event id '" + e.id + "'", {},
                "first defined at line " + std::to_string(ids[e.id]));
      s.events.push_back(std::move(e));
    });
  }
  r.finish();
  return s;
}

namespace {

// Checks a scenario's references against a model: one check per event type. Id lists are in
// definition order (for did-you-mean hints on the error path), with hash sets for the lookups,
// so checking is linear in the model size.
class ScenarioChecker {
 public:
  ScenarioChecker(Diagnostics& d, const Model& m) : d_(d) {
    for (auto& x : m.materials) {
      add(materials_, x.id);
      if (!families_.set.count(x.family)) add(families_, x.family);
    }
    for (auto& x : m.nodes) {
      add(nodes_, x.id);
      if (x.is_consumer()) {
        add(consumers_, x.id);
        if (!sectors_.set.count(x.sector)) add(sectors_, x.sector);
        if (!end_users_.set.count(x.end_user)) add(end_users_, x.end_user);
      }
    }
    for (auto& x : m.countries) add(places_, x.id);
    for (auto& x : m.groups) add(places_, x.id);
    node_index_.reserve(m.nodes.size());
    for (auto& x : m.nodes) node_index_.emplace(x.id, &x);
  }

  void check(const ExportRestriction& x, const std::string& p) {
    countries(x.exporters, p + ".exporters");
    countries(x.destinations, p + ".destinations");
    materials(x.materials, p + ".materials");
    for (auto& r : x.exporter_nodes) known(r, nodes_, "node", p + ".exporter_nodes");
    for (auto& r : x.destination_nodes) known(r, nodes_, "node", p + ".destination_nodes");
    for (auto& sct : x.destination_sectors) sector(sct, p + ".destination_sectors");
    for (auto& u : x.end_users)
      if (!end_users_.set.count(u.id))
        d_.error(u.loc, p + ".end_users", "no consumer has end_user '" + u.id + "'", {},
                 id_hint(u.id, end_users_.list));
    if (x.origin_content)
      for (auto& r : x.origin_content->countries)
        known(r, places_, "country or group", p + ".origin_content.countries");
  }
  void check(const CapacityOutage& x, const std::string& p) {
    for (auto& r : x.nodes.nodes) known(r, nodes_, "node", p + ".nodes");
    for (auto& r : x.nodes.countries) known(r, places_, "country or group", p + ".nodes.countries");
  }
  void check(const DemandShock& x, const std::string& p) {
    consumers(x.consumers, p + ".consumers");
  }
  void check(const LogisticsDelay& x, const std::string& p) {
    for (auto& r : x.edges.from) known(r, nodes_, "node", p + ".edges.from");
    for (auto& r : x.edges.to) known(r, nodes_, "node", p + ".edges.to");
    for (auto& r : x.edges.from_countries)
      known(r, places_, "country or group", p + ".edges.from_countries");
    for (auto& r : x.edges.to_countries)
      known(r, places_, "country or group", p + ".edges.to_countries");
    materials(x.edges.materials, p + ".edges.materials");
  }
  void check(const StockpileRelease& x, const std::string& p) {
    known(x.node, nodes_, "node", p + ".node");
    if (const Node* n = node_of(x.node); n && n->stage != Stage::Stockpile)
      d_.error(x.node.loc, p + ".node",
               "node '" + n->id + "' is a " + to_string(n->stage) + ", not a stockpile");
    materials(x.materials, p + ".materials");
    countries(x.eligible, p + ".eligible");
  }
  void check(const CapacityExpansion& x, const std::string& p) {
    known(x.node, nodes_, "node", p + ".node");
    if (const Node* n = node_of(x.node); n && (n->is_consumer() || n->stage == Stage::Stockpile))
      d_.error(x.node.loc, p + ".node",
               "node '" + n->id + "' has no production capacity to expand");
    consumers(x.trigger.watch, p + ".trigger.watch");
  }
  void check(const Substitution& x, const std::string& p) {
    consumers(x.consumers, p + ".consumers");
    known(x.material, materials_, "material", p + ".material");
    consumers(x.trigger.watch, p + ".trigger.watch");
  }
  void check(const RecipeSwitch& x, const std::string& p) {
    known(x.node, nodes_, "node", p + ".node");
    const Node* n = node_of(x.node);
    if (!n) return;
    std::vector<std::string> rids;
    for (auto& rec : n->recipes) rids.push_back(rec.id);
    if (std::find(rids.begin(), rids.end(), x.recipe.id) == rids.end())
      d_.error(x.recipe.loc, p + ".recipe",
               "node '" + n->id + "' has no recipe '" + x.recipe.id + "'", {},
               id_hint(x.recipe.id, rids));
  }
  void check(const Recycling& x, const std::string& p) {
    known(x.node, nodes_, "node", p + ".node");
    if (const Node* n = node_of(x.node); n && n->stage != Stage::Recycler)
      d_.error(x.node.loc, p + ".node",
               "node '" + n->id + "' is a " + to_string(n->stage) + ", not a recycler");
  }

 private:
  struct Ids {
    std::vector<std::string> list;
    std::unordered_set<std::string> set;
  };
  static void add(Ids& ids, const std::string& id) {
    ids.list.push_back(id);
    ids.set.insert(id);
  }
  void known(const Ref& r, const Ids& ids, const char* what, const std::string& p) {
    if (!r.id.empty() && !ids.set.count(r.id))
      d_.error(r.loc, p, std::string("unknown ") + what + " '" + r.id + "'", {},
               id_hint(r.id, ids.list));
  }
  void sector(const Ref& sct, const std::string& p) {
    if (!sectors_.set.count(sct.id))
      d_.error(sct.loc, p, "no consumer has sector '" + sct.id + "'", {},
               id_hint(sct.id, sectors_.list));
  }
  void materials(const MaterialSelector& ms, const std::string& p) {
    for (auto& r : ms.ids) known(r, materials_, "material", p);
    for (auto& f : ms.families)
      if (!families_.set.count(f.id))
        d_.error(f.loc, p, "no material has family '" + f.id + "'", {},
                 id_hint(f.id, families_.list));
  }
  void countries(const CountrySelector& cs, const std::string& p) {
    for (auto& r : cs.only) known(r, places_, "country or group", p);
    for (auto& r : cs.except) known(r, places_, "country or group", p);
  }
  void consumers(const ConsumerSelector& cs, const std::string& p) {
    for (auto& r : cs.consumers) known(r, consumers_, "consumer", p);
    for (auto& r : cs.regions) known(r, places_, "country or group", p);
    for (auto& sct : cs.sectors) sector(sct, p);
  }
  const Node* node_of(const Ref& r) const {
    auto it = node_index_.find(r.id);
    return it == node_index_.end() ? nullptr : it->second;
  }

  Diagnostics& d_;
  Ids materials_, nodes_, consumers_, places_, sectors_, families_, end_users_;
  std::unordered_map<std::string_view, const Node*> node_index_;
};

// Whether an event takes effect inside the study window (day 0 = \p start).
bool in_window(const Event& ev, const Date& start, int horizon) {
  return !(ev.start.day(start) >= horizon || (ev.end && ev.end->day(start) < 0));
}

// An event's timing against the study window (day 0 = \p start). An event outside it is
// worth a warning only when \p scenario_acts is false: a dated plan whose later steps fall
// after the horizon (a plant commissioned in 2028) is not a mistake, but a scenario none of
// whose events falls in the window does nothing at all.
void check_timing(Diagnostics& d, const Event& ev, const Date& start, int horizon,
                  bool scenario_acts) {
  const std::string& p = ev.origin.path;
  double s0 = ev.start.day(start);
  // Same-kind times (two dates, two offsets) were checked when reading.
  if (ev.end && ev.end->is_date != ev.start.is_date && ev.end->day(start) < s0)
    d.error(ev.end_origin.loc, p + ".end",
            "event '" + ev.id + "' ends (day " + pretty_number(ev.end->day(start)) +
                ") before it starts (day " + pretty_number(s0) + ")",
            "an end on or after the start");
  if (!scenario_acts && !in_window(ev, start, horizon))
    d.warning(ev.origin.loc, p,
              "event '" + ev.id + "' lies outside the study window (day 0 = " + to_string(start) +
                  ", horizon " + std::to_string(horizon) + " days) and has no effect");
}

}  // namespace

void check_scenario(Diagnostics& d, const Model& m, const Scenario& s, const Date* start,
                    int horizon) {
  ScenarioChecker checker(d, m);
  const bool acts = start && std::any_of(s.events.begin(), s.events.end(), [&](const Event& ev) {
                      return in_window(ev, *start, horizon);
                    });
  for (const Event& ev : s.events) {
    std::visit([&](const auto& x) { checker.check(x, ev.origin.path); }, ev.data);
    if (start) check_timing(d, ev, *start, horizon, acts);
  }
}

}  // namespace rareshock::io
