#pragma once
// Checking an HDF5 file before trusting it (docs/reliability.md, "Damaged
// files"). Debian's libhdf5 can crash (SIGSEGV, invalid free) or loop forever
// on a damaged file, so the check reads the file in a child process with a
// time limit: whatever the library does there cannot take the caller down.
// HDF5 stays out of this header.
#include <chrono>
#include <cstdint>
#include <string>

namespace geosim::output {

/// What is wrong with a file, from the check's point of view.
enum class FileDamage {
  none,               ///< read completely; every checksum matches
  missing,            ///< no such file, or not a regular file
  not_hdf5,           ///< no HDF5 signature (text, empty, cut before the superblock)
  unreadable,         ///< the HDF5 library reports an error reading some item
  checksum_mismatch,  ///< a Fletcher-32 or geosim checksum does not match the bytes read
  missing_item,       ///< an item the file should hold is absent (for example a checksum)
  crashed,            ///< the HDF5 library crashed (a signal) reading the file
  timed_out,          ///< reading did not finish within the time limit
};

const char* to_string(FileDamage d) noexcept;

/// The outcome of check_readable.
struct FileCheck {
  FileDamage damage = FileDamage::none;
  std::string detail;  ///< what is wrong, naming the item; empty when none

  bool ok() const noexcept { return damage == FileDamage::none; }
  /// "checksum mismatch: variable 'seed' ..." — without the file name.
  std::string message() const;
};

/// Time limit for checking a file of `bytes` bytes: 10 s plus 1 s per 16 MiB,
/// or the seconds in the environment variable GEOSIM_CHECK_TIMEOUT if set
/// (used by the byte-flip test to bound hangs).
std::chrono::milliseconds check_timeout(std::uintmax_t bytes);

/// Reads `path` completely in a child process (fork) with the time limit
/// `timeout`: its structure, every attribute, every dataset (so that
/// Fletcher-32 checksums are verified), the geosim checksums written by the
/// sweep writer (old files without them pass), and the paths `geosim info`
/// and the sweep reader take. A crash or hang of the child is reported, not
/// suffered. Throws EnvironmentError only when the child cannot be started.
/// Safe to call while other threads run, but not concurrently with HDF5 use
/// in another thread that does not hold the output module's library lock.
FileCheck check_readable(const std::string& path, std::chrono::milliseconds timeout);
/// The same, with check_timeout(size of the file).
FileCheck check_readable(const std::string& path);

/// check_readable, throwing InputError "<path>: <message>" when the file is damaged.
void require_readable(const std::string& path);

}  // namespace geosim::output
