#pragma once
/// \file The phase-7 observer used by study runs and the criticality ranking: per consumer,
/// daily sums over its materials (demand, need, consumption, shortfall, stock [t]) and the same
/// per material, plus node
/// and edge series on request.
#include <vector>

#include "rareshock/analysis/metrics.hpp"
#include "rareshock/analysis/study_run.hpp"
#include "rareshock/sim/engine.hpp"

namespace rareshock::analysis {

class SeriesRecorder : public sim::Observer {
 public:
  SeriesRecorder(const sim::Network& net, int days, bool nodes = false, bool edges = false);
  void on_day(const sim::Engine& eng) override;

  std::vector<ShortageSeries> series;  ///< by consumer, in Network::consumer_nodes order
  /// by consumer, then by input slot: one series per material, for consumers with more than
  /// one material (empty otherwise: the summed series is that material's)
  std::vector<std::vector<ShortageSeries>> material_series;
  std::vector<NodeSeries> node_series;  ///< by node, when requested
  std::vector<EdgeSeries> edge_series;  ///< by edge, when requested

 private:
  const sim::Network& net_;
};

}  // namespace rareshock::analysis
