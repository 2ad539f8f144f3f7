#include <catch2/catch.hpp>

#include "rareshock/io/loader.hpp"
#include "rareshock/io/reader.hpp"

using namespace rareshock;
using namespace rareshock::io;

namespace {
struct Fixture {
  SourceRegistry src;
  Diagnostics d;
  TreeNode tree;
  explicit Fixture(const std::string& text) {
    Loader l(src, d);
    tree = *l.parse_text("r.yaml", text);
  }
  std::string out() const { return d.format(src, false); }
};
}  // namespace

TEST_CASE("MapReader reads typed values and fills defaults into the tree", "[io][reader]") {
  Fixture f("id: n1\ncapacity: 3.5 kt/yr\nshare: 25 %\nflag: yes\nstage: metal\n");
  MapReader r(f.d, f.tree, "nodes[n1]", "a node");
  CHECK(r.id() == "n1");
  CHECK(*r.opt_quantity("capacity", Dimension::MassRate) == Approx(3500));
  CHECK(r.fraction("share", 0) == Approx(0.25));
  CHECK(r.flag("flag", false));
  CHECK(r.choice("stage", {"mine", "metal"}, 0) == 1);
  CHECK(r.quantity("replenishment_time", Dimension::Duration, 10) == 10);
  r.finish();
  CHECK_FALSE(f.d.has_errors());
  CHECK(f.tree.find("replenishment_time")->scalar == "10");
}

TEST_CASE("MapReader reports unknown keys with a suggestion and the allowed keys", "[io][reader]") {
  Fixture f("id: n1\ncapacty: 10\n");
  MapReader r(f.d, f.tree, "nodes[n1]", "a node");
  r.id();
  r.opt_quantity("capacity", Dimension::MassRate);
  r.finish();
  CHECK(f.out() ==
        "r.yaml:2:1: error: unknown key 'capacty' in a node (at nodes[n1].capacty)\n"
        "   1 | id: n1\n"
        ">  2 | capacty: 10\n"
        "     | ^\n"
        "  hint: did you mean 'capacity'? allowed keys: id, capacity\n");
}

TEST_CASE("MapReader reports bad enum values, units, fractions and missing keys", "[io][reader]") {
  Fixture f("stage: refinary\ncapacity: 10 t/yer\nshare: 1.5\n");
  MapReader r(f.d, f.tree, "n", "a node");
  r.required_choice("stage", {"mine", "refinery"});
  r.opt_quantity("capacity", Dimension::MassRate);
  r.opt_fraction("share");
  r.need("country", "a country id");
  std::string out = f.out();
  CHECK(out.find("r.yaml:1:8: error: invalid value 'refinary' for 'stage'") != std::string::npos);
  CHECK(out.find("hint: did you mean 'refinery'?") != std::string::npos);
  CHECK(out.find("r.yaml:2:11: error: unknown unit 't/yer' for a mass rate") != std::string::npos);
  CHECK(out.find("fraction 1.5 is outside [0, 1]") != std::string::npos);
  CHECK(out.find("missing required key 'country' in a node") != std::string::npos);
}

TEST_CASE("distributions are read and checked", "[io][reader]") {
  Fixture f(
      "a: {dist: triangular, min: 30 days, mode: 45 days, max: 60 days}\n"
      "b: {dist: triangular, min: 50, mode: 45, max: 60}\n"
      "c: {dist: normal, mean: 10, sd: 0}\n"
      "d: {dist: discrete, values: [1, 2], weights: [1]}\n"
      "e: 12 days\n"
      "f: {dist: pert, min: 1, mode: 2, max: 9}\n");
  auto a = read_distribution(f.d, *f.tree.find("a"), "a", Dimension::Duration);
  REQUIRE(a);
  CHECK(a->mean() == Approx(45));
  CHECK_FALSE(read_distribution(f.d, *f.tree.find("b"), "b", Dimension::Duration));
  CHECK_FALSE(read_distribution(f.d, *f.tree.find("c"), "c", Dimension::Duration));
  CHECK_FALSE(read_distribution(f.d, *f.tree.find("d"), "d", Dimension::Duration));
  CHECK(read_distribution(f.d, *f.tree.find("e"), "e", Dimension::Duration)->mean() == 12);
  CHECK(read_distribution(f.d, *f.tree.find("f"), "f", Dimension::Duration)->mean() == Approx(3.0));
  std::string out = f.out();
  CHECK(out.find("triangular needs min <= mode <= max") != std::string::npos);
  CHECK(out.find("sd must be positive") != std::string::npos);
  CHECK(out.find("weights has 1 entries but values has 2") != std::string::npos);
}

TEST_CASE("times are dates or day offsets", "[io][reader]") {
  Fixture f("a: 2025-04-04\nb: 8 weeks\nc: 2025-02-30\nd: soon\n");
  CHECK(read_time(f.d, *f.tree.find("a"), "a")->is_date);
  CHECK(read_time(f.d, *f.tree.find("b"), "b")->offset == 56);
  CHECK_FALSE(read_time(f.d, *f.tree.find("c"), "c"));
  CHECK_FALSE(read_time(f.d, *f.tree.find("d"), "d"));
  CHECK(f.out().find("'2025-02-30' is not a valid calendar date") != std::string::npos);
}

TEST_CASE("a bare number above 1 for a fraction suggests a percentage", "[io][reader]") {
  Fixture f("threshold: 5\nshare: 1.5\nother: '7 %'\n");
  MapReader r(f.d, f.tree, "", "a study");
  r.opt_fraction("threshold");
  r.opt_fraction("share");
  r.opt_fraction("other");
  std::string out = f.out();
  CHECK(out.find("did you mean '5 %' (= 0.05)?") != std::string::npos);
  CHECK(out.find("'1.5 %'") == std::string::npos);  // not a whole number: no guess
  CHECK(f.d.error_count() == 2);
}

TEST_CASE("id_hint lists every id of a short list, the closest first of a long one",
          "[io][reader]") {
  std::vector<std::string> few = {"CN", "JP", "EU", "US"};
  CHECK(id_hint("EU27", few) == "did you mean 'EU'? known: CN, JP, EU, US");
  std::vector<std::string> many;
  for (int i = 0; i < 70; ++i) many.push_back("node_" + std::to_string(i));
  many.push_back("magnet_KR_nm");
  std::string h = id_hint("magnet_KR_nn", many);
  CHECK(h.rfind("did you mean 'magnet_KR_nm'? known (71, closest first): magnet_KR_nm, ", 0) == 0);
  CHECK(h.find(" and 47 more") != std::string::npos);
}
