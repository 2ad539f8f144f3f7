// Monte Carlo and the mitigation ranking with the loss measures a planner defends (value
// added lost, its full-value upper bound), tornado groups with their members' ranges, and
// fans per sector in a region (analysis/uncertainty/uncertainty.hpp).
#include <catch2/catch.hpp>

#include <cmath>

#include "../../support.hpp"
#include "rareshock/analysis/uncertainty/uncertainty.hpp"
#include "rareshock/io/load.hpp"

using namespace rareshock;
using namespace rareshock::analysis;

namespace {

// The mini-chain with the Dy licence scenario and the mitigation package; \p margins: every
// consumer gets a margin (20 % for EV traction, 10 % for wind) through the study's overrides.
std::string study_text(bool margins, int draws, const std::string& extra = {}) {
  std::string s = std::string(R"(
study: {name: losses}
model: )") + RARESHOCK_SOURCE_DIR +
                  R"(/models/examples/mini-chain.yaml
scenarios: [)" + RARESHOCK_SOURCE_DIR +
                  R"(/models/examples/dy-licence.yaml]
mitigations: [)" + RARESHOCK_SOURCE_DIR +
                  R"(/models/examples/mitigation-package.yaml]
start: 2025-01-01
horizon: 500
seed: 7
)";
  if (margins)
    s += R"(overrides:
  - "model.consumers[ev_traction_cn].margin=0.2"
  - "model.consumers[ev_traction_eu].margin=0.2"
  - "model.consumers[ev_traction_us].margin=0.2"
  - "model.consumers[wind_eu].margin=0.1"
)";
  s += "monte_carlo:\n  draws: " + std::to_string(draws) + "\n" + extra;
  return s;
}

const McEntity* mc_entity(const UncertaintyResult& r, const std::string& run, Level level,
                          const std::string& id) {
  for (const auto& x : r.runs)
    if (x.id == run)
      for (const auto& e : x.entities)
        if (e.level == level && e.id == id) return &e;
  return nullptr;
}

const QuantileSummary* metric_of(const McEntity& e, Metric k) {
  for (const auto& [m, q] : e.metrics)
    if (m == k) return &q;
  return nullptr;
}

}  // namespace

TEST_CASE("value added lost is summarised over the draws where margins are given",
          "[uncertainty][losses]") {
  const std::string params = R"(  params:
    - {path: "model.consumers[*].inventory_days", dist: uniform, min: 10, max: 90, group: cover}
)";
  auto with = io::load_text("with.yaml", study_text(true, 12, params));
  auto without = io::load_text("without.yaml", study_text(false, 12, params));
  UncertaintySettings s;
  s.threads = 1;
  const auto a = run_uncertainty(*with.study, with.resolved, s);
  const auto b = run_uncertainty(*without.study, without.resolved, s);
  const McEntity* ea = mc_entity(a, "dy-licence", Level::Sector, "ev_traction");
  const McEntity* eb = mc_entity(b, "dy-licence", Level::Sector, "ev_traction");
  REQUIRE(ea);
  REQUIRE(eb);
  const QuantileSummary* margin = metric_of(*ea, Metric::MarginLostUsd);
  const QuantileSummary* value = metric_of(*ea, Metric::ValueLostUsd);
  REQUIRE(margin);
  REQUIRE(value);
  CHECK(margin->n == 12);
  REQUIRE(value->mean > 0);
  // Every EV consumer has a 20 % margin: value added is 20 % of the full value, draw by draw.
  CHECK(margin->mean == Approx(0.2 * value->mean).epsilon(1e-9));
  CHECK(margin->p90 == Approx(0.2 * value->p90).epsilon(1e-9));
  // Without margins the metric is there but has no draw.
  const QuantileSummary* none = metric_of(*eb, Metric::MarginLostUsd);
  REQUIRE(none);
  CHECK(none->n == 0);

  // The ranking carries value added avoided and ranks by it.
  REQUIRE_FALSE(a.ranking.empty());
  for (const auto& mr : a.ranking) {
    for (const auto& m : mr.ranking) {
      CHECK(m.margin_avoided_usd.n == 12);
      CHECK(m.rank_measure() == m.margin_avoided_usd.mean);
    }
    for (std::size_t i = 1; i < mr.ranking.size(); ++i)
      CHECK(mr.ranking[i - 1].rank_measure() >= mr.ranking[i].rank_measure());
  }
  for (const auto& mr : b.ranking)
    for (const auto& m : mr.ranking) {
      CHECK(m.margin_avoided_usd.n == 0);
      CHECK(m.rank_measure() == m.value_avoided_usd.mean);  // the upper bound, without margins
    }
}

