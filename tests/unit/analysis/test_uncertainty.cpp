#include <catch2/catch.hpp>

#include <cmath>

#include "../../support.hpp"
#include "rareshock/analysis/uncertainty/quantiles.hpp"
#include "rareshock/analysis/uncertainty/sobol.hpp"
#include "rareshock/analysis/uncertainty/uncertainty.hpp"
#include "rareshock/core/random.hpp"
#include "rareshock/io/load.hpp"
#include "rareshock/model/distribution.hpp"

using namespace rareshock;
using namespace rareshock::analysis;

namespace {
// Sample mean and variance of n draws of d.
std::pair<double, double> moments(const Distribution& d, int n, std::uint64_t seed) {
  Rng rng(seed, 0, Purpose::Parameters);
  double s = 0, s2 = 0;
  for (int i = 0; i < n; ++i) {
    double x = quantile(d, rng.uniform());
    s += x;
    s2 += x * x;
  }
  double mean = s / n;
  return {mean, s2 / n - mean * mean};
}
Distribution make(DistKind k, double a, double b, double c = 0) {
  Distribution d;
  d.kind = k;
  if (k == DistKind::Normal || k == DistKind::Lognormal) {
    d.mean_ = a;
    d.sd = b;
  } else {
    d.min = a;
    d.max = b;
    d.mode = c;
  }
  return d;
}
}  // namespace

TEST_CASE("sampled distributions match their moments", "[uncertainty][distribution]") {
  const int n = 200000;
  auto [m1, v1] = moments(make(DistKind::Uniform, 2, 8), n, 1);
  CHECK(m1 == Approx(5).epsilon(0.01));
  CHECK(v1 == Approx(36.0 / 12).epsilon(0.02));
  auto [m2, v2] = moments(make(DistKind::Triangular, 30, 90, 45), n, 2);
  CHECK(m2 == Approx(55).epsilon(0.01));
  CHECK(v2 ==
        Approx((30 * 30 + 90 * 90 + 45 * 45 - 30 * 90 - 30 * 45 - 90 * 45) / 18.0).epsilon(0.02));
  auto [m3, v3] = moments(make(DistKind::Normal, 10, 2), n, 3);
  CHECK(m3 == Approx(10).epsilon(0.01));
  CHECK(v3 == Approx(4).epsilon(0.02));
  auto [m4, v4] = moments(make(DistKind::Lognormal, 50, 10), n, 4);
  CHECK(m4 == Approx(50).epsilon(0.01));
  CHECK(v4 == Approx(100).epsilon(0.03));
  Distribution pert = make(DistKind::Pert, 1, 9, 2);
  auto [m5, v5] = moments(pert, 50000, 5);
  CHECK(m5 == Approx(pert.mean()).epsilon(0.01));
  // PERT variance: (mean - min)(max - mean) / (lambda + 3)
  CHECK(v5 == Approx((pert.mean() - 1) * (9 - pert.mean()) / 7).epsilon(0.03));
  Distribution disc;
  disc.kind = DistKind::Discrete;
  disc.values = {1, 2, 4};
  disc.weights = {1, 1, 2};
  auto [m6, v6] = moments(disc, n, 6);
  CHECK(m6 == Approx(2.75).epsilon(0.01));
  CHECK(v6 == Approx(0.25 * 1 + 0.25 * 4 + 0.5 * 16 - 2.75 * 2.75).epsilon(0.02));
  Distribution trunc = make(DistKind::Normal, 0, 1);
  trunc.has_min = true;
  trunc.min = 0;
  auto [m7, v7] = moments(trunc, n, 7);
  CHECK(m7 == Approx(trunc.mean()).epsilon(0.01));  // half-normal
  CHECK(v7 == Approx(1 - 2 / M_PI).epsilon(0.03));
}

