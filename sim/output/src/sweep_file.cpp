// Sweep files (docs/sweeps.md). The layout mirrors the single-run file with
// a leading `run` dimension: coordinates are dimension scales, data variables
// attach them in order, creation order is tracked, objects use the HDF5 1.8
// format, so xarray (h5netcdf), netCDF-C and h5py read it as one Dataset.
// Data chunks carry Fletcher-32 checksums so that merge notices a corrupt
// shard instead of copying garbage into the result.
#include "geosim/output/sweep_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "geosim/core/error.hpp"
#include "h5.hpp"
#include "netcdf.hpp"
#include "readers.hpp"

namespace geosim::output {

namespace fs = std::filesystem;
namespace H = h5;
using engine::Dim;

std::size_t SweepLayout::size(Dim d) const noexcept {
  switch (d) {
    case Dim::time: return steps;
    case Dim::state:
    case Dim::partner: return states.size();
    case Dim::sector: return sectors.size();
    case Dim::currency: return currencies.size();
    case Dim::route: return std::size(engine::route_labels);
  }
  return 0;
}

std::size_t SweepLayout::row(const engine::VariableInfo& v) const noexcept {
  std::size_t n = 1;
  for (Dim d : v.dims)
    if (d != Dim::time) n *= size(d);
  return n;
}

const char* to_string(RunStatus s) noexcept {
  switch (s) {
    case RunStatus::ok: return "ok";
    case RunStatus::failed: return "failed";
    case RunStatus::invalid: return "invalid";
  }
  return "?";
}

namespace {

std::optional<Dim> dim_from_name(const std::string& s) {
  for (Dim d : engine::all_dims)
    if (s == engine::to_string(d)) return d;
  return std::nullopt;
}

// ------------------------------------------------------------ attributes

void write_list_attr(hid_t obj, const std::string& name, const std::vector<std::string>& values) {
  const std::string what = "cannot write attribute '" + name + "'";
  H::Handle type = H::vlen_utf8_type();
  const hsize_t n = values.size();
  H::Handle space = H::dataspace(n == 0 ? H5Screate(H5S_NULL) : H5Screate_simple(1, &n, nullptr), what);
  H::Handle attr = H::attribute(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), what);
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (n > 0) H::check_status(H5Awrite(attr.get(), type.get(), ptrs.data()), what);
}

/// A 1-D (or scalar, or empty) string attribute as a list; nothing if absent.
std::optional<std::vector<std::string>> read_list_attr(hid_t obj, const std::string& name) {
  if (H5Aexists(obj, name.c_str()) <= 0) return std::nullopt;
  const std::string what = "cannot read attribute '" + name + "'";
  H::Handle attr = H::attribute(H5Aopen(obj, name.c_str(), H5P_DEFAULT), what);
  H::Handle type = H::datatype(H5Aget_type(attr.get()), what);
  if (H5Tget_class(type.get()) != H5T_STRING || H5Tis_variable_str(type.get()) <= 0) return std::nullopt;
  H::Handle space = H::dataspace(H5Aget_space(attr.get()), what);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  std::vector<std::string> out;
  if (n <= 0) return out;
  H::Handle mem = H::vlen_utf8_type();
  std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
  H::check_status(H5Aread(attr.get(), mem.get(), ptrs.data()), what);
  for (char* p : ptrs) out.emplace_back(p != nullptr ? p : "");
  H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
  return out;
}

std::string format_double(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// ------------------------------------------------------------ writing

/// A sweep file being written: header and coordinates at creation,
/// trajectories run by run, per-run variables at close.
class Writer {
 public:
  Writer(const std::string& path, const SweepHeader& header, const std::vector<std::uint32_t>& runs,
         const std::string& shard, int compression)
      : path_(path), header_(header), runs_(runs) {
    H::silence_errors();
    H::Handle fcpl = group_props(H5P_FILE_CREATE);
    H::Handle fapl = H::plist(H5Pcreate(H5P_FILE_ACCESS), where("cannot create file access properties"));
    H::check_status(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_EARLIEST, H5F_LIBVER_V18),
                    where("cannot set library version bounds"));
    file_ = H::file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), where("cannot create sweep file"));
    write_attributes(shard);
    write_coordinates();
    for (const auto& v : header_.layout.variables) create_trajectory(v, compression);
    for (auto& s : scales_) s.reset();
  }

  /// Writes one run's values of variable `var` (steps × row, time-major) at run index `index`.
  void write_trajectory(std::size_t var, std::size_t index, const double* values) {
    const auto& v = traj_[var];
    if (v.row == 0 || header_.layout.steps == 0) return;
    const std::string what = where("cannot write variable '" + v.name + "'");
    std::vector<hsize_t> start(v.dims.size(), 0), count = v.dims;
    start[0] = index;
    count[0] = 1;
    H::Handle file_space = H::dataspace(H5Dget_space(v.dset.get()), what);
    H::check_status(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr), what);
    // The memory space has the selection's shape: against a flat one HDF5
    // matches the two selections element by element (H5S_select_iterate
    // was a tenth of a sweep's CPU time).
    H::Handle mem_space = H::dataspace(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), what);
    H::check_status(H5Dwrite(v.dset.get(), H5T_NATIVE_DOUBLE, mem_space.get(), file_space.get(), H5P_DEFAULT, values), what);
  }

  /// Writes the per-run variables (rows in the order of `runs`) and closes the file.
  void finish(const std::vector<RunRecord>& rows) {
    const std::size_t n = runs_.size();
    std::vector<std::uint64_t> seed(n);
    std::vector<std::uint32_t> replicate(n);
    std::vector<std::uint8_t> status(n);
    std::vector<std::string> error(n), overrides(n);
    std::vector<std::int32_t> matrix(n), sample(n);
    for (std::size_t i = 0; i < n; ++i) {
      seed[i] = rows[i].seed;
      replicate[i] = rows[i].replicate;
      status[i] = static_cast<std::uint8_t>(rows[i].status);
      error[i] = rows[i].error;
      overrides[i] = rows[i].overrides;
      matrix[i] = rows[i].sobol_matrix;
      sample[i] = rows[i].sobol_sample;
    }
    {
      H::Handle d = column("seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, seed.data());
      H::write_attr(d.get(), "long_name", std::string("seed of the run's random streams, derived from the master seed and the run id"));
    }
    {
      H::Handle d = column("replicate", H5T_STD_U32LE, H5T_NATIVE_UINT32, replicate.data());
      H::write_attr(d.get(), "long_name", std::string("replicate index of the run's parameter point"));
    }
    {
      H::Handle d = column("status", H5T_STD_U8LE, H5T_NATIVE_UINT8, status.data());
      H::write_attr(d.get(), "long_name", std::string("outcome of the run"));
      H::write_attr(d.get(), "flag_values", std::vector<std::uint8_t>{0, 1, 2});
      H::write_attr(d.get(), "flag_meanings", std::string("ok failed invalid"));
    }
    {
      H::Handle d = string_column("error", error);
      H::write_attr(d.get(), "long_name", std::string("error message of a failed or invalid run; empty when ok"));
    }
    {
      H::Handle d = string_column("overrides", overrides);
      H::write_attr(d.get(), "long_name", std::string("the run's scenario overrides, one key.path=value per line"));
    }
    for (std::size_t p = 0; p < header_.parameters.size(); ++p) {
      const auto& info = header_.parameters[p];
      const std::string name = "param_" + info.name;
      H::Handle d;
      if (info.numeric) {
        std::vector<double> v(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = std::strtod(rows[i].values[p].c_str(), nullptr);
        d = column(name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data());
      } else {
        std::vector<std::string> v(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = rows[i].values[p];
        d = string_column(name, v);
      }
      H::write_attr(d.get(), "key_path", info.key_path);
      H::write_attr(d.get(), "long_name", "sweep parameter " + info.key_path);
    }
    if (!header_.sobol_parameters.empty()) {
      H::Handle m = column("sobol_matrix", H5T_STD_I32LE, H5T_NATIVE_INT32, matrix.data());
      H::write_attr(m.get(), "long_name", std::string("Saltelli matrix of the run: 0 = A, 1 = B, 2 + i = AB_i"));
      H::Handle s = column("sobol_sample", H5T_STD_I32LE, H5T_NATIVE_INT32, sample.data());
      H::write_attr(s.get(), "long_name", std::string("base sample index n of the run in the Saltelli design"));
    }
    traj_.clear();
    run_scale_.reset();
    detail::stamp_checksums(file_.get(), path_);
    H::check_status(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), where("cannot flush sweep file"));
    file_.close(where("cannot close sweep file"));
  }

 private:
  struct Trajectory {
    std::string name;
    H::Handle dset;
    std::vector<hsize_t> dims;  ///< run, time, ...
    std::size_t row = 1;
  };

  std::string where(const std::string& what) const { return path_ + ": " + what; }

  void write_attributes(const std::string& shard) {
    const hid_t root = file_.get();
    output::write_attributes(root, convention_attributes());
    H::write_attr(root, "title", "geosim sweep: " + header_.name);
    H::write_attr(root, "institution", std::string("geosim"));
    H::write_attr(root, "source", std::string("geosim ") + geosim::version() + " (" + geosim::git_commit() + ")");
    H::write_attr(root, "sweep_name", header_.name);
    H::write_attr(root, "sweep", header_.sweep_yaml);
    H::write_attr(root, "scenario", header_.scenario_yaml);
    H::write_attr(root, "sweep_fingerprint", header_.fingerprint);
    H::write_attr(root, "master_seed", header_.master_seed);
    H::write_attr(root, "planned_runs", header_.planned_runs);
    std::vector<std::string> names, vars;
    for (const auto& p : header_.parameters) names.push_back(p.name);
    for (const auto& v : header_.layout.variables) vars.push_back(v.name);
    write_list_attr(root, "parameters", names);
    write_list_attr(root, "run_variables", vars);
    if (!header_.sobol_parameters.empty()) write_list_attr(root, "sobol_parameters", header_.sobol_parameters);
    if (!shard.empty()) H::write_attr(root, "shard", shard);
    H::write_attr(root, "start_month", header_.layout.start.str());
    H::write_attr(root, "geosim_version", std::string(geosim::version()));
    H::write_attr(root, "git_commit", std::string(geosim::git_commit()));
  }

  H::Handle scale(const char* name, hid_t file_type, hid_t mem_type, hsize_t n, const void* data) {
    const std::string what = where(std::string("cannot write coordinate '") + name + "'");
    H::Handle space = H::dataspace(H5Screate_simple(1, &n, nullptr), what);
    H::Handle dcpl = dataset_props();
    H::Handle ds = H::dataset(H5Dcreate2(file_.get(), name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), what);
    if (n > 0) H::check_status(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), what);
    H::check_status(H5DSset_scale(ds.get(), name), what);
    return ds;
  }

  H::Handle labels(const char* name, const std::vector<std::string>& values) {
    H::Handle type = H::vlen_utf8_type();
    std::vector<const char*> ptrs;
    for (const auto& l : values) ptrs.push_back(l.c_str());
    return scale(name, type.get(), type.get(), values.size(), ptrs.data());
  }

  void write_coordinates() {
    const auto& L = header_.layout;
    run_scale_ = scale("run", H5T_STD_U32LE, H5T_NATIVE_UINT32, runs_.size(), runs_.data());
    H::write_attr(run_scale_.get(), "long_name", std::string("run id within the sweep (see docs/sweeps.md)"));
    const std::vector<double> days = time_values(L.start, L.steps);
    H::Handle time = scale("time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, L.steps, days.data());
    output::write_attributes(time.get(), time_attributes(L.start, true));
    write_time_bounds(file_.get(), time.get(), L.start, L.steps, where(std::string("cannot write '") + time_bounds_name + "'"));
    scales_[static_cast<std::size_t>(Dim::time)] = std::move(time);

    std::vector<std::string> routes(std::begin(engine::route_labels), std::end(engine::route_labels));
    bool route_used = false;
    for (const auto& v : L.variables)
      for (Dim d : v.dims) route_used = route_used || d == Dim::route;
    for (Dim d : engine::all_dims) {
      if (d == Dim::time || (d == Dim::route && !route_used)) continue;
      const auto& values = d == Dim::sector ? L.sectors : d == Dim::currency ? L.currencies : d == Dim::route ? routes : L.states;
      H::Handle ds = labels(engine::to_string(d), values);
      H::write_attr(ds.get(), "long_name", std::string(dim_long_name(d)));
      scales_[static_cast<std::size_t>(d)] = std::move(ds);
    }
  }

  void create_trajectory(const engine::VariableInfo& vi, int compression) {
    const std::string what = where("cannot create variable '" + vi.name + "'");
    Trajectory t;
    t.name = vi.name;
    t.dims.push_back(runs_.size());
    std::vector<hsize_t> chunk{1};
    for (Dim d : vi.dims) {
      const hsize_t n = header_.layout.size(d);
      t.dims.push_back(n);
      chunk.push_back(d == Dim::time ? std::min<hsize_t>(n, 12) : n);
      if (d != Dim::time) t.row *= n;
    }
    H::Handle space = H::dataspace(H5Screate_simple(static_cast<int>(t.dims.size()), t.dims.data(), nullptr), what);
    H::Handle dcpl = dataset_props();
    const bool empty = std::any_of(t.dims.begin(), t.dims.end(), [](hsize_t n) { return n == 0; });
    if (!empty) {
      for (auto& c : chunk) c = std::max<hsize_t>(c, 1);
      H::check_status(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), what);
      H::check_status(H5Pset_fletcher32(dcpl.get()), what + ": cannot enable checksums");
      if (compression > 0) {
        H::check_status(H5Pset_shuffle(dcpl.get()), what);
        H::check_status(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(compression)), what);
      }
    }
    const double fill = std::numeric_limits<double>::quiet_NaN();
    H::check_status(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &fill), what);
    t.dset = H::dataset(H5Dcreate2(file_.get(), vi.name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), what);
    H::write_attr(t.dset.get(), "_FillValue", fill);
    output::write_attributes(t.dset.get(), variable_attributes(vi));
    H::check_status(H5DSattach_scale(t.dset.get(), run_scale_.get(), 0), what + ": cannot attach dimension 'run'");
    for (std::size_t i = 0; i < vi.dims.size(); ++i)
      H::check_status(H5DSattach_scale(t.dset.get(), scales_[static_cast<std::size_t>(vi.dims[i])].get(), static_cast<unsigned>(i + 1)),
                      what + ": cannot attach dimension '" + engine::to_string(vi.dims[i]) + "'");
    traj_.push_back(std::move(t));
  }

  H::Handle column(const std::string& name, hid_t file_type, hid_t mem_type, const void* data) {
    const std::string what = where("cannot write variable '" + name + "'");
    const hsize_t n = runs_.size();
    H::Handle space = H::dataspace(H5Screate_simple(1, &n, nullptr), what);
    H::Handle dcpl = dataset_props();
    H::Handle ds = H::dataset(H5Dcreate2(file_.get(), name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), what);
    if (n > 0) H::check_status(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), what);
    H::check_status(H5DSattach_scale(ds.get(), run_scale_.get(), 0), what + ": cannot attach dimension 'run'");
    return ds;
  }

  H::Handle string_column(const std::string& name, const std::vector<std::string>& values) {
    H::Handle type = H::vlen_utf8_type();
    std::vector<const char*> ptrs;
    for (const auto& v : values) ptrs.push_back(v.c_str());
    return column(name, type.get(), type.get(), ptrs.data());
  }

  std::string path_;
  const SweepHeader& header_;
  std::vector<std::uint32_t> runs_;
  H::Handle file_;
  H::Handle run_scale_;
  std::array<H::Handle, std::size(engine::all_dims)> scales_;
  std::vector<Trajectory> traj_;
};

