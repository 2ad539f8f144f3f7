#include "rareshock/sim/forcing.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "rareshock/core/units.hpp"

namespace rareshock::sim {

namespace {
double step_value(const std::vector<std::pair<int, double>>& steps, int day) {
  double a = 0;
  for (const auto& [from, f] : steps)
    if (day >= from) a = f;
  return a;
}
}  // namespace

double CompiledRestriction::approval_on(int day) const {
  return step_value(approval, day);
}

double CompiledRestriction::resubmit_approval_on(int day) const {
  return step_value(resubmit_approval.empty() ? approval : resubmit_approval, day);
}

bool material_matches(const Model& model, const Material& m, const MaterialSelector& sel,
                      double de_minimis) {
  (void)model;
  bool by_name = sel.all;  // selected by id, family or `all`
  for (const auto& r : sel.ids) by_name = by_name || r.id == m.id;
  for (const auto& f : sel.families) by_name = by_name || f.id == m.family;
  // Content of the elements whose criteria selected the material (each element once).
  std::set<std::string> counted;
  double targeted = 0;
  auto count = [&](const std::string& el) {
    auto it = m.elements.find(el);
    if (it != m.elements.end() && counted.insert(el).second) targeted += it->second;
  };
  bool by_content = false;
  for (const auto& [el, thr] : sel.elements_above) {
    auto it = m.elements.find(el);
    if (it != m.elements.end() && it->second > 0 && it->second >= thr) {
      by_content = true;
      count(el);
    }
  }
  for (const auto& sum : sel.elements_sum_above) {
    double v = 0;
    for (const auto& el : sum.elements)
      if (auto it = m.elements.find(el); it != m.elements.end()) v += it->second;
    if (v > 0 && v > sum.above) {
      by_content = true;
      for (const auto& el : sum.elements) count(el);
    }
  }
  if (!by_name && !by_content) return false;
  if (de_minimis > 0) {
    // Goods whose restricted content is below the de-minimis share pass. Selected by content:
    // the content that selected them. Selected by id/family/all: all declared elements other
    // than Fe, B, Co, O (the rare-earth content); a material that declares no elements cannot
    // show it is below the threshold and stays restricted.
    double content = targeted;
    if (by_name) {
      double re = 0;
      bool declared = false;
      for (const auto& [el, v] : m.elements)
        if (el != "Fe" && el != "B" && el != "Co" && el != "O") {
          re += v;
          declared = true;
        }
      if (!declared) return true;
      content = std::max(content, re);
    }
    if (content < de_minimis) return false;
  }
  return true;
}

bool place_matches(const Model& model, const std::string& place, const CountrySelector& sel) {
  auto expand = [&](const std::vector<Ref>& refs) {
    std::set<std::string> out;
    for (const auto& r : refs)
      for (auto& c : model.countries_of(r.id)) out.insert(c);
    return out;
  };
  for (const auto& r : sel.only)
    if (r.id == place) return true;
  auto members = model.countries_of(place);
  if (members.empty()) return false;
  if (sel.all) {
    auto ex = expand(sel.except);
    for (const auto& r : sel.except)
      if (r.id == place) return false;
    return std::none_of(members.begin(), members.end(), [&](auto& c) { return ex.count(c) > 0; });
  }
  auto in = expand(sel.only);
  return std::all_of(members.begin(), members.end(), [&](auto& c) { return in.count(c) > 0; });
}

namespace {

struct Ctx {
  const Network& net;
  const Model& model;
  Date start;

  int day(const TimeRef& t) const { return static_cast<int>(std::lround(t.day(start))); }
  int end_day(const std::optional<TimeRef>& t) const { return t ? day(*t) : kNever; }

