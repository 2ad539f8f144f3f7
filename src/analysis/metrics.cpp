#include "rareshock/analysis/metrics.hpp"

#include <algorithm>
#include <limits>

namespace rareshock::analysis {

void ShortageSeries::resize(int days) {
  for (auto* v : {&demand, &want, &consumed, &shortfall, &stock}) v->assign(days, 0.0);
}

void ShortageSeries::add(const ShortageSeries& o) {
  if (days() == 0) resize(o.days());
  for (int d = 0; d < o.days(); ++d) {
    demand[d] += o.demand[d];
    want[d] += o.want[d];
    consumed[d] += o.consumed[d];
    shortfall[d] += o.shortfall[d];
    stock[d] += o.stock[d];
  }
  base_daily_demand += o.base_daily_demand;
}

double unmet_tonnes(const ShortageSeries& s, bool backorder) {
  if (s.days() == 0) return 0;
  if (backorder) return s.shortfall.back();
  double u = 0;
  for (double x : s.shortfall) u += x;
  return u;
}

ShortageMetrics compute_metrics(const ShortageSeries& s, double threshold, int recovery_reference,
                                double unmet_t, double units_lost, double value_lost) {
  ShortageMetrics m;
  const int days = s.days();
  int last_short = -1;
  m.min_cover_days = std::numeric_limits<double>::infinity();
  for (int d = 0; d < days; ++d) {
    double f = s.fraction(d);
    m.demand_t += s.demand[d];
    if (f > m.peak_shortfall + 1e-15) {
      m.peak_shortfall = f;
      m.peak_day = d;
    }
    if (f >= threshold) {
      if (!m.time_to_shortage) m.time_to_shortage = d;
      ++m.shortage_days;
      last_short = d;
    }
    if (s.base_daily_demand > 0) {
      double cover = s.stock[d] / s.base_daily_demand;
      if (cover < m.min_cover_days) {
        m.min_cover_days = cover;
        m.min_cover_day = d;
      }
    }
  }
  if (!m.min_cover_day) m.min_cover_days = 0;
  m.unmet_t = unmet_t;
  m.unmet_fraction = m.demand_t > 0 ? unmet_t / m.demand_t : 0;
  m.units_lost = units_lost;
  m.value_lost_usd = value_lost;
  if (last_short >= 0 && last_short < days - 1) {
    int ref = recovery_reference >= 0 && recovery_reference < days ? recovery_reference
                                                                   : m.peak_day.value_or(0);
    m.time_to_recover = std::max(0, last_short + 1 - ref);
  }
  return m;
}

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names = {
      "time_to_shortage", "peak_shortfall",  "peak_day",       "shortage_days",
      "demand_t",         "unmet_t",         "unmet_fraction", "units_lost",
      "value_lost_usd",   "time_to_recover", "min_cover_days"};
  return names;
}

}  // namespace rareshock::analysis
