#include "rareshock/sim/origin_tracker.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "rareshock/core/error.hpp"

namespace rareshock::sim {

namespace {

int stage_index(const std::vector<Stage>& stages, Stage s) {
  auto it = std::find(stages.begin(), stages.end(), s);
  return it == stages.end() ? -1 : static_cast<int>(it - stages.begin());
}

bool recipe_has_inputs(const Network& net, int n, int r) {
  for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s)
    if (net.in_coef(r, n, s) > 0) return true;
  return false;
}

}  // namespace

OriginTracker::OriginTracker(const Network& net, std::vector<Stage> stages, int pipe_cells,
                             const std::vector<char>* keep)
    : net_(net), stages_(std::move(stages)) {
  if (keep) keep_ = *keep;
  assign_sources();
  reach_keys();
  const int N = net.nodes();
  K_ = static_cast<int>(key_country_.size());
  if (K_ == 0) {  // nothing produced
    K_ = 1;
    key_country_.push_back(std::vector<int>(stages_.size(), -1));
  }
  // Stamp table for every node of a tracked stage and every key.
  stamp_.assign(static_cast<std::size_t>(N) * K_, -1);
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K_; ++k) {
      int to = k;
      if (stamp_stage_[n] >= 0) {
        std::vector<int> t = key_country_[k];
        t[stamp_stage_[n]] = place(net.country[n]);
        auto it = index_.find(t);
        to = it == index_.end() ? -1 : it->second;
      }
      stamp_[static_cast<std::size_t>(n) * K_ + k] = to;
    }
  re_mass_ = net.material_re_fraction;
  value_fractions();
  for (int c = 0; c < 2; ++c) {
    in_mix_[c].assign(static_cast<std::size_t>(net.in_slots()) * K_, 0.0);
    out_mix_[c].assign(static_cast<std::size_t>(net.out_slots()) * K_, 0.0);
    pipe_mix_[c].assign(static_cast<std::size_t>(pipe_cells) * K_, 0.0);
  }
  consumed_.assign(static_cast<std::size_t>(net.in_slots()) * K_, 0.0);
  in_keys_.assign(net.in_slots(), 0);
  out_keys_.assign(net.out_slots(), 0);
  pipe_keys_.assign(static_cast<std::size_t>(pipe_cells), 0);
  in_same_.assign(net.in_slots(), 0);
  out_same_.assign(net.out_slots(), 0);
  pipe_same_.assign(static_cast<std::size_t>(pipe_cells), 1);
  own_ = work();
}

int OriginTracker::place(int c) const {
  if (keep_.empty() || c < 0) return c;
  return c < static_cast<int>(keep_.size()) && keep_[c] ? c : kOther;
}

int OriginTracker::key_of(const std::vector<int>& t) {
  auto [it, fresh] = index_.try_emplace(t, static_cast<int>(key_country_.size()));
  if (fresh) {
    if (static_cast<int>(key_country_.size()) >= kMaxKeys)
      throw TooManyOriginKeys("origin tracking: more than " + std::to_string(kMaxKeys) +
                              " origin combinations; track fewer stages (engine.origin.stages)");
    key_country_.push_back(t);
  }
  return it->second;
}

// What a node makes from nothing (mines, recyclers) or holds at the start (stockpiles): its
// `source_origin` where given; else a mine is mined in its own country (later stages not
// yet), and recyclers and stockpiles are of their own country at every tracked stage.
void OriginTracker::assign_sources() {
  const Network& net = net_;
  const int N = net.nodes(), A = static_cast<int>(stages_.size());
  source_key_.assign(N, -1);
  stamp_stage_.assign(N, -1);
  for (int n = 0; n < N; ++n) {
    const Stage st = net.stage[n];
    if (st == Stage::Consumer) continue;
    stamp_stage_[n] = stage_index(stages_, st);
    bool makes_from_nothing = st == Stage::Stockpile;
    for (int r = net.recipe_begin[n]; r < net.recipe_begin[n + 1]; ++r)
      if (!recipe_has_inputs(net, n, r)) makes_from_nothing = true;
    if (!makes_from_nothing) continue;
    std::vector<int> t(A, -1);
    for (int a = 0; a < A; ++a)
      t[a] = st != Stage::Mine || stages_[a] == Stage::Mine ? place(net.country[n]) : -1;
    for (const auto& [stage, c] : net.source_origin(n)) {
      const int a = stage_index(stages_, stage);
      if (a >= 0) t[a] = place(c);
    }
    source_key_[n] = key_of(t);
  }
}

