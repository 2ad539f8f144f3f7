#include "rareshock/analysis/uncertainty/uncertainty.hpp"

#include <tbb/info.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

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
  std::vector<std::vector<int>> fan_entities;   // per run: indices of the entities with fans
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

std::vector<RunResult> run_all(const Study& st, const RunOptions& opt) {
  sim::Network net = sim::compile(st.model);
  std::vector<RunResult> out;
  for (std::size_t c = 0; c < st.combinations.size(); ++c)
    out.push_back(run_combination(st, net, st.combinations[c], opt, static_cast<int>(c)));
  return out;
}

}  // namespace

UncertaintyResult run_uncertainty(const Study& study, const io::TreeNode& resolved,
                                  const UncertaintySettings& settings) {
  UncertaintyResult res;
  const int draws = study.monte_carlo.draws;
  res.draws_requested = draws;
  res.threads = settings.executor      ? settings.executor->threads()
                : settings.threads > 0 ? settings.threads
                                       : tbb::info::default_concurrency();
  const std::vector<Factor> factors = factors_of(study);
  const std::size_t M = summarised_metrics().size();
  const int days = study.horizon;

  RunOptions det = settings.run;
  det.node_series = det.edge_series = det.trade_series = false;
  det.sample_licences = false;
  const bool reuse = settings.deterministic &&
                     settings.deterministic->size() == study.combinations.size() &&
                     !settings.run.sample_licences;
  std::vector<RunResult> own;
  if (!reuse) own = run_all(study, det);
  const std::vector<RunResult>& base = reuse ? *settings.deterministic : own;
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

  // Mitigation pairs: (scenario-alone run, mitigated run).
  struct Pair {
    std::size_t alone, mitigated;
  };
  std::vector<Pair> pairs;
  for (std::size_t a = 0; a < study.combinations.size(); ++a) {
    const auto& ca = study.combinations[a];
    if (!ca.scenario || !ca.mitigations.empty()) continue;
    for (std::size_t m = 0; m < study.combinations.size(); ++m) {
      const auto& cm = study.combinations[m];
      if (cm.scenario == ca.scenario && !cm.mitigations.empty()) pairs.push_back({a, m});
    }
  }
  // Ranking accumulators: per pair, per sector entity, four measures (each a metric where
  // more is worse: avoided = scenario alone - mitigated; margin absent without margins).
  const std::array<std::size_t, 4> ranked = {slot(Metric::ShortageDays), slot(Metric::UnmetT),
                                             slot(Metric::ValueLostUsd),
                                             slot(Metric::MarginLostUsd)};
  std::vector<std::vector<std::array<StreamingQuantiles, 4>>> rank_acc(pairs.size());
  for (std::size_t p = 0; p < pairs.size(); ++p)
    rank_acc[p].resize(shape.runs[pairs[p].alone].size());
  auto add_ranking = [&](const std::vector<double>& metrics) {
    std::size_t per_run_base = 0;
    std::vector<std::size_t> run_offset;
    for (const auto& r : shape.runs)
      run_offset.push_back(per_run_base), per_run_base += r.size() * M;
    for (std::size_t p = 0; p < pairs.size(); ++p)
      for (std::size_t i = 0; i < shape.runs[pairs[p].alone].size(); ++i) {
        if (shape.runs[pairs[p].alone][i].level != Level::Sector) continue;
        const double* a = &metrics[run_offset[pairs[p].alone] + i * M];
        const double* m = &metrics[run_offset[pairs[p].mitigated] + i * M];
        for (std::size_t k = 0; k < ranked.size(); ++k)
          add_present(rank_acc[p][i][k], a[ranked[k]] - m[ranked[k]]);
      }
  };

  // ---- Monte Carlo ----------------------------------------------------------------------
  std::vector<std::vector<std::vector<StreamingQuantiles>>> acc(shape.runs.size());
  std::vector<std::vector<std::size_t>> shortage_count(shape.runs.size());
  std::vector<std::vector<FanAccumulator>> fans(shape.runs.size());
  for (std::size_t r = 0; r < shape.runs.size(); ++r) {
    acc[r].assign(shape.runs[r].size(), std::vector<StreamingQuantiles>(M));
    shortage_count[r].assign(shape.runs[r].size(), 0);
    fans[r].assign(shape.fan_entities[r].size(), FanAccumulator(days));
  }
  if (draws > 0) {
    ThreadExecutor own_exec(settings.threads);
    Executor& exec = settings.executor ? *settings.executor : own_exec;
    const int chunk = static_cast<int>(std::max<std::size_t>(1, exec.batch()));
    std::vector<DrawOut> outs(chunk);
    int done = 0;
    while (done < draws) {
      if (exec.any(settings.cancel && settings.cancel->load())) {
        res.partial = true;
        break;
      }
      const int n = std::min(chunk, draws - done);
      const std::vector<Packed> packed = exec.map(static_cast<std::size_t>(n), [&](std::size_t j) {
        const int draw = done + static_cast<int>(j);
        Rng rng(study.seed, static_cast<std::uint64_t>(draw), Purpose::Parameters);
        std::vector<double> u(factors.size());
        for (auto& x : u) x = rng.uniform();
        Study st =
            factors.empty() ? study : io::study_with_values(resolved, values_for(factors, u));
        RunOptions opt = det;
        opt.sample_licences = true;
        opt.licence_seed = study.seed;
        opt.licence_draw = static_cast<std::uint64_t>(draw);
        DrawOut o = collect(run_all(st, opt), shape, days);
        Packed p;
        pack(p, o.metrics);
        pack(p, o.fans);
        return p;
      });
      for (int j = 0; j < n; ++j) {
        Unpacker u{packed[j]};
        outs[j].metrics = u.vec();
        outs[j].fans = u.vec();
      }
      // Reduce in draw order: the result does not depend on which thread ran which draw.
      for (int j = 0; j < n; ++j) {
        const DrawOut& o = outs[j];
        std::size_t k = 0, f = 0;
        for (std::size_t r = 0; r < shape.runs.size(); ++r) {
          for (std::size_t i = 0; i < shape.runs[r].size(); ++i) {
            if (!std::isnan(o.metrics[k])) ++shortage_count[r][i];
            for (std::size_t m = 0; m < M; ++m, ++k)
              if (!std::isnan(o.metrics[k])) acc[r][i][m].add(o.metrics[k]);
          }
          for (auto& fa : fans[r]) {
            fa.add(o.fans.data() + f);
            f += static_cast<std::size_t>(days);
          }
        }
        add_ranking(o.metrics);
      }
      done += n;
      res.draws_done = done;
      if (settings.progress) settings.progress(done, draws);
    }
    for (std::size_t r = 0; r < shape.runs.size(); ++r) {
      McRun run;
      run.id = study.combinations[r].id;
      std::size_t fan_k = 0;
      for (std::size_t i = 0; i < shape.runs[r].size(); ++i) {
        McEntity e;
        const auto& meta = shape.runs[r][i];
        e.level = meta.level, e.id = meta.id, e.sector = meta.sector, e.region = meta.region;
        e.probability_of_shortage =
            res.draws_done > 0 ? static_cast<double>(shortage_count[r][i]) / res.draws_done : 0;
        for (std::size_t m = 0; m < M; ++m)
          e.metrics.push_back({summarised_metrics()[m], acc[r][i][m].summary()});
        if (fan_k < shape.fan_entities[r].size() &&
            shape.fan_entities[r][fan_k] == static_cast<int>(i)) {
          e.has_fan = true;
          e.fan = fans[r][fan_k++].bands();
        }
        run.entities.push_back(std::move(e));
      }
      res.runs.push_back(std::move(run));
    }
  } else {
    add_ranking(collect(base, shape, days).metrics);
  }

  for (std::size_t p = 0; p < pairs.size(); ++p) {
    const auto& alone = study.combinations[pairs[p].alone];
    const auto& mit = study.combinations[pairs[p].mitigated];
    for (std::size_t i = 0; i < shape.runs[pairs[p].alone].size(); ++i) {
      const auto& meta = shape.runs[pairs[p].alone][i];
      if (meta.level != Level::Sector) continue;
      auto it =
          std::find_if(res.ranking.begin(), res.ranking.end(), [&](const MitigationRanking& m) {
            return m.scenario == *alone.scenario && m.id == meta.id;
          });
      if (it == res.ranking.end()) {
        res.ranking.push_back({*alone.scenario, meta.level, meta.id, {}});
        it = res.ranking.end() - 1;
      }
      it->ranking.push_back({mit.id, mit.mitigations, rank_acc[p][i][0].summary(),
                             rank_acc[p][i][1].summary(), rank_acc[p][i][2].summary(),
                             rank_acc[p][i][3].summary()});
    }
  }
  for (auto& mr : res.ranking)
    std::stable_sort(mr.ranking.begin(), mr.ranking.end(),
                     [](const RankingEntry& a, const RankingEntry& b) {
                       if (a.rank_measure() != b.rank_measure())
                         return a.rank_measure() > b.rank_measure();
                       return a.unmet_t_avoided.mean > b.unmet_t_avoided.mean;
                     });

  // ---- Sensitivity ------------------------------------------------------------------------
  std::vector<Metric> metrics = study.sensitivity.metrics;
  if (metrics.empty()) metrics = {Metric::TimeToShortage, Metric::UnmetT};
  auto value = [&](const ShortageMetrics& m, Metric k) {
    return sensitivity_value(m, k, study.horizon);
  };
  auto cancelled = [&] {
    if (settings.cancel && settings.cancel->load()) res.partial = true;
    return res.partial;
  };
  if (study.sensitivity.tornado && !factors.empty() && !cancelled()) {
    std::vector<std::vector<RunResult>> low(factors.size()), high(factors.size());
    std::vector<std::array<double, 2>> range(factors.size());
    for (std::size_t f = 0; f < factors.size() && !cancelled(); ++f) {
      // One factor at P10 / P90 of its distribution; the others as written in the study.
      std::vector<Factor> one = {factors[f]};
      low[f] = run_all(io::study_with_values(resolved, values_for(one, {0.1})), det);
      high[f] = run_all(io::study_with_values(resolved, values_for(one, {0.9})), det);
      range[f] = {quantile(factors[f].params[0]->dist, 0.1),
                  quantile(factors[f].params[0]->dist, 0.9)};
    }
    for (std::size_t r = 0; r < base.size() && !res.partial; ++r)
      for (std::size_t i = 0; i < base[r].entities.size(); ++i) {
        const auto& e = base[r].entities[i];
        if (e.level != Level::Sector) continue;
        for (Metric name : metrics) {
          TornadoEntry t{base[r].combination.id, e.level, e.id, name, value(e.metrics, name), {}};
          for (std::size_t f = 0; f < factors.size(); ++f)
            t.params.push_back({factors[f].name, range[f][0], range[f][1],
                                value(low[f][r].entities[i].metrics, name),
                                value(high[f][r].entities[i].metrics, name),
                                members_of(factors[f])});
          std::stable_sort(t.params.begin(), t.params.end(),
                           [](const TornadoParam& a, const TornadoParam& b) {
                             return std::fabs(a.metric_high - a.metric_low) >
                                    std::fabs(b.metric_high - b.metric_low);
                           });
          res.tornado.push_back(std::move(t));
        }
      }
  }
  if (study.sensitivity.sobol && !factors.empty() && !cancelled()) {
    struct Out {
      std::size_t run, entity;
      Metric metric;
    };
    std::vector<Out> outputs;
    for (std::size_t r = 0; r < base.size(); ++r)
      for (std::size_t i = 0; i < base[r].entities.size(); ++i)
        if (base[r].entities[i].level == Level::Sector)
          for (Metric name : metrics) outputs.push_back({r, i, name});
    struct Cancelled {};
    SobolModel model = [&](const std::vector<double>& u) {
      if (cancelled()) throw Cancelled{};  // abandons the estimate: no indices from part of it
      auto runs = run_all(io::study_with_values(resolved, values_for(factors, u)), det);
      std::vector<double> y;
      for (const auto& o : outputs)
        y.push_back(value(runs[o.run].entities[o.entity].metrics, o.metric));
      return y;
    };
    std::vector<std::vector<SobolIndex>> idx;
    try {
      idx = sobol_indices(static_cast<int>(factors.size()), study.sensitivity.sobol_samples, model,
                          study.seed);
    } catch (const Cancelled&) {
      return res;
    }
    for (std::size_t o = 0; o < outputs.size(); ++o) {
      const auto& e = base[outputs[o].run].entities[outputs[o].entity];
      SobolEntry s{base[outputs[o].run].combination.id, e.level, e.id, outputs[o].metric, {}};
      for (std::size_t f = 0; f < factors.size(); ++f)
        s.factors.push_back({factors[f].name, idx[o][f]});
      res.sobol.push_back(std::move(s));
    }
  }
  return res;
}

}  // namespace rareshock::analysis
