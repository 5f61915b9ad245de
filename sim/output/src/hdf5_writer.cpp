// The HDF5 observer. The file follows the netCDF-4 data model so that
// netCDF-C, xarray (h5netcdf) and plain h5py all read it: every dimension is
// a 1-D coordinate dataset marked as an HDF5 dimension scale, data variables
// attach their scales in dimension order, and link and attribute creation
// order are tracked on every group and dataset (netCDF-C requires it).
#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include <zlib.h>

#include "geosim/core/error.hpp"
#include "geosim/output/hdf5.hpp"
#include "checkpoint_io.hpp"
#include "chunk_pipeline.hpp"
#include "h5.hpp"
#include "netcdf.hpp"
#include "readers.hpp"

namespace geosim::output {

namespace {

using engine::Dim;
namespace H = h5;

enum class Filters : bool { deflate, shuffle_deflate };

/// Chunks of `chunk` (clamped to the extent) and deflate, after shuffle if
/// asked; contiguous when the dataset is empty, since HDF5 rejects chunks
/// larger than a fixed extent. Returns the chunk dimensions (none: contiguous).
std::vector<hsize_t> set_layout(hid_t dcpl, const std::vector<hsize_t>& dims, const std::vector<hsize_t>& chunk,
                                int compression, Filters filters) {
  const bool empty = std::any_of(dims.begin(), dims.end(), [](hsize_t n) { return n == 0; });
  if (empty || dims.empty()) return {};
  std::vector<hsize_t> c(dims.size());
  for (std::size_t i = 0; i < dims.size(); ++i) c[i] = std::clamp<hsize_t>(chunk[i], 1, dims[i]);
  H::check_status(H5Pset_chunk(dcpl, static_cast<int>(c.size()), c.data()), "cannot set chunking");
  if (compression > 0) {
    if (filters == Filters::shuffle_deflate) H::check_status(H5Pset_shuffle(dcpl), "cannot enable the shuffle filter");
    H::check_status(H5Pset_deflate(dcpl, static_cast<unsigned>(compression)), "cannot enable deflate compression");
  }
  return c;
}

struct Variable {
  engine::VariableInfo info;
  H::Handle dset;
  std::vector<hsize_t> dims;  ///< full extent, time first
  std::size_t row = 1;        ///< elements per time step
  std::size_t chunk_rows = 0; ///< time steps per chunk (0: not chunked, nothing to write)
  std::vector<double> block;  ///< time_chunk rows, row-major
  detail::ValuesCrc* crc = nullptr;  ///< of the values written so far
};

class Hdf5Writer final : public engine::Observer {
 public:
  explicit Hdf5Writer(const WriterOptions& options);
  ~Hdf5Writer() override = default;

  void begin(const engine::RunInfo& info) override;
  void record(const engine::StepRecord& record) override;
  void snapshot(const engine::FirmSnapshot& snap) override;
  void checkpoint(const engine::Checkpoint& cp) override {
    detail::write_checkpoint(file_.get(), cp, scenario_, options_.compression, options_.path);
  }
  void end(const engine::RunSummary& summary) override;

 private:
  void write_global_attributes(const engine::RunInfo& info);
  void write_coordinates(const engine::RunInfo& info, const std::vector<bool>& used);
  H::Handle write_labels(const char* name, const std::vector<std::string>& labels, const char* long_name);
  void create_variable(const engine::VariableInfo& vi, const std::vector<std::size_t>& dim_sizes);
  void flush_block();
  template <class T>
  void write_column(hid_t group, const std::string& path, const char* name, hid_t file_type,
                    std::span<const T> values, hid_t firm_scale, const char* units, const char* long_name,
                    const std::string& what_prefix);
  std::string where(const std::string& what) const { return options_.path + ": " + what; }

