#pragma once
/// \file The input schema, in one place: for every mapping of the model, scenario and study
/// files, its keys with their type, unit dimension, default and meaning. The readers take the
/// unit dimension of a key path (Monte Carlo and calibration paths, `value_at`) from it, and
/// the key tables of docs/formats.md are generated from it (`rareshock_schema_docs`; a test
/// fails when the committed docs differ).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rareshock/core/units.hpp"

namespace rareshock::io::schema {

enum class FileKind { Model, Scenario, Study };

/// One key (or several sharing a row, e.g. "source, note") of a mapping.
struct Key {
  std::string_view names;         ///< the key, or keys separated by ", "
  std::string_view type;          ///< what is written, for the docs (e.g. "mass rate")
  std::optional<Dimension> dim;   ///< unit dimension of a numeric value; none: not a number
  std::string_view unit;          ///< canonical unit shown in the docs ("" when none)
  std::string_view default_text;  ///< docs default; "*required*..." when required
  std::string_view meaning;       ///< docs meaning
  bool required() const { return default_text == "*required*"; }
};

/// The keys of one kind of mapping.
struct Table {
  std::string_view id;                  ///< e.g. "nodes", "export_restriction"
  std::optional<FileKind> file;         ///< the file kind it belongs to (none: any, e.g. CSV refs)
  std::vector<std::string_view> paths;  ///< where the mapping is, from the file root: "nodes[*]"
  std::string_view event_type;          ///< for event-type tables: the `type` they apply to
  std::string_view columns;             ///< docs columns: K(ey) T(ype) U(nit) D(efault) M(eaning);
                                        ///< "" for a table not shown in the docs
  std::vector<Key> keys;
};

/// Every table, in docs order.
const std::vector<Table>& tables();
const Table* find_table(std::string_view id);

/// The unit dimension of the value at a key path of a study (e.g.
/// `model.nodes[cn_mine].capacity`, `scenarios[x].events[y].from`) or, with \p file, of a
/// model or scenario file. Context-aware: `from` is a mass rate in a capacity expansion, a
/// time in an approval step and a node id in an edge. Selectors (`[x]`), distribution
/// parameters (`min`, `max`, `mode`, `mean`, `sd`, `value`) and the free keys of a mapping
/// such as `demand.<material>` take the dimension of the key above them. Count (a plain
/// number) for anything that is not a quantity.
Dimension dimension_of_path(std::string_view path, FileKind file = FileKind::Study);

/// The docs table (markdown) of \p t.
std::string markdown(const Table& t);
/// The docs table of the numeric key paths of a study by unit dimension (model keys under
/// `model.`, event keys as `events[*]...`, i.e. under `scenarios[*]` / `mitigations[*]`).
std::string markdown_dimensions();

}  // namespace rareshock::io::schema
