#pragma once
/// \file Located diagnostics in compiler style: `file:line:column: error: message`, the
/// offending line with a caret, what was expected and a hint ("did you mean ...").
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rareshock {

/// A position in an input file; line and column are 1-based, 0 means "unknown". Packed in
/// 8 bytes (a model holds several per edge): up to 16,383 files (SourceRegistry::add checks),
/// 2^31 - 1 lines and 65,535 columns; larger values are clamped (a caret past column 65,535
/// points at 65,535).
struct SourceLoc {
  std::int64_t file : 15;  ///< index into SourceRegistry, -1 when there is no file (e.g. --set)
  std::int64_t line : 32;
  std::int64_t column : 17;
  static constexpr long long kMaxFile = 16383, kMaxLine = 2147483647, kMaxColumn = 65535;
  constexpr SourceLoc() : file(-1), line(0), column(0) {}
  constexpr SourceLoc(long long f, long long l, long long c)
      : file(clamp(f, -1, kMaxFile)),
        line(clamp(l, 0, kMaxLine)),
        column(clamp(c, 0, kMaxColumn)) {}
  bool operator==(const SourceLoc&) const = default;

 private:
  static constexpr long long clamp(long long v, long long lo, long long hi) {
    return v < lo ? lo : v > hi ? hi : v;
  }
};
static_assert(sizeof(SourceLoc) == 8);

/// Keeps the text of every file read, so diagnostics can quote the offending line.
class SourceRegistry {
 public:
  /// Registers a file's text; returns its index. \p display_path is what messages print.
  int add(std::string display_path, std::string text);
  static constexpr std::size_t kMaxFiles = SourceLoc::kMaxFile;  ///< what a SourceLoc can name
  /// Registers a pseudo-file such as a command-line override (`<--set 1>`).
  int add_virtual(std::string name, std::string text) {
    return add(std::move(name), std::move(text));
  }
  const std::string& path(int file) const;
  const std::string& text(int file) const;
  /// Line \p line (1-based) of \p file without its newline; empty when out of range.
  std::string line(int file, int line) const;
  std::size_t size() const { return files_.size(); }

 private:
  struct File {
    std::string path;
    std::string text;
    std::vector<std::size_t> line_starts;
  };
  std::vector<File> files_;
};

enum class Severity { Error, Warning, Note };
const char* to_string(Severity s);

/// One diagnostic. \p path is the key path (e.g. `nodes[cn_mine].capacity`).
struct Diagnostic {
  Severity severity = Severity::Error;
  SourceLoc loc;
  std::string path;
  std::string message;
  std::string expected;  ///< what a valid value looks like; may be empty
  std::string hint;      ///< e.g. "did you mean 'capacity'?"; may be empty
};

/// Collects diagnostics up to a cap; formatting needs the SourceRegistry.
class Diagnostics {
 public:
  explicit Diagnostics(std::size_t max_errors = 50) : max_errors_(max_errors) {}
  void report(Diagnostic d);
  void error(SourceLoc loc, std::string path, std::string message, std::string expected = {},
             std::string hint = {});
  void warning(SourceLoc loc, std::string path, std::string message, std::string hint = {});
  std::size_t error_count() const { return errors_; }
  std::size_t warning_count() const { return warnings_; }
  bool has_errors() const { return errors_ > 0; }
  /// True once the cap is reached; further errors are counted but not stored.
  bool full() const { return errors_ >= max_errors_; }
  const std::vector<Diagnostic>& all() const { return items_; }
  /// Diagnostics sorted by file, line, column (stable), in compiler style, plus a summary line.
  std::string format(const SourceRegistry& sources, bool with_summary = true) const;
  /// Throws InputError with the formatted report when there are errors.
  void throw_if_errors(const SourceRegistry& sources) const;

 private:
  std::size_t max_errors_;
  std::size_t errors_ = 0;
  std::size_t warnings_ = 0;
  std::vector<Diagnostic> items_;
};

/// Formats one diagnostic (no summary).
std::string format_diagnostic(const Diagnostic& d, const SourceRegistry& sources);

}  // namespace rareshock
