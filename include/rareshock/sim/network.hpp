#pragma once
/// \file The compiled network: the model as flat arrays indexed by node, slot and edge, with
/// its baseline (steady-state) flows. Built once per model; read-only during runs.
///
/// A *slot* is one material held at one node: input slots hold what a node consumes
/// (recipe inputs, or a consumer's demand), output slots hold finished goods (recipe
/// outputs, or a stockpile's holdings). Edges run from a supplier's output slot to a
/// customer's input slot.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rareshock/model/model.hpp"

namespace rareshock::sim {

/// Many short strings back to back in one buffer: ~1 byte per character plus 8 per string,
/// where a std::vector<std::string> takes 32 per string plus a heap block for each longer than
/// 15 characters.
class StringTable {
 public:
  void push_back(std::string_view s) {
    chars_.append(s);
    end_.push_back(chars_.size());
  }
  std::string_view view(std::size_t i) const {
    const std::size_t b = i == 0 ? 0 : end_[i - 1];
    return std::string_view(chars_).substr(b, end_[i] - b);
  }
  std::string operator[](std::size_t i) const { return std::string(view(i)); }
  std::size_t size() const { return end_.size(); }
  bool empty() const { return end_.empty(); }
  void shrink_to_fit() {
    chars_.shrink_to_fit();
    end_.shrink_to_fit();
  }
  std::size_t bytes() const { return chars_.capacity() + end_.capacity() * sizeof(std::size_t); }
  bool operator==(const StringTable&) const = default;

 private:
  std::string chars_;
  std::vector<std::size_t> end_;  ///< end of string i in chars_
};

struct Network {
  // ---- nodes -----------------------------------------------------------------------------
  StringTable node_id;  ///< per node; node_id[n] is a std::string (view(n) copies nothing)
  std::vector<Stage> stage;
  std::vector<int> country;      ///< index into country_id
  std::vector<double> capacity;  ///< [t/day] of activity (0 for consumers/stockpiles)
  std::vector<double> tau;       ///< replenishment time [days]
  std::vector<Rationing> rationing;
  std::vector<int> in_begin;        ///< input slots of node n: [in_begin[n], in_begin[n+1])
  std::vector<int> out_begin;       ///< output slots of node n: [out_begin[n], out_begin[n+1])
  std::vector<int> recipe_begin;    ///< recipes of node n: [recipe_begin[n], recipe_begin[n+1])
  std::vector<int> initial_recipe;  ///< global recipe index used at day 0 (-1: none)

  // ---- recipes (coefficients per unit of activity, aligned with the node's slots) -------
  StringTable recipe_id;
  std::vector<int> recipe_node;
  std::vector<double> recipe_available_after;  ///< [days]
  std::vector<int> recipe_in_offset;  ///< into recipe_in_coef; one entry per input slot of the node
  std::vector<int> recipe_out_offset;   ///< into recipe_out_coef; one per output slot
  std::vector<double> recipe_in_coef;   ///< [t per unit activity]
  std::vector<double> recipe_out_coef;  ///< [t per unit activity]

  // ---- slots -----------------------------------------------------------------------------
  std::vector<int> in_node, in_material;
  std::vector<double> in_initial, in_target;  ///< [t]
  std::vector<double> in_use;                 ///< baseline use [t/day]
  /// Edges are numbered customer-major (compile sorts them by input slot): the supplier
  /// edges of input slot s are the edge indices [in_edge_begin[s], in_edge_begin[s + 1]).
  std::vector<int> in_edge_begin;
  std::vector<int> out_node, out_material;
  std::vector<double> out_initial, out_target;  ///< [t]
  std::vector<double> out_rate;                 ///< baseline output [t/day]
  std::vector<int> out_edge_begin;              ///< customer edges of output slot s
  std::vector<int> out_edges;                   ///< sorted by priority, then model order

