#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "rareshock/core/error.hpp"
#include "rareshock/io/load.hpp"
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

// Found by tests/fuzz/fuzz_csv: a lone CR ended a row and counted as a line, so cells after it
// were located at lines the file does not have (diagnostics count lines by LF).
TEST_CASE("CSV parser: a lone CR is cell text, not a line end", "[io][loader]") {
  Diagnostics d;
  auto rows = parse_csv("a,b\r\nx\ry,z\n\"q\"\r,w\rv\n", 0, d);
  REQUIRE(rows.size() == 3);
  CHECK(rows[1][0].text == "x\ry");
  CHECK(rows[1][1].line == 2);
  CHECK(rows[1][1].column == 5);
  REQUIRE(rows[2].size() == 2);
  CHECK(rows[2][0].line == 3);
  CHECK(rows[2][1].text == "w\rv");
  CHECK(rows[2][1].line == 3);
  CHECK(d.has_errors());  // text after the closing quote ("\r") is reported, on line 3
  Diagnostics d2;
  auto last = parse_csv("a\r", 0, d2);  // a CR at the end of the text still ends the line
  REQUIRE(last.size() == 1);
  CHECK(last[0][0].text == "a");
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

TEST_CASE("includes merge in order and the including file wins, cycles are reported",
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

namespace {
// Parses \p text; returns the diagnostics' text (empty when it parsed).
std::string parse_errors(const std::string& text, std::optional<TreeNode>* out = nullptr) {
  SourceRegistry src;
  Diagnostics d;
  Loader l(src, d);
  auto t = l.parse_text("t.yaml", text);
  if (out) *out = t;
  if (!d.has_errors()) CHECK(t.has_value());
  return d.has_errors() ? d.format(src, false) : std::string();
}
}  // namespace

TEST_CASE("a stray ',' is a syntax error, not an endless loop (yaml-cpp 1040)", "[io][loader]") {
  // Each of these looped for ever in yaml-cpp 0.7's LoadAll, allocating as it went.
  CHECK(parse_errors(",").find("t.yaml:1:1: error: YAML syntax error: unexpected ','") == 0);
  CHECK(parse_errors("&a ,").find("t.yaml:1:4: error: YAML syntax error: unexpected ','") == 0);
  CHECK(parse_errors("- a\n,\n").find("t.yaml:2:1: error: YAML syntax error") == 0);
  CHECK(parse_errors("\"x\" ,").find("unexpected ','") != std::string::npos);
  // Still one document per file; empty files and explicit nulls are fine.
  CHECK(parse_errors("a: 1\n---\nb: 2\n").find("holds 2 YAML documents") != std::string::npos);
  std::optional<TreeNode> t;
  CHECK(parse_errors("", &t).empty());
  CHECK(t->is_null());
  CHECK(parse_errors("~", &t).empty());
  CHECK(parse_errors("a: [1, {b: \"q\"}]\n", &t).empty());
  CHECK(t->find("a")->items[1].find("b")->quoted);
}

TEST_CASE("aliases are expanded within a bound and never into themselves", "[io][loader]") {
  std::optional<TreeNode> t;
  CHECK(parse_errors("a: &x [1, 2]\nb: *x\n", &t).empty());
  CHECK(t->find("b")->items.size() == 2);
  // 10^6 nodes from 7 lines: refused before anything is copied.
  std::string bomb = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 7; ++i) {
    const std::string n = std::to_string(i), prev = std::to_string(i - 1);
    bomb.append("l").append(n).append(": &l").append(n).append(" [*l").append(prev);
    for (int k = 1; k < 10; ++k) bomb.append(", *l").append(prev);
    bomb.append("]\n");
  }
  CHECK(parse_errors(bomb).find("expands to more than 1000000 YAML values") != std::string::npos);
  CHECK(parse_errors("a: &n [1, *n]\n").find("an alias refers to a node that contains it") !=
        std::string::npos);
}

TEST_CASE("input text must be UTF-8 without control characters", "[io][loader]") {
  int line = 0, column = 0;
  CHECK(check_text("a: caf\xc3\xa9\n\tb: \xe2\x82\xac\r\n", line, column).empty());
  CHECK(check_text("a: 1\nb: caf\xe9\n", line, column) ==
        "byte 0xE9 is not valid UTF-8 (save the file as UTF-8)");
  CHECK(line == 2);
  CHECK(column == 7);
  CHECK_FALSE(check_text("\xc0\xaf", line, column).empty());      // overlong '/'
  CHECK_FALSE(check_text("\xed\xa0\x80", line, column).empty());  // a surrogate
  CHECK_FALSE(check_text("x\x1b[31m", line, column).empty());     // ESC
  CHECK_FALSE(check_text("x\xc2\x9b"
                         "31m",
                         line, column)
                  .empty());  // C1 CSI
  CHECK(column == 2);
  // From an escape in a double-quoted scalar.
  CHECK(parse_errors("name: \"a\\e[2Jb\"\n").find("control character 0x1B") != std::string::npos);
}

TEST_CASE("includes are bounded in depth and count, only regular files are read", "[io][loader]") {
  TempDir dir;
  // A chain 20 deep.
  for (int i = 0; i < 20; ++i) {
    std::string name = "c", text = "include: c";
    name.append(std::to_string(i)).append(".yaml");
    text.append(std::to_string(i + 1)).append(".yaml\nk").append(std::to_string(i)).append(": 1\n");
    dir.write(name, text);
  }
  dir.write("c20.yaml", "end: 1\n");
  {
    SourceRegistry src;
    Diagnostics d;
    Loader l(src, d);
    l.load(dir.path / "c0.yaml");
    CHECK(d.error_count() == 1);
    CHECK(d.format(src).find("includes nested more than 16 deep") != std::string::npos);
  }
  // 4 files, each including the next 8 times: 8 + 64 + 512 loads.
  for (int i = 0; i < 3; ++i) {
    std::string name = "f", inc = "include: [f";
    name.append(std::to_string(i)).append(".yaml");
    inc.append(std::to_string(i + 1)).append(".yaml");
    for (int k = 1; k < 8; ++k) inc.append(", f").append(std::to_string(i + 1)).append(".yaml");
    dir.write(name, inc.append("]\n"));
  }
  dir.write("f3.yaml", "leaf: 1\n");
  {
    SourceRegistry src;
    Diagnostics d;
    Loader l(src, d);
    l.load(dir.path / "f0.yaml");
    CHECK(d.error_count() == 1);
    CHECK(d.format(src).find("more than 256 files included") != std::string::npos);
  }
  {
    SourceRegistry src;
    Diagnostics d;
    Loader l(src, d);
    dir.write("dev.yaml", "include: /dev/zero\n");
    l.load(dir.path / "dev.yaml");
    // Not named as YAML: refused before it is opened (loads through io::load also refuse it
    // as outside the input tree).
    CHECK(d.format(src).find("not named as a YAML file") != std::string::npos);
  }
  {
    SourceRegistry src;
    Diagnostics d;
    Loader l(src, d);
    REQUIRE(::mkfifo((dir.path / "pipe.yaml").c_str(), 0600) == 0);
    dir.write("fifo.yaml", "include: pipe.yaml\n");
    l.load(dir.path / "fifo.yaml");  // a FIFO would block for ever if it were opened
    CHECK(d.format(src).find("not a regular file") != std::string::npos);
  }
  {
    SourceRegistry src;
    Diagnostics d;
    Loader l(src, d);
    // A file just over the limit (sparse, so it costs no disk).
    fs::path big = dir.path / "big.yaml";
    { std::ofstream(big) << "a: 1\n"; }
    fs::resize_file(big, LoaderLimits::kMaxFileBytes + 1);
    CHECK_FALSE(l.load(big).has_value());
    CHECK(d.format(src).find("the limit is " + std::to_string(LoaderLimits::kMaxFileBytes >> 20) +
                             " MiB per file") != std::string::npos);
  }
}

TEST_CASE("referenced files stay inside the input tree unless allowed", "[io][loader][limits]") {
  TempDir tmp;
  // proj/studies/s.yaml includes ../common/base.yaml (like models/studies/ -> ../world-2024.yaml).
  tmp.write("proj/common/base.yaml", "study: {name: base}\n");
  tmp.write("proj/common/t.csv", "id\nx\n");
  tmp.write("outside/o.yaml", "scenario: {id: outside}\nevents: []\n");
  tmp.write("proj/studies/up.yaml", "include: ../common/base.yaml\n");
  tmp.write("proj/studies/csv.yaml", "materials:\n  - csv: ../common/t.csv\n");
  tmp.write("proj/studies/abs.yaml", "include: " + (tmp.path / "outside/o.yaml").string() + "\n");
  tmp.write("proj/studies/same.yaml", "include: sub/../here.yaml\n");
  tmp.write("proj/studies/here.yaml", "study: {name: here}\n");
  const fs::path studies = tmp.path / "proj/studies";
  auto load = [&](const std::string& name, const fs::path& root) {
    SourceRegistry src;
    Diagnostics d;
    Loader l(src, d);
    l.confine_to(root, studies / name);
    auto t = l.load(studies / name);
    return std::pair{t.has_value() && !d.has_errors(), d.format(src)};
  };
  // No marker: the tree is the top-level file's directory.
  const fs::path canon = fs::canonical(tmp.path);
  CHECK(input_root(studies) == canon / "proj/studies");
  for (const char* f : {"up.yaml", "csv.yaml", "abs.yaml"}) {
    auto [ok, text] = load(f, input_root(studies));
    INFO(f << "\n" << text);
    CHECK_FALSE(ok);
    CHECK_THAT(text, Catch::Contains("is outside the input tree"));
    CHECK_THAT(text, Catch::Contains("--allow-outside-includes"));
  }
  CHECK(load("same.yaml", input_root(studies)).first);  // `..` that stays inside is fine
  // A marker above the study widens the tree to the project: ../common is inside.
  tmp.write("proj/.rareshock-root", "");
  CHECK(input_root(studies) == canon / "proj");
  CHECK(load("up.yaml", input_root(studies)).first);
  CHECK(load("csv.yaml", input_root(studies)).first);
  CHECK_FALSE(load("abs.yaml", input_root(studies)).first);
  // Not confined (--allow-outside-includes): read.
  CHECK(load("abs.yaml", {}).first);
  // A symbolic link inside the tree to a file outside it is outside.
  fs::create_symlink(tmp.path / "outside/o.yaml", studies / "link.yaml");
  tmp.write("proj/studies/via-link.yaml", "include: link.yaml\n");
  auto [ok, text] = load("via-link.yaml", input_root(studies));
  CHECK_FALSE(ok);
  CHECK_THAT(text, Catch::Contains("'" + (studies / "link.yaml").string() +
                                   "' is outside the input tree"));

  // Through load_file: the same rule; LoadOptions::allow_outside_includes lifts it.
  tmp.write("solo/s.yaml", "include: ../outside/o.yaml\n");
  CHECK_THROWS_WITH(load_file(tmp.path / "solo/s.yaml"),
                    Catch::Contains("is outside the input tree"));
  LoadOptions allow;
  allow.allow_outside_includes = true;
  CHECK(load_file(tmp.path / "solo/s.yaml", allow).scenario->id == "outside");
}

TEST_CASE("a file that is not YAML or CSV input is never read, so never quoted",
          "[io][loader][limits]") {
  TempDir tmp;
  // A fake /etc/shadow: a mistyped include or csv must not print any of its lines or keys.
  const std::string secret =
      "root:$6$saltsalt$HASHHASH:19000:0:99999:7:::\n"
      "daemon:*:19000:0:99999:7:::\nsecret-line-3:x\n";
  tmp.write("etc/shadow", secret);
  tmp.write("study/inc.yaml", "include: shadow\n");
  tmp.write("study/shadow", secret);
  tmp.write("study/tab.yaml", "materials:\n  - csv: shadow\n");
  tmp.write("study/abs.yaml", "include: " + (tmp.path / "etc/shadow").string() + "\n");
  for (const char* f : {"inc.yaml", "tab.yaml", "abs.yaml"})
    for (bool allow : {false, true}) {
      LoadOptions opt;
      opt.allow_outside_includes = allow;
      std::string text;
      try {
        load_file(tmp.path / "study" / f, opt);
      } catch (const InputError& e) {
        text = e.what();
      }
      INFO(f << " allow=" << allow << "\n" << text);
      CHECK_THAT(text, Catch::Contains("is not named as a") ||
                           Catch::Contains("is outside the input tree"));
      for (const char* part : {"root:", "$6$", "daemon", "secret-line", "99999"})
        CHECK_THAT(text, !Catch::Contains(part));
    }
  // Named on the command line: the same rule, nothing quoted.
  std::string text;
  try {
    load_file(tmp.path / "study/shadow");
  } catch (const InputError& e) {
    text = e.what();
  }
  CHECK_THAT(text, Catch::Contains("is not named as a YAML file"));
  CHECK_THAT(text, !Catch::Contains("root:"));
  // Upper-case extensions are input too.
  tmp.write("study/UP.YML", "scenario: {id: up}\nevents: []\n");
  CHECK(load_file(tmp.path / "study/UP.YML").scenario->id == "up");
}

namespace {
// The first diagnostic of parsing \p text (header line and hint).
std::string syntax_message(const std::string& text) {
  SourceRegistry src;
  Diagnostics d;
  Loader l(src, d);
  CHECK_FALSE(l.parse_text("s.yaml", text));
  return d.format(src, false);
}
}  // namespace

TEST_CASE("YAML syntax errors name the likely mistake", "[io][loader]") {
  std::string m = syntax_message("a: 1\nhorizon:3 years\nb: 2\n");
  CHECK(m.find("s.yaml:2:9: error: YAML syntax error: no space after the ':' of 'horizon'") !=
        std::string::npos);
  CHECK(m.find("write 'horizon: 3 years'") != std::string::npos);
  m = syntax_message("a:\n  b: x\n\tc: 2\n");
  CHECK(m.find("s.yaml:3:1: error: YAML syntax error: a tab in the indentation") !=
        std::string::npos);
  m = syntax_message("a:\n  b: Scenario: ban\n");
  CHECK(m.find("a second ': ' on this line") != std::string::npos);
  m = syntax_message("a:\n    b: 1\n  c: 2\n");
  CHECK(m.find("s.yaml:3:3: error: YAML syntax error: this line is indented 2 spaces, which "
               "matches no mapping") != std::string::npos);
  m = syntax_message("a:\n  b: x\n    c: 2\n");
  CHECK(m.find("indented more (4 spaces) than the line above (2)") != std::string::npos);
  m = syntax_message("l:\n  - id: a\n    x: {y: 1}\n   - id: b\n");
  CHECK(m.find("s.yaml:4:4: error: YAML syntax error: this list item is indented 3 spaces but "
               "the item above it (line 2) is indented 2") != std::string::npos);
  m = syntax_message("a:\n  - {id: x, e: {n: 1}\nb: 2\n");
  CHECK(m.find("s.yaml:2:5: error: YAML syntax error: this '{' is never closed") !=
        std::string::npos);
}
