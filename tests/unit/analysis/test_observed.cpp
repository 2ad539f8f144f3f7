#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "../../support.hpp"
#include "rareshock/analysis/run/calibration.hpp"
#include "rareshock/analysis/run/observed.hpp"
#include "rareshock/analysis/run/recorder.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/report/calibration_output.hpp"

using namespace rareshock;

namespace {
// A CN mine supplying a US consumer (3-day lead) and a CN consumer (1-day lead), 1 t/day each.
const char* kTwoBuyers = R"(
materials: [{id: m, family: magnet, elements: {Nd: 0.3}}]
countries: [CN, US, JP]
groups: [{id: non_china, all_except: [CN]}]
nodes: [{id: mine, stage: magnet, country: CN, capacity: 730 t/yr, outputs: {m: 1}}]
consumers:
  - {id: c_us, sector: ev, region: US, demand: {m: 365 t/yr}, inventory_days: 30}
  - {id: c_cn, sector: ev, region: CN, demand: {m: 365 t/yr}, inventory_days: 30}
edges:
  - {from: mine, to: c_us, material: m, share: 1, lead_time: 3 days}
  - {from: mine, to: c_cn, material: m, share: 1, lead_time: 1 day}
)";
const char* kBan = R"(
scenario: {id: ban}
events:
  - {id: ban, type: export_restriction, start: 2025-01-11, end: 2025-01-20, exporters: [CN],
     materials: [m], destinations: {all_except: [CN]}, regime: ban}
)";

std::string study_text(const std::string& observed) {
  std::string model = kTwoBuyers, ban = kBan;
  auto indent = [](std::string s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      out += s[i];
      if (s[i] == '\n') out += "  ";
    }
    return out;
  };
  return "study: {name: two buyers}\nmodel:\n  " + indent(model) + "\nscenarios:\n  -\n    " +
         indent(indent(ban)) + "\nstart: 2025-01-01\nhorizon: 62 days\n" + observed;
}
}  // namespace

TEST_CASE("fit statistics by hand", "[observed]") {
  // errors 2, -2, 3: bias 1, MAE 7/3, RMSE sqrt(17/3), relative to the mean observed 20.
  auto s = analysis::fit_stats({10, 20, 30}, {12, 18, 33});
  CHECK(s.n == 3);
  CHECK(s.bias == Approx(1.0));
  CHECK(s.mae == Approx(7.0 / 3));
  CHECK(s.rmse == Approx(std::sqrt(17.0 / 3)));
  CHECK(s.relative_rmse == Approx(std::sqrt(17.0 / 3) / 20));
  // Deviations (-10, 0, 10) and (-9, -3, 12): r = 210 / sqrt(200 * 234).
  REQUIRE(s.correlation);
  CHECK(*s.correlation == Approx(210 / std::sqrt(200.0 * 234)));
  CHECK(analysis::objective_value("mae", s) == Approx(7.0 / 3));
  CHECK(analysis::objective_value("relative_rmse", s) == Approx(s.relative_rmse));
  CHECK(analysis::objective_value("rmse", s) == Approx(s.rmse));
  CHECK_FALSE(analysis::fit_stats({5}, {6}).correlation);        // one point
  CHECK_FALSE(analysis::fit_stats({5, 5}, {6, 7}).correlation);  // constant observations
  CHECK(analysis::fit_stats({}, {}).n == 0);
}

