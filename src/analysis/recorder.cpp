#include "rareshock/analysis/recorder.hpp"

namespace rareshock::analysis {

SeriesRecorder::SeriesRecorder(const sim::Network& net, int days, bool nodes, bool edges)
    : net_(net) {
  series.resize(net.consumer_nodes.size());
  material_series.resize(net.consumer_nodes.size());
  for (std::size_t i = 0; i < series.size(); ++i) {
    int n = net.consumer_nodes[i];
    series[i].resize(days);
    for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s)
      series[i].base_daily_demand += net.demand[s];
    if (net.in_begin[n + 1] - net.in_begin[n] > 1)
      for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s) {
        material_series[i].emplace_back();
        material_series[i].back().resize(days);
        material_series[i].back().base_daily_demand = net.demand[s];
      }
  }
  if (nodes) {
    node_series.resize(net.nodes());
    for (auto& ns : node_series) ns.activity.reserve(days), ns.capacity.reserve(days);
  }
  if (edges) {
    edge_series.resize(net.edges());
    for (auto& es : edge_series) es.ordered.reserve(days), es.shipped.reserve(days);
  }
}

void SeriesRecorder::on_day(const sim::Engine& eng) {
  const int d = eng.day();
  for (std::size_t i = 0; i < series.size(); ++i) {
    int n = net_.consumer_nodes[i];
    auto& s = series[i];
    auto& per = material_series[i];
    for (int k = net_.in_begin[n]; k < net_.in_begin[n + 1]; ++k) {
      s.demand[d] += eng.demand_now()[k];
      s.want[d] += eng.want()[k];
      s.consumed[d] += eng.consumed()[k];
      s.shortfall[d] += eng.shortfall()[k];
      s.stock[d] += eng.in_stock()[k];
      if (per.empty()) continue;
      auto& m = per[static_cast<std::size_t>(k - net_.in_begin[n])];
      m.demand[d] = eng.demand_now()[k];
      m.want[d] = eng.want()[k];
      m.consumed[d] = eng.consumed()[k];
      m.shortfall[d] = eng.shortfall()[k];
      m.stock[d] = eng.in_stock()[k];
    }
  }
  for (int n = 0; n < static_cast<int>(node_series.size()); ++n) {
    node_series[n].activity.push_back(eng.activity()[n]);
    node_series[n].capacity.push_back(eng.capacity_now()[n]);
  }
  for (int e = 0; e < static_cast<int>(edge_series.size()); ++e) {
    edge_series[e].ordered.push_back(eng.order()[e]);
    edge_series[e].shipped.push_back(eng.shipped()[e]);
  }
}

}  // namespace rareshock::analysis
