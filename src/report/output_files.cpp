#include "output_files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <cmath>
#include <fstream>

#include "rareshock/core/build_info.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/report/output_dir.hpp"
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
  if (!std::isfinite(v))
    throw RuntimeError("internal error: a non-finite number (" + fmt::format("{}", v) +
                       ") was about to be written to an output file; please report this bug");
  return fmt::format("{:.10g}", v);
}

namespace {
void check_finite_at(const nlohmann::json& j, const std::string& at, const std::string& file) {
  if (j.is_number_float() && !std::isfinite(j.get<double>()))
    throw RuntimeError("internal error: " + file + " would hold a non-finite number at '" +
                       (at.empty() ? std::string("/") : at) + "'; please report this bug");
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it)
      check_finite_at(it.value(), at + "/" + it.key(), file);
  else if (j.is_array())
    for (std::size_t i = 0; i < j.size(); ++i)
      check_finite_at(j[i], at + "/" + std::to_string(i), file);
}
}  // namespace

void check_finite(const nlohmann::json& j, const std::string& file) {
  check_finite_at(j, "", file);
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

fs::path output_target(const fs::path& dir) {
  fs::path p = dir.lexically_normal();
  while (!p.empty() && p.filename().empty() && p != p.root_path()) p = p.parent_path();
  return p;
}

void check_output_target(const fs::path& dir, bool force) {
  const fs::path p = output_target(dir);
  std::string shown = "'";  // appended: GCC 12 -Wrestrict false positive on "'" + string
  shown += dir.string();
  shown += "'";
  fs::path last;  // the last component as written: "a/.." names a's parent, not a directory "."
  for (const auto& part : dir)
    if (!part.empty()) last = part;
  if (p.empty() || p == "." || p.filename() == ".." || p == p.root_path() || last == "." ||
      last == "..")
    throw InputError("error: output directory " + shown +
                     " is the current, a parent or the root directory; name a directory of its "
                     "own for the output (e.g. -o out/run1)\n");
  std::error_code ec;
  const auto st = fs::symlink_status(p, ec);
  if (fs::exists(st)) {
    if (!force)
      throw InputError("error: output directory " + shown +
                       " already exists; choose another with -o or pass --force to replace it\n");
    const std::string only =
        "; --force replaces only output directories written by rareshock (they hold a " +
        std::string(kOutputMarker) + " file): remove it yourself or choose another -o\n";
    if (fs::is_symlink(st))
      throw InputError("error: output directory " + shown + " is a symbolic link" + only);
    if (!fs::is_directory(st))
      throw InputError("error: output directory " + shown + " is a file, not a directory" + only);
    if (!fs::is_regular_file(fs::symlink_status(p / kOutputMarker, ec)))
      throw InputError("error: " + shown + " is not a rareshock output directory" + only);
  }
  // The nearest existing ancestor is where the directory (and its staging sibling) is created.
  fs::path parent = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  while (!fs::exists(parent, ec) && parent.has_parent_path() && parent != parent.parent_path())
    parent = parent.parent_path();
  if (!fs::exists(parent, ec)) parent = ".";
  if (!fs::is_directory(parent, ec))
    throw InputError("error: cannot create output directory " + shown + ": '" + parent.string() +
                     "' is not a directory\n");
  if (::access(parent.c_str(), W_OK | X_OK) != 0)
    throw InputError("error: cannot create output directory " + shown +
                     ": no permission to write in '" + parent.string() + "'\n");
}

namespace {

// True when \p name is `.<target>.<tag><pid>` for a process that no longer exists.
bool stale_sibling(const std::string& name, const std::string& target, pid_t self) {
  for (const char* tag : {".partial-", ".old-"}) {
    std::string prefix = ".";  // appended: GCC 12 -Wrestrict false positive on "." + target
    prefix += target;
    prefix += tag;
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string digits = name.substr(prefix.size());
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos)
      return false;
    const auto pid = static_cast<pid_t>(std::stol(digits));
    return pid != self && pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH;
  }
  return false;
}

}  // namespace

