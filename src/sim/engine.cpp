#include "rareshock/sim/engine.hpp"

#include "rareshock/core/error.hpp"
#include "rareshock/model/study.hpp"
#include "rareshock/sim/rationing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include <limits>
#include <numeric>
#include "rareshock/core/error.hpp"

namespace rareshock::sim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kFillTol = 1e-9;
bool active(int t, int start, int end) {
  return t >= start && t <= end;
}
}  // namespace

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
    if (net.e_qualification[e] >= 0) q = net.e_qualification[e];
    qualification_[e] = static_cast<int>(std::lround(std::max(0.0, q)));
  }
  // Pipelines: one ring per group of edges with the same lead time, laid out day-major so a
  // day's arrivals and insertions for a group are contiguous.
  std::vector<int> by_lead(E);
  std::iota(by_lead.begin(), by_lead.end(), 0);
  std::stable_sort(by_lead.begin(), by_lead.end(),
                   [&](int a, int b) { return net.e_lead[a] < net.e_lead[b]; });
  pipe_edge_ = by_lead;
  pipe_slot_.resize(E);
  for (int k = 0; k < E; ++k) pipe_slot_[k] = net.e_in_slot[by_lead[k]];
  int total = 0;
  for (int k = 0; k < E;) {
    int end = k;
    const int lead = net.e_lead[by_lead[k]];
    while (end < E && net.e_lead[by_lead[end]] == lead) ++end;
    int len = 1;  // a power of two: ring positions are a mask, not a division
    while (len < lead + forcing.max_extra_lead + 1) len <<= 1;
    pipe_groups_.push_back({k, end - k, len - 1, total, lead});
    total += (end - k) * len;
    k = end;
  }
  pipe_.assign(total, 0.0);
  cell_edge_.assign(total, -1);
  for (const auto& g : pipe_groups_)
    for (int row = 0; row <= g.mask; ++row)
      for (int i = 0; i < g.count; ++i)
        cell_edge_[g.offset + row * g.count + i] = pipe_edge_[g.first + i];
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
    try {
      origin_ = std::make_unique<OriginTracker>(net, settings_.origin_stages, total);
    } catch (const TooManyOriginKeys&) {
      // Too many combinations to keep every country apart: keep the countries the rules
      // name and pool the others as "other" (what the rules need, a coarser origin mix).
      std::vector<char> keep(net.country_id.size(), 0);
      for (const auto& r : forcing.restrictions)
        for (std::size_t c = 0; c < r.origin.country.size(); ++c) keep[c] |= r.origin.country[c];
      origin_ = std::make_unique<OriginTracker>(net, settings_.origin_stages, total, &keep);
    }
  }
  int max_out = 0;
  for (int o = 0; o < net.out_slots(); ++o)
    max_out = std::max(max_out, net.out_edge_begin[o + 1] - net.out_edge_begin[o]);
  scratch_want_.resize(max_out);
  scratch_prio_.resize(max_out);
  scratch_contract_.resize(max_out);
  scratch_out_.resize(max_out);
  reset();
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
  in_stock_ = net_.in_initial;
  out_stock_ = net_.out_initial;
  in_transit_.assign(S, 0.0);
  order_.assign(E, 0.0);
  shipped_.assign(E, 0.0);
  arrived_.assign(E, 0.0);
  share_ = net_.e_share;
  share_moved_.assign(S, 0);
  looking_since_.assign(S, kNever);
  expanded_.assign(N, -1);
  limit_.assign(E, kInf);
  want_edge_.assign(E, 0.0);
  activity_ = net_.activity;
  prev_desired_ = net_.activity;
  cap_now_ = net_.capacity;
  recipe_now_ = net_.initial_recipe;
  demand_now_ = net_.demand;
  want_.assign(S, 0.0);
  consumed_.assign(S, 0.0);
  shortfall_.assign(S, 0.0);
  backlog_.assign(S, 0.0);
  extra_lead_.assign(E, 0);
  std::fill(pipe_.begin(), pipe_.end(), 0.0);
  // Shipments sent on days -L..-1 arrive on days 0..L-1: pipelines hold L days of baseline flow.
  for (const auto& g : pipe_groups_)
    for (int i = 0; i < g.count; ++i) {
      const int e = pipe_edge_[g.first + i];
      for (int d = 0; d < g.lead; ++d)
        pipe_[g.offset + (d & g.mask) * g.count + i] = net_.e_flow[e];
      in_transit_[net_.e_in_slot[e]] += net_.e_flow[e] * g.lead;
    }
  cum_produced_.assign(O, 0.0);
  cum_shipped_.assign(O, 0.0);
  cum_arrived_.assign(S, 0.0);
  cum_used_.assign(S, 0.0);
  licences_.reset();
  std::fill(covered_.begin(), covered_.end(), 1);
  if (origin_) origin_->reset(cell_edge_);
  expansion_armed_.assign(forcing_.expansions.size(), kNever);
  substitution_armed_.assign(forcing_.substitutions.size(), kNever);
  (void)N;
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
  phase_production(t);
  phase_allocation(t);
  phase_transport(t);
  phase_consumption(t);
  day_ = t;
  if (obs) obs->on_day(*this);  // phase 7: record
}

