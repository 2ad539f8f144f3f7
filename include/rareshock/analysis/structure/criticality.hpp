#pragma once
/// \file Criticality ranking: disable each producing node, and each country × stage, for D
/// days and rank by the impact on consumers (unmet tonnes, value lost), with time-to-survive
/// and time-to-recover in the spirit of Simchi-Levi et al. (2015, Interfaces 45(5)):
///
/// - TTR (time to recover) of a node is the outage length D, an input;
/// - TTS (time to survive) is how long the network still serves every consumer when the node
///   never comes back: the first day any consumer's extra shortfall reaches the shortage
///   threshold in a run with an open-ended outage (none: not within the horizon);
/// - a node is *vulnerable* when TTS < TTR;
/// - the performance impact is the lost output (tonnes, units, value) over the horizon of a
///   run with the D-day outage, with the engine's stocks, pipelines, rationing and share
///   adaptation (re-routing).
///
/// Impacts are measured against the baseline run (nothing disabled), so a model whose baseline
/// is already short is not charged twice. The outages run through an Executor (threads, or the
/// ranks of an MPI job with threads inside each); results do not depend on either count.
#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rareshock/core/date.hpp"
#include "rareshock/executor.hpp"
#include "rareshock/model/model.hpp"
#include "rareshock/sim/engine.hpp"
#include "rareshock/sim/network.hpp"

namespace rareshock::analysis {

struct CriticalityOptions {
  int days = 90;                     ///< D: outage length [days], also each node's TTR
  int horizon = 0;                   ///< simulated days; 0: D + 365
  double shortage_threshold = 0.01;  ///< extra shortfall fraction that counts as shortage [1]
  Date start = make_date(2025, 1, 1);
  int threads = 0;  ///< 0: all cores (when executor is null)
  /// Where the outages run (threads, or MPI ranks with threads inside each); null: a
  /// ThreadExecutor of `threads`. Every process of an MPI job calls rank_criticality.
  Executor* executor = nullptr;
  bool nodes = true;
  /// Also every country × stage with at least two producing nodes (a single node is listed as
  /// itself).
  bool country_stages = true;
  sim::EngineSettings engine;
  /// Set (e.g. by Ctrl-C) to stop: outages not yet run are skipped and the result is marked
  /// cancelled; it must not be used as a ranking then.
  const std::atomic<bool>* cancel = nullptr;
  int effective_horizon() const { return horizon > 0 ? horizon : days + 365; }
};

/// Impact of one outage on one sector (all its consumers), or on all consumers.
struct Impact {
  double unmet_t = 0;              ///< extra demand not met over the horizon [t]
  double units_lost = 0;           ///< downstream units not built
  double value_lost_usd = 0;       ///< their value [USD]
  double peak_shortfall = 0;       ///< max daily extra shortfall fraction [1]
  int shortage_days = 0;           ///< days with extra shortfall >= threshold
  std::optional<int> first_short;  ///< first day short in the D-day outage (none: never)
  std::optional<int> tts;          ///< time to survive [days]: first day short if it never ends
  /// [days] after the outage ends (day D) until shortfall stays below the threshold; 0 when it
  /// recovered before; none when never short or not recovered within the horizon
  std::optional<int> recovery;
  bool recovered = true;  ///< false when still short on the last day
};

/// What an outage of the ranking takes out: one node, or every node of a stage in a country.
/// In tie-break order (country × stage outages first).
enum class OutageKind { CountryStage, Node };
/// "country_stage", "node" (criticality.csv and analysis/summary.json `kind`).
std::string_view to_string(OutageKind kind);

struct CriticalityEntry {
  OutageKind kind = OutageKind::Node;
  std::string id;  ///< node id, or "CN/refinery"
  std::string country;
  Stage stage = Stage::Mine;
  std::vector<std::string> nodes;    ///< the disabled nodes
  double baseline_output_share = 0;  ///< their share of their stage's baseline activity [1]
  Impact total;                      ///< over all consumers (tts: first consumer short)
  std::vector<std::pair<std::string, Impact>> sectors;  ///< per sector, sector order
  int ttr = 0;                                          ///< [days] = D
  bool vulnerable = false;                              ///< tts < ttr
  int sectors_short = 0;                                ///< sectors with any shortage day
  double iim_inoperability = 0;  ///< static IIM: demand-weighted consumer inoperability [1]
  int rank = 0;        ///< 1 = largest value lost (ties: unmet tonnes, shorter TTS, IIM, id)
  int rank_unmet = 0;  ///< 1 = most unmet tonnes
};

struct CriticalityResult {
  CriticalityOptions options;
  std::vector<std::string> sectors;       ///< sector ids in output order
  std::vector<CriticalityEntry> entries;  ///< sorted by rank
  double baseline_unmet_t = 0;            ///< unmet in the baseline run (normally 0) [t]
  int threads = 1;                        ///< threads (per process under MPI)
  double seconds = 0;                     ///< wall time of the runs
  bool cancelled = false;                 ///< options.cancel was set: some outages were not run
};

/// An entry as a task result (Executor): every field, in a fixed order; unpack_entry reads what
/// pack wrote.
void pack(Packed& out, const CriticalityEntry& e);
CriticalityEntry unpack_entry(Unpacker& in);

/// Runs the baseline and one outage per node (and per country × stage) on \p net (compiled
/// from \p model). Throws RuntimeError on failure of a run (naming the outage; when several
/// fail, the first in target order, whatever ran first).
CriticalityResult rank_criticality(const Model& model, const sim::Network& net,
                                   const CriticalityOptions& options);

}  // namespace rareshock::analysis
