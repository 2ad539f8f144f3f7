#include "rareshock/model/distribution.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rareshock {

const char* to_string(DistKind k) {
  switch (k) {
    case DistKind::Fixed:
      return "fixed";
    case DistKind::Uniform:
      return "uniform";
    case DistKind::Triangular:
      return "triangular";
    case DistKind::Normal:
      return "normal";
    case DistKind::Lognormal:
      return "lognormal";
    case DistKind::Pert:
      return "pert";
    case DistKind::Discrete:
      return "discrete";
  }
  return "?";
}

std::vector<std::string> dist_kind_names() {
  return {"fixed", "uniform", "triangular", "normal", "lognormal", "pert", "discrete"};
}

double Distribution::mean() const {
  switch (kind) {
    case DistKind::Fixed:
      return value;
    case DistKind::Uniform:
      return 0.5 * (min + max);
    case DistKind::Triangular:
      return (min + mode + max) / 3.0;
    case DistKind::Pert:
      return (min + lambda * mode + max) / (lambda + 2.0);
    case DistKind::Normal: {
      // Mean of the normal truncated to [min, max] (Johnson & Kotz): mu + sd (phi(a) - phi(b)) / Z.
      if (!has_min && !has_max) return mean_;
      auto phi = [](double x) { return std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI); };
      auto Phi = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
      double a = has_min ? (min - mean_) / sd : -INFINITY;
      double b = has_max ? (max - mean_) / sd : INFINITY;
      double z = Phi(b) - Phi(a);
      if (z <= 0) return std::clamp(mean_, has_min ? min : mean_, has_max ? max : mean_);
      double pa = has_min ? phi(a) : 0, pb = has_max ? phi(b) : 0;
      return mean_ + sd * (pa - pb) / z;
    }
    case DistKind::Lognormal:
      return mean_;
    case DistKind::Discrete: {
      double w = std::accumulate(weights.begin(), weights.end(), 0.0);
      double s = 0;
      for (std::size_t i = 0; i < values.size(); ++i) s += values[i] * weights[i];
      return w > 0 ? s / w : 0;
    }
  }
  return 0;
}

double Distribution::lower() const {
  switch (kind) {
    case DistKind::Fixed:
      return value;
    case DistKind::Uniform:
    case DistKind::Triangular:
    case DistKind::Pert:
      return min;
    case DistKind::Normal:
      return has_min ? min : mean_ - 3 * sd;
    case DistKind::Lognormal:
      return std::max(0.0, mean_ - 3 * sd);
    case DistKind::Discrete:
      return *std::min_element(values.begin(), values.end());
  }
  return 0;
}

double Distribution::upper() const {
  switch (kind) {
    case DistKind::Fixed:
      return value;
    case DistKind::Uniform:
    case DistKind::Triangular:
    case DistKind::Pert:
      return max;
    case DistKind::Normal:
      return has_max ? max : mean_ + 3 * sd;
    case DistKind::Lognormal:
      return mean_ + 3 * sd;
    case DistKind::Discrete:
      return *std::max_element(values.begin(), values.end());
  }
  return 0;
}

}  // namespace rareshock
