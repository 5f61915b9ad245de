#pragma once
// Happens-before edges that ThreadSanitizer cannot see for itself. Debian's
// libtbb is not built with -fsanitize=thread, so TSan does not know that
// TBB's scheduler orders the work before a task is handed over before the
// task, and the task before whatever waits for it. The engine's executor
// and the writer's workers (sim/output/src/workers.hpp) declare those two
// edges, and nothing more: two tasks stay unordered, so a race between them
// is still reported (docs/reliability.md, "Sanitizers and fuzzing").
// Outside TSan every function here is empty.
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

namespace geosim::tsan {

/// Everything this thread did so far happens before what follows a
/// handoff_acquire of the same `sync` on another thread.
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
/// TBB copies a task's functor inside libtbb, after the release, where TSan
/// sees the copy's writes only as its later reads: the reads between these
/// two calls (of a functor's captures, before its acquire) are not checked;
/// everything the task does after its acquire is.
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

}  // namespace geosim::tsan
