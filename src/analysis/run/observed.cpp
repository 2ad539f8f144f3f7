#include "rareshock/analysis/run/observed.hpp"

#include <algorithm>
#include <cmath>

#include "rareshock/sim/forcing.hpp"

namespace rareshock::analysis {

FitStats fit_stats(const std::vector<double>& observed, const std::vector<double>& modelled) {
  FitStats s;
  s.n = static_cast<int>(std::min(observed.size(), modelled.size()));
  if (s.n == 0) return s;
  double sum_e = 0, sum_abs = 0, sum_sq = 0, sum_o = 0, sum_m = 0;
  for (int i = 0; i < s.n; ++i) {
    double e = modelled[i] - observed[i];
    sum_e += e;
    sum_abs += std::fabs(e);
    sum_sq += e * e;
    sum_o += observed[i];
    sum_m += modelled[i];
  }
  s.bias = sum_e / s.n;
  s.mae = sum_abs / s.n;
  s.rmse = std::sqrt(sum_sq / s.n);
  double mean_o = sum_o / s.n, mean_m = sum_m / s.n;
  s.relative_rmse = mean_o != 0 ? s.rmse / std::fabs(mean_o) : 0;
  if (s.n >= 2) {
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < s.n; ++i) {
      double x = observed[i] - mean_o, y = modelled[i] - mean_m;
      sxy += x * y, sxx += x * x, syy += y * y;
    }
    if (sxx > 0 && syy > 0) s.correlation = std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
  }
  return s;
}

double objective_value(const std::string& objective, const FitStats& s) {
  if (objective == "mae") return s.mae;
  if (objective == "relative_rmse") return s.relative_rmse;
  return s.rmse;
}

std::vector<double> modelled_values(const Study& study, const ObservedSeries& obs,
                                    const std::vector<TradeFlow>& trade) {
  std::vector<const std::vector<double>*> series;
  for (const auto& f : trade) {
    if (!sim::place_matches(study.model, f.exporter, obs.exporters)) continue;
    if (!sim::place_matches(study.model, f.importer, obs.importers)) continue;
    const Material* m = study.model.material(f.material);
    if (!m || !sim::material_matches(study.model, *m, obs.materials)) continue;
    series.push_back(obs.measure == "arrived" ? &f.arrived : &f.shipped);
  }
  std::vector<double> out;
  for (const auto& p : obs.points) {
    double total = 0;
    for (int d = p.first - study.start; d <= p.last - study.start; ++d)
      for (const auto* s : series)
        if (d >= 0 && d < static_cast<int>(s->size())) total += (*s)[static_cast<std::size_t>(d)];
    out.push_back(total);
  }
  return out;
}

FitStats fit_in_window(const ObservedFit& fit, const DateWindow& w) {
  std::vector<double> o, m;
  for (const auto& p : fit.periods)
    if (p.first >= w.from && p.last <= w.to) o.push_back(p.observed), m.push_back(p.modelled);
  return fit_stats(o, m);
}

ObservedFit fit_observed(const Study& study, const ObservedSeries& obs, const RunResult& run) {
  ObservedFit fit;
  fit.observed = obs.id;
  fit.run = run.combination.id;
  auto modelled = modelled_values(study, obs, run.trade);
  std::vector<double> o;
  for (std::size_t i = 0; i < obs.points.size(); ++i) {
    const auto& p = obs.points[i];
    fit.periods.push_back({p.period, p.first, p.last, p.value, modelled[i]});
    o.push_back(p.value);
  }
  fit.all = fit_stats(o, modelled);
  if (study.calibration.training) fit.training = fit_in_window(fit, *study.calibration.training);
  if (study.calibration.validation)
    fit.validation = fit_in_window(fit, *study.calibration.validation);
  return fit;
}

std::vector<ObservedFit> compare_observed(const Study& study, const StudyResult& result) {
  std::vector<ObservedFit> out;
  for (const auto& obs : study.observed)
    for (const auto& id : obs.runs)
      for (const auto& run : result.runs)
        if (run.combination.id == id) out.push_back(fit_observed(study, obs, run));
  return out;
}

}  // namespace rareshock::analysis
