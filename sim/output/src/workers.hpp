#pragma once
// Private: the TBB arena in which the writer compresses chunks
// (chunk_pipeline.hpp) and runs its HDF5 tasks (writer_tasks.hpp).
#include <tbb/info.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include <algorithm>
#include <utility>

namespace geosim::output::detail {

/// An arena of as many threads as the run's, no more than the machine's
/// cores (more gain nothing, and TBB warns when asked for more workers than
/// its limit), and a group for the tasks enqueued in it.
///
/// TBB's workers, not threads of the writer's own: a thread at SCHED_IDLE
/// priority for the tasks and one for the compression, which the kernel
/// runs only on an idle core, made the writer's share of a 10^4-firm run
/// larger (+8.7 against +4.5 %, 30 rounds each).
struct Workers {
  explicit Workers(int threads) : arena(std::min(threads, tbb::info::default_concurrency())) {}
  /// Runs `task` beside the caller.
  template <class F>
  void enqueue(F&& task) {
    arena.enqueue(group.defer(std::forward<F>(task)));
  }
  /// Helps until every task enqueued has run; rethrows the first exception
  /// one threw.
  void wait() {
    arena.execute([&] { group.wait(); });
  }
  /// Drops the tasks not yet started and waits for the others.
  void cancel() {
    arena.execute([&] {
      group.cancel();
      group.wait();
    });
  }

  tbb::task_arena arena;
  tbb::task_group group;
};

}  // namespace geosim::output::detail
