#include "rareshock/analysis/uncertainty/sobol.hpp"

#include <algorithm>
#include <cmath>

#include "rareshock/core/random.hpp"

namespace rareshock::analysis {

namespace {

// Sample matrices A and B (Saltelli), n rows of k uniforms each.
void sample(int k, int n, std::uint64_t seed, std::vector<std::vector<double>>& A,
            std::vector<std::vector<double>>& B) {
  Rng rng(seed, 0, Purpose::Sobol);
  A.assign(n, std::vector<double>(k));
  B.assign(n, std::vector<double>(k));
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < k; ++i) A[j][i] = rng.uniform(), B[j][i] = rng.uniform();
}

}  // namespace

std::vector<std::vector<SobolIndex>> sobol_indices(int k, int n, const SobolModel& model,
                                                   std::uint64_t seed, int bootstrap) {
  SobolBatchModel each = [&](const std::vector<std::vector<double>>& points) {
    std::vector<std::vector<double>> out;
    out.reserve(points.size());
    for (const auto& u : points) out.push_back(model(u));
    return out;
  };
  return sobol_indices_batch(k, n, each, seed, 1, bootstrap);
}

std::vector<std::vector<SobolIndex>> sobol_indices_batch(int k, int n, const SobolBatchModel& model,
                                                         std::uint64_t seed, std::size_t batch,
                                                         int bootstrap) {
  std::vector<std::vector<double>> A, B;
  sample(k, n, seed, A, B);
  // Points in row order: A_j, B_j, then A_j with column i from B_j for each i.
  const std::size_t per_row = static_cast<std::size_t>(k) + 2;
  std::vector<std::vector<double>> points;
  points.reserve(static_cast<std::size_t>(n) * per_row);
  for (int j = 0; j < n; ++j) {
    points.push_back(A[j]);
    points.push_back(B[j]);
    for (int i = 0; i < k; ++i) {
      std::vector<double> ab = A[j];
      ab[i] = B[j][i];
      points.push_back(std::move(ab));
    }
  }
  std::vector<std::vector<double>> y;
  y.reserve(points.size());
  batch = std::max<std::size_t>(1, batch);
  for (std::size_t at = 0; at < points.size(); at += batch) {
    const auto end = std::min(points.size(), at + batch);
    std::vector<std::vector<double>> part(points.begin() + static_cast<std::ptrdiff_t>(at),
                                          points.begin() + static_cast<std::ptrdiff_t>(end));
    for (auto& out : model(part)) y.push_back(std::move(out));
  }
  std::vector<std::vector<double>> fA(n), fB(n);
  std::vector<std::vector<std::vector<double>>> fAB(k, std::vector<std::vector<double>>(n));
  for (int j = 0; j < n; ++j) {
    const std::size_t row = static_cast<std::size_t>(j) * per_row;
    fA[j] = std::move(y[row]);
    fB[j] = std::move(y[row + 1]);
    for (int i = 0; i < k; ++i) fAB[i][j] = std::move(y[row + 2 + static_cast<std::size_t>(i)]);
  }
  const std::size_t outputs = fA.empty() ? 0 : fA[0].size();
  std::vector<std::vector<SobolIndex>> result(outputs, std::vector<SobolIndex>(k));

  // Estimates on a set of rows (all rows, or a bootstrap resample).
  auto estimate = [&](std::size_t o, const std::vector<int>& rows, std::vector<double>& s1,
                      std::vector<double>& st) {
    double mean = 0;
    for (int r : rows) mean += fA[r][o] + fB[r][o];
    mean /= 2.0 * rows.size();
    double var = 0;
    for (int r : rows)
      var += (fA[r][o] - mean) * (fA[r][o] - mean) + (fB[r][o] - mean) * (fB[r][o] - mean);
    var /= 2.0 * rows.size() - 1;
    for (int i = 0; i < k; ++i) {
      double v1 = 0, vt = 0;
      for (int r : rows) {
        // Centred: E[f(A_B) - f(A)] = 0, so subtracting the mean from f(B) leaves the estimate
        // unbiased and removes a sampling error proportional to the mean.
        v1 += (fB[r][o] - mean) * (fAB[i][r][o] - fA[r][o]);
        double d = fA[r][o] - fAB[i][r][o];
        vt += d * d;
      }
      v1 /= rows.size();
      vt /= 2.0 * rows.size();
      s1[i] = var > 0 ? v1 / var : 0;
      st[i] = var > 0 ? vt / var : 0;
    }
  };
  std::vector<int> all(n);
  for (int j = 0; j < n; ++j) all[j] = j;
  Rng boot(seed, 0, Purpose::Bootstrap);
  std::vector<double> s1(k), st(k);
  std::vector<std::vector<double>> bs1(k), bst(k);
  std::vector<int> rows(n);
  for (std::size_t o = 0; o < outputs; ++o) {
    estimate(o, all, s1, st);
    for (int i = 0; i < k; ++i) {
      result[o][i].s1 = s1[i];
      result[o][i].st = st[i];
      bs1[i].clear();
      bst[i].clear();
    }
    for (int b = 0; b < bootstrap; ++b) {
      for (int j = 0; j < n; ++j) rows[j] = std::min(n - 1, static_cast<int>(boot.uniform() * n));
      estimate(o, rows, s1, st);
      for (int i = 0; i < k; ++i) bs1[i].push_back(s1[i]), bst[i].push_back(st[i]);
    }
    auto pct = [](std::vector<double>& v, double p) {
      if (v.empty()) return 0.0;
      std::sort(v.begin(), v.end());
      return v[std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5))];
    };
    for (int i = 0; i < k; ++i) {
      result[o][i].s1_lo = pct(bs1[i], 0.025);
      result[o][i].s1_hi = pct(bs1[i], 0.975);
      result[o][i].st_lo = pct(bst[i], 0.025);
      result[o][i].st_hi = pct(bst[i], 0.975);
    }
  }
  return result;
}

}  // namespace rareshock::analysis