TEST_CASE("trade flows: shipped and arrived per exporter, importer and material",
          "[observed][trade]") {
  test::Sim sim(kTwoBuyers, kBan);
  auto model = sim.model;
  analysis::TradeIndex ti = analysis::trade_index(sim.net, *model);
  REQUIRE(ti.flows.size() == 2);  // sorted: CN->CN, CN->US
  CHECK(ti.flows[0].importer == "CN");
  CHECK(ti.flows[0].domestic());
  CHECK(ti.flows[0].importer_region == "CN");
  CHECK(ti.flows[1].importer == "US");
  CHECK_FALSE(ti.flows[1].domestic());
  CHECK(ti.flows[1].importer_region == "US");
  analysis::SeriesRecorder rec(sim.net, 40, false, false, &ti);
  sim.engine->run(40, &rec);
  const auto& us = rec.trade[1];
  const auto& cn = rec.trade[0];
  CHECK(us.shipped[0] == Approx(1.0));
  CHECK(us.arrived[0] == Approx(1.0));  // pipelines start filled with the baseline flow
  CHECK(us.shipped[9] == Approx(1.0));
  CHECK(us.shipped[10] == 0);  // the ban: day 10 (2025-01-11) to day 19
  CHECK(us.shipped[19] == 0);
  CHECK(us.arrived[12] == Approx(1.0));
  for (int d = 13; d <= 22; ++d) CHECK(us.arrived[d] == 0);  // three days later
  for (int d = 3; d < 40; ++d) CHECK(us.arrived[d] == Approx(us.shipped[d - 3]).margin(1e-12));
  for (int d = 1; d < 40; ++d) CHECK(cn.arrived[d] == Approx(cn.shipped[d - 1]).margin(1e-12));
  CHECK(cn.shipped[15] == Approx(1.0));  // domestic trade is not banned
  CHECK(us.shipped[20] > 1.0);           // the backlog after the ban
}

TEST_CASE("importer regions: the first consumer region that contains the importer",
          "[observed][trade]") {
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml");
  sim::Network net = sim::compile(*l.model);
  auto ti = analysis::trade_index(net, *l.model);
  int checked = 0;
  for (const auto& f : ti.flows) {
    if (f.importer == "EU") {  // a group region
      CHECK(f.importer_region == "EU");
      ++checked;
    }
    if (f.importer == "JP") {  // no consumer region contains JP
      CHECK(f.importer_region.empty());
      ++checked;
    }
    if (f.importer == "US") {
      CHECK(f.importer_region == "US");
      ++checked;
    }
  }
  CHECK(checked >= 3);
}

TEST_CASE("modelled aggregates of an observed series, per period", "[observed]") {
  // Daily observations of CN -> non-CN shipments: 1 t/day, none during the ban.
  std::string obs = R"(observed:
  - id: us
    period: day
    matches: {exporters: [CN], importers: non_china, materials: {families: [magnet]}}
    data:
      - {period: 2025-01-05, value: 1}
      - {period: 2025-01-12, value: 0.5}
      - {period: 2024-12-31, value: 1}
  - id: arrivals
    unit: kt
    matches: {measure: arrived, exporters: all, importers: all}
    data: [{period: 2025-01, value: 0.062}, {period: 2025-03, value: 1}]
)";
  auto l = io::load_text("two.yaml", study_text(obs));
  const Study& st = *l.study;
  REQUIRE(st.observed.size() == 2);
  const auto& us = st.observed[0];
  REQUIRE(us.points.size() == 2);  // 2024-12-31 is before the start
  REQUIRE(us.notes.size() == 1);
  CHECK_THAT(us.notes[0], Catch::Contains("2024-12-31"));
  CHECK(us.runs == std::vector<std::string>{"ban"});  // every run with a scenario
  const auto& arr = st.observed[1];
  REQUIRE(arr.points.size() == 1);             // March is outside the 62-day window
  CHECK(arr.points[0].value == Approx(62.0));  // 0.062 kt
  CHECK(arr.points[0].last == make_date(2025, 1, 31));

  auto result = analysis::run_study(st);
  auto fits = analysis::compare_observed(st, result);
  REQUIRE(fits.size() == 2);
  CHECK(fits[0].run == "ban");
  REQUIRE(fits[0].periods.size() == 2);
  CHECK(fits[0].periods[0].modelled == Approx(1.0));  // 2025-01-05
  CHECK(fits[0].periods[1].modelled == 0);            // 2025-01-12: banned
  CHECK(fits[0].all.bias == Approx(-0.25));           // errors 0 and -0.5
  // January arrivals at both buyers: 31 + 31 days at 1 t/day minus the 10 banned days, plus
  // the US backlog that arrived by the 31st.
  const auto& jan = fits[1].periods.at(0);
  double cn = 0, us_arrived = 0;
  for (const auto& run : result.runs)
    if (run.combination.id == "ban")
      for (const auto& f : run.trade)
        for (int d = 0; d < 31; ++d) (f.domestic() ? cn : us_arrived) += f.arrived[d];
  CHECK(cn == Approx(31.0));
  CHECK(jan.modelled == Approx(cn + us_arrived));
  CHECK(us_arrived < 31.0);
}

