// Invariants on fixture and generated networks: mass balance (per slot, per material and
// globally, every day, 1e-9 relative), no negative stock or flow, steady state without
// events, identical results on repeated runs.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <functional>

#include "../support.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/io/load.hpp"
#include "rareshock/sim/synthetic.hpp"

#include <tbb/task_arena.h>

using namespace rareshock;

namespace {

struct BalanceChecker : sim::Observer {
  double worst = 0;  // worst relative imbalance seen
  double most_negative = 0;
  std::vector<double> transit0;
  explicit BalanceChecker(const sim::Engine& e) : transit0(e.in_transit()) {}
  static double rel(double a, double b) {
    return std::fabs(a - b) / std::max({1.0, std::fabs(a), std::fabs(b)});
  }
  void on_day(const sim::Engine& e) override {
    const auto& net = e.network();
    std::vector<double> lhs(net.material_id.size(), 0.0), rhs(net.material_id.size(), 0.0);
    for (int s = 0; s < net.in_slots(); ++s) {
      // per input slot: initial + arrivals = used + on hand
      worst = std::max(worst, rel(net.in_initial[s] + e.arrived_total()[s],
                                  e.used_total()[s] + e.in_stock()[s]));
      lhs[net.in_material[s]] += net.in_initial[s] + transit0[s];
      rhs[net.in_material[s]] += e.used_total()[s] + e.in_stock()[s] + e.in_transit()[s];
      most_negative = std::min({most_negative, e.in_stock()[s], e.in_transit()[s]});
    }
    for (int o = 0; o < net.out_slots(); ++o) {
      // per output slot: initial + produced = shipped + on hand
      worst = std::max(worst, rel(net.out_initial[o] + e.produced_total()[o],
                                  e.shipped_total()[o] + e.out_stock()[o]));
      lhs[net.out_material[o]] += net.out_initial[o] + e.produced_total()[o];
      rhs[net.out_material[o]] += e.out_stock()[o];
      most_negative = std::min(most_negative, e.out_stock()[o]);
    }
    for (std::size_t m = 0; m < lhs.size(); ++m) worst = std::max(worst, rel(lhs[m], rhs[m]));
    for (int k = 0; k < net.edges(); ++k)
      most_negative = std::min({most_negative, e.shipped()[k], e.order()[k]});
  }
};

// Non-negativity is not a clamp: the engine checks every stock, pipeline and order where it
// is updated and throws when one goes below zero by more than round-off (Engine::
// kNegativeTol of the quantities it came from), setting only round-off to 0. So a run that
// completes shows the arithmetic keeps them non-negative, and worst_snap() bounds the
// round-off that was set to 0 (well below the tolerance, or the model's arithmetic drifts).
void check_invariants(sim::Engine& engine, int days) {
  engine.reset();
  BalanceChecker chk(engine);
  for (int d = 0; d < days; ++d) REQUIRE_NOTHROW(engine.step(&chk));
  INFO("worst relative imbalance " << chk.worst << ", most negative " << chk.most_negative
                                   << ", worst round-off set to 0 " << engine.worst_snap());
  CHECK(chk.worst < 1e-9);
  CHECK(chk.most_negative >= 0);
  CHECK(engine.worst_snap() <= 0);
  CHECK(engine.worst_snap() > -1e-12);
}

// Corrupts one value of the engine's state after day \p on (as a bug in a phase would).
struct Corrupter : sim::Observer {
  int on;
  std::function<void(const sim::Engine&)> corrupt;
  void on_day(const sim::Engine& e) override {
    if (e.day() == on) corrupt(e);
  }
};

// The engine is not const here: the observer gets a const view of a mutable engine.
std::vector<double>& mutable_state(const std::vector<double>& v) {
  return const_cast<std::vector<double>&>(v);
}

struct Snapshot {
  std::vector<double> a, b, c, d;
  bool operator==(const Snapshot&) const = default;
};
Snapshot snapshot(sim::Engine& e, int days) {
  e.run(days);
  return {e.in_stock(), e.out_stock(), e.shipped(), e.share()};
}

// Bit patterns of the engine's state after every day (FNV-1a over the bytes of each array).
struct Digest : sim::Observer {
  std::vector<std::uint64_t> days;
  static void mix(std::uint64_t& h, const void* p, std::size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  }
  template <class T>
  static void mix(std::uint64_t& h, const std::vector<T>& v) {
    mix(h, v.data(), v.size() * sizeof(T));
  }
  bool arrivals = true;  ///< include arrived() (per-edge arrivals, when the engine keeps them)
  void on_day(const sim::Engine& e) override {
    std::uint64_t h = 14695981039346656037ull;
    if (arrivals) mix(h, e.arrived());
    for (const auto* v :
         {&e.in_stock(), &e.in_transit(), &e.out_stock(), &e.order(), &e.shipped(), &e.share(),
          &e.pipeline_cells(), &e.activity(), &e.capacity_now(), &e.pass_limit(), &e.want(),
          &e.consumed(), &e.shortfall(), &e.demand_now(), &e.produced_total(), &e.shipped_total(),
          &e.arrived_total(), &e.used_total()})
      mix(h, *v);
    mix(h, e.recipe_now());
    mix(h, e.covered());
    if (const auto* o = e.origin()) {
      const int K = o->keys();
      const auto& net = e.network();
      for (int s = 0; s < net.in_slots(); ++s) {
        mix(h, o->in_mix(s), K * sizeof(double));
        mix(h, o->in_mix(s, sim::OriginMeasure::Value), K * sizeof(double));
        mix(h, o->consumed(s), K * sizeof(double));
      }
      for (int x = 0; x < net.out_slots(); ++x) mix(h, o->out_mix(x), K * sizeof(double));
      for (std::size_t c = 0; c < e.pipeline_cells().size(); ++c)
        mix(h, o->cell_mix(static_cast<int>(c)), K * sizeof(double));
    }
    const double snap = e.worst_snap();
    mix(h, &snap, sizeof snap);
    days.push_back(h);
  }
};

// Runs \p days on \p threads engine threads and returns the per-day digests.
std::vector<std::uint64_t> digests(const sim::Network& net, const sim::Forcing& f,
                                   sim::EngineSettings es, int threads, int days) {
  es.threads = threads;
  sim::Engine engine(net, f, es);
  CHECK(engine.threads() == threads);
  Digest d;
  engine.reset();
  for (int i = 0; i < days; ++i) engine.step(&d);
  return d.days;
}

const char* kShock = R"(
scenario: {id: shock}
events:
  - {type: export_restriction, start: 30, end: 200, exporters: [CN], materials: {elements_above: {Dy: 0.1 %}},
     destinations: {all_except: [CN]}, regime: licence,
     licence: {review_delay: 45 working days, approval: [{from: 30, fraction: 0}, {from: 90, fraction: 0.4}],
               resubmission: {delay: 10 days, approval: 0.6}, volume_cap: 1.3}}
  - {type: export_restriction, start: 150, exporters: [CN], exporter_nodes: [cn_magnet],
     materials: {elements_sum_above: {elements: [Dy, Tb], above: 0.1 %}}, regime: licence,
     licence: {review_delay: 5, approval: 0.7, validity: 120 days, granted_at_start: true,
               resubmission: {delay: 5 days, max_attempts: 3}}}
  - {type: capacity_outage, start: 50, end: 120, nodes: {countries: [MY]}, remaining: 0.3}
  - {type: logistics_delay, start: 60, end: 90, edges: {to_countries: [EU]}, extra_days: 12}
  - {type: demand_shock, start: 100, consumers: {sectors: [wind]}, factor: 1.3}
  - {type: stockpile_release, start: 40, node: us_stockpile, rate: 300 t/yr}
  - {type: capacity_expansion, start: 10, node: jp_magnet, from: 4 kt/yr, to: 8 kt/yr, ramp: 90 days}
  - {type: substitution, start: 0, consumers: {sectors: [ev_traction]}, material: ndfeb_sh, max_reduction: 0.1,
     lag: 60, ramp: 90, trigger: {on: shortage, lag: 10}}
  - {type: recipe_switch, start: 0, node: cn_magnet, recipe: gbd, qualification_lag: 150}
)";

}  // namespace

