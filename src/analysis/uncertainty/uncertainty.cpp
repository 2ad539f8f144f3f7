#include "rareshock/analysis/uncertainty/uncertainty.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "rareshock/analysis/uncertainty/study_patch.hpp"
#include "rareshock/core/random.hpp"
#include "rareshock/core/units.hpp"
#include "rareshock/executor.hpp"
#include "rareshock/io/load.hpp"

namespace rareshock::analysis {

namespace {

constexpr double kAbsent = std::numeric_limits<double>::quiet_NaN();

// Position of a summarised metric in a draw's metric vector (summarised_metrics() order).
std::size_t slot(Metric k) {
  const auto& all = summarised_metrics();
  return static_cast<std::size_t>(std::find(all.begin(), all.end(), k) - all.begin());
}

// The factors of the analysis: a group of parameters that share one uniform, or one parameter.
struct Factor {
  std::string name;
  std::vector<const UncertainParam*> params;
};

std::vector<Factor> factors_of(const Study& st) {
  std::vector<Factor> out;
  for (const auto& p : st.monte_carlo.params) {
    if (!p.group.empty()) {
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const Factor& f) { return f.name == "group:" + p.group; });
      if (it != out.end()) {
        it->params.push_back(&p);
        continue;
      }
      out.push_back({"group:" + p.group, {&p}});
    } else {
      out.push_back({p.path, {&p}});
    }
  }
  return out;
}

// A group's members at their own P10 and P90 (none for a single parameter).
std::vector<TornadoMember> members_of(const Factor& f) {
  std::vector<TornadoMember> out;
  if (f.params.size() > 1)
    for (const UncertainParam* p : f.params)
      out.push_back({p->path, quantile(p->dist, 0.1), quantile(p->dist, 0.9)});
  return out;
}

// Adds a ranking difference; an absent metric (NaN: no margin given) adds nothing.
void add_present(StreamingQuantiles& q, double x) {
  if (!std::isnan(x)) q.add(x);
}

// Fans: every aggregate; consumers (a sector in a region) in runs without mitigations, the
// runs the report charts.
bool gets_fan(const RunResult& r, const EntityResult& e) {
  return e.level != Level::Consumer || r.combination.mitigations.empty();
}

// A metric value for tornado/Sobol: an absent day metric counts as the horizon; an absent
// margin (none given) as 0.
double sensitivity_value(const ShortageMetrics& m, Metric k, int horizon) {
  return metric_value(m, k).value_or(k == Metric::MarginLostUsd ? 0.0
                                                                : static_cast<double>(horizon));
}

std::vector<io::PathValue> values_for(const std::vector<Factor>& factors,
                                      const std::vector<double>& u) {
  std::vector<io::PathValue> v;
  for (std::size_t f = 0; f < factors.size(); ++f)
    for (const UncertainParam* p : factors[f].params) {
      double x = quantile(p->dist, u[f]);
      for (const auto& t : p->targets) v.push_back({t, x});
    }
  return v;
}

// The shape of results (entities per run) is fixed by the model's structure, which draws
// do not change.
struct Shape {
  std::vector<std::vector<EntityResult>> runs;  // metadata only (level, id, sector, region)
  std::vector<std::vector<int>> fan_entities;   // per run: indices of sector/region entities
};

struct DrawOut {
  std::vector<double> metrics;  // run, entity, metric
  std::vector<double> fans;     // run, fan entity, day
};

DrawOut collect(const std::vector<RunResult>& runs, const Shape& shape, int days) {
  DrawOut out;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    for (const auto& e : runs[r].entities)
      for (Metric k : summarised_metrics())
        out.metrics.push_back(metric_value(e.metrics, k).value_or(kAbsent));
    for (int idx : shape.fan_entities[r]) {
      const auto& s = runs[r].entities[idx].series;
      for (int d = 0; d < days; ++d) out.fans.push_back(s.fraction(d));
    }
  }
  return out;
}

std::vector<RunResult> run_all(const Study& st, const sim::Network& net, const RunOptions& opt) {
  std::vector<RunResult> out;
  for (std::size_t c = 0; c < st.combinations.size(); ++c)
    out.push_back(run_combination(st, net, st.combinations[c], opt, static_cast<int>(c)));
  return out;
}

std::vector<RunResult> run_all(const PatchedStudy& p, const RunOptions& opt) {
  return run_all(*p.study, *p.network, opt);
}

