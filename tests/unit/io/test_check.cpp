#include <catch2/catch.hpp>

#include "rareshock/core/error.hpp"
#include "rareshock/io/check.hpp"

using namespace rareshock;
using namespace rareshock::io;

namespace {
// Line 1 is empty (the raw string starts with a newline): `model:` is on line 2.
const char* kModel = R"(
model: {name: t}
materials:
  - {id: ore, family: concentrate}
  - {id: mag, family: magnet, elements: {Nd: 0.3}}
countries: [{id: CN}, {id: US}]
nodes:
  - {id: mine, stage: mine, country: CN, capacity: 100 t/yr, outputs: {ore: 1}}
  - {id: maker, stage: magnet, country: CN, capacity: 80 t/yr, inputs: {ore: 1}, outputs: {mag: 1}}
consumers:
  - {id: ev_us, sector: ev, region: US, demand: {mag: 30 t/yr}}
edges:
  - {from: mine, to: maker, material: ore, share: 1}
  - {from: maker, to: ev_us, material: mag, share: 1}
)";

std::string with(const std::string& from, const std::string& to) {
  std::string s = kModel;
  s.replace(s.find(from), from.size(), to);
  return s;
}
}  // namespace

TEST_CASE("check_text gives the loaded input and no diagnostics for a valid one", "[io][check]") {
  CheckResult r = check_text("m.yaml", kModel);
  REQUIRE(r.ok());
  CHECK(r.loaded->kind == FileKind::Model);
  CHECK(r.loaded->model->nodes.size() == 3);
  CHECK(r.errors == 0);
  CHECK(r.diagnostics.empty());
  CHECK(r.report.empty());
}

TEST_CASE("check_text locates each error as load_text reports it", "[io][check]") {
  // `capacty` on line 8 (a required key missing, an unknown key) and a share that is not a
  // number on line 13: three errors, in line and column order.
  std::string bad = with("capacity: 100 t/yr", "capacty: 100 t/yr");
  bad.replace(bad.find("material: ore, share: 1"), 23, "material: ore, share: lots");
  CheckResult r = check_text("m.yaml", bad);
  CHECK_FALSE(r.ok());
  REQUIRE(r.diagnostics.size() == 3);
  CHECK(r.errors == 3);
  const CheckedDiagnostic& missing = r.diagnostics[0];
  CHECK(missing.line == 8);
  CHECK(missing.column == 5);  // the node's mapping
  CHECK(missing.path == "nodes[mine]");
  CHECK_FALSE(missing.expected.empty());
  const CheckedDiagnostic& a = r.diagnostics[1];
  CHECK(a.severity == Severity::Error);
  CHECK(a.file == "m.yaml");
  CHECK(a.line == 8);
  // `  - {id: mine, stage: mine, country: CN, capacty: ...`: the key starts at column 42.
  CHECK(a.column == 42);
  CHECK(a.source_line ==
        "  - {id: mine, stage: mine, country: CN, capacty: 100 t/yr, outputs: {ore: 1}}");
  CHECK(a.hint.rfind("did you mean 'capacity'?", 0) == 0);
  CHECK(a.path == "nodes[mine].capacty");
  CHECK(a.message == "unknown key 'capacty' in a node");
  CHECK(a.text.rfind("m.yaml:8:42: error: unknown key", 0) == 0);
  const CheckedDiagnostic& b = r.diagnostics[2];
  CHECK(b.line == 13);
  CHECK(b.column == 51);
  CHECK(b.path == "edges[mine->maker:ore].share");  // an edge by its id, as --set takes it
  CHECK(b.message.find("'lots' is not a number") != std::string::npos);
  // The report is InputError's message, word for word.
  std::string thrown;
  try {
    load_text("m.yaml", bad);
  } catch (const InputError& e) {
    thrown = e.what();
  }
  CHECK(r.report == thrown);
}

TEST_CASE("check_text names a --set override as its file", "[io][check]") {
  LoadOptions o;
  o.overrides = {"nodes[mine].capacty=5 t/yr"};
  CheckResult r = check_text("m.yaml", kModel, o);
  CHECK_FALSE(r.ok());
  REQUIRE_FALSE(r.diagnostics.empty());
  CHECK(r.diagnostics[0].file == "<--set 1>");
}

TEST_CASE("check_file reports a missing file as a diagnostic", "[io][check]") {
  CheckResult r = check_file("no/such/file.yaml");
  CHECK_FALSE(r.ok());
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.errors == 1);
  CHECK(r.diagnostics[0].text.find("file.yaml") != std::string::npos);
}
