#include "executor.hpp"

#include <algorithm>

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "geosim/core/tsan.hpp"

namespace geosim::engine {

namespace {

using tsan::handoff_acquire;
using tsan::handoff_release;
using tsan::ignore_reads_begin;
using tsan::ignore_reads_end;

class SerialExecutor final : public Executor {
 public:
  void parallel_for(std::size_t n, std::size_t, const Body& body) override {
    if (n > 0) body(0, n);
  }
};

class TbbExecutor final : public Executor {
 public:
  // TBB caps its worker pool at the core count; asking for more threads than
  // cores (as the determinism tests do) needs the cap raised for this run.
  explicit TbbExecutor(int threads)
      : control_(tbb::global_control::max_allowed_parallelism,
                 static_cast<std::size_t>(std::max(threads, tbb::this_task_arena::max_concurrency()))),
        arena_(threads > 0 ? threads : tbb::task_arena::automatic) {}

  void parallel_for(std::size_t n, std::size_t grain, const Body& body) override {
    const char started = 0, finished = 0;
    handoff_release(&started);
    arena_.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, grain), [&](const tbb::blocked_range<std::size_t>& r) {
        ignore_reads_begin();
        const Body* const run = &body;
        const char* const start = &started;
        const char* const finish = &finished;
        const std::size_t begin = r.begin(), end = r.end();
        ignore_reads_end();
        handoff_acquire(start);
        (*run)(begin, end);
        handoff_release(finish);
      });
    });
    handoff_acquire(&finished);
  }

 private:
  tbb::global_control control_;
  tbb::task_arena arena_;
};

}  // namespace

std::unique_ptr<Executor> make_serial_executor() { return std::make_unique<SerialExecutor>(); }
std::unique_ptr<Executor> make_tbb_executor(int threads) { return std::make_unique<TbbExecutor>(threads); }

}  // namespace geosim::engine
