#pragma once
// Internal: file helpers shared by the run, structure and report writers.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rareshock::report::detail {

/// Writes \p text to \p file; throws RuntimeError on failure.
void write_file(const std::filesystem::path& file, const std::string& text);
/// Number for CSV files (10 significant digits).
std::string num(double v);
/// A CSV cell, quoted when it holds a comma, a quote or a newline.
std::string csv_field(const std::string& s);

/// Version, git sha, compiler, build type and dependency versions, for provenance.json.
nlohmann::json tool_json();
/// [{path, sha256}] of every input file.
nlohmann::json inputs_json(const std::vector<std::filesystem::path>& files);

/// A directory staged beside its target (`.<name>.partial-<pid>`) and renamed into place by
/// commit(), replacing an existing target; readers never see half a directory. Removed if
/// commit() is never called.
class StagedDir {
 public:
  explicit StagedDir(std::filesystem::path target);
  ~StagedDir();
  StagedDir(const StagedDir&) = delete;
  StagedDir& operator=(const StagedDir&) = delete;
  const std::filesystem::path& path() const { return stage_; }
  void commit();

 private:
  std::filesystem::path sibling(const char* tag) const;
  std::filesystem::path target_, stage_;
  bool committed_ = false;
};

}  // namespace rareshock::report::detail
