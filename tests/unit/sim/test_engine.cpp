// Hand-computed cases for every phase and event type. Day 0 is 2025-01-01 unless said.
#include <catch2/catch.hpp>

#include "../../support.hpp"

using namespace rareshock;

namespace {

// One material, supplier `s` (country CN) -> consumer `c` (country US), 1 t/day.
std::string direct(double cap_t_yr, double consumer_days, double lead,
                   const std::string& extra = "") {
  return "materials: [{id: m, family: magnet, elements: {Dy: 0.04}}]\n"
         "countries: [CN, US]\n"
         "nodes:\n"
         "  - {id: s, stage: magnet, country: CN, capacity: " +
         std::to_string(cap_t_yr) + ", outputs: {m: 1}}\n" + extra +
         "consumers: [{id: c, sector: ev, region: US, demand: {m: 365}, inventory_days: " +
         std::to_string(consumer_days) +
         "}]\n"
         "edges: [{from: s, to: c, material: m, share: 1, lead_time: " +
         std::to_string(lead) + "}]\n";
}

// Steps the engine and returns the shortfall fraction of consumer slot s per day.
std::vector<double> fractions(test::Sim& sim, int slot, int days) {
  std::vector<double> out;
  sim.engine->reset();
  for (int d = 0; d < days; ++d) {
    sim.engine->step();
    double w = sim.engine->want()[slot];
    out.push_back(w > 0 ? sim.engine->shortfall()[slot] / w : 0);
  }
  return out;
}

int first_short(const std::vector<double>& f, double thr = 0.01) {
  for (std::size_t d = 0; d < f.size(); ++d)
    if (f[d] >= thr) return static_cast<int>(d);
  return -1;
}

}  // namespace

TEST_CASE(
    "3-node chain: first shortage day = upstream lead + refinery stock + lead + consumer stock",
    "[sim][engine]") {
  // mine -(5 d)-> refinery (10 days of ore, capacity exactly the baseline) -(7 d)-> consumer (20
  // days)
  test::Sim sim(R"(
materials: [{id: ore, family: concentrate}, {id: ox, family: oxide}]
countries: [CN, US]
nodes:
  - {id: mine, stage: mine, country: CN, capacity: 1000, outputs: {ore: 1}}
  - {id: ref, stage: refinery, country: CN, capacity: 365, inputs: {ore: 1}, outputs: {ox: 1}, inventory_days: 10}
consumers: [{id: c, sector: ev, region: US, demand: {ox: 365}, inventory_days: 20}]
edges:
  - {from: mine, to: ref, material: ore, share: 1, lead_time: 5}
  - {from: ref, to: c, material: ox, share: 1, lead_time: 7}
)",
                R"(
scenario: {id: mine-down}
events: [{type: capacity_outage, start: 0, nodes: [mine], remaining: 0}]
)");
  auto f = fractions(sim, sim.in_slot("c", "ox"), 60);
  CHECK(first_short(f) == 5 + 10 + 7 + 20);
  CHECK(f[41] == 0);
  CHECK(f[42] == Approx(1.0));
}

TEST_CASE("licence: nothing passes during the review delay, then the approved fraction",
          "[sim][engine]") {
  test::Sim sim(direct(730, 0, 0), R"(
scenario: {id: lic}
events:
  - type: export_restriction
    start: 0
    exporters: [CN]
    materials: {elements_above: {Dy: 0.1 %}}
    destinations: {all_except: [CN]}
    regime: licence
    licence: {review_delay: 10 days, approval: 50 %}
)");
  auto f = fractions(sim, sim.in_slot("c", "m"), 40);
  for (int d = 0; d < 10; ++d) CHECK(f[d] == Approx(1.0));
  for (int d = 10; d < 40; ++d) CHECK(f[d] == Approx(0.5));
}

