#pragma once
// The fuzzed bytes as a file, for the targets that read HDF5 files: the
// readers take paths, as the command line gives them.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

namespace geosim::fuzz {

/// A file of this process's own (libFuzzer -jobs runs several processes).
inline std::string input_path(const char* suffix) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/geosim-fuzz-" + std::to_string(getpid()) + suffix;
}

/// Writes the input to input_path(".h5") and returns the path.
inline std::string write_input(const std::uint8_t* data, std::size_t size) {
  const std::string path = input_path(".h5");
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

/// A short time limit for the check's child, so that a hang of libhdf5 in it
/// costs seconds, not the default 10 s (the child is killed, the parent goes on).
inline void init_check_timeout() { setenv("GEOSIM_CHECK_TIMEOUT", "3", 0); }

}  // namespace geosim::fuzz
