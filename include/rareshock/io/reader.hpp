#pragma once
/// \file Schema reading over located trees: typed accessors that report located errors
/// (expected type, unit, allowed values, "did you mean") and reject unknown keys. Defaults
/// that are used are written back into the tree, so the tree becomes the resolved input.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rareshock/core/diagnostics.hpp"
#include "rareshock/core/units.hpp"
#include "rareshock/io/tree.hpp"
#include "rareshock/model/distribution.hpp"
#include "rareshock/model/model.hpp"
#include "rareshock/model/scenario.hpp"

namespace rareshock::io {

/// Reads one mapping. Every key read (or declared with allow()) is "known"; finish() reports
/// the others as unknown keys with a suggestion.
class MapReader {
 public:
  /// \p what names the thing for messages, e.g. "a node" or "the study".
  MapReader(Diagnostics& diag, TreeNode& node, std::string path, std::string what);
  bool valid() const { return valid_; }
  const std::string& path() const { return path_; }
  SourceLoc loc() const { return node_.loc; }
  Diagnostics& diag() { return diag_; }
  std::string at(std::string_view key) const { return child_path(path_, key); }
  bool has(std::string_view key) const { return valid_ && node_.find(key) != nullptr; }
  /// Where \p key's value is (or the mapping itself when absent).
  SourceLoc loc_of(std::string_view key) const;

  /// Declares keys as allowed without reading them.
  void allow(std::initializer_list<std::string_view> keys);
  /// The node of \p key (marks it known), or nullptr.
  TreeNode* get(std::string_view key);
  /// Like get(); reports "missing required key" when absent.
  TreeNode* need(std::string_view key, const std::string& expected);

  std::optional<std::string> opt_text(std::string_view key);
  std::string text(std::string_view key, const std::string& def);
  std::string required_text(std::string_view key, const std::string& expected);
  /// An identifier: letters, digits, '_', '-', '.', '/'; required.
  std::string id(std::string_view key = "id");
  std::optional<double> opt_quantity(std::string_view key, Dimension dim);
  double quantity(std::string_view key, Dimension dim, double def);
  std::optional<double> required_quantity(std::string_view key, Dimension dim);
  /// Fractions are checked to lie in [0, 1].
  double fraction(std::string_view key, double def);
  std::optional<double> opt_fraction(std::string_view key);
  bool flag(std::string_view key, bool def);
  std::optional<long long> opt_integer(std::string_view key);
  long long integer(std::string_view key, long long def);
  /// One of \p names; returns its index (or \p def when absent / invalid).
  std::size_t choice(std::string_view key, const std::vector<std::string>& names, std::size_t def);
  std::optional<std::size_t> required_choice(std::string_view key,
                                             const std::vector<std::string>& names);
  Ref ref(std::string_view key, const std::string& expected);
  std::optional<Ref> opt_ref(std::string_view key);
  /// A scalar or a list of scalars.
  std::vector<Ref> ref_list(std::string_view key);
  std::vector<std::string> text_list(std::string_view key);
  std::optional<TimeRef> opt_time(std::string_view key);

  /// Reports unknown keys (once).
  void finish();

 private:
  void mark(std::string_view key);
  void fill_default(std::string_view key, const std::string& text);

  Diagnostics& diag_;
  TreeNode& node_;
  std::string path_;
  std::string what_;
  bool valid_ = true;
  bool finished_ = false;
  std::vector<std::string> known_;
};

// ---- Value readers (report and return nullopt on error) ------------------------------
std::optional<std::string> read_text(Diagnostics& d, const TreeNode& n, const std::string& path);
std::optional<double> read_quantity(Diagnostics& d, const TreeNode& n, const std::string& path,
                                    Dimension dim);
std::optional<TimeRef> read_time(Diagnostics& d, const TreeNode& n, const std::string& path);
std::optional<Distribution> read_distribution(Diagnostics& d, TreeNode& n, const std::string& path,
                                              Dimension dim);
/// Reads a `{id: fraction}` mapping (element contents, recipe amounts...).
std::vector<std::pair<Ref, double>> read_amounts(Diagnostics& d, const TreeNode& n,
                                                 const std::string& path, Dimension dim);
/// Calls \p fn for every item of a list (reporting when \p n is not a list).
void for_each_item(Diagnostics& d, TreeNode& n, const std::string& path, const std::string& what,
                   const std::function<void(TreeNode&, const std::string&)>& fn);
/// A stage name or list of stage names under \p key (unknown names are reported); in order,
/// without repeats.
std::vector<Stage> read_stage_list(MapReader& r, std::string_view key);
/// "did you mean" + list of known ids, for unknown-id messages.
std::string id_hint(const std::string& id, const std::vector<std::string>& known);

}  // namespace rareshock::io