TEST_CASE("licence approvals follow their schedule by date", "[sim][engine]") {
  test::Sim sim(direct(730, 0, 0), R"(
scenario: {id: lic}
events:
  - type: export_restriction
    start: 0
    exporters: CN
    materials: [m]
    regime: licence
    licence:
      review_delay: 5 days
      approval: [{from: 0, fraction: 0}, {from: 20, fraction: 0.25}, {from: 30, fraction: 1}]
)");
  auto f = fractions(sim, sim.in_slot("c", "m"), 40);
  CHECK(f[10] == Approx(1.0));   // decided with approval 0
  CHECK(f[22] == Approx(0.75));  // decided on day 22 with 25 %
  CHECK(f[35] == Approx(0.0));   // decided with 100 %
}

TEST_CASE("period licences cover shipments for their validity and renew ahead", "[sim][engine]") {
  test::Sim sim(direct(730, 0, 0), R"(
scenario: {id: lic}
events:
  - {type: export_restriction, start: 0, exporters: CN, materials: [m], regime: licence,
     licence: {review_delay: 5, approval: 1, validity: 30 days}}
)");
  auto f = fractions(sim, sim.in_slot("c", "m"), 90);
  for (int d = 0; d < 5; ++d) CHECK(f[d] == Approx(1.0));
  for (int d = 5; d < 90; ++d) CHECK(f[d] == Approx(0.0));
}

TEST_CASE("ban: blocked goods stay with the supplier for its other customers", "[sim][engine]") {
  std::string model = R"(
materials: [{id: m, family: magnet}]
countries: [CN, US]
nodes: [{id: s, stage: magnet, country: CN, capacity: 730, outputs: {m: 1}}]
consumers:
  - {id: home, sector: ev, region: CN, demand: {m: 365}, inventory_days: 0}
  - {id: away, sector: ev, region: US, demand: {m: 365}, inventory_days: 0}
edges:
  - {from: s, to: home, material: m, share: 1}
  - {from: s, to: away, material: m, share: 1}
)";
  test::Sim sim(model, R"(
scenario: {id: ban}
events: [{type: export_restriction, start: 3, end: 9, exporters: CN, materials: all, destinations: [US], regime: ban}]
)");
  auto f = fractions(sim, sim.in_slot("away", "m"), 15);
  CHECK(f[2] == 0);
  for (int d = 3; d <= 9; ++d) CHECK(f[d] == Approx(1.0));
  CHECK(f[10] == 0);
  int home = sim.in_slot("home", "m");
  sim.engine->reset();
  for (int d = 0; d < 5; ++d) sim.engine->step();
  CHECK(sim.engine->shortfall()[home] == 0);
  CHECK(sim.engine->out_stock()[sim.out_slot("s", "m")] > 0);  // what was blocked is still at home
}

TEST_CASE("quota caps daily exports across destinations", "[sim][engine]") {
  test::Sim sim(direct(730, 0, 0), R"(
scenario: {id: q}
events: [{type: export_restriction, start: 0, exporters: CN, materials: [m], regime: quota, quota: {annual: 91.25 t/yr}}]
)");
  auto f = fractions(sim, sim.in_slot("c", "m"), 10);
  for (int d = 0; d < 10; ++d) CHECK(f[d] == Approx(0.75));
}

