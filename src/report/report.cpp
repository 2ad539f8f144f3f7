#include "rareshock/report/report.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <fstream>

#include "document.hpp"
#include "output_files.hpp"
#include "rareshock/core/error.hpp"

namespace rareshock::report {
namespace fs = std::filesystem;

namespace {

constexpr const char* kChartsDir = "charts";

/// Writes \p text to \p file through a temp file in the same directory, then renames it.
void write_atomic(const fs::path& file, const std::string& text) {
  fs::path tmp =
      file.parent_path() / fmt::format(".{}.tmp-{}", file.filename().string(), ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw RuntimeError("cannot write '" + tmp.string() + "'");
    }
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw RuntimeError("cannot rename '" + tmp.string() + "' to '" + file.string() + "'");
  }
}

/// \p name must be a plain file name (no directory part, not . or ..).
fs::path inside(const fs::path& dir, const std::string& name) {
  fs::path p(name);
  if (name.empty() || p.has_parent_path() || p.is_absolute() || name == "." || name == ".." ||
      name.find('/') != std::string::npos || name.find('\\') != std::string::npos)
    throw RuntimeError("refusing to write '" + name + "' outside '" + dir.string() + "'");
  return dir / p;
}

/// Writes the figures to <dir>/charts, staged beside it and swapped into place.
void write_charts(const fs::path& dir, const doc::Document& d, std::vector<fs::path>& written) {
  const fs::path target = dir / kChartsDir;
  detail::StagedDir staged(target, /*marked=*/false);
  for (const auto& s : d.sections)
    for (const auto& b : s.blocks)
      if (b.kind == doc::Block::Kind::Figure) {
        std::ofstream out(inside(staged.path(), b.figure.file + ".svg"), std::ios::binary);
        out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" << b.figure.svg;
        if (!out) throw RuntimeError("cannot write charts in '" + staged.path().string() + "'");
        written.push_back(target / (b.figure.file + ".svg"));
      }
  staged.commit();
}

}  // namespace

std::string render_html(const RunData& data) {
  return doc::to_html(doc::build(data));
}

std::string render_markdown(const RunData& data) {
  return doc::to_markdown(doc::build(data), kChartsDir);
}

std::vector<fs::path> render_reports(const fs::path& run_dir, const ReportFormats& formats) {
  RunData data = read_run_dir(run_dir);
  doc::Document d = doc::build(data);
  std::vector<fs::path> written;
  if (formats.html) {
    write_atomic(run_dir / "report.html", doc::to_html(d));
    written.push_back(run_dir / "report.html");
  }
  if (formats.markdown) {
    write_charts(run_dir, d, written);
    write_atomic(run_dir / "report.md", doc::to_markdown(d, kChartsDir));
    written.push_back(run_dir / "report.md");
  }
  return written;
}

}  // namespace rareshock::report
