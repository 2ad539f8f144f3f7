#include "rareshock/sim/network.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <unordered_map>

#include "rareshock/core/error.hpp"
#include "rareshock/core/text.hpp"
#include "rareshock/core/units.hpp"

namespace rareshock::sim {

std::size_t Network::bytes() const {
  std::size_t b = 0;
  for (const auto* t : {&node_id, &recipe_id, &product, &unit_name, &sector, &region, &end_user})
    b += t->bytes();
  auto add = [&b](const auto& v) { b += v.capacity() * sizeof(v[0]); };
  auto add_strings = [&b, &add](const std::vector<std::string>& v) {
    add(v);
    for (const auto& s : v)
      if (s.capacity() > 15) b += s.capacity() + 1;
  };
  for (const auto* v : {&country,        &in_begin,       &out_begin,        &recipe_begin,
                        &initial_recipe, &recipe_node,    &recipe_in_offset, &recipe_out_offset,
                        &in_node,        &in_material,    &in_edge_begin,    &out_node,
                        &out_material,   &out_edge_begin, &out_edges,        &consumer_nodes,
                        &e_from,         &e_to,           &e_material,       &e_out_slot,
                        &e_in_slot,      &e_lead,         &e_priority})
    add(*v);
  for (const auto* v : {&capacity,
                        &tau,
                        &recipe_available_after,
                        &recipe_in_coef,
                        &recipe_out_coef,
                        &in_initial,
                        &in_target,
                        &in_use,
                        &out_initial,
                        &out_target,
                        &out_rate,
                        &demand,
                        &units_per_tonne,
                        &value_per_unit,
                        &margin,
                        &e_share,
                        &e_contract,
                        &e_qualification,
                        &e_flow,
                        &material_price,
                        &material_re_fraction,
                        &activity})
    add(*v);
  for (const auto* v : {&material_id, &country_id, &warnings}) add_strings(*v);
  add(stage);
  add(rationing);
  add(backorder);
  add(complementary);
  add(source_origin_begin);
  add(source_origin_pairs);
  return b;
}

int Network::node_index(std::string_view id) const {
  for (int i = 0; i < nodes(); ++i)
    if (node_id.view(i) == id) return i;
  return -1;
}

std::string Network::edge_label(int e) const {
  const std::string_view from = node_id.view(e_from[e]), to = node_id.view(e_to[e]);
  const std::string& m = material_id[e_material[e]];
  std::string s;
  s.reserve(from.size() + to.size() + m.size() + 3);
  s.append(from).append("->").append(to).append(":").append(m);
  return s;
}

int Network::material_index(std::string_view id) const {
  for (int i = 0; i < static_cast<int>(material_id.size()); ++i)
    if (material_id[i] == id) return i;
  return -1;
}

int Network::in_slot(int n, int m) const {
  for (int s = in_begin[n]; s < in_begin[n + 1]; ++s)
    if (in_material[s] == m) return s;
  return -1;
}

int Network::out_slot(int n, int m) const {
  for (int s = out_begin[n]; s < out_begin[n + 1]; ++s)
    if (out_material[s] == m) return s;
  return -1;
}

namespace {

// Rare-earth mass fraction of a material: the sum of its lanthanide, Sc and Y contents; 1 when
// no element content is given (the material is taken as all rare earth).
double re_fraction(const Material& m) {
  static const char* kRareEarths[] = {"La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb",
                                      "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Sc", "Y"};
  if (m.elements.empty()) return 1.0;
  double f = 0;
  for (const char* e : kRareEarths)
    if (auto it = m.elements.find(e); it != m.elements.end()) f += it->second;
  return std::min(1.0, f);
}

double stock_level(const StockLevel& l, double daily) {
  return l.in_days ? l.value * daily : l.value;
}

// A stock given in days of a flow that is zero in the baseline (a stockpile nobody draws on,
// an input of a recipe not in use) is 0 t: almost never what was meant.
void warn_zero_days(Network& net, const Node& node, const InventorySpec& spec, double daily) {
  if (!spec.initial.in_days || spec.initial.value <= 0 || daily > 0) return;
  net.warnings.push_back(fmt::format(
      "the stock of '{}' at '{}' is given as {} days, but '{}' has no {} flow of it in the "
      "baseline, so it is 0 t; give it in tonnes (initial: 500 t) to hold a stock that is not "
      "drawn in the baseline",
      spec.material.id, node.id, format_number(spec.initial.value), node.id,
      node.stage == Stage::Stockpile ? "outgoing" : "incoming"));
}

// Model ids -> dense indices (materials and countries in model order, nodes by position).
struct Indexes {
  std::unordered_map<std::string, int> material, country;
  /// Nodes by their interned id's address (one per text: see Symbol), 8-byte keys.
  std::unordered_map<const std::string*, int> node;
  int material_of(const Ref& r) const { return material.at(r.id); }
  int node_of(const Ref& r) const { return node.at(&r.id.str()); }
};

// Stage 1: dense indices of materials, countries and nodes.
Indexes index_model(const Model& model, Network& net) {
  Indexes idx;
  idx.node.reserve(model.nodes.size());
  for (const auto& m : model.materials) {
    idx.material.emplace(m.id, static_cast<int>(net.material_id.size()));
    net.material_id.push_back(m.id);
    net.material_price.push_back(m.price.value_or(-1));
    net.material_re_fraction.push_back(re_fraction(m));
  }
  for (const auto& c : model.countries) {
    idx.country.emplace(c.id, static_cast<int>(net.country_id.size()));
    net.country_id.push_back(c.id);
  }
  for (int n = 0; n < static_cast<int>(model.nodes.size()); ++n)
    idx.node.emplace(&model.nodes[n].id.str(), n);
  return idx;
}

// The per-node attributes of node \p n (rates converted to t/day).
void add_node_attributes(const Node& node, int n, const Indexes& idx, Network& net) {
  net.node_id.push_back(node.id);
  net.stage.push_back(node.stage);
  auto cit = idx.country.find(node.country.id);
  net.country.push_back(cit == idx.country.end() ? -1 : cit->second);
  net.capacity.push_back(node.capacity.value_or(Rate{}).per_day());
  net.tau.push_back(node.replenishment_time);
  net.rationing.push_back(node.rationing);
  net.units_per_tonne.push_back(node.units_per_tonne);
  net.value_per_unit.push_back(node.value_per_unit);
  net.backorder.push_back(node.backorder ? 1 : 0);
  net.complementary.push_back(node.inputs == ConsumerInputs::Complementary ? 1 : 0);
  net.product.push_back(node.product);
  net.margin.push_back(node.margin.value_or(-1.0));
  net.unit_name.push_back(node.unit_name);
  net.sector.push_back(node.sector);
  net.region.push_back(node.is_consumer() ? node.region.id : node.country.id);
  net.end_user.push_back(node.is_consumer() ? std::string_view(node.end_user) : std::string_view());
  if (net.source_origin_begin.empty()) net.source_origin_begin.push_back(0);
  for (const auto& [stage, ref] : node.source_origin) {
    auto ci = idx.country.find(ref.id);
    net.source_origin_pairs.emplace_back(stage, ci == idx.country.end() ? -1 : ci->second);
  }
  net.source_origin_begin.push_back(static_cast<int>(net.source_origin_pairs.size()));
  if (node.is_consumer()) net.consumer_nodes.push_back(n);
}

// A node's input and output materials: the union over its recipes (plus a consumer's demand,
// a stockpile's holdings), in first-seen order.
struct SlotMaterials {
  std::vector<int> ins, outs;
};

SlotMaterials slot_materials(const Node& node, const Indexes& idx) {
  SlotMaterials sm;
  auto add = [](std::vector<int>& v, int m) {
    if (std::find(v.begin(), v.end(), m) == v.end()) v.push_back(m);
  };
  for (const auto& r : node.recipes) {
    for (const auto& a : r.inputs) add(sm.ins, idx.material_of(a.material));
    for (const auto& a : r.outputs) add(sm.outs, idx.material_of(a.material));
  }
  if (node.is_consumer())
    for (const auto& a : node.demand) add(sm.ins, idx.material_of(a.material));
  if (node.stage == Stage::Stockpile)
    for (const auto& s : node.inventory) add(sm.outs, idx.material_of(s.material));
  return sm;
}

// Input and output slots of node \p n, with a consumer's demand per input slot [t/day].
void add_slots(const Node& node, int n, const SlotMaterials& sm, const Indexes& idx, Network& net) {
  for (int m : sm.ins) {
    net.in_node.push_back(n);
    net.in_material.push_back(m);
    double d = 0;
    for (const auto& a : node.demand)
      if (idx.material_of(a.material) == m) d += Rate::per_year(a.amount).per_day();
    net.demand.push_back(d);
  }
  for (int m : sm.outs) {
    net.out_node.push_back(n);
    net.out_material.push_back(m);
  }
  net.in_begin.push_back(static_cast<int>(net.in_node.size()));
  net.out_begin.push_back(static_cast<int>(net.out_node.size()));
}

// Node \p n's recipes, their coefficients aligned with its slots.
void add_recipes(const Node& node, int n, const SlotMaterials& sm, const Indexes& idx,
                 Network& net) {
  auto coef = [&](const std::vector<MaterialAmount>& amounts, int m) {
    double c = 0;
    for (const auto& a : amounts)
      if (idx.material_of(a.material) == m) c += a.amount;
    return c;
  };
  net.initial_recipe.push_back(-1);
  for (const auto& r : node.recipes) {
    int ridx = static_cast<int>(net.recipe_id.size());
    if (r.id == node.recipe) net.initial_recipe.back() = ridx;
    net.recipe_id.push_back(r.id);
    net.recipe_node.push_back(n);
    net.recipe_available_after.push_back(r.available_after);
    net.recipe_in_offset.push_back(static_cast<int>(net.recipe_in_coef.size()));
    net.recipe_out_offset.push_back(static_cast<int>(net.recipe_out_coef.size()));
    for (int m : sm.ins) net.recipe_in_coef.push_back(coef(r.inputs, m));
    for (int m : sm.outs) net.recipe_out_coef.push_back(coef(r.outputs, m));
  }
  net.recipe_begin.push_back(static_cast<int>(net.recipe_id.size()));
}

// Stage 2: nodes, their slots and recipes.
void add_nodes(const Model& model, const Indexes& idx, Network& net) {
  net.in_begin.push_back(0);
  net.out_begin.push_back(0);
  net.recipe_begin.push_back(0);
  for (int n = 0; n < static_cast<int>(model.nodes.size()); ++n) {
    const Node& node = model.nodes[n];
    add_node_attributes(node, n, idx, net);
    const SlotMaterials sm = slot_materials(node, idx);
    add_slots(node, n, sm, idx, net);
    add_recipes(node, n, sm, idx, net);
  }
}

// Stage 3: edges, numbered customer-major (by the customer's input slot, stable), so ordering
// and share adaptation, which walk each customer's suppliers, stream through the edge arrays;
// returns the model index of each network edge.
std::vector<int> add_edges(const Model& model, const Indexes& idx, Network& net) {
  const int E = static_cast<int>(model.edges.size());
  std::vector<int> model_in_slot(E);
  for (int k = 0; k < E; ++k) {
    const Edge& ed = model.edges[k];
    model_in_slot[k] = net.in_slot(idx.node_of(ed.to), idx.material_of(ed.material));
  }
  std::vector<int> order(E);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return model_in_slot[a] < model_in_slot[b]; });
  std::vector<int>().swap(model_in_slot);  // freed before the edge arrays are made
  // Per-edge settings most models leave at their defaults are kept only when an edge sets them.
  const bool priorities = std::any_of(model.edges.begin(), model.edges.end(),
                                      [](const Edge& ed) { return ed.priority != 1; });
  const bool contracts = std::any_of(model.edges.begin(), model.edges.end(),
                                     [](const Edge& ed) { return ed.contract_share.has_value(); });
  const bool qualifications =
      std::any_of(model.edges.begin(), model.edges.end(),
                  [](const Edge& ed) { return ed.qualification_time.has_value(); });
  for (auto* v :
       {&net.e_from, &net.e_to, &net.e_material, &net.e_out_slot, &net.e_in_slot, &net.e_lead})
    v->reserve(E);
  if (priorities) net.e_priority.reserve(E);
  if (contracts) net.e_contract.reserve(E);
  if (qualifications) net.e_qualification.reserve(E);
  for (auto* v : {&net.e_share, &net.e_flow}) v->reserve(E);
  for (int e = 0; e < E; ++e) {
    const Edge& ed = model.edges[order[e]];
    int f = idx.node_of(ed.from), t = idx.node_of(ed.to), m = idx.material_of(ed.material);
    int os = net.out_slot(f, m), is = net.in_slot(t, m);
    if (os < 0 || is < 0)
      throw RuntimeError(fmt::format(
          "edge {} does not connect a supplier's output to a customer's input", ed.label()));
    net.e_from.push_back(f);
    net.e_to.push_back(t);
    net.e_material.push_back(m);
    net.e_out_slot.push_back(os);
    net.e_in_slot.push_back(is);
    net.e_lead.push_back(ed.lead_time.whole_days());
    if (priorities) net.e_priority.push_back(ed.priority);
    if (contracts) net.e_contract.push_back(ed.contract_share.value_or(0));
    if (qualifications) net.e_qualification.push_back(ed.qualification_time.value_or(-1));
    net.e_share.push_back(0);
    net.e_flow.push_back(0);
  }
  return order;
}