TEST_CASE(
    "a proportional supplier ships min(order, pass limit) x one fill fraction to every customer",
    "[sim][engine]") {
  // Allocation keeps only the supplier's fill fraction; the engine writes each edge's shipment
  // customer-major afterwards. Short supply (1 t/day for 3 t/day of demand) and a quota on one
  // destination: every customer edge's shipment over its want is the same fraction f <= 1, and
  // the shipments add up to what left the supplier.
  test::Sim sim(R"(
materials: [{id: m, family: magnet}]
countries: [CN, US, JP]
nodes: [{id: s, stage: magnet, country: CN, capacity: 365, outputs: {m: 1}, output_inventory_days: 0}]
consumers:
  - {id: home, sector: ev, region: CN, demand: {m: 365}, inventory_days: 0}
  - {id: us, sector: ev, region: US, demand: {m: 365}, inventory_days: 0}
  - {id: jp, sector: ev, region: JP, demand: {m: 365}, inventory_days: 0}
edges:
  - {from: s, to: home, material: m, share: 1}
  - {from: s, to: us, material: m, share: 1}
  - {from: s, to: jp, material: m, share: 1}
)",
                R"(
scenario: {id: q}
events: [{type: export_restriction, start: 5, exporters: CN, materials: [m], destinations: [US], regime: quota, quota: {annual: 36.5 t/yr}}]
)");
  auto& e = *sim.engine;
  const auto& net = sim.net;
  const int o = sim.out_slot("s", "m");
  e.reset();
  double shipped_before = 0;
  for (int d = 0; d < 20; ++d) {
    e.step();
    double f = -1, sum = 0;
    for (int k = net.out_edge_begin[o]; k < net.out_edge_begin[o + 1]; ++k) {
      const int edge = net.out_edges[k];
      const double want = std::min(e.order()[edge], e.pass_limit()[edge]);
      sum += e.shipped()[edge];
      if (want <= 0) {
        CHECK(e.shipped()[edge] == 0);
        continue;
      }
      const double ratio = e.shipped()[edge] / want;
      CHECK(ratio <= 1 + 1e-12);
      if (f < 0)
        f = ratio;
      else
        CHECK(ratio == Approx(f).epsilon(1e-12));
    }
    CHECK(f > 0);
    CHECK(sum == Approx(e.shipped_total()[o] - shipped_before).epsilon(1e-12));
    shipped_before = e.shipped_total()[o];
    if (d >= 5) {  // the quota binds the US edge: it ships less than it ordered
      const int us = net.in_edge_begin[sim.in_slot("us", "m")];
      CHECK(e.pass_limit()[us] == Approx(0.1));
      CHECK(e.shipped()[us] < e.order()[us]);
    }
  }
}

TEST_CASE("outage scales capacity, demand shock scales demand", "[sim][engine]") {
  test::Sim sim(direct(365, 0, 0), R"(
scenario: {id: o}
events:
  - {type: capacity_outage, start: 2, end: 4, nodes: {countries: [CN], stages: [magnet]}, remaining: 0.4}
  - {type: demand_shock, start: 10, consumers: {sectors: [ev]}, factor: 1.5}
)");
  auto f = fractions(sim, sim.in_slot("c", "m"), 12);
  CHECK(f[1] == 0);
  CHECK(f[2] == Approx(0.6));
  CHECK(f[5] == 0);
  CHECK(sim.engine->demand_now()[sim.in_slot("c", "m")] == Approx(1.5));
  CHECK(f[11] == Approx(1 - 1 / 1.5));  // capacity is 1 t/day
}

TEST_CASE("logistics delay opens a gap in arrivals", "[sim][engine]") {
  test::Sim sim(direct(730, 0, 3), R"(
scenario: {id: d}
events: [{type: logistics_delay, start: 5, end: 30, edges: {from_countries: [CN]}, extra_days: 10}]
)");
  auto f = fractions(sim, sim.in_slot("c", "m"), 25);
  CHECK(first_short(f) == 8);  // shipments of days 0-4 arrive days 3-7; day 5's arrives on day 18
  for (int d = 8; d <= 17; ++d) CHECK(f[d] == Approx(1.0));
  CHECK(f[18] == 0);
}

