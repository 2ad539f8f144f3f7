#include <catch2/catch.hpp>

#include "rareshock/model/model.hpp"
#include "rareshock/model/scenario.hpp"
#include "rareshock/model/study.hpp"

using namespace rareshock;

TEST_CASE("enums print their YAML names", "[model]") {
  CHECK(std::string(to_string(Stage::Refinery)) == "refinery");
  CHECK(stage_names().size() == 8);
  CHECK(std::string(to_string(Rationing::Contract)) == "contract");
  CHECK(std::string(to_string(EventType::StockpileRelease)) == "stockpile_release");
  CHECK(event_type_names().size() == 9);
  CHECK(is_mitigation(EventType::Substitution));
  CHECK_FALSE(is_mitigation(EventType::ExportRestriction));
}

TEST_CASE("model lookups and country groups", "[model]") {
  Model m;
  m.countries = {{"CN", "China", {}}, {"DE", "Germany", {}}, {"FR", "France", {}}};
  CountryGroup eu;
  eu.id = "EU";
  eu.members = {Ref{"DE", {}}, Ref{"FR", {}}};
  CountryGroup nc;
  nc.id = "non_china";
  nc.complement = true;
  nc.all_except = {Ref{"CN", {}}};
  m.groups = {eu, nc};
  CHECK(m.countries_of("CN") == std::vector<std::string>{"CN"});
  CHECK(m.countries_of("EU") == std::vector<std::string>{"DE", "FR"});
  CHECK(m.countries_of("non_china") == std::vector<std::string>{"DE", "FR"});
  CHECK(m.countries_of("XX").empty());
  Ref a{"x", {1, 2, 3}}, b{"x", {4, 5, 6}};
  CHECK(a == b);  // locations never make two definitions differ
  TimeRef t;
  t.is_date = false;
  t.offset = 12;
  CHECK(t.day(make_date(2025, 1, 1)) == 12);
}

TEST_CASE("provenance: one interned pointer, null when empty, equal by text", "[model]") {
  const Provenance none;
  CHECK(none.empty());
  CHECK(none.source().empty());
  CHECK(none.confidence().empty());
  CHECK(none.note().empty());
  CHECK(Provenance("", "", "").empty());  // all three empty: no text allocated
  CHECK(Provenance("", "", "") == none);
  const Provenance p("USGS 2024", "H", "table 3");
  CHECK_FALSE(p.empty());
  CHECK(p.source() == "USGS 2024");
  CHECK(p.confidence() == "H");
  CHECK(p.note() == "table 3");
  const Provenance copy = p;
  CHECK(copy.shares(p));  // a copy shares the text
  const Provenance twin("USGS 2024", "H", "table 3");
  CHECK(twin.shares(p));  // equal texts are interned once, wherever they were made
  CHECK(twin == p);
  CHECK_FALSE(Provenance("USGS 2024", "M", "table 3") == p);
  CHECK_FALSE(Provenance("USGS 2024", "M", "table 3").shares(p));
  // The three fields are kept apart: moving text between them makes another provenance.
  CHECK_FALSE(Provenance("USGS 2024H", "", "table 3") == p);
  CHECK_FALSE(Provenance("", "", "x") == none);
  CHECK(sizeof(Provenance) == sizeof(void*));
}

TEST_CASE("item origin: a node's and an edge's key path, built when asked", "[model]") {
  Node n;
  n.id = "cn_mine";
  n.origin = ItemOrigin{SourceLoc{0, 12, 5}, "model.nodes", 3};
  CHECK(n.path() == "model.nodes[cn_mine]");
  n.id = Symbol();  // no key: the position, as io::item_path writes it
  CHECK(n.path() == "model.nodes[3]");
  Edge e;
  e.from.id = "a";
  e.to.id = "b";
  e.material.id = "x";
  e.origin = ItemOrigin{{}, "edges", 7};
  CHECK(e.path() == "edges[a->b:x]");
  e.material.id = Symbol();
  CHECK(e.path() == "edges[7]");
  // Locations and paths do not make records differ (a round trip moves them).
  Edge moved = e;
  moved.origin = ItemOrigin{SourceLoc{1, 2, 3}, "model.edges", 0};
  CHECK(moved == e);
  CHECK(sizeof(ItemOrigin) < sizeof(Origin));
}
