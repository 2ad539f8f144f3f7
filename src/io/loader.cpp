#include "rareshock/io/loader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <initializer_list>
#include <sstream>

#include "rareshock/core/text.hpp"
#include "rareshock/io/reader.hpp"

namespace rareshock::io {
namespace fs = std::filesystem;

namespace {

// A YAML document as parsed, before conversion: nodes in an arena, so an alias is a second
// reference to an anchored node (as in yaml-cpp) and its expanded size is known before
// anything is copied.
struct RawNode {
  TreeNode::Kind kind = TreeNode::Kind::Null;
  YAML::Mark mark;
  bool quoted = false;
  std::string value;
  std::vector<std::size_t> kids;  // items, or key, value, key, value ...
  std::uint64_t nodes = 1;        // expanded size: nodes and text bytes
  std::uint64_t bytes = 0;
};

// Thrown by the builder to abandon a document (reported as a located error).
struct DocumentTooLarge {
  YAML::Mark mark;
  std::string message;
  std::string hint;
};

// Builds RawNodes from parser events, counting the expanded size as it goes.
class RawBuilder : public YAML::EventHandler {
 public:
  /// \p nodes and \p bytes: what earlier documents of the same load already used.
  RawBuilder(std::uint64_t nodes, std::uint64_t bytes) : nodes_(nodes), bytes_(bytes) {}
  std::uint64_t nodes() const { return nodes_; }
  std::uint64_t bytes() const { return bytes_; }
  std::vector<RawNode> arena;
  std::optional<std::size_t> root;
  YAML::Mark start;
  bool has_start = false;

  void OnDocumentStart(const YAML::Mark& m) override {
    start = m;
    has_start = true;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t a) override {
    add(make(TreeNode::Kind::Null, m), a);
  }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t a) override {
    if (a >= anchors_.size() || !anchors_[a])
      throw DocumentTooLarge{m, "an alias refers to a node that contains it",
                             "an alias (*name) may only repeat a complete node defined before it"};
    attach(*anchors_[a], m);
  }
  void OnScalar(const YAML::Mark& m, const std::string& tag, YAML::anchor_t a,
                const std::string& v) override {
    std::size_t i = make(TreeNode::Kind::Scalar, m);
    arena[i].quoted = tag == "!";
    arena[i].value = v;
    arena[i].bytes = v.size();
    add(i, a);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                       YAML::EmitterStyle::value) override {
    open(TreeNode::Kind::Sequence, m, a);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                  YAML::EmitterStyle::value) override {
    open(TreeNode::Kind::Map, m, a);
  }
  void OnMapEnd() override { close(); }

 private:
  std::size_t make(TreeNode::Kind k, const YAML::Mark& m) {
    RawNode n;
    n.kind = k;
    n.mark = m;
    arena.push_back(std::move(n));
    return arena.size() - 1;
  }
  void open(TreeNode::Kind k, const YAML::Mark& m, YAML::anchor_t a) {
    std::size_t i = make(k, m);
    count(arena[i], m);
    open_.push_back({i, a});
  }
  void close() {
    auto [i, a] = open_.back();
    open_.pop_back();
    finish(i, a);
  }
  // A new node (scalar or null): counted once, then attached to its parent.
  void add(std::size_t i, YAML::anchor_t a) {
    count(arena[i], arena[i].mark);
    finish(i, a);
  }
  void finish(std::size_t i, YAML::anchor_t a) {
    if (a != 0) {
      if (anchors_.size() <= a) anchors_.resize(a + 1);
      anchors_[a] = i;
    }
    if (open_.empty()) {
      root = i;
      return;
    }
    link(i);
  }
  // Appends \p i to the innermost open node; sizes reach the outer ones when that closes.
  void link(std::size_t i) {
    RawNode& parent = arena[open_.back().first];
    parent.kids.push_back(i);
    parent.nodes += arena[i].nodes;
    parent.bytes += arena[i].bytes;
  }
  // An alias: the whole anchored subtree counts again wherever it is repeated.
  void attach(std::size_t i, const YAML::Mark& m) {
    nodes_ += arena[i].nodes;
    bytes_ += arena[i].bytes;
    check(m);
    if (open_.empty()) {
      root = i;
      return;
    }
    link(i);
  }
  void count(const RawNode& n, const YAML::Mark& m) {
    nodes_ += 1;
    bytes_ += n.bytes;
    check(m);
  }
  void check(const YAML::Mark& m) const {
    if (nodes_ > LoaderLimits::kMaxNodes)
      throw DocumentTooLarge{
          m,
          "the input expands to more than " + std::to_string(LoaderLimits::kMaxNodes) +
              " YAML values (aliases and includes included)",
          "aliases (*name) that repeat large anchored nodes multiply the document's size; "
          "write the values out or split the input"};
    if (bytes_ > LoaderLimits::kMaxTextBytes)
      throw DocumentTooLarge{
          m,
          "the input expands to more than " + std::to_string(LoaderLimits::kMaxTextBytes >> 20) +
              " MiB of text (aliases and includes included)",
          "aliases (*name) that repeat large anchored nodes multiply the document's size"};
  }

  std::vector<std::pair<std::size_t, YAML::anchor_t>> open_;
  std::vector<std::optional<std::size_t>> anchors_;
  std::uint64_t nodes_, bytes_;
};

SourceLoc loc_of(const YAML::Mark& m, int file, SourceLoc fallback) {
  if (m.line < 0 || m.is_null()) return fallback;
  return SourceLoc{file, m.line + 1, m.column + 1};
}

// The first control character (other than tab, newline, carriage return) in \p s, or npos.
std::size_t control_char(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return i;
    // C1 controls U+0080..U+009F are encoded as C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9F)
      return i;
  }
  return std::string::npos;
}

