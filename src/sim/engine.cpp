#include "rareshock/sim/engine.hpp"

#include "rareshock/core/error.hpp"
#include "rareshock/model/study.hpp"
#include "rareshock/sim/rationing.hpp"

#include <fmt/format.h>

#include <tbb/blocked_range.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>

namespace rareshock::sim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kFillTol = 1e-9;
constexpr int kAhead = 16;  ///< edges ahead to prefetch in the loops that scatter or gather
bool active(int t, int start, int end) {
  return t >= start && t <= end;
}

// Bounds of \p chunks ranges over [0, n) with about equal total \p weight (chunks + 1 values;
// ranges may be empty).
template <class W>
std::vector<int> split(int n, int chunks, W weight) {
  std::vector<double> prefix(static_cast<std::size_t>(n) + 1, 0.0);
  for (int i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + weight(i);
  std::vector<int> bounds(chunks + 1, n);
  bounds[0] = 0;
  for (int c = 1; c < chunks; ++c) {
    const double goal = prefix[n] * c / chunks;
    bounds[c] =
        static_cast<int>(std::lower_bound(prefix.begin(), prefix.end(), goal) - prefix.begin());
    bounds[c] = std::clamp(bounds[c], bounds[c - 1], n);
  }
  return bounds;
}
}  // namespace

// The engine's own task arena (threads > 1), or none: the calling arena (threads 0).
struct Engine::Parallel {
  std::unique_ptr<tbb::task_arena> arena;
};

EngineSettings engine_settings(const EngineParams& p) {
  EngineSettings s;
  s.switching_lag = p.switching_lag;
  s.share_reversion = p.share_reversion;
  s.licence_volume_cap = p.licence_volume_cap;
  s.qualification_time = p.qualification_time;
  s.qualification = p.qualification;
  s.origin_stages = p.origin_stages;
  s.track_origin = p.origin_tracking == EngineParams::Tracking::On;
  s.no_origin = p.origin_tracking == EngineParams::Tracking::Off;
  return s;
}

Engine::Engine(const Network& net, const Forcing& forcing, EngineSettings settings)
    : net_(net),
      forcing_(forcing),
      settings_(settings),
      licences_(net, forcing, settings.licence_volume_cap) {
  const int E = net.edges();
  from_stockpile_.assign(E, 0);
  for (int e = 0; e < E; ++e) from_stockpile_[e] = net.stage[net.e_from[e]] == Stage::Stockpile;
  // Qualification: only standby suppliers (baseline share 0) need it. The edge's own value,
  // else its material's, else the default.
  qualification_.assign(E, 0);
  for (int e = 0; e < E; ++e) {
    if (net.e_share[e] > 0) continue;
    double q = settings_.qualification_time;
    for (const auto& [id, days] : settings_.qualification)
      if (net.material_index(id) == net.e_material[e]) q = days;
    if (net.qualification(e) >= 0) q = net.qualification(e);
    qualification_[e] = static_cast<int>(std::lround(std::max(0.0, q)));
  }
  // Supplier-major positions: out_edges lists each output slot's customer edges.
  sm_pos_.assign(E, 0);
  for (int k = 0; k < E; ++k) sm_pos_[net.out_edges[k]] = k;
  order_sm_.assign(E, 0.0);
  // Edges some restriction covers: the only pass limits that are ever not ∞.
  std::vector<char> restricted(E, 0);
  for (const auto& r : forcing.restrictions)
    for (int e : r.edges) restricted[e] = 1;
  for (int e = 0; e < E; ++e)
    if (restricted[e]) restricted_.push_back(e);
  setup_pipelines();
  covered_.assign(licences_.begin(static_cast<int>(forcing.restrictions.size())), 1);
  if (forcing.needs_origin && settings_.no_origin)
    throw RuntimeError(
        "an event has an origin_content condition, but engine.origin.tracking is off");
  if (forcing.needs_origin || settings_.track_origin) {
    for (const auto& r : forcing.restrictions)
      for (Stage st : r.origin.stages)
        if (std::find(settings_.origin_stages.begin(), settings_.origin_stages.end(), st) ==
            settings_.origin_stages.end())
          throw RuntimeError("event '" + r.event_id + "': origin_content counts stage '" +
                             to_string(st) +
                             "', which is not tracked (engine.origin.stages); add it there");
    const int cells = static_cast<int>(cal_.size());
    try {
      origin_ = std::make_unique<OriginTracker>(net, settings_.origin_stages, cells);
    } catch (const TooManyOriginKeys&) {
      // Too many combinations to keep every country apart: keep the countries the rules
      // name and pool the others as "other" (what the rules need, a coarser origin mix).
      std::vector<char> keep(net.country_id.size(), 0);
      for (const auto& r : forcing.restrictions)
        for (std::size_t c = 0; c < r.origin.country.size(); ++c) keep[c] |= r.origin.country[c];
      origin_ = std::make_unique<OriginTracker>(net, settings_.origin_stages, cells, &keep);
    }
    for (const auto& r : forcing.restrictions)
      if (r.origin.on) origin_->index_rule(r.origin);
  }
  setup_parallel();
  reset();
}

Engine::~Engine() = default;

