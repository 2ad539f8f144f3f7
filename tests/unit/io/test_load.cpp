#include <catch2/catch.hpp>

#include "../../support.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/io/load.hpp"

using namespace rareshock;
using namespace rareshock::io;

namespace {
const char* kModel = R"(
model: {name: t}
materials:
  - {id: ore, family: concentrate}
  - {id: mag, family: magnet, elements: {Nd: 0.3, Dy: 0.02}, price: 80 USD/kg}
countries: [{id: CN}, {id: US}, DE]
groups: [{id: EU, members: [DE]}, {id: not_cn, all_except: [CN]}]
nodes:
  - {id: mine, stage: mine, country: CN, capacity: 100 t/yr, outputs: {ore: 1}}
  - {id: maker, stage: magnet, country: CN, capacity: 80 t/yr, inputs: {ore: 1}, outputs: {mag: 1}}
consumers:
  - {id: ev_us, sector: ev, region: US, demand: {mag: 30 t/yr}, units_per_tonne: 500, value_per_unit: 40000 USD}
  - {id: ev_eu, sector: ev, region: EU, demand: {mag: 20 t/yr}}
edges:
  - {from: mine, to: maker, material: ore, share: 1, lead_time: 10 days}
  - {from: maker, to: ev_us, material: mag, share: 1, lead_time: 4 weeks}
  - {from: maker, to: ev_eu, material: mag, share: 1}
)";

std::string error_of(const std::string& text) {
  try {
    load_text("m.yaml", text);
  } catch (const InputError& e) {
    return e.what();
  }
  return {};
}
}  // namespace

TEST_CASE("a valid model loads into immutable structures with defaults filled", "[io][load]") {
  Loaded l = load_text("m.yaml", kModel);
  REQUIRE(l.kind == FileKind::Model);
  const Model& m = *l.model;
  CHECK(m.materials.size() == 2);
  CHECK(*m.materials[1].price == Approx(80000));
  CHECK(m.nodes.size() == 4);
  CHECK(m.nodes[0].recipes.at(0).id == "main");
  CHECK(m.nodes[1].replenishment_time == 10);
  CHECK(m.edges[1].lead_time.days() == 28);
  CHECK(m.countries_of("not_cn") == std::vector<std::string>{"US", "DE"});
  CHECK(l.resolved.find("nodes")->items[0].find("replenishment_time")->scalar == "10");
}

TEST_CASE("semantic errors are collected, located and explained", "[io][load]") {
  std::string m = kModel;
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = m;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  CHECK(error_of(with("to: maker, material: ore", "to: makr, material: ore"))
            .find("unknown node 'makr'") != std::string::npos);
  CHECK(error_of(with("to: maker, material: ore", "to: makr, material: ore"))
            .find("did you mean 'maker'?") != std::string::npos);
  CHECK(error_of(with("share: 1, lead_time: 10 days", "share: 0.5, lead_time: 10 days"))
            .find("shares of 'ore' into 'maker' sum to 0.5, not 1") != std::string::npos);
  CHECK(error_of(with("capacity: 80 t/yr", "capacity: 0 t/yr")).find("capacity must be positive") !=
        std::string::npos);
  CHECK(error_of(with("inputs: {ore: 1}", "inputs: {oer: 1}")).find("unknown material 'oer'") !=
        std::string::npos);
  CHECK(error_of(with("  - {from: maker, to: ev_eu, material: mag, share: 1}\n", ""))
            .find("consumer 'ev_eu' has no supplier of 'mag'") != std::string::npos);
  std::string dup =
      error_of(with("{id: ore, family: concentrate}", "{id: mag, family: concentrate}"));
  CHECK(dup.find("duplicate material id 'mag'") != std::string::npos);
}

TEST_CASE("shares within 2 % are normalised with a warning", "[io][load]") {
  std::string s = kModel;
  s.replace(s.find("to: ev_eu, material: mag, share: 1"), 34,
            "to: ev_eu, material: mag, share: 0.99");
  Loaded l = load_text("m.yaml", s);
  CHECK(l.warnings.find("normalised to 1") != std::string::npos);
  CHECK(*l.model->edges[2].share == Approx(1.0));
}

