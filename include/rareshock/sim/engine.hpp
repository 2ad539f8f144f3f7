#pragma once
/// \file The daily engine. Each step runs the phases of docs/model.md ("The daily step") in
/// this order: forcing, ordering, production, allocation, transport, consumption, record.
/// State lives in flat arrays indexed by node, slot and edge; a step allocates nothing.
/// The per-node and per-slot loops of a day can run on several threads: every node, slot and
/// edge is updated by one thread, with the same arithmetic in the same order as on one, so
/// results are bit-identical whatever the thread count (docs/model.md, "Threads").
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rareshock/core/random.hpp"

#include "rareshock/sim/forcing.hpp"
#include "rareshock/sim/licences.hpp"
#include "rareshock/sim/network.hpp"
#include "rareshock/sim/origin_tracker.hpp"

namespace rareshock {
struct EngineParams;
}

namespace rareshock::sim {

/// Behavioural parameters of the engine (documented in docs/model.md).
struct EngineSettings {
  /// [days] time constant for moving share away from a supplier that under-delivers
  double switching_lag = 30;
  /// [days] time constant for shares drifting back to baseline once all suppliers deliver
  double share_reversion = 180;
  /// licensed volume per edge, as a multiple of its normal flow (applications follow contracts)
  double licence_volume_cap = 1;
  /// [days] a standby supplier (baseline share 0) can take share this long after its customer's
  /// slot is first under-delivered; 0: at once
  double qualification_time = 0;
  /// per-material overrides of qualification_time: (material id, days); an edge's own
  /// qualification_time overrides both
  std::vector<std::pair<std::string, double>> qualification;
  /// Origin tracking: the stages whose country makes a material's origin (docs/model.md)
  std::vector<Stage> origin_stages = {Stage::Mine, Stage::Refinery};
  /// track origins even when no event needs them (for origin outputs)
  bool track_origin = false;
  /// never track origins (an origin_content event is then an error)
  bool no_origin = false;
  /// Threads for the day's node and slot loops (results do not depend on it). 0: those of the
  /// calling oneTBB task arena (all cores from the main thread; inside a Monte Carlo draw, the
  /// draws' arena, whose busy workers are not oversubscribed), for networks of at least
  /// kParallelEdges edges only (below that one thread is faster); 1: one thread; N > 1: an
  /// arena of N threads, whatever the network's size.
  int threads = 0;
  static constexpr int kParallelEdges = 20000;
  /// Keep what arrives per edge each day (arrived(): trade flows, the why recorder): a ring of
  /// lead time + 1 days per edge, ~8 bytes x (lead + 1) per edge. Off: arrived() is empty.
  /// Stocks arrive through each input slot's arrival calendar either way, so results do not
  /// depend on it.
  bool edge_arrivals = true;
};

/// The engine settings of a study (`engine:` section), every field carried.
EngineSettings engine_settings(const EngineParams& params);

class Engine;

/// Reads the state after each day (phase 7). Must not keep references past the call.
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void on_day(const Engine& engine) = 0;
};