  WriterOptions options_;
  H::Handle file_;
  std::array<H::Handle, std::size(engine::all_dims)> scales_;  ///< open until the variables are attached
  std::vector<Variable> vars_;
  Month start_;                  ///< month of time index 0
  std::string scenario_;         ///< the resolved scenario, for a checkpoint
  std::size_t steps_ = 0;        ///< time extent
  std::size_t block_start_ = 0;  ///< time index of block row 0
  std::size_t buffered_ = 0;     ///< rows in the block
  bool ended_ = false;
  H::Handle snapshots_;
  /// CRCs of the values written (variables and snapshot columns), so that
  /// the checksums at the end need not read them back.
  detail::KnownValues known_;
  std::unique_ptr<detail::ChunkPipeline> pipeline_;  ///< the variables' chunks; last: goes first
};

Hdf5Writer::Hdf5Writer(const WriterOptions& options) : options_(options) {
  if (options_.time_chunk < 1)
    throw InputError({}, "time_chunk", std::to_string(options_.time_chunk) + " is not a positive number of steps");
  if (options_.compression < 0 || options_.compression > 9)
    throw InputError({}, "compression", std::to_string(options_.compression) + " is outside [0, 9]");
  H::silence_errors();
  // Create the file now so that an unwritable path fails before a long run.
  H::Handle fcpl = group_props(H5P_FILE_CREATE);
  H::Handle fapl = H::plist(H5Pcreate(H5P_FILE_ACCESS), where("cannot create file access properties"));
  // Objects readable by HDF5 1.8 (and so by every netCDF-C >= 4.1).
  H::check_status(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_EARLIEST, H5F_LIBVER_V18),
                  where("cannot set library version bounds"));
  file_ = H::file(H5Fcreate(options_.path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
                  where("cannot create output file"));
}

void Hdf5Writer::begin(const engine::RunInfo& info) {
  assert(info.spec != nullptr);
  assert(info.dim_sizes.size() == std::size(engine::all_dims));
  if (info.spec == nullptr || info.dim_sizes.size() != std::size(engine::all_dims))
    throw std::logic_error("Hdf5Writer::begin: RunInfo without spec or dim_sizes");
  steps_ = info.dim_sizes[static_cast<std::size_t>(Dim::time)];
  start_ = info.spec->start;
  scenario_ = info.spec->resolved_yaml;

  std::vector<bool> used(std::size(engine::all_dims), false);
  for (Dim d : {Dim::time, Dim::state, Dim::partner, Dim::sector, Dim::currency}) used[static_cast<std::size_t>(d)] = true;
  for (const auto& v : info.variables)
    for (Dim d : v.dims) used[static_cast<std::size_t>(d)] = true;

  pipeline_ = std::make_unique<detail::ChunkPipeline>(info.threads, options_.pending_bytes, where("cannot write data"));
  write_global_attributes(info);
  write_coordinates(info, used);
  vars_.reserve(info.variables.size());
  for (const auto& v : info.variables) create_variable(v, info.dim_sizes);
  for (auto& s : scales_) s.reset();
}

void Hdf5Writer::write_global_attributes(const engine::RunInfo& info) {
  write_attributes(file_.get(), run_attributes(info, options_.history));
}

H::Handle Hdf5Writer::write_labels(const char* name, const std::vector<std::string>& labels,
                                   const char* long_name) {
  const std::string what = where(std::string("cannot write coordinate '") + name + "'");
  H::Handle type = H::vlen_utf8_type();
  const hsize_t n = labels.size();
  H::Handle space = H::dataspace(H5Screate_simple(1, &n, nullptr), what);
  H::Handle dcpl = dataset_props();
  H::Handle ds = H::dataset(H5Dcreate2(file_.get(), name, type.get(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), what);
  std::vector<const char*> ptrs;
  ptrs.reserve(labels.size());
  for (const auto& l : labels) ptrs.push_back(l.c_str());
  if (n > 0) H::check_status(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), what);
  H::check_status(H5DSset_scale(ds.get(), name), what);
  H::write_attr(ds.get(), "long_name", std::string(long_name));
  return ds;
}

void Hdf5Writer::write_coordinates(const engine::RunInfo& info, const std::vector<bool>& used) {
  const auto& spec = *info.spec;
  const auto size_of = [&](Dim d) { return info.dim_sizes[static_cast<std::size_t>(d)]; };

  // time: days since the first day of the start month, CF style, with the
  // month each step stands for as its bounds.
  {
    const std::string what = where("cannot write coordinate 'time'");
    const hsize_t n = steps_;
    const std::vector<double> days = time_values(spec.start, steps_);
    H::Handle space = H::dataspace(H5Screate_simple(1, &n, nullptr), what);
    H::Handle dcpl = dataset_props();
    H::Handle ds = H::dataset(H5Dcreate2(file_.get(), "time", H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), what);
    if (n > 0) H::check_status(H5Dwrite(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, days.data()), what);
    H::check_status(H5DSset_scale(ds.get(), "time"), what);
    write_attributes(ds.get(), time_attributes(spec.start, true));
    write_time_bounds(file_.get(), ds.get(), spec.start, steps_, where(std::string("cannot write '") + time_bounds_name + "'"));
    scales_[static_cast<std::size_t>(Dim::time)] = std::move(ds);
  }

  std::vector<std::string> states, sectors, currencies, routes;
  for (const auto& s : spec.states) states.push_back(s.code);
  for (const auto& s : spec.sectors) sectors.push_back(s.code);
  for (const auto& c : spec.currencies) currencies.push_back(c.code);
  for (const char* r : engine::route_labels) routes.emplace_back(r);

  const auto labels_of = [&](Dim d) -> const std::vector<std::string>& {
    switch (d) {
      case Dim::state:
      case Dim::partner: return states;
      case Dim::sector: return sectors;
      case Dim::currency: return currencies;
      default: return routes;
    }
  };
  for (Dim d : engine::all_dims) {
    if (d == Dim::time || !used[static_cast<std::size_t>(d)]) continue;
    const auto& labels = labels_of(d);
    assert(labels.size() == size_of(d));
    if (labels.size() != size_of(d))
      throw std::logic_error(std::string("Hdf5Writer: dim_sizes of '") + engine::to_string(d) +
                             "' does not match the scenario's labels");
    scales_[static_cast<std::size_t>(d)] = write_labels(engine::to_string(d), labels, dim_long_name(d));
  }
}

void Hdf5Writer::create_variable(const engine::VariableInfo& vi, const std::vector<std::size_t>& dim_sizes) {
  assert(!vi.dims.empty() && vi.dims.front() == Dim::time);
  if (vi.dims.empty() || vi.dims.front() != Dim::time)
    throw std::logic_error("Hdf5Writer: variable '" + vi.name + "' does not start with the time dimension");
  const std::string what = where("cannot create variable '" + vi.name + "'");
  Variable v;
  v.info = vi;
  std::vector<hsize_t> chunk;
  for (Dim d : vi.dims) {
    v.dims.push_back(dim_sizes[static_cast<std::size_t>(d)]);
    chunk.push_back(d == Dim::time ? static_cast<hsize_t>(options_.time_chunk) : v.dims.back());
    if (d != Dim::time) v.row *= dim_sizes[static_cast<std::size_t>(d)];
  }
  H::Handle space = H::dataspace(H5Screate_simple(static_cast<int>(v.dims.size()), v.dims.data(), nullptr), what);
  H::Handle dcpl = dataset_props();
  // Deflate alone: shuffling bytes made the monthly records' chunks larger
  // and slower to compress (3.63 against 3.47 MB for the baseline's).
  const std::vector<hsize_t> chunk_dims = set_layout(dcpl.get(), v.dims, chunk, options_.compression, Filters::deflate);
  v.chunk_rows = chunk_dims.empty() ? 0 : static_cast<std::size_t>(chunk_dims.front());
  // Steps that were never recorded (an aborted run) read as NaN, not 0.
  const double fill = std::numeric_limits<double>::quiet_NaN();
  H::check_status(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &fill), what);
  v.dset = H::dataset(H5Dcreate2(file_.get(), vi.name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), what);
  H::write_attr(v.dset.get(), "_FillValue", fill);
  write_attributes(v.dset.get(), variable_attributes(vi));
  for (std::size_t i = 0; i < vi.dims.size(); ++i)
    H::check_status(H5DSattach_scale(v.dset.get(), scales_[static_cast<std::size_t>(vi.dims[i])].get(), static_cast<unsigned>(i)),
                    what + ": cannot attach dimension '" + engine::to_string(vi.dims[i]) + "'");
  v.block.assign(static_cast<std::size_t>(options_.time_chunk) * v.row, 0.0);
  v.crc = &known_[vi.name];
  vars_.push_back(std::move(v));
}

void Hdf5Writer::record(const engine::StepRecord& rec) {
  assert(rec.values.size() == vars_.size());
  if (block_start_ + buffered_ >= steps_ || rec.values.size() != vars_.size())
    throw std::logic_error("Hdf5Writer::record: more steps than the time dimension, or wrong number of variables");
  // Records fill time slots in arrival order; a skipped month would shift every later one.
  assert(rec.month == start_ + static_cast<int>(block_start_ + buffered_));
  if (rec.month != start_ + static_cast<int>(block_start_ + buffered_))
    throw std::logic_error("Hdf5Writer::record: got " + rec.month.str() + ", expected " +
                           (start_ + static_cast<int>(block_start_ + buffered_)).str());
  for (std::size_t i = 0; i < vars_.size(); ++i) {
    auto& v = vars_[i];
    assert(rec.values[i].size() == v.row);
    if (rec.values[i].size() != v.row)
      throw std::logic_error("Hdf5Writer::record: variable '" + v.info.name + "' has the wrong number of values");
    std::copy(rec.values[i].begin(), rec.values[i].end(), v.block.begin() + static_cast<std::ptrdiff_t>(buffered_ * v.row));
  }
  if (++buffered_ == static_cast<std::size_t>(options_.time_chunk)) flush_block();
}

/// A block of time_chunk steps is one chunk of every variable: it goes to
/// the pipeline, which compresses it while the run goes on; the previous
/// block's chunks, compressed meanwhile, are written first.
void Hdf5Writer::flush_block() {
  if (buffered_ == 0) return;
  pipeline_->write();
  for (auto& v : vars_) {
    if (v.row == 0 || v.chunk_rows == 0) continue;
    assert(buffered_ <= v.chunk_rows);
    // A whole chunk, also past the last step (HDF5 stores edge chunks
    // whole); readers never see the padding.
    std::vector<std::byte> chunk(v.chunk_rows * v.row * sizeof(double));
    const std::size_t valid = buffered_ * v.row * sizeof(double);
    std::memcpy(chunk.data(), v.block.data(), valid);
    const double fill = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t at = valid; at < chunk.size(); at += sizeof fill) std::memcpy(chunk.data() + at, &fill, sizeof fill);
    std::vector<hsize_t> offset(v.dims.size(), 0);
    offset[0] = block_start_;
    pipeline_->submit(v.dset.get(), std::move(offset), std::move(chunk), valid, options_.compression, 0, *v.crc);
  }
  block_start_ += buffered_;
  buffered_ = 0;
}