TEST_CASE("the shipped example study loads, with overrides", "[io][load]") {
  LoadOptions opt;
  opt.overrides = {"horizon=365", "model.nodes[cn_mine].capacity=250 kt/yr"};
  Loaded l = load_file(RARESHOCK_SOURCE_DIR "/models/examples/example-study.yaml", opt);
  REQUIRE(l.kind == FileKind::Study);
  CHECK(l.study->horizon == 365);
  CHECK(l.study->model.node("cn_mine")->capacity->per_year() == Approx(250000));
  CHECK(l.study->combinations.size() == 3);
  CHECK(l.files.size() == 4);
  LoadOptions bad;
  bad.overrides = {"model.nodes[cn_mien].capacity=1"};
  try {
    load_file(RARESHOCK_SOURCE_DIR "/models/examples/example-study.yaml", bad);
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    std::string msg = e.what();
    CHECK(msg.find("<--set 1>") != std::string::npos);
    CHECK(msg.find("did you mean 'cn_mine'?") != std::string::npos);
  }
}

TEST_CASE("resolved output loads back to the same structures", "[io][load]") {
  Loaded a = load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml");
  Loaded b = load_text(RARESHOCK_SOURCE_DIR "/models/examples/resolved.yaml", to_yaml(a.resolved));
  CHECK(*a.model == *b.model);
  CHECK(to_yaml(a.resolved) == to_yaml(b.resolved));
  Loaded s = load_file(RARESHOCK_SOURCE_DIR "/models/examples/example-study.yaml");
  Loaded s2 = load_text(RARESHOCK_SOURCE_DIR "/models/studies/resolved.yaml", to_yaml(s.resolved));
  CHECK(*s.study == *s2.study);
}

TEST_CASE("scenarios: every event type reads", "[io][load]") {
  Loaded l = load_text("s.yaml", R"(
scenario: {id: all-events}
events:
  - {type: export_restriction, start: 2025-04-04, end: 2025-12-31, exporters: [CN], materials: {families: [magnet]}, destinations: all, regime: ban}
  - {type: export_restriction, start: 0, exporters: CN, materials: [mag], regime: quota, quota: {annual: 10 t/yr}}
  - {type: export_restriction, start: 0, exporters: CN, materials: {elements_above: {Dy: 0.1 %}}, regime: licence,
     licence: {review_delay: {dist: uniform, min: 30, max: 60}, approval: 25 %, validity: 6 months}}
  - {type: capacity_outage, start: 10, end: 40, nodes: {countries: [CN], stages: [mine]}, remaining: 0.2}
  - {type: demand_shock, start: 0, consumers: {sectors: [ev]}, factor: 1.2}
  - {type: logistics_delay, start: 0, edges: {from_countries: [CN]}, extra_days: 2 weeks}
  - {type: stockpile_release, start: 0, node: sp, rate: 100 t/yr, cover_below: 30 days}
  - {type: capacity_expansion, start: 0, node: mine, from: 100 t/yr, to: 200 t/yr, ramp: 1 year,
     trigger: {on: shortage, watch: {sectors: [ev]}, lag: 90 days}}
  - {type: substitution, start: 0, consumers: [ev_us], material: mag, max_reduction: 30 %, lag: 6 months, ramp: 1 year}
  - {type: recipe_switch, start: 0, node: maker, recipe: main, qualification_lag: 120 days}
  - {type: recycling, start: 0, node: rec, from: 0, to: 50 t/yr, ramp: 2 years}
)");
  const Scenario& s = *l.scenario;
  REQUIRE(s.events.size() == 11);
  CHECK(s.events[0].type == EventType::ExportRestriction);
  const auto& lic = std::get<ExportRestriction>(s.events[2].data).licence;
  CHECK(lic.review_delay.mean() == 45);
  CHECK(lic.validity->days() == Approx(182.5));
  CHECK(std::get<CapacityExpansion>(s.events[7].data).trigger.on_shortage);
  CHECK(std::get<Substitution>(s.events[8].data).max_reduction == Approx(0.3));
  CHECK(s.events[10].id == "recycling-11");
}

