// The study as applied, described for the reports when it runs (RunRecord study.applied):
// the model's names and sources, the engine settings and every event in words. The typed
// study gives the structure (event type, regime, selectors); values are quoted as written in
// the resolved input, so "30 working days" stays "30 working days".
#include <algorithm>
#include <cmath>
#include <map>
#include <variant>

#include "rareshock/core/text.hpp"
#include "rareshock/io/load.hpp"
#include "rareshock/io/tree.hpp"
#include "rareshock/run_record.hpp"

namespace rareshock {
namespace {

const io::TreeNode* child(const io::TreeNode* n, std::string_view key) {
  return n && n->is_map() ? n->find(key) : nullptr;
}

/// The node at the dotted \p path below \p n (map keys only), or nullptr.
const io::TreeNode* node_at(const io::TreeNode* n, std::string_view path) {
  while (n && !path.empty()) {
    const std::size_t dot = path.find('.');
    n = child(n, path.substr(0, dot));
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return n;
}

/// The scalar at the dotted \p path below \p n, trimmed; \p fallback when absent.
std::string written(const io::TreeNode* n, std::string_view path,
                    const std::string& fallback = {}) {
  n = node_at(n, path);
  return n && n->is_scalar() ? trim(n->scalar) : fallback;
}

/// A nested value on one line: `{a: 1, b: [x, y]}` (e.g. per-material engine settings).
std::string flow_text(const io::TreeNode& n) {
  if (n.is_scalar()) return trim(n.scalar);
  std::vector<std::string> parts;
  if (n.is_map()) {
    for (const auto& e : n.entries) parts.push_back(e.key + ": " + flow_text(e.value));
    return "{" + join(parts, ", ") + "}";
  }
  if (n.is_seq()) {
    for (const auto& item : n.items) parts.push_back(flow_text(item));
    return "[" + join(parts, ", ") + "]";
  }
  return {};
}

/// "a, b and c".
std::string and_list(const std::vector<std::string>& items) {
  if (items.empty()) return {};
  if (items.size() == 1) return items[0];
  std::string out;
  for (std::size_t i = 0; i + 1 < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + " and " + items.back();
}

/// "a, b or c".
std::string or_list(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : i + 1 == items.size() ? " or " : ", ") + items[i];
  return out;
}

/// Whether \p s selects every material (`all`, or nothing given).
bool every(const MaterialSelector& s) {
  return s.all || (s.ids.empty() && s.families.empty() && s.elements_above.empty() &&
                   s.elements_sum_above.empty());
}

/// Trimmed copies of \p v (texts as the reports quote them).
std::vector<std::string> trimmed(const std::vector<std::string>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(trim(x));
  return out;
}

/// `0` and absent durations add nothing to a sentence.
bool given(const std::string& text) {
  return !text.empty() && text != "0";
}

// Canonical units of durations and rates: what a number written without a unit means.
constexpr const char* kDays = "days";
constexpr const char* kRate = "t/yr";

/// \p text followed by \p unit when it is a plain number (CSV cells often are): "270 days".
std::string with_unit(std::string text, const char* unit) {
  const bool plain =
      !text.empty() && text.find_first_not_of("0123456789.eE+-") == std::string::npos;
  if (plain && unit && *unit) text += std::string(" ") + unit;
  return text;
}

ModelRecord describe_model(const Model& m) {
  ModelRecord r;
  r.description = trim(m.info.description);
  r.base_year = m.info.base_year;
  r.sources = trimmed(m.info.sources);
  r.assumptions = trimmed(m.info.assumptions);
  auto name = [&](const std::string& id, const std::string& written) {
    const std::string text = trim(written);
    if (!id.empty() && !text.empty() && text != id) r.names[id] = text;
  };
  for (const auto& c : m.countries) name(c.id, c.name);
  for (const auto& n : m.nodes) name(n.id, n.name);
  for (const auto& mat : m.materials) r.material_names[mat.id] = trim(mat.name);
  std::map<std::string, int> count;
  std::vector<std::string> order;
  auto cite = [&](const Provenance& p) {
    const std::string source = trim(p.source()), confidence = trim(p.confidence());
    if (!source.empty() && count[source]++ == 0) order.push_back(source);
    if (!confidence.empty()) ++r.confidence[confidence];
  };
  for (const auto& x : m.materials) cite(x.provenance);
  for (const auto& x : m.nodes)
    if (!x.is_consumer()) cite(x.provenance);
  for (const auto& x : m.nodes)
    if (x.is_consumer()) cite(x.provenance);
  for (const auto& x : m.edges) cite(x.provenance);
  for (const auto& s : order) r.item_sources.emplace_back(s, count[s]);
  return r;
}

/// The resolved `engine:` section as written, a plain number with its key's canonical unit.
std::vector<std::pair<std::string, std::string>> describe_engine(const io::TreeNode& resolved) {
  std::vector<std::pair<std::string, std::string>> out;
  const io::TreeNode* en = child(&resolved, "engine");
  if (!en || !en->is_map()) return out;
  for (const auto& e : en->entries) {
    std::string value = flow_text(e.value);
    const std::string unit = io::canonical_unit_of_key(e.key);
    const bool plain = e.value.is_scalar() && !value.empty() &&
                       value.find_first_not_of("0123456789.eE+-") == std::string::npos;
    if (plain && !unit.empty()) value += " " + unit;
    out.emplace_back(e.key, value.empty() ? std::string("(not a value)") : value);
  }
  return out;
}

/// Sentences of one event: its selectors in words, its values as written (\p ev is the
/// event's node in the resolved tree).
class Describer {
 public:
  Describer(const ModelRecord& model, const io::TreeNode* ev) : model_(model), ev_(ev) {}

  std::string operator()(const ExportRestriction& x) const;
  std::string operator()(const CapacityOutage& x) const {
    return "Capacity of " + nodes(x.nodes) + " falls to " + value("remaining", "0") + " of normal.";
  }
  std::string operator()(const DemandShock& x) const {
    return "Demand of " + consumers(x.consumers) + " is multiplied by " + value("factor") + ".";
  }
  std::string operator()(const LogisticsDelay& x) const {
    return "Lead time of " + edges(x.edges) + " grows by " + quantity("extra_days", kDays) + ".";
  }
  std::string operator()(const StockpileRelease& x) const;
  std::string operator()(const CapacityExpansion& x) const { return ramp(x.node, "", x.trigger); }
  std::string operator()(const Recycling& x) const { return ramp(x.node, " recycles", {}); }
  std::string operator()(const Substitution& x) const;
  std::string operator()(const RecipeSwitch& x) const {
    std::string out = name(x.node.id) + " switches to recipe '" + x.recipe.id + "'";
    if (given(value("qualification_lag")))
      out += " after a qualification of " + quantity("qualification_lag", kDays);
    return out + ".";
  }

 private:
  std::string value(std::string_view path, const std::string& fallback = {}) const {
    return written(ev_, path, fallback);
  }
  /// A duration or rate as written, with its canonical unit when written as a plain number.
  std::string quantity(std::string_view path, const char* unit) const {
    return with_unit(value(path), unit);
  }
  std::string name(const std::string& id) const {
    auto it = model_.names.find(id);
    return it == model_.names.end() ? id : it->second;
  }
  std::string material(const std::string& id) const {
    auto it = model_.material_names.find(id);
    return it != model_.material_names.end() && !it->second.empty() ? it->second : id;
  }
  std::string names(const std::vector<Ref>& refs) const {
    std::vector<std::string> v;
    for (const auto& r : refs) v.push_back(name(r.id));
    return and_list(v);
  }
  std::string countries(const CountrySelector& s, const char* all = "all countries") const {
    if (s.all && !s.except.empty()) return "every country except " + names(s.except);
    if (s.all || s.only.empty()) return all;
    return names(s.only);
  }
  std::string materials(const MaterialSelector& s, std::string_view at) const;
  std::string nodes(const NodeSelector& s) const {
    if (s.nodes.empty() && s.countries.empty() && s.stages.empty()) return "no node";
    if (s.countries.empty() && s.stages.empty()) return names(s.nodes);
    std::vector<std::string> stages;
    for (Stage st : s.stages) stages.push_back(to_string(st));
    std::string out = stages.empty() ? "nodes" : and_list(stages) + " nodes";
    if (!s.nodes.empty()) out += " " + names(s.nodes);
    if (!s.countries.empty()) out += " in " + names(s.countries);
    return out;
  }
  std::string consumers(const ConsumerSelector& s) const {
    if (!s.consumers.empty()) return names(s.consumers);
    if (s.sectors.empty() && s.regions.empty()) return "every consumer";
    std::vector<std::string> sectors;
    for (const auto& r : s.sectors) sectors.push_back(r.id);
    std::string out = sectors.empty() ? "consumers" : and_list(sectors) + " consumers";
    if (!s.regions.empty()) out += " in " + names(s.regions);
    return out;
  }
  std::string edges(const EdgeSelector& s) const {
    std::string out = "shipments";
    if (!every(s.materials)) out += " of " + materials(s.materials, "edges.materials");
    if (!s.from.empty()) out += " from " + names(s.from);
    if (!s.from_countries.empty()) out += " from " + names(s.from_countries);
    if (!s.to.empty()) out += " to " + names(s.to);
    if (!s.to_countries.empty()) out += " to " + names(s.to_countries);
    return out;
  }
  /// A distribution of durations as written: `45 working days`, or `triangular (min 30 days,
  /// ...)`; plain numbers in days.
  std::string distribution(std::string_view path) const {
    const io::TreeNode* n = node_at(ev_, path);
    if (!n) return {};
    if (n->is_scalar()) return with_unit(trim(n->scalar), kDays);
    const io::TreeNode* dist = child(n, "dist");
    if (!dist || !dist->is_scalar()) return {};
    std::vector<std::string> args;
    for (const auto& e : n->entries)
      if (e.key != "dist" && e.value.is_scalar())
        args.push_back(e.key + " " +
                       with_unit(trim(e.value.scalar), e.key == "lambda" ? nullptr : kDays));
    return trim(dist->scalar) + " (" + join(args, ", ") + ")";
  }
  std::string licence(const LicenceRegime& l) const;
  std::string trigger(const Trigger& t) const {
    if (!t.on_shortage) return {};
    std::string out = " Armed when the shortfall of " + consumers(t.watch) + " reaches " +
                      value("trigger.threshold", "1 %");
    if (given(value("trigger.lag"))) out += ", responding after " + quantity("trigger.lag", kDays);
    return out + ".";
  }
  std::string ramp(const Ref& node, const char* verb, const Trigger& t) const {
    std::string out = name(node.id) + verb + " capacity ramps from " + quantity("from", kRate) +
                      " to " + quantity("to", kRate);
    if (given(value("ramp"))) out += " over " + quantity("ramp", kDays);
    return out + "." + trigger(t);
  }

  const ModelRecord& model_;
  const io::TreeNode* ev_;
};

std::string Describer::materials(const MaterialSelector& s, std::string_view at) const {
  if (s.all) return "all materials";
  std::vector<std::string> parts;
  if (!s.ids.empty()) {
    std::vector<std::string> v;
    for (const auto& r : s.ids) v.push_back(material(r.id));
    parts.push_back(and_list(v));
  }
  if (!s.families.empty()) {
    std::vector<std::string> v;
    for (const auto& r : s.families) v.push_back(r.id);
    parts.push_back("every " + and_list(v));
  }
  // Elements with the same threshold are named together: "at least 0.1 % of Dy or Tb".
  std::vector<std::pair<std::string, std::vector<std::string>>> by_threshold;
  const std::string above = std::string(at) + ".elements_above.";
  for (const auto& [element, fraction] : s.elements_above) {
    const std::string t = value(above + element, pretty_number(100 * fraction) + " %");
    auto it = std::find_if(by_threshold.begin(), by_threshold.end(),
                           [&](const auto& x) { return x.first == t; });
    if (it == by_threshold.end()) it = by_threshold.insert(by_threshold.end(), {t, {}});
    it->second.push_back(element);
  }
  for (const auto& [t, elements] : by_threshold)
    parts.push_back("goods holding at least " + t + " of " + or_list(elements));
  for (const auto& sum : s.elements_sum_above)
    parts.push_back("goods holding more than " + pretty_number(100 * sum.above) + " % of " +
                    join(sum.elements, " + ") + " together");
  if (parts.empty()) return "all materials";
  return join(parts, " or ", parts.size());
}

std::string Describer::licence(const LicenceRegime& l) const {
  std::string out;
  if (std::string review = distribution("licence.review_delay"); !review.empty())
    out += " Review takes " + review + ".";
  const io::TreeNode* ap = child(child(ev_, "licence"), "approval");
  if (ap && ap->is_scalar()) out += " " + trim(ap->scalar) + " of applications are approved.";
  if (ap && ap->is_seq()) {
    std::vector<std::string> steps;
    for (const auto& s : ap->items)
      steps.push_back(written(&s, "fraction") + " from " + written(&s, "from"));
    out += " Approved share of applications: " + join(steps, ", ", 50) + ".";
  }
  if (!l.validity)
    out += " One licence per shipment.";
  else
    out += " A licence covers every shipment for " + quantity("licence.validity", kDays) + ".";
  return out;
}

std::string Describer::operator()(const ExportRestriction& x) const {
  const std::string exporters = countries(x.exporters);
  const std::string mats = materials(x.materials, "materials");
  const std::string dest = countries(x.destinations, "every destination");
  std::string out;
  switch (x.regime) {
    case RegimeKind::Ban:
      out = exporters + " bans exports of " + mats + " to " + dest + ".";
      break;
    case RegimeKind::Quota:
      out = exporters + " caps exports of " + mats + " to " + dest + " at " +
            quantity("quota.annual", kRate) + " in total.";
      break;
    case RegimeKind::Licence:
      out = exporters + " requires export licences for " + mats + " to " + dest + "." +
            licence(x.licence);
      break;
  }
  if (!x.exporter_nodes.empty()) out += " Only shipments from " + names(x.exporter_nodes) + ".";
  if (!x.destination_nodes.empty()) out += " Only shipments to " + names(x.destination_nodes) + ".";
  if (!x.destination_sectors.empty()) {
    std::vector<std::string> v;
    for (const auto& r : x.destination_sectors) v.push_back(r.id);
    out += " Only shipments to " + and_list(v) + " consumers.";
  }
  if (!x.end_users.empty()) {
    std::vector<std::string> v;
    for (const auto& r : x.end_users) v.push_back(r.id);
    out += " Only shipments to " + or_list(v) + " end users.";
  }
  if (x.de_minimis)
    out += " Goods whose restricted content is below " + value("de_minimis") + " pass.";
  if (x.origin_content)
    out += " Only goods holding rare earths from " + names(x.origin_content->countries) +
           (x.origin_content->by_value ? " worth at least " : " making up at least ") +
           value("origin_content.at_least") +
           (x.origin_content->by_value ? " of their value" : " of their mass") +
           ", wherever they were made.";
  return out;
}

std::string Describer::operator()(const StockpileRelease& x) const {
  std::string out = name(x.node.id) + " releases up to " + quantity("rate", kRate);
  if (!every(x.materials)) out += " of " + materials(x.materials, "materials");
  out += " to customers in " + countries(x.eligible);
  if (x.cover_below) out += " while their stock covers less than " + quantity("cover_below", kDays);
  return out + ".";
}

std::string Describer::operator()(const Substitution& x) const {
  std::string out = consumers(x.consumers) + " redesign away from up to " + value("max_reduction") +
                    " of their " + material(x.material.id) + " demand";
  if (given(value("lag"))) out += ", starting after " + quantity("lag", kDays);
  if (given(value("ramp"))) out += ", over " + quantity("ramp", kDays);
  return out + "." + trigger(x.trigger);
}

/// The node of list item \p id in \p list (items with a scalar `id`, or scenario documents).
const io::TreeNode* item(const io::TreeNode* list, const std::string& id) {
  if (!list || !list->is_seq()) return nullptr;
  for (const auto& n : list->items)
    if (n.id() == id) return &n;
  return nullptr;
}

ScenarioRecord describe_scenario(const Scenario& sc, bool mitigation, const ModelRecord& model,
                                 const io::TreeNode* node, Date start) {
  ScenarioRecord r{sc.id, trim(sc.name), trim(sc.description), mitigation, trimmed(sc.sources), {}};
  const io::TreeNode* events = child(node, "events");
  for (const auto& ev : sc.events) {
    EventRecord e;
    e.id = ev.id;
    e.type = to_string(ev.type);
    e.description = trim(ev.description);
    e.start = static_cast<int>(std::lround(ev.start.day(start)));
    if (ev.end) e.end = static_cast<int>(std::lround(ev.end->day(start)));
    e.what = std::visit(Describer(model, item(events, ev.id)), ev.data);
    r.events.push_back(std::move(e));
  }
  return r;
}

}  // namespace

StudyDescription describe_study(const Study& study, const io::TreeNode& resolved) {
  StudyDescription d;
  d.model = describe_model(study.model);
  d.engine = describe_engine(resolved);
  for (const auto& sc : study.scenarios)
    d.scenarios.push_back(describe_scenario(
        sc, false, d.model, item(child(&resolved, "scenarios"), sc.id), study.start));
  for (const auto& sc : study.mitigations)
    d.scenarios.push_back(describe_scenario(
        sc, true, d.model, item(child(&resolved, "mitigations"), sc.id), study.start));
  return d;
}

}  // namespace rareshock
