#pragma once
/// \file The contents of a run directory, read back for reporting: summary.json (metrics,
/// Monte Carlo results, sensitivity, mitigation ranking), timeseries/sectors.csv,
/// baseline-flows.csv, provenance.json and resolved-study.yaml (scenarios as applied, the
/// model's names, sources and assumptions). Plain data, no parser types.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "rareshock/core/date.hpp"

namespace rareshock::report {

/// The shortage metrics of one entity (see docs/model.md, "Metrics"). Days are offsets from
/// the study start.
struct MetricValues {
  std::optional<int> time_to_shortage;
  double peak_shortfall = 0;  ///< [1]
  std::optional<int> peak_day;
  int shortage_days = 0;
  double demand_t = 0, unmet_t = 0, unmet_fraction = 0;
  double units_lost = 0;        ///< same product counted once (lower bound)
  double units_lost_upper = 0;  ///< summed over consumers of a shared product (upper bound)
  double value_lost_usd = 0;    ///< units lost at full unit value (upper bound on the loss)
  std::optional<double> margin_lost_usd;      ///< value added lost (margin-based)
  std::optional<int> time_to_recover;         ///< [days] from the recovery reference day
  std::optional<int> recovery_reference_day;  ///< the entity's own; none: the run's or peak
  double min_cover_days = 0;
  std::optional<int> min_cover_day;
};

/// Summary statistics of a metric over Monte Carlo draws; NaN where absent.
struct Quantiles {
  double mean, p5, p10, p50, p90, p95;
};

/// Monte Carlo results of one entity.
struct McEntity {
  double probability_of_shortage = 0;
  std::map<std::string, Quantiles> metrics;        ///< by metric name
  std::map<std::string, std::vector<double>> fan;  ///< "p5".."p95" -> daily shortfall [1]
};

/// One consumer, sector or region in one run.
struct EntityResult {
  std::string level;  ///< consumer, sector, region or sector_region
  std::string id, sector, region;
  std::string unit_name;  ///< what units_lost counts; empty in older summaries
  MetricValues metrics;
  std::vector<std::pair<std::string, MetricValues>> materials;  ///< per input material
  std::optional<McEntity> monte_carlo;
  /// `supply` block (absent in older summaries: all zero)
  double switched_t = 0, from_new_suppliers_t = 0, blocked_t = 0;
  std::optional<int> new_supplier_day;
};

struct RunResult {
  std::string id;
  std::optional<std::string> scenario;  ///< none: the baseline
  std::vector<std::string> mitigations;
  int recovery_reference_day = -1;  ///< -1: each entity's peak day
  std::vector<std::string> notes;
  std::vector<EntityResult> results;
  int mc_draws = 0;  ///< 0: no Monte Carlo results

