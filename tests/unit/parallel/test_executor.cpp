#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <string>

#include "rareshock/executor.hpp"

using namespace rareshock;

TEST_CASE("ThreadExecutor returns results in task order whatever the thread count", "[executor]") {
  for (int threads : {1, 2, 3}) {
    ThreadExecutor ex(threads);
    CHECK(ex.threads() == threads);
    CHECK(ex.ranks() == 1);
    CHECK(ex.writes());
    auto out = ex.map(37, [](std::size_t i) {
      Packed p;
      pack(p, static_cast<double>(i));
      pack(p, std::vector<double>(i % 4, 0.5 * static_cast<double>(i)));
      return p;
    });
    REQUIRE(out.size() == 37);
    for (std::size_t i = 0; i < out.size(); ++i) {
      Unpacker u{out[i]};
      CHECK(u.next() == static_cast<double>(i));
      auto v = u.vec();
      CHECK(v.size() == i % 4);
      for (double x : v) CHECK(x == 0.5 * static_cast<double>(i));
      CHECK(u.at == out[i].size());
    }
  }
}

TEST_CASE("ThreadExecutor runs every task once and rethrows the lowest failing task's error",
          "[executor]") {
  ThreadExecutor ex(2);
  std::atomic<int> calls{0};
  try {
    ex.map(20, [&](std::size_t i) -> Packed {
      ++calls;
      if (i == 7 || i == 13) throw std::runtime_error("task " + std::to_string(i));
      return {};
    });
    FAIL("map did not throw");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "task 7");
  }
  CHECK(calls.load() == 20);
  CHECK(ex.map(0, [](std::size_t) { return Packed{}; }).empty());
  CHECK(ex.batch() == 8);
}