class Engine {
 public:
  Engine(const Network& net, const Forcing& forcing, EngineSettings settings = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Back to day 0: baseline stocks, pipelines filled with baseline flows, baseline shares.
  void reset();
  /// Advances one day through all phases; calls \p obs (may be null) at the end.
  void step(Observer* obs = nullptr);
  /// reset(), then \p days steps.
  void run(int days, Observer* obs = nullptr);
  /// Stochastic licences: each application's review delay is drawn from its distribution and
  /// each decision approves or refuses (probability = the approval fraction on that day), with
  /// the stream (seed, draw, Licences, run). Without this, delays are the mean and approvals
  /// the expected fraction. Takes effect from the next reset().
  void sample_licences(std::uint64_t seed, std::uint64_t draw, std::uint64_t run);

  int day() const { return day_; }  ///< the day last completed (-1 after reset)
  /// Stocks, pipelines and orders never go below zero: the engine checks it where they are
  /// updated (not clamps that would hide a bug). Round-off below zero, at most kNegativeTol of
  /// the quantities it came from, is set to 0; anything more (or NaN) throws RuntimeError
  /// ("internal error", naming the day, quantity, node and material). This is the most
  /// negative such round-off since reset(), relative to those quantities (0: none).
  double worst_snap() const;
  static constexpr double kNegativeTol = 1e-9;
  const Network& network() const { return net_; }
  const Forcing& forcing() const { return forcing_; }
  const Licences& licences() const { return licences_; }
  /// Origin tracking (null when off: no event needs it and the settings do not ask for it).
  const OriginTracker* origin() const { return origin_.get(); }
  /// Per restriction r and covered edge k (index licences().begin(r) + k): whether the event
  /// covers the edge today (origin-content conditions; 1 for events without one).
  const std::vector<char>& covered() const { return covered_; }

  // ---- state, read-only ---------------------------------------------------------------
  const std::vector<double>& in_stock() const { return in_stock_; }      ///< [t] per input slot
  const std::vector<double>& in_transit() const { return in_transit_; }  ///< [t] per input slot
  const std::vector<double>& out_stock() const { return out_stock_; }    ///< [t] per output slot
  const std::vector<double>& order() const { return order_; }      ///< [t/day] per edge, today
  const std::vector<double>& shipped() const { return shipped_; }  ///< [t/day] per edge, today
  /// [t/day] per edge, today: what reached the customer's input stock (shipped lead time ago);
  /// empty unless EngineSettings::edge_arrivals
  const std::vector<double>& arrived() const { return arrived_; }
  const std::vector<double>& share() const { return share_; }  ///< current shares per edge
  /// [t] per pipeline cell: the input slots' arrival calendars (the OriginTracker's cell
  /// index; cell_slot() names each cell's slot)
  const std::vector<double>& pipeline_cells() const { return cal_; }
  /// Input slot of pipeline cell \p c.
  int cell_slot(std::size_t c) const {
    return static_cast<int>(std::upper_bound(cal_begin_.begin(), cal_begin_.end(), c) -
                            cal_begin_.begin()) -
           1;
  }
  /// Threads the day's loops run on (1: serial).
  int threads() const { return threads_; }
  /// Memory of the engine's state and work space [bytes] (origin tracking included).
  std::size_t bytes() const;
  /// The same per array, by member name (e.g. {"order_", 38400000}), largest first.
  std::vector<std::pair<std::string, std::size_t>> memory() const;
  const std::vector<double>& activity() const {
    return activity_;
  }  ///< [units/day] per node, today
  const std::vector<double>& capacity_now() const { return cap_now_; }  ///< [units/day] per node
  const std::vector<double>& pass_limit() const {
    return limit_;
  }  ///< [t/day] per edge (inf: free)
  const std::vector<double>& want() const {
    return want_;
  }  ///< consumer need today [t] per input slot
  const std::vector<double>& consumed() const { return consumed_; }  ///< [t] per input slot, today
  const std::vector<double>& shortfall() const {
    return shortfall_;
  }  ///< [t] per input slot, today
  const std::vector<double>& demand_now() const { return demand_now_; }  ///< [t/day] per input slot
  const std::vector<int>& recipe_now() const {
    return recipe_now_;
  }  ///< global recipe index per node

  // ---- cumulative accounting since reset (for mass balance) ---------------------------
  const std::vector<double>& produced_total() const { return cum_produced_; }  ///< per output slot
  const std::vector<double>& shipped_total() const { return cum_shipped_; }    ///< per output slot
  const std::vector<double>& arrived_total() const { return cum_arrived_; }    ///< per input slot
  const std::vector<double>& used_total() const {
    return cum_used_;
  }  ///< per input slot (inputs used + consumed)

 private:
  /// Per chunk of a parallel loop: its work space and the round-off it set to 0.
  struct Chunk {
    double worst_snap = 0;
    std::vector<double> contract, out;  ///< rationing work space (one output slot)
    std::vector<int> prio;
    std::vector<double> part;  ///< share adaptation work space (one input slot's edges)
    std::vector<char> kind;
    OriginTracker::Work origin;
  };
  struct Parallel;  ///< the task arena (engine.cpp)
  /// A loop body over [begin, end) of nodes, slots or output slots on day t.
  using RangeFn = void (Engine::*)(int t, int begin, int end, Chunk& chunk);
  /// Runs \p f over the chunks [bounds[c], bounds[c+1]) (one chunk, serially, on one thread).
  void run_chunks(const std::vector<int>& bounds, RangeFn f, int t);
  void setup_pipelines();
  void fill_pipelines();
  void setup_parallel();

  void phase_forcing(int t);
  void phase_ordering(int t);
  void phase_allocation(int t);
  void room_range(int t, int o0, int o1, Chunk& c);
  void order_range(int t, int n0, int n1, Chunk& c);
  void adapt_shares(int t, int s, Chunk& c);
  void production_range(int t, int n0, int n1, Chunk& c);
  void allocation_range(int t, int o0, int o1, Chunk& c);
  void shipments_range(int t, int s0, int s1, Chunk& c);
  void transport_range(int t, int s0, int s1, Chunk& c);
  template <bool kRings, bool kOrigin, bool kDelays>
  void transport_slots(int t, int s0, int s1, Chunk& c);
  void consumption_range(int t, int i0, int i1, Chunk& c);
  void consumption_triggers(int t);
  void allocate(int out_slot, double available, Chunk& c);
  void stockpile_releases(int t);
  /// What must not be negative, for the message of a failed check.
  enum class Quantity { InStock, OutStock, InTransit, Unfilled, Activity };
  /// \p v, or 0 when it is below zero by round-off only (relative to \p scale, the size of
  /// the quantities it came from; 0: it must not be negative at all; the most negative such
  /// round-off goes to \p worst); throws otherwise.
  double nonnegative(double v, double scale, Quantity q, int index, double& worst) const {
    if (v > 0) return v;
    if (v < 0 && v >= -kNegativeTol * scale) {
      worst = std::min(worst, v / scale);
      return 0.0;
    }
    if (v == 0) return 0.0;  // +0 for -0 as well, as std::max(0.0, v) gave
    invariant_failed(v, scale, q, index);
  }
  [[noreturn]] void invariant_failed(double v, double scale, Quantity q, int index) const;
  int trigger_start(int start, const CompiledTrigger& trig, int armed) const;
  void update_coverage(int t);
  void restriction_limits(int t);

  const Network& net_;
  const Forcing& forcing_;
  EngineSettings settings_;
  int day_ = -1;
  double worst_snap_ = 0;  ///< of the serial parts (the chunks keep their own)

  // State, named by the docs/model.md symbol each holds (s: input slot, o: output slot,
  // e: edge, n: node; day t).
  std::vector<double> in_stock_;    ///< S_s [t]: input stock on hand
  std::vector<double> in_transit_;  ///< T_s [t]: in the pipelines to the slot
  std::vector<double> out_stock_;   ///< F_o [t]: finished stock
  std::vector<double> room_;   ///< per output slot: unsold stock + spare capacity [t] (ordering)
  std::vector<double> order_;  ///< q_e [t/day]: today's order
  /// Supplier-major copy of the orders (index: position in Network::out_edges), so production
  /// and allocation stream instead of gathering; from allocation on it holds the wants
  /// min(q_e, λ_e) that allocation fills.
  std::vector<double> order_sm_;
  std::vector<int> sm_pos_;      ///< per edge: its position in Network::out_edges
  std::vector<double> shipped_;  ///< [t/day] today's shipment; fill φ_e = shipped_e / q_e
  /// Per output slot, today: the fraction f of the wants its proportional allocation ships
  /// (each customer edge ships min(q_e, λ_e) · f, written customer-major after allocation);
  /// -1 where allocation wrote shipped_ itself (other rationing rules, stockpiles).
  std::vector<double> fill_;
  std::vector<double> arrived_;       ///< [t/day] what reached the customer today
  std::vector<double> share_;         ///< σ_e(t): current share of the customer's orders
  std::vector<double> limit_;         ///< λ_e [t/day]: pass limit of restrictions (∞: free)
  std::vector<int> restricted_;       ///< edges some restriction covers (λ_e reset daily)
  std::vector<double> activity_;      ///< a_n [units/day]: today's activity
  std::vector<double> prev_desired_;  ///< D_n [units/day]: desired activity, read as D_n(t−1)
  std::vector<double> cap_now_;       ///< K_n(t) [units/day]: capacity today
  std::vector<int> recipe_now_;       ///< r_n(t): global recipe index per node
  std::vector<double> demand_now_;    ///< d_s(t) [t/day]: consumer demand today
  std::vector<double> want_;          ///< d_s(t) + B_s [t]: what a consumer tries to consume
  std::vector<double> consumed_;      ///< [t] consumed today, per consumer input slot
  std::vector<double> shortfall_;     ///< want − consumed [t] today
  std::vector<double> backlog_;       ///< B_s [t]: back-orders of a back-ordering consumer
  std::vector<int> extra_lead_;       ///< x_e(t) [days]: extra lead time of delays (empty: none)
  /// What events changed yesterday (nodes' capacity, slots' demand, edges' extra lead, nodes'
  /// recipe): only these go back to their base values before today's events apply.
  std::vector<int> cap_touched_, demand_touched_, lead_touched_, recipe_touched_;
  std::vector<char> from_stockpile_;  ///< per edge: the supplier is a stockpile (no orders)
  std::vector<char> share_moved_;     ///< per input slot: shares differ from baseline
  std::vector<int> qualification_;    ///< Q_e [days]: before a standby supplier may take share
  std::vector<int> looking_since_;    ///< L_s: first day under-delivered (kNever: not yet)
  std::vector<int> expanded_;         ///< per node: last day an expansion set its capacity
  /// Arrival calendar per input slot s: cal_[cal_begin_[s] + day % L_s] holds what arrives
  /// on that day, L_s = cal_begin_[s + 1] - cal_begin_[s] = the slot's longest lead time + the
  /// most extra lead of delays + 1. Transport adds a shipment to the cell of its arrival day
  /// and takes today's cell into the slot's stock.
  std::vector<double> cal_;
  std::vector<std::size_t> cal_begin_;
  std::vector<int> cal_today_;  ///< per input slot: today's cell, (day) % L_s
  bool has_delays_ = false;     ///< some edge can have extra lead time (extra_lead_ kept)
  /// With edge_arrivals only: per edge e a ring of L_e = lead_e + the most extra lead + 1
  /// days at ring_[ring_begin_[e] ...], holding what each day's arrival is made of.
  std::vector<double> ring_;
  std::vector<std::size_t> ring_begin_;
  std::vector<double> cum_produced_, cum_shipped_, cum_arrived_, cum_used_;

  Licences licences_;  ///< every licence regime's applications, decisions and balances
  std::unique_ptr<OriginTracker> origin_;
  std::vector<char> covered_;  ///< see covered()

  std::vector<int> expansion_armed_, substitution_armed_;

  // Threads: chunk bounds of the node, input slot, output slot and consumer loops (balanced
  // by edges), one Chunk each.
  int threads_ = 1;
  std::unique_ptr<Parallel> par_;  ///< null: serial
  std::vector<int> node_bounds_, slot_bounds_, out_bounds_, consumer_bounds_;
  std::vector<Chunk> chunks_;
};

}  // namespace rareshock::sim
