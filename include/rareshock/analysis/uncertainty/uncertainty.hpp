#pragma once
/// \file Uncertainty: Monte Carlo ensembles (parallel, reproducible), one-at-a-time tornado,
/// Sobol indices and mitigation ranking. Semantics in docs/uncertainty.md.
#include <array>
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "rareshock/analysis/run/study_run.hpp"
#include "rareshock/analysis/uncertainty/quantiles.hpp"
#include "rareshock/analysis/uncertainty/sobol.hpp"
#include "rareshock/io/tree.hpp"

namespace rareshock {
class Executor;
}

namespace rareshock::analysis {

struct UncertaintySettings {
  int threads = 0;  ///< 0: all cores (when executor is null)
  /// Where draws run (threads, or MPI ranks with threads inside each); null: a
  /// ThreadExecutor of `threads`. Results do not depend on it.
  Executor* executor = nullptr;
  RunOptions
      run;  ///< series and why options are ignored; engine settings come from each draw's study
  /// Called after each chunk of draws with (done, total), from the calling thread.
  std::function<void(int, int)> progress;
  /// Set to stop: the Monte Carlo loop, the tornado and Sobol each after their current chunk
  /// of executor tasks (a cancelled tornado or Sobol analysis is left out whole).
  const std::atomic<bool>* cancel = nullptr;
  /// The study's deterministic runs (run_study with sample_licences off), one per combination
  /// in order, when the caller already has them: they are used instead of running every
  /// combination again. Series options do not matter; only entities and metrics are read.
  const std::vector<RunResult>* deterministic = nullptr;
  /// Draws and sensitivity points set their values in the typed study directly where that is
  /// checked to equal re-reading (StudyPatcher); false: every one re-reads the study (the
  /// reference; results are the same).
  bool patch = true;
};

struct McEntity {
  Level level = Level::Consumer;
  std::string id, sector, region;
  double probability_of_shortage = 0;  ///< share of draws with a shortage within the horizon
  /// The summarised metrics (summarised_metrics() order); optional ones over the draws where
  /// they occur
  std::vector<std::pair<Metric, QuantileSummary>> metrics;
  /// Aggregates (sectors, regions, sector_region); consumers in runs without mitigations
  bool has_fan = false;
  std::array<std::vector<double>, 5> fan;  ///< daily shortfall P5, P10, P50, P90, P95
};

struct McRun {
  std::string id;
  std::vector<McEntity> entities;
};

struct RankingEntry {
  std::string combination;  ///< e.g. scenario+mitigation
  std::vector<std::string> mitigations;
  QuantileSummary shortage_days_avoided, unmet_t_avoided, value_avoided_usd;
  /// Value added avoided (margin_lost_usd of the scenario alone minus the mitigated run's);
  /// n = 0 where the sector's consumers have no margin
  QuantileSummary margin_avoided_usd = {};
  /// The measure entries are ranked by: value added avoided where margins are given, else
  /// value at full sales value avoided (mean)
  double rank_measure() const {
    return margin_avoided_usd.n > 0 ? margin_avoided_usd.mean : value_avoided_usd.mean;
  }
};

struct MitigationRanking {
  std::string scenario;
  Level level = Level::Sector;
  std::string id;
  /// Best first: mean value added avoided (value avoided without margins), then unmet tonnes
  std::vector<RankingEntry> ranking;
};

/// One parameter of a group factor, at the group's low and high.
struct TornadoMember {
  std::string path;
  double low = 0, high = 0;  ///< P10, P90 of its own distribution
};

struct TornadoParam {
  std::string path;  ///< the parameter's path, or `group:NAME` for a group
  double low = 0,
         high = 0;  ///< parameter values (P10, P90 of its distribution; a group: its first)
  double metric_low = 0, metric_high = 0;
  /// A group (one shared uniform at 0.1 and 0.9): each member at its own P10 and P90
  std::vector<TornadoMember> members = {};
};

struct TornadoEntry {
  std::string run;
  Level level = Level::Sector;
  std::string id;
  Metric metric = Metric::TimeToShortage;
  double base = 0;
  std::vector<TornadoParam> params;  ///< largest swing first
};

struct SobolEntry {
  std::string run;
  Level level = Level::Sector;
  std::string id;
  Metric metric = Metric::TimeToShortage;
  std::vector<std::pair<std::string, SobolIndex>> factors;  ///< a factor is a parameter or a group
};

struct UncertaintyResult {
  int draws_requested = 0, draws_done = 0;
  /// Stopped by UncertaintySettings::cancel (Ctrl-C): before all draws, or during the tornado
  /// or Sobol runs (those are then left out whole).
  bool partial = false;
  int threads = 1;
  /// Target paths that draws set by re-reading the study, each with the reason
  /// (StudyPatcher::reread_paths); the other paths are patched in the typed study.
  std::vector<std::string> reread_paths;
  std::vector<McRun> runs;
  std::vector<MitigationRanking> ranking;
  std::vector<TornadoEntry> tornado;
  std::vector<SobolEntry> sobol;
};

/// Runs the Monte Carlo ensemble (study.monte_carlo), the tornado and Sobol analyses
/// (study.sensitivity) and the mitigation ranking. \p resolved is the study's resolved tree
/// (io::Loaded::resolved); each draw and sensitivity point gets the study as re-reading it
/// with the drawn values would (typed patches where checked equal, see study_patch.hpp).
/// Draws, tornado and Sobol points run through the settings' Executor. Draw i uses only the
/// streams (seed, i, Parameters) and (seed, i, Licences, run): results are identical for any
/// thread count. With no draws, the ranking comes from the deterministic runs.
UncertaintyResult run_uncertainty(const Study& study, const io::TreeNode& resolved,
                                  const UncertaintySettings& settings);

}  // namespace rareshock::analysis
