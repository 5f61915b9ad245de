// libFuzzer target: scenario text -> load_text (parse, check every key,
// validate the model). Bad input must end as InputError; anything else that
// escapes (another exception, a crash, a sanitizer report, a hang, memory past
// libFuzzer's -rss_limit_mb) is a finding (docs/reliability.md).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "geosim/core/error.hpp"
#include "geosim/scenario/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)geosim::scenario::load_text(text, "fuzz.yaml");
  } catch (const geosim::InputError&) {
  }
  return 0;
}
