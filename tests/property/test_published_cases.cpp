// Published cases reproduced by simulation.
#include <catch2/catch.hpp>

#include "../support.hpp"
#include "rareshock/analysis/run/metrics.hpp"

using namespace rareshock;

// Simchi-Levi et al. (2015), Interfaces 45(5): time-to-survive toy, hand-derived from the LP.
// P is made from S (1:1); S is disrupted for TTR = 10 days; 50 units of S are held at P, 20
// finished units of P; demand 10/day; P capacity 15/day; margin 5 USD/unit.
// Expected: TTS = 7 days, 30 units lost over the 10 days, impact 150 USD, vulnerable (TTS < TTR).
TEST_CASE("Simchi-Levi time-to-survive toy: TTS 7 days, 30 units and 150 USD lost", "[published]") {
  test::Sim sim(R"(
materials: [{id: S, family: part}, {id: P, family: product}]
countries: [X]
nodes:
  - {id: s_supplier, stage: component, country: X, capacity: 3650, outputs: {S: 1}}
  - id: p_plant
    stage: component
    country: X
    capacity: 5475
    inputs: {S: 1}
    outputs: {P: 1}
    inventory: [{material: S, initial: 50 t}]
    output_inventory: [{material: P, initial: 20 t}]
consumers: [{id: market, sector: p, region: X, demand: {P: 3650}, units_per_tonne: 1, value_per_unit: 5 USD, inventory_days: 0}]
edges:
  - {from: s_supplier, to: p_plant, material: S, share: 1}
  - {from: p_plant, to: market, material: P, share: 1}
)",
                R"(
scenario: {id: disrupt-s}
events: [{type: capacity_outage, start: 0, end: 9, nodes: [s_supplier], remaining: 0}]
)");
  int slot = sim.in_slot("market", "P");
  analysis::ShortageSeries s;
  s.resize(10);
  sim.engine->reset();
  for (int d = 0; d < 10; ++d) {
    sim.engine->step();
    s.demand[d] = sim.engine->demand_now()[slot];
    s.want[d] = sim.engine->want()[slot];
    s.consumed[d] = sim.engine->consumed()[slot];
    s.shortfall[d] = sim.engine->shortfall()[slot];
  }
  double lost = analysis::unmet_tonnes(s, false);
  auto m = analysis::compute_metrics(s, 0.01, -1, lost, lost * 1, lost * 5);
  REQUIRE(m.time_to_shortage);
  CHECK(*m.time_to_shortage == 7);  // TTS: days 0-6 are served
  CHECK(lost == Approx(30));
  CHECK(m.value_lost_usd == Approx(150));
  CHECK(*m.time_to_shortage < 10);  // vulnerable: TTS < TTR
}
