// libFuzzer target: the bytes of a part -> the check `geosim sweep --resume`
// makes of every part it finds (output::inspect_sweep_file). A damaged part
// must end as InputError, which --resume turns into moving it aside.
#include "geosim/output/sweep_file.hpp"
#include "hdf5_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  geosim::fuzz::read_input_file(data, size,
                                [](const std::string& path) { (void)geosim::output::inspect_sweep_file(path); });
  return 0;
}
