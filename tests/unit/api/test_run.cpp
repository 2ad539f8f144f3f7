#include <catch2/catch.hpp>

#include "rareshock/analysis/run/study_run.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/io/load.hpp"
#include "rareshock/run.hpp"
#include "rareshock/run_record.hpp"

using namespace rareshock;

namespace {

io::Loaded mini_study(int draws) {
  io::LoadOptions opt;
  opt.overrides = {"monte_carlo.draws=" + std::to_string(draws), "sensitivity.sobol=false"};
  return io::load_file(RARESHOCK_SOURCE_DIR "/tests/report/fixtures/mini-chain-study.yaml", opt);
}

}  // namespace

TEST_CASE("run facade: one record with results, uncertainty, structure and provenance", "[api]") {
  auto l = mini_study(6);
  int calls = 0, last_done = 0;
  RunSettings rs;
  rs.threads = 2;
  rs.progress = [&](int done, int total) {
    ++calls;
    last_done = done;
    CHECK(total == 6);
  };
  RunRecord rec = run(l, rs);
  const Study& study = *l.study;
  CHECK(rec.study.name == study.name);
  CHECK(rec.study.start == study.start);
  CHECK(rec.study.end() == study.start + (study.horizon - 1));
  CHECK(rec.study.draws == 6);
  REQUIRE(rec.results.runs.size() == study.combinations.size());
  // The deterministic runs are those of run_study with the study's own settings.
  auto direct = analysis::run_study(study);
  for (std::size_t r = 0; r < direct.runs.size(); ++r) {
    REQUIRE(rec.results.runs[r].entities.size() == direct.runs[r].entities.size());
    for (std::size_t i = 0; i < direct.runs[r].entities.size(); ++i)
      CHECK(rec.results.runs[r].entities[i].metrics.unmet_t ==
            direct.runs[r].entities[i].metrics.unmet_t);
  }
  REQUIRE(rec.uncertainty);
  CHECK(rec.uncertainty->draws_done == 6);
  CHECK_FALSE(rec.uncertainty->partial);
  CHECK(rec.uncertainty->runs.size() == study.combinations.size());
  CHECK(last_done == 6);
  CHECK(calls >= 1);
  CHECK(rec.structure.has_value() == study.analysis.enabled);
  CHECK(rec.provenance.inputs == l.files);
  CHECK(rec.provenance.resolved_yaml == io::to_yaml(l.resolved));
  CHECK_FALSE(rec.provenance.started.empty());

  // Cancelled before the first chunk: no draws, marked partial.
  std::atomic<bool> cancel{true};
  RunSettings stop;
  stop.cancel = &cancel;
  RunRecord part = run(l, stop);
  CHECK(part.uncertainty->partial);
  CHECK(part.uncertainty->draws_done == 0);

  // Only studies run.
  auto model = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml");
  CHECK_THROWS_AS(run(model, {}), InputError);
}

TEST_CASE("run facade: a moved-in study frees its resolved tree unless draws re-read it", "[api]") {
  // No draws and no sensitivity: the tree goes before the runs; the record is the same.
  io::LoadOptions opt;
  opt.overrides = {"monte_carlo.draws=0", "sensitivity.sobol=false", "sensitivity.tornado=false"};
  const std::string file = RARESHOCK_SOURCE_DIR "/tests/report/fixtures/mini-chain-study.yaml";
  auto kept = io::load_file(file, opt);
  auto moved = io::load_file(file, opt);
  CHECK_FALSE(needs_resolved_tree(*moved.study));
  RunRecord a = run(kept, {});
  RunRecord b = run(std::move(moved), {});
  CHECK(moved.resolved.is_null());  // NOLINT(bugprone-use-after-move): left empty on purpose
  REQUIRE(moved.study);             // the study (and model) stay for the outputs
  CHECK(b.provenance.resolved_yaml == io::to_yaml(kept.resolved));
  CHECK(b.provenance.inputs == kept.files);
  a.provenance.started = b.provenance.started;
  a.provenance.finished = b.provenance.finished;
  CHECK(to_json(a) == to_json(b));

  // Draws over uncertain parameters re-read the tree: it stays.
  auto drawn = mini_study(2);
  REQUIRE_FALSE(drawn.study->monte_carlo.params.empty());
  CHECK(needs_resolved_tree(*drawn.study));
  RunRecord c = run(std::move(drawn), {});
  CHECK_FALSE(drawn.resolved.is_null());  // NOLINT(bugprone-use-after-move)
  CHECK(c.uncertainty->draws_done == 2);
}

