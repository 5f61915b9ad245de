#include "executor.hpp"

#include <algorithm>

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

// Under ThreadSanitizer: Debian's libtbb is not instrumented, so TSan cannot
// see that TBB's scheduler orders the work before a parallel_for before its
// bodies, and the bodies before its return. The executor tells it, and
// nothing more: two bodies stay unordered, so a race between them is still
// reported (docs/reliability.md, "Sanitizers and fuzzing").
#if defined(__SANITIZE_THREAD__)
#define GEOSIM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GEOSIM_TSAN 1
#endif
#endif

#ifdef GEOSIM_TSAN
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
#endif

namespace geosim::engine {

namespace {

/// The happens-before edges of TBB's task handoff, for ThreadSanitizer.
inline void handoff_release([[maybe_unused]] const void* sync) {
#ifdef GEOSIM_TSAN
  __tsan_release(const_cast<void*>(sync));
#endif
}
inline void handoff_acquire([[maybe_unused]] const void* sync) {
#ifdef GEOSIM_TSAN
  __tsan_acquire(const_cast<void*>(sync));
#endif
}
/// TBB copies the loop's functor and range into its task objects inside
/// tbb::parallel_for, after the release above, and hands them to other
/// threads inside libtbb; TSan reported a body's first read of its own
/// captures (executor.cpp, session 10) against that copy. Reads between
/// these two calls, of the functor's captures and the range only, are not
/// checked; geosim's body runs after them and is.
inline void ignore_reads_begin() {
#ifdef GEOSIM_TSAN
  AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
#endif
}
inline void ignore_reads_end() {
#ifdef GEOSIM_TSAN
  AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
#endif
}

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
