#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "rareshock/io/loader.hpp"

using namespace rareshock;
using namespace rareshock::io;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("rareshock-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  void write(const std::string& name, const std::string& text) const {
    fs::create_directories((path / name).parent_path());
    std::ofstream(path / name) << text;
  }
};
}  // namespace

TEST_CASE("CSV parser handles quotes, doubled quotes, CRLF and reports columns", "[io][loader]") {
  Diagnostics d;
  auto rows = parse_csv("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n2,,3\n", 0, d);
  REQUIRE_FALSE(d.has_errors());
  REQUIRE(rows.size() == 3);
  CHECK(rows[1][1].text == "x, y");
  CHECK(rows[1][2].text == "say \"hi\"");
  CHECK(rows[2][1].text.empty());
  CHECK(rows[2][2].line == 4);
  CHECK(rows[2][2].column == 4);
  Diagnostics d2;
  parse_csv("a\n\"open\n", 0, d2);
  CHECK(d2.has_errors());
}

TEST_CASE("CSV tables expand into list items with located cells", "[io][loader]") {
  TempDir tmp;
  tmp.write("m.yaml",
            "nodes:\n  - {id: inline}\n  - csv: tables/n.csv\n    defaults: {stage: mine}\n    "
            "columns: {cap: capacity}\n    where: {keep: [yes]}\n    ignore_columns: [keep]\n");
  tmp.write("tables/n.csv", "id,cap,outputs.conc,keep\nm1,100,1,yes\nm2,200,1,no\nm3,,1,yes\n");
  SourceRegistry src;
  Diagnostics d;
  Loader l(src, d);
  auto t = l.load(tmp.path / "m.yaml");
  REQUIRE(t);
  INFO(d.format(src));
  REQUIRE_FALSE(d.has_errors());
  const auto& nodes = t->find("nodes")->items;
  REQUIRE(nodes.size() == 3);
  CHECK(nodes[1].id() == "m1");
  CHECK(nodes[1].find("capacity")->scalar == "100");
  CHECK(nodes[1].find("capacity")->loc.line == 2);
  CHECK(nodes[1].find("capacity")->loc.column == 4);
  CHECK(nodes[1].find("outputs")->find("conc")->scalar == "1");
  CHECK(nodes[1].find("stage")->scalar == "mine");
  CHECK(nodes[1].find("keep") == nullptr);
  CHECK(nodes[2].id() == "m3");
  CHECK(nodes[2].find("capacity") == nullptr);  // empty cell = key absent
  CHECK(l.files_read().size() == 2);
}

TEST_CASE("CSV cells are bounded separately from YAML values (large networks load)",
          "[io][loader]") {
  // 400,001 rows x 3 columns = 1.2M cells: more than the YAML-value bound (alias bombs), far
  // below the CSV bounds, so the table loads.
  static_assert(LoaderLimits::kMaxNodes < 1'200'003);
  static_assert(LoaderLimits::kMaxCsvCells > 1'200'003);
  TempDir tmp;
  tmp.write("m.yaml", "edges:\n  - {from: a, to: b, material: x}\n  - csv: e.csv\n");
  std::string csv = "from,to,material\n";
  csv.reserve(400'001 * 16);
  for (int i = 0; i < 400'001; ++i) {
    csv += 'n';
    csv += std::to_string(i);
    csv += ",c";
    csv += std::to_string(i % 97);
    csv += ",x\n";
  }
  tmp.write("e.csv", csv);
  SourceRegistry src;
  Diagnostics d;
  Loader l(src, d);
  auto t = l.load(tmp.path / "m.yaml");
  INFO(d.format(src));
  REQUIRE(t);
  REQUIRE_FALSE(d.has_errors());
  const auto& edges = t->find("edges")->items;
  REQUIRE(edges.size() == 400'002);
  CHECK(edges.back().find("from")->scalar == "n400000");
  CHECK(edges.back().find("to")->scalar == std::string("c") + std::to_string(400'000 % 97));
}

TEST_CASE("CSV reference errors are located", "[io][loader]") {
  TempDir tmp;
  tmp.write("m.yaml", "nodes:\n  - csv: n.csv\n    where: {kep: x}\n");
  tmp.write("n.csv", "id,keep\na,x\nb\n");
  SourceRegistry src;
  Diagnostics d;
  Loader l(src, d);
  l.load(tmp.path / "m.yaml");
  std::string out = d.format(src);
  CHECK(out.find("m.yaml:3:13: error: column 'kep' is not in") != std::string::npos);
  CHECK(out.find("did you mean 'keep'?") != std::string::npos);
}

TEST_CASE("includes merge in order and the including file wins; cycles are reported",
          "[io][loader]") {
  TempDir tmp;
  tmp.write("base.yaml", "a: 1\nb: 2\nnodes: [{id: x, c: 1}]\n");
  tmp.write("top.yaml", "include: base.yaml\nb: 3\nnodes: [{id: x, c: 5}, {id: y, c: 6}]\n");
  tmp.write("loop1.yaml", "include: loop2.yaml\n");
  tmp.write("loop2.yaml", "include: loop1.yaml\n");
  SourceRegistry src;
  Diagnostics d;
  Loader l(src, d);
  auto t = l.load(tmp.path / "top.yaml");
  REQUIRE(t);
  CHECK(t->find("a")->scalar == "1");
  CHECK(t->find("b")->scalar == "3");
  CHECK(t->find("nodes")->items.size() == 2);
  CHECK(t->find("nodes")->items[0].find("c")->scalar == "5");
  CHECK(t->find("include") == nullptr);
  l.load(tmp.path / "loop1.yaml");
  CHECK(d.format(src).find("include cycle") != std::string::npos);
}

TEST_CASE("YAML syntax errors and missing files become located diagnostics", "[io][loader]") {
  SourceRegistry src;
  Diagnostics d;
  Loader l(src, d);
  CHECK_FALSE(l.parse_text("bad.yaml", "a: [1, 2\nb: 3\n"));
  CHECK(d.format(src).find("bad.yaml:") == 0);
  CHECK(d.format(src).find("YAML syntax error") != std::string::npos);
  Diagnostics d2;
  Loader l2(src, d2);
  CHECK_FALSE(l2.load("/nonexistent/dir/file.yaml"));
  CHECK(d2.format(src).find("cannot open file") != std::string::npos);
  Diagnostics d3;
  Loader l3(src, d3);
  l3.parse_text("dup.yaml", "a: 1\na: 2\n");
  CHECK(d3.format(src).find("dup.yaml:2:1: error: duplicate key 'a'") == 0);
}