TEST_CASE("mini chain: mass balance and non-negativity under every kind of event", "[property]") {
  auto model = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml").model;
  auto scenario = test::scenario_from(kShock);
  sim::Network net = sim::compile(*model);
  sim::Forcing f = sim::compile_forcing(net, *model, {scenario.get()}, make_date(2025, 1, 1));
  sim::EngineSettings es;
  es.qualification_time = 60;
  sim::Engine engine(net, f, es);
  check_invariants(engine, 730);
  engine.sample_licences(3, 1, 0);  // stochastic licences keep the invariants too
  check_invariants(engine, 730);
}

TEST_CASE("the stock invariants fire on a corrupted state, naming day, quantity, node, material",
          "[property]") {
  auto model = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml").model;
  sim::Network net = sim::compile(*model);
  sim::Forcing none;
  sim::Engine engine(net, none);
  // An input slot of a producer (used in production), a consumer's input slot (consumption),
  // an output slot (allocation), a pipeline (transport).
  int producer_in = -1, consumer_in = -1, piped = -1;
  for (int s = 0; s < net.in_slots(); ++s) {
    const bool consumer = net.stage[net.in_node[s]] == Stage::Consumer;
    if (!consumer && producer_in < 0 && net.in_initial[s] > 0) producer_in = s;
    if (consumer && consumer_in < 0) consumer_in = s;
  }
  for (int e = 0; e < net.edges(); ++e)
    if (net.e_lead[e] > 0 && net.e_flow[e] > 0 && piped < 0) piped = net.e_in_slot[e];
  REQUIRE(producer_in >= 0);
  REQUIRE(consumer_in >= 0);
  REQUIRE(piped >= 0);
  const int out = net.out_begin[net.node_index("cn_magnet")];
  struct Case {
    const char* what;
    std::function<void(const sim::Engine&)> corrupt;
    std::string node, material;
  };
  const std::vector<Case> cases = {
      {"stock on hand",
       [&](const sim::Engine& e) { mutable_state(e.in_stock())[producer_in] = -5; },
       net.node_id[net.in_node[producer_in]], net.material_id[net.in_material[producer_in]]},
      {"stock on hand",
       [&](const sim::Engine& e) { mutable_state(e.in_stock())[consumer_in] = -5; },
       net.node_id[net.in_node[consumer_in]], net.material_id[net.in_material[consumer_in]]},
      {"finished stock", [&](const sim::Engine& e) { mutable_state(e.out_stock())[out] = -5; },
       "cn_magnet", net.material_id[net.out_material[out]]},
      {"stock in transit",
       [&](const sim::Engine& e) { mutable_state(e.in_transit())[piped] = -1e6; },
       net.node_id[net.in_node[piped]], net.material_id[net.in_material[piped]]},
      {"stock on hand",  // NaN is never taken for zero
       [&](const sim::Engine& e) { mutable_state(e.in_stock())[producer_in] = std::nan(""); },
       net.node_id[net.in_node[producer_in]], net.material_id[net.in_material[producer_in]]},
  };
  for (const auto& c : cases) {
    INFO(c.what << " of " << c.node << " / " << c.material);
    Corrupter bad;
    bad.on = 9;
    bad.corrupt = c.corrupt;
    engine.reset();
    std::string message;
    try {
      for (int d = 0; d < 40; ++d) engine.step(&bad);
    } catch (const RuntimeError& e) {
      message = e.what();
    }
    CHECK_THAT(message, Catch::Contains("internal error: on day 1"));  // day 10 or later
    CHECK_THAT(message, Catch::Contains(c.what));
    CHECK_THAT(message, Catch::Contains("'" + c.node + "'"));
    CHECK_THAT(message, Catch::Contains("'" + c.material + "'"));
  }
  // Uncorrupted, the same run completes.
  engine.reset();
  for (int d = 0; d < 40; ++d) REQUIRE_NOTHROW(engine.step());
}