TEST_CASE("two logistics delays on one edge add up (the pipeline ring holds both)",
          "[sim][engine]") {
  test::Sim sim(direct(730, 0, 3), R"(
scenario: {id: d}
events:
  - {type: logistics_delay, start: 5, end: 30, edges: {from_countries: [CN]}, extra_days: 10}
  - {type: logistics_delay, start: 5, end: 30, edges: {to_countries: [US]}, extra_days: 10}
)");
  auto f = fractions(sim, sim.in_slot("c", "m"), 32);
  // Shipments of days 0-4 arrive days 3-7; day 5's, 3 + 10 + 10 days later, on day 28.
  CHECK(first_short(f) == 8);
  for (int d = 8; d <= 27; ++d) CHECK(f[d] == Approx(1.0));
  CHECK(f[28] == 0);
}

TEST_CASE("stockpile release fills unfilled orders at its rate until empty", "[sim][engine]") {
  std::string model = direct(
      365 * 2, 0, 0,
      "  - {id: sp, stage: stockpile, country: US, inventory: [{material: m, initial: 50 t}]}\n");
  model.replace(model.find("demand: {m: 365}"), 16, "demand: {m: 730}");
  model.replace(model.find("edges: ["), 8, "edges: [{from: sp, to: c, material: m, share: 0}, ");
  test::Sim sim(model, R"(
scenario: {id: ban-and-release}
events:
  - {type: export_restriction, start: 0, exporters: CN, materials: all, regime: ban}
  - {type: stockpile_release, start: 0, node: sp, rate: 365 t/yr, eligible: [US]}
)");
  auto f = fractions(sim, sim.in_slot("c", "m"), 60);
  for (int d = 0; d < 50; ++d) CHECK(f[d] == Approx(0.5));
  CHECK(f[50] == Approx(1.0));
}

TEST_CASE("capacity expansion ramps capacity linearly", "[sim][engine]") {
  test::Sim sim(direct(182.5, 0, 0), R"(
scenario: {id: x}
events: [{type: capacity_expansion, start: 20, node: s, from: 182.5 t/yr, to: 730 t/yr, ramp: 10 days}]
)");
  auto f = fractions(sim, sim.in_slot("c", "m"), 40);
  CHECK(f[5] == Approx(0.5));
  CHECK(sim.engine->capacity_now()[sim.node("s")] == Approx(2.0));
  CHECK(f[39] == 0);
}

TEST_CASE("capacity expansion triggered by shortage starts after its lag", "[sim][engine]") {
  test::Sim sim(direct(730, 0, 0), R"(
scenario: {id: x}
events:
  - {type: capacity_outage, start: 10, nodes: [s], remaining: 0.5}
  - {type: capacity_expansion, start: 0, node: s, from: 730, to: 730, ramp: 0,
     trigger: {on: shortage, watch: {consumers: [c]}, threshold: 1 %, lag: 5 days}}
)");
  // Outage leaves 1 t/day: exactly the demand; the consumer is fine and nothing triggers.
  auto f = fractions(sim, sim.in_slot("c", "m"), 30);
  CHECK(first_short(f) == -1);
  test::Sim sim2(direct(730, 0, 0), R"(
scenario: {id: x}
events:
  - {type: capacity_outage, start: 10, nodes: [s], remaining: 0.25}
  - {type: capacity_expansion, start: 0, node: s, from: 1460, to: 1460, ramp: 0,
     trigger: {on: shortage, watch: {consumers: [c]}, lag: 5 days}}
)");
  auto g = fractions(sim2, sim2.in_slot("c", "m"), 30);
  CHECK(first_short(g) == 10);
  CHECK(g[14] == Approx(0.5));  // armed on day 10, capacity from day 15
  CHECK(g[15] == 0);
}

TEST_CASE("substitution lowers demand after its lag, along its ramp", "[sim][engine]") {
  test::Sim sim(direct(730, 0, 0), R"(
scenario: {id: s}
events: [{type: substitution, start: 0, consumers: {sectors: [ev]}, material: m, max_reduction: 40 %, lag: 10, ramp: 20}]
)");
  int slot = sim.in_slot("c", "m");
  sim.engine->reset();
  for (int d = 0; d < 10; ++d) sim.engine->step();
  CHECK(sim.engine->demand_now()[slot] == Approx(1.0));
  sim.engine->step();  // day 10: first day of the ramp
  CHECK(sim.engine->demand_now()[slot] == Approx(1 - 0.4 / 20));
  for (int d = 11; d < 40; ++d) sim.engine->step();
  CHECK(sim.engine->demand_now()[slot] == Approx(0.6));
}

