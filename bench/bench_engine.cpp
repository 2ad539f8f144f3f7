// Engine benchmarks (Google Benchmark). Run: make bench
//   BM_ExampleStudy       the example study (mini chain), every combination, 730 days
//   BM_Chain/N            synthetic chain of N nodes (3 suppliers per customer), 365 days
//   BM_Dense              1,000 nodes with ~500,000 edges (IO-table shaped, cyclic), 365 days
//   BM_MonteCarlo/D/T/P   D Monte Carlo draws of the default study on T threads; P = 1: values
//                         patched into the typed study, P = 0: every draw re-reads the study
//   BM_WorldOrigin/O      the world model under october-controls-resume-2026-11, 1,095 days,
//                         engine only; O = 1: origin tracking (as the scenario's No. 61 rule
//                         needs), O = 0: the same events without their origin condition
//   BM_ChainOrigin/N/O    BM_Chain with origin tracking off (O = 0) or on (O = 1)
//   BM_Scale/N/T          synthetic chain of N nodes with 5 suppliers per customer (1k: ~4.8k
//                         edges, 100k: ~480k, 1M: ~4.8M), 365 days under the ban, on T engine
//                         threads; the model is freed once compiled (peak memory of the 1M
//                         case: run it alone, e.g. /usr/bin/time -v rareshock_bench
//                         --benchmark_filter=BM_Scale/1000000/2)
// Counters: edge_days/s = edges x days simulated per second (wall clock; BM_Scale:
// edge_days/cpu_s = per second of CPU time of all threads, i.e. per core).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>

#include <fmt/format.h>

#include <sys/resource.h>
#include <unistd.h>

#include "rareshock/analysis/run/study_run.hpp"
#include "rareshock/analysis/uncertainty/uncertainty.hpp"
#include "rareshock/io/load.hpp"
#include "rareshock/sim/engine.hpp"
#include "rareshock/sim/synthetic.hpp"

using namespace rareshock;

static void BM_ExampleStudy(benchmark::State& state) {
  auto loaded = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/example-study.yaml");
  Study study = *loaded.study;
  study.horizon = 730;
  sim::Network net = sim::compile(study.model);
  analysis::RunOptions opt;
  opt.trade_series = false;  // the engine and the shortage recorder, as in Monte Carlo draws
  for (auto _ : state) {
    for (const auto& c : study.combinations) {
      auto r = analysis::run_combination(study, net, c, opt);
      benchmark::DoNotOptimize(r.entities.data());
    }
  }
  state.counters["runs"] = static_cast<double>(study.combinations.size());
  state.counters["edge_days/s"] =
      benchmark::Counter(static_cast<double>(net.edges()) * 730 * study.combinations.size(),
                         benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ExampleStudy)->Unit(benchmark::kMillisecond);

// The engine alone on the example model's densest scenario (no recording), 730 days.
static void BM_ExampleEngineOnly(benchmark::State& state) {
  auto loaded = io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/example-study.yaml");
  const Study& study = *loaded.study;
  sim::Network net = sim::compile(study.model);
  std::vector<const Scenario*> sc;
  for (const auto& s : study.scenarios) sc.push_back(&s);
  for (const auto& s : study.mitigations) sc.push_back(&s);
  sim::Forcing f = sim::compile_forcing(net, study.model, sc, study.start);
  sim::Engine engine(net, f);
  for (auto _ : state) {
    engine.run(730);
    benchmark::DoNotOptimize(engine.in_stock().data());
  }
}
BENCHMARK(BM_ExampleEngineOnly)->Unit(benchmark::kMicrosecond);

static sim::Forcing ban_forcing(const sim::Network& net, const Model& model);

static void run_network(benchmark::State& state, const Model& model, int days,
                        bool origin = false) {
  sim::Network net = sim::compile(model);
  sim::Forcing f = ban_forcing(net, model);
  sim::EngineSettings es;
  es.track_origin = origin;
  es.threads = 1;            // per-thread throughput (BM_Scale measures threads)
  es.edge_arrivals = false;  // no recorder reads them
  sim::Engine engine(net, f, es);
  for (auto _ : state) {
    engine.run(days);
    benchmark::DoNotOptimize(engine.in_stock().data());
  }
  if (engine.origin()) {
    state.counters["origin_keys"] = engine.origin()->keys();
    state.counters["origin_MB"] = static_cast<double>(engine.origin()->bytes()) / 1e6;
  }
  state.counters["nodes"] = net.nodes();
  state.counters["edges"] = net.edges();
  state.counters["edge_days/s"] = benchmark::Counter(static_cast<double>(net.edges()) * days,
                                                     benchmark::Counter::kIsIterationInvariantRate);
}

static sim::Forcing ban_forcing(const sim::Network& net, const Model& model) {
  // A ban from a quarter of the countries, so allocation, share switching and shortages all run.
  Scenario ban;
  ban.id = "ban";
  Event ev;
  ev.type = EventType::ExportRestriction;
  ev.start.is_date = false;
  ev.start.offset = 30;
  ExportRestriction x;
  for (int c = 0; c < static_cast<int>(model.countries.size()) / 4; ++c)
    x.exporters.only.push_back(Ref{model.countries[c].id, {}});
  x.materials.all = true;
  x.destinations.all = true;
  ev.data = x;
  ban.events.push_back(ev);
  return sim::compile_forcing(net, model, {&ban}, make_date(2025, 1, 1));
}

static void BM_Chain(benchmark::State& state) {
  sim::ChainSpec spec;
  spec.nodes = static_cast<int>(state.range(0));
  spec.seed = 2025;
  Model model = sim::make_chain(spec);
  run_network(state, model, 365);
}
BENCHMARK(BM_Chain)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(3);

// Resident memory now [MB] (Linux; 0 elsewhere).
static double rss_mb() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  long pages = 0, resident = 0;
  const int got = std::fscanf(f, "%ld %ld", &pages, &resident);
  std::fclose(f);
  return got == 2 ? static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6
                  : 0;
}

