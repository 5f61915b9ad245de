#include "lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "geosim/core/error.hpp"

namespace geosim::sweep {

namespace {

/// The PID the holder wrote into the lock file, or "" (it may not have yet).
std::string holder_pid(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string pid(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.find_first_not_of("0123456789") == std::string::npos ? pid : std::string();
}

bool same_file(int fd, const std::string& path) {
  struct stat held {}, named {};
  return ::fstat(fd, &held) == 0 && ::stat(path.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
         held.st_ino == named.st_ino;
}

}  // namespace

OutputLock::OutputLock(const std::string& output) : path_(output + ".lock") {
  for (;;) {
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw EnvironmentError(path_ + ": cannot create the sweep's lock file: " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      if (err == EWOULDBLOCK) {
        const std::string pid = holder_pid(fd);
        ::close(fd);
        throw InputError({path_, 0, 0}, "",
                         "another geosim process" + (pid.empty() ? std::string() : " (PID " + pid + ")") +
                             " is writing the sweep '" + output +
                             "'; wait for it to end, or stop it (its lock goes away with it), then rerun");
      }
      ::close(fd);
      std::cerr << "geosim: warning: " << path_ << ": cannot lock (" << std::strerror(err)
                << "); nothing stops a second process from working on this sweep at the same time\n";
      return;
    }
    // The holder before us removes the file as it ends: if that happened
    // between our open and our lock, we hold a file no one else will see.
    if (same_file(fd, path_)) {
      fd_ = fd;
      break;
    }
    ::close(fd);
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  const bool written =
      ::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
  (void)written;  // without the PID only a second process's message is vaguer; the lock holds
}

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  // Removed before it is released, so that whoever locks next sees a new file.
  ::unlink(path_.c_str());
  ::close(fd_);
}

}  // namespace geosim::sweep
