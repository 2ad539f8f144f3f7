// IIM and DIIM: the published cases (Haimes & Jiang 2001; Lian & Haimes 2006; Xu et al. 2011), then
// the model's own interdependency matrix.
#include <catch2/catch.hpp>

#include "../../support.hpp"
#include "rareshock/analysis/structure/iim.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/io/load.hpp"

using namespace rareshock;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

MatrixXd mat(std::initializer_list<std::initializer_list<double>> rows) {
  MatrixXd m(static_cast<Eigen::Index>(rows.size()),
             static_cast<Eigen::Index>(rows.begin()->size()));
  Eigen::Index i = 0;
  for (const auto& r : rows) {
    Eigen::Index j = 0;
    for (double v : r) m(i, j++) = v;
    ++i;
  }
  return m;
}

VectorXd vec(std::initializer_list<double> v) {
  VectorXd x(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (double d : v) x[i++] = d;
  return x;
}

void check_vec(const VectorXd& got, std::initializer_list<double> want, double tol) {
  REQUIRE(got.size() == static_cast<Eigen::Index>(want.size()));
  Eigen::Index i = 0;
  for (double w : want) {
    INFO("entry " << i + 1 << ": got " << got[i] << ", expected " << w);
    CHECK(std::abs(got[i] - w) <= tol);
    ++i;
  }
}

// Lian & Haimes (2006), Systems Engineering 9:241-258.
const MatrixXd kLianHaimes = mat({{0.15, 0.50}, {0.10, 0.05}});
// Haimes & Jiang (2001), J. Infrastruct. Syst. 7(1):1-12, four sectors.
const MatrixXd kHaimesJiang4 =
    mat({{0, 0.9, 0, 0}, {0.4, 0, 0, 0}, {1.0, 0.8, 0, 0}, {1.0, 0.9, 0, 0}});

}  // namespace

TEST_CASE("IIM, Haimes & Jiang 2001 (J. Infrastruct. Syst. 7(1):1-12), two sectors",
          "[analysis][iim][published]") {
  VectorXd q = analysis::iim_inoperability(mat({{0, 0.8}, {0.2, 0}}), vec({0, 0.6}));
  check_vec(q, {0.571429, 0.714286}, 1e-6);
}

TEST_CASE("IIM, Haimes & Jiang 2001, four sectors with saturation", "[analysis][iim][published]") {
  VectorXd c = vec({0, 0.5, 0, 0});
  check_vec(analysis::iim_inoperability(kHaimesJiang4, c), {0.703125, 0.78125, 1, 1}, 1e-9);
  check_vec(analysis::iim_inoperability(kHaimesJiang4, c, false),
            {0.703125, 0.78125, 1.328125, 1.40625}, 1e-9);
}

TEST_CASE("IIM, Lian & Haimes 2006 (Systems Engineering 9:241-258)", "[analysis][iim][published]") {
  check_vec(analysis::iim_inoperability(kLianHaimes, vec({0, 0.1})), {0.066007, 0.112211}, 1e-6);
}

TEST_CASE("DIIM recovery, Lian & Haimes 2006 / Haimes et al. 2005 (J. Infrastruct. Syst. 11(2))",
          "[analysis][iim][published]") {
  const VectorXd k = vec({0.2, 0.2}), q0 = vec({0, 0.1});
  check_vec(analysis::diim_recovery(kLianHaimes, k, q0, 1), {0.008356, 0.082779}, 1e-6);
  check_vec(analysis::diim_recovery(kLianHaimes, k, q0, 5), {0.020507, 0.039678}, 1e-6);
  check_vec(analysis::diim_recovery(kLianHaimes, k, q0, 10), {0.017115, 0.016585}, 1e-6);
  check_vec(analysis::diim_recovery(kLianHaimes, k, q0, 30), {0.001824, 0.000768}, 1e-6);
  check_vec(analysis::diim_recovery(kLianHaimes, k, q0, 0), {0, 0.1}, 1e-12);
}

TEST_CASE("interdependency indices (A*^n)ij of the Haimes & Jiang 2001 four-sector case",
          "[analysis][iim][published]") {
  MatrixXd a2 = analysis::interdependency_index(kHaimesJiang4, 2);
  MatrixXd a3 = analysis::interdependency_index(kHaimesJiang4, 3);
  // 1-based indices in the table.
  CHECK(a2(2, 1) == Approx(0.9));
  CHECK(a3(2, 1) == Approx(0.288));
  CHECK(a3(0, 1) == Approx(0.324));
  CHECK(a3(3, 3) == Approx(0).margin(1e-12));
  CHECK(analysis::interdependency_index(kHaimesJiang4, 0).isIdentity());
}

