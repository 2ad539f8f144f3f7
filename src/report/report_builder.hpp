#pragma once
// Internal: the report builder (report_content.cpp and the report_*.cpp files, one per group
// of report sections) and its helpers: names, numbers, run grouping.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "document.hpp"
#include "rareshock/core/build_info.hpp"
#include "rareshock/core/text.hpp"
#include "rareshock/model/metric.hpp"
#include "rareshock/report/focus.hpp"
#include "rareshock/report/markup.hpp"
#include "rareshock/report/svg_chart.hpp"

namespace rareshock::report::doc::detail {

using analysis::EntityResult;
using analysis::Level;
using analysis::RunResult;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline const analysis::UncertaintyResult kNoUncertainty;
constexpr std::size_t kMaxSentencesPerScenario = 6;
constexpr std::size_t kMaxChartLines = 8;        ///< consumers in a shortfall or cover chart
constexpr std::size_t kMaxMitigationCharts = 4;  ///< consumers with a with/without chart
constexpr int kChartWidth = 960;

// ---- names and numbers -------------------------------------------------------------------

/// "ev_traction" -> "EV traction".
std::string sector_name(const std::string& id);

class Namer {
 public:
  explicit Namer(const RunData& d) : d_(d) {}
  std::string region(const std::string& id) const { return d_.name_of(id); }
  std::string entity(const EntityResult& e) const {
    if (e.level == Level::Sector) return sector_name(e.id);
    if (e.level == Level::Region) return region(e.id);
    if (e.sector.empty()) return d_.name_of(e.id);
    return sector_name(e.sector) + " in " + region(e.region);
  }
  std::string scenario(const std::string& id) const {
    for (const auto& s : d_.scenarios)
      if (s.id == id && !s.name.empty()) return s.name;
    return id;
  }

 private:
  const RunData& d_;
};

std::string day_text(const RunData& d, int day);
std::string day_text(const RunData& d, const std::optional<int>& day);
std::string days(double n);
Table make_table(std::string caption, std::vector<std::string> header,
                 std::vector<bool> numeric = {});

/// A mitigated run's name without its scenario: "us-stockpile-release", "all-mitigations".
std::string mitigation_label(const RunResult& r);

/// Counts for sentences: "49,900", "1.45 million".
std::string format_count(double n);

/// A count with its unit name: "1.45 million vehicles", "406 MW", "1 vehicle" (a plural unit
/// name ending in 's' loses it for a count of one).
std::string count_text(double n, const std::string& unit);

/// A loss in money, value added first: "value added USD 1.2 bn; USD 3.4 bn at full sales
/// value, an upper bound", or without a margin "USD 3.4 bn at full sales value, an upper
/// bound: no margin given".
std::string loss_value_text(const std::optional<double>& margin, double value);

/// A change of losses in money (\p margin and \p value: mitigated minus alone; negative:
/// less lost): "USD 1.2 bn less value added lost, USD 3.4 bn less at full sales value", or
/// without margins "USD 3.4 bn less output lost at full sales value, an upper bound".
std::string value_change_text(const std::optional<double>& margin, double value);

/// What a ranked mitigation avoids in money (means): "value added USD 1.2 bn; USD 3.4 bn at
/// full sales value", or "USD 3.4 bn at full sales value" without margins; "" when it
/// avoids nothing.
std::string avoided_text(const analysis::RankingEntry& m);

/// Day of recovery: reference (run or the entity's peak) + time_to_recover.
std::optional<int> recovery_day(const RunResult& r, const EntityResult& e);

bool short_in(const EntityResult& e);

// ---- run structure -----------------------------------------------------------------------

struct ScenarioRuns {
  std::string scenario;
  const RunResult* base = nullptr;          ///< the scenario alone
  std::vector<const RunResult*> mitigated;  ///< the scenario with mitigations
};

std::vector<ScenarioRuns> group_runs(const RunData& d);

std::vector<const EntityResult*> level_of(const RunResult& r, Level level);

const ScenarioInfo* scenario_info(const RunData& d, const std::string& id);

/// Event starts (and ends) of a scenario, as chart markers.
std::vector<svg::Marker> markers_of(const RunData& d, const std::string& scenario);

/// Origin of consumption summed over a group of consumers (a region or a sector).
struct OriginSum {
  std::vector<double> by_key, exposed;  ///< [t] per origin key; [t] ordered per rule, covered
  double total = 0, ordered = 0;        ///< [t] consumed; [t] ordered
};

// ---- the builder -------------------------------------------------------------------------

class Builder {
 public:
  explicit Builder(const RunData& d)
      : d_(d),
        st_(d.record.study),
        unc_(d.record.uncertainty ? *d.record.uncertainty : kNoUncertainty),
        name_(d),
        groups_(group_runs(d)) {}

  Document build();