TEST_CASE("random streams depend only on (seed, draw, purpose)", "[uncertainty][random]") {
  Rng a(42, 7, Purpose::Parameters), b(42, 7, Purpose::Parameters), c(42, 8, Purpose::Parameters),
      d(42, 7, Purpose::Licences);
  double x = a.uniform();
  CHECK(x == b.uniform());
  CHECK(x != c.uniform());
  CHECK(x != d.uniform());
  CHECK(x > 0);
  CHECK(x < 1);
  CHECK(normal_quantile(0.975) == Approx(1.959963985).epsilon(1e-9));
  CHECK(normal_quantile(1e-6) == Approx(-4.753424309).epsilon(1e-8));
}

TEST_CASE("streaming quantiles: exact below the limit, within 1 % beyond",
          "[uncertainty][quantiles]") {
  StreamingQuantiles q;
  for (int i = 1; i <= 101; ++i) q.add(i);
  auto s = q.summary();
  CHECK(s.p50 == Approx(51));
  CHECK(s.p10 == Approx(11));
  CHECK(s.mean == Approx(51));
  StreamingQuantiles big;
  for (std::size_t i = 0; i < StreamingQuantiles::kExactLimit + 50000; ++i)
    big.add(1.0 + static_cast<double>(i % 1000));
  CHECK(big.quantile(0.5) == Approx(500.5).epsilon(0.011));
  CHECK(big.summary().mean == Approx(500.5).epsilon(1e-9));
  FanAccumulator fan(2);
  for (int i = 0; i < 100; ++i) {
    double f[2] = {0.0, i / 100.0};
    fan.add(f);
  }
  auto bands = fan.bands();
  CHECK(bands[2][0] == 0);  // all zeros stay zero
  CHECK(bands[2][1] == Approx(0.5).margin(0.011));
  CHECK(bands[4][1] == Approx(0.95).margin(0.011));
}

// Ishigami function, a = 7, b = 0.1 (Ishigami & Homma 1990); analytic indices from Sobol'
// & Levitan (1999): S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437.
TEST_CASE("Sobol indices of the Ishigami function match the analytic values",
          "[uncertainty][sobol]") {
  SobolModel ishigami = [](const std::vector<double>& u) {
    double x1 = -M_PI + 2 * M_PI * u[0], x2 = -M_PI + 2 * M_PI * u[1], x3 = -M_PI + 2 * M_PI * u[2];
    return std::vector<double>{std::sin(x1) + 7 * std::sin(x2) * std::sin(x2) +
                               0.1 * std::pow(x3, 4) * std::sin(x1)};
  };
  auto idx = sobol_indices(3, 20000, ishigami, 12345, 50);
  REQUIRE(idx.size() == 1);
  const double s1[3] = {0.3139, 0.4424, 0.0}, st[3] = {0.5576, 0.4424, 0.2437};
  for (int i = 0; i < 3; ++i) {
    INFO("parameter " << i + 1);
    CHECK(idx[0][i].s1 == Approx(s1[i]).margin(0.03));
    CHECK(idx[0][i].st == Approx(st[i]).margin(0.03));
    CHECK(idx[0][i].s1_lo <= idx[0][i].s1);
    CHECK(idx[0][i].s1_hi >= idx[0][i].s1);
  }
}

// f = c + x1 + 2 x2 with x uniform on (0, 1): Var = 1/12 + 4/12, so S1 = ST = (0.2, 0.8) for
// any offset c. Saltelli's first-order estimator multiplies f(B) by a difference of outputs;
// uncentred, its sampling error grows with c (here c = 1e6 gave indices in the thousands).
TEST_CASE("Sobol first-order indices do not depend on the output's mean", "[uncertainty][sobol]") {
  for (double offset : {0.0, 800.0, 1e6}) {
    SobolModel linear = [offset](const std::vector<double>& u) {
      return std::vector<double>{offset + u[0] + 2 * u[1]};
    };
    auto idx = sobol_indices(2, 4000, linear, 7, 20);
    INFO("offset " << offset);
    CHECK(idx[0][0].s1 == Approx(0.2).margin(0.03));
    CHECK(idx[0][1].s1 == Approx(0.8).margin(0.03));
    CHECK(idx[0][0].st == Approx(0.2).margin(0.03));
    CHECK(idx[0][1].st == Approx(0.8).margin(0.03));
    CHECK(idx[0][0].s1_hi - idx[0][0].s1_lo < 0.1);
  }
}

