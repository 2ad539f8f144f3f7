#pragma once
// Internal: file helpers shared by the run, structure and report writers.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rareshock::report::detail {

/// Writes \p text to \p file; throws RuntimeError on failure.
void write_file(const std::filesystem::path& file, const std::string& text);
/// Number for CSV files (10 significant digits). Throws RuntimeError for NaN or infinity:
/// no non-finite number may reach an output (inputs are bounded so none can arise).
std::string num(double v);
/// Throws RuntimeError naming the first NaN or infinite number in \p j (nlohmann would write
/// it as null); \p file is the output file it is meant for.
void check_finite(const nlohmann::json& j, const std::string& file);
/// A CSV cell, quoted when it holds a comma, a quote or a newline.
std::string csv_field(const std::string& s);

/// Version, git sha, compiler, build type and dependency versions, for provenance.json.
nlohmann::json tool_json();
/// [{path, sha256}] of every input file.
nlohmann::json inputs_json(const std::vector<std::filesystem::path>& files);

/// The file every output directory holds (written by StagedDir): `--force` replaces only
/// directories that have it, so it never deletes a directory rareshock did not write.
inline constexpr const char* kOutputMarker = ".rareshock-output";

/// \p dir without a trailing separator and `.` segments ("out/" -> "out").
std::filesystem::path output_target(const std::filesystem::path& dir);
/// Throws InputError unless \p dir can be (re)placed: it names a directory of its own (not
/// `.`, `..` or `/`), it does not exist or (with \p force) is a marked output directory, and
/// the directory it goes into is writable.
void check_output_target(const std::filesystem::path& dir, bool force);

/// A directory staged beside its target (`.<name>.partial-<pid>`) and renamed into place by
/// commit(), replacing an existing target; readers never see half a directory. Removed if
/// commit() is never called. Staging directories left by processes that no longer exist
/// (killed mid-write) are removed when the next one is created beside the same target.
class StagedDir {
 public:
  /// \p marked: an output directory of its own (it gets the kOutputMarker file, and an
  /// existing target is replaced only when it has one); false for a part of an output
  /// directory, such as its charts/.
  explicit StagedDir(std::filesystem::path target, bool marked = true);
  ~StagedDir();
  StagedDir(const StagedDir&) = delete;
  StagedDir& operator=(const StagedDir&) = delete;
  const std::filesystem::path& path() const { return stage_; }
  void commit();

 private:
  std::filesystem::path sibling(const char* tag) const;
  std::filesystem::path target_, stage_;
  bool marked_ = true;
  bool committed_ = false;
};

}  // namespace rareshock::report::detail