std::string byte_text(unsigned char c) {
  static const char* hex = "0123456789ABCDEF";
  return std::string("0x") + hex[c >> 4] + hex[c & 15];
}

TreeNode convert(const std::vector<RawNode>& arena, std::size_t at, int file, SourceLoc fallback,
                 const std::string& path, Diagnostics& diag) {
  const RawNode& y = arena[at];
  TreeNode n;
  n.loc = loc_of(y.mark, file, fallback);
  n.kind = y.kind;
  switch (y.kind) {
    case TreeNode::Kind::Null:
      break;
    case TreeNode::Kind::Scalar: {
      n.scalar = y.value;
      n.quoted = y.quoted;
      std::size_t bad = control_char(n.scalar);
      if (bad != std::string::npos)
        diag.error(n.loc, path,
                   "text holds the control character " +
                       byte_text(static_cast<unsigned char>(n.scalar[bad])) +
                       " (from an escape such as \\e or \\x1b)",
                   "printable text",
                   "control characters (terminal escapes and the like) are not allowed in input "
                   "text; remove the escape");
      break;
    }
    case TreeNode::Kind::Sequence: {
      std::size_t i = 0;
      n.items.reserve(y.kids.size());
      for (std::size_t k : y.kids) {
        n.items.push_back(
            convert(arena, k, file, n.loc, path + "[" + std::to_string(i) + "]", diag));
        ++i;
      }
      break;
    }
    case TreeNode::Kind::Map: {
      for (std::size_t p = 0; p + 1 < y.kids.size(); p += 2) {
        const RawNode& key_node = arena[y.kids[p]];
        SourceLoc kloc = loc_of(key_node.mark, file, n.loc);
        if (key_node.kind != TreeNode::Kind::Scalar) {
          diag.error(kloc, path, "a key must be plain text", "key: value");
          continue;
        }
        const std::string& key = key_node.value;
        if (n.find(key)) {
          diag.error(kloc, child_path(path, key), "duplicate key '" + key + "'", {},
                     "each key may appear once per mapping; remove one of them");
          continue;
        }
        TreeNode v = convert(arena, y.kids[p + 1], file, kloc, child_path(path, key), diag);
        if (v.is_null()) v.loc = kloc;
        n.entries.push_back(TreeEntry{key, kloc, std::move(v)});
      }
      break;
    }
  }
  return n;
}

std::string first_line(const std::string& s) {
  auto p = s.find('\n');
  return p == std::string::npos ? s : s.substr(0, p);
}

// ---- YAML syntax errors: yaml-cpp's messages ("illegal map value", "end of map not found")
// name the parser's state, not the mistake; the text around the error usually shows it.

