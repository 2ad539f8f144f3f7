#pragma once
// Where the independent tasks of an ensemble run: Monte Carlo draws, tornado and Sobol
// points, criticality outages. An analysis hands an Executor a batch of n tasks; each task
// returns its result packed as doubles; the executor returns all n results in task order.
// The caller reduces them in that order, so a result never depends on which thread or
// process ran which task.
//
//   ThreadExecutor  threads of this process (oneTBB arena); the default.
//   MpiExecutor     ranks of an MPI job, threads inside each (include/rareshock/mpi.hpp,
//                   built when MPI is found).
//
// Every process of a job calls map() with the same n and the same task function, in the
// same order (map is collective). A task that throws makes map throw on every process: the
// exception of the lowest failing task index, so the message is the one a single-process
// run would give (on the other processes of an MPI job as a RemoteError carrying it).

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "rareshock/core/error.hpp"

namespace rareshock {

using Packed = std::vector<double>;
using Task = std::function<Packed(std::size_t index)>;

class Executor {
 public:
  virtual ~Executor() = default;
  // This process's rank and the number of processes (0 and 1 without MPI).
  virtual int rank() const { return 0; }
  virtual int ranks() const { return 1; }
  // Threads this process runs tasks on.
  virtual int threads() const = 0;
  // Runs task(i) for i in [0, n) and returns the n results in index order, on every process.
  // task may be called concurrently from several threads.
  virtual std::vector<Packed> map(std::size_t n, const Task& task) = 0;
  // True on every process when flag is true on any (collective; used to stop together).
  virtual bool any(bool flag) { return flag; }
  // Collective: \p failure is what this process's part of a step threw (null: nothing), e.g.
  // rank 0 alone creating the output directory. When any process failed, every process
  // throws: the lowest failing rank its own exception, the others a RemoteError carrying its
  // message; returns on every process when none failed.
  virtual void settle(std::exception_ptr failure) {
    if (failure) std::rethrow_exception(failure);
  }
  // A batch size that keeps every thread of every process busy.
  std::size_t batch() const { return static_cast<std::size_t>(4 * threads() * ranks()); }
  // Rank 0 writes outputs and talks to the user.
  bool writes() const { return rank() == 0; }
};

class ThreadExecutor final : public Executor {
 public:
  // threads <= 0: all the cores oneTBB sees.
  explicit ThreadExecutor(int threads = 0);
  int threads() const override { return threads_; }
  std::vector<Packed> map(std::size_t n, const Task& task) override;

 private:
  int threads_;
};

// What a process throws when a task or step failed on another process of the job: the
// failing process's message (what()) and whether it was an InputError, so the writing process
// can tell it exactly as a single-process run would (the CLI: exit 2 for input, 1 otherwise).
class RemoteError : public Error {
 public:
  RemoteError(const std::string& what, bool input, int origin)
      : Error(what), input_(input), origin_(origin) {}
  bool input() const { return input_; }   // the original was an InputError
  int origin() const { return origin_; }  // the rank that threw it

 private:
  bool input_;
  int origin_;
};

// The first task index of process \p rank's block when n tasks are split over \p ranks in
// contiguous blocks (MpiExecutor): block r is [block_first(n, R, r), block_first(n, R, r + 1)),
// floor(r * n / R) computed without overflow. Blocks differ by at most one task; with n < R
// some are empty.
inline std::size_t block_first(std::size_t n, int ranks, int rank) {
  const auto r = static_cast<std::size_t>(rank), R = static_cast<std::size_t>(ranks);
  return (n / R) * r + (n % R) * r / R;
}

// Packs values into/out of a Packed buffer in a fixed order (helpers for task results).
inline void pack(Packed& out, double v) {
  out.push_back(v);
}
inline void pack(Packed& out, const std::vector<double>& v) {
  out.push_back(static_cast<double>(v.size()));
  out.insert(out.end(), v.begin(), v.end());
}
// Text, one character per double (small identifiers; task results are mostly numbers).
inline void pack(Packed& out, std::string_view s) {
  out.push_back(static_cast<double>(s.size()));
  for (char c : s) out.push_back(static_cast<double>(static_cast<unsigned char>(c)));
}
struct Unpacker {
  const Packed& in;
  std::size_t at = 0;
  double next() { return in.at(at++); }
  std::vector<double> vec() {
    const auto n = static_cast<std::size_t>(next());
    if (n > in.size() - at) throw std::out_of_range("Unpacker: vector past the end of a result");
    std::vector<double> v(in.begin() + static_cast<std::ptrdiff_t>(at),
                          in.begin() + static_cast<std::ptrdiff_t>(at + n));
    at += n;
    return v;
  }
  std::string str() {
    const auto n = static_cast<std::size_t>(next());
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(static_cast<unsigned char>(next()));
    return s;
  }
};

}  // namespace rareshock
