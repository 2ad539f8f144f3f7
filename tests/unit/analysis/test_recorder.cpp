#include <catch2/catch.hpp>

#include "../../support.hpp"
#include "rareshock/analysis/run/recorder.hpp"

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

TEST_CASE("the recorder accounts for switched, newly qualified and blocked supply",
          "[analysis][recorder][supply]") {
  // c needs 1 t/day, no stock, lead time 0. cn (share 0.5) is banned from day 0; jp (share
  // 0.5) has room; us is a standby supplier (share 0) qualified after 3 days. Switching lag 1
  // day: on day 1 cn's whole share moves to jp (removal 0.5 x 1 / 1), which has room, so from
  // day 1 jp ships the full 1 t/day, 0.5 t of it beyond its baseline share. cn was ordered
  // 0.5 t on day 0 and let through 0: 0.5 t blocked. Every supplier then delivers in full, so
  // the standby us is never needed (shares do not drift back: reversion time 1e12 days).
  sim::EngineSettings es;
  es.switching_lag = 1;
  es.qualification_time = 3;
  es.share_reversion = 1e12;  // shares stay where switching put them (no drift back)
  const char* model = R"(
materials: [{id: m, family: magnet}]
countries: [CN, JP, US]
nodes:
  - {id: cn, stage: magnet, country: CN, capacity: 730, outputs: {m: 1}}
  - {id: jp, stage: magnet, country: JP, capacity: 730, outputs: {m: 1}}
  - {id: us, stage: magnet, country: US, capacity: 730, outputs: {m: 1}}
consumers: [{id: c, sector: ev, region: US, demand: {m: 365}, inventory_days: 0}]
edges:
  - {from: cn, to: c, material: m, share: 0.5, lead_time: 0}
  - {from: jp, to: c, material: m, share: 0.5, lead_time: 0}
  - {from: us, to: c, material: m, share: 0, lead_time: 0}
)";
  const char* ban = R"(
scenario: {id: ban}
events: [{type: export_restriction, start: 0, exporters: CN, materials: all, regime: ban}]
)";
  test::Sim sim(model, ban, make_date(2025, 1, 1), es);
  analysis::SeriesRecorder rec(sim.net, 10);
  sim.engine->run(10, &rec);
  REQUIRE(rec.supply.size() == 1);
  const auto& s = rec.supply[0];
  CHECK(s.switched_t == Approx(9 * 0.5));  // days 1-9
  CHECK(s.blocked_t == Approx(0.5));
  CHECK(s.from_new_suppliers_t == Approx(0).margin(1e-9));

  SECTION("a full supplier leaves the gap to the standby after its qualification time") {
    // jp can make only its baseline 0.5 t/day: no room, so nothing switches to it. c starts
    // looking on day 0 (cn under-delivers), us may take share from day 3 on (0 + 3): on day 3
    // cn's share 0.5 moves to us (lag 1), which ships 0.5 t/day on days 3-9 = 3.5 t. cn is
    // ordered 0.5 t/day on days 0-2 and let through nothing: 1.5 t blocked.
    std::string full = model;
    const std::string jp = "country: JP, capacity: 730";
    full.replace(full.find(jp), jp.size(), "country: JP, capacity: 182.5");
    test::Sim sim2(full, ban, make_date(2025, 1, 1), es);
    analysis::SeriesRecorder rec2(sim2.net, 10);
    sim2.engine->run(10, &rec2);
    const auto& s2 = rec2.supply[0];
    CHECK(s2.switched_t == Approx(0));
    CHECK(s2.from_new_suppliers_t == Approx(3.5));
    REQUIRE(s2.new_supplier_day);
    CHECK(*s2.new_supplier_day == 3);
    CHECK(s2.blocked_t == Approx(1.5));
  }
}