// Line \p i (0-based) of \p text, without its line end; empty past the end.
std::string line_of(const std::string& text, int i) {
  std::size_t start = 0;
  for (int k = 0; k < i; ++k) {
    start = text.find('\n', start);
    if (start == std::string::npos) return {};
    ++start;
  }
  std::string line = text.substr(start, text.find('\n', start) - start);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

bool blank_or_comment(const std::string& line) {
  auto p = line.find_first_not_of(" \t");
  return p == std::string::npos || line[p] == '#';
}

std::size_t indent_of(const std::string& line) {
  auto p = line.find_first_not_of(' ');
  return p == std::string::npos ? line.size() : p;
}

// A key written without the space after its colon (`horizon:3 years`): the key, else empty.
std::string key_without_space(const std::string& line) {
  std::size_t p = indent_of(line);
  if (line.compare(p, 2, "- ") == 0) p += 2;
  std::size_t e = p;
  while (e < line.size() && (std::isalnum(static_cast<unsigned char>(line[e])) || line[e] == '_'))
    ++e;
  if (e == p || e + 1 >= line.size() || line[e] != ':' || line[e + 1] == ' ' ||
      line[e + 1] == '/' || line.find(": ") != std::string::npos)
    return {};
  return line.substr(p, e - p);
}

struct SyntaxHelp {
  int line = 0;  // 0-based; where the caret goes
  int column = 0;
  std::string message, hint;
};

// The nearest line before \p line that holds content (-1 when none).
int previous_content(const std::string& text, int line) {
  for (int i = line - 1; i >= 0; --i)
    if (!blank_or_comment(line_of(text, i))) return i;
  return -1;
}

// A tab in the indentation of the error line or the content line before it.
std::optional<SyntaxHelp> tab_help(const std::string& text, int line) {
  for (int i : {line, previous_content(text, line)}) {
    if (i < 0) continue;
    std::string l = line_of(text, i);
    std::size_t lead = l.find_first_not_of(" \t");
    std::size_t tab = l.find('\t');
    if (tab != std::string::npos && (lead == std::string::npos || tab < lead))
      return SyntaxHelp{i, static_cast<int>(tab) + 1,
                        "a tab in the indentation: YAML indents with spaces only",
                        "replace the tab with spaces, as many as the lines around it use"};
  }
  return std::nullopt;
}

std::optional<SyntaxHelp> colon_help(const std::string& text, int line) {
  for (int i : {line, previous_content(text, line)}) {
    if (i < 0) continue;
    std::string l = line_of(text, i);
    std::string key = key_without_space(l);
    if (key.empty()) continue;
    std::size_t at = l.find(key + ":");
    return SyntaxHelp{i, static_cast<int>(at + key.size()) + 2,
                      "no space after the ':' of '" + key + "', so '" + trim(l.substr(at)) +
                          "' reads as text, not as a key and its value",
                      "write '" + key + ": " + l.substr(at + key.size() + 1) +
                          "' (a key is followed by ': '; quote text that holds ':')"};
  }
  return std::nullopt;
}

bool is_item(const std::string& line) {
  std::size_t n = indent_of(line);
  return n < line.size() && line[n] == '-' && (n + 1 == line.size() || line[n + 1] == ' ');
}

// The column (0-based) where a line's content starts: after its indentation, and after the
// '- ' (and any spaces) of a list item.
std::size_t content_of(const std::string& line) {
  std::size_t n = indent_of(line);
  if (!is_item(line)) return n;
  auto c = line.find_first_not_of(' ', n + 1);
  return c == std::string::npos ? n + 2 : c;
}

// A list item out of line with the item before it, or among the keys of a mapping.
std::optional<SyntaxHelp> item_help(const std::string& text, int line) {
  const std::string l = line_of(text, line);
  const std::size_t n = indent_of(l);
  for (int i = previous_content(text, line); i >= 0; i = previous_content(text, i)) {
    const std::string q = line_of(text, i);
    const std::size_t k = indent_of(q);
    if (is_item(q) && k != n && (k > n ? k - n : n - k) <= 2)
      return SyntaxHelp{
          line, static_cast<int>(n) + 1,
          fmt::format("this list item is indented {} spaces but the item above it "
                      "(line {}) is indented {}: items of one list start in the same column",
                      n, i + 1, k),
          fmt::format("indent the '-' by {} spaces, like the item above", k)};
    if (k < n || (k == n && !is_item(q)))
      return SyntaxHelp{line, static_cast<int>(n) + 1,
                        "a list item ('- ') where a key of the mapping above was expected: a "
                        "mapping cannot hold list items",
                        "put the list under a key of its own (key:, then the items indented "
                        "below it), or remove the '-'"};
    if (k == n) return std::nullopt;
  }
  return std::nullopt;
}

std::optional<SyntaxHelp> indent_help(const std::string& text, int line) {
  const int prev = previous_content(text, line);
  const std::string l = line_of(text, line);
  if (prev < 0 || blank_or_comment(l)) return std::nullopt;
  if (is_item(l)) return item_help(text, line);
  const std::string p = line_of(text, prev);
  const std::size_t n = indent_of(l), m = indent_of(p), mc = content_of(p);
  SyntaxHelp h{line, static_cast<int>(n) + 1, {}, {}};
  if (n > mc) {
    h.message = fmt::format(
        "this line is indented more ({} spaces) than the line above ({}), which already has "
        "a value, so it cannot hold this line",
        n, mc);
    h.hint = fmt::format(
        "indent it by {} spaces to make it a key of the same mapping, or put the value of the "
        "line above on its own lines below it",
        mc);
  } else if (n > m && n < mc) {
    h.message = fmt::format(
        "this line is indented {} spaces but the keys of the list item above start after {} "
        "(the '-' there is followed by {} spaces)",
        n, mc, mc - m - 1);
    h.hint = fmt::format(
        "write '- ' with one space in the line above, or indent this line by "
        "{} spaces",
        mc);
  } else {
    h.message = fmt::format(
        "this line is indented {} spaces, which matches no mapping or list above it (the line "
        "above is at {})",
        n, mc);
    h.hint =
        "indent it exactly like the other keys of the mapping it belongs to (YAML nests by "
        "indentation)";
  }
  return h;
}

// An unclosed '{' or '[' on a line before the error (flow collections must close).
std::optional<SyntaxHelp> bracket_help(const std::string& text, int line) {
  for (int i = line; i >= 0 && i >= line - 20; --i) {
    const std::string l = line_of(text, i);
    std::vector<std::size_t> open;
    bool quoted = false;
    for (std::size_t c = 0; c < l.size(); ++c) {
      if (l[c] == '"') quoted = !quoted;
      if (quoted) continue;
      if (l[c] == '{' || l[c] == '[') open.push_back(c);
      if ((l[c] == '}' || l[c] == ']') && !open.empty()) open.pop_back();
      if (l[c] == '#' && (c == 0 || l[c - 1] == ' ')) break;
    }
    if (!open.empty())
      return SyntaxHelp{i, static_cast<int>(open.back()) + 1,
                        std::string("this '") + l[open.back()] + "' is never closed",
                        std::string("close it with '") + (l[open.back()] == '{' ? '}' : ']') +
                            "' where its value ends"};
  }
  return std::nullopt;
}

SyntaxHelp explain_syntax(const std::string& msg, const std::string& text, const YAML::Mark& mk) {
  const int line = std::max(0, mk.line);
  if (auto h = tab_help(text, line)) return *h;
  if (auto h = colon_help(text, line)) return *h;
  if (msg == "illegal map value") {
    // The first ': ' of a line indented under a line that has a value: an indentation error.
    const std::string l = line_of(text, line);
    const auto first = l.find(": ");
    if (first != std::string::npos && static_cast<int>(first) >= mk.column)
      if (auto h = indent_help(text, line)) return *h;
    return SyntaxHelp{line, std::max(0, mk.column) + 1,
                      "a second ': ' on this line: a value that holds ': ' must be quoted",
                      "quote the value, e.g. name: \"Scenario: ban\" (or write the key on a line "
                      "of its own)"};
  }
  if (msg.find("flow not found") != std::string::npos)
    if (auto h = bracket_help(text, line)) return *h;
  const bool block = msg == "end of map not found" || msg == "end of sequence not found" ||
                     msg == "illegal block entry";
  if (block)
    if (auto h = indent_help(text, line)) return *h;
  return SyntaxHelp{line, std::max(0, mk.column) + 1, msg,
                    "check indentation, a missing ':' or an unclosed quote or bracket"};
}

}  // namespace

