#include "rareshock/analysis/run/metrics.hpp"

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

std::vector<double> daily_units_lost(const ShortageSeries& s, bool backorder,
                                     double units_per_tonne) {
  std::vector<double> u(static_cast<std::size_t>(s.days()), 0.0);
  if (s.days() == 0) return u;
  if (backorder)
    u.back() = std::max(0.0, s.shortfall.back()) * units_per_tonne;
  else
    for (int d = 0; d < s.days(); ++d) u[d] = std::max(0.0, s.shortfall[d]) * units_per_tonne;
  return u;
}

void LossTotals::add(const std::string& product_key, const std::vector<double>& units_per_day,
                     double value_per_unit, double margin) {
  Group& g = groups_[product_key];
  const std::size_t n = units_per_day.size();
  if (g.units.size() < n) {
    g.units.resize(n, 0.0);
    g.value.resize(n, 0.0);
    g.margin.resize(n, 0.0);
  }
  for (std::size_t d = 0; d < n; ++d) {
    const double u = units_per_day[d], v = u * value_per_unit;
    upper_ += u;
    g.units[d] = std::max(g.units[d], u);
    g.value[d] = std::max(g.value[d], v);
    g.margin[d] = std::max(g.margin[d], v * std::max(0.0, margin));
  }
  any_ = true;
  if (margin < 0) margin_missing_ = true;
}

double LossTotals::units() const {
  double t = 0;
  for (const auto& [key, g] : groups_)
    for (double x : g.units) t += x;
  return t;
}

double LossTotals::value() const {
  double t = 0;
  for (const auto& [key, g] : groups_)
    for (double x : g.value) t += x;
  return t;
}

std::optional<double> LossTotals::margin_lost() const {
  if (!any_ || margin_missing_) return std::nullopt;
  double t = 0;
  for (const auto& [key, g] : groups_)
    for (double x : g.margin) t += x;
  return t;
}

void set_losses(ShortageMetrics& m, const LossTotals& loss) {
  m.units_lost = loss.units();
  m.units_lost_upper = loss.units_upper();
  m.value_lost_usd = loss.value();
  m.margin_lost_usd = loss.margin_lost();
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
  m.units_lost_upper = units_lost;
  m.recovery_reference =
      recovery_reference >= 0 && recovery_reference < days ? recovery_reference : -1;
  if (last_short >= 0 && last_short < days - 1) {
    int ref = m.recovery_reference >= 0 ? m.recovery_reference : m.peak_day.value_or(0);
    m.time_to_recover = std::max(0, last_short + 1 - ref);
  }
  return m;
}

std::optional<double> metric_value(const ShortageMetrics& m, Metric k) {
  auto day = [](const std::optional<int>& d) {
    return d ? std::optional<double>(*d) : std::nullopt;
  };
  switch (k) {
    case Metric::TimeToShortage:
      return day(m.time_to_shortage);
    case Metric::PeakShortfall:
      return m.peak_shortfall;
    case Metric::PeakDay:
      return day(m.peak_day);
    case Metric::ShortageDays:
      return m.shortage_days;
    case Metric::DemandT:
      return m.demand_t;
    case Metric::UnmetT:
      return m.unmet_t;
    case Metric::UnmetFraction:
      return m.unmet_fraction;
    case Metric::UnitsLost:
      return m.units_lost;
    case Metric::UnitsLostUpper:
      return m.units_lost_upper;
    case Metric::ValueLostUsd:
      return m.value_lost_usd;
    case Metric::MarginLostUsd:
      return m.margin_lost_usd;
    case Metric::TimeToRecover:
      return day(m.time_to_recover);
    case Metric::RecoveryReferenceDay:
      return m.recovery_reference >= 0 ? std::optional<double>(m.recovery_reference) : std::nullopt;
    case Metric::MinCoverDays:
      return m.min_cover_days;
  }
  return std::nullopt;
}

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& row : metric_table())
      if (row.metric != Metric::RecoveryReferenceDay) v.emplace_back(row.name);
    return v;
  }();
  return names;
}

}  // namespace rareshock::analysis
