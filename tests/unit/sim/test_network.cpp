#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>

#include "../../support.hpp"

using namespace rareshock;

TEST_CASE("compile builds slots, CSR adjacency and the baseline", "[sim][network]") {
  auto model =
      rareshock::io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml").model;
  sim::Network net = sim::compile(*model);
  CHECK(net.nodes() == static_cast<int>(model->nodes.size()));
  CHECK(net.edges() == static_cast<int>(model->edges.size()));
  // Consumer demand flows back: magnets -> metal -> oxide -> concentrate.
  int cn_magnet = net.node_index("cn_magnet");
  int ndfeb = net.material_index("ndfeb_sh");
  double magnets = net.out_rate[net.out_slot(cn_magnet, ndfeb)] * 365;
  CHECK(magnets == Approx(30000 + 0.8 * 6000 + 0.7 * 4000 + 0.9 * 3000));
  int cn_sep = net.node_index("cn_separation");
  // Joint production: activity follows the most demanded output (NdPr), Dy and La/Ce are
  // by-products.
  double ndpr_need =
      net.in_use[net.in_slot(net.node_index("cn_metal"), net.material_index("ndpr_oxide"))] * 0.9;
  CHECK(net.activity[cn_sep] == Approx(ndpr_need / 0.16));
  CHECK(net.out_rate[net.out_slot(cn_sep, net.material_index("lace_oxide"))] ==
        Approx(0.45 * net.activity[cn_sep]));
  // Initial stocks follow days of cover.
  int s = net.in_slot(net.node_index("ev_traction_eu"), ndfeb);
  CHECK(net.in_initial[s] == Approx(45 * 6000 / 365.0));
  CHECK(net.warnings.empty());
  // Every edge appears exactly once under the slot it belongs to (its customer's input slot:
  // edges are customer-major, so input slots are ranges of edge indices; its supplier's output
  // slot, in the CSR list), and the slot ranges tile the edges and the list.
  std::vector<int> seen_in(net.edges(), 0), seen_out(net.edges(), 0);
  for (int sl = 0; sl < net.in_slots(); ++sl)
    for (int k = net.in_edge_begin[sl]; k < net.in_edge_begin[sl + 1]; ++k) {
      ++seen_in[k];
      CHECK(net.e_in_slot[k] == sl);
      CHECK(net.e_to[k] == net.in_node[sl]);
    }
  for (int sl = 0; sl < net.out_slots(); ++sl)
    for (int k = net.out_edge_begin[sl]; k < net.out_edge_begin[sl + 1]; ++k) {
      ++seen_out[net.out_edges[k]];
      CHECK(net.e_out_slot[net.out_edges[k]] == sl);
      CHECK(net.e_from[net.out_edges[k]] == net.out_node[sl]);
    }
  CHECK(std::count(seen_in.begin(), seen_in.end(), 1) == net.edges());
  CHECK(std::count(seen_out.begin(), seen_out.end(), 1) == net.edges());
}

TEST_CASE("shares may come from flows", "[sim][network]") {
  auto model = test::model_from(R"(
materials: [{id: x, family: f}]
countries: [A, B]
nodes:
  - {id: a, stage: mine, country: A, capacity: 1000, outputs: {x: 1}}
  - {id: b, stage: mine, country: B, capacity: 1000, outputs: {x: 1}}
consumers: [{id: c, sector: s, region: A, demand: {x: 100}}]
edges:
  - {from: a, to: c, material: x, flow: 300 t/yr}
  - {from: b, to: c, material: x, flow: 100 t/yr}
)");
  sim::Network net = sim::compile(*model);
  CHECK(net.e_share[0] == Approx(0.75));
  CHECK(net.e_flow[1] * 365 == Approx(25));
}

TEST_CASE("baseline above capacity is a warning", "[sim][network]") {
  auto model = test::model_from(R"(
materials: [{id: x, family: f}]
countries: [A]
nodes: [{id: a, stage: mine, country: A, capacity: 50, outputs: {x: 1}}]
consumers: [{id: c, sector: s, region: A, demand: {x: 100}}]
edges: [{from: a, to: c, material: x, share: 1}]
)");
  sim::Network net = sim::compile(*model);
  REQUIRE(net.warnings.size() == 1);
  CHECK(net.warnings[0].find("node 'a' needs 100 t/yr") != std::string::npos);
}

