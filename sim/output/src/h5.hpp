#pragma once
// Private helpers over the HDF5 C API: owning handles, error capture and the
// few attribute and dataset shapes geosim writes and reads. Only the output
// module's .cpp files include this; HDF5 never reaches a public header.
#include <hdf5.h>
#include <hdf5_hl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace geosim::output::h5 {

/// Owns one hid_t and closes it with the matching H5*close on destruction.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Handle() = default;
  Handle(hid_t id, Closer closer) noexcept : id_(id), close_(closer) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& other) noexcept;
  ~Handle() { reset(); }

  hid_t get() const noexcept { return id_; }
  explicit operator bool() const noexcept { return id_ >= 0; }
  /// Closes now; errors on close are ignored (used on unwinding paths).
  void reset() noexcept;
  /// Closes now and throws EnvironmentError when HDF5 reports a failure,
  /// which for a file is where buffered data reach the disk.
  void close(const std::string& what);

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer close_ = nullptr;
};

/// Turns off HDF5's printing of error stacks to stderr (process-wide); we
/// collect the stack into exception messages instead.
void silence_errors() noexcept;

/// The current HDF5 error stack as one line (outermost and innermost
/// descriptions), then clears it. Empty when the stack is empty.
std::string take_error_stack();

/// Throws EnvironmentError "<what>: <HDF5 error stack>" if id < 0.
hid_t check(hid_t id, const std::string& what);
/// Throws EnvironmentError "<what>: <HDF5 error stack>" if status < 0.
void check_status(herr_t status, const std::string& what);

// Handle factories; each throws EnvironmentError naming `what` on failure.
Handle file(hid_t id, const std::string& what);
Handle group(hid_t id, const std::string& what);
Handle dataset(hid_t id, const std::string& what);
Handle dataspace(hid_t id, const std::string& what);
Handle datatype(hid_t id, const std::string& what);
Handle plist(hid_t id, const std::string& what);
Handle attribute(hid_t id, const std::string& what);

/// Variable-length, NUL-terminated UTF-8 string type (netCDF-4 NC_STRING).
Handle vlen_utf8_type();

// Scalar attributes on an object (file, group or dataset). Strings are stored
// as variable-length UTF-8 so that h5py/h5netcdf return Python str whatever
// their length (fixed-length strings of one character come back as bytes).
void write_attr(hid_t obj, const std::string& name, const std::string& value);
void write_attr(hid_t obj, const std::string& name, double value);
void write_attr(hid_t obj, const std::string& name, std::int32_t value);
void write_attr(hid_t obj, const std::string& name, std::uint32_t value);
void write_attr(hid_t obj, const std::string& name, std::uint64_t value);
/// A 1-D attribute (for CF flag_values).
void write_attr(hid_t obj, const std::string& name, const std::vector<std::uint8_t>& values);

/// Reads a scalar string attribute (variable or fixed length); nothing if
/// the attribute is absent or not a string.
std::optional<std::string> read_string_attr(hid_t obj, const std::string& name);
/// Reads a scalar numeric attribute converted to double; nothing if absent or
/// not numeric.
std::optional<double> read_number_attr(hid_t obj, const std::string& name);
/// Reads a scalar integer attribute as uint64; nothing if absent or not an integer.
std::optional<std::uint64_t> read_uint_attr(hid_t obj, const std::string& name);

/// Reads a 1-D string dataset (variable-length or fixed) into std::strings.
std::vector<std::string> read_strings(hid_t dset, const std::string& what);

/// Extent of a dataset.
std::vector<hsize_t> shape(hid_t dset, const std::string& what);

}  // namespace geosim::output::h5
