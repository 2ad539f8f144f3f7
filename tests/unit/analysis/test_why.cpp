// How the shock travelled (analysis/run/why.hpp): the supply balance of a hit consumer over its
// shock window adds up, supplier changes are exact on hand networks, and the binding constraint
// is traced to the restriction that held supply back, on the consumer's own edge or upstream.
#include <catch2/catch.hpp>

#include "../../support.hpp"
#include "rareshock/analysis/run/why.hpp"

using namespace rareshock;

namespace {

// A recorder that the engine calls each day.
struct Obs : sim::Observer {
  analysis::WhyRecorder* why;
  void on_day(const sim::Engine& e) override { why->on_day(e); }
};

std::vector<analysis::WhyRecord> run_why(test::Sim& sim, int days) {
  analysis::WhyRecorder why(*sim.engine, days);
  Obs obs;
  obs.why = &why;
  sim.engine->run(days, &obs);
  return why.explain();
}

const analysis::WhySupplier& supplier(const analysis::WhyRecord& w, const std::string& id) {
  for (const auto& s : w.suppliers)
    if (s.supplier == id) return s;
  FAIL("no supplier " << id);
  return w.suppliers.front();
}

}  // namespace

TEST_CASE("a hit consumer's supply balance adds up: arrived + own stock drawn + unmet = demand",
          "[analysis][why]") {
  // c needs 1 t/day and holds 5 days (5 t); cn and jp each supply half (lead time 0). jp runs
  // at its full capacity (0.5 t/day), so when CN is banned from day 2 nothing can switch to
  // it. From day 2: 0.5 t/day arrives, the 5 t of stock cover the other 0.5 t/day for 10 days
  // (days 2-11), then 0.5 t/day goes unmet (50 % short) to the horizon's end (day 29).
  // Window: days 2-29 (28 days): demand 28 t = 14 t arrived + 5 t stock + 9 t unmet.
  test::Sim sim(R"(
materials: [{id: m, family: magnet}]
countries: [CN, JP, US]
nodes:
  - {id: cn, stage: magnet, country: CN, capacity: 730, outputs: {m: 1}}
  - {id: jp, stage: magnet, country: JP, capacity: 182.5, outputs: {m: 1}}
consumers: [{id: c, sector: ev, region: US, demand: {m: 365}, inventory_days: 5}]
edges:
  - {from: cn, to: c, material: m, share: 0.5, lead_time: 0}
  - {from: jp, to: c, material: m, share: 0.5, lead_time: 0}
)",
                R"(
scenario: {id: ban}
events: [{id: cn-ban, type: export_restriction, start: 2, exporters: CN, materials: all, regime: ban}]
)");
  auto whys = run_why(sim, 30);
  REQUIRE(whys.size() == 1);
  const auto& w = whys[0];
  CHECK(w.from_day == 2);
  CHECK(w.to_day == 29);
  CHECK(w.demand_t == Approx(28));
  CHECK(w.baseline_demand_t == Approx(28));
  CHECK(w.inflow_t == Approx(14));
  CHECK(w.baseline_inflow_t == Approx(28));
  CHECK(w.stock_drawn_t == Approx(5));
  CHECK(w.unmet_t == Approx(9));
  CHECK(w.inflow_t + w.stock_drawn_t + w.unmet_t == Approx(w.demand_t).epsilon(1e-12));
  CHECK(w.pipeline_drawn_t == Approx(0).margin(1e-12));  // lead time 0: nothing in transit
  CHECK(w.from_stockpiles_t == 0);
  // Suppliers: CN lost all its 14 t, JP delivered its baseline; most shrunk first.
  REQUIRE(w.suppliers.size() == 2);
  CHECK(w.suppliers[0].supplier == "cn");
  CHECK(supplier(w, "cn").before_t == Approx(14));
  CHECK(supplier(w, "cn").during_t == Approx(0).margin(1e-12));
  CHECK(supplier(w, "jp").change_t() == Approx(0).margin(1e-9));
  double changes = 0;
  for (const auto& s : w.suppliers) changes += s.change_t();
  CHECK(w.baseline_inflow_t + changes == Approx(w.inflow_t));
  // Binding: the ban on the consumer's own edge; nothing it ordered from CN passed.
  REQUIRE(w.binding);
  CHECK(w.binding->kind == "restriction");
  CHECK(w.binding->event == "cn-ban");
  CHECK(w.binding->regime == "ban");
  CHECK(w.binding->from_place == "CN");
  CHECK(w.binding->to_place == "US");
  CHECK(w.binding->depth == 0);
  CHECK(w.binding->ordered_t > 14);  // half its needs plus restocking orders, every day
  CHECK(w.binding->passed_t == Approx(0).margin(1e-12));
  REQUIRE(w.restrictions.size() == 1);
  CHECK(w.restrictions[0].event == "cn-ban");

  SECTION("without a restriction nothing is explained and the balance is the baseline") {
    test::Sim base(R"(
materials: [{id: m, family: magnet}]
countries: [US]
nodes: [{id: s, stage: magnet, country: US, capacity: 730, outputs: {m: 1}}]
consumers: [{id: c, sector: ev, region: US, demand: {m: 365}, inventory_days: 5}]
edges: [{from: s, to: c, material: m, share: 1, lead_time: 3}]
)");
    auto b = run_why(base, 20);
    REQUIRE(b.size() == 1);
    CHECK(b[0].from_day == 0);
    CHECK(b[0].to_day == 19);
    CHECK(b[0].unmet_t == Approx(0).margin(1e-9));
    CHECK(b[0].inflow_t == Approx(20));
    CHECK(b[0].stock_drawn_t == Approx(0).margin(1e-9));
    CHECK(b[0].pipeline_drawn_t == Approx(0).margin(1e-9));  // 3 t in transit at both ends
    CHECK_FALSE(b[0].binding);
    CHECK(b[0].restrictions.empty());
  }
}