StagedDir::StagedDir(fs::path target, bool marked)
    : target_(output_target(target)), marked_(marked) {
  const fs::path parent = target_.parent_path().empty() ? fs::path(".") : target_.parent_path();
  fs::create_directories(parent);
  std::error_code ec;
  const std::string name = target_.filename().string();
  for (const auto& e : fs::directory_iterator(parent, ec))
    if (stale_sibling(e.path().filename().string(), name, ::getpid())) fs::remove_all(e.path(), ec);
  stage_ = sibling(".partial-");
  fs::remove_all(stage_);
  fs::create_directories(stage_);
  if (marked_)
    write_file(stage_ / kOutputMarker,
               "This directory was written by rareshock; `--force` may replace it.\n");
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
  std::error_code ec;
  const auto st = fs::symlink_status(target_, ec);
  if (fs::exists(st)) {
    // Checked again here: the target may have changed since the run started.
    if (marked_ && (!fs::is_directory(st) ||
                    !fs::is_regular_file(fs::symlink_status(target_ / kOutputMarker, ec))))
      throw InputError("error: '" + target_.string() +
                       "' appeared during the run and is not a rareshock output directory; "
                       "nothing was replaced\n");
    old = sibling(".old-");
    fs::remove_all(old);
    fs::rename(target_, old);
  }
  fs::rename(stage_, target_);
  committed_ = true;
  if (!old.empty()) fs::remove_all(old);
}

}  // namespace rareshock::report::detail

namespace rareshock::report {
namespace fs = std::filesystem;

OutputLock::OutputLock(const fs::path& dir) {
  const fs::path target = detail::output_target(dir);
  const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::string name = ".";  // appended: GCC 12 -Wrestrict false positive on "." + string
  name += target.filename().string();
  name += ".lock";
  file_ = parent / name;
  // Locked, then checked to be the file that is at the path now: a holder unlinks it when it
  // is done, and a lock on an unlinked file would guard nothing.
  for (int attempt = 0;; ++attempt) {
    const int fd = ::open(file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      throw RuntimeError("cannot create the lock file '" + file_.string() + "' for '" +
                         target.string() + "'");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      char buf[32] = {};
      const ssize_t got = ::pread(fd, buf, sizeof buf - 1, 0);
      ::close(fd);
      std::string pid = got > 0 ? std::string(buf, static_cast<std::size_t>(got)) : "";
      pid.erase(pid.find_last_not_of(" \n") + 1);
      throw InputError("error: another rareshock process" +
                       (pid.empty() ? std::string() : " (pid " + pid + ")") +
                       " is writing the output directory '" + target.string() +
                       "'; wait for it to finish or choose another -o\n");
    }
    struct stat held {
    }, now{};
    if (::fstat(fd, &held) == 0 && ::stat(file_.c_str(), &now) == 0 && held.st_ino == now.st_ino &&
        held.st_dev == now.st_dev) {
      fd_ = fd;
      break;
    }
    ::close(fd);
    if (attempt > 100)
      throw RuntimeError("cannot lock '" + file_.string() + "': it keeps being replaced");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    // The pid is only for the message of a second process; the lock holds without it.
  }
}

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  ::unlink(file_.c_str());  // while still locked: see the constructor
  ::close(fd_);
}

struct OutputDir::Impl {
  explicit Impl(const fs::path& target) : staged(target) {}
  detail::StagedDir staged;
};

OutputDir::OutputDir(const fs::path& target, bool force) : target_(detail::output_target(target)) {
  detail::check_output_target(target, force);  // first without side effects (no directories)
  const fs::path parent = target_.parent_path().empty() ? fs::path(".") : target_.parent_path();
  fs::create_directories(parent);
  lock_ = std::make_unique<OutputLock>(target);
  detail::check_output_target(target, force);  // again, now that nobody else can change it
  impl_ = std::make_unique<Impl>(target);
}

OutputDir::~OutputDir() {
  impl_.reset();  // the staging directory goes before the lock is released
  lock_.reset();
}

const fs::path& OutputDir::path() const {
  return impl_->staged.path();
}

void OutputDir::commit() {
  impl_->staged.commit();
}

}  // namespace rareshock::report
