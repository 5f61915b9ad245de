// Checking a file before trusting it, and the checksums that make the check
// complete (docs/reliability.md, "Damaged files").
//
// Why a child process: a single flipped byte can make Debian's libhdf5 1.10
// dereference a wild pointer (H5HG_read), free memory it does not own
// (H5Literate) or loop forever (H5C_protect). No amount of checking before a
// call prevents that, because the library's own structure checks are what
// fail. So the child reads everything geosim will later read; if it survives,
// the parent's identical reads of the same bytes are safe (the library is
// deterministic), and if it does not, only the child dies.
//
// Why our own checksums: Fletcher-32 covers only chunked data. A flipped byte
// in a contiguous dataset (seed, param_*, the overrides' heap), an attribute
// or a chunk index can give different values with no error. The sweep writer
// therefore stamps every dataset and the root group with a CRC-32 of what the
// readers see: names, shapes, attribute values, attached dimension names and
// every value, in the library's native representation. CRC-32 from zlib:
// zlib is already linked through HDF5's deflate filter, and a 32-bit CRC
// detects every error burst up to 32 bits, which is the damage we guard
// against (accidents, not attacks).
#include "geosim/output/check.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>
#include <optional>
#include <vector>

#include "geosim/core/error.hpp"
#include "readers.hpp"

// Builds under AddressSanitizer or ThreadSanitizer (GCC defines the macros,
// clang answers __has_feature).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GEOSIM_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GEOSIM_UNDER_SANITIZER 1
#endif
#endif
#ifndef GEOSIM_UNDER_SANITIZER
#define GEOSIM_UNDER_SANITIZER 0
#endif

// The sanitizers' runtime, when linked in (weak: null otherwise).
extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