// Stage 4: baseline shares: given, or from flows (flows define the split of a customer's
// purchases). \p order: the model index of each network edge.
void set_shares(const Model& model, const std::vector<int>& order, Network& net) {
  const int E = net.edges();
  std::vector<double> flow_sum(net.in_slots(), 0.0);
  std::vector<int> count(net.in_slots(), 0);
  for (int e = 0; e < E; ++e) {
    flow_sum[net.e_in_slot[e]] += model.edges[order[e]].flow.value_or(0);
    ++count[net.e_in_slot[e]];
  }
  for (int e = 0; e < E; ++e) {
    const Edge& ed = model.edges[order[e]];
    int s = net.e_in_slot[e];
    if (ed.share)
      net.e_share[e] = *ed.share;
    else
      net.e_share[e] = flow_sum[s] > 0 ? ed.flow.value_or(0) / flow_sum[s] : 1.0 / count[s];
  }
}

// Where each slot's edges start: [begin[s], begin[s + 1]) for slot s, from each edge's slot.
std::vector<int> slot_ranges(int slots, const std::vector<int>& slot_of_edge) {
  std::vector<int> begin(slots + 1, 0);
  for (int s : slot_of_edge) ++begin[s + 1];
  for (int s = 0; s < slots; ++s) begin[s + 1] += begin[s];
  return begin;
}

