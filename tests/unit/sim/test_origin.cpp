// Origin tracking in the engine (sim::OriginTracker) and origin-content rules: hand-computed
// blending, taint of old stock, mass vs value content, end-user denials, and the origin
// balance of a run. Day 0 is 2025-01-01.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <map>

#include "../../support.hpp"
#include "rareshock/analysis/run/recorder.hpp"
#include "rareshock/core/random.hpp"

using namespace rareshock;

namespace {

// A Japanese magnet maker buying Dy from a Chinese and an Australian mine (shares set per test)
// and Nd from Australia; magnets go to a US consumer. Lead times 0. The recipe is consistent in
// rare-earth mass (0.3 t Nd + 0.01 t Dy per t of magnet holding 31 % rare earths).
std::string magnet_model(double cn_share, const std::string& consumers = "") {
  const std::string cn = std::to_string(cn_share), au = std::to_string(1 - cn_share);
  return R"(
materials:
  - {id: nd, family: metal, elements: {Nd: 1}, price: 50 USD/kg}
  - {id: dy, family: metal, elements: {Dy: 1}, price: 300 USD/kg}
  - {id: mag, family: magnet, elements: {Nd: 0.3, Dy: 0.01, Fe: 0.69}, price: 80 USD/kg}
countries: [CN, AU, JP, US]
nodes:
  - {id: mine_cn_dy, stage: mine, country: CN, capacity: 100, outputs: {dy: 1}}
  - {id: mine_au_dy, stage: mine, country: AU, capacity: 100, outputs: {dy: 1}}
  - {id: mine_au_nd, stage: mine, country: AU, capacity: 2000, outputs: {nd: 1}}
  - {id: mag_jp, stage: magnet, country: JP, capacity: 10000, inputs: {nd: 0.3, dy: 0.01},
     outputs: {mag: 1}}
consumers:
  - {id: c_us, sector: ev, region: US, demand: {mag: 3650 t/yr}}
)" + consumers +
         R"(
edges:
  - {from: mine_cn_dy, to: mag_jp, material: dy, share: )" +
         cn + R"(}
  - {from: mine_au_dy, to: mag_jp, material: dy, share: )" +
         au + R"(}
  - {from: mine_au_nd, to: mag_jp, material: nd, share: 1}
  - {from: mag_jp, to: c_us, material: mag, share: 1}
)";
}

// China's foreign-direct rule in miniature: exports of magnets made outside China banned when
// they hold at least 0.1 % China-origin rare earths (by \p measure).
std::string fdpr(const std::string& measure, const std::string& extra_events = "") {
  return "scenario: {id: fdpr}\nevents:\n"
         "  - {id: no61, type: export_restriction, start: 0, exporters: {all_except: [CN]},\n"
         "     materials: [mag], regime: ban,\n"
         "     origin_content: {countries: [CN], measure: " +
         measure + ", at_least: 0.1 %}}\n" + extra_events;
}

sim::EngineSettings mine_origin() {
  sim::EngineSettings es;
  es.switching_lag = 1e9;  // shares stay at baseline
  es.origin_stages = {Stage::Mine};
  return es;
}

int edge_of(const test::Sim& sim, const std::string& from, const std::string& to) {
  for (int e = 0; e < sim.net.edges(); ++e)
    if (sim.net.node_id[sim.net.e_from[e]] == from && sim.net.node_id[sim.net.e_to[e]] == to)
      return e;
  return -1;
}

}  // namespace

TEST_CASE("a well-mixed stock of Chinese-origin Dy taints until it is diluted below 0.1 %",
          "[sim][origin]") {
  // Hooks driven by hand: the JP maker's Dy stock holds 10 t of Chinese origin; each day 10 t of
  // Australian Dy arrives and 10 t is used. The Chinese share halves every day: 0.5^n.
  test::Sim sim(magnet_model(1.0));
  sim::OriginTracker tr(sim.net, {Stage::Mine}, 1);
  tr.reset();
  REQUIRE(tr.keys() == 2);  // mine CN, mine AU
  const int s = sim.in_slot("mag_jp", "dy");
  const int o_au = sim.out_slot("mine_au_dy", "dy");
  sim::CompiledOriginRule cn;
  cn.on = true;
  cn.country.assign(sim.net.country_id.size(), 0);
  cn.country[0] = 1;  // CN
  cn.measure = sim::OriginMeasure::Mass;
  CHECK(tr.in_content(s, cn) == Approx(1.0));  // baseline: all Dy from China
  for (int day = 1; day <= 10; ++day) {
    tr.ship(o_au, 0, 0.0, 10.0);  // the cell now holds Australian Dy only
    tr.arrive(0, s, 10.0, 10.0);  // 10 t arrive on 10 t held
    CHECK(tr.in_content(s, cn) == Approx(std::pow(0.5, day)).epsilon(1e-12));
    const bool covered = tr.in_content(s, cn) >= 0.001;
    CHECK(covered == (day < 10));  // 0.5^9 = 0.00195 >= 0.1 %; 0.5^10 = 0.000977 < 0.1 %
  }
  // Shares always sum to one.
  double sum = 0;
  for (int k = 0; k < tr.keys(); ++k) sum += tr.in_mix(s)[k];
  CHECK(sum == Approx(1.0).epsilon(1e-15));
}

