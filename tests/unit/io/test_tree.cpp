#include <catch2/catch.hpp>

#include "rareshock/io/loader.hpp"
#include "rareshock/io/tree.hpp"

using namespace rareshock;
using namespace rareshock::io;

namespace {
TreeNode parse(const std::string& text) {
  SourceRegistry src;
  Diagnostics d;
  Loader l(src, d);
  auto t = l.parse_text("t.yaml", text);
  REQUIRE(t);
  return *t;
}
}  // namespace

TEST_CASE("merge: maps by key, id lists by id, other values replaced", "[io][tree]") {
  TreeNode base = parse(
      "a: 1\nb: {x: 1, y: 2}\nnodes: [{id: n1, capacity: 5}, {id: n2, capacity: 6}]\nl: [1, 2]\n");
  TreeNode over =
      parse("b: {y: 3}\nnodes: [{id: n2, capacity: 7}, {id: n3, capacity: 8}]\nl: [9]\n");
  merge_into(base, over);
  CHECK(base.find("a")->scalar == "1");
  CHECK(base.find("b")->find("x")->scalar == "1");
  CHECK(base.find("b")->find("y")->scalar == "3");
  auto* nodes = base.find("nodes");
  REQUIRE(nodes->items.size() == 3);
  CHECK(nodes->items[1].find("capacity")->scalar == "7");
  CHECK(nodes->items[2].id() == "n3");
  CHECK(base.find("l")->items.size() == 1);
}

TEST_CASE("key paths select by id, index and wildcard", "[io][tree]") {
  TreeNode t = parse("model:\n  nodes: [{id: a, capacity: 1}, {id: b, capacity: 2}]\n");
  std::string err;
  auto all = find_paths(t, "model.nodes[*].capacity", &err);
  REQUIRE(all.size() == 2);
  CHECK(all[1].path == "model.nodes[b].capacity");
  CHECK(find_paths(t, "model.nodes[b].capacity", &err).at(0).node->scalar == "2");
  CHECK(find_paths(t, "model.nodes[0].capacity", &err).at(0).node->scalar == "1");
  CHECK(find_paths(t, "model.nodes.b.capacity", &err).size() == 1);
  CHECK(find_paths(t, "model.nodes[zz].capacity", &err).empty());

  CHECK(set_path(t, "model.nodes[a].capacity", TreeNode::make_scalar("9"), &err, nullptr));
  CHECK(find_paths(t, "model.nodes[a].capacity", &err).at(0).node->scalar == "9");
  std::vector<std::string> sugg;
  CHECK_FALSE(set_path(t, "model.nodes[c].capacity", TreeNode::make_scalar("9"), &err, &sugg));
  CHECK(err == "no list item 'c' in 'model.nodes'");
  CHECK(sugg == std::vector<std::string>{"a", "b"});
}

TEST_CASE("key paths select list items by id pattern", "[io][tree]") {
  TreeNode t = parse(
      "c: [{id: ev_traction_EU, d: 1}, {id: ev_traction_US, d: 2}, {id: wind_EU, d: 3}, {d: 4}]\n");
  std::string err;
  auto ev = find_paths(t, "c[ev_traction_*].d", &err);
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].path == "c[ev_traction_EU].d");
  CHECK(ev[1].path == "c[ev_traction_US].d");
  auto eu = find_paths(t, "c[*_EU].d", &err);
  REQUIRE(eu.size() == 2);
  CHECK(eu[1].node->scalar == "3");
  CHECK(find_paths(t, "c[*a*_U*].d", &err).size() == 1);
  CHECK(find_paths(t, "c[wind_*X].d", &err).empty());
  CHECK_FALSE(set_path(t, "c[ev_*].d", TreeNode::make_scalar("9"), &err, nullptr));
  CHECK(err == "wildcards are not allowed here");
}

TEST_CASE("to_yaml round-trips content and keeps quoted scalars quoted", "[io][tree]") {
  TreeNode t = parse("a: \"2025\"\nb: [1, {c: x y}]\nd: ~\n");
  std::string y = to_yaml(t);
  TreeNode back = parse(y);
  CHECK(same_content(t, back));
  CHECK(back.find("a")->quoted);
  CHECK(item_path("nodes", back.find("b")->items[1], 1) == "nodes[1]");
}

namespace rareshock::io {
std::string to_yaml_reference(const TreeNode& n);  // yaml-cpp's writer (src/io/tree.cpp)
}