// Keys reachable at each node's outputs: sources, then stamped unions of the suppliers' keys,
// to a fixed point (the graph may have loops through recyclers).
void OriginTracker::reach_keys() {
  const Network& net = net_;
  const int N = net.nodes();
  std::vector<std::set<int>> at(N);
  for (int n = 0; n < N; ++n)
    if (source_key_[n] >= 0) at[n].insert(source_key_[n]);
  auto stamped = [&](int k, int n) {
    if (stamp_stage_[n] < 0) return k;
    std::vector<int> t = key_country_[k];
    t[stamp_stage_[n]] = place(net.country[n]);
    return key_of(t);
  };
  auto absorb = [&](int n) {  // n's suppliers' keys, stamped; true when n gained one
    bool changed = false;
    for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s)
      for (int i = net.in_edge_begin[s]; i < net.in_edge_begin[s + 1]; ++i) {
        const int from = net.e_from[i];
        const std::vector<int> src(at[from].begin(), at[from].end());
        for (int k : src) changed |= at[n].insert(stamped(k, n)).second;
      }
    return changed;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (int n = 0; n < N; ++n)
      if (net.stage[n] != Stage::Consumer && net.stage[n] != Stage::Stockpile) changed |= absorb(n);
  }
}

// Share of each output slot's value that its rare-earth inputs make up (initial recipe, at
// the materials' prices; 1 when a price is missing).
void OriginTracker::value_fractions() {
  const Network& net = net_;
  re_value_.assign(net.out_slots(), 1.0);
  for (int n = 0; n < net.nodes(); ++n) {
    const int r = net.initial_recipe[n];
    if (r < 0) continue;
    double in_value = 0, out_value = 0;
    bool priced = true;
    for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s) {
      const double coef = net.in_coef(r, n, s);
      const int m = net.in_material[s];
      if (coef <= 0 || re_mass_[m] <= 0) continue;
      priced = priced && net.material_price[m] >= 0;
      in_value += coef * net.material_price[m];
    }
    for (int o = net.out_begin[n]; o < net.out_begin[n + 1]; ++o) {
      const double coef = net.out_coef(r, n, o);
      if (coef <= 0) continue;
      priced = priced && net.material_price[net.out_material[o]] >= 0;
      out_value += coef * net.material_price[net.out_material[o]];
    }
    if (!priced || in_value <= 0 || out_value <= 0) continue;
    for (int o = net.out_begin[n]; o < net.out_begin[n + 1]; ++o)
      re_value_[o] = std::min(1.0, in_value / out_value);
  }
}

std::string OriginTracker::key_label(int k) const {
  std::string out;
  for (std::size_t a = 0; a < stages_.size(); ++a) {
    if (a) out += " / ";
    const int c = key_country_[k][a];
    out += std::string(to_string(stages_[a])) + " " +
           (c >= 0        ? net_.country_id[c]
            : c == kOther ? std::string("other")
                          : std::string("-"));
  }
  return out;
}

std::size_t OriginTracker::bytes() const {
  std::size_t d = consumed_.size();
  for (int c = 0; c < 2; ++c) d += in_mix_[c].size() + out_mix_[c].size() + pipe_mix_[c].size();
  return d * sizeof(double) + stamp_.size() * sizeof(int);
}

bool OriginTracker::restricted(int k, const CompiledOriginRule& rule) const {
  for (std::size_t a = 0; a < stages_.size(); ++a) {
    if (!rule.stages.empty() &&
        std::find(rule.stages.begin(), rule.stages.end(), stages_[a]) == rule.stages.end())
      continue;
    const int c = key_country_[k][a];
    if (c >= 0 && c < static_cast<int>(rule.country.size()) && rule.country[c]) return true;
  }
  return false;
}

void OriginTracker::index_rule(const CompiledOriginRule& rule) {
  Mask m = 0;
  for (int k = 0; k < K_; ++k)
    if (restricted(k, rule)) m |= Mask{1} << k;
  rule_keys_.emplace_back(&rule, m);
}

