#pragma once
/// \file Inoperability Input-Output Model (IIM) and its dynamic form (DIIM), after Haimes &
/// Jiang (2001), Haimes et al. (2005) and Lian & Haimes (2006), plus the model's own
/// interdependency matrix built from the baseline flows. Eigen is the API here.
///
/// Inoperability q_i ∈ [0, 1] is the fraction of sector (node) i's normal output that is lost.
/// Static:  q = (I − A*)⁻¹ c*            (clipped to [0, 1])
/// Dynamic: q(t+1) = q(t) + K [A* q(t) + c*(t) − q(t)]   (clipped to [0, 1])
/// Recovery (c* = 0): q(t) = expm(−K (I − A*) t) q(0)
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <Eigen/SparseCore>

#include "rareshock/model/model.hpp"
#include "rareshock/sim/network.hpp"

namespace rareshock::analysis {

/// Technical (Leontief) coefficients a_ij = z_ij / x_j from an IO table \p z (flow from i to j)
/// and total outputs \p x. Throws RuntimeError when sizes differ or an output is not positive.
Eigen::MatrixXd technical_coefficients(const Eigen::MatrixXd& z, const Eigen::VectorXd& x);

/// Supply-side (Ghosh-type) interdependency matrix a*_ij = z_ji / x_i: the share of i's output
/// (as the published tables write it, Xu et al. 2011) that comes from j.
Eigen::MatrixXd supply_side_coefficients(const Eigen::MatrixXd& z, const Eigen::VectorXd& x);

/// Normalised (demand-side) interdependency matrix A* = diag(x)⁻¹ A diag(x).
Eigen::MatrixXd normalised_coefficients(const Eigen::MatrixXd& a, const Eigen::VectorXd& x);

/// Static IIM: q = (I − A*)⁻¹ c*, clipped to [0, 1] when \p clip. Throws RuntimeError when
/// I − A* is singular.
Eigen::VectorXd iim_inoperability(const Eigen::MatrixXd& a_star, const Eigen::VectorXd& c_star,
                                  bool clip = true);

/// Interdependency index of order n: (A*)ⁿ; element ij is the n-step dependence of i on j.
Eigen::MatrixXd interdependency_index(const Eigen::MatrixXd& a_star, int n);

/// One DIIM step: q + K (A* q + c* − q), clipped to [0, 1]. \p k is the diagonal of K
/// (resilience coefficients [1/day]).
Eigen::VectorXd diim_step(const Eigen::MatrixXd& a_star, const Eigen::VectorXd& k,
                          const Eigen::VectorXd& q, const Eigen::VectorXd& c_star);

/// DIIM trajectory: q(0) = \p q0, then \p steps steps with the perturbation c_star[t]
/// (the last entry is held when the vector is shorter). Returns q(0) … q(steps).
std::vector<Eigen::VectorXd> diim_simulate(const Eigen::MatrixXd& a_star, const Eigen::VectorXd& k,
                                           const Eigen::VectorXd& q0,
                                           const std::vector<Eigen::VectorXd>& c_star, int steps);

/// DIIM recovery in continuous time: q(t) = expm(−K (I − A*) t) q(0) [t in days].
Eigen::VectorXd diim_recovery(const Eigen::MatrixXd& a_star, const Eigen::VectorXd& k,
                              const Eigen::VectorXd& q0, double t);

/// The model's supply-side interdependency matrix over nodes: a*_ij is the share of node i's
/// baseline inputs that comes from node j (consumers: of their demand). The inputs of a node
/// are weighted by value (baseline use × price) when every input material has a price, else
/// by mass; within one input, suppliers by baseline flow (by share when all flows are 0).
/// Mines, recyclers and stockpiles have empty rows.
struct InterdependencyMatrix {
  Eigen::SparseMatrix<double> a_star;  ///< nodes × nodes, row sums ≤ 1
  std::vector<char> value_weighted;    ///< per node: inputs weighted by value (1) or mass (0)
};
InterdependencyMatrix interdependency_matrix(const sim::Network& net, const Model& model);

/// Static IIM of the model when the nodes in \p disrupted are fully inoperable (q = 1 held:
/// their rows are replaced by the perturbation). Returns q per node, clipped to [0, 1]: the
/// long-run loss without stocks, re-routing or substitution (a linear bound for comparison
/// with the simulated ranking).
Eigen::VectorXd node_inoperability(const InterdependencyMatrix& m,
                                   const std::vector<int>& disrupted);

}  // namespace rareshock::analysis