// Peak resident memory of the process so far [MB] (Linux: getrusage).
static double peak_rss_mb() {
  rusage u{};
  return getrusage(RUSAGE_SELF, &u) == 0 ? static_cast<double>(u.ru_maxrss) / 1024.0 : 0;
}

// Scaling: chains of 1k to 1M nodes, 5 suppliers per customer; the model is freed before the run.
// Memory: the model's resident size while it exists (RSS growth when it is made), the network's
// and the engine's own accounting (Network::bytes, Engine::bytes; the engine's five largest
// arrays go to stderr), and the process's peak (run a case alone to read it for that case).
static void BM_Scale(benchmark::State& state) {
  const int days = 365;
  const int threads = static_cast<int>(state.range(1));
  std::optional<sim::Network> net;
  std::optional<sim::Forcing> f;
  double model_mb = 0;
  {
    sim::ChainSpec spec;
    spec.nodes = static_cast<int>(state.range(0));
    spec.fan_in = 5;
    spec.seed = 2025;
    const double rss0 = rss_mb();
    Model model = sim::make_chain(spec);
    model_mb = rss_mb() - rss0;
    net.emplace(sim::compile(model));
    f.emplace(ban_forcing(*net, model));
  }
  sim::EngineSettings es;
  es.threads = threads;
  es.edge_arrivals = false;  // no recorder reads them
  sim::Engine engine(*net, *f, es);
  const std::clock_t cpu0 = std::clock();
  for (auto _ : state) {
    engine.run(days);
    benchmark::DoNotOptimize(engine.in_stock().data());
  }
  const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  const double ed = static_cast<double>(net->edges()) * days;
  state.counters["nodes"] = net->nodes();
  state.counters["edges"] = net->edges();
  state.counters["threads"] = engine.threads();
  state.counters["model_MB"] = model_mb;
  state.counters["network_B/edge"] = static_cast<double>(net->bytes()) / net->edges();
  state.counters["engine_B/edge"] = static_cast<double>(engine.bytes()) / net->edges();
  state.counters["rss_MB"] = rss_mb();            // after the run: network + engine (model freed)
  state.counters["peak_rss_MB"] = peak_rss_mb();  // of the process so far: run the case alone
  if (net->edges() >= 1000000) {
    const auto m = engine.memory();
    std::string top;
    for (std::size_t i = 0; i < m.size() && i < 5; ++i)
      top += fmt::format(" {} {:.0f} MB", m[i].first, static_cast<double>(m[i].second) / 1e6);
    std::fprintf(stderr, "BM_Scale/%d: network %.0f MB, engine %.0f MB:%s\n", net->nodes(),
                 static_cast<double>(net->bytes()) / 1e6, static_cast<double>(engine.bytes()) / 1e6,
                 top.c_str());
  }
  state.counters["edge_days/s"] =
      benchmark::Counter(ed, benchmark::Counter::kIsIterationInvariantRate);
  // Per core: edge-days per second of CPU time (all threads), robust to other load.
  state.counters["edge_days/cpu_s"] = ed * static_cast<double>(state.iterations()) / cpu;
}
BENCHMARK(BM_Scale)
    ->Args({1000, 1})
    ->Args({1000, 2})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(30)
    ->UseRealTime();
