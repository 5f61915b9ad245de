// Without libFuzzer: replays inputs through a fuzz target's
// LLVMFuzzerTestOneInput, once each, so that the normal suite (ctest
// fuzz_*_replay) runs every seed and every input a fuzz run found
// (regressions/<target>/) in any build. Arguments are files or directories.
// Exits 1 when the target lets an exception escape, or an input takes more
// than 25 s or lifts the peak memory above 2 GiB (scripts/fuzz.sh gives
// libFuzzer the same -timeout and -rss_limit_mb); a crash or sanitizer report
// ends the process as it would under libFuzzer.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace fs = std::filesystem;

namespace {

constexpr double max_seconds = 25;
constexpr long max_peak_kib = 2048L * 1024;

/// Peak resident memory of this process (VmHWM), KiB; 0 where unknown.
long peak_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string key; status >> key;) {
    if (key == "VmHWM:") {
      long kib = 0;
      status >> kib;
      return kib;
    }
    status.ignore(1 << 20, '\n');
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const fs::path p = argv[i];
    if (fs::is_directory(p)) {
      for (const auto& e : fs::directory_iterator(p))
        // README.md and dot files (.gitkeep of a directory without findings) are not inputs.
        if (e.is_regular_file() && e.path().filename() != "README.md" && e.path().filename().string()[0] != '.')
          inputs.push_back(e.path());
    } else if (fs::exists(p)) {
      inputs.push_back(p);
    } else {
      std::cerr << p.string() << ": no such file or directory\n";
      return 2;
    }
  }
  std::sort(inputs.begin(), inputs.end());
  for (const auto& p : inputs) {
    std::ifstream in(p, std::ios::binary);
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto start = std::chrono::steady_clock::now();
    try {
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    } catch (const std::exception& e) {
      std::cerr << p.string() << ": an exception escaped the target: " << e.what() << "\n";
      return 1;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (seconds > max_seconds) {
      std::cerr << p.string() << ": took " << seconds << " s, more than " << max_seconds << " s\n";
      return 1;
    }
    if (const long kib = peak_kib(); kib > max_peak_kib) {
      std::cerr << p.string() << ": peak memory " << kib / 1024 << " MiB, more than " << max_peak_kib / 1024 << " MiB\n";
      return 1;
    }
  }
  std::cout << inputs.size() << " inputs replayed\n";
  return 0;
}
