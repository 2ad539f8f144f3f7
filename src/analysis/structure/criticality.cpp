#include "rareshock/analysis/structure/criticality.hpp"

#include "rareshock/analysis/run/recorder.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "rareshock/analysis/run/metrics.hpp"
#include "rareshock/analysis/structure/iim.hpp"
#include "rareshock/analysis/structure/origin.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/sim/forcing.hpp"

namespace rareshock::analysis {

using rareshock::pack;  // the Executor's packing of numbers and text, beside this file's

std::string_view to_string(OutageKind kind) {
  return kind == OutageKind::Node ? "node" : "country_stage";
}

namespace {

// An optional day as a double: NaN when absent.
void pack_day(Packed& out, const std::optional<int>& d) {
  pack(out, d ? static_cast<double>(*d) : std::numeric_limits<double>::quiet_NaN());
}
std::optional<int> unpack_day(Unpacker& in) {
  const double v = in.next();
  if (std::isnan(v)) return std::nullopt;
  return static_cast<int>(v);
}

void pack_impact(Packed& out, const Impact& im) {
  for (double v : {im.unmet_t, im.units_lost, im.value_lost_usd, im.peak_shortfall,
                   static_cast<double>(im.shortage_days)})
    pack(out, v);
  pack_day(out, im.first_short);
  pack_day(out, im.tts);
  pack_day(out, im.recovery);
  pack(out, im.recovered ? 1.0 : 0.0);
}
Impact unpack_impact(Unpacker& in) {
  Impact im;
  im.unmet_t = in.next();
  im.units_lost = in.next();
  im.value_lost_usd = in.next();
  im.peak_shortfall = in.next();
  im.shortage_days = static_cast<int>(in.next());
  im.first_short = unpack_day(in);
  im.tts = unpack_day(in);
  im.recovery = unpack_day(in);
  im.recovered = in.next() != 0;
  return im;
}

}  // namespace

void pack(Packed& out, const CriticalityEntry& e) {
  pack(out, static_cast<double>(e.kind));
  pack(out, e.id);
  pack(out, e.country);
  pack(out, static_cast<double>(e.stage));
  pack(out, static_cast<double>(e.nodes.size()));
  for (const auto& n : e.nodes) pack(out, n);
  pack(out, e.baseline_output_share);
  pack_impact(out, e.total);
  pack(out, static_cast<double>(e.sectors.size()));
  for (const auto& [sector, im] : e.sectors) {
    pack(out, sector);
    pack_impact(out, im);
  }
  for (double v :
       {static_cast<double>(e.ttr), e.vulnerable ? 1.0 : 0.0, static_cast<double>(e.sectors_short),
        e.iim_inoperability, static_cast<double>(e.rank), static_cast<double>(e.rank_unmet)})
    pack(out, v);
}

CriticalityEntry unpack_entry(Unpacker& in) {
  CriticalityEntry e;
  e.kind = static_cast<OutageKind>(static_cast<int>(in.next()));
  e.id = in.str();
  e.country = in.str();
  e.stage = static_cast<Stage>(static_cast<int>(in.next()));
  e.nodes.resize(static_cast<std::size_t>(in.next()));
  for (auto& n : e.nodes) n = in.str();
  e.baseline_output_share = in.next();
  e.total = unpack_impact(in);
  e.sectors.resize(static_cast<std::size_t>(in.next()));
  for (auto& [sector, im] : e.sectors) {
    sector = in.str();
    im = unpack_impact(in);
  }
  e.ttr = static_cast<int>(in.next());
  e.vulnerable = in.next() != 0;
  e.sectors_short = static_cast<int>(in.next());
  e.iim_inoperability = in.next();
  e.rank = static_cast<int>(in.next());
  e.rank_unmet = static_cast<int>(in.next());
  return e;
}

namespace {

// Phase 7 observer: per consumer node, daily sums over its materials.

std::vector<ShortageSeries> simulate(const sim::Network& net, const sim::Forcing& forcing,
                                     const CriticalityOptions& opt) {
  sim::Engine engine(net, forcing, opt.engine);
  SeriesRecorder rec(net, opt.effective_horizon());
  engine.run(opt.effective_horizon(), &rec);
  return std::move(rec.series);
}

struct Target {
  OutageKind kind;
  std::string id, country;
  Stage stage = Stage::Mine;
  std::vector<int> nodes;
};

bool producing(const sim::Network& net, int n) {
  return net.stage[n] != Stage::Consumer && net.stage[n] != Stage::Stockpile;
}

// Extra shortfall of each consumer over the baseline run (want as in the outage run).
std::vector<ShortageSeries> excess(const std::vector<ShortageSeries>& run,
                                   const std::vector<ShortageSeries>& base) {
  std::vector<ShortageSeries> x = run;
  for (std::size_t i = 0; i < x.size(); ++i)
    for (int d = 0; d < x[i].days(); ++d)
      x[i].shortfall[d] = std::max(0.0, run[i].shortfall[d] - base[i].shortfall[d]);
  return x;
}

// First day any of \p series is short, and per sector the first day its aggregate is short.
std::optional<int> first_short_day(const ShortageSeries& s, double thr) {
  for (int d = 0; d < s.days(); ++d)
    if (s.fraction(d) >= thr) return d;
  return std::nullopt;
}

// Impacts of one outage: \p run (D days) and \p open (never ends) against \p base.
CriticalityEntry evaluate(const sim::Network& net, const Target& t,
                          const std::vector<ShortageSeries>& run,
                          const std::vector<ShortageSeries>& open,
                          const std::vector<ShortageSeries>& base,
                          const std::vector<std::string>& sectors, const CriticalityOptions& opt) {
  const int H = opt.effective_horizon();
  const double thr = opt.shortage_threshold;
  const int reference = opt.days - 1;  // last day of the outage, as for run metrics
  CriticalityEntry out;
  out.kind = t.kind;
  out.id = t.id;
  out.country = t.country;
  out.stage = t.stage;
  for (int n : t.nodes) out.nodes.push_back(net.node_id[n]);
  out.ttr = opt.days;

  struct Agg {
    ShortageSeries s, open;
    double unmet = 0, units = 0, value = 0;
  };
  std::map<std::string, Agg> by_sector;
  int first_short = -1, last_short = -1;
  std::vector<char> short_day(H, 0);
  const std::vector<ShortageSeries> xs = excess(run, base), xo = excess(open, base);
  for (std::size_t i = 0; i < run.size(); ++i) {
    const int n = net.consumer_nodes[i];
    const bool bo = net.backorder[n] != 0;
    const ShortageSeries& x = xs[i];
    const double unmet = std::max(0.0, unmet_tonnes(run[i], bo) - unmet_tonnes(base[i], bo));
    const double units = unmet * net.units_per_tonne[n];
    const double value = units * net.value_per_unit[n];
    for (int d = 0; d < H; ++d)
      if (x.fraction(d) >= thr) {
        if (first_short < 0 || d < first_short) first_short = d;
        last_short = std::max(last_short, d);
        short_day[d] = 1;
        out.total.peak_shortfall = std::max(out.total.peak_shortfall, x.fraction(d));
      }
    if (auto d = first_short_day(xo[i], thr); d && (!out.total.tts || *d < *out.total.tts))
      out.total.tts = d;
    out.total.unmet_t += unmet;
    out.total.units_lost += units;
    out.total.value_lost_usd += value;
    Agg& a = by_sector[net.sector[n]];
    a.s.add(x);
    a.open.add(xo[i]);
    a.unmet += unmet;
    a.units += units;
    a.value += value;
  }
  for (int d = 0; d < H; ++d) out.total.shortage_days += short_day[d];
  if (first_short >= 0) {
    out.total.first_short = first_short;
    if (last_short < H - 1)
      out.total.recovery = std::max(0, last_short + 1 - reference);
    else
      out.total.recovered = false;
  }
  for (const auto& sec : sectors) {
    Impact im;
    auto it = by_sector.find(sec);
    if (it != by_sector.end()) {
      const Agg& a = it->second;
      ShortageMetrics m = compute_metrics(a.s, thr, reference, a.unmet, a.units, a.value);
      im.unmet_t = a.unmet;
      im.units_lost = a.units;
      im.value_lost_usd = a.value;
      im.peak_shortfall = m.peak_shortfall;
      im.shortage_days = m.shortage_days;
      im.first_short = m.time_to_shortage;
      im.tts = first_short_day(a.open, thr);
      im.recovery = m.time_to_recover;
      im.recovered = !m.time_to_shortage || m.time_to_recover.has_value();
      if (m.shortage_days > 0) ++out.sectors_short;
    }
    out.sectors.emplace_back(sec, im);
  }
  out.vulnerable = out.total.tts && *out.total.tts < out.ttr;
  return out;
}

}  // namespace

CriticalityResult rank_criticality(const Model& model, const sim::Network& net,
                                   const CriticalityOptions& options) {
  if (options.days < 1) throw RuntimeError("criticality: the outage must last at least 1 day");
  if (options.effective_horizon() < options.days)
    throw RuntimeError(
        fmt::format("criticality: the horizon ({} days) is shorter than the outage "
                    "({} days)",
                    options.effective_horizon(), options.days));
  CriticalityResult res;
  res.options = options;
  ThreadExecutor own_exec(options.threads);
  Executor& exec = options.executor ? *options.executor : own_exec;
  res.threads = exec.threads();
  const auto t0 = std::chrono::steady_clock::now();

  {
    std::map<std::string, int> s;
    for (int n : net.consumer_nodes) s[net.sector[n]];
    for (const auto& [id, _] : s) res.sectors.push_back(id);
  }

  // Targets: every producing node, then every country × stage with two or more of them.
  std::vector<Target> targets;
  std::map<std::pair<int, int>, std::vector<int>> groups;  // (stage, country) -> nodes
  for (int n = 0; n < net.nodes(); ++n) {
    if (!producing(net, n)) continue;
    const std::string country = net.country[n] >= 0 ? net.country_id[net.country[n]] : "";
    if (options.nodes)
      targets.push_back({OutageKind::Node, net.node_id[n], country, net.stage[n], {n}});
    groups[{static_cast<int>(net.stage[n]), net.country[n]}].push_back(n);
  }
  if (options.country_stages)
    for (const auto& [key, nodes] : groups) {
      if (nodes.size() < 2 || key.second < 0) continue;
      const Stage st = static_cast<Stage>(key.first);
      const std::string& c = net.country_id[key.second];
      targets.push_back({OutageKind::CountryStage, c + "/" + to_string(st), c, st, nodes});
    }

  std::vector<double> stage_activity(kStageCount, 0.0);
  for (int n = 0; n < net.nodes(); ++n)
    if (producing(net, n)) stage_activity[static_cast<int>(net.stage[n])] += net.activity[n];

  // Static IIM, for comparison.
  InterdependencyMatrix iim = interdependency_matrix(net, model);
  std::vector<double> consumer_weight(net.consumer_nodes.size(), 0.0);
  double weight_total = 0;
  for (std::size_t i = 0; i < net.consumer_nodes.size(); ++i) {
    int n = net.consumer_nodes[i];
    for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s) consumer_weight[i] += net.demand[s];
    weight_total += consumer_weight[i];
  }

