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

namespace rareshock {

double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

double normal_quantile(double p) {
  // Acklam (2003) with one Halley refinement step.
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double lo = 0.02425, hi = 1 - lo;
  double x;
  if (p < lo) {
    double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= hi) {
    double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  double e = normal_cdf(x) - p;
  double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

namespace {

// Regularised incomplete beta I_x(a, b) by Lentz's continued fraction (Numerical Recipes 6.4).
double beta_cf(double a, double b, double x) {
  const double tiny = 1e-300;
  double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
  if (std::fabs(d) < tiny) d = tiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 300; ++m) {
    int m2 = 2 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < 1e-15) break;
  }
  return h;
}

double beta_inc(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  double bt = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) +
                       b * std::log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return bt * beta_cf(a, b, x) / a;
  return 1 - bt * beta_cf(b, a, 1 - x) / b;
}

}  // namespace

double quantile(const Distribution& d, double u) {
  u = std::clamp(u, 1e-15, 1 - 1e-15);
  switch (d.kind) {
    case DistKind::Fixed:
      return d.value;
    case DistKind::Uniform:
      return d.min + u * (d.max - d.min);
    case DistKind::Triangular: {
      double f = (d.mode - d.min) / (d.max - d.min);
      if (u < f) return d.min + std::sqrt(u * (d.max - d.min) * (d.mode - d.min));
      return d.max - std::sqrt((1 - u) * (d.max - d.min) * (d.max - d.mode));
    }
    case DistKind::Pert: {
      // Beta(alpha, beta) on [min, max], inverted by bisection on the incomplete beta.
      double range = d.max - d.min;
      double alpha = 1 + d.lambda * (d.mode - d.min) / range;
      double beta = 1 + d.lambda * (d.max - d.mode) / range;
      double lo = 0, hi = 1;
      for (int i = 0; i < 60; ++i) {
        double mid = 0.5 * (lo + hi);
        (beta_inc(alpha, beta, mid) < u ? lo : hi) = mid;
      }
      return d.min + 0.5 * (lo + hi) * range;
    }
    case DistKind::Normal: {
      double a = d.has_min ? normal_cdf((d.min - d.mean_) / d.sd) : 0.0;
      double b = d.has_max ? normal_cdf((d.max - d.mean_) / d.sd) : 1.0;
      double p = std::clamp(a + u * (b - a), 1e-15, 1 - 1e-15);
      double x = d.mean_ + d.sd * normal_quantile(p);
      if (d.has_min) x = std::max(x, d.min);
      if (d.has_max) x = std::min(x, d.max);
      return x;
    }
    case DistKind::Lognormal: {
      double s2 = std::log(1 + (d.sd * d.sd) / (d.mean_ * d.mean_));
      double mu = std::log(d.mean_) - 0.5 * s2;
      return std::exp(mu + std::sqrt(s2) * normal_quantile(u));
    }
    case DistKind::Discrete: {
      double total = 0;
      for (double w : d.weights) total += w;
      double acc = 0;
      for (std::size_t i = 0; i < d.values.size(); ++i) {
        acc += d.weights[i] / total;
        if (u <= acc) return d.values[i];
      }
      return d.values.back();
    }
  }
  return d.mean();
}

}  // namespace rareshock
