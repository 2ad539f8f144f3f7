#include "rareshock/analysis/study_run.hpp"

#include <map>

#include "rareshock/sim/forcing.hpp"

namespace rareshock::analysis {

namespace {

// Phase 7 observer: per-consumer daily sums over its materials, plus optional node/edge series.
class Recorder : public sim::Observer {
 public:
  Recorder(const sim::Network& net, int days, bool nodes, bool edges) : net_(net) {
    series_.resize(net.consumer_nodes.size());
    for (std::size_t i = 0; i < series_.size(); ++i) {
      int n = net.consumer_nodes[i];
      series_[i].resize(days);
      for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s)
        series_[i].base_daily_demand += net.demand[s];
    }
    if (nodes) {
      node_series_.resize(net.nodes());
      for (auto& ns : node_series_) ns.activity.reserve(days), ns.capacity.reserve(days);
    }
    if (edges) {
      edge_series_.resize(net.edges());
      for (auto& es : edge_series_) es.ordered.reserve(days), es.shipped.reserve(days);
    }
  }
  void on_day(const sim::Engine& eng) override {
    const int d = eng.day();
    for (std::size_t i = 0; i < series_.size(); ++i) {
      int n = net_.consumer_nodes[i];
      auto& s = series_[i];
      for (int k = net_.in_begin[n]; k < net_.in_begin[n + 1]; ++k) {
        s.demand[d] += eng.demand_now()[k];
        s.want[d] += eng.want()[k];
        s.consumed[d] += eng.consumed()[k];
        s.shortfall[d] += eng.shortfall()[k];
        s.stock[d] += eng.in_stock()[k];
      }
    }
    for (int n = 0; n < static_cast<int>(node_series_.size()); ++n) {
      node_series_[n].activity.push_back(eng.activity()[n]);
      node_series_[n].capacity.push_back(eng.capacity_now()[n]);
    }
    for (int e = 0; e < static_cast<int>(edge_series_.size()); ++e) {
      edge_series_[e].ordered.push_back(eng.order()[e]);
      edge_series_[e].shipped.push_back(eng.shipped()[e]);
    }
  }
  std::vector<ShortageSeries> series_;
  std::vector<NodeSeries> node_series_;
  std::vector<EdgeSeries> edge_series_;

 private:
  const sim::Network& net_;
};

}  // namespace

RunResult run_combination(const Study& study, const sim::Network& net, const Combination& c,
                          const RunOptions& options, int run_index) {
  std::vector<const Scenario*> scenarios;
  if (c.scenario) scenarios.push_back(study.find_scenario(*c.scenario));
  for (const auto& m : c.mitigations) scenarios.push_back(study.find_scenario(m));
  sim::Forcing forcing = sim::compile_forcing(net, study.model, scenarios, study.start);
  sim::Engine engine(net, forcing, options.engine);
  if (options.sample_licences)
    engine.sample_licences(options.licence_seed, options.licence_draw,
                           static_cast<std::uint64_t>(run_index));
  Recorder rec(net, study.horizon, options.node_series, options.edge_series);
  engine.run(study.horizon, &rec);

  RunResult out;
  out.combination = c;
  out.notes = forcing.notes;
  out.recovery_reference =
      forcing.last_restriction_day >= sim::kNever ? -1 : forcing.last_restriction_day;
  const double thr = study.shortage_threshold;
  struct Agg {
    ShortageSeries series;
    double unmet = 0, units = 0, value = 0;
  };
  std::map<std::string, Agg> sectors, regions;
  for (std::size_t i = 0; i < rec.series_.size(); ++i) {
    int n = net.consumer_nodes[i];
    const ShortageSeries& s = rec.series_[i];
    double unmet = unmet_tonnes(s, net.backorder[n] != 0);
    double units = unmet * net.units_per_tonne[n];
    double value = units * net.value_per_unit[n];
    EntityResult er;
    er.level = "consumer";
    er.id = net.node_id[n];
    er.sector = net.sector[n];
    er.region = net.region[n];
    er.metrics = compute_metrics(s, thr, out.recovery_reference, unmet, units, value);
    er.series = s;
    out.entities.push_back(std::move(er));
    for (Agg* a : {&sectors[net.sector[n]], &regions[net.region[n]]}) {
      a->series.add(s);
      a->unmet += unmet;
      a->units += units;
      a->value += value;
    }
  }
  for (auto& [id, a] : sectors) {
    EntityResult er;
    er.level = "sector";
    er.id = er.sector = id;
    er.metrics = compute_metrics(a.series, thr, out.recovery_reference, a.unmet, a.units, a.value);
    er.series = std::move(a.series);
    out.entities.push_back(std::move(er));
  }
  for (auto& [id, a] : regions) {
    EntityResult er;
    er.level = "region";
    er.id = er.region = id;
    er.metrics = compute_metrics(a.series, thr, out.recovery_reference, a.unmet, a.units, a.value);
    er.series = std::move(a.series);
    out.entities.push_back(std::move(er));
  }
  out.nodes = std::move(rec.node_series_);
  out.edges = std::move(rec.edge_series_);
  return out;
}

StudyResult run_study(const Study& study, const RunOptions& options) {
  StudyResult result;
  sim::Network net = sim::compile(study.model);
  result.warnings = net.warnings;
  for (const auto& c : study.combinations)
    result.runs.push_back(run_combination(study, net, c, options));
  return result;
}

}  // namespace rareshock::analysis
