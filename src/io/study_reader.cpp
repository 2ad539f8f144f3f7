// Reads study files: model and scenario references, time frame, uncertainty, outputs.
#include <algorithm>
#include <set>

#include "rareshock/core/error.hpp"
#include "rareshock/core/text.hpp"
#include "rareshock/io/load.hpp"
#include "readers.hpp"

namespace rareshock::io {
namespace fs = std::filesystem;

Dimension dimension_of_key(const std::string& key) {
  static const std::vector<std::pair<std::string, Dimension>> table = {
      {"capacity", Dimension::MassRate},
      {"flow", Dimension::MassRate},
      {"rate", Dimension::MassRate},
      {"annual", Dimension::MassRate},
      {"from", Dimension::MassRate},
      {"to", Dimension::MassRate},
      {"lead_time", Dimension::Duration},
      {"replenishment_time", Dimension::Duration},
      {"inventory_days", Dimension::Duration},
      {"output_inventory_days", Dimension::Duration},
      {"initial", Dimension::Duration},
      {"target", Dimension::Duration},
      {"review_delay", Dimension::Duration},
      {"validity", Dimension::Duration},
      {"extra_days", Dimension::Duration},
      {"ramp", Dimension::Duration},
      {"lag", Dimension::Duration},
      {"qualification_lag", Dimension::Duration},
      {"available_after", Dimension::Duration},
      {"cover_below", Dimension::Duration},
      {"horizon", Dimension::Duration},
      {"share", Dimension::Fraction},
      {"fraction", Dimension::Fraction},
      {"remaining", Dimension::Fraction},
      {"max_reduction", Dimension::Fraction},
      {"threshold", Dimension::Fraction},
      {"shortage_threshold", Dimension::Fraction},
      {"contract_share", Dimension::Fraction},
      {"de_minimis", Dimension::Fraction},
      {"price", Dimension::Price},
      {"value_per_unit", Dimension::Money},
      {"units_per_tonne", Dimension::PerMass},
      {"at_least", Dimension::Fraction},
      {"switching_lag", Dimension::Duration},
      {"qualification_time", Dimension::Duration},
      {"qualification", Dimension::Duration},
      {"delay", Dimension::Duration},
      {"above", Dimension::Fraction},
      {"share_reversion", Dimension::Duration},
      {"demand", Dimension::MassRate},
      {"elements", Dimension::Fraction},
      {"elements_above", Dimension::Fraction},
      {"inputs", Dimension::Count},
      {"outputs", Dimension::Count},
  };
  for (auto& [k, dim] : table)
    if (k == key) return dim;
  return Dimension::Count;
}

namespace {

const std::vector<std::string> kMetrics = {"time_to_shortage", "peak_shortfall",  "shortage_days",
                                           "unmet_t",          "unmet_fraction",  "units_lost",
                                           "value_lost_usd",   "time_to_recover", "min_cover_days"};

// True when a Monte Carlo draw varies something without monte_carlo.params: a licence review
// delay given as a distribution (sampled per draw) in a scenario or mitigation.
bool samples_licences(const Study& st) {
  for (const auto* list : {&st.scenarios, &st.mitigations})
    for (const auto& sc : *list)
      for (const auto& ev : sc.events)
        if (const auto* x = std::get_if<ExportRestriction>(&ev.data))
          if (x->regime == RegimeKind::Licence && x->licence.review_delay.kind != DistKind::Fixed)
            return true;
  return false;
}

// Replaces a file reference (scalar) by the loaded tree.
// Relative paths resolve against the directory of the file the path is written in (which,
// with includes, need not be the study's own directory).
void inline_file(Diagnostics& d, Loader& loader, TreeNode& n, const fs::path& base_dir,
                 const std::string& path) {
  if (!n.is_scalar()) return;
  fs::path dir = base_dir;
  if (n.loc.file >= 0) {
    const std::string& written_in = loader.sources().path(n.loc.file);
    if (!written_in.empty() && written_in[0] != '<') dir = fs::path(written_in).parent_path();
  }
  auto tree = loader.load(dir / n.scalar, n.loc, path);
  if (tree) {
    SourceLoc ref = n.loc;
    n = std::move(*tree);
    if (n.loc.file < 0) n.loc = ref;
  } else {
    n = TreeNode::make_map(n.loc);  // already reported; keep reading the rest
    n.set("__unreadable__", TreeNode::make_scalar("true"));
  }
  (void)d;
}

// Segments of a key path: `a.b[c].d` -> a, b, [c], d.
std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::string cur;
  for (std::size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '.' || c == '[') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
      if (c == '[') {
        auto e = path.find(']', i);
        out.push_back(path.substr(i, e == std::string::npos ? std::string::npos : e - i + 1));
        if (e == std::string::npos) break;
        i = e;
      }
      continue;
    }
    cur += c;
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// The dimension of the value a path points at: the nearest key (from the end) that has one;
// distribution parameters (min, mode...) and ids take their parent's.
Dimension dimension_of_path(const std::string& path) {
  auto segs = segments(path);
  static const std::vector<std::string> skip = {"min", "max", "mode", "mean", "sd", "value", "*"};
  for (auto it = segs.rbegin(); it != segs.rend(); ++it) {
    if (it->front() == '[' || std::find(skip.begin(), skip.end(), *it) != skip.end()) continue;
    Dimension dim = dimension_of_key(*it);
    if (dim != Dimension::Count || *it == "inputs" || *it == "outputs") return dim;
  }
  return Dimension::Count;
}

// Why a path matches nothing: the first segment that fails, with what exists there.
std::string path_hint(TreeNode& root, const std::string& path) {
  auto segs = segments(path);
  std::string prefix, error;
  for (const auto& seg : segs) {
    std::string next =
        prefix.empty() ? seg : (seg.front() == '[' ? prefix + seg : prefix + "." + seg);
    if (find_paths(root, next, &error).empty()) {
      std::vector<std::string> names;
      if (!prefix.empty())
        for (auto& m : find_paths(root, prefix, &error)) {
          for (auto& e : m.node->entries) names.push_back(e.key);
          for (auto& i : m.node->items)
            if (!i.id().empty()) names.push_back(i.id());
        }
      else
        for (auto& e : root.entries) names.push_back(e.key);
      std::sort(names.begin(), names.end());
      names.erase(std::unique(names.begin(), names.end()), names.end());
      std::string word = seg.front() == '[' ? seg.substr(1, seg.size() - 2) : seg;
      return "nothing at '" + word + "'" + (prefix.empty() ? "" : " under '" + prefix + "'") +
             "; " + id_hint(word, names);
    }
    prefix = next;
  }
  return {};
}

// `2025-04` (a month: its first day, or its last with \p end) or a date.
std::optional<Date> read_window_day(Diagnostics& d, const TreeNode* n, const std::string& path,
                                    bool end) {
  if (!n || !n->is_scalar()) {
    d.error(n ? n->loc : SourceLoc{}, path, "a window bound must be a month or a date",
            "e.g. 2025-04 or 2025-04-15");
    return std::nullopt;
  }
  const std::string& t = n->scalar;
  if (t.size() == 7 && t[4] == '-') {
    if (auto first = parse_date(t + "-01")) {
      if (!end) return first;
      int y = std::stoi(t.substr(0, 4)), m = std::stoi(t.substr(5, 2));
      return (m == 12 ? make_date(y + 1, 1, 1) : make_date(y, static_cast<unsigned>(m + 1), 1)) +
             -1;
    }
  } else if (auto day = parse_date(t); day && t.size() == 10) {
    return day;
  }
  d.error(n->loc, path, "'" + t + "' is not a month or a date", "e.g. 2025-04 or 2025-04-15");
  return std::nullopt;
}

void read_calibration(Diagnostics& d, TreeNode& root, TreeNode& sec, Study& st, bool inputs_ok) {
  MapReader r(d, sec, "calibration", "calibration settings");
  if (!r.valid()) return;
  Calibration& c = st.calibration;
  c.enabled = true;
  std::vector<std::string> runs, observed;
  for (const auto& cb : st.combinations) runs.push_back(cb.id);
  for (const auto& o : st.observed) observed.push_back(o.id);
  Ref run = r.ref("run", "the combination simulated, e.g. china-2025-04-controls");
  if (!run.id.empty() && std::find(runs.begin(), runs.end(), run.id) == runs.end())
    d.error(run.loc, "calibration.run", "unknown run '" + run.id + "'", {}, id_hint(run.id, runs));
  c.run = run.id;
  if (r.has("observed")) {
    for (const auto& o : r.ref_list("observed")) {
      if (std::find(observed.begin(), observed.end(), o.id) == observed.end())
        d.error(o.loc, "calibration.observed", "unknown observed series '" + o.id + "'", {},
                observed.empty() ? "the study has no observed: section" : id_hint(o.id, observed));
      c.observed.push_back(o.id);
    }
  } else {
    c.observed = observed;
  }
  if (c.observed.empty())
    d.error(sec.loc, "calibration", "calibration needs observed series",
            "an observed: section and calibration.observed: [<id>, ...]");
  for (const char* key : {"training", "validation"}) {
    TreeNode* w = r.get(key);
    if (!w) continue;
    const std::string at = std::string("calibration.") + key;
    MapReader rw(d, *w, at, "a window {from, to}");
    if (!rw.valid()) continue;
    auto from = read_window_day(d, rw.get("from"), at + ".from", false);
    auto to = read_window_day(d, rw.get("to"), at + ".to", true);
    rw.finish();
    if (!from || !to) continue;
    if (*to < *from) {
      d.error(rw.loc_of("to"), at + ".to", "the window ends before it starts");
      continue;
    }
    (std::string_view(key) == "training" ? c.training : c.validation) = DateWindow{*from, *to};
  }
  static const std::vector<std::string> objectives = {"rmse", "relative_rmse", "mae"};
  static const std::vector<std::string> algorithms = {"bobyqa", "neldermead", "sbplx"};
  c.objective = objectives[r.choice("objective", objectives, 0)];
  c.algorithm = algorithms[r.choice("algorithm", algorithms, 0)];
  long long evals = r.integer("max_evaluations", 200);
  if (evals < 1 || evals > 100000)
    d.error(r.loc_of("max_evaluations"), "calibration.max_evaluations",
            "max_evaluations must be between 1 and 100,000");
  c.max_evaluations = static_cast<int>(std::clamp(evals, 1LL, 100000LL));
  TreeNode* ps = r.need("parameters", "a list of {path, min, max}");
  if (ps)
    for_each_item(
        d, *ps, "calibration.parameters", "parameter", [&](TreeNode& item, const std::string& p) {
          MapReader rp(d, item, p, "a calibrated parameter {path, min, max}");
          if (!rp.valid()) return;
          CalibrationParam cp;
          cp.origin = {item.loc, p};
          cp.path = rp.required_text("path", "a key path, e.g. engine.switching_lag");
          Dimension dim = dimension_of_path(cp.path);
          cp.unit = dim == Dimension::Fraction ? "fraction"
                    : dim == Dimension::Count  ? "1"
                                               : canonical_unit(dim);
          // The path first: the bounds' unit follows from it.
          bool path_ok = !cp.path.empty() &&
                         reaches_runs(d, rp.loc_of("path"), p + ".path", cp.path) && inputs_ok;
          std::vector<PathMatch> matches;
          if (path_ok) {
            std::string error;
            matches = find_paths(root, cp.path, &error);
            if (!error.empty()) {
              d.error(rp.loc_of("path"), p + ".path", error);
              path_ok = false;
            } else if (matches.empty()) {
              d.error(rp.loc_of("path"), p + ".path",
                      "path '" + cp.path + "' matches no value in the study", {},
                      path_hint(root, cp.path));
              path_ok = false;
            }
            for (auto& mt : matches) {
              cp.targets.push_back(mt.path);
              if (path_ok &&
                  (!mt.node->is_scalar() || !parse_quantity(mt.node->scalar, dim).value)) {
                d.error(rp.loc_of("path"), p + ".path",
                        "path '" + cp.path + "' matches '" + mt.path + "', which is " +
                            describe(*mt.node) + ", not a number (" + to_string(dim) + ")",
                        {},
                        "a calibrated value must be a plain number (not a date or a "
                        "distribution)");
                path_ok = false;
              }
            }
          }
          if (!path_ok) {
            rp.allow({"min", "max"});
            rp.finish();
            return;
          }
          auto lo = rp.required_quantity("min", dim);
          auto hi = rp.required_quantity("max", dim);
          rp.finish();
          if (!lo || !hi) return;
          cp.min = *lo, cp.max = *hi;
          if (!(cp.min < cp.max)) {
            d.error(rp.loc_of("max"), p + ".max", "max must be greater than min");
            return;
          }
          c.parameters.push_back(cp);
        });
  r.finish();
}

}  // namespace

