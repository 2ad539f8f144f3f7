// Focus and the order of hit consumers (report/focus.hpp), the study's `focus:` key, and where
// line charts put their event labels (svg::place_markers).
#include <catch2/catch.hpp>

#include "rareshock/core/error.hpp"
#include "rareshock/io/load.hpp"
#include "rareshock/report/focus.hpp"
#include "rareshock/report/svg_chart.hpp"

using namespace rareshock;
using analysis::EntityResult;
using analysis::Level;

namespace {

EntityResult consumer(const std::string& sector, const std::string& region, std::optional<int> tts,
                      double unmet_fraction) {
  EntityResult e;
  e.level = Level::Consumer;
  e.id = sector + "_" + region;
  e.sector = sector;
  e.region = region;
  e.metrics.time_to_shortage = tts;
  e.metrics.unmet_fraction = unmet_fraction;
  e.metrics.unmet_t = 1000 * unmet_fraction;
  e.metrics.peak_shortfall = 2 * unmet_fraction;
  return e;
}

analysis::McEntity mc_of(const EntityResult& e, double p) {
  analysis::McEntity m;
  m.level = e.level;
  m.id = e.id;
  m.probability_of_shortage = p;
  return m;
}

std::vector<std::string> ids(const std::vector<report::Hit>& hits) {
  std::vector<std::string> out;
  for (const auto& h : hits) out.push_back(h.entity->id);
  return out;
}

}  // namespace

TEST_CASE("focus: in_focus matches region and sector, an empty list matching all", "[focus]") {
  EntityResult ev_eu = consumer("ev_traction", "EU", 10, 0.5);
  EntityResult wind_us = consumer("wind", "US", 10, 0.5);
  CHECK_FALSE(report::in_focus({}, ev_eu));
  CHECK(report::in_focus({{"EU"}, {}}, ev_eu));
  CHECK_FALSE(report::in_focus({{"EU"}, {}}, wind_us));
  CHECK(report::in_focus({{}, {"wind"}}, wind_us));
  CHECK(report::in_focus({{"EU", "US"}, {"ev_traction"}}, ev_eu));
  CHECK_FALSE(report::in_focus({{"EU", "US"}, {"ev_traction"}}, wind_us));
  EntityResult sector;  // no region: never in focus
  sector.level = Level::Sector;
  sector.id = sector.sector = "wind";
  CHECK_FALSE(report::in_focus({{}, {"wind"}}, sector));
}

TEST_CASE("focus: hits are ordered focus first, then by share unmet, then probability", "[focus]") {
  analysis::RunResult run;
  run.combination.id = "ban";
  // An EU-only ban: EV traction in EU 53 % unmet, in Korea 7 %; wind in US 20 %; electronics
  // in India never short; e-bikes in RoW short only in some draws.
  run.entities = {consumer("ev_traction", "KR", 40, 0.07), consumer("wind", "US", 200, 0.20),
                  consumer("ev_traction", "EU", 157, 0.53),
                  consumer("electronics", "IN", std::nullopt, 0.0),
                  consumer("ebikes", "RoW", std::nullopt, 0.001)};
  EntityResult sector_total = consumer("ev_traction", "", 40, 0.3);
  sector_total.level = Level::Sector;  // not a consumer: never listed
  run.entities.push_back(sector_total);

  // Without focus: the worst hit by share unmet first, not the earliest (Korea, day 40).
  auto hits = report::ranked_hits(run, nullptr, {});
  CHECK(ids(hits) == std::vector<std::string>{"ev_traction_EU", "wind_US", "ev_traction_KR"});
  CHECK(hits[0].probability == 1.0);
  CHECK_FALSE(hits[0].focus);

  // Focus on wind: first whatever its share.
  hits = report::ranked_hits(run, nullptr, {{}, {"wind"}});
  CHECK(ids(hits) == std::vector<std::string>{"wind_US", "ev_traction_EU", "ev_traction_KR"});
  CHECK(hits[0].focus);

  // Monte Carlo: the draws add e-bikes in RoW (short in 5 % of draws, not centrally); equal
  // shares unmet are ordered by probability.
  analysis::McRun mc;
  mc.id = "ban";
  for (const auto& e : run.entities)
    if (e.level == Level::Consumer)
      mc.entities.push_back(mc_of(e, e.metrics.time_to_shortage ? 0.65 : 0.0));
  mc.entities.back().probability_of_shortage = 0.05;  // ebikes_RoW
  hits = report::ranked_hits(run, &mc, {});
  CHECK(ids(hits) ==
        std::vector<std::string>{"ev_traction_EU", "wind_US", "ev_traction_KR", "ebikes_RoW"});
  CHECK(hits[3].probability == Approx(0.05));
  CHECK_FALSE(hits[3].short_central);
  CHECK(hits[0].probability == Approx(0.65));

  run.entities[0].metrics.unmet_fraction = 0.20;  // KR ties with wind US...
  mc.entities[0].probability_of_shortage = 0.9;   // ...and is more likely
  hits = report::ranked_hits(run, &mc, {});
  CHECK(ids(hits)[1] == "ev_traction_KR");
  CHECK(ids(hits)[2] == "wind_US");
}

