#include "rareshock/analysis/run/why.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "rareshock/sim/engine.hpp"

namespace rareshock::analysis {

namespace {

constexpr int kMaxDepth = 12;
/// A supplier whose capacity over the window is below this share of its baseline had an outage.
constexpr double kOutageShare = 0.995;
/// A supplier whose activity is at least this share of its capacity ran full.
constexpr double kFullShare = 0.98;
/// A day with a shortfall above this share of the need ends a consumer's window no earlier.
constexpr double kShortTol = 1e-9;

bool stockpile(const sim::Network& net, int node) {
  return net.stage[node] == Stage::Stockpile;
}

}  // namespace

WhyRecorder::WhyRecorder(const sim::Engine& engine, int days)
    : eng_(engine), net_(engine.network()), days_(days) {
  const auto E = static_cast<std::size_t>(net_.edges()) * days;
  const auto N = static_cast<std::size_t>(net_.nodes()) * days;
  const auto S = static_cast<std::size_t>(net_.in_slots()) * days;
  const auto O = static_cast<std::size_t>(net_.out_slots()) * days;
  for (auto* v : {&ord_, &pass_, &ship_, &arr_}) v->assign(E, 0.0);
  hold_.assign(E, -1);
  act_.assign(N, 0.0);
  cap_.assign(N, 0.0);
  for (auto* v : {&stock_, &transit_, &demand_, &consumed_, &want_}) v->assign(S, 0.0);
  out_stock_.assign(O, 0.0);
  covering_.resize(static_cast<std::size_t>(net_.edges()));
  const auto& rs = engine.forcing().restrictions;
  for (std::size_t r = 0; r < rs.size(); ++r) {
    const int b = engine.licences().begin(static_cast<int>(r));
    for (std::size_t k = 0; k < rs[r].edges.size(); ++k)
      covering_[static_cast<std::size_t>(rs[r].edges[k])].emplace_back(static_cast<int>(r),
                                                                       b + static_cast<int>(k));
  }
}

bool WhyRecorder::fits(const sim::Network& net, int days) {
  const double cells =
      static_cast<double>(days) * (net.edges() + net.nodes() + net.in_slots() + net.out_slots());
  return cells <= kMaxCells;
}

void WhyRecorder::on_day(const sim::Engine& eng) {
  const int d = eng.day();
  if (d < 0 || d >= days_) return;
  const auto& rs = eng.forcing().restrictions;
  const auto& covered = eng.covered();
  for (int e = 0; e < net_.edges(); ++e) {
    const std::size_t i = static_cast<std::size_t>(e) * days_ + d;
    const double o = eng.order()[e];
    ord_[i] = o;
    pass_[i] = std::min(o, eng.pass_limit()[e]);
    ship_[i] = eng.shipped()[e];
    arr_[i] = eng.arrived()[e];
    for (const auto& [r, li] : covering_[static_cast<std::size_t>(e)]) {
      const auto& x = rs[static_cast<std::size_t>(r)];
      if (d < x.start || d > x.end) continue;
      if (li < static_cast<int>(covered.size()) && !covered[static_cast<std::size_t>(li)]) continue;
      hold_[i] = r;
      break;
    }
  }
  for (int n = 0; n < net_.nodes(); ++n) {
    const std::size_t i = static_cast<std::size_t>(n) * days_ + d;
    act_[i] = eng.activity()[n];
    cap_[i] = eng.capacity_now()[n];
  }
  for (int s = 0; s < net_.in_slots(); ++s) {
    const std::size_t i = static_cast<std::size_t>(s) * days_ + d;
    stock_[i] = eng.in_stock()[s];
    transit_[i] = eng.in_transit()[s];
    demand_[i] = eng.demand_now()[s];
    consumed_[i] = eng.consumed()[s];
    want_[i] = eng.want()[s];
  }
  for (int o = 0; o < net_.out_slots(); ++o)
    out_stock_[static_cast<std::size_t>(o) * days_ + d] = eng.out_stock()[o];
}

WhyRecorder::Sums WhyRecorder::edge_sums(int e, int a, int b) const {
  Sums s;
  const std::size_t base = static_cast<std::size_t>(e) * days_;
  for (int d = a; d <= b; ++d) {
    s.ordered += ord_[base + d];
    s.passed += pass_[base + d];
    s.shipped += ship_[base + d];
    s.arrived += arr_[base + d];
  }
  return s;
}

std::vector<int> WhyRecorder::in_edges(int node) const {
  std::vector<int> out;
  for (int s = net_.in_begin[node]; s < net_.in_begin[node + 1]; ++s)
    for (int j = net_.in_edge_begin[s]; j < net_.in_edge_begin[s + 1]; ++j) out.push_back(j);
  return out;
}

std::string WhyRecorder::place(int node) const {
  const int c = net_.country[node];
  return c >= 0 ? net_.country_id[c] : net_.region[node];
}

int WhyRecorder::window_start(int consumer) const {
  // Upstream closure of the consumer (reverse reachability over the edges).
  std::vector<char> up(static_cast<std::size_t>(net_.nodes()), 0);
  std::vector<int> stack = {consumer};
  up[consumer] = 1;
  while (!stack.empty()) {
    const int n = stack.back();
    stack.pop_back();
    for (int e : in_edges(n))
      if (!up[net_.e_from[e]]) up[net_.e_from[e]] = 1, stack.push_back(net_.e_from[e]);
  }
  const sim::Forcing& f = eng_.forcing();
  int upstream = sim::kNever, any = sim::kNever;
  for (const auto& r : f.restrictions) {
    any = std::min(any, r.start);
    for (int e : r.edges)
      if (up[net_.e_to[e]]) {
        upstream = std::min(upstream, r.start);
        break;
      }
  }
  for (const auto& o : f.outages) {
    any = std::min(any, o.start);
    for (int n : o.nodes)
      if (up[n]) {
        upstream = std::min(upstream, o.start);
        break;
      }
  }
  const int start = upstream < sim::kNever ? upstream : any < sim::kNever ? any : 0;
  return std::clamp(start, 0, std::max(0, days_ - 1));
}

std::vector<WhyConstraint> WhyRecorder::restrictions_on(const std::vector<int>& edges, int a, int b,
                                                        int depth) const {
  struct Acc {
    double ordered = 0, passed = 0;
    int edge = -1;
    double edge_blocked = -1;
  };
  std::map<int, Acc> by;
  for (int e : edges) {
    const std::size_t base = static_cast<std::size_t>(e) * days_;
    std::map<int, double> blocked_here;
    for (int d = a; d <= b; ++d) {
      const int r = hold_[base + d];
      if (r < 0) continue;
      Acc& acc = by[r];
      acc.ordered += ord_[base + d];
      acc.passed += pass_[base + d];
      blocked_here[r] += ord_[base + d] - pass_[base + d];
    }
    for (const auto& [r, x] : blocked_here)
      if (x > by[r].edge_blocked) by[r].edge_blocked = x, by[r].edge = e;
  }
  std::vector<WhyConstraint> out;
  const auto& rs = eng_.forcing().restrictions;
  for (const auto& [r, acc] : by) {
    if (acc.ordered <= 0 || acc.edge < 0) continue;
    const auto& x = rs[static_cast<std::size_t>(r)];
    const int e = acc.edge;
    WhyConstraint c;
    c.kind = "restriction";
    c.event = x.event_id;
    c.regime = to_string(x.regime);
    c.node = net_.node_id[net_.e_from[e]];
    c.from_place = place(net_.e_from[e]);
    c.to_place = place(net_.e_to[e]);
    c.from_stage = to_string(net_.stage[net_.e_from[e]]);
    c.to_stage = to_string(net_.stage[net_.e_to[e]]);
    c.material = net_.material_id[net_.e_material[e]];
    c.ordered_t = acc.ordered;
    c.passed_t = acc.passed;
    c.depth = depth;
    out.push_back(std::move(c));
  }
  std::stable_sort(out.begin(), out.end(), [](const WhyConstraint& x, const WhyConstraint& y) {
    return x.ordered_t - x.passed_t > y.ordered_t - y.passed_t;
  });
  return out;
}

std::optional<WhyConstraint> WhyRecorder::trace(int node, int a, int b, int depth,
                                                std::vector<char>& visited) const {
  visited[static_cast<std::size_t>(node)] = 1;
  if (depth > 0) {
    // A supplier that rationed its customers: an outage, its full capacity, or its inputs —
    // judged on the days it rationed (all the window's days when it never did).
    std::vector<int> days;
    for (int d = a; d <= b; ++d) {
      double passed = 0, shipped = 0;
      for (int o = net_.out_begin[node]; o < net_.out_begin[node + 1]; ++o)
        for (int k = net_.out_edge_begin[o]; k < net_.out_edge_begin[o + 1]; ++k) {
          const std::size_t i = static_cast<std::size_t>(net_.out_edges[k]) * days_ + d;
          passed += pass_[i];
          shipped += ship_[i];
        }
      if (passed - shipped > 1e-9 * (passed + 1)) days.push_back(d);
    }
    if (days.empty())
      for (int d = a; d <= b; ++d) days.push_back(d);
    double cap = 0, act = 0;
    const std::size_t base = static_cast<std::size_t>(node) * days_;
    for (int d : days) cap += cap_[base + d], act += act_[base + d];
    const double base_cap = net_.capacity[node] * static_cast<double>(days.size());
    WhyConstraint c;
    c.node = net_.node_id[node];
    c.from_place = place(node);
    c.from_stage = to_string(net_.stage[node]);
    c.depth = depth;
    if (base_cap > 0 && cap < kOutageShare * base_cap) {
      c.kind = "outage";
      c.ratio = cap / base_cap;
      return c;
    }
    if (cap > 0 && act >= kFullShare * cap) {
      c.kind = "capacity";
      c.ratio = act / cap;
      return c;
    }
  }
  std::vector<int> edges;
  for (int e : in_edges(node))
    if (!stockpile(net_, net_.e_from[e])) edges.push_back(e);
  double blocked = 0, rationed = 0, ordered = 0;
  std::map<int, double> by_supplier;
  for (int e : edges) {
    const Sums s = edge_sums(e, a, b);
    ordered += s.ordered;
    blocked += s.ordered - s.passed;
    const double r = std::max(0.0, s.passed - s.shipped);
    rationed += r;
    by_supplier[net_.e_from[e]] += r;
  }
  const double eps = 1e-9 * (ordered + 1);
  if (blocked >= rationed && blocked > eps) {
    auto rs = restrictions_on(edges, a, b, depth);
    if (!rs.empty()) return rs.front();
  }
  if (rationed <= eps) return std::nullopt;
  int best = -1;
  double most = 0;
  for (const auto& [s, r] : by_supplier)
    if (r > most) most = r, best = s;
  if (best < 0) return std::nullopt;
  if (!visited[static_cast<std::size_t>(best)] && depth < kMaxDepth)
    if (auto c = trace(best, a, b, depth + 1, visited)) return c;
  // The supplier ran short for no reason found upstream (e.g. its own stock ran out).
  WhyConstraint c;
  c.kind = "supplier";
  c.node = net_.node_id[best];
  c.from_place = place(best);
  c.from_stage = to_string(net_.stage[best]);
  c.depth = depth + 1;
  return c;
}

std::vector<WhyRecord> WhyRecorder::explain() const {
  std::vector<WhyRecord> out;
  if (days_ <= 0) return out;
  for (int n : net_.consumer_nodes) {
    WhyRecord w;
    const int a = window_start(n);
    int b = -1;
    for (int d = a; d < days_; ++d) {
      double want = 0, cons = 0;
      for (int s = net_.in_begin[n]; s < net_.in_begin[n + 1]; ++s)
        want += want_[static_cast<std::size_t>(s) * days_ + d],
            cons += consumed_[static_cast<std::size_t>(s) * days_ + d];
      if (want > 0 && want - cons > kShortTol * want) b = d;
    }
    if (b < 0) b = days_ - 1;
    w.from_day = a;
    w.to_day = b;
    const double len = b - a + 1;
    for (int s = net_.in_begin[n]; s < net_.in_begin[n + 1]; ++s) {
      const std::size_t base = static_cast<std::size_t>(s) * days_;
      double demand = 0, consumed = 0;
      for (int d = a; d <= b; ++d) demand += demand_[base + d], consumed += consumed_[base + d];
      w.demand_t += demand;
      w.unmet_t += demand - consumed;
      w.baseline_demand_t += net_.demand[s] * len;
      double transit0 = 0;
      for (int j = net_.in_edge_begin[s]; j < net_.in_edge_begin[s + 1]; ++j) {
        const int e = j;
        transit0 += net_.e_flow[e] * net_.e_lead[e];
      }
      const double stock_start = a > 0 ? stock_[base + a - 1] : net_.in_initial[s];
      const double transit_start = a > 0 ? transit_[base + a - 1] : transit0;
      w.stock_drawn_t += stock_start - stock_[base + b];
      w.pipeline_drawn_t += transit_start - transit_[base + b];
      for (int j = net_.in_edge_begin[s]; j < net_.in_edge_begin[s + 1]; ++j) {
        const int e = j;
        const int from = net_.e_from[e];
        const Sums sums = edge_sums(e, a, b);
        WhySupplier x;
        x.supplier = net_.node_id[from];
        x.place = place(from);
        x.stage = to_string(net_.stage[from]);
        x.material = net_.material_id[net_.e_material[e]];
        x.before_t = net_.e_flow[e] * len;
        x.during_t = sums.arrived;
        x.standby = net_.e_share[e] <= 0 && !stockpile(net_, from);
        w.inflow_t += sums.arrived;
        w.baseline_inflow_t += x.before_t;
        if (stockpile(net_, from)) w.from_stockpiles_t += sums.arrived;
        // The supplier's finished stock drawn, in proportion to what it shipped to us.
        const int o = net_.e_out_slot[e];
        const std::size_t ob = static_cast<std::size_t>(o) * days_;
        const double f0 = a > 0 ? out_stock_[ob + a - 1] : net_.out_initial[o];
        const double drawn = f0 - out_stock_[ob + b];
        if (drawn > 0 && sums.shipped > 0) {
          double all = 0;
          for (int k = net_.out_edge_begin[o]; k < net_.out_edge_begin[o + 1]; ++k)
            all += edge_sums(net_.out_edges[k], a, b).shipped;
          if (all > 0) w.supplier_stock_drawn_t += drawn * sums.shipped / all;
        }
        if (x.before_t > 0 || x.during_t > 0) w.suppliers.push_back(std::move(x));
      }
    }
    std::stable_sort(
        w.suppliers.begin(), w.suppliers.end(),
        [](const WhySupplier& x, const WhySupplier& y) { return x.change_t() < y.change_t(); });
    const std::vector<int> own = in_edges(n);
    w.restrictions = restrictions_on(own, a, b, 0);
    std::vector<char> visited(static_cast<std::size_t>(net_.nodes()), 0);
    w.binding = trace(n, a, b, 0, visited);
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace rareshock::analysis
