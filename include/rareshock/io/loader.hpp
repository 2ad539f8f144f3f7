#pragma once
/// \file Reads YAML files into located trees: syntax errors become located diagnostics,
/// `include:` files are merged (the including file overrides), and list items of the form
/// `{csv: path, ...}` are expanded into one mapping per CSV row.
#include <cstdint>
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

/// Bounds on what the loader accepts, so a hostile or careless input cannot exhaust memory or
/// hang (docs/formats.md, "Limits", explains each one).
struct LoaderLimits {
  /// Bytes in one YAML or CSV file (a 6M-edge CSV table is ~300 MB).
  static constexpr std::uintmax_t kMaxFileBytes = 1ull << 30;
  /// Bytes read over all files of one load (includes and CSV tables together).
  static constexpr std::uintmax_t kMaxTotalBytes = 2ull << 30;
  /// YAML values (nodes after aliases are expanded, "billion laughs") of one load, over all
  /// its YAML files. CSV cells are counted separately (kMaxCsvCells, kMaxCsvCellsTotal).
  static constexpr std::uint64_t kMaxNodes = 1'000'000;
  /// Bytes of text (YAML scalars) of one load after aliases are expanded.
  static constexpr std::uint64_t kMaxTextBytes = 64ull << 20;
  /// Files loaded through `include:` in one load, counting repeats.
  static constexpr int kMaxIncludes = 256;
  /// Nesting depth of `include:` (a file including a file ...).
  static constexpr int kMaxIncludeDepth = 16;
  /// Cells of one CSV table (6M edges x 8 columns fit).
  static constexpr std::size_t kMaxCsvCells = 64'000'000;
  /// Cells of all CSV tables of one load (a 1M-node, 6M-edge model fits).
  static constexpr std::uint64_t kMaxCsvCellsTotal = 128'000'000;
};

/// The file that marks the top of a project tree for input_root() (its content is not read).
inline constexpr const char* kInputRootMarker = ".rareshock-root";

/// The input tree of a load whose top-level file is in \p dir: the nearest of \p dir and its
/// ancestors that holds a kInputRootMarker file, else \p dir itself; absolute, symbolic links
/// resolved. Files referenced by the input (include:, csv:, model:, scenarios:, observed
/// file:) must lie inside it unless the load allows more (docs/formats.md, "Limits").
std::filesystem::path input_root(const std::filesystem::path& dir);

/// Loads files, remembering every file read (for provenance hashes).
class Loader {
 public:
  Loader(SourceRegistry& sources, Diagnostics& diag) : sources_(sources), diag_(diag) {}

  /// Confines every file read to \p root (see input_root()) but \p top, the top-level file
  /// the user named; a path outside it, absolute or through `..` or a symbolic link, is a
  /// located error. Without a call (or with an empty root) files are read wherever they are.
  void confine_to(const std::filesystem::path& root, const std::filesystem::path& top = {}) {
    root_ = root;
    top_ = top.lexically_normal();
  }

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
  enum class Format { Yaml, Csv };
  std::optional<std::string> read_file(const std::filesystem::path& file, Format format,
                                       SourceLoc from, const std::string& from_path);
  /// Registers \p text as a source; reports (and sets \p ok false) when it is not UTF-8 text.
  int register_text(const std::string& name, const std::string& text, bool& ok);

  SourceRegistry& sources_;
  Diagnostics& diag_;
  std::vector<std::filesystem::path> files_;
  std::vector<std::filesystem::path> include_stack_;
  std::filesystem::path root_, top_;  // root_ empty: not confined
  std::uintmax_t bytes_read_ = 0;
  std::uint64_t nodes_used_ = 0, text_used_ = 0;  // expanded YAML nodes, text
  std::uint64_t csv_cells_used_ = 0;              // CSV cells of all tables
  int includes_ = 0;
};

/// Checks that \p text is UTF-8 without control characters other than tab, newline and carriage
/// return. Returns an empty string when it is, else why not, and sets \p line / \p column
/// (1-based) to the first offending byte.
std::string check_text(const std::string& text, int& line, int& column);

/// Parses one CSV text (RFC 4180: quotes, doubled quotes, CRLF) into rows of cells with
/// their 1-based line and column. Reports malformed quoting into \p diag.
std::vector<std::vector<CsvCell>> parse_csv(const std::string& text, int file, Diagnostics& diag);

}  // namespace rareshock::io