  sim::Forcing none;
  const std::vector<ShortageSeries> base = simulate(net, none, options);
  for (std::size_t i = 0; i < base.size(); ++i)
    res.baseline_unmet_t += unmet_tonnes(base[i], net.backorder[net.consumer_nodes[i]] != 0);

  // One task per outage, on the executor's threads (and ranks); results in target order.
  auto cancelled = [&] { return options.cancel && options.cancel->load(); };
  const std::vector<Packed> packed = exec.map(targets.size(), [&](std::size_t i) -> Packed {
    if (cancelled()) return {};  // Ctrl-C: skip what is left
    const Target& t = targets[i];
    try {
      sim::Forcing f;
      f.outages.push_back({0, options.days - 1, t.nodes, 0.0});
      f.last_restriction_day = options.days - 1;
      std::vector<ShortageSeries> run = simulate(net, f, options);
      f.outages[0].end = sim::kNever;
      f.last_restriction_day = sim::kNever;
      std::vector<ShortageSeries> open = simulate(net, f, options);
      CriticalityEntry e = evaluate(net, t, run, open, base, res.sectors, options);
      double act = 0;
      for (int n : t.nodes) act += net.activity[n];
      double st = stage_activity[static_cast<int>(t.stage)];
      e.baseline_output_share = st > 0 ? act / st : 0;
      Eigen::VectorXd q = node_inoperability(iim, t.nodes);
      double w = 0;
      for (std::size_t k = 0; k < net.consumer_nodes.size(); ++k)
        w += consumer_weight[k] * q[net.consumer_nodes[k]];
      e.iim_inoperability = weight_total > 0 ? w / weight_total : 0;
      Packed p;
      pack(p, e);
      return p;
    } catch (const std::exception& ex) {
      throw RuntimeError(
          fmt::format("criticality: outage of {} '{}': {}", to_string(t.kind), t.id, ex.what()));
    }
  });
  res.entries.resize(targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (packed[i].empty()) continue;  // skipped (cancelled)
    Unpacker u{packed[i]};
    res.entries[i] = unpack_entry(u);
  }