// ------------------------------------------------------------ reading

[[noreturn]] void bad_input(const std::string& path, const std::string& what) {
  throw InputError(SourceLocation{path, 0, 0}, "", what);
}

/// An input sweep file: its header, its runs and per-run rows (no trajectories).
struct Input {
  std::string path;
  SweepHeader header;
  std::string shard;
  std::vector<std::uint32_t> runs;
  std::vector<RunRecord> rows;
};

H::Handle open_file(const std::string& path) {
  H::silence_errors();
  std::error_code ec;
  if (!fs::exists(path, ec)) bad_input(path, "no such file");
  if (!fs::is_regular_file(path, ec)) bad_input(path, "not a regular file");
  const htri_t is_h5 = H5Fis_hdf5(path.c_str());
  if (is_h5 <= 0) {
    H::take_error_stack();
    bad_input(path, "not an HDF5 file (is it a geosim sweep file, or was it cut short?)");
  }
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) bad_input(path, "cannot open: the file is truncated or corrupt (" + H::take_error_stack() + ")");
  return H::Handle(id, H5Fclose);
}

/// Runs `f`, turning any HDF5 failure into an InputError about the file.
template <class F>
auto guarded(const std::string& path, const std::string& what, F&& f) {
  try {
    return f();
  } catch (const EnvironmentError& e) {
    bad_input(path, what + ": the file is truncated or corrupt (" + e.what() + ")");
  }
}

