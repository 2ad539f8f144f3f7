#include "rareshock/io/tree.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "rareshock/core/text.hpp"

namespace rareshock::io {

const TreeNode* TreeNode::find(std::string_view key) const {
  for (const auto& e : entries)
    if (e.key == key) return &e.value;
  return nullptr;
}

TreeNode* TreeNode::find(std::string_view key) {
  for (auto& e : entries)
    if (e.key == key) return &e.value;
  return nullptr;
}

const TreeEntry* TreeNode::find_entry(std::string_view key) const {
  for (const auto& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

TreeNode& TreeNode::set(std::string key, TreeNode value, SourceLoc key_loc) {
  kind = Kind::Map;
  for (auto& e : entries)
    if (e.key == key) {
      e.value = std::move(value);
      return e.value;
    }
  entries.push_back(TreeEntry{std::move(key), key_loc, std::move(value)});
  return entries.back().value;
}

bool TreeNode::erase(std::string_view key) {
  auto it = std::find_if(entries.begin(), entries.end(), [&](auto& e) { return e.key == key; });
  if (it == entries.end()) return false;
  entries.erase(it);
  return true;
}

std::string TreeNode::id() const {
  if (!is_map()) return {};
  const TreeNode* n = find("id");
  if (!n)  // a scenario document's id is in its header
    if (const TreeNode* h = find("scenario"); h && h->is_map()) n = h->find("id");
  return (n && n->is_scalar()) ? n->scalar : std::string{};
}

TreeNode TreeNode::make_scalar(std::string text, SourceLoc loc, bool quoted) {
  TreeNode n;
  n.kind = Kind::Scalar;
  n.scalar = std::move(text);
  n.loc = loc;
  n.quoted = quoted;
  return n;
}
TreeNode TreeNode::make_map(SourceLoc loc) {
  TreeNode n;
  n.kind = Kind::Map;
  n.loc = loc;
  return n;
}
TreeNode TreeNode::make_seq(SourceLoc loc) {
  TreeNode n;
  n.kind = Kind::Sequence;
  n.loc = loc;
  return n;
}

bool same_content(const TreeNode& a, const TreeNode& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case TreeNode::Kind::Null:
      return true;
    case TreeNode::Kind::Scalar:
      return a.scalar == b.scalar;
    case TreeNode::Kind::Sequence:
      if (a.items.size() != b.items.size()) return false;
      for (std::size_t i = 0; i < a.items.size(); ++i)
        if (!same_content(a.items[i], b.items[i])) return false;
      return true;
    case TreeNode::Kind::Map:
      if (a.entries.size() != b.entries.size()) return false;
      for (std::size_t i = 0; i < a.entries.size(); ++i)
        if (a.entries[i].key != b.entries[i].key ||
            !same_content(a.entries[i].value, b.entries[i].value))
          return false;
      return true;
  }
  return false;
}

namespace {
bool all_items_have_ids(const TreeNode& seq) {
  if (seq.items.empty()) return false;
  return std::all_of(seq.items.begin(), seq.items.end(),
                     [](const TreeNode& n) { return !n.id().empty(); });
}
}  // namespace

void merge_into(TreeNode& base, const TreeNode& over) {
  if (base.is_map() && over.is_map()) {
    for (const auto& e : over.entries) {
      TreeNode* existing = base.find(e.key);
      if (existing)
        merge_into(*existing, e.value);
      else
        base.entries.push_back(e);
    }
    return;
  }
  if (base.is_seq() && over.is_seq() && all_items_have_ids(base) && all_items_have_ids(over)) {
    for (const auto& item : over.items) {
      auto it = std::find_if(base.items.begin(), base.items.end(),
                             [&](const TreeNode& b) { return b.id() == item.id(); });
      if (it != base.items.end())
        merge_into(*it, item);
      else
        base.items.push_back(item);
    }
    return;
  }
  base = over;
}

std::string describe(const TreeNode& n) {
  switch (n.kind) {
    case TreeNode::Kind::Null:
      return "nothing";
    case TreeNode::Kind::Scalar:
      return "'" + n.scalar + "'";
    case TreeNode::Kind::Sequence:
      return "a list";
    case TreeNode::Kind::Map:
      return "a mapping";
  }
  return "?";
}

namespace {
void emit(YAML::Emitter& out, const TreeNode& n) {
  switch (n.kind) {
    case TreeNode::Kind::Null:
      out << YAML::Null;
      break;
    case TreeNode::Kind::Scalar:
      if (n.quoted) out << YAML::DoubleQuoted;
      out << n.scalar;
      break;
    case TreeNode::Kind::Sequence:
      out << YAML::BeginSeq;
      for (const auto& i : n.items) emit(out, i);
      out << YAML::EndSeq;
      break;
    case TreeNode::Kind::Map:
      out << YAML::BeginMap;
      for (const auto& e : n.entries) {
        out << YAML::Key << e.key << YAML::Value;
        emit(out, e.value);
      }
      out << YAML::EndMap;
      break;
  }
}
}  // namespace

// yaml-cpp's output, used as the reference for the fast writer below (and for documents the
// fast writer does not handle).
std::string to_yaml_reference(const TreeNode& n) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, n);
  return std::string(out.c_str()) + "\n";
}

