#pragma once
/// \file Sampled values set in a typed study without re-reading it (Monte Carlo draws, tornado
/// and Sobol points), with the compiled network reused where the values leave it unchanged.
///
/// The reference is io::study_with_values (the resolved tree with the values written as text,
/// re-read and validated) followed by sim::compile. A target path with a typed setter is
/// patched instead only when the patcher has checked, when it was made, that patching gives
/// exactly the reference (equal Study and equal Network) at the ends of the parameter's
/// distribution and at points inside it; every other target path is re-read (reread_paths()).
#include <memory>
#include <string>
#include <vector>

#include "rareshock/io/load.hpp"
#include "rareshock/model/study.hpp"
#include "rareshock/sim/network.hpp"

namespace rareshock::analysis {

/// A study with values set and the network compiled from its model (shared between draws
/// whose model is the same).
struct PatchedStudy {
  std::shared_ptr<const Study> study;
  std::shared_ptr<const sim::Network> network;
};

class StudyPatcher {
 public:
  /// Prepares setters for the target paths of \p study's Monte Carlo parameters, checked
  /// against re-reading \p resolved (the study's resolved tree, io::Loaded::resolved). With
  /// \p typed false every path is re-read. Throws InputError when the resolved study cannot be
  /// re-read at all.
  StudyPatcher(const Study& study, const io::TreeNode& resolved, bool typed = true);

  /// The study with \p values set (targets of the study's parameters, canonical units) and its
  /// network: equal to reference(values). Throws InputError (as io::study_with_values) when a
  /// re-read path makes the study invalid.
  PatchedStudy apply(const std::vector<io::PathValue>& values) const;

  /// io::study_with_values and sim::compile: what apply() must equal.
  PatchedStudy reference(const std::vector<io::PathValue>& values) const;

  /// Target paths set by re-reading (no typed setter, a distribution without finite ends, or
  /// a check that failed), each with the reason, e.g. "model.nodes[x].capacity: no typed
  /// setter".
  const std::vector<std::string>& reread_paths() const { return reread_; }
  /// Number of target paths patched directly.
  std::size_t typed_paths() const { return setters_.size(); }

  struct Setter;

 private:
  bool verify(const std::vector<std::vector<io::PathValue>>& probes) const;
  const Setter* setter(const std::string& path) const;

  const io::TreeNode* resolved_;
  std::shared_ptr<const Study> base_;  ///< the resolved study re-read without changes
  std::shared_ptr<const sim::Network> base_net_;
  std::vector<std::shared_ptr<const Setter>> setters_;  ///< sorted by path
  std::vector<std::string> reread_;
};

}  // namespace rareshock::analysis
