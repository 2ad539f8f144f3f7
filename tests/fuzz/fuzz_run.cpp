// libFuzzer harness: load -> compile -> a short run. The input is a model or a study (YAML,
// loaded inside the sandbox, so a study may name the example model and scenarios). A valid
// input is compiled and run for at most kDays days and kRuns combinations (a model alone runs
// its baseline). Checks, beyond "no crash, no hang": every metric and daily series value is
// finite and not negative where it cannot be (docs/model.md invariants), and a run either
// completes or throws rareshock::Error (any other exception is a finding).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "rareshock/analysis/run/study_run.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/io/load.hpp"
#include "sandbox.hpp"

namespace {

constexpr int kDays = 12;
constexpr std::size_t kRuns = 2;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_run: %s\n", what.c_str());
  std::abort();
}

void check_value(double v, const std::string& what, bool non_negative) {
  if (!std::isfinite(v)) fail(what + " is not finite");
  // Tolerance for the rounding of sums that should be zero.
  if (non_negative && v < -1e-6) fail(what + " is negative: " + std::to_string(v));
}

void check_series(const std::vector<double>& s, const std::string& what) {
  for (std::size_t d = 0; d < s.size(); ++d)
    check_value(s[d], what + " on day " + std::to_string(d), true);
}

void check(const rareshock::analysis::StudyResult& result) {
  for (const auto& run : result.runs)
    for (const auto& e : run.entities) {
      const std::string at = run.combination.id + "/" +
                             std::string(rareshock::analysis::to_string(e.level)) + "/" + e.id;
      const auto& m = e.metrics;
      check_value(m.peak_shortfall, at + " peak_shortfall", true);
      check_value(m.demand_t, at + " demand_t", true);
      check_value(m.unmet_t, at + " unmet_t", true);
      check_value(m.unmet_fraction, at + " unmet_fraction", true);
      check_value(m.units_lost, at + " units_lost", true);
      check_value(m.value_lost_usd, at + " value_lost_usd", true);
      check_value(m.min_cover_days, at + " min_cover_days", true);
      if (m.margin_lost_usd) check_value(*m.margin_lost_usd, at + " margin_lost_usd", true);
      check_series(e.series.demand, at + " demand");
      check_series(e.series.consumed, at + " consumed");
      check_series(e.series.shortfall, at + " shortfall");
      check_series(e.series.stock, at + " stock");
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  rareshock::fuzz::sandbox();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rareshock;
  if (size > 64 * 1024) return -1;
  const std::string text(reinterpret_cast<const char*>(data), size);
  io::Loaded loaded;
  try {
    loaded = io::load_text(fuzz::path("input.yaml"), text);
  } catch (const InputError&) {
    return 0;
  }
  Study study;
  if (loaded.study) {
    study = *loaded.study;
    if (study.combinations.size() > kRuns) study.combinations.resize(kRuns);
  } else if (loaded.model) {
    study.model = *loaded.model;
    study.start = make_date(2025, 1, 1);
    study.combinations.push_back(Combination{"baseline", std::nullopt, {}});
  } else {
    return 0;  // a scenario alone does not run
  }
  study.horizon = std::min(study.horizon, kDays);
  try {
    analysis::RunOptions options;
    options.trade_series = true;
    check(analysis::run_study(study, options));
  } catch (const Error&) {
    // A documented failure (compile() refuses a diverging baseline with RuntimeError). Any
    // other exception escapes and libFuzzer reports it as a crash.
  }
  return 0;
}