// Where draws and sensitivity points get their study and network: the study itself when it
// has no uncertain parameters, else the StudyPatcher (typed patches checked against
// re-reading; the patcher is made on first use).
class DrawSource {
 public:
  DrawSource(const Study& study, const io::TreeNode& resolved, bool typed)
      : study_(study), resolved_(resolved), typed_(typed) {}
  PatchedStudy at(const std::vector<io::PathValue>& values) {
    if (values.empty()) {
      if (!plain_.study) {
        plain_.study = std::shared_ptr<const Study>(&study_, [](const Study*) {});
        plain_.network = std::make_shared<const sim::Network>(sim::compile(study_.model));
      }
      return plain_;
    }
    return patcher().apply(values);
  }
  // Call before tasks run concurrently (at() then only reads).
  void prepare(bool with_values) {
    at({});
    if (with_values) patcher();
  }
  std::vector<std::string> reread_paths() const {
    return patcher_ ? patcher_->reread_paths() : std::vector<std::string>{};
  }

 private:
  const StudyPatcher& patcher() {
    if (!patcher_) patcher_.emplace(study_, resolved_, typed_);
    return *patcher_;
  }
  const Study& study_;
  const io::TreeNode& resolved_;
  bool typed_;
  std::optional<StudyPatcher> patcher_;
  PatchedStudy plain_;
};

Shape shape_of(const std::vector<RunResult>& base) {
  Shape shape;
  for (const auto& r : base) {
    std::vector<EntityResult> meta;
    std::vector<int> fan;
    for (std::size_t i = 0; i < r.entities.size(); ++i) {
      EntityResult e;
      e.level = r.entities[i].level;
      e.id = r.entities[i].id;
      e.sector = r.entities[i].sector;
      e.region = r.entities[i].region;
      if (gets_fan(r, r.entities[i])) fan.push_back(static_cast<int>(i));
      meta.push_back(std::move(e));
    }
    shape.runs.push_back(std::move(meta));
    shape.fan_entities.push_back(std::move(fan));
  }
  return shape;
}

// Everything the ensemble loops share.
struct Context {
  const Study& study;
  const UncertaintySettings& settings;
  const std::vector<Factor>& factors;
  DrawSource& source;
  RunOptions det;  // deterministic runs: no series, no licence sampling
  const std::vector<RunResult>& base;
  const Shape& shape;
  Executor& exec;
  bool cancel_requested() const { return settings.cancel && settings.cancel->load(); }
};

// Mitigation ranking: per (scenario-alone run, mitigated run) pair, per sector entity, four
// measures (each a metric where more is worse: avoided = scenario alone - mitigated; the
// margin is absent without margins).
class RankingAccumulator {
 public:
  RankingAccumulator(const Study& study, const Shape& shape) : shape_(shape) {
    const auto& cs = study.combinations;
    for (std::size_t a = 0; a < cs.size(); ++a) {
      if (!cs[a].scenario || !cs[a].mitigations.empty()) continue;
      for (std::size_t m = 0; m < cs.size(); ++m)
        if (cs[m].scenario == cs[a].scenario && !cs[m].mitigations.empty())
          pairs_.push_back({a, m});
    }
    acc_.resize(pairs_.size());
    for (std::size_t p = 0; p < pairs_.size(); ++p)
      acc_[p].resize(shape.runs[pairs_[p].alone].size());
    std::size_t at = 0;
    for (const auto& r : shape.runs) run_offset_.push_back(at), at += r.size() * M_;
  }

  void add(const std::vector<double>& metrics) {
    for (std::size_t p = 0; p < pairs_.size(); ++p)
      for (std::size_t i = 0; i < shape_.runs[pairs_[p].alone].size(); ++i) {
        if (shape_.runs[pairs_[p].alone][i].level != Level::Sector) continue;
        const double* a = &metrics[run_offset_[pairs_[p].alone] + i * M_];
        const double* m = &metrics[run_offset_[pairs_[p].mitigated] + i * M_];
        for (std::size_t k = 0; k < kRanked.size(); ++k)
          add_present(acc_[p][i][k], a[kRanked[k]] - m[kRanked[k]]);
      }
  }