TEST_CASE("production blends inputs by rare-earth mass or value and stamps tracked stages",
          "[sim][origin]") {
  // Track mine and magnet stages: the JP maker stamps "magnet JP" on what it makes.
  test::Sim sim(magnet_model(0.05));
  sim::OriginTracker tr(sim.net, {Stage::Mine, Stage::Magnet}, 1);
  tr.reset();
  const int o = sim.out_slot("mag_jp", "mag");
  // Keys of the magnet: (mine CN, magnet JP) and (mine AU, magnet JP).
  double cn_mass = 0, cn_value = 0;
  for (int k = 0; k < tr.keys(); ++k) {
    const auto& kc = tr.key_countries(k);
    if (tr.out_mix(o)[k] > 0) CHECK(sim.net.country_id[kc[1]] == "JP");
    if (kc[0] >= 0 && sim.net.country_id[kc[0]] == "CN") {
      cn_mass += tr.out_mix(o, sim::OriginMeasure::Mass)[k];
      cn_value += tr.out_mix(o, sim::OriginMeasure::Value)[k];
      if (tr.out_mix(o)[k] > 0) CHECK(tr.key_label(k) == "mine CN / magnet JP");
    }
  }
  // Mass: Dy 0.01 t of 0.31 t rare earths, 5 % of it Chinese. Value: Dy 0.01 x 300,000 = 3,000
  // of 15,000 + 3,000 USD, 5 % Chinese.
  CHECK(cn_mass == Approx(0.01 * 0.05 / 0.31).epsilon(1e-12));
  CHECK(cn_value == Approx(3000.0 * 0.05 / 18000.0).epsilon(1e-12));
  // The rare-earth inputs make up 18,000 of the magnet's 80,000 USD.
  CHECK(tr.re_value_fraction(o) == Approx(0.225));
  CHECK(tr.re_mass_fraction(sim.net.material_index("mag")) == Approx(0.31));
}

TEST_CASE("an origin-content rule covers an edge by mass or by value content", "[sim][origin]") {
  const int days = 20;
  auto shipped_to_us = [&](double cn_share, const std::string& measure) {
    test::Sim sim(magnet_model(cn_share), fdpr(measure), make_date(2025, 1, 1), mine_origin());
    REQUIRE(sim.engine->origin() != nullptr);
    const int e = edge_of(sim, "mag_jp", "c_us");
    std::vector<double> x;
    sim.engine->reset();
    for (int d = 0; d < days; ++d) {
      sim.engine->step();
      x.push_back(sim.engine->shipped()[e]);
    }
    return x;
  };
  SECTION("5 % Chinese Dy: 0.05 % of the mass (passes), 0.1875 % of the value (covered)") {
    test::Sim sim(magnet_model(0.05), fdpr("mass"), make_date(2025, 1, 1), mine_origin());
    const int o = sim.out_slot("mag_jp", "mag");
    sim::CompiledOriginRule rule = sim.forcing.restrictions[0].origin;
    CHECK(sim.engine->origin()->out_content(o, rule) == Approx(0.0005).epsilon(1e-9));
    rule.measure = sim::OriginMeasure::Value;
    // 0.225 (rare-earth share of value) x 3,000 x 0.05 / 18,000
    CHECK(sim.engine->origin()->out_content(o, rule) == Approx(0.001875).epsilon(1e-9));
    for (double v : shipped_to_us(0.05, "mass")) CHECK(v == Approx(10));
    for (double v : shipped_to_us(0.05, "value")) CHECK(v == 0);
  }
  SECTION("30 % Chinese Dy: 0.3 % of the mass: covered by the mass rule too") {
    for (double v : shipped_to_us(0.3, "mass")) CHECK(v == 0);
  }
  SECTION("no Chinese Dy: never covered") {
    for (double v : shipped_to_us(0.0, "value")) CHECK(v == Approx(10));
  }
}