// Pipelines: an arrival calendar per input slot, as long as the slot's longest lead time plus
// the most extra lead time of delays plus 1 (the day it arrives); with edge_arrivals also a
// ring per edge of its own lead time plus the most extra lead plus 1, to tell what each edge
// delivers.
void Engine::setup_pipelines() {
  const Network& net = net_;
  const int E = net.edges(), S = net.in_slots();
  int max_extra = forcing_.max_extra_lead;
  if (!forcing_.delays.empty()) {  // delays on one edge add up
    std::vector<int> extra(E, 0);
    for (const auto& d : forcing_.delays)
      for (int e : d.edges) max_extra = std::max(max_extra, extra[e] += d.extra);
  }
  has_delays_ = max_extra > 0 || !forcing_.delays.empty();
  cal_begin_.assign(static_cast<std::size_t>(S) + 1, 0);
  for (int s = 0; s < S; ++s) {
    int longest = -1;
    for (int k = net.in_edge_begin[s]; k < net.in_edge_begin[s + 1]; ++k)
      longest = std::max(longest, net.e_lead[k]);
    const int len = longest < 0 ? 0 : longest + max_extra + 1;  // no suppliers: none
    cal_begin_[s + 1] = cal_begin_[s] + static_cast<std::size_t>(len);
  }
  cal_.assign(cal_begin_[S], 0.0);
  if (settings_.edge_arrivals) {
    ring_begin_.assign(static_cast<std::size_t>(E) + 1, 0);
    for (int e = 0; e < E; ++e)
      ring_begin_[e + 1] = ring_begin_[e] + static_cast<std::size_t>(net.e_lead[e] + max_extra + 1);
    ring_.assign(ring_begin_[E], 0.0);
  }
}

// Day 0: shipments sent on days -L..-1 arrive on days 0..L-1, so the pipelines hold L days of
// each edge's baseline flow (origin: the supplier's baseline mix).
void Engine::fill_pipelines() {
  const Network& net = net_;
  std::fill(cal_.begin(), cal_.end(), 0.0);
  std::fill(ring_.begin(), ring_.end(), 0.0);
  cal_today_.assign(net.in_slots(), 0);  // day 0
  in_transit_.assign(net.in_slots(), 0.0);
  for (int s = 0; s < net.in_slots(); ++s) {
    const std::size_t b = cal_begin_[s];
    for (int k = net.in_edge_begin[s]; k < net.in_edge_begin[s + 1]; ++k) {
      const int e = k, lead = net.e_lead[e];
      const double flow = net.e_flow[e];
      for (int d = 0; d < lead; ++d) {  // d < the calendar's length
        if (origin_) origin_->ship(net.e_out_slot[e], static_cast<int>(b + d), cal_[b + d], flow);
        cal_[b + d] += flow;
        if (!ring_.empty()) ring_[ring_begin_[e] + d] = flow;
      }
      in_transit_[s] += flow * lead;
    }
  }
}

// Chunks for the day's loops: EngineSettings::threads, the calling arena's concurrency (0,
// large networks only), or one. About 4 chunks per thread, balanced by edges, so a thread
// slowed by other work is caught up by the others.
void Engine::setup_parallel() {
  const Network& net = net_;
  int threads = settings_.threads;
  if (threads <= 0)
    threads =
        net.edges() >= EngineSettings::kParallelEdges ? tbb::this_task_arena::max_concurrency() : 1;
  threads_ = std::max(1, threads);
  const int chunks = threads_ > 1 ? 4 * threads_ : 1;
  if (threads_ > 1) {
    par_ = std::make_unique<Parallel>();
    if (settings_.threads > 1)  // no more threads than cores (the chunks stay as asked)
      par_->arena =
          std::make_unique<tbb::task_arena>(std::min(threads_, tbb::info::default_concurrency()));
  }
  node_bounds_ = split(net.nodes(), chunks, [&](int n) {
    double w = 1;
    for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s)
      w += 1 + net.in_edge_begin[s + 1] - net.in_edge_begin[s];
    for (int o = net.out_begin[n]; o < net.out_begin[n + 1]; ++o)
      w += 1 + net.out_edge_begin[o + 1] - net.out_edge_begin[o];
    return w;
  });
  slot_bounds_ = split(net.in_slots(), chunks, [&](int s) {
    return 1.0 + net.in_edge_begin[s + 1] - net.in_edge_begin[s];
  });
  out_bounds_ = split(net.out_slots(), chunks, [&](int o) {
    return 1.0 + net.out_edge_begin[o + 1] - net.out_edge_begin[o];
  });
  consumer_bounds_ = split(static_cast<int>(net.consumer_nodes.size()), chunks, [&](int i) {
    const int n = net.consumer_nodes[i];
    return 1.0 + net.in_begin[n + 1] - net.in_begin[n];
  });
  int max_out = 0, max_in = 0;
  for (int o = 0; o < net.out_slots(); ++o)
    max_out = std::max(max_out, net.out_edge_begin[o + 1] - net.out_edge_begin[o]);
  for (int s = 0; s < net.in_slots(); ++s)
    max_in = std::max(max_in, net.in_edge_begin[s + 1] - net.in_edge_begin[s]);
  chunks_.resize(chunks);
  for (auto& c : chunks_) {
    c.prio.resize(max_out);
    c.contract.resize(max_out);
    c.out.resize(max_out);
    c.part.resize(max_in);
    c.kind.resize(max_in);
    if (origin_) c.origin = origin_->work();
  }
}

void Engine::run_chunks(const std::vector<int>& bounds, RangeFn f, int t) {
  const int C = static_cast<int>(bounds.size()) - 1;
  if (!par_) {
    (this->*f)(t, bounds[0], bounds[C], chunks_[0]);
    return;
  }
  auto loop = [&] {
    tbb::parallel_for(
        tbb::blocked_range<int>(0, C, 1),
        [&](const tbb::blocked_range<int>& r) {
          for (int c = r.begin(); c < r.end(); ++c)
            if (bounds[c] < bounds[c + 1]) (this->*f)(t, bounds[c], bounds[c + 1], chunks_[c]);
        },
        tbb::simple_partitioner());
  };
  if (par_->arena)
    par_->arena->execute(loop);
  else
    loop();
}