  std::vector<MitigationRanking> ranking(const Study& study) const {
    std::vector<MitigationRanking> out;
    for (std::size_t p = 0; p < pairs_.size(); ++p) {
      const auto& alone = study.combinations[pairs_[p].alone];
      const auto& mit = study.combinations[pairs_[p].mitigated];
      for (std::size_t i = 0; i < shape_.runs[pairs_[p].alone].size(); ++i) {
        const auto& meta = shape_.runs[pairs_[p].alone][i];
        if (meta.level != Level::Sector) continue;
        auto it = std::find_if(out.begin(), out.end(), [&](const MitigationRanking& m) {
          return m.scenario == *alone.scenario && m.id == meta.id;
        });
        if (it == out.end()) {
          out.push_back({*alone.scenario, meta.level, meta.id, {}});
          it = out.end() - 1;
        }
        const auto& a = acc_[p][i];
        it->ranking.push_back({mit.id, mit.mitigations, a[0].summary(), a[1].summary(),
                               a[2].summary(), a[3].summary()});
      }
    }
    for (auto& mr : out)
      std::stable_sort(mr.ranking.begin(), mr.ranking.end(),
                       [](const RankingEntry& a, const RankingEntry& b) {
                         if (a.rank_measure() != b.rank_measure())
                           return a.rank_measure() > b.rank_measure();
                         return a.unmet_t_avoided.mean > b.unmet_t_avoided.mean;
                       });
    return out;
  }

 private:
  struct Pair {
    std::size_t alone, mitigated;
  };
  const std::array<std::size_t, 4> kRanked = {slot(Metric::ShortageDays), slot(Metric::UnmetT),
                                              slot(Metric::ValueLostUsd),
                                              slot(Metric::MarginLostUsd)};
  const Shape& shape_;
  std::size_t M_ = summarised_metrics().size();
  std::vector<Pair> pairs_;
  std::vector<std::vector<std::array<StreamingQuantiles, 4>>> acc_;
  std::vector<std::size_t> run_offset_;
};

// Monte Carlo summaries: per run and entity, the metric quantiles, the shortage count and
// (sectors, regions) the daily shortfall fan.
class EnsembleAccumulator {
 public:
  EnsembleAccumulator(const Shape& shape, int days) : shape_(shape), days_(days) {
    const std::size_t M = summarised_metrics().size();
    for (const auto& r : shape.runs) {
      acc_.emplace_back(r.size(), std::vector<StreamingQuantiles>(M));
      shortage_count_.emplace_back(r.size(), 0);
    }
    for (const auto& f : shape.fan_entities) fans_.emplace_back(f.size(), FanAccumulator(days));
  }

  void add(const DrawOut& o) {
    std::size_t k = 0, f = 0;
    for (std::size_t r = 0; r < shape_.runs.size(); ++r) {
      for (std::size_t i = 0; i < shape_.runs[r].size(); ++i) {
        if (!std::isnan(o.metrics[k])) ++shortage_count_[r][i];
        for (auto& q : acc_[r][i]) {
          if (!std::isnan(o.metrics[k])) q.add(o.metrics[k]);
          ++k;
        }
      }
      for (auto& fa : fans_[r]) {
        fa.add(o.fans.data() + f);
        f += static_cast<std::size_t>(days_);
      }
    }
  }

  std::vector<McRun> runs(const Study& study, int draws_done) const {
    std::vector<McRun> out;
    for (std::size_t r = 0; r < shape_.runs.size(); ++r) {
      McRun run;
      run.id = study.combinations[r].id;
      std::size_t fan_k = 0;
      for (std::size_t i = 0; i < shape_.runs[r].size(); ++i) {
        McEntity e;
        const auto& meta = shape_.runs[r][i];
        e.level = meta.level, e.id = meta.id, e.sector = meta.sector, e.region = meta.region;
        e.probability_of_shortage =
            draws_done > 0 ? static_cast<double>(shortage_count_[r][i]) / draws_done : 0;
        for (std::size_t m = 0; m < acc_[r][i].size(); ++m)
          e.metrics.push_back({summarised_metrics()[m], acc_[r][i][m].summary()});
        if (fan_k < shape_.fan_entities[r].size() &&
            shape_.fan_entities[r][fan_k] == static_cast<int>(i)) {
          e.has_fan = true;
          e.fan = fans_[r][fan_k++].bands();
        }
        run.entities.push_back(std::move(e));
      }
      out.push_back(std::move(run));
    }
    return out;
  }

 private:
  const Shape& shape_;
  int days_;
  std::vector<std::vector<std::vector<StreamingQuantiles>>> acc_;
  std::vector<std::vector<std::size_t>> shortage_count_;
  std::vector<std::vector<FanAccumulator>> fans_;
};

// One Monte Carlo draw: its parameter values from stream (seed, draw, Parameters), stochastic
// licences from (seed, draw, Licences, run).
Packed run_draw(const Context& c, int draw) {
  Rng rng(c.study.seed, static_cast<std::uint64_t>(draw), Purpose::Parameters);
  std::vector<double> u(c.factors.size());
  for (auto& x : u) x = rng.uniform();
  const PatchedStudy st = c.source.at(values_for(c.factors, u));
  RunOptions opt = c.det;
  opt.sample_licences = true;
  opt.licence_seed = c.study.seed;
  opt.licence_draw = static_cast<std::uint64_t>(draw);
  DrawOut o = collect(run_all(st, opt), c.shape, c.study.horizon);
  Packed p;
  pack(p, o.metrics);
  pack(p, o.fans);
  return p;
}