// Stage 5: adjacency. Supplier edges per input slot are a range of edge indices (compile
// numbers the edges customer-major, so they are already in slot order); customer edges per
// output slot are a CSR list, by priority.
void build_adjacency(Network& net) {
  const int E = net.edges();
  for (int e = 1; e < E; ++e)
    if (net.e_in_slot[e] < net.e_in_slot[e - 1])
      throw RuntimeError("internal error: the network's edges are not numbered customer-major");
  net.in_edge_begin = slot_ranges(net.in_slots(), net.e_in_slot);
  net.out_edge_begin = slot_ranges(net.out_slots(), net.e_out_slot);
  net.out_edges.assign(E, 0);
  std::vector<int> fill(net.out_edge_begin.begin(), net.out_edge_begin.end() - 1);
  for (int e = 0; e < E; ++e) net.out_edges[fill[net.e_out_slot[e]]++] = e;
  for (int s = 0; s < net.out_slots(); ++s)
    std::stable_sort(net.out_edges.begin() + net.out_edge_begin[s],
                     net.out_edges.begin() + net.out_edge_begin[s + 1],
                     [&](int a, int b) { return net.priority(a) < net.priority(b); });
}

// One Jacobi pass of the baseline: use -> flows -> output demand -> activity. Returns the
// largest change of an activity and the largest activity.
std::pair<double, double> baseline_pass(Network& net, std::vector<double>& out_demand) {
  for (int s = 0; s < net.in_slots(); ++s) {
    int n = net.in_node[s];
    int r = net.initial_recipe[n];
    if (net.stage[n] == Stage::Consumer)
      net.in_use[s] = net.demand[s];
    else if (r >= 0)
      net.in_use[s] = net.activity[n] * net.in_coef(r, n, s);
  }
  std::fill(out_demand.begin(), out_demand.end(), 0.0);
  for (int e = 0; e < net.edges(); ++e) {
    net.e_flow[e] = net.e_share[e] * net.in_use[net.e_in_slot[e]];
    out_demand[net.e_out_slot[e]] += net.e_flow[e];
  }
  double change = 0, scale = 0;
  for (int n = 0; n < net.nodes(); ++n) {
    int r = net.initial_recipe[n];
    if (r < 0) continue;
    double a = 0;
    for (int s = net.out_begin[n]; s < net.out_begin[n + 1]; ++s) {
      double c = net.out_coef(r, n, s);
      if (c > 0) a = std::max(a, out_demand[s] / c);
    }
    change = std::max(change, std::fabs(a - net.activity[n]));
    scale = std::max(scale, std::fabs(a));
    net.activity[n] = a;
  }
  return {change, scale};
}

