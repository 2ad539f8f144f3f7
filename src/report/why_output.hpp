#pragma once
// Internal: why.csv, why_suppliers.csv and losses.csv of a run directory (docs/formats.md,
// "Run outputs: why").
#include <filesystem>
#include <string>

#include "rareshock/analysis/run/study_run.hpp"
#include "rareshock/model/study.hpp"

namespace rareshock::report::detail {

/// One row per run and consumer with a why record: the supply balance over its shock window
/// and the binding constraint.
std::string why_csv(const Study& study, const analysis::StudyResult& result);
/// One row per run, consumer and supplier edge: tonnes before (baseline) and during.
std::string why_suppliers_csv(const analysis::StudyResult& result);
/// One row per run and unit name: units not built, value added lost, full value lost.
std::string losses_csv(const analysis::StudyResult& result);
/// Writes why.csv and why_suppliers.csv (when some consumer has a why record) and losses.csv
/// (when some run has losses) into \p stage.
void write_why_files(const std::filesystem::path& stage, const Study& study,
                     const analysis::StudyResult& result);

}  // namespace rareshock::report::detail
