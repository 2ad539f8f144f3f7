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

/// \p prov.resolved_yaml is the resolved input (model or study) that was analysed.
void write_structure_outputs(const std::filesystem::path& dir, bool force, const Model& model,
                             const analysis::StructureResult& result, const RunProvenance& prov);

}  // namespace rareshock::report