TEST_CASE("to_yaml writes exactly what yaml-cpp writes", "[io][tree]") {
  const char* docs[] = {
      "a: 1\nb: [x, y]\nc: {d: ~, e: []}\nf: {}\n",
      "- 1\n- [a, [b, c], []]\n- {k: v, l: {m: [1, 2]}}\n- ~\n- {}\n",
      "[[[a]], [{x: [y, {z: w}]}]]\n",
      ("plain: text with spaces\ncolon: 'a: b'\nhash: 'a #b'\nlead: ' x'\nempty: ''\n"
       "yes: 'yes'\nnull_text: 'null'\ntilde: '~'\nnum: '12'\ndash: '- x'\nstar: '*x'\n"
       "amp: '&a'\nbang: '!t'\nbrace: '{a}'\nbracket: '[a]'\npct: '%x'\nat: '@x'\n"
       "quote: '\"q\"'\nsq: \"it's\"\nnl: \"a\\nb\"\ntab: \"a\\tb\"\nutf: Dy₂O₃ – ü\n"
       "trail: 'x '\nq: \"quoted\"\n'key with: colon': 1\n'': empty key\n'- k': 2\n"),
      ("top:\n  - id: n1\n    recipes:\n      - {id: r, inputs: {a: 1}, outputs: {b: 2}}\n"
       "    demand: {}\n  - - nested\n    - {deep: [1, [2, [3]]]}\n"),
      "just a scalar\n",
  };
  for (const char* text : docs) {
    TreeNode t = parse(text);
    INFO(text);
    CHECK(to_yaml(t) == to_yaml_reference(t));
  }
  // Documents as they are resolved: the example study (model, scenarios, CSV-free) and others.
  for (const char* file :
       {"/models/examples/example-study.yaml", "/models/examples/calibration-study.yaml",
        "/models/examples/mini-chain.yaml", "/models/examples/dy-licence.yaml"}) {
    SourceRegistry src;
    Diagnostics d;
    Loader l(src, d);
    auto t = l.load(std::string(RARESHOCK_SOURCE_DIR) + file);
    REQUIRE(t);
    INFO(file);
    CHECK(to_yaml(*t) == to_yaml_reference(*t));
  }
}

namespace {
const char* const kEdges =
    "edges:\n"
    "  - {from: a, to: c, material: m, share: 0.5}\n"
    "  - {from: b, to: c, material: m, share: 0.5}\n"
    "  - {from: s, to: c, material: m, share: 0}\n"
    "  - {from: s, to: c, material: n, share: 1}\n";
}  // namespace

TEST_CASE("item keys: ids, and from->to:material for edges", "[io][tree]") {
  TreeNode t = parse(kEdges);
  CHECK(item_key(t.find("edges")->items[1]) == "b->c:m");
  CHECK(item_key(parse("{id: x, from: a, to: b, material: m}")) == "x");
  CHECK(item_key(parse("{from: a, to: b}")).empty());
  CHECK(item_key(parse("[1]")).empty());
}

TEST_CASE("merge: edges merge by from, to and material and remove: drops items", "[io][tree]") {
  TreeNode base = parse(kEdges);
  TreeNode over = parse(
      "edges:\n"
      "  - {from: a, to: c, material: m, share: 0.4}\n"  // changes the a->c edge
      "  - {from: d, to: c, material: m, share: 0.1}\n"  // appended
      "  - remove: b->c:m\n"
      "  - remove: [s->c]\n");  // both materials of s->c
  Diagnostics d;
  merge_into(base, over, &d);
  CHECK(d.error_count() == 0);
  const auto& e = base.find("edges")->items;
  REQUIRE(e.size() == 2);
  CHECK(item_key(e[0]) == "a->c:m");
  CHECK(e[0].find("share")->scalar == "0.4");
  CHECK(item_key(e[1]) == "d->c:m");
}

TEST_CASE("merge: remove with a pattern, and a remove that matches nothing", "[io][tree]") {
  TreeNode base = parse("nodes: [{id: mine_a}, {id: mine_b}, {id: ref_a}]\n");
  Diagnostics d;
  merge_into(base, parse("nodes: [{remove: mine_*}, {remove: ref_x}]\n"), &d);
  REQUIRE(base.find("nodes")->items.size() == 1);
  CHECK(base.find("nodes")->items[0].id() == "ref_a");
  REQUIRE(d.error_count() == 1);
  // `- remove: "*"` then items: the whole list replaced on purpose, without a warning.
  TreeNode big = parse(
      "l: [{id: a1}, {id: a2}, {id: a3}, {id: a4}, {id: a5}, {id: a6}, {id: a7}, {id: a8}, "
      "{id: a9}, {id: a10}]\n");
  Diagnostics d2;
  merge_into(big, parse("l: [{remove: \"*\"}, {id: z}]\n"), &d2);
  REQUIRE(big.find("l")->items.size() == 1);
  CHECK(d2.warning_count() == 0);
}

