#pragma once
/// \file Structural analysis of a model without a scenario run: concentration
/// per stage and material, origin exposure of each sector × region, chokepoints (maximum flow
/// and minimum cut), and the criticality ranking. Method and output shapes: docs/analysis.md.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rareshock/analysis/structure/criticality.hpp"
#include "rareshock/analysis/structure/origin.hpp"
#include "rareshock/core/date.hpp"
#include "rareshock/model/model.hpp"
#include "rareshock/model/scenario.hpp"
#include "rareshock/model/study.hpp"
#include "rareshock/sim/network.hpp"

namespace rareshock::analysis {

// ---- concentration ----------------------------------------------------------------------

struct CountryShare {
  std::string country;
  double share = 0;  ///< [1]
};

/// Country concentration of one stage × material (or, with material "*", of the stage's node
/// activity, in whatever unit its recipes use).
struct ConcentrationRow {
  Stage stage = Stage::Mine;
  std::string material;  ///< material id, or "*" for the stage's node activity
  std::string basis;     ///< "capacity" or "flow" (baseline output)
  double total = 0;      ///< [t/yr]
  double hhi = 0;        ///< Herfindahl–Hirschman index of country shares, 0 … 10 000
  std::vector<CountryShare> shares;  ///< descending (ties by country id)
  std::string top1_country() const { return shares.empty() ? "" : shares[0].country; }
  double top1_share() const { return shares.empty() ? 0 : shares[0].share; }
  double top3_share() const;
};

/// Rows for every producing stage × output material, from capacities and from baseline
/// outputs (stockpiles and consumers excluded). Rows with a zero total are left out.
std::vector<ConcentrationRow> concentration(const sim::Network& net);

// ---- origin exposure --------------------------------------------------------------------

struct ExposureShare {
  std::string stage;  ///< a stage name, or "any" (passed through the country at any stage)
  std::string country;
  double share = 0;  ///< [1]
};

/// Where the supply of one sector × region × material comes from, for one basis.
struct ExposureRow {
  std::string sector;
  std::string region;  ///< consumer region, or "*" for all regions
  std::string material;
  std::string basis;    ///< "mass" or an element symbol
  double demand_t = 0;  ///< baseline demand of the basis quantity [t/yr] (element tonnes)
  std::vector<ExposureShare> shares;  ///< stage order, then descending share; > 1e-9 only
};

/// Aggregates the traced origins of every consumer input slot by sector × region (weighted by
/// baseline demand of the basis quantity).
std::vector<ExposureRow> origin_exposure(const sim::Network& net, const OriginTrace& trace);

// ---- chokepoints ------------------------------------------------------------------------

/// What bounds a sector's supply: a node's capacity or a restricted link.
enum class CutKind { Node, Edge };
/// "node", "edge" (chokepoints `kind`).
std::string_view to_string(CutKind kind);

struct CutItem {
  CutKind kind = CutKind::Node;
  std::string id;  ///< node id or edge label
  std::string country;
  std::string stage;
  double capacity_t = 0;  ///< [t/yr] of the element, in delivered equivalents
};

/// Maximum steady-state flow of one element from all sources to one sector × region.
struct ChokepointRow {
  std::string case_id;  ///< "baseline" or the scenario id
  std::string sector;
  std::string region;  ///< consumer region, or "*" for all regions
  std::string element;
  int reference_day = -1;    ///< scenario day whose restrictions apply (-1: baseline)
  double demand_t = 0;       ///< baseline demand of the element [t/yr]
  double max_flow_t = 0;     ///< [t/yr]
  std::vector<CutItem> cut;  ///< a minimum cut (the one nearest the sources), largest first
  double ratio() const { return demand_t > 0 ? max_flow_t / demand_t : 0; }
};

struct ChokepointOptions {
  /// Export restrictions and capacity outages of this scenario in force on the reference day
  /// (licences at that day's approval fraction, quotas pro rata to baseline flows); none:
  /// baseline only.
  const Scenario* scenario = nullptr;
  /// Day (from \p start) whose restrictions apply; none: the scenario's last change (latest
  /// start or approval step of a restriction or outage).
  std::optional<int> day;
  Date start = make_date(2025, 1, 1);  ///< day 0, for the scenario's calendar dates
  double licence_volume_cap = 1;       ///< as the engine's setting
};

/// Chokepoint rows for the baseline, then (with a scenario) under its restrictions; for every
/// sector (region "*") and sector × region, for every traced element in its demand.
std::vector<ChokepointRow> chokepoints(const sim::Network& net, const Model& model,
                                       const OriginTrace& trace, const ChokepointOptions& options);

// ---- all of it --------------------------------------------------------------------------

struct StructureOptions {
  bool criticality = true;
  CriticalityOptions criticality_options;
  ChokepointOptions chokepoint_options;
};

struct StructureResult {
  std::string model_name;
  std::vector<std::string> warnings;  ///< from compiling the network
  std::vector<std::string> countries, elements, bases;
  std::vector<ConcentrationRow> concentration;
  std::vector<ExposureRow> exposure;
  std::vector<ChokepointRow> chokepoints;
  std::vector<std::string> chokepoint_cases;  ///< "baseline", then the scenario id
  std::optional<CriticalityResult> criticality;
  std::vector<std::pair<std::string, double>> seconds;  ///< wall time per part
};

/// Options from a study: its start, shortage threshold, engine settings and `analysis:`
/// section (the scenario named by `restrictions_from` points into \p study).
StructureOptions structure_options(const Study& study);

/// Compiles \p model and runs every part. Throws RuntimeError on failure.
StructureResult analyze_structure(const Model& model, const StructureOptions& options);

}  // namespace rareshock::analysis