TEST_CASE("recipe switch after qualification lag changes input use", "[sim][engine]") {
  test::Sim sim(R"(
materials: [{id: dy, family: oxide}, {id: mag, family: magnet}]
countries: [CN]
nodes:
  - {id: dyp, stage: refinery, country: CN, capacity: 1000, outputs: {dy: 1}}
  - id: mk
    stage: magnet
    country: CN
    capacity: 1000
    recipes:
      - {id: conv, inputs: {dy: 0.04}, outputs: {mag: 1}}
      - {id: gbd, inputs: {dy: 0.02}, outputs: {mag: 1}, available_after: 5}
consumers: [{id: c, sector: ev, region: CN, demand: {mag: 365}, inventory_days: 10}]
edges:
  - {from: dyp, to: mk, material: dy, share: 1}
  - {from: mk, to: c, material: mag, share: 1}
)",
                R"(
scenario: {id: rs}
events: [{type: recipe_switch, start: 2, node: mk, recipe: gbd, qualification_lag: 10}]
)");
  sim.engine->reset();
  int mk = sim.node("mk");
  for (int d = 0; d < 12; ++d) sim.engine->step();
  CHECK(sim.net.recipe_id[sim.engine->recipe_now()[mk]] == "conv");
  sim.engine->step();  // day 12
  CHECK(sim.net.recipe_id[sim.engine->recipe_now()[mk]] == "gbd");
  double before = sim.engine->used_total()[sim.in_slot("mk", "dy")];
  sim.engine->step();
  CHECK(sim.engine->used_total()[sim.in_slot("mk", "dy")] - before ==
        Approx(0.02 * sim.engine->activity()[mk]));
}

TEST_CASE("recycling ramps a recycler's capacity", "[sim][engine]") {
  test::Sim sim(R"(
materials: [{id: m, family: magnet}]
countries: [US]
nodes:
  - {id: s, stage: magnet, country: US, capacity: 365, outputs: {m: 1}}
  - {id: r, stage: recycler, country: US, capacity: 0, outputs: {m: 1}}
consumers: [{id: c, sector: ev, region: US, demand: {m: 365}, inventory_days: 0}]
edges:
  - {from: s, to: c, material: m, share: 1}
  - {from: r, to: c, material: m, share: 0}
)",
                R"(
scenario: {id: rec}
events: [{type: recycling, start: 5, node: r, from: 0, to: 365, ramp: 10}]
)");
  sim.engine->reset();
  for (int d = 0; d < 20; ++d) sim.engine->step();
  CHECK(sim.engine->capacity_now()[sim.node("r")] == Approx(1.0));
}

TEST_CASE("joint production: activity follows the main product, the by-product accumulates",
          "[sim][engine]") {
  test::Sim sim(R"(
materials: [{id: ore, family: concentrate}, {id: ndpr, family: oxide}, {id: lace, family: oxide}]
countries: [CN]
nodes:
  - {id: mine, stage: mine, country: CN, capacity: 2000, outputs: {ore: 1}}
  - {id: sep, stage: refinery, country: CN, capacity: 2000, inputs: {ore: 1}, outputs: {ndpr: 0.5, lace: 0.1}}
consumers: [{id: c, sector: ev, region: CN, demand: {ndpr: 365}}]
edges:
  - {from: mine, to: sep, material: ore, share: 1, lead_time: 3}
  - {from: sep, to: c, material: ndpr, share: 1, lead_time: 2}
)");
  sim.engine->run(100);
  CHECK(sim.engine->activity()[sim.node("sep")] == Approx(2.0));
  CHECK(sim.engine->out_stock()[sim.out_slot("sep", "lace")] == Approx(0.2 * 100));
  CHECK(sim.engine->shortfall()[sim.in_slot("c", "ndpr")] == 0);
}