// The keys with a positive share that restricted() accepts, summed in key order (keys outside
// \p keys are zero; an indexed rule's restricted keys come from its table).
double OriginTracker::restricted_share(const double* mix, Mask keys,
                                       const CompiledOriginRule& rule) const {
  double share = 0;
  for (const auto& [r, restricted_keys] : rule_keys_)
    if (r == &rule) {
      for (Mask a = keys & restricted_keys; a; a &= a - 1) {
        const int k = std::countr_zero(a);
        if (mix[k] > 0) share += mix[k];
      }
      return share;
    }
  for (int k = 0; k < K_; ++k)
    if (mix[k] > 0 && restricted(k, rule)) share += mix[k];
  return share;
}

double OriginTracker::out_content(int o, const CompiledOriginRule& rule) const {
  const double share = restricted_share(out_mix(o, rule.measure), out_keys_[o], rule);
  const double f =
      rule.measure == OriginMeasure::Mass ? re_mass_[net_.out_material[o]] : re_value_[o];
  return f * share;
}

double OriginTracker::in_content(int s, const CompiledOriginRule& rule) const {
  const double share = restricted_share(in_mix(s, rule.measure), in_keys_[s], rule);
  if (rule.measure == OriginMeasure::Mass) return re_mass_[net_.in_material[s]] * share;
  // Value: the value fraction of the suppliers' output slots, by baseline flow.
  double f = 0, w = 0;
  for (int i = net_.in_edge_begin[s]; i < net_.in_edge_begin[s + 1]; ++i) {
    const int e = i;
    f += net_.e_flow[e] * re_value_[net_.e_out_slot[e]];
    w += net_.e_flow[e];
  }
  return (w > 0 ? f / w : 1.0) * share;
}

char OriginTracker::equal(const double* mass, const double* value) const {
  return std::memcmp(mass, value, static_cast<std::size_t>(K_) * sizeof(double)) == 0 ? 1 : 0;
}

OriginTracker::Mask OriginTracker::nonzero(const double* mass, const double* value) const {
  Mask m = 0;
  for (int k = 0; k < K_; ++k)
    if (mass[k] != 0 || value[k] != 0) m |= Mask{1} << k;
  return m;
}

namespace {

// (m x b + a x x) / tot for the keys in \p keys of channel 0, or of both channels, the value
// channel a copy when \p one: key by key when they are few, else over the range from the
// first to the last of them (vectorised; the zero keys inside it stay zero).
void blend_keys(double* const mix[2], const double* const add[2], double b, double x, double tot,
                std::uint64_t keys, bool one) {
  if (keys == 0) return;
  const int lo = std::countr_zero(keys), hi = 64 - std::countl_zero(keys);
  if (2 * std::popcount(keys) <= hi - lo) {
    for (std::uint64_t a = keys; a; a &= a - 1) {
      const int k = std::countr_zero(a);
      mix[0][k] = (mix[0][k] * b + add[0][k] * x) / tot;
      mix[1][k] = one ? mix[0][k] : (mix[1][k] * b + add[1][k] * x) / tot;
    }
    return;
  }
  for (int c = 0; c < (one ? 1 : 2); ++c)
    for (int k = lo; k < hi; ++k) mix[c][k] = (mix[c][k] * b + add[c][k] * x) / tot;
  if (one) std::copy(mix[0] + lo, mix[0] + hi, mix[1] + lo);
}

}  // namespace

void OriginTracker::blend(double* const mix[2], const double* const add[2], double before, double x,
                          Mask& keys, Mask add_keys, char& same, char add_same) const {
  if (x <= 0) return;
  const double b = std::max(0.0, before);
  const double tot = b + x;
  if (b == 0) {
    // An empty stock (e.g. a pipeline cell's first shipment): its old keys become
    // (m x 0 + 0 x x) / x = 0, the added keys (0 + a x x) / x, whatever the old mix.
    for (Mask z = keys & ~add_keys; z; z &= z - 1) {
      const int k = std::countr_zero(z);
      mix[0][k] = mix[1][k] = 0.0;
    }
    blend_keys(mix, add, b, x, tot, add_keys, add_same != 0);
    keys = add_keys;
    same = add_same;
    return;
  }
  keys |= add_keys;
  const bool one = same && add_same;
  same = one ? 1 : 0;
  blend_keys(mix, add, b, x, tot, keys, one);
}

