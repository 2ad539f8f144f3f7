#include "rareshock/run.hpp"

#include <tbb/task_arena.h>

#include <chrono>
#include <ctime>

#include "rareshock/analysis/run/study_run.hpp"
#include "rareshock/analysis/structure/structure.hpp"
#include "rareshock/analysis/uncertainty/uncertainty.hpp"
#include "rareshock/core/build_info.hpp"
#include "rareshock/core/error.hpp"

namespace rareshock {

std::string now_utc() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

// run() once the study header is described (from the resolved tree, which the rest reads only
// for Monte Carlo draws and sensitivity runs).
RunRecord run_described(const Study& study, StudyInfo info, const io::TreeNode& resolved,
                        const RunSettings& settings) {
  RunRecord rec;
  rec.provenance.started = now_utc();
  rec.tool = {build::version(), build::git_sha()};
  rec.study = std::move(info);

  // Every combination, deterministically (distributions at their means), once.
  analysis::RunOptions ro;
  ro.trade_series = study.outputs.trade_series || !study.observed.empty();
  ro.node_series = study.outputs.node_series;
  ro.edge_series = study.outputs.edge_series;
  ro.why = true;  // EntityResult::why: how the shock reached each consumer
  // The engine's day loops run on the threads of the arena they are called in (large
  // networks; results do not depend on it): settings.threads of them, or all cores.
  if (settings.threads > 0) {
    tbb::task_arena arena(settings.threads);
    arena.execute([&] { rec.results = analysis::run_study(study, ro); });
  } else {
    rec.results = analysis::run_study(study, ro);
  }
  rec.observed = observed_records(study, rec.results);

  // The study's `analysis:` section: structural analysis of its model.
  // (Every process of an MPI job decides alike: the sweep's outages are a collective batch.)
  const bool stop = settings.cancel && settings.cancel->load();
  if (study.analysis.enabled && !(settings.executor ? settings.executor->any(stop) : stop)) {
    auto so = analysis::structure_options(study);
    so.criticality_options.threads = settings.threads;
    so.criticality_options.executor = settings.executor;
    so.criticality_options.cancel = settings.cancel;
    rec.structure = analysis::analyze_structure(study.model, so);
  }

  // Uncertainty: Monte Carlo, sensitivity, mitigation ranking (from the deterministic runs
  // when there are no draws).
  analysis::UncertaintySettings us;
  us.threads = settings.threads;
  us.executor = settings.executor;
  us.run = ro;
  us.cancel = settings.cancel;
  us.progress = settings.progress;
  us.deterministic = &rec.results.runs;  // not run a second time
  rec.uncertainty = analysis::run_uncertainty(study, resolved, us);

  rec.provenance.threads = rec.uncertainty->threads;
  rec.provenance.finished = now_utc();
  return rec;
}

void check_study(const io::Loaded& loaded) {
  if (loaded.kind != io::FileKind::Study || !loaded.study)
    throw InputError("error: rareshock::run needs a study (a file with a 'study:' header), not a " +
                     std::string(io::to_string(loaded.kind)) + " file\n");
}

}  // namespace

bool needs_resolved_tree(const Study& study) {
  return !study.monte_carlo.params.empty() &&
         (study.monte_carlo.draws > 0 || study.sensitivity.tornado || study.sensitivity.sobol);
}

RunRecord run(const Study& study, const io::TreeNode& resolved, const RunSettings& settings) {
  return run_described(study, study_info(study, resolved), resolved, settings);
}

RunRecord run(const io::Loaded& loaded, const RunSettings& settings) {
  check_study(loaded);
  RunRecord rec = run(*loaded.study, loaded.resolved, settings);
  rec.provenance.resolved_yaml = io::to_yaml(loaded.resolved);
  rec.provenance.inputs = loaded.files;
  return rec;
}

RunRecord run(io::Loaded&& loaded, const RunSettings& settings) {
  check_study(loaded);
  const Study& study = *loaded.study;
  if (needs_resolved_tree(study)) return run(static_cast<const io::Loaded&>(loaded), settings);
  // Everything the record takes from the tree, then the tree goes: on a large model it is the
  // biggest thing loaded (~1-2 KB per edge), and the runs reuse its memory.
  StudyInfo info = study_info(study, loaded.resolved);
  std::string resolved_yaml = io::to_yaml(loaded.resolved);
  loaded.resolved = io::TreeNode{};
  RunRecord rec = run_described(study, std::move(info), loaded.resolved, settings);
  rec.provenance.resolved_yaml = std::move(resolved_yaml);
  rec.provenance.inputs = loaded.files;
  return rec;
}

}  // namespace rareshock
