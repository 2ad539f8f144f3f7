#pragma once
/// \file Writes a run directory: summary.json, metrics.csv, timeseries/*.csv and
/// provenance.json. The directory is staged beside the target and renamed into place, so a
/// reader never sees half a run; an existing directory is replaced only with `force`.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rareshock/analysis/run/study_run.hpp"
#include "rareshock/analysis/uncertainty/uncertainty.hpp"
#include "rareshock/model/study.hpp"
#include "rareshock/report/output_dir.hpp"
#include "rareshock/run_record.hpp"

namespace rareshock::report {

using rareshock::kSummaryFormatVersion;
using rareshock::RunProvenance;

/// Throws InputError unless \p dir can be written (call before running): it must not exist,
/// or with \p force be an output directory rareshock wrote (it holds a `.rareshock-output`
/// marker); `.`, `..`, `/` and unwritable places are refused.
void check_output_dir(const std::filesystem::path& dir, bool force);

/// Writes the run directory of \p record, a run of \p study, into \p dir, an existing
/// directory (the path() of an OutputDir, which the caller commits once everything, reports
/// and analysis/ included, is there): summary.json (to_json of the record), metrics.csv,
/// timeseries/*.csv, baseline-flows.csv and, with uncertainty results, uncertainty.csv and
/// timeseries/fans.csv; provenance.json and resolved-study.yaml from its provenance. The
/// structural analysis (record.structure) is written by write_structure_files.
void write_run_files(const std::filesystem::path& dir, const Study& study, const RunRecord& record);
/// The same for results not gathered in a record (\p resolved: the study's resolved input
/// tree, io::Loaded::resolved, which the description of the study quotes): \p uncertainty
/// (optional) adds Monte Carlo summaries, fan bands, sensitivity and the mitigation ranking.
void write_run_files(const std::filesystem::path& dir, const Study& study,
                     const io::TreeNode& resolved, const analysis::StudyResult& result,
                     const RunProvenance& prov,
                     const analysis::UncertaintyResult* uncertainty = nullptr);
/// A record of results not gathered in one (tool, study header and description, observed
/// fits filled in).
RunRecord make_record(const Study& study, const io::TreeNode& resolved,
                      const analysis::StudyResult& result, const RunProvenance& prov,
                      const analysis::UncertaintyResult* unc);
/// write_run_files into an OutputDir for \p dir, committed at once.
void write_run_outputs(const std::filesystem::path& dir, bool force, const Study& study,
                       const RunRecord& record);
void write_run_outputs(const std::filesystem::path& dir, bool force, const Study& study,
                       const io::TreeNode& resolved, const analysis::StudyResult& result,
                       const RunProvenance& prov,
                       const analysis::UncertaintyResult* uncertainty = nullptr);

/// Lower-case hex SHA-256 of a file's bytes.
std::string sha256_file(const std::filesystem::path& file);
/// Lower-case hex SHA-256 of \p data.
std::string sha256(const std::string& data);

}  // namespace rareshock::report
