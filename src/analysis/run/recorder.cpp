#include "rareshock/analysis/run/recorder.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace rareshock::analysis {

TradeIndex trade_index(const sim::Network& net, const Model& model) {
  std::vector<std::string> regions;
  for (int n : net.consumer_nodes)
    if (std::find(regions.begin(), regions.end(), net.region[n]) == regions.end())
      regions.push_back(net.region[n]);
  std::map<std::string, std::vector<std::string>> members;  // cache of countries_of
  auto countries = [&](const std::string& place) -> const std::vector<std::string>& {
    auto it = members.find(place);
    if (it == members.end()) it = members.emplace(place, model.countries_of(place)).first;
    return it->second;
  };
  auto region_of = [&](const std::string& place) -> std::string {
    const auto& mine = countries(place);
    for (const auto& r : regions) {
      if (r == place) return r;
      const auto& in = countries(r);
      if (!mine.empty() && std::all_of(mine.begin(), mine.end(), [&](const std::string& c) {
            return std::find(in.begin(), in.end(), c) != in.end();
          }))
        return r;
    }
    return {};
  };
  auto place = [&](int n) {
    return net.country[n] >= 0 ? net.country_id[net.country[n]] : net.region[n];
  };
  std::map<std::tuple<std::string, std::string, std::string>, int> keys;
  for (int e = 0; e < net.edges(); ++e)
    keys.emplace(
        std::tuple{place(net.e_from[e]), place(net.e_to[e]), net.material_id[net.e_material[e]]},
        0);
  TradeIndex ti;
  for (auto& [k, idx] : keys) {
    idx = static_cast<int>(ti.flows.size());
    TradeFlow f;
    f.exporter = std::get<0>(k);
    f.importer = std::get<1>(k);
    f.material = std::get<2>(k);
    f.importer_region = region_of(f.importer);
    ti.flows.push_back(std::move(f));
  }
  for (int e = 0; e < net.edges(); ++e)
    ti.edge_flow.push_back(keys.at(
        std::tuple{place(net.e_from[e]), place(net.e_to[e]), net.material_id[net.e_material[e]]}));
  return ti;
}