std::vector<std::vector<CsvCell>> parse_csv(const std::string& text, int file, Diagnostics& diag) {
  std::vector<std::vector<CsvCell>> rows;
  std::vector<CsvCell> row;
  std::size_t i = 0;
  int line = 1, col = 1;
  std::size_t start = 0;
  // Skip a UTF-8 byte order mark.
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) i = start = 3;
  bool row_has_content = false;
  // A line ends at LF or CRLF (as for diagnostics' line numbers); a lone CR is cell text.
  auto line_end = [&](std::size_t k) {
    return text[k] == '\n' || (text[k] == '\r' && (k + 1 == text.size() || text[k + 1] == '\n'));
  };
  while (i <= text.size()) {
    CsvCell cell;
    cell.line = line;
    cell.column = col;
    if (i < text.size() && text[i] == '"') {
      int qline = line, qcol = col;
      ++i, ++col;
      bool closed = false;
      while (i < text.size()) {
        char c = text[i];
        if (c == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            cell.text += '"';
            i += 2, col += 2;
            continue;
          }
          ++i, ++col;
          closed = true;
          break;
        }
        if (c == '\n') ++line, col = 0;
        cell.text += c;
        ++i, ++col;
      }
      if (!closed) {
        diag.error({file, qline, qcol}, {}, "unterminated quoted field in CSV", "a closing '\"'");
        return rows;
      }
      // Anything between the closing quote and the separator is an error.
      std::size_t j = i;
      while (j < text.size() && text[j] != ',' && !line_end(j)) ++j;
      if (j > i) {
        diag.error({file, line, col}, {}, "unexpected text after a quoted CSV field",
                   "',' or the end of the line");
        col += static_cast<int>(j - i);
        i = j;
      }
      row_has_content = true;
    } else {
      while (i < text.size() && text[i] != ',' && !line_end(i)) {
        cell.text += text[i];
        ++i, ++col;
      }
      if (!cell.text.empty()) row_has_content = true;
    }
    row.push_back(std::move(cell));
    if (i < text.size() && text[i] == ',') {
      ++i, ++col;
      row_has_content = true;
      continue;
    }
    // End of line or file.
    if (i < text.size() && text[i] == '\r') ++i;
    if (i < text.size() && text[i] == '\n') ++i;
    if (row_has_content) rows.push_back(std::move(row));
    row.clear();
    row_has_content = false;
    ++line, col = 1;
    if (i >= text.size()) break;
  }
  (void)start;
  return rows;
}

std::string check_text(const std::string& text, int& line, int& column) {
  line = 1;
  column = 1;
  std::size_t line_start = 0;
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    auto c = static_cast<unsigned char>(text[i]);
    column = static_cast<int>(std::min<std::size_t>(i - line_start + 1, 1u << 30));
    if (c == '\n') {
      if (line < (1 << 30)) ++line;
      line_start = ++i;
      continue;
    }
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
        return "the control character " + byte_text(c) + " is not allowed in input text";
      ++i;
      continue;
    }
    // A UTF-8 sequence: lead byte, length, smallest code point (no overlongs), continuation.
    std::size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                      : c >= 0xE0 && c <= 0xEF ? 3
                      : c >= 0xF0 && c <= 0xF4 ? 4
                                               : 0;
    if (len == 0 || i + len > n)
      return "byte " + byte_text(c) + " is not valid UTF-8 (save the file as UTF-8)";
    std::uint32_t cp = c & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80)
        return "byte " + byte_text(c) + " is not valid UTF-8 (save the file as UTF-8)";
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return "byte " + byte_text(c) + " is not valid UTF-8 (save the file as UTF-8)";
    if (cp >= 0x80 && cp <= 0x9F)
      return "the control character U+00" + byte_text(static_cast<unsigned char>(cp)).substr(2) +
             " is not allowed in input text";
    i += len;
  }
  return {};
}

int Loader::register_text(const std::string& name, const std::string& text, bool& ok) {
  int line = 0, column = 0;
  std::string why = check_text(text, line, column);
  ok = why.empty();
  if (ok) return sources_.add(name, text);
  // Quote the file with every byte that is not printable ASCII shown as '?', so the message
  // itself never sends raw bytes or escape sequences to the terminal.
  std::string shown = text;
  for (char& ch : shown) {
    auto u = static_cast<unsigned char>(ch);
    if (u >= 0x80 || (u < 0x20 && ch != '\n' && ch != '\t') || u == 0x7f) ch = '?';
  }
  int fid = sources_.add(name, std::move(shown));
  diag_.error({fid, line, column}, {}, "this file is not UTF-8 text: " + why,
              "UTF-8 text without control characters",
              "re-save the file as UTF-8; escape sequences and other control characters are "
              "not input");
  return fid;
}

fs::path input_root(const fs::path& dir) {
  std::error_code ec;
  fs::path start = fs::weakly_canonical(fs::absolute(dir.empty() ? fs::path(".") : dir, ec), ec);
  for (fs::path p = start;; p = p.parent_path()) {
    if (fs::is_regular_file(p / kInputRootMarker, ec)) return p;
    if (p == p.parent_path() || p.empty()) break;
  }
  return start;
}

namespace {

// True when the file name ends in one of \p exts (compared without case).
bool has_extension(const fs::path& file, std::initializer_list<const char*> exts) {
  std::string ext = file.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* e : exts)
    if (ext == e) return true;
  return false;
}

}  // namespace

