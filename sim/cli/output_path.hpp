#pragma once
// Where the commands that write a result (run, sweep, merge) may write it.
#include <string>

namespace geosim::cli {

/// The file to write for the output path `out` of a command line. An
/// existing path must be a regular file: a device, directory, fifo or socket
/// is bad input (InputError naming the path and what it is), never replaced.
/// A symbolic link is written through: the resolved target is returned, so
/// the temporary file sits beside the target and the final rename replaces
/// the target, and the link stays. A link to nothing is bad input. Whether an
/// existing file may be overwritten (--force) is the caller's check.
std::string output_target(const std::string& out);

}  // namespace geosim::cli
