#include <catch2/catch.hpp>

#include "rareshock/analysis/run/study_run.hpp"
#include "rareshock/io/load.hpp"

using namespace rareshock;

TEST_CASE("the example study runs every combination with results per consumer, sector and region",
          "[analysis][study]") {
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/example-study.yaml");
  auto r = analysis::run_study(*l.study);
  REQUIRE(r.runs.size() == 3);
  for (const auto& run : r.runs) {
    int consumers = 0, sectors = 0, regions = 0;
    for (const auto& e : run.entities) {
      consumers += e.level == analysis::Level::Consumer;
      sectors += e.level == analysis::Level::Sector;
      regions += e.level == analysis::Level::Region;
      CHECK(e.series.days() == l.study->horizon);
    }
    CHECK(consumers == 4);
    CHECK(sectors == 2);
    CHECK(regions == 3);
  }
  auto find = [&](const std::string& run, const std::string& id) {
    for (const auto& rr : r.runs)
      if (rr.combination.id == run)
        for (const auto& e : rr.entities)
          if (e.id == id) return e.metrics;
    FAIL("no result " << run << "/" << id);
    return analysis::ShortageMetrics{};
  };
  CHECK_FALSE(find("baseline", "ev_traction").time_to_shortage);
  auto eu = find("dy-licence", "ev_traction_eu");
  REQUIRE(eu.time_to_shortage);
  CHECK(*eu.time_to_shortage > 93);  // not before the controls (day 93) plus stock and pipeline
  CHECK(eu.unmet_t > 0);
  CHECK(find("dy-licence+mitigation-package", "ev_traction_eu").unmet_t < eu.unmet_t);
}

TEST_CASE("runs are deterministic", "[analysis][study]") {
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/example-study.yaml");
  auto a = analysis::run_study(*l.study), b = analysis::run_study(*l.study);
  for (std::size_t i = 0; i < a.runs.size(); ++i)
    for (std::size_t k = 0; k < a.runs[i].entities.size(); ++k)
      CHECK(a.runs[i].entities[k].series.shortfall == b.runs[i].entities[k].series.shortfall);
}
