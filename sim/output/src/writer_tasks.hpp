#pragma once
// Private: runs the run writer's HDF5 work in the order it is handed over,
// beside the run, so that creating datasets and writing chunks leave the
// run's thread. At 10^4 firms on 2 threads that work was 13-16 % of a run
// (benchmarks/README.md), though it is the same at every size.
//
// The tasks run one at a time, as TBB tasks in an arena of their own: a
// run's TBB worker has idle time between the run's parallel loops, which
// compression already uses (chunk_pipeline.hpp). A thread of the writer's
// own, tried first, competed with the run for the cores instead (with the
// compression on it as well, the writer cost 12.8 % of a 10^4-firm run
// against 6.0 % with compression on the workers), and one arena for these
// tasks and the compression measured worse than two (10.3 against 6.1 %;
// benchmarks/README.md). Each task is
// short (a block's chunks, a dataset's creation), so a worker that takes
// one keeps the run's next parallel loop waiting for a fraction of a
// millisecond at most. Debian's HDF5 is built thread-safe
// (H5_HAVE_THREADSAFE: calls are serialised under the library's lock;
// error stacks and their printing are per thread); the writer's calls do
// not overlap anyway: the run's thread makes its own only after drain().
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>

namespace geosim::output::detail {

struct Workers;  // workers.hpp

class WriterTasks {
 public:
  /// `threads` <= 1: post() runs each task at once, on the caller's
  /// thread. More: tasks run beside the caller, which holds at most
  /// `max_bytes` of queued tasks' data (what their posts declare) besides
  /// a task larger than that alone.
  WriterTasks(int threads, std::size_t max_bytes);
  /// Drops the tasks not yet started and waits for the one running.
  ~WriterTasks();
  WriterTasks(const WriterTasks&) = delete;
  WriterTasks& operator=(const WriterTasks&) = delete;

  /// Queues `task`, which holds `bytes` of data until it has run, after
  /// helping with the queue until it has room for them. Throws the
  /// exception an earlier task threw, if one did (the tasks queued after
  /// it are dropped).
  void post(std::function<void()> task, std::size_t bytes);
  /// Helps until every task posted has run; throws as post() does. After
  /// it the caller may use what the tasks used, until it posts again.
  void drain();

 private:
  struct Task {
    std::function<void()> run;
    std::size_t bytes;
  };
  void run_queue();  ///< one runner at a time: the tasks, in order, until none is left
  void wait();       ///< joins in until no runner is left
  void rethrow() const;  ///< with mutex_ held

  std::size_t max_bytes_;
  std::mutex mutex_;
  std::deque<Task> queue_;
  std::size_t held_bytes_ = 0;  ///< of the tasks queued and the one running
  bool scheduled_ = false;      ///< a runner is queued or running
  std::exception_ptr error_;
  std::unique_ptr<Workers> workers_;  ///< the runner's; null: tasks run in post(); last: goes first
};

}  // namespace geosim::output::detail
