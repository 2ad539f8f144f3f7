#pragma once
/// \file Writes a structural-analysis directory (`rareshock analyze`): summary.json,
/// concentration.csv, exposure.csv, chokepoints.csv, criticality.csv, provenance.json and
/// resolved-input.yaml. Staged beside the target and renamed into place like a run directory;
/// an existing directory is replaced only with `force`. Shapes: docs/analysis.md.
#include <filesystem>

#include "rareshock/analysis/structure/structure.hpp"
#include "rareshock/report/run_output.hpp"

namespace rareshock::report {

inline constexpr int kStructureFormatVersion = 1;

/// Writes the files of a structural analysis into \p dir, an existing directory or one to
/// create (e.g. analysis/ inside the staging directory of a run). \p prov.resolved_yaml is
/// the resolved input (model or study) that was analysed.
void write_structure_files(const std::filesystem::path& dir, const Model& model,
                           const analysis::StructureResult& result, const RunProvenance& prov);
/// write_structure_files into an OutputDir for \p dir, committed at once.
void write_structure_outputs(const std::filesystem::path& dir, bool force, const Model& model,
                             const analysis::StructureResult& result, const RunProvenance& prov);

}  // namespace rareshock::report