TEST_CASE("priority rationing in the engine serves class 1 first", "[sim][engine]") {
  test::Sim sim(R"(
materials: [{id: m, family: magnet}]
countries: [CN]
nodes: [{id: s, stage: magnet, country: CN, capacity: 365, outputs: {m: 1}, rationing: priority}]
consumers:
  - {id: defence, sector: defence, region: CN, demand: {m: 182.5}, inventory_days: 0}
  - {id: ev, sector: ev, region: CN, demand: {m: 182.5}, inventory_days: 0}
edges:
  - {from: s, to: ev, material: m, share: 1, priority: 2}
  - {from: s, to: defence, material: m, share: 1, priority: 1}
)",
                R"(
scenario: {id: o}
events: [{type: capacity_outage, start: 0, nodes: [s], remaining: 0.5}]
)");
  sim.engine->reset();
  sim.engine->step();
  CHECK(sim.engine->shortfall()[sim.in_slot("defence", "m")] == Approx(0));
  CHECK(sim.engine->shortfall()[sim.in_slot("ev", "m")] == Approx(0.5));
}

TEST_CASE("shares move to a supplier with spare capacity when one under-delivers",
          "[sim][engine]") {
  test::Sim sim(R"(
materials: [{id: m, family: magnet}]
countries: [CN, JP, US]
nodes:
  - {id: cn, stage: magnet, country: CN, capacity: 730, outputs: {m: 1}}
  - {id: jp, stage: magnet, country: JP, capacity: 730, outputs: {m: 1}}
consumers: [{id: c, sector: ev, region: US, demand: {m: 365}, inventory_days: 30}]
edges:
  - {from: cn, to: c, material: m, share: 0.8, lead_time: 10}
  - {from: jp, to: c, material: m, share: 0.2, lead_time: 10}
)",
                R"(
scenario: {id: ban}
events: [{type: export_restriction, start: 0, end: 99, exporters: CN, materials: all, regime: ban}]
)");
  sim.engine->reset();
  for (int d = 0; d < 100; ++d) sim.engine->step();
  CHECK(sim.engine->share()[1] > 0.9);
  CHECK(sim.engine->share()[0] + sim.engine->share()[1] == Approx(1.0));
  for (int d = 0; d < 800; ++d) sim.engine->step();
  CHECK(sim.engine->share()[0] == Approx(0.8).margin(0.01));  // drifts back after the ban
}

TEST_CASE("ordering closes the stock gap and the supply-line gap over tau", "[sim][engine]") {
  // Consumer starts with no stock against a 10-day target; lead time 5 days, tau 10 days.
  test::Sim sim(R"(
materials: [{id: m, family: magnet}]
countries: [US]
nodes: [{id: s, stage: magnet, country: US, capacity: 3650, outputs: {m: 1}}]
consumers:
  - {id: c, sector: ev, region: US, demand: {m: 365}, replenishment_time: 10 days,
     inventory: [{material: m, initial: 0 t, target: 10 days}]}
edges: [{from: s, to: c, material: m, share: 1, lead_time: 5}]
)");
  sim.engine->reset();
  sim.engine->step();
  // need = use 1 + (10 - 0)/10 + (1*5 - 5)/10 = 2 t on day 0 (pipeline starts full)
  CHECK(sim.engine->order()[0] == Approx(2.0));
  CHECK(sim.engine->shortfall()[sim.in_slot("c", "m")] == 0);  // arrivals cover today's use
}