namespace {
// A consumer with stock uniform on [a, b] days and no resupply: time to shortage is uniform.
const char* kDrain = R"(
study: {name: drain}
model:
  materials: [{id: m, family: magnet}]
  countries: [CN, US]
  nodes: [{id: s, stage: magnet, country: CN, capacity: 730, outputs: {m: 1}}]
  consumers: [{id: c, sector: ev, region: US, demand: {m: 365}, inventory_days: 40}]
  edges: [{from: s, to: c, material: m, share: 1}]
scenarios:
  - scenario: {id: cut}
    events: [{type: export_restriction, start: 0, exporters: CN, materials: all, regime: ban}]
start: 2025-01-01
horizon: 200
seed: 99
combinations: [{scenario: cut}]
monte_carlo:
  draws: 2000
  params: [{path: "model.consumers[c].inventory_days", dist: uniform, min: 20, max: 80}]
)";
}  // namespace

TEST_CASE("known distribution of time to shortage is reproduced within sampling error",
          "[uncertainty][montecarlo]") {
  auto l = io::load_text("drain.yaml", kDrain);
  UncertaintySettings s;
  s.threads = 2;
  auto r = run_uncertainty(*l.study, l.resolved, s);
  REQUIRE(r.draws_done == 2000);
  const McEntity* e = nullptr;
  for (const auto& x : r.runs[0].entities)
    if (x.id == "c") e = &x;
  REQUIRE(e);
  CHECK(e->probability_of_shortage == 1.0);
  const auto& tts = e->metrics[0].second;
  // Stock S days ~ U(20, 80), lead 0, no resupply: the first short day is floor(S) ~ U(20, 80).
  CHECK(tts.mean == Approx(49.5).margin(1.0));  // sd of the mean: 17.3 / sqrt(2000) = 0.39
  CHECK(tts.p10 == Approx(26).margin(1.5));
  CHECK(tts.p50 == Approx(50).margin(1.5));
  CHECK(tts.p90 == Approx(74).margin(1.5));
}

TEST_CASE("Monte Carlo results are identical for 1 and 2 threads", "[uncertainty][montecarlo]") {
  auto l = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml");
  std::string study = std::string(R"(
study: {name: threads}
model: )") + RARESHOCK_SOURCE_DIR +
                      R"(/models/examples/mini-chain.yaml
scenarios: [)" + RARESHOCK_SOURCE_DIR +
                      R"(/models/examples/dy-licence.yaml]
mitigations: [)" + RARESHOCK_SOURCE_DIR +
                      R"(/models/examples/mitigation-package.yaml]
start: 2025-01-01
horizon: 400
seed: 5
monte_carlo:
  draws: 60
  params:
    - {path: "model.consumers[*].inventory_days", dist: pert, min: 20, mode: 45, max: 90, group: cover}
    - {path: "scenarios[dy-licence].events[dy-licences].licence.review_delay", dist: uniform, min: 30, max: 90}
)";
  auto st = io::load_text("threads.yaml", study);
  UncertaintySettings one, two;
  one.threads = 1;
  two.threads = 2;
  auto a = run_uncertainty(*st.study, st.resolved, one);
  auto b = run_uncertainty(*st.study, st.resolved, two);
  REQUIRE(a.runs.size() == b.runs.size());
  bool any_shortage = false;
  for (std::size_t r = 0; r < a.runs.size(); ++r)
    for (std::size_t i = 0; i < a.runs[r].entities.size(); ++i) {
      const auto& x = a.runs[r].entities[i];
      const auto& y = b.runs[r].entities[i];
      CHECK(x.probability_of_shortage == y.probability_of_shortage);
      any_shortage = any_shortage || x.probability_of_shortage > 0;
      for (std::size_t m = 0; m < x.metrics.size(); ++m) {
        CHECK(x.metrics[m].second.mean == y.metrics[m].second.mean);
        CHECK(x.metrics[m].second.p90 == y.metrics[m].second.p90);
      }
      CHECK(x.fan[2] == y.fan[2]);
    }
  CHECK(any_shortage);
  REQUIRE_FALSE(a.ranking.empty());
  CHECK(a.ranking[0].ranking[0].unmet_t_avoided.mean ==
        b.ranking[0].ranking[0].unmet_t_avoided.mean);
}