std::optional<std::string> Loader::read_file(const fs::path& file, Format format, SourceLoc from,
                                             const std::string& from_path) {
  auto fail = [&](const std::string& why, const std::string& hint) {
    diag_.error(from, from_path, "cannot open file '" + file.string() + "' (" + why + ")", {},
                hint);
    return std::nullopt;
  };
  // Inside the input tree (symbolic links resolved), checked before the file is opened, so a
  // path outside it is neither read nor listed in a did-you-mean hint.
  if (!root_.empty() && file != top_) {
    std::error_code ec;
    const fs::path canon = fs::weakly_canonical(fs::absolute(file, ec), ec);
    const fs::path rel = canon.lexically_relative(root_);
    if (ec || rel.empty() || *rel.begin() == "..") {
      // The root as seen from the working directory when it is that or an ancestor ("../..").
      std::string shown = root_.string();
      const fs::path up = root_.lexically_relative(fs::current_path(ec));
      if (!ec && !up.empty() &&
          std::all_of(up.begin(), up.end(), [](const fs::path& c) { return c == ".."; }))
        shown = up.string();
      else if (!ec && up == ".")
        shown = ".";
      diag_.error(from, from_path,
                  "'" + file.string() + "' is outside the input tree '" + shown + "'",
                  "a path inside '" + shown + "'",
                  "inputs are read from the directory of the top-level file and below it, or "
                  "below the nearest directory above it that holds a " +
                      std::string(kInputRootMarker) +
                      " file; pass --allow-outside-includes to read it anyway");
      return std::nullopt;
    }
  }
  // Only files named as input: a mistyped path to some other file (a key file, a password
  // file) is never read, so no diagnostic can quote its lines or keys.
  if (format == Format::Yaml ? !has_extension(file, {".yaml", ".yml"})
                             : !has_extension(file, {".csv"})) {
    diag_.error(from, from_path,
                "'" + file.string() + "' is not named as a " +
                    (format == Format::Yaml ? "YAML file (.yaml or .yml)" : "CSV file (.csv)"),
                format == Format::Yaml ? "a file name ending in .yaml or .yml"
                                       : "a file name ending in .csv",
                "rareshock reads input only from files named as YAML or CSV, so a mistyped "
                "path never prints another file's contents; rename the file");
    return std::nullopt;
  }
  // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
  int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    std::error_code ec;
    bool exists = fs::exists(file, ec);
    std::string hint;
    if (!exists) {
      std::vector<std::string> names;
      fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
      for (const auto& e : fs::directory_iterator(dir, ec))
        names.push_back(e.path().filename().string());
      auto c = closest(file.filename().string(), names, 1);
      if (!c.empty()) hint = "did you mean '" + (file.parent_path() / c.front()).string() + "'?";
    }
    // `- a.yaml` then `   - b.yaml` one space further in: YAML reads one text "a.yaml - b.yaml".
    if (!exists && hint.empty() && file.string().find(" - ") != std::string::npos)
      hint =
          "this is one text: a line '- ...' indented more than the list item above it "
          "continues that item; start each item's '-' in the same column";
    return fail(exists ? "not a readable file" : "no such file", hint);
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) return fail("not a readable file", {});
  if (!S_ISREG(st.st_mode))
    return fail("not a regular file: a FIFO, device or socket",
                "rareshock reads inputs only from regular files");
  const std::uintmax_t limit = LoaderLimits::kMaxFileBytes;
  auto too_big = [&](std::uintmax_t size) {
    return fail(std::to_string(size) + " bytes; the limit is " + std::to_string(limit >> 20) +
                    " MiB per file",
                "see 'Limits' in docs/formats.md");
  };
  if (static_cast<std::uintmax_t>(st.st_size) > limit)
    return too_big(static_cast<std::uintmax_t>(st.st_size));
  std::string text;
  char buf[1 << 16];
  for (;;) {
    ssize_t got = ::read(fd, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return fail("read failed", {});
    if (got == 0) break;
    text.append(buf, static_cast<std::size_t>(got));
    if (text.size() > limit) return too_big(text.size());  // it grew while being read
  }
  bytes_read_ += text.size();
  if (bytes_read_ > LoaderLimits::kMaxTotalBytes)
    return fail("the files read so far hold more than " +
                    std::to_string(LoaderLimits::kMaxTotalBytes >> 20) + " MiB together",
                "see 'Limits' in docs/formats.md");
  if (std::find(files_.begin(), files_.end(), file) == files_.end()) files_.push_back(file);
  return text;
}

std::optional<Loader::CsvTable> Loader::load_csv(const fs::path& file, SourceLoc from,
                                                 const std::string& from_path) {
  fs::path path = file.lexically_normal();
  auto text = read_file(path, Format::Csv, from, from_path);
  if (!text) return std::nullopt;
  CsvTable t;
  t.file = path.string();
  bool text_ok = true;
  t.file_id = register_text(t.file, *text, text_ok);
  if (!text_ok) return std::nullopt;
  // Comment lines are blanked (not removed), so line numbers stay those of the file.
  std::string body = *text;
  for (std::size_t start = 0; start < body.size();) {
    std::size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    std::size_t first = body.find_first_not_of(" \t", start);
    if (first < end && body[first] == '#')
      for (std::size_t i = start; i < end; ++i) body[i] = ' ';
    start = end + 1;
  }
  t.rows = parse_csv(body, t.file_id, diag_);
  // Rows of blanks only (former comments) are not rows.
  std::erase_if(t.rows, [](const std::vector<CsvCell>& row) {
    return row.size() == 1 && row[0].text.find_first_not_of(" \t\r") == std::string::npos;
  });
  if (t.rows.empty()) {
    diag_.error({t.file_id, 1, 1}, from_path, "CSV file is empty",
                "a header row naming the columns");
    return std::nullopt;
  }
  return t;
}