int Engine::trigger_start(int start, const CompiledTrigger& trig, int armed) const {
  if (!trig.on_shortage) return start;
  return armed >= kNever ? kNever : armed + trig.lag;
}

// Phase 1: capacities, demand, lead times and recipes for day t.
void Engine::phase_forcing(int t) {
  const int N = net_.nodes();
  for (int n = 0; n < N; ++n) cap_now_[n] = net_.capacity[n];
  // Active expansions set a node's capacity; several on one node: the largest value.
  for (std::size_t i = 0; i < forcing_.expansions.size(); ++i) {
    const auto& x = forcing_.expansions[i];
    int s = trigger_start(x.start, x.trigger, expansion_armed_[i]);
    if (!active(t, s, x.end)) continue;
    double f = x.ramp > 0 ? std::min(1.0, (t - s + 1) / static_cast<double>(x.ramp)) : 1.0;
    double v = x.from + (x.to - x.from) * f;
    cap_now_[x.node] = expanded_[x.node] == t ? std::max(cap_now_[x.node], v) : v;
    expanded_[x.node] = t;
  }
  for (const auto& o : forcing_.outages)
    if (active(t, o.start, o.end))
      for (int n : o.nodes) cap_now_[n] *= o.remaining;

  demand_now_ = net_.demand;
  for (const auto& d : forcing_.demand_shocks)
    if (active(t, d.start, d.end))
      for (int s : d.slots) demand_now_[s] *= d.factor;
  for (std::size_t i = 0; i < forcing_.substitutions.size(); ++i) {
    const auto& x = forcing_.substitutions[i];
    int s = trigger_start(x.start, x.trigger, substitution_armed_[i]);
    if (s >= kNever || !active(t, s + x.lag, x.end)) continue;
    double f = x.ramp > 0 ? std::min(1.0, (t - s - x.lag + 1) / static_cast<double>(x.ramp)) : 1.0;
    for (int slot : x.slots) demand_now_[slot] *= 1.0 - x.max_reduction * f;
  }

  std::fill(extra_lead_.begin(), extra_lead_.end(), 0);
  for (const auto& d : forcing_.delays)
    if (active(t, d.start, d.end))
      for (int e : d.edges) extra_lead_[e] += d.extra;

  recipe_now_ = net_.initial_recipe;
  for (const auto& sw : forcing_.switches)
    if (active(t, sw.day, sw.end)) recipe_now_[sw.node] = sw.recipe;
}

