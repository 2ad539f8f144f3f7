#pragma once
/// \file The contents of a run directory, read back for reporting: summary.json (the
/// RunRecord: the study as applied — scenarios, the model's names, sources and assumptions,
/// engine settings —, metrics, Monte Carlo results, sensitivity, mitigation ranking; read with
/// from_json, run_record.hpp), timeseries/sectors.csv, baseline-flows.csv and provenance.json.
/// Plain data, no parser types.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "rareshock/core/date.hpp"
#include "rareshock/run_record.hpp"

namespace rareshock::report {

/// Daily series of one entity in one run (from timeseries/<level>s.csv).
struct Series {
  std::vector<double> shortfall_fraction;  ///< [1]
  std::vector<double> cover_days;          ///< stock in days of baseline demand; NaN if none
};

/// One event of a scenario as applied (EventRecord), its days as shown in the report.
struct EventInfo {
  std::string id, type, description;
  std::string start, end;  ///< "2025-04-04 (day 93)"; end is empty for the end of the horizon
  std::string what;        ///< what is restricted or changed, for whom (EventRecord::what)
};

struct ScenarioInfo {
  std::string id, name, description;
  bool mitigation = false;  ///< a mitigation package rather than a shock
  std::vector<std::string> sources;
  std::vector<EventInfo> events;
};

/// A baseline flow between two nodes (baseline-flows.csv).
struct FlowRow {
  std::string from, to, material, from_country, to_country, from_stage, to_stage;
  double t_per_yr = 0;
};

/// Structural analysis (analysis/summary.json, written by `rareshock analyze` or by a run of
/// a study with an `analysis:` section; docs/analysis.md).
struct ConcentrationRow {
  std::string stage, material, basis, top1_country;
  double total_t_per_yr = 0, hhi = 0, top1_share = 0, top3_share = 0;
  std::vector<std::pair<std::string, double>> shares;  ///< country, share (descending)
};
struct ExposureRow {
  std::string sector, region, material, basis;
  double demand_t_per_yr = 0;
  std::map<std::string, std::map<std::string, double>> by_stage;  ///< stage|any -> country -> share
};
struct ChokepointTarget {
  std::string case_name, sector, region, binding_element;
  double supportable_fraction = 0;
};
struct CriticalityEntry {
  int rank = 0;
  std::string kind, id, country, stage;
  double baseline_output_share = 0, unmet_t = 0, units_lost = 0, value_lost_usd = 0;
  double peak_shortfall = 0;
  int shortage_days = 0, sectors_short = 0;
  std::optional<int> first_short_day;
};
struct StructuralData {
  int criticality_days = 0;
  std::vector<ConcentrationRow> concentration;
  std::vector<ExposureRow> exposure;
  std::vector<ChokepointTarget> targets;
  std::vector<CriticalityEntry> criticality;  ///< by rank
};

struct InputFile {
  std::string path, sha256;
};

struct RunData {
  std::filesystem::path dir;
  /// summary.json, read back (from_json): the study, results, uncertainty, observed fits
  RunRecord record;
  bool has_structural = false;  ///< summary.json has a "structural" section (not rendered)
  std::optional<StructuralData> structure;  ///< from analysis/summary.json, when present

  // series: (run, level, id) -> series; empty when timeseries/ is absent
  std::map<std::tuple<std::string, std::string, std::string>, Series> series;
  bool has_series = false;

  // baseline flows; empty when baseline-flows.csv is absent
  std::vector<FlowRow> flows;
  bool has_flows = false;

  // the study as applied (summary.json study.applied, RunRecord StudyDescription)
  std::vector<ScenarioInfo> scenarios;  ///< shocks, then mitigation packages
  std::string model_description, base_year;
  std::vector<std::string> model_sources, model_assumptions;
  std::vector<std::pair<std::string, int>> item_sources;  ///< distinct `source` of items, count
  std::map<std::string, int> confidence;                  ///< H/M/L -> count of items
  std::map<std::string, std::string> names;  ///< ids of countries, groups, consumers, nodes
  std::map<std::string, std::string> material_names;
  /// The resolved `engine:` section, every key in order: (key, value as written with unit).
  std::vector<std::pair<std::string, std::string>> engine;
  bool has_applied_study = false;  ///< summary.json describes the study (older ones do not)

  // provenance.json
  std::string git_sha;  ///< summary.json's, else provenance.json's
  std::string compiler, build_type, dependencies, started, finished;
  int threads = 0;
  std::vector<std::string> command_line;
  std::vector<InputFile> inputs;
  std::string resolved_study_sha256;
  bool has_provenance = false;

  /// Problems met while reading optional files (shown in the report, never fatal).
  std::vector<std::string> read_problems;

  const Series* find_series(const std::string& run, const std::string& level,
                            const std::string& id) const;
  /// Display name of a country, group, node or consumer id (the id when it has none).
  std::string name_of(const std::string& id) const;
  /// The Monte Carlo results of entity \p e of run \p r; nullptr when there are none.
  const analysis::McEntity* monte_carlo(const analysis::RunResult& r,
                                        const analysis::EntityResult& e) const;
  /// Monte Carlo draws behind run \p r's results (0: none, or no Monte Carlo result for it).
  int mc_draws(const analysis::RunResult& r) const;
};

/// The entity of \p run at \p level with id \p id, or nullptr.
const analysis::EntityResult* find_entity(const analysis::RunResult& run, analysis::Level level,
                                          std::string_view id);
/// The summary of metric \p k in \p mc; nullptr when absent in every draw.
const analysis::QuantileSummary* mc_metric(const analysis::McEntity& mc, Metric k);

/// Reads the run directory \p dir. Throws InputError when summary.json is missing or is not
/// a rareshock summary; the other files are optional (their sections are left out).
RunData read_run_dir(const std::filesystem::path& dir);

}  // namespace rareshock::report