TEST_CASE("a stock given in days of a zero baseline flow is 0 t, with a warning",
          "[sim][network]") {
  // r is a standby refinery: its only customer edge has no baseline flow, so it uses no x.
  const std::string text = R"(
materials: [{id: x, family: f}, {id: y, family: g}]
countries: [A]
nodes:
  - {id: a, stage: mine, country: A, capacity: 1000, outputs: {x: 1}}
  - {id: b, stage: mine, country: A, capacity: 1000, outputs: {y: 1}}
  - {id: r, stage: refinery, country: A, capacity: 1000, inputs: {x: 1}, outputs: {y: 1},
     inventory: [{material: x, initial: STOCK}]}
consumers: [{id: c, sector: s, region: A, demand: {y: 100}}]
edges:
  - {from: a, to: r, material: x, flow: 0 t/yr}
  - {from: b, to: c, material: y, flow: 100 t/yr}
  - {from: r, to: c, material: y, flow: 0 t/yr}
)";
  auto with = [&](const std::string& stock) {
    std::string t = text;
    t.replace(t.find("STOCK"), 5, stock);
    return sim::compile(*test::model_from(t));
  };
  sim::Network days = with("30 days");
  REQUIRE(days.warnings.size() == 1);
  CHECK(days.warnings[0].find("the stock of 'x' at 'r' is given as 30 days") != std::string::npos);
  CHECK(days.warnings[0].find("so it is 0 t") != std::string::npos);
  const int r = days.node_index("r");
  CHECK(days.in_initial[days.in_begin[r]] == 0.0);
  sim::Network tonnes = with("40 t");
  CHECK(tonnes.warnings.empty());
  CHECK(tonnes.in_initial[tonnes.in_begin[r]] == Approx(40));
}

TEST_CASE("restock gives the network compile gives for new stock cover", "[sim][network]") {
  auto model =
      rareshock::io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml").model;
  const sim::Network base = sim::compile(*model);
  Model changed = *model;
  std::vector<int> nodes;
  for (int n = 0; n < static_cast<int>(changed.nodes.size()); ++n) {
    Node& node = changed.nodes[n];
    if (node.id == "cn_separation" || node.id == "wind_eu") {
      node.inventory_days = 73.125;
      nodes.push_back(n);
    }
    if (node.id == "cn_magnet") {
      node.output_inventory_days = 3.5;
      nodes.push_back(n);
    }
    // The stockpile's stock is given in tonnes: restocking it changes nothing.
    if (node.id == "us_stockpile") nodes.push_back(n);
  }
  REQUIRE(nodes.size() == 4);
  sim::Network net = base;
  sim::restock(changed, nodes, net);
  const sim::Network want = sim::compile(changed);
  CHECK(net == want);
  CHECK_FALSE(net == base);
  const int wind = net.node_index("wind_eu");
  const int s = net.in_begin[wind];
  CHECK(net.in_initial[s] == Approx(73.125 * net.in_use[s]));
}

