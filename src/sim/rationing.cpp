#include "rareshock/sim/rationing.hpp"

#include <algorithm>

namespace rareshock::sim {

double ration(Rationing rule, double available, int count, const double* want, const int* priority,
              const double* contract, double* out) {
  double total = 0;
  for (int i = 0; i < count; ++i) total += want[i];
  if (total <= 0 || available <= 0) {
    std::fill(out, out + count, 0.0);
    return 0;
  }
  double given = 0;
  switch (rule) {
    case Rationing::Proportional: {
      const double f = std::min(1.0, available / total);
      for (int i = 0; i < count; ++i) given += out[i] = want[i] * f;
      break;
    }
    case Rationing::Priority: {
      double left = available;
      for (int i = 0; i < count;) {
        int j = i;
        double cls = 0;
        while (j < count && priority[j] == priority[i]) cls += want[j++];
        const double f = cls > 0 ? std::min(1.0, left / cls) : 0.0;
        for (int k = i; k < j; ++k) {
          out[k] = want[k] * f;
          given += out[k];
        }
        left = std::max(0.0, available - given);
        i = j;
      }
      break;
    }
    case Rationing::Contract: {
      double rest = 0;
      for (int i = 0; i < count; ++i) {
        out[i] = std::min(want[i], contract[i] * available);
        given += out[i];
        rest += want[i] - out[i];
      }
      const double left = available - given;
      if (left > 0 && rest > 0) {
        const double f = std::min(1.0, left / rest);
        for (int i = 0; i < count; ++i) {
          const double extra = (want[i] - out[i]) * f;
          out[i] += extra;
          given += extra;
        }
      }
      break;
    }
  }
  return std::min(given, available);
}

}  // namespace rareshock::sim