std::vector<std::pair<std::string, std::size_t>> Engine::memory() const {
  std::vector<std::pair<std::string, std::size_t>> m;
  auto add = [&m](const char* name, const auto& v) {
    m.emplace_back(name, v.capacity() * sizeof(v[0]));
  };
#define RARESHOCK_ENGINE_ARRAY(v) add(#v, v)
  RARESHOCK_ENGINE_ARRAY(in_stock_);
  RARESHOCK_ENGINE_ARRAY(in_transit_);
  RARESHOCK_ENGINE_ARRAY(out_stock_);
  RARESHOCK_ENGINE_ARRAY(room_);
  RARESHOCK_ENGINE_ARRAY(order_);
  RARESHOCK_ENGINE_ARRAY(order_sm_);
  RARESHOCK_ENGINE_ARRAY(sm_pos_);
  RARESHOCK_ENGINE_ARRAY(shipped_);
  RARESHOCK_ENGINE_ARRAY(fill_);
  RARESHOCK_ENGINE_ARRAY(arrived_);
  RARESHOCK_ENGINE_ARRAY(share_);
  RARESHOCK_ENGINE_ARRAY(limit_);
  RARESHOCK_ENGINE_ARRAY(restricted_);
  RARESHOCK_ENGINE_ARRAY(activity_);
  RARESHOCK_ENGINE_ARRAY(prev_desired_);
  RARESHOCK_ENGINE_ARRAY(cap_now_);
  RARESHOCK_ENGINE_ARRAY(recipe_now_);
  RARESHOCK_ENGINE_ARRAY(demand_now_);
  RARESHOCK_ENGINE_ARRAY(want_);
  RARESHOCK_ENGINE_ARRAY(consumed_);
  RARESHOCK_ENGINE_ARRAY(shortfall_);
  RARESHOCK_ENGINE_ARRAY(backlog_);
  RARESHOCK_ENGINE_ARRAY(extra_lead_);
  RARESHOCK_ENGINE_ARRAY(from_stockpile_);
  RARESHOCK_ENGINE_ARRAY(share_moved_);
  RARESHOCK_ENGINE_ARRAY(qualification_);
  RARESHOCK_ENGINE_ARRAY(looking_since_);
  RARESHOCK_ENGINE_ARRAY(expanded_);
  RARESHOCK_ENGINE_ARRAY(cal_);
  RARESHOCK_ENGINE_ARRAY(cal_begin_);
  RARESHOCK_ENGINE_ARRAY(cal_today_);
  RARESHOCK_ENGINE_ARRAY(ring_);
  RARESHOCK_ENGINE_ARRAY(ring_begin_);
  RARESHOCK_ENGINE_ARRAY(cum_produced_);
  RARESHOCK_ENGINE_ARRAY(cum_shipped_);
  RARESHOCK_ENGINE_ARRAY(cum_arrived_);
  RARESHOCK_ENGINE_ARRAY(cum_used_);
  RARESHOCK_ENGINE_ARRAY(covered_);
#undef RARESHOCK_ENGINE_ARRAY
  m.emplace_back("licences_", licences_.bytes());
  if (origin_) m.emplace_back("origin_", origin_->bytes());
  std::stable_sort(m.begin(), m.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return m;
}

std::size_t Engine::bytes() const {
  std::size_t b = 0;
  for (const auto& [name, n] : memory()) b += n;
  return b;
}

double Engine::worst_snap() const {
  double w = worst_snap_;
  for (const auto& c : chunks_) w = std::min(w, c.worst_snap);
  return w;
}

void Engine::invariant_failed(double v, double scale, Quantity q, int index) const {
  std::string what;
  switch (q) {
    case Quantity::InStock:
    case Quantity::InTransit:
      what =
          fmt::format("{} of input slot {} (node '{}', material '{}')",
                      q == Quantity::InStock ? "stock on hand" : "stock in transit", index,
                      net_.node_id[net_.in_node[index]], net_.material_id[net_.in_material[index]]);
      break;
    case Quantity::OutStock:
      what = fmt::format("finished stock of output slot {} (node '{}', material '{}')", index,
                         net_.node_id[net_.out_node[index]],
                         net_.material_id[net_.out_material[index]]);
      break;
    case Quantity::Unfilled:
      what = fmt::format("unfilled orders behind edge {} ('{}' -> '{}')", index,
                         net_.node_id[net_.e_from[index]], net_.node_id[net_.e_to[index]]);
      break;
    case Quantity::Activity:
      what = fmt::format("activity of node '{}'", net_.node_id[index]);
      break;
  }
  throw RuntimeError(fmt::format(
      "internal error: on day {} the {} is {:.17g} (from quantities of size {:.6g}), below zero "
      "by more than round-off; please report this bug with the input",
      day_ + 1, what, v, scale));
}

void Engine::reset() {
  const int N = net_.nodes(), E = net_.edges(), S = net_.in_slots(), O = net_.out_slots();
  day_ = -1;
  worst_snap_ = 0;
  for (auto& c : chunks_) c.worst_snap = 0;
  in_stock_ = net_.in_initial;
  out_stock_ = net_.out_initial;
  order_.assign(E, 0.0);
  std::fill(order_sm_.begin(), order_sm_.end(), 0.0);
  shipped_.assign(E, 0.0);
  fill_.assign(O, -1.0);
  arrived_.assign(settings_.edge_arrivals ? E : 0, 0.0);
  share_ = net_.e_share;
  share_moved_.assign(S, 0);
  looking_since_.assign(S, kNever);
  expanded_.assign(N, -1);
  limit_.assign(E, kInf);
  activity_ = net_.activity;
  prev_desired_ = net_.activity;
  cap_now_ = net_.capacity;
  recipe_now_ = net_.initial_recipe;
  demand_now_ = net_.demand;
  extra_lead_.assign(has_delays_ ? E : 0, 0);
  cap_touched_.clear();
  demand_touched_.clear();
  lead_touched_.clear();
  recipe_touched_.clear();
  want_.assign(S, 0.0);
  consumed_.assign(S, 0.0);
  shortfall_.assign(S, 0.0);
  backlog_.assign(S, 0.0);
  if (origin_) origin_->reset();  // stocks; fill_pipelines() blends the pipelines' mixes
  fill_pipelines();
  cum_produced_.assign(O, 0.0);
  cum_shipped_.assign(O, 0.0);
  room_.assign(O, 0.0);
  cum_arrived_.assign(S, 0.0);
  cum_used_.assign(S, 0.0);
  licences_.reset();
  std::fill(covered_.begin(), covered_.end(), 1);
  expansion_armed_.assign(forcing_.expansions.size(), kNever);
  substitution_armed_.assign(forcing_.substitutions.size(), kNever);
}

void Engine::sample_licences(std::uint64_t seed, std::uint64_t draw, std::uint64_t run) {
  licences_.sample(seed, draw, run);
}

void Engine::run(int days, Observer* obs) {
  reset();
  for (int d = 0; d < days; ++d) step(obs);
}

void Engine::step(Observer* obs) {
  const int t = day_ + 1;
  phase_forcing(t);
  phase_ordering(t);
  run_chunks(node_bounds_, &Engine::production_range, t);
  phase_allocation(t);
  run_chunks(slot_bounds_, &Engine::transport_range, t);
  run_chunks(consumer_bounds_, &Engine::consumption_range, t);
  consumption_triggers(t);
  day_ = t;
  if (obs) obs->on_day(*this);  // phase 7: record
}

int Engine::trigger_start(int start, const CompiledTrigger& trig, int armed) const {
  if (!trig.on_shortage) return start;
  return armed >= kNever ? kNever : armed + trig.lag;
}

// Phase 1: capacities, demand, lead times and recipes for day t. Only what yesterday's events
// changed goes back to its base value first (the rest is at its base value already).
void Engine::phase_forcing(int t) {
  for (int n : cap_touched_) cap_now_[n] = net_.capacity[n];
  cap_touched_.clear();
  // Active expansions set a node's capacity; several on one node: the largest value.
  for (std::size_t i = 0; i < forcing_.expansions.size(); ++i) {
    const auto& x = forcing_.expansions[i];
    int s = trigger_start(x.start, x.trigger, expansion_armed_[i]);
    if (!active(t, s, x.end)) continue;
    double f = x.ramp > 0 ? std::min(1.0, (t - s + 1) / static_cast<double>(x.ramp)) : 1.0;
    double v = x.from + (x.to - x.from) * f;
    cap_now_[x.node] = expanded_[x.node] == t ? std::max(cap_now_[x.node], v) : v;
    expanded_[x.node] = t;
    cap_touched_.push_back(x.node);
  }
  for (const auto& o : forcing_.outages)
    if (active(t, o.start, o.end))
      for (int n : o.nodes) {
        cap_now_[n] *= o.remaining;
        cap_touched_.push_back(n);
      }

  for (int s : demand_touched_) demand_now_[s] = net_.demand[s];
  demand_touched_.clear();
  for (const auto& d : forcing_.demand_shocks)
    if (active(t, d.start, d.end))
      for (int s : d.slots) {
        demand_now_[s] *= d.factor;
        demand_touched_.push_back(s);
      }
  for (std::size_t i = 0; i < forcing_.substitutions.size(); ++i) {
    const auto& x = forcing_.substitutions[i];
    int s = trigger_start(x.start, x.trigger, substitution_armed_[i]);
    if (s >= kNever || !active(t, s + x.lag, x.end)) continue;
    double f = x.ramp > 0 ? std::min(1.0, (t - s - x.lag + 1) / static_cast<double>(x.ramp)) : 1.0;
    for (int slot : x.slots) {
      demand_now_[slot] *= 1.0 - x.max_reduction * f;
      demand_touched_.push_back(slot);
    }
  }

  for (int e : lead_touched_) extra_lead_[e] = 0;
  lead_touched_.clear();
  for (const auto& d : forcing_.delays)
    if (active(t, d.start, d.end))
      for (int e : d.edges) {
        extra_lead_[e] += d.extra;
        lead_touched_.push_back(e);
      }

  for (int n : recipe_touched_) recipe_now_[n] = net_.initial_recipe[n];
  recipe_touched_.clear();
  for (const auto& sw : forcing_.switches)
    if (active(t, sw.day, sw.end)) {
      recipe_now_[sw.node] = sw.recipe;
      recipe_touched_.push_back(sw.node);
    }
}

// Phase 2: orders = expected use + stock gap / tau + supply-line gap / tau, split by shares.
void Engine::phase_ordering(int t) {
  if (t > 0) run_chunks(out_bounds_, &Engine::room_range, t);
  run_chunks(node_bounds_, &Engine::order_range, t);
  update_coverage(t);
  licences_.file(t, order_, share_, &covered_);  // licence applications are made with the orders
}

// Each supplier output slot's room to take share: unsold stock plus spare capacity (of
// yesterday's activity, at today's recipe) in tonnes; one read per customer edge later.
void Engine::room_range(int /*t*/, int o0, int o1, Chunk& /*c*/) {
  for (int o = o0; o < o1; ++o) {
    const int f = net_.out_node[o], r = recipe_now_[f];
    const double coef = r >= 0 ? net_.out_coef(r, f, o) : 0.0;
    room_[o] = out_stock_[o] + std::max(0.0, cap_now_[f] - activity_[f]) * coef;
  }
}

// Per node: its input slots' shares adapt (from day 1), then its orders are placed. A slot's
// shares and orders touch its own edges only.
void Engine::order_range(int t, int n0, int n1, Chunk& c) {
  const int E = net_.edges();
  for (int n = n0; n < n1; ++n) {
    if (t > 0)
      for (int s = net_.in_begin[n]; s < net_.in_begin[n + 1]; ++s) adapt_shares(t, s, c);
    const Stage st = net_.stage[n];
    if (st == Stage::Stockpile) continue;
    const bool consumer = st == Stage::Consumer;
    const int r = recipe_now_[n];
    const double tau = net_.tau[n];
    for (int s = net_.in_begin[n]; s < net_.in_begin[n + 1]; ++s) {
      double use;          // expected use today
      double backlog = 0;  // back-orders [t]
      double target = net_.in_target[s];
      if (consumer) {
        use = demand_now_[s];
        backlog = backlog_[s];
      } else {
        double coef = r >= 0 ? net_.in_coef(r, n, s) : 0.0;
        use = prev_desired_[n] * coef;
        if (coef == 0) target = 0;  // an input the current recipe does not use
      }
      double lead = 0;
      for (int e = net_.in_edge_begin[s]; e < net_.in_edge_begin[s + 1]; ++e)
        lead += share_[e] * (net_.e_lead[e] + (has_delays_ ? extra_lead_[e] : 0));
      // Back-orders are stock owed (negative stock): they widen the stock gap, closed over tau
      // like any other, and the supply line is kept at the underlying rate times the lead
      // time. (Adding them to the rate re-ordered them every day they stayed unfilled, and
      // multiplied them by the lead time in the supply-line target.)
      double need =
          use + (target - (in_stock_[s] - backlog)) / tau + (use * lead - in_transit_[s]) / tau;
      need = std::max(0.0, need);
      for (int e = net_.in_edge_begin[s]; e < net_.in_edge_begin[s + 1]; ++e) {
        order_[e] = from_stockpile_[e] ? 0.0 : need * share_[e];
        // The supplier-major copy: a scatter, its cache lines fetched some edges ahead.
        if (e + kAhead < E) __builtin_prefetch(&order_sm_[sm_pos_[e + kAhead]], 1);
        order_sm_[sm_pos_[e]] = order_[e];
      }
    }
  }
}

// Origin-content conditions: an event covers an edge today when what its supplier holds (and
// will ship) has at least the rule's content of restricted origin.
void Engine::update_coverage(int t) {
  if (!origin_) return;
  const auto& rs = forcing_.restrictions;
  for (std::size_t ri = 0; ri < rs.size(); ++ri) {
    const auto& r = rs[ri];
    if (!r.origin.on || t < r.start || t > r.end) continue;
    const int b = licences_.begin(static_cast<int>(ri));
    for (std::size_t k = 0; k < r.edges.size(); ++k) {
      const double c = origin_->out_content(net_.e_out_slot[r.edges[k]], r.origin);
      covered_[b + static_cast<int>(k)] = c >= r.origin.at_least - 1e-15 ? 1 : 0;
    }
  }
}

// Moves share from suppliers that under-delivered yesterday to suppliers with spare output;
// a standby supplier only once qualified (qualification_ days after the slot was first short).
// Edges are customer-major (Network::in_edge_begin), so a slot's edges are [b, end).
void Engine::adapt_shares(int t, int s, Chunk& c) {
  const double lag = std::max(1.0, settings_.switching_lag);
  const double rev = std::max(1.0, settings_.share_reversion);
  const int b = net_.in_edge_begin[s], end = net_.in_edge_begin[s + 1];
  if (end - b < 2) return;
  double total = 0, removal = 0, room = 0;
  bool all_full = true;
  for (int e = b; e < end; ++e) {
    if (from_stockpile_[e]) continue;
    total += order_[e];
    if (order_[e] > 0 && shipped_[e] < order_[e] * (1 - kFillTol)) all_full = false;
  }
  if (total <= 0) return;
  if (!all_full) looking_since_[s] = std::min(looking_since_[s], t - 1);
  if (all_full) {
    if (!share_moved_[s]) return;  // at baseline already: nothing to do (the common case)
    double gap = 0;
    for (int e = b; e < end; ++e) {
      if (from_stockpile_[e]) continue;
      share_[e] += (net_.e_share[e] - share_[e]) / rev;
      gap = std::max(gap, std::fabs(share_[e] - net_.e_share[e]));
    }
    if (gap < 1e-12) {  // close enough: snap back so the slot can be skipped again
      for (int e = b; e < end; ++e) share_[e] = net_.e_share[e];
      share_moved_[s] = 0;
    }
    return;
  }
  // Receivers: suppliers that delivered in full, or got no order (e.g. a share of 0), in
  // proportion to their room: unsold stock plus spare capacity, per unit of the order.
  // Each edge's part (the share it gives up, or its room) is computed once and kept in the
  // chunk's work space for the second pass: the same values, half the divisions.
  double* part = c.part.data() - b;
  char* kind = c.kind.data() - b;  // 0: neither, 1: under-delivered, 2: receiver
  for (int e = b; e < end; ++e) {
    kind[e] = 0;
    if (from_stockpile_[e]) continue;
    if (order_[e] > 0 && shipped_[e] < order_[e] * (1 - kFillTol)) {
      removal += part[e] = share_[e] * (1 - shipped_[e] / order_[e]) / lag;
      kind[e] = 1;
    } else if (t >= looking_since_[s] + qualification_[e]) {  // qualified
      room += part[e] = room_[net_.e_out_slot[e]] / total;
      kind[e] = 2;
    }
  }
  double moved = std::min(removal, room);
  if (moved <= 0) return;
  share_moved_[s] = 1;
  const double from_short = moved / removal, to_room = moved / room;
  for (int e = b; e < end; ++e) {
    if (kind[e] == 1)
      share_[e] -= part[e] * from_short;
    else if (kind[e] == 2)
      share_[e] += part[e] * to_room;
  }
}

// Phase 3: y = min(capacity, inputs on hand / coefficient, desired); joint outputs follow y.
// Orders received are summed from the supplier-major copy (a stream, in out_edges order).
void Engine::production_range(int /*t*/, int n0, int n1, Chunk& c) {
  for (int n = n0; n < n1; ++n) {
    const int r = recipe_now_[n];
    if (r < 0) {
      activity_[n] = 0;
      continue;
    }
    const double tau = net_.tau[n];
    double desired = 0;
    for (int o = net_.out_begin[n]; o < net_.out_begin[n + 1]; ++o) {
      double coef = net_.out_coef(r, n, o);
      if (coef <= 0) continue;
      double orders = 0;
      for (int k = net_.out_edge_begin[o]; k < net_.out_edge_begin[o + 1]; ++k)
        orders += order_sm_[k];
      double want = orders + (net_.out_target[o] - out_stock_[o]) / tau;
      desired = std::max(desired, want / coef);
    }
    desired = std::clamp(desired, 0.0, cap_now_[n]);
    double y = desired;
    for (int s = net_.in_begin[n]; s < net_.in_begin[n + 1]; ++s) {
      double coef = net_.in_coef(r, n, s);
      if (coef > 0)
        y = std::min(y, nonnegative(in_stock_[s], 0, Quantity::InStock, s, c.worst_snap) / coef);
    }
    // Not negative (inputs checked above, desired clamped); this only turns -0 into +0.
    y = nonnegative(y, 0, Quantity::Activity, n, c.worst_snap);
    for (int s = net_.in_begin[n]; s < net_.in_begin[n + 1]; ++s) {
      double use = y * net_.in_coef(r, n, s);
      // use <= in_stock / coef * coef: at most round-off below zero.
      in_stock_[s] = nonnegative(in_stock_[s] - use, std::max(in_stock_[s], use), Quantity::InStock,
                                 s, c.worst_snap);
      cum_used_[s] += use;
    }
    if (origin_) origin_->produce(n, r, y, &out_stock_[net_.out_begin[n]], c.origin);
    for (int o = net_.out_begin[n]; o < net_.out_begin[n + 1]; ++o) {
      double out = y * net_.out_coef(r, n, o);
      out_stock_[o] = nonnegative(out_stock_[o], 0, Quantity::OutStock, o, c.worst_snap) + out;
      cum_produced_[o] += out;
    }
    activity_[n] = y;
    prev_desired_[n] = desired;
  }
}

// Rations output slot \p o's stock over its customer edges (CSR order = priority order); the
// wants are the supplier-major order_sm_ (min(q_e, λ_e) by now).
void Engine::allocate(int o, double available, Chunk& c) {
  const int b = net_.out_edge_begin[o], end = net_.out_edge_begin[o + 1];
  const int count = end - b;
  const double* want = order_sm_.data() + b;
  if (net_.rationing[net_.out_node[o]] == Rationing::Proportional) {  // the common case, inline
    double total = 0;
    for (int k = 0; k < count; ++k) total += want[k];
    available = nonnegative(available, 0, Quantity::OutStock, o, c.worst_snap);
    const double f = total > 0 ? std::min(1.0, available / total) : 0.0;
    // Each customer edge ships want * f: only f is kept here (fill_), and the shipments are
    // written customer-major by shipments_range or transport (no scatter).
    double given = 0;
    for (int k = 0; k < count; ++k) given += want[k] * f;
    fill_[o] = f;
    given = std::min(given, out_stock_[o]);
    out_stock_[o] =
        nonnegative(out_stock_[o] - given, out_stock_[o], Quantity::OutStock, o, c.worst_snap);
    cum_shipped_[o] += given;
    return;
  }
  for (int k = 0; k < count; ++k) {
    const int e = net_.out_edges[b + k];
    c.prio[k] = net_.priority(e);
    c.contract[k] = net_.contract(e);
  }
  double given = ration(net_.rationing[net_.out_node[o]], available, count, want, c.prio.data(),
                        c.contract.data(), c.out.data());
  for (int k = 0; k < count; ++k) shipped_[net_.out_edges[b + k]] = c.out[k];
  fill_[o] = -1;  // written already
  given = std::min(given, out_stock_[o]);
  out_stock_[o] =
      nonnegative(out_stock_[o] - given, out_stock_[o], Quantity::OutStock, o, c.worst_snap);
  cum_shipped_[o] += given;
}

// Phase 4: restrictions set pass limits; suppliers allocate finished stock to orders;
// stockpile releases fill what remains unfilled for eligible customers.
// Bans and quotas set pass limits on the edges they cover today.
void Engine::restriction_limits(int t) {
  for (int e : restricted_) limit_[e] = kInf;
  for (std::size_t ri = 0; ri < forcing_.restrictions.size(); ++ri) {
    const auto& r = forcing_.restrictions[ri];
    if (!active(t, r.start, r.end)) continue;
    const char* cov = covered_.data() + licences_.begin(static_cast<int>(ri));
    const int K = static_cast<int>(r.edges.size());
    if (r.regime == RegimeKind::Ban) {
      for (int k = 0; k < K; ++k)
        if (cov[k]) limit_[r.edges[k]] = 0;
    } else if (r.regime == RegimeKind::Quota) {
      double total = 0;
      for (int k = 0; k < K; ++k)
        if (cov[k]) total += order_[r.edges[k]];
      for (int k = 0; k < K; ++k) {
        if (!cov[k]) continue;
        const int e = r.edges[k];
        limit_[e] = std::min(limit_[e], total > 0 ? r.quota_per_day * order_[e] / total : 0.0);
      }
    }
  }
}

void Engine::phase_allocation(int t) {
  restriction_limits(t);
  licences_.limit(t, order_, share_, limit_, &covered_);
  // Production has read the orders: the supplier-major copy becomes the wants min(q_e, λ_e)
  // (only restricted edges can differ).
  const int R = static_cast<int>(restricted_.size());
  for (int i = 0; i < R; ++i) {
    // A scatter: its cache lines fetched some edges ahead.
    if (i + kAhead < R) __builtin_prefetch(&order_sm_[sm_pos_[restricted_[i + kAhead]]], 1);
    const int e = restricted_[i];
    order_sm_[sm_pos_[e]] = std::min(order_[e], limit_[e]);
  }
  run_chunks(out_bounds_, &Engine::allocation_range, t);
  // Releases and one-shipment licences read today's shipments: write them now (transport
  // writes them again, the same values). Otherwise transport writes them as it goes.
  if (!forcing_.releases.empty() || licences_.any())
    run_chunks(slot_bounds_, &Engine::shipments_range, t);
  stockpile_releases(t);
  licences_.use(t, shipped_, &covered_);  // one-shipment licences are used up by what ships
}

void Engine::allocation_range(int /*t*/, int o0, int o1, Chunk& c) {
  for (int o = o0; o < o1; ++o) {
    if (net_.stage[net_.out_node[o]] == Stage::Stockpile) {
      for (int k = net_.out_edge_begin[o]; k < net_.out_edge_begin[o + 1]; ++k)
        shipped_[net_.out_edges[k]] = 0;
      fill_[o] = -1;  // written already (releases may add to them)
      continue;
    }
    allocate(o, out_stock_[o], c);
  }
}

// Stockpile releases: push to eligible customers' unfilled orders, up to the release rate.
void Engine::stockpile_releases(int t) {
  for (const auto& rel : forcing_.releases) {
    if (!active(t, rel.start, rel.end)) continue;
    if (rel.cover_below >= 0) {
      double stock = 0, use = 0;
      for (int e : rel.edges) {
        stock += in_stock_[net_.e_in_slot[e]];
        use += demand_now_[net_.e_in_slot[e]] +
               (net_.stage[net_.e_to[e]] == Stage::Consumer ? 0 : net_.in_use[net_.e_in_slot[e]]);
      }
      if (use <= 0 || stock / use >= rel.cover_below) continue;
    }
    double budget = rel.rate;
    for (int o : rel.out_slots) {
      double total = 0;
      for (int e : rel.edges) {
        if (net_.e_out_slot[e] != o) continue;
        int s = net_.e_in_slot[e];
        double unfilled = 0, ordered = 0;
        for (int k = net_.in_edge_begin[s]; k < net_.in_edge_begin[s + 1]; ++k) {
          int e2 = k;
          if (!from_stockpile_[e2]) unfilled += order_[e2] - shipped_[e2], ordered += order_[e2];
        }
        // Nothing ships more than was ordered: at most round-off below zero.
        order_[e] = nonnegative(unfilled, ordered, Quantity::Unfilled, e, worst_snap_);
        total += std::min(order_[e], limit_[e]);
      }
      double give = std::min({budget, out_stock_[o], total});
      if (give <= 0) continue;
      for (int e : rel.edges)
        if (net_.e_out_slot[e] == o) shipped_[e] = std::min(order_[e], limit_[e]) * give / total;
      out_stock_[o] -= give;
      cum_shipped_[o] += give;
      budget -= give;
    }
  }
}

// Today's shipments, written customer-major for input slots [s0, s1): want x fill for a
// proportional supplier (allocate keeps only the fill), else what allocation wrote.
void Engine::shipments_range(int /*t*/, int s0, int s1, Chunk& /*c*/) {
  const double* fill = fill_.data();
  const int* out_slot = net_.e_out_slot.data();
  for (int e = net_.in_edge_begin[s0]; e < net_.in_edge_begin[s1]; ++e) {
    const double f = fill[out_slot[e]];
    if (f >= 0) shipped_[e] = std::min(order_[e], limit_[e]) * f;
  }
}

// Phase 5: shipments enter pipelines; what is due today arrives (lead time 0: the same day).
// Per input slot: each supplier edge's shipment goes to the calendar cell of its arrival day,
// then today's cell goes into the stock.
void Engine::transport_range(int t, int s0, int s1, Chunk& c) {
  const bool rings = !ring_.empty(), origin = origin_ != nullptr;
  if (!rings && !origin && !has_delays_)
    transport_slots<false, false, false>(t, s0, s1, c);
  else if (rings && !origin && !has_delays_)
    transport_slots<true, false, false>(t, s0, s1, c);
  else
    transport_slots<true, true, true>(t, s0, s1, c);  // the general case
}

// The loop of transport_range, with the branches on origin tracking, per-edge arrival rings
// and delays taken out (the general case <true, true, true> tests each at run time).
template <bool kRings, bool kOrigin, bool kDelays>
void Engine::transport_slots(int t, int s0, int s1, Chunk& c) {
  const bool rings = kRings && !ring_.empty();
  const bool origin = kOrigin && origin_ != nullptr;
  const bool delays = kDelays && has_delays_;
  // The calendars are walked in order, but each is touched at a few scattered days: fetch the
  // cells kAheadSlots slots on will touch (the hardware prefetcher does not see them).
  constexpr int kAheadSlots = 4;
  const double* cal0 = cal_.data();
  const double* fill = fill_.data();
  const int* out_slot = net_.e_out_slot.data();
  const int* lead0 = net_.e_lead.data();
  auto lead_of = [&](int e) { return lead0[e] + (delays ? extra_lead_[e] : 0); };
  for (int s = s0; s < s1; ++s) {
    if (s + kAheadSlots < s1) {
      const int a = s + kAheadSlots, today = cal_today_[a];
      const double* cal = cal0 + cal_begin_[a];
      const int len = static_cast<int>(cal_begin_[a + 1] - cal_begin_[a]);
      __builtin_prefetch(cal + today, 1);
      for (int e = net_.in_edge_begin[a]; e < net_.in_edge_begin[a + 1]; ++e) {
        const int at = today + lead_of(e);
        __builtin_prefetch(cal + (at < len ? at : at - len), 1);
      }
    }
    const std::size_t b = cal_begin_[s];
    const int len = static_cast<int>(cal_begin_[s + 1] - b);
    if (len == 0) continue;  // no suppliers
    double* cal = cal_.data() + b;
    // t % len, kept per slot (a division per slot and day costs more than this stream)
    const int today = cal_today_[s];
    cal_today_[s] = today + 1 == len ? 0 : today + 1;
    double transit = in_transit_[s];
    for (int e = net_.in_edge_begin[s]; e < net_.in_edge_begin[s + 1]; ++e) {
      // Today's shipment (see shipments_range), written here customer-major.
      const double f = fill[out_slot[e]];
      const double x = f >= 0 ? std::min(order_[e], limit_[e]) * f : shipped_[e];
      shipped_[e] = x;
      const int lead = lead_of(e);  // < len
      const int at = today + lead < len ? today + lead : today + lead - len;
      if (origin) {
        if (x > 0) {
          origin_->ship(out_slot[e], static_cast<int>(b + at), cal[at], x);
          cal[at] += x;
          transit += x;
        }
      } else {
        // Without a branch: nothing (x <= 0) goes as +0 to today's cell, whose line is read
        // anyway; cells and the stock in transit are never -0, so adding +0 changes no bit.
        const std::uint64_t keep = x > 0 ? ~std::uint64_t{0} : 0;
        const double add = std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) & keep);
        cal[today + ((at - today) & static_cast<int>(keep))] += add;
        transit += add;
      }
      if (rings) {  // what this edge delivers today (reported only)
        double* ring = ring_.data() + ring_begin_[e];
        const int n = static_cast<int>(ring_begin_[e + 1] - ring_begin_[e]);
        const int now = t % n, ra = now + lead < n ? now + lead : now + lead - n;
        ring[ra] += x;
        arrived_[e] = ring[now];
        ring[now] = 0;
      }
    }
    const double due = cal[today];
    if (due == 0) {
      in_transit_[s] = transit;
      continue;
    }
    if (origin) origin_->arrive(static_cast<int>(b + today), s, in_stock_[s], due);
    in_stock_[s] = nonnegative(in_stock_[s], 0, Quantity::InStock, s, c.worst_snap) + due;
    // The same tonnes entered the pipeline: below zero by round-off at most, which in a
    // running sum is relative to all the terms it has summed (everything that arrived).
    in_transit_[s] = nonnegative(transit - due, transit + due + cum_arrived_[s],
                                 Quantity::InTransit, s, c.worst_snap);
    cum_arrived_[s] += due;
    cal[today] = 0;
  }
}