  res.cancelled = exec.any(cancelled());  // every process decides alike

  // Rank: value lost, then unmet tonnes (a total order: the thread count never matters).
  // Ties (e.g. outages the stocks absorb): shorter time to survive, then larger IIM
  // inoperability, then kind and id.
  auto by_unmet = [](const CriticalityEntry& a, const CriticalityEntry& b) {
    if (a.total.unmet_t != b.total.unmet_t) return a.total.unmet_t > b.total.unmet_t;
    const int ta = a.total.tts.value_or(std::numeric_limits<int>::max()),
              tb = b.total.tts.value_or(std::numeric_limits<int>::max());
    if (ta != tb) return ta < tb;
    if (a.iim_inoperability != b.iim_inoperability)
      return a.iim_inoperability > b.iim_inoperability;
    return std::tie(a.kind, a.id) < std::tie(b.kind, b.id);
  };
  std::sort(res.entries.begin(), res.entries.end(), by_unmet);
  for (std::size_t i = 0; i < res.entries.size(); ++i)
    res.entries[i].rank_unmet = static_cast<int>(i) + 1;
  std::sort(res.entries.begin(), res.entries.end(),
            [&](const CriticalityEntry& a, const CriticalityEntry& b) {
              if (a.total.value_lost_usd != b.total.value_lost_usd)
                return a.total.value_lost_usd > b.total.value_lost_usd;
              return by_unmet(a, b);
            });
  for (std::size_t i = 0; i < res.entries.size(); ++i)
    res.entries[i].rank = static_cast<int>(i) + 1;
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace rareshock::analysis
