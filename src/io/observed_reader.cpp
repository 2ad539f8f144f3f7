// Reads a study's `observed:` section: observed series from CSV files (or inline `data:`)
// and the modelled trade aggregate each one matches.
#include <algorithm>
#include <cctype>
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

void read_observed(Diagnostics& d, TreeNode& list, Study& st, bool start_ok) {
  std::vector<std::string> countries, places, families, materials, runs, default_runs;
  for (const auto& c : st.model.countries) countries.push_back(c.id), places.push_back(c.id);
  for (const auto& g : st.model.groups) places.push_back(g.id);
  for (const auto& m : st.model.materials) {
    materials.push_back(m.id);
    if (std::find(families.begin(), families.end(), m.family) == families.end())
      families.push_back(m.family);
  }
  for (const auto& c : st.combinations) {
    runs.push_back(c.id);
    if (c.scenario) default_runs.push_back(c.id);
  }
  auto has = [](const std::vector<std::string>& v, const std::string& id) {
    return std::find(v.begin(), v.end(), id) != v.end();
  };
  std::set<std::string> ids;
  const Date window_first = st.start, window_last = st.start + (st.horizon - 1);
  for_each_item(d, list, "observed", "observed series", [&](TreeNode& item, const std::string& p) {
    MapReader r(d, item, p, "an observed series");
    if (!r.valid()) return;
    ObservedSeries os;
    os.origin = {item.loc, p};
    os.id = r.id("id");
    if (!os.id.empty() && !ids.insert(os.id).second)
      d.error(r.loc_of("id"), p + ".id", "duplicate observed series id '" + os.id + "'");
    os.source_file = r.text("source_file", "");
    if (r.has("file") || r.has("date_column") || r.has("value_column"))
      r.allow({"file", "date_column", "value_column"});  // reported while resolving
    static const std::vector<std::string> periods = {"month", "day"};
    os.period = periods[r.choice("period", periods, 0)];
    const bool monthly = os.period == "month";
    // unit: a mass unit; values are tonnes per period.
    double factor = 1;
    std::string unit = r.text("unit", "t");
    if (auto q = parse_quantity("1 " + unit, Dimension::Mass); q.value)
      factor = *q.value;
    else
      d.error(r.loc_of("unit"), p + ".unit", "unknown mass unit '" + unit + "'",
              "t, kt or kg (the values are tonnes per period)");
    TreeNode* m = r.need("matches",
                         "{measure: shipped, exporters: [CN], importers: {all_except: "
                         "[CN]}, materials: {families: [magnet]}}");
    if (m) {
      MapReader rm(d, *m, p + ".matches", "the modelled aggregate an observed series matches");
      if (rm.valid()) {
        static const std::vector<std::string> measures = {"shipped", "arrived"};
        os.measure = measures[rm.choice("measure", measures, 0)];
        os.exporters = read_countries(d, rm.get("exporters"), rm.at("exporters"), true);
        os.importers = read_countries(d, rm.get("importers"), rm.at("importers"), true);
        os.materials = read_materials(d, rm.get("materials"), rm.at("materials"));
        for (const auto* cs : {&os.exporters, &os.importers}) {
          const std::string at = cs == &os.exporters ? rm.at("exporters") : rm.at("importers");
          for (const auto* refs : {&cs->only, &cs->except})
            for (const auto& ref : *refs)
              if (!has(places, ref.id))
                d.error(ref.loc, at, "unknown country or group '" + ref.id + "'", {},
                        id_hint(ref.id, places));
        }
        for (const auto& ref : os.materials.ids)
          if (!has(materials, ref.id))
            d.error(ref.loc, rm.at("materials"), "unknown material '" + ref.id + "'", {},
                    id_hint(ref.id, materials));
        for (const auto& ref : os.materials.families)
          if (!has(families, ref.id))
            d.error(ref.loc, rm.at("materials"), "no material has family '" + ref.id + "'", {},
                    id_hint(ref.id, families));
        rm.finish();
      }
    }
    if (r.has("runs")) {
      for (const auto& ref : r.ref_list("runs")) {
        if (!has(runs, ref.id))
          d.error(ref.loc, r.at("runs"), "unknown run '" + ref.id + "'", {}, id_hint(ref.id, runs));
        os.runs.push_back(ref.id);
      }
    } else {
      os.runs = default_runs;
    }
    TreeNode* data =
        r.need("data", "a CSV file (file: ...) or data: [{period: 2025-04, value: 1200}]");
    std::set<std::string> seen;
    std::vector<std::string> outside;
    if (data)
      for_each_item(d, *data, p + ".data", "observation", [&](TreeNode& pt, const std::string& pp) {
        MapReader rp(d, pt, pp, "an observation {period, value}");
        if (!rp.valid()) return;
        ObservedPoint op;
        op.origin = {pt.loc, pp};
        op.period = rp.required_text("period",
                                     monthly ? "a month, e.g. 2025-04" : "a day, e.g. 2025-04-15");
        auto v = rp.required_quantity("value", Dimension::Count);
        rp.finish();
        if (op.period.empty() || !v) return;
        if (!parse_period(op.period, monthly, op.first, op.last)) {
          d.error(rp.loc_of("period"), pp + ".period",
                  "'" + op.period + "' is not a " + (monthly ? "month" : "day"),
                  monthly ? "YYYY-MM, e.g. 2025-04 (period: month)"
                          : "YYYY-MM-DD, e.g. 2025-04-15 (period: day)");
          return;
        }
        if (*v < 0) {
          d.error(rp.loc_of("value"), pp + ".value", "an observed amount cannot be negative",
                  "tonnes per period >= 0");
          return;
        }
        if (!seen.insert(op.period).second) {
          d.error(rp.loc_of("period"), pp + ".period", "period " + op.period + " appears twice");
          return;
        }
        op.value = *v * factor;
        if (start_ok && (op.first < window_first || op.last > window_last)) {
          outside.push_back(op.period);
          return;
        }
        os.points.push_back(op);
      });
    std::sort(outside.begin(), outside.end());
    if (!outside.empty()) {
      std::string what = std::to_string(outside.size()) + " period" +
                         (outside.size() > 1 ? "s" : "") + " outside the study window (" +
                         to_string(window_first) + " to " + to_string(window_last) +
                         (monthly ? ", whole months only" : "") + ") ignored: " + outside.front() +
                         (outside.size() > 1 ? " ... " + outside.back() : "");
      // A note, not a warning: a series longer than the study window is normal (the
      // periods both cover are compared); a series with none inside is warned about below.
      os.notes.push_back(what);
    }
    std::sort(os.points.begin(), os.points.end(),
              [](const ObservedPoint& a, const ObservedPoint& b) { return a.first < b.first; });
    if (data && os.points.empty() && d.error_count() == 0)
      d.warning(data->loc, p + ".data",
                "no observation of '" + os.id +
                    "' falls inside the study window; it is not "
                    "compared");
    r.finish();
    st.observed.push_back(std::move(os));
  });
}

}  // namespace rareshock::io