// The mix of what node n makes with recipe r: inputs blended by rare-earth mass (channel 0)
// or value (channel 1; mass where a price is missing), then the node's stamp. A node that
// uses no rare-earth input makes its source key (mines, recyclers); none: q stays all zero.
void OriginTracker::node_output_mix(int n, int r, const double* const* in_mix_by_channel,
                                    double* q_mass, double* q_value, double* tmp) const {
  std::fill(q_mass, q_mass + K_, 0.0);
  std::fill(q_value, q_value + K_, 0.0);
  double wm = 0, wv = 0;
  bool priced = true;
  for (int s = net_.in_begin[n]; s < net_.in_begin[n + 1]; ++s) {
    const double coef = net_.in_coef(r, n, s);
    const int m = net_.in_material[s];
    if (coef <= 0 || re_mass_[m] <= 0) continue;
    if (net_.material_price[m] < 0) priced = false;
  }
  for (int s = net_.in_begin[n]; s < net_.in_begin[n + 1]; ++s) {
    const double coef = net_.in_coef(r, n, s);
    const int m = net_.in_material[s];
    if (coef <= 0 || re_mass_[m] <= 0) continue;
    const double a = coef * re_mass_[m];
    const double v = priced ? coef * net_.material_price[m] : a;
    const double* pm = in_mix_by_channel[0] + static_cast<std::size_t>(s) * K_;
    const double* pv = in_mix_by_channel[1] + static_cast<std::size_t>(s) * K_;
    for (int k = 0; k < K_; ++k) {
      q_mass[k] += a * pm[k];
      q_value[k] += v * pv[k];
    }
    wm += a;
    wv += v;
  }
  if (wm <= 0) {
    if (source_key_[n] >= 0) q_mass[source_key_[n]] = q_value[source_key_[n]] = 1;
    return;
  }
  for (int k = 0; k < K_; ++k) {
    q_mass[k] /= wm;
    q_value[k] /= wv;
  }
  if (stamp_stage_[n] < 0) return;
  double* t = tmp;
  for (double* q : {q_mass, q_value}) {
    std::fill(t, t + K_, 0.0);
    for (int k = 0; k < K_; ++k)
      if (q[k] != 0) {
        const int to = stamp(k, n);
        t[to >= 0 ? to : k] += q[k];
      }
    std::copy(t, t + K_, q);
  }
}

void OriginTracker::reset() {
  const int N = net_.nodes();
  for (int c = 0; c < 2; ++c) {
    std::fill(in_mix_[c].begin(), in_mix_[c].end(), 0.0);
    std::fill(out_mix_[c].begin(), out_mix_[c].end(), 0.0);
    std::fill(pipe_mix_[c].begin(), pipe_mix_[c].end(), 0.0);
  }
  std::fill(consumed_.begin(), consumed_.end(), 0.0);
  // Baseline: sources and stockpiles hold their source key; an input slot holds the flow-
  // weighted mix of its suppliers' outputs; outputs are made from the inputs. Iterated to a
  // fixed point (a pass per stage of depth; loops converge geometrically).
  for (int n = 0; n < N; ++n)
    if (source_key_[n] >= 0 && net_.initial_recipe[n] < 0)
      for (int o = net_.out_begin[n]; o < net_.out_begin[n + 1]; ++o)
        for (int c = 0; c < 2; ++c)
          out_mix_[c][static_cast<std::size_t>(o) * K_ + source_key_[n]] = 1;
  std::vector<double> qm(K_), qv(K_);
  const double* ins[2] = {in_mix_[0].data(), in_mix_[1].data()};
  for (int pass = 0; pass < 4 * N + 8; ++pass) {
    double change = 0;
    for (int s = 0; s < net_.in_slots(); ++s) {
      double w = 0;
      std::fill(qm.begin(), qm.end(), 0.0);
      std::fill(qv.begin(), qv.end(), 0.0);
      for (int i = net_.in_edge_begin[s]; i < net_.in_edge_begin[s + 1]; ++i) {
        const int e = i;
        const double f = net_.e_flow[e];
        if (f <= 0) continue;
        w += f;
        for (int k = 0; k < K_; ++k) {
          qm[k] += f * out_mix_[0][static_cast<std::size_t>(net_.e_out_slot[e]) * K_ + k];
          qv[k] += f * out_mix_[1][static_cast<std::size_t>(net_.e_out_slot[e]) * K_ + k];
        }
      }
      if (w <= 0) continue;
      for (int k = 0; k < K_; ++k) {
        double* a = &in_mix_[0][static_cast<std::size_t>(s) * K_ + k];
        double* b = &in_mix_[1][static_cast<std::size_t>(s) * K_ + k];
        change = std::max({change, std::fabs(*a - qm[k] / w), std::fabs(*b - qv[k] / w)});
        *a = qm[k] / w;
        *b = qv[k] / w;
      }
    }
    for (int n = 0; n < N; ++n) {
      const int r = net_.initial_recipe[n];
      if (r < 0) continue;
      node_output_mix(n, r, ins, qm.data(), qv.data(), own_.tmp.data());
      double sum = 0;
      for (int k = 0; k < K_; ++k) sum += qm[k];
      if (sum <= 0) continue;  // no rare-earth input arrives at baseline
      for (int o = net_.out_begin[n]; o < net_.out_begin[n + 1]; ++o)
        for (int k = 0; k < K_; ++k) {
          double* a = &out_mix_[0][static_cast<std::size_t>(o) * K_ + k];
          double* b = &out_mix_[1][static_cast<std::size_t>(o) * K_ + k];
          change = std::max({change, std::fabs(*a - qm[k]), std::fabs(*b - qv[k])});
          *a = qm[k];
          *b = qv[k];
        }
    }
    if (change < 1e-15) break;
  }
  for (int s = 0; s < net_.in_slots(); ++s)
    in_keys_[s] = nonzero(in_mix(s, OriginMeasure::Mass), in_mix(s, OriginMeasure::Value));
  for (int o = 0; o < net_.out_slots(); ++o)
    out_keys_[o] = nonzero(out_mix(o, OriginMeasure::Mass), out_mix(o, OriginMeasure::Value));
  std::fill(pipe_keys_.begin(), pipe_keys_.end(), Mask{0});
  for (int s = 0; s < net_.in_slots(); ++s)
    in_same_[s] = equal(in_mix(s, OriginMeasure::Mass), in_mix(s, OriginMeasure::Value));
  for (int o = 0; o < net_.out_slots(); ++o)
    out_same_[o] = equal(out_mix(o, OriginMeasure::Mass), out_mix(o, OriginMeasure::Value));
  std::fill(pipe_same_.begin(), pipe_same_.end(), char{1});  // all zero
}

