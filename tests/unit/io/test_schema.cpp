#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "rareshock/io/load.hpp"
#include "rareshock/io/schema.hpp"

using namespace rareshock;
using namespace rareshock::io;

TEST_CASE("schema: the dimension of a key path depends on its context", "[schema]") {
  using schema::dimension_of_path;
  // `from` is a mass rate in a capacity expansion, a time in an approval step and a node id
  // (not a number) in an edge or an edge selection.
  CHECK(dimension_of_path("mitigations[m].events[x].from") == Dimension::MassRate);
  CHECK(dimension_of_path("scenarios[s].events[0].licence.approval[1].from") == Dimension::Count);
  CHECK(dimension_of_path("scenarios[s].events[0].licence.approval[1].fraction") ==
        Dimension::Fraction);
  CHECK(dimension_of_path("model.edges[3].from") == Dimension::Count);
  CHECK(dimension_of_path("scenarios[s].events[0].edges.from") == Dimension::Count);
  // `lag` of a substitution and of a trigger; `delay` of a resubmission.
  CHECK(dimension_of_path("mitigations[m].events[sub].lag") == Dimension::Duration);
  CHECK(dimension_of_path("mitigations[m].events[sub].trigger.lag") == Dimension::Duration);
  CHECK(dimension_of_path("scenarios[s].events[e].licence.resubmission.delay") ==
        Dimension::Duration);
  // Model keys under `model`, and in a model file.
  CHECK(dimension_of_path("model.nodes[cn_mine].capacity") == Dimension::MassRate);
  CHECK(dimension_of_path("nodes[cn_mine].capacity", schema::FileKind::Model) ==
        Dimension::MassRate);
  CHECK(dimension_of_path("nodes[cn_mine].capacity") == Dimension::Count);  // not a study key
  CHECK(dimension_of_path("model.materials[*].price") == Dimension::Price);
  CHECK(dimension_of_path("model.consumers[*].units_per_tonne") == Dimension::PerMass);
  CHECK(dimension_of_path("model.consumers[*].value_per_unit") == Dimension::Money);
  CHECK(dimension_of_path("model.consumers[ev].inventory[0].initial") == Dimension::Duration);
  // Free keys of a mapping value take its dimension; recipe coefficients are plain numbers.
  CHECK(dimension_of_path("model.consumers[ev_eu].demand.ndfeb_sh") == Dimension::MassRate);
  CHECK(dimension_of_path("model.materials[m].elements.Dy") == Dimension::Fraction);
  CHECK(dimension_of_path("model.nodes[n].recipes[0].inputs.ore") == Dimension::Count);
  CHECK(dimension_of_path("engine.qualification.ndfeb") == Dimension::Duration);
  CHECK(dimension_of_path("scenarios[s].events[e].materials.elements_above.Dy") ==
        Dimension::Fraction);
  CHECK(dimension_of_path("scenarios[s].events[e].materials.elements_sum_above.above") ==
        Dimension::Fraction);
  // Distribution parameters take the value's dimension.
  CHECK(dimension_of_path("scenarios[s].events[e].licence.review_delay.max") ==
        Dimension::Duration);
  CHECK(dimension_of_path("model.nodes[*].capacity.mean") == Dimension::MassRate);
  // Study keys; plain numbers; unknown keys.
  CHECK(dimension_of_path("shortage_threshold") == Dimension::Fraction);
  CHECK(dimension_of_path("engine.switching_lag") == Dimension::Duration);
  CHECK(dimension_of_path("engine.licence_volume_cap") == Dimension::Count);
  CHECK(dimension_of_path("scenarios[s].events[e].factor") == Dimension::Count);
  CHECK(dimension_of_path("model.nodes[n].no_such_key") == Dimension::Count);
}

TEST_CASE("schema: canonical units of engine keys", "[schema]") {
  CHECK(canonical_unit_of_key("switching_lag") == canonical_unit(Dimension::Duration));
  CHECK(canonical_unit_of_key("qualification") == canonical_unit(Dimension::Duration));
  CHECK(canonical_unit_of_key("licence_volume_cap") == canonical_unit(Dimension::Count));
  CHECK(canonical_unit_of_key("horizon") == canonical_unit(Dimension::Duration));
}

TEST_CASE("schema: tables are well formed", "[schema]") {
  std::set<std::string> ids;
  for (const auto& t : schema::tables()) {
    INFO(t.id);
    CHECK(ids.insert(std::string(t.id)).second);
    for (const auto& k : t.keys) {
      INFO(k.names);
      CHECK(!k.names.empty());
      // A key with a unit column is a quantity of that unit (or a plain number).
      if (!k.unit.empty() && k.dim && *k.dim != Dimension::Count &&
          k.unit != "t per unit of activity")
        CHECK(std::string(k.unit) ==
              (*k.dim == Dimension::Fraction ? std::string("1") : canonical_unit(*k.dim)));
    }
  }
  const auto* nodes = schema::find_table("nodes");
  REQUIRE(nodes);
  CHECK(schema::markdown(*nodes).rfind(
            "| Key | Type | Unit | Default | Meaning |\n|---|---|---|---|---|\n| `id` | identifier "
            "| | *required* |",
            0) == 0);
}
