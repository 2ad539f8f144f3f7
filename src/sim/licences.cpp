#include "rareshock/sim/licences.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

namespace rareshock::sim {

namespace {
constexpr double kFull = 1 - 1e-12;  // a period licence fraction this close to 1 is a full licence
bool active(int t, const CompiledRestriction& r) {
  return t >= r.start && t <= r.end;
}
bool is_licence(const CompiledRestriction& r) {
  return r.regime == RegimeKind::Licence;
}
// An origin-content condition does not hold today for covered-edge index \p li.
bool uncovered(const std::vector<char>* covered, int li) {
  return covered && !(*covered)[li];
}
}  // namespace

Licences::Licences(const Network& net, const Forcing& forcing, double default_volume_cap)
    : net_(net), forcing_(forcing), default_cap_(default_volume_cap) {
  begin_.push_back(0);
  ring_begin_.push_back(0);
  for (const auto& r : forcing.restrictions) {
    const int n = static_cast<int>(r.edges.size());
    any_ = any_ || (is_licence(r) && n > 0);
    begin_.push_back(begin_.back() + n);
    const bool one_shipment = is_licence(r) && r.validity == 0;
    ring_begin_.push_back(ring_begin_.back() + (one_shipment ? n * levels(r) * ring(r) : 0));
  }
  reset();
}

int Licences::levels(const CompiledRestriction& r) const {
  if (!r.resubmit) return 1;
  return r.max_attempts > 0 ? r.max_attempts : 2;  // unlimited: level 1 feeds itself
}

int Licences::ring(const CompiledRestriction& r) const {
  return r.max_delay + (r.resubmit ? r.resubmit_delay : 0) + 1;
}

int Licences::next_level(const CompiledRestriction& r, int level) const {
  if (!r.resubmit) return -1;
  if (r.max_attempts <= 0) return 1;
  return level + 1 < r.max_attempts ? level + 1 : -1;
}

double* Licences::pending(int ri, int k, int level, int day) {
  const auto& r = forcing_.restrictions[ri];
  const int R = ring(r);
  return &pending_[ring_begin_[ri] + (k * levels(r) + level) * R + day % R];
}

std::size_t Licences::bytes() const {
  std::size_t b = 0;
  auto add = [&b](const auto& v) { b += v.capacity() * sizeof(v[0]); };
  for (const auto* v : {&pending_, &balance_, &fraction_, &cover_, &period_pass_, &pass_}) add(*v);
  for (const auto* v : {&begin_, &ring_begin_, &valid_until_, &decision_, &level_}) add(*v);
  add(closed_);
  return b;
}

void Licences::reset() {
  // The per-edge arrays are read and written for licence regimes' edges only.
  const int L = begin_.back(), E = any_ ? net_.edges() : 0;
  pending_.assign(ring_begin_.back(), 0.0);
  balance_.assign(L, 0.0);
  valid_until_.assign(L, -1);
  fraction_.assign(L, 0.0);
  decision_.assign(L, kNever);
  level_.assign(L, 0);
  closed_.assign(L, 0);
  cover_.assign(E, 0.0);
  period_pass_.assign(E, 0.0);
  pass_.assign(E, -1.0);
  if (rng_) rng_.emplace(seed_[0], seed_[1], Purpose::Licences, seed_[2]);
}

void Licences::sample(std::uint64_t seed, std::uint64_t draw, std::uint64_t run) {
  seed_[0] = seed;
  seed_[1] = draw;
  seed_[2] = run;
  rng_.emplace(seed, draw, Purpose::Licences, run);
}

double Licences::normal_volume(const CompiledRestriction& r, int e,
                               const std::vector<double>& share) const {
  // Licences cover contracted volumes: the edge's normal flow at its current share (or its
  // baseline flow, if larger), times the cap; inflated orders do not raise them.
  const double cap = r.volume_cap >= 0 ? r.volume_cap : default_cap_;
  return cap * std::max(net_.e_flow[e], share[e] * net_.in_use[net_.e_in_slot[e]]);
}

int Licences::review_delay(const CompiledRestriction& r) {
  if (!rng_ || r.review_dist.kind == DistKind::Fixed) return r.review_delay;
  double d = quantile(r.review_dist, rng_->uniform());
  return std::clamp(static_cast<int>(std::lround(d)), 0, r.max_delay);
}

double Licences::decide(double approval) {
  // Deterministic: the expected approved share; stochastic: approved or refused as a whole.
  return rng_ ? (rng_->uniform() < approval ? 1.0 : 0.0) : approval;
}

void Licences::file(int t, const std::vector<double>& order, const std::vector<double>& share,
                    const std::vector<char>* covered) {
  if (!any_) return;
  auto off = [covered](int li) { return uncovered(covered, li); };
  const auto& rs = forcing_.restrictions;
  // Period licences first: applications, then today's decisions, so that what a valid period
  // licence covers today needs no per-shipment application (one licence per shipment).
  for (const auto& r : rs)
    if (is_licence(r))
      for (int e : r.edges) cover_[e] = 0;
  for (std::size_t ri = 0; ri < rs.size(); ++ri) {
    const auto& r = rs[ri];
    if (!is_licence(r) || r.validity == 0 || !active(t, r)) continue;
    const bool first_day = t == std::max(r.start, 0);
    for (std::size_t k = 0; k < r.edges.size(); ++k) {
      const int e = r.edges[k];
      const int li = begin_[ri] + static_cast<int>(k);
      if (closed_[li] || off(li)) continue;
      if (r.granted_at_start && first_day && decision_[li] >= kNever) {
        decision_[li] = t;  // applied for under the previous regime: decided today
        level_[li] = 0;
      } else if (order[e] > 0 && decision_[li] >= kNever && valid_until_[li] < t + r.review_delay) {
        decision_[li] = t + review_delay(r);  // apply (or renew ahead of expiry)
        level_[li] = 0;
      }
      if (decision_[li] == t) decide_period(r, li, t);
      if (valid_until_[li] >= t) cover_[e] = std::max(cover_[e], std::min(1.0, fraction_[li]));
    }
  }
  for (std::size_t ri = 0; ri < rs.size(); ++ri) {
    const auto& r = rs[ri];
    if (!is_licence(r) || r.validity != 0 || !active(t, r)) continue;
    const bool first_day = t == std::max(r.start, 0);
    for (std::size_t k = 0; k < r.edges.size(); ++k) {
      const int e = r.edges[k];
      const int ki = static_cast<int>(k);
      if (off(begin_[ri] + ki)) continue;
      if (r.granted_at_start && first_day)  // normal orders of the days before the start
        for (int d = 0; d < r.review_delay; ++d)
          *pending(static_cast<int>(ri), ki, 0, t + d) += normal_volume(r, e, share);
      if (order[e] <= 0) continue;
      const double app = std::min(order[e], normal_volume(r, e, share)) * (1 - cover_[e]);
      if (app > 0) *pending(static_cast<int>(ri), ki, 0, t + review_delay(r)) += app;
    }
  }
}

void Licences::decide_period(const CompiledRestriction& r, int li, int t) {
  decision_[li] = kNever;
  const int level = level_[li];
  const double g = decide(level == 0 ? r.approval_on(t) : r.resubmit_approval_on(t));
  if (level == 0) {
    if (g > 0) {  // a new (or renewed) licence
      fraction_[li] = g;
      valid_until_[li] = t + r.validity - 1;
    }
  } else if (g > 0) {  // a resubmission tops up what is held, for a new validity
    const double held = valid_until_[li] >= t ? fraction_[li] : 0.0;
    fraction_[li] = held + (1 - held) * g;
    valid_until_[li] = t + r.validity - 1;
  }
  if (r.resubmit && g < 1) {
    const int next = next_level(r, level);
    if (next >= 0) {
      decision_[li] = t + r.resubmit_delay + review_delay(r);
      level_[li] = next;
    } else if (valid_until_[li] < t) {
      closed_[li] = 1;  // refused, no attempts left: no more applications
    }
  }
}

void Licences::limit(int t, const std::vector<double>& order, const std::vector<double>& share,
                     std::vector<double>& limit, const std::vector<char>* covered) {
  if (!any_) return;
  auto off = [covered](int li) { return uncovered(covered, li); };
  const auto& rs = forcing_.restrictions;
  for (const auto& r : rs)
    if (is_licence(r))
      for (int e : r.edges) {
        pass_[e] = -1;
        period_pass_[e] = 0;
      }
  for (std::size_t ri = 0; ri < rs.size(); ++ri) {
    const auto& r = rs[ri];
    if (!is_licence(r) || !active(t, r)) continue;
    const int L = levels(r), R = ring(r);
    // pending(ri, k, level, t) is pending_[today + (k x L + level) x R] (one-shipment
    // licences only: no ring otherwise)
    const std::size_t today = static_cast<std::size_t>(ring_begin_[ri] + t % R);
    for (std::size_t k = 0; k < r.edges.size(); ++k) {
      const int e = r.edges[k];
      const int ki = static_cast<int>(k);
      const int li = begin_[ri] + ki;
      double pass = 0;
      if (r.validity == 0) {
        // Decisions due today: approved volume joins the balance, refused volume is filed
        // again after the resubmission delay (if attempts remain).
        for (int level = 0; level < L; ++level) {
          double* p = &pending_[today + static_cast<std::size_t>((ki * L + level) * R)];
          if (*p <= 0) continue;
          const double volume = *p;
          *p = 0;
          const double g = decide(level == 0 ? r.approval_on(t) : r.resubmit_approval_on(t));
          balance_[li] += volume * g;
          const int next = next_level(r, level);
          if (g < 1 && next >= 0) {
            const int day = t + r.resubmit_delay + review_delay(r);
            *pending(static_cast<int>(ri), ki, next, day) += volume * (1 - g);
          }
        }
        pass = balance_[li];
      } else {
        if (t <= valid_until_[li]) {
          const double f = fraction_[li];
          // A full licence covers the whole order; a deterministic approval p < 1 is the
          // expected value p x the capped volume.
          pass = f >= kFull ? order[e] : f * std::min(order[e], normal_volume(r, e, share));
        }
        if (!off(li)) period_pass_[e] = std::max(period_pass_[e], pass);
      }
      // Decisions due today are made even on a day the origin condition does not hold (the
      // applications were filed); the licence then limits nothing.
      if (!off(li))
        pass_[e] = std::max(pass_[e], pass);  // one licence suffices: the most permissive
    }
  }
  for (std::size_t ri = 0; ri < rs.size(); ++ri) {
    const auto& r = rs[ri];
    if (!is_licence(r) || !active(t, r)) continue;
    for (std::size_t k = 0; k < r.edges.size(); ++k)
      if (!off(begin_[ri] + static_cast<int>(k)))
        limit[r.edges[k]] = std::min(limit[r.edges[k]], pass_[r.edges[k]]);
  }
}

void Licences::use(int t, const std::vector<double>& shipped, const std::vector<char>* covered) {
  if (!any_) return;
  auto off = [covered](int li) { return uncovered(covered, li); };
  const auto& rs = forcing_.restrictions;
  // What period licences did not cover uses up one-shipment balances, in event order.
  for (std::size_t ri = 0; ri < rs.size(); ++ri) {
    const auto& r = rs[ri];
    if (is_licence(r) && r.validity == 0 && active(t, r))
      for (std::size_t k = 0; k < r.edges.size(); ++k)
        if (!off(begin_[ri] + static_cast<int>(k)))
          cover_[r.edges[k]] = std::max(0.0, shipped[r.edges[k]] - period_pass_[r.edges[k]]);
  }
  for (std::size_t ri = 0; ri < rs.size(); ++ri) {
    const auto& r = rs[ri];
    if (!is_licence(r) || r.validity != 0 || !active(t, r)) continue;
    for (std::size_t k = 0; k < r.edges.size(); ++k) {
      if (off(begin_[ri] + static_cast<int>(k))) continue;
      const int e = r.edges[k];
      double& bal = balance_[begin_[ri] + static_cast<int>(k)];
      const double take = std::min(bal, cover_[e]);
      bal -= take;
      cover_[e] -= take;
    }
  }
}

}  // namespace rareshock::sim
