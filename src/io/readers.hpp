#pragma once
// Internal: schema readers for each file kind and the semantic checks between them.
#include <filesystem>

#include "rareshock/core/diagnostics.hpp"
#include "rareshock/io/loader.hpp"
#include "rareshock/io/reader.hpp"
#include "rareshock/model/model.hpp"
#include "rareshock/model/scenario.hpp"
#include "rareshock/model/study.hpp"

namespace rareshock::io {

/// Chemical element symbols H..U, for element-content keys.
const std::vector<std::string>& element_symbols();

/// Reads a model from its tree (rooted at \p path, "" for a model file, "model" in a study).
Model read_model(Diagnostics& d, TreeNode& root, const std::string& path);
/// Cross-reference and consistency checks; may normalise shares (with a warning).
void check_model(Diagnostics& d, Model& m);

/// Selectors with the scenario syntax (docs/formats.md): materials (ids, families,
/// elements_above, all; absent: all) and countries (all, a list, {all_except: [...]}).
MaterialSelector read_materials(Diagnostics& d, TreeNode* n, const std::string& path);
CountrySelector read_countries(Diagnostics& d, TreeNode* n, const std::string& path,
                               bool default_all);

Scenario read_scenario(Diagnostics& d, TreeNode& root, const std::string& path);
/// Checks a scenario's references against a model and its timing against a study window.
void check_scenario(Diagnostics& d, const Model& m, const Scenario& s, const Date* start,
                    int horizon);

/// Reads a study; loads the referenced model and scenario files through \p loader and
/// replaces the references in \p root with the loaded trees (so \p root becomes resolved).
/// \p focus: the `--focus` text (apply_focus_option), or empty.
Study read_study(Diagnostics& d, Loader& loader, TreeNode& root,
                 const std::filesystem::path& base_dir, const std::vector<std::string>& overrides,
                 const std::string& focus = {});

/// Replaces each `observed[i].file` (a CSV; `date_column`, `value_column`) by inline
/// `data: [{period, value}]` located at the CSV cells, and `source_file` (step 1 of a study).
void resolve_observed_files(Diagnostics& d, Loader& loader, TreeNode& root,
                            const std::filesystem::path& base_dir);
/// Reads the (resolved) `observed:` list into \p st (after its model, combinations, start and
/// horizon); observations outside the study window are dropped with a note and a warning.
void read_observed(Diagnostics& d, TreeNode& list, Study& st, bool start_ok);

/// Applies `key.path=value` overrides (values are YAML) to \p root, reporting bad ones.
void apply_overrides(Diagnostics& d, Loader& loader, TreeNode& root,
                     const std::vector<std::string>& overrides);

/// Applies `--focus "regions=ID,ID;sectors=ID"` to a study's tree: each part given replaces
/// `focus.regions` or `focus.sectors`, its ids located in the text (a virtual source named
/// `<--focus>`), so the study reader's unknown-id errors point under the id in that text.
/// A malformed part is reported there too.
void apply_focus_option(Diagnostics& d, Loader& loader, TreeNode& root, const std::string& focus);

/// Checks that a Monte Carlo or calibration key path names a value every run re-reads (under
/// model, scenarios, mitigations, engine, or shortage_threshold); reports an error otherwise.
bool reaches_runs(Diagnostics& d, SourceLoc loc, const std::string& at, const std::string& path);

}  // namespace rareshock::io