std::optional<TreeNode> Loader::parse_text(const std::string& name, const std::string& text) {
  bool ok = true;
  int fid = register_text(name, text, ok);
  if (!ok) return std::nullopt;
  // One document, parsed event by event: yaml-cpp 0.7's LoadAll loops for ever on a stray ','
  // (upstream issue 1040: the parser reports an empty document without consuming the token),
  // so at most three documents are asked for and a document that starts where the previous
  // one started is a syntax error at that token.
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    RawBuilder first(nodes_used_, text_used_);
    if (!parser.HandleNextDocument(first) || !first.root) {
      TreeNode empty;
      empty.loc = SourceLoc{fid, 1, 1};
      return empty;
    }
    // Every further document must start after the previous one; the stray-token documents
    // of the bug all start at that token.
    std::size_t docs = 1;
    YAML::Mark prev = first.start, second;
    for (;;) {
      RawBuilder next(first.nodes(), first.bytes());
      if (!parser.HandleNextDocument(next)) break;
      if (next.start.pos == prev.pos) {
        auto p = static_cast<std::size_t>(std::max(0, next.start.pos));
        std::string tok = p < text.size() ? std::string(1, text[p]) : std::string("end of file");
        diag_.error(loc_of(next.start, fid, SourceLoc{fid, 1, 1}), {},
                    "YAML syntax error: unexpected '" + tok + "'", {},
                    "',' separates items only inside [...] or {...}; quote text that starts "
                    "with it");
        return std::nullopt;
      }
      if (docs++ == 1) second = next.start;
      prev = next.start;
    }
    if (docs > 1) {
      diag_.error(loc_of(second, fid, SourceLoc{fid, 1, 1}), {},
                  "this file holds " + std::to_string(docs) +
                      " YAML documents; rareshock reads one document per file",
                  {}, "remove the '---' separator or split the file");
      return std::nullopt;
    }
    nodes_used_ = first.nodes();
    text_used_ = first.bytes();
    return convert(first.arena, *first.root, fid, SourceLoc{fid, 1, 1}, "", diag_);
  } catch (const DocumentTooLarge& e) {
    diag_.error(loc_of(e.mark, fid, SourceLoc{fid, 1, 1}), {}, e.message, {}, e.hint);
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    const SyntaxHelp h = explain_syntax(first_line(e.msg), text, e.mark);
    diag_.error({fid, h.line + 1, h.column}, {}, "YAML syntax error: " + h.message, {}, h.hint);
    return std::nullopt;
  }
}

std::optional<TreeNode> Loader::load(const fs::path& file, SourceLoc from,
                                     const std::string& from_path) {
  auto tree = load_yaml_file(file.lexically_normal(), from, from_path);
  if (tree) strip_remove_directives(*tree, diag_);
  return tree;
}

std::optional<TreeNode> Loader::load_yaml_file(const fs::path& file, SourceLoc from,
                                               const std::string& from_path) {
  if (std::find(include_stack_.begin(), include_stack_.end(), file) != include_stack_.end()) {
    std::vector<std::string> chain;
    auto start = std::find(include_stack_.begin(), include_stack_.end(), file);
    for (auto it = start; it != include_stack_.end(); ++it) chain.push_back(it->string());
    chain.push_back(file.string());
    diag_.error(from, from_path, "include cycle: " + join(chain, " -> "));
    return std::nullopt;
  }
  if (!include_stack_.empty()) {
    if (++includes_ > LoaderLimits::kMaxIncludes) {
      if (includes_ == LoaderLimits::kMaxIncludes + 1)
        diag_.error(from, from_path,
                    "more than " + std::to_string(LoaderLimits::kMaxIncludes) +
                        " files included (counting repeats)",
                    {}, "files that include each other several times multiply; include each once");
      return std::nullopt;
    }
    if (static_cast<int>(include_stack_.size()) > LoaderLimits::kMaxIncludeDepth) {
      diag_.error(
          from, from_path,
          "includes nested more than " + std::to_string(LoaderLimits::kMaxIncludeDepth) + " deep",
          {}, "include the files from one top-level file instead of in a chain");
      return std::nullopt;
    }
  }
  auto text = read_file(file, Format::Yaml, from, from_path);
  if (!text) return std::nullopt;
  auto tree = parse_text(file.string(), *text);
  if (!tree) return std::nullopt;
  if (tree->is_null()) *tree = TreeNode::make_map(SourceLoc{tree->loc.file, 1, 1});
  const fs::path dir = file.parent_path();

  // include: merge the included files first, in order, then this file on top.
  if (tree->is_map()) {
    if (const TreeEntry* inc = tree->find_entry("include")) {
      std::vector<const TreeNode*> names;
      if (inc->value.is_scalar())
        names.push_back(&inc->value);
      else if (inc->value.is_seq())
        for (const auto& i : inc->value.items) names.push_back(&i);
      bool ok = true;
      for (const TreeNode* n : names)
        if (!n->is_scalar()) {
          diag_.error(n->loc, "include", "include entries must be file paths, not " + describe(*n),
                      "include: [base.yaml, other.yaml]");
          ok = false;
        }
      if (!inc->value.is_scalar() && !inc->value.is_seq()) {
        diag_.error(inc->value.loc, "include", "include must be a file path or a list of paths",
                    "include: base.yaml");
        ok = false;
      }
      if (ok) {
        include_stack_.push_back(file);
        TreeNode merged = TreeNode::make_map(tree->loc);
        for (const TreeNode* n : names) {
          auto sub = load_yaml_file((dir / n->scalar).lexically_normal(), n->loc, "include");
          if (!sub) continue;
          if (!sub->is_map()) {
            diag_.error(sub->loc, {}, "an included file must hold a mapping at the top level");
            continue;
          }
          merge_into(merged, *sub, &diag_);
        }
        include_stack_.pop_back();
        tree->erase("include");
        expand_tables(*tree, dir, "");
        merge_into(merged, *tree, &diag_);
        *tree = std::move(merged);
        return tree;
      }
      tree->erase("include");
    }
  }
  expand_tables(*tree, dir, "");
  return tree;
}

