#pragma once
// Private: the TBB arena in which the writer compresses chunks
// (chunk_pipeline.hpp) and runs its HDF5 tasks (writer_tasks.hpp).
#include <tbb/info.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include <algorithm>

namespace geosim::output::detail {

/// An arena of as many threads as the run's, no more than the machine's
/// cores (more gain nothing, and TBB warns when asked for more workers than
/// its limit), and a group for the tasks enqueued in it.
struct Workers {
  explicit Workers(int threads) : arena(std::min(threads, tbb::info::default_concurrency())) {}
  tbb::task_arena arena;
  tbb::task_group group;
};

}  // namespace geosim::output::detail
