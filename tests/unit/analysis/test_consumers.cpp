// Consumers with several materials: complementary inputs (Leontief), metrics per material,
// units of a product shared by sectors counted once, margin-based value lost, and recovery
// counted from the restrictions upstream of each consumer. All numbers hand-computed.
#include <catch2/catch.hpp>

#include "../../support.hpp"
#include "rareshock/analysis/run/study_run.hpp"

using namespace rareshock;

namespace {

// Two grades A and B, each from one supplier with no finished stock; both suppliers are switched
// off from day 0, so the consumer lives on its own stock: 10 t of A and 2.5 t of B, needing
// 2 t/day of A and 1 t/day of B.
std::string two_grades(const std::string& consumer_extra) {
  return "materials: [{id: A, family: magnet}, {id: B, family: magnet}]\n"
         "countries: [CN, US]\n"
         "nodes:\n"
         "  - {id: sa, stage: magnet, country: CN, capacity: 730, outputs: {A: 1}}\n"
         "  - {id: sb, stage: magnet, country: CN, capacity: 365, outputs: {B: 1}}\n"
         "consumers:\n"
         "  - {id: c, sector: motors, region: US, demand: {A: 730, B: 365}, " +
         consumer_extra +
         "inventory: [{material: A, initial: 10 t}, {material: B, initial: 2.5 t}]}\n"
         "edges:\n"
         "  - {from: sa, to: c, material: A, share: 1}\n"
         "  - {from: sb, to: c, material: B, share: 1}\n";
}

const char* kOff = R"(
scenario: {id: off}
events: [{type: capacity_outage, start: 0, nodes: [sa, sb], remaining: 0}]
)";

struct Day {
  double stock_a, stock_b, used_a, used_b, short_a, short_b;
};

std::vector<Day> run_days(test::Sim& sim, int days) {
  const int a = sim.in_slot("c", "A"), b = sim.in_slot("c", "B");
  std::vector<Day> out;
  sim.engine->reset();
  for (int d = 0; d < days; ++d) {
    sim.engine->step();
    const auto& e = *sim.engine;
    out.push_back({e.in_stock()[a], e.in_stock()[b], e.consumed()[a], e.consumed()[b],
                   e.shortfall()[a], e.shortfall()[b]});
  }
  return out;
}

}  // namespace

TEST_CASE("complementary inputs: units are limited by the scarcest grade, the rest stays in stock",
          "[sim][engine][consumers]") {
  test::Sim sim(two_grades("inputs: complementary, "), kOff);
  auto d = run_days(sim, 5);
  // Day 0: f = min(10/2, 2.5/1) = 1 -> uses 2 A + 1 B; left 8 A, 1.5 B.
  CHECK(d[0].used_a == Approx(2));
  CHECK(d[0].used_b == Approx(1));
  CHECK(d[0].stock_a == Approx(8));
  CHECK(d[0].stock_b == Approx(1.5));
  // Day 1: f = min(8/2, 1.5/1) = 1 -> left 6 A, 0.5 B.
  CHECK(d[1].stock_a == Approx(6));
  CHECK(d[1].stock_b == Approx(0.5));
  CHECK(d[1].short_a == 0);
  // Day 2: f = min(6/2, 0.5/1) = 0.5 -> uses 1 A + 0.5 B; short 1 A + 0.5 B; 5 A stay.
  CHECK(d[2].used_a == Approx(1));
  CHECK(d[2].used_b == Approx(0.5));
  CHECK(d[2].short_a == Approx(1));
  CHECK(d[2].short_b == Approx(0.5));
  CHECK(d[2].stock_a == Approx(5));
  CHECK(d[2].stock_b == Approx(0).margin(1e-12));
  // Day 3 on: f = 0 -> nothing built; the 5 t of A are kept, not lost.
  for (int t = 3; t < 5; ++t) {
    CHECK(d[t].used_a == 0);
    CHECK(d[t].short_a == Approx(2));
    CHECK(d[t].short_b == Approx(1));
    CHECK(d[t].stock_a == Approx(5));
  }
  // Mass balance: the initial 12.5 t are used or on hand.
  const int a = sim.in_slot("c", "A"), b = sim.in_slot("c", "B");
  CHECK(sim.engine->used_total()[a] + sim.engine->in_stock()[a] == Approx(10));
  CHECK(sim.engine->used_total()[b] + sim.engine->in_stock()[b] == Approx(2.5));
}