namespace geosim::output {

namespace fs = std::filesystem;
namespace H = h5;

const char* to_string(FileDamage d) noexcept {
  switch (d) {
    case FileDamage::none: return "none";
    case FileDamage::missing: return "missing";
    case FileDamage::not_hdf5: return "not HDF5";
    case FileDamage::unreadable: return "unreadable";
    case FileDamage::checksum_mismatch: return "checksum mismatch";
    case FileDamage::missing_item: return "missing item";
    case FileDamage::crashed: return "crashed in the HDF5 library";
    case FileDamage::timed_out: return "timed out";
  }
  return "?";
}

std::string FileCheck::message() const {
  switch (damage) {
    case FileDamage::none: return {};
    case FileDamage::missing:
    case FileDamage::not_hdf5: return detail;
    case FileDamage::unreadable: return "the file is truncated or corrupt: " + detail;
    case FileDamage::checksum_mismatch: return "the file is damaged: checksum mismatch in " + detail;
    case FileDamage::missing_item: return "the file is damaged: " + detail;
    case FileDamage::crashed: return "the file is damaged: the HDF5 library crashed reading it (" + detail + ")";
    case FileDamage::timed_out:
      return "the file is damaged: reading it did not finish within " + detail + " (the HDF5 library hung)";
  }
  return detail;
}

std::chrono::milliseconds check_timeout(std::uintmax_t bytes) {
  if (const char* env = std::getenv("GEOSIM_CHECK_TIMEOUT")) {
    char* end = nullptr;
    const double s = std::strtod(env, &end);
    if (end != env && s > 0 && s < 1e6) return std::chrono::milliseconds(static_cast<long long>(s * 1000));
  }
  return std::chrono::milliseconds(10'000 + static_cast<long long>(bytes / (16u << 20)) * 1000);
}

namespace {

/// Damage found while reading, inside the child (or while stamping).
struct Failure {
  FileDamage damage;
  std::string detail;
};

class Crc {
 public:
  void add(const void* p, std::size_t n) {
    value_ = libdeflate_crc32(static_cast<std::uint32_t>(value_), p, n);  // zlib's CRC-32, faster
    bytes_ += n;
  }
  void add(std::uint64_t v) { add(&v, sizeof v); }
  void add(const std::string& s) {
    add(static_cast<std::uint64_t>(s.size()));
    add(s.data(), s.size());
  }
  /// As if the bytes that `values` is the CRC of had been added.
  void add(const detail::ValuesCrc& values) {
    value_ = crc32_combine(value_, values.crc, static_cast<z_off_t>(values.bytes));
    bytes_ += values.bytes;
  }
  /// What has been added, to be added to another Crc.
  detail::ValuesCrc value() const { return {static_cast<std::uint32_t>(value_), bytes_}; }
  std::string hex() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08" PRIx32, static_cast<std::uint32_t>(value_));
    return std::string("crc32:") + buf;
  }

 private:
  uLong value_ = crc32_z(0, nullptr, 0);
  std::uint64_t bytes_ = 0;
};

[[noreturn]] void fail_hdf5(const std::string& item) {
  const std::string stack = H::take_error_stack();
  std::string lower = stack;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.find("checksum") != std::string::npos) throw Failure{FileDamage::checksum_mismatch, item + " (" + stack + ")"};
  throw Failure{FileDamage::unreadable, "cannot read " + item + (stack.empty() ? std::string() : " (" + stack + ")")};
}

hid_t need(hid_t id, const std::string& item) {
  if (id < 0) fail_hdf5(item);
  return id;
}

void need_ok(herr_t status, const std::string& item) {
  if (status < 0) fail_hdf5(item);
}

// Bounds what one read may allocate, whatever sizes a damaged file claims.
constexpr std::size_t read_block_bytes = 16u << 20;
constexpr hsize_t max_elements = hsize_t{1} << 40;

/// Adds `n` values held in `buf` (read with memory type `mem`) to the CRC.
void add_values(Crc& crc, H5T_class_t cls, bool vlen, std::size_t size, std::size_t n, std::vector<char>& buf) {
  if (cls == H5T_STRING && vlen) {
    auto* ptrs = reinterpret_cast<char**>(buf.data());
    for (std::size_t i = 0; i < n; ++i) crc.add(std::string(ptrs[i] != nullptr ? ptrs[i] : ""));
  } else {
    crc.add(buf.data(), n * size);
  }
}

/// Memory type for reading values of file type `type`: native numbers,
/// variable-length strings as char*, fixed strings as they are. Empty for
/// classes geosim does not write (their values are not covered).
H::Handle memory_type(hid_t type, H5T_class_t cls, bool& vlen) {
  vlen = false;
  if (cls == H5T_INTEGER || cls == H5T_FLOAT) return {H5Tget_native_type(type, H5T_DIR_ASCEND), H5Tclose};
  if (cls == H5T_STRING) {
    vlen = H5Tis_variable_str(type) > 0;
    if (vlen) return H::vlen_utf8_type();
    return {H5Tcopy(type), H5Tclose};
  }
  return {};
}

void add_attribute(Crc& crc, hid_t obj, const std::string& name, const std::string& item) {
  const std::string what = "attribute '" + name + "' of " + item;
  H::Handle attr(need(H5Aopen(obj, name.c_str(), H5P_DEFAULT), what), H5Aclose);
  H::Handle type(need(H5Aget_type(attr.get()), what), H5Tclose);
  H::Handle space(need(H5Aget_space(attr.get()), what), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 0) fail_hdf5(what);
  const H5T_class_t cls = H5Tget_class(type.get());
  crc.add(name);
  crc.add(static_cast<std::uint64_t>(cls));
  crc.add(static_cast<std::uint64_t>(n));
  bool vlen = false;
  H::Handle mem = memory_type(type.get(), cls, vlen);
  if (!mem || n == 0) return;
  const std::size_t size = vlen ? sizeof(char*) : H5Tget_size(mem.get());
  if (size == 0 || static_cast<hsize_t>(n) * size > read_block_bytes)
    throw Failure{FileDamage::unreadable, what + " claims an implausible size"};
  std::vector<char> buf(static_cast<std::size_t>(n) * size, '\0');
  need_ok(H5Aread(attr.get(), mem.get(), buf.data()), what);
  add_values(crc, cls, vlen, size, static_cast<std::size_t>(n), buf);
  if (vlen) H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, buf.data());
}