TEST_CASE("the deterministic ranking (no draws) carries value added avoided",
          "[uncertainty][losses]") {
  auto st = io::load_text("det.yaml", study_text(true, 0));
  const auto r = run_uncertainty(*st.study, st.resolved, {});
  REQUIRE_FALSE(r.ranking.empty());
  bool any = false;
  for (const auto& mr : r.ranking)
    for (const auto& m : mr.ranking) {
      REQUIRE(m.margin_avoided_usd.n == 1);
      if (mr.id == "ev_traction")
        CHECK(m.margin_avoided_usd.mean == Approx(0.2 * m.value_avoided_usd.mean).margin(1e-6));
      any |= m.margin_avoided_usd.mean > 0;
    }
  CHECK(any);
}

TEST_CASE("a tornado group lists each member's own P10 and P90", "[uncertainty][sensitivity]") {
  const std::string extra = R"(  params:
    - {path: "model.consumers[ev_traction_eu].inventory_days", dist: uniform, min: 10, max: 110, group: stocks}
    - {path: "model.consumers[wind_eu].inventory_days", dist: uniform, min: 50, max: 250, group: stocks}
    - {path: "model.consumers[ev_traction_us].inventory_days", dist: uniform, min: 20, max: 120}
sensitivity: {tornado: true, metrics: [unmet_t]}
)";
  auto st = io::load_text("groups.yaml", study_text(false, 0, extra));
  const auto r = run_uncertainty(*st.study, st.resolved, {});
  REQUIRE_FALSE(r.tornado.empty());
  const TornadoParam* group = nullptr;
  const TornadoParam* single = nullptr;
  for (const auto& p : r.tornado.front().params) (p.path == "group:stocks" ? group : single) = &p;
  REQUIRE(group);
  REQUIRE(single);
  CHECK(single->members.empty());
  REQUIRE(group->members.size() == 2);
  CHECK(group->members[0].path == "model.consumers[ev_traction_eu].inventory_days");
  CHECK(group->members[0].low == Approx(20));
  CHECK(group->members[0].high == Approx(100));
  CHECK(group->members[1].path == "model.consumers[wind_eu].inventory_days");
  CHECK(group->members[1].low == Approx(70));
  CHECK(group->members[1].high == Approx(230));
}

TEST_CASE("fans: aggregates in every run, each sector in a region in runs without mitigations",
          "[uncertainty][montecarlo]") {
  const std::string params = R"(  params:
    - {path: "model.consumers[*].inventory_days", dist: uniform, min: 10, max: 90, group: cover}
)";
  auto st = io::load_text("fans.yaml", study_text(false, 6, params));
  UncertaintySettings s;
  s.threads = 1;
  const auto r = run_uncertainty(*st.study, st.resolved, s);
  bool mitigated_seen = false;
  for (const auto& run : r.runs) {
    const bool mitigated = run.id.find('+') != std::string::npos;
    mitigated_seen |= mitigated;
    for (const auto& e : run.entities) {
      INFO(run.id << " " << e.id);
      CHECK(e.has_fan == (e.level != Level::Consumer || !mitigated));
      if (e.has_fan) CHECK(e.fan[1].size() == 500u);
    }
  }
  CHECK(mitigated_seen);
  // A consumer's band holds its deterministic-like range: P10 <= P50 <= P90 every day.
  const McEntity* eu = mc_entity(r, "dy-licence", Level::Consumer, "ev_traction_eu");
  REQUIRE(eu);
  REQUIRE(eu->has_fan);
  bool spread = false;
  for (std::size_t d = 0; d < eu->fan[1].size(); ++d) {
    CHECK(eu->fan[1][d] <= eu->fan[2][d]);
    CHECK(eu->fan[2][d] <= eu->fan[3][d]);
    spread |= eu->fan[3][d] > eu->fan[1][d];
  }
  CHECK(spread);
}
