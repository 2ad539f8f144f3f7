#pragma once
/// \file The validated, immutable network definition: materials, countries and groups,
/// nodes (facilities or aggregates) with recipes and inventories, consumers, and edges.
/// Units: masses [t], rates [t/yr], durations [days], prices [USD/t], money [USD].
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rareshock/core/diagnostics.hpp"
#include "rareshock/core/optional_double.hpp"
#include "rareshock/core/symbol.hpp"
#include "rareshock/core/units.hpp"

namespace rareshock {

/// Where a definition came from; ignored by equality (a round trip moves every location).
struct Origin {
  SourceLoc loc;
  std::string path;  ///< key path, e.g. `nodes[cn_mine]`
  bool operator==(const Origin&) const { return true; }
};

/// Where a list item (node, consumer, edge) came from: its location, the key path of its list
/// and its position there, in 24 bytes (an Origin takes 40, plus a heap block for a path longer
/// than 15 characters), as a model holds one per node and edge. The item's key path (e.g.
/// `model.edges[a->b:x]`, as io::item_path writes it) is built when a message needs it:
/// Node::path(), Edge::path(). Ignored by equality, as Origin.
struct ItemOrigin {
  SourceLoc loc;
  Symbol list;    ///< key path of the list, e.g. `model.edges`
  int index = 0;  ///< position in the list, the path's key when the item has none
  bool operator==(const ItemOrigin&) const { return true; }
  /// `list[key]`, or `list[index]` when \p key is empty.
  std::string path(std::string_view key) const;
};

/// A reference to an id, with where it was written: 16 bytes (an interned id and a compact
/// location), as a model holds several per edge.
struct Ref {
  Symbol id;
  SourceLoc loc;
  bool operator==(const Ref& o) const { return id == o.id; }
};

/// Free-text provenance of a record (from the `source`, `confidence`, `note` keys): one
/// pointer (8 bytes, where three strings took 96) to an interned copy of the three texts, as
/// for Symbol: null when all three are empty, records with equal provenance (e.g. a CSV's rows
/// citing one source) share one copy, and interned texts live until the process ends.
class Provenance {
 public:
  Provenance() = default;
  Provenance(std::string source, std::string confidence, std::string note);
  const std::string& source() const { return text_ ? text_->source : empty_string(); }
  const std::string& confidence() const {  ///< H, M, L or empty
    return text_ ? text_->confidence : empty_string();
  }
  const std::string& note() const { return text_ ? text_->note : empty_string(); }
  bool empty() const { return !text_; }
  /// True when both point to one text (always so for equal texts: they are interned).
  bool shares(const Provenance& o) const { return text_ == o.text_; }
  bool operator==(const Provenance& o) const { return text_ == o.text_; }
  struct Text {
    std::string source, confidence, note;
    bool operator==(const Text&) const = default;
  };

