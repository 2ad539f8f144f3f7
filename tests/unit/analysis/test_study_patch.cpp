#include <catch2/catch.hpp>

#include <algorithm>

#include "../../support.hpp"
#include "rareshock/analysis/uncertainty/study_patch.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/core/random.hpp"
#include "rareshock/io/load.hpp"

using namespace rareshock;
using namespace rareshock::analysis;

namespace {

// The mini-chain study with parameters of every kind the patcher types (model stocks, a
// capacity, engine settings, licence fields of a scenario) and some it does not (an edge's
// lead time, a mitigation's qualification lag, a distribution without finite ends).
std::string patch_study() {
  const std::string dir = RARESHOCK_SOURCE_DIR "/models/examples/";
  return R"(
study: {name: patch}
model: )" +
         dir + R"(mini-chain.yaml
scenarios: [)" +
         dir +
         R"(dy-licence.yaml]
mitigations: [)" +
         dir + R"(mitigation-package.yaml]
start: 2025-01-01
horizon: 400
seed: 3
engine: {qualification: {ndfeb_sh: 200 days}}
monte_carlo:
  draws: 24
  params:
    - {path: "model.consumers[*].inventory_days", dist: pert, min: 20, mode: 45, max: 90, group: cover}
    - {path: "model.nodes[*_separation].inventory_days", dist: uniform, min: 14, max: 90, group: cover}
    - {path: "model.nodes[cn_magnet].output_inventory_days", dist: uniform, min: 5, max: 40}
    - {path: "model.nodes[jp_magnet].capacity", dist: uniform, min: 3 kt/yr, max: 6 kt/yr}
    - {path: "engine.switching_lag", dist: triangular, min: 10, mode: 30, max: 90}
    - {path: "engine.qualification.ndfeb_sh", dist: uniform, min: 100, max: 300}
    - {path: "scenarios[dy-licence].events[dy-licences].licence.review_delay", dist: uniform, min: 30, max: 90}
    - {path: "scenarios[dy-licence].events[dy-licences].licence.approval[2].fraction", dist: uniform, min: 0.4, max: 0.8}
    - {path: "model.edges[cn_magnet->ev_traction_eu:ndfeb_sh].lead_time", dist: uniform, min: 20, max: 60}
    - {path: "mitigations[mitigation-package].events[gbd].qualification_lag", dist: uniform, min: 60, max: 240}
    - {path: "model.consumers[wind_eu].replenishment_time", dist: lognormal, mean: 10, sd: 2}
sensitivity: {tornado: true, sobol: true, sobol_samples: 8, metrics: [time_to_shortage, unmet_t]}
)";
}

// Values of every target at uniforms drawn from \p seed (as a Monte Carlo draw makes them).
std::vector<io::PathValue> draw_values(const Study& st, std::uint64_t seed) {
  Rng rng(seed, 0, Purpose::Parameters);
  std::vector<io::PathValue> v;
  for (const auto& p : st.monte_carlo.params) {
    const double x = quantile(p.dist, rng.uniform());
    for (const auto& t : p.targets) v.push_back({t, x});
  }
  return v;
}

bool rereads(const StudyPatcher& p, const std::string& path_start) {
  const auto& r = p.reread_paths();
  return std::any_of(r.begin(), r.end(),
                     [&](const std::string& s) { return s.rfind(path_start, 0) == 0; });
}

}  // namespace

TEST_CASE("typed patches give exactly the study and network that re-reading gives",
          "[uncertainty][patch]") {
  auto l = io::load_text("patch.yaml", patch_study());
  StudyPatcher patcher(*l.study, l.resolved);
  // 4 consumers + 2 separators + output stock + capacity + 2 engine + 2 licence fields
  CHECK(patcher.typed_paths() == 12);
  CHECK(rereads(patcher, "model.edges[11].lead_time: no typed setter"));
  CHECK(rereads(patcher, "mitigations[mitigation-package].events[gbd].qualification_lag: no"));
  CHECK(rereads(patcher, "model.consumers[wind_eu].replenishment_time: the distribution"));
  CHECK(patcher.reread_paths().size() == 3);
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    INFO("draw " << seed);
    const auto values = draw_values(*l.study, seed);
    const PatchedStudy got = patcher.apply(values);
    const PatchedStudy want = patcher.reference(values);
    CHECK(*got.study == *want.study);
    CHECK(*got.network == *want.network);
  }
}

TEST_CASE("the network is shared when the model is unchanged and restocked for stock draws",
          "[uncertainty][patch]") {
  auto l = io::load_text("patch.yaml", patch_study());
  StudyPatcher patcher(*l.study, l.resolved);
  const auto a = patcher.apply({{"engine.switching_lag", 50}});
  const auto b =
      patcher.apply({{"scenarios[dy-licence].events[dy-licences].licence.review_delay", 40}});
  CHECK(a.network == b.network);  // the same object: nothing compiled
  CHECK(a.study->engine.switching_lag == 50);
  const auto c = patcher.apply({{"model.consumers[wind_eu].inventory_days", 61.25}});
  CHECK(c.network != a.network);
  CHECK(*c.network ==
        *patcher.reference({{"model.consumers[wind_eu].inventory_days", 61.25}}).network);
  CHECK_FALSE(*c.network == *a.network);
}

TEST_CASE("values outside the checked range are re-read, with the reader's error",
          "[uncertainty][patch]") {
  auto l = io::load_text("patch.yaml", patch_study());
  StudyPatcher patcher(*l.study, l.resolved);
  const std::string path = "model.consumers[ev_traction_eu].inventory_days";
  CHECK_THROWS_WITH(
      patcher.apply({{path, -5}}),
      Catch::Contains("inventory_days must not be negative") && Catch::Contains(path + " = -5"));
  // Inside the distribution but outside [min, max] of what was checked: still exact.
  const auto v = std::vector<io::PathValue>{{path, 200}};
  CHECK(*patcher.apply(v).study == *patcher.reference(v).study);
}

TEST_CASE("with typed setters off every path is re-read", "[uncertainty][patch]") {
  auto l = io::load_text("patch.yaml", patch_study());
  StudyPatcher patcher(*l.study, l.resolved, false);
  CHECK(patcher.typed_paths() == 0);
  CHECK(patcher.reread_paths().size() == 15);
  const auto values = draw_values(*l.study, 9);
  CHECK(*patcher.apply(values).study == *patcher.reference(values).study);
}