 private:
  const RunData& d_;
  const StudyInfo& st_;
  const analysis::UncertaintyResult& unc_;
  Namer name_;
  std::vector<ScenarioRuns> groups_;
  int figure_no_ = 0;

  static void add(Document& doc, std::vector<Section> s);

  /// Charts are drawn at the report's column width.
  template <class Chart>
  static std::string draw(Chart c) {
    c.width = kChartWidth;
    return svg::render(c);
  }

  Figure figure(const std::string& id, const std::string& caption, const std::string& svg);
  std::string chart_id() const { return fmt::format("{:02}", figure_no_ + 1); }

  bool has_mc() const;

  // ---- overview --------------------------------------------------------------------------

  Section overview();

  // ---- model vs observed -----------------------------------------------------------------

  std::vector<Section> observed();
  Table observed_fits() const;
  Section observed_series(const ObservedRecord& o);

  // ---- executive summary -----------------------------------------------------------------

  /// The consumers run \p r hits, focus first, then the worst hit (focus.hpp).
  std::vector<Hit> hits_of(const RunResult& r) const;

  /// When \p h runs short under \p scenario: a date, or with Monte Carlo the share of draws,
  /// the median date and the 80 % band, and whether the central run is short.
  std::string when_text(const Hit& h, const std::string& scenario) const;

  /// "63 days on 2027-11-22", or "63 days (never fell)" when the stock never fell below its
  /// starting level (from the entity's daily series when the run directory has it).
  std::string cover_text(const RunResult& r, const EntityResult& e) const;
  bool cover_fell(const RunResult& r, const EntityResult& e) const;

  /// What mitigated run \p m does to entity \p e's shortage.
  std::string mitigation_effect(const EntityResult& e, const RunResult& m) const;

  std::string shortage_sentence(const ScenarioRuns& g, const Hit& h, bool with_mitigations) const;

  /// One finding per hit consumer: when and how badly it runs short, what the mitigations do,
  /// and where its supply came from. Later sentences about the same consumer (e.g. why it
  /// runs short) are appended here, so every finding stays one bullet.
  std::string finding(const ScenarioRuns& g, const Hit& h, bool with_mitigations) const;

  /// The paragraph that opens a scenario's findings.
  std::string scenario_head(const ScenarioRuns& g, const std::vector<Hit>& hits) const;

  /// What the mitigation ranking of \p scenario ranks by, as the start of a parenthesis the
  /// caller closes: "value added avoided (units not built × margin".
  std::string ranking_measure(const std::string& scenario) const;

  /// "Findings list ... first": how consumers are ordered.
  std::string order_sentence() const;

  Section summary();

  /// Per scenario: a headline, the consumers that run short (earliest first), consumers short
  /// only in some Monte Carlo draws, and what each mitigation package does overall.
  void scenario_findings(Section& s, const ScenarioRuns& g) const;

  /// The resolved engine setting \p key as written, or "" when the study does not list it.
  std::string engine_setting(const std::string& key) const;

  /// Where a short or nearly short consumer's supply came from, when switching suppliers or
  /// newly qualified suppliers gave at least kSupplyShare of its demand, or restrictions
  /// blocked part of its orders; "" otherwise.
  std::string supply_sentence(const EntityResult& e) const;

  /// What one mitigation package does to the shortages of \p base, in one sentence.
  std::string mitigation_sentence(const RunResult& base, const RunResult& m,
                                  const std::vector<const EntityResult*>& shorts) const;

  /// The most concentrated stage and the most damaging single outage, from the structural
  /// analysis.
  std::string structure_sentence(const StructuralData& st) const;

  std::string no_shortage_sentence(const RunResult& r) const;

  std::string run_total_sentence(const RunResult& r) const;

  /// A metric value with its unit; time to shortage at (or beyond) the horizon reads "no
  /// shortage within the horizon".
  std::string metric_text(Metric metric, double v, const std::string& unit = {}) const;
  /// What units_lost of an entity counts ("vehicles", "MW"); "units" when unknown or mixed.
  std::string unit_of(Level level, const std::string& id) const;

  std::string entity_name(Level level, const std::string& id) const;

  /// A ranked combination without its scenario: "all-mitigations", "us-stockpile-release".
  static std::string score_label(const analysis::RankingEntry& m, const std::string& scenario);

  template <class F>
  static std::string range_text(const analysis::QuantileSummary& x, F f) {
    if (!std::isfinite(x.p10) || !std::isfinite(x.p90) || (x.p10 == x.mean && x.p90 == x.mean))
      return {};
    return fmt::format(", P10–P90 {} to {}", f(x.p10), f(x.p90));
  }

  std::vector<std::string> ranking_scenarios() const;

  /// A parameter path shortened for labels: "scenarios[s].events[e].licence.x" -> "e: licence.x",
  /// "model.consumers[*].inventory_days" -> "consumers[*].inventory_days".
  static std::string short_path(const std::string& path);

  static double swing(const analysis::TornadoParam& p);