TEST_CASE("mini chain baseline stays in steady state with zero shortfall for 3 years",
          "[property]") {
  auto model = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml").model;
  sim::Network net = sim::compile(*model);
  sim::Forcing none;
  sim::Engine engine(net, none);
  engine.reset();
  double max_short = 0, max_drift = 0;
  for (int d = 0; d < 3 * 365; ++d) {
    engine.step();
    for (int s = 0; s < net.in_slots(); ++s) {
      max_short = std::max(max_short, engine.shortfall()[s]);
      max_drift = std::max(max_drift, std::fabs(engine.in_stock()[s] - net.in_initial[s]) /
                                          std::max(1.0, net.in_initial[s]));
    }
  }
  CHECK(max_short == 0);
  CHECK(max_drift < 1e-9);
  for (int e = 0; e < net.edges(); ++e)
    CHECK(engine.shipped()[e] == Approx(net.e_flow[e]).margin(1e-9));
}

TEST_CASE("generated chains: steady state, balance under a ban, determinism", "[property]") {
  for (std::uint64_t seed : {1u, 7u, 42u}) {
    sim::ChainSpec spec;
    spec.nodes = 300;
    spec.seed = seed;
    Model model = sim::make_chain(spec);
    sim::Network net = sim::compile(model);
    REQUIRE(net.warnings.empty());
    sim::Forcing none;
    sim::Engine base(net, none);
    base.run(365);
    double worst = 0;
    for (int s = 0; s < net.in_slots(); ++s) worst = std::max(worst, base.shortfall()[s]);
    CHECK(worst == 0);

    Scenario ban;
    ban.id = "ban";
    Event ev;
    ev.type = EventType::ExportRestriction;
    ev.start.is_date = false;
    ev.start.offset = 20;
    ExportRestriction x;
    x.exporters.only = {Ref{"C0", {}}, Ref{"C1", {}}, Ref{"C2", {}}};
    x.materials.all = true;
    x.destinations.all = true;
    x.regime = RegimeKind::Ban;
    ev.data = x;
    ban.events.push_back(ev);
    sim::Forcing f = sim::compile_forcing(net, model, {&ban}, make_date(2025, 1, 1));
    sim::Engine engine(net, f);
    check_invariants(engine, 365);
    sim::Engine again(net, f);
    CHECK(snapshot(engine, 200) == snapshot(again, 200));
  }
}