TEST_CASE("old Chinese-origin stock keeps the maker's exports covered until it is used up",
          "[sim][origin]") {
  // Dy half from China, half from Australia (content 0.5 % by mass: covered). The Chinese mine
  // stops on day 0: only Australian Dy arrives, the stock's Chinese share falls while the maker
  // keeps making magnets for its home market (deliveries at home are not exports), and exports
  // resume on the first day the magnets' content is below 0.1 %. (With no other outlet the
  // maker would stop, its tainted stock would never be used, and exports would never resume.)
  const std::string outage =
      "  - {id: cn_stop, type: capacity_outage, start: 0, nodes: [mine_cn_dy], remaining: 0}\n";
  std::string model =
      magnet_model(0.5, "  - {id: c_jp, sector: ev, region: JP, demand: {mag: 7300 t/yr}}\n");
  model += "  - {from: mag_jp, to: c_jp, material: mag, share: 1}\n";
  test::Sim sim(model, fdpr("mass", outage), make_date(2025, 1, 1), mine_origin());
  const int e = edge_of(sim, "mag_jp", "c_us");
  const int s = sim.in_slot("mag_jp", "dy");
  const int o = sim.out_slot("mag_jp", "mag");
  const auto& rule = sim.forcing.restrictions[0].origin;
  const auto* tr = sim.engine->origin();
  sim.engine->reset();
  int first_open = -1;
  double prev_cn = 1;
  for (int d = 0; d < 400 && first_open < 0; ++d) {
    const double content_before = tr->out_content(o, rule);  // what the day's check reads
    sim.engine->step();
    const bool covered = sim.engine->covered()[0 + [&] {
      const auto& es = sim.forcing.restrictions[0].edges;
      return static_cast<int>(std::find(es.begin(), es.end(), e) - es.begin());
    }()];
    CHECK(covered == (content_before >= 0.001));
    if (covered) CHECK(sim.engine->shipped()[e] == 0);
    if (!covered && sim.engine->shipped()[e] > 0) first_open = d;
    double cn = 0;
    for (int k = 0; k < tr->keys(); ++k)
      if (sim.net.country_id[tr->key_countries(k)[0]] == "CN") cn += tr->in_mix(s)[k];
    CHECK(cn <= prev_cn + 1e-12);  // only Australian Dy arrives: the share can only fall
    prev_cn = cn;
  }
  REQUIRE(first_open > 0);  // the old stock taints for a while
  INFO("exports resume on day " << first_open);
  CHECK(first_open > 5);
  CHECK(tr->out_content(o, rule) < 0.001);
}

TEST_CASE("end-user denial hits military consumers and not civil ones", "[sim][origin]") {
  const std::string consumers = R"(  - {id: c_def, sector: defence, region: US, end_user: military,
     demand: {mag: 365 t/yr}}
)";
  std::string model = magnet_model(0.0, consumers);
  model += "  - {from: mag_jp, to: c_def, material: mag, share: 1}\n";
  test::Sim sim(model,
                "scenario: {id: deny}\nevents:\n"
                "  - {type: export_restriction, start: 0, exporters: JP, materials: [mag],\n"
                "     regime: ban, end_users: [military]}\n",
                make_date(2025, 1, 1), mine_origin());
  CHECK(sim.engine->origin() == nullptr);  // no origin condition: no tracking
  const int e_def = edge_of(sim, "mag_jp", "c_def"), e_civ = edge_of(sim, "mag_jp", "c_us");
  sim.engine->reset();
  for (int d = 0; d < 30; ++d) {
    sim.engine->step();
    CHECK(sim.engine->shipped()[e_def] == 0);
    CHECK(sim.engine->shipped()[e_civ] == Approx(10));
  }
}