SeriesRecorder::SeriesRecorder(const sim::Network& net, int days, bool nodes, bool edges,
                               const TradeIndex* trade_index, bool details)
    : net_(net), details_(details), trade_index_(trade_index) {
  if (trade_index_) {
    trade = trade_index_->flows;
    for (auto& f : trade) f.shipped.assign(days, 0.0), f.arrived.assign(days, 0.0);
  }
  series.resize(net.consumer_nodes.size());
  supply.resize(net.consumer_nodes.size());
  material_series.resize(net.consumer_nodes.size());
  for (std::size_t i = 0; i < series.size(); ++i) {
    int n = net.consumer_nodes[i];
    series[i].resize(days);
    for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s)
      series[i].base_daily_demand += net.demand[s];
    if (details && net.in_begin[n + 1] - net.in_begin[n] > 1)
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

void SeriesRecorder::track_origin(const sim::Engine& engine, std::vector<int> period_of_day,
                                  int periods) {
  const sim::OriginTracker* tr = engine.origin();
  if (!tr) return;
  period_of_day_ = std::move(period_of_day);
  OriginRecord o;
  for (int k = 0; k < tr->keys(); ++k) o.keys.push_back(tr->key_label(k));
  rules_.clear();
  rule_edges_.clear();
  std::vector<int> consumer_of(net_.nodes(), -1);
  for (std::size_t i = 0; i < net_.consumer_nodes.size(); ++i)
    consumer_of[net_.consumer_nodes[i]] = static_cast<int>(i);
  const auto& rs = engine.forcing().restrictions;
  for (std::size_t ri = 0; ri < rs.size(); ++ri) {
    const auto& r = rs[ri];
    if (!r.origin.on) continue;
    o.rules.push_back(r.event_id);
    rules_.push_back(&r);
    auto& edges = rule_edges_.emplace_back();
    const int b = engine.licences().begin(static_cast<int>(ri));
    for (std::size_t k = 0; k < r.edges.size(); ++k) {
      const int e = r.edges[k];
      if (consumer_of[net_.e_to[e]] >= 0)
        edges.push_back({b + static_cast<int>(k), e, consumer_of[net_.e_to[e]]});
    }
  }
  const std::size_t C = net_.consumer_nodes.size();
  for (int n : net_.consumer_nodes) o.consumers.push_back(net_.node_id[n]);
  o.consumed.assign(C, std::vector<double>(static_cast<std::size_t>(periods) * tr->keys(), 0.0));
  o.exposed.assign(C, std::vector<double>(rules_.size(), 0.0));
  o.total.assign(C, 0.0);
  o.ordered.assign(C, 0.0);
  origin = std::move(o);
}

// Phase 7 for origins: today's consumption by origin key, orders placed and orders on edges
// an origin rule covers.
void SeriesRecorder::record_origin(const sim::Engine& eng, int d) {
  const sim::OriginTracker& tr = *eng.origin();
  const int K = tr.keys();
  const std::size_t row = static_cast<std::size_t>(
                              d < static_cast<int>(period_of_day_.size()) ? period_of_day_[d] : 0) *
                          K;
  for (std::size_t i = 0; i < net_.consumer_nodes.size(); ++i) {
    const int n = net_.consumer_nodes[i];
    for (int s = net_.in_begin[n]; s < net_.in_begin[n + 1]; ++s) {
      const double c = eng.consumed()[s];
      if (c <= 0) continue;
      const double* mix = tr.in_mix(s);
      for (int k = 0; k < K; ++k) origin->consumed[i][row + k] += c * mix[k];
      origin->total[i] += c;
    }
    for (int s = net_.in_begin[n]; s < net_.in_begin[n + 1]; ++s)
      for (int j = net_.in_edge_begin[s]; j < net_.in_edge_begin[s + 1]; ++j)
        origin->ordered[i] += eng.order()[j];
  }
  for (std::size_t r = 0; r < rules_.size(); ++r) {
    if (d < rules_[r]->start || d > rules_[r]->end) continue;
    for (const auto& re : rule_edges_[r])
      if (eng.covered()[re.li]) origin->exposed[re.consumer][r] += eng.order()[re.edge];
  }
}

// Phase 7 for supply sources of consumer \p i (index into series) on day \p d.
void SeriesRecorder::record_supply(const sim::Engine& eng, std::size_t i, int d) {
  const int n = net_.consumer_nodes[i];
  auto& src = supply[i];
  for (int k = net_.in_begin[n]; k < net_.in_begin[n + 1]; ++k) {
    double blocked = 0;
    for (int j = net_.in_edge_begin[k]; j < net_.in_edge_begin[k + 1]; ++j) {
      const int e = j;
      const double sh = eng.shipped()[e], base = net_.e_share[e], now = eng.share()[e];
      if (base <= 0) {
        src.from_new_suppliers_t += sh;
        if (sh > 0 && !src.new_supplier_day) src.new_supplier_day = d;
      } else if (now > base * (1 + 1e-9)) {
        src.switched_t += sh * (now - base) / now;
      }
      const double ord = eng.order()[e], lim = eng.pass_limit()[e];
      if (lim < ord) blocked += ord - lim;
    }
    // Orders re-place what did not pass every day: count at most the day's demand.
    src.blocked_t += std::min(blocked, eng.demand_now()[k]);
  }
}

void SeriesRecorder::on_day(const sim::Engine& eng) {
  const int d = eng.day();
  if (origin && eng.origin()) record_origin(eng, d);
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
    if (details_) record_supply(eng, i, d);
  }
  for (int n = 0; n < static_cast<int>(node_series.size()); ++n) {
    node_series[n].activity.push_back(eng.activity()[n]);
    node_series[n].capacity.push_back(eng.capacity_now()[n]);
  }
  if (trade_index_)
    for (int e = 0; e < net_.edges(); ++e) {
      auto& f = trade[static_cast<std::size_t>(trade_index_->edge_flow[e])];
      f.shipped[d] += eng.shipped()[e];
      f.arrived[d] += eng.arrived()[e];
    }
  for (int e = 0; e < static_cast<int>(edge_series.size()); ++e) {
    edge_series[e].ordered.push_back(eng.order()[e]);
    edge_series[e].shipped.push_back(eng.shipped()[e]);
  }
}

}  // namespace rareshock::analysis
