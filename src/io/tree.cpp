#include "rareshock/io/tree.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "rareshock/core/text.hpp"
#include "rareshock/io/reader.hpp"

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

std::string item_key(const TreeNode& item) {
  std::string id = item.id();
  if (!id.empty() || !item.is_map()) return id;
  const TreeNode* from = item.find("from");
  const TreeNode* to = item.find("to");
  const TreeNode* material = item.find("material");
  if (!from || !to || !material || !from->is_scalar() || !to->is_scalar() ||
      !material->is_scalar() || from->scalar.empty() || to->scalar.empty() ||
      material->scalar.empty())
    return {};
  return from->scalar + "->" + to->scalar + ":" + material->scalar;
}

namespace {

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

// Whether selector \p sel names an item with key \p key: the key itself, an id pattern with
// `*`, or an edge's `from->to` without its material.
bool selects(std::string_view sel, const std::string& key) {
  if (key.empty()) return false;
  if (sel == key) return true;
  if (sel.find('*') != std::string_view::npos) return glob_match(sel, key);
  return sel.find("->") != std::string_view::npos && sel.find(':') == std::string_view::npos &&
         key.size() > sel.size() && key.compare(0, sel.size(), sel) == 0 && key[sel.size()] == ':';
}

// An override list item `{remove: ID}` or `{remove: [ID, ...]}`: removes items from the list
// it is merged into.
bool is_remove_directive(const TreeNode& n) {
  return n.is_map() && n.entries.size() == 1 && n.entries[0].key == "remove";
}

bool all_items_have_keys(const TreeNode& seq) {
  if (seq.items.empty()) return false;
  return std::all_of(seq.items.begin(), seq.items.end(),
                     [](const TreeNode& n) { return !item_key(n).empty(); });
}

// Override items are merged by key when every base item has one and every override item has
// one or is a `remove:` directive.
bool mergeable_lists(const TreeNode& base, const TreeNode& over) {
  if (!all_items_have_keys(base) || over.items.empty()) return false;
  return std::all_of(over.items.begin(), over.items.end(), [](const TreeNode& n) {
    return is_remove_directive(n) || !item_key(n).empty();
  });
}

// Applies one `remove:` directive to \p base; reports selectors that match nothing.
void apply_remove(TreeNode& base, const TreeNode& directive, Diagnostics* diag,
                  const std::string& path) {
  const TreeNode& what = directive.entries[0].value;
  std::vector<const TreeNode*> sels;
  if (what.is_seq())
    for (const auto& i : what.items) sels.push_back(&i);
  else
    sels.push_back(&what);
  for (const TreeNode* sel : sels) {
    if (!sel->is_scalar() || sel->scalar.empty()) {
      if (diag)
        diag->error(sel->loc, path, "remove: needs an id, not " + describe(*sel),
                    "- remove: cn_mine   or   - remove: [a, b]   or   - remove: from->to:material");
      continue;
    }
    std::vector<std::string> keys;
    for (const auto& item : base.items) keys.push_back(item_key(item));
    const std::size_t before = base.items.size();
    base.items.erase(
        std::remove_if(base.items.begin(), base.items.end(),
                       [&](const TreeNode& item) { return selects(sel->scalar, item_key(item)); }),
        base.items.end());
    if (base.items.size() == before && diag)
      diag->error(sel->loc, path, "remove: no item '" + sel->scalar + "' in '" + path + "'", {},
                  id_hint(sel->scalar, keys));
  }
}

// Warns when an override list replaces a long list whose items could have been merged by id.
void warn_replaced(const TreeNode& base, const TreeNode& over, Diagnostics* diag,
                   const std::string& path) {
  constexpr std::size_t kLongList = 10;
  if (!diag || !over.is_seq() || base.items.size() < kLongList || !all_items_have_keys(base) ||
      same_content(base, over))
    return;
  std::size_t keyless = 0;
  while (keyless < over.items.size() && !item_key(over.items[keyless]).empty()) ++keyless;
  const bool edges = base.items.front().id().empty();
  const char* key_words = edges ? "'from', 'to' and 'material'" : "an 'id'";
  const std::string why = keyless < over.items.size()
                              ? fmt::format("its item {} has no {}", keyless + 1,
                                            edges ? "'from', 'to' and 'material'" : "'id'")
                              : std::string("it is empty");
  diag->warning(over.loc, path,
                fmt::format("this list replaces all {} items of '{}' from the included file "
                            "({}): they are dropped",
                            base.items.size(), path, why),
                fmt::format("items with {} are merged into the included list (changed where "
                            "it has the same {}, else appended); '- remove: ID' removes one; "
                            "to replace the whole list on purpose, start it with "
                            "'- remove: \"*\"'",
                            key_words, edges ? "from, to and material" : "id"));
}

}  // namespace