  const EntityResult* find(std::string_view level, std::string_view id) const;
};

/// Daily series of one entity in one run (from timeseries/<level>s.csv).
struct Series {
  std::vector<double> shortfall_fraction;  ///< [1]
  std::vector<double> cover_days;          ///< stock in days of baseline demand; NaN if none
};

struct TornadoParam {
  std::string path;
  double low = 0, high = 0;                ///< parameter values
  double metric_low = 0, metric_high = 0;  ///< metric at those values
};
struct TornadoEntry {
  std::string run, level, id, metric;
  double base = 0;
  std::vector<TornadoParam> params;
};

/// Variance-based (Sobol) indices of one metric: first-order and total, with 95 % intervals.
struct SobolFactor {
  std::string factor;
  double s1, s1_lo, s1_hi, st, st_lo, st_hi;  ///< NaN where absent
};
struct SobolEntry {
  std::string run, level, id, metric;
  std::vector<SobolFactor> factors;
};

struct Spread {
  double mean, p10, p90;  ///< NaN where absent
};
struct MitigationScore {
  std::string mitigation;                ///< the run (combination) id
  std::vector<std::string> mitigations;  ///< its mitigation packages, when given
  Spread shortage_days_avoided, unmet_t_avoided, value_avoided_usd;
};
struct MitigationRanking {
  std::string scenario, level, id;
  std::vector<MitigationScore> ranking;
};

/// One event of a scenario as applied: its type, when, and what it does in words.
struct EventInfo {
  std::string id, type, description;
  std::string start, end;  ///< as written in the study (a date or an offset); end may be empty
  std::string what;        ///< generated sentence: what is restricted or changed, for whom
};

struct ScenarioInfo {
  std::string id, name, description;
  bool mitigation = false;  ///< a mitigation package rather than a shock
  std::vector<std::string> sources;
  std::vector<EventInfo> events;
};

/// A baseline flow between two nodes (baseline-flows.csv).
struct FlowRow {
  std::string from, to, material, from_country, to_country, from_stage, to_stage;
  double t_per_yr = 0;
};

/// Structural analysis (analysis/summary.json, written by `rareshock analyze` or by a run of
/// a study with an `analysis:` section; docs/analysis.md).
struct ConcentrationRow {
  std::string stage, material, basis, top1_country;
  double total_t_per_yr = 0, hhi = 0, top1_share = 0, top3_share = 0;
  std::vector<std::pair<std::string, double>> shares;  ///< country, share (descending)
};
struct ExposureRow {
  std::string sector, region, material, basis;
  double demand_t_per_yr = 0;
  std::map<std::string, std::map<std::string, double>> by_stage;  ///< stage|any -> country -> share
};
struct ChokepointTarget {
  std::string case_name, sector, region, binding_element;
  double supportable_fraction = 0;
};
struct CriticalityEntry {
  int rank = 0;
  std::string kind, id, country, stage;
  double baseline_output_share = 0, unmet_t = 0, units_lost = 0, value_lost_usd = 0;
  double peak_shortfall = 0;
  int shortage_days = 0, sectors_short = 0;
  std::optional<int> first_short_day;
};
struct StructuralData {
  int criticality_days = 0;
  std::vector<ConcentrationRow> concentration;
  std::vector<ExposureRow> exposure;
  std::vector<ChokepointTarget> targets;
  std::vector<CriticalityEntry> criticality;  ///< by rank
};

/// Fit statistics of a modelled series against an observed one (summary.json "observed").
struct FitRow {
  int n = 0;
  double bias = 0, mae = 0, rmse = 0, relative_rmse = 0;
  double correlation = 0;  ///< NaN when undefined
};
struct ObservedPeriod {
  std::string period;
  Date first, last;
  double observed = 0, modelled = 0;  ///< [t]
};
struct ObservedRun {
  std::string run;
  std::optional<FitRow> all, training, validation;
  std::vector<ObservedPeriod> periods;
};
/// An observed series and its fit in each run it is compared with.
struct ObservedData {
  std::string id, source_file, period, measure;
  std::vector<std::string> notes;
  std::string training, validation;  ///< "from to to" when the study defines the window
  std::vector<ObservedRun> runs;
};

struct InputFile {
  std::string path, sha256;
};

struct RunData {
  std::filesystem::path dir;
  // study (summary.json)
  int format_version = 0;
  std::string tool_version, git_sha;
  std::string name, description, model_name;
  Date start;
  std::string start_text, end_text;
  int horizon_days = 0;
  double shortage_threshold = 0.01;
  std::string seed;  ///< as text (64-bit)
  int draws = 0;
  std::vector<std::string> warnings;
  std::vector<RunResult> runs;
  int mc_draws_requested = 0;  ///< from summary.json "uncertainty"
  bool mc_partial = false;     ///< Monte Carlo was interrupted
  std::vector<TornadoEntry> tornado;
  std::vector<SobolEntry> sobol;
  std::vector<MitigationRanking> mitigation_ranking;
  std::vector<ObservedData> observed;  ///< summary.json "observed"
  bool has_structural = false;         ///< summary.json has a "structural" section (not rendered)
  std::optional<StructuralData> structure;  ///< from analysis/summary.json, when present

  // series: (run, level, id) -> series; empty when timeseries/ is absent
  std::map<std::tuple<std::string, std::string, std::string>, Series> series;
  bool has_series = false;

  // baseline flows; empty when baseline-flows.csv is absent
  std::vector<FlowRow> flows;
  bool has_flows = false;

  // resolved study
  std::vector<ScenarioInfo> scenarios;  ///< shocks, then mitigation packages
  std::string model_description, base_year;
  std::vector<std::string> model_sources, model_assumptions;
  std::vector<std::pair<std::string, int>> item_sources;  ///< distinct `source` of items, count
  std::map<std::string, int> confidence;                  ///< H/M/L -> count of items
  std::map<std::string, std::string> names;  ///< ids of countries, groups, consumers, nodes
  std::map<std::string, std::string> material_names;
  /// The resolved `engine:` section, every key in order: (key, value as written with unit).
  std::vector<std::pair<std::string, std::string>> engine;
  bool has_resolved_study = false;

  // provenance.json
  std::string compiler, build_type, dependencies, started, finished;
  int threads = 0;
  std::vector<std::string> command_line;
  std::vector<InputFile> inputs;
  std::string resolved_study_sha256;
  bool has_provenance = false;

  /// Problems met while reading optional files (shown in the report, never fatal).
  std::vector<std::string> read_problems;

  const Series* find_series(const std::string& run, const std::string& level,
                            const std::string& id) const;
  /// Display name of a country, group, node or consumer id (the id when it has none).
  std::string name_of(const std::string& id) const;
};

/// Reads the run directory \p dir. Throws InputError when summary.json is missing or is not
/// a rareshock summary; the other files are optional (their sections are left out).
RunData read_run_dir(const std::filesystem::path& dir);

}  // namespace rareshock::report