TEST_CASE("origin balance: rare-earth mass per origin is conserved through a disrupted run",
          "[sim][origin][property]") {
  // Only mines stamp origin, and every recipe keeps rare-earth mass, so per origin key:
  // held at the start + mined = held at the end + consumed (to 1e-9 relative).
  const std::string events =
      "  - {id: cn_stop, type: capacity_outage, start: 20, end: 60, nodes: [mine_cn_dy], "
      "remaining: 0.2}\n";
  sim::EngineSettings es;
  es.origin_stages = {Stage::Mine};
  es.track_origin = true;
  test::Sim sim(magnet_model(0.4), "scenario: {id: x}\nevents:\n" + events, make_date(2025, 1, 1),
                es);
  const auto& net = sim.net;
  const auto* tr = sim.engine->origin();
  REQUIRE(tr != nullptr);
  const int K = tr->keys();
  auto held = [&]() {
    std::vector<double> h(K, 0.0);
    const auto& eng = *sim.engine;
    for (int s = 0; s < net.in_slots(); ++s)
      for (int k = 0; k < K; ++k)
        h[k] += eng.in_stock()[s] * tr->in_mix(s)[k] * tr->re_mass_fraction(net.in_material[s]);
    for (int o = 0; o < net.out_slots(); ++o)
      for (int k = 0; k < K; ++k)
        h[k] += eng.out_stock()[o] * tr->out_mix(o)[k] * tr->re_mass_fraction(net.out_material[o]);
    const auto& cells = eng.pipeline_cells();
    for (std::size_t c = 0; c < cells.size(); ++c)
      for (int k = 0; k < K; ++k)
        h[k] += cells[c] * tr->cell_mix(static_cast<int>(c))[k] *
                tr->re_mass_fraction(net.in_material[eng.cell_slot(c)]);
    return h;
  };
  sim.engine->reset();
  const auto start = held();
  for (int d = 0; d < 120; ++d) sim.engine->step();
  const auto end = held();
  // Mined per key: a mine's output carries its own key.
  std::vector<double> mined(K, 0.0), consumed(K, 0.0);
  for (int o = 0; o < net.out_slots(); ++o) {
    if (net.stage[net.out_node[o]] != Stage::Mine) continue;
    for (int k = 0; k < K; ++k)
      if (tr->key_countries(k)[0] == net.country[net.out_node[o]])
        mined[k] += sim.engine->produced_total()[o] * tr->re_mass_fraction(net.out_material[o]);
  }
  for (int n : net.consumer_nodes)
    for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s)
      for (int k = 0; k < K; ++k)
        consumed[k] += tr->consumed(s)[k] * tr->re_mass_fraction(net.in_material[s]);
  for (int k = 0; k < K; ++k) {
    INFO("key " << tr->key_label(k));
    const double scale = std::max(1.0, start[k] + mined[k]);
    CHECK(std::fabs(start[k] + mined[k] - end[k] - consumed[k]) / scale < 1e-9);
  }
  // Every stock's shares sum to one.
  for (int s = 0; s < net.in_slots(); ++s) {
    double sum = 0;
    for (int k = 0; k < K; ++k) sum += tr->in_mix(s)[k];
    CHECK(std::fabs(sum - 1) < 1e-9);
  }
}

TEST_CASE("the recorder reports the origin of consumption and each rule's exposure",
          "[sim][origin]") {
  // 5 % Chinese Dy: the value rule covers the JP -> US edge every day (exposure 1), the mass
  // rule never does (exposure 0). Consumption by origin sums to what was consumed.
  for (const std::string measure : {"value", "mass"}) {
    test::Sim sim(magnet_model(0.05), fdpr(measure), make_date(2025, 1, 1), mine_origin());
    const int days = 40;
    analysis::SeriesRecorder rec(sim.net, days);
    std::vector<int> period(days);
    for (int d = 0; d < days; ++d) period[d] = d < 31 ? 0 : 1;  // January, February
    rec.track_origin(*sim.engine, period, 2);
    REQUIRE(rec.origin);
    sim.engine->run(days, &rec);
    const auto& o = *rec.origin;
    REQUIRE(o.consumers.size() == 1);
    REQUIRE(o.rules == std::vector<std::string>{"no61"});
    double consumed = 0;
    for (double x : o.consumed[0]) consumed += x;
    double engine_consumed = 0;
    for (double x : rec.series[0].consumed) engine_consumed += x;
    CHECK(consumed == Approx(engine_consumed).epsilon(1e-12));
    CHECK(o.total[0] == Approx(engine_consumed).epsilon(1e-12));
    const double exposed = o.exposed[0][0] / o.ordered[0];
    INFO(measure);
    CHECK(exposed == Approx(measure == "value" ? 1.0 : 0.0).margin(1e-12));
    // The Chinese share of the US consumer's magnets (mass) is the maker's: 5 % of the Dy,
    // 0.01 / 0.31 of the rare earths, by January's consumption.
    const int K = static_cast<int>(o.keys.size());
    double cn = 0, jan = 0;
    for (int k = 0; k < K; ++k) {
      jan += o.consumed[0][k];
      if (o.keys[k].find("mine CN") != std::string::npos) cn += o.consumed[0][k];
    }
    if (measure == "mass") CHECK(cn / jan == Approx(0.01 * 0.05 / 0.31).epsilon(1e-9));
  }
}

