#pragma once
/// \file MPI ranks as an Executor (executor.hpp): `mpirun -n N rareshock run STUDY` splits a
/// batch of tasks (Monte Carlo draws, criticality outages, ...) over the ranks, runs each
/// rank's share on its threads, and hands every rank all results in task order, so what the
/// caller reduces is exactly what a single-process run reduces (docs/scaling.md).
///
/// Built into the separate library rareshock_mpi when CMake finds MPI (option RARESHOCK_MPI);
/// the only header of rareshock that includes <mpi.h>.
///
///     rareshock::MpiSession mpi(&argc, &argv);   // MPI_Init_thread ... MPI_Finalize
///     rareshock::MpiExecutor exec(threads);
///     rareshock::RunSettings rs;
///     rs.executor = &exec;                       // rank 0 writes: exec.writes()
#include <mpi.h>

#include <exception>

#include "rareshock/executor.hpp"

namespace rareshock {

/// MPI for the life of the object: MPI_Init_thread (MPI_THREAD_FUNNELED: only the thread that
/// made the session calls MPI; tasks run on other threads but never call it) unless MPI is
/// already initialised, and MPI_Finalize at the end when it initialised it.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  /// True when this process was started by an MPI launcher (mpirun, mpiexec, srun with PMI):
  /// the environment names a rank (OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMIX_RANK, ...). The CLI
  /// starts a session only then, so a plain `rareshock run` never initialises MPI.
  static bool launched();

 private:
  bool owns_ = false;
};

/// Runs map() over the ranks of a communicator, threads inside each rank (ThreadExecutor).
///
/// Assignment: contiguous blocks. With n tasks and R ranks, rank r runs indices
/// [r*n/R, (r+1)*n/R) (integer division; block_first in executor.hpp), so blocks differ by at most
/// one task and any n works, 0 and n < R included (a rank may get none). Results are gathered to
/// every rank in index order (MPI_Allgatherv of the packed doubles, after their sizes).
///
/// Errors: a task that throws on any rank makes map() throw on every rank, after every rank
/// has run its block. The lowest failing index decides (as with ThreadExecutor): the rank that
/// ran it rethrows the original exception; the others throw RemoteError with its message and
/// kind. Nobody waits for a rank that gave up, so nothing hangs.
class MpiExecutor final : public Executor {
 public:
  /// \p threads per rank (<= 0: all cores oneTBB sees). \p comm must outlive the executor;
  /// every rank of it calls every collective (map, any, settle) in the same order.
  explicit MpiExecutor(int threads = 0, MPI_Comm comm = MPI_COMM_WORLD);
  int rank() const override { return rank_; }
  int ranks() const override { return ranks_; }
  int threads() const override { return local_.threads(); }
  std::vector<Packed> map(std::size_t n, const Task& task) override;
  bool any(bool flag) override;
  void settle(std::exception_ptr failure) override;

 private:
  // Every rank learns the lowest failing index (n: none); the owner rethrows \p mine[index],
  // the others throw RemoteError. Returns when no task failed.
  void agree_on_failure(std::size_t n, std::size_t lo, const std::vector<std::exception_ptr>& mine);
  // Sends \p failure's message and kind from \p root; rethrows it there, RemoteError elsewhere.
  [[noreturn]] void throw_from(int root, const std::exception_ptr& failure);

  MPI_Comm comm_;
  int rank_ = 0, ranks_ = 1;
  ThreadExecutor local_;
};

}  // namespace rareshock
