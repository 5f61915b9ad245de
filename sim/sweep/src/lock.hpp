#pragma once
// The lock a sweep holds on its output, so that a second process on the same
// output (a requeued job's --resume, a second shell) stops with a clear error
// instead of deleting the first one's temporary files.
#include <string>

namespace geosim::sweep {

/// An exclusive flock(2) lock on OUT.lock beside the output `OUT`, holding
/// the PID of the process that holds it. The kernel drops the lock when the
/// process ends, however it ends (kill -9 included), so a lock file left
/// behind never blocks; the holder removes it when it is done.
class OutputLock {
 public:
  /// Throws InputError naming the lock file (and the holder's PID when it is
  /// known) when another process holds it; EnvironmentError when the lock
  /// file cannot be created. On a file system without locks it warns on
  /// stderr and holds nothing.
  explicit OutputLock(const std::string& output);
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  ~OutputLock();

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace geosim::sweep
