#include "rareshock/report/run_data.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../api/json_read.hpp"
#include "../api/run_record_json.hpp"
#include "rareshock/core/error.hpp"

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

// ---- the study as applied (summary.json study.model_info, engine, scenarios) --------------

/// "2025-04-04 (day 93)".
std::string when(int day, Date start) {
  return fmt::format("{} (day {})", to_string(start + day), day);
}

void read_applied(RunData& d) {
  if (!d.record.study.applied) return;
  const StudyDescription& a = *d.record.study.applied;
  const Date start = d.record.study.start;
  d.model_description = a.model.description;
  d.base_year = a.model.base_year > 0 ? std::to_string(a.model.base_year) : std::string();
  d.model_sources = a.model.sources;
  d.model_assumptions = a.model.assumptions;
  d.item_sources = a.model.item_sources;
  d.confidence = a.model.confidence;
  d.names = a.model.names;
  d.material_names = a.model.material_names;
  d.engine = a.engine;
  for (const auto& sc : a.scenarios) {
    ScenarioInfo info{sc.id, sc.name, sc.description, sc.mitigation, sc.sources, {}};
    for (const auto& e : sc.events)
      info.events.push_back({e.id, e.type, e.description, when(e.start, start),
                             e.end ? when(*e.end, start) : std::string(), e.what});
    d.scenarios.push_back(std::move(info));
  }
  d.has_applied_study = true;
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
    read_applied(d);
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
  return d;
}

}  // namespace rareshock::report
