// libFuzzer target: the bytes of a sweep file (a part) -> `geosim merge` of
// that one file (output::merge_sweep_files), which checks every input in a
// child process before copying it. A damaged input must end as InputError.
#include <filesystem>

#include "geosim/output/sweep_file.hpp"
#include "hdf5_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string out = geosim::fuzz::input_path("-merged.h5");
  geosim::fuzz::read_input_file(data, size, [&](const std::string& path) {
    geosim::output::merge_sweep_files({path}, out, geosim::output::MergeOptions{});
  });
  std::filesystem::remove(out);
  return 0;
}
