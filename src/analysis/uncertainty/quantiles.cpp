#include "rareshock/analysis/uncertainty/quantiles.hpp"

#include <algorithm>
#include <cmath>

namespace rareshock::analysis {

namespace {
constexpr double kMinPositive = 1e-9, kMaxValue = 1e15, kRatio = 1.01;
const int kLogBins =
    static_cast<int>(std::ceil(std::log(kMaxValue / kMinPositive) / std::log(kRatio))) + 2;
int bin_of(double x) {
  if (x < kMinPositive) return 0;
  int b = 1 + static_cast<int>(std::floor(std::log(x / kMinPositive) / std::log(kRatio)));
  return std::min(b, kLogBins - 1);
}
double bin_value(int b) {  // geometric middle of the bin
  if (b == 0) return 0;
  return kMinPositive * std::pow(kRatio, b - 1 + 0.5);
}
}  // namespace

void StreamingQuantiles::add(double x) {
  ++n_;
  sum_ += x;
  if (bins_.empty()) {
    values_.push_back(x);
    sorted_ = false;
    if (values_.size() > kExactLimit) to_histogram();
  } else {
    ++bins_[bin_of(x)];
  }
}

void StreamingQuantiles::to_histogram() {
  bins_.assign(kLogBins, 0);
  for (double v : values_) ++bins_[bin_of(v)];
  values_.clear();
  values_.shrink_to_fit();
}

double StreamingQuantiles::quantile(double p) const {
  if (n_ == 0) return 0;
  if (bins_.empty()) {
    if (!sorted_) {
      std::sort(values_.begin(), values_.end());
      sorted_ = true;
    }
    double pos = p * static_cast<double>(values_.size() - 1);
    std::size_t i = static_cast<std::size_t>(std::floor(pos));
    double frac = pos - static_cast<double>(i);
    if (i + 1 >= values_.size()) return values_.back();
    return values_[i] + frac * (values_[i + 1] - values_[i]);
  }
  double target = p * static_cast<double>(n_ - 1) + 1;
  double acc = 0;
  for (int b = 0; b < static_cast<int>(bins_.size()); ++b) {
    acc += static_cast<double>(bins_[b]);
    if (acc >= target) return bin_value(b);
  }
  return bin_value(static_cast<int>(bins_.size()) - 1);
}

QuantileSummary StreamingQuantiles::summary() const {
  QuantileSummary s;
  s.n = n_;
  if (n_ == 0) return s;
  s.mean = sum_ / static_cast<double>(n_);
  s.p5 = quantile(0.05);
  s.p10 = quantile(0.10);
  s.p50 = quantile(0.50);
  s.p90 = quantile(0.90);
  s.p95 = quantile(0.95);
  return s;
}

void FanAccumulator::add(const double* f) {
  ++n_;
  for (int d = 0; d < days_; ++d) {
    // Slot 0 counts exact zeros (most days of most draws); slots 1..kBins split (0, 1].
    int b = f[d] <= 0 ? 0 : 1 + std::clamp(static_cast<int>(f[d] * kBins), 0, kBins - 1);
    ++counts_[static_cast<std::size_t>(d) * (kBins + 1) + b];
  }
}

std::array<std::vector<double>, 5> FanAccumulator::bands() const {
  static const double ps[5] = {0.05, 0.10, 0.50, 0.90, 0.95};
  std::array<std::vector<double>, 5> out;
  for (auto& v : out) v.assign(days_, 0.0);
  if (n_ == 0) return out;
  for (int d = 0; d < days_; ++d) {
    const std::uint32_t* c = counts_.data() + static_cast<std::size_t>(d) * (kBins + 1);
    for (int q = 0; q < 5; ++q) {
      const double target = ps[q] * static_cast<double>(n_);
      double acc = c[0];
      if (acc >= target) continue;  // zero
      int b = 1;
      for (; b <= kBins; ++b) {
        if (c[b] > 0 && acc + c[b] >= target) break;
        acc += c[b];
      }
      if (b > kBins) b = kBins;
      // Interpolate inside the bin by the share of its count below the target.
      double inside = c[b] > 0 ? std::clamp((target - acc) / c[b], 0.0, 1.0) : 0.5;
      out[q][d] = (b - 1 + inside) / kBins;
    }
  }
  return out;
}

}  // namespace rareshock::analysis
