#include "rareshock/model/model.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_set>

#include "rareshock/model/scenario.hpp"
#include "rareshock/model/study.hpp"

namespace rareshock {

namespace {

struct ProvenanceHash {
  std::size_t operator()(const Provenance::Text& t) const noexcept {
    const std::hash<std::string> h;
    return h(t.source) ^ (h(t.confidence) * 31) ^ (h(t.note) * 1000003);
  }
};

}  // namespace

Provenance::Provenance(std::string source, std::string confidence, std::string note) {
  if (source.empty() && confidence.empty() && note.empty()) return;
  // Process-wide and never destroyed, as Symbol's table (nodes keep their address).
  static auto* mutex = new std::mutex();
  static auto* texts = new std::unordered_set<Text, ProvenanceHash>();
  const std::lock_guard<std::mutex> lock(*mutex);
  text_ = &*texts->insert(Text{std::move(source), std::move(confidence), std::move(note)}).first;
}

std::string ItemOrigin::path(std::string_view key) const {
  std::string p = list;
  p += '[';
  if (key.empty())
    p += std::to_string(index);
  else
    p += key;
  p += ']';
  return p;
}

const std::string& Provenance::empty_string() {
  static const std::string empty;
  return empty;
}

const char* to_string(Stage s) {
  switch (s) {
    case Stage::Mine:
      return "mine";
    case Stage::Refinery:
      return "refinery";
    case Stage::Metal:
      return "metal";
    case Stage::Magnet:
      return "magnet";
    case Stage::Component:
      return "component";
    case Stage::Consumer:
      return "consumer";
    case Stage::Stockpile:
      return "stockpile";
    case Stage::Recycler:
      return "recycler";
  }
  return "?";
}

std::vector<std::string> stage_names() {
  return {"mine", "refinery", "metal", "magnet", "component", "consumer", "stockpile", "recycler"};
}

const char* to_string(Rationing r) {
  switch (r) {
    case Rationing::Proportional:
      return "proportional";
    case Rationing::Priority:
      return "priority";
    case Rationing::Contract:
      return "contract";
  }
  return "?";
}

std::vector<std::string> rationing_names() {
  return {"proportional", "priority", "contract"};
}

const char* to_string(ConsumerInputs c) {
  return c == ConsumerInputs::Complementary ? "complementary" : "independent";
}

std::vector<std::string> consumer_inputs_names() {
  return {"independent", "complementary"};
}

const Material* Model::material(std::string_view id) const {
  for (const auto& m : materials)
    if (m.id == id) return &m;
  return nullptr;
}

const Node* Model::node(std::string_view id) const {
  for (const auto& n : nodes)
    if (n.id == id) return &n;
  return nullptr;
}

std::vector<std::string> Model::countries_of(std::string_view id) const {
  for (const auto& c : countries)
    if (c.id == id) return {c.id};
  for (const auto& g : groups) {
    if (g.id != id) continue;
    std::vector<std::string> out;
    if (g.complement) {
      for (const auto& c : countries)
        if (std::none_of(g.all_except.begin(), g.all_except.end(),
                         [&](const Ref& r) { return r.id == c.id; }))
          out.push_back(c.id);
    } else {
      for (const auto& r : g.members) out.push_back(r.id);
    }
    return out;
  }
  return {};
}

const char* to_string(RegimeKind k) {
  switch (k) {
    case RegimeKind::Ban:
      return "ban";
    case RegimeKind::Licence:
      return "licence";
    case RegimeKind::Quota:
      return "quota";
  }
  return "?";
}

const char* to_string(EventType t) {
  switch (t) {
    case EventType::ExportRestriction:
      return "export_restriction";
    case EventType::CapacityOutage:
      return "capacity_outage";
    case EventType::DemandShock:
      return "demand_shock";
    case EventType::LogisticsDelay:
      return "logistics_delay";
    case EventType::StockpileRelease:
      return "stockpile_release";
    case EventType::CapacityExpansion:
      return "capacity_expansion";
    case EventType::Substitution:
      return "substitution";
    case EventType::RecipeSwitch:
      return "recipe_switch";
    case EventType::Recycling:
      return "recycling";
  }
  return "?";
}

std::vector<std::string> event_type_names() {
  return {"export_restriction", "capacity_outage",   "demand_shock",
          "logistics_delay",    "stockpile_release", "capacity_expansion",
          "substitution",       "recipe_switch",     "recycling"};
}

bool is_mitigation(EventType t) {
  return t == EventType::StockpileRelease || t == EventType::CapacityExpansion ||
         t == EventType::Substitution || t == EventType::RecipeSwitch || t == EventType::Recycling;
}

const Scenario* Study::find_scenario(std::string_view id) const {
  for (const auto& s : scenarios)
    if (s.id == id) return &s;
  for (const auto& s : mitigations)
    if (s.id == id) return &s;
  return nullptr;
}

}  // namespace rareshock
