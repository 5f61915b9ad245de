#include "h5.hpp"

#include <atomic>
#include <cstring>
#include <utility>

#include "geosim/core/error.hpp"

namespace geosim::output::h5 {

namespace {

// HDF5 closes what is still open when the process exits. After a file close
// failed (a full disk: HDF5 could not write its metadata) the file stays
// half-closed, and libhdf5 1.10 crashes closing it again at exit. So its own
// exit handler is off, and output::release_hdf5() does that work when it is safe.
std::atomic<bool> file_close_failed{false};
[[maybe_unused]] const bool no_exit_handler = [] {
  H5dont_atexit();
  return true;
}();

herr_t close_id(hid_t id, Handle::Closer closer) noexcept {
  const herr_t status = closer(id);
  if (status < 0 && closer == H5Fclose) file_close_failed = true;
  return status;
}

}  // namespace

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = std::exchange(other.id_, H5I_INVALID_HID);
    close_ = other.close_;
  }
  return *this;
}

void Handle::reset() noexcept {
  if (id_ >= 0 && close_ != nullptr) {
    close_id(id_, close_);
    H5Eclear2(H5E_DEFAULT);
  }
  id_ = H5I_INVALID_HID;
}

void Handle::close(const std::string& what) {
  if (id_ < 0) return;
  const hid_t id = std::exchange(id_, H5I_INVALID_HID);
  check_status(close_id(id, close_), what);
}

void silence_errors() noexcept { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

namespace {

herr_t collect(unsigned /*n*/, const H5E_error2_t* err, void* data) {
  auto* lines = static_cast<std::vector<std::string>*>(data);
  if (err->desc != nullptr && err->desc[0] != '\0') lines->emplace_back(err->desc);
  return 0;
}

}  // namespace

std::string take_error_stack() {
  std::vector<std::string> lines;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect, &lines);
  H5Eclear2(H5E_DEFAULT);
  if (lines.empty()) return {};
  // The outermost entry says what the API call was doing, the innermost why
  // it failed; the middle is library plumbing. A system error's innermost
  // entry is a dump of file name, flags and buffer sizes around the errno
  // text, and only that text helps a user.
  std::string why = lines.size() > 1 ? lines.back() : std::string();
  const std::string key = "error message = '";
  if (const auto pos = why.find(key); pos != std::string::npos) {
    const auto start = pos + key.size();
    why = why.substr(start, why.find('\'', start) - start);
  }
  for (char& c : why)
    if (c == '\n') c = ' ';
  return why.empty() ? lines.front() : lines.front() + ": " + why;
}

hid_t check(hid_t id, const std::string& what) {
  if (id < 0) {
    const std::string detail = take_error_stack();
    throw EnvironmentError(detail.empty() ? what : what + ": " + detail);
  }
  return id;
}

void check_status(herr_t status, const std::string& what) {
  if (status < 0) {
    const std::string detail = take_error_stack();
    throw EnvironmentError(detail.empty() ? what : what + ": " + detail);
  }
}

Handle file(hid_t id, const std::string& what) { return {check(id, what), H5Fclose}; }
Handle group(hid_t id, const std::string& what) { return {check(id, what), H5Gclose}; }
Handle dataset(hid_t id, const std::string& what) { return {check(id, what), H5Dclose}; }
Handle dataspace(hid_t id, const std::string& what) { return {check(id, what), H5Sclose}; }
Handle datatype(hid_t id, const std::string& what) { return {check(id, what), H5Tclose}; }
Handle plist(hid_t id, const std::string& what) { return {check(id, what), H5Pclose}; }
Handle attribute(hid_t id, const std::string& what) { return {check(id, what), H5Aclose}; }

Handle vlen_utf8_type() {
  Handle t = datatype(H5Tcopy(H5T_C_S1), "cannot create a string type");
  check_status(H5Tset_size(t.get(), H5T_VARIABLE), "cannot create a string type");
  check_status(H5Tset_cset(t.get(), H5T_CSET_UTF8), "cannot create a string type");
  check_status(H5Tset_strpad(t.get(), H5T_STR_NULLTERM), "cannot create a string type");
  return t;
}

namespace {

void write_scalar_attr(hid_t obj, const std::string& name, hid_t file_type, hid_t mem_type,
                       const void* value) {
  const std::string what = "cannot write attribute '" + name + "'";
  Handle space = dataspace(H5Screate(H5S_SCALAR), what);
  Handle attr = attribute(H5Acreate2(obj, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), what);
  check_status(H5Awrite(attr.get(), mem_type, value), what);
}

}  // namespace

void write_attr(hid_t obj, const std::string& name, const std::string& value) {
  Handle type = vlen_utf8_type();
  const char* p = value.c_str();
  write_scalar_attr(obj, name, type.get(), type.get(), &p);
}

