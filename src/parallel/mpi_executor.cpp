#include "rareshock/mpi.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "rareshock/core/error.hpp"

namespace rareshock {

// ---- Session -------------------------------------------------------------------------------

MpiSession::MpiSession(int* argc, char*** argv) {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (initialised) return;
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  owns_ = true;
}

MpiSession::~MpiSession() {
  if (!owns_) return;
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (!finalised) MPI_Finalize();
}

bool MpiSession::launched() {
  // Open MPI's mpirun (OMPI_*), PMIx launchers (Open MPI 5, srun --mpi=pmix), and the PMI
  // of MPICH's hydra and of srun --mpi=pmi2.
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"})
    if (std::getenv(var) != nullptr) return true;
  return false;
}

// ---- Executor ------------------------------------------------------------------------------

namespace {

int comm_rank(MPI_Comm comm) {
  int r = 0;
  MPI_Comm_rank(comm, &r);
  return r;
}
int comm_size(MPI_Comm comm) {
  int r = 1;
  MPI_Comm_size(comm, &r);
  return r;
}

// An MPI count (int) from a size, or a RuntimeError saying which batch is too large.
int mpi_count(std::size_t n, const char* what) {
  if (n > static_cast<std::size_t>(INT_MAX))
    throw RuntimeError(
        fmt::format("MPI: {} of one batch ({}) exceed what one MPI call can send ({}); use fewer "
                    "threads or ranks per batch",
                    what, n, INT_MAX));
  return static_cast<int>(n);
}

}  // namespace

MpiExecutor::MpiExecutor(int threads, MPI_Comm comm)
    : comm_(comm), rank_(comm_rank(comm)), ranks_(comm_size(comm)), local_(threads) {}

std::vector<Packed> MpiExecutor::map(std::size_t n, const Task& task) {
  mpi_count(n, "tasks");
  const std::size_t lo = block_first(n, ranks_, rank_), hi = block_first(n, ranks_, rank_ + 1);
  // This rank's block on its threads; failures kept per index (the lowest one decides).
  std::vector<std::exception_ptr> errors(hi - lo);
  std::vector<Packed> mine = local_.map(hi - lo, [&](std::size_t j) -> Packed {
    try {
      return task(lo + j);
    } catch (...) {
      errors[j] = std::current_exception();
      return {};
    }
  });
  agree_on_failure(n, lo, errors);

  // Sizes of every result, then the results, in index order on every rank.
  std::vector<int> counts(static_cast<std::size_t>(ranks_)), displs(counts.size());
  for (int r = 0; r < ranks_; ++r) {
    displs[r] = static_cast<int>(block_first(n, ranks_, r));
    counts[r] = static_cast<int>(block_first(n, ranks_, r + 1) - block_first(n, ranks_, r));
  }
  std::vector<unsigned long long> my_sizes(mine.size()), sizes(n);
  std::size_t my_total = 0;
  for (std::size_t j = 0; j < mine.size(); ++j) {
    my_sizes[j] = mine[j].size();
    my_total += mine[j].size();
  }
  MPI_Allgatherv(my_sizes.data(), counts[rank_], MPI_UNSIGNED_LONG_LONG, sizes.data(),
                 counts.data(), displs.data(), MPI_UNSIGNED_LONG_LONG, comm_);
  std::size_t total = 0;
  for (int r = 0; r < ranks_; ++r) {
    std::size_t sum = 0;
    for (std::size_t i = block_first(n, ranks_, r); i < block_first(n, ranks_, r + 1); ++i)
      sum += sizes[i];
    displs[r] = mpi_count(total, "result values");  // every rank checks the same sums
    counts[r] = mpi_count(sum, "result values");
    total += sum;
  }
  mpi_count(total, "result values");
  std::vector<double> send;
  send.reserve(my_total);
  for (const auto& p : mine) send.insert(send.end(), p.begin(), p.end());
  std::vector<double> all(total);
  MPI_Allgatherv(send.data(), counts[rank_], MPI_DOUBLE, all.data(), counts.data(), displs.data(),
                 MPI_DOUBLE, comm_);

  std::vector<Packed> out(n);
  std::size_t at = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto begin = all.begin() + static_cast<std::ptrdiff_t>(at);
    out[i].assign(begin, begin + static_cast<std::ptrdiff_t>(sizes[i]));
    at += sizes[i];
  }
  return out;
}

void MpiExecutor::agree_on_failure(std::size_t n, std::size_t lo,
                                   const std::vector<std::exception_ptr>& mine) {
  unsigned long long local = n, lowest = n;
  for (std::size_t j = 0; j < mine.size(); ++j)
    if (mine[j]) {
      local = lo + j;
      break;
    }
  MPI_Allreduce(&local, &lowest, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN, comm_);
  if (lowest == n) return;
  int owner = 0;
  while (block_first(n, ranks_, owner + 1) <= lowest) ++owner;
  throw_from(owner, owner == rank_ ? mine[lowest - lo] : nullptr);
}

bool MpiExecutor::any(bool flag) {
  int local = flag ? 1 : 0, result = 0;
  MPI_Allreduce(&local, &result, 1, MPI_INT, MPI_LOR, comm_);
  return result != 0;
}

void MpiExecutor::settle(std::exception_ptr failure) {
  int local = failure ? rank_ : ranks_, lowest = ranks_;
  MPI_Allreduce(&local, &lowest, 1, MPI_INT, MPI_MIN, comm_);
  if (lowest == ranks_) return;
  throw_from(lowest, lowest == rank_ ? failure : nullptr);
}

void MpiExecutor::throw_from(int root, const std::exception_ptr& failure) {
  std::string message;
  int head[2] = {0, 0};  // InputError?, message length
  if (rank_ == root) {
    try {
      std::rethrow_exception(failure);
    } catch (const InputError& e) {
      head[0] = 1;
      message = e.what();
    } catch (const std::exception& e) {
      message = e.what();
    } catch (...) {
      message = "unknown error";
    }
    head[1] = static_cast<int>(std::min<std::size_t>(message.size(), INT_MAX));
  }
  MPI_Bcast(head, 2, MPI_INT, root, comm_);
  message.resize(static_cast<std::size_t>(head[1]));
  MPI_Bcast(message.data(), head[1], MPI_CHAR, root, comm_);
  if (rank_ == root) std::rethrow_exception(failure);
  throw RemoteError(message, head[0] != 0, root);
}

}  // namespace rareshock
