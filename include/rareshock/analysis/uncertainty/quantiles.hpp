#pragma once
/// \file Streaming summaries of Monte Carlo outputs: memory does not grow with the number of
/// draws beyond a limit.
#include <array>
#include <cstdint>
#include <vector>

namespace rareshock::analysis {

/// Mean and quantiles of one output over draws.
struct QuantileSummary {
  std::size_t n = 0;  ///< draws with a value
  double mean = 0, p5 = 0, p10 = 0, p50 = 0, p90 = 0, p95 = 0;
};

/// Quantiles of non-negative values. Exact (sorted sample, linear interpolation between order
/// statistics) up to kExactLimit values; beyond, the values move into a histogram with
/// geometric bins of ratio 1.01 over [1e-9, 1e15] (plus a zero bin), so a quantile is within
/// 1 % relative error. The mean is always exact (summed in insertion order).
class StreamingQuantiles {
 public:
  static constexpr std::size_t kExactLimit = 100000;
  void add(double x);
  double quantile(double p) const;
  QuantileSummary summary() const;
  std::size_t count() const { return n_; }

 private:
  void to_histogram();
  std::size_t n_ = 0;
  double sum_ = 0;
  mutable std::vector<double> values_;
  mutable bool sorted_ = true;
  std::vector<std::uint64_t> bins_;  ///< empty while exact
};

/// Per-day distribution of a fraction in [0, 1] (daily shortfall): per day, a count of exact
/// zeros and a 100-bin histogram of (0, 1]; quantiles are exact at zero and within 0.01
/// (one bin) otherwise.
class FanAccumulator {
 public:
  static constexpr int kBins = 100;
  explicit FanAccumulator(int days = 0)
      : days_(days), counts_(static_cast<std::size_t>(days) * (kBins + 1), 0) {}
  void add(const double* fractions);  ///< one value per day
  /// P5, P10, P50, P90, P95 per day.
  std::array<std::vector<double>, 5> bands() const;
  int days() const { return days_; }

 private:
  int days_;
  std::uint64_t n_ = 0;
  std::vector<std::uint32_t> counts_;
};

}  // namespace rareshock::analysis
