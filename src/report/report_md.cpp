// The report as Markdown (GitHub-flavoured tables); charts are linked SVG files.
#include <fmt/format.h>

#include <algorithm>

#include "document.hpp"
#include "rareshock/report/markup.hpp"

namespace rareshock::report::doc {

namespace {

std::string md(std::string_view s) {
  return escape_markdown(s);
}

// report.md stays short: a long table keeps md_rows rows (highlighted ones, e.g. shortages,
// first, in table order) and links the file with all of them; report.html has every row.
std::vector<std::size_t> rows_shown(const Table& t) {
  std::vector<std::size_t> keep;
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t i = 0; i < t.rows.size() && keep.size() < t.md_rows; ++i) {
      const bool hi = i < t.highlight.size() && t.highlight[i];
      if (hi == (pass == 0)) keep.push_back(i);
    }
  std::sort(keep.begin(), keep.end());
  return keep;
}

std::string table_md(const Table& t) {
  std::string out;
  if (t.md_rows == 0)
    return fmt::format("*{}: {} rows in report.html{}.*\n\n", md(t.caption), t.rows.size(),
                       t.source.empty() ? "" : " and [" + md(t.source) + "](" + t.source + ")");
  if (!t.caption.empty()) out += "**" + md(t.caption) + "**\n\n";
  out += "|";
  for (const auto& h : t.header) out += fmt::format(" {} |", md(h));
  out += "\n|";
  for (std::size_t j = 0; j < t.header.size(); ++j) out += t.numeric[j] ? " ---: |" : " --- |";
  out += "\n";
  const std::vector<std::size_t> shown = rows_shown(t);
  for (std::size_t i : shown) {
    const auto& row = t.rows[i];
    out += "|";
    for (std::size_t j = 0; j < t.header.size(); ++j)
      out +=
          fmt::format(" {} |", j < row.size() && !row[j].empty() ? md(row[j]) : std::string(" "));
    out += "\n";
  }
  if (shown.size() < t.rows.size())
    out += fmt::format("\n*{} of {} rows shown{}; all rows in report.html{}.*\n", shown.size(),
                       t.rows.size(),
                       t.highlight.empty() ? "" : " (highlighted rows, e.g. shortages, kept first)",
                       t.source.empty() ? "" : " and [" + md(t.source) + "](" + t.source + ")");
  return out + "\n";
}

}  // namespace

std::string to_markdown(const Document& d, const std::string& charts_dir) {
  std::string out = "# " + md(d.title) + "\n\n";
  if (!d.subtitle.empty()) out += md(d.subtitle) + "\n\n";
  int figure_no = 0;
  for (const auto& s : d.sections) {
    out += std::string(static_cast<std::size_t>(s.level), '#') + " " + md(s.title) + "\n\n";
    for (const auto& b : s.blocks) {
      switch (b.kind) {
        case Block::Kind::Paragraph:
          out += md(b.text) + "\n\n";
          break;
        case Block::Kind::Note:
          out += "> " + md(b.text) + "\n\n";
          break;
        case Block::Kind::Bullets:
          for (const auto& it : b.items) out += "- " + md(it) + "\n";
          out += "\n";
          break;
        case Block::Kind::Definitions:
          for (const auto& [k, v] : b.terms) out += "- **" + md(k) + ":** " + md(v) + "\n";
          out += "\n";
          break;
        case Block::Kind::Table:
          out += table_md(b.table);
          break;
        case Block::Kind::Figure:
          ++figure_no;
          out += fmt::format("![{}]({}/{}.svg)\n\n*Figure {}. {}*\n\n", md(b.figure.caption),
                             charts_dir, b.figure.file, figure_no, md(b.figure.caption));
          break;
      }
    }
  }
  return out;
}

}  // namespace rareshock::report::doc