TEST_CASE("results are bit-identical on 1, 2 and 3 engine threads", "[property]") {
  SECTION("mini chain under every kind of event, origin tracking on") {
    auto model = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml").model;
    auto scenario = test::scenario_from(kShock);
    sim::Network net = sim::compile(*model);
    sim::Forcing f = sim::compile_forcing(net, *model, {scenario.get()}, make_date(2025, 1, 1));
    sim::EngineSettings es;
    es.qualification_time = 60;
    es.track_origin = true;
    const auto one = digests(net, f, es, 1, 400);
    CHECK(digests(net, f, es, 2, 400) == one);
    CHECK(digests(net, f, es, 3, 400) == one);
  }
  SECTION("generated chain: ban, delays on a quarter of the edges, demand shock") {
    sim::ChainSpec spec;
    spec.nodes = 3000;
    spec.fan_in = 4;
    spec.seed = 11;
    Model model = sim::make_chain(spec);
    sim::Network net = sim::compile(model);
    Scenario sc;
    sc.id = "mixed";
    Event ban;
    ban.type = EventType::ExportRestriction;
    ban.start.is_date = false;
    ban.start.offset = 20;
    ExportRestriction x;
    x.exporters.only = {Ref{"C0", {}}, Ref{"C1", {}}, Ref{"C2", {}}, Ref{"C3", {}}};
    x.materials.all = true;
    x.destinations.all = true;
    x.regime = RegimeKind::Ban;
    ban.data = x;
    sc.events.push_back(ban);
    sim::Forcing f = sim::compile_forcing(net, model, {&sc}, make_date(2025, 1, 1));
    // Two overlapping logistics delays (their extra days add up) and a demand shock.
    for (int k = 0; k < 2; ++k) {
      sim::CompiledDelay d;
      d.start = 40 + 10 * k;
      d.end = 90;
      d.extra = 7 + 5 * k;
      for (int e = 0; e < net.edges(); e += 4) d.edges.push_back(e);
      f.delays.push_back(d);
      f.max_extra_lead = std::max(f.max_extra_lead, d.extra);
    }
    sim::EngineSettings es;
    for (bool origin : {false, true}) {
      es.track_origin = origin;
      const auto one = digests(net, f, es, 1, 200);
      CHECK(digests(net, f, es, 2, 200) == one);
      CHECK(digests(net, f, es, 3, 200) == one);
    }
    es.track_origin = false;
    es.threads = 3;
    sim::Engine threaded(net, f, es);
    check_invariants(threaded, 200);
  }
}