TEST_CASE("set overrides append, remove and warn when a long list is replaced", "[io][load]") {
  std::string model = kModel;
  // Ten more countries, none used: the country list is long.
  model.replace(model.find("countries: [{id: CN}, {id: US}, DE]"), 35,
                "countries: [{id: CN}, {id: US}, DE, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10]");
  LoadOptions opt;
  opt.overrides = {"countries=[CN, US, DE]",
                   "model.description=x",  // unrelated: no warning
                   "edges[+]={from: mine, to: maker, material: mag, flow: 0}",
                   "~edges[maker->ev_eu]"};
  // The edge to ev_eu is gone, so ev_eu has no supplier: the model is invalid; the warning
  // and the error are both reported.
  try {
    load_text("m.yaml", model, opt);
    FAIL("expected an error");
  } catch (const InputError& e) {
    std::string what = e.what();
    CHECK(what.find("warning: this override replaces all 13 items of 'countries' with 3 items") !=
          std::string::npos);
    CHECK(what.find("'countries[+]=ITEM' appends one") != std::string::npos);
    CHECK(what.find("consumer 'ev_eu'") != std::string::npos);
  }
  // A new standby supplier: a node and an edge appended.
  opt.overrides = {
      "nodes[+]={id: mine2, stage: mine, country: US, capacity: 10 t/yr, outputs: {ore: 1}}",
      "edges[+]={from: mine2, to: maker, material: ore, share: 0}"};
  auto l = load_text("m.yaml", kModel, opt);
  CHECK(l.model->nodes.size() == 5);  // nodes and consumers
  CHECK(l.model->edges.size() == 4);
  CHECK(l.warnings.empty());
}

TEST_CASE("the focus option sets the study's focus, and its errors point into the --focus text",
          "[io][load]") {
  const char* study = RARESHOCK_SOURCE_DIR "/models/examples/example-study.yaml";
  LoadOptions opt;
  opt.focus = " regions = EU ; sectors=wind,ev_traction";
  Loaded l = load_file(study, opt);
  CHECK(l.study->focus.regions == std::vector<std::string>{"EU"});
  CHECK(l.study->focus.sectors == std::vector<std::string>{"wind", "ev_traction"});
  // It is applied after --set (the command line's last word on the focus).
  opt.overrides = {"focus.regions=[US]"};
  CHECK(load_file(study, opt).study->focus.regions == std::vector<std::string>{"EU"});

  auto error = [&](const std::string& focus) {
    LoadOptions bad;
    bad.focus = focus;
    try {
      load_file(study, bad);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // An unknown id: named <--focus>, the caret under it (column 12), a suggestion.
  std::string msg = error("regions=EU,EU27");
  CHECK(msg.find("<--focus>:1:12: error: unknown region 'EU27'") != std::string::npos);
  CHECK(msg.find("did you mean 'EU'?") != std::string::npos);
  CHECK(msg.find("<--set") == std::string::npos);
  // A misspelt part: the caret under it, with the right name.
  msg = error("sectors=wind;region=EU");
  CHECK(msg.find("<--focus>:1:14: error: --focus has no part 'region'") != std::string::npos);
  CHECK(msg.find("did you mean 'regions'?") != std::string::npos);
  msg = error("EU");
  CHECK(msg.find("<--focus>:1:1: error: --focus part 'EU' has no '='") != std::string::npos);
  CHECK(msg.find("expected: regions=ID") != std::string::npos);
  msg = error("sectors= ");
  CHECK(msg.find("--focus sectors= lists no id") != std::string::npos);
  // A model file has no focus.
  LoadOptions on_model;
  on_model.focus = "regions=EU";
  try {
    load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml", on_model);
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("this is a model file") != std::string::npos);
  }
}

TEST_CASE("records with the same provenance share one copy of it", "[io][load]") {
  auto model = test::model_from(R"(
materials: [{id: x, family: f}]
countries: [A, B]
nodes:
  - {id: a, stage: mine, country: A, capacity: 1000, outputs: {x: 1}, source: USGS 2024}
  - {id: b, stage: mine, country: B, capacity: 1000, outputs: {x: 1}, source: USGS 2024}
consumers: [{id: c, sector: s, region: A, demand: {x: 100}}]
edges:
  - {from: a, to: c, material: x, share: 0.5, source: trade data, confidence: M}
  - {from: b, to: c, material: x, share: 0.5, source: trade data, confidence: M}
)");
  const auto& n = model->nodes;
  CHECK(n[0].provenance.source() == "USGS 2024");
  CHECK(n[1].provenance.shares(n[0].provenance));
  CHECK(n[2].provenance.empty());
  const auto& e = model->edges;
  CHECK(e[0].provenance.source() == "trade data");
  CHECK(e[0].provenance.confidence() == "M");
  CHECK(e[1].provenance.shares(e[0].provenance));
  CHECK_FALSE(e[0].provenance.shares(n[0].provenance));
}
