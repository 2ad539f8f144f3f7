// MpiExecutor under mpirun (ctest mpi_executor: `mpirun -n 3 --oversubscribe`): results in
// index order on every rank for any n (0, fewer tasks than ranks, uneven blocks), every task
// run once on the rank whose block holds it, the lowest failing task's error agreed on every
// rank (the owner rethrows the original, the others a RemoteError), any() and settle().
// Exit status 0 on every rank when every check passes on every rank, 1 otherwise.
#include <atomic>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "rareshock/core/error.hpp"
#include "rareshock/mpi.hpp"

using namespace rareshock;

namespace {

int failures = 0;
int g_rank = 0;

void check(bool ok, const std::string& what) {
  if (ok) return;
  ++failures;
  std::fprintf(stderr, "rank %d: FAILED: %s\n", g_rank, what.c_str());
}

// Task i returns i, the rank that ran it, then i % 4 copies of 0.5 i.
void results_in_order(MpiExecutor& ex) {
  for (std::size_t n : {0, 1, 2, 3, 4, 5, 37, 100}) {
    std::atomic<std::size_t> calls{0};
    auto out = ex.map(n, [&](std::size_t i) {
      ++calls;
      Packed p;
      pack(p, static_cast<double>(i));
      pack(p, static_cast<double>(ex.rank()));
      pack(p, std::vector<double>(i % 4, 0.5 * static_cast<double>(i)));
      return p;
    });
    const std::string at = " (n = " + std::to_string(n) + ")";
    const std::size_t lo = block_first(n, ex.ranks(), ex.rank()),
                      hi = block_first(n, ex.ranks(), ex.rank() + 1);
    check(calls.load() == hi - lo, "this rank ran its block once" + at);
    check(out.size() == n, "n results" + at);
    for (std::size_t i = 0; i < out.size(); ++i) {
      Unpacker u{out[i]};
      check(u.next() == static_cast<double>(i), "result " + std::to_string(i) + " in place" + at);
      const int ran_on = static_cast<int>(u.next());
      check(block_first(n, ex.ranks(), ran_on) <= i && i < block_first(n, ex.ranks(), ran_on + 1),
            "task " + std::to_string(i) + " ran on the rank of its block" + at);
      auto v = u.vec();
      check(v.size() == i % 4 && u.at == out[i].size(), "result size" + at);
      for (double x : v) check(x == 0.5 * static_cast<double>(i), "result values" + at);
    }
  }
}

// Tasks \p bad1 and \p bad2 throw (an InputError when \p input); every rank must learn the
// lower one's message, the rank running it as its own exception.
void lowest_failure_agreed(MpiExecutor& ex, std::size_t bad1, std::size_t bad2, bool input) {
  const std::size_t n = 37;
  int owner = 0;
  while (block_first(n, ex.ranks(), owner + 1) <= bad1) ++owner;
  const std::string want = "task " + std::to_string(bad1) + " failed";
  const std::string at = " (failing " + std::to_string(bad1) + ")";
  try {
    ex.map(n, [&](std::size_t i) -> Packed {
      if (i == bad1 || i == bad2) {
        const std::string msg = "task " + std::to_string(i) + " failed";
        if (input) throw InputError(msg);
        throw std::runtime_error(msg);
      }
      return {static_cast<double>(i)};
    });
    check(false, "map threw" + at);
  } catch (const RemoteError& e) {
    check(ex.rank() != owner, "the owner rethrows the original, not a RemoteError" + at);
    check(e.what() == want, "RemoteError message '" + std::string(e.what()) + "'" + at);
    check(e.input() == input && e.origin() == owner, "RemoteError kind and origin" + at);
  } catch (const InputError& e) {
    check(input && ex.rank() == owner, "InputError only on the owner" + at);
    check(e.what() == want, "original message" + at);
  } catch (const std::runtime_error& e) {
    check(!input && ex.rank() == owner, "runtime_error only on the owner" + at);
    check(e.what() == want, "original message" + at);
  }
  // Nothing left over: the next batch works.
  auto again = ex.map(5, [](std::size_t i) { return Packed{static_cast<double>(i)}; });
  check(again.size() == 5 && again[4] == Packed{4.0}, "map after a failure" + at);
}

void settle_and_any(MpiExecutor& ex) {
  check(ex.any(ex.rank() == ex.ranks() - 1), "any: true on the last rank only");
  check(!ex.any(false), "any: false everywhere");
  ex.settle(nullptr);  // nothing failed: returns everywhere
  std::exception_ptr mine;
  if (ex.rank() >= 1)
    mine = std::make_exception_ptr(InputError("refused on rank " + std::to_string(ex.rank())));
  try {
    ex.settle(mine);
    check(ex.ranks() == 1, "settle threw");
  } catch (const RemoteError& e) {
    check(ex.rank() != 1, "rank 1 rethrows its own");
    check(e.what() == std::string("refused on rank 1") && e.input() && e.origin() == 1,
          "settle: the lowest failing rank's message everywhere");
  } catch (const InputError& e) {
    check(ex.rank() == 1 && e.what() == std::string("refused on rank 1"),
          "settle: original on rank 1");
  }
}

}  // namespace

int main(int argc, char** argv) {
  MpiSession session(&argc, &argv);
  MpiExecutor ex(2);
  g_rank = ex.rank();
  check(ex.threads() == 2, "threads per rank");
  check(ex.writes() == (ex.rank() == 0), "rank 0 writes");
  results_in_order(ex);
  // 37 tasks over R ranks: failures owned by rank 0, by the last rank, and one per rank.
  lowest_failure_agreed(ex, 5, 30, false);
  lowest_failure_agreed(ex, 36, 36, true);
  lowest_failure_agreed(ex, block_first(37, ex.ranks(), ex.ranks() / 2), 36, true);
  settle_and_any(ex);
  int total = 0;
  MPI_Allreduce(&failures, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (ex.rank() == 0)
    std::printf("%s: %d failed checks on %d ranks\n", total == 0 ? "ok" : "FAILED", total,
                ex.ranks());
  return total == 0 ? 0 : 1;
}