TEST_CASE(
    "per-edge arrivals: the same results kept or not, and an edge delivers its shipment of "
    "lead time days before",
    "[property]") {
  auto model = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml").model;
  sim::Network net = sim::compile(*model);
  const Date start = make_date(2025, 1, 1);
  SECTION("every kind of event, origin tracking on: state bit-identical, arrived() empty") {
    auto scenario = test::scenario_from(kShock);
    sim::Forcing f = sim::compile_forcing(net, *model, {scenario.get()}, start);
    sim::EngineSettings es;
    es.qualification_time = 60;
    es.track_origin = true;
    sim::Engine kept(net, f, es);
    es.edge_arrivals = false;
    sim::Engine dropped(net, f, es);
    CHECK(dropped.bytes() < kept.bytes());
    Digest a, b;
    a.arrivals = b.arrivals = false;
    kept.reset();
    dropped.reset();
    for (int d = 0; d < 400; ++d) {
      kept.step(&a);
      dropped.step(&b);
      REQUIRE(kept.arrived().size() == static_cast<std::size_t>(net.edges()));
      REQUIRE(dropped.arrived().empty());
    }
    CHECK(a.days == b.days);
  }
  SECTION("no delays: arrived on day t = shipped on day t - lead (baseline flow before)") {
    auto scenario = test::scenario_from(R"(
scenario: {id: ban}
events:
  - {type: export_restriction, start: 20, end: 120, exporters: [CN], materials: all, destinations: {all_except: [CN]}, regime: ban}
)");
    sim::Forcing f = sim::compile_forcing(net, *model, {scenario.get()}, start);
    sim::Engine eng(net, f);
    eng.reset();
    std::vector<std::vector<double>> shipped;
    bool moved = false;
    for (int t = 0; t < 200; ++t) {
      eng.step();
      shipped.push_back(eng.shipped());
      for (int e = 0; e < net.edges(); ++e) {
        const int lead = net.e_lead[e];
        const double want = t >= lead ? shipped[t - lead][e] : net.e_flow[e];
        REQUIRE(eng.arrived()[e] == want);
        moved |= t >= lead && want != net.e_flow[e];
      }
    }
    CHECK(moved);  // the ban changed what some edges delivered
  }
}

TEST_CASE("engine threads: 0 takes the arena's threads for large networks only", "[property]") {
  sim::Forcing none;
  sim::ChainSpec spec;
  spec.nodes = 200;
  Model small_model = sim::make_chain(spec);
  sim::Network small = sim::compile(small_model);
  REQUIRE(small.edges() < sim::EngineSettings::kParallelEdges);
  CHECK(sim::Engine(small, none).threads() == 1);
  sim::EngineSettings es;
  es.threads = 2;
  CHECK(sim::Engine(small, none, es).threads() == 2);
  spec.nodes = 8000;
  Model large_model = sim::make_chain(spec);
  sim::Network large = sim::compile(large_model);
  REQUIRE(large.edges() >= sim::EngineSettings::kParallelEdges);
  tbb::task_arena one(1), two(2);
  one.execute([&] { CHECK(sim::Engine(large, none).threads() == 1); });
  two.execute([&] { CHECK(sim::Engine(large, none).threads() == 2); });
}

TEST_CASE("dense IO-shaped network with cycles stays in steady state", "[property]") {
  sim::DenseSpec spec;
  spec.nodes = 120;
  spec.fan_in = 30;
  spec.consumers = 20;
  Model model = sim::make_dense(spec);
  sim::Network net = sim::compile(model);
  sim::Forcing none;
  sim::Engine engine(net, none);
  check_invariants(engine, 200);
  double worst = 0;
  for (int s = 0; s < net.in_slots(); ++s) worst = std::max(worst, engine.shortfall()[s]);
  CHECK(worst == 0);
}

