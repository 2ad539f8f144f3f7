// Reads study files: model and scenario references, time frame, uncertainty, outputs.
#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "rareshock/core/error.hpp"
#include "rareshock/core/text.hpp"
#include "rareshock/io/load.hpp"
#include "rareshock/io/schema.hpp"
#include "readers.hpp"

namespace rareshock::io {
namespace fs = std::filesystem;

namespace {

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

// Replaces a file reference (scalar) by the loaded tree; false when the file could not be read
// (already reported; the reference becomes an empty mapping so the rest can be read).
// Relative paths resolve against the directory of the file the path is written in (which,
// with includes, need not be the study's own directory).
bool inline_file(Loader& loader, TreeNode& n, const fs::path& base_dir, const std::string& path) {
  if (!n.is_scalar()) return true;
  fs::path dir = base_dir;
  if (n.loc.file >= 0) {
    const std::string& written_in = loader.sources().path(n.loc.file);
    if (!written_in.empty() && written_in[0] != '<') dir = fs::path(written_in).parent_path();
  }
  auto tree = loader.load(dir / n.scalar, n.loc, path);
  if (!tree) {
    n = TreeNode::make_map(n.loc);
    return false;
  }
  SourceLoc ref = n.loc;
  n = std::move(*tree);
  if (n.loc.file < 0) n.loc = ref;
  return true;
}

// The file references of a study that could not be read: reading skips them (their errors
// are reported), and key paths are not checked against an incomplete tree.
struct Unreadable {
  bool model = false;
  std::set<std::pair<std::string, std::size_t>> items;  ///< (scenarios|mitigations, index)
  bool item(const std::string& list, std::size_t i) const { return items.count({list, i}) > 0; }
  bool any_item() const { return !items.empty(); }
};

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

// The dimension of the value a key path points at, from the schema (by the full path).
Dimension dimension_of_path(const std::string& path) {
  return schema::dimension_of_path(path);
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

// Whether a calibrated parameter's path reaches numbers of the study, reporting why not; the
// matched paths go to \p cp.targets.
bool check_calibration_path(Diagnostics& d, TreeNode& root, MapReader& rp, const std::string& p,
                            Dimension dim, CalibrationParam& cp) {
  std::string error;
  auto matches = find_paths(root, cp.path, &error);
  if (!error.empty()) {
    d.error(rp.loc_of("path"), p + ".path", error);
    return false;
  }
  if (matches.empty()) {
    d.error(rp.loc_of("path"), p + ".path", "path '" + cp.path + "' matches no value in the study",
            {}, path_hint(root, cp.path));
    return false;
  }
  bool ok = true;
  for (auto& mt : matches) {
    cp.targets.push_back(mt.path);
    if (ok && (!mt.node->is_scalar() || !parse_quantity(mt.node->scalar, dim).value)) {
      d.error(rp.loc_of("path"), p + ".path",
              "path '" + cp.path + "' matches '" + mt.path + "', which is " + describe(*mt.node) +
                  ", not a number (" + to_string(dim) + ")",
              {}, "a calibrated value must be a plain number (not a date or a distribution)");
      ok = false;
    }
  }
  return ok;
}

// One `calibration.parameters` item {path, min, max}.
void read_calibration_param(Diagnostics& d, TreeNode& root, TreeNode& item, const std::string& p,
                            Calibration& c, bool inputs_ok) {
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
  bool path_ok =
      !cp.path.empty() && reaches_runs(d, rp.loc_of("path"), p + ".path", cp.path) && inputs_ok;
  if (path_ok) path_ok = check_calibration_path(d, root, rp, p, dim, cp);
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
}

// `calibration.training` / `calibration.validation`: {from, to}, months or dates.
void read_calibration_window(Diagnostics& d, MapReader& r, const char* key, Calibration& c) {
  TreeNode* w = r.get(key);
  if (!w) return;
  const std::string at = std::string("calibration.") + key;
  MapReader rw(d, *w, at, "a window {from, to}");
  if (!rw.valid()) return;
  auto from = read_window_day(d, rw.get("from"), at + ".from", false);
  auto to = read_window_day(d, rw.get("to"), at + ".to", true);
  rw.finish();
  if (!from || !to) return;
  if (*to < *from) {
    d.error(rw.loc_of("to"), at + ".to", "the window ends before it starts");
    return;
  }
  (std::string_view(key) == "training" ? c.training : c.validation) = DateWindow{*from, *to};
}

// `calibration.run` and `calibration.observed`, checked against the study's runs and series.
void read_calibration_targets(Diagnostics& d, MapReader& r, TreeNode& sec, const Study& st,
                              Calibration& c) {
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
}

void read_calibration(Diagnostics& d, TreeNode& root, TreeNode& sec, Study& st, bool inputs_ok) {
  MapReader r(d, sec, "calibration", "calibration settings");
  if (!r.valid()) return;
  Calibration& c = st.calibration;
  c.enabled = true;
  read_calibration_targets(d, r, sec, st, c);
  for (const char* key : {"training", "validation"}) read_calibration_window(d, r, key, c);
  static const std::vector<std::string> objectives = {"rmse", "relative_rmse", "mae"};
  static const std::vector<std::string> algorithms = {"bobyqa", "neldermead", "sbplx"};
  c.objective = objectives[r.choice("objective", objectives, 0)];
  c.algorithm = algorithms[r.choice("algorithm", algorithms, 0)];
  long long evals = r.integer("max_evaluations", 200);
  if (evals < 1 || evals > 100000)
    d.error(r.loc_of("max_evaluations"), "calibration.max_evaluations",
            "max_evaluations must be between 1 and 100,000");
  c.max_evaluations = static_cast<int>(std::clamp(evals, 1LL, 100000LL));
  if (TreeNode* ps = r.need("parameters", "a list of {path, min, max}"))
    for_each_item(d, *ps, "calibration.parameters", "parameter",
                  [&](TreeNode& item, const std::string& p) {
                    read_calibration_param(d, root, item, p, c, inputs_ok);
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

namespace {

// Moves the locations of an override's parsed value into the whole override text (source
// \p fid), where the value starts after \p offset characters of its first line.
void relocate(TreeNode& n, int fid, int offset) {
  if (n.loc.line <= 1) n.loc.column += offset;
  n.loc.file = fid;
  for (auto& e : n.entries) {
    if (e.key_loc.line <= 1) e.key_loc.column += offset;
    e.key_loc.file = fid;
    relocate(e.value, fid, offset);
  }
  for (auto& i : n.items) relocate(i, fid, offset);
}

// The column (1-based) in \p text of the path segment \p missing (else of the path's start).
int column_of(const std::string& text, const std::string& missing, std::size_t path_start) {
  auto p = missing.empty() ? std::string::npos : text.find(missing, path_start);
  return static_cast<int>((p == std::string::npos ? path_start : p) + 1);
}

// The last segment of a key path: what a missing key created by an override is called.
std::string last_key(const std::string& path) {
  auto p = path.find_last_of(".]");
  return p == std::string::npos ? path : path.substr(p + 1);
}

// `--set model.edges=[...]` replaces the whole list: worth a warning when it was long.
void warn_list_replaced(Diagnostics& d, TreeNode& root, const std::string& key,
                        const TreeNode& value, SourceLoc loc) {
  constexpr std::size_t kLongList = 10;
  std::string error;
  auto at = find_paths(root, key, &error);
  if (at.size() != 1 || !at[0].node->is_seq() || at[0].node->items.size() < kLongList ||
      !value.is_seq() || same_content(*at[0].node, value))
    return;
  d.warning(loc, key,
            fmt::format("this override replaces all {} items of '{}' with {} item{}",
                        at[0].node->items.size(), key, value.items.size(),
                        value.items.size() == 1 ? "" : "s"),
            fmt::format("to change the list item by item: '{0}[+]=ITEM' appends one, "
                        "'{0}[ID].key=value' changes one, '~{0}[ID]' removes one",
                        key));
}

const char* const kOverrideForms =
    "key.path=value sets a value (--set horizon=365), list[+]=item appends an item "
    "(--set 'model.edges[+]={from: a, to: b, material: m, share: 0.1}'), ~key.path removes a key "
    "or a list item (--set '~model.edges[cn_magnet->ev_traction_EU]')";

}  // namespace

void apply_overrides(Diagnostics& d, Loader& loader, TreeNode& root,
                     const std::vector<std::string>& overrides) {
  for (std::size_t i = 0; i < overrides.size(); ++i) {
    const std::string& o = overrides[i];
    const std::string name = "<--set " + std::to_string(i + 1) + ">";
    const int fid = loader.sources().add_virtual(name, o);  // the whole text, for carets
    std::string error, missing;
    std::vector<std::string> suggestions;
    auto report = [&](const std::string& key, std::size_t start) {
      d.error({fid, 1, column_of(o, missing, start)}, key, "cannot apply override: " + error, {},
              suggestions.empty() ? "" : id_hint(missing, suggestions));
    };
    if (!o.empty() && o.front() == '~') {
      const std::string key = trim(o.substr(1));
      if (!remove_path(root, key, &error, &suggestions, &missing)) report(key, 1);
      continue;
    }
    auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) {
      d.error({fid, 1, 1}, {}, "override '" + o + "' is not of the form key.path=value",
              "e.g. --set horizon=365 or --set model.nodes[cn_mine].capacity='200 kt/yr'",
              kOverrideForms);
      continue;
    }
    const std::string key = trim(o.substr(0, eq));
    auto value = loader.parse_text(name, o.substr(eq + 1));
    if (!value) continue;
    if (value->is_null()) *value = TreeNode::make_scalar("", value->loc);
    relocate(*value, fid, static_cast<int>(eq + 1));
    // A key the override creates points at its name in the text (an unknown key's caret).
    const SourceLoc key_loc{fid, 1, column_of(o, last_key(key), 0)};
    warn_list_replaced(d, root, key, *value, {fid, 1, static_cast<int>(eq) + 2});
    if (!set_path(root, key, *value, &error, &suggestions, &missing, key_loc)) report(key, 0);
  }
}

void apply_focus_option(Diagnostics& d, Loader& loader, TreeNode& root, const std::string& focus) {
  if (focus.empty() || !root.is_map()) return;
  const int fid = loader.sources().add_virtual("<--focus>", focus);
  auto col = [](std::size_t offset) { return static_cast<int>(offset) + 1; };
  // Trimmed [begin, end) of text[from, to).
  auto trimmed = [&](std::size_t from, std::size_t to) {
    while (from < to && std::isspace(static_cast<unsigned char>(focus[from]))) ++from;
    while (to > from && std::isspace(static_cast<unsigned char>(focus[to - 1]))) --to;
    return std::pair{from, to};
  };
  static const std::vector<std::string> keys = {"regions", "sectors"};
  const char* form = "regions=ID,ID...;sectors=ID,ID... (either part may be left out)";
  bool any = false, bad = false;
  for (std::size_t pos = 0; pos <= focus.size();) {
    std::size_t end = focus.find(';', pos);
    if (end == std::string::npos) end = focus.size();
    const auto [b, e] = trimmed(pos, end);
    pos = end + 1;
    if (b == e) continue;
    const std::size_t eq = focus.find('=', b);
    const auto [kb, ke] = trimmed(b, eq < e ? eq : e);
    const std::string key = focus.substr(kb, ke - kb);
    if (eq >= e || std::find(keys.begin(), keys.end(), key) == keys.end()) {
      d.error(
          {fid, 1, col(kb)}, "focus",
          eq >= e ? "--focus part '" + focus.substr(b, e - b) + "' has no '='"
                  : "--focus has no part '" + key + "'",
          form,
          eq >= e ? "e.g. --focus \"regions=EU;sectors=ev_traction\"" : did_you_mean(key, keys));
      bad = true;
      continue;
    }
    TreeNode list = TreeNode::make_seq({fid, 1, col(eq + 1)});
    for (std::size_t ip = eq + 1; ip <= e;) {
      std::size_t ie = focus.find(',', ip);
      if (ie == std::string::npos || ie > e) ie = e;
      const auto [xb, xe] = trimmed(ip, ie);
      ip = ie + 1;
      if (xb < xe)
        list.items.push_back(
            TreeNode::make_scalar(focus.substr(xb, xe - xb), {fid, 1, col(xb)}, true));
    }
    if (list.items.empty()) {
      d.error({fid, 1, col(eq + 1)}, "focus." + key, "--focus " + key + "= lists no id", form);
      bad = true;
      continue;
    }
    TreeNode* fo = root.find("focus");
    if (!fo || !fo->is_map()) fo = &root.set("focus", TreeNode::make_map({fid, 1, 1}), {fid, 1, 1});
    fo->set(key, std::move(list), {fid, 1, col(kb)});
    any = true;
  }
  if (!any && !bad)
    d.error({fid, 1, 1}, "focus", "--focus '" + focus + "' names no region or sector", form,
            "e.g. --focus \"regions=EU;sectors=ev_traction\"");
}

namespace {

// Stage 1: brings referenced files in, so the tree is the whole resolved study.
Unreadable inline_references(Diagnostics& d, Loader& loader, TreeNode& root,
                             const fs::path& base_dir) {
  Unreadable bad;
  if (TreeNode* m = root.find("model")) bad.model = !inline_file(loader, *m, base_dir, "model");
  for (const char* key : {"scenarios", "mitigations"})
    if (TreeNode* list = root.find(key); list && list->is_seq())
      for (std::size_t i = 0; i < list->items.size(); ++i)
        if (!inline_file(loader, list->items[i], base_dir,
                         std::string(key) + "[" + std::to_string(i) + "]"))
          bad.items.insert({key, i});
  resolve_observed_files(d, loader, root, base_dir);
  return bad;
}

// Stage 2: the study's own `overrides:` (e.g. a calibrated.yaml) apply to the resolved tree.
// The list is removed once applied (the tree carries its effect; a re-read for a Monte Carlo
// draw must not apply it over the drawn values); its texts go to \p applied.
void apply_study_overrides(Diagnostics& d, Loader& loader, TreeNode& root,
                           std::vector<std::string>& applied) {
  const TreeNode* ov = root.find("overrides");
  if (!ov) return;
  TreeNode list = *ov;
  root.erase("overrides");
  if (!list.is_seq()) {
    d.error(list.loc, "overrides", "overrides must be a list of 'key.path=value' texts",
            "overrides: [\"engine.switching_lag=45 days\"]");
    return;
  }
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    const TreeNode& item = list.items[i];
    std::string at = "overrides[" + std::to_string(i) + "]";
    std::string error, missing;
    std::vector<std::string> suggestions;
    if (item.is_scalar() && !item.scalar.empty() && item.scalar.front() == '~') {
      const std::string key = trim(item.scalar.substr(1));
      if (!remove_path(root, key, &error, &suggestions, &missing))
        d.error(item.loc, at, "cannot apply override '" + item.scalar + "': " + error, {},
                suggestions.empty() ? "" : id_hint(missing, suggestions));
      applied.push_back(item.scalar);
      continue;
    }
    auto eq = item.is_scalar() ? item.scalar.find('=') : std::string::npos;
    if (eq == std::string::npos || eq == 0) {
      d.error(item.loc, at, "an override must be a text 'key.path=value'",
              "e.g. \"engine.switching_lag=45 days\"", kOverrideForms);
      continue;
    }
    std::string key = trim(item.scalar.substr(0, eq));
    auto value = loader.parse_text("<" + at + ">", item.scalar.substr(eq + 1));
    if (!value) continue;
    if (value->is_null()) *value = TreeNode::make_scalar("", item.loc);
    value->loc = item.loc;
    warn_list_replaced(d, root, key, *value, item.loc);
    if (!set_path(root, key, *value, &error, &suggestions, &missing, item.loc))
      d.error(item.loc, at, "cannot apply override '" + key + "': " + error, {},
              suggestions.empty() ? "" : id_hint(missing, suggestions));
    applied.push_back(item.scalar);
  }
}

void read_header(Diagnostics& d, MapReader& r, Study& st) {
  TreeNode* h = r.need("study", "study: {name: ..., description: ...}");
  if (!h) return;
  MapReader rh(d, *h, "study", "the study header");
  if (!rh.valid()) return;
  st.name = rh.required_text("name", "a short title");
  st.description = rh.opt_text("description").value_or("");
  rh.finish();
}

// The model; true when it was read and checked without error.
bool read_study_model(Diagnostics& d, MapReader& r, const Unreadable& bad, Study& st) {
  TreeNode* m = r.need("model", "a model file path, e.g. ../world-2024.yaml");
  if (!m || bad.model) return false;
  std::size_t before = d.error_count();
  st.model = read_model(d, *m, "model");
  if (d.error_count() == before) check_model(d, st.model);
  return d.error_count() == before;
}

void read_scenario_lists(Diagnostics& d, MapReader& r, const Unreadable& bad, Study& st) {
  std::set<std::string> scenario_ids;
  auto read_list = [&](const char* key, std::vector<Scenario>& out) {
    TreeNode* list = r.get(key);
    if (!list) return;
    std::size_t i = 0;
    for_each_item(d, *list, key, "scenario file", [&](TreeNode& item, const std::string& path) {
      if (bad.item(key, i++)) return;
      Scenario s = read_scenario(d, item, path);
      if (!s.id.empty() && !scenario_ids.insert(s.id).second)
        d.error(item.loc, path, "duplicate scenario id '" + s.id + "'", {},
                "scenario and mitigation ids must be unique within a study");
      out.push_back(std::move(s));
    });
  };
  read_list("scenarios", st.scenarios);
  read_list("mitigations", st.mitigations);
}

// start, horizon, shortage_threshold, seed; true when the start date was read.
bool read_time_frame(Diagnostics& d, MapReader& r, Study& st) {
  bool start_ok = false;
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
  return start_ok;
}

std::vector<std::string> ids_of(const std::vector<Scenario>& list) {
  std::vector<std::string> ids;
  for (const auto& s : list) ids.push_back(s.id);
  return ids;
}

// `combinations: auto`: baseline, each scenario, with each mitigation, with all of them.
void auto_combinations(Study& st) {
  const auto shock_ids = ids_of(st.scenarios), mit_ids = ids_of(st.mitigations);
  st.combinations.push_back({"baseline", std::nullopt, {}});
  for (auto& s : shock_ids) {
    st.combinations.push_back({s, s, {}});
    for (auto& m : mit_ids) st.combinations.push_back({s + "+" + m, s, {m}});
    if (mit_ids.size() > 1) st.combinations.push_back({s + "+all-mitigations", s, mit_ids});
  }
}

Combination read_combination(Diagnostics& d, MapReader& rc,
                             const std::vector<std::string>& shock_ids,
                             const std::vector<std::string>& mit_ids) {
  Combination c;
  Ref sc = rc.ref("scenario", "a scenario id, or 'baseline'");
  if (sc.id != "baseline") {
    if (std::find(shock_ids.begin(), shock_ids.end(), sc.id) == shock_ids.end() && !sc.id.empty()) {
      auto all = shock_ids;
      all.push_back("baseline");
      d.error(sc.loc, rc.at("scenario"), "unknown scenario '" + sc.id + "'", {},
              id_hint(sc.id, all));
    }
    c.scenario = sc.id;
  }
  for (auto& m : rc.ref_list("mitigations")) {
    if (std::find(mit_ids.begin(), mit_ids.end(), m.id) == mit_ids.end())
      d.error(m.loc, rc.at("mitigations"), "unknown mitigation '" + m.id + "'", {},
              id_hint(m.id, mit_ids));
    c.mitigations.push_back(m.id);
  }
  c.id = rc.text("id", "");
  if (c.id.empty()) {
    c.id = c.scenario.value_or("baseline");
    for (auto& m : c.mitigations) c.id += "+" + m;
  }
  rc.finish();
  return c;
}

void read_combinations(Diagnostics& d, TreeNode& root, MapReader& r, Study& st) {
  TreeNode* comb = r.get("combinations");
  if (!comb || (comb->is_scalar() && comb->scalar == "auto")) {
    if (!comb) root.set("combinations", TreeNode::make_scalar("auto", root.loc), root.loc);
    auto_combinations(st);
    return;
  }
  const auto shock_ids = ids_of(st.scenarios), mit_ids = ids_of(st.mitigations);
  for_each_item(d, *comb, "combinations", "combination", [&](TreeNode& item, const std::string& p) {
    MapReader rc(d, item, p, "a combination");
    if (!rc.valid()) return;
    st.combinations.push_back(read_combination(d, rc, shock_ids, mit_ids));
  });
  std::set<std::string> ids;
  for (auto& c : st.combinations)
    if (!ids.insert(c.id).second)
      d.error(comb->loc, "combinations", "duplicate combination '" + c.id + "'");
}

// `engine.origin`: the tracked origin stages and when to track.
void read_origin_settings(Diagnostics& d, TreeNode& og, Study& st) {
  MapReader ro(d, og, "engine.origin", "origin tracking settings");
  if (!ro.valid()) return;
  if (ro.has("stages")) {
    st.engine.origin_stages = read_stage_list(ro, "stages");
    if (st.engine.origin_stages.empty())
      d.error(ro.loc_of("stages"), ro.at("stages"), "no origin stage given",
              "stages such as [mine, refinery]");
  }
  static const std::vector<std::string> modes = {"auto", "on", "off"};
  st.engine.origin_tracking = static_cast<EngineParams::Tracking>(ro.choice("tracking", modes, 0));
  ro.finish();
}

void read_engine_section(Diagnostics& d, TreeNode& en, Study& st, bool model_ok) {
  MapReader re(d, en, "engine", "engine settings");
  if (!re.valid()) return;
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
    en.set("qualification", TreeNode::make_map(en.loc), en.loc);
  }
  if (TreeNode* og = re.get("origin")) read_origin_settings(d, *og, st);
  re.finish();
}

// Engine settings come before Monte Carlo and calibration: their defaults are written into the
// tree, so paths under engine.* can be checked against it.
void read_engine(Diagnostics& d, TreeNode& root, MapReader& r, Study& st, bool model_ok) {
  if (TreeNode* en = r.get("engine")) {
    read_engine_section(d, *en, st, model_ok);
    return;
  }
  TreeNode defaults = TreeNode::make_map(root.loc);
  defaults.set("switching_lag", TreeNode::make_scalar("30", root.loc));
  defaults.set("share_reversion", TreeNode::make_scalar("180", root.loc));
  defaults.set("licence_volume_cap", TreeNode::make_scalar("1", root.loc));
  defaults.set("qualification_time", TreeNode::make_scalar("0", root.loc));
  defaults.set("qualification", TreeNode::make_map(root.loc), root.loc);
  root.set("engine", defaults, root.loc);
}

// One `monte_carlo.params` item; checks its path against the tree when \p inputs_ok.
void read_uncertain_param(Diagnostics& d, TreeNode& root, TreeNode& item, const std::string& p,
                          Study& st, bool inputs_ok) {
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
    d.error(item.loc, p, "a parameter needs 'path', the key path of the value it varies",
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
    d.error(path->loc, p + ".path", "path '" + up.path + "' matches no value in the study", {},
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
              "path '" + up.path + "' matches '" + mt.path + "', which is " + describe(*mt.node) +
                  ", not a number (" + to_string(dim) + ")");
      return;
    }
    st.monte_carlo.params.back().targets.push_back(mt.path);
  }
  auto dist = read_distribution(d, dist_part, p, dim);
  if (dist) st.monte_carlo.params.back().dist = *dist;
}

void read_monte_carlo(Diagnostics& d, TreeNode& root, TreeNode& mc, Study& st, bool inputs_ok) {
  MapReader rm(d, mc, "monte_carlo", "monte_carlo settings");
  if (!rm.valid()) return;
  long long draws = rm.integer("draws", 0);
  if (draws < 0 || draws > 10000000)
    d.error(rm.loc_of("draws"), "monte_carlo.draws", "draws must be between 0 and 10,000,000");
  st.monte_carlo.draws = static_cast<int>(draws);
  if (TreeNode* ps = rm.get("params"))
    for_each_item(d, *ps, "monte_carlo.params", "parameter",
                  [&](TreeNode& item, const std::string& p) {
                    read_uncertain_param(d, root, item, p, st, inputs_ok);
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

void read_sensitivity(Diagnostics& d, TreeNode& se, Study& st) {
  MapReader rs(d, se, "sensitivity", "sensitivity settings");
  if (!rs.valid()) return;
  st.sensitivity.tornado = rs.flag("tornado", false);
  st.sensitivity.sobol = rs.flag("sobol", false);
  const long long samples = rs.integer("sobol_samples", 256);
  if (samples < 8 || samples > 1'000'000)
    d.error(rs.loc_of("sobol_samples"), "sensitivity.sobol_samples",
            "sobol_samples must be between 8 and 1,000,000", "e.g. 256");
  st.sensitivity.sobol_samples = static_cast<int>(std::clamp(samples, 8LL, 1'000'000LL));
  for (auto& m : rs.ref_list("metrics")) {
    const MetricInfo* metric = find_metric(m.id);
    if (metric && metric->summarised) {
      st.sensitivity.metrics.push_back(metric->metric);
    } else {
      const auto names = summarised_metric_names();
      d.error(m.loc, "sensitivity.metrics", "unknown metric '" + m.id + "'",
              "one of: " + join(names), did_you_mean(m.id, names));
    }
  }
  rs.finish();
}

void read_analysis(Diagnostics& d, TreeNode& an, Study& st) {
  MapReader ra(d, an, "analysis", "analysis settings");
  if (!ra.valid()) return;
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
    std::vector<std::string> ids = ids_of(st.scenarios);
    for (auto& m : ids_of(st.mitigations)) ids.push_back(m);
    if (std::find(ids.begin(), ids.end(), sc->id) == ids.end())
      d.error(sc->loc, ra.at("restrictions_from"), "unknown scenario '" + sc->id + "'", {},
              ids.empty() ? "the study has no scenarios or mitigations" : id_hint(sc->id, ids));
    st.analysis.restrictions_from = sc->id;
  }
  ra.finish();
}

void read_outputs(Diagnostics& d, TreeNode& root, MapReader& r, Study& st) {
  TreeNode* outs = r.get("outputs");
  if (!outs) outs = &root.set("outputs", TreeNode::make_map(root.loc), root.loc);
  MapReader ro(d, *outs, "outputs", "output settings");
  if (!ro.valid()) return;
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

// `focus: {regions: [...], sectors: [...]}`: ids checked against the model's consumers (their
// regions as written and their sectors); a repeated id is kept once.
void read_focus(Diagnostics& d, TreeNode& fo, Study& st, bool model_ok) {
  MapReader rf(d, fo, "focus", "the focus");
  if (!rf.valid()) return;
  std::vector<std::string> regions, sectors;
  for (const auto& n : st.model.nodes) {
    if (!n.is_consumer()) continue;
    if (std::find(regions.begin(), regions.end(), n.region.id) == regions.end())
      regions.push_back(n.region.id);
    if (std::find(sectors.begin(), sectors.end(), n.sector) == sectors.end())
      sectors.push_back(n.sector);
  }
  auto read = [&](const char* key, const std::vector<std::string>& known, const char* what,
                  std::vector<std::string>& out) {
    for (auto& ref : rf.ref_list(key)) {
      if (model_ok && std::find(known.begin(), known.end(), ref.id) == known.end()) {
        d.error(
            ref.loc, rf.at(key),
            std::string("unknown ") + what + " '" + ref.id + "' (no consumer of the model has it)",
            {}, id_hint(ref.id, known));
        continue;
      }
      if (std::find(out.begin(), out.end(), ref.id) == out.end()) out.push_back(ref.id);
    }
  };
  read("regions", regions, "region", st.focus.regions);
  read("sectors", sectors, "sector", st.focus.sectors);
  rf.finish();
}

// Last stage: scenarios against the model and the study window.
void check_scenarios(Diagnostics& d, const Study& st, bool start_ok) {
  const Date* start = start_ok ? &st.start : nullptr;  // no timing checks without a start
  for (auto& s : st.scenarios) check_scenario(d, st.model, s, start, st.horizon);
  for (auto& s : st.mitigations) check_scenario(d, st.model, s, start, st.horizon);
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
}

}  // namespace

Study read_study(Diagnostics& d, Loader& loader, TreeNode& root, const fs::path& base_dir,
                 const std::vector<std::string>& overrides, const std::string& focus) {
  Study st;
  if (!root.is_map()) {
    MapReader bad(d, root, "", "a study file");
    return st;
  }
  const Unreadable bad = inline_references(d, loader, root, base_dir);
  apply_study_overrides(d, loader, root, st.overrides);
  apply_overrides(d, loader, root, overrides);
  apply_focus_option(d, loader, root, focus);

  MapReader r(d, root, "", "a study file");
  read_header(d, r, st);
  const bool model_ok = read_study_model(d, r, bad, st);
  read_scenario_lists(d, r, bad, st);
  const bool start_ok = read_time_frame(d, r, st);
  read_combinations(d, root, r, st);
  read_engine(d, root, r, st, model_ok);
  if (TreeNode* ob = r.get("observed"); ob && model_ok) read_observed(d, *ob, st, start_ok);
  // Key paths (Monte Carlo, calibration) are checked only on a complete tree.
  const bool inputs_ok = model_ok && !bad.any_item();
  if (TreeNode* mc = r.get("monte_carlo")) read_monte_carlo(d, root, *mc, st, inputs_ok);
  if (TreeNode* se = r.get("sensitivity")) read_sensitivity(d, *se, st);
  if (TreeNode* an = r.get("analysis")) read_analysis(d, *an, st);
  if (TreeNode* ca = r.get("calibration")) read_calibration(d, root, *ca, st, inputs_ok);
  if (TreeNode* fo = r.get("focus")) read_focus(d, *fo, st, model_ok);
  read_outputs(d, root, r, st);
  r.finish();
  if (model_ok) check_scenarios(d, st, start_ok);
  return st;
}

std::string canonical_unit_of_key(const std::string& key) {
  // A key of the study root or its `engine` section (the only callers); any other key path is
  // resolved as a full path.
  Dimension dim = schema::dimension_of_path(key);
  if (dim == Dimension::Count && key.find('.') == std::string::npos)
    dim = schema::dimension_of_path("engine." + key);
  return canonical_unit(dim);
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