TEST_CASE("blending only the keys a mix may hold gives the all-keys result bit for bit",
          "[sim][origin]") {
  // OriginTracker::blend computes only the keys either mix may hold (and, into an empty stock,
  // the added mix's keys). Reference: (mix x b + add x x) / (b + x) over every key of both
  // channels. The world model: 28 origin keys, most mixes holding a few of them; random
  // shipments into and arrivals from pipeline cells, many into empty stocks.
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/world-2024.yaml");
  const sim::Network net = sim::compile(*l.model);
  const int cells = 64;
  sim::OriginTracker tr(net, {Stage::Mine, Stage::Refinery}, cells);
  tr.reset();
  const int K = tr.keys();
  REQUIRE(K > 8);
  using Ch = sim::OriginMeasure;
  auto snapshot = [&](const double* m, const double* v) {
    std::vector<double> x(m, m + K);
    x.insert(x.end(), v, v + K);
    return x;
  };
  auto expected = [&](std::vector<double> mix, const std::vector<double>& add, double before,
                      double x) {
    if (x <= 0) return mix;
    const double b = std::max(0.0, before), tot = b + x;
    for (std::size_t k = 0; k < mix.size(); ++k) mix[k] = (mix[k] * b + add[k] * x) / tot;
    return mix;
  };
  auto same_bits = [](const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
  };
  Rng rng(7, 0, Purpose::Parameters);
  auto amount = [&] {
    const double u = rng.uniform();
    return u < 0.3 ? 0.0 : u < 0.35 ? -1e-12 : 100 * rng.uniform();
  };
  int empty_stocks = 0, checked = 0;
  for (int i = 0; i < 20000; ++i) {
    const int cell = static_cast<int>(rng.uniform() * cells);
    const double before = amount(), x = rng.uniform() < 0.05 ? 0.0 : 50 * rng.uniform();
    empty_stocks += before <= 0 && x > 0;
    const auto cell_before = snapshot(tr.cell_mix(cell, Ch::Mass), tr.cell_mix(cell, Ch::Value));
    if (rng.uniform() < 0.6) {
      const int o = static_cast<int>(rng.uniform() * net.out_slots());
      const auto add = snapshot(tr.out_mix(o, Ch::Mass), tr.out_mix(o, Ch::Value));
      tr.ship(o, cell, before, x);
      const auto now = snapshot(tr.cell_mix(cell, Ch::Mass), tr.cell_mix(cell, Ch::Value));
      REQUIRE(same_bits(now, expected(cell_before, add, before, x)));
    } else {
      const int s = static_cast<int>(rng.uniform() * net.in_slots());
      const auto mix = snapshot(tr.in_mix(s, Ch::Mass), tr.in_mix(s, Ch::Value));
      tr.arrive(cell, s, before, x);
      const auto now = snapshot(tr.in_mix(s, Ch::Mass), tr.in_mix(s, Ch::Value));
      REQUIRE(same_bits(now, expected(mix, cell_before, before, x)));
    }
    ++checked;
  }
  CHECK(checked == 20000);
  CHECK(empty_stocks > 1000);

  // Origin content from an indexed rule's table of restricted keys (as the engine indexes its
  // origin-content rules) equals content asked key by key, for every stock.
  // (The rules outlive the tracker's index of them.)
  const auto cn = std::find(net.country_id.begin(), net.country_id.end(), "CN");
  REQUIRE(cn != net.country_id.end());
  std::array<sim::CompiledOriginRule, 2> rules;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    sim::CompiledOriginRule& rule = rules[i];
    rule.on = true;
    rule.country.assign(net.country_id.size(), 0);
    rule.country[static_cast<std::size_t>(cn - net.country_id.begin())] = 1;
    rule.measure = i == 0 ? Ch::Mass : Ch::Value;
    std::vector<double> by_key;
    for (int o = 0; o < net.out_slots(); ++o) by_key.push_back(tr.out_content(o, rule));
    for (int s = 0; s < net.in_slots(); ++s) by_key.push_back(tr.in_content(s, rule));
    tr.index_rule(rule);
    std::vector<double> indexed;
    for (int o = 0; o < net.out_slots(); ++o) indexed.push_back(tr.out_content(o, rule));
    for (int s = 0; s < net.in_slots(); ++s) indexed.push_back(tr.in_content(s, rule));
    CHECK(same_bits(by_key, indexed));
    CHECK(*std::max_element(indexed.begin(), indexed.end()) > 0);
  }
}
