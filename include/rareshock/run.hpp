#pragma once
/// \file The library's entry point for running a study (what `rareshock run` does, without
/// the files): every combination once, deterministically; the fit to observed series; the
/// structural analysis of a study with an `analysis:` section; then the uncertainty analysis
/// (Monte Carlo, tornado, Sobol, mitigation ranking), which reuses the deterministic runs.
/// The result is one RunRecord (run_record.hpp); report::write_run_outputs writes it as a run
/// directory.
///
///     auto loaded = rareshock::io::load_file("models/studies/default.yaml");
///     rareshock::RunRecord record = rareshock::run(loaded, {});
#include <atomic>
#include <functional>

#include "rareshock/io/load.hpp"
#include "rareshock/io/tree.hpp"
#include "rareshock/model/study.hpp"
#include "rareshock/run_record.hpp"

namespace rareshock {

class Executor;

struct RunSettings {
  /// Worker threads of the Monte Carlo, criticality and the engine's day loops (large networks,
  /// sim::EngineSettings::threads 0) (0: all cores). Results do not depend on it.
  int threads = 0;
  /// Where Monte Carlo draws and the criticality outages of an `analysis:` section run
  /// (threads, or MPI ranks with threads inside each); null: a ThreadExecutor of `threads`.
  /// Outputs do not depend on it. Under MPI every rank calls run() alike.
  Executor* executor = nullptr;
  /// Called after each chunk of Monte Carlo draws with (done, total), from the calling thread.
  std::function<void(int, int)> progress;
  /// Set (e.g. by a signal handler) to stop the Monte Carlo after its current chunk: the
  /// record then holds the draws done, with uncertainty->partial set.
  const std::atomic<bool>* cancel = nullptr;
};

/// Runs \p study. \p resolved is its resolved tree (io::Loaded::resolved): every Monte Carlo
/// draw and sensitivity point re-reads it with the drawn values. Fills the record's tool,
/// study header, results, observed fits, structure (when study.analysis.enabled) and
/// uncertainty, and its provenance's start and finish times and thread count (the caller adds
/// inputs, resolved text and command line, or uses the overload below). Throws what the
/// engine and analyses throw (RuntimeError, InputError for a bad drawn value).
RunRecord run(const Study& study, const io::TreeNode& resolved, const RunSettings& settings = {});

/// Runs the study file \p loaded (io::load_file) and records its inputs and resolved text in
/// the provenance. Throws InputError when \p loaded is not a study.
RunRecord run(const io::Loaded& loaded, const RunSettings& settings = {});

/// The same, freeing \p loaded's resolved tree (io::Loaded::resolved, left empty) once the
/// record has its text, before the runs — unless needs_resolved_tree(): then as above, the
/// tree kept. \p loaded's study (and model) stay: the outputs read them. On a large model the
/// tree is the biggest thing loaded.
RunRecord run(io::Loaded&& loaded, const RunSettings& settings = {});

/// Whether run() reads the resolved tree after describing the study: Monte Carlo draws or
/// sensitivity runs over uncertain parameters re-read it with drawn values.
bool needs_resolved_tree(const Study& study);

}  // namespace rareshock
