#pragma once
/// \file The life of an output directory: checked and locked before anything is computed,
/// written in full into a staging directory beside it, then renamed into place once. A late
/// failure or an interrupt leaves the previous directory as it was; two processes writing to
/// one directory never interleave (the second is refused while the first holds the lock).
#include <filesystem>
#include <memory>

namespace rareshock::report {

/// An exclusive lock on an output directory: the file `.<name>.lock` beside it, locked with
/// flock(2), so it is released when the process ends however it ends (no stale locks). Throws
/// InputError naming the holder's pid when another process (or another OutputLock of this
/// one) holds it. The directory's parent must exist.
class OutputLock {
 public:
  explicit OutputLock(const std::filesystem::path& dir);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

 private:
  std::filesystem::path file_;
  int fd_ = -1;
};

/// An output directory being written: the constructor checks \p target (as check_output_dir:
/// not `.`, `..` or `/`; absent, or with \p force a directory rareshock wrote), takes its
/// OutputLock and creates the staging directory `.<name>.partial-<pid>` beside it (removing
/// staging directories of processes that no longer exist). Write every file under path(),
/// then commit() renames it into place, replacing the previous directory. Destroyed without
/// commit() (an exception, an interrupt), the staging directory is removed and the target is
/// untouched.
class OutputDir {
 public:
  OutputDir(const std::filesystem::path& target, bool force);
  ~OutputDir();
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;
  /// The staging directory: where everything is written before commit().
  const std::filesystem::path& path() const;
  /// The directory as it will be named after commit().
  const std::filesystem::path& target() const { return target_; }
  void commit();

 private:
  struct Impl;
  std::filesystem::path target_;
  std::unique_ptr<OutputLock> lock_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rareshock::report