TEST_CASE("cancelling stops after the current chunk and marks the result partial",
          "[uncertainty][montecarlo]") {
  auto l = io::load_text("drain.yaml", kDrain);
  std::atomic<bool> stop{false};
  UncertaintySettings s;
  s.threads = 1;
  s.cancel = &stop;
  s.progress = [&](int done, int) {
    if (done >= 8) stop = true;
  };
  auto r = run_uncertainty(*l.study, l.resolved, s);
  CHECK(r.partial);
  CHECK(r.draws_done < 2000);
  CHECK(r.draws_done >= 8);
}

TEST_CASE("tornado and deterministic mitigation ranking", "[uncertainty][sensitivity]") {
  std::string study = std::string(R"(
study: {name: tornado}
model: )") + RARESHOCK_SOURCE_DIR +
                      R"(/models/examples/mini-chain.yaml
scenarios: [)" + RARESHOCK_SOURCE_DIR +
                      R"(/models/examples/dy-licence.yaml]
mitigations: [)" + RARESHOCK_SOURCE_DIR +
                      R"(/models/examples/mitigation-package.yaml]
start: 2025-01-01
horizon: 500
monte_carlo:
  params: [{path: "model.consumers[ev_traction_eu].inventory_days", dist: uniform, min: 10, max: 120}]
sensitivity: {tornado: true, metrics: [time_to_shortage]}
)";
  auto st = io::load_text("tornado.yaml", study);
  auto r = run_uncertainty(*st.study, st.resolved, {});
  CHECK(r.draws_done == 0);
  const TornadoEntry* t = nullptr;
  for (const auto& x : r.tornado)
    if (x.run == "dy-licence" && x.id == "ev_traction") t = &x;
  REQUIRE(t);
  REQUIRE(t->params.size() == 1);
  CHECK(t->params[0].low == Approx(21));
  CHECK(t->params[0].high == Approx(109));
  CHECK(t->params[0].metric_low < t->params[0].metric_high);  // more stock, later shortage
  REQUIRE_FALSE(r.ranking.empty());
  CHECK(r.ranking[0].ranking[0].unmet_t_avoided.mean > 0);
}

