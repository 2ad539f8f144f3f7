#pragma once
/// \file Scenario events compiled against a network: which nodes, slots and edges each event
/// touches, on which days (day 0 = study start), with what parameters. Built once per run.
#include <limits>
#include <string>
#include <vector>

#include "rareshock/core/date.hpp"
#include "rareshock/model/scenario.hpp"
#include "rareshock/sim/network.hpp"
#include "rareshock/sim/origin_tracker.hpp"

namespace rareshock::sim {

inline constexpr int kNever = std::numeric_limits<int>::max() / 2;

/// A trigger compiled: fixed start day, or the first shortage day of watched consumers + lag.
struct CompiledTrigger {
  bool on_shortage = false;
  std::vector<int> watch;  ///< consumer input slots watched
  double threshold = 0.01;
  int lag = 0;
};

struct CompiledRestriction {
  std::string event_id;
  int start = 0, end = kNever;  ///< active on days start..end (inclusive)
  RegimeKind regime = RegimeKind::Ban;
  std::vector<int> edges;    ///< edges it covers
  int review_delay = 0;      ///< [days] (deterministic: the distribution's mean, rounded)
  Distribution review_dist;  ///< sampled per application in stochastic runs
  int max_delay = 0;         ///< [days] upper end of the review delay (ring size - 1)
  std::vector<std::pair<int, double>> approval;  ///< (from day, fraction), in order
  int validity = 0;                              ///< [days]; 0 = one licence per shipment
  double quota_per_day = 0;                      ///< [t/day]
  double volume_cap = -1;         ///< application cap / normal flow; < 0: the engine setting
  bool granted_at_start = false;  ///< the previous regime's applications are decided from `start`
  bool resubmit = false;          ///< refused applications are filed again
  int resubmit_delay = 0;         ///< [days] from refusal to the new application (>= 1)
  std::vector<std::pair<int, double>> resubmit_approval;  ///< empty: `approval`
  /// origin-content condition: the event covers an edge on a day only when the supplier's
  /// goods meet it (off: every day)
  CompiledOriginRule origin;
  int max_attempts = 0;  ///< decisions per application, first included; 0: unlimited
  double approval_on(int day) const;
  double resubmit_approval_on(int day) const;
};

struct CompiledOutage {
  int start = 0, end = kNever;
  std::vector<int> nodes;
  double remaining = 0;
};

struct CompiledDemandShock {
  int start = 0, end = kNever;
  std::vector<int> slots;  ///< consumer input slots
  double factor = 1;
};

struct CompiledDelay {
  int start = 0, end = kNever;
  std::vector<int> edges;
  int extra = 0;
};

/// Capacity expansion or recycling ramp: capacity goes from `from` to `to` over `ramp` days.
struct CompiledRamp {
  int node = -1;
  int start = 0, end = kNever;
  double from = 0, to = 0;  ///< [t/day]
  int ramp = 0;
  CompiledTrigger trigger;
};

struct CompiledStockpileRelease {
  int node = -1;
  int start = 0, end = kNever;
  std::vector<int> out_slots;  ///< stockpile materials released
  std::vector<int> edges;      ///< edges to eligible customers
  double rate = 0;             ///< [t/day]
  double cover_below = -1;     ///< [days]; <0: always
};

struct CompiledSubstitution {
  int start = 0, end = kNever;
  std::vector<int> slots;  ///< consumer input slots
  double max_reduction = 0;
  int lag = 0, ramp = 0;
  CompiledTrigger trigger;
};

struct CompiledRecipeSwitch {
  int node = -1;
  int recipe = -1;  ///< global recipe index
  int day = 0;      ///< first day the recipe is used
  int end = kNever;
};

/// All events of a run, compiled.
struct Forcing {
  std::vector<CompiledRestriction> restrictions;
  std::vector<CompiledOutage> outages;
  std::vector<CompiledDemandShock> demand_shocks;
  std::vector<CompiledDelay> delays;
  std::vector<CompiledRamp> expansions;  ///< capacity_expansion and recycling
  std::vector<CompiledStockpileRelease> releases;
  std::vector<CompiledSubstitution> substitutions;
  std::vector<CompiledRecipeSwitch> switches;
  int max_extra_lead = 0;
  bool needs_origin = false;  ///< some restriction has an origin-content condition
  /// Last day a restricting event (restriction or outage) is active; -1 if none; kNever if
  /// open-ended.
  int last_restriction_day = -1;
  std::vector<std::string> notes;  ///< modelling notes (e.g. approximations applied)
};

/// Compiles events of \p scenarios against \p net for a run starting at \p start.
Forcing compile_forcing(const Network& net, const Model& model,
                        const std::vector<const Scenario*>& scenarios, Date start);

/// True when material \p m (by id) matches \p sel, honouring an optional de-minimis content.
bool material_matches(const Model& model, const Material& m, const MaterialSelector& sel,
                      double de_minimis = -1);

/// True when \p place (a country or group id) is selected by \p sel: named in it, or (for a
/// group) every member country is.
bool place_matches(const Model& model, const std::string& place, const CountrySelector& sel);

}  // namespace rareshock::sim