namespace {
// cn (share 1) and a standby jp (share 0, spare capacity) supply c, 1 t/day, no stocks, lead 0.
std::string standby(const std::string& jp_edge_extra = "") {
  return R"(
materials: [{id: m, family: magnet}]
countries: [CN, JP, US]
nodes:
  - {id: cn, stage: magnet, country: CN, capacity: 730, outputs: {m: 1}}
  - {id: jp, stage: magnet, country: JP, capacity: 730, outputs: {m: 1}}
consumers: [{id: c, sector: ev, region: US, demand: {m: 365}, inventory_days: 0}]
edges:
  - {from: cn, to: c, material: m, share: 1, lead_time: 0}
  - {from: jp, to: c, material: m, share: 0, lead_time: 0)" +
         jp_edge_extra + "}\n";
}
const char* kBanCn = R"(
scenario: {id: ban}
events: [{type: export_restriction, start: 0, exporters: CN, materials: all, regime: ban}]
)";
// First day the standby supplier ships to c.
int first_standby_day(test::Sim& sim, int days) {
  sim.engine->reset();
  for (int d = 0; d < days; ++d) {
    sim.engine->step();
    if (sim.engine->shipped()[1] > 0) return d;
  }
  return -1;
}
}  // namespace

TEST_CASE("a standby supplier takes share only after its qualification time", "[sim][engine]") {
  // Day 0: the ban leaves c's slot under-delivered, so c starts looking on day 0. With a
  // qualification of 10 days the standby can take share on day 10 (shares adapt at the start
  // of the day, before ordering): nothing from jp on days 0-9, something from day 10 on.
  sim::EngineSettings es;
  es.qualification_time = 10;
  test::Sim sim(standby(), kBanCn, make_date(2025, 1, 1), es);
  sim.engine->reset();
  for (int d = 0; d < 30; ++d) {
    sim.engine->step();
    if (d < 10) {
      CHECK(sim.engine->shipped()[1] == 0);
      CHECK(sim.engine->share()[1] == 0);
    } else {
      CHECK(sim.engine->shipped()[1] > 0);
    }
  }
  CHECK(sim.engine->shipped()[1] == Approx(sim.engine->order()[1]));  // jp has spare capacity

  SECTION("default 0: the standby takes share the day after the first under-delivery") {
    test::Sim now(standby(), kBanCn);
    CHECK(first_standby_day(now, 30) == 1);
  }
  SECTION("per-material setting overrides the default; the edge's own value overrides both") {
    sim::EngineSettings per;
    per.qualification_time = 10;
    per.qualification = {{"m", 20}};
    test::Sim mat(standby(), kBanCn, make_date(2025, 1, 1), per);
    CHECK(first_standby_day(mat, 40) == 20);
    test::Sim edge(standby(", qualification_time: 5 days"), kBanCn, make_date(2025, 1, 1), per);
    CHECK(first_standby_day(edge, 40) == 5);
  }
  SECTION("the clock starts when the customer starts looking, not on day 0") {
    test::Sim late(standby(), R"(
scenario: {id: ban}
events: [{type: export_restriction, start: 15, exporters: CN, materials: all, regime: ban}]
)",
                   make_date(2025, 1, 1), es);
    CHECK(first_standby_day(late, 60) == 25);
  }
}

TEST_CASE("existing suppliers (baseline share > 0) need no qualification", "[sim][engine]") {
  sim::EngineSettings es;
  es.qualification_time = 1000;
  test::Sim sim(R"(
materials: [{id: m, family: magnet}]
countries: [CN, JP, US]
nodes:
  - {id: cn, stage: magnet, country: CN, capacity: 730, outputs: {m: 1}}
  - {id: jp, stage: magnet, country: JP, capacity: 730, outputs: {m: 1}}
consumers: [{id: c, sector: ev, region: US, demand: {m: 365}, inventory_days: 0}]
edges:
  - {from: cn, to: c, material: m, share: 0.8, lead_time: 0}
  - {from: jp, to: c, material: m, share: 0.2, lead_time: 0}
)",
                kBanCn, make_date(2025, 1, 1), es);
  sim.engine->reset();
  sim.engine->step();
  sim.engine->step();
  CHECK(sim.engine->share()[1] > 0.2);  // moved on day 1
}