TEST_CASE("merge: a long list replaced whole draws a warning", "[io][tree]") {
  std::string items;
  for (int i = 0; i < 12; ++i)
    items += "  - {from: n" + std::to_string(i) + ", to: c, material: m, share: 0.1}\n";
  TreeNode base = parse("edges:\n" + items);
  Diagnostics d;
  // The override edge has no material: it cannot be matched, so the list is replaced.
  merge_into(base, parse("edges: [{from: x, to: c, share: 1}]\n"), &d, "");
  CHECK(base.find("edges")->items.size() == 1);
  REQUIRE(d.warning_count() == 1);
  Diagnostics quiet;  // a short list: no warning
  TreeNode small = parse("nodes: [{id: a}, {id: b}]\n");
  merge_into(small, parse("nodes: [x]\n"), &quiet);
  CHECK(quiet.warning_count() == 0);
}

TEST_CASE("key paths: edges by from->to, append with +, remove with ~", "[io][tree]") {
  TreeNode t = parse(
      "model:\n"
      "  edges:\n"
      "    - {from: a, to: c, material: m, share: 0.5}\n"
      "    - {from: b, to: c, material: m, share: 0.5}\n"
      "    - {from: s, to: c, material: m, share: 0}\n"
      "    - {from: s, to: c, material: n, share: 1}\n");
  std::string err;
  CHECK(find_paths(t, "model.edges[a->c].share", &err).at(0).node->scalar == "0.5");
  CHECK(find_paths(t, "model.edges[s->c:n].share", &err).at(0).node->scalar == "1");
  CHECK(find_paths(t, "model.edges[*->c:m].share", &err).size() == 3);
  // from->to naming two edges is ambiguous for set_path.
  CHECK_FALSE(set_path(t, "model.edges[s->c].share", TreeNode::make_scalar("0.2"), &err, nullptr));
  CHECK(err.find("names 2 items") != std::string::npos);
  CHECK(set_path(t, "model.edges[b->c].share", TreeNode::make_scalar("0.2"), &err, nullptr));
  CHECK(find_paths(t, "model.edges[b->c:m].share", &err).at(0).node->scalar == "0.2");
  // Append.
  CHECK(set_path(t, "model.edges[+]", parse("{from: d, to: c, material: m, share: 0.3}"), &err,
                 nullptr));
  CHECK(t.find("model")->find("edges")->items.size() == 5);
  CHECK(item_key(t.find("model")->find("edges")->items.back()) == "d->c:m");
  CHECK_FALSE(set_path(t, "model.edges[+].share", TreeNode::make_scalar("1"), &err, nullptr));
  CHECK(set_path(t, "model.extra[+]", TreeNode::make_scalar("1"), &err, nullptr));
  CHECK(t.find("model")->find("extra")->items.size() == 1);
  // Remove: an item, several by from->to, a map key; nothing there is an error.
  CHECK(remove_path(t, "model.edges[a->c:m]", &err, nullptr));
  CHECK(remove_path(t, "model.edges[s->c]", &err, nullptr));
  CHECK(t.find("model")->find("edges")->items.size() == 2);
  CHECK(remove_path(t, "model.extra", &err, nullptr));
  CHECK(t.find("model")->find("extra") == nullptr);
  std::vector<std::string> sugg;
  std::string missing;
  CHECK_FALSE(remove_path(t, "model.edges[zz->c]", &err, &sugg, &missing));
  CHECK(missing == "zz->c");
  CHECK(sugg == std::vector<std::string>{"b->c:m", "d->c:m"});
  CHECK_FALSE(remove_path(t, "model.nodez.x", &err, nullptr));
  CHECK(err == "no key 'nodez' in 'model'");
}

TEST_CASE("messages name an edge by from->to:material, a path --set accepts", "[io][tree]") {
  TreeNode t = parse(std::string("model:\n  ") + kEdges + "  nodes: [{id: a}, {x: 1}]\n");
  const auto& edges = t.find("model")->find("edges")->items;
  const std::string path = item_path("model.edges", edges[3], 3);
  CHECK(path == "model.edges[s->c:n]");
  CHECK(item_path("model.nodes", t.find("model")->find("nodes")->items[0], 0) == "model.nodes[a]");
  CHECK(item_path("model.nodes", t.find("model")->find("nodes")->items[1], 1) == "model.nodes[1]");
  // The path a message gives selects that edge again.
  std::string err;
  auto hit = find_paths(t, path + ".share", &err);
  REQUIRE(hit.size() == 1);
  CHECK(hit[0].node == edges[3].find("share"));
  CHECK(set_path(t, path + ".share", TreeNode::make_scalar("0.9"), &err, nullptr));
  CHECK(edges[3].find("share")->scalar == "0.9");
  // Matches of a pattern keep the edge's index: it names one edge even where two share their
  // from, to and material (a Monte Carlo target must not land on the first of them).
  auto all = find_paths(t, "model.edges[*].share", &err);
  REQUIRE(all.size() == 4);
  CHECK(all[3].path == "model.edges[3].share");
}
