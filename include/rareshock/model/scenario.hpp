#pragma once
/// \file Scenarios: named lists of time-bounded events — shocks (export restrictions,
/// outages, demand shocks, logistics delays) and mitigations (stockpile releases, capacity
/// expansions, substitution, recipe switches, recycling).
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "rareshock/core/date.hpp"
#include "rareshock/core/units.hpp"
#include "rareshock/model/distribution.hpp"
#include "rareshock/model/model.hpp"

namespace rareshock {

/// A point in time: a calendar date or a day offset from the study start.
struct TimeRef {
  bool is_date = true;
  Date date;
  double offset = 0;  ///< [days] when !is_date
  bool operator==(const TimeRef&) const = default;
  /// Day index relative to \p start.
  double day(Date start) const { return is_date ? static_cast<double>(date - start) : offset; }
};

/// A sum of element contents above a threshold, e.g. Dy + Tb > 0.1 %.
struct ElementSum {
  std::vector<std::string> elements;  ///< element symbols
  double above = 0;                   ///< mass fraction [1]; selected when the sum exceeds it
  bool operator==(const ElementSum&) const = default;
};

/// Materials by id, by family, by element content at or above a threshold, or by a sum of
/// element contents above a threshold (any match counts).
struct MaterialSelector {
  std::vector<Ref> ids;
  std::vector<Ref> families;
  std::vector<std::pair<std::string, double>> elements_above;  ///< element, mass fraction [1]
  std::vector<ElementSum> elements_sum_above;
  bool all = false;
  bool operator==(const MaterialSelector&) const = default;
};

/// Countries: a list (countries or groups), or all, or all except a list.
struct CountrySelector {
  bool all = false;
  std::vector<Ref> only;    ///< when !all
  std::vector<Ref> except;  ///< when all
  bool operator==(const CountrySelector&) const = default;
};

/// Nodes by id, or by country and/or stage (all given criteria must hold).
struct NodeSelector {
  std::vector<Ref> nodes;
  std::vector<Ref> countries;
  std::vector<Stage> stages;
  bool operator==(const NodeSelector&) const = default;
};

/// Consumers by id, sector and/or region (all given criteria must hold; empty = all).
struct ConsumerSelector {
  std::vector<Ref> consumers;
  std::vector<Ref> sectors;
  std::vector<Ref> regions;
  bool operator==(const ConsumerSelector&) const = default;
};

/// Edges by endpoints, endpoint countries and material (all given criteria must hold).
struct EdgeSelector {
  std::vector<Ref> from;
  std::vector<Ref> to;
  std::vector<Ref> from_countries;
  std::vector<Ref> to_countries;
  MaterialSelector materials;
  bool operator==(const EdgeSelector&) const = default;
};

enum class RegimeKind { Ban, Licence, Quota };
const char* to_string(RegimeKind k);

/// From \p from on, this fraction of licence applications is approved.
struct ApprovalStep {
  TimeRef from;
  double fraction = 0;
  bool operator==(const ApprovalStep&) const = default;
};

/// Refused applications filed again (docs/model.md, "Licences").
struct Resubmission {
  Duration delay = Duration::days(10);  ///< from the refusal to the new application (>= 1 day)
  std::vector<ApprovalStep> approval;   ///< empty: the regime's approval schedule
  int max_attempts = 0;                 ///< decisions per application, first included; 0: unlimited
  bool operator==(const Resubmission&) const = default;
};

struct LicenceRegime {
  Distribution review_delay = Distribution::fixed(45 * 7.0 / 5.0);  ///< [days]
  std::vector<ApprovalStep> approval;        ///< by date; before the first step nothing is approved
  std::optional<Duration> validity;          ///< none = one licence per shipment
  std::optional<Resubmission> resubmission;  ///< none: refused applications are not resubmitted
  std::optional<double> volume_cap;  ///< application cap / normal flow; none: engine setting
  bool granted_at_start = false;     ///< decisions of the previous regime's applications land
                                     ///< from the first day (no gap between regimes)
  bool operator==(const LicenceRegime&) const = default;
};

struct QuotaRegime {
  Rate annual;  ///< across all restricted destinations, allocated pro rata
  bool operator==(const QuotaRegime&) const = default;
};

/// An origin-content condition (e.g. China's rule No. 61: foreign-made goods containing
/// China-origin rare earths worth 0.1 % or more of their value).
struct OriginContent {
  std::vector<Ref> countries;  ///< restricted origins (countries or groups)
  std::vector<Stage> stages;   ///< tracked stages whose country counts; empty: every one
  bool by_value = true;        ///< value content (else mass content)
  double at_least = 0;         ///< [1] content at or above which goods are covered
  Origin stages_origin;        ///< where `stages` is written (or the condition itself)
  bool operator==(const OriginContent&) const = default;
};

struct ExportRestriction {
  CountrySelector exporters;
  MaterialSelector materials;
  CountrySelector destinations;
  std::vector<Ref> exporter_nodes;       ///< only edges from these supplier nodes (empty: all)
  std::vector<Ref> destination_nodes;    ///< only edges to these customer nodes (empty: all)
  std::vector<Ref> destination_sectors;  ///< only edges to consumers of these sectors
  RegimeKind regime = RegimeKind::Ban;
  LicenceRegime licence;
  QuotaRegime quota;
  std::optional<double> de_minimis;  ///< content share below which goods pass [1]
  /// Only goods with at least this content of restricted-origin rare earths (engine origin
  /// tracking; docs/model.md "Origin tracking"); none: every selected edge
  std::optional<OriginContent> origin_content;
  std::vector<Ref> end_users;  ///< only edges to consumers of these end-user classes
  bool operator==(const ExportRestriction&) const = default;
};

struct CapacityOutage {
  NodeSelector nodes;
  double remaining = 0;  ///< capacity fraction left [1]
  bool operator==(const CapacityOutage&) const = default;
};

struct DemandShock {
  ConsumerSelector consumers;
  double factor = 1;  ///< demand multiplier [1]
  bool operator==(const DemandShock&) const = default;
};

struct LogisticsDelay {
  EdgeSelector edges;
  Duration extra_days;
  bool operator==(const LogisticsDelay&) const = default;
};

/// What arms a mitigation: its start date, or a shortage at watched consumers.
struct Trigger {
  bool on_shortage = false;
  ConsumerSelector watch;   ///< shortage at any of these (empty = any consumer)
  double threshold = 0.01;  ///< shortfall fraction that counts as shortage [1]
  Duration lag;             ///< from the trigger to the start of the response
  bool operator==(const Trigger&) const = default;
};

struct StockpileRelease {
  Ref node;                    ///< a stockpile node
  MaterialSelector materials;  ///< default: all it holds
  Rate rate;                   ///< maximum release
  std::optional<double>
      cover_below;           ///< [days]: release only when eligible customers' cover < this
  CountrySelector eligible;  ///< customers' countries (default: all)
  bool operator==(const StockpileRelease&) const = default;
};

struct CapacityExpansion {
  Ref node;
  Rate from;      ///< capacity at the start of the ramp
  Rate to;        ///< capacity at the end of the ramp
  Duration ramp;  ///< from start to full
  Trigger trigger;
  bool operator==(const CapacityExpansion&) const = default;
};

struct Substitution {
  ConsumerSelector consumers;
  Ref material;
  double max_reduction = 0;  ///< fraction of demand that can move away [1]
  Duration lag;              ///< before any reduction
  Duration ramp;             ///< from the end of the lag to the full reduction
  Trigger trigger;
  bool operator==(const Substitution&) const = default;
};

struct RecipeSwitch {
  Ref node;
  Ref recipe;
  Duration qualification_lag;
  bool operator==(const RecipeSwitch&) const = default;
};

struct Recycling {
  Ref node;       ///< a recycler node
  Rate from, to;  ///< capacity at the start and the end of the ramp
  Duration ramp;
  bool operator==(const Recycling&) const = default;
};

enum class EventType {
  ExportRestriction,
  CapacityOutage,
  DemandShock,
  LogisticsDelay,
  StockpileRelease,
  CapacityExpansion,
  Substitution,
  RecipeSwitch,
  Recycling
};
const char* to_string(EventType t);
std::vector<std::string> event_type_names();
bool is_mitigation(EventType t);

struct Event {
  std::string id;
  EventType type = EventType::ExportRestriction;
  std::string description;
  TimeRef start;
  std::optional<TimeRef> end;  ///< none: lasts to the end of the horizon
  Origin end_origin;           ///< where `end` is written
  std::variant<ExportRestriction, CapacityOutage, DemandShock, LogisticsDelay, StockpileRelease,
               CapacityExpansion, Substitution, RecipeSwitch, Recycling>
      data;
  Origin origin;
  bool operator==(const Event&) const = default;
};

struct Scenario {
  std::string id;
  std::string name;
  std::string description;
  std::vector<std::string> sources;
  std::vector<Event> events;
  Origin origin;
  bool operator==(const Scenario&) const = default;
};

}  // namespace rareshock