TEST_CASE("the caller's deterministic runs are reused, with the same results as running them again",
          "[uncertainty]") {
  std::string study = std::string(R"(
study: {name: reuse}
model: )") + RARESHOCK_SOURCE_DIR +
                      R"(/models/examples/mini-chain.yaml
scenarios: [)" + RARESHOCK_SOURCE_DIR +
                      R"(/models/examples/dy-licence.yaml]
mitigations: [)" + RARESHOCK_SOURCE_DIR +
                      R"(/models/examples/mitigation-package.yaml]
start: 2025-01-01
horizon: 500
monte_carlo:
  draws: 4
  params: [{path: "model.consumers[ev_traction_eu].inventory_days", dist: uniform, min: 10, max: 120}]
sensitivity: {tornado: true, metrics: [time_to_shortage]}
)";
  auto st = io::load_text("reuse.yaml", study);
  RunOptions ro;  // what `run` uses: series on, no sampled licences
  ro.node_series = true;
  auto det = run_study(*st.study, ro);
  UncertaintySettings fresh, reuse;
  fresh.threads = reuse.threads = 1;
  reuse.deterministic = &det.runs;
  auto a = run_uncertainty(*st.study, st.resolved, fresh);
  auto b = run_uncertainty(*st.study, st.resolved, reuse);
  REQUIRE(a.tornado.size() == b.tornado.size());
  REQUIRE_FALSE(a.tornado.empty());
  for (std::size_t i = 0; i < a.tornado.size(); ++i) {
    CHECK(a.tornado[i].base == b.tornado[i].base);
    REQUIRE(a.tornado[i].params.size() == b.tornado[i].params.size());
    for (std::size_t k = 0; k < a.tornado[i].params.size(); ++k)
      CHECK(a.tornado[i].params[k].metric_low == b.tornado[i].params[k].metric_low);
  }
  REQUIRE(a.runs.size() == b.runs.size());
  for (std::size_t r = 0; r < a.runs.size(); ++r) {
    REQUIRE(a.runs[r].entities.size() == b.runs[r].entities.size());
    for (std::size_t i = 0; i < a.runs[r].entities.size(); ++i) {
      CHECK(a.runs[r].entities[i].id == b.runs[r].entities[i].id);
      CHECK(a.runs[r].entities[i].probability_of_shortage ==
            b.runs[r].entities[i].probability_of_shortage);
    }
  }
  REQUIRE(a.ranking.size() == b.ranking.size());
  for (std::size_t i = 0; i < a.ranking.size(); ++i)
    CHECK(a.ranking[i].ranking[0].unmet_t_avoided.mean ==
          b.ranking[i].ranking[0].unmet_t_avoided.mean);
}

namespace {
// The mini-chain study with one uncertain parameter at \p path.
std::string one_param_study(const std::string& path, const std::string& dist, int draws) {
  return std::string(R"(
study: {name: paths}
model: )") +
         RARESHOCK_SOURCE_DIR +
         R"(/models/examples/mini-chain.yaml
scenarios: [)" +
         RARESHOCK_SOURCE_DIR +
         R"(/models/examples/dy-licence.yaml]
combinations: [{scenario: dy-licence}]
start: 2025-01-01
horizon: 400
seed: 11
monte_carlo:
  draws: )" +
         std::to_string(draws) +
         R"(
  params: [{path: ")" +
         path + "\", " + dist + R"(}]
sensitivity: {tornado: true, metrics: [unmet_t]}
)";
}
double sector_unmet(const analysis::StudyResult& r, const std::string& sector) {
  for (const auto& e : r.runs.at(0).entities)
    if (e.level == analysis::Level::Sector && e.id == sector) return e.metrics.unmet_t;
  FAIL("no sector " << sector);
  return 0;
}
}  // namespace