void write_attr(hid_t obj, const std::string& name, double value) {
  write_scalar_attr(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void write_attr(hid_t obj, const std::string& name, std::int32_t value) {
  write_scalar_attr(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &value);
}

void write_attr(hid_t obj, const std::string& name, std::uint32_t value) {
  write_scalar_attr(obj, name, H5T_STD_U32LE, H5T_NATIVE_UINT32, &value);
}

void write_attr(hid_t obj, const std::string& name, std::uint64_t value) {
  write_scalar_attr(obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

void write_attr(hid_t obj, const std::string& name, const std::vector<std::uint8_t>& values) {
  const std::string what = "cannot write attribute '" + name + "'";
  const hsize_t n = values.size();
  Handle space = dataspace(H5Screate_simple(1, &n, nullptr), what);
  Handle attr = attribute(H5Acreate2(obj, name.c_str(), H5T_STD_U8LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), what);
  check_status(H5Awrite(attr.get(), H5T_NATIVE_UINT8, values.data()), what);
}

namespace {

/// Opens an attribute if it exists; an empty handle otherwise.
Handle open_attr(hid_t obj, const std::string& name) {
  if (H5Aexists(obj, name.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  return attribute(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "cannot open attribute '" + name + "'");
}

bool is_scalar_or_single(hid_t attr) {
  Handle space = dataspace(H5Aget_space(attr), "cannot read an attribute's dataspace");
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  return n == 1;
}

}  // namespace

std::optional<std::string> read_string_attr(hid_t obj, const std::string& name) {
  Handle attr = open_attr(obj, name);
  if (!attr || !is_scalar_or_single(attr.get())) return std::nullopt;
  const std::string what = "cannot read attribute '" + name + "'";
  Handle type = datatype(H5Aget_type(attr.get()), what);
  if (H5Tget_class(type.get()) != H5T_STRING) return std::nullopt;
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle mem = vlen_utf8_type();
    char* p = nullptr;
    check_status(H5Aread(attr.get(), mem.get(), &p), what);
    std::string out = p != nullptr ? p : "";
    H5free_memory(p);
    return out;
  }
  const std::size_t size = H5Tget_size(type.get());
  Handle mem = datatype(H5Tcopy(H5T_C_S1), what);
  check_status(H5Tset_size(mem.get(), size + 1), what);
  check_status(H5Tset_strpad(mem.get(), H5T_STR_NULLTERM), what);
  std::string buf(size + 1, '\0');
  check_status(H5Aread(attr.get(), mem.get(), buf.data()), what);
  buf.resize(std::strlen(buf.c_str()));
  return buf;
}

std::optional<double> read_number_attr(hid_t obj, const std::string& name) {
  Handle attr = open_attr(obj, name);
  if (!attr || !is_scalar_or_single(attr.get())) return std::nullopt;
  const std::string what = "cannot read attribute '" + name + "'";
  Handle type = datatype(H5Aget_type(attr.get()), what);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) return std::nullopt;
  double value = 0.0;
  check_status(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value), what);
  return value;
}

std::optional<std::uint64_t> read_uint_attr(hid_t obj, const std::string& name) {
  Handle attr = open_attr(obj, name);
  if (!attr || !is_scalar_or_single(attr.get())) return std::nullopt;
  const std::string what = "cannot read attribute '" + name + "'";
  Handle type = datatype(H5Aget_type(attr.get()), what);
  if (H5Tget_class(type.get()) != H5T_INTEGER) return std::nullopt;
  std::uint64_t value = 0;
  check_status(H5Aread(attr.get(), H5T_NATIVE_UINT64, &value), what);
  return value;
}

std::vector<std::string> read_strings(hid_t dset, const std::string& what) {
  Handle type = datatype(H5Dget_type(dset), what);
  if (H5Tget_class(type.get()) != H5T_STRING) throw EnvironmentError(what + ": not a string dataset");
  Handle space = dataspace(H5Dget_space(dset), what);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 0) throw EnvironmentError(what + ": " + take_error_stack());
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(n));
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle mem = vlen_utf8_type();
    std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
    if (n > 0) check_status(H5Dread(dset, mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), what);
    for (char* p : ptrs) out.emplace_back(p != nullptr ? p : "");
    if (n > 0) H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
    return out;
  }
  const std::size_t size = H5Tget_size(type.get());
  Handle mem = datatype(H5Tcopy(H5T_C_S1), what);
  check_status(H5Tset_size(mem.get(), size + 1), what);
  check_status(H5Tset_strpad(mem.get(), H5T_STR_NULLTERM), what);
  std::vector<char> buf(static_cast<std::size_t>(n) * (size + 1), '\0');
  if (n > 0) check_status(H5Dread(dset, mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), what);
  for (hssize_t i = 0; i < n; ++i) out.emplace_back(buf.data() + static_cast<std::size_t>(i) * (size + 1));
  return out;
}

std::vector<hsize_t> shape(hid_t dset, const std::string& what) {
  Handle space = dataspace(H5Dget_space(dset), what);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) throw EnvironmentError(what + ": " + take_error_stack());
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), what);
  return dims;
}

}  // namespace geosim::output::h5

namespace geosim::output {

void release_hdf5() noexcept {
  if (!h5::file_close_failed) H5close();
}

}  // namespace geosim::output
