// Reads a study's `observed:` section: observed series from CSV files (or inline `data:`)
// and the modelled trade aggregate each one matches.
#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "rareshock/core/text.hpp"
#include "readers.hpp"

namespace rareshock::io {
namespace fs = std::filesystem;

namespace {

// `YYYY-MM` -> the month's first and last day; `YYYY-MM-DD` -> that day.
bool parse_period(const std::string& text, bool monthly, Date& first, Date& last) {
  if (monthly) {
    if (text.size() != 7 || text[4] != '-') return false;
    auto d = parse_date(text + "-01");
    if (!d) return false;
    first = *d;
    int y = std::stoi(text.substr(0, 4)), m = std::stoi(text.substr(5, 2));
    last = (m == 12 ? make_date(y + 1, 1, 1) : make_date(y, static_cast<unsigned>(m + 1), 1)) + -1;
    return true;
  }
  auto d = parse_date(text);
  if (!d || text.size() != 10) return false;
  first = last = *d;
  return true;
}

}  // namespace

void resolve_observed_files(Diagnostics& d, Loader& loader, TreeNode& root,
                            const fs::path& base_dir) {
  TreeNode* list = root.find("observed");
  if (!list || !list->is_seq()) return;
  for (std::size_t i = 0; i < list->items.size(); ++i) {
    TreeNode& item = list->items[i];
    const std::string path = item_path("observed", item, i);
    TreeNode* file = item.is_map() ? item.find("file") : nullptr;
    if (!file) continue;
    if (!file->is_scalar()) {
      d.error(file->loc, path + ".file", "file must be a CSV file path, not " + describe(*file),
              "file: ../../data/observed/china-magnet-exports.csv");
      continue;
    }
    if (item.find("data")) {
      d.error(file->loc, path + ".file", "give either 'file' or 'data', not both",
              "file: a CSV path, or data: [{period: 2025-04, value: 1200}, ...]");
      continue;
    }
    // Relative to the file the path is written in (an included file, or the study).
    fs::path dir = base_dir;
    if (file->loc.file >= 0) {
      const std::string& written_in = loader.sources().path(file->loc.file);
      if (!written_in.empty() && written_in[0] != '<') dir = fs::path(written_in).parent_path();
    }
    std::string date_col = "date", value_col = "value";
    for (auto [key, out] : {std::pair<const char*, std::string*>{"date_column", &date_col},
                            {"value_column", &value_col}})
      if (const TreeNode* c = item.find(key)) {
        if (c->is_scalar())
          *out = c->scalar;
        else
          d.error(c->loc, path + "." + key, std::string(key) + " must be a column name");
      }
    auto table = loader.load_csv(dir / file->scalar, file->loc, path + ".file");
    if (!table) {
      item.set("data", TreeNode::make_seq(file->loc), file->loc);
      item.erase("file");
      item.erase("date_column");
      item.erase("value_column");
      continue;
    }
    const auto& header = table->rows.front();
    std::vector<std::string> names;
    for (const auto& h : header) names.push_back(trim(h.text));
    auto column = [&](const char* key, const std::string& name) -> int {
      auto it = std::find(names.begin(), names.end(), name);
      if (it != names.end()) return static_cast<int>(it - names.begin());
      const TreeNode* c = item.find(key);
      std::string dym = did_you_mean(name, names);
      d.error(c ? c->loc : file->loc, path + "." + key,
              "column '" + name + "' is not in " + table->file, {},
              (dym.empty() ? "" : dym + " ") + "columns: " + join(names));
      return -1;
    };
    int dc = column("date_column", date_col), vc = column("value_column", value_col);
    TreeNode data = TreeNode::make_seq(file->loc);
    if (dc >= 0 && vc >= 0)
      for (std::size_t r = 1; r < table->rows.size(); ++r) {
        const auto& row = table->rows[r];
        if (row.size() != names.size()) {
          d.error({table->file_id, row.front().line, 1}, path,
                  "CSV row has " + std::to_string(row.size()) + " cells but the header has " +
                      std::to_string(names.size()) + " columns",
                  {}, "quote cells that contain commas");
          continue;
        }
        const auto& dcell = row[static_cast<std::size_t>(dc)];
        const auto& vcell = row[static_cast<std::size_t>(vc)];
        if (trim(vcell.text).empty()) continue;  // a gap in the series
        SourceLoc rloc{table->file_id, dcell.line, 1};
        TreeNode point = TreeNode::make_map(rloc);
        point.set("period",
                  TreeNode::make_scalar(trim(dcell.text),
                                        {table->file_id, dcell.line, dcell.column}, true),
                  {table->file_id, header[static_cast<std::size_t>(dc)].line,
                   header[static_cast<std::size_t>(dc)].column});
        point.set(
            "value",
            TreeNode::make_scalar(trim(vcell.text), {table->file_id, vcell.line, vcell.column}),
            {table->file_id, header[static_cast<std::size_t>(vc)].line,
             header[static_cast<std::size_t>(vc)].column});
        data.items.push_back(std::move(point));
      }
    SourceLoc floc = file->loc;
    std::string source = table->file;
    item.erase("file");
    item.erase("date_column");
    item.erase("value_column");
    item.set("source_file", TreeNode::make_scalar(source, floc, true), floc);
    item.set("data", std::move(data), floc);
  }
}

namespace {

bool has(const std::vector<std::string>& v, const std::string& id) {
  return std::find(v.begin(), v.end(), id) != v.end();
}

/// Reads the `observed:` list of a study, series by series (read_observed).
class ObservedReader {
 public:
  ObservedReader(Diagnostics& d, Study& st, bool start_ok)
      : d_(d),
        st_(st),
        start_ok_(start_ok),
        window_first_(st.start),
        window_last_(st.start + (st.horizon - 1)) {
    for (const auto& c : st.model.countries) places_.push_back(c.id);
    for (const auto& g : st.model.groups) places_.push_back(g.id);
    for (const auto& m : st.model.materials) {
      materials_.push_back(m.id);
      if (!has(families_, m.family)) families_.push_back(m.family);
    }
    for (const auto& c : st.combinations) {
      runs_.push_back(c.id);
      if (c.scenario) default_runs_.push_back(c.id);
    }
  }