herr_t collect_name(hid_t, const char* name, const H5A_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

herr_t collect_link(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

/// Attribute names in name order, without the checksum and the dimension
/// scale references (object addresses: they differ between files with equal
/// content; the attached scales' names are covered instead).
std::vector<std::string> attribute_names(hid_t obj, const std::string& item) {
  std::vector<std::string> names;
  hsize_t idx = 0;
  need_ok(H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_name, &names), "the attributes of " + item);
  std::erase_if(names, [](const std::string& n) {
    return n == detail::checksum_attr || n == "DIMENSION_LIST" || n == "REFERENCE_LIST";
  });
  return names;
}

herr_t collect_scale(hid_t, unsigned, hid_t scale, void* data) {
  char buf[256] = {0};
  if (H5DSget_scale_name(scale, buf, sizeof buf) < 0) return -1;
  static_cast<std::vector<std::string>*>(data)->emplace_back(buf);
  return 0;
}

/// Every value of a dataset, read in blocks along its first dimension, or
/// `known` in their place.
void add_data(Crc& crc, hid_t dset, const std::string& item, const detail::ValuesCrc* known) {
  H::Handle type(need(H5Dget_type(dset), item), H5Tclose);
  H::Handle space(need(H5Dget_space(dset), item), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) fail_hdf5(item);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) need_ok(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), item);
  const H5T_class_t cls = H5Tget_class(type.get());
  crc.add(static_cast<std::uint64_t>(cls));
  crc.add(static_cast<std::uint64_t>(rank));
  for (auto d : dims) crc.add(static_cast<std::uint64_t>(d));
  bool vlen = false;
  H::Handle mem = memory_type(type.get(), cls, vlen);
  if (!mem) return;
  if (known != nullptr && (cls == H5T_INTEGER || cls == H5T_FLOAT)) {
    crc.add(*known);
    return;
  }
  const std::size_t size = vlen ? sizeof(char*) : H5Tget_size(mem.get());
  hsize_t row = 1;  // elements per index of the first dimension
  for (int i = 1; i < rank; ++i) {
    if (dims[static_cast<std::size_t>(i)] != 0 && row > max_elements / dims[static_cast<std::size_t>(i)])
      throw Failure{FileDamage::unreadable, item + " claims an implausible shape"};
    row *= dims[static_cast<std::size_t>(i)];
  }
  if (size == 0 || row * size > read_block_bytes * 16)
    throw Failure{FileDamage::unreadable, item + " claims an implausible shape"};
  const hsize_t rows = rank == 0 ? 1 : dims[0];
  if (rows == 0 || row == 0) return;
  const hsize_t block = std::max<hsize_t>(1, read_block_bytes / (row * size));
  std::vector<char> buf;
  for (hsize_t start = 0; start < rows; start += block) {
    const hsize_t k = std::min(block, rows - start);
    const hsize_t n = k * row;
    buf.assign(static_cast<std::size_t>(n * size), '\0');
    // The memory space has the selection's shape (the same values in the
    // same order as a flat one): HDF5 then copies whole runs instead of
    // matching the two selections element by element.
    std::vector<hsize_t> offset(dims.size(), 0), count = dims;
    if (rank > 0) {
      offset[0] = start;
      count[0] = k;
    }
    H::Handle mspace(need(rank == 0 ? H5Screate_simple(1, &n, nullptr)
                                    : H5Screate_simple(rank, count.data(), nullptr),
                          item),
                     H5Sclose);
    if (rank == 0) {
      need_ok(H5Dread(dset, mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), item);
    } else {
      need_ok(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, offset.data(), nullptr, count.data(), nullptr), item);
      need_ok(H5Dread(dset, mem.get(), mspace.get(), space.get(), H5P_DEFAULT, buf.data()), item);
    }
    add_values(crc, cls, vlen, size, static_cast<std::size_t>(n), buf);
    if (vlen) H5Dvlen_reclaim(mem.get(), mspace.get(), H5P_DEFAULT, buf.data());
  }
}

/// What follows a dataset's values in its checksum: its attributes and the
/// names of the dimension scales attached to each dimension.
void add_tail(Crc& crc, hid_t dset, const std::string& item) {
  for (const auto& a : attribute_names(dset, item)) add_attribute(crc, dset, a, item);
  const htri_t is_scale = H5DSis_scale(dset);
  if (is_scale < 0) fail_hdf5("the dimension scale marks of " + item);
  if (is_scale == 0) {
    H::Handle space(need(H5Dget_space(dset), item), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    for (int i = 0; i < rank; ++i) {
      const int n = H5DSget_num_scales(dset, static_cast<unsigned>(i));
      if (n < 0) fail_hdf5("the dimensions of " + item);
      std::vector<std::string> names;
      if (n > 0) need_ok(H5DSiterate_scales(dset, static_cast<unsigned>(i), nullptr, collect_scale, &names), "the dimensions of " + item);
      crc.add(static_cast<std::uint64_t>(names.size()));
      for (const auto& s : names) crc.add(s);
    }
  }
}

/// A dataset's checksum: its name, shape and values, then add_tail. What
/// the writer knows (`known`) stands for the values, or for all but them.
std::string dataset_checksum(hid_t dset, const std::string& name, const std::string& item,
                             const detail::KnownDataset* known = nullptr) {
  Crc crc;
  if (known != nullptr && known->parts) {
    crc.add(known->parts->head);
    crc.add(known->values);
    crc.add(known->parts->tail);
    return crc.hex();
  }
  crc.add(name);
  add_data(crc, dset, item, known != nullptr ? &known->values : nullptr);
  add_tail(crc, dset, item);
  return crc.hex();
}

std::vector<std::string> link_names(hid_t group, const std::string& item) {
  std::vector<std::string> names;
  hsize_t idx = 0;
  need_ok(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_link, &names), "the contents of " + item);
  return names;
}