TEST_CASE("focus: the console line of a hit says how likely and when", "[focus]") {
  const Date start = *parse_date("2026-01-01");
  EntityResult ev = consumer("ev_traction", "EU", 31, 0.53);
  ev.metrics.peak_day = 59;
  report::Hit h{&ev, nullptr, false, true, 1.0};
  CHECK(report::hit_line(h, start) ==
        "ev_traction in EU: short from 2026-02-01 (day 31), peak 106 % on 2026-03-01, 530 t "
        "unmet (53 % of demand)");
  analysis::McEntity mc = mc_of(ev, 0.65);
  analysis::QuantileSummary q;
  q.n = 65;
  q.p10 = 20, q.p50 = 31, q.p90 = 59;
  mc.metrics.push_back({Metric::TimeToShortage, q});
  h.mc = &mc;
  h.probability = 0.65;
  CHECK(report::hit_line(h, start) ==
        "ev_traction in EU: short in 65 % of draws (median 2026-02-01, 80 % band 2026-01-21 to "
        "2026-03-01); central run short from 2026-02-01, peak 106 % on 2026-03-01, 530 t unmet "
        "(53 % of demand)");
}

TEST_CASE("focus: the study's focus is read and checked against the consumers", "[focus]") {
  const std::string study = RARESHOCK_SOURCE_DIR "/tests/input_errors/fixtures/study.yaml";
  io::LoadOptions opt;
  opt.overrides = {"focus.regions=[EU]", "focus.sectors=[ev_traction, ev_traction]"};
  auto l = io::load_file(study, opt);
  REQUIRE(l.study);
  CHECK(l.study->focus.regions == std::vector<std::string>{"EU"});
  CHECK(l.study->focus.sectors == std::vector<std::string>{"ev_traction"});  // once
  opt.overrides = {"focus.regions=EUR"};
  try {
    io::load_file(study, opt);
    FAIL("an unknown focus region must be an error");
  } catch (const InputError& e) {
    std::string what = e.what();
    CHECK(what.find("unknown region 'EUR'") != std::string::npos);
    CHECK(what.find("did you mean 'EU'") != std::string::npos);
  }
  opt.overrides = {"focus.countries=[EU]"};
  CHECK_THROWS_AS(io::load_file(study, opt), InputError);
}

TEST_CASE("svg: event labels are placed in lanes and never overlap", "[report][svg]") {
  using report::svg::Marker;
  auto x_of = [](int day) { return 100.0 + day; };  // 1 px per day from x = 100
  // Three labels 10 px apart: each needs its own lane; a fourth far right reuses lane 0; a
  // marker on the same day as another joins its label.
  std::vector<Marker> m = {{0, "ban starts"},
                           {10, "licences resume"},
                           {20, "quota"},
                           {400, "ban ends"},
                           {10, "stockpile release"}};
  auto labels = report::svg::place_markers(m, 100, 900, x_of);
  REQUIRE(labels.size() == 4);
  CHECK(labels[0].lane == 0);
  CHECK(labels[1].lane == 1);
  CHECK(labels[1].label == "licences resume; stockpile release");
  CHECK(labels[2].lane == 2);
  CHECK(labels[3].lane == 0);
  for (const auto& l : labels) CHECK(l.visible);
  // Near the right edge a label is drawn to the left of its line.
  labels = report::svg::place_markers({{790, "a long label near the right edge"}}, 100, 900, x_of);
  REQUIRE(labels.size() == 1);
  CHECK(labels[0].flip);
  // More crowded labels than lanes: the extra ones are left to the tooltip.
  std::vector<Marker> crowd;
  for (int d = 0; d < report::svg::kMarkerLanes + 2; ++d)
    crowd.push_back({d * 2, "event " + std::to_string(d)});
  labels = report::svg::place_markers(crowd, 100, 900, x_of);
  int shown = 0;
  for (const auto& l : labels) shown += l.visible;
  CHECK(shown == report::svg::kMarkerLanes);
  // Outside the plot: left out.
  CHECK(report::svg::place_markers({{-50, "before"}}, 100, 900, x_of).empty());
}
