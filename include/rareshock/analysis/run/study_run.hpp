#pragma once
/// \file Runs every combination of a study deterministically and computes its metrics per
/// consumer, sector and region. No files are written here (see report/run_output.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rareshock/analysis/run/metrics.hpp"
#include "rareshock/analysis/run/why.hpp"
#include "rareshock/model/study.hpp"
#include "rareshock/sim/engine.hpp"

namespace rareshock::analysis {

/// Metrics of one input material of an entity (its consumers' slots of that material only).
struct MaterialResult {
  std::string material;
  ShortageMetrics metrics;
};

/// Where a consumer's supply came from during a run (docs/formats.md, `supply`), summed over
/// its input slots and, for aggregates, over its consumers. Tonnes are shipments toward the
/// consumer on its own supplier edges.
struct SupplySources {
  /// [t] shipped on edges whose share rose above baseline (suppliers switched to), the part
  /// beyond the baseline share: shipped x (share − baseline share) / share
  double switched_t = 0;
  double from_new_suppliers_t = 0;      ///< [t] shipped by standby suppliers (baseline share 0)
  std::optional<int> new_supplier_day;  ///< first day a standby supplier shipped
  /// [t] ordered on the consumer's supplier edges beyond what restrictions let pass, per day
  /// at most that day's demand (unfilled orders are placed again the next day)
  double blocked_t = 0;
  void add(const SupplySources& o);
};

/// The level of a result row (docs/formats.md, metrics.csv `level`).
enum class Level { Consumer, Sector, Region, SectorRegion };
/// "consumer", "sector", "region", "sector_region".
std::string_view to_string(Level level);
/// The level named \p name, or none.
std::optional<Level> level_from_string(std::string_view name);

/// One result row: a consumer, a sector (all regions), a region (all sectors) or a sector in a
/// region with more than one consumer ("sector_region", id "sector@region").
struct EntityResult {
  Level level = Level::Consumer;
  std::string id;
  std::string sector;       ///< for consumers, sectors and sector_region
  std::string region;       ///< for consumers, regions and sector_region
  std::string unit_name;    ///< what units_lost counts ("units" when not given or mixed)
  ShortageMetrics metrics;  ///< all materials summed
  ShortageSeries series;
  std::vector<MaterialResult> materials;  ///< per input material, in first-seen order
  SupplySources supply;
  /// Consumers hit or whose supply moved (RunOptions::why): how the shock reached it
  std::optional<WhyRecord> why;
};

struct NodeSeries {
  std::vector<double> activity, capacity;  ///< [units/day]
};
struct EdgeSeries {
  std::vector<double> ordered, shipped;  ///< [t/day]
};

/// Trade of one material from one place to another, summed over the edges between them
/// (docs/formats.md, timeseries/trade.csv). A place is the node's country; a consumer without
/// one stands for its region (a country or group id).
struct TradeFlow {
  std::string exporter, importer;
  std::string importer_region;  ///< first consumer region containing the importer ("" if none)
  std::string material;
  std::vector<double> shipped, arrived;  ///< [t/day]
  bool domestic() const { return exporter == importer; }
};

/// Origin of what consumers used, when the engine traced origins (docs/model.md, "Origin
/// tracking"; docs/formats.md, timeseries/origin_mix.csv).
struct OriginRecord {
  std::vector<std::string> keys;       ///< origin key labels, e.g. "mine MM / refinery CN"
  std::vector<std::string> rules;      ///< ids of the events with an origin_content condition
  std::vector<std::string> periods;    ///< calendar months, "2025-01", ...
  std::vector<std::string> consumers;  ///< consumer ids (Network::consumer_nodes order)
  /// per consumer: [period * keys.size() + key] tonnes consumed (mass channel)
  std::vector<std::vector<double>> consumed;
  /// per consumer: [rule] tonnes it ordered on edges the rule covered that day (what the rule
  /// subjected to its regime: licences, a ban or a quota)
  std::vector<std::vector<double>> exposed;
  std::vector<double> ordered;  ///< per consumer: tonnes it ordered (all its suppliers)
  std::vector<double> total;    ///< per consumer: tonnes consumed
};

/// Losses of a run over all consumers, per unit name (vehicles, MW, devices...): never one
/// sum across different units, and a product shared by sectors counted once.
struct LossByUnit {
  std::string unit_name;
  double units_lost = 0;                  ///< a shared product counted once (lower bound)
  double units_lost_upper = 0;            ///< summed over the consumers of a shared product
  double value_lost_usd = 0;              ///< those units at full unit value (upper bound)
  std::optional<double> margin_lost_usd;  ///< units x value x margin (the defensible measure)
};

struct RunResult {
  Combination combination;
  std::vector<EntityResult> entities;
  std::vector<LossByUnit> losses;  ///< by unit name, in first-seen order
  std::vector<NodeSeries> nodes;   ///< by node index, when requested
  std::vector<EdgeSeries> edges;   ///< by edge index, when requested
  std::vector<TradeFlow> trade;    ///< sorted by exporter, importer, material; when requested
  std::vector<std::string> notes;
  int recovery_reference = -1;         ///< last day of restricting events, -1 if none/open-ended
  std::optional<OriginRecord> origin;  ///< when the engine traced origins
};

struct StudyResult {
  std::vector<RunResult> runs;
  std::vector<std::string> warnings;  ///< from compiling the network
};

/// Engine settings come from the study (`study.engine`), never from here: a study re-read
/// with drawn or fitted values (Monte Carlo, sensitivity, calibration) carries its own.
struct RunOptions {
  bool node_series = false;
  bool edge_series = false;
  bool trade_series = true;  ///< RunResult::trade (trade-flow outputs, observed series)
  /// EntityResult::why of the consumers (records every edge's daily flows during the run)
  bool why = false;
  /// EntityResult::materials, EntityResult::supply and RunResult::losses. Off (Monte Carlo
  /// draws, sensitivity points: they read metrics and shortfall series only), a run records
  /// neither per-material series nor supply sources; every entity's metrics and series are
  /// the same either way (they come from the summed series).
  bool details = true;
  /// Stochastic licences (Monte Carlo): stream (licence_seed, licence_draw, run index).
  bool sample_licences = false;
  std::uint64_t licence_seed = 0, licence_draw = 0;
};

/// The engine settings of a study's `engine:` section (the one conversion; add new settings here).
sim::EngineSettings engine_settings(const Study& study);

/// Per consumer (Network::consumer_nodes order): the last day of the restricting events
/// (export restrictions and capacity outages) that touch an edge or node upstream of it, i.e.
/// from which it can be reached; -1 when none does, sim::kNever when one is open-ended (in
/// both cases recovery is counted from the peak).
std::vector<int> consumer_recovery_reference(const sim::Network& net, const sim::Forcing& forcing);

/// Runs every combination of \p study (deterministic: distributions at their means).
StudyResult run_study(const Study& study, const RunOptions& options = {});

/// Runs one combination on an already compiled network (\p run_index names its random
/// stream when licences are sampled).
RunResult run_combination(const Study& study, const sim::Network& net, const Combination& c,
                          const RunOptions& options, int run_index = 0);

}  // namespace rareshock::analysis
