#include "rareshock/analysis/run/study_run.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "rareshock/analysis/run/recorder.hpp"
#include "rareshock/sim/forcing.hpp"

namespace rareshock::analysis {

sim::EngineSettings engine_settings(const Study& study) {
  return sim::engine_settings(study.engine);
}

std::vector<int> consumer_recovery_reference(const sim::Network& net, const sim::Forcing& forcing) {
  const int N = net.nodes();
  // Upstream closure of every consumer (reverse reachability over the edges).
  std::vector<std::vector<int>> in_edges(static_cast<std::size_t>(N));
  for (int e = 0; e < net.edges(); ++e) in_edges[net.e_to[e]].push_back(e);
  std::vector<int> out;
  std::vector<char> up(static_cast<std::size_t>(N));
  for (int c : net.consumer_nodes) {
    std::fill(up.begin(), up.end(), 0);
    std::vector<int> stack = {c};
    up[c] = 1;
    while (!stack.empty()) {
      int n = stack.back();
      stack.pop_back();
      for (int e : in_edges[n])
        if (!up[net.e_from[e]]) up[net.e_from[e]] = 1, stack.push_back(net.e_from[e]);
    }
    int last = -1;
    for (const auto& r : forcing.restrictions)
      for (int e : r.edges)
        if (up[net.e_to[e]]) {
          last = std::max(last, r.end);
          break;
        }
    for (const auto& o : forcing.outages)
      for (int n : o.nodes)
        if (up[n]) {
          last = std::max(last, o.end);
          break;
        }
    out.push_back(std::min(last, sim::kNever));
  }
  return out;
}

void SupplySources::add(const SupplySources& o) {
  switched_t += o.switched_t;
  from_new_suppliers_t += o.from_new_suppliers_t;
  blocked_t += o.blocked_t;
  if (o.new_supplier_day && (!new_supplier_day || *o.new_supplier_day < *new_supplier_day))
    new_supplier_day = o.new_supplier_day;
}

namespace {

/// Product key for deduplication: the same product in the same region is the same units.
std::string product_key(const sim::Network& net, int n) {
  return net.product[n].empty() ? "node:" + net.node_id[n] : net.product[n] + "@" + net.region[n];
}

/// A sum of consumers (or of one material of consumers).
struct Agg {
  ShortageSeries series;
  double unmet = 0;
  LossTotals loss;
  int reference = -1;  ///< latest end of the members' restricting events (kNever: open-ended)
  void add(const ShortageSeries& s, double unmet_t, const std::string& key,
           const std::vector<double>& units, double value, double margin, int ref) {
    series.add(s);
    unmet += unmet_t;
    loss.add(key, units, value, margin);
    reference = std::max(reference, ref);
  }
  ShortageMetrics metrics(double thr) const {
    // Recovery counts from the latest end of the members' restricting events (from the peak
    // when none touches them or one is open-ended: compute_metrics treats kNever so).
    ShortageMetrics m = compute_metrics(series, thr, reference, unmet, 0, 0);
    set_losses(m, loss);
    return m;
  }
};

struct Group {
  Agg all;
  std::vector<std::string> order;  ///< materials, first seen first
  std::map<std::string, Agg> by_material;
  std::string sector, region, unit_name;
  SupplySources supply;
  bool has_unit = false, mixed_units = false;
  std::set<std::string> losing;  ///< unit names of members that lost units
  void unit(const std::string& u, double lost = 0) {
    if (!has_unit)
      unit_name = u, has_unit = true;
    else if (u != unit_name)
      mixed_units = true;
    if (lost > 0) losing.insert(u);
  }
  /// What units_lost counts: the members' unit name, or, when they mix names, the one name
  /// of the members that lost units ("units" when several did).
  std::string units_counted() const {
    if (!mixed_units) return unit_name;
    return losing.size() == 1 ? *losing.begin() : std::string("units");
  }
  Agg& material(const std::string& m) {
    if (!by_material.count(m)) order.push_back(m);
    return by_material[m];
  }
};

/// The metrics of one consumer: what an Agg holding it alone gives (its series, and one
/// LossTotals group: each day's units, value and margin at least 0, summed in day order),
/// without copying the series into one.
ShortageMetrics consumer_metrics(const ShortageSeries& s, double thr, int reference, double unmet,
                                 const std::vector<double>& units_per_day, double value_per_unit,
                                 double margin) {
  ShortageMetrics m = compute_metrics(s, thr, std::max(-1, reference), unmet, 0, 0);
  double units = 0, upper = 0, value = 0, margin_lost = 0;
  for (const double u : units_per_day) {
    const double v = u * value_per_unit;
    upper += u;
    units += std::max(0.0, u);
    value += std::max(0.0, v);
    margin_lost += std::max(0.0, v * std::max(0.0, margin));
  }
  m.units_lost = units;
  m.units_lost_upper = upper;
  m.value_lost_usd = value;
  m.margin_lost_usd = margin < 0 ? std::nullopt : std::optional<double>(margin_lost);
  return m;
}

/// Consumer \p i's (Network::consumer_nodes order) per-material series added to \p groups'
/// materials. A complementary consumer's materials are short together: a material's
/// shortfall stands for the consumer's units not built (tonnes scaled by its share of
/// demand); an independent material is its own product line.
void add_materials(const sim::Network& net, const SeriesRecorder& rec, std::size_t i,
                   const std::vector<Group*>& groups, const std::string& key, int reference) {
  const int n = net.consumer_nodes[i];
  const bool bo = net.backorder[n] != 0;
  const ShortageSeries& s = rec.series[i];
  const double upt = net.units_per_tonne[n], vpu = net.value_per_unit[n], mg = net.margin[n];
  const double total_demand = s.base_daily_demand;
  for (int k = net.in_begin[n]; k < net.in_begin[n + 1]; ++k) {
    const auto& per = rec.material_series[i];
    const ShortageSeries& sm = per.empty() ? s : per[static_cast<std::size_t>(k - net.in_begin[n])];
    const double scale =
        net.complementary[n] && net.demand[k] > 0 ? upt * total_demand / net.demand[k] : upt;
    const double unmet_m = unmet_tonnes(sm, bo);
    const std::vector<double> units_m = daily_units_lost(sm, bo, scale);
    const std::string& mat = net.material_id[net.in_material[k]];
    for (Group* g : groups) g->material(mat).add(sm, unmet_m, key, units_m, vpu, mg, reference);
  }
}

/// A consumer worth a "why": short on some day, or its supply moved by at least 1 % of its
/// baseline inflow (a consumer that switched suppliers and was never short).
bool worth_explaining(const WhyRecord& w) {
  if (w.unmet_t > 1e-9 * (w.demand_t + 1)) return true;
  const double tol = 0.01 * w.baseline_inflow_t;
  for (const auto& s : w.suppliers)
    if (std::fabs(s.change_t()) > tol) return true;
  return false;
}

/// The losses of unit name \p unit in \p by_unit (first-seen order), added when new.
LossTotals& loss_of(std::vector<std::pair<std::string, LossTotals>>& by_unit,
                    const std::string& unit) {
  auto it =
      std::find_if(by_unit.begin(), by_unit.end(), [&](const auto& x) { return x.first == unit; });
  if (it == by_unit.end()) it = by_unit.insert(by_unit.end(), {unit, LossTotals{}});
  return it->second;
}

constexpr const char* kNoWhyNote =
    "no 'why' records: the horizon x network size is beyond what the why recorder keeps "
    "(analysis/run/why.hpp, kMaxCells)";

/// Consumer \p i's why record, when it is worth one (moved out of \p whys).
std::optional<WhyRecord> take_why(std::vector<WhyRecord>& whys, std::size_t i) {
  if (i < whys.size() && worth_explaining(whys[i])) return std::move(whys[i]);
  return std::nullopt;
}

std::vector<LossByUnit> losses_by_unit(
    const std::vector<std::pair<std::string, LossTotals>>& by_unit) {
  std::vector<LossByUnit> out;
  for (const auto& [unit, loss] : by_unit)
    out.push_back({unit, loss.units(), loss.units_upper(), loss.value(), loss.margin_lost()});
  return out;
}

/// Phase 7 of a run: the series recorder and, when asked, the why recorder.
struct Recorders : sim::Observer {
  SeriesRecorder* rec = nullptr;
  WhyRecorder* why = nullptr;
  void on_day(const sim::Engine& e) override {
    rec->on_day(e);
    if (why) why->on_day(e);
  }
};

/// Runs \p engine over \p days with \p rec; with \p why (when the run fits the why
/// recorder's budget) also explains every consumer into \p whys. Returns whether it did.
bool run_engine(sim::Engine& engine, SeriesRecorder& rec, bool why, int days,
                std::vector<WhyRecord>& whys) {
  std::optional<WhyRecorder> w;
  if (why && WhyRecorder::fits(engine.network(), days)) w.emplace(engine, days);
  Recorders both;
  both.rec = &rec;
  both.why = w ? &*w : nullptr;
  engine.run(days, &both);
  if (w) whys = w->explain();
  return w.has_value();
}

}  // namespace

RunResult run_combination(const Study& study, const sim::Network& net, const Combination& c,
                          const RunOptions& options, int run_index) {
  std::vector<const Scenario*> scenarios;
  if (c.scenario) scenarios.push_back(study.find_scenario(*c.scenario));
  for (const auto& m : c.mitigations) scenarios.push_back(study.find_scenario(m));
  sim::Forcing forcing = sim::compile_forcing(net, study.model, scenarios, study.start);
  // Per-edge arrivals only for what reads them: trade flows and the why recorder.
  sim::EngineSettings es = engine_settings(study);
  es.edge_arrivals = options.trade_series || (options.why && WhyRecorder::fits(net, study.horizon));
  sim::Engine engine(net, forcing, es);
  if (options.sample_licences)
    engine.sample_licences(options.licence_seed, options.licence_draw,
                           static_cast<std::uint64_t>(run_index));
  TradeIndex trade;
  if (options.trade_series) trade = trade_index(net, study.model);
  SeriesRecorder rec(net, study.horizon, options.node_series, options.edge_series,
                     options.trade_series ? &trade : nullptr, options.details);
  // Origin of consumption per calendar month, with the other flow outputs of deterministic runs
  // (Monte Carlo draws leave trade_series off).
  if (engine.origin() && options.trade_series) {
    std::vector<int> period_of_day(static_cast<std::size_t>(study.horizon));
    std::vector<std::string> months;
    for (int d = 0; d < study.horizon; ++d) {
      std::string m = to_string(study.start + d).substr(0, 7);
      if (months.empty() || months.back() != m) months.push_back(m);
      period_of_day[static_cast<std::size_t>(d)] = static_cast<int>(months.size()) - 1;
    }
    rec.track_origin(engine, std::move(period_of_day), static_cast<int>(months.size()));
    if (rec.origin) rec.origin->periods = months;
  }
  std::vector<WhyRecord> whys;
  const bool explained = run_engine(engine, rec, options.why, study.horizon, whys);

  RunResult out;
  out.combination = c;
  out.origin = std::move(rec.origin);
  out.notes = forcing.notes;
  if (options.why != explained) out.notes.push_back(kNoWhyNote);
  out.recovery_reference =
      forcing.last_restriction_day >= sim::kNever ? -1 : forcing.last_restriction_day;
  const std::vector<int> reference = consumer_recovery_reference(net, forcing);
  const double thr = study.shortage_threshold;
  std::map<std::string, Group> sectors, regions, cells;
  std::vector<std::pair<std::string, LossTotals>> by_unit;  // first-seen order
  std::map<std::string, int> cell_size;
  for (int n : net.consumer_nodes) ++cell_size[net.sector[n] + "@" + net.region[n]];
  for (std::size_t i = 0; i < rec.series.size(); ++i) {
    const int n = net.consumer_nodes[i];
    const bool bo = net.backorder[n] != 0;
    const ShortageSeries& s = rec.series[i];
    const std::string key = product_key(net, n);
    const double upt = net.units_per_tonne[n], vpu = net.value_per_unit[n], mg = net.margin[n];
    const std::string unit = net.unit_name[n].empty() ? "units" : net.unit_name[n];
    const double unmet = unmet_tonnes(s, bo);
    const std::vector<double> units = daily_units_lost(s, bo, upt);
    if (options.details) loss_of(by_unit, unit).add(key, units, vpu, mg);
    Group self;  // its materials (details); its metrics come from the consumer's own series
    self.unit(unit);
    const std::string cell = net.sector[n] + "@" + net.region[n];
    std::vector<Group*> groups = {&self, &sectors[net.sector[n]], &regions[net.region[n]]};
    if (cell_size[cell] > 1) groups.push_back(&cells[cell]);
    for (Group* g : groups) {
      if (g != &self)
        g->unit(unit, unmet * upt), g->all.add(s, unmet, key, units, vpu, mg, reference[i]);
      g->sector = net.sector[n];
      g->region = net.region[n];
    }
    if (options.details) add_materials(net, rec, i, groups, key, reference[i]);
    EntityResult er;
    er.level = Level::Consumer;
    er.id = net.node_id[n];
    er.sector = net.sector[n];
    er.region = net.region[n];
    er.unit_name = unit;
    er.metrics = consumer_metrics(s, thr, reference[i], unmet, units, vpu, mg);
    er.supply = rec.supply[i];
    for (Group* g : groups)
      if (g != &self) g->supply.add(rec.supply[i]);
    for (const auto& m : self.order)
      er.materials.push_back({m, self.by_material.at(m).metrics(thr)});
    er.why = take_why(whys, i);
    er.series = std::move(rec.series[i]);  // s is not read after this
    out.entities.push_back(std::move(er));
  }
  auto emit = [&](Level level, std::map<std::string, Group>& groups) {
    for (auto& [id, g] : groups) {
      EntityResult er;
      er.level = level;
      er.id = id;
      if (level != Level::Region) er.sector = g.sector;
      if (level != Level::Sector) er.region = g.region;
      er.unit_name = g.units_counted();
      er.metrics = g.all.metrics(thr);
      for (const auto& m : g.order) er.materials.push_back({m, g.by_material.at(m).metrics(thr)});
      er.series = std::move(g.all.series);
      er.supply = g.supply;
      out.entities.push_back(std::move(er));
    }
  };
  out.losses = losses_by_unit(by_unit);
  emit(Level::Sector, sectors);
  emit(Level::Region, regions);
  emit(Level::SectorRegion, cells);
  out.nodes = std::move(rec.node_series);
  out.edges = std::move(rec.edge_series);
  out.trade = std::move(rec.trade);
  return out;
}

std::string_view to_string(Level level) {
  switch (level) {
    case Level::Consumer:
      return "consumer";
    case Level::Sector:
      return "sector";
    case Level::Region:
      return "region";
    case Level::SectorRegion:
      return "sector_region";
  }
  return "consumer";
}

std::optional<Level> level_from_string(std::string_view name) {
  for (Level l : {Level::Consumer, Level::Sector, Level::Region, Level::SectorRegion})
    if (to_string(l) == name) return l;
  return std::nullopt;
}

StudyResult run_study(const Study& study, const RunOptions& options) {
  StudyResult result;
  sim::Network net = sim::compile(study.model);
  result.warnings = net.warnings;
  for (const auto& c : study.combinations)
    result.runs.push_back(run_combination(study, net, c, options));
  return result;
}

}  // namespace rareshock::analysis
