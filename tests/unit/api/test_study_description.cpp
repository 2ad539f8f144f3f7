// The study as applied (RunRecord study.applied): described from the typed study with the
// values as written, and carried through summary.json.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "rareshock/io/load.hpp"
#include "rareshock/run_record.hpp"

using namespace rareshock;
namespace fs = std::filesystem;

namespace {

io::Loaded example_study() {
  return io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/example-study.yaml");
}

const EventRecord* event(const StudyDescription& d, const std::string& id) {
  for (const auto& sc : d.scenarios)
    for (const auto& e : sc.events)
      if (e.id == id) return &e;
  return nullptr;
}

// A study on the mini chain with one event of each kind the example study lacks.
const char* kStudy = R"(study:
  name: every event
model: MODEL
start: 2025-01-01
horizon: 365 days
engine:
  switching_lag: 45
  qualification: {ndfeb_sh: 2 months}
scenarios:
  - scenario: {id: shocks, name: "  Shocks  ", sources: [" a source "]}
    events:
      - id: quota
        type: export_restriction
        start: 10 days
        end: 2025-03-01
        exporters: [CN]
        materials: {families: [magnet], elements_above: {Dy: 1 %, Tb: 1 %}}
        destinations: {all_except: [CN]}
        regime: quota
        quota: {annual: 5 kt/yr}
        destination_sectors: [ev_traction]
        end_users: [civil]
        origin_content: {countries: [CN], at_least: 0.1 %}
      - {id: outage, type: capacity_outage, start: 2025-02-01, nodes: {stages: [refinery], countries: [CN]}, remaining: 50 %}
      - {id: boom, type: demand_shock, start: 2025-02-01, consumers: {sectors: [wind], regions: [EU]}, factor: 1.5}
      - {id: delay, type: logistics_delay, start: 2025-02-01, edges: {from_countries: [CN], materials: [dy_oxide]}, extra_days: 3 weeks}
mitigations:
  - scenario: {id: relief}
    events:
      - id: redesign
        type: substitution
        start: 2025-02-01
        consumers: {sectors: [ev_traction]}
        material: ndfeb_sh
        max_reduction: 20 %
        lag: 90 days
        ramp: 1 year
        trigger: {on: shortage, watch: {sectors: [ev_traction]}, threshold: 5 %}
      - {id: release, type: stockpile_release, start: 2025-02-01, node: us_stockpile, rate: 20 t/month, materials: [dy_oxide], eligible: [JP], cover_below: 30 days}
      - {id: ramp, type: capacity_expansion, start: 2025-02-01, node: jp_magnet, from: 4000, to: 6000, ramp: 90}
)";

}  // namespace

TEST_CASE("study description: the example study in words, values as written", "[api]") {
  auto l = example_study();
  const StudyDescription d = describe_study(*l.study, l.resolved);
  CHECK(d.model.description ==
        "Two mines, joint separation, metal, two magnet makers, four consumer sectors.");
  CHECK(d.model.base_year == 2024);
  CHECK(d.model.names.at("US") == "United States");
  CHECK(d.model.names.count("EU") == 0);  // groups have no name
  CHECK(d.model.material_names.at("dy_oxide") == "Dy oxide");
  REQUIRE(d.scenarios.size() == 2);
  CHECK_FALSE(d.scenarios[0].mitigation);
  CHECK(d.scenarios[1].mitigation);
  // The folded description loses its final line break.
  CHECK(d.scenarios[1].description.back() == '.');
  const EventRecord* lic = event(d, "dy-licences");
  REQUIRE(lic);
  CHECK(lic->type == "export_restriction");
  CHECK(lic->start == 93);  // 2025-04-04
  CHECK_FALSE(lic->end);
  CHECK(lic->what ==
        "China requires export licences for goods holding at least 0.1 % of Dy to every country "
        "except China. Review takes triangular (min 30 working days, mode 45 working days, max 60 "
        "working days). Approved share of applications: 0 from 2025-04-04, 25 % from 2025-06-01, "
        "60 % from 2025-06-25. One licence per shipment.");
  REQUIRE(event(d, "jp-ramp"));
  CHECK(event(d, "jp-ramp")->what ==
        "jp_magnet capacity ramps from 4 kt/yr to 10 kt/yr over 180 days.");
  // No materials given: all it holds, not named.
  CHECK(event(d, "release")->what ==
        "us_stockpile releases up to 200 t/yr to customers in non_china.");
  CHECK(event(d, "gbd")->what ==
        "cn_magnet switches to recipe 'gbd' after a qualification of 120 days.");
}