void merge_into(TreeNode& base, const TreeNode& over, Diagnostics* diag, const std::string& path) {
  if (base.is_map() && over.is_map()) {
    for (const auto& e : over.entries) {
      TreeNode* existing = base.find(e.key);
      if (existing)
        merge_into(*existing, e.value, diag, child_path(path, e.key));
      else
        base.entries.push_back(e);
    }
    return;
  }
  if (base.is_seq() && over.is_seq() && mergeable_lists(base, over)) {
    for (const auto& item : over.items) {
      if (is_remove_directive(item)) {
        apply_remove(base, item, diag, path);
        continue;
      }
      const std::string key = item_key(item);
      auto it = std::find_if(base.items.begin(), base.items.end(),
                             [&](const TreeNode& b) { return item_key(b) == key; });
      if (it != base.items.end())
        merge_into(*it, item, diag,
                   item_path(path, *it, static_cast<std::size_t>(it - base.items.begin())));
      else
        base.items.push_back(item);
    }
    return;
  }
  if (base.is_seq()) warn_replaced(base, over, diag, path);
  base = over;
}

void strip_remove_directives(TreeNode& node, Diagnostics& diag, const std::string& path) {
  if (node.is_map()) {
    for (auto& e : node.entries) strip_remove_directives(e.value, diag, child_path(path, e.key));
    return;
  }
  if (!node.is_seq()) return;
  for (std::size_t i = 0; i < node.items.size(); ++i)
    if (is_remove_directive(node.items[i]))
      diag.error(node.items[i].entries[0].key_loc, path,
                 "'remove:' has nothing to remove here: no included file gives '" + path +
                     "' a list of items with ids",
                 {},
                 "'- remove: ID' belongs in a file that includes (include: base.yaml) the file "
                 "whose list holds the item");
    else
      strip_remove_directives(node.items[i], diag, item_path(path, node.items[i], i));
  node.items.erase(std::remove_if(node.items.begin(), node.items.end(), is_remove_directive),
                   node.items.end());
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
  std::string key = item_key(item);
  return std::string(parent) + "[" + (key.empty() ? std::to_string(index) : key) + "]";
}

