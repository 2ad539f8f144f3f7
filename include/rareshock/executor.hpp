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
// run would give.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

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

// Packs values into/out of a Packed buffer in a fixed order (helpers for task results).
inline void pack(Packed& out, double v) {
  out.push_back(v);
}
inline void pack(Packed& out, const std::vector<double>& v) {
  out.push_back(static_cast<double>(v.size()));
  out.insert(out.end(), v.begin(), v.end());
}
struct Unpacker {
  const Packed& in;
  std::size_t at = 0;
  double next() { return in.at(at++); }
  std::vector<double> vec() {
    const auto n = static_cast<std::size_t>(next());
    std::vector<double> v(in.begin() + static_cast<std::ptrdiff_t>(at),
                          in.begin() + static_cast<std::ptrdiff_t>(at + n));
    at += n;
    return v;
  }
};

}  // namespace rareshock
