#pragma once
/// \file The phase-7 observer used by study runs and the criticality ranking: per consumer,
/// daily sums over its materials (demand, need, consumption, shortfall, stock [t]) and the same
/// per material, where its supply came from (SupplySources), plus node
/// and edge series on request.
#include <vector>

#include "rareshock/analysis/run/metrics.hpp"
#include "rareshock/analysis/run/study_run.hpp"
#include "rareshock/sim/engine.hpp"

namespace rareshock::analysis {

/// Which trade flow each edge belongs to: flows keyed by (exporter, importer, material).
struct TradeIndex {
  std::vector<int> edge_flow;    ///< per edge, into flows
  std::vector<TradeFlow> flows;  ///< metadata only (series empty), sorted
};
/// Importer regions are the consumers' region ids in model order; a place maps to the first
/// that is it or contains all its countries.
TradeIndex trade_index(const sim::Network& net, const Model& model);

class SeriesRecorder : public sim::Observer {
 public:
  /// \p trade (optional, must outlive the recorder): also record daily trade flows.
  /// \p details: per-material series and supply sources (off: material_series stays empty
  /// and supply zero; the summed series are the same either way).
  SeriesRecorder(const sim::Network& net, int days, bool nodes = false, bool edges = false,
                 const TradeIndex* trade = nullptr, bool details = true);
  void on_day(const sim::Engine& eng) override;

  std::vector<ShortageSeries> series;  ///< by consumer, in Network::consumer_nodes order
  /// by consumer, then by input slot: one series per material, for consumers with more than
  /// one material (empty otherwise, or without details: the summed series is that material's)
  std::vector<std::vector<ShortageSeries>> material_series;
  std::vector<NodeSeries> node_series;  ///< by node, when requested
  std::vector<EdgeSeries> edge_series;  ///< by edge, when requested
  std::vector<TradeFlow> trade;         ///< by TradeIndex flow, when requested
  std::vector<SupplySources> supply;    ///< by consumer: switching, standby suppliers, blocked
  /// Origin of consumption (only when the engine traces origins and track_origin() was
  /// called): keys, periods and consumers are filled by the caller.
  std::optional<OriginRecord> origin;
  /// Records the origin of consumption per period: \p period_of_day maps each day to its
  /// period (e.g. calendar month) index; \p periods = their number.
  void track_origin(const sim::Engine& engine, std::vector<int> period_of_day, int periods);

 private:
  const sim::Network& net_;
  bool details_ = true;
  void record_origin(const sim::Engine& eng, int d);
  void record_supply(const sim::Engine& eng, std::size_t i, int d);

  const TradeIndex* trade_index_;
  std::vector<int> period_of_day_;
  /// per origin rule: (covered-edge index into Engine::covered(), edge, consumer index) for
  /// its edges into consumers
  struct RuleEdge {
    int li, edge, consumer;
  };
  std::vector<std::vector<RuleEdge>> rule_edges_;
  std::vector<const sim::CompiledRestriction*> rules_;
};

}  // namespace rareshock::analysis