// Phase 2: orders = expected use + stock gap / tau + supply-line gap / tau, split by shares.
void Engine::phase_ordering(int t) {
  if (t > 0) adapt_shares(t);
  const int N = net_.nodes();
  for (int n = 0; n < N; ++n) {
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
      for (int k = net_.in_edge_begin[s]; k < net_.in_edge_begin[s + 1]; ++k) {
        int e = net_.in_edges[k];
        lead += share_[e] * (net_.e_lead[e] + extra_lead_[e]);
      }
      // Back-orders are stock owed (negative stock): they widen the stock gap, closed over tau
      // like any other, and the supply line is kept at the underlying rate times the lead
      // time. (Adding them to the rate re-ordered them every day they stayed unfilled, and
      // multiplied them by the lead time in the supply-line target.)
      double need =
          use + (target - (in_stock_[s] - backlog)) / tau + (use * lead - in_transit_[s]) / tau;
      need = std::max(0.0, need);
      for (int k = net_.in_edge_begin[s]; k < net_.in_edge_begin[s + 1]; ++k) {
        int e = net_.in_edges[k];
        order_[e] = from_stockpile_[e] ? 0.0 : need * share_[e];
      }
    }
  }
  update_coverage(t);
  licences_.file(t, order_, share_, &covered_);  // licence applications are made with the orders
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
void Engine::adapt_shares(int t) {
  const int S = net_.in_slots();
  const double lag = std::max(1.0, settings_.switching_lag);
  const double rev = std::max(1.0, settings_.share_reversion);
  for (int s = 0; s < S; ++s) {
    const int b = net_.in_edge_begin[s], end = net_.in_edge_begin[s + 1];
    if (end - b < 2) continue;
    double total = 0, removal = 0, room = 0;
    bool all_full = true;
    for (int k = b; k < end; ++k) {
      int e = net_.in_edges[k];
      if (from_stockpile_[e]) continue;
      total += order_[e];
      if (order_[e] > 0 && shipped_[e] < order_[e] * (1 - kFillTol)) all_full = false;
    }
    if (total <= 0) continue;
    if (!all_full) looking_since_[s] = std::min(looking_since_[s], t - 1);
    if (all_full) {
      if (!share_moved_[s]) continue;  // at baseline already: nothing to do (the common case)
      double gap = 0;
      for (int k = b; k < end; ++k) {
        int e = net_.in_edges[k];
        if (from_stockpile_[e]) continue;
        share_[e] += (net_.e_share[e] - share_[e]) / rev;
        gap = std::max(gap, std::fabs(share_[e] - net_.e_share[e]));
      }
      if (gap < 1e-12) {  // close enough: snap back so the slot can be skipped again
        for (int k = b; k < end; ++k) share_[net_.in_edges[k]] = net_.e_share[net_.in_edges[k]];
        share_moved_[s] = 0;
      }
      continue;
    }
    // Receivers: suppliers that delivered in full, or got no order (e.g. a share of 0), in
    // proportion to their room: unsold stock plus spare capacity, per unit of the order.
    auto room_of = [&](int e) {
      int f = net_.e_from[e], o = net_.e_out_slot[e], r = recipe_now_[f];
      double coef = r >= 0 ? net_.out_coef(r, f, o) : 0.0;
      return (out_stock_[o] + std::max(0.0, cap_now_[f] - activity_[f]) * coef) / total;
    };
    auto short_fill = [&](int e) {
      return order_[e] > 0 && shipped_[e] < order_[e] * (1 - kFillTol);
    };
    auto qualified = [&](int e) { return t >= looking_since_[s] + qualification_[e]; };
    for (int k = b; k < end; ++k) {
      int e = net_.in_edges[k];
      if (from_stockpile_[e]) continue;
      if (short_fill(e))
        removal += share_[e] * (1 - shipped_[e] / order_[e]) / lag;
      else if (qualified(e))
        room += room_of(e);
    }
    double moved = std::min(removal, room);
    if (moved <= 0) continue;
    share_moved_[s] = 1;
    for (int k = b; k < end; ++k) {
      int e = net_.in_edges[k];
      if (from_stockpile_[e]) continue;
      if (short_fill(e))
        share_[e] -= share_[e] * (1 - shipped_[e] / order_[e]) / lag * (moved / removal);
      else if (qualified(e))
        share_[e] += room_of(e) * (moved / room);
    }
  }
}

