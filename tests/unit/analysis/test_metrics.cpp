#include <catch2/catch.hpp>

#include "rareshock/analysis/run/metrics.hpp"

using namespace rareshock::analysis;

namespace {
ShortageSeries series(const std::vector<double>& shortfall, double demand = 10) {
  ShortageSeries s;
  s.resize(static_cast<int>(shortfall.size()));
  s.base_daily_demand = demand;
  for (std::size_t d = 0; d < shortfall.size(); ++d) {
    s.demand[d] = s.want[d] = demand;
    s.shortfall[d] = shortfall[d];
    s.consumed[d] = demand - shortfall[d];
    s.stock[d] = 50 - 5.0 * static_cast<double>(d);
    if (s.stock[d] < 0) s.stock[d] = 0;
  }
  return s;
}
}  // namespace

TEST_CASE("metrics of a hand-made shortage episode", "[analysis][metrics]") {
  auto s = series({0, 0, 0.05, 2, 6, 6, 1, 0.05, 0, 0});
  double unmet = unmet_tonnes(s, false);
  CHECK(unmet == Approx(15.1));
  auto m = compute_metrics(s, 0.01, 5, unmet, unmet * 2, unmet * 2 * 100);
  CHECK(*m.time_to_shortage == 3);  // 0.05/10 = 0.5 % is below the 1 % threshold
  CHECK(m.peak_shortfall == Approx(0.6));
  CHECK(*m.peak_day == 4);
  CHECK(m.shortage_days == 4);
  CHECK(m.demand_t == Approx(100));
  CHECK(m.unmet_fraction == Approx(0.151));
  CHECK(m.units_lost == Approx(30.2));
  CHECK(m.value_lost_usd == Approx(3020));
  CHECK(*m.time_to_recover == 7 - 5);  // last short day 6; recovered from day 7; reference day 5
  CHECK(m.min_cover_days == Approx(0.5));  // stock 5 t on day 9, 10 t/day
  CHECK(*m.min_cover_day == 9);
}

TEST_CASE("no shortage: no time to shortage or recovery, unrecovered: no time to recover",
          "[analysis][metrics]") {
  auto ok = compute_metrics(series({0, 0, 0}), 0.01, -1, 0, 0, 0);
  CHECK_FALSE(ok.time_to_shortage);
  CHECK_FALSE(ok.time_to_recover);
  CHECK_FALSE(ok.peak_day);
  auto stuck = compute_metrics(series({0, 5, 5}), 0.01, -1, 10, 0, 0);
  CHECK(*stuck.time_to_shortage == 1);
  CHECK_FALSE(stuck.time_to_recover);
  ShortageSeries bo = series({0, 3, 5});
  CHECK(unmet_tonnes(bo, true) == 5);  // back-orders: what is still open at the end
}

TEST_CASE("aggregation sums tonnes", "[analysis][metrics]") {
  ShortageSeries a = series({0, 10}), b = series({0, 0});
  ShortageSeries sum;
  sum.add(a);
  sum.add(b);
  CHECK(sum.fraction(1) == Approx(0.5));
  CHECK(sum.base_daily_demand == 20);
  CHECK(metric_names().size() == 13);
}

TEST_CASE("metric table: names, lookup, summarised set and accessors", "[metrics]") {
  using rareshock::Direction;
  using rareshock::find_metric;
  using rareshock::Metric;
  using rareshock::metric_info;
  using rareshock::metric_table;
  REQUIRE(metric_table().size() == 14);
  for (std::size_t i = 0; i < metric_table().size(); ++i) {
    const auto& row = metric_table()[i];
    CHECK(static_cast<std::size_t>(row.metric) == i);
    CHECK(find_metric(row.name) == &row);
  }
  CHECK(find_metric("unmet_tonnes") == nullptr);
  CHECK(metric_info(Metric::UnmetT).name == "unmet_t");
  CHECK(metric_info(Metric::UnmetT).label == "unmet demand (t)");
  CHECK(metric_info(Metric::TimeToShortage).direction == Direction::HigherIsBetter);
  CHECK(metric_info(Metric::ValueLostUsd).direction == Direction::HigherIsWorse);
  // The metrics Monte Carlo summarises and studies may name in sensitivity.metrics.
  CHECK(rareshock::summarised_metric_names() ==
        std::vector<std::string>{"time_to_shortage", "peak_shortfall", "shortage_days", "unmet_t",
                                 "unmet_fraction", "units_lost", "value_lost_usd",
                                 "margin_lost_usd", "time_to_recover", "min_cover_days"});

  // Shortfall 0, 4, 6, 0 of 10 t/day, threshold 0.3: short on days 1 and 2 (40 %, 60 %), peak
  // 60 % on day 2, 10 t unmet of 40, recovered one day after the peak (day 3).
  ShortageMetrics m = compute_metrics(series({0, 4, 6, 0}), 0.3, -1, 10, 0, 0);
  CHECK(metric_value(m, Metric::TimeToShortage) == 1.0);
  CHECK(metric_value(m, Metric::PeakDay) == 2.0);
  CHECK(*metric_value(m, Metric::PeakShortfall) == Approx(0.6));
  CHECK(metric_value(m, Metric::ShortageDays) == 2.0);
  CHECK(metric_value(m, Metric::DemandT) == 40.0);
  CHECK(*metric_value(m, Metric::UnmetFraction) == Approx(0.25));
  CHECK(metric_value(m, Metric::TimeToRecover) == 1.0);
  CHECK_FALSE(metric_value(m, Metric::RecoveryReferenceDay));
  CHECK_FALSE(metric_value(m, Metric::MarginLostUsd));
  // Stock 50, 45, 40, 35 t over 10 t/day: lowest cover 3.5 days.
  CHECK(metric_value(m, Metric::MinCoverDays) == 3.5);
}