TEST_CASE("independent inputs: each grade is used on its own (the default)",
          "[sim][engine][consumers]") {
  test::Sim sim(two_grades(""), kOff);
  auto d = run_days(sim, 6);
  CHECK(d[2].used_a == Approx(2));  // A keeps going while B runs out
  CHECK(d[2].used_b == Approx(0.5));
  CHECK(d[2].short_a == 0);
  CHECK(d[2].stock_a == Approx(4));
  CHECK(d[3].stock_a == Approx(2));
  CHECK(d[4].stock_a == Approx(0).margin(1e-12));  // the last 2 t of A used on day 4
  CHECK(d[4].short_a == Approx(0).margin(1e-12));
  CHECK(d[5].short_a == Approx(2));
}

TEST_CASE("complementary inputs with back-orders keep the baseline proportions",
          "[sim][engine][consumers]") {
  test::Sim sim(two_grades("inputs: complementary, backorder: true, "), kOff);
  auto d = run_days(sim, 4);
  // Day 2: f = 0.5 -> open 1 A, 0.5 B. Day 3: want 3 A, 1.5 B, f = 0 -> open 3 A, 1.5 B.
  CHECK(d[2].short_a == Approx(1));
  CHECK(d[2].short_b == Approx(0.5));
  CHECK(d[3].short_a == Approx(3));
  CHECK(d[3].short_b == Approx(1.5));
  CHECK(d[3].stock_a == Approx(5));
}

TEST_CASE("the consumers key inputs is checked", "[io][consumers]") {
  CHECK_THROWS_WITH(io::load_text("t.yaml", two_grades("inputs: leontief, ")),
                    Catch::Contains("inputs") && Catch::Contains("complementary"));
}

namespace {

// US: EV traction (grade A from CN, 10-day lead time) and other automotive (grade B from JP)
// both make vehicles; EU: wind (independent A + B) and motors (complementary A + B).
// Bans: CN -> US on days 0..50; JP -> US and EU on days 0..100.
const char* kStudyModel = R"(
materials: [{id: A, family: magnet}, {id: B, family: magnet}]
countries: [CN, JP, US, DE]
groups: [{id: EU, members: [DE]}]
nodes:
  - {id: sa, stage: magnet, country: CN, capacity: 1095, outputs: {A: 1}}
  - {id: sb, stage: magnet, country: JP, capacity: 1095, outputs: {B: 1}}
consumers:
  - {id: ev_us, sector: ev_traction, region: US, demand: {A: 365}, units_per_tonne: 10, value_per_unit: 100 USD,
     product: vehicle, margin: 0.2, unit_name: vehicles, inventory_days: 0}
  - {id: auto_us, sector: other_automotive, region: US, demand: {B: 365}, units_per_tonne: 20, value_per_unit: 100 USD,
     product: vehicle, margin: 0.2, unit_name: vehicles, inventory_days: 0}
  - {id: wind_eu, sector: wind, region: EU, demand: {A: 365, B: 365}, units_per_tonne: 1, value_per_unit: 10 USD, inventory_days: 0}
  - {id: motor_eu, sector: motors, region: EU, demand: {A: 365, B: 365}, inputs: complementary, units_per_tonne: 1,
     value_per_unit: 10 USD, inventory_days: 0}
edges:
  - {from: sa, to: ev_us, material: A, share: 1, lead_time: 10}
  - {from: sb, to: auto_us, material: B, share: 1}
  - {from: sa, to: wind_eu, material: A, share: 1}
  - {from: sb, to: wind_eu, material: B, share: 1}
  - {from: sa, to: motor_eu, material: A, share: 1}
  - {from: sb, to: motor_eu, material: B, share: 1}
)";