TEST_CASE("the binding constraint is traced upstream to the restriction on a supplier's input",
          "[analysis][why]") {
  // mine (CN) -> maker (JP, 1 day of ore in stock) -> c (US, no stock); CN ore is banned from
  // day 3. The maker's ore runs out, it rations c (c's own edge is free), and the trace finds
  // the ban one stage upstream, on the maker's ore. With a lead time of 2 days from the maker,
  // c's pipeline (2 t) is drawn as well: in the window (days 3-19) c needs 17 t; what was in
  // transit and the maker's last day of ore (1 t on day 3) arrive, the rest is unmet.
  test::Sim sim(R"(
materials: [{id: ore, family: concentrate}, {id: m, family: magnet}]
countries: [CN, JP, US]
nodes:
  - {id: mine, stage: mine, country: CN, capacity: 730, outputs: {ore: 1}}
  - {id: maker, stage: magnet, country: JP, capacity: 730, inputs: {ore: 1}, outputs: {m: 1}, inventory_days: 1}
consumers: [{id: c, sector: ev, region: US, demand: {m: 365}, inventory_days: 0}]
edges:
  - {from: mine, to: maker, material: ore, share: 1, lead_time: 0}
  - {from: maker, to: c, material: m, share: 1, lead_time: 2}
)",
                R"(
scenario: {id: ban}
events: [{id: ore-ban, type: export_restriction, start: 3, exporters: CN, materials: [ore], regime: ban}]
)");
  auto whys = run_why(sim, 20);
  REQUIRE(whys.size() == 1);
  const auto& w = whys[0];
  CHECK(w.from_day == 3);
  CHECK(w.to_day == 19);
  CHECK(w.demand_t == Approx(17));
  CHECK(w.inflow_t + w.stock_drawn_t + w.unmet_t == Approx(w.demand_t).epsilon(1e-12));
  CHECK(w.stock_drawn_t == Approx(0).margin(1e-9));  // no stock to draw
  // What arrived: the 2 t in transit on day 3 plus what the maker still made from its ore.
  CHECK(w.pipeline_drawn_t == Approx(2));
  CHECK(w.inflow_t > 2);
  CHECK(w.inflow_t < 17);
  REQUIRE(w.binding);
  CHECK(w.binding->kind == "restriction");
  CHECK(w.binding->event == "ore-ban");
  CHECK(w.binding->regime == "ban");
  CHECK(w.binding->depth == 1);
  CHECK(w.binding->from_place == "CN");
  CHECK(w.binding->to_place == "JP");
  CHECK(w.binding->material == "ore");
  CHECK(w.binding->from_stage == "mine");
  CHECK(w.binding->to_stage == "magnet");
  CHECK(w.binding->passed_t == Approx(0).margin(1e-12));  // nothing passes a ban
  CHECK(w.restrictions.empty());                          // none on c's own edge
}

TEST_CASE("a supplier at full capacity is the binding constraint when switching fills it",
          "[analysis][why]") {
  // c buys from cn (share 0.5) and from jp (share 0.5, capacity 0.75 t/day) and nothing is
  // banned; demand doubles from day 1 (1 -> 2 t/day). cn has room; jp runs full and rations:
  // the trace stops at jp's capacity.
  test::Sim sim(R"(
materials: [{id: m, family: magnet}]
countries: [CN, JP, US]
nodes:
  - {id: cn, stage: magnet, country: CN, capacity: 730, outputs: {m: 1}}
  - {id: jp, stage: magnet, country: JP, capacity: 273.75, outputs: {m: 1}}
consumers: [{id: c, sector: ev, region: US, demand: {m: 365}, inventory_days: 0}]
edges:
  - {from: cn, to: c, material: m, share: 0.5, lead_time: 0}
  - {from: jp, to: c, material: m, share: 0.5, lead_time: 0}
)",
                R"(
scenario: {id: surge}
events: [{id: surge, type: demand_shock, start: 1, consumers: [c], factor: 2}]
)");
  auto whys = run_why(sim, 10);
  REQUIRE(whys.size() == 1);
  const auto& w = whys[0];
  CHECK(w.from_day == 0);  // no restricting event: from the start
  CHECK(w.inflow_t + w.stock_drawn_t + w.unmet_t == Approx(w.demand_t).epsilon(1e-12));
  CHECK(w.unmet_t > 0);
  REQUIRE(w.binding);
  CHECK(w.binding->kind == "capacity");
  CHECK(w.binding->node == "jp");
  CHECK(w.binding->ratio == Approx(1).epsilon(0.02));
  CHECK(w.binding->depth == 1);
}