namespace {
// Writes the same block-style text as yaml-cpp (to_yaml_reference) in linear time. yaml-cpp
// decides per scalar whether it can be plain with a regular-expression scan that dominated
// writing large resolved studies; here each distinct scalar is rendered once by yaml-cpp
// (standalone, which is the same block-context decision) and memoised.
class FastYaml {
 public:
  bool ok = true;  // false: a key yaml-cpp would write as a complex key ("? ..."); use yaml-cpp
  std::string out;

  void node_at_root(const TreeNode& n) {
    if (container(n) && !empty(n)) {
      if (n.kind == TreeNode::Kind::Map)
        map(n, 0, false);
      else
        seq(n, 0, false);
    } else {
      out += inline_text(n);
    }
  }

 private:
  std::unordered_map<std::string, std::string> plain_, quoted_;

  static bool container(const TreeNode& n) {
    return n.kind == TreeNode::Kind::Map || n.kind == TreeNode::Kind::Sequence;
  }
  static bool empty(const TreeNode& n) {
    return n.kind == TreeNode::Kind::Map ? n.entries.empty() : n.items.empty();
  }
  const std::string& scalar(const std::string& s, bool quoted) {
    auto& memo = quoted ? quoted_ : plain_;
    auto it = memo.find(s);
    if (it != memo.end()) return it->second;
    YAML::Emitter e;
    e.SetIndent(2);
    if (quoted) e << YAML::DoubleQuoted;
    e << s;
    return memo.emplace(s, std::string(e.c_str())).first->second;
  }
  std::string inline_text(const TreeNode& n) {
    switch (n.kind) {
      case TreeNode::Kind::Null:
        return "~";
      case TreeNode::Kind::Scalar:
        return scalar(n.scalar, n.quoted);
      case TreeNode::Kind::Map:
        return "{}";
      case TreeNode::Kind::Sequence:
        return "[]";
    }
    return {};
  }
  void line(int col) {
    if (!out.empty()) out += '\n';
    out.append(static_cast<std::size_t>(col), ' ');
  }
  void map(const TreeNode& n, int col, bool first_inline) {
    bool first = true;
    for (const auto& e : n.entries) {
      if (!(first && first_inline)) line(col);
      first = false;
      const std::string& key = scalar(e.key, false);
      if (key.size() > 1000 || key.find('\n') != std::string::npos) ok = false;
      out += key;
      out += ':';
      const TreeNode& v = e.value;
      if (container(v) && empty(v)) {  // yaml-cpp: "key:" then "{}" / "[]" on the next line
        line(col + 2);
        out += inline_text(v);
      } else if (container(v)) {
        if (v.kind == TreeNode::Kind::Map)
          map(v, col + 2, false);
        else
          seq(v, col + 2, false);
      } else {
        out += ' ';
        out += inline_text(v);
      }
    }
  }
  void seq(const TreeNode& n, int col, bool first_inline) {
    bool first = true;
    for (const auto& i : n.items) {
      if (!(first && first_inline)) line(col);
      first = false;
      out += '-';
      if (i.kind == TreeNode::Kind::Sequence) {  // yaml-cpp: "-" then the list on the next line
        if (i.items.empty()) {
          line(col + 2);
          out += "[]";
        } else {
          seq(i, col + 2, false);
        }
      } else if (i.kind == TreeNode::Kind::Map && !i.entries.empty()) {
        out += ' ';
        map(i, col + 2, true);
      } else {
        out += ' ';
        out += inline_text(i);
      }
    }
  }
};
}  // namespace

