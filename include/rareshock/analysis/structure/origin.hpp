#pragma once
/// \file Origin tracing through the baseline flow matrix: for every output slot (one material
/// at one node), which share of its contents passed through nodes of each stage in each
/// country upstream. This is what a "contains >= 0.1 % X-origin material" rule needs; the
/// engine can read `OriginTrace::origin_content` per supplier output slot (docs/analysis.md).
///
/// Method (a Leontief-type inverse): per basis b (input mass, or one element's content), the
/// one-step matrix B_b[o, o'] is the share of output slot o's basis quantity that comes
/// directly from supplier output slot o' — node inputs weighted by recipe coefficient (× the
/// element's mass fraction for an element basis), suppliers of one input by baseline flow.
/// T_b = (I − B_b)⁻¹ sums over all upstream paths: T_b[o, o'] is the share of o that passed
/// through o'. Summed over the slots of a stage and country, it gives `through`; `touched` is
/// the share that passed through at least one node of a country, at any stage.
#include <string>
#include <vector>

#include "rareshock/model/model.hpp"
#include "rareshock/sim/network.hpp"

namespace rareshock::analysis {

inline constexpr int kStageCount = 8;  ///< number of values of rareshock::Stage

struct OriginTrace {
  std::vector<std::string> bases;     ///< "mass", then each traced element (e.g. "Dy")
  std::vector<std::string> elements;  ///< traced elements (produced by a mine or recycler)
  int countries = 0;                  ///< = net.country_id.size()
  int out_slots = 0;
  /// through[b][(o * kStageCount + stage) * countries + c]: share of output slot o's basis-b
  /// quantity that passed through nodes of that stage in country c (its own node included).
  std::vector<std::vector<double>> through;
  /// touched[b][o * countries + c]: share that passed through at least one node in country c.
  std::vector<std::vector<double>> touched;
  /// content[e][m]: mass fraction of element elements[e] in material m (network order) [1].
  std::vector<std::vector<double>> content;

  double through_share(int basis, int out_slot, Stage stage, int country) const {
    return through[basis]
                  [(static_cast<std::size_t>(out_slot) * kStageCount + static_cast<int>(stage)) *
                       countries +
                   country];
  }
  double touched_share(int basis, int out_slot, int country) const {
    return touched[basis][static_cast<std::size_t>(out_slot) * countries + country];
  }
  /// Mass fraction of the material in \p out_slot that is traced-element content which
  /// passed through country \p country [1]: Σ_X content_X × touched_X. Compare with an
  /// `origin_content` threshold (e.g. 0.001 for 0.1 %).
  double origin_content(const sim::Network& net, int out_slot, int country) const;
};

/// Traces every output slot of \p net. Throws RuntimeError when the flow matrix has a closed
/// loop that returns all it receives (I − B singular).
OriginTrace trace_origins(const sim::Network& net, const Model& model);

/// Shares for one input slot (e.g. a consumer's demand): its suppliers' output shares weighted
/// by baseline flow. \p out receives kStageCount × countries values (stage-major); \p any
/// receives `countries` values (touched at any stage).
void input_origin(const OriginTrace& t, const sim::Network& net, int basis, int in_slot,
                  std::vector<double>& out, std::vector<double>& any);

}  // namespace rareshock::analysis
