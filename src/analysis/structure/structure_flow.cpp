// Chokepoints: maximum steady-state flow of each element from all sources to a sector, and a
// minimum cut (Boost.Graph push-relabel). See docs/analysis.md for the units and the
// approximations (yields along alternative routes averaged by baseline flow).
#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/push_relabel_max_flow.hpp>
#include <cmath>
#include <deque>
#include <limits>
#include <map>

#include "rareshock/analysis/structure/structure.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/core/units.hpp"
#include "rareshock/sim/forcing.hpp"

namespace rareshock::analysis {

namespace {

constexpr double kScale = 1e6;                       // integer capacities in grams per day
constexpr long long kInf = 1'000'000'000'000'000LL;  // 1e15 g/day = 1e9 t/day: unbounded

using Traits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
using Graph = boost::adjacency_list<
    boost::vecS, boost::vecS, boost::directedS, boost::no_property,
    boost::property<boost::edge_capacity_t, long long,
                    boost::property<boost::edge_residual_capacity_t, long long,
                                    boost::property<boost::edge_reverse_t, Traits::edge_descriptor,
                                                    boost::property<boost::edge_name_t, int>>>>>;

// Arc tags: >= 0 a node's capacity arc (node index), <= -10 a model edge (-10 - edge index).
constexpr int kTagNone = -1;
constexpr int kTagReverse = -2;
int edge_tag(int e) {
  return -10 - e;
}

class FlowNet {
 public:
  explicit FlowNet(int vertices) : g_(vertices) {}
  void arc(int u, int v, long long cap, int tag) {
    if (cap <= 0) return;
    auto [e1, ok1] = boost::add_edge(u, v, g_);
    auto [e2, ok2] = boost::add_edge(v, u, g_);
    (void)ok1, (void)ok2;
    boost::put(boost::edge_capacity, g_, e1, cap);
    boost::put(boost::edge_capacity, g_, e2, 0LL);
    boost::put(boost::edge_reverse, g_, e1, e2);
    boost::put(boost::edge_reverse, g_, e2, e1);
    boost::put(boost::edge_name, g_, e1, tag);
    boost::put(boost::edge_name, g_, e2, kTagReverse);
  }
  long long max_flow(int s, int t) { return boost::push_relabel_max_flow(g_, s, t); }
  // Arcs from the residual-reachable side of s to the rest: a minimum cut nearest the sources.
  std::vector<std::pair<int, long long>> min_cut(int s) const {
    const auto n = boost::num_vertices(g_);
    std::vector<char> seen(n, 0);
    std::deque<std::size_t> q{static_cast<std::size_t>(s)};
    seen[s] = 1;
    auto res = boost::get(boost::edge_residual_capacity, g_);
    while (!q.empty()) {
      auto u = q.front();
      q.pop_front();
      for (auto [it, end] = boost::out_edges(u, g_); it != end; ++it) {
        auto v = boost::target(*it, g_);
        if (!seen[v] && res[*it] > 0) seen[v] = 1, q.push_back(v);
      }
    }
    std::vector<std::pair<int, long long>> cut;
    auto cap = boost::get(boost::edge_capacity, g_);
    auto name = boost::get(boost::edge_name, g_);
    for (std::size_t u = 0; u < n; ++u) {
      if (!seen[u]) continue;
      for (auto [it, end] = boost::out_edges(u, g_); it != end; ++it)
        if (!seen[boost::target(*it, g_)] && cap[*it] > 0) cut.emplace_back(name[*it], cap[*it]);
    }
    return cut;
  }