TEST_CASE("every kind of sampled key path reaches the runs (model, scenario, engine)",
          "[uncertainty][paths]") {
  // For each path: the tornado's low/high runs equal runs of the study loaded with
  // `--set path=P10` / `--set path=P90`, and the metric moves; the Monte Carlo draws differ.
  struct Case {
    std::string path, dist, set_low, set_high;
  };
  const std::vector<Case> cases = {
      {"model.consumers[ev_traction_eu].inventory_days", "dist: uniform, min: 10, max: 110", "20",
       "100"},
      {"scenarios[dy-licence].events[dy-licences].licence.approval[2].fraction",
       "dist: uniform, min: 0.1, max: 0.9", "0.18", "0.82"},
      {"engine.switching_lag", "dist: uniform, min: 5, max: 205", "25", "185"},
  };
  for (const auto& c : cases) {
    INFO(c.path);
    auto st = io::load_text("paths.yaml", one_param_study(c.path, c.dist, 0));
    auto r = run_uncertainty(*st.study, st.resolved, {});
    const TornadoEntry* t = nullptr;
    for (const auto& x : r.tornado)
      if (x.id == "ev_traction") t = &x;
    REQUIRE(t);
    REQUIRE(t->params.size() == 1);
    CHECK(t->params[0].low == Approx(std::stod(c.set_low)));
    CHECK(t->params[0].high == Approx(std::stod(c.set_high)));
    io::LoadOptions lo, hi;
    lo.overrides = {c.path + "=" + c.set_low};
    hi.overrides = {c.path + "=" + c.set_high};
    auto low = analysis::run_study(
        *io::load_text("paths.yaml", one_param_study(c.path, c.dist, 0), lo).study);
    auto high = analysis::run_study(
        *io::load_text("paths.yaml", one_param_study(c.path, c.dist, 0), hi).study);
    CHECK(t->params[0].metric_low == Approx(sector_unmet(low, "ev_traction")));
    CHECK(t->params[0].metric_high == Approx(sector_unmet(high, "ev_traction")));
    CHECK(std::fabs(t->params[0].metric_high - t->params[0].metric_low) > 1);

    auto mc = io::load_text("paths.yaml", one_param_study(c.path, c.dist, 12));
    UncertaintySettings s;
    s.threads = 1;
    auto m = run_uncertainty(*mc.study, mc.resolved, s);
    bool spread = false;
    for (const auto& e : m.runs.at(0).entities)
      if (e.level == analysis::Level::Sector && e.id == "ev_traction")
        for (const auto& [name, q] : e.metrics)
          if (name == Metric::UnmetT) spread = q.p90 - q.p10 > 1;
    CHECK(spread);
  }
}

TEST_CASE("a sampled path must name a value the runs re-read", "[uncertainty][paths]") {
  for (const char* path : {"horizon", "seed", "monte_carlo.draws"}) {
    INFO(path);
    CHECK_THROWS_WITH(io::load_text("paths.yaml", one_param_study(path,
                                                                  "dist: uniform, min: 1, "
                                                                  "max: 2",
                                                                  0)),
                      Catch::Contains("names a study setting that is the same for every run"));
  }
}

TEST_CASE("Sobol indices see an engine.* parameter", "[uncertainty][paths]") {
  // Before engine settings came from each run's study, every Sobol sample ran the study's own
  // engine: the metric did not vary and the factor's total index was 0.
  std::string text =
      one_param_study("engine.licence_volume_cap", "dist: uniform, min: 0.5, max: 1.5", 0);
  const std::string tornado = "sensitivity: {tornado: true, metrics: [unmet_t]}";
  text.replace(text.find(tornado), tornado.size(),
               "sensitivity: {sobol: true, sobol_samples: 16, metrics: [unmet_t]}");
  auto st = io::load_text("sobol.yaml", text);
  auto r = run_uncertainty(*st.study, st.resolved, {});
  const SobolEntry* e = nullptr;
  for (const auto& x : r.sobol)
    if (x.id == "ev_traction" && x.metric == Metric::UnmetT) e = &x;
  REQUIRE(e);
  REQUIRE(e->factors.size() == 1);
  CHECK(e->factors[0].first == "engine.licence_volume_cap");
  CHECK(e->factors[0].second.st > 0.5);  // the only factor explains the variance
}

