#include "output_files.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>

#include "rareshock/core/build_info.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/report/run_output.hpp"

namespace rareshock::report::detail {
namespace fs = std::filesystem;

void write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw RuntimeError("cannot write '" + file.string() + "'");
}

std::string num(double v) {
  return fmt::format("{:.10g}", v);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

nlohmann::json tool_json() {
  return {{"version", build::version()},
          {"git_sha", build::git_sha()},
          {"compiler", build::compiler()},
          {"build_type", build::build_type()},
          {"dependencies", build::dependency_versions()}};
}

nlohmann::json inputs_json(const std::vector<fs::path>& files) {
  nlohmann::json inputs = nlohmann::json::array();
  for (const auto& f : files) inputs.push_back({{"path", f.string()}, {"sha256", sha256_file(f)}});
  return inputs;
}

StagedDir::StagedDir(fs::path target) : target_(std::move(target)) {
  fs::create_directories(target_.parent_path().empty() ? fs::path(".") : target_.parent_path());
  stage_ = sibling(".partial-");
  fs::remove_all(stage_);
  fs::create_directories(stage_);
}

StagedDir::~StagedDir() {
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(stage_, ec);
}

fs::path StagedDir::sibling(const char* tag) const {
  // Built by appending: GCC 12 warns (-Wrestrict, a false positive) on "." + std::string&&.
  std::string name = ".";
  name += target_.filename().string();
  name += tag;
  name += std::to_string(::getpid());
  return (target_.parent_path().empty() ? fs::path(".") : target_.parent_path()) / name;
}

void StagedDir::commit() {
  fs::path old;
  if (fs::exists(fs::symlink_status(target_))) {
    old = sibling(".old-");
    fs::remove_all(old);
    fs::rename(target_, old);
  }
  fs::rename(stage_, target_);
  committed_ = true;
  if (!old.empty()) fs::remove_all(old);
}

}  // namespace rareshock::report::detail