H::Handle open_dataset(hid_t file, const std::string& path, const std::string& name) {
  if (H5Lexists(file, name.c_str(), H5P_DEFAULT) <= 0) {
    H::take_error_stack();
    bad_input(path, "not a complete geosim sweep file: variable '" + name + "' is missing");
  }
  return H::dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT), "cannot open variable '" + name + "'");
}

template <class T>
std::vector<T> read_column(hid_t file, const std::string& path, const std::string& name, hid_t mem_type, std::size_t n) {
  H::Handle d = open_dataset(file, path, name);
  const auto dims = H::shape(d.get(), name);
  if (dims.size() != 1 || dims[0] != n)
    bad_input(path, "variable '" + name + "' has the wrong shape; expected one value per run");
  std::vector<T> out(n);
  if (n > 0) H::check_status(H5Dread(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "cannot read '" + name + "'");
  return out;
}

std::vector<std::string> read_string_column(hid_t file, const std::string& path, const std::string& name, std::size_t n) {
  H::Handle d = open_dataset(file, path, name);
  auto out = H::read_strings(d.get(), "cannot read '" + name + "'");
  if (out.size() != n) bad_input(path, "variable '" + name + "' has the wrong shape; expected one value per run");
  return out;
}

herr_t scale_name_cb(hid_t /*did*/, unsigned /*dim*/, hid_t dsid, void* data) {
  char buf[64] = {0};
  if (H5DSget_scale_name(dsid, buf, sizeof buf) < 0) return -1;
  *static_cast<std::string*>(data) = buf;
  return 1;
}

std::string attached_scale(hid_t dset, unsigned dim) {
  std::string name;
  if (H5DSiterate_scales(dset, dim, nullptr, scale_name_cb, &name) < 0) H::take_error_stack();
  return name;
}

Input read_input(const std::string& path) {
  H::Handle f = open_file(path);
  const hid_t root = f.get();
  Input in;
  in.path = path;
  auto& h = in.header;
  return guarded(path, "cannot read", [&]() -> Input {
    if (!H::read_string_attr(root, "geosim_version")) bad_input(path, "not a geosim file (no 'geosim_version' attribute)");
    const auto fp = H::read_string_attr(root, "sweep_fingerprint");
    if (!fp) bad_input(path, "not a geosim sweep file (no 'sweep_fingerprint' attribute; a single-run file?)");
    h.fingerprint = *fp;
    h.name = H::read_string_attr(root, "sweep_name").value_or("");
    h.sweep_yaml = H::read_string_attr(root, "sweep").value_or("");
    h.scenario_yaml = H::read_string_attr(root, "scenario").value_or("");
    in.shard = H::read_string_attr(root, "shard").value_or("");
    const auto seed = H::read_uint_attr(root, "master_seed");
    const auto planned = H::read_uint_attr(root, "planned_runs");
    const auto params = read_list_attr(root, "parameters");
    const auto vars = read_list_attr(root, "run_variables");
    const auto start = H::read_string_attr(root, "start_month");
    if (!seed || !planned || !params || !vars || !start)
      bad_input(path, "not a complete geosim sweep file (missing global attributes)");
    h.master_seed = *seed;
    h.planned_runs = static_cast<std::uint32_t>(*planned);
    h.sobol_parameters = read_list_attr(root, "sobol_parameters").value_or(std::vector<std::string>{});
    const auto start_date = parse_date(*start);
    if (!start_date) bad_input(path, "attribute start_month '" + *start + "' is not a month");
    h.layout.start = start_date->as_month();

    // run coordinate
    {
      H::Handle d = open_dataset(root, path, "run");
      const auto dims = H::shape(d.get(), "run");
      if (dims.size() != 1) bad_input(path, "coordinate 'run' is not one-dimensional");
      in.runs.resize(dims[0]);
      if (dims[0] > 0)
        H::check_status(H5Dread(d.get(), H5T_NATIVE_UINT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, in.runs.data()), "cannot read 'run'");
    }
    for (std::size_t i = 0; i < in.runs.size(); ++i) {
      if (in.runs[i] >= h.planned_runs)
        bad_input(path, "run id " + std::to_string(in.runs[i]) + " is outside the sweep's " +
                            std::to_string(h.planned_runs) + " runs");
      if (i > 0 && in.runs[i] <= in.runs[i - 1]) bad_input(path, "run ids are not increasing");
    }
    const std::size_t n = in.runs.size();
    {
      H::Handle d = open_dataset(root, path, "time");
      h.layout.steps = H::shape(d.get(), "time").at(0);
    }
    const auto labels = [&](const char* name) {
      H::Handle d = open_dataset(root, path, name);
      return H::read_strings(d.get(), std::string("cannot read '") + name + "'");
    };
    h.layout.states = labels("state");
    h.layout.sectors = labels("sector");
    h.layout.currencies = labels("currency");
    for (const auto& name : *vars) {
      H::Handle d = open_dataset(root, path, name);
      engine::VariableInfo vi;
      vi.name = name;
      vi.units = H::read_string_attr(d.get(), "units").value_or("");
      vi.long_name = H::read_string_attr(d.get(), "long_name").value_or("");
      const auto dims = H::shape(d.get(), name);
      if (dims.size() < 2 || dims[0] != n) bad_input(path, "variable '" + name + "' does not have one row per run");
      if (attached_scale(d.get(), 0) != "run") bad_input(path, "variable '" + name + "' does not start with dimension 'run'");
      for (unsigned i = 1; i < dims.size(); ++i) {
        const auto dim = dim_from_name(attached_scale(d.get(), i));
        if (!dim) bad_input(path, "variable '" + name + "' has an unknown dimension " + std::to_string(i));
        vi.dims.push_back(*dim);
      }
      if (vi.dims.front() != Dim::time) bad_input(path, "variable '" + name + "' has no time dimension after 'run'");
      for (std::size_t i = 0; i < vi.dims.size(); ++i)
        if (dims[i + 1] != h.layout.size(vi.dims[i]))
          bad_input(path, "variable '" + name + "' does not match the size of its dimension '" + engine::to_string(vi.dims[i]) + "'");
      h.layout.variables.push_back(std::move(vi));
    }

    in.rows.resize(n);
    const auto seeds = read_column<std::uint64_t>(root, path, "seed", H5T_NATIVE_UINT64, n);
    const auto reps = read_column<std::uint32_t>(root, path, "replicate", H5T_NATIVE_UINT32, n);
    const auto status = read_column<std::uint8_t>(root, path, "status", H5T_NATIVE_UINT8, n);
    const auto errors = read_string_column(root, path, "error", n);
    const auto overrides = read_string_column(root, path, "overrides", n);
    for (std::size_t i = 0; i < n; ++i) {
      auto& r = in.rows[i];
      r.run = in.runs[i];
      r.seed = seeds[i];
      r.replicate = reps[i];
      if (status[i] > 2) bad_input(path, "run " + std::to_string(r.run) + " has an unknown status " + std::to_string(status[i]));
      r.status = static_cast<RunStatus>(status[i]);
      r.error = errors[i];
      r.overrides = overrides[i];
      r.values.resize(params->size());
    }
    for (std::size_t p = 0; p < params->size(); ++p) {
      const std::string var = "param_" + (*params)[p];
      SweepParameterInfo info;
      info.name = (*params)[p];
      H::Handle d = open_dataset(root, path, var);
      info.key_path = H::read_string_attr(d.get(), "key_path").value_or("");
      H::Handle type = H::datatype(H5Dget_type(d.get()), "cannot read '" + var + "'");
      info.numeric = H5Tget_class(type.get()) != H5T_STRING;
      d.reset();
      if (info.numeric) {
        const auto v = read_column<double>(root, path, var, H5T_NATIVE_DOUBLE, n);
        for (std::size_t i = 0; i < n; ++i) in.rows[i].values[p] = format_double(v[i]);
      } else {
        const auto v = read_string_column(root, path, var, n);
        for (std::size_t i = 0; i < n; ++i) in.rows[i].values[p] = v[i];
      }
      h.parameters.push_back(std::move(info));
    }
    if (!h.sobol_parameters.empty()) {
      const auto m = read_column<std::int32_t>(root, path, "sobol_matrix", H5T_NATIVE_INT32, n);
      const auto s = read_column<std::int32_t>(root, path, "sobol_sample", H5T_NATIVE_INT32, n);
      for (std::size_t i = 0; i < n; ++i) {
        in.rows[i].sobol_matrix = m[i];
        in.rows[i].sobol_sample = s[i];
      }
    }
    return std::move(in);
  });
}

bool same_layout(const SweepLayout& a, const SweepLayout& b) {
  if (a.start != b.start || a.steps != b.steps || a.states != b.states || a.sectors != b.sectors ||
      a.currencies != b.currencies || a.variables.size() != b.variables.size())
    return false;
  for (std::size_t i = 0; i < a.variables.size(); ++i)
    if (a.variables[i].name != b.variables[i].name || a.variables[i].dims != b.variables[i].dims) return false;
  return true;
}

/// Reads run `index` of variable `var` from an open input into `out`.
void read_trajectory(hid_t file, const Input& in, std::size_t var, std::size_t index, std::vector<double>& out) {
  const auto& vi = in.header.layout.variables[var];
  const std::size_t row = in.header.layout.row(vi);
  out.assign(in.header.layout.steps * row, 0.0);
  if (out.empty()) return;
  guarded(in.path, "cannot read variable '" + vi.name + "' of run " + std::to_string(in.runs[index]), [&] {
    H::Handle d = H::dataset(H5Dopen2(file, vi.name.c_str(), H5P_DEFAULT), "cannot open");
    H::Handle space = H::dataspace(H5Dget_space(d.get()), "cannot read");
    std::vector<hsize_t> start(vi.dims.size() + 1, 0), count(vi.dims.size() + 1, 1);
    start[0] = index;
    for (std::size_t i = 0; i < vi.dims.size(); ++i) count[i + 1] = in.header.layout.size(vi.dims[i]);
    H::check_status(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr), "cannot select");
    // The selection's shape, as in Writer::write_trajectory.
    H::Handle mem = H::dataspace(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), "cannot read");
    H::check_status(H5Dread(d.get(), H5T_NATIVE_DOUBLE, mem.get(), space.get(), H5P_DEFAULT, out.data()), "read failed");
    return 0;
  });
}