BENCHMARK(BM_Scale)
    ->Args({100000, 1})
    ->Args({100000, 2})
    ->Args({1000000, 1})
    ->Args({1000000, 2})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

static void BM_Dense(benchmark::State& state) {
  sim::DenseSpec spec;
  spec.nodes = 1000;
  spec.fan_in = 500;
  spec.consumers = 100;
  Model model = sim::make_dense(spec);
  run_network(state, model, 365);
}
BENCHMARK(BM_Dense)->Unit(benchmark::kMillisecond)->Iterations(3);

static void BM_ChainOrigin(benchmark::State& state) {
  sim::ChainSpec spec;
  spec.nodes = static_cast<int>(state.range(0));
  spec.seed = 2025;
  Model model = sim::make_chain(spec);
  run_network(state, model, 365, state.range(1) != 0);
}
BENCHMARK(BM_ChainOrigin)
    ->Args({10000, 0})
    ->Args({10000, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

static void BM_WorldOrigin(benchmark::State& state) {
  auto loaded = io::load_file(RARESHOCK_SOURCE_DIR "/models/studies/default.yaml");
  const Study& study = *loaded.study;
  sim::Network net = sim::compile(study.model);
  Scenario sc;
  for (const auto& s : study.scenarios)
    if (s.id == "october-controls-resume-2026-11") sc = s;
  if (state.range(0) == 0)  // the same events, without their origin condition
    for (auto& ev : sc.events)
      if (auto* x = std::get_if<ExportRestriction>(&ev.data)) x->origin_content.reset();
  sim::Forcing f = sim::compile_forcing(net, study.model, {&sc}, study.start);
  sim::Engine engine(net, f, sim::engine_settings(study.engine));
  for (auto _ : state) {
    engine.run(1095);
    benchmark::DoNotOptimize(engine.in_stock().data());
  }
  if (engine.origin()) {
    state.counters["origin_keys"] = engine.origin()->keys();
    state.counters["origin_MB"] = static_cast<double>(engine.origin()->bytes()) / 1e6;
  }
  state.counters["edge_days/s"] = benchmark::Counter(static_cast<double>(net.edges()) * 1095,
                                                     benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_WorldOrigin)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// Monte Carlo on the default study: Arg(0) draws on Arg(1) threads (the study's own
// uncertain parameters; draws forced; no tornado/Sobol), Arg(2) = 1: sampled values patched
// into the typed study (what `run` does), 0: every draw re-reads the study (the reference).
// The deterministic runs are made once outside the timing, as `run` hands them over.
static void BM_MonteCarlo(benchmark::State& state) {
  auto loaded = io::load_file(RARESHOCK_SOURCE_DIR "/models/studies/default.yaml");
  Study study = *loaded.study;
  study.monte_carlo.draws = static_cast<int>(state.range(0));
  study.sensitivity.tornado = study.sensitivity.sobol = false;
  analysis::RunOptions det;
  det.trade_series = false;
  const auto runs = analysis::run_study(study, det).runs;
  analysis::UncertaintySettings us;
  us.threads = static_cast<int>(state.range(1));
  us.patch = state.range(2) != 0;
  us.deterministic = &runs;
  const std::clock_t cpu0 = std::clock();
  std::size_t reread = 0;
  for (auto _ : state) {
    auto r = analysis::run_uncertainty(study, loaded.resolved, us);
    reread = r.reread_paths.size();
    benchmark::DoNotOptimize(r.runs.data());
  }
  const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  const double draws =
      static_cast<double>(state.range(0)) * static_cast<double>(state.iterations());
  state.counters["draws/s"] = benchmark::Counter(static_cast<double>(state.range(0)),
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.counters["draws/cpu_s"] = draws / cpu;  // per core, robust to other load
  state.counters["runs/draw"] = static_cast<double>(study.combinations.size());
  state.counters["reread_paths"] = static_cast<double>(reread);
}
BENCHMARK(BM_MonteCarlo)
    ->Args({20, 1, 0})
    ->Args({20, 1, 1})
    ->Args({40, 2, 0})
    ->Args({40, 2, 1})
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->UseRealTime();

BENCHMARK_MAIN();