void OriginTracker::produce(int n, int r, double y, const double* out_before, Work& work) {
  if (y <= 0) return;
  const double* ins[2] = {in_mix_[0].data(), in_mix_[1].data()};
  double* qm = work.q_mass.data();
  double* qv = work.q_value.data();
  node_output_mix(n, r, ins, qm, qv, work.tmp.data());
  double sum = 0;
  for (int k = 0; k < K_; ++k) sum += qm[k];
  if (sum <= 0) return;
  const Mask q_keys = nonzero(qm, qv);
  const char q_same = equal(qm, qv);
  const double* q[2] = {qm, qv};
  for (int o = net_.out_begin[n]; o < net_.out_begin[n + 1]; ++o) {
    const double x = y * net_.out_coef(r, n, o);
    const double before = out_before[o - net_.out_begin[n]];
    const std::size_t at = static_cast<std::size_t>(o) * K_;
    double* mix[2] = {&out_mix_[0][at], &out_mix_[1][at]};
    blend(mix, q, before, x, out_keys_[o], q_keys, out_same_[o], q_same);
  }
}

void OriginTracker::ship(int o, int cell, double before, double x) {
  const std::size_t at = static_cast<std::size_t>(cell) * K_,
                    from = static_cast<std::size_t>(o) * K_;
  double* mix[2] = {&pipe_mix_[0][at], &pipe_mix_[1][at]};
  const double* add[2] = {&out_mix_[0][from], &out_mix_[1][from]};
  blend(mix, add, before, x, pipe_keys_[cell], out_keys_[o], pipe_same_[cell], out_same_[o]);
}

void OriginTracker::arrive(int cell, int s, double before, double due) {
  const std::size_t at = static_cast<std::size_t>(s) * K_,
                    from = static_cast<std::size_t>(cell) * K_;
  double* mix[2] = {&in_mix_[0][at], &in_mix_[1][at]};
  const double* add[2] = {&pipe_mix_[0][from], &pipe_mix_[1][from]};
  blend(mix, add, before, due, in_keys_[s], pipe_keys_[cell], in_same_[s], pipe_same_[cell]);
}

void OriginTracker::consume(int s, double c) {
  if (c <= 0) return;
  const double* mix = &in_mix_[0][static_cast<std::size_t>(s) * K_];
  double* out = &consumed_[static_cast<std::size_t>(s) * K_];
  for (int k = 0; k < K_; ++k) out[k] += c * mix[k];
}

}  // namespace rareshock::sim
