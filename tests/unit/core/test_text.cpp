#include <catch2/catch.hpp>

#include "rareshock/core/text.hpp"

using namespace rareshock;

TEST_CASE("edit distance counts insertions, deletions, substitutions and swaps", "[core][text]") {
  CHECK(edit_distance("capacity", "capacity") == 0);
  CHECK(edit_distance("capacty", "capacity") == 1);
  CHECK(edit_distance("capcaity", "capacity") == 1);  // transposition
  CHECK(edit_distance("Stage", "stage") == 0);        // case-insensitive
  CHECK(edit_distance("", "abc") == 3);
}

TEST_CASE("did_you_mean suggests only close candidates", "[core][text]") {
  std::vector<std::string> keys = {"capacity", "country", "stage", "recipes"};
  CHECK(did_you_mean("capacty", keys) == "did you mean 'capacity'?");
  CHECK(did_you_mean("contry", keys) == "did you mean 'country'?");
  CHECK(did_you_mean("zzzzzz", keys).empty());
  CHECK(closest("recipe", keys).at(0) == "recipes");
  // Two letters followed by digits or punctuation: 'EU27' and 'EU-27' for the group 'EU'.
  std::vector<std::string> places = {"CN", "EU", "US", "JP"};
  CHECK(did_you_mean("EU27", places) == "did you mean 'EU'?");
  CHECK(did_you_mean("eu-27", places) == "did you mean 'EU'?");
  CHECK(did_you_mean("EUROPE", places).empty());  // letters follow: not taken for EU
}

TEST_CASE("join truncates long lists, format_number round-trips", "[core][text]") {
  CHECK(join({"a", "b", "c"}) == "a, b, c");
  CHECK(join({"a", "b", "c"}, ", ", 2) == "a, b, ... (1 more)");
  CHECK(format_number(0.1) == "0.1");
  CHECK(format_number(40000) == "40000");
  CHECK(std::stod(format_number(1.0 / 3)) == 1.0 / 3);
  CHECK(trim("  x y \n") == "x y");
}
