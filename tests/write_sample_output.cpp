// Writes the sample run of output_sample.hpp to the file named on the command
// line, for tests/python/test_output_format.py.
//   write_sample_output <path> [time_chunk] [threads]
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "output_sample.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::fprintf(stderr, "usage: %s <path> [time_chunk] [threads]\n", argv[0]);
    return 2;
  }
  try {
    const int time_chunk = argc > 2 ? std::atoi(argv[2]) : 2;
    const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
    geosim::sample::write(argv[1], time_chunk, threads);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "write_sample_output: %s\n", e.what());
    return 1;
  }
  return 0;
}
