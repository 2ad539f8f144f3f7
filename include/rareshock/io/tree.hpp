#pragma once
/// \file A located document tree: what YAML files and CSV tables become before validation.
/// Every node keeps the file, line and column it came from, so any later check can point at
/// the text. Includes are merged and CSV tables expanded at this level.
#include <string>
#include <string_view>
#include <vector>

#include "rareshock/core/diagnostics.hpp"

namespace rareshock::io {

struct TreeEntry;

/// A YAML-like node: null, scalar (text), sequence or mapping (ordered, keys located).
struct TreeNode {
  enum class Kind { Null, Scalar, Sequence, Map };
  Kind kind = Kind::Null;
  std::string scalar;   ///< scalar text (unparsed)
  bool quoted = false;  ///< scalar was quoted in the source (so it is text, never a number)
  SourceLoc loc;
  std::vector<TreeEntry> entries;  ///< for Map, in source order
  std::vector<TreeNode> items;     ///< for Sequence

  bool is_null() const { return kind == Kind::Null; }
  bool is_scalar() const { return kind == Kind::Scalar; }
  bool is_seq() const { return kind == Kind::Sequence; }
  bool is_map() const { return kind == Kind::Map; }
  const TreeNode* find(std::string_view key) const;
  TreeNode* find(std::string_view key);
  const TreeEntry* find_entry(std::string_view key) const;
  /// Sets (replaces or appends) \p key; returns the stored node.
  TreeNode& set(std::string key, TreeNode value, SourceLoc key_loc = {});
  bool erase(std::string_view key);
  /// For a map with a scalar `id` (or a scenario document's `scenario.id`), that id; else empty.
  std::string id() const;

  static TreeNode make_scalar(std::string text, SourceLoc loc = {}, bool quoted = false);
  static TreeNode make_map(SourceLoc loc = {});
  static TreeNode make_seq(SourceLoc loc = {});
};

struct TreeEntry {
  std::string key;
  SourceLoc key_loc;
  TreeNode value;
};

/// Structural equality ignoring locations.
bool same_content(const TreeNode& a, const TreeNode& b);

/// The key of a list item: its id(), or for an item without one that has `from`, `to` and
/// `material` (an edge) "from->to:material". Empty when it has neither.
std::string item_key(const TreeNode& item);

/// Deep merge: maps merge key by key; lists whose items all have a key (item_key()) merge item
/// by key (matching items merged, new items appended); an item `{remove: ID}` (or a list of
/// ids; ids may be patterns with `*`, an edge may be named `from->to`) of \p over removes
/// the matching items of \p base; anything else is replaced by \p over. With \p diag, a
/// remove that matches nothing is an error and a list of 10 or more items with keys replaced
/// by a different list draws a warning; \p path is the key path of \p base, for messages.
void merge_into(TreeNode& base, const TreeNode& over, Diagnostics* diag = nullptr,
                const std::string& path = {});

/// Reports (as errors) and drops the `{remove: ...}` items left in \p node after merging:
/// a file without an include has nothing to remove from.
void strip_remove_directives(TreeNode& node, Diagnostics& diag, const std::string& path = {});

/// Describes a node's kind for messages: "a mapping", "a list", "text '...'", "nothing".
std::string describe(const TreeNode& n);

/// Serialises as block YAML (UTF-8), keeping quoted scalars quoted.
std::string to_yaml(const TreeNode& n);

// ---- Key paths -------------------------------------------------------------------------
// Syntax: `key.key[id].key[3].key`, with `*` or `[*]` as a wildcard segment. A `[x]` segment
// selects the list item whose key (item_key(): id, or an edge's `from->to:material`) is x, an
// edge by `from->to` when only one matches, or, when x is a number, the item at that index.
// `[+]` at the end of a path given to set_path appends an item.

/// Paths matched by \p pattern, with the nodes they point at. Concrete paths use ids.
struct PathMatch {
  std::string path;
  TreeNode* node;
};
std::vector<PathMatch> find_paths(TreeNode& root, std::string_view pattern, std::string* error);

/// Sets the node at \p path (no wildcards) to \p value, creating missing map keys; a path
/// ending in `[+]` appends \p value to the list.
/// Returns false and fills \p error when the path cannot be followed.
/// On failure \p missing (optional) names the segment not found and \p suggestions lists
/// what exists there.
/// Map keys it creates are located at \p key_loc (default: the value's location).
bool set_path(TreeNode& root, std::string_view path, TreeNode value, std::string* error,
              std::vector<std::string>* suggestions, std::string* missing = nullptr,
              SourceLoc key_loc = {});

/// Removes the map key or the list items at \p path (its last segment may be an id pattern
/// or an edge's `from->to`; nothing is created on the way). Returns false and fills \p error
/// (and \p missing / \p suggestions as set_path) when nothing is there to remove.
bool remove_path(TreeNode& root, std::string_view path, std::string* error,
                 std::vector<std::string>* suggestions, std::string* missing = nullptr);

/// The key path of a child: `parent.key` (or `key` at the root).
std::string child_path(std::string_view parent, std::string_view key);
/// The key path of a list item as messages give it: `parent[key]` when the item has a key
/// (item_key(): an id, or an edge's `from->to:material`, so the path can be pasted into
/// `--set`), else `parent[index]`.
std::string item_path(std::string_view parent, const TreeNode& item, std::size_t index);

}  // namespace rareshock::io