const char* kBans = R"(
scenario: {id: bans}
events:
  - {id: cn, type: export_restriction, start: 0, end: 50, exporters: CN, materials: all, destinations: [US], regime: ban}
  - {id: jp, type: export_restriction, start: 0, end: 100, exporters: JP, materials: all, destinations: [US, EU], regime: ban}
)";

struct StudyFixture {
  Study study;
  sim::Network net;
  analysis::RunResult run;
  StudyFixture() {
    study.model = *test::model_from(kStudyModel);
    study.scenarios.push_back(*test::scenario_from(kBans));
    study.combinations = {{"bans", std::string("bans"), {}}};
    study.start = make_date(2025, 1, 1);
    study.horizon = 200;
    net = sim::compile(study.model);
    run = analysis::run_combination(study, net, study.combinations[0], {});
  }
  const analysis::EntityResult& entity(const std::string& level, const std::string& id) const {
    for (const auto& e : run.entities)
      if (analysis::to_string(e.level) == level && e.id == id) return e;
    FAIL("no " << level << " " << id);
    return run.entities.front();
  }
  static const analysis::ShortageMetrics& material(const analysis::EntityResult& e,
                                                   const std::string& m) {
    for (const auto& mr : e.materials)
      if (mr.material == m) return mr.metrics;
    FAIL("no material " << m << " in " << e.id);
    return e.metrics;
  }
};

}  // namespace

TEST_CASE("recovery is counted from the restrictions upstream of each consumer",
          "[analysis][consumers]") {
  StudyFixture f;
  // ev_us is reached by the CN ban only (ends day 50), auto_us by the JP ban (ends day 100).
  auto refs = analysis::consumer_recovery_reference(
      f.net, sim::compile_forcing(f.net, f.study.model, {&f.study.scenarios[0]}, f.study.start));
  REQUIRE(refs.size() == 4);
  CHECK(refs[0] == 50);
  CHECK(refs[1] == 100);
  CHECK(refs[2] == 100);                   // wind_eu: the JP ban covers its B supply
  CHECK(f.run.recovery_reference == 100);  // study-wide
  const auto& ev = f.entity("consumer", "ev_us").metrics;
  // Nothing arrives on days 10..60 (shipments of days 0..50 are blocked; 10-day lead time).
  CHECK(*ev.time_to_shortage == 10);
  CHECK(ev.shortage_days == 51);
  CHECK(ev.recovery_reference == 50);
  CHECK(*ev.time_to_recover == 61 - 50);  // from the study-wide day 100 it would be 0
  const auto& au = f.entity("consumer", "auto_us").metrics;
  CHECK(au.shortage_days == 101);
  CHECK(au.recovery_reference == 100);
  CHECK(*au.time_to_recover == 1);
  // The US region counts from the latest of its consumers' references.
  CHECK(f.entity("region", "US").metrics.recovery_reference == 100);
}

