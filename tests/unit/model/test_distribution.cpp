#include <catch2/catch.hpp>

#include "rareshock/model/distribution.hpp"

using namespace rareshock;

TEST_CASE("distribution means and supports", "[model][distribution]") {
  Distribution d;
  d.kind = DistKind::Triangular;
  d.min = 30, d.mode = 45, d.max = 90;
  CHECK(d.mean() == Approx(55));
  CHECK(d.lower() == 30);
  CHECK(d.upper() == 90);
  d.kind = DistKind::Pert;
  CHECK(d.mean() == Approx((30 + 4 * 45 + 90) / 6.0));
  d.kind = DistKind::Uniform;
  CHECK(d.mean() == Approx(60));
  Distribution n;
  n.kind = DistKind::Normal;
  n.mean_ = 0, n.sd = 1, n.has_min = true, n.min = 0;
  CHECK(n.mean() == Approx(0.7978845608));  // half-normal mean sqrt(2/pi)
  Distribution q;
  q.kind = DistKind::Discrete;
  q.values = {1, 2, 4};
  q.weights = {1, 1, 2};
  CHECK(q.mean() == Approx(2.75));
  CHECK(Distribution::fixed(3).mean() == 3);
  CHECK(dist_kind_names().size() == 7);
}