std::string group_item(const std::string& path) { return path == "/" ? "the global attributes" : "group '" + path + "'"; }

std::string group_checksum(hid_t group, const std::vector<std::string>& links, const std::string& item) {
  Crc crc;
  for (const auto& l : links) {
    H5O_info_t info;
    need_ok(H5Oget_info_by_name2(group, l.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT), "object '" + l + "'");
    crc.add(l);
    crc.add(static_cast<std::uint64_t>(info.type));
  }
  for (const auto& a : attribute_names(group, item)) add_attribute(crc, group, a, item);
  return crc.hex();
}

/// A value read from a damaged file, fit for a message: bytes outside
/// printable ASCII as \xNN (a flipped byte must not make the message invalid UTF-8).
std::string printable(const std::string& raw) {
  std::string out;
  for (unsigned char ch : raw) {
    if (ch >= 0x20 && ch < 0x7f) {
      out += static_cast<char>(ch);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", ch);
      out += buf;
    }
  }
  return out;
}

std::optional<std::string> stored_checksum(hid_t obj, const std::string& item) {
  try {
    return H::read_string_attr(obj, detail::checksum_attr);
  } catch (const EnvironmentError& e) {
    throw Failure{FileDamage::unreadable, "the checksum of " + item + " (" + e.what() + ")"};
  }
}

/// Writes `value` as the checksum of `item` in the file `where`.
void write_checksum(hid_t obj, const std::string& item, const std::string& value, const std::string& where) {
  const std::string what = where + ": cannot write the checksum of " + item;
  if (H5Aexists(obj, detail::checksum_attr) > 0) H::check_status(H5Adelete(obj, detail::checksum_attr), what);
  H::take_error_stack();
  H::write_attr(obj, detail::checksum_attr, value);
}

/// Runs a writer's checksum `work` on the file `where` it is writing: what
/// the reads find wrong there is an EnvironmentError, not damage.
template <class F>
void writing(const std::string& where, F&& work) {
  try {
    work();
  } catch (const Failure& e) {
    throw EnvironmentError(where + ": cannot compute checksums: " + e.detail);
  }
}

/// One object's checksum, computed and either written (stamp) or compared.
struct Walk {
  bool stamp = false;
  std::string where;  ///< stamp: the file, for messages
  const detail::KnownDatasets* known = nullptr;  ///< stamp: what the writer checksummed
  /// verify: checksums found and expected, then compared after the walk
  struct Entry {
    std::string item, computed;
    std::optional<std::string> stored;
  };
  std::vector<Entry> entries;

  void object(hid_t obj, std::string item, std::string computed) {
    if (stamp) {
      write_checksum(obj, item, computed, where);
      return;
    }
    auto stored = stored_checksum(obj, item);
    entries.push_back({std::move(item), std::move(computed), std::move(stored)});
  }

