#pragma once
// Internal: why a consumer is hit, in words (from EntityResult::why, docs/reports.md "How the
// shock travelled"), and the run's losses in the measure a planner can defend.
#include "report_builder.hpp"

namespace rareshock::report::doc::detail {

/// One sentence: where \p e's supply came from before and during the shock, the stock it drew,
/// the binding constraint and what helped (the mitigated runs of \p g); "" when \p e has no
/// why record.
std::string why_sentence(const RunData& d, const ScenarioRuns& g, const EntityResult& e);

/// The binding constraint of \p w in words ("" when none was found).
std::string binding_text(const RunData& d, const analysis::WhyRecord& w);

/// The report section "How the shock travelled": per scenario, the hit consumers' supply
/// balance, biggest supply changes and binding constraints, and mitigations that made a
/// consumer worse, with the mechanism.
std::vector<Section> shock_travel(const RunData& d);

/// The run's losses: value added lost (units not built x margin) as the headline, full value
/// as the upper bound, units per unit name (never summed across vehicles, MW, devices).
std::string loss_sentence(const RunData& d, const RunResult& r);

/// A run's losses over all its consumers in money: full sales value, and value added when
/// every unit name that lost value has a margin (the measure loss_sentence leads with).
struct MoneyLost {
  double value = 0;
  std::optional<double> margin;
};
MoneyLost money_lost(const RunResult& r);

}  // namespace rareshock::report::doc::detail
