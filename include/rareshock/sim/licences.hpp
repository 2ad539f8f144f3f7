#pragma once
/// \file Export licences as a process (docs/model.md, "Licences"): applications filed with
/// the orders, decided after a review delay with the approval fraction of the decision day,
/// refused volume resubmitted, one-shipment balances and period licences per covered edge.
/// The Engine owns one Licences object and asks it for each day's pass limits.
#include <cstdint>
#include <optional>
#include <vector>

#include "rareshock/core/random.hpp"

#include "rareshock/sim/forcing.hpp"
#include "rareshock/sim/network.hpp"

namespace rareshock::sim {

class Licences {
 public:
  /// \p default_volume_cap: the engine's licence_volume_cap, for regimes without their own.
  Licences(const Network& net, const Forcing& forcing, double default_volume_cap);

  /// Back to day 0: no applications, balances or licences (the random stream restarts).
  void reset();
  /// Stochastic decisions from the stream (seed, draw, Licences, run); see Engine.
  void sample(std::uint64_t seed, std::uint64_t draw, std::uint64_t run);
  bool stochastic() const { return rng_.has_value(); }
  /// True when some licence regime exists (otherwise every call is a no-op).
  bool any() const { return any_; }

  /// Phase 2: files today's applications for the orders \p order (per edge) just placed, and
  /// decides the period-licence applications due today.
  /// \p share: current shares (licence volumes follow the normal flow at the current share).
  /// \p covered (optional, per restriction and covered edge as begin(r) + k): 0 where an
  /// origin-content condition does not hold today (no application, no limit, no use).
  void file(int t, const std::vector<double>& order, const std::vector<double>& share,
            const std::vector<char>* covered = nullptr);
  /// Phase 4: makes today's decisions and lowers \p limit (per edge) to what licences let pass.
  void limit(int t, const std::vector<double>& order, const std::vector<double>& share,
             std::vector<double>& limit, const std::vector<char>* covered = nullptr);
  /// After allocation: shipments use up one-shipment licences.
  void use(int t, const std::vector<double>& shipped, const std::vector<char>* covered = nullptr);

  // ---- state, read-only (per restriction r and covered edge k: index begin(r) + k) ---------
  int begin(int r) const { return begin_[r]; }  ///< r = number of restrictions: the total
  const std::vector<double>& balance() const { return balance_; }       ///< [t] approved, unshipped
  const std::vector<int>& valid_until() const { return valid_until_; }  ///< period licences
  const std::vector<double>& fraction() const { return fraction_; }     ///< period licences
  /// Memory held [bytes].
  std::size_t bytes() const;

 private:
  double normal_volume(const CompiledRestriction& r, int e, const std::vector<double>& share) const;
  int review_delay(const CompiledRestriction& r);
  double decide(double approval);
  void decide_period(const CompiledRestriction& r, int li, int t);
  int levels(const CompiledRestriction& r) const;
  int ring(const CompiledRestriction& r) const;
  int next_level(const CompiledRestriction& r, int level) const;  ///< -1: no more attempts
  double* pending(int ri, int k, int level, int day);

  const Network& net_;
  const Forcing& forcing_;
  double default_cap_;
  bool any_ = false;

  std::vector<int> begin_;        ///< per restriction, into the per-edge arrays below
  std::vector<int> ring_begin_;   ///< per restriction, into pending_
  std::vector<double> pending_;   ///< one-shipment applications [edge][level][decision day % ring]
  std::vector<double> balance_;   ///< one-shipment: approved, unshipped tonnes
  std::vector<int> valid_until_;  ///< period: last day of the current licence
  std::vector<double> fraction_;  ///< period: approved fraction of the current licence
  std::vector<int> decision_;     ///< period: day the pending application is decided
  std::vector<int> level_;        ///< period: attempt level of the pending application
  std::vector<char> closed_;      ///< period: refused with no attempts left
  std::vector<double> cover_;     ///< per edge: fraction covered by a valid period licence
  std::vector<double> period_pass_;  ///< per edge: today's pass under period licences
  std::vector<double> pass_;         ///< per edge: today's pass under licences (-1: none)

  std::optional<Rng> rng_;
  std::uint64_t seed_[3] = {0, 0, 0};
};

}  // namespace rareshock::sim
