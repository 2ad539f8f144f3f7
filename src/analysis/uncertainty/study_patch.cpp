#include "rareshock/analysis/uncertainty/study_patch.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <functional>
#include <optional>
#include <variant>

#include "rareshock/core/error.hpp"

namespace rareshock::analysis {

// A typed setter for one concrete target path. Every field set here is stored by the readers
// exactly as parsed from its text (a plain number in the key's canonical unit, which
// format_number writes and from_chars reads back unchanged) and checked by them only against
// fixed bounds (>= 0, >= 1, > 0, within [0, 1]): the values a reader accepts form an interval,
// so a setter checked at both ends of [lo, hi] holds for every value between.
struct StudyPatcher::Setter {
  enum class Effect {
    None,   ///< the model is unchanged: the base network is reused
    Stock,  ///< a node's inventory_days / output_inventory_days: sim::restock of `node`
    Model,  ///< anything else in the model: compiled again
  };
  std::string path;
  Effect effect = Effect::None;
  int node = -1;
  double lo = 0, hi = 0;  ///< the values checked against re-reading (ends included)
  std::function<void(Study&, double)> set;
};

namespace {

using Setter = StudyPatcher::Setter;
using Effect = Setter::Effect;

// One segment of a concrete key path: `name` or `name[key]`.
struct Seg {
  std::string name, key;
  bool keyed = false;
};

std::optional<std::vector<Seg>> parse_path(const std::string& path) {
  std::vector<Seg> out;
  std::size_t i = 0;
  while (i < path.size()) {
    Seg s;
    while (i < path.size() && path[i] != '.' && path[i] != '[') s.name += path[i++];
    if (i < path.size() && path[i] == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string::npos) return std::nullopt;
      s.key = path.substr(i + 1, close - i - 1);
      s.keyed = true;
      i = close + 1;
    }
    if (s.name.empty()) return std::nullopt;
    out.push_back(std::move(s));
    if (i < path.size() && path[i] != '.') return std::nullopt;
    if (i < path.size()) ++i;
  }
  return out;
}

std::optional<std::size_t> index_of(const std::string& key) {
  if (key.empty() ||
      !std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return static_cast<std::size_t>(std::stoul(key));
}

// model.nodes[id].field, model.consumers[id].field
std::optional<Setter> node_setter(const Study& st, const std::vector<Seg>& s) {
  if (s.size() != 3 || s[0].name != "model" || s[0].keyed || !s[1].keyed || s[2].keyed ||
      (s[1].name != "nodes" && s[1].name != "consumers"))
    return std::nullopt;
  const auto& nodes = st.model.nodes;
  auto it =
      std::find_if(nodes.begin(), nodes.end(), [&](const Node& n) { return n.id == s[1].key; });
  if (it == nodes.end() || it->is_consumer() != (s[1].name == "consumers")) return std::nullopt;
  const auto n = static_cast<std::size_t>(it - nodes.begin());
  Setter out;
  out.node = static_cast<int>(n);
  const std::string& f = s[2].name;
  if (f == "inventory_days" || f == "output_inventory_days") {
    out.effect = Effect::Stock;
    const bool in = f == "inventory_days";
    out.set = [n, in](Study& x, double v) {
      (in ? x.model.nodes[n].inventory_days : x.model.nodes[n].output_inventory_days) = v;
    };
    return out;
  }
  out.effect = Effect::Model;
  if (f == "replenishment_time")
    out.set = [n](Study& x, double v) { x.model.nodes[n].replenishment_time = v; };
  else if (f == "capacity" && it->capacity)
    out.set = [n](Study& x, double v) { x.model.nodes[n].capacity = Rate::per_year(v); };
  else
    return std::nullopt;
  return out;
}

// engine.<setting>, engine.qualification.<material>
std::optional<Setter> engine_setter(const Study& st, const std::vector<Seg>& s) {
  if (s.empty() || s[0].name != "engine" ||
      std::any_of(s.begin(), s.end(), [](const Seg& g) { return g.keyed; }))
    return std::nullopt;
  Setter out;
  out.effect = Effect::None;
  if (s.size() == 3 && s[1].name == "qualification") {
    const auto& q = st.engine.qualification;
    auto it = std::find_if(q.begin(), q.end(), [&](const auto& p) { return p.first == s[2].name; });
    if (it == q.end()) return std::nullopt;
    const auto i = static_cast<std::size_t>(it - q.begin());
    out.set = [i](Study& x, double v) { x.engine.qualification[i].second = v; };
    return out;
  }
  if (s.size() != 2) return std::nullopt;
  double EngineParams::*field = nullptr;
  if (s[1].name == "switching_lag") field = &EngineParams::switching_lag;
  if (s[1].name == "share_reversion") field = &EngineParams::share_reversion;
  if (s[1].name == "licence_volume_cap") field = &EngineParams::licence_volume_cap;
  if (s[1].name == "qualification_time") field = &EngineParams::qualification_time;
  if (!field) return std::nullopt;
  out.set = [field](Study& x, double v) { x.engine.*field = v; };
  return out;
}

// The fields of an event after `events[id].`
using EventSet = std::function<void(Event&, double)>;
std::optional<EventSet> event_field(const Event& ev, const std::vector<Seg>& s, std::size_t at) {
  auto names = [&](std::initializer_list<const char*> want) {
    if (s.size() - at != want.size()) return false;
    std::size_t i = at;
    for (const char* w : want)
      if (s[i++].name != w) return false;
    return true;
  };
  if (const auto* x = std::get_if<ExportRestriction>(&ev.data)) {
    if (names({"licence", "approval", "fraction"}) && !s[at].keyed && !s[at + 2].keyed) {
      const auto k = index_of(s[at + 1].key);
      if (!k || *k >= x->licence.approval.size()) return std::nullopt;
      return [k = *k](Event& e, double v) {
        std::get<ExportRestriction>(e.data).licence.approval[k].fraction = v;
      };
    }
    if (names({"licence", "review_delay"}) && !s[at].keyed && !s[at + 1].keyed)
      return [](Event& e, double v) {
        std::get<ExportRestriction>(e.data).licence.review_delay = Distribution::fixed(v);
      };
    if (names({"licence", "volume_cap"}) && !s[at].keyed && !s[at + 1].keyed)
      return [](Event& e, double v) { std::get<ExportRestriction>(e.data).licence.volume_cap = v; };
    return std::nullopt;
  }
  if (std::holds_alternative<CapacityOutage>(ev.data) && names({"remaining"}) && !s[at].keyed)
    return [](Event& e, double v) { std::get<CapacityOutage>(e.data).remaining = v; };
  if (std::holds_alternative<DemandShock>(ev.data) && names({"factor"}) && !s[at].keyed)
    return [](Event& e, double v) { std::get<DemandShock>(e.data).factor = v; };
  return std::nullopt;
}

// scenarios[id].events[id]...., mitigations[id].events[id]....
std::optional<Setter> event_setter(const Study& st, const std::vector<Seg>& s) {
  if (s.size() < 3 || !s[0].keyed || s[1].name != "events" || !s[1].keyed ||
      (s[0].name != "scenarios" && s[0].name != "mitigations"))
    return std::nullopt;
  const bool mitigation = s[0].name == "mitigations";
  const auto& list = mitigation ? st.mitigations : st.scenarios;
  auto sc =
      std::find_if(list.begin(), list.end(), [&](const Scenario& x) { return x.id == s[0].key; });
  if (sc == list.end()) return std::nullopt;
  auto ev = std::find_if(sc->events.begin(), sc->events.end(),
                         [&](const Event& e) { return e.id == s[1].key; });
  if (ev == sc->events.end()) return std::nullopt;
  auto set = event_field(*ev, s, 2);
  if (!set) return std::nullopt;
  const auto si = static_cast<std::size_t>(sc - list.begin());
  const auto ei = static_cast<std::size_t>(ev - sc->events.begin());
  Setter out;
  out.effect = Effect::None;
  out.set = [mitigation, si, ei, f = *set](Study& x, double v) {
    f((mitigation ? x.mitigations : x.scenarios)[si].events[ei], v);
  };
  return out;
}

std::optional<Setter> make_setter(const Study& st, const std::string& path) {
  const auto segs = parse_path(path);
  if (!segs) return std::nullopt;
  for (auto* make : {&node_setter, &engine_setter, &event_setter})
    if (auto s = make(st, *segs)) {
      s->path = path;
      return s;
    }
  return std::nullopt;
}

// Finite ends of the values a distribution draws (quantile(d, u) for u in (0, 1)).
bool bounded(const Distribution& d) {
  if (d.kind == DistKind::Lognormal) return false;
  if (d.kind == DistKind::Normal) return d.has_min && d.has_max;
  return true;
}

bool same(const PatchedStudy& a, const PatchedStudy& b) {
  return *a.study == *b.study && *a.network == *b.network;
}

}  // namespace

StudyPatcher::StudyPatcher(const Study& study, const io::TreeNode& resolved, bool typed)
    : resolved_(&resolved) {
  base_ = std::make_shared<const Study>(io::study_with_values(resolved, {}));
  base_net_ = std::make_shared<const sim::Network>(sim::compile(base_->model));
  // Probe values per target: the ends of its distribution and a point inside that differs
  // between targets (so a setter writing the wrong field cannot match by chance).
  std::vector<std::vector<io::PathValue>> probes(3);
  std::vector<std::string> seen;
  for (const auto& p : study.monte_carlo.params)
    for (const auto& t : p.targets) {
      if (std::find(seen.begin(), seen.end(), t) != seen.end()) continue;
      seen.push_back(t);
      const double inside = quantile(p.dist, 0.1 + 0.8 * std::fmod(0.6180339887 * seen.size(), 1));
      std::optional<Setter> s;
      if (!typed)
        reread_.push_back(t + ": typed setters off");
      else if (!(s = make_setter(*base_, t)))
        reread_.push_back(t + ": no typed setter");
      else if (!bounded(p.dist))
        reread_.push_back(t + ": the distribution has no finite ends");
      if (!s || !bounded(p.dist)) {
        for (auto& pr : probes) pr.push_back({t, quantile(p.dist, 0.5)});
        continue;
      }
      s->lo = p.dist.lower();
      s->hi = p.dist.upper();
      probes[0].push_back({t, s->lo});
      probes[1].push_back({t, s->hi});
      probes[2].push_back({t, inside});
      setters_.push_back(std::make_shared<const Setter>(std::move(*s)));
    }
  auto by_path = [](const auto& a, const auto& b) { return a->path < b->path; };
  std::sort(setters_.begin(), setters_.end(), by_path);
  if (setters_.empty() || verify(probes)) return;
  // Some setter does not give the re-read study: check each alone, re-read those that fail.
  std::vector<std::shared_ptr<const Setter>> all = setters_, good;
  for (const auto& s : all) {
    setters_ = {s};
    std::vector<std::vector<io::PathValue>> own;
    for (const auto& pr : probes)
      for (const auto& v : pr)
        if (v.path == s->path) own.push_back({v});
    if (verify(own))
      good.push_back(s);
    else
      reread_.push_back(s->path + ": patching differs from re-reading");
  }
  setters_ = good;
  if (setters_.empty() || verify(probes)) return;
  for (const auto& s : setters_) reread_.push_back(s->path + ": patching differs when combined");
  setters_.clear();
}

const StudyPatcher::Setter* StudyPatcher::setter(const std::string& path) const {
  auto it = std::lower_bound(setters_.begin(), setters_.end(), path,
                             [](const auto& s, const std::string& p) { return s->path < p; });
  return it != setters_.end() && (*it)->path == path ? it->get() : nullptr;
}

bool StudyPatcher::verify(const std::vector<std::vector<io::PathValue>>& probes) const {
  for (const auto& values : probes) {
    try {
      if (!same(apply(values), reference(values))) return false;
    } catch (const std::exception&) {
      return false;  // a value the reader refuses (or a baseline that fails): keep re-reading
    }
  }
  return true;
}

PatchedStudy StudyPatcher::reference(const std::vector<io::PathValue>& values) const {
  auto st = std::make_shared<const Study>(io::study_with_values(*resolved_, values));
  auto net = std::make_shared<const sim::Network>(sim::compile(st->model));
  return {st, net};
}

PatchedStudy StudyPatcher::apply(const std::vector<io::PathValue>& values) const {
  std::vector<io::PathValue> reread;
  std::vector<std::pair<const Setter*, double>> typed;
  for (const auto& v : values) {
    const Setter* s = setter(v.path);
    if (s && !(v.value >= s->lo && v.value <= s->hi))
      return reference(values);  // outside what was checked: re-read the whole draw
    if (s)
      typed.emplace_back(s, v.value);
    else
      reread.push_back(v);
  }
  auto st = reread.empty() ? std::make_shared<Study>(*base_)
                           : std::make_shared<Study>(io::study_with_values(*resolved_, reread));
  bool compile = !reread.empty();
  std::vector<int> restocked;
  for (const auto& [s, v] : typed) {
    s->set(*st, v);
    if (s->effect == Effect::Model) compile = true;
    if (s->effect == Effect::Stock) restocked.push_back(s->node);
  }
  PatchedStudy out;
  if (compile) {
    out.network = std::make_shared<const sim::Network>(sim::compile(st->model));
  } else if (!restocked.empty()) {
    auto net = std::make_shared<sim::Network>(*base_net_);
    sim::restock(st->model, restocked, *net);
    out.network = std::move(net);
  } else {
    out.network = base_net_;
  }
  out.study = std::move(st);
  return out;
}

}  // namespace rareshock::analysis
