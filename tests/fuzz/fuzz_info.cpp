// libFuzzer target: the bytes of an HDF5 file -> `geosim info` (output::describe),
// which checks the file in a child process before reading it. A damaged file
// must end as InputError; a crash or hang of libhdf5 belongs in the child and
// is reported there as damage, never suffered by this process.
#include "geosim/output/hdf5.hpp"
#include "hdf5_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  geosim::fuzz::read_input_file(data, size, [](const std::string& path) { (void)geosim::output::describe(path); });
  return 0;
}
