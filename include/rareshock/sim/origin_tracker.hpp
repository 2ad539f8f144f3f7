#pragma once
/// \file Origin tracking in the engine (docs/model.md, "Origin tracking"): every input stock,
/// finished-goods stock and pipeline cell carries the origin mix of its rare-earth content —
/// shares over *origin keys*, one key per combination of the countries where the material was
/// processed at the tracked stages (by default: mined in, separated in). Stocks are well mixed:
/// an inflow blends into the stock's mix in proportion to mass; an outflow leaves it unchanged.
/// Production blends the mixes of the inputs used (weighted by their rare-earth mass, or by
/// their value, in two channels) and a node of a tracked stage stamps its country on the
/// output. Origin-content rules (e.g. "0.1 % or more of the value is China-origin rare
/// earths") read the supplier's finished-goods mix. Off (no memory, no time) unless a study
/// or event needs it.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "rareshock/core/error.hpp"
#include "rareshock/model/model.hpp"
#include "rareshock/sim/network.hpp"

namespace rareshock::sim {

/// Thrown when a network has more origin combinations than OriginTracker::kMaxKeys.
struct TooManyOriginKeys : RuntimeError {
  using RuntimeError::RuntimeError;
};

/// The two measures of origin content.
enum class OriginMeasure { Mass = 0, Value = 1 };

/// A compiled origin-content rule: goods whose content of rare earths of origin in one of
/// `countries` (at any of the rule's tracked stages) is at least `at_least` are covered.
struct CompiledOriginRule {
  bool on = false;
  std::vector<char> country;  ///< per country index: counts as restricted origin
  std::vector<Stage> stages;  ///< stages whose country counts; empty = every tracked stage
  OriginMeasure measure = OriginMeasure::Value;
  double at_least = 0;  ///< [1] content at or above which the goods are covered
};

class OriginTracker {
 public:
  /// \p stages: the tracked origin stages, in order (e.g. mine, refinery). \p pipe_cells: size
  /// of the engine's pipeline cells (the arrival calendars). \p keep (optional, per country index):
  /// countries kept apart; the others are pooled as "other" (kOther). Throws TooManyOriginKeys when
  /// the network has more origin keys than kMaxKeys.
  OriginTracker(const Network& net, std::vector<Stage> stages, int pipe_cells,
                const std::vector<char>* keep = nullptr);

  static constexpr int kMaxKeys = 64;
  static constexpr int kOther = -2;  ///< key country of pooled countries

  int keys() const { return K_; }
  const std::vector<Stage>& stages() const { return stages_; }
  /// Country index per tracked stage of key \p k (-1: not processed at that stage yet;
  /// kOther: a pooled country).
  const std::vector<int>& key_countries(int k) const { return key_country_[k]; }
  /// e.g. "mine CN / refinery MY" ("-" where not processed yet).
  std::string key_label(int k) const;

  /// Baseline (steady-state) mixes for every stock, like Engine::reset; pipeline cells are
  /// emptied (the engine fills them with ship()).
  void reset();

  /// Work space of produce(): one per thread that calls it (the engine keeps one per chunk of
  /// its parallel loops).
  struct Work {
    std::vector<double> q_mass, q_value, tmp;  ///< a node's output mix; stamping
  };
  Work work() const {
    return {std::vector<double>(K_), std::vector<double>(K_), std::vector<double>(K_)};
  }

  // ---- hooks called by the engine, in phase order -----------------------------------------
  // Each touches only the stock or cell it names (and reads finished-goods mixes, which only
  // produce() changes): calls for different nodes, slots and cells may run on different
  // threads at once, with their own Work for produce().
  /// Node \p n ran recipe \p r at activity \p y, using recipe inputs from its input stocks;
  /// \p out_before: each output slot's stock before today's output was added.
  void produce(int n, int r, double y, const double* out_before, Work& work);
  void produce(int n, int r, double y, const double* out_before) {
    produce(n, r, y, out_before, own_);
  }
  /// \p x tonnes shipped from output slot \p o into pipeline cell \p cell holding \p before.
  void ship(int o, int cell, double before, double x);
  /// A pipeline cell's content \p due arrives at input slot \p s holding \p before.
  void arrive(int cell, int s, double before, double due);
  /// Consumer input slot \p s consumed \p c tonnes today.
  void consume(int s, double c);

