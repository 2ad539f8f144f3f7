#include "rareshock/report/run_data.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../api/json_read.hpp"
#include "../api/run_record_json.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/core/text.hpp"
#include "rareshock/core/units.hpp"
#include "rareshock/io/load.hpp"
#include "rareshock/report/markup.hpp"

namespace rareshock::report {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using namespace rareshock::detail::json_read;  // str, number, day_of, strings

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw RuntimeError("cannot read '" + file.string() + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---- JSON helpers ----------------------------------------------------------------------------

void read_summary(RunData& d, const json& s) {
  d.record = rareshock::detail::record_from_json(s, (d.dir / "summary.json").string());
  d.git_sha = d.record.tool.git_sha;
  d.has_structural = s.contains("structural");
}

// ---- CSV -------------------------------------------------------------------------------------

/// Splits one CSV record starting at \p pos (RFC 4180 quoting); advances pos past it.
std::vector<std::string> csv_record(const std::string& text, std::size_t& pos) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  while (pos < text.size()) {
    char c = text[pos++];
    if (quoted) {
      if (c == '"') {
        if (pos < text.size() && text[pos] == '"') {
          cell += '"';
          ++pos;
        } else {
          quoted = false;
        }
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.push_back(std::move(cell));
      cell.clear();
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      cell += c;
    }
  }
  cells.push_back(std::move(cell));
  return cells;
}

double to_double(const std::string& s) {
  if (s.empty()) return kNaN;
  double v = kNaN;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() ? v : kNaN;
}

/// Reads a CSV file into header-indexed rows; calls \p row for each.
template <class F>
void read_csv(const fs::path& file, const std::vector<std::string>& needed, F&& row) {
  std::string text = read_text(file);
  std::size_t pos = 0;
  if (text.empty()) return;
  auto header = csv_record(text, pos);
  std::vector<std::size_t> idx;
  for (const auto& n : needed) {
    auto it = std::find(header.begin(), header.end(), n);
    if (it == header.end())
      throw RuntimeError(fmt::format("'{}' has no column '{}'", file.string(), n));
    idx.push_back(static_cast<std::size_t>(it - header.begin()));
  }
  std::vector<std::string> cells(needed.size());
  while (pos < text.size()) {
    auto rec = csv_record(text, pos);
    if (rec.size() == 1 && rec[0].empty()) continue;
    for (std::size_t k = 0; k < idx.size(); ++k) cells[k] = idx[k] < rec.size() ? rec[idx[k]] : "";
    row(cells);
  }
}

void read_series(RunData& d, const fs::path& file) {
  read_csv(file, {"run", "level", "id", "day", "shortfall_fraction", "cover_days"},
           [&](const std::vector<std::string>& c) {
             double day = to_double(c[3]);
             if (!(day >= 0) || day > 1e6) return;
             auto& s = d.series[{c[0], c[1], c[2]}];
             auto k = static_cast<std::size_t>(day);
             if (s.shortfall_fraction.size() <= k) {
               s.shortfall_fraction.resize(k + 1, kNaN);
               s.cover_days.resize(k + 1, kNaN);
             }
             s.shortfall_fraction[k] = to_double(c[4]);
             s.cover_days[k] = to_double(c[5]);
           });
  d.has_series = true;
}

void read_flows(RunData& d, const fs::path& file) {
  read_csv(file,
           {"from", "to", "material", "from_country", "to_country", "from_stage", "to_stage",
            "flow_t_per_yr"},
           [&](const std::vector<std::string>& c) {
             d.flows.push_back({c[0], c[1], c[2], c[3], c[4], c[5], c[6], to_double(c[7])});
           });
  d.has_flows = true;
}

// ---- structural analysis ---------------------------------------------------------------

void read_structure(RunData& d, const json& s) {
  if (str(s, "kind") != "structural_analysis") return;
  StructuralData st;
  if (auto c = s.find("concentration"); c != s.end() && c->is_array())
    for (const auto& r : *c) {
      ConcentrationRow row{str(r, "stage"),
                           str(r, "material"),
                           str(r, "basis"),
                           str(r, "top1_country"),
                           number(r, "total_t_per_yr", 0),
                           number(r, "hhi", 0),
                           number(r, "top1_share", 0),
                           number(r, "top3_share", 0),
                           {}};
      if (auto sh = r.find("shares"); sh != r.end() && sh->is_array())
        for (const auto& x : *sh) row.shares.emplace_back(str(x, "country"), number(x, "share", 0));
      st.concentration.push_back(std::move(row));
    }
  if (auto ex = s.find("exposure"); ex != s.end() && ex->is_object())
    if (auto rows = ex->find("rows"); rows != ex->end() && rows->is_array())
      for (const auto& r : *rows) {
        ExposureRow row{str(r, "sector"),
                        str(r, "region"),
                        str(r, "material"),
                        str(r, "basis"),
                        number(r, "demand_t_per_yr", 0),
                        {}};
        if (auto bs = r.find("by_stage"); bs != r.end() && bs->is_object())
          for (const auto& [stage, countries] : bs->items())
            if (countries.is_object())
              for (const auto& [country, share] : countries.items())
                if (share.is_number()) row.by_stage[stage][country] = share.get<double>();
        st.exposure.push_back(std::move(row));
      }
  if (auto ch = s.find("chokepoints"); ch != s.end() && ch->is_object())
    if (auto t = ch->find("targets"); t != ch->end() && t->is_array())
      for (const auto& r : *t)
        st.targets.push_back({str(r, "case"), str(r, "sector"), str(r, "region"),
                              str(r, "binding_element"), number(r, "supportable_fraction", kNaN)});
  if (auto cr = s.find("criticality"); cr != s.end() && cr->is_object()) {
    st.criticality_days = static_cast<int>(number(*cr, "days", 0));
    if (auto es = cr->find("entries"); es != cr->end() && es->is_array())
      for (const auto& e : *es) {
        CriticalityEntry c;
        c.rank = static_cast<int>(number(e, "rank", 0));
        c.kind = str(e, "kind");
        c.id = str(e, "id");
        c.country = str(e, "country");
        c.stage = str(e, "stage");
        c.baseline_output_share = number(e, "baseline_output_share", 0);
        c.unmet_t = number(e, "unmet_t", 0);
        c.units_lost = number(e, "units_lost", 0);
        c.value_lost_usd = number(e, "value_lost_usd", 0);
        c.peak_shortfall = number(e, "peak_shortfall", 0);
        c.shortage_days = static_cast<int>(number(e, "shortage_days", 0));
        c.sectors_short = static_cast<int>(number(e, "sectors_short", 0));
        c.first_short_day = day_of(e, "first_short_day");
        st.criticality.push_back(std::move(c));
      }
  }
  d.structure = std::move(st);
}

// ---- provenance ------------------------------------------------------------------------------

void read_provenance(RunData& d, const json& p) {
  if (auto it = p.find("tool"); it != p.end() && it->is_object()) {
    d.compiler = str(*it, "compiler");
    d.build_type = str(*it, "build_type");
    d.dependencies = str(*it, "dependencies");
    if (d.git_sha.empty()) d.git_sha = str(*it, "git_sha");
  }
  d.command_line = strings(p, "command_line");
  d.threads = static_cast<int>(number(p, "threads", 0));
  d.started = str(p, "started_utc");
  d.finished = str(p, "finished_utc");
  if (auto it = p.find("inputs"); it != p.end() && it->is_array())
    for (const auto& f : *it) d.inputs.push_back({str(f, "path"), str(f, "sha256")});
  d.resolved_study_sha256 = str(p, "resolved_study_sha256");
  d.has_provenance = true;
}

// ---- resolved study: names, sources, scenarios as applied ----------------------------------

std::string scalar(const YAML::Node& n) {
  return n && n.IsScalar() ? trim(n.Scalar()) : std::string();
}

// A nested value on one line: `{a: 1, b: [x, y]}` (e.g. per-material engine settings).
std::string flow_text(const YAML::Node& n) {
  if (!n) return {};
  if (n.IsScalar()) return trim(n.Scalar());
  std::vector<std::string> parts;
  if (n.IsMap()) {
    for (const auto& kv : n)
      parts.push_back(kv.first.as<std::string>() + ": " + flow_text(kv.second));
    return "{" + join(parts, ", ") + "}";
  }
  if (n.IsSequence()) {
    for (const auto& item : n) parts.push_back(flow_text(item));
    return "[" + join(parts, ", ") + "]";
  }
  return {};
}

std::vector<std::string> scalars(const YAML::Node& n) {
  std::vector<std::string> out;
  if (!n) return out;
  if (n.IsScalar()) out.push_back(trim(n.Scalar()));
  if (n.IsSequence())
    for (const auto& x : n) out.push_back(scalar(x));
  return out;
}

/// "a, b and c".
std::string and_list(const std::vector<std::string>& items) {
  if (items.empty()) return {};
  if (items.size() == 1) return items[0];
  std::string out;
  for (std::size_t i = 0; i + 1 < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + " and " + items.back();
}

class Describer {
 public:
  explicit Describer(const RunData& d) : d_(d) {}

  std::string name(const std::string& id) const { return d_.name_of(id); }
  std::string material(const std::string& id) const {
    auto it = d_.material_names.find(id);
    return it != d_.material_names.end() && !it->second.empty() ? it->second : id;
  }
  std::string names(const YAML::Node& n) const {
    std::vector<std::string> v;
    for (const auto& s : scalars(n)) v.push_back(name(s));
    return and_list(v);
  }

  std::string countries(const YAML::Node& n, const char* all = "all countries") const {
    if (!n) return all;
    if (n.IsScalar() && scalar(n) == "all") return all;
    if (n.IsMap()) {
      if (n["all_except"]) return "every country except " + names(n["all_except"]);
      return all;
    }
    return names(n);
  }

  std::string materials(const YAML::Node& n) const {
    if (!n) return "all materials";
    if (n.IsScalar() && scalar(n) == "all") return "all materials";
    if (!n.IsMap()) {
      std::vector<std::string> v;
      for (const auto& s : scalars(n)) v.push_back(material(s));
      return and_list(v);
    }
    if (n["all"] && scalar(n["all"]) == "true") return "all materials";
    std::vector<std::string> parts;
    if (n["ids"]) {
      std::vector<std::string> v;
      for (const auto& s : scalars(n["ids"])) v.push_back(material(s));
      parts.push_back(and_list(v));
    }
    if (n["families"]) parts.push_back("every " + and_list(scalars(n["families"])));
    if (n["elements_above"] && n["elements_above"].IsMap()) {
      // Elements with the same threshold are named together: "at least 0.1 % of Dy or Tb".
      std::vector<std::pair<std::string, std::vector<std::string>>> by_threshold;
      for (const auto& kv : n["elements_above"]) {
        std::string t = scalar(kv.second);
        auto it = std::find_if(by_threshold.begin(), by_threshold.end(),
                               [&](const auto& x) { return x.first == t; });
        if (it == by_threshold.end()) it = by_threshold.insert(by_threshold.end(), {t, {}});
        it->second.push_back(scalar(kv.first));
      }
      for (const auto& [t, elements] : by_threshold) {
        std::string list = elements.size() == 1 ? elements[0] : "";
        for (std::size_t i = 0; elements.size() > 1 && i < elements.size(); ++i)
          list += (i == 0 ? "" : i + 1 == elements.size() ? " or " : ", ") + elements[i];
        parts.push_back("goods holding at least " + t + " of " + list);
      }
    }
    if (parts.empty()) return "all materials";
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? " or " : "") + parts[i];
    return out;
  }

  std::string nodes(const YAML::Node& n) const {
    if (!n) return "no node";
    if (!n.IsMap()) return names(n);
    std::string out;
    if (n["stages"]) out += and_list(scalars(n["stages"])) + " ";
    out += "nodes";
    if (n["nodes"]) out += " " + names(n["nodes"]);
    if (n["countries"]) out += " in " + names(n["countries"]);
    return out;
  }

  std::string consumers(const YAML::Node& n) const {
    if (!n || (n.IsSequence() && n.size() == 0) || (n.IsMap() && n.size() == 0))
      return "every consumer";
    if (!n.IsMap()) return names(n);
    std::string out;
    if (n["consumers"]) return names(n["consumers"]);
    if (n["sectors"]) out += and_list(scalars(n["sectors"])) + " ";
    out += "consumers";
    if (n["regions"]) out += " in " + names(n["regions"]);
    return out;
  }

  std::string edges(const YAML::Node& n) const {
    if (!n || !n.IsMap()) return "shipments";
    std::string out = "shipments";
    if (n["materials"]) out += " of " + materials(n["materials"]);
    if (n["from"]) out += " from " + names(n["from"]);
    if (n["from_countries"]) out += " from " + names(n["from_countries"]);
    if (n["to"]) out += " to " + names(n["to"]);
    if (n["to_countries"]) out += " to " + names(n["to_countries"]);
    return out;
  }

  static std::string distribution(const YAML::Node& n) {
    if (!n) return {};
    if (n.IsScalar()) return scalar(n);
    if (!n.IsMap() || !n["dist"]) return {};
    std::string out = scalar(n["dist"]);
    std::vector<std::string> args;
    for (const auto& kv : n)
      if (scalar(kv.first) != "dist" && kv.second.IsScalar())
        args.push_back(scalar(kv.first) + " " + scalar(kv.second));
    return out + " (" + join(args, ", ") + ")";
  }

  std::string trigger(const YAML::Node& n) const {
    if (!n || !n.IsMap() || scalar(n["on"]) != "shortage") return {};
    std::string out = " Armed when the shortfall of " + consumers(n["watch"]) + " reaches " +
                      (n["threshold"] ? scalar(n["threshold"]) : std::string("1 %"));
    if (n["lag"] && scalar(n["lag"]) != "0") out += ", responding after " + scalar(n["lag"]);
    return out + ".";
  }

  std::string what(const std::string& type, const YAML::Node& ev) const {
    if (type == "export_restriction") {
      std::string exporters = countries(ev["exporters"]);
      std::string mats = materials(ev["materials"]);
      std::string dest = countries(ev["destinations"], "every destination");
      std::string regime = scalar(ev["regime"]);
      std::string out;
      if (regime == "ban") {
        out = exporters + " bans exports of " + mats + " to " + dest + ".";
      } else if (regime == "quota") {
        out = exporters + " caps exports of " + mats + " to " + dest + " at " +
              scalar(ev["quota"]["annual"]) + " in total.";
      } else {
        out = exporters + " requires export licences for " + mats + " to " + dest + ".";
        const YAML::Node lic = ev["licence"];
        if (lic && lic.IsMap()) {
          if (lic["review_delay"])
            out += " Review takes " + distribution(lic["review_delay"]) + ".";
          const YAML::Node ap = lic["approval"];
          if (ap && ap.IsScalar()) out += " " + scalar(ap) + " of applications are approved.";
          if (ap && ap.IsSequence()) {
            std::vector<std::string> steps;
            for (const auto& s : ap)
              steps.push_back(scalar(s["fraction"]) + " from " + scalar(s["from"]));
            out += " Approved share of applications: " + join(steps, ", ", 50) + ".";
          }
          std::string validity = scalar(lic["validity"]);
          if (validity.empty() || validity == "one_shipment")
            out += " One licence per shipment.";
          else
            out += " A licence covers every shipment for " + validity + ".";
        }
      }
      if (ev["de_minimis"])
        out += " Goods whose restricted content is below " + scalar(ev["de_minimis"]) + " pass.";
      if (ev["origin_share"])
        out += " Foreign-made goods with more than " + scalar(ev["origin_share"]) +
               " content from " + exporters + " are covered too.";
      return out;
    }
    if (type == "capacity_outage")
      return "Capacity of " + nodes(ev["nodes"]) + " falls to " +
             (ev["remaining"] ? scalar(ev["remaining"]) : std::string("0")) + " of normal.";
    if (type == "demand_shock")
      return "Demand of " + consumers(ev["consumers"]) + " is multiplied by " +
             scalar(ev["factor"]) + ".";
    if (type == "logistics_delay")
      return "Lead time of " + edges(ev["edges"]) + " grows by " + scalar(ev["extra_days"]) + ".";
    if (type == "stockpile_release") {
      std::string out = name(scalar(ev["node"])) + " releases up to " + scalar(ev["rate"]);
      if (ev["materials"]) out += " of " + materials(ev["materials"]);
      out += " to customers in " + countries(ev["eligible"]);
      if (ev["cover_below"])
        out += " while their stock covers less than " + scalar(ev["cover_below"]);
      return out + ".";
    }
    if (type == "capacity_expansion" || type == "recycling") {
      std::string out = name(scalar(ev["node"])) + (type == "recycling" ? " recycles" : "") +
                        " capacity ramps from " + scalar(ev["from"]) + " to " + scalar(ev["to"]);
      if (ev["ramp"] && scalar(ev["ramp"]) != "0") out += " over " + scalar(ev["ramp"]);
      return out + "." + trigger(ev["trigger"]);
    }
    if (type == "substitution") {
      std::string out = consumers(ev["consumers"]) + " redesign away from up to " +
                        scalar(ev["max_reduction"]) + " of their " +
                        material(scalar(ev["material"])) + " demand";
      if (ev["lag"] && scalar(ev["lag"]) != "0") out += ", starting after " + scalar(ev["lag"]);
      if (ev["ramp"] && scalar(ev["ramp"]) != "0") out += ", over " + scalar(ev["ramp"]);
      return out + "." + trigger(ev["trigger"]);
    }
    if (type == "recipe_switch") {
      std::string out =
          name(scalar(ev["node"])) + " switches to recipe '" + scalar(ev["recipe"]) + "'";
      if (ev["qualification_lag"] && scalar(ev["qualification_lag"]) != "0")
        out += " after a qualification of " + scalar(ev["qualification_lag"]);
      return out + ".";
    }
    // An event type this renderer does not know: list its keys.
    std::vector<std::string> kv;
    for (const auto& p : ev) {
      std::string k = scalar(p.first);
      if (k == "id" || k == "type" || k == "start" || k == "end" || k == "description") continue;
      kv.push_back(k + ": " + (p.second.IsScalar() ? scalar(p.second) : std::string("…")));
    }
    return join(kv, "; ", 20) + ".";
  }

 private:
  const RunData& d_;
};

/// "2025-04-04 (day 93)" for a date or a day offset written in the study.
std::string when(const std::string& written, Date start) {
  if (written.empty()) return {};
  if (auto date = parse_date(written)) return fmt::format("{} (day {})", written, *date - start);
  auto q = parse_quantity(written, Dimension::Duration);
  if (!q.value) return written;
  int day = static_cast<int>(std::lround(*q.value));
  return fmt::format("{} (day {})", to_string(start + day), day);
}

void read_resolved(RunData& d, const YAML::Node& root) {
  if (!root || !root.IsMap()) return;
  const YAML::Node model = root["model"];
  if (model && model.IsMap()) {
    const YAML::Node header = model["model"];
    if (header && header.IsMap()) {
      d.model_description = scalar(header["description"]);
      d.base_year = scalar(header["base_year"]);
      d.model_sources = scalars(header["sources"]);
      d.model_assumptions = scalars(header["assumptions"]);
    }
    for (const char* list : {"countries", "groups", "nodes", "consumers"})
      if (model[list] && model[list].IsSequence())
        for (const auto& item : model[list]) {
          std::string id = scalar(item["id"]), name = scalar(item["name"]);
          if (!id.empty() && !name.empty() && name != id) d.names[id] = name;
        }
    if (model["materials"] && model["materials"].IsSequence())
      for (const auto& m : model["materials"])
        d.material_names[scalar(m["id"])] = scalar(m["name"]);
    std::map<std::string, int> sources;
    std::vector<std::string> order;
    for (const char* list : {"materials", "nodes", "consumers", "edges"})
      if (model[list] && model[list].IsSequence())
        for (const auto& item : model[list]) {
          if (!item.IsMap()) continue;
          std::string src = scalar(item["source"]);
          if (!src.empty() && sources[src]++ == 0) order.push_back(src);
          std::string conf = scalar(item["confidence"]);
          if (!conf.empty()) ++d.confidence[conf];
        }
    for (const auto& s : order) d.item_sources.emplace_back(s, sources[s]);
  }
  if (const YAML::Node en = root["engine"]; en && en.IsMap())
    for (const auto& kv : en) {
      std::string key = kv.first.as<std::string>(), value = scalar(kv.second);
      if (kv.second.IsMap() || kv.second.IsSequence()) value = flow_text(kv.second);
      // A plain number is in the key's canonical unit (docs/formats.md).
      std::string unit = io::canonical_unit_of_key(key);
      bool plain =
          !value.empty() && value.find_first_not_of("0123456789.eE+-") == std::string::npos;
      if (plain && !unit.empty()) value += " " + unit;
      d.engine.emplace_back(key, value.empty() ? std::string("(not a value)") : value);
    }
  Describer describe(d);
  for (const char* list : {"scenarios", "mitigations"}) {
    const YAML::Node items = root[list];
    if (!items || !items.IsSequence()) continue;
    for (const auto& sc : items) {
      if (!sc.IsMap()) continue;
      ScenarioInfo info;
      info.mitigation = std::string(list) == "mitigations";
      const YAML::Node h = sc["scenario"];
      if (h && h.IsMap()) {
        info.id = scalar(h["id"]);
        info.name = scalar(h["name"]);
        info.description = scalar(h["description"]);
        info.sources = scalars(h["sources"]);
      }
      if (sc["events"] && sc["events"].IsSequence())
        for (const auto& ev : sc["events"]) {
          if (!ev.IsMap()) continue;
          EventInfo e;
          e.id = scalar(ev["id"]);
          e.type = scalar(ev["type"]);
          e.description = scalar(ev["description"]);
          e.start = when(scalar(ev["start"]), d.record.study.start);
          e.end = when(scalar(ev["end"]), d.record.study.start);
          e.what = describe.what(e.type, ev);
          info.events.push_back(std::move(e));
        }
      d.scenarios.push_back(std::move(info));
    }
  }
  d.has_resolved_study = true;
}

}  // namespace

const analysis::EntityResult* find_entity(const analysis::RunResult& run, analysis::Level level,
                                          std::string_view id) {
  for (const auto& e : run.entities)
    if (e.level == level && e.id == id) return &e;
  return nullptr;
}

const analysis::QuantileSummary* mc_metric(const analysis::McEntity& mc, Metric k) {
  for (const auto& [metric, q] : mc.metrics)
    if (metric == k) return q.n > 0 ? &q : nullptr;
  return nullptr;
}

const analysis::McEntity* RunData::monte_carlo(const analysis::RunResult& r,
                                               const analysis::EntityResult& e) const {
  if (!record.uncertainty) return nullptr;
  for (const auto& run : record.uncertainty->runs)
    if (run.id == r.combination.id)
      for (const auto& m : run.entities)
        if (m.level == e.level && m.id == e.id) return &m;
  return nullptr;
}

int RunData::mc_draws(const analysis::RunResult& r) const {
  if (!record.uncertainty) return 0;
  for (const auto& run : record.uncertainty->runs)
    if (run.id == r.combination.id && !run.entities.empty()) return record.uncertainty->draws_done;
  return 0;
}

const Series* RunData::find_series(const std::string& run, const std::string& level,
                                   const std::string& id) const {
  auto it = series.find({run, level, id});
  return it == series.end() ? nullptr : &it->second;
}

std::string RunData::name_of(const std::string& id) const {
  auto it = names.find(id);
  return it == names.end() ? id : it->second;
}

RunData read_run_dir(const fs::path& dir) {
  RunData d;
  d.dir = dir;
  fs::path summary = dir / "summary.json";
  if (!fs::is_directory(dir))
    throw InputError("error: run directory '" + dir.string() + "' does not exist\n");
  if (!fs::exists(summary))
    throw InputError("error: '" + dir.string() +
                     "' has no summary.json; reports are rendered from a run directory written "
                     "by 'rareshock run'\n");
  try {
    read_summary(d, json::parse(read_text(summary)));
  } catch (const json::exception& ex) {
    throw InputError("error: cannot read '" + summary.string() + "': " + ex.what() + "\n");
  }
  auto optional = [&](const fs::path& file, auto&& read) {
    if (!fs::exists(file)) return;
    try {
      read(file);
    } catch (const std::exception& ex) {
      d.read_problems.push_back(file.lexically_relative(dir).string() + ": " + ex.what());
    }
  };
  optional(dir / "timeseries" / "sectors.csv", [&](const fs::path& f) { read_series(d, f); });
  optional(dir / "timeseries" / "consumers.csv", [&](const fs::path& f) { read_series(d, f); });
  optional(dir / "timeseries" / "regions.csv", [&](const fs::path& f) { read_series(d, f); });
  optional(dir / "baseline-flows.csv", [&](const fs::path& f) { read_flows(d, f); });
  optional(dir / "provenance.json",
           [&](const fs::path& f) { read_provenance(d, json::parse(read_text(f))); });
  optional(dir / "analysis" / "summary.json",
           [&](const fs::path& f) { read_structure(d, json::parse(read_text(f))); });
  optional(dir / "resolved-study.yaml",
           [&](const fs::path& f) { read_resolved(d, YAML::Load(read_text(f))); });
  return d;
}

}  // namespace rareshock::report
