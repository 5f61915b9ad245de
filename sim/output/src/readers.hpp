#pragma once
// Private: the pieces that check.cpp, describe.cpp and sweep_file.cpp share
// for checking files before reading them and for stamping checksums.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "geosim/output/check.hpp"
#include "h5.hpp"

namespace geosim::output::detail {

/// Every use of HDF5 from code that may run beside another user of the
/// library in the same process (sweeps write parts from several threads)
/// holds this lock. Debian's HDF5 is built thread-safe, but its lock
/// serialises calls, not sequences of calls on one file; and check_readable
/// forks while holding this lock, so that the child never inherits the
/// library in the middle of a call. The run writer, alone with the library
/// in `geosim run`, does not take it.
std::mutex& library_mutex();

/// check_readable for a caller that already holds library_mutex().
FileCheck check_readable_locked(const std::string& path, std::chrono::milliseconds timeout);
/// require_readable for a caller that already holds library_mutex().
void require_readable_locked(const std::string& path);

/// Name of the attribute that holds an object's checksum ("crc32:xxxxxxxx").
inline constexpr const char* checksum_attr = "geosim_checksum";

/// The CRC-32 (zlib's `crc32`, from its initial value) of a dataset's
/// values as readers see them (native representation, row-major), and
/// their number of bytes: what a writer that checksummed the values as it
/// wrote them hands to stamp_checksums instead of having them read back.
struct ValuesCrc {
  std::uint32_t crc = 0;
  std::uint64_t bytes = 0;
};
/// A dataset's checksum is the CRC of its name and shape, its values, then
/// its attributes and dimension scales: `head` is the CRC of what comes
/// before the values, `tail` of what comes after.
struct DatasetParts {
  ValuesCrc head, tail;
};
/// What a writer knows of a dataset it wrote: its values' CRC and, when it
/// took them (take_parts), the rest of its checksum.
struct KnownDataset {
  ValuesCrc values;
  std::optional<DatasetParts> parts;
};
/// KnownDataset by path from the root ("trade_value",
/// "snapshots/2021-12/size").
using KnownDatasets = std::map<std::string, KnownDataset>;

/// Takes the DatasetParts of every dataset in the open `group` (its path
/// from the root, ending in '/', in `prefix`; "" for the root) into
/// `known`: without their values for datasets `known` has already (numeric
/// ones, whose values' CRC the writer adds as it writes them), with them
/// for the others, whose checksums are then complete and written at once.
/// For a writer, beside the run, once the datasets' attributes and
/// dimension scales are final. Throws EnvironmentError naming `where` when
/// a dataset cannot be read or written.
void take_parts(hid_t group, const std::string& prefix, KnownDatasets& known, const std::string& where);

/// Writes the checksum of the open dataset `dset` (its path from the root
/// in `path`) from `known`, whose parts were taken (take_parts) and whose
/// values' CRC covers every value: for a writer, as soon as the dataset's
/// last values are handed over.
void stamp_dataset(hid_t dset, const std::string& path, const KnownDataset& known, const std::string& where);

/// Writes the checksum of the open group `group` (its path from the root in
/// `path`; "/" for the root), whose links and attributes are final.
void stamp_group(hid_t group, const std::string& path, const std::string& where);

/// Writes a checksum attribute on the root group, on every group and on
/// every dataset of an open, fully written file (see check.cpp for what each covers). The values
/// of datasets in `known` are not read back: their ValuesCrc stands for them
/// (numeric datasets only), and their DatasetParts for the rest. Throws
/// EnvironmentError naming `where` when the file cannot be read or written.
void stamp_checksums(hid_t file, const std::string& where, const KnownDatasets& known = {});

/// describe() without the check; the child of check_readable runs it so that
/// every call `geosim info` makes has been survived once before.
std::string describe_unchecked(const std::string& path);
/// The sweep file reader without the check, for the same reason. Throws
/// InputError as inspect_sweep_file does.
void read_sweep_file_unchecked(const std::string& path);

}  // namespace geosim::output::detail
