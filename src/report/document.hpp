#pragma once
// A report as a format-neutral document: sections of paragraphs, bullet lists, tables,
// definition lists and figures (SVG charts). Built once from a run directory's data
// (report_content.cpp), then written as HTML (report_html.cpp) or Markdown (report_md.cpp), so
// both formats carry the same findings. All text here is plain (unescaped) text; the writers
// escape it.
#include <string>
#include <utility>
#include <vector>

#include "rareshock/report/run_data.hpp"

namespace rareshock::report::doc {

struct Table {
  std::string caption;
  std::vector<std::string> header;
  std::vector<bool> numeric;  ///< per column: right-aligned
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> highlight;  ///< per row: e.g. a shortage
  std::vector<bool> nowrap;     ///< per column: keep cells on one line (dates)
  std::string source;           ///< run-directory file with every row (e.g. metrics.csv)
  std::size_t md_rows = 15;     ///< rows kept in report.md (0: only the caption and the link)
};

struct Figure {
  std::string file;     ///< file stem for charts/<file>.svg, unique in the document
  std::string caption;  ///< shown under the chart
  std::string svg;      ///< the chart
};

struct Block {
  enum class Kind { Paragraph, Bullets, Table, Figure, Definitions, Note };
  Kind kind = Kind::Paragraph;
  std::string text;                                        ///< Paragraph, Note
  std::vector<std::string> items;                          ///< Bullets
  Table table;                                             ///< Table
  Figure figure;                                           ///< Figure
  std::vector<std::pair<std::string, std::string>> terms;  ///< Definitions
};

struct Section {
  std::string anchor;  ///< unique id for links
  std::string title;
  int level = 2;            ///< 2: a main section, 3: a subsection
  bool page_break = false;  ///< start on a new page when printed
  std::vector<Block> blocks;

  void paragraph(std::string text);
  void note(std::string text);
  void bullets(std::vector<std::string> items);
  void table(Table t);
  void figure(Figure f);
  void definitions(std::vector<std::pair<std::string, std::string>> terms);
};

struct Document {
  std::string title;
  std::string subtitle;
  std::string generator;  ///< e.g. "rareshock 0.1.0"
  std::vector<Section> sections;

  std::size_t figure_count() const;
};

/// Builds the report from a run directory's data.
Document build(const RunData& data);

std::string to_html(const Document& d);
/// Markdown; figures link to `<charts_dir>/<file>.svg`.
std::string to_markdown(const Document& d, const std::string& charts_dir);

}  // namespace rareshock::report::doc
