// libFuzzer target: the bytes of a part -> the check `geosim sweep --resume`
// makes of every part it finds (output::inspect_sweep_file). A damaged part
// must end as InputError, which --resume turns into moving it aside.
#include "geosim/core/error.hpp"
#include "geosim/output/sweep_file.hpp"
#include "hdf5_input.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  geosim::fuzz::init_check_timeout();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = geosim::fuzz::write_input(data, size);
  try {
    (void)geosim::output::inspect_sweep_file(path);
  } catch (const geosim::InputError&) {
  }
  return 0;
}