TEST_CASE("run record: summary.json text reads back to the same record", "[api]") {
  auto l = mini_study(4);
  RunRecord rec = run(l, {});
  const std::string text = to_json(rec);
  RunRecord back = from_json(text);
  CHECK(to_json(back) == text);
  REQUIRE(back.results.runs.size() == rec.results.runs.size());
  const auto& e0 = rec.results.runs.back().entities.front();
  const auto& b0 = back.results.runs.back().entities.front();
  CHECK(b0.level == e0.level);
  CHECK(b0.id == e0.id);
  CHECK(b0.metrics.time_to_shortage == e0.metrics.time_to_shortage);
  CHECK(b0.metrics.unmet_t == e0.metrics.unmet_t);
  CHECK(back.uncertainty->draws_done == 4);
  CHECK(back.uncertainty->ranking.size() == rec.uncertainty->ranking.size());
  CHECK(back.study.seed == rec.study.seed);
}

TEST_CASE(
    "run record: re-read Monte Carlo paths are written and read back, only when there are any",
    "[api]") {
  auto l = mini_study(2);
  RunRecord rec = run(l, {});
  REQUIRE(rec.uncertainty);
  CHECK(rec.uncertainty->reread_paths.empty());  // the fixture's paths are all typed
  CHECK(to_json(rec).find("reread_paths") == std::string::npos);
  rec.uncertainty->reread_paths = {"model.edges[3].lead_time: no typed setter"};
  const std::string text = to_json(rec);
  CHECK(text.find("reread_paths") != std::string::npos);
  RunRecord back = from_json(text);
  CHECK(back.uncertainty->reread_paths == rec.uncertainty->reread_paths);
}

TEST_CASE("run record: from_json of a hand-written summary, defaults for missing keys", "[api]") {
  // One run, one sector short from day 3 (2025-01-04) to day 5, peak 40 % on day 4; Monte
  // Carlo over 10 draws; no sensitivity.
  const std::string text = R"({
    "format_version": 1,
    "study": {"name": "s", "start": "2025-01-01", "horizon_days": 30, "seed": 7},
    "runs": [{
      "id": "ban", "scenario": "ban", "mitigations": [],
      "results": [{"level": "sector", "id": "ev",
                   "metrics": {"time_to_shortage": {"day": 3, "date": "2025-01-04"},
                               "peak_shortfall": 0.4, "peak_day": 4, "shortage_days": 3,
                               "unmet_t": 12.5, "time_to_recover": null}}],
      "monte_carlo": {"draws": 10, "results": [
        {"level": "sector", "id": "ev", "probability_of_shortage": 0.7,
         "metrics": {"time_to_shortage": {"mean": 3.5, "p10": 2, "p90": 5},
                     "time_to_recover": null}}]}
    }],
    "uncertainty": {"draws_requested": 20, "draws": 10, "partial": true}
  })";
  RunRecord rec = from_json(text);
  CHECK(rec.study.start == make_date(2025, 1, 1));
  CHECK(rec.study.end() == make_date(2025, 1, 30));
  CHECK(rec.study.seed == 7);
  CHECK(rec.study.shortage_threshold == 0.01);  // the default
  REQUIRE(rec.results.runs.size() == 1);
  const auto& run0 = rec.results.runs[0];
  CHECK(run0.combination.scenario == std::optional<std::string>("ban"));
  CHECK(run0.recovery_reference == -1);
  const auto& m = run0.entities.at(0).metrics;
  CHECK(run0.entities[0].level == analysis::Level::Sector);
  CHECK(m.time_to_shortage == 3);
  CHECK(m.peak_day == 4);
  CHECK(m.shortage_days == 3);
  CHECK(m.unmet_t == 12.5);
  CHECK(m.units_lost_upper == 0);
  CHECK_FALSE(m.time_to_recover);
  REQUIRE(rec.uncertainty);
  CHECK(rec.uncertainty->partial);
  CHECK(rec.uncertainty->draws_requested == 20);
  CHECK(rec.uncertainty->draws_done == 10);
  const auto& mc = rec.uncertainty->runs.at(0).entities.at(0);
  CHECK(mc.probability_of_shortage == 0.7);
  REQUIRE(mc.metrics.size() == 2);
  CHECK(mc.metrics[0].first == Metric::TimeToShortage);
  CHECK(mc.metrics[0].second.p90 == 5);
  CHECK(mc.metrics[1].second.n == 0);  // null: absent in every draw

  CHECK_THROWS_AS(from_json("{\"runs\": []}"), InputError);
  CHECK_THROWS_AS(from_json("not json"), InputError);
  CHECK_THROWS_AS(from_json(R"({"study": {"start": "soon"}, "runs": []})"), InputError);
}
