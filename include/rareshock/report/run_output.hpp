#pragma once
/// \file Writes a run directory: summary.json, metrics.csv, timeseries/*.csv and
/// provenance.json. The directory is staged beside the target and renamed into place, so a
/// reader never sees half a run; an existing directory is replaced only with `force`.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rareshock/analysis/study_run.hpp"
#include "rareshock/analysis/uncertainty.hpp"
#include "rareshock/model/study.hpp"
#include "rareshock/report/output_dir.hpp"

namespace rareshock::report {

inline constexpr int kSummaryFormatVersion = 1;

struct RunProvenance {
  std::string resolved_yaml;                  ///< the study with every default filled
  std::vector<std::filesystem::path> inputs;  ///< every file read
  std::string started, finished;              ///< ISO 8601 UTC
  int threads = 1;
  std::vector<std::string> command_line;
};

/// Throws InputError unless \p dir can be written (call before running): it must not exist,
/// or with \p force be an output directory rareshock wrote (it holds a `.rareshock-output`
/// marker); `.`, `..`, `/` and unwritable places are refused.
void check_output_dir(const std::filesystem::path& dir, bool force);

/// Writes the files of a run directory into \p dir, an existing directory (the path() of an
/// OutputDir, which the caller commits once everything, reports and analysis/ included, is
/// there). \p uncertainty (optional) adds Monte Carlo summaries, fan bands, sensitivity and
/// the mitigation ranking to summary.json, plus uncertainty.csv and timeseries/fans.csv.
void write_run_files(const std::filesystem::path& dir, const Study& study,
                     const analysis::StudyResult& result, const RunProvenance& prov,
                     const analysis::UncertaintyResult* uncertainty = nullptr);
/// write_run_files into an OutputDir for \p dir, committed at once.
void write_run_outputs(const std::filesystem::path& dir, bool force, const Study& study,
                       const analysis::StudyResult& result, const RunProvenance& prov,
                       const analysis::UncertaintyResult* uncertainty = nullptr);

/// Lower-case hex SHA-256 of a file's bytes.
std::string sha256_file(const std::filesystem::path& file);
/// Lower-case hex SHA-256 of \p data.
std::string sha256(const std::string& data);

}  // namespace rareshock::report
