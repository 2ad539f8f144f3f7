#include "rareshock/analysis/structure/origin.hpp"

#include <Eigen/SparseCore>
#include <Eigen/SparseLU>
#include <algorithm>
#include <set>

#include "rareshock/core/error.hpp"

namespace rareshock::analysis {

namespace {

using SpMat = Eigen::SparseMatrix<double>;

// Share of supplier edge e in its customer's input slot: baseline flow, else share.
std::vector<double> supplier_fractions(const sim::Network& net) {
  std::vector<double> frac(net.edges(), 0.0);
  for (int s = 0; s < net.in_slots(); ++s) {
    double flow = 0, share = 0;
    for (int k = net.in_edge_begin[s]; k < net.in_edge_begin[s + 1]; ++k) {
      flow += net.e_flow[k];
      share += net.e_share[k];
    }
    for (int k = net.in_edge_begin[s]; k < net.in_edge_begin[s + 1]; ++k) {
      int e = k;
      frac[e] = flow > 0 ? net.e_flow[e] / flow : share > 0 ? net.e_share[e] / share : 0;
    }
  }
  return frac;
}

void factorize(Eigen::SparseLU<SpMat>& lu, const SpMat& a) {
  lu.analyzePattern(a);
  lu.factorize(a);
  if (lu.info() != Eigen::Success)
    throw RuntimeError(
        "origin tracing: the baseline flow matrix has a closed loop that returns all it "
        "receives (I - B is singular)");
}

// Traced elements: those in the outputs of source nodes (no inputs: mines, recyclers).
std::vector<std::string> traced_elements(const sim::Network& net,
                                         const std::vector<const Material*>& mats) {
  std::set<std::string> elems;
  for (int n = 0; n < net.nodes(); ++n) {
    if (net.stage[n] == Stage::Consumer || net.stage[n] == Stage::Stockpile) continue;
    if (net.in_begin[n + 1] > net.in_begin[n]) continue;
    for (int o = net.out_begin[n]; o < net.out_begin[n + 1]; ++o)
      if (const Material* mat = mats[net.out_material[o]])
        for (const auto& [el, x] : mat->elements)
          if (x > 0) elems.insert(el);
  }
  return {elems.begin(), elems.end()};
}

// Mass fraction of \p el in each material (network order); 0 where the model has none.
std::vector<double> content_of(const std::string& el, const std::vector<const Material*>& mats) {
  std::vector<double> row(mats.size(), 0.0);
  for (std::size_t m = 0; m < mats.size(); ++m)
    if (mats[m])
      if (auto it = mats[m]->elements.find(el); it != mats[m]->elements.end()) row[m] = it->second;
  return row;
}

// Group of each output slot: its (stage, country) column; and the country of each slot.
struct SlotGroups {
  std::vector<int> slot_country;  // per output slot; -1 without a country
  Eigen::MatrixXd dense;          // O × (kStageCount × C) indicator of each slot's group
  std::vector<char> has_country;  // per country: owns at least one output slot
};

SlotGroups slot_groups(const sim::Network& net, int C) {
  const int O = net.out_slots();
  SlotGroups sg;
  sg.slot_country.resize(O);
  std::vector<Eigen::Triplet<double>> group_trip;
  for (int o = 0; o < O; ++o) {
    int n = net.out_node[o];
    sg.slot_country[o] = net.country[n];
    if (net.country[n] >= 0)
      group_trip.emplace_back(o, static_cast<int>(net.stage[n]) * C + net.country[n], 1.0);
  }
  SpMat groups(O, kStageCount * C);
  groups.setFromTriplets(group_trip.begin(), group_trip.end());
  sg.dense = Eigen::MatrixXd(groups);
  sg.has_country.assign(C, 0);
  for (int o = 0; o < O; ++o)
    if (sg.slot_country[o] >= 0) sg.has_country[sg.slot_country[o]] = 1;
  return sg;
}

// One-step matrix B of a basis (x: element content per material, null for mass): rows are
// output slots, columns their direct supplier slots.
std::vector<Eigen::Triplet<double>> one_step(const sim::Network& net,
                                             const std::vector<double>& frac,
                                             const std::vector<double>* x) {
  std::vector<Eigen::Triplet<double>> trip;
  for (int n = 0; n < net.nodes(); ++n) {
    int r = net.initial_recipe[n];
    if (r < 0 || net.stage[n] == Stage::Consumer) continue;
    double total = 0;
    std::vector<double> w;
    for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s) {
      double v = net.in_coef(r, n, s);
      if (x) v *= (*x)[net.in_material[s]];
      w.push_back(v);
      total += v;
    }
    if (total <= 0) continue;  // the basis originates here
    for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s) {
      double ws = w[s - net.in_begin[n]] / total;
      if (ws <= 0) continue;
      for (int k = net.in_edge_begin[s]; k < net.in_edge_begin[s + 1]; ++k) {
        int e = k;
        if (frac[e] <= 0) continue;
        for (int o = net.out_begin[n]; o < net.out_begin[n + 1]; ++o)
          trip.emplace_back(o, net.e_out_slot[e], ws * frac[e]);
      }
    }
  }
  return trip;
}