namespace {

struct Segment {
  enum Kind { Key, Item, Wild, Glob, Append } kind;
  std::string text;
};

Segment bracket_segment(std::string sel) {
  if (sel == "*") return Segment{Segment::Wild, ""};
  if (sel == "+") return Segment{Segment::Append, ""};
  if (sel.find('*') != std::string::npos) return Segment{Segment::Glob, std::move(sel)};
  return Segment{Segment::Item, std::move(sel)};
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
      out.push_back(bracket_segment(std::string(p.substr(i + 1, e - i - 1))));
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

// The item of \p seq that \p sel names: by key (id, or an edge's from->to:material), by an
// edge's `from->to` when only one edge matches, else by index. Null when none; then
// \p ambiguous (optional) lists the keys when `from->to` names several edges.
TreeNode* select_item(TreeNode& seq, const std::string& sel, std::size_t* index,
                      std::vector<std::string>* ambiguous = nullptr) {
  std::vector<std::size_t> hits;
  for (std::size_t i = 0; i < seq.items.size(); ++i) {
    const std::string key = item_key(seq.items[i]);
    if (key == sel) {
      *index = i;
      return &seq.items[i];
    }
    if (sel.find('*') == std::string::npos && selects(sel, key)) hits.push_back(i);
  }
  if (hits.size() == 1) {
    *index = hits.front();
    return &seq.items[hits.front()];
  }
  if (hits.size() > 1) {
    if (ambiguous)
      for (std::size_t h : hits) ambiguous->push_back(item_key(seq.items[h]));
    return nullptr;
  }
  std::size_t k = 0;
  auto r = std::from_chars(sel.data(), sel.data() + sel.size(), k);
  if (r.ec == std::errc() && r.ptr == sel.data() + sel.size() && k < seq.items.size()) {
    *index = k;
    return &seq.items[k];
  }
  return nullptr;
}

// The concrete path of a match (find_paths): `parent[id]`, else `parent[index]` — an edge by
// its index, which names one edge even where two share from, to and material.
std::string match_path(std::string_view parent, const TreeNode& item, std::size_t index) {
  std::string id = item.id();
  return std::string(parent) + "[" + (id.empty() ? std::to_string(index) : id) + "]";
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
        walk(*c, segs, i + 1, match_path(path, *c, idx), out);
    }
  } else if (s.kind == Segment::Item) {
    std::size_t idx = 0;
    if (node.is_seq())
      if (TreeNode* c = select_item(node, s.text, &idx))
        walk(*c, segs, i + 1, match_path(path, *c, idx), out);
  } else if (s.kind == Segment::Glob) {
    if (node.is_seq())
      for (std::size_t k = 0; k < node.items.size(); ++k)
        if (glob_match(s.text, item_key(node.items[k])) && !item_key(node.items[k]).empty())
          walk(node.items[k], segs, i + 1, match_path(path, node.items[k], k), out);
  } else if (s.kind == Segment::Wild) {
    if (node.is_map())
      for (auto& e : node.entries) walk(e.value, segs, i + 1, child_path(path, e.key), out);
    else if (node.is_seq())
      for (std::size_t k = 0; k < node.items.size(); ++k)
        walk(node.items[k], segs, i + 1, match_path(path, node.items[k], k), out);
  }
}

// Where set_path and remove_path report a failure.
struct PathFailure {
  std::string* error;
  std::vector<std::string>* suggestions;
  std::string* missing;
  bool fail(std::string message, const std::string& miss = {},
            const std::vector<std::string>& known = {}) const {
    if (error) *error = std::move(message);
    if (missing && !miss.empty()) *missing = miss;
    if (suggestions) suggestions->insert(suggestions->end(), known.begin(), known.end());
    return false;
  }
};

std::string shown(const std::string& done) {
  return done.empty() ? "<root>" : done;
}

std::vector<std::string> keys_of(const TreeNode& n) {
  std::vector<std::string> out;
  if (n.is_map())
    for (const auto& e : n.entries) out.push_back(e.key);
  for (const auto& i : n.items)
    if (std::string k = item_key(i); !k.empty()) out.push_back(k);
  return out;
}

TreeNode* step_into_list(TreeNode& seq, const Segment& s, std::string& done, const PathFailure& f) {
  std::size_t idx = 0;
  std::vector<std::string> ambiguous;
  if (TreeNode* c = select_item(seq, s.text, &idx, &ambiguous)) {
    done = item_path(done, *c, idx);
    return c;
  }
  if (!ambiguous.empty())
    f.fail(fmt::format("'{}' names {} items of '{}' ({}); add the material: [{}]", s.text,
                       ambiguous.size(), done, join(ambiguous), ambiguous.front()),
           s.text);
  else
    f.fail("no list item '" + s.text + "' in '" + done + "'", s.text, keys_of(seq));
  return nullptr;
}

