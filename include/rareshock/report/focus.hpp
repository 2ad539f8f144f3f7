#pragma once
/// \file Which consumers a reader sees first: the study's `focus:` (regions and sectors), else
/// the worst hit. One ordering for the report's findings and charts and the console summary,
/// so they agree (docs/reports.md, "Focus and order").
#include <string>
#include <vector>

#include "rareshock/analysis/run/study_run.hpp"
#include "rareshock/analysis/uncertainty/uncertainty.hpp"
#include "rareshock/model/study.hpp"

namespace rareshock::report {

/// True when consumer (or sector × region) \p e is in focus \p f: its region is one of
/// f.regions and its sector one of f.sectors, a list left empty matching all. False for an
/// empty focus and for entities without a sector and a region.
bool in_focus(const Focus& f, const analysis::EntityResult& e);

/// A consumer a run hits: short in the run itself, or in some of its Monte Carlo draws.
struct Hit {
  const analysis::EntityResult* entity = nullptr;
  const analysis::McEntity* mc = nullptr;  ///< its Monte Carlo results; nullptr without
  bool focus = false;                      ///< in the study's focus
  bool short_central = false;              ///< short in the deterministic run
  double probability = 0;                  ///< share of draws short; 1 or 0 without draws
};

/// The consumers that run \p run hits (short in the run, or with a probability of shortage
/// > 0 in \p mc when given), in reading order: those in focus first, then the largest share
/// of demand unmet, then the highest probability of a shortage, then the earliest shortage,
/// then the id. \p mc: the Monte Carlo results of the same run, or nullptr.
std::vector<Hit> ranked_hits(const analysis::RunResult& run, const analysis::McRun* mc,
                             const Focus& focus);

/// The Monte Carlo results of \p run in \p unc (by run id), or nullptr.
const analysis::McRun* mc_run_of(const analysis::UncertaintyResult* unc,
                                 const analysis::RunResult& run);

/// "EV traction in EU"-style console line of one hit: where, when (with the probability and
/// the median date and 80 % band over the draws when Monte Carlo ran), how deep, how much.
/// \p start: the study's day 0.
std::string hit_line(const Hit& h, Date start);

}  // namespace rareshock::report
