#pragma once
/// \file Shortage metrics (docs/model.md, "Metrics") from daily series (one consumer, or a sum
/// of them).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rareshock/model/metric.hpp"

namespace rareshock::analysis {

/// Daily series of one consumer or an aggregate (tonnes summed). All vectors have one entry per
/// day.
struct ShortageSeries {
  std::vector<double> demand;     ///< today's demand [t]
  std::vector<double> want;       ///< demand plus back-orders [t]
  std::vector<double> consumed;   ///< [t]
  std::vector<double> shortfall;  ///< want − consumed [t]
  std::vector<double> stock;      ///< on hand at the end of the day [t]
  double base_daily_demand = 0;   ///< baseline demand [t/day], for days of cover
  int days() const { return static_cast<int>(demand.size()); }
  void resize(int days);
  /// Adds \p o day by day (aggregation by summing tonnes).
  void add(const ShortageSeries& o);
  double fraction(int day) const { return want[day] > 0 ? shortfall[day] / want[day] : 0.0; }
};

struct ShortageMetrics {
  std::optional<int> time_to_shortage;  ///< first day with shortfall fraction >= threshold
  double peak_shortfall = 0;            ///< max daily shortfall fraction [1]
  std::optional<int> peak_day;          ///< first day of the peak (none when no shortfall)
  int shortage_days = 0;                ///< days with shortfall fraction >= threshold
  double demand_t = 0;                  ///< horizon demand [t]
  double unmet_t = 0;                   ///< demand not met [t] (back-orders still open at the end)
  double unmet_fraction = 0;            ///< unmet_t / demand_t
  double units_lost = 0;                ///< downstream units not built (same product counted once)
  double units_lost_upper = 0;          ///< the same, summed over consumers of a shared product
  double value_lost_usd = 0;            ///< those units at full unit value [USD] (an upper bound)
  std::optional<double> margin_lost_usd;  ///< value added lost (margin x value) [USD]
  int recovery_reference = -1;            ///< day recovery is counted from; -1: the peak day
  std::optional<int>
      time_to_recover;  ///< [days] from the reference day until shortfall stays below threshold
  double min_cover_days = 0;  ///< minimum stock / baseline daily demand [days]
  std::optional<int> min_cover_day;
};

/// Computes metrics. \p recovery_reference is the day recovery is counted from (end of the
/// last restricting event), or -1 to count from the peak. \p unmet_t, \p units_lost and
/// \p value_lost are passed in because they depend on per-consumer settings (back-orders,
/// units per tonne, value per unit) that do not survive aggregation.
ShortageMetrics compute_metrics(const ShortageSeries& s, double threshold, int recovery_reference,
                                double unmet_t, double units_lost, double value_lost);

/// Unmet tonnes of one consumer: sum of shortfalls (lost sales), or the final backlog.
double unmet_tonnes(const ShortageSeries& s, bool backorder);

/// Units lost per day by one consumer (or one of its materials), scaled by \p units_per_tonne:
/// the day's shortfall for lost sales; with back-orders, the backlog still open at the end,
/// on the last day. Sums to unmet_tonnes() x units_per_tonne; never negative.
std::vector<double> daily_units_lost(const ShortageSeries& s, bool backorder,
                                     double units_per_tonne);

/// Units and value lost by a set of consumers without counting a physical product twice.
/// Members with the same product key (same product in the same region) lose the same units:
/// each day the largest loss among them counts (a lower bound: shortages hit the same units
/// first); units_upper() is the plain sum (an upper bound). Value and margin follow the same
/// rule, each on its own daily series. Members with different keys add up.
class LossTotals {
 public:
  /// \p margin < 0: not given (margin_lost() is then none for the whole set).
  void add(const std::string& product_key, const std::vector<double>& units_per_day,
           double value_per_unit, double margin);
  double units() const;
  double units_upper() const { return upper_; }
  double value() const;
  std::optional<double> margin_lost() const;

 private:
  struct Group {
    std::vector<double> units, value, margin;
  };
  std::map<std::string, Group> groups_;
  double upper_ = 0;
  bool any_ = false, margin_missing_ = false;
};

/// Sets units_lost, units_lost_upper, value_lost_usd and margin_lost_usd of \p m from \p loss.
void set_losses(ShortageMetrics& m, const LossTotals& loss);

/// The value of metric \p k in \p m (the accessor column of the metric table,
/// model/metric.hpp); none where the metric is optional and absent. Days are offsets from the
/// start.
std::optional<double> metric_value(const ShortageMetrics& m, Metric k);

/// Names of the metrics a result carries (the metric table without recovery_reference_day), in
/// table order; margin_lost_usd only where a margin is given.
const std::vector<std::string>& metric_names();

}  // namespace rareshock::analysis
