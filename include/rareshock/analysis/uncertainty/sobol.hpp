#pragma once
/// \file Variance-based sensitivity: first-order and total Sobol indices from Saltelli's
/// sampling scheme (Saltelli et al. 2010), first order by Saltelli's 2010 estimator (outputs
/// centred on their mean), total by Jansen's, with bootstrap confidence intervals.
#include <cstddef>
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

/// The model over a batch of points: the outputs of each point, in the order given. Points of
/// a batch are independent (an ensemble runs them in parallel, e.g. through an Executor).
using SobolBatchModel =
    std::function<std::vector<std::vector<double>>(const std::vector<std::vector<double>>& u)>;

/// sobol_indices with the model evaluated on batches of at most \p batch points (the same
/// points in the same order: the indices are identical to sobol_indices with the same model).
std::vector<std::vector<SobolIndex>> sobol_indices_batch(int k, int n, const SobolBatchModel& model,
                                                         std::uint64_t seed, std::size_t batch,
                                                         int bootstrap = 200);

}  // namespace rareshock::analysis
