#include <catch2/catch.hpp>

#include "../../support.hpp"
#include "rareshock/analysis/recorder.hpp"

using namespace rareshock;

TEST_CASE("the recorder sums a consumer's materials per day and keeps node and edge series",
          "[analysis][recorder]") {
  test::Sim sim(R"(
materials: [{id: a, family: magnet}, {id: b, family: magnet}]
countries: [US]
nodes: [{id: s, stage: magnet, country: US, capacity: 3650, outputs: {a: 1, b: 1}}]
consumers: [{id: c, sector: ev, region: US, demand: {a: 365, b: 730}, inventory_days: 10}]
edges:
  - {from: s, to: c, material: a, share: 1}
  - {from: s, to: c, material: b, share: 1}
)");
  analysis::SeriesRecorder rec(sim.net, 5, true, true);
  sim.engine->run(5, &rec);
  REQUIRE(rec.series.size() == 1);
  CHECK(rec.series[0].demand[4] == Approx(3.0));
  CHECK(rec.series[0].stock[0] == Approx(30.0));
  CHECK(rec.series[0].base_daily_demand == Approx(3.0));
  REQUIRE(rec.node_series.size() == 2);
  CHECK(rec.node_series[0].activity.size() == 5);
  CHECK(rec.node_series[0].activity[0] == Approx(2.0));  // joint output follows b
  REQUIRE(rec.edge_series.size() == 2);
  CHECK(rec.edge_series[1].shipped[0] == Approx(2.0));
}