// Stage 6: the baseline steady state (activity, use, flows, output rates). Jacobi iteration
// converges in (depth + 1) passes on an acyclic network; cycles converge when their gain is
// below 1.
void solve_baseline(Network& net) {
  net.activity.assign(net.nodes(), 0.0);
  net.in_use.assign(net.in_slots(), 0.0);
  net.out_rate.assign(net.out_slots(), 0.0);
  std::vector<double> out_demand(net.out_slots(), 0.0);
  const int max_iter = 10000;
  int iter = 0;
  for (; iter < max_iter; ++iter) {
    auto [change, scale] = baseline_pass(net, out_demand);
    if (!std::isfinite(scale) || scale > 1e18)
      throw RuntimeError("the baseline diverges: a supply cycle needs more than it returns");
    if (change <= 1e-13 * std::max(scale, 1.0)) break;
  }
  if (iter == max_iter)
    throw RuntimeError(
        "the baseline did not converge in 10000 passes (a cycle with gain close to 1?)");
  for (int n = 0; n < net.nodes(); ++n) {
    int r = net.initial_recipe[n];
    if (r >= 0)
      for (int s = net.out_begin[n]; s < net.out_begin[n + 1]; ++s)
        net.out_rate[s] = net.activity[n] * net.out_coef(r, n, s);
    if (net.stage[n] != Stage::Consumer && net.stage[n] != Stage::Stockpile &&
        net.activity[n] > net.capacity[n] * (1 + 1e-9))
      net.warnings.push_back(fmt::format(
          "node '{}' needs {:.0f} t/yr of activity in the baseline but its capacity is {:.0f} "
          "t/yr; "
          "it will fall short from day 0",
          net.node_id[n], Rate::per_day(net.activity[n]).per_year(),
          Rate::per_day(net.capacity[n]).per_year()));
  }
}

