#include "rareshock/core/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "rareshock/core/error.hpp"

namespace rareshock {

int SourceRegistry::add(std::string display_path, std::string text) {
  if (files_.size() >= kMaxFiles)
    throw RuntimeError("too many input files (more than " + std::to_string(kMaxFiles) +
                       "): a source location keeps 15 bits for the file");
  File f{std::move(display_path), std::move(text), {0}};
  for (std::size_t i = 0; i < f.text.size(); ++i)
    if (f.text[i] == '\n') f.line_starts.push_back(i + 1);
  files_.push_back(std::move(f));
  return static_cast<int>(files_.size()) - 1;
}

const std::string& SourceRegistry::path(int file) const {
  return files_.at(file).path;
}
const std::string& SourceRegistry::text(int file) const {
  return files_.at(file).text;
}

std::string SourceRegistry::line(int file, int line) const {
  if (file < 0 || file >= static_cast<int>(files_.size()) || line < 1) return {};
  const File& f = files_[file];
  if (static_cast<std::size_t>(line) > f.line_starts.size()) return {};
  std::size_t b = f.line_starts[line - 1];
  if (b >= f.text.size()) return {};
  std::size_t e = f.text.find('\n', b);
  if (e == std::string::npos) e = f.text.size();
  if (e > b && f.text[e - 1] == '\r') --e;
  return f.text.substr(b, e - b);
}

const char* to_string(Severity s) {
  switch (s) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Note:
      return "note";
  }
  return "error";
}

void Diagnostics::report(Diagnostic d) {
  // The same message at the same place once (e.g. a bad CSV column seen on every row).
  for (const auto& o : items_)
    if (o.loc == d.loc && o.message == d.message && o.severity == d.severity) return;
  if (d.severity == Severity::Error) {
    ++errors_;
    if (errors_ > max_errors_) return;
  } else if (d.severity == Severity::Warning) {
    ++warnings_;
  }
  items_.push_back(std::move(d));
}

void Diagnostics::error(SourceLoc loc, std::string path, std::string message, std::string expected,
                        std::string hint) {
  report({Severity::Error, loc, std::move(path), std::move(message), std::move(expected),
          std::move(hint)});
}

void Diagnostics::warning(SourceLoc loc, std::string path, std::string message, std::string hint) {
  report({Severity::Warning, loc, std::move(path), std::move(message), {}, std::move(hint)});
}

std::string format_diagnostic(const Diagnostic& d, const SourceRegistry& sources) {
  std::string out;
  const int file = static_cast<int>(d.loc.file), line = static_cast<int>(d.loc.line);
  const int column = std::max(static_cast<int>(d.loc.column), 1);
  bool has_file = file >= 0 && file < static_cast<int>(sources.size());
  if (has_file) {
    out += sources.path(file);
    if (line > 0) out += fmt::format(":{}:{}", line, column);
    out += ": ";
  }
  out += fmt::format("{}: {}", to_string(d.severity), d.message);
  if (!d.path.empty()) out += fmt::format(" (at {})", d.path);
  out += '\n';
  if (has_file && line > 0) {
    std::string width = std::to_string(line + 1);
    int w = static_cast<int>(width.size());
    if (line > 1) {
      std::string prev = sources.line(file, line - 1);
      if (!prev.empty()) out += fmt::format("   {:>{}} | {}\n", line - 1, w, prev);
    }
    out += fmt::format(">  {:>{}} | {}\n", line, w, sources.line(file, line));
    out += fmt::format("   {:>{}} | {:>{}}\n", "", w, "^", column);
  }
  if (!d.expected.empty()) out += fmt::format("  expected: {}\n", d.expected);
  if (!d.hint.empty()) out += fmt::format("  hint: {}\n", d.hint);
  return out;
}

std::string Diagnostics::format(const SourceRegistry& sources, bool with_summary) const {
  std::vector<const Diagnostic*> order;
  for (const auto& d : items_) order.push_back(&d);
  std::stable_sort(order.begin(), order.end(), [](const Diagnostic* a, const Diagnostic* b) {
    if (a->loc.file != b->loc.file) return a->loc.file < b->loc.file;
    if (a->loc.line != b->loc.line) return a->loc.line < b->loc.line;
    return a->loc.column < b->loc.column;
  });
  std::string out;
  for (const Diagnostic* d : order) out += format_diagnostic(*d, sources);
  if (with_summary && (errors_ > 0 || warnings_ > 0)) {
    out += fmt::format("{} error{}, {} warning{}", errors_, errors_ == 1 ? "" : "s", warnings_,
                       warnings_ == 1 ? "" : "s");
    if (errors_ > max_errors_)
      out += fmt::format(" ({} errors not shown; stopped after {})", errors_ - max_errors_,
                         max_errors_);
    out += '\n';
  }
  return out;
}

void Diagnostics::throw_if_errors(const SourceRegistry& sources) const {
  if (has_errors()) throw InputError(format(sources));
}

}  // namespace rareshock