void Loader::expand_tables(TreeNode& node, const fs::path& base_dir, const std::string& path) {
  if (node.is_map()) {
    for (auto& e : node.entries) expand_tables(e.value, base_dir, child_path(path, e.key));
  } else if (node.is_seq()) {
    std::vector<TreeNode> out;
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      TreeNode& item = node.items[i];
      if (item.is_map() && item.find("csv")) {
        expand_csv(item, base_dir, path + "[" + std::to_string(i) + "]", out);
      } else {
        expand_tables(item, base_dir, item_path(path, item, i));
        out.push_back(std::move(item));
      }
    }
    node.items = std::move(out);
  }
}

namespace {

// The columns of a CSV table as its header names them, and what the table reference asks.
struct CsvColumns {
  std::string file;                // as opened, for messages
  std::vector<std::string> names;  // trimmed header cells
  const std::vector<CsvCell>* header = nullptr;
  std::vector<std::string> ignored;  // ignore_columns
};

// Checks the keys of a `{csv: ...}` item and the kinds of their values.
bool check_csv_spec(Diagnostics& diag, const TreeNode& spec, const std::string& path) {
  static const std::vector<std::string> kKeys = {"csv", "columns", "defaults", "where",
                                                 "ignore_columns"};
  bool ok = true;
  for (const auto& e : spec.entries)
    if (std::find(kKeys.begin(), kKeys.end(), e.key) == kKeys.end()) {
      std::string dym = did_you_mean(e.key, kKeys);
      diag.error(e.key_loc, child_path(path, e.key),
                 "unknown key '" + e.key + "' in a CSV table reference", {},
                 (dym.empty() ? "" : dym + " ") + "allowed keys: " + join(kKeys));
      ok = false;
    }
  const TreeNode* csv = spec.find("csv");
  if (!csv->is_scalar()) {
    diag.error(csv->loc, child_path(path, "csv"), "csv must be a file path",
               "csv: tables/nodes.csv");
    return false;
  }
  for (const auto& [key, want_map] : {std::pair{"columns", true}, std::pair{"defaults", true},
                                      std::pair{"where", true}, std::pair{"ignore_columns", false}})
    if (const TreeNode* n = spec.find(key); n && !(want_map ? n->is_map() : n->is_seq())) {
      diag.error(n->loc, child_path(path, key),
                 std::string(key) + " must be " + (want_map ? "a mapping" : "a list"));
      ok = false;
    }
  return ok;
}

// Empty and duplicate column names in the header.
bool check_header(Diagnostics& diag, int fid, const CsvColumns& cols, const std::string& path) {
  bool ok = true;
  const auto& header = *cols.header;
  for (std::size_t c = 0; c < cols.names.size(); ++c) {
    if (cols.names[c].empty()) {
      diag.error({fid, header[c].line, header[c].column}, path, "empty column name in CSV header");
      ok = false;
      continue;
    }
    if (std::find(cols.names.begin(), cols.names.begin() + static_cast<std::ptrdiff_t>(c),
                  cols.names[c]) != cols.names.begin() + static_cast<std::ptrdiff_t>(c)) {
      diag.error({fid, header[c].line, header[c].column}, path,
                 "duplicate column '" + cols.names[c] + "' in CSV header");
      ok = false;
    }
  }
  return ok;
}

bool column_exists(Diagnostics& diag, const CsvColumns& cols, const std::string& name,
                   SourceLoc loc, const std::string& at) {
  if (std::find(cols.names.begin(), cols.names.end(), name) != cols.names.end()) return true;
  std::string dym = did_you_mean(name, cols.names);
  diag.error(loc, at, "column '" + name + "' is not in " + cols.file, {},
             (dym.empty() ? "" : dym + " ") + "columns: " + join(cols.names));
  return false;
}

// The columns named in ignore_columns, columns and where must be in the header.
bool check_named_columns(Diagnostics& diag, const TreeNode& spec, CsvColumns& cols,
                         const std::string& path) {
  bool ok = true;
  if (const TreeNode* ig = spec.find("ignore_columns"))
    for (const auto& n : ig->items) {
      ok = column_exists(diag, cols, n.scalar, n.loc, child_path(path, "ignore_columns")) && ok;
      cols.ignored.push_back(n.scalar);
    }
  for (const char* what : {"columns", "where"})
    if (const TreeNode* m = spec.find(what))
      for (const auto& e : m->entries)
        ok = column_exists(diag, cols, e.key, e.key_loc,
                           child_path(child_path(path, what), e.key)) &&
             ok;
  return ok;
}

// where: a row is kept when each given column equals the value (or one of the values).
bool row_selected(const TreeNode& spec, const CsvColumns& cols, const std::vector<CsvCell>& row) {
  const TreeNode* w = spec.find("where");
  if (!w) return true;
  for (const auto& e : w->entries) {
    auto c = static_cast<std::size_t>(std::find(cols.names.begin(), cols.names.end(), e.key) -
                                      cols.names.begin());
    const std::string cell = trim(row[c].text);
    const bool match = e.value.is_seq()
                           ? std::any_of(e.value.items.begin(), e.value.items.end(),
                                         [&](const TreeNode& v) { return v.scalar == cell; })
                           : e.value.scalar == cell;
    if (!match) return false;
  }
  return true;
}

// Sets \p key (dotted keys build nested mappings: `demand.ndfeb_sh` -> demand: {ndfeb_sh: ...})
// of \p item to \p cell. The key's location is the header cell, so "unknown key" points at the
// column name.
void set_cell(TreeNode& item, const std::string& key, const std::string& cell, SourceLoc cloc,
              SourceLoc hloc) {
  TreeNode* target = &item;
  std::string rest = key;
  for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
    std::string head = rest.substr(0, dot);
    TreeNode* next = target->find(head);
    if (!next) next = &target->set(head, TreeNode::make_map(cloc), hloc);
    target = next;
    rest = rest.substr(dot + 1);
  }
  target->set(rest, TreeNode::make_scalar(cell, cloc), hloc);
}

