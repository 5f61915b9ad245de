#pragma once
// Private: writing the /checkpoint group (the run writer calls it).
#include <string>

#include "geosim/engine/checkpoint.hpp"
#include "h5.hpp"

namespace geosim::output::detail {

/// Writes `checkpoint` and the run's resolved scenario as /checkpoint in the
/// open file. Throws EnvironmentError naming `where` when it cannot.
void write_checkpoint(hid_t file, const engine::Checkpoint& checkpoint, const std::string& scenario,
                      int compression, const std::string& where);

}  // namespace geosim::output::detail