TEST_CASE("study description: every selector and scope in words, engine as written", "[api]") {
  const fs::path dir =
      fs::temp_directory_path() / ("rareshock-describe-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string text = kStudy;
  text.replace(text.find("MODEL"), 5, RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml");
  std::ofstream(dir / "study.yaml") << text;
  io::LoadOptions opt;
  opt.allow_outside_includes = true;
  auto l = io::load_file((dir / "study.yaml").string(), opt);
  fs::remove_all(dir);
  const StudyDescription d = describe_study(*l.study, l.resolved);

  // Engine: every resolved key in order; a plain number gets its canonical unit.
  REQUIRE(d.engine.size() >= 2);
  CHECK(d.engine[0] == std::pair<std::string, std::string>{"switching_lag", "45 days"});
  bool nested = false;
  for (const auto& [k, v] : d.engine)
    nested = nested || (k == "qualification" && v == "{ndfeb_sh: 2 months}");
  CHECK(nested);

  REQUIRE(d.scenarios.size() == 2);
  CHECK(d.scenarios[0].name == "Shocks");
  CHECK(d.scenarios[0].sources == std::vector<std::string>{"a source"});
  const EventRecord* quota = event(d, "quota");
  REQUIRE(quota);
  CHECK(quota->start == 10);
  REQUIRE(quota->end);
  CHECK(*quota->end == 59);  // 2025-03-01
  CHECK(quota->what ==
        "China caps exports of every magnet or goods holding at least 1 % of Dy or Tb to every "
        "country except China at 5 kt/yr in total. Only shipments to ev_traction consumers. "
        "Only shipments to civil end users. Only goods holding rare earths from China worth at "
        "least 0.1 % of their value, wherever they were made.");
  CHECK(event(d, "outage")->what == "Capacity of refinery nodes in China falls to 50 % of normal.");
  CHECK(event(d, "boom")->what == "Demand of wind consumers in EU is multiplied by 1.5.");
  CHECK(event(d, "delay")->what ==
        "Lead time of shipments of Dy oxide from China grows by 3 weeks.");
  CHECK(event(d, "redesign")->what ==
        "ev_traction consumers redesign away from up to 20 % of their NdFeB SH grade demand, "
        "starting after 90 days, over 1 year. Armed when the shortfall of ev_traction consumers "
        "reaches 5 %.");
  CHECK(event(d, "release")->what ==
        "us_stockpile releases up to 20 t/month of Dy oxide to customers in Japan while their "
        "stock covers less than 30 days.");
  // Plain numbers (as CSV tables give them) are in the key's canonical unit, and say so.
  CHECK(event(d, "ramp")->what ==
        "jp_magnet capacity ramps from 4000 t/yr to 6000 t/yr over 90 days.");
}

TEST_CASE("study description: through summary.json and back", "[api]") {
  auto l = example_study();
  RunRecord rec;
  rec.study = study_info(*l.study, l.resolved);
  REQUIRE(rec.study.applied);
  RunRecord back = from_json(to_json(rec));
  REQUIRE(back.study.applied);
  const StudyDescription& a = *rec.study.applied;
  const StudyDescription& b = *back.study.applied;
  CHECK(b.model.description == a.model.description);
  CHECK(b.model.base_year == a.model.base_year);
  CHECK(b.model.sources == a.model.sources);
  CHECK(b.model.assumptions == a.model.assumptions);
  CHECK(b.model.item_sources == a.model.item_sources);
  CHECK(b.model.confidence == a.model.confidence);
  CHECK(b.model.names == a.model.names);
  CHECK(b.model.material_names == a.model.material_names);
  CHECK(b.engine == a.engine);
  REQUIRE(b.scenarios.size() == a.scenarios.size());
  for (std::size_t i = 0; i < a.scenarios.size(); ++i) {
    CHECK(b.scenarios[i].id == a.scenarios[i].id);
    CHECK(b.scenarios[i].name == a.scenarios[i].name);
    CHECK(b.scenarios[i].description == a.scenarios[i].description);
    CHECK(b.scenarios[i].mitigation == a.scenarios[i].mitigation);
    CHECK(b.scenarios[i].sources == a.scenarios[i].sources);
    REQUIRE(b.scenarios[i].events.size() == a.scenarios[i].events.size());
    for (std::size_t j = 0; j < a.scenarios[i].events.size(); ++j) {
      const auto &x = a.scenarios[i].events[j], &y = b.scenarios[i].events[j];
      CHECK(y.id == x.id);
      CHECK(y.type == x.type);
      CHECK(y.description == x.description);
      CHECK(y.start == x.start);
      CHECK(y.end == x.end);
      CHECK(y.what == x.what);
    }
  }
  // A summary written before the study was described: no description, not an error.
  rec.study.applied.reset();
  CHECK_FALSE(from_json(to_json(rec)).study.applied);
}