TEST_CASE("vehicles of two sectors in one region are counted once, margin-based value lost",
          "[analysis][consumers]") {
  StudyFixture f;
  const auto& ev = f.entity("consumer", "ev_us");
  CHECK(ev.unit_name == "vehicles");
  CHECK(ev.metrics.units_lost == Approx(51 * 10));
  CHECK(ev.metrics.value_lost_usd == Approx(51 * 10 * 100));
  CHECK(*ev.metrics.margin_lost_usd == Approx(0.2 * 51 * 10 * 100));
  const auto& au = f.entity("consumer", "auto_us");
  CHECK(au.metrics.units_lost == Approx(101 * 20));
  // Sectors stay per sector.
  CHECK(f.entity("sector", "ev_traction").metrics.units_lost == Approx(510));
  // Region: each day the larger loss of the two (20 vehicles/day on days 0..100) counts;
  // the plain sum is the upper bound.
  const auto& us = f.entity("region", "US");
  CHECK(us.unit_name == "vehicles");
  CHECK(us.metrics.units_lost == Approx(2020));
  CHECK(us.metrics.units_lost_upper == Approx(2530));
  CHECK(us.metrics.value_lost_usd == Approx(2020 * 100));
  CHECK(*us.metrics.margin_lost_usd == Approx(0.2 * 2020 * 100));
  // EU: different products (no product key) add up; no margins given -> none.
  const auto& eu = f.entity("region", "EU");
  CHECK(eu.unit_name == "units");
  CHECK(eu.metrics.units_lost == Approx(101 + 202));
  CHECK(eu.metrics.units_lost_upper == Approx(303));
  CHECK_FALSE(eu.metrics.margin_lost_usd);
}

TEST_CASE("run losses are per unit name: vehicles once, margin the headline, full value the bound",
          "[analysis][consumers][losses]") {
  StudyFixture f;
  // Vehicles (US): the larger daily loss of ev_us and auto_us counts (2020), summed 2530;
  // value 100 USD each, margin 20 %. Units (EU, no unit name, no margin): 101 + 202, never
  // added to the vehicles.
  REQUIRE(f.run.losses.size() == 2);
  const auto& v = f.run.losses[0];
  CHECK(v.unit_name == "vehicles");
  CHECK(v.units_lost == Approx(2020));
  CHECK(v.units_lost_upper == Approx(2530));
  CHECK(v.value_lost_usd == Approx(2020 * 100));
  REQUIRE(v.margin_lost_usd);
  CHECK(*v.margin_lost_usd == Approx(0.2 * 2020 * 100));
  const auto& u = f.run.losses[1];
  CHECK(u.unit_name == "units");
  CHECK(u.units_lost == Approx(303));
  CHECK_FALSE(u.margin_lost_usd);
}

TEST_CASE("metrics per material: an independent grade is short alone, a complementary one is not",
          "[analysis][consumers]") {
  StudyFixture f;
  const auto& wind = f.entity("consumer", "wind_eu");
  REQUIRE(wind.materials.size() == 2);
  CHECK(wind.metrics.peak_shortfall == Approx(0.5));  // B missing, A delivered
  CHECK(wind.metrics.unmet_t == Approx(101));
  const auto& wa = StudyFixture::material(wind, "A");
  const auto& wb = StudyFixture::material(wind, "B");
  CHECK_FALSE(wa.time_to_shortage);
  CHECK(wa.unmet_t == 0);
  CHECK(*wb.time_to_shortage == 0);
  CHECK(wb.peak_shortfall == Approx(1));
  CHECK(wb.unmet_t == Approx(101));
  CHECK(wb.units_lost == Approx(101));
  CHECK(*wb.time_to_recover == 1);
  // Motors need both: no B, no motor; A is short too (and stays in stock).
  const auto& motor = f.entity("consumer", "motor_eu");
  CHECK(motor.metrics.peak_shortfall == Approx(1));
  CHECK(motor.metrics.unmet_t == Approx(202));
  CHECK(motor.metrics.units_lost == Approx(202));
  const auto& ma = StudyFixture::material(motor, "A");
  CHECK(*ma.time_to_shortage == 0);
  CHECK(ma.unmet_t == Approx(101));
  CHECK(ma.units_lost == Approx(202));  // every motor not built lacks its A as well as its B
  // Aggregates per material: the EU region's grade A is short only through motors.
  const auto& eu = f.entity("region", "EU");
  CHECK(StudyFixture::material(eu, "A").unmet_t == Approx(101));
  CHECK(StudyFixture::material(eu, "B").unmet_t == Approx(202));
  CHECK(StudyFixture::material(eu, "B").peak_shortfall == Approx(1));
}