  void group(hid_t g, const std::string& path, int depth) {
    if (depth > 8) throw Failure{FileDamage::unreadable, "groups nested deeper than geosim writes them (at " + path + ")"};
    const std::string item = group_item(path);
    const auto links = link_names(g, item);
    object(g, item, group_checksum(g, links, item));
    for (const auto& l : links) {
      H5O_info_t info;
      need_ok(H5Oget_info_by_name2(g, l.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT), "object '" + l + "'");
      const std::string child = path == "/" ? l : path + "/" + l;
      if (info.type == H5O_TYPE_GROUP) {
        H::Handle sub(need(H5Gopen2(g, l.c_str(), H5P_DEFAULT), "group '" + child + "'"), H5Gclose);
        group(sub.get(), child, depth + 1);
      } else if (info.type == H5O_TYPE_DATASET) {
        const std::string vitem = "variable '" + child + "'";
        H::Handle d(need(H5Dopen2(g, l.c_str(), H5P_DEFAULT), vitem), H5Dclose);
        const detail::KnownDataset* written = nullptr;
        if (known != nullptr)
          if (auto it = known->find(child); it != known->end()) written = &it->second;
        object(d.get(), vitem, dataset_checksum(d.get(), l, vitem, written));
      }
    }
  }

  /// Verify: a file with checksums must have them everywhere, and each must match.
  void compare() const {
    const bool any = std::any_of(entries.begin(), entries.end(), [](const Entry& e) { return e.stored.has_value(); });
    if (!any) return;  // written before geosim stamped checksums: Fletcher-32 is all there is
    for (const auto& e : entries) {
      if (!e.stored) throw Failure{FileDamage::missing_item, e.item + " has no checksum, though the file's other items do"};
      if (*e.stored != e.computed)
        throw Failure{FileDamage::checksum_mismatch,
                      e.item + " (stored " + printable(*e.stored) + ", computed " + e.computed + ")"};
    }
  }
};

/// Everything the child does; returns what it found.
FileCheck check_here(const std::string& path) {
  H::silence_errors();
  const htri_t is_h5 = H5Fis_hdf5(path.c_str());
  if (is_h5 <= 0) {
    H::take_error_stack();
    return {FileDamage::not_hdf5, "not an HDF5 file (is it a geosim file, or was it cut short?)"};
  }
  try {
    H::Handle f(need(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "the file"), H5Fclose);
    Walk w;
    w.group(f.get(), "/", 0);
    w.compare();
  } catch (const Failure& e) {
    return {e.damage, e.detail};
  } catch (const std::bad_alloc&) {
    return {FileDamage::unreadable, "it claims sizes larger than the memory allowed for checking it"};
  } catch (const std::exception& e) {
    return {FileDamage::unreadable, e.what()};
  }
  // Take every path the readers take once, here. Their input errors (a
  // single-run file given to merge, say) are theirs to report; anything else
  // is damage the walk above did not see.
  for (auto* reader : {&detail::describe_unchecked, +[](const std::string& p) { detail::read_sweep_file_unchecked(p); return std::string(); }}) {
    try {
      reader(path);
    } catch (const InputError&) {
    } catch (const std::bad_alloc&) {
      return {FileDamage::unreadable, "it claims sizes larger than the memory allowed for checking it"};
    } catch (const std::exception& e) {
      return {FileDamage::unreadable, e.what()};
    }
  }
  return {};
}

/// Limits of the child: no core dumps (a crash is expected), and an address
/// space bounded so that absurd sizes fail as bad_alloc instead of waking the
/// OOM killer. Not under AddressSanitizer, which reserves terabytes.
///
/// A crash of libhdf5 must end the child by its signal, so that the parent
/// reports it as damage: handlers the process inherited (libFuzzer's, which
/// would save the input as a finding of its own; a sanitizer's) are reset to
/// the default action, and so is a sanitizer's death callback.
void limit_child() {
  for (int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL}) std::signal(sig, SIG_DFL);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(nullptr);
  rlimit core{0, 0};
  setrlimit(RLIMIT_CORE, &core);
#if !GEOSIM_UNDER_SANITIZER
  std::uint64_t pages = 0;
  if (std::ifstream statm("/proc/self/statm"); statm >> pages) {
    const rlim_t limit = static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + (rlim_t{4} << 30);
    rlimit as{limit, limit};
    setrlimit(RLIMIT_AS, &as);
  }
#endif
}

std::string seconds(std::chrono::milliseconds t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g s", static_cast<double>(t.count()) / 1000.0);
  return buf;
}