// One row as a mapping from (renamed) column to cell; empty cells and dropped columns left out.
TreeNode row_item(const TreeNode& spec, const CsvColumns& cols, const std::vector<CsvCell>& row,
                  SourceLoc rloc, int fid) {
  TreeNode item = TreeNode::make_map(rloc);
  const TreeNode* renames = spec.find("columns");
  for (std::size_t c = 0; c < cols.names.size(); ++c) {
    if (std::find(cols.ignored.begin(), cols.ignored.end(), cols.names[c]) != cols.ignored.end())
      continue;
    std::string key = cols.names[c];
    if (const TreeNode* m = renames ? renames->find(key) : nullptr) {
      if (m->is_null()) continue;  // `column: ~` drops it
      key = m->scalar;
    }
    std::string cell = trim(row[c].text);
    if (cell.empty()) continue;
    const auto& h = (*cols.header)[c];
    set_cell(item, key, cell, {fid, row[c].line, row[c].column}, {fid, h.line, h.column});
  }
  return item;
}

// `{column}` in a default's text is replaced by that row's cell: id: "mine_{country}".
// Returns false after reporting a placeholder that names no column.
bool fill_placeholders(Diagnostics& diag, TreeEntry& entry, const CsvColumns& cols,
                       const std::vector<CsvCell>& row, const std::string& at) {
  const std::string text = entry.value.scalar;
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::size_t close = text.find('}', i);
    if (text[i] != '{' || close == std::string::npos) {
      out += text[i];
      continue;
    }
    std::string col = text.substr(i + 1, close - i - 1);
    auto it = std::find(cols.names.begin(), cols.names.end(), col);
    if (it == cols.names.end()) {
      diag.error(entry.value.loc, at, "placeholder '{" + col + "}' names no column of " + cols.file,
                 {}, id_hint(col, cols.names));
      return false;
    }
    out += trim(row[static_cast<std::size_t>(it - cols.names.begin())].text);
    i = close;
  }
  entry.value.scalar = out;
  return true;
}

// defaults: keys a row does not set.
bool apply_defaults(Diagnostics& diag, const TreeNode& spec, const CsvColumns& cols,
                    const std::vector<CsvCell>& row, TreeNode& item, const std::string& path) {
  const TreeNode* defaults = spec.find("defaults");
  if (!defaults) return true;
  bool ok = true;
  for (const auto& e : defaults->entries) {
    if (item.find(e.key)) continue;
    TreeEntry entry = e;
    if (entry.value.is_scalar() && entry.value.scalar.find('{') != std::string::npos)
      ok = fill_placeholders(diag, entry, cols, row,
                             child_path(child_path(path, "defaults"), e.key)) &&
           ok;
    item.entries.push_back(std::move(entry));
  }
  return ok;
}

}  // namespace

bool Loader::expand_csv(const TreeNode& spec, const fs::path& base_dir, const std::string& path,
                        std::vector<TreeNode>& out) {
  if (!check_csv_spec(diag_, spec, path)) return false;
  const TreeNode* csv = spec.find("csv");
  fs::path file = (base_dir / csv->scalar).lexically_normal();
  auto text = read_file(file, Format::Csv, csv->loc, child_path(path, "csv"));
  if (!text) return false;
  bool text_ok = true;
  int fid = register_text(file.string(), *text, text_ok);
  if (!text_ok) return false;
  auto rows = parse_csv(*text, fid, diag_);
  std::size_t cells = 0;
  for (const auto& row : rows) cells += row.size();
  csv_cells_used_ += cells;
  if (cells > LoaderLimits::kMaxCsvCells || csv_cells_used_ > LoaderLimits::kMaxCsvCellsTotal) {
    diag_.error({fid, 1, 1}, path,
                "CSV table has " + std::to_string(cells) + " cells; the limit is " +
                    std::to_string(LoaderLimits::kMaxCsvCells) + " per table and " +
                    std::to_string(LoaderLimits::kMaxCsvCellsTotal) + " CSV cells per input",
                {}, "see 'Limits' in docs/formats.md");
    return false;
  }
  if (rows.empty()) {
    diag_.error({fid, 1, 1}, path, "CSV file is empty", "a header row naming the columns");
    return false;
  }
  CsvColumns cols;
  cols.file = file.string();
  cols.header = &rows.front();
  for (const auto& h : rows.front()) cols.names.push_back(trim(h.text));
  const bool header_ok = check_header(diag_, fid, cols, path);
  if (!check_named_columns(diag_, spec, cols, path) || !header_ok) return false;

  bool ok = true;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    SourceLoc rloc{fid, row.front().line, 1};
    if (row.size() != cols.names.size()) {
      diag_.error(rloc, path,
                  "CSV row has " + std::to_string(row.size()) + " cells but the header has " +
                      std::to_string(cols.names.size()) + " columns",
                  {}, "quote cells that contain commas");
      ok = false;
      continue;
    }
    if (!row_selected(spec, cols, row)) continue;
    TreeNode item = row_item(spec, cols, row, rloc, fid);
    ok = apply_defaults(diag_, spec, cols, row, item, path) && ok;
    out.push_back(std::move(item));
  }
  return ok;
}

}  // namespace rareshock::io
