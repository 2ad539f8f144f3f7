#pragma once
/// \file Entry points of the input layer: load a model, scenario or study file into validated
/// structures, with every diagnostic collected first (InputError lists them all).
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rareshock/io/tree.hpp"
#include "rareshock/model/model.hpp"
#include "rareshock/model/scenario.hpp"
#include "rareshock/model/study.hpp"

namespace rareshock::io {

enum class FileKind { Model, Scenario, Study };
const char* to_string(FileKind k);

struct LoadOptions {
  /// `key.path=value` overrides applied to the resolved tree before validation.
  std::vector<std::string> overrides;
  /// `--focus` as written ("regions=EU,DE;sectors=ev_traction"): replaces the study's
  /// `focus:` regions and/or sectors, after the overrides. Messages about it point into this
  /// text (named `<--focus>`). Empty: none.
  std::string focus;
  std::size_t max_errors = 50;
  /// Read referenced files (include:, csv:, model:, scenarios:, observed file:) wherever they
  /// are; by default they must lie inside the input tree of the top-level file
  /// (io::input_root(), docs/formats.md "Limits"). `--allow-outside-includes` sets it.
  bool allow_outside_includes = false;
};

/// A loaded, validated input with its resolved tree (includes merged, CSV tables expanded,
/// defaults filled) and the list of files read.
struct Loaded {
  FileKind kind = FileKind::Model;
  std::shared_ptr<const Model> model;        ///< set for Model files
  std::shared_ptr<const Scenario> scenario;  ///< set for Scenario files
  std::shared_ptr<const Study> study;        ///< set for Study files
  TreeNode resolved;
  std::vector<std::filesystem::path> files;
  std::string warnings;  ///< formatted warnings (empty when none)
};

/// Loads any input file (the kind follows from its top-level keys: `study:`, `scenario:`,
/// else a model). Throws InputError with every diagnostic when the input is invalid.
Loaded load_file(const std::filesystem::path& file, const LoadOptions& options = {});

/// Loads from YAML text (for tests); \p name is what messages call the file.
Loaded load_text(const std::string& name, const std::string& text, const LoadOptions& options = {});

}  // namespace rareshock::io

namespace rareshock::io {

/// One value to set in a resolved study: a concrete key path and a number in the canonical
/// unit of that key (t/yr, days, fraction...).
struct PathValue {
  std::string path;
  double value = 0;
};

/// Re-reads a resolved study (as produced by load_file) with some values replaced, for Monte
/// Carlo draws and sensitivity runs. Throws InputError (naming the values) when the changed
/// study is invalid, e.g. a drawn capacity below zero.
Study study_with_values(const TreeNode& resolved, const std::vector<PathValue>& values);

/// The canonical unit of a numeric key's values ("days", "t/yr"...; "" for fractions and
/// plain numbers): what a number written without a unit means.
std::string canonical_unit_of_key(const std::string& key);

/// The number at a concrete key path of a resolved study, in the canonical unit of the key
/// (as PathValue). Throws InputError when the path is not a number.
double value_at(const TreeNode& resolved, const std::string& path);

}  // namespace rareshock::io
