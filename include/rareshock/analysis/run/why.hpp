#pragma once
/// \file Why a consumer is hit (docs/model.md, "How the shock travelled"): over the consumer's
/// shock window, its demand split into what arrived, stock drawn and demand unmet (a mass
/// balance); its deliveries by supplier before (baseline flows) and during the shock; and the
/// binding constraint — the restriction, outage or full capacity that held its supply back,
/// traced upstream from its own supplier edges. Computed from the engine's daily flows by
/// WhyRecorder (a phase-7 observer); no engine internals.
#include <optional>
#include <string>
#include <vector>

namespace rareshock::sim {
class Engine;
struct Network;
}  // namespace rareshock::sim

namespace rareshock::analysis {

/// One supplier edge into a consumer, over its shock window.
struct WhySupplier {
  std::string supplier;  ///< node id
  std::string place;     ///< the supplier's country (or region) id
  std::string stage;     ///< the supplier's stage ("magnet", "stockpile", ...)
  std::string material;
  double before_t = 0;   ///< [t] baseline flow x window days
  double during_t = 0;   ///< [t] arrived during the window
  bool standby = false;  ///< baseline share 0 (a supplier it did not buy from)
  double change_t() const { return during_t - before_t; }
};

/// A constraint that held a consumer's supply back.
struct WhyConstraint {
  /// "restriction" (an export restriction's pass limit), "outage" (a supplier's capacity below
  /// baseline), "capacity" (a supplier running at its full capacity), "supplier" (a supplier
  /// that delivered less for no cause found upstream, e.g. its own stock ran out)
  std::string kind;
  std::string event;   ///< restriction: the event id
  std::string regime;  ///< restriction: "ban", "licence" or "quota"
  /// restriction: the supplier node of the edge that lost most; outage/capacity: the node
  std::string node;
  std::string from_place, to_place;  ///< restriction: exporter and importer of that edge
  std::string from_stage, to_stage;  ///< restriction: stages of its supplier and customer
  std::string material;              ///< restriction: material of that edge
  /// restriction: [t] ordered and let pass on the event's edges into the constrained node on
  /// the days the event held (passed / ordered: the share it let through)
  double ordered_t = 0, passed_t = 0;
  /// outage: capacity / baseline capacity; capacity: activity / capacity (both over the window)
  double ratio = 0;
  int depth = 0;  ///< 0: on the consumer's own supplier edges; k: k stages upstream
};

/// The decomposition of one consumer's supply over its shock window [from_day, to_day]: from
/// the first day a restricting event upstream of it starts (day 0 without one) to the last day
/// with a shortfall (the horizon's end when it has none). Mass balance:
/// demand_t = inflow_t + stock_drawn_t + unmet_t, and inflow_t = baseline_inflow_t + the sum
/// of the suppliers' change_t().
struct WhyRecord {
  int from_day = 0, to_day = 0;
  double demand_t = 0;           ///< [t] demand over the window
  double baseline_demand_t = 0;  ///< [t] baseline demand x window days
  double inflow_t = 0;           ///< [t] arrived from all suppliers
  double baseline_inflow_t = 0;  ///< [t] baseline flows x window days
  double stock_drawn_t = 0;      ///< [t] own stock at the start − at the end (< 0: built up)
  double unmet_t = 0;            ///< [t] demand − consumed (back-orders: backlog growth)
  double pipeline_drawn_t = 0;   ///< [t] in transit to it at the start − at the end
  /// [t] its suppliers' finished stock drawn over the window, in proportion to what they
  /// shipped to it (upstream stock; part of inflow_t, not added to the balance)
  double supplier_stock_drawn_t = 0;
  double from_stockpiles_t = 0;          ///< [t] arrived from stockpile releases
  std::vector<WhySupplier> suppliers;    ///< most shrunk first
  std::optional<WhyConstraint> binding;  ///< traced from the edge that lost most
  /// restrictions on its own supplier edges, the most blocked first
  std::vector<WhyConstraint> restrictions;
};

/// Records the daily flows the decomposition needs (per edge: ordered, let pass, shipped,
/// arrived, the restriction that held it; per node: activity and capacity; per slot: stock and
/// in transit). Memory: about 5 x edges x days numbers. Call on_day() from the run's phase-7
/// observer.
class WhyRecorder {
 public:
  WhyRecorder(const sim::Engine& engine, int days);
  /// Days x (edges + nodes + slots) the recorder may hold (about 40 bytes each); a longer run
  /// or larger network is not explained (kMaxCells: about 100 MB).
  static constexpr double kMaxCells = 2.5e6;
  static bool fits(const sim::Network& net, int days);
  void on_day(const sim::Engine& engine);
  /// One record per consumer (Network::consumer_nodes order).
  std::vector<WhyRecord> explain() const;

 private:
  struct Sums {
    double ordered = 0, passed = 0, shipped = 0, arrived = 0;
  };
  Sums edge_sums(int e, int a, int b) const;
  std::optional<WhyConstraint> trace(int node, int a, int b, int depth,
                                     std::vector<char>& visited) const;
  std::optional<WhyConstraint> restriction_on(const std::vector<int>& edges, int a, int b,
                                              int depth, bool all) const;
  std::vector<WhyConstraint> restrictions_on(const std::vector<int>& edges, int a, int b,
                                             int depth) const;
  std::vector<int> in_edges(int node) const;
  std::string place(int node) const;
  int window_start(int consumer_node) const;

  const sim::Engine& eng_;
  const sim::Network& net_;
  int days_;
  std::vector<double> ord_, pass_, ship_, arr_;  ///< [e * days + d]
  /// [e * days + d]: the restriction holding the edge that day (active and covering it; the
  /// first in scenario order when several do), -1: none
  std::vector<int> hold_;
  std::vector<double> act_, cap_;                 ///< [n * days + d]
  std::vector<double> stock_, transit_;           ///< [s * days + d], input slots
  std::vector<double> demand_, consumed_, want_;  ///< [s * days + d], input slots
  std::vector<double> out_stock_;                 ///< [o * days + d], output slots
  /// per edge: (restriction, index into Engine::covered()) of the events covering it
  std::vector<std::vector<std::pair<int, int>>> covering_;
};

}  // namespace rareshock::analysis