 private:
  Graph g_;
};

bool producing_stage(Stage s) {
  return s != Stage::Consumer && s != Stage::Stockpile;
}

long long to_units(double t_per_day) {
  if (!std::isfinite(t_per_day)) return kInf;
  double v = std::round(t_per_day * kScale);
  return v >= static_cast<double>(kInf) ? kInf : static_cast<long long>(v);
}

struct Limits {
  std::vector<double> edge;    // [t/day] of material; +inf when free
  std::vector<double> factor;  // node capacity multiplier
};

// The scenario's final state: restrictions and outages in force on the reference day (the
// day of its last change, unless given), licences at that day's approval fraction.
Limits limits_of(const sim::Network& net, const Model& model, const ChokepointOptions& opt,
                 bool with_scenario, int* reference_day) {
  Limits l;
  l.edge.assign(net.edges(), std::numeric_limits<double>::infinity());
  l.factor.assign(net.nodes(), 1.0);
  if (!with_scenario || !opt.scenario) return l;
  sim::Forcing f = sim::compile_forcing(net, model, {opt.scenario}, opt.start);
  int day = 0;
  for (const auto& r : f.restrictions) {
    day = std::max(day, r.start);
    for (const auto& [from, frac] : r.approval) day = std::max(day, from);
  }
  for (const auto& o : f.outages) day = std::max(day, o.start);
  if (opt.day) day = *opt.day;
  *reference_day = day;
  for (const auto& r : f.restrictions) {
    if (day < r.start || day > r.end) continue;
    double covered = 0;
    for (int e : r.edges) covered += net.e_flow[e];
    const double approval = r.approval_on(day);
    for (int e : r.edges) {
      double lim = 0;
      switch (r.regime) {
        case RegimeKind::Ban:
          lim = 0;
          break;
        case RegimeKind::Quota:
          lim = covered > 0 ? r.quota_per_day * net.e_flow[e] / covered
                            : r.quota_per_day / static_cast<double>(r.edges.size());
          break;
        case RegimeKind::Licence:
          lim = approval * (r.volume_cap >= 0 ? r.volume_cap : opt.licence_volume_cap) *
                net.e_flow[e];
          break;
      }
      l.edge[e] = std::min(l.edge[e], lim);
    }
  }
  for (const auto& o : f.outages)
    if (day >= o.start && day <= o.end)
      for (int n : o.nodes) l.factor[n] = std::min(l.factor[n], o.remaining);
  return l;
}

struct Target {
  std::string sector, region;
  std::vector<char> member;  // per node
};

// Targets: every sector (all regions, region "*"), then every sector × region.
std::vector<Target> targets_of(const sim::Network& net) {
  const int N = net.nodes();
  std::vector<Target> targets;
  std::map<std::string, std::vector<int>> sec;
  std::map<std::pair<std::string, std::string>, std::vector<int>> secreg;
  for (int n : net.consumer_nodes) {
    sec[net.sector[n]].push_back(n);
    secreg[{net.sector[n], net.region[n]}].push_back(n);
  }
  auto add = [&](const std::string& s, const std::string& r, const std::vector<int>& nodes) {
    Target t{s, r, std::vector<char>(N, 0)};
    for (int n : nodes) t.member[n] = 1;
    targets.push_back(std::move(t));
  };
  for (const auto& [s, nodes] : sec) add(s, "*", nodes);
  for (const auto& [k, nodes] : secreg) add(k.first, k.second, nodes);
  return targets;
}

// One element's content through the network under the initial recipes.
struct ElementFlow {
  const std::vector<double>& content;  // mass fraction of the element per material
  std::vector<double> ox, ix;          // element content per unit activity: out and in
  std::vector<char> carries;           // per edge: carries the element to a usable input
};

ElementFlow element_flow(const sim::Network& net, const std::vector<double>& content) {
  const int N = net.nodes(), E = net.edges();
  ElementFlow ef{content, std::vector<double>(N, 0.0), std::vector<double>(N, 0.0), {}};
  std::vector<char> usable_slot(net.in_slots(), 0);
  for (int n = 0; n < N; ++n) {
    const int r = net.initial_recipe[n];
    if (!producing_stage(net.stage[n]) || r < 0) continue;
    for (int o = net.out_begin[n]; o < net.out_begin[n + 1]; ++o)
      ef.ox[n] += net.out_coef(r, n, o) * content[net.out_material[o]];
    for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s) {
      double c = net.in_coef(r, n, s) * content[net.in_material[s]];
      ef.ix[n] += c;
      usable_slot[s] = c > 0;
    }
  }
  // An edge carries the element from a producer into a usable input or a consumer.
  ef.carries.assign(E, 0);
  for (int e = 0; e < E; ++e) {
    const int f = net.e_from[e], t = net.e_to[e];
    if (!producing_stage(net.stage[f]) || content[net.e_material[e]] <= 0) continue;
    ef.carries[e] = net.stage[t] == Stage::Consumer || usable_slot[net.e_in_slot[e]];
  }
  return ef;
}

// The target's baseline demand for the element [t/day].
double target_demand(const sim::Network& net, const Target& tg, const ElementFlow& ef) {
  double demand = 0;
  for (int n : net.consumer_nodes)
    if (tg.member[n])
      for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s)
        demand += net.demand[s] * ef.content[net.in_material[s]];
  return demand;
}

