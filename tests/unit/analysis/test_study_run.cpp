#include <catch2/catch.hpp>

#include <cstring>
#include <optional>

#include "rareshock/analysis/run/study_run.hpp"
#include "rareshock/io/load.hpp"
#include "rareshock/model/metric.hpp"

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

TEST_CASE("runs without details have the same metrics and series as runs with them",
          "[analysis][study]") {
  // Monte Carlo draws and sensitivity points run without details (RunOptions::details): no
  // per-material series or metrics, supply sources or losses by unit. What they keep, every
  // entity's metrics and summed series, must be the same bit for bit. The default study's
  // October-measures runs: multi-material consumers, mitigations, an origin-content rule.
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/studies/default.yaml");
  const Study& st = *l.study;
  const sim::Network net = sim::compile(st.model);
  analysis::RunOptions full, lean;
  full.trade_series = lean.trade_series = false;
  lean.details = false;
  int compared = 0, with_materials = 0;
  for (int c = 0; c < static_cast<int>(st.combinations.size()); ++c) {
    const auto& comb = st.combinations[c];
    if (comb.scenario != std::optional<std::string>("october-controls-resume-2026-11")) continue;
    for (bool sampled : {false, true}) {
      full.sample_licences = lean.sample_licences = sampled;
      full.licence_seed = lean.licence_seed = st.seed;
      full.licence_draw = lean.licence_draw = 3;
      const auto a = analysis::run_combination(st, net, comb, full, c);
      const auto b = analysis::run_combination(st, net, comb, lean, c);
      REQUIRE(a.entities.size() == b.entities.size());
      CHECK(b.losses.empty());
      CHECK_FALSE(a.losses.empty());
      for (std::size_t i = 0; i < a.entities.size(); ++i) {
        const auto &x = a.entities[i], &y = b.entities[i];
        REQUIRE(x.id == y.id);
        REQUIRE(x.level == y.level);
        for (const auto& row : metric_table()) {
          const auto u = analysis::metric_value(x.metrics, row.metric);
          const auto v = analysis::metric_value(y.metrics, row.metric);
          INFO(comb.id << " " << x.id << " " << row.name);
          REQUIRE(u.has_value() == v.has_value());
          if (u) CHECK(std::memcmp(&*u, &*v, sizeof(double)) == 0);
        }
        CHECK(x.series.demand == y.series.demand);
        CHECK(x.series.want == y.series.want);
        CHECK(x.series.consumed == y.series.consumed);
        CHECK(x.series.shortfall == y.series.shortfall);
        CHECK(x.series.stock == y.series.stock);
        CHECK(x.series.base_daily_demand == y.series.base_daily_demand);
        CHECK(y.materials.empty());
        CHECK(y.supply.blocked_t == 0);
        CHECK(y.supply.switched_t == 0);
        with_materials += x.materials.size() > 1;
        ++compared;
      }
    }
  }
  CHECK(compared > 100);
  CHECK(with_materials > 0);  // the full runs had per-material metrics to leave out
}
