#pragma once
// Private: the TBB arena in which the writer compresses chunks
// (chunk_pipeline.hpp) and runs its HDF5 tasks (writer_tasks.hpp).
#include <tbb/info.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include <algorithm>
#include <utility>

#include "geosim/core/tsan.hpp"

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
  /// Runs `task` beside the caller. What the caller did before happens
  /// before the task, and the task before the end of the next wait() (for
  /// ThreadSanitizer, which does not see it through libtbb: core/tsan.hpp).
  template <class F>
  void enqueue(F&& task) {
    auto handle = group.defer([this, f = std::forward<F>(task)] {
      tsan::ignore_reads_begin();
      Workers* const self = this;
      const auto* const run = &f;
      tsan::ignore_reads_end();
      tsan::handoff_acquire(&self->started);
      struct Done {
        Workers* self;
        ~Done() { tsan::handoff_release(&self->finished); }  // also when the task throws
      } done{self};
      (*run)();
    });
    tsan::handoff_release(&started);
    arena.enqueue(std::move(handle));
  }
  /// Helps until every task enqueued has run; rethrows the first exception
  /// one threw.
  void wait() {
    arena.execute([&] { group.wait(); });
    tsan::handoff_acquire(&finished);
  }
  /// Drops the tasks not yet started and waits for the others.
  void cancel() {
    arena.execute([&] {
      group.cancel();
      group.wait();
    });
    tsan::handoff_acquire(&finished);
  }

  tbb::task_arena arena;
  tbb::task_group group;
  char started = 0, finished = 0;  ///< addresses of the edges above
};

}  // namespace geosim::output::detail
