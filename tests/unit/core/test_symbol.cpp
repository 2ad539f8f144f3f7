#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "rareshock/core/diagnostics.hpp"
#include "rareshock/core/symbol.hpp"

using rareshock::SourceLoc;
using rareshock::Symbol;

TEST_CASE("symbol: 8 bytes, interned, reads like a const std::string", "[core]") {
  static_assert(sizeof(Symbol) == sizeof(void*));
  const Symbol empty;
  CHECK(empty.empty());
  CHECK(empty == "");
  CHECK(empty == Symbol(std::string()));

  const std::string text = "cn_mine";
  const Symbol a(text), b("cn_mine"), c(std::string_view("cn_mine_2").substr(0, 7));
  // One copy of the text: equal symbols share it.
  CHECK(&a.str() == &b.str());
  CHECK(&a.str() == &c.str());
  CHECK(a == b);
  CHECK(a == text);
  CHECK(a == std::string_view("cn_mine"));
  CHECK_FALSE(a == Symbol("cn_min"));
  CHECK(a.size() == 7);
  CHECK(std::string_view(a).substr(3) == "mine");
  CHECK(a.str().starts_with("cn_"));
  CHECK(a.str().find('_') == 2);
  CHECK(std::string(a.begin(), a.end()) == text);

  // Converts to the string types functions take.
  const std::string& ref = a;
  CHECK(ref == text);
  const std::string_view view = a;
  CHECK(view == text);
  CHECK(a + "->" + b == "cn_mine->cn_mine");
  CHECK(std::string("x:") + a == "x:cn_mine");
  std::ostringstream os;
  os << a;
  CHECK(os.str() == text);
}

TEST_CASE("symbol: orders and hashes by text, not by address", "[core]") {
  // Made in an order unlike the alphabet's, so address order would differ from text order.
  const std::vector<std::string> texts = {"zeta", "alpha", "mu", "beta"};
  std::vector<Symbol> syms(texts.begin(), texts.end());
  std::set<Symbol> ordered(syms.begin(), syms.end());
  std::vector<std::string> got;
  for (Symbol s : ordered) got.push_back(s);
  CHECK(got == std::vector<std::string>{"alpha", "beta", "mu", "zeta"});
  CHECK(Symbol("a") < Symbol("b"));
  CHECK(std::hash<Symbol>{}(Symbol("mu")) == std::hash<std::string_view>{}("mu"));
  std::unordered_set<Symbol> set(syms.begin(), syms.end());
  CHECK(set.count(Symbol("mu")) == 1);
  // Keys of maps keyed by std::string are found by a Symbol.
  std::map<std::string, int> m{{"mu", 3}};
  CHECK(m.at(Symbol("mu")) == 3);
}

TEST_CASE("symbol: interning from several threads gives one copy per text", "[core]") {
  std::vector<const std::string*> seen(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t, &seen] {
      for (int i = 0; i < 2000; ++i) (void)Symbol("thread-text-" + std::to_string(i));
      seen[t] = &Symbol("thread-text-1999").str();
    });
  for (auto& th : threads) th.join();
  for (int t = 1; t < 4; ++t) CHECK(seen[t] == seen[0]);
  CHECK(Symbol::interned() >= 2000);
}

TEST_CASE("source location: 8 bytes holding the whole range it documents", "[core]") {
  static_assert(sizeof(SourceLoc) == 8);
  SourceLoc none;
  CHECK(none.file == -1);
  CHECK(none.line == 0);
  CHECK(none.column == 0);
  const SourceLoc far{16382, 2147483647, 65535};
  CHECK(far.file == 16382);
  CHECK(far.line == 2147483647);
  CHECK(far.column == 65535);
  CHECK(far == SourceLoc{16382, 2147483647, 65535});
  CHECK_FALSE(far == SourceLoc{16382, 2147483647, 65534});
  // Beyond the range: clamped, never wrapped to a negative or a small column.
  const SourceLoc wide{2, 7, 70000};
  CHECK(wide.column == 65535);
  CHECK(wide.line == 7);
  CHECK(SourceLoc{2, 4000000000LL, 1}.line == 2147483647);
  CHECK(SourceLoc{2, -5, -5}.line == 0);
  CHECK(SourceLoc{2, -5, -5}.column == 0);
}

TEST_CASE("source registry: refuses more files than a location can name", "[core]") {
  rareshock::SourceRegistry reg;
  for (std::size_t i = 0; i < rareshock::SourceRegistry::kMaxFiles; ++i) reg.add("f", "");
  CHECK(reg.size() == rareshock::SourceRegistry::kMaxFiles);
  CHECK_THROWS_WITH(reg.add("one-too-many", ""), Catch::Contains("too many input files"));
}
