#include <catch2/catch.hpp>

#include "rareshock/sim/rationing.hpp"

using namespace rareshock;
using namespace rareshock::sim;

TEST_CASE("proportional rationing gives everyone the same fill", "[sim][rationing]") {
  double want[3] = {10, 20, 30}, out[3];
  int prio[3] = {1, 1, 1};
  double contract[3] = {0, 0, 0};
  CHECK(ration(Rationing::Proportional, 30, 3, want, prio, contract, out) == Approx(30));
  CHECK(out[0] == Approx(5));
  CHECK(out[1] == Approx(10));
  CHECK(out[2] == Approx(15));
  CHECK(ration(Rationing::Proportional, 100, 3, want, prio, contract, out) == Approx(60));
  CHECK(out[2] == Approx(30));  // never more than wanted
}

TEST_CASE("priority rationing serves classes in order", "[sim][rationing]") {
  double want[4] = {10, 10, 20, 40}, out[4];
  int prio[4] = {1, 1, 2, 3};
  double contract[4] = {};
  ration(Rationing::Priority, 35, 4, want, prio, contract, out);
  CHECK(out[0] == Approx(10));
  CHECK(out[1] == Approx(10));
  CHECK(out[2] == Approx(15));  // class 2 gets the remaining 15 of its 20
  CHECK(out[3] == Approx(0));
  ration(Rationing::Priority, 12, 4, want, prio, contract, out);
  CHECK(out[0] == Approx(6));  // class 1 shares 12 pro rata
  CHECK(out[2] == Approx(0));
}

TEST_CASE("contract rationing honours shares, then fills open orders", "[sim][rationing]") {
  double want[3] = {50, 10, 100}, out[3];
  int prio[3] = {1, 1, 1};
  double contract[3] = {0.5, 0.3, 0.2};
  double given = ration(Rationing::Contract, 100, 3, want, prio, contract, out);
  // first pass: 50, 10 (capped from 30), 20; 20 left goes to the only open order (80 short)
  CHECK(out[0] == Approx(50));
  CHECK(out[1] == Approx(10));
  CHECK(out[2] == Approx(40));
  CHECK(given == Approx(100));
}

TEST_CASE("nothing to give or nothing wanted gives zero", "[sim][rationing]") {
  double want[2] = {0, 0}, out[2] = {7, 7};
  int prio[2] = {1, 1};
  double contract[2] = {};
  CHECK(ration(Rationing::Proportional, 10, 2, want, prio, contract, out) == 0);
  CHECK(out[0] == 0);
  double want2[2] = {1, 1};
  CHECK(ration(Rationing::Priority, 0, 2, want2, prio, contract, out) == 0);
}