bool reaches_runs(Diagnostics& d, SourceLoc loc, const std::string& at, const std::string& path) {
  // Each draw (or optimiser step) re-reads the study and runs every combination with the
  // re-read model, scenarios, engine settings and shortage threshold; anything else is fixed
  // for the whole study (the time frame, the seed, the analysis settings), so varying it
  // would silently change nothing.
  static const std::vector<std::string> roots = {"model", "scenarios", "mitigations", "engine",
                                                 "shortage_threshold"};
  auto segs = segments(path);
  std::string root = segs.empty() ? std::string() : segs.front();
  if (std::find(roots.begin(), roots.end(), root) != roots.end()) return true;
  d.error(loc, at, "path '" + path + "' names a study setting that is the same for every run",
          "a path under " + join(roots),
          root == "horizon" || root == "start" || root == "seed"
              ? "the time frame and the seed cannot vary between draws; use separate studies"
              : did_you_mean(root, roots));
  return false;
}

void apply_overrides(Diagnostics& d, Loader& loader, TreeNode& root,
                     const std::vector<std::string>& overrides) {
  for (std::size_t i = 0; i < overrides.size(); ++i) {
    const std::string& o = overrides[i];
    auto eq = o.find('=');
    std::string name = "<--set " + std::to_string(i + 1) + ">";
    if (eq == std::string::npos || eq == 0) {
      int fid = loader.sources().add_virtual(name, o);
      d.error({fid, 1, 1}, {}, "override '" + o + "' is not of the form key.path=value",
              "e.g. --set horizon=365 or --set model.nodes[cn_mine].capacity='200 kt/yr'");
      continue;
    }
    std::string key = trim(o.substr(0, eq));
    auto value = loader.parse_text(name, o.substr(eq + 1));
    if (!value) continue;
    if (value->is_null()) *value = TreeNode::make_scalar("", value->loc);
    value->loc.column += static_cast<int>(eq + 1);
    std::string error, missing;
    std::vector<std::string> suggestions;
    if (!set_path(root, key, *value, &error, &suggestions, &missing)) {
      int fid = value->loc.file;
      d.error({fid, 1, 1}, key, "cannot apply override: " + error, {},
              suggestions.empty() ? "" : id_hint(missing, suggestions));
    }
  }
}