std::string temporary_beside(const std::string& out) { return out + ".tmp-" + std::to_string(::getpid()); }

}  // namespace

void write_run_file(const std::string& path, const SweepHeader& header, const RunRecord& run) {
  std::lock_guard lock(detail::library_mutex());
  // Parts live until the merge: no deflate, which costs more than the disk it saves.
  Writer w(path, header, {run.run}, "", 0);
  if (run.status == RunStatus::ok)
    for (std::size_t v = 0; v < header.layout.variables.size(); ++v) {
      if (run.data.at(v).size() != header.layout.steps * header.layout.row(header.layout.variables[v]))
        throw std::logic_error("write_run_file: variable '" + header.layout.variables[v].name + "' has the wrong size");
      w.write_trajectory(v, 0, run.data[v].data());
    }
  RunRecord row = run;
  row.data.clear();
  w.finish({row});
}

SweepFileSummary inspect_sweep_file(const std::string& path) {
  std::lock_guard lock(detail::library_mutex());
  detail::require_readable_locked(path);
  Input in = read_input(path);
  SweepFileSummary s;
  s.fingerprint = in.header.fingerprint;
  s.planned_runs = in.header.planned_runs;
  s.runs = in.runs;
  s.shard = in.shard;
  for (const auto& r : in.rows) s.status.push_back(r.status);
  return s;
}