FileCheck check_in_child(const std::string& path, std::chrono::milliseconds timeout) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw EnvironmentError(path + ": cannot check the file: pipe: " + std::strerror(errno));
  const pid_t pid = fork();
  if (pid < 0) {
    const int err = errno;
    close(fds[0]);
    close(fds[1]);
    throw EnvironmentError(path + ": cannot check the file: fork: " + std::strerror(err));
  }
  if (pid == 0) {
    close(fds[0]);
    limit_child();
    const FileCheck r = check_here(path);
    std::string msg(1, static_cast<char>(r.damage));
    msg += r.detail.substr(0, 4000);
    for (std::size_t done = 0; done < msg.size();) {
      const ssize_t w = write(fds[1], msg.data() + done, msg.size() - done);
      if (w <= 0) _exit(3);
      done += static_cast<std::size_t>(w);
    }
    _exit(0);  // no atexit handlers, no flushing of the parent's stdio buffers
  }
  close(fds[1]);
  std::string report;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) continue;
    char buf[4096];
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of file: the child exited or closed the pipe
    report.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) return {FileDamage::timed_out, seconds(timeout)};
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return {FileDamage::crashed, "signal " + std::to_string(sig) + ", " + strsignal(sig)};
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || report.empty())
    return {FileDamage::crashed, "the checking process exited with status " + std::to_string(WEXITSTATUS(status))};
  const auto code = static_cast<unsigned char>(report[0]);
  if (code > static_cast<unsigned char>(FileDamage::timed_out)) return {FileDamage::crashed, "garbled report"};
  return {static_cast<FileDamage>(code), report.substr(1)};
}

}  // namespace

namespace detail {

std::mutex& library_mutex() {
  static std::mutex m;
  return m;
}

FileCheck check_readable_locked(const std::string& path, std::chrono::milliseconds timeout) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return {FileDamage::missing, "no such file"};
  if (!fs::is_regular_file(path, ec)) return {FileDamage::missing, "not a regular file"};
  return check_in_child(path, timeout);
}

void require_readable_locked(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  const FileCheck r = check_readable_locked(path, check_timeout(ec ? 0 : size));
  if (!r.ok()) throw InputError(SourceLocation{path, 0, 0}, "", r.message());
}

void take_parts(hid_t group, const std::string& prefix, KnownDatasets& known, const std::string& where) {
  writing(where, [&] {
    for (const auto& l : link_names(group, prefix.empty() ? std::string("the root group") : "group '" + prefix + "'")) {
      H5O_info_t info;
      need_ok(H5Oget_info_by_name2(group, l.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT), "object '" + l + "'");
      if (info.type != H5O_TYPE_DATASET) continue;
      const std::string item = "variable '" + prefix + l + "'";
      H::Handle d(need(H5Dopen2(group, l.c_str(), H5P_DEFAULT), item), H5Dclose);
      // A dataset with an entry already is one whose values the writer
      // checksums as it writes them: they come later, and an empty
      // ValuesCrc in their place adds nothing, so the head ends where they
      // would begin. The others' values are read now.
      const auto [it, inserted] = known.try_emplace(prefix + l);
      const ValuesCrc none;
      Crc head, tail;
      head.add(l);
      add_data(head, d.get(), item, inserted ? nullptr : &none);
      add_tail(tail, d.get(), item);
      it->second.parts = DatasetParts{head.value(), tail.value()};
      if (inserted) write_checksum(d.get(), item, dataset_checksum(d.get(), l, item, &it->second), where);
    }
  });
}

void stamp_dataset(hid_t dset, const std::string& path, const KnownDataset& known, const std::string& where) {
  assert(known.parts);
  const std::string item = "variable '" + path + "'";
  const std::string name = path.substr(path.rfind('/') + 1);
  writing(where, [&] { write_checksum(dset, item, dataset_checksum(dset, name, item, &known), where); });
}

void stamp_group(hid_t group, const std::string& path, const std::string& where) {
  const std::string item = group_item(path);
  writing(where, [&] { write_checksum(group, item, group_checksum(group, link_names(group, item), item), where); });
}

void stamp_checksums(hid_t file, const std::string& where, const KnownDatasets& known) {
  writing(where, [&] {
    Walk w;
    w.stamp = true;
    w.where = where;
    w.known = &known;
    w.group(file, "/", 0);
  });
}

}  // namespace detail

FileCheck check_readable(const std::string& path, std::chrono::milliseconds timeout) {
  std::lock_guard lock(detail::library_mutex());
  return detail::check_readable_locked(path, timeout);
}

FileCheck check_readable(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  return check_readable(path, check_timeout(ec ? 0 : size));
}

void require_readable(const std::string& path) {
  std::lock_guard lock(detail::library_mutex());
  detail::require_readable_locked(path);
}

}  // namespace geosim::output