  // ---- reads ------------------------------------------------------------------------------
  /// Mix of input slot \p s (K shares summing to 1) in channel \p m.
  const double* in_mix(int s, OriginMeasure m = OriginMeasure::Mass) const {
    return &in_mix_[static_cast<int>(m)][static_cast<std::size_t>(s) * K_];
  }
  const double* out_mix(int o, OriginMeasure m = OriginMeasure::Mass) const {
    return &out_mix_[static_cast<int>(m)][static_cast<std::size_t>(o) * K_];
  }
  const double* cell_mix(int cell, OriginMeasure m = OriginMeasure::Mass) const {
    return &pipe_mix_[static_cast<int>(m)][static_cast<std::size_t>(cell) * K_];
  }
  /// Content of restricted origin in the goods of output slot \p o under \p rule [1]: rare-
  /// earth mass (or value) fraction of the material x share of the mix whose key has a
  /// restricted country at one of the rule's stages.
  double out_content(int o, const CompiledOriginRule& rule) const;
  /// The same for what input slot \p s holds (e.g. what a consumer uses).
  double in_content(int s, const CompiledOriginRule& rule) const;
  /// [t] consumed since reset by consumer input slot \p s, per key (mass channel).
  const double* consumed(int s) const { return &consumed_[static_cast<std::size_t>(s) * K_]; }
  /// Rare-earth mass fraction of material \p m [1] (1 when its elements are not given).
  double re_mass_fraction(int m) const { return re_mass_[m]; }
  /// Share of the value of output slot \p o's material that its rare-earth inputs make up [1]
  /// (1 without prices, or for materials made without inputs).
  double re_value_fraction(int o) const { return re_value_[o]; }
  /// True when key \p k counts as restricted origin under \p rule.
  bool restricted(int k, const CompiledOriginRule& rule) const;
  /// Indexes \p rule (which must outlive the tracker): out_content() and in_content() then
  /// read its restricted keys from a table instead of asking restricted() per key.
  void index_rule(const CompiledOriginRule& rule);
  /// Memory held [bytes].
  std::size_t bytes() const;

 private:
  /// Keys that may be nonzero in either channel of a mix (bit k: key k; kMaxKeys = 64 bits).
  using Mask = std::uint64_t;
  /// Blends \p x tonnes of mix \p add (both channels, keys \p add_keys) into a stock of
  /// \p before holding \p mix (keys \p keys, updated). A key zero in both is zero after
  /// (0 x b + 0 x x) / (b + x): only the keys of either are computed, each with the same
  /// arithmetic as over all keys. When both mixes have equal channels (\p same, \p add_same:
  /// the mass and value mixes equal bit for bit, e.g. one input's or a mine's), the value
  /// channel is a copy of the mass channel's result, which the same arithmetic on the same
  /// numbers gives.
  void blend(double* const mix[2], const double* const add[2], double before, double x, Mask& keys,
             Mask add_keys, char& same, char add_same) const;
  Mask nonzero(const double* mass, const double* value) const;
  /// 1 when the K shares of \p mass and \p value are equal bit for bit.
  char equal(const double* mass, const double* value) const;
  void node_output_mix(int n, int r, const double* const* in_mix_by_channel, double* q_mass,
                       double* q_value, double* tmp) const;
  int stamp(int k, int n) const { return stamp_[static_cast<std::size_t>(n) * K_ + k]; }
  int place(int c) const;                 ///< the country a key records (kOther when pooled)
  int key_of(const std::vector<int>& t);  ///< the key of a country tuple (added when new)
  void assign_sources();
  void reach_keys();
  void value_fractions();

  const Network& net_;
  std::vector<Stage> stages_;
  int K_ = 0;
  std::vector<std::vector<int>> key_country_;  ///< per key: country per tracked stage
  std::map<std::vector<int>, int> index_;      ///< country tuple -> key
  std::vector<char> keep_;                     ///< countries kept apart (empty: all)
  std::vector<int> stamp_;        ///< per node x key: the key of what the node makes from it
  std::vector<int> source_key_;   ///< per node: key of what it makes from nothing (-1: none)
  std::vector<int> stamp_stage_;  ///< per node: tracked-stage index it stamps (-1: none)
  std::vector<double> re_mass_;   ///< per material
  std::vector<double> re_value_;  ///< per output slot
  std::vector<double> in_mix_[2], out_mix_[2], pipe_mix_[2];
  std::vector<double> consumed_;
  /// Per input slot, output slot and pipeline cell: the keys its mixes may hold (a superset
  /// of their nonzero keys; blend() keeps it).
  std::vector<Mask> in_keys_, out_keys_, pipe_keys_;
  /// Per input slot, output slot and pipeline cell: 1 when its mass and value mixes are
  /// equal bit for bit (0: they may differ).
  std::vector<char> in_same_, out_same_, pipe_same_;
  /// Indexed rules and their restricted keys (index_rule()).
  std::vector<std::pair<const CompiledOriginRule*, Mask>> rule_keys_;
  /// Share of \p mix (nonzero keys within \p keys) of restricted origin under \p rule.
  double restricted_share(const double* mix, Mask keys, const CompiledOriginRule& rule) const;
  Work own_;  ///< work space of produce() without one
};

}  // namespace rareshock::sim