std::string to_yaml(const TreeNode& n) {
  FastYaml f;
  f.node_at_root(n);
  if (!f.ok) return to_yaml_reference(n);
  return f.out + "\n";
}

std::string child_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

std::string item_path(std::string_view parent, const TreeNode& item, std::size_t index) {
  std::string id = item.id();
  return std::string(parent) + "[" + (id.empty() ? std::to_string(index) : id) + "]";
}

namespace {

struct Segment {
  enum Kind { Key, Item, Wild, Glob } kind;
  std::string text;
};

// `*` in an item selector matches any run of characters of an id (`[ev_traction_*]`).
bool glob_match(std::string_view pat, std::string_view s) {
  std::size_t star = std::string_view::npos, mark = 0, i = 0, j = 0;
  while (j < s.size()) {
    if (i < pat.size() && pat[i] == '*') {
      star = i++;
      mark = j;
    } else if (i < pat.size() && pat[i] == s[j]) {
      ++i;
      ++j;
    } else if (star != std::string_view::npos) {
      i = star + 1;
      j = ++mark;
    } else {
      return false;
    }
  }
  while (i < pat.size() && pat[i] == '*') ++i;
  return i == pat.size();
}

bool parse_path(std::string_view p, std::vector<Segment>& out, std::string* error) {
  std::size_t i = 0;
  while (i < p.size()) {
    if (p[i] == '.') {
      ++i;
      continue;
    }
    if (p[i] == '[') {
      std::size_t e = p.find(']', i);
      if (e == std::string_view::npos) {
        if (error) *error = "unclosed '[' in key path '" + std::string(p) + "'";
        return false;
      }
      std::string sel(p.substr(i + 1, e - i - 1));
      if (sel == "*")
        out.push_back(Segment{Segment::Wild, ""});
      else if (sel.find('*') != std::string::npos)
        out.push_back(Segment{Segment::Glob, sel});
      else
        out.push_back(Segment{Segment::Item, sel});
      i = e + 1;
      continue;
    }
    std::size_t e = i;
    while (e < p.size() && p[e] != '.' && p[e] != '[') ++e;
    std::string key(p.substr(i, e - i));
    out.push_back(key == "*" ? Segment{Segment::Wild, ""} : Segment{Segment::Key, key});
    i = e;
  }
  if (out.empty()) {
    if (error) *error = "empty key path";
    return false;
  }
  return true;
}

TreeNode* select_item(TreeNode& seq, const std::string& sel, std::size_t* index) {
  for (std::size_t i = 0; i < seq.items.size(); ++i)
    if (seq.items[i].id() == sel) {
      *index = i;
      return &seq.items[i];
    }
  std::size_t k = 0;
  auto r = std::from_chars(sel.data(), sel.data() + sel.size(), k);
  if (r.ec == std::errc() && r.ptr == sel.data() + sel.size() && k < seq.items.size()) {
    *index = k;
    return &seq.items[k];
  }
  return nullptr;
}

void walk(TreeNode& node, const std::vector<Segment>& segs, std::size_t i, const std::string& path,
          std::vector<PathMatch>& out) {
  if (i == segs.size()) {
    out.push_back({path, &node});
    return;
  }
  const Segment& s = segs[i];
  if (s.kind == Segment::Key) {
    if (node.is_map()) {
      if (TreeNode* c = node.find(s.text)) walk(*c, segs, i + 1, child_path(path, s.text), out);
    } else if (node.is_seq()) {  // `nodes.cn_mine` also selects by id
      std::size_t idx = 0;
      if (TreeNode* c = select_item(node, s.text, &idx))
        walk(*c, segs, i + 1, item_path(path, *c, idx), out);
    }
  } else if (s.kind == Segment::Item) {
    std::size_t idx = 0;
    if (node.is_seq())
      if (TreeNode* c = select_item(node, s.text, &idx))
        walk(*c, segs, i + 1, item_path(path, *c, idx), out);
  } else if (s.kind == Segment::Glob) {
    if (node.is_seq())
      for (std::size_t k = 0; k < node.items.size(); ++k) {
        const std::string id = node.items[k].id();
        if (!id.empty() && glob_match(s.text, id))
          walk(node.items[k], segs, i + 1, item_path(path, node.items[k], k), out);
      }
  } else {
    if (node.is_map())
      for (auto& e : node.entries) walk(e.value, segs, i + 1, child_path(path, e.key), out);
    else if (node.is_seq())
      for (std::size_t k = 0; k < node.items.size(); ++k)
        walk(node.items[k], segs, i + 1, item_path(path, node.items[k], k), out);
  }
}

}  // namespace

