// The report as Markdown (GitHub-flavoured tables); charts are linked SVG files.
#include <fmt/format.h>

#include "document.hpp"
#include "rareshock/report/markup.hpp"

namespace rareshock::report::doc {

namespace {

std::string md(std::string_view s) {
  return escape_markdown(s);
}

std::string table_md(const Table& t) {
  std::string out;
  if (!t.caption.empty()) out += "**" + md(t.caption) + "**\n\n";
  out += "|";
  for (const auto& h : t.header) out += fmt::format(" {} |", md(h));
  out += "\n|";
  for (std::size_t j = 0; j < t.header.size(); ++j) out += t.numeric[j] ? " ---: |" : " --- |";
  out += "\n";
  for (const auto& row : t.rows) {
    out += "|";
    for (std::size_t j = 0; j < t.header.size(); ++j)
      out +=
          fmt::format(" {} |", j < row.size() && !row[j].empty() ? md(row[j]) : std::string(" "));
    out += "\n";
  }
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