  // Countries a place (country or group id) stands for.
  std::set<std::string> expand(const std::vector<Ref>& refs) const {
    std::set<std::string> out;
    for (const auto& r : refs)
      for (auto& c : model.countries_of(r.id)) out.insert(c);
    return out;
  }
  bool place_matches(const std::string& place, const CountrySelector& sel) const {
    return sim::place_matches(model, place, sel);
  }
  bool node_matches(int n, const NodeSelector& sel) const {
    if (!sel.nodes.empty() && std::none_of(sel.nodes.begin(), sel.nodes.end(),
                                           [&](auto& r) { return r.id == net.node_id[n]; }))
      return false;
    if (!sel.countries.empty()) {
      auto cs = expand(sel.countries);
      if (!cs.count(net.region[n])) return false;
    }
    if (!sel.stages.empty() &&
        std::find(sel.stages.begin(), sel.stages.end(), net.stage[n]) == sel.stages.end())
      return false;
    return true;
  }
  bool consumer_matches(int n, const ConsumerSelector& sel) const {
    if (net.stage[n] != Stage::Consumer) return false;
    if (!sel.consumers.empty() && std::none_of(sel.consumers.begin(), sel.consumers.end(),
                                               [&](auto& r) { return r.id == net.node_id[n]; }))
      return false;
    if (!sel.sectors.empty() && std::none_of(sel.sectors.begin(), sel.sectors.end(),
                                             [&](const Ref& r) { return r.id == net.sector[n]; }))
      return false;
    if (!sel.regions.empty()) {
      CountrySelector cs;
      cs.only = sel.regions;
      if (!place_matches(net.region[n], cs)) return false;
    }
    return true;
  }
  std::vector<int> consumer_slots(const ConsumerSelector& sel, int material = -1) const {
    std::vector<int> out;
    for (int n : net.consumer_nodes)
      if (consumer_matches(n, sel))
        for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s)
          if (material < 0 || net.in_material[s] == material) out.push_back(s);
    return out;
  }
  bool material_ok(int m, const MaterialSelector& sel, double de_minimis = -1) const {
    return material_matches(model, model.materials[m], sel, de_minimis);
  }
  CompiledTrigger trigger(const Trigger& t) const {
    CompiledTrigger c;
    c.on_shortage = t.on_shortage;
    c.threshold = t.threshold;
    c.lag = t.lag.whole_days();
    if (t.on_shortage) c.watch = consumer_slots(t.watch);
    return c;
  }
};

// ---- One compiler per event type: what the event does, as index lists over the network
// and whole days. `s` and `e` are the event's first and last day (kNever: open-ended).

struct EventDays {
  int s, e;
};

// Edges an export restriction applies to.
std::vector<int> restricted_edges(const Ctx& ctx, const ExportRestriction& x) {
  const Network& net = ctx.net;
  std::vector<int> edges;
  // The selectors depend only on the exporter country, the customer's region and the
  // material: evaluate each once (memoised), not once per edge.
  std::vector<signed char> exporter_ok(net.country_id.size(), -1),
      material_ok(net.material_id.size(), -1);
  std::unordered_map<std::string, bool> destination_ok;
  auto named = [&](const std::vector<Ref>& v, const std::string& id) {
    return std::any_of(v.begin(), v.end(), [&](const Ref& r) { return r.id == id; });
  };
  // Deliveries inside the exporter's country (or to a region group containing it).
  auto domestic = [&](int from, int to) {
    const std::string& c = net.country_id[net.country[from]];
    if (net.region[to] == c) return true;
    auto members = ctx.model.countries_of(net.region[to]);
    return std::find(members.begin(), members.end(), c) != members.end();
  };
  for (int ed = 0; ed < net.edges(); ++ed) {
    int from = net.e_from[ed], to = net.e_to[ed];
    if (net.country[from] < 0) continue;
    signed char& xo = exporter_ok[net.country[from]];
    if (xo < 0) xo = ctx.place_matches(net.country_id[net.country[from]], x.exporters);
    if (!xo) continue;
    auto [dit, fresh] = destination_ok.try_emplace(net.region[to], false);
    if (fresh) dit->second = ctx.place_matches(net.region[to], x.destinations);
    if (!dit->second) continue;
    signed char& mo = material_ok[net.e_material[ed]];
    if (mo < 0) mo = ctx.material_ok(net.e_material[ed], x.materials, x.de_minimis.value_or(-1));
    if (!mo) continue;
    if (!x.exporter_nodes.empty() && !named(x.exporter_nodes, net.node_id[from])) continue;
    // Named end users: the customer is one of destination_nodes or a consumer of one of
    // destination_sectors (either list may be empty).
    if (!x.destination_nodes.empty() || !x.destination_sectors.empty()) {
      bool user =
          named(x.destination_nodes, net.node_id[to]) ||
          (net.stage[to] == Stage::Consumer && named(x.destination_sectors, net.sector[to]));
      if (!user) continue;
    }
    if (!x.end_users.empty() &&
        (net.stage[to] != Stage::Consumer || !named(x.end_users, net.end_user[to])))
      continue;
    // An origin rule applies to exports whatever the exporter: deliveries at home are not
    // exports.
    if (x.origin_content && domestic(from, to)) continue;
    edges.push_back(ed);
  }
  return edges;
}

void add_event(const Ctx& ctx, Forcing& f, const Event& ev, EventDays t,
               const ExportRestriction& x) {
  CompiledRestriction r;
  r.event_id = ev.id;
  r.start = t.s;
  r.end = t.e;
  r.regime = x.regime;
  r.edges = restricted_edges(ctx, x);
  r.review_delay = static_cast<int>(std::lround(x.licence.review_delay.mean()));
  r.review_dist = x.licence.review_delay;
  r.max_delay = std::clamp(static_cast<int>(std::ceil(x.licence.review_delay.upper())),
                           r.review_delay, 3 * 365);
  for (const auto& st : x.licence.approval) r.approval.push_back({ctx.day(st.from), st.fraction});
  r.validity = x.licence.validity ? std::max(1, x.licence.validity->whole_days()) : 0;
  r.quota_per_day = x.quota.annual.per_day();
  r.volume_cap = x.licence.volume_cap.value_or(-1);
  r.granted_at_start = x.licence.granted_at_start;
  if (const auto& rs = x.licence.resubmission) {
    r.resubmit = true;
    r.resubmit_delay = std::clamp(rs->delay.whole_days(), 1, 3 * 365);
    for (const auto& st : rs->approval)
      r.resubmit_approval.push_back({ctx.day(st.from), st.fraction});
    r.max_attempts = rs->max_attempts;
  }
  if (const auto& oc = x.origin_content) {
    r.origin.on = true;
    r.origin.country.assign(ctx.net.country_id.size(), 0);
    for (const auto& c : ctx.expand(oc->countries))
      for (std::size_t i = 0; i < ctx.net.country_id.size(); ++i)
        if (ctx.net.country_id[i] == c) r.origin.country[i] = 1;
    r.origin.stages = oc->stages;
    r.origin.measure = oc->by_value ? OriginMeasure::Value : OriginMeasure::Mass;
    r.origin.at_least = oc->at_least;
    f.needs_origin = true;
  }
  f.last_restriction_day = std::max(f.last_restriction_day, t.e);
  f.restrictions.push_back(std::move(r));
}

void add_event(const Ctx& ctx, Forcing& f, const Event&, EventDays t, const CapacityOutage& x) {
  CompiledOutage o{t.s, t.e, {}, x.remaining};
  for (int n = 0; n < ctx.net.nodes(); ++n)
    if (ctx.node_matches(n, x.nodes)) o.nodes.push_back(n);
  f.last_restriction_day = std::max(f.last_restriction_day, t.e);
  f.outages.push_back(std::move(o));
}

void add_event(const Ctx& ctx, Forcing& f, const Event&, EventDays t, const DemandShock& x) {
  f.demand_shocks.push_back({t.s, t.e, ctx.consumer_slots(x.consumers), x.factor});
}

void add_event(const Ctx& ctx, Forcing& f, const Event&, EventDays t, const LogisticsDelay& x) {
  const Network& net = ctx.net;
  CompiledDelay d{t.s, t.e, {}, x.extra_days.whole_days()};
  auto from_c = ctx.expand(x.edges.from_countries);
  auto in = [&](const std::vector<Ref>& v, int n) {
    return v.empty() ||
           std::any_of(v.begin(), v.end(), [&](auto& r) { return r.id == net.node_id[n]; });
  };
  for (int ed = 0; ed < net.edges(); ++ed) {
    if (!in(x.edges.from, net.e_from[ed]) || !in(x.edges.to, net.e_to[ed])) continue;
    if (!x.edges.from_countries.empty() && !from_c.count(net.region[net.e_from[ed]])) continue;
    if (!x.edges.to_countries.empty()) {
      CountrySelector cs;
      cs.only = x.edges.to_countries;
      if (!ctx.place_matches(net.region[net.e_to[ed]], cs)) continue;
    }
    if (!ctx.material_ok(net.e_material[ed], x.edges.materials)) continue;
    d.edges.push_back(ed);
  }
  f.max_extra_lead = std::max(f.max_extra_lead, d.extra);
  f.delays.push_back(std::move(d));
}

void add_event(const Ctx& ctx, Forcing& f, const Event&, EventDays t, const StockpileRelease& x) {
  const Network& net = ctx.net;
  CompiledStockpileRelease r;
  r.node = net.node_index(x.node.id);
  r.start = t.s;
  r.end = t.e;
  r.rate = x.rate.per_day();
  r.cover_below = x.cover_below.value_or(-1);
  for (int o = net.out_begin[r.node]; o < net.out_begin[r.node + 1]; ++o) {
    if (!ctx.material_ok(net.out_material[o], x.materials)) continue;
    r.out_slots.push_back(o);
    for (int k = net.out_edge_begin[o]; k < net.out_edge_begin[o + 1]; ++k) {
      int ed = net.out_edges[k];
      if (ctx.place_matches(net.region[net.e_to[ed]], x.eligible)) r.edges.push_back(ed);
    }
  }
  f.releases.push_back(std::move(r));
}

// Capacity expansions and recycling both ramp a node's capacity.
template <class Ramp>
CompiledRamp compile_ramp(const Ctx& ctx, EventDays t, const Ramp& x) {
  CompiledRamp r;
  r.node = ctx.net.node_index(x.node.id);
  r.start = t.s;
  r.end = t.e;
  r.from = x.from.per_day();
  r.to = x.to.per_day();
  r.ramp = x.ramp.whole_days();
  return r;
}

void add_event(const Ctx& ctx, Forcing& f, const Event&, EventDays t, const CapacityExpansion& x) {
  CompiledRamp r = compile_ramp(ctx, t, x);
  r.trigger = ctx.trigger(x.trigger);  // only expansions can wait for a shortage trigger
  f.expansions.push_back(std::move(r));
}

void add_event(const Ctx& ctx, Forcing& f, const Event&, EventDays t, const Recycling& x) {
  f.expansions.push_back(compile_ramp(ctx, t, x));
}

void add_event(const Ctx& ctx, Forcing& f, const Event&, EventDays t, const Substitution& x) {
  CompiledSubstitution sub;
  sub.start = t.s;
  sub.end = t.e;
  sub.slots = ctx.consumer_slots(x.consumers, ctx.net.material_index(x.material.id));
  sub.max_reduction = x.max_reduction;
  sub.lag = x.lag.whole_days();
  sub.ramp = x.ramp.whole_days();
  sub.trigger = ctx.trigger(x.trigger);
  f.substitutions.push_back(std::move(sub));
}

void add_event(const Ctx& ctx, Forcing& f, const Event&, EventDays t, const RecipeSwitch& x) {
  const Network& net = ctx.net;
  CompiledRecipeSwitch rs;
  rs.node = net.node_index(x.node.id);
  for (int r = net.recipe_begin[rs.node]; r < net.recipe_begin[rs.node + 1]; ++r)
    if (net.recipe_id[r] == x.recipe.id) rs.recipe = r;
  int avail = static_cast<int>(std::ceil(net.recipe_available_after[rs.recipe]));
  rs.day = std::max(t.s + x.qualification_lag.whole_days(), avail);
  rs.end = t.e;
  f.switches.push_back(rs);
}

}  // namespace

Forcing compile_forcing(const Network& net, const Model& model,
                        const std::vector<const Scenario*>& scenarios, Date start) {
  Forcing f;
  Ctx ctx{net, model, start};
  for (const Scenario* sc : scenarios)
    for (const Event& ev : sc->events) {
      const EventDays t{ctx.day(ev.start), ctx.end_day(ev.end)};
      std::visit([&](const auto& x) { add_event(ctx, f, ev, t, x); }, ev.data);
    }
  return f;
}

}  // namespace rareshock::sim
