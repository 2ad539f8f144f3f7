#pragma once
/// \file A private directory for the fuzz harnesses: a fresh temporary directory holding copies
/// of the small example inputs (models/examples). Fuzz inputs are loaded under a name inside
/// it, so their relative `include:`, `model:`, `scenarios:` and `csv:` references resolve
/// there and every run sees the same files. (The current directory is left alone: libFuzzer
/// reads and writes corpus paths relative to it.)
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#ifndef RARESHOCK_SOURCE_DIR
#error "RARESHOCK_SOURCE_DIR must name the source tree"
#endif

namespace rareshock::fuzz {

/// Creates the sandbox once (idempotent) and changes into it. Aborts when it cannot.
inline const std::filesystem::path& sandbox() {
  static const std::filesystem::path dir = [] {
    namespace fs = std::filesystem;
    std::string tmpl = (fs::temp_directory_path() / "rareshock-fuzz-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) {
      std::perror("mkdtemp");
      std::abort();
    }
    const fs::path src = fs::path(RARESHOCK_SOURCE_DIR);
    std::error_code ec;
    for (const char* f :
         {"mini-chain.yaml", "dy-licence.yaml", "mitigation-package.yaml", "example-study.yaml"})
      fs::copy_file(src / "models/examples" / f, fs::path(tmpl) / f, ec);
    // A small CSV table that a fuzzed model may reference as `{csv: nodes.csv}`.
    fs::copy_file(src / "tests/fuzz/corpus/csv/nodes.csv", fs::path(tmpl) / "nodes.csv", ec);
    if (!fs::exists(fs::path(tmpl) / "mini-chain.yaml")) {
      std::fprintf(stderr, "cannot copy the example inputs into %s\n", tmpl.c_str());
      std::abort();
    }
    // Removed at a normal exit; libFuzzer often ends with _Exit, so scripts/fuzz points TMPDIR
    // at a directory of its own and removes that.
    std::atexit([] {
      std::error_code e;
      std::filesystem::remove_all(sandbox(), e);
    });
    return fs::path(tmpl);
  }();
  return dir;
}

/// The path of \p name inside the sandbox, as the loader is given it.
inline std::string path(const char* name) {
  return (sandbox() / name).string();
}

/// Writes \p size bytes to \p name inside the sandbox (replacing it).
inline void write_file(const char* name, const char* data, std::size_t size) {
  std::ofstream out(sandbox() / name, std::ios::binary | std::ios::trunc);
  out.write(data, static_cast<std::streamsize>(size));
}

}  // namespace rareshock::fuzz