// A mapping key; a missing one is created (as null) when \p create and no list selector
// follows it (a misspelt key is then reported by validation as an unknown key).
TreeNode* step_into_map(TreeNode& cur, const Segment& s, const Segment* next, bool create,
                        std::string& done, SourceLoc loc, const PathFailure& f) {
  if (s.kind == Segment::Item) {
    f.fail(fmt::format("'{}' is not a list", shown(done)));
    return nullptr;
  }
  if (cur.is_null() && create) cur = TreeNode::make_map(cur.loc);
  if (!cur.is_map()) {
    f.fail("'" + shown(done) + "' is not a mapping");
    return nullptr;
  }
  TreeNode* c = cur.find(s.text);
  if (!c && (!create || (next && next->kind == Segment::Item))) {
    f.fail("no key '" + s.text + "' in '" + shown(done) + "'", s.text, keys_of(cur));
    return nullptr;
  }
  if (!c) c = &cur.set(s.text, TreeNode{}, loc);
  done = child_path(done, s.text);
  return c;
}

// Follows the first \p n segments from \p root (no wildcards).
TreeNode* follow(TreeNode& root, const std::vector<Segment>& segs, std::size_t n, bool create,
                 std::string& done, SourceLoc loc, const PathFailure& f) {
  TreeNode* cur = &root;
  for (std::size_t i = 0; i < n && cur; ++i) {
    const Segment& s = segs[i];
    if (s.kind == Segment::Wild || s.kind == Segment::Glob) {
      f.fail("wildcards are not allowed here");
      return nullptr;
    }
    if (s.kind == Segment::Append) {
      f.fail("'[+]' appends an item to a list; it must end the key path");
      return nullptr;
    }
    const Segment* next = i + 1 < segs.size() ? &segs[i + 1] : nullptr;
    cur = cur->is_seq() ? step_into_list(*cur, s, done, f)
                        : step_into_map(*cur, s, next, create, done, loc, f);
  }
  return cur;
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
              std::vector<std::string>* suggestions, std::string* missing, SourceLoc key_loc) {
  std::vector<Segment> segs;
  if (!parse_path(path, segs, error)) return false;
  const PathFailure f{error, suggestions, missing};
  const bool append = segs.back().kind == Segment::Append;
  std::string done;
  if (key_loc == SourceLoc{}) key_loc = value.loc;
  TreeNode* cur = follow(root, segs, segs.size() - (append ? 1 : 0), true, done, key_loc, f);
  if (!cur) return false;
  if (!append) {
    *cur = std::move(value);
    return true;
  }
  if (cur->is_null()) *cur = TreeNode::make_seq(cur->loc);
  if (!cur->is_seq()) return f.fail(fmt::format("'{}' is not a list to append to", shown(done)));
  cur->items.push_back(std::move(value));
  return true;
}

bool remove_path(TreeNode& root, std::string_view path, std::string* error,
                 std::vector<std::string>* suggestions, std::string* missing) {
  std::vector<Segment> segs;
  if (!parse_path(path, segs, error)) return false;
  const PathFailure f{error, suggestions, missing};
  const Segment last = segs.back();
  if (last.kind == Segment::Append || last.kind == Segment::Wild)
    return f.fail("a removal names one key or list item (or an id pattern), not '[+]' or '*'");
  std::string done;
  TreeNode* parent = follow(root, segs, segs.size() - 1, false, done, {}, f);
  if (!parent) return false;
  if (parent->is_map() && last.kind == Segment::Key) {
    if (parent->erase(last.text)) return true;
    return f.fail("no key '" + last.text + "' in '" + shown(done) + "'", last.text,
                  keys_of(*parent));
  }
  if (!parent->is_seq()) return f.fail(fmt::format("'{}' is not a list", shown(done)));
  auto& items = parent->items;
  const std::size_t before = items.size();
  items.erase(std::remove_if(items.begin(), items.end(),
                             [&](const TreeNode& n) { return selects(last.text, item_key(n)); }),
              items.end());
  if (items.size() < before) return true;
  std::size_t idx = 0;
  if (last.kind == Segment::Item && select_item(*parent, last.text, &idx)) {
    items.erase(items.begin() + static_cast<std::ptrdiff_t>(idx));
    return true;
  }
  return f.fail("no list item '" + last.text + "' in '" + shown(done) + "'", last.text,
                keys_of(*parent));
}

}  // namespace rareshock::io