TEST_CASE("back-orders are re-ordered once, not kept in the supply line", "[sim][engine]") {
  // A back-ordering consumer (1 t/day, 30 days of stock, lead 10 days, tau 10 days) loses its
  // supplier for 80 days: its stock runs out and a backlog builds up.
  test::Sim sim(R"(
materials: [{id: m, family: magnet}]
countries: [US]
nodes: [{id: s, stage: magnet, country: US, capacity: 3650, outputs: {m: 1}}]
consumers:
  - {id: c, sector: ev, region: US, demand: {m: 365}, inventory_days: 30, backorder: true,
     replenishment_time: 10 days}
edges: [{from: s, to: c, material: m, share: 1, lead_time: 10}]
)",
                R"(
scenario: {id: down}
events: [{type: capacity_outage, start: 0, end: 79, nodes: [s], remaining: 0}]
)");
  const int slot = sim.in_slot("c", "m");
  sim.engine->reset();
  double peak = 0, max_backlog = 0;
  for (int d = 0; d < 400; ++d) {
    const double S = sim.engine->in_stock()[slot], T = sim.engine->in_transit()[slot];
    const double B = d > 0 ? sim.engine->shortfall()[slot] : 0.0;  // yesterday's back-orders
    sim.engine->step();
    // order = demand + (target - (stock - backlog))/tau + (demand x lead - in transit)/tau
    CHECK(sim.engine->order()[0] ==
          Approx(std::max(0.0, 1 + (30 - (S - B)) / 10 + (1 * 10 - T) / 10)).margin(1e-9));
    max_backlog = std::max(max_backlog, B);
    if (d > 80) peak = std::max(peak, sim.engine->in_stock()[slot]);
  }
  CHECK(max_backlog > 35);  // a large backlog built up
  // Stock after the outage does not overshoot its 30 t target (it went to 89 t when
  // back-orders were added to the rate: re-ordered daily, times the lead in the supply line).
  CHECK(peak < 35);  // before the fix: 89 t
}

TEST_CASE("a producer with inventory_days 0 holds steady state", "[sim][engine]") {
  // Arrivals come after production, so what the refinery uses on day t arrived by day t - 1.
  // With no input stock it used to produce nothing on day 0, then order the day of stock it
  // held away again: its customer lost a day of cover for good (19.33 t instead of 20 t).
  test::Sim sim(R"(
materials: [{id: ore, family: concentrate}, {id: ox, family: oxide}]
countries: [CN, US]
nodes:
  - {id: mine, stage: mine, country: CN, capacity: 1000, outputs: {ore: 1}}
  - {id: ref, stage: refinery, country: CN, capacity: 730, inputs: {ore: 1}, outputs: {ox: 1},
     inventory_days: 0}
consumers: [{id: c, sector: ev, region: US, demand: {ox: 365}, inventory_days: 20}]
edges:
  - {from: mine, to: ref, material: ore, share: 1, lead_time: 5}
  - {from: ref, to: c, material: ox, share: 1, lead_time: 7}
)");
  const int ore = sim.in_slot("ref", "ore"), ox = sim.in_slot("c", "ox");
  CHECK(sim.net.in_initial[ore] == Approx(1.0));  // one day of use
  CHECK(sim.net.in_target[ore] == Approx(1.0));
  sim.engine->reset();
  for (int d = 0; d < 200; ++d) {
    sim.engine->step();
    CHECK(sim.engine->activity()[sim.node("ref")] == Approx(1.0));
    CHECK(sim.engine->order()[0] == Approx(1.0));
    CHECK(sim.engine->in_stock()[ox] == Approx(20.0));
    CHECK(sim.engine->shortfall()[ox] == 0);
  }
}