  // ---- consumers (input slots of consumer nodes) -----------------------------------------
  std::vector<double> demand;           ///< per input slot [t/day] (0 for producers)
  std::vector<int> consumer_nodes;      ///< node indices of consumers, model order
  std::vector<double> units_per_tonne;  ///< per node [1/t]
  std::vector<double> value_per_unit;   ///< per node [USD]
  std::vector<char> backorder;          ///< per node
  std::vector<char> complementary;      ///< per node: `inputs: complementary` (Leontief)
  StringTable product;                  ///< per node: shared product id ("" = the node's own)
  std::vector<double> margin;           ///< per node: margin fraction, or -1 when not given
  StringTable unit_name;                ///< per node ("" = units)
  StringTable sector;                   ///< per node ("" for producers)
  StringTable region;                   ///< per node: consumer region id, else country id
  StringTable end_user;                 ///< per node: consumer end-user class ("" for producers)
  /// `source_origin` (stage, country index) pairs of node n, the origin of what a source node
  /// makes from nothing or a stockpile holds (origin tracking), at
  /// [source_origin_begin[n], source_origin_begin[n + 1]) of source_origin_pairs
  std::vector<int> source_origin_begin;
  std::vector<std::pair<Stage, int>> source_origin_pairs;
  std::span<const std::pair<Stage, int>> source_origin(int n) const {
    return std::span<const std::pair<Stage, int>>(source_origin_pairs)
        .subspan(static_cast<std::size_t>(source_origin_begin[n]),
                 static_cast<std::size_t>(source_origin_begin[n + 1] - source_origin_begin[n]));
  }

  // ---- edges -----------------------------------------------------------------------------
  std::vector<int> e_from, e_to, e_material;
  std::vector<int> e_out_slot, e_in_slot;
  std::vector<int> e_lead;      ///< [days]
  std::vector<double> e_share;  ///< baseline share of the customer's purchases
  std::vector<double> e_flow;   ///< baseline flow [t/day]
  /// Per-edge settings most models leave at their defaults: empty when no edge sets one (read
  /// them through priority(), contract() and qualification()).
  std::vector<int> e_priority;          ///< rationing class (default 1)
  std::vector<double> e_contract;       ///< contract share (contract rationing; default 0)
  std::vector<double> e_qualification;  ///< [days] the edge's qualification_time; < 0: not set
  int priority(int e) const { return e_priority.empty() ? 1 : e_priority[e]; }
  double contract(int e) const { return e_contract.empty() ? 0.0 : e_contract[e]; }
  double qualification(int e) const { return e_qualification.empty() ? -1.0 : e_qualification[e]; }

  // ---- lookups -----------------------------------------------------------------------------
  std::vector<std::string> material_id;
  std::vector<double> material_price;        ///< per material [USD/t]; < 0: not given
  std::vector<double> material_re_fraction;  ///< per material: rare-earth mass fraction [1]
  std::vector<std::string> country_id;
  std::vector<double> activity;       ///< baseline activity [units/day]
  std::vector<std::string> warnings;  ///< e.g. baseline above capacity

  /// Memory held [bytes] (strings' heap blocks counted when longer than the inline buffer).
  std::size_t bytes() const;
  /// "from->to:material" of edge \p e: Edge::label() of its model edge.
  std::string edge_label(int e) const;
  int nodes() const { return static_cast<int>(node_id.size()); }
  int edges() const { return static_cast<int>(e_from.size()); }
  int in_slots() const { return static_cast<int>(in_node.size()); }
  int out_slots() const { return static_cast<int>(out_node.size()); }
  int node_index(std::string_view id) const;
  int material_index(std::string_view id) const;
  /// Input slot of material \p m at node \p n, or -1.
  int in_slot(int n, int m) const;
  int out_slot(int n, int m) const;
  /// Coefficient of recipe \p r for input slot \p s of node \p n (the recipe's node) [t per
  /// unit of activity]: in_coef(r, s) of docs/model.md.
  double in_coef(int r, int n, int s) const {
    return recipe_in_coef[recipe_in_offset[r] + (s - in_begin[n])];
  }
  /// Coefficient of recipe \p r for output slot \p o of node \p n [t per unit of activity]:
  /// out_coef(r, o) of docs/model.md.
  double out_coef(int r, int n, int o) const {
    return recipe_out_coef[recipe_out_offset[r] + (o - out_begin[n])];
  }
  bool operator==(const Network&) const = default;
};

/// Compiles a validated model: slots, CSR adjacency, and the baseline steady state (activity,
/// flows, initial stocks and pipelines). Throws RuntimeError if the baseline does not converge.
Network compile(const Model& model);

/// Sets the initial and target stocks of \p nodes (indices) again from \p model: the last step
/// of compile(), the only one that reads a node's `inventory_days` and
/// `output_inventory_days`. A network compiled from a model that differs from \p model only
/// in those two fields of those nodes becomes equal to compile(model) (Monte Carlo draws of
/// stock cover reuse one compiled network this way). Adds no warnings.
void restock(const Model& model, const std::vector<int>& nodes, Network& net);

}  // namespace rareshock::sim
