#pragma once
// HDF5 output that is also a valid netCDF-4 file. HDF5 stays out of this header.
#include <cstddef>
#include <memory>
#include <string>

#include "geosim/engine/observer.hpp"

namespace geosim::output {

struct WriterOptions {
  std::string path;          ///< file to create; the caller handles temp files and renames
  int time_chunk = 12;       ///< steps per chunk and per buffered write block
  /// Deflate level 0..9 (0: no filters). A variable's chunks that deflate
  /// shrinks by less than a third are stored unfiltered, with one in four
  /// compressed again to see (docs/output-schema.md, "Storage").
  int compression = 4;
  /// The file's CF `history` attribute (layout.hpp, history_line): the
  /// command that made it, with its --set overrides; empty = none.
  std::string history;
  /// Bytes of chunks the writer may hold beside the run, besides the chunk
  /// of steps it is filling: at most this much queued for its tasks, and
  /// this much being compressed, raw and as much compressed.
  std::size_t pending_bytes = std::size_t{32} << 20;
};

/// An observer that writes every variable, coordinate and attribute of a run.
/// Throws EnvironmentError when the file cannot be written.
std::unique_ptr<engine::Observer> make_hdf5_writer(const WriterOptions& options);

/// A human-readable description of an output file for `geosim info`:
/// scenario, seed, steps, dimensions, variables with units, headline numbers.
/// Throws InputError when the file is missing or not a geosim output.
std::string describe(const std::string& path);

/// Frees HDF5's resources; call once at the end of main, after the last file
/// is closed (HDF5's own exit handler is off). Does nothing when a file close
/// failed (a full disk): HDF5 crashes tearing down such a file, so its memory
/// and descriptors are left to the operating system.
void release_hdf5() noexcept;

}  // namespace geosim::output