TEST_CASE("observed series input errors name the file, line and key", "[observed][io]") {
  auto bad = [](const std::string& obs) {
    try {
      io::load_text("two.yaml", study_text(obs));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(bad("observed: [{id: x, matches: {}, data: [{period: 2025-13, value: 1}]}]\n"),
             Catch::Contains("'2025-13' is not a month"));
  CHECK_THAT(bad("observed: [{id: x, period: day, matches: {}, data: [{period: 2025-01, value: "
                 "1}]}]\n"),
             Catch::Contains("'2025-01' is not a day"));
  CHECK_THAT(bad("observed: [{id: x, matches: {}, data: [{period: 2025-01, value: -1}]}]\n"),
             Catch::Contains("cannot be negative"));
  CHECK_THAT(bad("observed: [{id: x, matches: {exporters: [XX]}, data: []}]\n"),
             Catch::Contains("unknown country or group 'XX'"));
  CHECK_THAT(bad("observed: [{id: x, matches: {materials: {families: [magnets]}}, data: []}]\n"),
             Catch::Contains("did you mean 'magnet'"));
  CHECK_THAT(bad("observed: [{id: x, runs: [bann], matches: {}, data: []}]\n"),
             Catch::Contains("unknown run 'bann'"));
  CHECK_THAT(bad("observed: [{id: x, matches: {}, data: [{period: 2025-01, value: 1}, {period: "
                 "2025-01, value: 2}]}]\n"),
             Catch::Contains("appears twice"));
}

TEST_CASE("an observed CSV: comments, columns, and values located in the file", "[observed][io]") {
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/calibration-study.yaml");
  const auto& o = l.study->observed.at(0);
  CHECK(o.points.size() == 17);  // 2025-01 .. 2026-05 (June 2026 is not whole)
  REQUIRE(o.notes.size() == 1);  // 2024-12 lies before the start
  CHECK(o.points.front().period == "2025-01");
  CHECK(o.points.front().value == Approx(874.8));
  CHECK_THAT(o.source_file, Catch::EndsWith("mini-chain-cn-magnet-exports.csv"));
  // A bad cell is reported at its line and column in the CSV.
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "rareshock-observed-test";
  fs::create_directories(dir);
  {
    std::ofstream(dir / "obs.csv") << "# comment line\nmonth,t\n2025-01,12\n2025-02,lots\n";
    std::ofstream(dir / "study.yaml") << study_text(
        "observed: [{id: x, file: obs.csv, date_column: month, value_column: t, matches: {}}]\n");
  }
  try {
    io::load_file(dir / "study.yaml");
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("obs.csv:4:9: error"));
  }
  {
    std::ofstream(dir / "study.yaml") << study_text(
        "observed: [{id: x, file: obs.csv, date_column: month, value_column: tonnes, matches: "
        "{}}]\n");
  }
  try {
    io::load_file(dir / "study.yaml");
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("column 'tonnes' is not in"));
    CHECK_THAT(std::string(e.what()), Catch::Contains("columns: month, t"));
  }
  fs::remove_all(dir);
}

