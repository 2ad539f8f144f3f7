#pragma once
/// \file Probability distributions named in inputs (licence review delays, Monte Carlo
/// parameters). Values are in the canonical unit of the quantity they describe.
#include <string>
#include <vector>

namespace rareshock {

enum class DistKind { Fixed, Uniform, Triangular, Normal, Lognormal, Pert, Discrete };
const char* to_string(DistKind k);
/// All kinds as text, for messages.
std::vector<std::string> dist_kind_names();

/// A distribution. Parameters by kind:
/// Fixed(value) · Uniform(min,max) · Triangular(min,mode,max) · Normal(mean,sd) truncated to
/// [min,max] when given · Lognormal(mean,sd) of the variable itself · Pert(min,mode,max,lambda=4)
/// · Discrete(values, weights).
struct Distribution {
  DistKind kind = DistKind::Fixed;
  double value = 0;  ///< Fixed
  double min = 0, mode = 0, max = 0;
  double mean_ = 0, sd = 0;
  bool has_min = false, has_max = false;  ///< truncation bounds of Normal
  double lambda = 4;
  std::vector<double> values, weights;
  bool operator==(const Distribution&) const = default;

  static Distribution fixed(double v) {
    Distribution d;
    d.value = v;
    return d;
  }
  /// Expected value (for Normal: of the untruncated distribution, clamped to the bounds).
  double mean() const;
  /// Lower and upper ends of the support (finite for all but untruncated Normal/Lognormal,
  /// where P0.1/P99.9-like bounds mean ± 3 sd are returned).
  double lower() const;
  double upper() const;
};

}  // namespace rareshock

namespace rareshock {

/// The value at cumulative probability \p u in (0, 1) (inverse CDF). All kinds sample through
/// this, so parameters that share a uniform draw are comonotonic (rank correlation 1).
/// Normal is truncated to [min, max] when given; Lognormal uses the mean and sd of the variable.
double quantile(const Distribution& d, double u);

/// Standard normal inverse CDF (Acklam's rational approximation refined by one Halley step;
/// relative error < 1e-12).
double normal_quantile(double p);
double normal_cdf(double x);

}  // namespace rareshock