std::vector<PathMatch> find_paths(TreeNode& root, std::string_view pattern, std::string* error) {
  std::vector<Segment> segs;
  std::vector<PathMatch> out;
  if (!parse_path(pattern, segs, error)) return out;
  walk(root, segs, 0, "", out);
  return out;
}

bool set_path(TreeNode& root, std::string_view path, TreeNode value, std::string* error,
              std::vector<std::string>* suggestions, std::string* missing) {
  std::vector<Segment> segs;
  if (!parse_path(path, segs, error)) return false;
  TreeNode* cur = &root;
  std::string done;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const Segment& s = segs[i];
    bool last = i + 1 == segs.size();
    if (s.kind == Segment::Wild || s.kind == Segment::Glob) {
      if (error) *error = "wildcards are not allowed here";
      return false;
    }
    if (cur->is_seq()) {
      std::size_t idx = 0;
      TreeNode* c = select_item(*cur, s.text, &idx);
      if (!c) {
        if (error) *error = "no list item '" + s.text + "' in '" + done + "'";
        if (missing) *missing = s.text;
        if (suggestions)
          for (const auto& it : cur->items)
            if (!it.id().empty()) suggestions->push_back(it.id());
        return false;
      }
      done = item_path(done, *c, idx);
      cur = c;
    } else {
      if (s.kind == Segment::Item) {
        const std::string where = done.empty() ? std::string("<root>") : done;
        if (error) *error = fmt::format("'{}' is not a list", where);
        return false;
      }
      if (!cur->is_map()) {
        if (cur->is_null()) {
          *cur = TreeNode::make_map(cur->loc);
        } else {
          if (error) *error = "'" + done + "' is not a mapping";
          return false;
        }
      }
      TreeNode* c = cur->find(s.text);
      if (!c) {
        // A missing key is created (as a mapping when more follows); if it is misspelt,
        // validation reports it as an unknown key with a suggestion.
        if (!last && segs[i + 1].kind == Segment::Item) {
          if (error)
            *error = "no key '" + s.text + "' in '" + (done.empty() ? "<root>" : done) + "'";
          if (missing) *missing = s.text;
          if (suggestions)
            for (const auto& e : cur->entries) suggestions->push_back(e.key);
          return false;
        }
        c = &cur->set(s.text, TreeNode{}, value.loc);
      }
      done = child_path(done, s.text);
      cur = c;
    }
  }
  *cur = std::move(value);
  return true;
}

}  // namespace rareshock::io
