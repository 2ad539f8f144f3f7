#include <catch2/catch.hpp>

#include "rareshock/core/diagnostics.hpp"
#include "rareshock/core/error.hpp"

using namespace rareshock;

TEST_CASE("diagnostics print file:line:column, the line, a caret, expected and hint",
          "[core][diagnostics]") {
  SourceRegistry src;
  int f = src.add("models/world.yaml", "nodes:\n  - id: a\n    capacty: 10\n");
  Diagnostics d;
  d.error({f, 3, 5}, "nodes[a].capacty", "unknown key 'capacty' in a node", {},
          "did you mean 'capacity'?");
  CHECK(d.format(src) ==
        "models/world.yaml:3:5: error: unknown key 'capacty' in a node (at nodes[a].capacty)\n"
        "   2 |   - id: a\n"
        ">  3 |     capacty: 10\n"
        "     |     ^\n"
        "  hint: did you mean 'capacity'?\n"
        "1 error, 0 warnings\n");
  CHECK_THROWS_AS(d.throw_if_errors(src), InputError);
}

TEST_CASE("diagnostics are sorted by position and capped", "[core][diagnostics]") {
  SourceRegistry src;
  int f = src.add("a.yaml", "x\ny\nz\n");
  Diagnostics d(2);
  d.error({f, 3, 1}, "", "third");
  d.error({f, 1, 1}, "", "first");
  d.error({f, 2, 1}, "", "second");
  d.warning({f, 2, 1}, "", "a warning");
  CHECK(d.error_count() == 3);
  CHECK(d.full());
  std::string out = d.format(src);
  CHECK(out.find("first") < out.find("third"));
  CHECK(out.find("second") == std::string::npos);  // over the cap
  CHECK(out.find("3 errors, 1 warning (1 errors not shown; stopped after 2)") != std::string::npos);
}

TEST_CASE("source registry returns lines without newlines", "[core][diagnostics]") {
  SourceRegistry src;
  int f = src.add("b.csv", "a,b\r\n1,2\r\n");
  CHECK(src.line(f, 1) == "a,b");
  CHECK(src.line(f, 2) == "1,2");
  CHECK(src.line(f, 9).empty());
}
