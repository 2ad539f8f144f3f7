#pragma once
/// \file Rationing rules: how a supplier splits what it has among its customers' orders.
#include "rareshock/model/model.hpp"

namespace rareshock::sim {

/// Splits \p available over \p count customer edges.
/// \p want[i]: what edge i may receive today [t] (order capped by restrictions);
/// \p priority[i]: class, 1 served first (edges must be sorted by class for Priority);
/// \p contract[i]: fixed share of \p available (Contract);
/// writes \p out[i] <= want[i]; returns the total given (<= available).
/// Proportional: everyone gets the same fraction of their want. Priority: classes in order,
/// proportional within a class. Contract: first each edge's contract share, then what is
/// left proportionally to the unmet wants (nothing is withheld while orders are open).
double ration(Rationing rule, double available, int count, const double* want, const int* priority,
              const double* contract, double* out);

}  // namespace rareshock::sim