namespace {

// Two magnet grades from makers in two countries; consumers of both grades whose inputs are
// complementary or independent, with and without back-orders.
std::string two_grade_chain(const std::string& inputs, bool backorder) {
  std::string c = "inputs: " + inputs + ", backorder: " + (backorder ? "true" : "false");
  return R"(
materials:
  - {id: nm, family: magnet, elements: {Nd: 0.3}}
  - {id: sh, family: magnet, elements: {Nd: 0.28, Dy: 0.04}}
countries: [CN, JP, US, DE]
groups: [{id: EU, members: [DE]}]
nodes:
  - {id: cn_mag, stage: magnet, country: CN, capacity: 9000, outputs: {nm: 0.6, sh: 0.4}, output_inventory_days: 10}
  - {id: jp_mag, stage: magnet, country: JP, capacity: 2000, outputs: {sh: 1}, output_inventory_days: 5}
consumers:
  - {id: ev_eu, sector: ev, region: EU, demand: {nm: 2000, sh: 1500}, inventory_days: 30, )" +
         c + R"(}
  - {id: ev_us, sector: ev, region: US, demand: {nm: 1000, sh: 800}, inventory_days: 45, )" +
         c + R"(}
  - {id: wind_eu, sector: wind, region: EU, demand: {nm: 1500, sh: 500}, inventory_days: 60, )" +
         c + R"(}
edges:
  - {from: cn_mag, to: ev_eu, material: nm, share: 1, lead_time: 30}
  - {from: cn_mag, to: ev_eu, material: sh, share: 0.7, lead_time: 30}
  - {from: jp_mag, to: ev_eu, material: sh, share: 0.3, lead_time: 25}
  - {from: cn_mag, to: ev_us, material: nm, share: 1, lead_time: 35}
  - {from: cn_mag, to: ev_us, material: sh, share: 0.8, lead_time: 35}
  - {from: jp_mag, to: ev_us, material: sh, share: 0.2, lead_time: 20}
  - {from: cn_mag, to: wind_eu, material: nm, share: 1, lead_time: 30}
  - {from: cn_mag, to: wind_eu, material: sh, share: 1, lead_time: 30}
)";
}

const char* kGradeShock = R"(
scenario: {id: grade-shock}
events:
  - {type: export_restriction, start: 20, end: 200, exporters: [CN], materials: {elements_above: {Dy: 0.1 %}},
     destinations: {all_except: [CN]}, regime: licence,
     licence: {review_delay: 30 days, approval: [{from: 20, fraction: 0.2}, {from: 120, fraction: 0.6}]}}
  - {type: capacity_outage, start: 60, end: 90, nodes: [jp_mag], remaining: 0.5}
  - {type: demand_shock, start: 150, consumers: {sectors: [wind]}, factor: 1.4}
)";

}  // namespace

TEST_CASE("consumers of several grades: balance, steady state and determinism in every mode",
          "[property][consumers]") {
  for (const char* inputs : {"independent", "complementary"})
    for (bool bo : {false, true}) {
      INFO(inputs << (bo ? " with back-orders" : ""));
      auto model = test::model_from(two_grade_chain(inputs, bo));
      auto scenario = test::scenario_from(kGradeShock);
      sim::Network net = sim::compile(*model);
      sim::Forcing none;
      sim::Engine base(net, none);
      base.run(365);
      double worst = 0, drift = 0;
      for (int s = 0; s < net.in_slots(); ++s) {
        worst = std::max(worst, base.shortfall()[s]);
        drift = std::max(drift, std::fabs(base.in_stock()[s] - net.in_initial[s]) /
                                    std::max(1.0, net.in_initial[s]));
      }
      CHECK(worst == 0);
      CHECK(drift < 1e-9);
      sim::Forcing f = sim::compile_forcing(net, *model, {scenario.get()}, make_date(2025, 1, 1));
      sim::Engine engine(net, f);
      check_invariants(engine, 400);
      sim::Engine again(net, f);
      CHECK(snapshot(engine, 250) == snapshot(again, 250));
      // The shock bites (the invariants are not checked on an idle network).
      engine.reset();
      double peak = 0;
      for (int d = 0; d < 250; ++d) {
        engine.step();
        for (int s = 0; s < net.in_slots(); ++s) peak = std::max(peak, engine.shortfall()[s]);
      }
      CHECK(peak > 0);
    }
}