// Through: T = (I − B)⁻¹ applied to the group indicators, clamped at 0; O × kStageCount × C.
std::vector<double> through_shares(const std::vector<Eigen::Triplet<double>>& trip,
                                   const SlotGroups& sg, int O, int C) {
  SpMat B(O, O);
  B.setFromTriplets(trip.begin(), trip.end());
  SpMat I(O, O);
  I.setIdentity();
  Eigen::SparseLU<SpMat> lu;
  factorize(lu, SpMat(I - B));
  Eigen::MatrixXd through = lu.solve(sg.dense);
  std::vector<double> th(static_cast<std::size_t>(O) * kStageCount * C, 0.0);
  for (int o = 0; o < O; ++o)
    for (int g = 0; g < kStageCount * C; ++g)
      th[static_cast<std::size_t>(o) * kStageCount * C + g] = std::max(0.0, through(o, g));
  return th;
}

// Touched: y = 1 on the country's own slots, else B y. Solve (I − D B) y = 1_c, D zeroing
// the rows of the country's slots; O × C, clamped to [0, 1].
std::vector<double> touched_shares(const std::vector<Eigen::Triplet<double>>& trip,
                                   const SlotGroups& sg, int O, int C) {
  std::vector<double> tc(static_cast<std::size_t>(O) * C, 0.0);
  for (int c = 0; c < C; ++c) {
    if (!sg.has_country[c]) continue;
    std::vector<Eigen::Triplet<double>> tr;
    for (int o = 0; o < O; ++o) tr.emplace_back(o, o, 1.0);
    for (const auto& tp : trip)
      if (sg.slot_country[tp.row()] != c) tr.emplace_back(tp.row(), tp.col(), -tp.value());
    SpMat A(O, O);
    A.setFromTriplets(tr.begin(), tr.end());
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(O);
    for (int o = 0; o < O; ++o)
      if (sg.slot_country[o] == c) rhs[o] = 1;
    Eigen::SparseLU<SpMat> luc;
    factorize(luc, A);
    Eigen::VectorXd y = luc.solve(rhs);
    for (int o = 0; o < O; ++o)
      tc[static_cast<std::size_t>(o) * C + c] = std::clamp(y[o], 0.0, 1.0);
  }
  return tc;
}

}  // namespace

double OriginTrace::origin_content(const sim::Network& net, int out_slot, int country) const {
  const int m = net.out_material[out_slot];
  double c = 0;
  for (std::size_t e = 0; e < elements.size(); ++e)
    c += content[e][m] * touched_share(static_cast<int>(e) + 1, out_slot, country);
  return c;
}

OriginTrace trace_origins(const sim::Network& net, const Model& model) {
  OriginTrace t;
  const int O = net.out_slots(), C = static_cast<int>(net.country_id.size()),
            M = static_cast<int>(net.material_id.size());
  t.countries = C;
  t.out_slots = O;

  std::vector<const Material*> mats(M);
  for (int m = 0; m < M; ++m) mats[m] = model.material(net.material_id[m]);
  t.elements = traced_elements(net, mats);
  t.bases.push_back("mass");
  for (const auto& e : t.elements) t.bases.push_back(e);
  for (const auto& el : t.elements) t.content.push_back(content_of(el, mats));

  const std::vector<double> frac = supplier_fractions(net);
  const SlotGroups sg = slot_groups(net, C);
  for (std::size_t b = 0; b < t.bases.size(); ++b) {
    const std::vector<double>* x = b == 0 ? nullptr : &t.content[b - 1];
    const std::vector<Eigen::Triplet<double>> trip = one_step(net, frac, x);
    t.through.push_back(through_shares(trip, sg, O, C));
    t.touched.push_back(touched_shares(trip, sg, O, C));
  }
  return t;
}

void input_origin(const OriginTrace& t, const sim::Network& net, int basis, int in_slot,
                  std::vector<double>& out, std::vector<double>& any) {
  const int C = t.countries;
  out.assign(static_cast<std::size_t>(kStageCount) * C, 0.0);
  any.assign(C, 0.0);
  // A slot's baseline shares sum to 1: each is the supplier's part of the slot's supply.
  for (int k = net.in_edge_begin[in_slot]; k < net.in_edge_begin[in_slot + 1]; ++k) {
    int e = k;
    const double f = net.e_share[e];
    if (f <= 0) continue;
    const int o = net.e_out_slot[e];
    const double* th = &t.through[basis][static_cast<std::size_t>(o) * kStageCount * C];
    for (int g = 0; g < kStageCount * C; ++g) out[g] += f * th[g];
    const double* tc = &t.touched[basis][static_cast<std::size_t>(o) * C];
    for (int c = 0; c < C; ++c) any[c] += f * tc[c];
  }
}

}  // namespace rareshock::analysis
