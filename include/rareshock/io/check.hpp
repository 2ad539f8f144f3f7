#pragma once
/// \file Checking an input file without an exception for invalid input: every diagnostic as a
/// value (file, line, column, key path, message, what was expected, hint), for callers that
/// present diagnostics themselves (the Python module, editors). io::load_file is the throwing
/// form: it throws InputError with the same diagnostics formatted as text.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "rareshock/core/diagnostics.hpp"
#include "rareshock/io/load.hpp"

namespace rareshock::io {

/// One diagnostic with its file resolved to the name messages print.
struct CheckedDiagnostic {
  Severity severity = Severity::Error;
  std::string file;  ///< as messages print it (a `--set` override is `<--set N>`); "" for none
  int line = 0;      ///< 1-based; 0 when unknown
  int column = 0;    ///< 1-based; 0 when unknown
  std::string path;  ///< key path, e.g. `nodes[cn_mine].capacity`; may be empty
  std::string message;
  std::string expected;     ///< what a valid value looks like; may be empty
  std::string hint;         ///< e.g. "did you mean 'capacity'?"; may be empty
  std::string source_line;  ///< the offending line of the file (no newline); may be empty
  std::string text;         ///< the diagnostic in compiler style, as InputError reports it
};

struct CheckResult {
  std::optional<Loaded> loaded;  ///< the input, when it is valid
  /// Errors and warnings, ordered by file, line and column as the formatted report orders them
  /// (at most LoadOptions::max_errors errors are kept).
  std::vector<CheckedDiagnostic> diagnostics;
  std::size_t errors = 0;  ///< errors found (may exceed those kept)
  /// The formatted report with its summary line: what InputError's message is when the input
  /// is invalid, the warnings otherwise ("" when there are none).
  std::string report;
  bool ok() const { return loaded.has_value(); }
};

/// Loads \p file as load_file does; invalid input gives a result without `loaded` instead of
/// an InputError. Other failures (e.g. RuntimeError) still throw.
CheckResult check_file(const std::filesystem::path& file, const LoadOptions& options = {});

/// The same for YAML text (load_text); \p name is what diagnostics call the file.
CheckResult check_text(const std::string& name, const std::string& text,
                       const LoadOptions& options = {});

}  // namespace rareshock::io
