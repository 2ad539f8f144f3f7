#pragma once
/// \file RunRecord: everything one run of a study produces, as one typed value — the study's
/// header, the deterministic results, the uncertainty analysis, the fit to observed series,
/// the structural analysis and the provenance. `rareshock::run` (run.hpp) returns it; the run
/// directory's summary.json is its JSON form (to_json), and `rareshock report` reads it back
/// (from_json) to render the reports. docs/formats.md describes summary.json.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rareshock/analysis/run/observed.hpp"
#include "rareshock/analysis/run/study_run.hpp"
#include "rareshock/analysis/structure/structure.hpp"
#include "rareshock/analysis/uncertainty/uncertainty.hpp"
#include "rareshock/core/date.hpp"
#include "rareshock/model/study.hpp"

namespace rareshock {

/// summary.json `format_version`.
inline constexpr int kSummaryFormatVersion = 1;

/// The program that wrote a record.
struct ToolInfo {
  std::string version, git_sha;
};

namespace io {
struct TreeNode;
}

/// An event of a scenario as applied (summary.json `study.scenarios[].events[]`).
struct EventRecord {
  std::string id, type, description;
  int start = 0;           ///< day of the horizon (day 0 = the study's start)
  std::optional<int> end;  ///< none: to the end of the horizon
  /// What the event restricts or changes, for whom, in words, with the values as written
  /// in the study ("China bans exports of Dy oxide to every country except China.")
  std::string what;
};

/// A shock scenario or mitigation package as applied (summary.json `study.scenarios[]`).
struct ScenarioRecord {
  std::string id, name, description;
  bool mitigation = false;  ///< a mitigation package rather than a shock
  std::vector<std::string> sources;
  std::vector<EventRecord> events;
};

/// What the reports say about the study's model (summary.json `study.model_info`).
struct ModelRecord {
  std::string description;
  int base_year = 0;  ///< 0: not given
  std::vector<std::string> sources, assumptions;
  /// Distinct `source` of the materials, nodes, consumers and edges (first seen first), and
  /// how many items cite it
  std::vector<std::pair<std::string, int>> item_sources;
  std::map<std::string, int> confidence;  ///< H/M/L -> count of items
  /// Display names of countries, nodes and consumers that have one other than their id
  std::map<std::string, std::string> names;
  std::map<std::string, std::string> material_names;  ///< material id -> name
};

/// The study as applied: its model, engine settings and scenarios, described when it runs
/// (summary.json `study.model_info`, `study.engine`, `study.scenarios`).
struct StudyDescription {
  ModelRecord model;
  /// The resolved `engine:` section, every key in order: (key, value as written; a plain
  /// number carries its key's canonical unit; a nested value is written on one line)
  std::vector<std::pair<std::string, std::string>> engine;
  std::vector<ScenarioRecord> scenarios;  ///< shocks, then mitigation packages
};

/// The study a record is of (summary.json `study`).
struct StudyInfo {
  std::string name, description;
  std::string model;  ///< the model's name
  Date start;
  int horizon_days = 0;
  double shortage_threshold = 0.01;
  std::uint64_t seed = 1;
  int draws = 0;  ///< Monte Carlo draws requested
  Focus focus;    ///< the study's `focus:` (regions and sectors listed first)
  /// The study as applied; none in summaries written before it was recorded
  std::optional<StudyDescription> applied;
  Date end() const { return start + (horizon_days - 1); }
};
/// The header of \p study and its description as applied (describe_study).
StudyInfo study_info(const Study& study, const io::TreeNode& resolved);
/// Describes \p study for the reports: names, sources, engine settings and every event in
/// words. Structure comes from the typed study; values are quoted as written in \p resolved
/// (the study's resolved input tree), e.g. "30 working days" rather than 42 days.
StudyDescription describe_study(const Study& study, const io::TreeNode& resolved);

/// An observed series and its fit in each run it is compared with (summary.json `observed`).
struct ObservedRecord {
  std::string id, source_file, period, measure;
  std::vector<std::string> notes;
  std::optional<DateWindow> training, validation;  ///< the study's calibration windows
  std::vector<analysis::ObservedFit> fits;         ///< one per run compared
};
/// The observed series of \p study, fitted in the runs of \p result.
std::vector<ObservedRecord> observed_records(const Study& study,
                                             const analysis::StudyResult& result);

/// Where a record comes from (provenance.json, resolved-study.yaml).
/// The current time as ISO 8601 UTC, e.g. 2026-12-01T04:50:00Z (RunProvenance times).
std::string now_utc();

struct RunProvenance {
  std::string resolved_yaml;                  ///< the study with every default filled
  std::vector<std::filesystem::path> inputs;  ///< every file read
  std::string started, finished;              ///< ISO 8601 UTC
  int threads = 1;                            ///< per process
  int ranks = 1;                              ///< processes of an MPI job (1 without)
  std::vector<std::string> command_line;
};

struct RunRecord {
  int format_version = kSummaryFormatVersion;
  ToolInfo tool;
  StudyInfo study;
  analysis::StudyResult results;  ///< one run per combination, and the network's warnings
  /// Monte Carlo (runs empty without draws), sensitivity and mitigation ranking
  std::optional<analysis::UncertaintyResult> uncertainty;
  std::vector<ObservedRecord> observed;
  /// The study's `analysis:` section (written to analysis/, not part of summary.json)
  std::optional<analysis::StructureResult> structure;
  RunProvenance provenance;  ///< provenance.json (not part of summary.json)
};

/// summary.json: the record's tool, study, results, uncertainty and observed fits, as JSON
/// text (two-space indent, a final newline).
std::string to_json(const RunRecord& record);

/// Reads summary.json text back. Missing keys take their defaults (summaries of older
/// versions lack some); daily series and per-run structural results are not in summary.json
/// and stay empty. Throws InputError naming \p file when the text is not JSON or not a
/// rareshock run summary (no `study` and `runs`).
RunRecord from_json(const std::string& text, const std::string& file = "summary.json");

}  // namespace rareshock
