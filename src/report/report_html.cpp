// The report as one self-contained HTML file: inline SVG charts, an inline style sheet with
// print rules, no scripts and no external resources (a Content-Security-Policy forbids them).
#include <fmt/format.h>

#include "document.hpp"
#include "rareshock/report/markup.hpp"

namespace rareshock::report::doc {

namespace {

constexpr const char* kStyle = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 28px 48px; color: #1d1d1d; background: #fff;
  font: 15px/1.5 "DejaVu Sans", Verdana, "Segoe UI", Arial, Helvetica, sans-serif; }
header { border-bottom: 3px solid #0072B2; margin-bottom: 18px; }
h1 { font-size: 1.75em; margin: 0 0 4px; line-height: 1.25; }
.subtitle { margin: 0 0 12px; color: #444; }
h2 { font-size: 1.35em; margin: 32px 0 10px; padding-bottom: 3px; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.12em; margin: 24px 0 8px; }
p { margin: 8px 0; }
ul { margin: 6px 0 10px; padding-left: 22px; }
li { margin: 4px 0; }
.findings li { margin: 7px 0; }
.note { background: #fff6e0; border-left: 4px solid #E69F00; padding: 6px 10px; }
nav.toc { background: #f5f7fa; border: 1px solid #dde3ea; padding: 8px 16px; margin: 12px 0 20px; }
nav.toc h2 { font-size: 1em; margin: 4px 0; border: 0; }
nav.toc ol { margin: 4px 0; padding-left: 20px; columns: 2; }
nav.toc ol ol { columns: 1; font-size: 0.92em; }
a { color: #005a8c; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 8px 0 12px; }
dl.meta dt { font-weight: bold; color: #333; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; margin: 8px 0 16px; }
table { border-collapse: collapse; font-size: 12.5px; min-width: 40%; }
caption { text-align: left; font-weight: bold; padding: 4px 0; font-size: 13px; }
th, td { border: 1px solid #d4d4d4; padding: 3px 7px; vertical-align: top; text-align: left; }
th { background: #eef2f6; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num, td.nw { white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafafa; }
tr.short td { background: #fdeee6; }
tr.short td:first-child { box-shadow: inset 4px 0 0 #D55E00; }
td.hash { font-family: "DejaVu Sans Mono", monospace; font-size: 11px; overflow-wrap: anywhere; }
figure.chart-figure { margin: 12px 0 20px; }
figure.chart-figure svg { display: block; max-width: 100%; height: auto; border: 1px solid #e4e4e4; }
figcaption { font-size: 13px; color: #444; margin-top: 4px; }
footer { margin-top: 36px; font-size: 12px; color: #666; border-top: 1px solid #ccc; padding-top: 6px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav.toc { break-after: page; }
  nav.toc ol { columns: 1; }
  section.page-break { break-before: page; }
  h2, h3, caption { break-after: avoid; }
  figure.chart-figure, tr, dl.meta, .note { break-inside: avoid; }
  figure.chart-figure svg { border: 0; }
  thead { display: table-header-group; }
  .table-wrap { overflow: visible; }
  table { font-size: 8pt; }
  a { color: inherit; text-decoration: none; }
}
)css";

std::string e(std::string_view s) {
  return escape_xml(s);
}

std::string table_html(const Table& t) {
  std::string out = "<div class=\"table-wrap\"><table>\n";
  if (!t.caption.empty()) out += "<caption>" + e(t.caption) + "</caption>\n";
  out += "<thead><tr>";
  for (std::size_t j = 0; j < t.header.size(); ++j)
    out += fmt::format("<th scope=\"col\"{}>{}</th>", t.numeric[j] ? " class=\"num\"" : "",
                       e(t.header[j]));
  out += "</tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    out += t.highlight[i] ? "<tr class=\"short\">" : "<tr>";
    for (std::size_t j = 0; j < t.rows[i].size(); ++j) {
      bool num = j < t.numeric.size() && t.numeric[j];
      bool hash = t.rows[i][j].size() == 64 &&
                  t.rows[i][j].find_first_not_of("0123456789abcdef") == std::string::npos;
      bool nw = j < t.nowrap.size() && t.nowrap[j];
      out += fmt::format("<td{}>{}</td>",
                         num    ? " class=\"num\""
                         : hash ? " class=\"hash\""
                         : nw   ? " class=\"nw\""
                                : "",
                         e(t.rows[i][j]));
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table></div>\n";
}

}  // namespace

std::string to_html(const Document& d) {
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  // Nothing may be loaded or run: the report is read offline, possibly years later.
  out +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:\">\n";
  out += "<meta name=\"generator\" content=\"" + e(d.generator) + "\">\n";
  out += fmt::format("<meta name=\"rareshock-charts\" content=\"{}\">\n", d.figure_count());
  out += "<title>" + e(d.title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  out += "<header>\n<h1>" + e(d.title) + "</h1>\n";
  if (!d.subtitle.empty()) out += "<p class=\"subtitle\">" + e(d.subtitle) + "</p>\n";
  out += "</header>\n";

  // Contents.
  out += "<nav class=\"toc\" aria-label=\"Contents\"><h2>Contents</h2>\n<ol>\n";
  // Subsections are listed when a section has only a few (a long list hides the structure).
  std::vector<bool> list_sub(d.sections.size(), false);
  for (std::size_t i = 0; i < d.sections.size(); ++i) {
    if (d.sections[i].level > 2) continue;
    std::size_t j = i + 1;
    while (j < d.sections.size() && d.sections[j].level > 2) ++j;
    for (std::size_t k = i + 1; k < j; ++k) list_sub[k] = j - i - 1 <= 4;
  }
  bool open_sub = false;
  for (std::size_t i = 0; i < d.sections.size(); ++i) {
    const auto& s = d.sections[i];
    if (s.level > 2 && !list_sub[i]) continue;
    if (s.level <= 2) {
      if (open_sub) out += "</ol>", open_sub = false;
      if (i > 0) out += "</li>\n";
      out += fmt::format("<li><a href=\"#{}\">{}</a>", e(s.anchor), e(s.title));
    } else {
      if (!open_sub) out += "<ol>", open_sub = true;
      out += fmt::format("<li><a href=\"#{}\">{}</a></li>", e(s.anchor), e(s.title));
    }
  }
  if (open_sub) out += "</ol>";
  out += "</li>\n</ol>\n</nav>\n<main>\n";

  int figure_no = 0;
  for (const auto& s : d.sections) {
    out += fmt::format("<section id=\"{}\" class=\"level{}{}\">\n<h{}>{}</h{}>\n", e(s.anchor),
                       s.level, s.page_break ? " page-break" : "", s.level, e(s.title), s.level);
    for (const auto& b : s.blocks) {
      switch (b.kind) {
        case Block::Kind::Paragraph:
          out += "<p>" + e(b.text) + "</p>\n";
          break;
        case Block::Kind::Note:
          out += "<p class=\"note\">" + e(b.text) + "</p>\n";
          break;
        case Block::Kind::Bullets:
          out += s.anchor == "summary" ? "<ul class=\"findings\">\n" : "<ul>\n";
          for (const auto& it : b.items) out += "<li>" + e(it) + "</li>\n";
          out += "</ul>\n";
          break;
        case Block::Kind::Definitions:
          out += "<dl class=\"meta\">\n";
          for (const auto& [k, v] : b.terms) out += "<dt>" + e(k) + "</dt><dd>" + e(v) + "</dd>\n";
          out += "</dl>\n";
          break;
        case Block::Kind::Table:
          out += table_html(b.table);
          break;
        case Block::Kind::Figure:
          out += fmt::format("<figure class=\"chart-figure\" id=\"fig-{}\">\n", e(b.figure.file));
          out += b.figure.svg;  // built by svg_chart, every string in it escaped
          out += fmt::format("<figcaption>Figure {}. {}</figcaption>\n</figure>\n", ++figure_no,
                             e(b.figure.caption));
          break;
      }
    }
    out += "</section>\n";
  }
  out += "</main>\n<footer>" + e(d.generator) +
         " · self-contained report: no scripts, no external files; print it or save it as "
         "PDF from the browser.</footer>\n</body>\n</html>\n";
  return out;
}

}  // namespace rareshock::report::doc