TEST_CASE("calibrate recovers the values a synthetic series was generated with", "[calibration]") {
  // observed/mini-chain-cn-magnet-exports.csv was generated with approval[1].fraction = 0.4
  // and engine.licence_volume_cap = 0.75; the study starts from 0.25 and 1.
  const std::string file = RARESHOCK_SOURCE_DIR "/models/examples/calibration-study.yaml";
  auto l = io::load_file(file);
  auto a = analysis::calibrate(*l.study, l.resolved);
  REQUIRE(a.fitted.size() == 2);
  CHECK(a.start == std::vector<double>{0.25, 1.0});
  CHECK(a.fitted[0] == Approx(0.4).epsilon(0.01));
  CHECK(a.fitted[1] == Approx(0.75).epsilon(0.01));
  CHECK(a.at_fit.training < 0.01 * a.at_start.training);
  REQUIRE(a.at_fit.validation);
  CHECK(*a.at_fit.validation < 1.0);  // tonnes per month, on held-out months
  CHECK(a.evaluations == static_cast<int>(a.trace.size()));
  CHECK(a.evaluations <= l.study->calibration.max_evaluations);
  // Deterministic: the same input gives the same trace.
  auto b = analysis::calibrate(*l.study, l.resolved);
  CHECK(b.fitted == a.fitted);
  REQUIRE(b.trace.size() == a.trace.size());
  for (std::size_t i = 0; i < a.trace.size(); ++i)
    CHECK(b.trace[i].training == a.trace[i].training);

  // calibrated.yaml applies the fitted values: the objective there is the fitted one.
  namespace fs = std::filesystem;
  fs::path out = fs::temp_directory_path() / "rareshock-calibration-test";
  fs::remove_all(out);
  report::RunProvenance prov;
  report::write_calibration_outputs(out, false, *l.study, file, a, prov);
  for (const char* f : {"calibration.json", "calibration.md", "calibrated.yaml", "provenance.json"})
    CHECK(fs::exists(out / f));
  // The study is outside the temporary directory's input tree: refused unless allowed.
  CHECK(report::calibrated_needs_outside(file, out));
  CHECK_THROWS_WITH(io::load_file(out / "calibrated.yaml"),
                    Catch::Contains("is outside the input tree"));
  io::LoadOptions outside;
  outside.allow_outside_includes = true;
  auto applied = io::load_file(out / "calibrated.yaml", outside);
  CHECK(applied.study->overrides.size() == 2);
  auto pt = analysis::evaluate_calibration(*applied.study);
  CHECK(pt.training == Approx(a.at_fit.training).epsilon(1e-12));
  fs::remove_all(out);
}

TEST_CASE("calibration input errors", "[calibration][io]") {
  const std::string obs = "observed: [{id: x, matches: {}, data: [{period: 2025-01, value: 1}]}]\n";
  auto bad = [&](const std::string& cal) {
    try {
      io::load_text("two.yaml", study_text(obs + cal));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(bad("calibration: {run: bann, parameters: [{path: engine.switching_lag, min: 1, max: "
                 "2}]}\n"),
             Catch::Contains("unknown run 'bann'"));
  CHECK_THAT(bad("calibration: {run: ban, parameters: [{path: horizon, min: 1, max: 2}]}\n"),
             Catch::Contains("the same for every run"));
  CHECK_THAT(bad("calibration: {run: ban, parameters: [{path: engine.switching_lagg, min: 1, max: "
                 "2}]}\n"),
             Catch::Contains("did you mean 'switching_lag'"));
  CHECK_THAT(bad("calibration: {run: ban, parameters: [{path: engine.switching_lag, min: 5, max: "
                 "2}]}\n"),
             Catch::Contains("max must be greater than min"));
  CHECK_THAT(bad("calibration: {run: ban, algorithm: cobyla, parameters: []}\n"),
             Catch::Contains("cobyla"));
  CHECK_THAT(bad("calibration: {run: ban, training: {from: 2025-05, to: 2025-04}, parameters: "
                 "[]}\n"),
             Catch::Contains("ends before it starts"));
  CHECK_THAT(bad("overrides: [engine.switching_lag]\n"), Catch::Contains("key.path=value"));
  CHECK(bad("overrides: [\"engine.switching_lag=45 days\"]\n") == "no error");
}

TEST_CASE("a wildcard calibration path sets every match, differing start values are noted",
          "[calibration]") {
  auto l = io::load_text("two.yaml", study_text(R"(observed:
  - id: x
    period: day
    matches: {measure: arrived, importers: [US]}
    data: [{period: 2025-01-14, value: 0}, {period: 2025-01-25, value: 1}]
calibration:
  run: ban
  parameters: [{path: "model.edges[*].lead_time", min: 1 day, max: 5 days}]
  max_evaluations: 3
)"));
  const auto& p = l.study->calibration.parameters.at(0);
  CHECK(p.targets.size() == 2);
  CHECK(p.unit == "days");
  auto r = analysis::calibrate(*l.study, l.resolved);
  CHECK(r.start == std::vector<double>{3.0});  // the first edge's lead time
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("values differ"));
  CHECK(r.evaluations == 3);
  CHECK(r.stop_reason == "max_evaluations reached");
}