// The Monte Carlo loop: chunks of draws through the executor, reduced in draw order (the
// result does not depend on which thread or process ran which draw).
void run_draws(const Context& c, UncertaintyResult& res, RankingAccumulator& ranking) {
  const int draws = c.study.monte_carlo.draws;
  EnsembleAccumulator acc(c.shape, c.study.horizon);
  const int chunk = static_cast<int>(std::max<std::size_t>(1, c.exec.batch()));
  int done = 0;
  while (done < draws) {
    if (c.exec.any(c.cancel_requested())) {
      res.partial = true;
      break;
    }
    const int n = std::min(chunk, draws - done);
    const std::vector<Packed> packed = c.exec.map(static_cast<std::size_t>(n), [&](std::size_t j) {
      return run_draw(c, done + static_cast<int>(j));
    });
    for (const Packed& p : packed) {
      Unpacker u{p};
      DrawOut o;
      o.metrics = u.vec();
      o.fans = u.vec();
      acc.add(o);
      ranking.add(o.metrics);
    }
    done += n;
    res.draws_done = done;
    if (c.settings.progress) c.settings.progress(done, draws);
  }
  res.runs = acc.runs(c.study, res.draws_done);
}

// The outputs of tornado and Sobol: (run, sector entity, metric).
struct Output {
  std::size_t run, entity;
  Metric metric;
};

std::vector<Output> sensitivity_outputs(const Context& c) {
  std::vector<Metric> metrics = c.study.sensitivity.metrics;
  if (metrics.empty()) metrics = {Metric::TimeToShortage, Metric::UnmetT};
  std::vector<Output> out;
  for (std::size_t r = 0; r < c.base.size(); ++r)
    for (std::size_t i = 0; i < c.base[r].entities.size(); ++i)
      if (c.base[r].entities[i].level == Level::Sector)
        for (Metric name : metrics) out.push_back({r, i, name});
  return out;
}

// A metric value for tornado/Sobol (sensitivity_value).
double output_value(const Context& c, const ShortageMetrics& m, Metric k) {
  return sensitivity_value(m, k, c.study.horizon);
}

// The outputs of the deterministic runs with \p values set; nothing (a point to drop) once a
// cancel is requested, checked before each run, so a cancel waits for one run at most.
Packed sensitivity_point(const Context& c, const std::vector<Output>& outputs,
                         const std::vector<io::PathValue>& values) {
  if (c.cancel_requested()) return {};
  const PatchedStudy st = c.source.at(values);
  std::vector<RunResult> runs;
  for (std::size_t k = 0; k < st.study->combinations.size(); ++k) {
    if (c.cancel_requested()) return {};
    runs.push_back(run_combination(*st.study, *st.network, st.study->combinations[k], c.det,
                                   static_cast<int>(k)));
  }
  Packed y;
  for (const auto& o : outputs)
    y.push_back(output_value(c, runs[o.run].entities[o.entity].metrics, o.metric));
  return y;
}

// Runs \p n sensitivity points through the executor in batches; false when cancelled (before
// a batch, or during one: its points may then be incomplete and are dropped).
bool map_points(const Context& c, std::size_t n, const Task& task, std::vector<Packed>& out) {
  const std::size_t chunk = std::max<std::size_t>(1, c.exec.batch());
  for (std::size_t at = 0; at < n; at += chunk) {
    if (c.exec.any(c.cancel_requested())) return false;
    const std::size_t m = std::min(chunk, n - at);
    auto part = c.exec.map(m, [&](std::size_t j) { return task(at + j); });
    if (c.exec.any(c.cancel_requested())) return false;
    for (auto& p : part) out.push_back(std::move(p));
  }
  return true;
}