 private:
  static const std::string& empty_string();
  const Text* text_ = nullptr;
};

struct Material {
  std::string id;
  std::string name;
  std::string family;                      ///< e.g. oxide, metal, magnet, concentrate
  std::map<std::string, double> elements;  ///< mass fraction per element symbol [1]
  std::optional<double> price;             ///< [USD/t]
  Provenance provenance;
  Origin origin;
  bool operator==(const Material&) const = default;
};

struct Country {
  std::string id;
  std::string name;
  Origin origin;
  bool operator==(const Country&) const = default;
};

/// A named set of countries: `members`, or every country except `all_except`.
struct CountryGroup {
  std::string id;
  std::vector<Ref> members;
  std::vector<Ref> all_except;
  bool complement = false;  ///< true when given as all_except
  Origin origin;
  bool operator==(const CountryGroup&) const = default;
};

enum class Stage { Mine, Refinery, Metal, Magnet, Component, Consumer, Stockpile, Recycler };
const char* to_string(Stage s);
std::vector<std::string> stage_names();

enum class Rationing { Proportional, Priority, Contract };
const char* to_string(Rationing r);
std::vector<std::string> rationing_names();

/// How a consumer's materials combine into units (`inputs` key): `independent` = each material
/// is its own product line; `complementary` = every unit needs every material in its baseline
/// proportions (Leontief), so the scarcest input limits what is built.
enum class ConsumerInputs { Independent, Complementary };
const char* to_string(ConsumerInputs c);
std::vector<std::string> consumer_inputs_names();

/// Flow of one material per unit of activity [t per unit].
struct MaterialAmount {
  Ref material;
  double amount = 0;
  bool operator==(const MaterialAmount&) const = default;
};

/// A way to produce: inputs and (possibly several, joint) outputs per unit of activity.
struct Recipe {
  Symbol id;
  std::vector<MaterialAmount> inputs;
  std::vector<MaterialAmount> outputs;
  double available_after = 0;  ///< [days] from the start of a run before it may be used
  Origin origin;
  bool operator==(const Recipe&) const = default;
};

/// A stock level: tonnes, or days of cover of the baseline use (or baseline output).
struct StockLevel {
  double value = 0;
  bool in_days = false;
  bool operator==(const StockLevel&) const = default;
};

/// Initial and target stock of one material at a node.
struct InventorySpec {
  Ref material;
  StockLevel initial;
  StockLevel target;
  Origin origin;
  bool operator==(const InventorySpec&) const = default;
};

/// A facility or aggregate of facilities at one stage (also consumers and stockpiles).
///
/// Ids and the short texts many nodes repeat (sector, product, unit name, end user) are
/// interned Symbols: a 1M-node model holds them once.
struct Node {
  Symbol id;
  std::string name;
  Stage stage = Stage::Mine;
  Rationing rationing = Rationing::Proportional;
  Ref country;
  std::optional<Rate> capacity;  ///< of activity; none for consumers and stockpiles
  std::vector<Recipe> recipes;   ///< recipes[0] is used from day 0 unless `recipe` says
  Symbol recipe;                 ///< id of the recipe used at the start
  double inventory_days = 30;    ///< initial = target input stock [days of baseline use] by default
  double output_inventory_days = 0;  ///< initial = target finished stock [days of baseline output]
  std::vector<InventorySpec> inventory;  ///< per-material input stocks (override inventory_days)
  std::vector<InventorySpec> output_inventory;  ///< per-material finished-goods stocks
  double replenishment_time = 10;               ///< τ [days] to close an inventory gap
  // Consumers only.
  Symbol sector;
  Ref region;                          ///< a country or group id
  std::vector<MaterialAmount> demand;  ///< [t/yr] per material
  double units_per_tonne = 0;          ///< downstream units (e.g. vehicles) per t of demand [1/t]
  double value_per_unit = 0;           ///< [USD] per downstream unit
  bool backorder = false;
  ConsumerInputs inputs = ConsumerInputs::Independent;
  Symbol product;         ///< physical product shared by consumers (e.g. vehicle)
  OptionalDouble margin;  ///< value added lost per unit value lost [1]; none: not reported
  Symbol unit_name;       ///< e.g. "vehicles"; empty: "units"
  /// End-user class of a consumer (`end_user`, e.g. civil, military), for restrictions that
  /// name end users; "civil" unless given.
  Symbol end_user = "civil";
  /// Origin of what a source node makes from nothing (mine, recycler) or a stockpile holds,
  /// per tracked stage (`source_origin`); unset stages: see docs/model.md "Origin tracking".
  std::vector<std::pair<Stage, Ref>> source_origin;
  Provenance provenance;
  ItemOrigin origin;
  bool operator==(const Node&) const = default;
  bool is_consumer() const { return stage == Stage::Consumer; }
  /// Key path, e.g. `model.nodes[cn_mine]` (the id is the item's key).
  std::string path() const { return origin.path(id); }
};

/// Supplier -> customer link for one material.
struct Edge {
  Ref from;
  Ref to;
  Ref material;
  OptionalDouble share;           ///< of the customer's purchases of this material [1]
  OptionalDouble flow;            ///< baseline flow [t/yr] (alternative to share)
  Duration lead_time;             ///< transport + customs
  OptionalDouble contract_share;  ///< supplier's output share for `contract` rationing
  /// [days] a standby edge (share 0) can take share this long after its customer starts
  /// looking (overrides the study's engine.qualification settings); ignored on edges with share
  OptionalDouble qualification_time;
  Provenance provenance;
  /// (may share its tail padding with `priority`: 4 bytes less per edge)
  [[no_unique_address]] ItemOrigin origin;
  int priority = 1;  ///< class for `priority` rationing; 1 is served first
  bool operator==(const Edge&) const = default;
  std::string label() const { return from.id + "->" + to.id + ":" + material.id; }
  /// Key path, e.g. `model.edges[a->b:x]` (the label is the item's key when from, to and
  /// material are all given, else the position).
  std::string path() const {
    return origin.path(from.id.empty() || to.id.empty() || material.id.empty() ? std::string()
                                                                               : label());
  }
};

/// Descriptive metadata shown in reports.
struct ModelInfo {
  std::string name;
  std::string description;
  int base_year = 0;
  std::vector<std::string> sources;
  std::vector<std::string> assumptions;
  bool operator==(const ModelInfo&) const = default;
};

/// The whole network. Immutable once loaded (see io::load_model).
struct Model {
  ModelInfo info;
  std::vector<Material> materials;
  std::vector<Country> countries;
  std::vector<CountryGroup> groups;
  std::vector<Node> nodes;  ///< producers, stockpiles, recyclers and consumers
  std::vector<Edge> edges;
  bool operator==(const Model&) const = default;

  const Material* material(std::string_view id) const;
  const Node* node(std::string_view id) const;
  /// Countries of a country or group id (a country maps to itself); empty if unknown.
  std::vector<std::string> countries_of(std::string_view country_or_group) const;
};

}  // namespace rareshock