TEST_CASE("per-node strings are string tables and edge labels are made from the ids",
          "[sim][network]") {
  auto model =
      rareshock::io::load_file(RARESHOCK_SOURCE_DIR "/models/examples/mini-chain.yaml").model;
  const sim::Network net = sim::compile(*model);
  REQUIRE(net.edges() > 0);
  // Edges are customer-major (by input slot), in model order within a slot: the labels are
  // the model's, stably sorted by customer slot.
  std::vector<std::pair<int, std::string>> expected;
  for (const auto& ed : model->edges)
    expected.emplace_back(net.in_slot(net.node_index(ed.to.id), net.material_index(ed.material.id)),
                          ed.label());
  std::stable_sort(expected.begin(), expected.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (int e = 0; e < net.edges(); ++e) {
    CHECK(net.e_in_slot[e] == expected[e].first);
    CHECK(net.edge_label(e) == expected[e].second);
  }
  for (int n = 0; n < net.nodes(); ++n) {
    const Node& node = model->nodes[n];
    CHECK(net.node_id[n] == node.id);
    CHECK(net.node_id.view(n) == node.id);
    CHECK(net.node_index(node.id) == n);
    CHECK(net.sector[n] == node.sector);
    CHECK(net.product[n] == node.product);
    CHECK(net.unit_name[n] == node.unit_name);
    CHECK(net.region[n] == (node.is_consumer() ? node.region.id : node.country.id));
    CHECK(net.end_user[n] == (node.is_consumer() ? node.end_user : Symbol()));
  }
  CHECK(net.node_index("no-such-node") == -1);
  // Memory accounting counts the tables' characters and offsets.
  std::size_t chars = 0;
  for (const auto& node : model->nodes) chars += node.id.size();
  CHECK(net.bytes() > chars + net.nodes() * sizeof(std::size_t));
}

TEST_CASE("string table: views, copies, empty strings", "[sim][network]") {
  const std::string longer = "a string longer than the inline buffer of std::string";
  sim::StringTable t;
  CHECK(t.empty());
  t.push_back("alpha");
  t.push_back("");
  t.push_back(longer);
  REQUIRE(t.size() == 3);
  CHECK(t.view(0) == "alpha");
  CHECK(t.view(1).empty());
  CHECK(t[2] == longer);
  t.shrink_to_fit();
  CHECK(t.bytes() >= 5 + longer.size() + 3 * sizeof(std::size_t));
  sim::StringTable u = t;
  CHECK(u == t);
  u.push_back("x");
  CHECK_FALSE(u == t);
}

TEST_CASE("per-edge settings at their defaults take no memory, source origins are one array",
          "[sim][network]") {
  const char* base = R"(
materials: [{id: x, family: f}]
countries: [A, B]
nodes:
  - {id: a, stage: mine, country: A, capacity: 1000, outputs: {x: 1}}
  - {id: b, stage: mine, country: B, capacity: 1000, outputs: {x: 1}%s}
consumers: [{id: c, sector: s, region: A, demand: {x: 100}}]
edges:
  - {from: a, to: c, material: x, share: 1}
  - {from: b, to: c, material: x, share: 0%s}
)";
  auto make = [&](const char* node_extra, const char* edge_extra) {
    char text[1024];
    std::snprintf(text, sizeof text, base, node_extra, edge_extra);
    return sim::compile(*test::model_from(text));
  };
  const sim::Network plain = make("", "");
  CHECK(plain.e_priority.empty());
  CHECK(plain.e_contract.empty());
  CHECK(plain.e_qualification.empty());
  for (int e = 0; e < plain.edges(); ++e) {
    CHECK(plain.priority(e) == 1);
    CHECK(plain.contract(e) == 0);
    CHECK(plain.qualification(e) == -1);
  }
  CHECK(plain.source_origin_pairs.empty());
  for (int n = 0; n < plain.nodes(); ++n) CHECK(plain.source_origin(n).empty());

  const sim::Network set =
      make(", source_origin: {mine: A}", ", priority: 2, qualification_time: 90 days");
  REQUIRE(set.e_priority.size() == 2);
  REQUIRE(set.e_qualification.size() == 2);
  CHECK(set.e_contract.empty());
  const int b = set.node_index("b");
  for (int e = 0; e < set.edges(); ++e) {
    const bool from_b = set.e_from[e] == b;
    CHECK(set.priority(e) == (from_b ? 2 : 1));
    CHECK(set.qualification(e) == (from_b ? 90 : -1));
  }
  REQUIRE(set.source_origin(b).size() == 1);
  CHECK(set.source_origin(b)[0] == std::pair<Stage, int>(Stage::Mine, 0));  // country A
  CHECK(set.source_origin(set.node_index("a")).empty());
  CHECK(set.source_origin(set.node_index("c")).empty());
}
