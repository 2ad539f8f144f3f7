#pragma once
/// \file Reports a planner can hand on: `report.html` (one self-contained file with inline SVG
/// charts) and `report.md` (the same findings, charts as `charts/*.svg` beside it), rendered
/// from the files of a run directory, so that a run can be re-rendered without re-running.
/// See docs/reports.md.
#include <filesystem>
#include <string>
#include <vector>

#include "rareshock/report/run_data.hpp"

namespace rareshock::report {

struct ReportFormats {
  bool html = true;      ///< report.html
  bool markdown = true;  ///< report.md and charts/*.svg
};

/// Renders the reports of run directory \p run_dir from its files (summary.json and, when
/// present, timeseries/{consumers,sectors,regions}.csv, baseline-flows.csv, provenance.json,
/// resolved-study.yaml). Every file is written atomically (temp file, then rename) inside
/// \p run_dir; `charts/` is replaced as a whole. Returns the files written. Throws InputError
/// when \p run_dir is not a run directory, RuntimeError when a file cannot be written.
std::vector<std::filesystem::path> render_reports(const std::filesystem::path& run_dir,
                                                  const ReportFormats& formats = {});

/// The HTML report for \p data (nothing written).
std::string render_html(const RunData& data);
/// The Markdown report for \p data; charts are linked as `charts/<name>.svg`.
std::string render_markdown(const RunData& data);

}  // namespace rareshock::report