// Stage 7 for one node: initial and target stocks, from days of the baseline rates or explicit
// tonnes. \p material_of maps a material id to its index; warnings only when \p warn.
template <class MaterialOf>
void stock_node(const Node& node, int n, const MaterialOf& material_of, bool warn, Network& net) {
  // A producer uses what is on hand at the start of the day (arrivals come after
  // production), so it keeps at least one day of use of each input: with less it could not
  // produce its baseline on day 0 and would drift from steady state.
  const bool producer = node.stage != Stage::Consumer && node.stage != Stage::Stockpile;
  for (int s = net.in_begin[n]; s < net.in_begin[n + 1]; ++s) {
    double daily = net.in_use[s];
    const double floor = producer ? daily : 0.0;
    net.in_initial[s] = net.in_target[s] = std::max(node.inventory_days * daily, floor);
    for (const auto& spec : node.inventory)
      if (material_of(spec.material) == net.in_material[s]) {
        if (warn) warn_zero_days(net, node, spec, daily);
        net.in_initial[s] = stock_level(spec.initial, daily);  // an explicit start state
        net.in_target[s] = std::max(stock_level(spec.target, daily), floor);
      }
  }
  for (int s = net.out_begin[n]; s < net.out_begin[n + 1]; ++s) {
    double daily = net.out_rate[s];
    net.out_initial[s] = net.out_target[s] = node.output_inventory_days * daily;
    const auto& specs = node.stage == Stage::Stockpile ? node.inventory : node.output_inventory;
    for (const auto& spec : specs)
      if (material_of(spec.material) == net.out_material[s]) {
        if (warn) warn_zero_days(net, node, spec, daily);
        net.out_initial[s] = stock_level(spec.initial, daily);
        net.out_target[s] = stock_level(spec.target, daily);
      }
  }
}

// Stage 7: initial and target stocks of every node.
void set_stocks(const Model& model, const Indexes& idx, Network& net) {
  net.in_initial.assign(net.in_slots(), 0.0);
  net.in_target.assign(net.in_slots(), 0.0);
  net.out_initial.assign(net.out_slots(), 0.0);
  net.out_target.assign(net.out_slots(), 0.0);
  auto material_of = [&](const Ref& r) { return idx.material_of(r); };
  for (int n = 0; n < net.nodes(); ++n) stock_node(model.nodes[n], n, material_of, true, net);
}

}  // namespace

Network compile(const Model& model) {
  Network net;
  const Indexes idx = index_model(model, net);
  add_nodes(model, idx, net);
  set_shares(model, add_edges(model, idx, net), net);
  build_adjacency(net);
  solve_baseline(net);
  set_stocks(model, idx, net);
  for (auto* t : {&net.node_id, &net.recipe_id, &net.product, &net.unit_name, &net.sector,
                  &net.region, &net.end_user})
    t->shrink_to_fit();
  return net;
}

void restock(const Model& model, const std::vector<int>& nodes, Network& net) {
  auto material_of = [&](const Ref& r) { return net.material_index(r.id); };
  for (int n : nodes) stock_node(model.nodes[n], n, material_of, false, net);
}

}  // namespace rareshock::sim