Study read_study(Diagnostics& d, Loader& loader, TreeNode& root, const fs::path& base_dir,
                 const std::vector<std::string>& overrides) {
  Study st;
  if (!root.is_map()) {
    MapReader bad(d, root, "", "a study file");
    return st;
  }
  // 1. Bring referenced files in, so the tree is the whole resolved study.
  if (TreeNode* m = root.find("model")) inline_file(d, loader, *m, base_dir, "model");
  for (const char* key : {"scenarios", "mitigations"})
    if (TreeNode* list = root.find(key); list && list->is_seq())
      for (std::size_t i = 0; i < list->items.size(); ++i)
        inline_file(d, loader, list->items[i], base_dir,
                    std::string(key) + "[" + std::to_string(i) + "]");

  resolve_observed_files(d, loader, root, base_dir);

  // 2. The study's own `overrides:` (e.g. a calibrated.yaml), then command-line overrides,
  // apply to the resolved tree. The list is removed once applied (the tree carries its effect;
  // a re-read for a Monte Carlo draw must not apply it over the drawn values).
  if (const TreeNode* ov = root.find("overrides")) {
    TreeNode list = *ov;
    root.erase("overrides");
    if (!list.is_seq()) {
      d.error(list.loc, "overrides", "overrides must be a list of 'key.path=value' texts",
              "overrides: [\"engine.switching_lag=45 days\"]");
    } else {
      for (std::size_t i = 0; i < list.items.size(); ++i) {
        const TreeNode& item = list.items[i];
        std::string at = "overrides[" + std::to_string(i) + "]";
        auto eq = item.is_scalar() ? item.scalar.find('=') : std::string::npos;
        if (eq == std::string::npos || eq == 0) {
          d.error(item.loc, at, "an override must be a text 'key.path=value'",
                  "e.g. \"engine.switching_lag=45 days\"");
          continue;
        }
        std::string key = trim(item.scalar.substr(0, eq));
        auto value = loader.parse_text("<" + at + ">", item.scalar.substr(eq + 1));
        if (!value) continue;
        if (value->is_null()) *value = TreeNode::make_scalar("", item.loc);
        value->loc = item.loc;
        std::string error, missing;
        std::vector<std::string> suggestions;
        if (!set_path(root, key, *value, &error, &suggestions, &missing))
          d.error(item.loc, at, "cannot apply override '" + key + "': " + error, {},
                  suggestions.empty() ? "" : id_hint(missing, suggestions));
        st.overrides.push_back(item.scalar);
      }
    }
  }
  apply_overrides(d, loader, root, overrides);

  // 3. Read.
  MapReader r(d, root, "", "a study file");
  if (TreeNode* h = r.need("study", "study: {name: ..., description: ...}")) {
    MapReader rh(d, *h, "study", "the study header");
    if (rh.valid()) {
      st.name = rh.required_text("name", "a short title");
      st.description = rh.opt_text("description").value_or("");
      rh.finish();
    }
  }
  bool model_ok = false;
  if (TreeNode* m = r.need("model", "a model file path, e.g. ../world-2024.yaml")) {
    if (!m->find("__unreadable__")) {
      std::size_t before = d.error_count();
      st.model = read_model(d, *m, "model");
      if (d.error_count() == before) check_model(d, st.model);
      model_ok = d.error_count() == before;
    }
  }
  bool start_ok = false;
  std::set<std::string> scenario_ids;
  auto read_list = [&](const char* key, std::vector<Scenario>& out) {
    TreeNode* list = r.get(key);
    if (!list) return;
    for_each_item(d, *list, key, "scenario file", [&](TreeNode& item, const std::string& p) {
      if (item.find("__unreadable__")) return;
      const std::string& path = p;
      Scenario s = read_scenario(d, item, path);
      if (!s.id.empty() && !scenario_ids.insert(s.id).second)
        d.error(item.loc, path, "duplicate scenario id '" + s.id + "'", {},
                "scenario and mitigation ids must be unique within a study");
      out.push_back(std::move(s));
    });
  };
  read_list("scenarios", st.scenarios);
  read_list("mitigations", st.mitigations);

  if (TreeNode* s = r.need("start", "the date of day 0, e.g. 2025-01-01")) {
    auto t = read_time(d, *s, "start");
    if (t && !t->is_date)
      d.error(s->loc, "start", "start must be a calendar date", "e.g. 2025-01-01");
    else if (t)
      st.start = t->date, start_ok = true;
  }
  double horizon = r.quantity("horizon", Dimension::Duration, 730);
  if (horizon < 1 || horizon > 36500)
    d.error(r.loc_of("horizon"), "horizon", "horizon must be between 1 day and 100 years",
            expected_text(Dimension::Duration));
  st.horizon = static_cast<int>(horizon + 0.5);
  st.shortage_threshold = r.fraction("shortage_threshold", 0.01);
  if (st.shortage_threshold <= 0)
    d.error(r.loc_of("shortage_threshold"), "shortage_threshold",
            "shortage_threshold must be positive", "a fraction > 0, e.g. '1 %'");
  long long seed = r.integer("seed", 1);
  if (seed < 0)
    d.error(r.loc_of("seed"), "seed", "seed must not be negative", "a whole number >= 0");
  st.seed = static_cast<std::uint64_t>(seed);

  // Combinations.
  std::vector<std::string> shock_ids, mit_ids;
  for (auto& s : st.scenarios) shock_ids.push_back(s.id);
  for (auto& s : st.mitigations) mit_ids.push_back(s.id);
  TreeNode* comb = r.get("combinations");
  if (!comb || (comb->is_scalar() && comb->scalar == "auto")) {
    if (!comb) root.set("combinations", TreeNode::make_scalar("auto", root.loc), root.loc);
    st.combinations.push_back({"baseline", std::nullopt, {}});
    for (auto& s : shock_ids) {
      st.combinations.push_back({s, s, {}});
      for (auto& m : mit_ids) st.combinations.push_back({s + "+" + m, s, {m}});
      if (mit_ids.size() > 1) st.combinations.push_back({s + "+all-mitigations", s, mit_ids});
    }
  } else {
    for_each_item(d, *comb, "combinations", "combination",
                  [&](TreeNode& item, const std::string& p) {
                    MapReader rc(d, item, p, "a combination");
                    if (!rc.valid()) return;
                    Combination c;
                    Ref sc = rc.ref("scenario", "a scenario id, or 'baseline'");
                    if (sc.id != "baseline") {
                      if (std::find(shock_ids.begin(), shock_ids.end(), sc.id) == shock_ids.end() &&
                          !sc.id.empty()) {
                        auto all = shock_ids;
                        all.push_back("baseline");
                        d.error(sc.loc, rc.at("scenario"), "unknown scenario '" + sc.id + "'", {},
                                id_hint(sc.id, all));
                      }
                      c.scenario = sc.id;
                    }
                    for (auto& m : rc.ref_list("mitigations")) {
                      if (std::find(mit_ids.begin(), mit_ids.end(), m.id) == mit_ids.end())
                        d.error(m.loc, rc.at("mitigations"), "unknown mitigation '" + m.id + "'",
                                {}, id_hint(m.id, mit_ids));
                      c.mitigations.push_back(m.id);
                    }
                    c.id = rc.text("id", "");
                    if (c.id.empty()) {
                      c.id = c.scenario.value_or("baseline");
                      for (auto& m : c.mitigations) c.id += "+" + m;
                    }
                    rc.finish();
                    st.combinations.push_back(c);
                  });
    std::set<std::string> ids;
    for (auto& c : st.combinations)
      if (!ids.insert(c.id).second)
        d.error(comb->loc, "combinations", "duplicate combination '" + c.id + "'");
  }

  // Engine settings first: their defaults are written into the tree, so Monte Carlo and
  // calibration paths under engine.* can be checked against it.
  if (TreeNode* en = r.get("engine")) {
    MapReader re(d, *en, "engine", "engine settings");
    if (re.valid()) {
      st.engine.switching_lag = re.quantity("switching_lag", Dimension::Duration, 30);
      st.engine.share_reversion = re.quantity("share_reversion", Dimension::Duration, 180);
      st.engine.licence_volume_cap = re.quantity("licence_volume_cap", Dimension::Count, 1);
      if (st.engine.licence_volume_cap <= 0)
        d.error(re.loc_of("licence_volume_cap"), "engine.licence_volume_cap",
                "licence_volume_cap must be positive", "a multiple of normal flow, e.g. 1 or 1.5");
      if (st.engine.switching_lag < 1)
        d.error(re.loc_of("switching_lag"), "engine.switching_lag",
                "switching_lag must be at least 1 day");
      if (st.engine.share_reversion < 1)
        d.error(re.loc_of("share_reversion"), "engine.share_reversion",
                "share_reversion must be at least 1 day");
      st.engine.qualification_time = re.quantity("qualification_time", Dimension::Duration, 0);
      if (st.engine.qualification_time < 0)
        d.error(re.loc_of("qualification_time"), "engine.qualification_time",
                "qualification_time must not be negative", "a duration >= 0, e.g. '120 days'");
      if (TreeNode* q = re.get("qualification")) {
        std::vector<std::string> ids;
        for (const auto& m : st.model.materials) ids.push_back(m.id);
        for (auto& [ref, days] : read_amounts(d, *q, "engine.qualification", Dimension::Duration)) {
          const std::string p = child_path("engine.qualification", ref.id);
          if (model_ok && std::find(ids.begin(), ids.end(), ref.id) == ids.end())
            d.error(ref.loc, p, "unknown material '" + ref.id + "'", {}, id_hint(ref.id, ids));
          else if (days < 0)
            d.error(ref.loc, p, "qualification time must not be negative",
                    "a duration >= 0, e.g. '180 days'");
          st.engine.qualification.push_back({ref.id, days});
        }
      } else {
        en->set("qualification", TreeNode::make_map(en->loc), en->loc);
      }
      if (TreeNode* og = re.get("origin")) {
        MapReader ro(d, *og, "engine.origin", "origin tracking settings");
        if (ro.valid()) {
          if (ro.has("stages")) {
            st.engine.origin_stages = read_stage_list(ro, "stages");
            if (st.engine.origin_stages.empty())
              d.error(ro.loc_of("stages"), ro.at("stages"), "no origin stage given",
                      "stages such as [mine, refinery]");
          }
          static const std::vector<std::string> modes = {"auto", "on", "off"};
          st.engine.origin_tracking =
              static_cast<EngineParams::Tracking>(ro.choice("tracking", modes, 0));
          ro.finish();
        }
      }
      re.finish();
    }
  } else {
    TreeNode defaults = TreeNode::make_map(root.loc);
    defaults.set("switching_lag", TreeNode::make_scalar("30", root.loc));
    defaults.set("share_reversion", TreeNode::make_scalar("180", root.loc));
    defaults.set("licence_volume_cap", TreeNode::make_scalar("1", root.loc));
    defaults.set("qualification_time", TreeNode::make_scalar("0", root.loc));
    defaults.set("qualification", TreeNode::make_map(root.loc), root.loc);
    root.set("engine", defaults, root.loc);
  }
  if (TreeNode* ob = r.get("observed"); ob && model_ok) read_observed(d, *ob, st, start_ok);

  // Monte Carlo: key paths are checked only on a complete tree.
  bool inputs_ok = model_ok;
  for (const char* key : {"scenarios", "mitigations"})
    if (TreeNode* list = root.find(key); list && list->is_seq())
      for (auto& item : list->items) inputs_ok = inputs_ok && !item.find("__unreadable__");
  if (TreeNode* mc = r.get("monte_carlo")) {
    MapReader rm(d, *mc, "monte_carlo", "monte_carlo settings");
    if (rm.valid()) {
      long long draws = rm.integer("draws", 0);
      if (draws < 0 || draws > 10000000)
        d.error(rm.loc_of("draws"), "monte_carlo.draws", "draws must be between 0 and 10,000,000");
      st.monte_carlo.draws = static_cast<int>(draws);
      if (TreeNode* ps = rm.get("params"))
        for_each_item(
            d, *ps, "monte_carlo.params", "parameter", [&](TreeNode& item, const std::string& p) {
              if (!item.is_map()) {
                MapReader bad(d, item, p, "a parameter");
                return;
              }
              UncertainParam up;
              up.origin = {item.loc, p};
              TreeNode dist_part = item;
              dist_part.erase("path");
              dist_part.erase("group");
              const TreeNode* path = item.find("path");
              if (!path || !path->is_scalar()) {
                d.error(item.loc, p,
                        "a parameter needs 'path', the key path of the value it varies",
                        "e.g. path: 'model.consumers[*].inventory_days'");
                return;
              }
              up.path = path->scalar;
              if (const TreeNode* g = item.find("group")) up.group = g->scalar;
              if (!reaches_runs(d, path->loc, p + ".path", up.path)) return;
              Dimension dim = dimension_of_path(up.path);
              st.monte_carlo.params.push_back(up);
              if (!inputs_ok) return;  // the tree is incomplete; paths cannot be checked
              std::string error;
              auto matches = find_paths(root, up.path, &error);
              if (!error.empty()) {
                d.error(path->loc, p + ".path", error);
                return;
              }
              if (matches.empty()) {
                d.error(path->loc, p + ".path",
                        "path '" + up.path + "' matches no value in the study", {},
                        path_hint(root, up.path) +
                            " (paths start at the study root, e.g. model.nodes[<id>].capacity, "
                            "model.consumers[*].inventory_days, "
                            "scenarios[<id>].events[<id>].licence.review_delay)");
                return;
              }
              for (auto& mt : matches) {
                // A number (with or without unit), or a distribution the draw replaces.
                bool ok = (mt.node->is_scalar() && parse_quantity(mt.node->scalar, dim).value) ||
                          (mt.node->is_map() && mt.node->find("dist"));
                if (!ok) {
                  d.error(path->loc, p + ".path",
                          "path '" + up.path + "' matches '" + mt.path + "', which is " +
                              describe(*mt.node) + ", not a number (" + to_string(dim) + ")");
                  return;
                }
                st.monte_carlo.params.back().targets.push_back(mt.path);
              }
              auto dist = read_distribution(d, dist_part, p, dim);
              if (dist) st.monte_carlo.params.back().dist = *dist;
            });
      rm.finish();
      const TreeNode* listed = rm.get("params");
      const bool any_listed = listed && listed->is_seq() && !listed->items.empty();
      if (st.monte_carlo.draws > 0 && !any_listed && st.monte_carlo.params.empty() &&
          !samples_licences(st)) {
        d.warning(rm.loc_of("draws"), "monte_carlo.draws",
                  "monte_carlo.draws is " + std::to_string(st.monte_carlo.draws) +
                      " but nothing in the study is uncertain; no draws are run",
                  "list uncertain values under monte_carlo.params, or set draws to 0");
        st.monte_carlo.draws = 0;
      }
    }
  }
  if (TreeNode* se = r.get("sensitivity")) {
    MapReader rs(d, *se, "sensitivity", "sensitivity settings");
    if (rs.valid()) {
      st.sensitivity.tornado = rs.flag("tornado", false);
      st.sensitivity.sobol = rs.flag("sobol", false);
      const long long samples = rs.integer("sobol_samples", 256);
      if (samples < 8 || samples > 1'000'000)
        d.error(rs.loc_of("sobol_samples"), "sensitivity.sobol_samples",
                "sobol_samples must be between 8 and 1,000,000", "e.g. 256");
      st.sensitivity.sobol_samples = static_cast<int>(std::clamp(samples, 8LL, 1'000'000LL));
      for (auto& m : rs.ref_list("metrics")) {
        if (std::find(kMetrics.begin(), kMetrics.end(), m.id) == kMetrics.end())
          d.error(m.loc, "sensitivity.metrics", "unknown metric '" + m.id + "'",
                  "one of: " + join(kMetrics), did_you_mean(m.id, kMetrics));
        st.sensitivity.metrics.push_back(m.id);
      }
      rs.finish();
    }
  }
  if (TreeNode* an = r.get("analysis")) {
    MapReader ra(d, *an, "analysis", "analysis settings");
    if (ra.valid()) {
      st.analysis.enabled = true;
      double days = ra.quantity("criticality_days", Dimension::Duration, 90);
      if (days < 1 || days > 36500)
        d.error(ra.loc_of("criticality_days"), "analysis.criticality_days",
                "criticality_days must be between 1 day and 100 years",
                expected_text(Dimension::Duration));
      st.analysis.criticality_days = static_cast<int>(days + 0.5);
      double ch = ra.quantity("criticality_horizon", Dimension::Duration, 0);
      if (ch < 0 || ch > 36500 || (ch > 0 && ch < days))
        d.error(ra.loc_of("criticality_horizon"), "analysis.criticality_horizon",
                "criticality_horizon must be 0 (D + 365 days) or at least criticality_days",
                expected_text(Dimension::Duration));
      st.analysis.criticality_horizon = static_cast<int>(ch + 0.5);
      if (auto sc = ra.opt_ref("restrictions_from")) {
        std::vector<std::string> ids = shock_ids;
        ids.insert(ids.end(), mit_ids.begin(), mit_ids.end());
        if (std::find(ids.begin(), ids.end(), sc->id) == ids.end())
          d.error(sc->loc, ra.at("restrictions_from"), "unknown scenario '" + sc->id + "'", {},
                  ids.empty() ? "the study has no scenarios or mitigations" : id_hint(sc->id, ids));
        st.analysis.restrictions_from = sc->id;
      }
      ra.finish();
    }
  }
  if (TreeNode* ca = r.get("calibration")) read_calibration(d, root, *ca, st, inputs_ok);
  TreeNode* outs = r.get("outputs");
  if (!outs) outs = &root.set("outputs", TreeNode::make_map(root.loc), root.loc);
  {
    MapReader ro(d, *outs, "outputs", "output settings");
    if (ro.valid()) {
      st.outputs.node_series = ro.flag("node_series", false);
      st.outputs.edge_series = ro.flag("edge_series", false);
      st.outputs.trade_series = ro.flag("trade_series", true);
      static const std::vector<std::string> formats = {"json", "csv", "html", "md"};
      if (!ro.has("formats")) {
        TreeNode list = TreeNode::make_seq(outs->loc);
        for (const char* f : {"json", "csv", "html", "md"})
          list.items.push_back(TreeNode::make_scalar(f, outs->loc));
        outs->set("formats", list, outs->loc);
      }
      for (auto& f : ro.ref_list("formats")) {
        if (std::find(formats.begin(), formats.end(), f.id) == formats.end())
          d.error(f.loc, "outputs.formats", "unknown output format '" + f.id + "'",
                  "one of: " + join(formats), did_you_mean(f.id, formats));
        st.outputs.formats.push_back(f.id);
      }
      ro.finish();
    }
  }
  r.finish();

  if (model_ok) {
    const Date* start = start_ok ? &st.start : nullptr;  // no timing checks without a start
    for (auto& s : st.scenarios) check_scenario(d, st.model, s, start, st.horizon);
    for (auto& s : st.mitigations) check_scenario(d, st.model, s, start, st.horizon);
  }
  // Origin-content rules need origin tracking of the stages they count.
  for (const auto* list : {&st.scenarios, &st.mitigations})
    for (const auto& sc : *list)
      for (const auto& ev : sc.events) {
        const auto* x = std::get_if<ExportRestriction>(&ev.data);
        if (!x || !x->origin_content) continue;
        const std::string p = ev.origin.path + ".origin_content";
        if (st.engine.origin_tracking == EngineParams::Tracking::Off)
          d.error(ev.origin.loc, p,
                  "an origin_content condition needs origin tracking, but "
                  "engine.origin.tracking is off",
                  {}, "tracking: auto (or on)");
        for (Stage stg : x->origin_content->stages)
          if (std::find(st.engine.origin_stages.begin(), st.engine.origin_stages.end(), stg) ==
              st.engine.origin_stages.end())
            d.error(
                x->origin_content->stages_origin.loc, p + ".stages",
                std::string("stage '") + to_string(stg) + "' is not tracked (engine.origin.stages)",
                {}, "add it to engine.origin.stages, or leave it out of the rule");
      }
  return st;
}

std::string canonical_unit_of_key(const std::string& key) {
  return canonical_unit(dimension_of_key(key));
}

double value_at(const TreeNode& resolved, const std::string& path) {
  TreeNode copy = resolved;
  std::string error;
  auto matches = find_paths(copy, path, &error);
  if (!error.empty() || matches.empty() || !matches.front().node->is_scalar())
    throw InputError("'" + path + "' is not a number in the study" +
                     (error.empty() ? std::string() : ": " + error) + "\n");
  auto q = parse_quantity(matches.front().node->scalar, dimension_of_path(path));
  if (!q.value) throw InputError("'" + path + "': " + q.error + "\n");
  return *q.value;
}

}  // namespace rareshock::io
