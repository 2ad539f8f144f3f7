#pragma once
/// \file RunRecord: everything one run of a study produces, as one typed value — the study's
/// header, the deterministic results, the uncertainty analysis, the fit to observed series,
/// the structural analysis and the provenance. `rareshock::run` (run.hpp) returns it; the run
/// directory's summary.json is its JSON form (to_json), and `rareshock report` reads it back
/// (from_json) to render the reports. docs/formats.md describes summary.json.
#include <cstdint>
#include <filesystem>
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
  Date end() const { return start + (horizon_days - 1); }
};
/// The header of \p study.
StudyInfo study_info(const Study& study);

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
  int threads = 1;
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
