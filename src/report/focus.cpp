// Which consumers a reader sees first (focus.hpp).
#include "rareshock/report/focus.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "rareshock/report/markup.hpp"
#include "rareshock/report/run_data.hpp"

namespace rareshock::report {

namespace {

bool listed(const std::vector<std::string>& list, const std::string& id) {
  return list.empty() || std::find(list.begin(), list.end(), id) != list.end();
}

// "2026-08-05" for a (fractional) day of a quantile.
std::string date_of(Date start, double day) {
  return to_string(start + static_cast<int>(std::lround(day)));
}

}  // namespace

bool in_focus(const Focus& f, const analysis::EntityResult& e) {
  if (f.empty() || e.sector.empty() || e.region.empty()) return false;
  return listed(f.regions, e.region) && listed(f.sectors, e.sector);
}

const analysis::McRun* mc_run_of(const analysis::UncertaintyResult* unc,
                                 const analysis::RunResult& run) {
  if (!unc) return nullptr;
  for (const auto& r : unc->runs)
    if (r.id == run.combination.id && !r.entities.empty()) return &r;
  return nullptr;
}

std::vector<Hit> ranked_hits(const analysis::RunResult& run, const analysis::McRun* mc,
                             const Focus& focus) {
  std::vector<Hit> out;
  for (const auto& e : run.entities) {
    if (e.level != analysis::Level::Consumer) continue;
    Hit h{&e, nullptr, in_focus(focus, e), e.metrics.time_to_shortage.has_value(), 0};
    if (mc)
      for (const auto& m : mc->entities)
        if (m.level == e.level && m.id == e.id) h.mc = &m;
    h.probability = h.mc ? h.mc->probability_of_shortage : h.short_central ? 1.0 : 0.0;
    if (h.short_central || h.probability > 0) out.push_back(h);
  }
  std::stable_sort(out.begin(), out.end(), [](const Hit& a, const Hit& b) {
    if (a.focus != b.focus) return a.focus;
    const auto& ma = a.entity->metrics;
    const auto& mb = b.entity->metrics;
    if (ma.unmet_fraction != mb.unmet_fraction) return ma.unmet_fraction > mb.unmet_fraction;
    if (a.probability != b.probability) return a.probability > b.probability;
    const int da = ma.time_to_shortage.value_or(1 << 30);
    const int db = mb.time_to_shortage.value_or(1 << 30);
    if (da != db) return da < db;
    return a.entity->id < b.entity->id;
  });
  return out;
}

std::string hit_line(const Hit& h, Date start) {
  const analysis::EntityResult& e = *h.entity;
  const auto& m = e.metrics;
  std::string out = e.sector + " in " + e.region + ": ";
  const analysis::QuantileSummary* q = h.mc ? mc_metric(*h.mc, Metric::TimeToShortage) : nullptr;
  if (h.mc) {
    out += fmt::format("short in {} of draws", format_percent(h.probability));
    if (q && q->n > 0 && std::isfinite(q->p50))
      out += fmt::format(" (median {}, 80 % band {} to {})", date_of(start, q->p50),
                         date_of(start, q->p10), date_of(start, q->p90));
    out += h.short_central
               ? fmt::format("; central run short from {}", to_string(start + *m.time_to_shortage))
               : std::string("; not short in the central run");
  } else {
    out += fmt::format("short from {} (day {})", to_string(start + *m.time_to_shortage),
                       *m.time_to_shortage);
  }
  if (!h.short_central) return out;
  out += fmt::format(", peak {}", format_percent(m.peak_shortfall));
  if (m.peak_day) out += " on " + to_string(start + *m.peak_day);
  out += fmt::format(", {} unmet ({} of demand)", format_tonnes(m.unmet_t),
                     format_percent(m.unmet_fraction));
  return out;
}

}  // namespace rareshock::report
