#pragma once
// The fuzzed bytes as a file, for the targets that read HDF5 files: the
// readers take paths, as the command line gives them. Include it in one
// source file per program: it defines the program's LLVMFuzzerInitialize.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "geosim/core/error.hpp"

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

/// Writes the input to a file and hands its path to `read`. Bad input
/// (InputError) is an expected outcome; anything else escapes as a finding.
template <class Read>
void read_input_file(const std::uint8_t* data, std::size_t size, Read read) {
  const std::string path = write_input(data, size);
  try {
    read(path);
  } catch (const InputError&) {
  }
}

}  // namespace geosim::fuzz

/// A short time limit for the check's child, so that a hang of libhdf5 in it
/// costs seconds, not the default 10 s (the child is killed, the parent goes on).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setenv("GEOSIM_CHECK_TIMEOUT", "3", 0);
  return 0;
}
