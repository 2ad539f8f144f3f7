#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <exception>

#include "rareshock/executor.hpp"

namespace rareshock {

ThreadExecutor::ThreadExecutor(int threads)
    : threads_(threads > 0 ? threads : tbb::info::default_concurrency()) {}

std::vector<Packed> ThreadExecutor::map(std::size_t n, const Task& task) {
  std::vector<Packed> out(n);
  std::vector<std::exception_ptr> errors(n);
  auto one = [&](std::size_t i) {
    try {
      out[i] = task(i);
    } catch (...) {
      errors[i] = std::current_exception();
    }
  };
  if (threads_ == 1 || n <= 1) {
    for (std::size_t i = 0; i < n; ++i) one(i);
  } else {
    tbb::task_arena arena(threads_);
    arena.execute([&] { tbb::parallel_for(std::size_t{0}, n, one); });
  }
  // The lowest failing index decides, whatever thread failed first.
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  return out;
}

}  // namespace rareshock
