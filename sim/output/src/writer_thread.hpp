#pragma once
// Private: runs the run writer's HDF5 work, in the order it is handed over,
// on a thread of its own, so that creating datasets and writing chunks
// leave the run's thread. At 10^4 firms that work was 13-16 % of a run on
// 2 threads (benchmarks/README.md), though it is the same at every size.
//
// Why a thread of its own and not a TBB task: TBB's workers are the run's
// (one per core), and an HDF5 call of milliseconds in one of them would
// hold up a parallel phase of the run. Debian's HDF5 is built thread-safe
// (H5_HAVE_THREADSAFE: calls are serialised under the library's lock, and
// error stacks and their printing are per thread); the writer's calls do
// not overlap anyway: its own thread makes them only between drain()s.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace geosim::output::detail {

class WriterThread {
 public:
  /// `own_thread` false: post() runs each task at once, on the caller's
  /// thread. True: tasks run on a thread of this object's, which holds at
  /// most `max_bytes` of queued tasks' data (what their posts declare)
  /// besides a task larger than that alone.
  WriterThread(bool own_thread, std::size_t max_bytes);
  /// Drops the tasks not yet started and waits for the one running.
  ~WriterThread();
  WriterThread(const WriterThread&) = delete;
  WriterThread& operator=(const WriterThread&) = delete;

  /// Queues `task`, which holds `bytes` of data until it has run, after
  /// waiting until the queue has room for them. Throws the exception an
  /// earlier task threw, if one did (the tasks queued after it are dropped).
  void post(std::function<void()> task, std::size_t bytes);
  /// Waits until every task posted has run; throws as post() does. After
  /// it the caller may use what the tasks used, until it posts again.
  void drain();

 private:
  struct Task {
    std::function<void()> run;
    std::size_t bytes;
  };
  void loop();
  void rethrow() const;  ///< with mutex_ held

  std::size_t max_bytes_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Task> queue_;
  std::size_t held_bytes_ = 0;  ///< of the tasks queued and the one running
  bool running_ = false;
  bool stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;  ///< last: starts once the members it uses exist
};

}  // namespace geosim::output::detail
