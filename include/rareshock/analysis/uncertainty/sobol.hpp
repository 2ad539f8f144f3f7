#pragma once
/// \file Variance-based sensitivity: first-order and total Sobol indices from Saltelli's
/// sampling scheme (Saltelli et al. 2010), first order by Saltelli's 2010 estimator (outputs
/// centred on their mean), total by Jansen's, with bootstrap confidence intervals.
#include <cstdint>
#include <functional>
#include <vector>

namespace rareshock::analysis {

struct SobolIndex {
  double s1 = 0, s1_lo = 0, s1_hi = 0;  ///< first order, 95 % bootstrap interval
  double st = 0, st_lo = 0, st_hi = 0;  ///< total
};

/// The model: k uniforms in (0, 1) -> several outputs (same count every call).
using SobolModel = std::function<std::vector<double>(const std::vector<double>& u)>;

/// Indices per output and parameter: result[output][parameter]. Evaluates the model
/// N (k + 2) times; \p bootstrap resamples give the intervals. Outputs with zero variance get
/// indices of 0.
std::vector<std::vector<SobolIndex>> sobol_indices(int k, int n, const SobolModel& model,
                                                   std::uint64_t seed, int bootstrap = 200);

}  // namespace rareshock::analysis