// Nodes that can deliver to the target (reverse search over carrying edges).
std::vector<char> reaching(const sim::Network& net, const Target& tg, const ElementFlow& ef) {
  const int N = net.nodes();
  std::vector<char> reach(N, 0);
  std::deque<int> q;
  for (int n = 0; n < N; ++n)
    if (tg.member[n]) reach[n] = 1, q.push_back(n);
  while (!q.empty()) {
    int v = q.front();
    q.pop_front();
    for (int s = net.in_begin[v]; s < net.in_begin[v + 1]; ++s)
      for (int k = net.in_edge_begin[s]; k < net.in_edge_begin[s + 1]; ++k) {
        int e = k;
        if (ef.carries[e] && !reach[net.e_from[e]])
          reach[net.e_from[e]] = 1, q.push_back(net.e_from[e]);
      }
  }
  return reach;
}

// Delivery of one element to one target: which nodes reach it and the delivered-equivalent
// factor g per node (tonnes of the element arriving at the target per tonne in the node's
// output; downstream yields averaged by baseline flow).
struct Delivery {
  const sim::Network& net;
  const Target& tg;
  const ElementFlow& ef;
  std::vector<char> reach;
  std::vector<double> g;

  // Delivered-equivalent factor of a tonne of the element on edge e.
  double h_of(int e) const {
    int t = net.e_to[e];
    if (net.stage[t] == Stage::Consumer) return tg.member[t] ? 1.0 : 0.0;
    return ef.ix[t] > 0 ? ef.ox[t] / ef.ix[t] * g[t] : 0.0;
  }
  // One Gauss-Seidel update of g at node n (from its carrying out-edges); returns the value.
  double update(int n) const {
    double wsum = 0, hsum = 0, esum = 0;
    int cnt = 0;
    for (int o = net.out_begin[n]; o < net.out_begin[n + 1]; ++o)
      for (int k = net.out_edge_begin[o]; k < net.out_edge_begin[o + 1]; ++k) {
        int e = net.out_edges[k];
        if (!ef.carries[e] || !reach[net.e_to[e]]) continue;
        double w = net.e_flow[e] * ef.content[net.e_material[e]];
        double h = h_of(e);
        wsum += w, hsum += w * h, esum += h, ++cnt;
      }
    return wsum > 0 ? hsum / wsum : cnt > 0 ? esum / cnt : 0.0;
  }
  void solve() {
    const int N = net.nodes();
    g.assign(N, 0.0);
    for (int iter = 0; iter <= N + 1; ++iter) {
      double change = 0;
      for (int n = 0; n < N; ++n) {
        if (!reach[n] || net.stage[n] == Stage::Consumer || !producing_stage(net.stage[n]))
          continue;
        double v = update(n);
        change = std::max(change, std::fabs(v - g[n]));
        g[n] = v;
      }
      if (change < 1e-12) break;
    }
  }
};