// Phase 6: consumers use min(need, on hand); the rest is shortfall (lost, or back-ordered).
// Complementary inputs (Leontief): the fraction served f = min over materials of on hand / need
// is the same for every material; each uses f x need and the rest stays in stock.
void Engine::consumption_range(int /*t*/, int i0, int i1, Chunk& c) {
  for (int i = i0; i < i1; ++i) {
    const int n = net_.consumer_nodes[i];
    const bool bo = net_.backorder[n] != 0;
    double served = 1.0;
    if (net_.complementary[n])
      for (int s = net_.in_begin[n]; s < net_.in_begin[n + 1]; ++s) {
        const double want = demand_now_[s] + backlog_[s];
        if (want > 0)
          served = std::min(
              served, nonnegative(in_stock_[s], 0, Quantity::InStock, s, c.worst_snap) / want);
      }
    for (int s = net_.in_begin[n]; s < net_.in_begin[n + 1]; ++s) {
      double want = demand_now_[s] + backlog_[s];
      double used =
          std::min(want * served, nonnegative(in_stock_[s], 0, Quantity::InStock, s, c.worst_snap));
      in_stock_[s] -= used;
      cum_used_[s] += used;
      if (origin_) origin_->consume(s, used);
      want_[s] = want;
      consumed_[s] = used;
      shortfall_[s] = want - used;
      backlog_[s] = bo ? want - used : 0.0;
    }
  }
}

// Shortage triggers arm on the first day a watched consumer is short.
void Engine::consumption_triggers(int t) {
  auto check = [&](const CompiledTrigger& trig, int start, int& armed) {
    if (!trig.on_shortage || armed < kNever || t < start) return;
    for (int s : trig.watch)
      if (want_[s] > 0 && shortfall_[s] / want_[s] >= trig.threshold) {
        armed = t;
        return;
      }
  };
  for (std::size_t i = 0; i < forcing_.expansions.size(); ++i)
    check(forcing_.expansions[i].trigger, forcing_.expansions[i].start, expansion_armed_[i]);
  for (std::size_t i = 0; i < forcing_.substitutions.size(); ++i)
    check(forcing_.substitutions[i].trigger, forcing_.substitutions[i].start,
          substitution_armed_[i]);
}

}  // namespace rareshock::sim