TEST_CASE("IO table to coefficients, Xu et al. 2011 (four infrastructures)",
          "[analysis][iim][published]") {
  MatrixXd z =
      mat({{175, 280, 280, 140}, {140, 315, 350, 280}, {245, 140, 280, 140}, {175, 280, 105, 280}});
  VectorXd x = vec({1225, 1610, 1085, 1015});
  MatrixXd a = analysis::technical_coefficients(z, x);
  MatrixXd a_expected = mat({{0.14, 0.17, 0.26, 0.14},
                             {0.11, 0.20, 0.32, 0.28},
                             {0.20, 0.10, 0.26, 0.14},
                             {0.14, 0.17, 0.10, 0.28}});
  MatrixXd s = analysis::supply_side_coefficients(z, x);
  MatrixXd s_expected = mat({{0.14, 0.11, 0.20, 0.14},
                             {0.17, 0.20, 0.10, 0.17},
                             {0.26, 0.32, 0.26, 0.10},
                             {0.14, 0.28, 0.14, 0.28}});
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      INFO("element " << i + 1 << "," << j + 1);
      CHECK(std::abs(a(i, j) - a_expected(i, j)) <= 0.015);
      CHECK(std::abs(s(i, j) - s_expected(i, j)) <= 0.015);
    }
  // The normalised matrix diag(x)^-1 A diag(x) has z_ij / x_i.
  MatrixXd n = analysis::normalised_coefficients(a, x);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) CHECK(n(i, j) == Approx(z(i, j) / x[i]));
  CHECK_THROWS_AS(analysis::technical_coefficients(z, vec({1, 2, 0, 4})), RuntimeError);
}

TEST_CASE("discrete DIIM converges to the static IIM under a constant perturbation and clips",
          "[analysis][iim]") {
  VectorXd c = vec({0, 0.1});
  std::vector<VectorXd> path =
      analysis::diim_simulate(kLianHaimes, vec({0.2, 0.2}), VectorXd::Zero(2), {c}, 400);
  REQUIRE(path.size() == 401);
  check_vec(path.back(), {0.066007, 0.112211}, 1e-6);
  // One step from zero: q(1) = K c*.
  check_vec(path[1], {0, 0.02}, 1e-12);
  // Saturation: a large perturbation stays within [0, 1].
  VectorXd q =
      analysis::diim_step(kHaimesJiang4, VectorXd::Ones(4), VectorXd::Ones(4), vec({0, 0.5, 0, 0}));
  CHECK(q.maxCoeff() <= 1);
  CHECK(q.minCoeff() >= 0);
  CHECK_THROWS_AS(analysis::iim_inoperability(mat({{0, 1}, {1, 0}}), vec({0.1, 0})), RuntimeError);
}

TEST_CASE("the model's interdependency matrix: supplier shares per node, IIM of an outage",
          "[analysis][iim]") {
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml");
  sim::Network net = sim::compile(*l.model);
  auto m = analysis::interdependency_matrix(net, *l.model);
  MatrixXd a(m.a_star);
  for (int i = 0; i < net.nodes(); ++i) {
    INFO(net.node_id[i]);
    CHECK(a.row(i).sum() <= 1 + 1e-12);
    CHECK(a.row(i).minCoeff() >= 0);
  }
  const int ev_eu = net.node_index("ev_traction_eu"), cn_mag = net.node_index("cn_magnet"),
            jp_mag = net.node_index("jp_magnet"), cn_sep = net.node_index("cn_separation");
  CHECK(a(ev_eu, cn_mag) == Approx(0.8));
  CHECK(a(ev_eu, jp_mag) == Approx(0.2));
  CHECK(a.row(net.node_index("cn_mine")).sum() == 0);  // a source
  // cn_magnet's inputs are priced: weighted by value (metal 0.31 t x 75, Dy 0.01 t x 230).
  CHECK(m.value_weighted[cn_mag]);
  CHECK(a(cn_mag, cn_sep) == Approx(0.01 * 230 / (0.31 * 75 + 0.01 * 230)));

  VectorXd q = analysis::node_inoperability(m, {cn_mag});
  CHECK(q[cn_mag] == 1);
  CHECK(q[net.node_index("ev_traction_cn")] == Approx(1));
  CHECK(q[ev_eu] == Approx(0.8));
  CHECK(q[jp_mag] == 0);  // downstream only: a supply-side model
}