// Arcs of a delivery under the limits into \p fn (2 + 2 N vertices; built in place: the
// arcs refer to each other). 0 = source, 1 = sink, node n: in 2 + 2n, out 3 + 2n; capacities
// in delivered-equivalent units.
void add_arcs(FlowNet& fn, const Delivery& d, const Limits& lim) {
  const sim::Network& net = d.net;
  const int N = net.nodes(), E = net.edges();
  for (int n = 0; n < N; ++n) {
    if (!d.reach[n] || !producing_stage(net.stage[n]) || d.ef.ox[n] <= 0) continue;
    fn.arc(2 + 2 * n, 3 + 2 * n, to_units(net.capacity[n] * lim.factor[n] * d.ef.ox[n] * d.g[n]),
           n);
    if (d.ef.ix[n] <= 0) fn.arc(0, 2 + 2 * n, kInf, kTagNone);
  }
  for (int e = 0; e < E; ++e) {
    const int f = net.e_from[e], t = net.e_to[e];
    if (!d.ef.carries[e] || !d.reach[f] || !d.reach[t]) continue;
    const double per_t = d.ef.content[net.e_material[e]] * d.h_of(e);
    if (per_t <= 0) continue;
    const long long cap = std::isfinite(lim.edge[e]) ? to_units(lim.edge[e] * per_t) : kInf;
    const int head = net.stage[t] == Stage::Consumer ? 1 : 2 + 2 * t;
    fn.arc(3 + 2 * f, head, cap, std::isfinite(lim.edge[e]) ? edge_tag(e) : kTagNone);
  }
}

// The minimum cut as rows, largest capacity first (stable among equals).
std::vector<CutItem> cut_items(const sim::Network& net, const FlowNet& fn) {
  std::vector<CutItem> cut;
  for (auto [tag, cap] : fn.min_cut(0)) {
    CutItem item;
    if (tag >= 0) {
      item.kind = CutKind::Node;
      item.id = net.node_id[tag];
      item.stage = to_string(net.stage[tag]);
      item.country = net.country[tag] >= 0 ? net.country_id[net.country[tag]] : "";
    } else if (tag <= -10) {
      const int e = -10 - tag;
      item.kind = CutKind::Edge;
      item.id = net.edge_label(e);
      item.stage = to_string(net.stage[net.e_from[e]]);
      item.country =
          net.country[net.e_from[e]] >= 0 ? net.country_id[net.country[net.e_from[e]]] : "";
    } else {
      continue;
    }
    item.capacity_t = Rate::per_day(static_cast<double>(cap) / kScale).per_year();
    cut.push_back(std::move(item));
  }
  std::stable_sort(cut.begin(), cut.end(),
                   [](const CutItem& a, const CutItem& b) { return a.capacity_t > b.capacity_t; });
  return cut;
}

}  // namespace

std::vector<ChokepointRow> chokepoints(const sim::Network& net, const Model& model,
                                       const OriginTrace& trace, const ChokepointOptions& options) {
  const std::vector<Target> targets = targets_of(net);
  std::vector<ChokepointRow> out;
  const int cases = options.scenario ? 2 : 1;
  for (int cs = 0; cs < cases; ++cs) {
    int reference_day = -1;
    const Limits lim = limits_of(net, model, options, cs == 1, &reference_day);
    const std::string case_id = cs == 0 ? "baseline" : options.scenario->id;
    for (std::size_t x = 0; x < trace.elements.size(); ++x) {
      const ElementFlow ef = element_flow(net, trace.content[x]);
      for (const Target& tg : targets) {
        const double demand = target_demand(net, tg, ef);
        if (demand <= 0) continue;
        Delivery d{net, tg, ef, reaching(net, tg, ef), {}};
        d.solve();
        FlowNet fn(2 + 2 * net.nodes());
        add_arcs(fn, d, lim);
        ChokepointRow row;
        row.case_id = case_id;
        row.sector = tg.sector;
        row.region = tg.region;
        row.element = trace.elements[x];
        row.reference_day = reference_day;
        row.demand_t = Rate::per_day(demand).per_year();
        const long long flow = fn.max_flow(0, 1);
        if (flow >= kInf)
          throw RuntimeError(
              fmt::format("chokepoints: unbounded flow of {} to {}", row.element, row.sector));
        row.max_flow_t = Rate::per_day(static_cast<double>(flow) / kScale).per_year();
        row.cut = cut_items(net, fn);
        out.push_back(std::move(row));
      }
    }
  }
  return out;
}

}  // namespace rareshock::analysis