  void read_series(TreeNode& item, const std::string& p) {
    MapReader r(d_, item, p, "an observed series");
    if (!r.valid()) return;
    ObservedSeries os;
    os.origin = {item.loc, p};
    os.id = r.id("id");
    if (!os.id.empty() && !ids_.insert(os.id).second)
      d_.error(r.loc_of("id"), p + ".id", "duplicate observed series id '" + os.id + "'");
    os.source_file = r.text("source_file", "");
    if (r.has("file") || r.has("date_column") || r.has("value_column"))
      r.allow({"file", "date_column", "value_column"});  // reported while resolving
    static const std::vector<std::string> periods = {"month", "day"};
    os.period = periods[r.choice("period", periods, 0)];
    const double factor = read_unit(r, p);
    if (TreeNode* m = r.need("matches",
                             "{measure: shipped, exporters: [CN], importers: {all_except: "
                             "[CN]}, materials: {families: [magnet]}}"))
      read_matches(*m, p + ".matches", os);
    read_runs(r, os);
    TreeNode* data =
        r.need("data", "a CSV file (file: ...) or data: [{period: 2025-04, value: 1200}]");
    if (data) read_points(*data, p + ".data", factor, os);
    std::sort(os.points.begin(), os.points.end(),
              [](const ObservedPoint& a, const ObservedPoint& b) { return a.first < b.first; });
    if (data && os.points.empty() && d_.error_count() == 0)
      d_.warning(data->loc, p + ".data",
                 "no observation of '" + os.id +
                     "' falls inside the study window; it is not "
                     "compared");
    r.finish();
    st_.observed.push_back(std::move(os));
  }

 private:
  // unit: a mass unit; values are tonnes per period. Returns tonnes per unit.
  double read_unit(MapReader& r, const std::string& p) {
    std::string unit = r.text("unit", "t");
    if (auto q = parse_quantity("1 " + unit, Dimension::Mass); q.value) return *q.value;
    d_.error(r.loc_of("unit"), p + ".unit", "unknown mass unit '" + unit + "'",
             "t, kt or kg (the values are tonnes per period)");
    return 1;
  }

  void check_places(const CountrySelector& cs, const std::string& at) {
    for (const auto* refs : {&cs.only, &cs.except})
      for (const auto& ref : *refs)
        if (!has(places_, ref.id))
          d_.error(ref.loc, at, "unknown country or group '" + ref.id + "'", {},
                   id_hint(ref.id, places_));
  }

