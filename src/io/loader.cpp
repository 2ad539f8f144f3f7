#include "rareshock/io/loader.hpp"

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
    SourceLoc loc{fid, e.mark.line >= 0 ? e.mark.line + 1 : 1,
                  e.mark.column >= 0 ? e.mark.column + 1 : 1};
    diag_.error(loc, {}, "YAML syntax error: " + first_line(e.msg), {},
                "check indentation, a missing ':' or an unclosed quote or bracket");
    return std::nullopt;
  }
}

std::optional<TreeNode> Loader::load(const fs::path& file, SourceLoc from,
                                     const std::string& from_path) {
  return load_yaml_file(file.lexically_normal(), from, from_path);
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
          merge_into(merged, *sub);
        }
        include_stack_.pop_back();
        tree->erase("include");
        expand_tables(*tree, dir, "");
        merge_into(merged, *tree);
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

bool Loader::expand_csv(const TreeNode& spec, const fs::path& base_dir, const std::string& path,
                        std::vector<TreeNode>& out) {
  static const std::vector<std::string> kKeys = {"csv", "columns", "defaults", "where",
                                                 "ignore_columns"};
  bool ok = true;
  for (const auto& e : spec.entries)
    if (std::find(kKeys.begin(), kKeys.end(), e.key) == kKeys.end()) {
      std::string dym = did_you_mean(e.key, kKeys);
      diag_.error(e.key_loc, child_path(path, e.key),
                  "unknown key '" + e.key + "' in a CSV table reference", {},
                  (dym.empty() ? "" : dym + " ") + "allowed keys: " + join(kKeys));
      ok = false;
    }
  const TreeNode* csv = spec.find("csv");
  if (!csv->is_scalar()) {
    diag_.error(csv->loc, child_path(path, "csv"), "csv must be a file path",
                "csv: tables/nodes.csv");
    return false;
  }
  auto kind_check = [&](const char* key, bool want_map) {
    const TreeNode* n = spec.find(key);
    if (n && !(want_map ? n->is_map() : n->is_seq())) {
      diag_.error(n->loc, child_path(path, key),
                  std::string(key) + " must be " + (want_map ? "a mapping" : "a list"));
      ok = false;
    }
  };
  kind_check("columns", true);
  kind_check("defaults", true);
  kind_check("where", true);
  kind_check("ignore_columns", false);
  if (!ok) return false;

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
  const auto& header = rows.front();
  std::vector<std::string> names;
  for (const auto& h : header) names.push_back(trim(h.text));
  for (std::size_t c = 0; c < names.size(); ++c) {
    if (names[c].empty()) {
      diag_.error({fid, header[c].line, header[c].column}, path, "empty column name in CSV header");
      ok = false;
    }
    for (std::size_t d = 0; d < c; ++d)
      if (names[d] == names[c] && !names[c].empty()) {
        diag_.error({fid, header[c].line, header[c].column}, path,
                    "duplicate column '" + names[c] + "' in CSV header");
        ok = false;
      }
  }
  auto column_must_exist = [&](const TreeEntry& e, const char* what) {
    if (std::find(names.begin(), names.end(), e.key) == names.end()) {
      std::string dym = did_you_mean(e.key, names);
      diag_.error(e.key_loc, child_path(child_path(path, what), e.key),
                  "column '" + e.key + "' is not in " + file.string(), {},
                  (dym.empty() ? "" : dym + " ") + "columns: " + join(names));
      ok = false;
    }
  };
  std::vector<std::string> ignored;
  if (const TreeNode* ig = spec.find("ignore_columns"))
    for (const auto& n : ig->items) {
      if (std::find(names.begin(), names.end(), n.scalar) == names.end()) {
        std::string dym = did_you_mean(n.scalar, names);
        diag_.error(n.loc, child_path(path, "ignore_columns"),
                    "column '" + n.scalar + "' is not in " + file.string(), {},
                    (dym.empty() ? "" : dym + " ") + "columns: " + join(names));
        ok = false;
      }
      ignored.push_back(n.scalar);
    }
  if (const TreeNode* cols = spec.find("columns"))
    for (const auto& e : cols->entries) column_must_exist(e, "columns");
  if (const TreeNode* w = spec.find("where"))
    for (const auto& e : w->entries) column_must_exist(e, "where");
  if (!ok) return false;

  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    SourceLoc rloc{fid, row.front().line, 1};
    if (row.size() != names.size()) {
      diag_.error(rloc, path,
                  "CSV row has " + std::to_string(row.size()) + " cells but the header has " +
                      std::to_string(names.size()) + " columns",
                  {}, "quote cells that contain commas");
      ok = false;
      continue;
    }
    // where: keep only rows whose columns equal one of the given values.
    bool keep = true;
    if (const TreeNode* w = spec.find("where"))
      for (const auto& e : w->entries) {
        std::size_t c = std::find(names.begin(), names.end(), e.key) - names.begin();
        std::string cell = trim(row[c].text);
        bool match = false;
        if (e.value.is_seq()) {
          for (const auto& v : e.value.items) match = match || v.scalar == cell;
        } else {
          match = e.value.scalar == cell;
        }
        keep = keep && match;
      }
    if (!keep) continue;
    TreeNode item = TreeNode::make_map(rloc);
    for (std::size_t c = 0; c < names.size(); ++c) {
      if (std::find(ignored.begin(), ignored.end(), names[c]) != ignored.end()) continue;
      std::string key = names[c];
      if (const TreeNode* cols = spec.find("columns"))
        if (const TreeNode* m = cols->find(names[c])) {
          if (m->is_null()) continue;  // `column: ~` drops it
          key = m->scalar;
        }
      std::string cell = trim(row[c].text);
      if (cell.empty()) continue;
      SourceLoc cloc{fid, row[c].line, row[c].column};
      SourceLoc hloc{fid, header[c].line, header[c].column};
      // Dotted keys build nested mappings: `demand.ndfeb_sh` -> demand: {ndfeb_sh: ...}.
      TreeNode* target = &item;
      std::string rest = key;
      for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
        std::string head = rest.substr(0, dot);
        TreeNode* next = target->find(head);
        if (!next) next = &target->set(head, TreeNode::make_map(cloc), hloc);
        target = next;
        rest = rest.substr(dot + 1);
      }
      // The key's location is the header cell, so "unknown key" points at the column name.
      target->set(rest, TreeNode::make_scalar(cell, cloc), hloc);
    }
    if (const TreeNode* defaults = spec.find("defaults"))
      for (const auto& e : defaults->entries) {
        if (item.find(e.key)) continue;
        TreeEntry entry = e;
        // `{column}` in a default's text is replaced by that column's cell: id: "mine_{country}".
        if (entry.value.is_scalar() && entry.value.scalar.find('{') != std::string::npos) {
          std::string out;
          const std::string& text = entry.value.scalar;
          for (std::size_t i = 0; i < text.size(); ++i) {
            std::size_t close = text.find('}', i);
            if (text[i] != '{' || close == std::string::npos) {
              out += text[i];
              continue;
            }
            std::string col = text.substr(i + 1, close - i - 1);
            auto it = std::find(names.begin(), names.end(), col);
            if (it == names.end()) {
              diag_.error(entry.value.loc, child_path(child_path(path, "defaults"), e.key),
                          "placeholder '{" + col + "}' names no column of " + file.string(), {},
                          id_hint(col, names));
              ok = false;
              break;
            }
            out += trim(row[it - names.begin()].text);
            i = close;
          }
          entry.value.scalar = out;
        }
        item.entries.push_back(entry);
      }
    out.push_back(std::move(item));
  }
  return ok;
}

}  // namespace rareshock::io
