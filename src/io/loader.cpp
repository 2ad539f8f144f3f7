#include "rareshock/io/loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "rareshock/core/text.hpp"
#include "rareshock/io/reader.hpp"

namespace rareshock::io {
namespace fs = std::filesystem;

namespace {

SourceLoc loc_of(const YAML::Mark& m, int file, SourceLoc fallback) {
  if (m.line < 0 || m.is_null()) return fallback;
  return SourceLoc{file, m.line + 1, m.column + 1};
}

TreeNode convert(const YAML::Node& y, int file, SourceLoc fallback, const std::string& path,
                 Diagnostics& diag) {
  TreeNode n;
  n.loc = loc_of(y.Mark(), file, fallback);
  switch (y.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      n.kind = TreeNode::Kind::Null;
      break;
    case YAML::NodeType::Scalar:
      n.kind = TreeNode::Kind::Scalar;
      n.scalar = y.Scalar();
      n.quoted = y.Tag() == "!";
      break;
    case YAML::NodeType::Sequence: {
      n.kind = TreeNode::Kind::Sequence;
      std::size_t i = 0;
      for (const auto& item : y) {
        TreeNode c = convert(item, file, n.loc, path + "[" + std::to_string(i) + "]", diag);
        n.items.push_back(std::move(c));
        ++i;
      }
      break;
    }
    case YAML::NodeType::Map: {
      n.kind = TreeNode::Kind::Map;
      for (const auto& kv : y) {
        SourceLoc kloc = loc_of(kv.first.Mark(), file, n.loc);
        if (!kv.first.IsScalar()) {
          diag.error(kloc, path, "a key must be plain text", "key: value");
          continue;
        }
        std::string key = kv.first.Scalar();
        if (n.find(key)) {
          diag.error(kloc, child_path(path, key), "duplicate key '" + key + "'", {},
                     "each key may appear once per mapping; remove one of them");
          continue;
        }
        TreeNode v = convert(kv.second, file, kloc, child_path(path, key), diag);
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
      while (j < text.size() && text[j] != ',' && text[j] != '\n' && text[j] != '\r') ++j;
      if (j > i) {
        diag.error({file, line, col}, {}, "unexpected text after a quoted CSV field",
                   "',' or the end of the line");
        col += static_cast<int>(j - i);
        i = j;
      }
      row_has_content = true;
    } else {
      while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
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

std::optional<std::string> Loader::read_file(const fs::path& file, SourceLoc from,
                                             const std::string& from_path) {
  std::ifstream in(file, std::ios::binary);
  if (!in || fs::is_directory(file)) {
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
    diag_.error(from, from_path,
                "cannot open file '" + file.string() + "'" +
                    (exists ? " (not a readable file)" : " (no such file)"),
                {}, hint);
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  if (std::find(files_.begin(), files_.end(), file) == files_.end()) files_.push_back(file);
  return ss.str();
}

std::optional<Loader::CsvTable> Loader::load_csv(const fs::path& file, SourceLoc from,
                                                 const std::string& from_path) {
  fs::path path = file.lexically_normal();
  auto text = read_file(path, from, from_path);
  if (!text) return std::nullopt;
  CsvTable t;
  t.file = path.string();
  t.file_id = sources_.add(t.file, *text);
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
  int fid = sources_.add(name, text);
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(text);
    if (docs.size() > 1) {
      diag_.error(loc_of(docs[1].Mark(), fid, SourceLoc{fid, 1, 1}), {},
                  "this file holds " + std::to_string(docs.size()) +
                      " YAML documents; rareshock reads one document per file",
                  {}, "remove the '---' separator or split the file");
      return std::nullopt;
    }
    if (docs.empty()) {
      TreeNode empty;
      empty.loc = SourceLoc{fid, 1, 1};
      return empty;
    }
    return convert(docs[0], fid, SourceLoc{fid, 1, 1}, "", diag_);
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
  auto text = read_file(file, from, from_path);
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
  auto text = read_file(file, csv->loc, child_path(path, "csv"));
  if (!text) return false;
  int fid = sources_.add(file.string(), *text);
  auto rows = parse_csv(*text, fid, diag_);
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