  /// Tornado entries of runs without mitigations whose parameters move the metric, largest
  /// swing first (at most \p n, for the first metric analysed).
  std::vector<const analysis::TornadoEntry*> top_tornado(std::size_t n) const;

  /// A run of a scenario alone (no mitigations): the runs whose details are charted.
  bool headline(const std::string& run) const;

  // ---- scenarios as applied --------------------------------------------------------------

  Section scenarios();

  static std::vector<std::string> prefix(const std::string& p, const std::vector<std::string>& v);

  // ---- shortfall over time ---------------------------------------------------------------

  /// Daily shortfall (or stock cover) of the consumers \p r hits, focus first (at most
  /// kMaxChartLines); the focus consumers when none is hit; sectors when the run directory has
  /// no consumer series.
  svg::LineChart consumer_chart(const RunResult& r, bool cover) const;
  std::vector<const EntityResult*> chart_entities(const RunResult& r) const;
  /// "EV traction in EU" for a consumer; "EV traction (all regions)" for a sector.
  std::string chart_label(const EntityResult& e) const;
  const Series* series_of(const RunResult& r, const EntityResult& e) const;
  void shortfall_group(Section& sub, const ScenarioRuns& g);
  std::optional<Figure> peak_heatmap(const RunResult& r);
  void mitigation_charts(Section& sub, const ScenarioRuns& g);

  std::vector<Section> shortfall();

  std::string shortfall_alt(const RunResult& r) const;

  std::string cover_alt(const RunResult& r) const;

  std::string mitigation_alt(const ScenarioRuns& g, const EntityResult& e) const;

  // ---- mitigations compared --------------------------------------------------------------

  std::vector<Section> mitigations();
  /// Runs of a scenario with mitigations, the scenario alone first.
  static std::vector<const RunResult*> runs_of(const ScenarioRuns& g);
  static std::string run_label(const RunResult& r);
  void mitigation_group(Section& s, const ScenarioRuns& g);
  void ranking_table(Section& s, const std::string& scenario);

  // ---- uncertainty -----------------------------------------------------------------------

  std::vector<Section> uncertainty();

  Section monte_carlo(const RunResult& r);
  /// Fan charts of the first sectors in regions of run \p r's shortfall chart (at most
  /// kMaxMitigationCharts), each with its deterministic run.
  void fan_charts(Section& sub, const RunResult& r);

  Section tornado();
  /// One table per run without mitigations: every parameter that moves a metric, with the
  /// parameter's low and high values and the metric's at each (units named).
  Table tornado_table(const std::string& run) const;
  static std::string param_value(const std::string& path, double v);
  /// The unit param_value writes for \p path ("days", "%", "t/yr"; "" for plain numbers).
  static std::string param_unit(const std::string& path);
  /// A tornado factor for tables: its short path, or "group NAME (N parameters)".
  static std::string param_label(const analysis::TornadoParam& p);
  /// A tornado factor's low → high with units; for a group, each member's range when they
  /// agree, else the shared unit and a pointer to tornado_groups().
  static std::string param_range(const analysis::TornadoParam& p);
  /// The members of the tornado's groups whose ranges differ, with their P10 and P90.
  Table tornado_groups() const;

  Section sobol();

  static std::string metric_label(Metric metric) { return std::string(metric_info(metric).label); }

  static std::string metric_noun(Metric metric);

  // ---- result tables ---------------------------------------------------------------------

  Table metrics_table(const RunResult& r, const std::string& level) const;

  /// Units lost with their unit name; a range when consumers of one product share units.
  static std::string units_text(const EntityResult& e);

  std::string material_name(const std::string& id) const;

  /// Per-grade metrics of the consumers that use more than one material.
  Table grades_table(const RunResult& r) const;

  Section tables();

  // ---- baseline flows --------------------------------------------------------------------

  static int stage_column(const std::string& stage);

  std::vector<Section> flows();
  /// Per stage: total throughput and country shares (\p alt: the chart's text alternative).
  static Table throughput_table(const svg::FlowDiagram& fd, std::vector<std::string>& alt);
  svg::FlowDiagram flow_diagram(std::size_t& countries) const;

  /// Origin of supply (runs whose engine traced origins): origin mix of consumption and the
  /// share exposed to each origin rule, by region and by sector.
  std::vector<Section> origins();
  Table origin_table(bool regions, const std::map<std::string, OriginSum>& sums,
                     const analysis::OriginRecord& o) const;

  // ---- structural risk (issue 7) ---------------------------------------------------------

  std::vector<Section> structural();
  std::optional<Figure> exposure_heatmap(const StructuralData& st);
  void criticality(Section& s, const StructuralData& st);
  Table chokepoints(const StructuralData& st) const;

  // ---- assumptions and sources -----------------------------------------------------------

  Section sources();

  // ---- provenance ------------------------------------------------------------------------

  Section provenance();
};

}  // namespace rareshock::report::doc::detail