constexpr hsize_t column_chunk = hsize_t{1} << 16;  ///< firms per chunk of a snapshot column

/// Hands the column `values` of dataset `ds` (shuffle and deflate at
/// `level`, or no filters at 0) to the pipeline, chunk by chunk (the last
/// padded with zeros, the fill value); `crc` gets their CRC.
template <class T>
void submit_column(detail::ChunkPipeline& pipeline, hid_t ds, std::span<const T> values, int level,
                   detail::ValuesCrc& crc) {
  const std::size_t chunk = std::min<std::size_t>(column_chunk, values.size());
  for (std::size_t at = 0; at < values.size(); at += chunk) {
    const std::size_t k = std::min(chunk, values.size() - at);
    std::vector<std::byte> buf(chunk * sizeof(T));
    std::memcpy(buf.data(), values.data() + at, k * sizeof(T));
    pipeline.submit(ds, {static_cast<hsize_t>(at)}, std::move(buf), k * sizeof(T), level, sizeof(T), crc);
  }
}

template <class T>
void Hdf5Writer::write_column(hid_t group, const std::string& path, const char* name, hid_t file_type,
                              std::span<const T> values, hid_t firm_scale, const char* units, const char* long_name,
                              const std::string& what_prefix) {
  const std::string what = what_prefix + "/" + name;
  assert(H5Tget_size(file_type) == sizeof(T));  // the chunks are the values' bytes
  const hsize_t n = values.size();
  H::Handle space = H::dataspace(H5Screate_simple(1, &n, nullptr), what);
  H::Handle dcpl = dataset_props();
  // The float64 columns (sizes, exposures, trade: drawn or computed, with
  // random low-order bits) are stored without filters: shuffled and
  // deflated they came out 14-17 % smaller at about 55 ms a million values,
  // most of what the writer cost at 10^6 firms. The integer columns
  // deflate to almost nothing.
  const int level = std::is_floating_point_v<T> ? 0 : options_.compression;
  set_layout(dcpl.get(), {n}, {column_chunk}, level, Filters::shuffle_deflate);
  H::Handle ds = H::dataset(H5Dcreate2(group, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), what);
  submit_column(*pipeline_, ds.get(), values, level, known_[path + "/" + name]);
  if (units != nullptr) H::write_attr(ds.get(), "units", std::string(units));
  H::write_attr(ds.get(), "long_name", std::string(long_name));
  H::check_status(H5DSattach_scale(ds.get(), firm_scale, 0), what + ": cannot attach dimension 'firm'");
}

