#pragma once
/// \file Reads YAML files into located trees: syntax errors become located diagnostics,
/// `include:` files are merged (the including file overrides), and list items of the form
/// `{csv: path, ...}` are expanded into one mapping per CSV row.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "rareshock/core/diagnostics.hpp"
#include "rareshock/io/tree.hpp"

namespace rareshock::io {

/// One CSV cell with its 1-based line and column.
struct CsvCell {
  std::string text;
  int line = 0;
  int column = 0;
};

/// Loads files, remembering every file read (for provenance hashes).
class Loader {
 public:
  Loader(SourceRegistry& sources, Diagnostics& diag) : sources_(sources), diag_(diag) {}

  /// Loads \p file with includes and CSV tables resolved. \p from is where it was referenced
  /// (for "cannot open" messages). Returns nullopt after reporting when it cannot be used.
  std::optional<TreeNode> load(const std::filesystem::path& file, SourceLoc from = {},
                               const std::string& from_path = {});
  /// Parses YAML text registered under \p name (used for `--set` values and tests).
  std::optional<TreeNode> parse_text(const std::string& name, const std::string& text);

  /// Reads a CSV file (lines whose first non-blank character is `#` are comments) into rows
  /// of located cells, header first; registers it for diagnostics and provenance. Returns
  /// nullopt after reporting when it cannot be read or is empty.
  struct CsvTable {
    std::string file;  ///< as opened
    int file_id = -1;  ///< in sources()
    std::vector<std::vector<CsvCell>> rows;
  };
  std::optional<CsvTable> load_csv(const std::filesystem::path& file, SourceLoc from,
                                   const std::string& from_path);

  /// Every file read so far, in first-read order (YAML and CSV), as given (relative or absolute).
  const std::vector<std::filesystem::path>& files_read() const { return files_; }
  SourceRegistry& sources() { return sources_; }
  Diagnostics& diagnostics() { return diag_; }

 private:
  std::optional<TreeNode> load_yaml_file(const std::filesystem::path& file, SourceLoc from,
                                         const std::string& from_path);
  void expand_tables(TreeNode& node, const std::filesystem::path& base_dir,
                     const std::string& path);
  bool expand_csv(const TreeNode& spec, const std::filesystem::path& base_dir,
                  const std::string& path, std::vector<TreeNode>& out);
  std::optional<std::string> read_file(const std::filesystem::path& file, SourceLoc from,
                                       const std::string& from_path);

  SourceRegistry& sources_;
  Diagnostics& diag_;
  std::vector<std::filesystem::path> files_;
  std::vector<std::filesystem::path> include_stack_;
};

/// Parses one CSV text (RFC 4180: quotes, doubled quotes, CRLF) into rows of cells with
/// their 1-based line and column. Reports malformed quoting into \p diag.
std::vector<std::vector<CsvCell>> parse_csv(const std::string& text, int file, Diagnostics& diag);

}  // namespace rareshock::io
