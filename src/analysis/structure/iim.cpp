#include "rareshock/analysis/structure/iim.hpp"

#include <fmt/format.h>

#include <Eigen/SparseLU>
#include <algorithm>
#include <unsupported/Eigen/MatrixFunctions>

#include "rareshock/core/error.hpp"

namespace rareshock::analysis {

namespace {

void check_table(const Eigen::MatrixXd& z, const Eigen::VectorXd& x) {
  if (z.rows() != z.cols() || z.rows() != x.size())
    throw RuntimeError(
        fmt::format("an IO table must be square with one output per sector ({}x{}, {})", z.rows(),
                    z.cols(), x.size()));
  for (Eigen::Index i = 0; i < x.size(); ++i)
    if (!(x[i] > 0))
      throw RuntimeError(
          fmt::format("total output of sector {} is {}; it must be positive", i + 1, x[i]));
}

void check_square(const Eigen::MatrixXd& a, Eigen::Index n, const char* what) {
  if (a.rows() != a.cols() || a.rows() != n)
    throw RuntimeError(
        fmt::format("{}: A* is {}x{} but the vector has {} entries", what, a.rows(), a.cols(), n));
}

Eigen::VectorXd clip01(Eigen::VectorXd q) {
  return q.cwiseMax(0.0).cwiseMin(1.0);
}

}  // namespace

Eigen::MatrixXd technical_coefficients(const Eigen::MatrixXd& z, const Eigen::VectorXd& x) {
  check_table(z, x);
  return z * x.cwiseInverse().asDiagonal();
}

Eigen::MatrixXd supply_side_coefficients(const Eigen::MatrixXd& z, const Eigen::VectorXd& x) {
  check_table(z, x);
  return x.cwiseInverse().asDiagonal() * z.transpose();
}

Eigen::MatrixXd normalised_coefficients(const Eigen::MatrixXd& a, const Eigen::VectorXd& x) {
  check_table(a, x);
  return x.cwiseInverse().asDiagonal() * a * x.asDiagonal();
}

Eigen::VectorXd iim_inoperability(const Eigen::MatrixXd& a_star, const Eigen::VectorXd& c_star,
                                  bool clip) {
  check_square(a_star, c_star.size(), "IIM");
  const Eigen::Index n = a_star.rows();
  Eigen::FullPivLU<Eigen::MatrixXd> lu(Eigen::MatrixXd::Identity(n, n) - a_star);
  if (!lu.isInvertible())
    throw RuntimeError("IIM: I - A* is singular (a closed loop of full interdependency)");
  Eigen::VectorXd q = lu.solve(c_star);
  return clip ? clip01(std::move(q)) : q;
}

Eigen::MatrixXd interdependency_index(const Eigen::MatrixXd& a_star, int n) {
  if (a_star.rows() != a_star.cols()) throw RuntimeError("interdependency index: A* is not square");
  if (n < 0) throw RuntimeError("interdependency index: the order must be >= 0");
  Eigen::MatrixXd p = Eigen::MatrixXd::Identity(a_star.rows(), a_star.cols());
  for (int i = 0; i < n; ++i) p = p * a_star;
  return p;
}

Eigen::VectorXd diim_step(const Eigen::MatrixXd& a_star, const Eigen::VectorXd& k,
                          const Eigen::VectorXd& q, const Eigen::VectorXd& c_star) {
  check_square(a_star, q.size(), "DIIM");
  if (k.size() != q.size() || c_star.size() != q.size())
    throw RuntimeError("DIIM: K, q and c* must have one entry per sector");
  return clip01(q + k.cwiseProduct(a_star * q + c_star - q));
}

std::vector<Eigen::VectorXd> diim_simulate(const Eigen::MatrixXd& a_star, const Eigen::VectorXd& k,
                                           const Eigen::VectorXd& q0,
                                           const std::vector<Eigen::VectorXd>& c_star, int steps) {
  std::vector<Eigen::VectorXd> out{q0};
  const Eigen::VectorXd zero = Eigen::VectorXd::Zero(q0.size());
  for (int t = 0; t < steps; ++t) {
    const Eigen::VectorXd& c =
        c_star.empty() ? zero : c_star[std::min<std::size_t>(t, c_star.size() - 1)];
    out.push_back(diim_step(a_star, k, out.back(), c));
  }
  return out;
}

Eigen::VectorXd diim_recovery(const Eigen::MatrixXd& a_star, const Eigen::VectorXd& k,
                              const Eigen::VectorXd& q0, double t) {
  check_square(a_star, q0.size(), "DIIM recovery");
  if (k.size() != q0.size()) throw RuntimeError("DIIM recovery: K must have one entry per sector");
  const Eigen::Index n = a_star.rows();
  Eigen::MatrixXd m = -t * (k.asDiagonal() * (Eigen::MatrixXd::Identity(n, n) - a_star));
  Eigen::MatrixXd e = m.exp();
  return e * q0;
}

InterdependencyMatrix interdependency_matrix(const sim::Network& net, const Model& model) {
  const int N = net.nodes();
  InterdependencyMatrix out;
  out.value_weighted.assign(N, 0);
  std::vector<double> price(net.material_id.size(), -1);
  for (std::size_t m = 0; m < net.material_id.size(); ++m)
    if (const Material* mat = model.material(net.material_id[m]); mat && mat->price)
      price[m] = *mat->price;
  std::vector<Eigen::Triplet<double>> trip;
  for (int n = 0; n < N; ++n) {
    const bool consumer = net.stage[n] == Stage::Consumer;
    const int r = net.initial_recipe[n];
    if (!consumer && r < 0) continue;
    // Weight of each input slot: baseline use (or the recipe coefficient when idle), by value
    // when every used input has a price.
    std::vector<double> w;
    bool all_priced = true;
    for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s) {
      double use = consumer ? net.demand[s] : net.in_coef(r, n, s);
      w.push_back(use);
      if (use > 0 && price[net.in_material[s]] <= 0) all_priced = false;
    }
    if (all_priced)
      for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s)
        w[s - net.in_begin[n]] *= price[net.in_material[s]];
    out.value_weighted[n] = all_priced && !w.empty();
    double total = 0;
    for (double v : w) total += v;
    if (total <= 0) continue;
    for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s) {
      double ws = w[s - net.in_begin[n]] / total;
      if (ws <= 0) continue;
      // A slot's baseline shares sum to 1: each is the supplier's part of the slot's supply.
      for (int k = net.in_edge_begin[s]; k < net.in_edge_begin[s + 1]; ++k) {
        int e = k;
        if (net.e_share[e] > 0) trip.emplace_back(n, net.e_from[e], ws * net.e_share[e]);
      }
    }
  }
  out.a_star.resize(N, N);
  out.a_star.setFromTriplets(trip.begin(), trip.end());
  return out;
}

Eigen::VectorXd node_inoperability(const InterdependencyMatrix& m,
                                   const std::vector<int>& disrupted) {
  const Eigen::Index n = m.a_star.rows();
  std::vector<char> fixed(n, 0);
  Eigen::VectorXd c = Eigen::VectorXd::Zero(n);
  for (int i : disrupted) fixed[i] = 1, c[i] = 1;
  std::vector<Eigen::Triplet<double>> trip;
  for (Eigen::Index i = 0; i < n; ++i) trip.emplace_back(i, i, 1.0);
  for (Eigen::Index col = 0; col < m.a_star.outerSize(); ++col)
    for (Eigen::SparseMatrix<double>::InnerIterator it(m.a_star, col); it; ++it)
      if (!fixed[it.row()]) trip.emplace_back(it.row(), it.col(), -it.value());
  Eigen::SparseMatrix<double> lhs(n, n);
  lhs.setFromTriplets(trip.begin(), trip.end());
  Eigen::SparseLU<Eigen::SparseMatrix<double>> lu;
  lu.compute(lhs);
  if (lu.info() != Eigen::Success)
    throw RuntimeError("IIM: I - A* of the model is singular (a closed supply loop)");
  return clip01(lu.solve(c));
}

}  // namespace rareshock::analysis