// One factor at a time at P10 / P90 of its distribution, the others as written in the study:
// point 2f is factor f low, 2f + 1 high.
void run_tornado(const Context& c, UncertaintyResult& res) {
  const auto& factors = c.factors;
  const std::vector<Output> outputs = sensitivity_outputs(c);
  std::vector<Packed> y;
  const bool complete = map_points(
      c, 2 * factors.size(),
      [&](std::size_t t) {
        const std::vector<Factor> one = {factors[t / 2]};
        return sensitivity_point(c, outputs, values_for(one, {t % 2 == 0 ? 0.1 : 0.9}));
      },
      y);
  if (!complete) {
    res.partial = true;
    return;
  }
  for (std::size_t o = 0; o < outputs.size(); ++o) {
    const auto& run = c.base[outputs[o].run];
    const auto& e = run.entities[outputs[o].entity];
    const Metric name = outputs[o].metric;
    TornadoEntry t{run.combination.id, e.level, e.id, name, output_value(c, e.metrics, name), {}};
    for (std::size_t f = 0; f < factors.size(); ++f) {
      const Distribution& d = factors[f].params[0]->dist;
      t.params.push_back({factors[f].name, quantile(d, 0.1), quantile(d, 0.9), y[2 * f][o],
                          y[2 * f + 1][o], members_of(factors[f])});
    }
    std::stable_sort(
        t.params.begin(), t.params.end(), [](const TornadoParam& a, const TornadoParam& b) {
          return std::fabs(a.metric_high - a.metric_low) > std::fabs(b.metric_high - b.metric_low);
        });
    res.tornado.push_back(std::move(t));
  }
}

// Sobol indices over the factors (Saltelli points in executor batches).
void run_sobol(const Context& c, UncertaintyResult& res) {
  const std::vector<Output> outputs = sensitivity_outputs(c);
  struct Cancelled {};
  SobolBatchModel model = [&](const std::vector<std::vector<double>>& points) {
    std::vector<Packed> y;
    if (!map_points(
            c, points.size(),
            [&](std::size_t j) {
              return sensitivity_point(c, outputs, values_for(c.factors, points[j]));
            },
            y))
      throw Cancelled{};  // abandons the estimate: no indices from part of it
    return y;
  };
  std::vector<std::vector<SobolIndex>> idx;
  try {
    idx = sobol_indices_batch(static_cast<int>(c.factors.size()), c.study.sensitivity.sobol_samples,
                              model, c.study.seed, c.exec.batch());
  } catch (const Cancelled&) {
    res.partial = true;
    return;
  }
  for (std::size_t o = 0; o < outputs.size(); ++o) {
    const auto& run = c.base[outputs[o].run];
    const auto& e = run.entities[outputs[o].entity];
    SobolEntry s{run.combination.id, e.level, e.id, outputs[o].metric, {}};
    for (std::size_t f = 0; f < c.factors.size(); ++f)
      s.factors.push_back({c.factors[f].name, idx[o][f]});
    res.sobol.push_back(std::move(s));
  }
}

}  // namespace

UncertaintyResult run_uncertainty(const Study& study, const io::TreeNode& resolved,
                                  const UncertaintySettings& settings) {
  UncertaintyResult res;
  res.draws_requested = study.monte_carlo.draws;
  ThreadExecutor own_exec(settings.executor ? 1 : settings.threads);
  Executor& exec = settings.executor ? *settings.executor : own_exec;
  res.threads = exec.threads();
  const std::vector<Factor> factors = factors_of(study);

  RunOptions det = settings.run;
  // Draws and sensitivity points read metrics and shortfall series only: no flow series and
  // no why records (WhyRecorder observes the engine, so the metrics are the same without it;
  // recording it was about half of a draw of the default study).
  det.node_series = det.edge_series = det.trade_series = det.why = false;
  // Nor per-material metrics, supply sources or losses by unit: none of them is summarised
  // (the entities' metrics come from their summed series either way).
  det.details = false;
  det.sample_licences = false;
  const bool reuse = settings.deterministic &&
                     settings.deterministic->size() == study.combinations.size() &&
                     !settings.run.sample_licences;
  DrawSource source(study, resolved, settings.patch);
  std::vector<RunResult> own;
  if (!reuse) own = run_all(source.at({}), det);
  const std::vector<RunResult>& base = reuse ? *settings.deterministic : own;
  const Shape shape = shape_of(base);
  const Context c{study, settings, factors, source, det, base, shape, exec};

  const bool sensitivity =
      !factors.empty() && (study.sensitivity.tornado || study.sensitivity.sobol);
  if (study.monte_carlo.draws > 0 || sensitivity) source.prepare(!factors.empty());
  RankingAccumulator ranking(study, shape);
  if (study.monte_carlo.draws > 0)
    run_draws(c, res, ranking);
  else
    ranking.add(collect(base, shape, study.horizon).metrics);
  res.ranking = ranking.ranking(study);
  res.reread_paths = source.reread_paths();

  auto cancelled = [&] {
    if (c.cancel_requested()) res.partial = true;
    return res.partial;
  };
  if (study.sensitivity.tornado && !factors.empty() && !cancelled()) run_tornado(c, res);
  if (study.sensitivity.sobol && !factors.empty() && !cancelled()) run_sobol(c, res);
  return res;
}

}  // namespace rareshock::analysis