void Hdf5Writer::snapshot(const engine::FirmSnapshot& snap) {
  const std::string what = where("cannot write snapshot " + snap.month.str());
  if (!snapshots_) {
    H::Handle gcpl = group_props(H5P_GROUP_CREATE);
    snapshots_ = H::group(H5Gcreate2(file_.get(), "snapshots", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), what);
    H::write_attr(snapshots_.get(), "long_name", std::string("per-firm snapshots, one group per month (YYYY-MM)"));
  }
  H::Handle gcpl = group_props(H5P_GROUP_CREATE);
  H::Handle g = H::group(H5Gcreate2(snapshots_.get(), snap.month.str().c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), what);
  H::write_attr(g.get(), "step", static_cast<std::int32_t>(snap.step));
  H::write_attr(g.get(), "month", snap.month.str());

  const std::size_t n = snap.state.size();
  assert(snap.sector.size() == n && snap.role.size() == n && snap.size.size() == n &&
         snap.exposure.size() == n && snap.cautious.size() == n && snap.trade.size() == n);

  // firm: coordinate with the firm's index in the engine's columns.
  std::vector<std::uint32_t> index(n);
  for (std::size_t i = 0; i < n; ++i) index[i] = static_cast<std::uint32_t>(i);
  const hsize_t hn = n;
  H::Handle space = H::dataspace(H5Screate_simple(1, &hn, nullptr), what);
  H::Handle dcpl = dataset_props();
  set_layout(dcpl.get(), {hn}, {column_chunk}, options_.compression, Filters::shuffle_deflate);
  H::Handle firm = H::dataset(H5Dcreate2(g.get(), "firm", H5T_STD_U32LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), what);
  const std::string path = "snapshots/" + snap.month.str();
  submit_column(*pipeline_, firm.get(), std::span<const std::uint32_t>(index), options_.compression,
                known_[path + "/firm"]);
  H::check_status(H5DSset_scale(firm.get(), "firm"), what);
  H::write_attr(firm.get(), "long_name", std::string("firm index in the engine's firm columns"));

  const hid_t f = firm.get();
  write_column(g.get(), path, "state", H5T_STD_U16LE, snap.state, f, nullptr,
               "state of the firm, 0-based index into the root 'state' coordinate", what);
  write_column(g.get(), path, "sector", H5T_STD_U16LE, snap.sector, f, nullptr,
               "sector of the firm, 0-based index into the root 'sector' coordinate", what);
  write_column(g.get(), path, "role", H5T_STD_U8LE, snap.role, f, nullptr,
               "role of the firm", what);
  {
    H::Handle role = H::dataset(H5Dopen2(g.get(), "role", H5P_DEFAULT), what);
    H::write_attr(role.get(), "flag_values", std::vector<std::uint8_t>{0, 1, 2});
    H::write_attr(role.get(), "flag_meanings", std::string("exporter importer intermediary"));
  }
  write_column(g.get(), path, "size", H5T_IEEE_F64LE, snap.size, f, "1",
               "relative size of the firm", what);
  write_column(g.get(), path, "exposure", H5T_IEEE_F64LE, snap.exposure, f, "1",
               "Western exposure of the firm", what);
  write_column(g.get(), path, "cautious", H5T_STD_U8LE, snap.cautious, f, nullptr,
               "1 if the firm avoids sanctioned trade this month, else 0", what);
  write_column(g.get(), path, "trade", H5T_IEEE_F64LE, snap.trade, f, "USD month-1",
               "the firm's sales or purchases", what);
}

void Hdf5Writer::end(const engine::RunSummary& summary) {
  if (ended_) return;
  ended_ = true;
  flush_block();
  pipeline_->write();
  write_attributes(file_.get(), end_attributes(summary));
  // A run that ended before the last step leaves months that readers see as
  // the fill value; the CRCs taken as chunks were written do not cover
  // those, so such variables are read back.
  if (block_start_ < steps_)
    for (const auto& v : vars_) known_.erase(v.info.name);
  vars_.clear();
  snapshots_.reset();
  // Every dataset and the root group carry a CRC-32 of what readers see, as
  // sweep files do (check.cpp): a flipped byte in a contiguous dataset or an
  // attribute is then found by `geosim info` and the readers.
  detail::stamp_checksums(file_.get(), options_.path, known_);
  // Closing the file is where HDF5 writes its metadata: a full disk shows here.
  H::check_status(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), where("cannot flush output file"));
  file_.close(where("cannot close output file"));
}

}  // namespace

std::unique_ptr<engine::Observer> make_hdf5_writer(const WriterOptions& options) {
  return std::make_unique<Hdf5Writer>(options);
}

}  // namespace geosim::output
