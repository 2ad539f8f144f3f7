#include "rareshock/analysis/study_run.hpp"

#include <map>

#include "rareshock/analysis/recorder.hpp"
#include "rareshock/sim/forcing.hpp"

namespace rareshock::analysis {

sim::EngineSettings engine_settings(const Study& study) {
  sim::EngineSettings es;
  es.switching_lag = study.engine.switching_lag;
  es.share_reversion = study.engine.share_reversion;
  es.licence_volume_cap = study.engine.licence_volume_cap;
  return es;
}

RunResult run_combination(const Study& study, const sim::Network& net, const Combination& c,
                          const RunOptions& options, int run_index) {
  std::vector<const Scenario*> scenarios;
  if (c.scenario) scenarios.push_back(study.find_scenario(*c.scenario));
  for (const auto& m : c.mitigations) scenarios.push_back(study.find_scenario(m));
  sim::Forcing forcing = sim::compile_forcing(net, study.model, scenarios, study.start);
  sim::Engine engine(net, forcing, engine_settings(study));
  if (options.sample_licences)
    engine.sample_licences(options.licence_seed, options.licence_draw,
                           static_cast<std::uint64_t>(run_index));
  TradeIndex trade;
  if (options.trade_series) trade = trade_index(net, study.model);
  SeriesRecorder rec(net, study.horizon, options.node_series, options.edge_series,
                     options.trade_series ? &trade : nullptr);
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
  for (std::size_t i = 0; i < rec.series.size(); ++i) {
    int n = net.consumer_nodes[i];
    const ShortageSeries& s = rec.series[i];
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
  out.nodes = std::move(rec.node_series);
  out.edges = std::move(rec.edge_series);
  out.trade = std::move(rec.trade);
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
