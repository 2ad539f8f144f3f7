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