// Phase 3: y = min(capacity, inputs on hand / coefficient, desired); joint outputs follow y.
void Engine::phase_production(int t) {
  (void)t;
  const int N = net_.nodes();
  for (int n = 0; n < N; ++n) {
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
        orders += order_[net_.out_edges[k]];
      double want = orders + (net_.out_target[o] - out_stock_[o]) / tau;
      desired = std::max(desired, want / coef);
    }
    desired = std::clamp(desired, 0.0, cap_now_[n]);
    double y = desired;
    for (int s = net_.in_begin[n]; s < net_.in_begin[n + 1]; ++s) {
      double coef = net_.in_coef(r, n, s);
      if (coef > 0) y = std::min(y, nonnegative(in_stock_[s], 0, Quantity::InStock, s) / coef);
    }
    // Not negative (inputs checked above, desired clamped); this only turns -0 into +0.
    y = nonnegative(y, 0, Quantity::Activity, n);
    for (int s = net_.in_begin[n]; s < net_.in_begin[n + 1]; ++s) {
      double use = y * net_.in_coef(r, n, s);
      // use <= in_stock / coef * coef: at most round-off below zero.
      in_stock_[s] =
          nonnegative(in_stock_[s] - use, std::max(in_stock_[s], use), Quantity::InStock, s);
      cum_used_[s] += use;
    }
    if (origin_) origin_->produce(n, r, y, &out_stock_[net_.out_begin[n]]);
    for (int o = net_.out_begin[n]; o < net_.out_begin[n + 1]; ++o) {
      double out = y * net_.out_coef(r, n, o);
      out_stock_[o] = nonnegative(out_stock_[o], 0, Quantity::OutStock, o) + out;
      cum_produced_[o] += out;
    }
    activity_[n] = y;
    prev_desired_[n] = desired;
  }
}

// Rations output slot \p o's stock over its customer edges (CSR order = priority order).
void Engine::allocate(int o, double available) {
  const int b = net_.out_edge_begin[o], end = net_.out_edge_begin[o + 1];
  const int count = end - b;
  if (net_.rationing[net_.out_node[o]] == Rationing::Proportional) {  // the common case, inline
    double total = 0;
    for (int k = b; k < end; ++k) total += want_edge_[net_.out_edges[k]];
    available = nonnegative(available, 0, Quantity::OutStock, o);
    const double f = total > 0 ? std::min(1.0, available / total) : 0.0;
    double given = 0;
    for (int k = b; k < end; ++k) {
      const int e = net_.out_edges[k];
      given += shipped_[e] = want_edge_[e] * f;
    }
    given = std::min(given, out_stock_[o]);
    out_stock_[o] = nonnegative(out_stock_[o] - given, out_stock_[o], Quantity::OutStock, o);
    cum_shipped_[o] += given;
    return;
  }
  for (int k = 0; k < count; ++k) {
    const int e = net_.out_edges[b + k];
    scratch_want_[k] = want_edge_[e];
    scratch_prio_[k] = net_.e_priority[e];
    scratch_contract_[k] = net_.e_contract[e];
  }
  double given = ration(net_.rationing[net_.out_node[o]], available, count, scratch_want_.data(),
                        scratch_prio_.data(), scratch_contract_.data(), scratch_out_.data());
  for (int k = 0; k < count; ++k) shipped_[net_.out_edges[b + k]] = scratch_out_[k];
  given = std::min(given, out_stock_[o]);
  out_stock_[o] = nonnegative(out_stock_[o] - given, out_stock_[o], Quantity::OutStock, o);
  cum_shipped_[o] += given;
}