  // `matches`: the modelled trade aggregate the series is compared with.
  void read_matches(TreeNode& m, const std::string& path, ObservedSeries& os) {
    MapReader rm(d_, m, path, "the modelled aggregate an observed series matches");
    if (!rm.valid()) return;
    static const std::vector<std::string> measures = {"shipped", "arrived"};
    os.measure = measures[rm.choice("measure", measures, 0)];
    os.exporters = read_countries(d_, rm.get("exporters"), rm.at("exporters"), true);
    os.importers = read_countries(d_, rm.get("importers"), rm.at("importers"), true);
    os.materials = read_materials(d_, rm.get("materials"), rm.at("materials"));
    check_places(os.exporters, rm.at("exporters"));
    check_places(os.importers, rm.at("importers"));
    for (const auto& ref : os.materials.ids)
      if (!has(materials_, ref.id))
        d_.error(ref.loc, rm.at("materials"), "unknown material '" + ref.id + "'", {},
                 id_hint(ref.id, materials_));
    for (const auto& ref : os.materials.families)
      if (!has(families_, ref.id))
        d_.error(ref.loc, rm.at("materials"), "no material has family '" + ref.id + "'", {},
                 id_hint(ref.id, families_));
    rm.finish();
  }

  // `runs`: the combinations compared (default: every run with a shock scenario).
  void read_runs(MapReader& r, ObservedSeries& os) {
    if (!r.has("runs")) {
      os.runs = default_runs_;
      return;
    }
    for (const auto& ref : r.ref_list("runs")) {
      if (!has(runs_, ref.id))
        d_.error(ref.loc, r.at("runs"), "unknown run '" + ref.id + "'", {}, id_hint(ref.id, runs_));
      os.runs.push_back(ref.id);
    }
  }

  // One {period, value}; none when invalid, repeated (\p seen) or without a value.
  std::optional<ObservedPoint> read_point(TreeNode& pt, const std::string& pp, bool monthly,
                                          std::set<std::string>& seen) {
    MapReader rp(d_, pt, pp, "an observation {period, value}");
    if (!rp.valid()) return std::nullopt;
    ObservedPoint op;
    op.origin = {pt.loc, pp};
    op.period =
        rp.required_text("period", monthly ? "a month, e.g. 2025-04" : "a day, e.g. 2025-04-15");
    auto v = rp.required_quantity("value", Dimension::Count);
    rp.finish();
    if (op.period.empty() || !v) return std::nullopt;
    if (!parse_period(op.period, monthly, op.first, op.last)) {
      d_.error(rp.loc_of("period"), pp + ".period",
               "'" + op.period + "' is not a " + (monthly ? "month" : "day"),
               monthly ? "YYYY-MM, e.g. 2025-04 (period: month)"
                       : "YYYY-MM-DD, e.g. 2025-04-15 (period: day)");
      return std::nullopt;
    }
    if (*v < 0) {
      d_.error(rp.loc_of("value"), pp + ".value", "an observed amount cannot be negative",
               "tonnes per period >= 0");
      return std::nullopt;
    }
    if (!seen.insert(op.period).second) {
      d_.error(rp.loc_of("period"), pp + ".period", "period " + op.period + " appears twice");
      return std::nullopt;
    }
    op.value = *v;
    return op;
  }

  // `data`: the observations inside the study window; those outside are noted and ignored.
  void read_points(TreeNode& data, const std::string& path, double factor, ObservedSeries& os) {
    const bool monthly = os.period == "month";
    std::set<std::string> seen;
    std::vector<std::string> outside;
    for_each_item(d_, data, path, "observation", [&](TreeNode& pt, const std::string& pp) {
      std::optional<ObservedPoint> op = read_point(pt, pp, monthly, seen);
      if (!op) return;
      op->value *= factor;
      if (start_ok_ && (op->first < window_first_ || op->last > window_last_))
        outside.push_back(op->period);
      else
        os.points.push_back(std::move(*op));
    });
    if (outside.empty()) return;
    std::sort(outside.begin(), outside.end());
    std::string what = std::to_string(outside.size()) + " period" +
                       (outside.size() > 1 ? "s" : "") + " outside the study window (" +
                       to_string(window_first_) + " to " + to_string(window_last_) +
                       (monthly ? ", whole months only" : "") + ") ignored: " + outside.front() +
                       (outside.size() > 1 ? " ... " + outside.back() : "");
    // A note, not a warning: a series longer than the study window is normal (the periods
    // both cover are compared); a series with none inside is warned about by read_series.
    os.notes.push_back(what);
    (void)path;
  }

  Diagnostics& d_;
  Study& st_;
  const bool start_ok_;
  const Date window_first_, window_last_;
  std::vector<std::string> places_, families_, materials_, runs_, default_runs_;
  std::set<std::string> ids_;
};

}  // namespace

void read_observed(Diagnostics& d, TreeNode& list, Study& st, bool start_ok) {
  ObservedReader reader(d, st, start_ok);
  for_each_item(d, list, "observed", "observed series",
                [&](TreeNode& item, const std::string& p) { reader.read_series(item, p); });
}

}  // namespace rareshock::io
