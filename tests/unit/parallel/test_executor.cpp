#include <catch2/catch.hpp>

#include <atomic>
#include <limits>
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

TEST_CASE("contiguous blocks cover every task once, differ by at most one, any n and ranks",
          "[executor]") {
  for (std::size_t n = 0; n <= 40; ++n)
    for (int ranks = 1; ranks <= 9; ++ranks) {
      CHECK(block_first(n, ranks, 0) == 0);
      CHECK(block_first(n, ranks, ranks) == n);
      for (int r = 0; r < ranks; ++r) {
        const std::size_t size = block_first(n, ranks, r + 1) - block_first(n, ranks, r);
        CHECK(size >= n / static_cast<std::size_t>(ranks));
        CHECK(size <= n / static_cast<std::size_t>(ranks) + 1);
      }
    }
  // No overflow of r * n for huge n.
  const std::size_t big = std::numeric_limits<std::size_t>::max() / 3;
  CHECK(block_first(big, 1000, 1000) == big);
  CHECK(block_first(big, 1000, 500) == big / 2);
  CHECK(block_first(7, 2, 1) == 3);  // rank 1 of 2 runs tasks 3..6
}

TEST_CASE("text and vectors pack and unpack, and reading past the end throws", "[executor]") {
  Packed p;
  pack(p, std::string_view("CN/refinery"));
  pack(p, std::string_view(""));
  pack(p, std::string_view("\xc3\xa9\x01\xff"));
  pack(p, std::vector<double>{1.5, -2});
  Unpacker u{p};
  CHECK(u.str() == "CN/refinery");
  CHECK(u.str().empty());
  CHECK(u.str() == "\xc3\xa9\x01\xff");
  CHECK(u.vec() == std::vector<double>{1.5, -2});
  CHECK(u.at == p.size());
  CHECK_THROWS_AS(u.next(), std::out_of_range);
  Packed bad{5, 1.0};  // claims 5 values, holds 1
  Unpacker b{bad};
  CHECK_THROWS_AS(b.vec(), std::out_of_range);
}

TEST_CASE("settle rethrows this process's failure, and RemoteError carries another's",
          "[executor]") {
  ThreadExecutor ex(1);
  CHECK_NOTHROW(ex.settle(nullptr));
  CHECK_FALSE(ex.any(false));
  CHECK(ex.any(true));
  CHECK_THROWS_AS(ex.settle(std::make_exception_ptr(InputError("refused\n"))), InputError);
  RemoteError e("task 3 failed", true, 2);
  CHECK(std::string(e.what()) == "task 3 failed");
  CHECK(e.input());
  CHECK(e.origin() == 2);
  const Error& base = e;  // caught as rareshock::Error where no MPI is in sight
  CHECK(std::string(base.what()) == "task 3 failed");
}