// Phase 4: restrictions set pass limits; suppliers allocate finished stock to orders;
// stockpile releases fill what remains unfilled for eligible customers.
// Bans and quotas set pass limits on the edges they cover today.
void Engine::restriction_limits(int t) {
  std::fill(limit_.begin(), limit_.end(), kInf);
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
  const int E = net_.edges();
  restriction_limits(t);
  licences_.limit(t, order_, share_, limit_, &covered_);
  for (int e = 0; e < E; ++e) want_edge_[e] = std::min(order_[e], limit_[e]);
  const int O = net_.out_slots();
  for (int o = 0; o < O; ++o) {
    if (net_.stage[net_.out_node[o]] == Stage::Stockpile) {
      for (int k = net_.out_edge_begin[o]; k < net_.out_edge_begin[o + 1]; ++k)
        shipped_[net_.out_edges[k]] = 0;
      continue;
    }
    allocate(o, out_stock_[o]);
  }
  // Stockpile releases: push to eligible customers' unfilled orders, up to the release rate.
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
          int e2 = net_.in_edges[k];
          if (!from_stockpile_[e2]) unfilled += order_[e2] - shipped_[e2], ordered += order_[e2];
        }
        // Nothing ships more than was ordered: at most round-off below zero.
        order_[e] = nonnegative(unfilled, ordered, Quantity::Unfilled, e);
        want_edge_[e] = std::min(order_[e], limit_[e]);
        total += want_edge_[e];
      }
      double give = std::min({budget, out_stock_[o], total});
      if (give <= 0) continue;
      for (int e : rel.edges)
        if (net_.e_out_slot[e] == o) shipped_[e] = want_edge_[e] * give / total;
      out_stock_[o] -= give;
      cum_shipped_[o] += give;
      budget -= give;
    }
  }
  licences_.use(t, shipped_, &covered_);  // one-shipment licences are used up by what ships
}

// Phase 5: shipments enter pipelines; what is due today arrives (lead time 0: the same day).
void Engine::phase_transport(int t) {
  for (const auto& g : pipe_groups_) {
    double* ring = pipe_.data() + g.offset;
    double* due_row = ring + (t & g.mask) * g.count;
    const int* members = pipe_edge_.data() + g.first;
    const int* slots = pipe_slot_.data() + g.first;
    const bool delays = forcing_.max_extra_lead > 0;
    double* insert_row = ring + ((t + g.lead) & g.mask) * g.count;
    for (int i = 0; i < g.count; ++i) {
      const int e = members[i];
      const int s = slots[i];
      const double x = shipped_[e];
      if (x > 0) {
        double* cell = delays && extra_lead_[e] > 0
                           ? ring + ((t + g.lead + extra_lead_[e]) & g.mask) * g.count + i
                           : insert_row + i;
        if (origin_)
          origin_->ship(net_.e_out_slot[e], static_cast<int>(cell - pipe_.data()), *cell, x);
        *cell += x;
        in_transit_[s] += x;
      }
      const double due = due_row[i];
      arrived_[e] = due;
      if (due == 0) continue;
      if (origin_)
        origin_->arrive(static_cast<int>(due_row + i - pipe_.data()), s, in_stock_[s], due);
      in_stock_[s] = nonnegative(in_stock_[s], 0, Quantity::InStock, s) + due;
      // The same tonnes entered the pipeline: below zero by round-off at most, which in a
      // running sum is relative to all the terms it has summed (everything that arrived).
      in_transit_[s] = nonnegative(in_transit_[s] - due, in_transit_[s] + due + cum_arrived_[s],
                                   Quantity::InTransit, s);
      cum_arrived_[s] += due;
      due_row[i] = 0;
    }
  }
}

// Phase 6: consumers use min(need, on hand); the rest is shortfall (lost, or back-ordered).
// Complementary inputs (Leontief): the fraction served f = min over materials of on hand / need
// is the same for every material; each uses f x need and the rest stays in stock.
void Engine::phase_consumption(int t) {
  for (int n : net_.consumer_nodes) {
    const bool bo = net_.backorder[n] != 0;
    double served = 1.0;
    if (net_.complementary[n])
      for (int s = net_.in_begin[n]; s < net_.in_begin[n + 1]; ++s) {
        const double want = demand_now_[s] + backlog_[s];
        if (want > 0)
          served = std::min(served, nonnegative(in_stock_[s], 0, Quantity::InStock, s) / want);
      }
    for (int s = net_.in_begin[n]; s < net_.in_begin[n + 1]; ++s) {
      double want = demand_now_[s] + backlog_[s];
      double c = std::min(want * served, nonnegative(in_stock_[s], 0, Quantity::InStock, s));
      in_stock_[s] -= c;
      cum_used_[s] += c;
      if (origin_) origin_->consume(s, c);
      want_[s] = want;
      consumed_[s] = c;
      shortfall_[s] = want - c;
      backlog_[s] = bo ? want - c : 0.0;
    }
  }
  // Shortage triggers arm on the first day a watched consumer is short.
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