TEST_CASE("a cancel stops the draws, the tornado and Sobol, and marks the result partial",
          "[uncertainty]") {
  std::string study = std::string(R"(
study: {name: cancel}
model: )") + RARESHOCK_SOURCE_DIR +
                      R"(/models/examples/mini-chain.yaml
scenarios: [)" + RARESHOCK_SOURCE_DIR +
                      R"(/models/examples/dy-licence.yaml]
start: 2025-01-01
horizon: 300
monte_carlo:
  draws: 8
  params: [{path: "model.consumers[ev_traction_eu].inventory_days", dist: uniform, min: 10, max: 120}]
sensitivity: {tornado: true, sobol: true, sobol_samples: 16, metrics: [time_to_shortage]}
)";
  auto st = io::load_text("cancel.yaml", study);
  UncertaintySettings s;
  s.threads = 1;
  auto full = run_uncertainty(*st.study, st.resolved, s);
  CHECK_FALSE(full.partial);
  CHECK(full.draws_done == 8);
  CHECK_FALSE(full.tornado.empty());
  CHECK_FALSE(full.sobol.empty());
  // Set before anything runs: no draw, no tornado, no Sobol.
  std::atomic<bool> stop{true};
  s.cancel = &stop;
  auto none = run_uncertainty(*st.study, st.resolved, s);
  CHECK(none.partial);
  CHECK(none.draws_done == 0);
  CHECK(none.tornado.empty());
  CHECK(none.sobol.empty());
  // Set as the last chunk of draws finishes (Ctrl-C after the Monte Carlo loop): every draw
  // is done, the sensitivity runs are not, and the result says it is partial.
  stop = false;
  s.progress = [&](int done, int total) {
    if (done == total) stop = true;
  };
  auto after = run_uncertainty(*st.study, st.resolved, s);
  CHECK(after.partial);
  CHECK(after.draws_done == 8);
  CHECK(after.tornado.empty());
  CHECK(after.sobol.empty());
}

TEST_CASE("Sobol indices from batches equal those from one point at a time",
          "[uncertainty][sobol]") {
  SobolModel f = [](const std::vector<double>& u) {
    return std::vector<double>{u[0] + 2 * u[1] * u[2], std::sin(3 * u[0]) + u[2]};
  };
  SobolBatchModel batch = [&](const std::vector<std::vector<double>>& points) {
    std::vector<std::vector<double>> y;
    for (auto it = points.rbegin(); it != points.rend(); ++it) y.insert(y.begin(), f(*it));
    return y;
  };
  const auto a = sobol_indices(3, 64, f, 77, 20);
  for (std::size_t size : {1, 7, 1000}) {
    INFO("batch " << size);
    const auto b = sobol_indices_batch(3, 64, batch, 77, size, 20);
    REQUIRE(a.size() == b.size());
    for (std::size_t o = 0; o < a.size(); ++o)
      for (std::size_t i = 0; i < 3; ++i) {
        CHECK(a[o][i].s1 == b[o][i].s1);
        CHECK(a[o][i].st == b[o][i].st);
        CHECK(a[o][i].s1_lo == b[o][i].s1_lo);
        CHECK(a[o][i].st_hi == b[o][i].st_hi);
      }
  }
}

