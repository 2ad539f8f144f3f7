#pragma once
/// \file Uncertainty: Monte Carlo ensembles (parallel, reproducible), one-at-a-time tornado,
/// Sobol indices and mitigation ranking. Semantics in docs/uncertainty.md.
#include <array>
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "rareshock/analysis/quantiles.hpp"
#include "rareshock/analysis/sobol.hpp"
#include "rareshock/analysis/study_run.hpp"
#include "rareshock/io/tree.hpp"

namespace rareshock::analysis {

struct UncertaintySettings {
  int threads = 0;  ///< 0: all cores
  RunOptions run;   ///< series options are ignored; engine settings come from each draw's study
  /// Called after each chunk of draws with (done, total), from the calling thread.
  std::function<void(int, int)> progress;
  /// Set to stop: the Monte Carlo loop after its current chunk, the tornado after its current
  /// factor, Sobol after its current model evaluation.
  const std::atomic<bool>* cancel = nullptr;
  /// The study's deterministic runs (run_study with sample_licences off), one per combination
  /// in order, when the caller already has them: they are used instead of running every
  /// combination again. Series options do not matter; only entities and metrics are read.
  const std::vector<RunResult>* deterministic = nullptr;
};

struct McEntity {
  std::string level, id, sector, region;
  double probability_of_shortage = 0;  ///< share of draws with a shortage within the horizon
  std::vector<std::pair<std::string, QuantileSummary>>
      metrics;                             ///< day metrics: over draws where they occur
  bool has_fan = false;                    ///< sectors and regions
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
};

struct MitigationRanking {
  std::string scenario, level, id;
  std::vector<RankingEntry> ranking;  ///< best first (mean value avoided, then unmet tonnes)
};

struct TornadoParam {
  std::string path;
  double low = 0, high = 0;  ///< parameter values (P10, P90 of its distribution)
  double metric_low = 0, metric_high = 0;
};

struct TornadoEntry {
  std::string run, level, id, metric;
  double base = 0;
  std::vector<TornadoParam> params;  ///< largest swing first
};

struct SobolEntry {
  std::string run, level, id, metric;
  std::vector<std::pair<std::string, SobolIndex>> factors;  ///< a factor is a parameter or a group
};

struct UncertaintyResult {
  int draws_requested = 0, draws_done = 0;
  /// Stopped by UncertaintySettings::cancel (Ctrl-C): before all draws, or during the tornado
  /// or Sobol runs (those are then left out whole).
  bool partial = false;
  int threads = 1;
  std::vector<McRun> runs;
  std::vector<MitigationRanking> ranking;
  std::vector<TornadoEntry> tornado;
  std::vector<SobolEntry> sobol;
};

/// Metrics summarised, in order.
const std::vector<std::string>& uncertainty_metrics();

/// Runs the Monte Carlo ensemble (study.monte_carlo), the tornado and Sobol analyses
/// (study.sensitivity) and the mitigation ranking. \p resolved is the study's resolved tree
/// (io::Loaded::resolved); each draw re-reads it with the drawn values. Draw i uses only the
/// streams (seed, i, Parameters) and (seed, i, Licences, run): results are identical for any
/// thread count. With no draws, the ranking comes from the deterministic runs.
UncertaintyResult run_uncertainty(const Study& study, const io::TreeNode& resolved,
                                  const UncertaintySettings& settings);

}  // namespace rareshock::analysis