void detail::read_sweep_file_unchecked(const std::string& path) { read_input(path); }

void merge_sweep_files(const std::vector<std::string>& inputs, const std::string& out, const MergeOptions& options) {
  std::lock_guard lock(detail::library_mutex());
  if (inputs.empty()) throw InputError({}, "", "no sweep files to merge");
  if (options.compression < 0 || options.compression > 9)
    throw InputError({}, "compression", std::to_string(options.compression) + " is outside [0, 9]");

  // Read and check every input's identity before writing anything.
  std::vector<Input> ins;
  ins.reserve(inputs.size());
  std::map<std::uint32_t, std::pair<std::size_t, std::size_t>> where;  // run -> (input, index)
  for (const auto& path : inputs) {
    detail::require_readable_locked(path);
    Input in = read_input(path);
    in.header.sweep_yaml.shrink_to_fit();
    const std::string& expected = options.expected_fingerprint.empty() ? (ins.empty() ? in.header.fingerprint : ins.front().header.fingerprint)
                                                                       : options.expected_fingerprint;
    if (in.header.fingerprint != expected)
      bad_input(path, "belongs to another sweep (fingerprint " + in.header.fingerprint + ", expected " + expected +
                          (ins.empty() ? std::string() : " as in " + ins.front().path) + ")");
    if (!ins.empty() && (!same_layout(in.header.layout, ins.front().header.layout) ||
                         in.header.planned_runs != ins.front().header.planned_runs))
      bad_input(path, "has the sweep's fingerprint but not its layout; the file is corrupt");
    const std::size_t k = ins.size();
    for (std::size_t i = 0; i < in.runs.size(); ++i) {
      const auto [it, fresh] = where.emplace(in.runs[i], std::make_pair(k, i));
      if (!fresh)
        bad_input(path, "run " + std::to_string(in.runs[i]) + " is also in " + ins[it->second.first].path +
                            "; each run must come from one file");
    }
    // Only the first input's header is kept in full; the others only need their runs.
    if (k > 0) {
      in.header.sweep_yaml.clear();
      in.header.scenario_yaml.clear();
    }
    ins.push_back(std::move(in));
  }
  const SweepHeader& header = ins.front().header;

  std::vector<std::uint32_t> runs = options.expected_runs;
  if (runs.empty())
    for (std::uint32_t r = 0; r < header.planned_runs; ++r) runs.push_back(r);
  {
    std::vector<std::uint32_t> missing;
    for (auto r : runs)
      if (!where.count(r)) missing.push_back(r);
    if (!missing.empty()) {
      std::string list;
      for (std::size_t i = 0; i < missing.size() && i < 20; ++i) list += (i ? ", " : "") + std::to_string(missing[i]);
      if (missing.size() > 20) list += ", ...";
      bad_input(inputs.front(), std::to_string(missing.size()) + " of the sweep's runs are in none of the files given: " + list);
    }
    const std::set<std::uint32_t> wanted(runs.begin(), runs.end());
    for (const auto& [r, loc] : where)
      if (!wanted.count(r))
        bad_input(ins[loc.first].path, "holds run " + std::to_string(r) + ", which does not belong in this output");
  }

  const std::string tmp = temporary_beside(out);
  try {
    Writer w(tmp, header, runs, options.shard, options.compression);
    std::vector<RunRecord> rows;
    rows.reserve(runs.size());
    std::vector<double> buf;
    // Keep a few inputs open: shards are visited round-robin, parts once each.
    std::map<std::size_t, H::Handle> open;
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const auto [k, index] = where.at(runs[i]);
      const Input& in = ins[k];
      RunRecord row = in.rows[index];
      if (row.status == RunStatus::ok) {
        auto it = open.find(k);
        if (it == open.end()) {
          if (open.size() >= 16) open.clear();
          it = open.emplace(k, open_file(in.path)).first;
        }
        for (std::size_t v = 0; v < header.layout.variables.size(); ++v) {
          read_trajectory(it->second.get(), in, v, index, buf);
          w.write_trajectory(v, i, buf.data());
        }
        // A part is read once: close it now, or open files' caches add up with the number of runs.
        if (in.runs.size() == 1) open.erase(it);
      }
      if (in.header.parameters.size() != header.parameters.size())
        bad_input(in.path, "has a different number of parameters; the file is corrupt");
      rows.push_back(std::move(row));
    }
    open.clear();
    w.finish(rows);
    std::error_code ec;
    fs::rename(tmp, out, ec);
    if (ec) throw EnvironmentError(out + ": cannot move the merged file into place: " + ec.message());
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
}

}  // namespace geosim::output