namespace {
// Every number of two uncertainty results is equal (summaries, fans, ranking, tornado, Sobol).
void check_identical(const UncertaintyResult& a, const UncertaintyResult& b) {
  CHECK(a.draws_done == b.draws_done);
  REQUIRE(a.runs.size() == b.runs.size());
  for (std::size_t r = 0; r < a.runs.size(); ++r) {
    REQUIRE(a.runs[r].entities.size() == b.runs[r].entities.size());
    for (std::size_t i = 0; i < a.runs[r].entities.size(); ++i) {
      const auto& x = a.runs[r].entities[i];
      const auto& y = b.runs[r].entities[i];
      CHECK(x.probability_of_shortage == y.probability_of_shortage);
      REQUIRE(x.metrics.size() == y.metrics.size());
      for (std::size_t m = 0; m < x.metrics.size(); ++m) {
        const auto &p = x.metrics[m].second, &q = y.metrics[m].second;
        CHECK(p.mean == q.mean);
        CHECK(p.p5 == q.p5);
        CHECK(p.p50 == q.p50);
        CHECK(p.p95 == q.p95);
      }
      CHECK(x.fan == y.fan);
    }
  }
  REQUIRE(a.ranking.size() == b.ranking.size());
  for (std::size_t i = 0; i < a.ranking.size(); ++i)
    for (std::size_t k = 0; k < a.ranking[i].ranking.size(); ++k) {
      CHECK(a.ranking[i].ranking[k].combination == b.ranking[i].ranking[k].combination);
      CHECK(a.ranking[i].ranking[k].value_avoided_usd.mean ==
            b.ranking[i].ranking[k].value_avoided_usd.mean);
    }
  REQUIRE(a.tornado.size() == b.tornado.size());
  for (std::size_t i = 0; i < a.tornado.size(); ++i)
    for (std::size_t k = 0; k < a.tornado[i].params.size(); ++k) {
      CHECK(a.tornado[i].params[k].path == b.tornado[i].params[k].path);
      CHECK(a.tornado[i].params[k].metric_low == b.tornado[i].params[k].metric_low);
      CHECK(a.tornado[i].params[k].metric_high == b.tornado[i].params[k].metric_high);
    }
  REQUIRE(a.sobol.size() == b.sobol.size());
  for (std::size_t i = 0; i < a.sobol.size(); ++i)
    for (std::size_t k = 0; k < a.sobol[i].factors.size(); ++k) {
      CHECK(a.sobol[i].factors[k].second.s1 == b.sobol[i].factors[k].second.s1);
      CHECK(a.sobol[i].factors[k].second.st == b.sobol[i].factors[k].second.st);
    }
}
}  // namespace

TEST_CASE("patched draws give the results of re-read draws, on 1 and 2 threads",
          "[uncertainty][montecarlo][patch]") {
  const std::string dir = RARESHOCK_SOURCE_DIR "/models/examples/";
  const std::string text = R"(
study: {name: patched}
model: )" + dir + R"(mini-chain.yaml
scenarios: [)" + dir + R"(dy-licence.yaml]
mitigations: [)" + dir + R"(mitigation-package.yaml]
start: 2025-01-01
horizon: 400
seed: 8
monte_carlo:
  draws: 16
  params:
    - {path: "model.consumers[*].inventory_days", dist: pert, min: 20, mode: 45, max: 90, group: cover}
    - {path: "model.nodes[*_magnet].output_inventory_days", dist: uniform, min: 5, max: 40}
    - {path: "engine.switching_lag", dist: triangular, min: 10, mode: 30, max: 90}
    - {path: "scenarios[dy-licence].events[dy-licences].licence.review_delay", dist: uniform, min: 30, max: 90}
    - {path: "scenarios[dy-licence].events[dy-licences].licence.approval[2].fraction", dist: uniform, min: 0.4, max: 0.8}
    - {path: "model.edges[cn_magnet->ev_traction_eu:ndfeb_sh].lead_time", dist: uniform, min: 20, max: 60}
sensitivity: {tornado: true, sobol: true, sobol_samples: 8, metrics: [time_to_shortage, unmet_t]}
)";
  auto st = io::load_text("patched.yaml", text);
  UncertaintySettings reread, patched1, patched2;
  reread.threads = patched1.threads = 1;
  patched2.threads = 2;
  reread.patch = false;
  const auto ref = run_uncertainty(*st.study, st.resolved, reread);
  const auto one = run_uncertainty(*st.study, st.resolved, patched1);
  const auto two = run_uncertainty(*st.study, st.resolved, patched2);
  REQUIRE(one.reread_paths.size() == 1);  // the edge's lead time has no typed setter
  CHECK(one.reread_paths[0].rfind("model.edges[", 0) == 0);
  CHECK(ref.reread_paths.size() == 10);  // 4 consumers, 2 magnet makers, 4 others: all re-read
  REQUIRE(ref.draws_done == 16);
  REQUIRE_FALSE(ref.tornado.empty());
  REQUIRE_FALSE(ref.sobol.empty());
  check_identical(ref, one);
  check_identical(ref, two);
}
